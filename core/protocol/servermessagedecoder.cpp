#include "protocol/servermessagedecoder.h"

#include "protocol/namerules.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

using Error = DecodedServerMessage::Error;
using Type = ServerMessage::Type;

// Ceilings on what a server may announce in its limits, so that its handshake cannot lift the
// decoder's bounds (nor make their arithmetic overflow).
constexpr int kMaxNameCharsCeiling = 256;
constexpr int kMaxHistoryPageCeiling = 10000;
constexpr qint64 kMaxBytesCeiling = qint64(16) << 20; // message_bytes, history_bytes

constexpr int kMaxTypeUnits = 64;
constexpr int kMaxCodeUnits = 64;
constexpr int kMaxSessionUnits = 64;
constexpr int kMaxReasonUnits = 64; // as the server checks a call step's reason
constexpr int kMaxMedia = 4;
constexpr int kMaxCodecs = 8;
constexpr int kMaxCodecUnits = 16;
// retry_after: a day; the longest wait the server asks for is a 15-minute lock.
constexpr int kMaxRetryAfterSeconds = 86400;
constexpr qint64 kMaxCount = std::numeric_limits<int>::max();

// What a string field may hold besides its length bound.
enum class Text {
    Any,
    NoControls, // shown to the user as it is: no C0 or C1 control characters
    Ascii,      // ids, tokens, codes: printable ASCII without spaces (0x21..0x7E)
    Token,      // media kinds and codec names: a-z, 0-9 and '-'
};

bool fits(QStringView s, Text rule)
{
    if (rule == Text::Any)
        return true;
    for (QChar qc : s) {
        const char16_t c = qc.unicode();
        switch (rule) {
        case Text::Any:
            break;
        case Text::NoControls:
            if (c < 0x20 || (c >= 0x7F && c < 0xA0))
                return false;
            break;
        case Text::Ascii:
            if (c < 0x21 || c > 0x7E)
                return false;
            break;
        case Text::Token:
            if (!((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-'))
                return false;
            break;
        }
    }
    return true;
}

// A name as the server shows it: 1..maxChars code points that may appear in names (TooLong or
// BadValue otherwise). The full rules (scripts, look-alikes) are the server's to apply, and they
// change between versions; what the client needs is that nothing but name characters (no
// controls, spaces, markup, bidi overrides or lone surrogates) reaches the screen, and that
// names stored under older rules still load: the first rules took any letter or digit,
// default-ignorable ones included.
Error checkName(QStringView s, int maxChars)
{
    // Longer than any name in UTF-16 units: refused before it is walked.
    if (s.size() > 2 * qsizetype(maxChars))
        return Error::TooLong;
    if (s.isEmpty())
        return Error::BadValue;
    int count = 0;
    for (qsizetype i = 0; i < s.size(); ++i) {
        char32_t c = s[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < s.size() && s[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(s[i], s[i + 1]);
            ++i;
        } else if (QChar::isSurrogate(c)) {
            return Error::BadValue;
        }
        if (!NameRules::isNameChar(c) && !QChar::isLetterOrNumber(c))
            return Error::BadValue;
        ++count;
    }
    return count <= maxChars ? Error::None : Error::TooLong;
}

// Reads the fields of one JSON object into typed values. The first problem is kept in the
// result, with where it was; every read after it fails, so reads can be chained with &&.
// An absent optional field leaves its output as it was.
class Reader
{
public:
    Reader(const QJsonObject &object, DecodedServerMessage *result, int maxNameChars,
           const QString &path = {})
        : m_object(object), m_result(result), m_maxNameChars(maxNameChars), m_path(path)
    {}

    bool failed() const { return m_result->error != Error::None; }
    DecodedServerMessage *result() const { return m_result; }
    int maxNameChars() const { return m_maxNameChars; }
    QString where(const QString &key) const
    {
        return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
    }

    bool fail(Error error, const QString &key)
    {
        if (!failed()) {
            m_result->error = error;
            m_result->field = where(key);
        }
        return false;
    }

    template <typename T>
    bool integer(const char *key, qint64 min, qint64 max, T *out, bool required = true)
    {
        QJsonValue v;
        if (!present(key, required, &v))
            return !failed();
        if (!v.isDouble())
            return fail(Error::WrongType, QLatin1String(key));
        const double d = v.toDouble();
        // The range first: converting a double that qint64 cannot hold is undefined behaviour.
        if (!(d >= double(min) && d <= double(max)) || d != std::trunc(d))
            return fail(Error::OutOfRange, QLatin1String(key));
        *out = T(qint64(d));
        return true;
    }

    bool boolean(const char *key, bool *out, bool required = false)
    {
        QJsonValue v;
        if (!present(key, required, &v))
            return !failed();
        if (!v.isBool())
            return fail(Error::WrongType, QLatin1String(key));
        *out = v.toBool();
        return true;
    }

    bool string(const char *key, int maxUnits, Text rule, QString *out, bool required)
    {
        QJsonValue v;
        if (!present(key, required, &v))
            return !failed();
        if (!v.isString())
            return fail(Error::WrongType, QLatin1String(key));
        const QString s = v.toString();
        if (s.size() > maxUnits)
            return fail(Error::TooLong, QLatin1String(key));
        if (!fits(s, rule))
            return fail(Error::BadValue, QLatin1String(key));
        *out = s;
        return true;
    }

    // A required name is never empty; an optional one may be "" (nobody), as if absent.
    bool name(const char *key, QString *out, bool required)
    {
        QJsonValue v;
        if (!present(key, required, &v))
            return !failed();
        if (!v.isString())
            return fail(Error::WrongType, QLatin1String(key));
        const QString s = v.toString();
        if (s.isEmpty() && !required)
            return true;
        if (const Error e = checkName(s, m_maxNameChars); e != Error::None)
            return fail(e, QLatin1String(key));
        *out = s;
        return true;
    }

    bool names(const char *key, int maxCount, QStringList *out, bool required)
    {
        QJsonArray list;
        if (!array(key, maxCount, &list, required) || list.isEmpty())
            return !failed();
        QStringList read;
        read.reserve(list.size());
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QJsonValue v = list.at(i);
            if (!v.isString())
                return fail(Error::WrongType, indexed(key, i));
            const QString s = v.toString();
            if (const Error e = checkName(s, m_maxNameChars); e != Error::None)
                return fail(e, indexed(key, i));
            read.append(s);
        }
        *out = read;
        return true;
    }

    // A list of short words (media kinds, codec names), each 1..maxUnits characters.
    bool words(const char *key, int maxCount, int maxUnits, QStringList *out)
    {
        QJsonArray list;
        if (!array(key, maxCount, &list, false) || list.isEmpty())
            return !failed();
        QStringList read;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QJsonValue v = list.at(i);
            if (!v.isString())
                return fail(Error::WrongType, indexed(key, i));
            const QString s = v.toString();
            if (s.size() > maxUnits)
                return fail(Error::TooLong, indexed(key, i));
            if (s.isEmpty() || !fits(s, Text::Token))
                return fail(Error::BadValue, indexed(key, i));
            read.append(s);
        }
        *out = read;
        return true;
    }

    bool object(const char *key, QJsonObject *out, bool required)
    {
        QJsonValue v;
        if (!present(key, required, &v))
            return !failed();
        if (!v.isObject())
            return fail(Error::WrongType, QLatin1String(key));
        *out = v.toObject();
        return true;
    }

    bool array(const char *key, int maxCount, QJsonArray *out, bool required)
    {
        QJsonValue v;
        if (!present(key, required, &v))
            return !failed();
        if (!v.isArray())
            return fail(Error::WrongType, QLatin1String(key));
        const QJsonArray list = v.toArray();
        if (list.size() > maxCount)
            return fail(Error::TooMany, QLatin1String(key));
        *out = list;
        return true;
    }

    static QString indexed(const char *key, qsizetype i)
    {
        return QStringLiteral("%1[%2]").arg(QLatin1String(key)).arg(i);
    }

private:
    // True when the field is there to be read; false when a read before failed, when it is
    // absent (an error only if it is required).
    bool present(const char *key, bool required, QJsonValue *v)
    {
        if (failed())
            return false;
        *v = m_object.value(QLatin1String(key));
        if (!v->isUndefined())
            return true;
        if (required)
            fail(Error::MissingField, QLatin1String(key));
        return false;
    }

    const QJsonObject &m_object;
    DecodedServerMessage *m_result;
    int m_maxNameChars;
    QString m_path;
};

// One relay object (section 5.2), at the top level or in a history page.
bool readChat(const QJsonObject &o, Reader &r, ChatMessage *out)
{
    QString from, content, id, to;
    QStringList mentions;
    qint64 seq = 0, ts = 0;
    if (!(r.name("from", &from, true) &&
          r.string("content", ServerMessageDecoder::kMaxTextUnits, Text::Any, &content, true) &&
          r.integer("seq", 0, ServerMessageDecoder::kMaxSafeInteger, &seq) &&
          r.integer("ts", 0, ServerMessageDecoder::kMaxSafeInteger, &ts) &&
          r.string("id", ProtocolLimits::kMaxIdChars, Text::Ascii, &id, false) &&
          r.name("to", &to, false) &&
          r.names("mentions", ServerMessageDecoder::kMaxMentions, &mentions, false)))
        return false;
    qint64 edited = 0;
    bool deleted = false;
    if (!r.integer("edited", 0, ServerMessageDecoder::kMaxSafeInteger, &edited, false) ||
        !r.boolean("deleted", &deleted))
        return false;
    qint64 replyTo = 0;
    QJsonObject quote;
    if (!r.integer("reply_to", 1, ServerMessageDecoder::kMaxSafeInteger, &replyTo, false) ||
        !r.object("quote", &quote, false))
        return false;
    if (!quote.isEmpty()) {
        // A quote is short: its sender's name, and at most a hundred characters of text.
        QString quoteFrom, quoteText;
        bool quoteDeleted = false;
        Reader q(quote, r.result(), r.maxNameChars(), r.where(QStringLiteral("quote")));
        if (!(q.name("from", &quoteFrom, true) &&
              q.string("text", 4 * ChatMessage::kQuoteChars, Text::Any, &quoteText, false) &&
              q.boolean("deleted", &quoteDeleted)))
            return false;
    }
    // A call entry's object; what is in it is read leniently (an outcome from a newer server
    // leaves the entry as its plain text).
    if (o.contains(QLatin1String("call")) && !o.value(QLatin1String("call")).isObject())
        return r.fail(Error::WrongType, QStringLiteral("call"));
    // Every field is known to be right now, so ChatMessage's own reader cannot go wrong.
    const std::optional<ChatMessage> m = ChatMessage::fromJson(o);
    if (!m)
        return r.fail(Error::WrongType, QStringLiteral("from"));
    *out = *m;
    return true;
}

bool readHandshake(Reader &r, ServerMessage &m)
{
    QJsonObject limits, auth;
    if (!(r.integer("version", 1, 1000000, &m.version) && r.object("limits", &limits, true) &&
          r.object("auth", &auth, false) &&
          r.string("server", ServerMessageDecoder::kMaxServerNameUnits, Text::NoControls, &m.server,
                   false)))
        return false;
    QString nodes;
    if (!r.string("nodes", 16, Text::NoControls, &nodes, false))
        return false;
    m.severalNodes = nodes == QLatin1String("several"); // anything else: one process
    if (!r.boolean("media_probes", &m.mediaProbes))
        return false;
    m.limits = ProtocolLimits::fromJson(limits);
    m.auth = AuthPolicy::fromJson(auth); // none (an old server): no accounts, guests only
    return true;
}

bool readLogin(Reader &r, ServerMessage &m)
{
    constexpr qint64 safe = ServerMessageDecoder::kMaxSafeInteger;
    constexpr int users = ServerMessageDecoder::kMaxUsers;
    // The own confirmation always has the list; others' logins only for seed receivers.
    return r.name("content", &m.name, true) && r.integer("online", 0, users, &m.online) &&
           r.integer("ts", 0, safe, &m.timestampMs) && r.boolean("self", &m.self) &&
           r.names("user_list", users, &m.users, m.self) &&
           r.string("session", kMaxSessionUnits, Text::Ascii, &m.session, false) &&
           r.boolean("account", &m.account) && r.boolean("admin", &m.admin) &&
           r.string("token", AuthPolicy::kMaxTokenChars, Text::Ascii, &m.token, false) &&
           r.integer("token_id", 0, safe, &m.tokenId, false) &&
           r.names("guests", users, &m.guests, false);
}

bool readPresence(Reader &r, ServerMessage &m)
{
    constexpr int users = ServerMessageDecoder::kMaxUsers;
    return r.names("joined", users, &m.joined, true) && r.names("left", users, &m.left, true) &&
           r.names("guests", users, &m.guests, false) && r.integer("online", 0, users, &m.online) &&
           r.integer("ts", 0, ServerMessageDecoder::kMaxSafeInteger, &m.timestampMs);
}

// A list of relay objects (a history page's "messages", a search's "hits") into m.messages.
bool readMessageList(Reader &r, DecodedServerMessage *result, const char *key,
                     const QJsonArray &list)
{
    ServerMessage &m = result->message;
    m.messages.reserve(list.size());
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonValue v = list.at(i);
        if (!v.isObject())
            return r.fail(Error::WrongType, Reader::indexed(key, i));
        const QJsonObject entry = v.toObject();
        Reader entryReader(entry, result, r.maxNameChars(), Reader::indexed(key, i));
        ChatMessage message;
        if (!readChat(entry, entryReader, &message))
            return false;
        m.messages.append(message);
    }
    return true;
}

bool readHistory(Reader &r, DecodedServerMessage *result, int maxMessages)
{
    ServerMessage &m = result->message;
    QJsonArray list;
    if (!(r.string("with", 2 * r.maxNameChars(), Text::Any, &m.with, true) &&
          r.boolean("more", &m.more, true) && r.array("messages", maxMessages, &list, true)))
        return false;
    // "" is the room, "*" everything visible, anything else the name of a conversation.
    if (!m.with.isEmpty() && m.with != QLatin1String("*")) {
        if (const Error e = checkName(m.with, r.maxNameChars()); e != Error::None)
            return r.fail(e, QStringLiteral("with"));
    }
    return readMessageList(r, result, "messages", list);
}

bool readSearch(Reader &r, DecodedServerMessage *result)
{
    ServerMessage &m = result->message;
    QJsonArray list;
    // The text as the server read it (simplified), so at most what a request may hold.
    if (!(r.string("text", 4 * ProtocolLimits::kMaxSearchChars, Text::Any, &m.searchText, true) &&
          r.boolean("more", &m.more, true) &&
          r.array("hits", ProtocolLimits::kMaxSearchHits, &list, true) &&
          r.integer("before", 1, ServerMessageDecoder::kMaxSafeInteger, &m.nextBefore, m.more)))
        return false;
    return readMessageList(r, result, "hits", list);
}

bool readDevices(Reader &r, DecodedServerMessage *result)
{
    constexpr qint64 safe = ServerMessageDecoder::kMaxSafeInteger;
    QJsonArray list;
    if (!r.array("devices", ServerMessageDecoder::kMaxDevices, &list, true))
        return false;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonValue v = list.at(i);
        if (!v.isObject())
            return r.fail(Error::WrongType, Reader::indexed("devices", i));
        const QJsonObject entry = v.toObject();
        Reader d(entry, result, r.maxNameChars(), Reader::indexed("devices", i));
        DeviceInfo device;
        if (!(d.integer("id", 1, safe, &device.id) &&
              d.string("label", AuthPolicy::kMaxDeviceChars, Text::NoControls, &device.label,
                       true) &&
              d.integer("created", 0, safe, &device.createdMs) &&
              d.integer("last_used", 0, safe, &device.lastUsedMs) &&
              d.boolean("current", &device.current)))
            return false;
        result->message.devices.append(device);
    }
    return true;
}

bool readReceipt(Reader &r, ReceiptInfo *out)
{
    constexpr qint64 safe = ServerMessageDecoder::kMaxSafeInteger;
    if (!(r.name("with", &out->with, true) && r.integer("delivered", 0, safe, &out->delivered) &&
          r.integer("read", 0, safe, &out->read)))
        return false;
    // Read implies delivered; a server that says otherwise is believed for the read part.
    out->delivered = std::max(out->delivered, out->read);
    return true;
}

bool readReceipts(Reader &r, DecodedServerMessage *result)
{
    QJsonArray list;
    if (!r.array("receipts", ProtocolLimits::kMaxReceipts, &list, true))
        return false;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonValue v = list.at(i);
        if (!v.isObject())
            return r.fail(Error::WrongType, Reader::indexed("receipts", i));
        const QJsonObject entry = v.toObject();
        Reader d(entry, result, r.maxNameChars(), Reader::indexed("receipts", i));
        ReceiptInfo receipt;
        if (!readReceipt(d, &receipt))
            return false;
        result->message.receipts.append(receipt);
    }
    return true;
}

bool readError(Reader &r, ServerMessage &m)
{
    if (!(r.string("code", kMaxCodeUnits, Text::Ascii, &m.codeName, true) &&
          r.string("content", ServerMessageDecoder::kMaxNoticeUnits, Text::Any, &m.text, true) &&
          r.boolean("fatal", &m.fatal) &&
          r.integer("retry_after", 0, kMaxRetryAfterSeconds, &m.retryAfterSeconds, false)))
        return false;
    // A code this client does not know yet is still an error, just not one it can name.
    m.code = errorCodeFromName(m.codeName);
    return true;
}

bool readCall(Reader &r, ServerMessage &m)
{
    // The ack of an invite names the new call; 0 comes only in the call_busy that answers an
    // invite before a call was made (section 13). An invite must say who calls.
    // A media state is about a running call and whose it is: both must be there.
    const bool media = m.type == Type::CallMedia;
    return r.integer("call", m.type == Type::CallAck || media ? 1 : 0, 0xFFFFFFFFLL, &m.callId) &&
           r.name("from", &m.from, m.type == Type::CallInvite || media) &&
           r.name("to", &m.to, m.type == Type::CallAck) &&
           r.words("media", kMaxMedia, kMaxCodecUnits, &m.media) &&
           r.words("codecs", kMaxCodecs, kMaxCodecUnits, &m.codecs) &&
           r.string("reason", kMaxReasonUnits, Text::Any, &m.reason, false);
}

// The fields of a message whose type is known.
bool readFields(const QJsonObject &o, Reader &r, DecodedServerMessage *result, int maxMessages)
{
    ServerMessage &m = result->message;
    constexpr qint64 safe = ServerMessageDecoder::kMaxSafeInteger;
    switch (m.type) {
    case Type::Unknown:
    case Type::Pong:
        return true;
    case Type::Handshake:
        return readHandshake(r, m);
    case Type::Login:
    case Type::Logout:
        return readLogin(r, m);
    case Type::Presence:
        return readPresence(r, m);
    case Type::Chat:
        return readChat(o, r, &m.message);
    case Type::Update: {
        // The changed message, whole (docs/protocol.md section 5.5); read by the chat rules.
        QJsonObject changed;
        if (!r.object("message", &changed, true))
            return false;
        Reader inner(changed, result, r.maxNameChars(), QStringLiteral("message"));
        return readChat(changed, inner, &m.message) && m.message.seq > 0;
    }
    case Type::Reaction: {
        QJsonArray list;
        if (!(r.integer("seq", 1, safe, &m.message.seq) && r.name("by", &m.from, true) &&
              r.string("emoji", ChatMessage::kMaxEmojiUnits, Text::NoControls, &m.emoji, true) &&
              r.boolean("added", &m.added, true) &&
              r.array("reactions", ChatMessage::kMaxReactionKinds, &list, true)))
            return false;
        const std::optional<QList<ChatMessage::Reaction>> reactions =
            ChatMessage::reactionsFromJson(list);
        if (!reactions)
            return r.fail(Error::WrongType, QStringLiteral("reactions"));
        m.message.reactions = *reactions;
        return true;
    }
    case Type::Receipt: {
        ReceiptInfo receipt;
        if (!readReceipt(r, &receipt))
            return false;
        m.receipts = {receipt};
        return true;
    }
    case Type::Receipts:
        return readReceipts(r, result);
    case Type::Ack:
        return r.integer("seq", 0, safe, &m.seq) && r.integer("ts", 0, safe, &m.timestampMs) &&
               r.boolean("duplicate", &m.duplicate);
    case Type::History:
        return readHistory(r, result, maxMessages);
    case Type::Search:
        return readSearch(r, result);
    case Type::Typing:
        return r.name("from", &m.from, true) && r.boolean("state", &m.typing, true) &&
               r.name("to", &m.to, false);
    case Type::Error:
        return readError(r, m);
    case Type::System:
        return r.string("content", ServerMessageDecoder::kMaxNoticeUnits, Text::Any, &m.text, true);
    case Type::PasswordChanged:
        return r.integer("revoked", 0, kMaxCount, &m.count);
    case Type::Devices:
        return readDevices(r, result);
    case Type::DeviceRevoked:
        return r.integer("count", 0, kMaxCount, &m.count);
    case Type::InviteCreated:
        return r.string("code", AuthPolicy::kMaxInviteChars, Text::Ascii, &m.inviteCode, true) &&
               r.integer("uses", 0, kMaxCount, &m.inviteUses) &&
               r.integer("expires", 0, safe, &m.inviteExpiresMs);
    case Type::CallAck:
    case Type::CallInvite:
    case Type::CallRinging:
    case Type::CallAccept:
    case Type::CallReject:
    case Type::CallBusy:
    case Type::CallCancel:
    case Type::CallHangup:
    case Type::CallKeyframe:
    case Type::CallTimeout:
    case Type::CallMedia:
        return readCall(r, m);
    case Type::CallReport: {
        // Bounded like the server checks it; one figure out of bounds and the whole report
        // is not believed (the sender's estimate must not follow a broken peer).
        if (!r.integer("call", 1, 0xFFFFFFFFLL, &m.callId) || !r.name("from", &m.from, true))
            return false;
        const std::optional<CallReport> report = CallReport::read(o);
        if (!report)
            return r.fail(Error::OutOfRange, QStringLiteral("report"));
        m.report = *report;
        return true;
    }
    }
    return true;
}

Type typeOf(const QString &name, const QJsonObject &o)
{
    static const QHash<QString, Type> types{
        {QStringLiteral("handshake"), Type::Handshake},
        {QStringLiteral("login"), Type::Login},
        {QStringLiteral("logout"), Type::Logout},
        {QStringLiteral("presence"), Type::Presence},
        {QStringLiteral("user"), Type::Chat},
        {QStringLiteral("update"), Type::Update},
        {QStringLiteral("reaction"), Type::Reaction},
        {QStringLiteral("receipt"), Type::Receipt},
        {QStringLiteral("receipts"), Type::Receipts},
        {QStringLiteral("ack"), Type::Ack},
        {QStringLiteral("history"), Type::History},
        {QStringLiteral("typing"), Type::Typing},
        {QStringLiteral("pong"), Type::Pong},
        {QStringLiteral("error"), Type::Error},
        {QStringLiteral("system"), Type::System},
        {QStringLiteral("password_changed"), Type::PasswordChanged},
        {QStringLiteral("devices"), Type::Devices},
        {QStringLiteral("device_revoked"), Type::DeviceRevoked},
        {QStringLiteral("invite"), Type::InviteCreated},
        {QStringLiteral("search"), Type::Search},
        {QStringLiteral("call_invite"), Type::CallInvite},
        {QStringLiteral("call_ringing"), Type::CallRinging},
        {QStringLiteral("call_accept"), Type::CallAccept},
        {QStringLiteral("call_reject"), Type::CallReject},
        {QStringLiteral("call_busy"), Type::CallBusy},
        {QStringLiteral("call_cancel"), Type::CallCancel},
        {QStringLiteral("call_hangup"), Type::CallHangup},
        {QStringLiteral("call_keyframe"), Type::CallKeyframe},
        {QStringLiteral("call_timeout"), Type::CallTimeout},
        {QStringLiteral("call_media"), Type::CallMedia},
        {QStringLiteral("call_report"), Type::CallReport},
    };
    const Type type = types.value(name, Type::Unknown);
    // An ack of a call invite carries the call instead of a seq; a system message with a code
    // is an error in the seed form (section 11.1).
    if (type == Type::Ack && o.contains(QLatin1String("call")))
        return Type::CallAck;
    if (type == Type::System && o.contains(QLatin1String("code")))
        return Type::Error;
    return type;
}

} // namespace

QString DecodedServerMessage::errorText() const
{
    const char *what = "";
    switch (error) {
    case Error::None:
        return {};
    case Error::TooLarge:
        what = "too large";
        break;
    case Error::NotJson:
        what = "not JSON";
        break;
    case Error::NotObject:
        what = "not a JSON object";
        break;
    case Error::MissingField:
        what = "missing field";
        break;
    case Error::WrongType:
        what = "wrong type";
        break;
    case Error::OutOfRange:
        what = "out of range";
        break;
    case Error::TooLong:
        what = "too long";
        break;
    case Error::TooMany:
        what = "too many entries";
        break;
    case Error::BadValue:
        what = "invalid value";
        break;
    }
    return field.isEmpty() ? QString::fromLatin1(what)
                           : QStringLiteral("%1: %2").arg(QLatin1String(what), field);
}

ServerMessageDecoder::ServerMessageDecoder(const ProtocolLimits &limits) : m_limits(limits)
{
    m_limits.maxNameChars = std::clamp(m_limits.maxNameChars, 1, kMaxNameCharsCeiling);
    m_limits.historyPageMax = std::clamp(m_limits.historyPageMax, 1, kMaxHistoryPageCeiling);
    m_limits.historyBytes = std::clamp<qint64>(m_limits.historyBytes, 1, kMaxBytesCeiling);
    m_limits.maxMessageBytes = std::clamp<qint64>(m_limits.maxMessageBytes, 1, kMaxBytesCeiling);

    // One name in a JSON list: up to 4 bytes of UTF-8 per code point, quotes and a comma.
    const qint64 name = 4 * qint64(m_limits.maxNameChars) + 3;
    // A presence batch has three lists (joined, left, guests), a login confirmation two.
    const qint64 lists = 3 * qint64(kMaxUsers) * name;
    // A history page holds about history_bytes of text: the page ends before the message that
    // would pass it, so at most one message (message_bytes) more. Escapes make JSON text up to
    // 6 times as long as the text (\u0001). Each message adds its keys, numbers, id and names.
    const qint64 relay = 512 + 6 * ProtocolLimits::kMaxIdChars + (2 + kMaxMentions) * name;
    const qint64 page = 6 * (m_limits.historyBytes + m_limits.maxMessageBytes) +
                        qint64(m_limits.historyPageMax) * relay;
    m_maxMessageBytes = std::min(kMaxMessageBytesCeiling, std::max(lists, page) + 65536);
}

DecodedServerMessage ServerMessageDecoder::decode(QByteArrayView utf8) const
{
    DecodedServerMessage result;
    if (utf8.size() > m_maxMessageBytes) {
        result.error = Error::TooLarge;
        return result;
    }
    // Parsed in place: a history page is not copied just to be read.
    QJsonParseError parseError;
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray::fromRawData(utf8.data(), utf8.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        result.error = Error::NotJson;
        return result;
    }
    if (!doc.isObject()) {
        result.error = Error::NotObject;
        return result;
    }
    const QJsonObject o = doc.object();
    Reader r(o, &result, m_limits.maxNameChars);
    ServerMessage &m = result.message;
    if (r.string("type", kMaxTypeUnits, Text::Ascii, &m.typeName, true)) {
        m.type = typeOf(m.typeName, o);
        // Of a type this client does not know nothing else is read: its fields may be anything.
        // Every known message's "id" is the id of a request or of a chat message (section 16).
        if (m.type != Type::Unknown &&
            r.string("id", ProtocolLimits::kMaxIdChars, Text::Ascii, &m.ref, m.type == Type::Ack))
            readFields(o, r, &result, m_limits.historyPageMax);
    }
    if (!result.ok())
        result.message = ServerMessage{}; // nothing half-read is handed on
    return result;
}
