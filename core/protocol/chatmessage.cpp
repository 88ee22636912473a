#include "protocol/chatmessage.h"

#include "protocol/textrules.h"

#include <QJsonArray>
#include <QSet>

QJsonObject ChatMessage::toJson(bool htmlEscape) const
{
    auto field = [htmlEscape](const QString &text) {
        return htmlEscape ? TextRules::htmlEscaped(text) : text;
    };
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("user")},
        {QStringLiteral("from"), field(from)},
        {QStringLiteral("content"), field(content)},
        {QStringLiteral("seq"), seq},
        {QStringLiteral("ts"), timestampMs},
    };
    if (!clientId.isEmpty() && !call) // a call entry's id is for the store alone
        o.insert(QStringLiteral("id"), field(clientId));
    if (editedMs > 0)
        o.insert(QStringLiteral("edited"), editedMs);
    if (deleted)
        o.insert(QStringLiteral("deleted"), true);
    // The seed page knows no replies.
    if (replyTo > 0 && !htmlEscape) {
        o.insert(QStringLiteral("reply_to"), replyTo);
        QJsonObject quote{{QStringLiteral("from"), quoteFrom}};
        if (quoteDeleted)
            quote.insert(QStringLiteral("deleted"), true);
        else
            quote.insert(QStringLiteral("text"), quoteText);
        o.insert(QStringLiteral("quote"), quote);
    }
    if (!to.isEmpty())
        o.insert(QStringLiteral("to"), field(to));
    if (!mentions.isEmpty()) {
        QStringList escaped;
        for (const QString &m : mentions)
            escaped.append(field(m));
        o.insert(QStringLiteral("mentions"), QJsonArray::fromStringList(escaped));
    }
    // The seed page knows no call entries: it shows their content as a private message.
    if (call && !htmlEscape)
        o.insert(QStringLiteral("call"), call->toJson());
    // Nor reactions.
    if (!reactions.isEmpty() && !htmlEscape)
        o.insert(QStringLiteral("reactions"), reactionsToJson(reactions));
    // Nor files: it shows the content, the file's name and size.
    if (file && !deleted && !htmlEscape)
        o.insert(QStringLiteral("file"), file->toJson());
    return o;
}

QJsonArray ChatMessage::reactionsToJson(const QList<Reaction> &reactions)
{
    QJsonArray list;
    for (const Reaction &r : reactions) {
        QJsonObject o{{QStringLiteral("emoji"), r.emoji},
                      {QStringLiteral("count"), r.count},
                      {QStringLiteral("from"), QJsonArray::fromStringList(r.from)}};
        if (r.mine)
            o.insert(QStringLiteral("mine"), true);
        list.append(o);
    }
    return list;
}

QList<ChatMessage::Reaction> ChatMessage::mergedReactions(const QList<Reaction> &listed,
                                                          const QList<Reaction> &summary,
                                                          bool bySelf, const QString &emoji,
                                                          bool added)
{
    QSet<QString> mine;
    for (const Reaction &r : listed) {
        if (r.mine)
            mine.insert(r.emoji);
    }
    if (bySelf) {
        if (added)
            mine.insert(emoji);
        else
            mine.remove(emoji);
    }
    QList<Reaction> merged = summary;
    for (Reaction &r : merged)
        r.mine = r.mine || mine.contains(r.emoji);
    return merged;
}

std::optional<QList<ChatMessage::Reaction>> ChatMessage::reactionsFromJson(const QJsonValue &value)
{
    if (value.isUndefined())
        return QList<Reaction>{};
    if (!value.isArray() || value.toArray().size() > kMaxReactionKinds)
        return std::nullopt;
    QList<Reaction> list;
    for (const QJsonValue &v : value.toArray()) {
        const QJsonObject o = v.toObject();
        const QJsonValue emoji = o.value(QLatin1String("emoji"));
        const QJsonValue from = o.value(QLatin1String("from"));
        const qint64 count = o.value(QLatin1String("count")).toInteger(0);
        if (!emoji.isString() || emoji.toString().isEmpty() ||
            emoji.toString().size() > kMaxEmojiUnits || count < 1 ||
            count > kMaxReactionsPerMessage || !from.isArray() ||
            from.toArray().size() > kReactionNames)
            return std::nullopt;
        Reaction r;
        r.emoji = emoji.toString();
        r.count = int(count);
        for (const QJsonValue &name : from.toArray()) {
            if (!name.isString() || name.toString().size() > 256)
                return std::nullopt;
            r.from.append(name.toString());
        }
        r.mine = o.value(QLatin1String("mine")).toBool();
        list.append(r);
    }
    return list;
}

std::optional<ChatMessage> ChatMessage::fromJson(const QJsonObject &o)
{
    const QJsonValue from = o.value(QLatin1String("from"));
    const QJsonValue content = o.value(QLatin1String("content"));
    if (!from.isString() || !content.isString())
        return std::nullopt;
    ChatMessage m;
    m.from = from.toString();
    m.content = content.toString();
    m.seq = o.value(QLatin1String("seq")).toInteger();
    m.timestampMs = o.value(QLatin1String("ts")).toInteger();
    m.to = o.value(QLatin1String("to")).toString();
    m.clientId = o.value(QLatin1String("id")).toString();
    for (const QJsonValue &v : o.value(QLatin1String("mentions")).toArray()) {
        if (v.isString())
            m.mentions.append(v.toString());
    }
    m.call = CallRecord::fromJson(o.value(QLatin1String("call")));
    m.editedMs = o.value(QLatin1String("edited")).toInteger();
    m.deleted = o.value(QLatin1String("deleted")).toBool();
    m.replyTo = o.value(QLatin1String("reply_to")).toInteger();
    const QJsonObject quote = o.value(QLatin1String("quote")).toObject();
    m.quoteFrom = quote.value(QLatin1String("from")).toString();
    m.quoteText = quote.value(QLatin1String("text")).toString();
    m.quoteDeleted = quote.value(QLatin1String("deleted")).toBool();
    // A malformed summary is dropped, not the message: its text still shows.
    m.reactions =
        reactionsFromJson(o.value(QLatin1String("reactions"))).value_or(QList<Reaction>{});
    m.file = FileRef::fromJson(o.value(QLatin1String("file")));
    return m;
}

QString ChatMessage::quoteOf(const QString &text)
{
    // kQuoteChars code points, never half a surrogate pair.
    qsizetype units = 0;
    for (int chars = 0; units < text.size() && chars < kQuoteChars; ++chars)
        units += text.at(units).isHighSurrogate() && units + 1 < text.size() ? 2 : 1;
    return text.left(units);
}
