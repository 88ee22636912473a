#include "net/historycache.h"

#include "net/outboxstore.h"
#include "protocol/namerules.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <limits>

namespace {

// Where the catch-up stands, in saved_state (caughtUpTo()).
constexpr char kCaughtUpTo[] = "caught_up_to";

const QString kColumns = QStringLiteral("seq, sender, recipient, content, created_ms, client_id, "
                                        "mentions, call, edited, deleted, reply_to, quote, "
                                        "reactions");
// The index of the first column a query selects after kColumns.
constexpr int kAfterColumns = 13;

// Reactions as ChatMessage::reactionsToJson's compact JSON, "" for none.
QString storedReactions(const QList<ChatMessage::Reaction> &reactions)
{
    if (reactions.isEmpty())
        return QStringLiteral("");
    return QString::fromUtf8(
        QJsonDocument(ChatMessage::reactionsToJson(reactions)).toJson(QJsonDocument::Compact));
}

QList<ChatMessage::Reaction> readReactions(const QString &stored)
{
    if (stored.isEmpty())
        return {};
    // A file edited by hand or cut short reads as no reactions, not as a failure.
    return ChatMessage::reactionsFromJson(QJsonDocument::fromJson(stored.toUtf8()).array())
        .value_or(QList<ChatMessage::Reaction>{});
}

// A reply's quote in one column: "" (none), "\x01from" (the original was deleted), or
// "from\ntext" (names have no line breaks).
QString storedQuote(const ChatMessage &m)
{
    if (m.replyTo <= 0)
        return QStringLiteral("");
    if (m.quoteDeleted)
        return QLatin1Char('\x01') + m.quoteFrom;
    return m.quoteFrom + QLatin1Char('\n') + m.quoteText;
}

void readQuote(ChatMessage &m, const QString &stored)
{
    if (m.replyTo <= 0 || stored.isEmpty())
        return;
    if (stored.startsWith(QLatin1Char('\x01'))) {
        m.quoteDeleted = true;
        m.quoteFrom = stored.mid(1);
        return;
    }
    m.quoteFrom = stored.section(QLatin1Char('\n'), 0, 0);
    m.quoteText = stored.section(QLatin1Char('\n'), 1);
}

ChatMessage fromRow(const QSqlQuery &q)
{
    ChatMessage m;
    m.seq = q.value(0).toLongLong();
    m.from = q.value(1).toString();
    m.to = q.value(2).toString();
    m.content = q.value(3).toString();
    m.timestampMs = q.value(4).toLongLong();
    m.clientId = q.value(5).toString();
    const QString mentions = q.value(6).toString();
    if (!mentions.isEmpty())
        m.mentions = mentions.split(QLatin1Char('\n'));
    m.call = CallRecord::fromStored(q.value(7).toString());
    m.editedMs = q.value(8).toLongLong();
    m.deleted = q.value(9).toInt() != 0;
    m.replyTo = q.value(10).toLongLong();
    readQuote(m, q.value(11).toString());
    m.reactions = readReactions(q.value(12).toString());
    return m;
}

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('%'), QLatin1String("\\%"))
        .replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

} // namespace

HistoryCache::HistoryCache(OutboxStore *store) : m_store(store) {}

QString HistoryCache::keyOf(const QString &name)
{
    return name.isEmpty() ? QString() : NameRules::key(name);
}

QString HistoryCache::conversationOf(const ChatMessage &message, const QString &selfKey)
{
    if (!message.isPrivate())
        return QStringLiteral("");
    return keyOf(message.from) == selfKey ? keyOf(message.to) : keyOf(message.from);
}

void HistoryCache::setLimit(int perConversation)
{
    m_limit = qBound(50, perConversation, 1'000'000);
}

bool HistoryCache::usable() const
{
    return m_store && m_store->isOpen();
}

void HistoryCache::setPrivateAllowed(bool allowed)
{
    m_privateAllowed = allowed;
    if (allowed || !usable() || !m_store->beginWrite())
        return;
    int deleted = 0;
    QString error;
    {
        QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
        // "> ''" rather than "<> ''": a range of the index, not a scan of every row.
        if (q.exec(QStringLiteral("DELETE FROM history WHERE conversation > ''")))
            deleted = q.numRowsAffected();
        else
            error = q.lastError().text();
        // The name of a private conversation is no less private than its messages.
        q.prepare(QStringLiteral("DELETE FROM saved_state WHERE name = ? AND value <> ''"));
        q.bindValue(0, kLastConversation);
        if (error.isEmpty() && q.exec())
            deleted += q.numRowsAffected();
        else if (error.isEmpty())
            error = q.lastError().text();
    }
    if (!error.isEmpty()) {
        m_store->fail(QObject::tr("cannot write to %1").arg(m_store->path()), error);
        return;
    }
    // Only when something went: a guest's every start would otherwise rewrite the file.
    if (deleted > 0)
        rewrite();
}

void HistoryCache::add(const QList<ChatMessage> &messages)
{
    if (messages.isEmpty() || !usable() || !m_store->beginWrite())
        return;
    QSet<QString> touched;
    QString error;
    {
        QSqlQuery *insert =
            m_store->statement(QStringLiteral("INSERT OR REPLACE INTO history (conversation, %1) "
                                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                   .arg(kColumns));
        if (!insert)
            return;
        QSqlQuery &q = *insert;
        for (const ChatMessage &m : messages) {
            if (m.seq <= 0 || (m.isPrivate() && !m_privateAllowed))
                continue;
            const QString conversation = conversationOf(m, m_selfKey);
            q.bindValue(0, conversation);
            q.bindValue(1, m.seq);
            q.bindValue(2, m.from);
            q.bindValue(3, m.to.isNull() ? QStringLiteral("") : m.to);
            q.bindValue(4, m.content);
            q.bindValue(5, m.timestampMs);
            q.bindValue(6, m.clientId.isNull() ? QStringLiteral("") : m.clientId);
            q.bindValue(7, m.mentions.join(QLatin1Char('\n')));
            q.bindValue(8, m.call ? m.call->toStored() : QStringLiteral(""));
            q.bindValue(9, m.editedMs);
            q.bindValue(10, m.deleted ? 1 : 0);
            q.bindValue(11, m.replyTo);
            q.bindValue(12, storedQuote(m));
            q.bindValue(13, storedReactions(m.reactions));
            if (!q.exec()) {
                error = q.lastError().text();
                break;
            }
            touched.insert(conversation);
            ++m_addedSincePrune[conversation];
        }
    }
    if (!error.isEmpty()) {
        m_store->fail(QObject::tr("cannot write to %1").arg(m_store->path()), error);
        return;
    }
    for (const QString &conversation : std::as_const(touched)) {
        if (m_addedSincePrune.value(conversation) >= qMax(1, m_limit / 10))
            prune(conversation);
    }
}

void HistoryCache::update(const ChatMessage &message)
{
    if (message.seq <= 0 || !usable() || !m_store->beginWrite())
        return;
    QSqlQuery *q = m_store->statement(QStringLiteral(
        "UPDATE history SET content = ?, mentions = ?, edited = ?, deleted = ? WHERE seq = ?"));
    if (!q)
        return;
    // Never NULL (a null QString binds as NULL): a deleted message's text is empty.
    auto text = [](const QString &s) {
        return s.isNull() ? QStringLiteral("") : s;
    };
    q->bindValue(0, text(message.content));
    q->bindValue(1, text(message.mentions.join(QLatin1Char('\n'))));
    q->bindValue(2, message.editedMs);
    q->bindValue(3, message.deleted ? 1 : 0);
    q->bindValue(4, message.seq);
    if (!q->exec()) {
        const QString error = q->lastError().text();
        m_store->fail(QObject::tr("cannot write to %1").arg(m_store->path()), error);
    }
}

void HistoryCache::updateReactions(qint64 seq, const QList<ChatMessage::Reaction> &summary,
                                   const QString &by, const QString &emoji, bool added)
{
    if (seq <= 0 || !usable())
        return;
    const QList<ChatMessage> cached =
        select(QStringLiteral("SELECT %1 FROM history WHERE seq = ?").arg(kColumns), {seq});
    if (cached.isEmpty() || !m_store->beginWrite())
        return; // only what is cached already is changed, as with update()
    const QList<ChatMessage::Reaction> merged = ChatMessage::mergedReactions(
        cached.first().reactions, summary, keyOf(by) == m_selfKey, emoji, added);
    QSqlQuery *q =
        m_store->statement(QStringLiteral("UPDATE history SET reactions = ? WHERE seq = ?"));
    if (!q)
        return;
    q->bindValue(0, storedReactions(merged));
    q->bindValue(1, seq);
    if (!q->exec()) {
        const QString error = q->lastError().text();
        m_store->fail(QObject::tr("cannot write to %1").arg(m_store->path()), error);
    }
}

void HistoryCache::prune(const QString &conversation)
{
    m_addedSincePrune.remove(conversation);
    if (!usable())
        return;
    // The limit-th newest seq bounds what stays; the index on (conversation, seq) finds it
    // without reading the rows.
    QSqlQuery *q =
        m_store->statement(QStringLiteral("DELETE FROM history WHERE conversation = ? AND seq < "
                                          "(SELECT seq FROM history WHERE conversation = ? "
                                          "ORDER BY seq DESC LIMIT 1 OFFSET ?)"));
    if (!q)
        return;
    q->bindValue(0, conversation);
    q->bindValue(1, conversation);
    q->bindValue(2, m_limit - 1);
    if (!q->exec()) {
        const QString error = q->lastError().text();
        m_store->fail(QObject::tr("cannot write to %1").arg(m_store->path()), error);
    }
}

QList<ChatMessage> HistoryCache::select(const QString &sql, const QVariantList &values) const
{
    QList<ChatMessage> out;
    if (!usable())
        return out;
    QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
    q.setForwardOnly(true);
    q.prepare(sql);
    for (int i = 0; i < values.size(); ++i)
        q.bindValue(i, values.at(i));
    if (!q.exec())
        return out; // a read that fails shows less; the next write reports the file
    while (q.next())
        out.append(fromRow(q));
    return out;
}

QList<ChatMessage> HistoryCache::page(const QString &conversation, qint64 before, int limit) const
{
    if (!conversation.isEmpty() && !m_privateAllowed)
        return {};
    QList<ChatMessage> out =
        select(QStringLiteral("SELECT %1 FROM history WHERE conversation "
                              "= ? AND seq < ? ORDER BY seq DESC LIMIT ?")
                   .arg(kColumns),
               {conversation.isNull() ? QStringLiteral("") : conversation,
                before > 0 ? before : std::numeric_limits<qint64>::max(), qMax(0, limit)});
    std::reverse(out.begin(), out.end());
    return out;
}

QList<ChatMessage> HistoryCache::around(const QString &conversation, qint64 seq, int limit) const
{
    QList<ChatMessage> out = page(conversation, seq + 1, limit / 2 + 1);
    if (!conversation.isEmpty() && !m_privateAllowed)
        return out;
    out += select(QStringLiteral("SELECT %1 FROM history WHERE conversation = ? AND seq > ? "
                                 "ORDER BY seq LIMIT ?")
                      .arg(kColumns),
                  {conversation.isNull() ? QStringLiteral("") : conversation, seq,
                   qMax(0, limit - limit / 2 - 1)});
    return out;
}

QList<ChatMessage> HistoryCache::range(const QString &conversation, qint64 first,
                                       qint64 before) const
{
    if (!conversation.isEmpty() && !m_privateAllowed)
        return {};
    return select(QStringLiteral("SELECT %1 FROM history WHERE conversation = ? AND seq >= ? "
                                 "AND seq < ? ORDER BY seq LIMIT ?")
                      .arg(kColumns),
                  {conversation.isNull() ? QStringLiteral("") : conversation, first,
                   before > 0 ? before : std::numeric_limits<qint64>::max(),
                   m_limit + m_limit / 10});
}

QList<HistoryCache::Conversation> HistoryCache::conversations() const
{
    QList<Conversation> out;
    if (!usable())
        return out;
    QSqlDatabase db = QSqlDatabase::database(m_store->connectionName(), false);
    // The distinct conversations by skipping through the index (one seek each), not by
    // grouping every row: 100,000 cached messages cost 25 ms that way, at every start.
    QStringList keys;
    {
        QSqlQuery q(db);
        q.setForwardOnly(true);
        if (!q.exec(QStringLiteral(
                "WITH RECURSIVE c(k) AS (SELECT MIN(conversation) FROM history UNION ALL "
                "SELECT (SELECT MIN(conversation) FROM history WHERE conversation > c.k) "
                "FROM c WHERE c.k IS NOT NULL) SELECT k FROM c WHERE k IS NOT NULL")))
            return out;
        while (q.next())
            keys << q.value(0).toString();
    }
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT seq, sender, recipient, created_ms FROM history "
                             "WHERE conversation = ? ORDER BY seq DESC LIMIT 1"));
    for (const QString &key : std::as_const(keys)) {
        if (!key.isEmpty() && !m_privateAllowed)
            continue;
        q.bindValue(0, key);
        if (!q.exec() || !q.next())
            continue;
        Conversation c;
        c.key = key;
        c.lastSeq = q.value(0).toLongLong();
        const QString sender = q.value(1).toString();
        c.displayName = c.key.isEmpty()              ? QString()
                        : keyOf(sender) == m_selfKey ? q.value(2).toString()
                                                     : sender;
        c.lastTimestampMs = q.value(3).toLongLong();
        out.append(c);
        q.finish();
    }
    return out;
}

QList<HistoryCache::Hit> HistoryCache::search(const QString &text, int limit) const
{
    QList<Hit> hits;
    // Every word, in any order, as the server's search matches (docs/protocol.md section 7.1).
    QStringList words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    words.removeDuplicates();
    if (words.isEmpty() || !usable())
        return hits;
    QStringList conditions;
    for (qsizetype i = 0; i < words.size(); ++i)
        conditions << QStringLiteral("content LIKE ? ESCAPE '\\'");
    QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1, conversation FROM history WHERE %2 %3 ORDER BY seq DESC"
                             " LIMIT ?")
                  .arg(kColumns, conditions.join(QStringLiteral(" AND ")),
                       m_privateAllowed ? QString() : QStringLiteral("AND conversation = ''")));
    int at = 0;
    for (const QString &word : words)
        q.bindValue(at++, likePattern(word));
    q.bindValue(at, qMax(0, limit));
    if (!q.exec())
        return hits;
    while (q.next()) {
        Hit h;
        h.message = fromRow(q);
        h.conversation = q.value(kAfterColumns).toString();
        h.displayName = h.conversation.isEmpty()             ? QString()
                        : keyOf(h.message.from) == m_selfKey ? h.message.to
                                                             : h.message.from;
        hits.append(h);
    }
    return hits;
}

qint64 HistoryCache::maxSeq() const
{
    if (!usable())
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
    return q.exec(QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM history")) && q.next()
               ? q.value(0).toLongLong()
               : 0;
}

int HistoryCache::count(const QString &conversation) const
{
    if (!usable())
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM history WHERE conversation = ?"));
    q.bindValue(0, conversation.isNull() ? QStringLiteral("") : conversation);
    return q.exec() && q.next() ? q.value(0).toInt() : 0;
}

qint64 HistoryCache::caughtUpTo() const
{
    bool known = false;
    const qint64 seq = value(QLatin1String(kCaughtUpTo)).toLongLong(&known);
    return known ? seq : maxSeq();
}

void HistoryCache::setCaughtUpTo(qint64 seq)
{
    // Once per live message: a statement prepared once, in the turn's transaction with the
    // message itself.
    if (!usable() || !m_store->beginWrite())
        return;
    QSqlQuery *q = m_store->statement(
        QStringLiteral("INSERT OR REPLACE INTO saved_state (name, value) VALUES (?, ?)"));
    if (!q)
        return;
    q->bindValue(0, QLatin1String(kCaughtUpTo));
    q->bindValue(1, QString::number(seq));
    if (!q->exec()) {
        const QString error = q->lastError().text();
        m_store->fail(QObject::tr("cannot write to %1").arg(m_store->path()), error);
    }
}

QString HistoryCache::value(const QString &name) const
{
    if (!usable())
        return {};
    QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
    q.prepare(QStringLiteral("SELECT value FROM saved_state WHERE name = ?"));
    q.bindValue(0, name);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

void HistoryCache::setValue(const QString &name, const QString &value)
{
    if (!usable() || !m_store->beginWrite())
        return;
    QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO saved_state (name, value) VALUES (?, ?)"));
    q.bindValue(0, name);
    q.bindValue(1, value.isNull() ? QStringLiteral("") : value);
    if (!q.exec())
        m_store->fail(QObject::tr("cannot write to %1").arg(m_store->path()), q.lastError().text());
}

void HistoryCache::clear()
{
    m_addedSincePrune.clear();
    if (!usable() || !m_store->beginWrite())
        return;
    QString error;
    {
        QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
        if (!q.exec(QStringLiteral("DELETE FROM history")) ||
            !q.exec(QStringLiteral("DELETE FROM saved_state")))
            error = q.lastError().text();
    }
    if (!error.isEmpty()) {
        m_store->fail(QObject::tr("cannot write to %1").arg(m_store->path()), error);
        return;
    }
    rewrite();
}

void HistoryCache::clearMessages()
{
    m_addedSincePrune.clear();
    if (!usable() || !m_store->beginWrite())
        return;
    QString error;
    {
        QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
        if (!q.exec(QStringLiteral("DELETE FROM history")) ||
            !q.exec(QStringLiteral("DELETE FROM saved_state WHERE name = '%1'")
                        .arg(QLatin1String(kCaughtUpTo))))
            error = q.lastError().text();
    }
    if (!error.isEmpty())
        m_store->fail(QObject::tr("cannot write to %1").arg(m_store->path()), error);
}

void HistoryCache::rewrite()
{
    if (!m_store->commit())
        return;
    // Deleted rows stay in free pages until they are reused: VACUUM rewrites the file
    // without them, and the checkpoint empties the write-ahead log that held them.
    QSqlQuery q(QSqlDatabase::database(m_store->connectionName(), false));
    if (!q.exec(QStringLiteral("VACUUM")) ||
        !q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")))
        m_store->fail(QObject::tr("cannot rewrite %1").arg(m_store->path()), q.lastError().text());
}
