#pragma once

#include "asyncmessagestore.h"
#include "chatrouter.h"
#include "clientconnection.h"
#include "filestorage.h"
#include "serverconfig.h"
#include "transport/ratelimiter.h"
#include "transport/transport.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>
#include <QWebSocket>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>

// Files (docs/protocol.md section 18): uploads in chunks that can resume after a dropped
// connection, checked (SHA-256, and the first bytes of images) on a worker thread, kept by
// hash in FileStorage and sent as a chat message that carries the file; downloads in chunks
// to whoever may see that message. Nothing of a file waits in memory: chunks go to disk as
// they come, and a download is read from disk as the receiver's queue empties.
//
// Bounds: 4 uploads and 4 downloads per connection; 4 partial uploads per payer (an account,
// or a guest's address); an upload's and a download's bytes are paced per connection
// (--file-bytes-per-second, each direction on its own),
// the client keeps at most file_window_bytes unacknowledged, so an upload cannot crowd out the
// connection's chat, and chunk-sized input is allowed only while the connection holds one; a
// download is queued only while less than kQueueBytes wait for the receiver, so a chat message
// never waits behind more than that.
class FileService : public QObject
{
    Q_OBJECT
public:
    using ConnectionOf = std::function<ClientConnection *(const QPointer<QWebSocket> &)>;

    FileService(const ServerConfig &config, AsyncMessageStore *store, Transport *transport,
                ChatRouter *router, ConnectionOf connectionOf, QObject *parent = nullptr);
    // Waits for the checks that are running.
    ~FileService() override;

    // Makes the folder and sweeps old partial uploads; true (and nothing done) without files.
    bool open(QString *error);
    bool enabled() const { return m_storage != nullptr; }

    // file_offer, file_get, file_cancel.
    void handle(ClientConnection *c, const ClientRequest &r);
    // A binary file chunk; the error to answer (with the offer's id, when the upload is known)
    // or None.
    struct Refusal
    {
        ErrorCode code = ErrorCode::None;
        QString ref;
    };
    Refusal handleChunk(ClientConnection *c, const QByteArray &message);
    // The connection is going: its uploads wait on disk for a resume, its downloads end.
    void connectionClosed(ClientConnection *c);
    // Everything queued for `c` has gone out: the next part of its downloads.
    void queueDrained(ClientConnection *c);

    static constexpr int kMaxUploadsPerConnection = 4;
    static constexpr int kMaxDownloadsPerConnection = 4;
    static constexpr int kMaxPartialsPerPayer = 4;
    static constexpr qint64 kQueueBytes = 256 * 1024;   // a download's share of a queue
    static constexpr qint64 kDownloadChunk = 64 * 1024; // payload of one download chunk
    static constexpr qint64 kPartialAgeMs = 24LL * 3600 * 1000;

private:
    // An upload on its way in: a partial file on disk, and whichever connection holds it now.
    struct Upload
    {
        FileRef file;
        QString to;
        QString ref; // the offer's id: the file message's
        QString payer;
        QString path;
        qint64 received = 0;
        qint64 acked = 0;
        qint64 touchedMs = 0;
        QPointer<QWebSocket> holder; // none: waits for a resume
        quint32 id = 0;              // its id on the holder's connection
        bool verifying = false;
    };
    struct Download
    {
        QString sha256;
        QString ref;
        qint64 offset = 0;
        qint64 size = 0;
    };
    struct Transfers
    {
        std::map<quint32, QString> uploads; // id -> the Upload's path
        std::map<quint32, Download> downloads;
        quint32 lastId = 0;
        quint32 lastSent = 0; // the download served last (round robin)
        // A pace (--file-bytes-per-second): a byte balance that fills at that rate up to a
        // window, and that every chunk draws on. It may go below 0 (an upload's by at most a
        // window: the client sends no more unacknowledged); what waits on it (an upload's
        // progress, a download's next chunk) then waits for a timer set to when it is back.
        struct Pace
        {
            double balance;
            qint64 refilledMs = -1;
            bool timer = false; // the timer is set
        };
        double rate;
        double burst;
        Pace up;
        // Downloads at the same rate, counted apart: the kernel takes a loopback connection's
        // chunks far faster than a client can write them, and whatever the client says
        // meanwhile (its own chat's echo) waited behind megabytes of file in the socket
        // buffers, 46-66 ms at p99 at 300-490 MB/s.
        Pace down;
        Transfers(const ProtocolLimits &l, qint64 bytesPerSecond)
            : rate(double(bytesPerSecond)),
              burst(double(qMax(l.fileWindowBytes, l.fileChunkBytes))), up{burst}, down{burst}
        {}
        void refill(Pace &p, qint64 nowMs) const
        {
            if (p.refilledMs >= 0 && nowMs > p.refilledMs)
                p.balance = qMin(burst, p.balance + double(nowMs - p.refilledMs) * rate / 1000.0);
            p.refilledMs = qMax(p.refilledMs, nowMs);
        }
        // When `p` will be back at 0 (a millisecond more: the clock counts whole ones).
        int msUntilPaid(const Pace &p) const
        {
            return int(std::ceil(-p.balance * 1000.0 / rate)) + 1;
        }
    };

    Transfers &transfers(ClientConnection *c);
    quint32 newId(Transfers &t);
    void offer(ClientConnection *c, const ClientRequest &r);
    void startUpload(ClientConnection *c, const ClientRequest &r, qint64 usage, bool uploaded);
    void get(ClientConnection *c, const ClientRequest &r);
    void startDownload(ClientConnection *c, const ClientRequest &r,
                       const std::optional<MessageStore::Stored> &stored, bool found);
    void cancel(ClientConnection *c, const ClientRequest &r);
    void acknowledge(ClientConnection *c, Transfers &t);
    void payChunkDebt(const QPointer<QWebSocket> &socket);
    // Acknowledges the uploads when the balance is back at 0.
    void schedulePayment(ClientConnection *c, Transfers &t);
    // pump() again when the download pace has paid for the next chunk.
    void scheduleDownloads(ClientConnection *c, Transfers &t);
    void resumeDownloads(const QPointer<QWebSocket> &socket);
    void finish(ClientConnection *c, quint32 id);
    void verified(const QString &path, const FileStorage::Check &check);
    // The checked file, as a chat message from the uploader (if still connected).
    void deliver(const QPointer<QWebSocket> &socket, const Upload &u);
    void pump(ClientConnection *c);
    Upload *uploadOf(ClientConnection *c, quint32 id);
    // Forgets the upload (its holder's id too) and, with `remove`, its partial file.
    void dropUpload(const QString &path, bool remove);
    void sweep();
    void sendJson(ClientConnection *c, const QByteArray &json);
    void sendError(ClientConnection *c, ErrorCode code, const QString &ref);
    qint64 now() const { return m_transport.now(); }

    const ServerConfig &m_config;
    AsyncMessageStore *m_store;
    Transport &m_transport;
    ChatRouter &m_router;
    ConnectionOf m_connectionOf;
    std::unique_ptr<FileStorage> m_storage;
    std::unordered_map<ClientConnection *, Transfers> m_transfers;
    QHash<QString, Upload> m_uploads; // by path
    QTimer m_sweep;
    QThreadPool m_checks; // hashing whole uploads, off the relay's thread
};
