#pragma once

#include "call/audiopipeline.h"
#include "call/bandwidthestimator.h"
#include "call/calldevices.h"
#include "call/callreportbuilder.h"
#include "call/callstats.h"
#include "call/mediabacklog.h"
#include "call/videopipeline.h"
#include "protocol/servermessage.h"

#include <QElapsedTimer>
#include <QImage>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>
#include <mutex>

class ClientSession;

// One user's calls: the signalling of docs/protocol.md section 13 over the chat session, and
// the media pipelines on two threads of their own (video, audio) while a call is on. At most
// one call at a time; an invite during a call is answered "busy". Everything the call window
// shows comes from here as signals, and the pictures from takeRemoteFrame()/takePreview().
// Media never passes through this object's (the GUI) thread: packets go from the pipelines'
// threads to the session's network thread and back (ClientSession::sendMedia,
// setMediaHandler), so a busy window stalls neither the voice nor the video.
class CallSession : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Outgoing, Incoming, Active };
    Q_ENUM(State)

    using Devices = CallDevices;

    explicit CallSession(ClientSession *session, QObject *parent = nullptr);
    ~CallSession() override;

    void setDevices(const Devices &devices) { m_devices = devices; }
    Devices devices() const { return m_devices; }

    // Starts a call; false (and nothing happens) when not idle or not online.
    bool call(const QString &peer, bool video = true);
    void accept(bool video = true);
    void reject();
    // Ends the call in any state: cancels, rejects or hangs up as the state requires.
    void hangUp();

    // A call event that came before this object watched the session (the invite that made the
    // client load its media module); later ones arrive by themselves.
    void handleEvent(const ServerMessage &event) { onEvent(event); }

    void setMuted(bool muted);
    void setCameraOn(bool on);
    void setCamera(const QString &spec);
    void setMicrophone(const QString &spec);
    void setSpeaker(const QString &spec);
    // Echo cancellation, noise suppression, gain and high-pass on their own (Devices menu).
    void setAudioProcessing(const AudioProcessor::Features &features);
    // The most this side sends, in kbit/s (0: what the path allows), in force at once for the
    // call in progress and the next ones (BandwidthEstimator::setCeiling).
    void setBandwidthLimit(int kbps);
    AudioProcessor::Features audioProcessing() const { return m_audioProcessing; }
    // The bandwidth estimate now, kbit/s (benchmarks; the statistics carry it once a second),
    // and the probe bytes sent on this connection, ever.
    int estimateKbps() const { return m_estimator.estimateKbps(); }
    qint64 probeBytesSent() const;

    State state() const { return m_state; }
    QString peer() const { return m_peer; }
    quint32 callId() const { return m_callId; }
    bool isVideo() const { return m_video; }
    bool isMuted() const { return m_muted; }
    bool isCameraOn() const { return m_cameraOn; }
    bool peerIsRinging() const { return m_peerRinging; }
    // What the far end said it sends (call_media): its microphone muted, its camera off. A
    // peer that never says is taken to send everything the call has.
    bool peerIsMuted() const { return m_peerMuted; }
    bool peerCameraIsOn() const { return m_peerCameraOn; }
    // Milliseconds since the call became active; -1 when it is not.
    qint64 activeMs() const { return m_state == State::Active ? m_activeClock.elapsed() : -1; }

    // The newest decoded picture of the far end / of the own camera, or a null image when
    // nothing new came since the last call. *latencyMs: capture to now.
    QImage takeRemoteFrame(double *latencyMs = nullptr);
    QImage takePreview();

    // The video codec to send to a peer that can decode `peerCodecs` (from its invite or
    // accept), preferring ours; "vp8" when the peer said nothing (the protocol's default),
    // "" when we have nothing it can decode.
    static QString chooseVideoCodec(const QString &preferred, const QStringList &peerCodecs);
    // What this client can decode, sent with invites and accepts.
    static QStringList supportedCodecs(const QString &preferredVideo);

    // For tests and benchmarks: the pipelines (their signals are emitted on their threads).
    AudioPipeline *audioPipeline() { return m_audio; }
    VideoPipeline *videoPipeline() { return m_videoPipeline; }
    // Received video packets dropped because the video thread was behind, and the most that
    // ever waited for it; media packets not sent because the uplink was behind.
    int droppedIncomingVideo() const { return m_videoBacklog->dropped(); }
    int peakVideoBacklog() const { return m_videoBacklog->peakPackets(); }
    int droppedOutgoingMedia() const { return m_droppedOutgoing.load(); }
    // The call's bandwidth estimate and how it is spent now (also in CallStats::network).
    BandwidthEstimator::Allocation allocation() const { return m_estimator.allocation(); }
    // How often the estimate is revisited and receiver reports are sent (docs/protocol.md
    // 13.2: about once a second); tests may make them faster, down to the server's bound.
    static constexpr int kAdaptIntervalMs = 200;
    static constexpr int kReportIntervalMs = 1000;

    // About a second of video (one packet per frame at 30 fps), at most 2 MiB.
    static constexpr int kVideoBacklogPackets = 30;
    static constexpr qsizetype kVideoBacklogBytes = 2 << 20;
    // Bytes waiting in the socket above which media is not sent (about 0.4 s of JPEG video;
    // a chat message then waits at most that long behind media).
    static constexpr qint64 kVideoMaxQueuedBytes = 256 << 10;
    static constexpr qint64 kVideoMinQueuedBytes = 16 << 10;
    static constexpr qint64 kAudioMaxQueuedBytes = 1 << 20;

signals:
    void stateChanged(CallSession::State state);
    void incomingCall(const QString &from, bool video);
    void peerRinging();
    // peerIsMuted() or peerCameraIsOn() changed.
    void peerMediaChanged();
    // The call is over; `message` says why in words for the user ("bob did not answer.").
    // `missed` for an incoming call that was never answered.
    void ended(const QString &message, bool missed);
    void remoteFrameReady();
    void previewReady();
    void statsChanged(const CallStats &stats);
    // A camera, microphone or speaker problem during the call; the call goes on.
    void deviceProblem(const QString &message);

private:
    void onEvent(const ServerMessage &event);
    void onError(int code, const QString &text, const QString &ref);
    void onSessionState();
    // On the network thread: a received packet of the active call to its pipeline.
    void dispatchMedia(const QByteArray &packet);
    void setState(State state);
    void startMedia();
    void beginSending();
    void finish(const QString &message, bool missed = false);
    void send(const QString &type, const QString &reason = {});
    // Tells the far end what this side sends now, when that changed (docs/protocol.md 13).
    void sendMediaState();
    void setPeerMedia(bool muted, bool cameraOn);
    // Bandwidth adaptation (issue 13): every kAdaptIntervalMs the send queue, and the
    // pipelines told of a changed allocation; every kReportIntervalMs our call_report.
    void adapt();
    // TCP saw a queue on the uplink (ClientSession::uplinkQueued): its view, now, not at the
    // next adapt().
    void adaptToPath();
    void sendReport();
    void applyAllocation(bool force);

    ClientSession *m_session;
    Devices m_devices;
    AudioProcessor::Features m_audioProcessing; // all on until the Devices menu says otherwise
    QThread m_videoThread;
    QThread m_audioThread;
    VideoPipeline *m_videoPipeline;
    std::shared_ptr<MediaBacklog> m_videoBacklog =
        std::make_shared<MediaBacklog>(kVideoBacklogPackets, kVideoBacklogBytes);
    std::atomic<int> m_droppedOutgoing{0};
    // A video packet was dropped on the way out (the video thread's alone).
    bool m_videoWaitsForKeyframe = false;
    // The active call whose media flows, 0 when none: read on the pipelines' and the network
    // thread, written here.
    std::atomic<quint32> m_mediaCallId{0};
    AudioPipeline *m_audio;

    State m_state = State::Idle;
    QString m_peer;
    quint32 m_callId = 0;
    QString m_inviteRef;
    QStringList m_peerCodecs;
    bool m_video = true;
    bool m_muted = false;
    bool m_cameraOn = true;
    bool m_peerRinging = false;
    bool m_peerMuted = false;
    bool m_peerCameraOn = true;
    QStringList m_mediaSent; // what the far end was last told we send (the call's media at first)
    bool m_mediaRunning = false;
    QElapsedTimer m_activeClock;
    CallStats m_stats;
    int m_inviteCounter = 0;

    BandwidthEstimator m_estimator;
    BandwidthEstimator::Allocation m_applied;
    int m_cameraMaxStep = BandwidthEstimator::kSteps - 1;
    QTimer m_adaptTimer;
    QTimer m_reportTimer;
    QElapsedTimer m_adaptClock;
    // Fed on the network thread (dispatchMedia), taken here by sendReport().
    std::mutex m_reportMutex;
    CallReportBuilder m_reportBuilder;
    // Video is not sent over this many bytes waiting: about a quarter second of the estimate,
    // so a slow uplink never holds seconds of stale video (set here, read on the video thread).
    std::atomic<qint64> m_videoQueueLimit{kVideoMaxQueuedBytes};
};
