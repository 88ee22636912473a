#include "model/messagelistmodel.h"

#include "protocol/namerules.h"

#include <QDateTime>

#include <algorithm>

MessageListModel::MessageListModel(QObject *parent) : QAbstractListModel(parent) {}

int MessageListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_items.size())
        return {};
    const Item &item = m_items.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        if (item.message.deleted)
            return tr("message deleted");
        // A call entry's content is the server's English fallback: the user's language instead.
        return item.message.call ? callText(item.message, item.own) : item.message.content;
    case EditedRole:
        return item.message.editedMs > 0 && !item.message.deleted;
    case DeletedRole:
        return item.message.deleted;
    case ReplyToRole:
        return item.message.replyTo;
    case QuoteSenderRole:
        return item.message.quoteFrom;
    case QuoteTextRole:
        return item.message.quoteDeleted ? tr("message deleted") : item.message.quoteText;
    case CallRole:
        return item.message.call ? QVariant(callText(item.message, item.own)) : QVariant();
    case MissedCallRole:
        return isMissedCall(item.message, item.own);
    case SenderRole:
        return item.message.from;
    case TimestampRole:
        return QDateTime::fromMSecsSinceEpoch(item.message.timestampMs);
    case OwnRole:
        return item.own;
    case PrivateRole:
        return item.message.isPrivate();
    case MentionRole:
        return item.mentionsMe;
    case DeliveryRole:
        return QVariant::fromValue(item.delivery);
    case SeqRole:
        return item.message.seq;
    case ClientIdRole:
        return item.message.clientId;
    case RecipientRole:
        return item.message.to;
    case ErrorRole:
        return item.error;
    case ReceiptRole: {
        if (!item.own || !item.message.isPrivate() || item.message.call ||
            item.delivery != Delivery::Sent || item.message.seq <= 0)
            return QVariant::fromValue(Receipt::None);
        if (item.message.seq <= m_read)
            return QVariant::fromValue(Receipt::Read);
        if (item.message.seq <= m_delivered)
            return QVariant::fromValue(Receipt::Delivered);
        return QVariant::fromValue(Receipt::Sent);
    }
    case FileRole: {
        if (!item.message.file || item.message.deleted)
            return {};
        const FileRef &f = *item.message.file;
        const QString summary = f.summary();
        return QVariantMap{{QStringLiteral("name"), f.name},
                           {QStringLiteral("size"), f.size},
                           {QStringLiteral("mime"), f.mime},
                           {QStringLiteral("sha256"), f.sha256},
                           {QStringLiteral("image"), FileRef::isCheckedImage(f.mime)},
                           {QStringLiteral("caption"),
                            item.message.content == summary ? QString() : item.message.content}};
    }
    case LocalFileRole:
        if (!item.message.file || item.message.deleted)
            return QString();
        if (!item.localPath.isEmpty())
            return item.localPath;
        return m_localFiles.value(item.message.file->sha256);
    case TransferRole:
        if (item.transferDone < 0)
            return {};
        return QVariantMap{{QStringLiteral("done"), item.transferDone},
                           {QStringLiteral("total"), item.transferTotal},
                           {QStringLiteral("upload"), item.uploading}};
    case FileErrorRole:
        return item.fileError;
    case ReactionsRole: {
        QVariantList list;
        for (const ChatMessage::Reaction &r : item.message.reactions)
            list.append(QVariantMap{{QStringLiteral("emoji"), r.emoji},
                                    {QStringLiteral("count"), r.count},
                                    {QStringLiteral("from"), r.from},
                                    {QStringLiteral("mine"), r.mine}});
        return list;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
    return {
        {Qt::DisplayRole, "content"},
        {SenderRole, "sender"},
        {TimestampRole, "timestamp"},
        {OwnRole, "own"},
        {PrivateRole, "private"},
        {MentionRole, "mention"},
        {DeliveryRole, "delivery"},
        {SeqRole, "seq"},
        {ClientIdRole, "clientId"},
        {RecipientRole, "recipient"},
        {ErrorRole, "error"},
        {CallRole, "call"},
        {MissedCallRole, "missedCall"},
        {EditedRole, "edited"},
        {DeletedRole, "deleted"},
        {ReplyToRole, "replyTo"},
        {QuoteSenderRole, "quoteSender"},
        {QuoteTextRole, "quoteText"},
        {ReactionsRole, "reactions"},
        {ReceiptRole, "receipt"},
    };
}

bool MessageListModel::updateMessage(const ChatMessage &message, bool mentionsMe)
{
    const int row = rowOfSeq(message.seq);
    if (row < 0)
        return false;
    Item &item = m_items[row];
    item.message.content = message.content;
    item.message.mentions = message.mentions;
    item.message.editedMs = message.editedMs;
    item.message.deleted = message.deleted;
    if (message.deleted)
        item.message.reactions.clear(); // a deleted message has none (section 5.7)
    item.mentionsMe = mentionsMe;
    const QModelIndex at = index(row);
    emit dataChanged(at, at);
    // The replies listed here quote it as it is now.
    for (int i = 0; i < m_items.size(); ++i) {
        ChatMessage &reply = m_items[i].message;
        if (reply.replyTo != message.seq)
            continue;
        reply.quoteDeleted = message.deleted;
        reply.quoteText = message.deleted ? QString() : ChatMessage::quoteOf(message.content);
        emit dataChanged(index(i), index(i));
    }
    return true;
}

bool MessageListModel::setReactions(qint64 seq, const QList<ChatMessage::Reaction> &reactions,
                                    bool bySelf, const QString &emoji, bool added)
{
    const int row = rowOfSeq(seq);
    if (row < 0)
        return false;
    QList<ChatMessage::Reaction> &listed = m_items[row].message.reactions;
    listed = ChatMessage::mergedReactions(listed, reactions, bySelf, emoji, added);
    const QModelIndex at = index(row);
    emit dataChanged(at, at, {ReactionsRole});
    return true;
}

bool MessageListModel::hasOwnReaction(qint64 seq, const QString &emoji) const
{
    const int row = rowOfSeq(seq);
    if (row < 0)
        return false;
    for (const ChatMessage::Reaction &r : m_items.at(row).message.reactions) {
        if (r.emoji == emoji)
            return r.mine;
    }
    return false;
}

QString MessageListModel::callText(const ChatMessage &message, bool own)
{
    if (!message.call)
        return message.content;
    const CallRecord &call = *message.call;
    using O = CallRecord::Outcome;
    switch (call.outcome) {
    case O::Answered:
        return (call.video ? tr("Video call, %1") : tr("Voice call, %1"))
            .arg(CallRecord::formatDuration(call.durationMs));
    case O::Missed:
        if (own)
            return call.video ? tr("Video call to %1, not answered").arg(message.to)
                              : tr("Call to %1, not answered").arg(message.to);
        return call.video ? tr("Missed video call from %1").arg(message.from)
                          : tr("Missed call from %1").arg(message.from);
    case O::Declined:
        return call.video ? tr("Video call declined") : tr("Call declined");
    case O::Failed:
        return call.video ? tr("Video call failed") : tr("Call failed");
    }
    return message.content;
}

bool MessageListModel::isMissedCall(const ChatMessage &message, bool own)
{
    return !own && message.call && message.call->outcome == CallRecord::Outcome::Missed;
}

int MessageListModel::rowOfClientId(const QString &clientId) const
{
    if (clientId.isEmpty())
        return -1;
    // Pending messages sit at the end, so search from there.
    for (int row = int(m_items.size()) - 1; row >= 0; --row) {
        if (m_items.at(row).message.clientId == clientId)
            return row;
    }
    return -1;
}

int MessageListModel::insertionRow(qint64 seq) const
{
    // Stored messages are sorted by seq and come before the pending ones (seq 0).
    auto storedEnd = std::find_if(m_items.cbegin(), m_items.cend(),
                                  [](const Item &i) { return i.message.seq == 0; });
    auto it = std::upper_bound(m_items.cbegin(), storedEnd, seq,
                               [](qint64 s, const Item &i) { return s < i.message.seq; });
    return int(it - m_items.cbegin());
}

bool MessageListModel::addMessage(const ChatMessage &message, bool own, bool mentionsMe)
{
    if (message.seq > 0 && m_seqs.contains(message.seq))
        return false;
    // Our own message coming back: it replaces the pending copy.
    QString localPath; // an own file's source stays shown (its thumbnail)
    if (own) {
        const int pending = rowOfClientId(message.clientId);
        if (pending >= 0 && m_items.at(pending).message.seq == 0) {
            localPath = m_items.at(pending).localPath;
            beginRemoveRows({}, pending, pending);
            m_items.removeAt(pending);
            endRemoveRows();
        }
    }
    Item item;
    item.message = message;
    item.localPath = localPath;
    item.own = own;
    item.mentionsMe = mentionsMe;
    const int row = insertionRow(message.seq);
    beginInsertRows({}, row, row);
    m_items.insert(row, item);
    m_seqs.insert(message.seq);
    endInsertRows();
    return true;
}

int MessageListModel::addMessages(const QList<ChatMessage> &messages, const QString &self)
{
    const QString selfKey = NameRules::key(self);
    QList<ChatMessage> fresh;
    for (const ChatMessage &m : messages) {
        if (m.seq > 0 && !m_seqs.contains(m.seq)) {
            fresh.append(m);
        } else if (m.seq > 0 && !m.reactions.isEmpty()) {
            // A server page has the reactions as they are now (the local cache keeps none).
            const int row = rowOfSeq(m.seq);
            if (row >= 0 && m_items.at(row).message.reactions != m.reactions) {
                m_items[row].message.reactions = m.reactions;
                emit dataChanged(index(row), index(row), {ReactionsRole});
            }
        }
    }
    std::sort(fresh.begin(), fresh.end(),
              [](const ChatMessage &a, const ChatMessage &b) { return a.seq < b.seq; });
    auto isOwn = [&](const ChatMessage &m) {
        return NameRules::key(m.from) == selfKey;
    };
    auto mentions = [&](const ChatMessage &m) {
        return std::any_of(m.mentions.cbegin(), m.mentions.cend(),
                           [&](const QString &n) { return NameRules::key(n) == selfKey; });
    };
    // A whole older page goes in with one insert, so a view lays it out once.
    if (!fresh.isEmpty() && (m_items.isEmpty() || fresh.last().seq < oldestSeq())) {
        QList<Item> page;
        page.reserve(fresh.size());
        for (const ChatMessage &m : fresh) {
            Item item;
            item.message = m;
            item.own = isOwn(m);
            item.mentionsMe = !item.own && mentions(m);
            page.append(item);
            m_seqs.insert(m.seq);
        }
        beginInsertRows({}, 0, int(page.size()) - 1);
        m_items = page + m_items;
        endInsertRows();
        return int(page.size());
    }
    int added = 0;
    for (const ChatMessage &m : fresh)
        added += addMessage(m, isOwn(m), !isOwn(m) && mentions(m)) ? 1 : 0;
    return added;
}

void MessageListModel::addPending(const QString &clientId, const QString &from, const QString &to,
                                  const QString &content, qint64 timestampMs)
{
    Item item;
    item.message.clientId = clientId;
    item.message.from = from;
    item.message.to = to;
    item.message.content = content;
    item.message.timestampMs = timestampMs > 0 ? timestampMs : QDateTime::currentMSecsSinceEpoch();
    item.own = true;
    item.delivery = Delivery::Pending;
    const int row = int(m_items.size());
    beginInsertRows({}, row, row);
    m_items.append(item);
    endInsertRows();
}

void MessageListModel::addPendingFile(const QString &clientId, const QString &from,
                                      const QString &to, const FileRef &file,
                                      const QString &localPath)
{
    Item item;
    item.message.clientId = clientId;
    item.message.from = from;
    item.message.to = to;
    item.message.content = file.summary();
    item.message.file = file;
    item.message.timestampMs = QDateTime::currentMSecsSinceEpoch();
    item.own = true;
    item.delivery = Delivery::Pending;
    item.localPath = localPath;
    item.transferDone = 0;
    item.transferTotal = file.size;
    item.uploading = true;
    const int row = int(m_items.size());
    beginInsertRows({}, row, row);
    m_items.append(item);
    endInsertRows();
}

bool MessageListModel::setTransfer(int row, qint64 done, qint64 total, bool upload)
{
    if (row < 0 || row >= m_items.size())
        return false;
    Item &item = m_items[row];
    item.transferDone = done;
    item.transferTotal = total;
    item.uploading = upload;
    if (done >= 0)
        item.fileError.clear();
    emit dataChanged(index(row), index(row), {TransferRole, FileErrorRole});
    return true;
}

bool MessageListModel::setFileError(int row, const QString &error)
{
    if (row < 0 || row >= m_items.size())
        return false;
    Item &item = m_items[row];
    item.fileError = error;
    item.transferDone = -1;
    emit dataChanged(index(row), index(row), {TransferRole, FileErrorRole});
    return true;
}

void MessageListModel::setLocalFile(const QString &sha256, const QString &path)
{
    if (sha256.isEmpty())
        return;
    m_localFiles.insert(sha256, path);
    for (int row = 0; row < m_items.size(); ++row) {
        if (m_items.at(row).message.file && m_items.at(row).message.file->sha256 == sha256)
            emit dataChanged(index(row), index(row), {LocalFileRole});
    }
}

int MessageListModel::rowOfPending(const QString &clientId) const
{
    const int row = rowOfClientId(clientId);
    return row >= 0 && m_items.at(row).message.seq == 0 ? row : -1;
}

void MessageListModel::markSent(const QString &clientId, qint64 seq, qint64 timestampMs)
{
    const int row = rowOfClientId(clientId);
    if (row < 0)
        return;
    if (m_seqs.contains(seq)) { // the relay arrived first and is listed already
        removePending(clientId);
        return;
    }
    Item item = m_items.at(row);
    item.message.seq = seq;
    item.message.timestampMs = timestampMs;
    item.delivery = Delivery::Sent;
    item.error.clear();
    item.transferDone = -1; // an upload ends with its message stored
    beginRemoveRows({}, row, row);
    m_items.removeAt(row);
    endRemoveRows();
    const int to = insertionRow(seq);
    beginInsertRows({}, to, to);
    m_items.insert(to, item);
    m_seqs.insert(seq);
    endInsertRows();
}

void MessageListModel::markFailed(const QString &clientId, const QString &error)
{
    const int row = rowOfClientId(clientId);
    if (row < 0)
        return;
    m_items[row].delivery = Delivery::Failed;
    m_items[row].error = error;
    const QModelIndex i = index(row);
    emit dataChanged(i, i, {DeliveryRole, ErrorRole});
}

void MessageListModel::removePending(const QString &clientId)
{
    const int row = rowOfClientId(clientId);
    if (row < 0 || m_items.at(row).message.seq != 0)
        return;
    beginRemoveRows({}, row, row);
    m_items.removeAt(row);
    endRemoveRows();
}

int MessageListModel::rowOfSeq(qint64 seq) const
{
    if (seq <= 0 || !m_seqs.contains(seq))
        return -1;
    const int row = insertionRow(seq) - 1; // stored rows are sorted by seq
    return row >= 0 && m_items.at(row).message.seq == seq ? row : -1;
}

void MessageListModel::clearStored()
{
    QList<Item> kept;
    for (const Item &i : std::as_const(m_items)) {
        if (i.message.seq <= 0)
            kept.append(i);
    }
    beginResetModel();
    m_items = kept;
    m_seqs.clear();
    m_hasMore = true;
    endResetModel();
}

qint64 MessageListModel::oldestSeq() const
{
    for (const Item &i : m_items) {
        if (i.message.seq > 0)
            return i.message.seq;
    }
    return 0;
}

void MessageListModel::setReceiptMarks(qint64 delivered, qint64 read)
{
    delivered = qMax(qMax(delivered, read), m_delivered);
    read = qMax(read, m_read);
    if (delivered == m_delivered && read == m_read)
        return;
    m_delivered = delivered;
    m_read = read;
    if (!m_items.isEmpty())
        emit dataChanged(index(0), index(int(m_items.size()) - 1), {ReceiptRole});
}
