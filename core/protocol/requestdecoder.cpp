#include "protocol/requestdecoder.h"

#include "protocol/authpolicy.h"
#include "protocol/chatmessage.h"
#include "protocol/emojitext.h"
#include "protocol/filemessages.h"
#include "protocol/namerules.h"
#include "protocol/textrules.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

bool isValidId(const QString &id)
{
    if (id.isEmpty() || id.size() > ProtocolLimits::kMaxIdChars)
        return false;
    for (QChar c : id) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7E)
            return false;
    }
    return true;
}

// A JSON number that is a whole number in range, or the fallback when absent.
bool readInteger(const QJsonObject &o, QLatin1String key, qint64 min, qint64 max, qint64 *out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    // The range first: converting a double that qint64 cannot hold is undefined behaviour.
    if (d < double(min) || d > double(max) || d != double(qint64(d)))
        return false;
    *out = qint64(d);
    return true;
}

// Optional string field: absent is fine, present must be a string.
bool readString(const QJsonObject &o, QLatin1String key, QString *out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    if (!v.isString())
        return false;
    *out = v.toString();
    return true;
}

// A short free-text label (a device name): no control characters, at most maxChars.
bool readLabel(const QJsonObject &o, QLatin1String key, int maxChars, QString *out)
{
    if (!readString(o, key, out) || out->size() > maxChars)
        return false;
    for (QChar c : *out) {
        if (c.unicode() < 0x20 || (c.unicode() >= 0x7F && c.unicode() < 0xA0))
            return false;
    }
    return true;
}

// Secrets the client shows us (tokens, invite codes): printable ASCII, bounded.
bool readAsciiSecret(const QJsonObject &o, QLatin1String key, int maxChars, QString *out)
{
    if (!readString(o, key, out) || out->size() > maxChars)
        return false;
    for (QChar c : *out) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7E)
            return false;
    }
    return true;
}

bool readPassword(const QJsonObject &o, QLatin1String key, QString *out)
{
    return readString(o, key, out) && out->size() <= AuthPolicy::kMaxPasswordChars;
}

} // namespace

DecodedRequest RequestDecoder::decode(QByteArrayView utf8) const
{
    DecodedRequest result;
    if (utf8.size() > m_limits.maxMessageBytes) {
        result.error = ErrorCode::TooLarge;
        return result;
    }
    if (!utf8.isValidUtf8()) {
        result.error = ErrorCode::BadUtf8;
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(utf8.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        result.error = ErrorCode::BadJson;
        return result;
    }
    const QJsonObject o = doc.object();

    // The id is read first so that every later error can refer to the request.
    const QJsonValue id = o.value(QLatin1String("id"));
    if (id.isString() && isValidId(id.toString()))
        result.ref = id.toString();
    qint64 version = 0;
    if (!readInteger(o, QLatin1String("version"), 1, 1000000, &version)) {
        result.error = ErrorCode::BadShape;
        return result;
    }
    result.version = int(version);

    const QJsonValue typeValue = o.value(QLatin1String("type"));
    if (!typeValue.isString()) {
        result.error = ErrorCode::BadShape;
        return result;
    }
    if (!id.isUndefined() && result.ref.isEmpty()) {
        result.error = ErrorCode::BadId;
        return result;
    }

    ClientRequest &r = result.request;
    r.ref = result.ref;
    r.version = result.version;
    const QString type = typeValue.toString();
    ErrorCode error = ErrorCode::None;
    if (type == QLatin1String("login")) {
        error = decodeLogin(o, r);
    } else if (type == QLatin1String("user")) {
        error = decodeChat(o, r);
    } else if (type == QLatin1String("logout")) {
        r.type = ClientRequest::Type::Logout;
    } else if (type == QLatin1String("history")) {
        error = decodeHistory(o, r);
    } else if (type == QLatin1String("search")) {
        error = decodeSearch(o, r);
    } else if (type == QLatin1String("edit")) {
        r.type = ClientRequest::Type::Edit;
        error = decodeChange(o, r);
    } else if (type == QLatin1String("delete")) {
        r.type = ClientRequest::Type::Delete;
        error = decodeChange(o, r);
    } else if (type == QLatin1String("react") || type == QLatin1String("unreact")) {
        r.type = type == QLatin1String("react") ? ClientRequest::Type::React
                                                : ClientRequest::Type::Unreact;
        error = decodeReaction(o, r);
    } else if (type == QLatin1String("delivered") || type == QLatin1String("read")) {
        r.type = ClientRequest::Type::Receipt;
        r.receiptRead = type == QLatin1String("read");
        error = decodeReceipt(o, r);
    } else if (type == QLatin1String("receipts")) {
        r.type = ClientRequest::Type::Receipts;
    } else if (type == QLatin1String("typing")) {
        error = decodeTyping(o, r);
    } else if (type == QLatin1String("ping")) {
        r.type = ClientRequest::Type::Ping;
    } else if (type == QLatin1String("register")) {
        error = decodeRegister(o, r);
    } else if (type == QLatin1String("password_change")) {
        r.type = ClientRequest::Type::ChangePassword;
        if (!readPassword(o, QLatin1String("old"), &r.oldPassword) ||
            !readPassword(o, QLatin1String("password"), &r.password) || r.password.isEmpty())
            error = ErrorCode::BadRequest;
    } else if (type == QLatin1String("devices")) {
        r.type = ClientRequest::Type::Devices;
    } else if (type == QLatin1String("device_revoke")) {
        r.type = ClientRequest::Type::RevokeDevice;
        const QJsonValue all = o.value(QLatin1String("all"));
        if (!all.isUndefined() && !all.isBool())
            error = ErrorCode::BadRequest;
        r.allDevices = all.toBool(false);
        if (error == ErrorCode::None &&
            (!readInteger(o, QLatin1String("device"), 1, std::numeric_limits<qint64>::max() / 2,
                          &r.deviceId) ||
             (r.deviceId == 0) == !r.allDevices))
            error = ErrorCode::BadRequest; // exactly one of "device" and "all"
    } else if (type == QLatin1String("sign_out")) {
        r.type = ClientRequest::Type::SignOut;
    } else if (type == QLatin1String("invite_create")) {
        r.type = ClientRequest::Type::CreateInvite;
        qint64 uses = r.inviteUses;
        qint64 days = r.inviteDays;
        if (!readInteger(o, QLatin1String("uses"), 1, 1000, &uses) ||
            !readInteger(o, QLatin1String("days"), 1, 365, &days))
            error = ErrorCode::BadRequest;
        r.inviteUses = int(uses);
        r.inviteDays = int(days);
    } else if (FileMessages::isFileRequest(type)) {
        error = FileMessages::decode(type, o, m_limits, r);
    } else if (type.startsWith(QLatin1String("call_")) && type.size() <= 32) {
        error = decodeCall(type, o, r);
    } else {
        error = ErrorCode::UnknownType;
    }
    result.error = error;
    return result;
}

ErrorCode RequestDecoder::decodeName(const QJsonObject &o, ClientRequest &r) const
{
    const QJsonValue name = o.value(QLatin1String("content"));
    if (!name.isString())
        return ErrorCode::BadShape;
    // A long string is refused before it is normalised. One spelling is kept: precomposed
    // and decomposed "José" are one name, stored and shown in NFC.
    r.name = name.toString();
    if (r.name.size() <= 4 * m_limits.maxNameChars)
        r.name = r.name.normalized(QString::NormalizationForm_C);
    return ErrorCode::None;
}

ErrorCode RequestDecoder::decodeLogin(const QJsonObject &o, ClientRequest &r) const
{
    r.type = ClientRequest::Type::Login;
    if (const ErrorCode e = decodeName(o, r); e != ErrorCode::None)
        return e;
    if (!readString(o, QLatin1String("session"), &r.session) || r.session.size() > 64 ||
        !readPassword(o, QLatin1String("password"), &r.password) ||
        !readAsciiSecret(o, QLatin1String("token"), AuthPolicy::kMaxTokenChars, &r.token) ||
        !readLabel(o, QLatin1String("device"), AuthPolicy::kMaxDeviceChars, &r.device) ||
        (!r.password.isEmpty() && !r.token.isEmpty()))
        return ErrorCode::BadShape;
    return NameRules::check(r.name, m_limits.maxNameChars);
}

ErrorCode RequestDecoder::decodeRegister(const QJsonObject &o, ClientRequest &r) const
{
    r.type = ClientRequest::Type::Register;
    if (const ErrorCode e = decodeName(o, r); e != ErrorCode::None)
        return e;
    if (!readPassword(o, QLatin1String("password"), &r.password) ||
        !readAsciiSecret(o, QLatin1String("invite"), AuthPolicy::kMaxInviteChars, &r.invite) ||
        !readLabel(o, QLatin1String("device"), AuthPolicy::kMaxDeviceChars, &r.device))
        return ErrorCode::BadShape;
    return NameRules::check(r.name, m_limits.maxNameChars);
}

ErrorCode RequestDecoder::decodeChat(const QJsonObject &o, ClientRequest &r) const
{
    r.type = ClientRequest::Type::Chat;
    const QJsonValue content = o.value(QLatin1String("content"));
    if (!content.isString())
        return ErrorCode::BadShape;
    r.content = content.toString();
    // Windows line ends are ordinary text; store one form.
    r.content.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    if (const ErrorCode e = TextRules::check(r.content, m_limits.maxTextChars);
        e != ErrorCode::None)
        return e;
    if (!readString(o, QLatin1String("to"), &r.to) ||
        !readInteger(o, QLatin1String("reply_to"), 1, std::numeric_limits<qint64>::max() / 2,
                     &r.replyTo))
        return ErrorCode::BadShape;
    // "to":"" says "the room" outright: "@carol welcome" is then a public mention. Without
    // `to` (the seed page never sends one) a leading "@name " makes the message private.
    const bool roomSaid = o.contains(QLatin1String("to")) && r.to.isEmpty();
    if (!r.to.isEmpty()) {
        if (NameRules::check(r.to, m_limits.maxNameChars) != ErrorCode::None)
            return ErrorCode::BadRecipient;
    } else if (!roomSaid) {
        r.to = TextRules::privateTarget(r.content, m_limits.maxNameChars);
    }
    return ErrorCode::None;
}

ErrorCode RequestDecoder::decodeChange(const QJsonObject &o, ClientRequest &r) const
{
    // The seq of a stored message: required, a whole number from 1 on.
    if (!o.contains(QLatin1String("seq")) ||
        !readInteger(o, QLatin1String("seq"), 1, std::numeric_limits<qint64>::max() / 2, &r.seq))
        return ErrorCode::BadShape;
    if (r.type != ClientRequest::Type::Edit)
        return ErrorCode::None;
    // The new text follows the rules of a new message (section 5.1).
    const QJsonValue content = o.value(QLatin1String("content"));
    if (!content.isString())
        return ErrorCode::BadShape;
    r.content = content.toString();
    r.content.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    return TextRules::check(r.content, m_limits.maxTextChars);
}

ErrorCode RequestDecoder::decodeReaction(const QJsonObject &o, ClientRequest &r) const
{
    if (!o.contains(QLatin1String("seq")) ||
        !readInteger(o, QLatin1String("seq"), 1, std::numeric_limits<qint64>::max() / 2, &r.seq))
        return ErrorCode::BadShape;
    const QJsonValue emoji = o.value(QLatin1String("emoji"));
    if (!emoji.isString())
        return ErrorCode::BadShape;
    // Bounded before ICU looks at it; one spelling (NFC) is stored and counted.
    if (emoji.toString().size() > ChatMessage::kMaxEmojiUnits)
        return ErrorCode::BadEmoji;
    r.emoji = emoji.toString().normalized(QString::NormalizationForm_C);
    if (!EmojiText::isSingleEmoji(r.emoji))
        return ErrorCode::BadEmoji;
    return ErrorCode::None;
}

ErrorCode RequestDecoder::decodeReceipt(const QJsonObject &o, ClientRequest &r) const
{
    // Up to where: a whole number from 1 on (whether there is such a message is the store's).
    if (!o.contains(QLatin1String("seq")) ||
        !readInteger(o, QLatin1String("seq"), 1, std::numeric_limits<qint64>::max() / 2, &r.seq))
        return ErrorCode::BadShape;
    // Whose messages: the other party of the private conversation, a valid name.
    const QJsonValue with = o.value(QLatin1String("with"));
    if (!with.isString() || with.toString().size() > 4 * m_limits.maxNameChars)
        return ErrorCode::BadRecipient;
    r.with = with.toString().normalized(QString::NormalizationForm_C);
    if (NameRules::check(r.with, m_limits.maxNameChars) != ErrorCode::None)
        return ErrorCode::BadRecipient;
    return ErrorCode::None;
}

ErrorCode RequestDecoder::decodeHistory(const QJsonObject &o, ClientRequest &r) const
{
    r.type = ClientRequest::Type::History;
    qint64 limit = 50;
    if (!readString(o, QLatin1String("with"), &r.with) ||
        !readInteger(o, QLatin1String("before"), 0, std::numeric_limits<qint64>::max() / 2,
                     &r.before) ||
        !readInteger(o, QLatin1String("after"), 0, std::numeric_limits<qint64>::max() / 2,
                     &r.after) ||
        !readInteger(o, QLatin1String("limit"), 1, m_limits.historyPageMax, &limit)) {
        return ErrorCode::BadHistoryRequest;
    }
    r.limit = int(limit);
    if (!r.with.isEmpty() && r.with != QLatin1String("*") &&
        NameRules::check(r.with, m_limits.maxNameChars) != ErrorCode::None) {
        return ErrorCode::BadHistoryRequest;
    }
    return ErrorCode::None;
}

ErrorCode RequestDecoder::decodeSearch(const QJsonObject &o, ClientRequest &r) const
{
    r.type = ClientRequest::Type::Search;
    qint64 limit = ProtocolLimits::kDefaultSearchHits;
    const QJsonValue text = o.value(QLatin1String("text"));
    if (!text.isString() ||
        !readInteger(o, QLatin1String("before"), 0, std::numeric_limits<qint64>::max() / 2,
                     &r.before) ||
        !readInteger(o, QLatin1String("limit"), 1, ProtocolLimits::kMaxSearchHits, &limit))
        return ErrorCode::BadSearchRequest;
    r.limit = int(limit);
    // Runs of white space are one gap between words: "a  b" and " a b " are the same search.
    // A long string is refused before it is copied.
    if (text.toString().size() > 4 * ProtocolLimits::kMaxSearchChars)
        return ErrorCode::BadSearchRequest;
    r.query = text.toString().simplified();
    // The message rules (no control characters, bidi overrides, unpaired surrogates) and a
    // bound that keeps the search cheap: 100 code points in at most 8 words.
    if (TextRules::check(r.query, ProtocolLimits::kMaxSearchChars) != ErrorCode::None ||
        r.query.count(QLatin1Char(' ')) >= ProtocolLimits::kMaxSearchWords)
        return ErrorCode::BadSearchRequest;
    return ErrorCode::None;
}

ErrorCode RequestDecoder::decodeCall(const QString &type, const QJsonObject &o,
                                     ClientRequest &r) const
{
    using A = ClientRequest::CallAction;
    static const QHash<QString, A> actions{
        {QStringLiteral("call_invite"), A::Invite}, {QStringLiteral("call_ringing"), A::Ringing},
        {QStringLiteral("call_accept"), A::Accept}, {QStringLiteral("call_reject"), A::Reject},
        {QStringLiteral("call_busy"), A::Busy},     {QStringLiteral("call_cancel"), A::Cancel},
        {QStringLiteral("call_hangup"), A::Hangup}, {QStringLiteral("call_keyframe"), A::Keyframe},
        {QStringLiteral("call_media"), A::Media},   {QStringLiteral("call_report"), A::Report},
    };
    const auto it = actions.constFind(type);
    if (it == actions.cend()) {
        r.type = ClientRequest::Type::Reserved;
        r.reservedType = type;
        return ErrorCode::None;
    }
    r.type = ClientRequest::Type::Call;
    r.callAction = it.value();
    const QJsonValue media = o.value(QLatin1String("media"));
    if (!media.isUndefined()) {
        if (!media.isArray() || media.toArray().size() > 4)
            return ErrorCode::BadShape;
        for (const QJsonValue &m : media.toArray()) {
            const QString kind = m.toString();
            if (kind != QLatin1String("audio") && kind != QLatin1String("video"))
                return ErrorCode::BadShape;
            if (!r.media.contains(kind))
                r.media.append(kind);
        }
    }
    // Codec names are forwarded, not interpreted: short lowercase tokens, a handful of them.
    const QJsonValue codecs = o.value(QLatin1String("codecs"));
    if (!codecs.isUndefined()) {
        if (!codecs.isArray() || codecs.toArray().size() > 8)
            return ErrorCode::BadShape;
        for (const QJsonValue &c : codecs.toArray()) {
            const QString name = c.toString();
            if (name.isEmpty() || name.size() > 16)
                return ErrorCode::BadShape;
            for (QChar ch : name) {
                if (!((ch >= u'a' && ch <= u'z') || (ch >= u'0' && ch <= u'9') || ch == u'-'))
                    return ErrorCode::BadShape;
            }
            if (!r.codecs.contains(name))
                r.codecs.append(name);
        }
    }
    if (!readString(o, QLatin1String("reason"), &r.reason) || r.reason.size() > 64)
        return ErrorCode::BadShape;
    if (r.callAction == A::Invite) {
        if (!readString(o, QLatin1String("to"), &r.to))
            return ErrorCode::BadShape;
        if (NameRules::check(r.to, m_limits.maxNameChars) != ErrorCode::None)
            return ErrorCode::BadRecipient;
        if (r.media.isEmpty())
            r.media = QStringList{QStringLiteral("audio")};
        return ErrorCode::None;
    }
    qint64 call = 0;
    if (!readInteger(o, QLatin1String("call"), 1, 0xFFFFFFFFLL, &call) || call == 0)
        return ErrorCode::BadCall;
    r.callId = quint32(call);
    if (r.callAction == A::Report) {
        // Every figure is required and bounded: the server relays nothing it has not checked.
        const std::optional<CallReport> report = CallReport::read(o);
        if (!report)
            return ErrorCode::BadShape;
        r.report = *report;
    }
    return ErrorCode::None;
}

ErrorCode RequestDecoder::decodeTyping(const QJsonObject &o, ClientRequest &r) const
{
    r.type = ClientRequest::Type::Typing;
    const QJsonValue state = o.value(QLatin1String("state"));
    if (!state.isUndefined() && !state.isBool())
        return ErrorCode::BadShape;
    r.typing = state.toBool(true);
    if (!readString(o, QLatin1String("to"), &r.to))
        return ErrorCode::BadShape;
    if (!r.to.isEmpty() && NameRules::check(r.to, m_limits.maxNameChars) != ErrorCode::None)
        return ErrorCode::BadRecipient;
    return ErrorCode::None;
}
