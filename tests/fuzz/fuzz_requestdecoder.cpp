// RequestDecoder::decode reads every text message a client sends, before anything else on the
// server looks at it (docs/protocol.md). Besides crashes and undefined behaviour, this checks
// what the server relies on once a request is accepted, and that the client's own encoder and
// the server's relay encoder agree with the decoder about accepted requests.
#include "fuzzcheck.h"
#include "protocol/chatmessage.h"
#include "protocol/messageencoder.h"
#include "protocol/namerules.h"
#include "protocol/requestdecoder.h"
#include "protocol/textrules.h"

#include <QJsonDocument>

namespace {

using Type = ClientRequest::Type;

bool isValidName(const QString &name, const ProtocolLimits &limits)
{
    return NameRules::check(name, limits.maxNameChars) == ErrorCode::None;
}

bool isPrintableAscii(const QString &s, qsizetype maxChars)
{
    if (s.size() > maxChars)
        return false;
    for (QChar c : s) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7E)
            return false;
    }
    return true;
}

// What the server stores and shows for an accepted request.
void checkAccepted(const DecodedRequest &d, const ProtocolLimits &limits)
{
    const ClientRequest &r = d.request;
    FUZZ_REQUIRE(r.ref == d.ref && r.version == d.version);
    FUZZ_REQUIRE(r.ref.isEmpty() || isPrintableAscii(r.ref, ProtocolLimits::kMaxIdChars));
    FUZZ_REQUIRE(d.version >= 0 && d.version <= 1000000);
    switch (r.type) {
    case Type::Login:
    case Type::Register:
        // Stored and shown as accepted: the NFC spelling.
        FUZZ_REQUIRE(isValidName(r.name, limits) && NameRules::normalized(r.name) == r.name);
        FUZZ_REQUIRE(r.password.size() <= AuthPolicy::kMaxPasswordChars);
        FUZZ_REQUIRE(isPrintableAscii(r.token, AuthPolicy::kMaxTokenChars));
        FUZZ_REQUIRE(isPrintableAscii(r.invite, AuthPolicy::kMaxInviteChars));
        FUZZ_REQUIRE(r.device.size() <= AuthPolicy::kMaxDeviceChars);
        FUZZ_REQUIRE(r.session.size() <= 64);
        FUZZ_REQUIRE(r.password.isEmpty() || r.token.isEmpty());
        break;
    case Type::Chat:
        FUZZ_REQUIRE(TextRules::check(r.content, limits.maxTextChars) == ErrorCode::None);
        FUZZ_REQUIRE(!r.content.contains(QLatin1Char('\r')));
        FUZZ_REQUIRE(r.to.isEmpty() || isValidName(r.to, limits));
        break;
    case Type::History:
        FUZZ_REQUIRE(r.limit >= 1 && r.limit <= limits.historyPageMax);
        FUZZ_REQUIRE(r.before >= 0 && r.after >= 0);
        FUZZ_REQUIRE(r.with.isEmpty() || r.with == QLatin1String("*") ||
                     isValidName(r.with, limits));
        break;
    case Type::Typing:
        FUZZ_REQUIRE(r.to.isEmpty() || isValidName(r.to, limits));
        break;
    case Type::Search:
        // What the store looks up: 1..100 code points of message text, one space between
        // at most 8 words, a page of 1..50 hits.
        FUZZ_REQUIRE(TextRules::check(r.query, ProtocolLimits::kMaxSearchChars) == ErrorCode::None);
        FUZZ_REQUIRE(r.query == r.query.simplified());
        FUZZ_REQUIRE(r.query.count(QLatin1Char(' ')) < ProtocolLimits::kMaxSearchWords);
        FUZZ_REQUIRE(r.limit >= 1 && r.limit <= ProtocolLimits::kMaxSearchHits);
        FUZZ_REQUIRE(r.before >= 0);
        break;
    case Type::Call:
        FUZZ_REQUIRE(r.media.size() <= 2 && r.codecs.size() <= 8 && r.reason.size() <= 64);
        for (const QString &m : r.media)
            FUZZ_REQUIRE(m == QLatin1String("audio") || m == QLatin1String("video"));
        if (r.callAction == ClientRequest::CallAction::Invite)
            FUZZ_REQUIRE(isValidName(r.to, limits) && !r.media.isEmpty());
        else
            FUZZ_REQUIRE(r.callId != 0);
        break;
    case Type::Reserved:
        FUZZ_REQUIRE(r.reservedType.startsWith(QLatin1String("call_")));
        break;
    case Type::ChangePassword:
        FUZZ_REQUIRE(!r.password.isEmpty() && r.password.size() <= AuthPolicy::kMaxPasswordChars);
        FUZZ_REQUIRE(r.oldPassword.size() <= AuthPolicy::kMaxPasswordChars);
        break;
    case Type::RevokeDevice:
        FUZZ_REQUIRE((r.deviceId > 0) != r.allDevices);
        break;
    case Type::CreateInvite:
        FUZZ_REQUIRE(r.inviteUses >= 1 && r.inviteUses <= 1000);
        FUZZ_REQUIRE(r.inviteDays >= 1 && r.inviteDays <= 365);
        break;
    case Type::Logout:
    case Type::Ping:
    case Type::Devices:
    case Type::SignOut:
        break;
    }
}

// The desktop client writes requests with MessageEncoder; what the server accepted from a
// fuzzed spelling must also be accepted, unchanged, in the client's own spelling.
void checkClientEncoding(const RequestDecoder &decoder, const ClientRequest &r,
                         const ProtocolLimits &limits)
{
    QByteArray json;
    if (r.type == Type::Chat && !r.ref.isEmpty())
        json = MessageEncoder::chatRequest(r.content, r.ref, r.to);
    else if (r.type == Type::Login)
        json = MessageEncoder::signInRequest(r.name, r.password, r.token, r.device, r.session);
    else if (r.type == Type::Search)
        json = MessageEncoder::searchRequest(r.query, r.before, r.limit, r.ref);
    if (json.isEmpty() || json.size() > limits.maxMessageBytes)
        return; // the client's spelling may be longer than the fuzzer's (escapes)
    const DecodedRequest again = decoder.decode(json);
    FUZZ_REQUIRE(again.ok() && again.request.type == r.type);
    FUZZ_REQUIRE(again.request.content == r.content && again.request.to == r.to);
    FUZZ_REQUIRE(again.request.name == r.name && again.request.password == r.password);
    FUZZ_REQUIRE(again.request.token == r.token && again.request.device == r.device);
    FUZZ_REQUIRE(again.request.session == r.session);
    FUZZ_REQUIRE(again.request.query == r.query && again.request.before == r.before);
    FUZZ_REQUIRE(again.request.type != Type::Search || again.request.limit == r.limit);
}

// The relay of an accepted chat message, written by hand (MessageEncoder::chat), must read back
// in a client (ChatMessage::fromJson) as what was sent, HTML-escaped for seed receivers.
void checkRelay(const ClientRequest &r, const ProtocolLimits &limits)
{
    ChatMessage m;
    m.seq = 42;
    m.timestampMs = 1795655458483;
    m.from = QStringLiteral("bob");
    m.to = r.to;
    m.content = r.content;
    m.clientId = r.ref;
    if (m.to.isEmpty())
        m.mentions = TextRules::mentions(m.content, limits.maxNameChars);
    for (const Dialect dialect : {Dialect::Confab, Dialect::Seed}) {
        const QByteArray json = MessageEncoder::chat(m, dialect);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
        FUZZ_REQUIRE(error.error == QJsonParseError::NoError && doc.isObject());
        const std::optional<ChatMessage> back = ChatMessage::fromJson(doc.object());
        FUZZ_REQUIRE(back.has_value());
        auto shown = [dialect](const QString &s) {
            return dialect == Dialect::Seed ? TextRules::htmlEscaped(s) : s;
        };
        FUZZ_REQUIRE(back->content == shown(m.content) && back->to == shown(m.to));
        FUZZ_REQUIRE(back->clientId == shown(m.clientId) && back->from == m.from);
        FUZZ_REQUIRE(back->seq == m.seq && back->timestampMs == m.timestampMs);
        FUZZ_REQUIRE(back->mentions.size() == m.mentions.size());
        if (dialect == Dialect::Confab) {
            // The hand-written relay promises the bytes QJsonDocument would write.
            FUZZ_REQUIRE(json == QJsonDocument(m.toJson()).toJson(QJsonDocument::Compact));
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ProtocolLimits limits;
    static const RequestDecoder decoder(limits);
    const DecodedRequest d =
        decoder.decode(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!d.ok())
        return 0;
    checkAccepted(d, limits);
    checkClientEncoding(decoder, d.request, limits);
    if (d.request.type == Type::Chat)
        checkRelay(d.request, limits);
    return 0;
}
