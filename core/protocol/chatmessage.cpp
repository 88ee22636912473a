#include "protocol/chatmessage.h"

#include "protocol/textrules.h"

#include <QJsonArray>

QJsonObject ChatMessage::toJson(bool htmlEscapeContent) const
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("user")},
        {QStringLiteral("from"), from},
        {QStringLiteral("content"), htmlEscapeContent ? TextRules::htmlEscaped(content) : content},
        {QStringLiteral("seq"), seq},
        {QStringLiteral("ts"), timestampMs},
    };
    if (!clientId.isEmpty())
        o.insert(QStringLiteral("id"), clientId);
    if (!to.isEmpty())
        o.insert(QStringLiteral("to"), to);
    if (!mentions.isEmpty())
        o.insert(QStringLiteral("mentions"), QJsonArray::fromStringList(mentions));
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
    return m;
}
