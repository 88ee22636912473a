#include "protocol/messageencoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject presenceObject(const char *type, const QString &name, const QStringList &userList,
                           int online, bool withList, qint64 timestampMs)
{
    QJsonObject o{
        {QStringLiteral("type"), QLatin1String(type)},
        {QStringLiteral("content"), name},
        {QStringLiteral("online"), online},
        {QStringLiteral("ts"), timestampMs},
    };
    if (withList)
        o.insert(QStringLiteral("user_list"), QJsonArray::fromStringList(userList));
    return o;
}

} // namespace

QByteArray MessageEncoder::handshake(const ProtocolLimits &limits, const QString &serverName)
{
    return compact(QJsonObject{
        {QStringLiteral("type"), QStringLiteral("handshake")},
        {QStringLiteral("content"), QStringLiteral("done")},
        {QStringLiteral("version"), ProtocolLimits::kProtocolVersion},
        {QStringLiteral("server"), serverName},
        {QStringLiteral("limits"), limits.toJson()},
    });
}

QByteArray MessageEncoder::login(const QString &name, const QStringList &userList, int online,
                                 bool self, Dialect dialect, qint64 timestampMs,
                                 const QString &session)
{
    QJsonObject o = presenceObject("login", name, userList, online,
                                   self || dialect == Dialect::Seed, timestampMs);
    if (self)
        o.insert(QStringLiteral("self"), true);
    if (!session.isEmpty())
        o.insert(QStringLiteral("session"), session);
    return compact(o);
}

QByteArray MessageEncoder::logout(const QString &name, const QStringList &userList, int online,
                                  Dialect dialect, qint64 timestampMs)
{
    return compact(
        presenceObject("logout", name, userList, online, dialect == Dialect::Seed, timestampMs));
}

namespace {

// A login or logout without its list, cut where `"user_list":[...]` goes in as the last
// member: QJsonObject writes its keys sorted, and "user_list" sorts after every other key of
// these messages (content, online, self, session, ts, type), so that is where Qt puts it.
QByteArray headBeforeUserList(QByteArray json)
{
    static constexpr char key[] = ",\"user_list\":";
    Q_ASSERT(json.endsWith('}') && json.size() > 2);
    json.chop(1);
    return json.append(key, qsizetype(sizeof key) - 1);
}

QByteArray withUserList(const QByteArray &head, const QByteArray &userListJson)
{
    QByteArray json;
    json.reserve(head.size() + userListJson.size() + 1);
    return json.append(head).append(userListJson).append('}');
}

QJsonObject loginObject(const QString &name, int online, bool self, qint64 timestampMs,
                        const QString &session)
{
    QJsonObject o = presenceObject("login", name, {}, online, false, timestampMs);
    if (self)
        o.insert(QStringLiteral("self"), true);
    if (!session.isEmpty())
        o.insert(QStringLiteral("session"), session);
    return o;
}

} // namespace

QByteArray MessageEncoder::login(const QString &name, const QByteArray &userListJson, int online,
                                 bool self, Dialect dialect, qint64 timestampMs,
                                 const QString &session)
{
    if (!self && dialect != Dialect::Seed)
        return compact(loginObject(name, online, self, timestampMs, session));
    return withUserList(loginHead(name, online, self, timestampMs, session), userListJson);
}

QByteArray MessageEncoder::loginHead(const QString &name, int online, bool self, qint64 timestampMs,
                                     const QString &session)
{
    return headBeforeUserList(compact(loginObject(name, online, self, timestampMs, session)));
}

QByteArray MessageEncoder::logout(const QString &name, const QByteArray &userListJson, int online,
                                  Dialect dialect, qint64 timestampMs)
{
    const QByteArray json = compact(presenceObject("logout", name, {}, online, false, timestampMs));
    return dialect == Dialect::Seed ? withUserList(headBeforeUserList(json), userListJson) : json;
}

QByteArray MessageEncoder::jsonString(const QString &text)
{
    // Qt writes every character from U+0020 on as UTF-8, except '"' and '\\'; below that it
    // escapes, and a surrogate that is not part of a pair becomes \uXXXX. Plain names take
    // the short way, anything else is left to Qt itself.
    bool plain = true;
    for (const QChar ch : text) {
        const char16_t u = ch.unicode();
        if (u < 0x20 || u == u'"' || u == u'\\' || QChar::isSurrogate(u)) {
            plain = false;
            break;
        }
    }
    if (!plain) {
        const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
        return array.mid(1, array.size() - 2); // without the [ ]
    }
    QByteArray json;
    json.reserve(text.size() * 3 + 2);
    json.append('"').append(text.toUtf8()).append('"');
    return json;
}

QByteArray MessageEncoder::jsonArray(const QStringList &strings)
{
    QByteArray json(1, '[');
    for (const QString &s : strings) {
        if (json.size() > 1)
            json.append(',');
        json.append(jsonString(s));
    }
    json.append(']');
    return json;
}

QByteArray MessageEncoder::presence(const QStringList &joined, const QStringList &left, int online,
                                    qint64 timestampMs)
{
    return compact(QJsonObject{
        {QStringLiteral("type"), QStringLiteral("presence")},
        {QStringLiteral("joined"), QJsonArray::fromStringList(joined)},
        {QStringLiteral("left"), QJsonArray::fromStringList(left)},
        {QStringLiteral("online"), online},
        {QStringLiteral("ts"), timestampMs},
    });
}

QByteArray MessageEncoder::chat(const ChatMessage &message, Dialect dialect)
{
    return compact(message.toJson(dialect == Dialect::Seed));
}

QByteArray MessageEncoder::ack(const QString &ref, qint64 seq, qint64 timestampMs, bool duplicate)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("ack")},
        {QStringLiteral("id"), ref},
        {QStringLiteral("seq"), seq},
        {QStringLiteral("ts"), timestampMs},
    };
    if (duplicate)
        o.insert(QStringLiteral("duplicate"), true);
    return compact(o);
}

QByteArray MessageEncoder::error(ErrorCode code, const QString &ref, Dialect dialect,
                                 const QString &detail)
{
    // Seed clients render "system" messages and show anything else as "undefined", so they get
    // errors as system messages that carry the same code.
    QJsonObject o{
        {QStringLiteral("type"),
         dialect == Dialect::Seed ? QStringLiteral("system") : QStringLiteral("error")},
        {QStringLiteral("code"), errorCodeName(code)},
        {QStringLiteral("content"), detail.isEmpty() ? errorCodeText(code) : detail},
    };
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    if (errorCodeCloses(code))
        o.insert(QStringLiteral("fatal"), true);
    return compact(o);
}

QByteArray MessageEncoder::system(const QString &text)
{
    return compact(QJsonObject{
        {QStringLiteral("type"), QStringLiteral("system")},
        {QStringLiteral("content"), text},
    });
}

QByteArray MessageEncoder::history(const QString &with, const QList<ChatMessage> &messages,
                                   bool more, const QString &ref)
{
    QJsonArray list;
    for (const ChatMessage &m : messages)
        list.append(m.toJson());
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("history")},
        {QStringLiteral("with"), with},
        {QStringLiteral("messages"), list},
        {QStringLiteral("more"), more},
    };
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray MessageEncoder::typing(const QString &from, const QString &to, bool state)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("typing")},
        {QStringLiteral("from"), from},
        {QStringLiteral("state"), state},
    };
    if (!to.isEmpty())
        o.insert(QStringLiteral("to"), to);
    return compact(o);
}

QByteArray MessageEncoder::pong(const QString &ref)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("pong")}};
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray MessageEncoder::callEvent(const QString &type, quint32 call, const QString &from,
                                     const QString &to, const QStringList &media,
                                     const QString &reason, const QStringList &codecs)
{
    QJsonObject o{
        {QStringLiteral("type"), type},
        {QStringLiteral("call"), qint64(call)},
    };
    if (!from.isEmpty())
        o.insert(QStringLiteral("from"), from);
    if (!to.isEmpty())
        o.insert(QStringLiteral("to"), to);
    if (!media.isEmpty())
        o.insert(QStringLiteral("media"), QJsonArray::fromStringList(media));
    if (!reason.isEmpty())
        o.insert(QStringLiteral("reason"), reason);
    if (!codecs.isEmpty())
        o.insert(QStringLiteral("codecs"), QJsonArray::fromStringList(codecs));
    return compact(o);
}

QByteArray MessageEncoder::callAck(const QString &ref, quint32 call, const QString &to)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("ack")},
        {QStringLiteral("call"), qint64(call)},
        {QStringLiteral("to"), to},
    };
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray MessageEncoder::callRequest(const QString &type, quint32 call, const QString &to,
                                       const QStringList &media, const QString &id,
                                       const QStringList &codecs)
{
    QJsonObject o{{QStringLiteral("type"), type}};
    if (call != 0)
        o.insert(QStringLiteral("call"), qint64(call));
    if (!to.isEmpty())
        o.insert(QStringLiteral("to"), to);
    if (!media.isEmpty())
        o.insert(QStringLiteral("media"), QJsonArray::fromStringList(media));
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    if (!codecs.isEmpty())
        o.insert(QStringLiteral("codecs"), QJsonArray::fromStringList(codecs));
    return compact(o);
}

QByteArray MessageEncoder::loginRequest(const QString &name, const QString &session)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("login")},
        {QStringLiteral("content"), name},
        {QStringLiteral("version"), ProtocolLimits::kProtocolVersion},
    };
    if (!session.isEmpty())
        o.insert(QStringLiteral("session"), session);
    return compact(o);
}

QByteArray MessageEncoder::chatRequest(const QString &content, const QString &id, const QString &to)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("user")},
        {QStringLiteral("content"), content},
        {QStringLiteral("id"), id},
    };
    if (!to.isEmpty())
        o.insert(QStringLiteral("to"), to);
    return compact(o);
}

QByteArray MessageEncoder::historyRequest(const QString &with, qint64 before, qint64 after,
                                          int limit, const QString &id)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("history")},
        {QStringLiteral("with"), with},
        {QStringLiteral("limit"), limit},
    };
    if (before > 0)
        o.insert(QStringLiteral("before"), before);
    if (after > 0)
        o.insert(QStringLiteral("after"), after);
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    return compact(o);
}

QByteArray MessageEncoder::typingRequest(bool state, const QString &to)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("typing")},
        {QStringLiteral("state"), state},
    };
    if (!to.isEmpty())
        o.insert(QStringLiteral("to"), to);
    return compact(o);
}
