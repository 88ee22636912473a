#include "protocol/messageencoder.h"

#include "protocol/textrules.h"

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

QByteArray MessageEncoder::handshake(const ProtocolLimits &limits, const QString &serverName,
                                     const AuthPolicy &auth, bool severalNodes)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("handshake")},
        {QStringLiteral("content"), QStringLiteral("done")},
        {QStringLiteral("version"), ProtocolLimits::kProtocolVersion},
        {QStringLiteral("server"), serverName},
        {QStringLiteral("limits"), limits.toJson()},
        {QStringLiteral("auth"), auth.toJson()},
    };
    if (severalNodes)
        o.insert(QStringLiteral("nodes"), QStringLiteral("several"));
    // Probe packets (docs/protocol.md 12) are discarded here: a client may send them.
    o.insert(QStringLiteral("media_probes"), true);
    return compact(o);
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
                        const QString &session, const LoginInfo *info = nullptr)
{
    QJsonObject o = presenceObject("login", name, {}, online, false, timestampMs);
    if (self)
        o.insert(QStringLiteral("self"), true);
    if (!session.isEmpty())
        o.insert(QStringLiteral("session"), session);
    if (info) {
        o.insert(QStringLiteral("account"), info->account);
        if (info->admin)
            o.insert(QStringLiteral("admin"), true);
        if (!info->token.isEmpty()) {
            o.insert(QStringLiteral("token"), info->token);
            o.insert(QStringLiteral("token_id"), info->tokenId);
        }
    }
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
                                     const QString &session, const LoginInfo *info)
{
    QByteArray json = compact(loginObject(name, online, self, timestampMs, session, info));
    if (info && !info->guestsJson.isEmpty()) {
        // The online guests are spliced in as they are, like the user list: parsing and writing
        // them again for every login made 10,000 guest logins spend 40% of their time here.
        // Where QJsonDocument puts the key (keys sorted), so the bytes stay exactly Qt's.
        const qsizetype at = json.indexOf(",\"online\":");
        Q_ASSERT(at > 0);
        json.insert(at, QByteArray(",\"guests\":") + info->guestsJson);
    }
    return headBeforeUserList(std::move(json));
}

QByteArray MessageEncoder::logout(const QString &name, const QByteArray &userListJson, int online,
                                  Dialect dialect, qint64 timestampMs)
{
    const QByteArray json = compact(presenceObject("logout", name, {}, online, false, timestampMs));
    return dialect == Dialect::Seed ? withUserList(headBeforeUserList(json), userListJson) : json;
}

QByteArray MessageEncoder::jsonString(const QString &text)
{
    QByteArray json;
    json.reserve(text.size() + 2);
    appendJsonString(json, text);
    return json;
}

void MessageEncoder::appendJsonString(QByteArray &json, QStringView text)
{
    // Exactly what QJsonDocument writes: below U+0080 only '"', '\\' and control characters
    // are escaped (the short escapes where JSON has them, else \u00xx), everything else is
    // UTF-8. A surrogate that is not part of a pair is rare and left to Qt.
    static constexpr char hex[] = "0123456789abcdef";
    const qsizetype start = json.size();
    json.append('"');
    const char16_t *p = text.utf16();
    const char16_t *const end = p + text.size();
    while (p != end) {
        const char16_t u = *p++;
        if (u < 0x80) {
            if (u >= 0x20 && u != u'"' && u != u'\\') {
                json.append(char(u));
                continue;
            }
            json.append('\\');
            switch (u) {
            case u'"':
                json.append('"');
                break;
            case u'\\':
                json.append('\\');
                break;
            case u'\b':
                json.append('b');
                break;
            case u'\f':
                json.append('f');
                break;
            case u'\n':
                json.append('n');
                break;
            case u'\r':
                json.append('r');
                break;
            case u'\t':
                json.append('t');
                break;
            default: {
                const char escape[] = {'u', '0', '0', hex[u >> 4], hex[u & 0xF]};
                json.append(escape, sizeof escape);
            }
            }
        } else if (u < 0x800) {
            const char bytes[] = {char(0xC0 | (u >> 6)), char(0x80 | (u & 0x3F))};
            json.append(bytes, sizeof bytes);
        } else if (!QChar::isSurrogate(u)) {
            const char bytes[] = {char(0xE0 | (u >> 12)), char(0x80 | ((u >> 6) & 0x3F)),
                                  char(0x80 | (u & 0x3F))};
            json.append(bytes, sizeof bytes);
        } else if (QChar::isHighSurrogate(u) && p != end && QChar::isLowSurrogate(*p)) {
            const char32_t c = QChar::surrogateToUcs4(u, *p++);
            const char bytes[] = {char(0xF0 | (c >> 18)), char(0x80 | ((c >> 12) & 0x3F)),
                                  char(0x80 | ((c >> 6) & 0x3F)), char(0x80 | (c & 0x3F))};
            json.append(bytes, sizeof bytes);
        } else {
            json.truncate(start);
            const QByteArray array =
                QJsonDocument(QJsonArray{text.toString()}).toJson(QJsonDocument::Compact);
            json.append(array.constData() + 1, array.size() - 2); // without the [ ]
            return;
        }
    }
    json.append('"');
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
                                    qint64 timestampMs, const QStringList &guests)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("presence")},
        {QStringLiteral("joined"), QJsonArray::fromStringList(joined)},
        {QStringLiteral("left"), QJsonArray::fromStringList(left)},
        {QStringLiteral("online"), online},
        {QStringLiteral("ts"), timestampMs},
    };
    if (!guests.isEmpty())
        o.insert(QStringLiteral("guests"), QJsonArray::fromStringList(guests));
    return compact(o);
}

// chat and ack are written by hand, with the keys in QJsonDocument's (sorted) order and
// the same bytes (tst_chatflow compares them): they are the relay's hottest path, where
// building a QJsonObject and serialising it cost about a seventh of the server's time.
QByteArray MessageEncoder::chat(const ChatMessage &message, Dialect dialect)
{
    QByteArray json;
    json.reserve(96 + 3 * (message.content.size() + message.from.size() + message.to.size() +
                           message.clientId.size()));
    // The seed page puts what it receives into innerHTML: every string is escaped for it, not
    // only the text (an id may hold '<' and '"'; names cannot, but nothing relies on that).
    const bool seed = dialect == Dialect::Seed;
    auto field = [seed](const QString &text) {
        return seed ? TextRules::htmlEscaped(text) : text;
    };
    // A call entry's object goes to Confab clients only; the seed page shows the content.
    if (message.call && !seed) {
        json.append("{\"call\":");
        json.append(QJsonDocument(message.call->toJson()).toJson(QJsonDocument::Compact));
        json.append(",\"content\":");
    } else {
        json.append("{\"content\":");
    }
    appendJsonString(json, field(message.content));
    if (message.deleted)
        json.append(",\"deleted\":true");
    if (message.editedMs > 0)
        json.append(",\"edited\":").append(QByteArray::number(message.editedMs));
    // A file message's file (docs/protocol.md section 18): Confab receivers only, and not
    // once the message is deleted.
    if (message.file && !message.deleted && !seed) {
        json.append(",\"file\":");
        json.append(QJsonDocument(message.file->toJson()).toJson(QJsonDocument::Compact));
    }
    json.append(",\"from\":");
    appendJsonString(json, field(message.from));
    // A call entry's id only lets the store keep one of the two nodes' copies: nobody's
    // message, so nobody's outbox or ack to match it against.
    if (!message.clientId.isEmpty() && !message.call) {
        json.append(",\"id\":");
        appendJsonString(json, field(message.clientId));
    }
    if (!message.mentions.isEmpty()) {
        json.append(",\"mentions\":[");
        for (qsizetype i = 0; i < message.mentions.size(); ++i) {
            if (i > 0)
                json.append(',');
            appendJsonString(json, field(message.mentions.at(i)));
        }
        json.append(']');
    }
    // A reply's quote and what it answers: Confab receivers only, like a call entry.
    if (message.replyTo > 0 && !seed) {
        json.append(",\"quote\":{");
        if (message.quoteDeleted)
            json.append("\"deleted\":true,");
        json.append("\"from\":");
        appendJsonString(json, message.quoteFrom);
        if (!message.quoteDeleted) {
            json.append(",\"text\":");
            appendJsonString(json, message.quoteText);
        }
        json.append("},\"reply_to\":").append(QByteArray::number(message.replyTo));
    }
    json.append(",\"seq\":").append(QByteArray::number(message.seq));
    if (!message.to.isEmpty()) {
        json.append(",\"to\":");
        appendJsonString(json, field(message.to));
    }
    json.append(",\"ts\":").append(QByteArray::number(message.timestampMs));
    json.append(",\"type\":\"user\"}");
    return json;
}

QByteArray MessageEncoder::update(const ChatMessage &message)
{
    return QByteArray("{\"message\":") + chat(message, Dialect::Confab) +
           QByteArray(",\"type\":\"update\"}");
}

QByteArray MessageEncoder::reaction(const ChatMessage &message, const QString &by,
                                    const QString &emoji, bool added)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("reaction")},
        {QStringLiteral("seq"), message.seq},
        {QStringLiteral("by"), by},
        {QStringLiteral("emoji"), emoji},
        {QStringLiteral("added"), added},
        {QStringLiteral("reactions"), ChatMessage::reactionsToJson(message.reactions)},
    };
    return compact(o);
}

QByteArray MessageEncoder::seedUpdate(const ChatMessage &message)
{
    // The seed page knows only new messages: the change comes as one, from the same sender.
    ChatMessage shown = message;
    shown.content = message.deleted ? QStringLiteral("(message deleted)")
                                    : QStringLiteral("(edited) ") + message.content;
    shown.editedMs = 0;
    shown.deleted = false;
    return chat(shown, Dialect::Seed);
}

QByteArray MessageEncoder::ack(const QString &ref, qint64 seq, qint64 timestampMs, bool duplicate)
{
    QByteArray json;
    json.reserve(80 + 3 * ref.size());
    json.append(duplicate ? "{\"duplicate\":true,\"id\":" : "{\"id\":");
    appendJsonString(json, ref);
    json.append(",\"seq\":").append(QByteArray::number(seq));
    json.append(",\"ts\":").append(QByteArray::number(timestampMs));
    json.append(",\"type\":\"ack\"}");
    return json;
}

QByteArray MessageEncoder::error(ErrorCode code, const QString &ref, Dialect dialect,
                                 const QString &detail, qint64 retryAfterMs)
{
    // Seed clients render "system" messages and show anything else as "undefined", so they get
    // errors as system messages that carry the same code.
    const bool seed = dialect == Dialect::Seed;
    const QString text = detail.isEmpty() ? errorCodeText(code) : detail;
    QJsonObject o{
        {QStringLiteral("type"), seed ? QStringLiteral("system") : QStringLiteral("error")},
        {QStringLiteral("code"), errorCodeName(code)},
        {QStringLiteral("content"), seed ? TextRules::htmlEscaped(text) : text},
    };
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), seed ? TextRules::htmlEscaped(ref) : ref);
    if (errorCodeCloses(code))
        o.insert(QStringLiteral("fatal"), true);
    if (retryAfterMs > 0)
        o.insert(QStringLiteral("retry_after"), (retryAfterMs + 999) / 1000);
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

QByteArray MessageEncoder::search(const QString &text, const QList<ChatMessage> &hits, bool more,
                                  qint64 nextBefore, const QString &ref)
{
    QJsonArray list;
    for (const ChatMessage &m : hits)
        list.append(m.toJson());
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("search")},
        {QStringLiteral("text"), text},
        {QStringLiteral("hits"), list},
        {QStringLiteral("more"), more},
    };
    if (more)
        o.insert(QStringLiteral("before"), nextBefore);
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

namespace {
QJsonObject receiptObject(const ReceiptInfo &r)
{
    return QJsonObject{{QStringLiteral("with"), r.with},
                       {QStringLiteral("delivered"), r.delivered},
                       {QStringLiteral("read"), r.read}};
}
} // namespace

QByteArray MessageEncoder::receipt(const ReceiptInfo &receipt)
{
    QJsonObject o = receiptObject(receipt);
    o.insert(QStringLiteral("type"), QStringLiteral("receipt"));
    return compact(o);
}

QByteArray MessageEncoder::receipts(const QList<ReceiptInfo> &receipts, const QString &ref)
{
    QJsonArray list;
    for (const ReceiptInfo &r : receipts)
        list.append(receiptObject(r));
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("receipts")},
                  {QStringLiteral("receipts"), list}};
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray MessageEncoder::receiptRequest(const QString &with, qint64 seq, bool read,
                                          const QString &id)
{
    QJsonObject o{
        {QStringLiteral("type"), read ? QStringLiteral("read") : QStringLiteral("delivered")},
        {QStringLiteral("with"), with},
        {QStringLiteral("seq"), seq}};
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    return compact(o);
}

QByteArray MessageEncoder::receiptsRequest(const QString &id)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("receipts")}};
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
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

QByteArray MessageEncoder::callReport(quint32 call, const QString &from, const CallReport &report)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("call_report")},
        {QStringLiteral("call"), qint64(call)},
    };
    if (!from.isEmpty())
        o.insert(QStringLiteral("from"), from);
    report.writeTo(o);
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

QByteArray MessageEncoder::devices(const QList<DeviceInfo> &devices, const QString &ref)
{
    QJsonArray list;
    for (const DeviceInfo &d : devices) {
        QJsonObject o{
            {QStringLiteral("id"), d.id},
            {QStringLiteral("label"), d.label},
            {QStringLiteral("created"), d.createdMs},
            {QStringLiteral("last_used"), d.lastUsedMs},
        };
        if (d.current)
            o.insert(QStringLiteral("current"), true);
        list.append(o);
    }
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("devices")},
                  {QStringLiteral("devices"), list}};
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray MessageEncoder::deviceRevoked(int count, const QString &ref)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("device_revoked")},
                  {QStringLiteral("count"), count}};
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray MessageEncoder::passwordChanged(int revoked, const QString &ref)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("password_changed")},
                  {QStringLiteral("revoked"), revoked}};
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray MessageEncoder::invite(const QString &code, int uses, qint64 expiresMs,
                                  const QString &ref)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("invite")},
                  {QStringLiteral("code"), code},
                  {QStringLiteral("uses"), uses},
                  {QStringLiteral("expires"), expiresMs}};
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray MessageEncoder::callRequest(const QString &type, quint32 call, const QString &to,
                                       const QStringList &media, const QString &id,
                                       const QStringList &codecs, const QString &reason)
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
    if (!reason.isEmpty())
        o.insert(QStringLiteral("reason"), reason);
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

QByteArray MessageEncoder::signInRequest(const QString &name, const QString &password,
                                         const QString &token, const QString &device,
                                         const QString &session)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("login")},
        {QStringLiteral("content"), name},
        {QStringLiteral("version"), ProtocolLimits::kProtocolVersion},
    };
    if (!password.isEmpty())
        o.insert(QStringLiteral("password"), password);
    else if (!token.isEmpty())
        o.insert(QStringLiteral("token"), token);
    if (!device.isEmpty())
        o.insert(QStringLiteral("device"), device);
    if (!session.isEmpty())
        o.insert(QStringLiteral("session"), session);
    return compact(o);
}

QByteArray MessageEncoder::registerRequest(const QString &name, const QString &password,
                                           const QString &invite, const QString &device)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("register")},
        {QStringLiteral("content"), name},
        {QStringLiteral("password"), password},
        {QStringLiteral("version"), ProtocolLimits::kProtocolVersion},
    };
    if (!invite.isEmpty())
        o.insert(QStringLiteral("invite"), invite);
    if (!device.isEmpty())
        o.insert(QStringLiteral("device"), device);
    return compact(o);
}

QByteArray MessageEncoder::chatRequest(const QString &content, const QString &id, const QString &to,
                                       bool roomSaid, qint64 replyTo)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("user")},
        {QStringLiteral("content"), content},
        {QStringLiteral("id"), id},
    };
    if (replyTo > 0)
        o.insert(QStringLiteral("reply_to"), replyTo);
    if (!to.isEmpty() || roomSaid)
        o.insert(QStringLiteral("to"), to);
    return compact(o);
}

QByteArray MessageEncoder::editRequest(qint64 seq, const QString &content, const QString &id)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("edit")},
        {QStringLiteral("seq"), seq},
        {QStringLiteral("content"), content},
    };
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    return compact(o);
}

QByteArray MessageEncoder::deleteRequest(qint64 seq, const QString &id)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("delete")},
        {QStringLiteral("seq"), seq},
    };
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    return compact(o);
}

QByteArray MessageEncoder::reactRequest(qint64 seq, const QString &emoji, bool add,
                                        const QString &id)
{
    QJsonObject o{
        {QStringLiteral("type"), add ? QStringLiteral("react") : QStringLiteral("unreact")},
        {QStringLiteral("seq"), seq},
        {QStringLiteral("emoji"), emoji},
    };
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
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

QByteArray MessageEncoder::searchRequest(const QString &text, qint64 before, int limit,
                                         const QString &id)
{
    QJsonObject o{
        {QStringLiteral("type"), QStringLiteral("search")},
        {QStringLiteral("text"), text},
    };
    if (before > 0)
        o.insert(QStringLiteral("before"), before);
    if (limit > 0)
        o.insert(QStringLiteral("limit"), limit);
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
