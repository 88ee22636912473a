#include "fileservice.h"

#include "protocol/filechunk.h"
#include "protocol/filemessages.h"
#include "protocol/namerules.h"
#include "replies.h"
#include "transport/wireframe.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <cmath>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

FileService::FileService(const ServerConfig &config, AsyncMessageStore *store, Transport *transport,
                         ChatRouter *router, ConnectionOf connectionOf, QObject *parent)
    : QObject(parent), m_config(config), m_store(store), m_transport(*transport), m_router(*router),
      m_connectionOf(std::move(connectionOf))
{
    if (m_config.limits.maxFileBytes > 0 && !m_config.filesDir.isEmpty())
        m_storage = std::make_unique<FileStorage>(m_config.filesDir);
    // One check at a time: hashing is disk-bound, and a second would only halve each one's pace.
    m_checks.setMaxThreadCount(1);
    m_sweep.setInterval(10 * 60 * 1000);
    connect(&m_sweep, &QTimer::timeout, this, &FileService::sweep);
}

FileService::~FileService()
{
    m_checks.waitForDone();
}

bool FileService::open(QString *error)
{
    if (!m_storage)
        return true;
    if (!m_storage->open(kPartialAgeMs, error))
        return false;
    m_sweep.start();
    return true;
}

FileService::Transfers &FileService::transfers(ClientConnection *c)
{
    auto it = m_transfers.find(c);
    if (it == m_transfers.end())
        it = m_transfers.emplace(c, Transfers(m_config.limits, m_config.fileBytesPerSecond)).first;
    return it->second;
}

quint32 FileService::newId(Transfers &t)
{
    // Ids of one connection; never 0, and not one in use after the 32 bits wrap.
    do {
        ++t.lastId;
    } while (t.lastId == 0 || t.uploads.count(t.lastId) || t.downloads.count(t.lastId));
    return t.lastId;
}

FileService::Upload *FileService::uploadOf(ClientConnection *c, quint32 id)
{
    const auto it = m_transfers.find(c);
    if (it == m_transfers.end())
        return nullptr;
    const auto up = it->second.uploads.find(id);
    if (up == it->second.uploads.end())
        return nullptr;
    const auto found = m_uploads.find(up->second);
    return found == m_uploads.end() ? nullptr : &found.value();
}

void FileService::dropUpload(const QString &path, bool remove)
{
    const auto it = m_uploads.find(path);
    if (it != m_uploads.end()) {
        if (ClientConnection *holder = m_connectionOf(it->holder)) {
            const auto t = m_transfers.find(holder);
            if (t != m_transfers.end()) {
                t->second.uploads.erase(it->id);
                if (t->second.uploads.empty())
                    m_transport.setFileFrames(holder, false);
            }
        }
        m_uploads.erase(it);
    }
    if (remove)
        FileStorage::removePartial(path);
}

void FileService::sendJson(ClientConnection *c, const QByteArray &json)
{
    Replies::sendJson(m_transport, c, json);
}

void FileService::sendError(ClientConnection *c, ErrorCode code, const QString &ref)
{
    Replies::sendError(m_transport, c, code, ref, c->dialect);
}

void FileService::handle(ClientConnection *c, const ClientRequest &r)
{
    if (!m_storage)
        return sendError(c, ErrorCode::Unsupported, r.ref);
    switch (r.type) {
    case ClientRequest::Type::FileOffer:
        return offer(c, r);
    case ClientRequest::Type::FileGet:
        return get(c, r);
    case ClientRequest::Type::FileCancel:
        return cancel(c, r);
    default:
        return;
    }
}

void FileService::offer(ClientConnection *c, const ClientRequest &r)
{
    if (!r.to.isEmpty() && NameRules::key(r.to) == c->nameKey)
        return sendError(c, ErrorCode::BadRecipient, r.ref);
    if (transfers(c).uploads.size() >= size_t(kMaxUploadsPerConnection))
        return sendError(c, ErrorCode::FileBusy, r.ref);
    m_store->fileUsage(c->budgetKey(), r.file->sha256, this,
                       [this, socket = QPointer<QWebSocket>(c->socket),
                        r](std::optional<qint64> bytes, bool uploaded) {
                           ClientConnection *still = m_connectionOf(socket);
                           if (!still || still->closing)
                               return;
                           if (!bytes)
                               return sendError(still, ErrorCode::StoreFailed, r.ref);
                           startUpload(still, r, *bytes, uploaded);
                       });
}

void FileService::startUpload(ClientConnection *c, const ClientRequest &r, qint64 usage,
                              bool uploaded)
{
    const FileRef &f = *r.file;
    const QString payer = c->budgetKey();
    Transfers &t = transfers(c);
    const QString path = m_storage->partialPath(payer, f.sha256, f.size);
    // A second offer of the same file on this connection replaces the first (a client that
    // lost track of it); counted again below.
    const auto mine = m_uploads.constFind(path);
    const bool replacing = mine != m_uploads.constEnd() && mine->holder == c->socket;
    if (!replacing && t.uploads.size() >= size_t(kMaxUploadsPerConnection))
        return sendError(c, ErrorCode::FileBusy, r.ref);

    // The same sender sent these bytes before: nothing to upload (only the type is checked
    // against this offer's). Not for anyone else's: knowing a hash must not be enough to get
    // the file it stands for.
    if (uploaded && m_storage->hasBlob(f.sha256, f.size)) {
        if (!FileRef::contentMatches(f.mime, m_storage->head(f.sha256)))
            return sendError(c, ErrorCode::FileTypeMismatch, r.ref);
        Upload done;
        done.file = f;
        done.to = r.to;
        done.ref = r.ref;
        done.payer = payer;
        sendJson(c, FileMessages::upload(newId(t), f.size, r.ref));
        deliver(c->socket, done);
        return;
    }

    // The quota counts what the payer has stored and what its other uploads will bring.
    qint64 pending = 0;
    std::vector<const Upload *> others;
    for (const Upload &u : std::as_const(m_uploads)) {
        if (u.payer == payer && u.path != path) {
            pending += u.file.size;
            others.push_back(&u);
        }
    }
    const qint64 adding = uploaded ? 0 : f.size; // stored once before, then lost: counted
    if (usage + pending + adding > m_config.limits.fileQuotaBytes) {
        qCInfo(lcServer).noquote() << c->name << "is over the file quota:" << usage << "stored,"
                                   << pending << "on the way," << f.size << "offered";
        return sendError(c, ErrorCode::QuotaExceeded, r.ref);
    }
    if (others.size() >= size_t(kMaxPartialsPerPayer)) {
        // The oldest upload nobody is sending gives way; if every one is being sent, wait.
        const Upload *oldest = nullptr;
        for (const Upload *u : others) {
            if (!u->holder && !u->verifying && (!oldest || u->touchedMs < oldest->touchedMs))
                oldest = u;
        }
        if (!oldest)
            return sendError(c, ErrorCode::FileBusy, r.ref);
        dropUpload(QString(oldest->path), true);
    }

    if (const auto it = m_uploads.constFind(path); it != m_uploads.constEnd()) {
        if (it->verifying)
            return sendError(c, ErrorCode::FileBusy, r.ref); // whole, being checked: wait
        // A resume on a new connection before the server noticed the old one was dead (or
        // on another device of the account): the new connection takes the upload over.
        dropUpload(path, false);
    }
    qint64 offset = FileStorage::partialSize(path);
    if (offset > f.size) {
        FileStorage::removePartial(path);
        offset = 0;
    }
    Upload u;
    u.file = f;
    u.to = r.to;
    u.ref = r.ref;
    u.payer = payer;
    u.path = path;
    u.received = u.acked = offset;
    u.touchedMs = now();
    u.holder = c->socket;
    u.id = newId(t);
    t.uploads[u.id] = path;
    m_uploads.insert(path, u);
    // Its chunks are larger than chat; allowed before the client hears where to start.
    m_transport.setFileFrames(c, true);
    qCDebug(lcServer).noquote() << c->name << "uploads" << f.size << "bytes from" << offset;
    sendJson(c, FileMessages::upload(u.id, offset, r.ref));
    if (offset == f.size)
        finish(c, u.id);
}

FileService::Refusal FileService::handleChunk(ClientConnection *c, const QByteArray &message)
{
    if (!c->loggedIn)
        return {ErrorCode::NotLoggedIn, {}};
    if (!m_storage)
        return {ErrorCode::Unsupported, {}};
    const std::optional<FileChunkHeader> header = FileChunkHeader::parse(message);
    if (!header)
        return {ErrorCode::BadChunk, {}};
    Upload *u = uploadOf(c, header->transfer);
    if (!u)
        return {ErrorCode::BadChunk, {}};
    const qint64 bytes = message.size() - FileChunkHeader::kSize;
    const qint64 offset = qint64(header->offset);
    // In order, within the file, within the window the progress messages allow.
    if (bytes <= 0 || bytes > m_config.limits.fileChunkBytes || u->verifying ||
        offset != u->received || offset + bytes > u->file.size ||
        offset + bytes - u->acked > m_config.limits.fileWindowBytes)
        return {ErrorCode::BadChunk, u->ref};
    QString why;
    if (!FileStorage::append(u->path, offset,
                             QByteArrayView(message).sliced(FileChunkHeader::kSize), &why)) {
        qCWarning(lcServer).noquote() << "cannot write an upload:" << why;
        const QString ref = u->ref;
        dropUpload(QString(u->path), false);
        return {ErrorCode::StoreFailed, ref};
    }
    u->received += bytes;
    u->touchedMs = now();
    Transfers &t = transfers(c);
    // Every byte is paid for by the pace; over it the chunk is kept (it is within the window)
    // but the progress waits until the pace has paid for it, and so does the client.
    t.refill(t.up, now());
    t.up.balance -= double(bytes);
    // (With the timer running, the progress goes out when it finds the balance paid.)
    if (!t.up.timer) {
        if (t.up.balance >= 0)
            acknowledge(c, t);
        else
            schedulePayment(c, t);
    }
    if (u->received == u->file.size)
        finish(c, u->id);
    return {};
}

void FileService::acknowledge(ClientConnection *c, Transfers &t)
{
    for (const auto &[id, path] : t.uploads) {
        const auto it = m_uploads.find(path);
        if (it != m_uploads.end() && it->acked != it->received) {
            it->acked = it->received;
            sendJson(c, FileMessages::progress(id, it->received));
        }
    }
}

void FileService::payChunkDebt(const QPointer<QWebSocket> &socket)
{
    ClientConnection *c = m_connectionOf(socket);
    if (!c)
        return;
    Transfers &t = transfers(c);
    t.up.timer = false;
    t.refill(t.up, now());
    if (t.up.balance >= 0)
        acknowledge(c, t);
    else
        schedulePayment(c, t);
}

void FileService::schedulePayment(ClientConnection *c, Transfers &t)
{
    t.up.timer = true;
    QTimer::singleShot(t.msUntilPaid(t.up), Qt::PreciseTimer, this,
                       [this, socket = QPointer<QWebSocket>(c->socket)] { payChunkDebt(socket); });
}

void FileService::finish(ClientConnection *c, quint32 id)
{
    Upload *u = uploadOf(c, id);
    if (!u)
        return;
    // Whole: its progress says so now, whatever the pace still owes (the debt stays the
    // connection's), so that the client hears of its last byte before the message's ack.
    if (u->acked != u->received) {
        u->acked = u->received;
        sendJson(c, FileMessages::progress(id, u->received));
    }
    u->verifying = true;
    const QString path = u->path;
    const QString sha = u->file.sha256;
    const QString mime = u->file.mime;
    m_checks.start([this, path, sha, mime] {
        const FileStorage::Check check = FileStorage::verify(path, sha, mime);
        // Back on the relay's thread (dropped if the service is gone by then).
        QMetaObject::invokeMethod(
            this, [this, path, check] { verified(path, check); }, Qt::QueuedConnection);
    });
}

void FileService::verified(const QString &path, const FileStorage::Check &check)
{
    const auto it = m_uploads.find(path);
    if (it == m_uploads.end())
        return;
    Upload u = *it;
    ClientConnection *holder = m_connectionOf(u.holder);
    auto refuse = [&](ErrorCode code, bool remove) {
        dropUpload(path, remove);
        if (holder && !holder->closing)
            sendError(holder, code, u.ref);
    };
    if (!check.readable) {
        qCWarning(lcServer).noquote() << "cannot read an upload:" << check.error;
        return refuse(ErrorCode::StoreFailed, true);
    }
    if (!check.hashMatches) {
        qCInfo(lcServer).noquote() << "an upload's SHA-256 differs from its offer's";
        return refuse(ErrorCode::FileHashMismatch, true);
    }
    if (!check.typeMatches) {
        qCInfo(lcServer).noquote() << "an upload is not the" << u.file.mime << "it said it was";
        return refuse(ErrorCode::FileTypeMismatch, true);
    }
    QString why;
    if (!m_storage->publish(path, u.file.sha256, &why)) {
        qCWarning(lcServer).noquote() << why;
        return refuse(ErrorCode::StoreFailed, true);
    }
    dropUpload(path, false);
    // Written down before the message, so that a resend after a lost answer finds the file
    // (and the quota counts it) even if the message never got through.
    m_store->recordUpload(u.payer, u.file.sha256, u.file.size, QDateTime::currentMSecsSinceEpoch(),
                          this, [this, u](bool ok) {
                              ClientConnection *c = m_connectionOf(u.holder);
                              if (!ok) {
                                  if (c && !c->closing)
                                      sendError(c, ErrorCode::StoreFailed, u.ref);
                                  return;
                              }
                              deliver(u.holder, u);
                          });
}

void FileService::deliver(const QPointer<QWebSocket> &socket, const Upload &u)
{
    ClientConnection *c = m_connectionOf(socket);
    if (!c || c->closing || !c->loggedIn)
        return; // stored; the client's resend after it reconnects sends the message
    ClientRequest chat;
    chat.type = ClientRequest::Type::Chat;
    chat.ref = u.ref;
    chat.to = u.to;
    chat.content = u.file.summary();
    chat.file = u.file;
    m_router.handleChat(c, chat);
}

void FileService::get(ClientConnection *c, const ClientRequest &r)
{
    if (transfers(c).downloads.size() >= size_t(kMaxDownloadsPerConnection))
        return sendError(c, ErrorCode::FileBusy, r.ref);
    // What was stored before the request is in the store's answer.
    m_router.flush();
    m_store->storedMessage(r.seq, this,
                           [this, socket = QPointer<QWebSocket>(c->socket),
                            r](const std::optional<MessageStore::Stored> &stored, bool found) {
                               ClientConnection *still = m_connectionOf(socket);
                               if (still && !still->closing)
                                   startDownload(still, r, stored, found);
                           });
}

void FileService::startDownload(ClientConnection *c, const ClientRequest &r,
                                const std::optional<MessageStore::Stored> &stored, bool found)
{
    if (!stored)
        return sendError(c, ErrorCode::StoreFailed, r.ref);
    // Another pair's private message is answered as if it did not exist, as for edits.
    const ChatMessage &m = stored->message;
    const bool visible = found && (!m.isPrivate() || stored->parties.sender == c->identity ||
                                   stored->parties.recipient == c->identity);
    if (!visible || !m.file)
        return sendError(c, ErrorCode::UnknownMessage, r.ref);
    if (m.deleted)
        return sendError(c, ErrorCode::MessageDeleted, r.ref);
    const FileRef &f = *m.file;
    if (r.fileOffset > f.size)
        return sendError(c, ErrorCode::BadFile, r.ref);
    if (!m_storage->hasBlob(f.sha256, f.size)) {
        qCWarning(lcServer).noquote()
            << "the file of message" << m.seq << "is missing from" << m_storage->dir();
        return sendError(c, ErrorCode::StoreFailed, r.ref);
    }
    Transfers &t = transfers(c);
    if (t.downloads.size() >= size_t(kMaxDownloadsPerConnection))
        return sendError(c, ErrorCode::FileBusy, r.ref);
    const quint32 id = newId(t);
    sendJson(c, FileMessages::download(id, m.seq, r.fileOffset, f.size, r.ref));
    if (r.fileOffset < f.size)
        t.downloads[id] = Download{f.sha256, r.ref, r.fileOffset, f.size};
    pump(c);
}

void FileService::pump(ClientConnection *c)
{
    const auto it = m_transfers.find(c);
    if (it == m_transfers.end() || c->closing)
        return;
    Transfers &t = it->second;
    if (t.down.timer)
        return; // the pace's timer brings the next part
    // Only while little waits for the receiver: what is queued after (a chat message) waits
    // behind kQueueBytes of file at most, and the file never makes the receiver slow.
    while (!t.downloads.empty() && m_transport.queuedBytes(c) < kQueueBytes && !c->closing) {
        t.refill(t.down, now());
        if (t.down.balance < 0) {
            scheduleDownloads(c, t);
            return;
        }
        // Round robin over the downloads, a chunk each.
        auto d = t.downloads.upper_bound(t.lastSent);
        if (d == t.downloads.end())
            d = t.downloads.begin();
        t.lastSent = d->first;
        Download &download = d->second;
        QByteArray data;
        if (!m_storage->readBlob(download.sha256, download.offset, kDownloadChunk, &data) ||
            data.isEmpty()) {
            qCWarning(lcServer).noquote() << "cannot read the file" << download.sha256;
            const QString ref = download.ref;
            t.downloads.erase(d);
            sendError(c, ErrorCode::StoreFailed, ref);
            continue;
        }
        FileChunkHeader header;
        header.transfer = d->first;
        header.offset = quint64(download.offset);
        download.offset += data.size();
        t.down.balance -= double(data.size());
        if (download.offset >= download.size)
            t.downloads.erase(d);
        m_transport.send(c, WireFrame::binary(header.serialize(data)));
    }
    if (!t.downloads.empty())
        c->notifyDrained = true; // queueDrained() brings the next part
}

void FileService::queueDrained(ClientConnection *c)
{
    pump(c);
}

void FileService::scheduleDownloads(ClientConnection *c, Transfers &t)
{
    t.down.timer = true;
    QTimer::singleShot(
        t.msUntilPaid(t.down), Qt::PreciseTimer, this,
        [this, socket = QPointer<QWebSocket>(c->socket)] { resumeDownloads(socket); });
}

void FileService::resumeDownloads(const QPointer<QWebSocket> &socket)
{
    ClientConnection *c = m_connectionOf(socket);
    if (!c)
        return;
    const auto it = m_transfers.find(c);
    if (it == m_transfers.end())
        return;
    it->second.down.timer = false;
    pump(c);
}

void FileService::cancel(ClientConnection *c, const ClientRequest &r)
{
    Transfers &t = transfers(c);
    if (r.cancelUpload) {
        const auto it = t.uploads.find(r.transfer);
        if (it == t.uploads.end())
            return sendError(c, ErrorCode::BadRequest, r.ref);
        const QString path = it->second;
        const auto u = m_uploads.constFind(path);
        if (u != m_uploads.constEnd() && u->verifying)
            return sendError(c, ErrorCode::BadRequest, r.ref); // too late: it is whole
        dropUpload(path, true);
        return;
    }
    if (t.downloads.erase(r.transfer) == 0)
        return sendError(c, ErrorCode::BadRequest, r.ref);
}

void FileService::connectionClosed(ClientConnection *c)
{
    const auto it = m_transfers.find(c);
    if (it == m_transfers.end())
        return;
    // Its uploads stay on disk for a resume (the sweep removes them after a day).
    for (const auto &[id, path] : it->second.uploads) {
        const auto u = m_uploads.find(path);
        if (u != m_uploads.end())
            u->holder.clear();
    }
    m_transfers.erase(it);
}

void FileService::sweep()
{
    // Uploads nobody has sent to for a day go, on disk and here.
    QStringList keep;
    const qint64 oldest = now() - kPartialAgeMs;
    for (auto it = m_uploads.begin(); it != m_uploads.end();) {
        if (it->verifying || it->holder || it->touchedMs >= oldest) {
            keep << it.key();
            ++it;
        } else {
            FileStorage::removePartial(it.key());
            it = m_uploads.erase(it);
        }
    }
    m_storage->sweepPartials(kPartialAgeMs, keep);
}
