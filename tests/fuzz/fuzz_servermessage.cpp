// What a client reads from a server (ClientSession::onText): the typed decoder of every
// server message (ServerMessageDecoder), under the default limits and under the limits the
// input itself announces; the handshake's limits and
// sign-in policy (ProtocolLimits::fromJson, AuthPolicy::fromJson), and chat messages, alone
// ("user") or in history pages (ChatMessage::fromJson). A client may be pointed at any server,
// so none of this may trust its input. Each message is also written back the two ways the
// server writes it, QJsonObject and the hand-written relay (MessageEncoder::chat), which must
// give the same bytes and read back as the same message.
#include "fuzzcheck.h"
#include "protocol/authpolicy.h"
#include "protocol/chatmessage.h"
#include "protocol/messageencoder.h"
#include "protocol/namerules.h"
#include "protocol/protocollimits.h"
#include "protocol/servermessagedecoder.h"
#include "protocol/textrules.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {

bool sameMessage(const ChatMessage &a, const ChatMessage &b)
{
    return a.seq == b.seq && a.timestampMs == b.timestampMs && a.from == b.from && a.to == b.to &&
           a.content == b.content && a.clientId == b.clientId && a.mentions == b.mentions;
}

void checkChatMessage(const QJsonObject &object)
{
    const std::optional<ChatMessage> m = ChatMessage::fromJson(object);
    if (!m)
        return;
    const std::optional<ChatMessage> back = ChatMessage::fromJson(m->toJson());
    FUZZ_REQUIRE(back && sameMessage(*back, *m));
    for (const bool seed : {false, true}) {
        const QByteArray written = QJsonDocument(m->toJson(seed)).toJson(QJsonDocument::Compact);
        const QByteArray relayed = MessageEncoder::chat(*m, seed ? Dialect::Seed : Dialect::Confab);
        FUZZ_REQUIRE(relayed == written);
    }
}

} // namespace

// What a decoded message promises, whatever the server sent.
void checkDecoded(const ServerMessageDecoder &decoder, QByteArrayView bytes)
{
    const DecodedServerMessage d = decoder.decode(bytes);
    if (!d.ok()) {
        FUZZ_REQUIRE(!d.errorText().isEmpty());
        return;
    }
    const ServerMessage &m = d.message;
    FUZZ_REQUIRE(bytes.size() <= decoder.maxMessageBytes());
    FUZZ_REQUIRE(m.users.size() <= ServerMessageDecoder::kMaxUsers &&
                 m.guests.size() <= ServerMessageDecoder::kMaxUsers &&
                 m.joined.size() <= ServerMessageDecoder::kMaxUsers &&
                 m.left.size() <= ServerMessageDecoder::kMaxUsers);
    FUZZ_REQUIRE(m.devices.size() <= ServerMessageDecoder::kMaxDevices);
    FUZZ_REQUIRE(m.seq >= 0 && m.seq <= ServerMessageDecoder::kMaxSafeInteger);
    FUZZ_REQUIRE(m.timestampMs >= 0 && m.timestampMs <= ServerMessageDecoder::kMaxSafeInteger);
    FUZZ_REQUIRE(m.retryAfterSeconds >= 0 && m.count >= 0);
    for (const ChatMessage &c : m.messages)
        FUZZ_REQUIRE(c.seq >= 0 && c.seq <= ServerMessageDecoder::kMaxSafeInteger);
    if (m.type == ServerMessage::Type::Handshake) {
        FUZZ_REQUIRE(m.limits.maxNameChars >= 0 && m.limits.historyPageMax >= 0);
        // A client builds its next decoder from these limits: it must still have a ceiling.
        FUZZ_REQUIRE(ServerMessageDecoder(m.limits).maxMessageBytes() <=
                     ServerMessageDecoder::kMaxMessageBytesCeiling);
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    static const ServerMessageDecoder defaultDecoder;
    checkDecoded(defaultDecoder, bytes);
    const QJsonObject o =
        QJsonDocument::fromJson(
            QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)))
            .object();

    // The handshake: a client checks its user's input against these before sending.
    const ProtocolLimits limits =
        ProtocolLimits::fromJson(o.value(QLatin1String("limits")).toObject());
    checkDecoded(ServerMessageDecoder(limits), bytes);
    FUZZ_REQUIRE(limits.maxNameChars >= 0 && limits.maxTextChars >= 0 &&
                 limits.historyPageMax >= 0);
    FUZZ_REQUIRE(limits.maxMessageBytes >= 0 && limits.maxMediaBytes >= 0);
    const QString content = o.value(QLatin1String("content")).toString();
    TextRules::privateTarget(content, limits.maxNameChars); // as ChatController does
    TextRules::check(content, limits.maxTextChars);
    NameRules::check(content, limits.maxNameChars);

    const AuthPolicy auth = AuthPolicy::fromJson(o.value(QLatin1String("auth")).toObject());
    const AuthPolicy again = AuthPolicy::fromJson(auth.toJson());
    FUZZ_REQUIRE(again.registration == auth.registration && again.guests == auth.guests);

    // A "user" message, and the messages of a "history" page.
    checkChatMessage(o);
    for (const QJsonValue &v : o.value(QLatin1String("messages")).toArray())
        checkChatMessage(v.toObject());
    return 0;
}
