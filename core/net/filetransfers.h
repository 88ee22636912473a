#pragma once

#include "protocol/errorcode.h"
#include "protocol/fileref.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <memory>

class ClientSession;
class QLockFile;

// The client's side of files (docs/protocol.md section 18): uploads read from a file in
// chunks, downloads written to a file, both going on after a reconnect from where they
// stopped. Chat never waits behind a file: an upload keeps at most the server's window
// unacknowledged and at most kMaxSocketBytes waiting in the socket, so a chat message sent
// meanwhile goes out after that much file at most. Everything it learns arrives as signals,
// by the transfer's id (an upload's is the file message's client id).
class FileTransfers : public QObject
{
    Q_OBJECT
public:
    explicit FileTransfers(ClientSession *session, QObject *parent = nullptr);
    ~FileTransfers() override;

    // Sends the file at `path` to the room, or privately to `to`; returns the upload's id, or
    // "" with *error set when the file cannot be sent (unreadable, empty, larger than the
    // server takes, or a server without files). The file is hashed on a worker thread first;
    // the offer goes out when that is done and the session is online.
    QString upload(const QString &path, const QString &to = {}, QString *error = nullptr);
    // Stops an upload (the server forgets what it has of it).
    void cancelUpload(const QString &id);
    // Downloads the file of message `seq` into `target` (through `target` + ".part", which a
    // later download of the same file goes on from); returns the download's id. Whoever
    // holds `target` + ".part.lock" owns that part file: a second client sharing the folder
    // (two users of one cache, two instances of the app) fetching the same file meanwhile
    // writes a part file of its own instead, and each replaces `target` atomically when done.
    QString download(qint64 seq, const FileRef &file, const QString &target);
    void cancelDownload(const QString &id);
    bool isUploading(const QString &id) const { return m_uploads.contains(id); }
    // The file an upload sends (its sha256 is empty until it is hashed).
    FileRef uploadFile(const QString &id) const { return m_uploads.value(id).file; }
    bool isDownloading(const QString &id) const { return m_downloads.contains(id); }

    static constexpr int kMaxUploads = 4; // the server's bound per connection
    static constexpr int kMaxDownloads = 4;
    static constexpr qint64 kMaxSocketBytes = 64 * 1024;

signals:
    // `done` bytes the server has (uploads) or that are written (downloads), of `total`.
    void uploadProgress(const QString &id, qint64 done, qint64 total);
    // The file message is stored: its seq (the relay comes as a chat message too).
    void uploadFinished(const QString &id, qint64 seq);
    void uploadFailed(const QString &id, ErrorCode code, const QString &text);
    void downloadProgress(const QString &id, qint64 done, qint64 total);
    void downloadFinished(const QString &id, const QString &path);
    void downloadFailed(const QString &id, ErrorCode code, const QString &text);

private:
    enum class Step { Hashing, Waiting, Offered, Sending, Checking };
    struct Upload
    {
        QString id;
        QString path;
        QString to;
        FileRef file;
        Step step = Step::Hashing;
        quint32 serverId = 0;
        qint64 sent = 0;  // bytes handed to the socket
        qint64 acked = 0; // bytes the server has
        QString failure;
    };
    struct Download
    {
        QString id;
        qint64 seq = 0;
        FileRef file;
        QString target;
        QString part;
        // Held while `part` is the shared, resumable `target`.part; null for a part file of
        // this download's own (removed when it fails, as nothing would go on from it).
        std::shared_ptr<QLockFile> lock;
        quint32 serverId = 0;
        bool asked = false;
        qint64 received = 0;
        bool checking = false;
    };

    void hashed(const QString &id, const QString &sha256, const QString &error);
    void startWaiting();
    void offer(Upload &u);
    void pump();
    void ask(Download &d);
    void onEvent(const QJsonObject &event);
    void onChunk(const QByteArray &chunk);
    void onAck(const QString &ref, qint64 seq);
    void onError(ErrorCode code, const QString &text, const QString &ref);
    void onOnline();
    void failUpload(const QString &id, ErrorCode code, const QString &text);
    void failDownload(const QString &id, ErrorCode code, const QString &text);
    void downloadComplete(const QString &id);
    Upload *uploadByServerId(quint32 id);
    Download *downloadByServerId(quint32 id);

    ClientSession *m_session;
    QHash<QString, Upload> m_uploads;
    QHash<QString, Download> m_downloads;
    QTimer m_pumpTimer; // the socket was full: look again shortly
    int m_counter = 0;
};
