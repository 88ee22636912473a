#pragma once

#include <QAbstractSocket>
#include <QByteArray>
#include <QObject>
#include <QSslError>
#include <QString>
#include <QUrl>

#include "net/tcppathmonitor.h"
#include "net/tcpsendbuffer.h"

#include <atomic>
#include <deque>
#include <functional>
#include <mutex>

class QTimer;
class QWebSocket;

// What the TLS handshake may accept, decided on the network thread (ClientSession::onSslErrors
// used to decide it on the GUI thread): a snapshot taken when an attempt starts.
struct SessionTlsPolicy
{
    bool insecure = false;       // any certificate (confab-cli --insecure=...)
    QString expectedFingerprint; // exactly this one (--pin), plain upper-case hex
    bool usePins = false;        // the application keeps pins (CertificatePins)
    QString pinned;              // the fingerprint pinned for this host:port, "" when none
};
Q_DECLARE_METATYPE(SessionTlsPolicy)

// The chat session's WebSocket, on a thread of its own ("session network"): ClientSession
// keeps the session's logic on the GUI thread and drives this with queued calls, and hears
// back through queued signals that carry the attempt they belong to (so a signal of a
// connection already given up is told from the current one's). Media never waits for the GUI
// thread: packets received are handed to the media handler here, on the network thread, and
// sendMedia() may be called from any thread. A long layout or a modal dialog therefore stalls
// neither the far end's voice nor our own.
class SessionSocket : public QObject
{
    Q_OBJECT
public:
    using MediaHandler = std::function<void(const QByteArray &packet)>;

    SessionSocket();
    ~SessionSocket() override;

    // Any thread. Media packets received are given to `handler` on the network thread, one at
    // a time; an empty handler stops that. Setting waits for a packet being handed over, so
    // once this returns the old handler is never called again (its owner may go).
    void setMediaHandler(MediaHandler handler);
    // Any thread: whether received media also goes out as mediaReceived (for the GUI thread's
    // listeners: tests, benchmarks).
    void setForwardMedia(bool forward) { m_forwardMedia.store(forward); }
    // Any thread: media is sent only while the session is logged in.
    void setOnline(bool online) { m_online.store(online); }
    // Any thread: queues a media packet unless more than maxQueuedBytes already wait to be
    // written (queued here or in the socket); then it is dropped and false returned.
    //
    // Media waits here, not in the socket or the kernel: the socket is given the next packet
    // only once it holds less than kSocketLowWater, audio before video, and the kernel keeps
    // little unsent (TCP_NOTSENT_LOWAT), so the voice never waits behind seconds of video and
    // the backlog is where queuedMediaBytes() sees it. A video packet that waited longer than
    // kStaleVideoMs is dropped, and so is the video after it until a keyframe (the far end
    // could not decode it): videoWaitsForKeyframe() says the sender should make one now.
    bool sendMedia(const QByteArray &packet, qint64 maxQueuedBytes);
    static constexpr qint64 kSocketLowWater = 4 * 1024;
    static constexpr int kKernelLowWater = 4 * 1024;
    static constexpr qint64 kStaleVideoMs = 300;
    // Any thread: the rate the call's media is sent at (the bandwidth estimate), kbit/s; 0
    // when no call is active. Sizes the kernel's send buffer to it (TcpSendBuffer), so that
    // little more than a round trip's worth of media is ever in flight.
    void setMediaSendRate(int kbps);
    // Any thread: TCP was recovering lost segments when last looked (at the last
    // setMediaSendRate with a rate; TcpSendBuffer::recovering).
    bool tcpRecovering() const { return m_tcpRecovering.load(); }
    // Any thread: TCP's view of the uplink (TcpPathMonitor), sampled every kPathSampleMs while
    // a media rate is set. When its queue reaches kPathQueueSignalMs, pathQueued() says so at
    // once (at most every other sample), not at the next look of the bandwidth estimator.
    TcpPathMonitor::View tcpPath() const;
    static constexpr int kPathSampleMs = 50;
    static constexpr int kPathQueueSignalMs = 35;
    // Any thread: fills what the media leaves of `kbps` with probe packets of call `callId`
    // (docs/protocol.md 12: filler the server discards), so that the uplink is tested with
    // real bytes at the rate the estimator would go up to; 0 stops. Only what nothing else
    // waits for: a probe is written only when no media is queued here and the socket holds
    // little, at most a look's worth and kMaxProbeBytes (the voice waits behind it) (every
    // kPathSampleMs, while a media rate is set). Probe bytes count as media accepted
    // (mediaBytesAccepted), never dropped.
    void setProbeRate(quint32 callId, int kbps);
    static constexpr int kMaxProbeBytes = 4 * 1024;
    // Any thread: probe bytes written, ever.
    qint64 probeBytesSent() const { return m_probeBytes.load(); }
    // Any thread: drops the video waiting here (the picture changes size: what waits is of the
    // old size and only delays the keyframe of the new one).
    void dropQueuedVideo();
    // Any thread: video was dropped as stale and no keyframe has been queued since.
    bool videoWaitsForKeyframe() const { return m_videoWaitsForKeyframe.load(); }
    // Any thread: media bytes dropped here as stale, ever (they were accepted, never sent).
    qint64 mediaBytesDropped() const { return m_droppedBytes.load(); }
    // Any thread: media bytes waiting to be written (queued here or in the socket, not yet
    // taken by the kernel; the socket's share includes file chunks, which use the same
    // uplink), and all the media bytes sendMedia() ever accepted. Their changes
    // over time are the uplink's rate and its backlog (BandwidthEstimator).
    qint64 queuedMediaBytes() const { return m_pendingBytes.load() + m_socketBytes.load(); }
    qint64 mediaBytesAccepted() const { return m_acceptedBytes.load(); }
    // Any thread: queues a chunk of a file upload (docs/protocol.md section 18). Nothing drops
    // it: FileTransfers keeps what waits small itself, by queuedBytes(). Chunks and text go out
    // in the order they were queued, so a chat message waits behind at most what was queued.
    void sendFileChunk(const QByteArray &chunk);
    // Any thread: what waits to be written, media and file chunks posted to this thread and what
    // the socket had not written when last looked.
    qint64 queuedBytes() const
    {
        return m_pendingBytes.load() + m_fileBytes.load() + m_socketBytes.load();
    }
    // Any thread: milliseconds (steady clock) since anything last arrived, or since the attempt
    // connected.
    qint64 msSinceLastReceive() const;

    // Network thread, through queued calls from ClientSession.
    Q_INVOKABLE void openUrl(quint64 attempt, const QUrl &url, const SessionTlsPolicy &policy);
    // Sends the close frame (and what was queued before it); a peer that never lets it out is
    // cut off after 2 s.
    Q_INVOKABLE void closeSocket(quint64 attempt, const QString &reason);
    Q_INVOKABLE void abortSocket(quint64 attempt);
    Q_INVOKABLE void sendText(const QString &text);
    Q_INVOKABLE void ping();

signals:
    void connected(quint64 attempt);
    void disconnected(quint64 attempt, const QString &closeReason, const QString &errorString,
                      int socketError);
    void textReceived(quint64 attempt, const QString &text);
    void pongReceived(quint64 attempt);
    // The certificate was neither valid, pinned, expected nor accepted: the attempt was aborted
    // before a byte was sent (no disconnected follows).
    void certificateRejected(quint64 attempt, const QString &fingerprint, bool changed);
    // Received media, only while setForwardMedia(true).
    void mediaReceived(const QByteArray &packet);
    // A chunk of a file download (a binary message whose first byte is 0x10): never handed to
    // the media handler.
    void fileChunkReceived(quint64 attempt, const QByteArray &chunk);
    // Some of what was queued was written (for an upload waiting on queuedBytes()).
    void written();
    // TCP's round trip stands kPathQueueSignalMs or more over its smallest (tcpPath()).
    void pathQueued();

private:
    Q_INVOKABLE void writeMedia(const QByteArray &packet, qint64 acceptedMs);
    // Hands queued media to the socket while it holds little, audio first.
    void pumpMedia();
    void dropMedia(qsizetype bytes);
    void dropStaleVideo(qint64 nowMs);
    void clearMedia();
    void limitKernelBuffer();
    Q_INVOKABLE void sizeSendBuffer(int kbps);
    void samplePath();
    void sendProbe(qint64 nowMs);
    Q_INVOKABLE void dropVideoQueue();
    int descriptor() const;
    Q_INVOKABLE void writeFileChunk(const QByteArray &chunk);
    void ensureSocket();
    void onBinary(const QByteArray &packet);
    void onSslErrors(const QList<QSslError> &errors);
    void noteReceived();
    void noteQueued();

    QWebSocket *m_socket = nullptr; // made on the network thread, a child of this
    quint64 m_attempt = 0;
    SessionTlsPolicy m_policy;
    QAbstractSocket::SocketError m_lastError = QAbstractSocket::UnknownSocketError;

    // A std::mutex (pthread underneath): ThreadSanitizer sees it whole, also when contended.
    std::mutex m_handlerMutex;
    MediaHandler m_handler;
    std::atomic<bool> m_forwardMedia{false};
    std::atomic<bool> m_online{false};
    std::atomic<qint64> m_pendingBytes{0};  // media posted to this thread, not yet written
    std::atomic<qint64> m_fileBytes{0};     // file chunks posted to this thread, not yet written
    std::atomic<qint64> m_socketBytes{0};   // what the socket had not written, last looked
    std::atomic<qint64> m_acceptedBytes{0}; // media accepted by sendMedia, ever
    std::atomic<qint64> m_lastReceiveMs{0};

    // Network thread: media accepted and not yet given to the socket (counted in
    // m_pendingBytes), by kind, oldest first.
    struct QueuedMedia
    {
        QByteArray packet;
        qint64 acceptedMs = 0;
        bool keyframe = false;
    };
    std::deque<QueuedMedia> m_audioQueue;
    std::deque<QueuedMedia> m_videoQueue;
    std::atomic<bool> m_videoWaitsForKeyframe{false};
    bool m_keyframeInSocket = false; // handed to the socket, which has not written it yet
    qint64 m_keyframeLeftMs = 0;     // when the last one had
    std::atomic<qint64> m_droppedBytes{0};
    TcpSendBuffer m_sendBuffer; // network thread
    std::atomic<bool> m_tcpRecovering{false};
    // Network thread: TCP's view of the uplink while a media rate is set.
    QTimer *m_pathTimer = nullptr;
    TcpPathMonitor m_path;
    qint64 m_pathSignalMs = 0;
    std::atomic<int> m_pathQueueMs{-1};
    std::atomic<int> m_pathAckedKbps{-1};
    std::atomic<bool> m_pathRecovering{false};
    // Probes: the rate and call from any thread; the rest on the network thread.
    std::atomic<quint64> m_probe{0}; // call id << 32 | kbps
    std::atomic<qint64> m_probeBytes{0};
    qint64 m_probeMarkMs = -1;   // the last look
    qint64 m_probeMarkBytes = 0; // media accepted by then
};
