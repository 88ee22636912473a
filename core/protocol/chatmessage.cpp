#include "protocol/chatmessage.h"

#include "protocol/textrules.h"

#include <QJsonArray>

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
    if (!clientId.isEmpty())
        o.insert(QStringLiteral("id"), field(clientId));
    if (editedMs > 0)
        o.insert(QStringLiteral("edited"), editedMs);
    if (deleted)
        o.insert(QStringLiteral("deleted"), true);
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
    return o;
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
    return m;
}
