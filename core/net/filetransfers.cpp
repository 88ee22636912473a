#include "net/filetransfers.h"

#include "net/clientsession.h"
#include "net/outbox.h"
#include "protocol/filechunk.h"
#include "protocol/filemessages.h"
#include "protocol/sha256.h"

#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>
#include <QMimeDatabase>
#include <QTemporaryFile>
#include <QThreadPool>

#include <filesystem>

Q_LOGGING_CATEGORY(lcFiles, "confab.files")

namespace {

// SHA-256 of a whole file, hex; "" and *error on a read error.
QString hashFile(const QString &path, QString *error)
{
    return QString::fromLatin1(Sha256::hashFile(path, error).toHex());
}

// What the server would refuse for good, and what is worth another try later.
bool worthRetrying(ErrorCode code)
{
    return code == ErrorCode::RateLimited || code == ErrorCode::StoreFailed ||
           code == ErrorCode::FileBusy || code == ErrorCode::BadChunk;
}

// A file name the server takes: what is not allowed in one becomes '_'.
QString sendableName(const QString &name)
{
    if (FileRef::isValidName(name))
        return name;
    QString clean;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const bool bad = u < 0x20 || (u >= 0x7F && u < 0xA0) || u == '/' || u == '\\' ||
                         (u >= 0x202A && u <= 0x202E) || (u >= 0x2066 && u <= 0x2069) ||
                         u == 0x200E || u == 0x200F || u == 0x061C;
        clean += bad ? QChar(u'_') : c;
    }
    clean = clean.left(FileRef::kMaxNameChars);
    return FileRef::isValidName(clean) ? clean : QStringLiteral("file");
}

// Moves `from` over `to` in one step (rename(2), MoveFileEx with REPLACE_EXISTING): someone
// looking at `to` meanwhile sees the old file or the new one, never none or half of one.
bool replaceFile(const QString &from, const QString &to)
{
    std::error_code error;
    std::filesystem::rename(std::filesystem::path(from.toStdU16String()),
                            std::filesystem::path(to.toStdU16String()), error);
    return !error;
}

} // namespace

FileTransfers::FileTransfers(ClientSession *session, QObject *parent)
    : QObject(parent), m_session(session)
{
    connect(session, &ClientSession::fileEventReceived, this, &FileTransfers::onEvent);
    connect(session, &ClientSession::fileChunkReceived, this, &FileTransfers::onChunk);
    connect(session, &ClientSession::messageAcknowledged, this,
            [this](const QString &ref, qint64 seq, qint64) { onAck(ref, seq); });
    connect(session, &ClientSession::errorReceived, this, &FileTransfers::onError);
    connect(session, &ClientSession::loggedIn, this, &FileTransfers::onOnline);
    m_pumpTimer.setSingleShot(true);
    m_pumpTimer.setInterval(20);
    connect(&m_pumpTimer, &QTimer::timeout, this, &FileTransfers::pump);
    // The socket wrote some of what waited: an upload held back by it goes on at once (the
    // timer is only the fallback), else a loopback upload would crawl at 64 KiB per tick.
    connect(session, &ClientSession::socketWritten, this, [this] {
        if (m_pumpTimer.isActive()) {
            m_pumpTimer.stop();
            pump();
        }
    });
}

FileTransfers::~FileTransfers()
{
    // A part file of a download's own is of no use to anyone after us (the shared one is
    // kept: a later run goes on from it).
    for (const Download &d : std::as_const(m_downloads)) {
        if (!d.lock && !d.part.isEmpty())
            QFile::remove(d.part);
    }
}

QString FileTransfers::upload(const QString &path, const QString &to, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return QString();
    };
    const QFileInfo info(path);
    const qint64 most = m_session->limits().maxFileBytes;
    if (m_session->state() == ClientSession::State::Online && most <= 0)
        return fail(tr("This server does not take files."));
    if (!info.isFile() || !info.isReadable())
        return fail(tr("%1 cannot be read.").arg(info.fileName()));
    if (info.size() == 0)
        return fail(tr("%1 is empty.").arg(info.fileName()));
    if (most > 0 && info.size() > most)
        return fail(
            tr("%1 is %2; this server takes files up to %3.")
                .arg(info.fileName(), FileRef::sizeText(info.size()), FileRef::sizeText(most)));
    Upload u;
    u.id = Outbox::newClientId();
    u.path = path;
    u.to = to;
    u.file.name = sendableName(info.fileName());
    u.file.size = info.size();
    u.file.mime = QMimeDatabase().mimeTypeForFile(info).name().toLower();
    if (!FileRef::isValidMime(u.file.mime))
        u.file.mime = QStringLiteral("application/octet-stream");
    m_uploads.insert(u.id, u);
    // Hashing 100 MB takes a while: never on the thread that draws the window.
    QPointer<FileTransfers> self(this);
    const QString id = u.id;
    QThreadPool::globalInstance()->start([self, id, path] {
        QString why;
        const QString sha = hashFile(path, &why);
        QMetaObject::invokeMethod(
            self.data(),
            [self, id, sha, why] {
                if (self)
                    self->hashed(id, sha, why);
            },
            Qt::QueuedConnection);
    });
    return id;
}

void FileTransfers::hashed(const QString &id, const QString &sha256, const QString &error)
{
    const auto it = m_uploads.find(id);
    if (it == m_uploads.end())
        return; // cancelled meanwhile
    if (sha256.isEmpty())
        return failUpload(id, ErrorCode::None,
                          tr("%1 cannot be read: %2").arg(it->file.name, error));
    it->file.sha256 = sha256;
    it->step = Step::Waiting;
    startWaiting();
}

void FileTransfers::startWaiting()
{
    if (m_session->state() != ClientSession::State::Online)
        return;
    int busy = 0;
    for (const Upload &u : std::as_const(m_uploads))
        busy += u.step == Step::Offered || u.step == Step::Sending || u.step == Step::Checking;
    for (Upload &u : m_uploads) {
        if (busy >= kMaxUploads)
            break;
        if (u.step == Step::Waiting) {
            offer(u);
            ++busy;
        }
    }
}

void FileTransfers::offer(Upload &u)
{
    // The same id every time: the server finds what it has of the file under it, and knows
    // a resend of a file it has already sent as a chat message.
    if (m_session->sendFileRequest(FileMessages::offerRequest(u.file, u.id, u.to))) {
        u.step = Step::Offered;
        u.serverId = 0;
    }
}

void FileTransfers::pump()
{
    for (Upload &u : m_uploads) {
        if (u.step != Step::Sending)
            continue;
        const ProtocolLimits limits = m_session->limits();
        QFile f(u.path);
        if (!f.open(QIODevice::ReadOnly)) {
            failUpload(u.id, ErrorCode::None, tr("%1 cannot be read.").arg(u.file.name));
            return; // the hash changed under us: the loop's iterator is gone
        }
        while (u.sent < u.file.size) {
            // What the server takes, and never more than we want to hold in memory at once.
            const qint64 chunk =
                qBound<qint64>(1, limits.fileChunkBytes, ProtocolLimits::kMaxFileChunkBytes);
            const qint64 n = qMin(chunk, u.file.size - u.sent);
            // Within the server's window, and little in the socket: a chat message sent now
            // goes out after at most that much of the file.
            if (u.sent + n - u.acked > limits.fileWindowBytes)
                break;
            if (m_session->bytesToWrite() > kMaxSocketBytes) {
                m_pumpTimer.start();
                return;
            }
            if (!f.seek(u.sent))
                break;
            const QByteArray data = f.read(n);
            if (data.size() != n) {
                failUpload(u.id, ErrorCode::None,
                           tr("%1 changed while it was sent.").arg(u.file.name));
                return;
            }
            FileChunkHeader h;
            h.transfer = u.serverId;
            h.offset = quint64(u.sent);
            if (!m_session->sendFileChunk(h.serialize(data)))
                return; // offline: offered again when the session is back
            u.sent += n;
        }
    }
}

void FileTransfers::ask(Download &d)
{
    d.asked = m_session->sendFileRequest(FileMessages::getRequest(d.seq, d.received, d.id));
    d.serverId = 0;
}

QString FileTransfers::download(qint64 seq, const FileRef &file, const QString &target)
{
    Download d;
    d.id = QStringLiteral("fd-%1").arg(++m_counter);
    d.seq = seq;
    d.file = file;
    d.target = target;
    // The shared part file is this download's while it holds the lock (kept only against
    // other live processes and clients: a crashed one's lock is stale at once).
    auto lock = std::make_shared<QLockFile>(target + QStringLiteral(".part.lock"));
    lock->setStaleLockTime(0);
    QString error;
    if (lock->tryLock(0)) {
        d.lock = lock;
        d.part = target + QStringLiteral(".part");
        // A download cut off earlier goes on where it stopped.
        d.received = QFileInfo(d.part).isFile() ? QFileInfo(d.part).size() : 0;
        if (d.received > file.size) {
            QFile::remove(d.part);
            d.received = 0;
        }
    } else {
        // Someone else is fetching into the same place: a part file of our own beside it,
        // so neither appends to what the other wrote.
        QTemporaryFile own(target + QStringLiteral(".XXXXXX.part"));
        own.setAutoRemove(false);
        if (own.open())
            d.part = own.fileName();
        else
            error = own.errorString();
    }
    m_downloads.insert(d.id, d);
    if (d.part.isEmpty()) {
        // Told after the caller has the id.
        const QString id = d.id;
        QTimer::singleShot(0, this, [this, id, target, error] {
            if (m_downloads.contains(id))
                failDownload(id, ErrorCode::None,
                             tr("%1 cannot be written: %2").arg(target, error));
        });
        return id;
    }
    int asked = 0;
    for (const Download &other : std::as_const(m_downloads))
        asked += other.asked;
    if (asked < kMaxDownloads)
        ask(m_downloads[d.id]);
    return d.id;
}

void FileTransfers::cancelUpload(const QString &id)
{
    const auto it = m_uploads.find(id);
    if (it == m_uploads.end())
        return;
    if (it->serverId)
        m_session->sendFileRequest(FileMessages::cancelUploadRequest(it->serverId));
    m_uploads.erase(it);
    startWaiting();
}

void FileTransfers::cancelDownload(const QString &id)
{
    const auto it = m_downloads.find(id);
    if (it == m_downloads.end())
        return;
    if (it->serverId)
        m_session->sendFileRequest(FileMessages::cancelDownloadRequest(it->serverId));
    QFile::remove(it->part);
    m_downloads.erase(it); // and with it the lock
}

FileTransfers::Upload *FileTransfers::uploadByServerId(quint32 id)
{
    for (Upload &u : m_uploads) {
        if (u.serverId == id && (u.step == Step::Sending || u.step == Step::Checking))
            return &u;
    }
    return nullptr;
}

FileTransfers::Download *FileTransfers::downloadByServerId(quint32 id)
{
    for (Download &d : m_downloads) {
        if (d.serverId == id && !d.checking)
            return &d;
    }
    return nullptr;
}

void FileTransfers::onEvent(const QJsonObject &event)
{
    const QString type = event.value(QLatin1String("type")).toString();
    const QString ref = event.value(QLatin1String("id")).toString();
    const qint64 offset = event.value(QLatin1String("offset")).toInteger(-1);
    if (type == QLatin1String("file_upload")) {
        const auto it = m_uploads.find(ref);
        if (it == m_uploads.end() || it->step != Step::Offered || offset < 0 ||
            offset > it->file.size)
            return;
        it->serverId = quint32(event.value(QLatin1String("upload")).toInteger());
        it->sent = it->acked = offset;
        it->step = offset == it->file.size ? Step::Checking : Step::Sending;
        emit uploadProgress(it->id, offset, it->file.size);
        pump();
    } else if (type == QLatin1String("file_progress")) {
        Upload *u = uploadByServerId(quint32(event.value(QLatin1String("upload")).toInteger()));
        if (!u || offset < u->acked || offset > u->sent)
            return;
        u->acked = offset;
        if (offset == u->file.size)
            u->step = Step::Checking; // the server checks it, then sends the message
        emit uploadProgress(u->id, offset, u->file.size);
        pump();
    } else if (type == QLatin1String("file_download")) {
        const auto it = m_downloads.find(ref);
        if (it == m_downloads.end() || offset < 0 || offset > it->file.size)
            return;
        it->serverId = quint32(event.value(QLatin1String("download")).toInteger());
        if (offset != it->received) {
            QFile part(it->part);
            if (part.open(QIODevice::ReadWrite))
                part.resize(offset);
            it->received = offset;
        }
        if (offset == it->file.size)
            downloadComplete(it->id);
    }
}

void FileTransfers::onChunk(const QByteArray &chunk)
{
    const auto header = FileChunkHeader::parse(chunk);
    if (!header)
        return;
    Download *d = downloadByServerId(header->transfer);
    if (!d || qint64(header->offset) != d->received)
        return; // a cancelled download's last chunks, or a broken server
    const QByteArrayView data = QByteArrayView(chunk).sliced(FileChunkHeader::kSize);
    if (d->received + data.size() > d->file.size)
        return failDownload(d->id, ErrorCode::None, tr("The server sent more than the file."));
    QFile part(d->part);
    if (!part.open(QIODevice::WriteOnly | QIODevice::Append) || part.size() != d->received ||
        part.write(data.data(), data.size()) != data.size())
        return failDownload(d->id, ErrorCode::None,
                            tr("%1 cannot be written: %2").arg(d->part, part.errorString()));
    part.close();
    d->received += data.size();
    emit downloadProgress(d->id, d->received, d->file.size);
    if (d->received == d->file.size)
        downloadComplete(d->id);
}

void FileTransfers::downloadComplete(const QString &id)
{
    Download &d = m_downloads[id];
    d.checking = true;
    QPointer<FileTransfers> self(this);
    const QString part = d.part;
    QThreadPool::globalInstance()->start([self, id, part] {
        QString why;
        const QString sha = hashFile(part, &why);
        QMetaObject::invokeMethod(
            self.data(),
            [self, id, sha] {
                if (!self)
                    return;
                const auto it = self->m_downloads.find(id);
                if (it == self->m_downloads.end())
                    return;
                if (sha != it->file.sha256) {
                    QFile::remove(it->part); // no use going on from a damaged copy
                    return self->failDownload(id, ErrorCode::FileHashMismatch,
                                              errorCodeText(ErrorCode::FileHashMismatch));
                }
                // Another client of the same folder may have put the same bytes there
                // already: replaced in one step, so a reader never finds it missing.
                if (!replaceFile(it->part, it->target))
                    return self->failDownload(id, ErrorCode::None,
                                              tr("%1 cannot be written.").arg(it->target));
                const QString target = it->target;
                self->m_downloads.erase(it);
                emit self->downloadFinished(id, target);
                // The next one that waited for a place.
                for (Download &next : self->m_downloads) {
                    if (!next.asked) {
                        self->ask(next);
                        break;
                    }
                }
            },
            Qt::QueuedConnection);
    });
}

void FileTransfers::onAck(const QString &ref, qint64 seq)
{
    const auto it = m_uploads.find(ref);
    if (it == m_uploads.end())
        return;
    m_uploads.erase(it);
    emit uploadFinished(ref, seq);
    startWaiting();
}

void FileTransfers::onError(ErrorCode code, const QString &text, const QString &ref)
{
    if (const auto it = m_uploads.find(ref); it != m_uploads.end()) {
        if (worthRetrying(code)) {
            // Offered again in a moment: the server says where it stands.
            it->step = Step::Waiting;
            QTimer::singleShot(1000, this, &FileTransfers::startWaiting);
            return;
        }
        return failUpload(ref, code, text);
    }
    if (m_downloads.contains(ref))
        failDownload(ref, code, text);
}

void FileTransfers::onOnline()
{
    // A new connection: every upload is offered again (the server answers where it stands),
    // and every download asked for from where it is.
    for (Upload &u : m_uploads) {
        if (u.step != Step::Hashing)
            u.step = Step::Waiting;
    }
    startWaiting();
    int asked = 0;
    for (Download &d : m_downloads) {
        d.asked = false;
        if (!d.checking && asked < kMaxDownloads) {
            ask(d);
            ++asked;
        }
    }
}

void FileTransfers::failUpload(const QString &id, ErrorCode code, const QString &text)
{
    m_uploads.remove(id);
    emit uploadFailed(id, code, text);
    startWaiting();
}

void FileTransfers::failDownload(const QString &id, ErrorCode code, const QString &text)
{
    // The shared part file stays for a later download to go on from; one of our own goes.
    const auto it = m_downloads.constFind(id);
    if (it != m_downloads.cend() && !it->lock && !it->part.isEmpty())
        QFile::remove(it->part);
    m_downloads.remove(id);
    emit downloadFailed(id, code, text);
}
