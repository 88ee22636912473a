// ServerMessageDecoder: every server message of docs/protocol.md decodes with its fields, and
// anything else (not JSON, wrong types, missing fields, oversize messages, lists and strings
// over their bounds, numbers out of range) comes back as an error naming the field: never a
// wrong value, a conversion the field cannot hold, or a crash.
#include "protocol/messageencoder.h"
#include "protocol/servermessagedecoder.h"

#include <QJsonDocument>
#include <QTest>

#include <limits>

namespace {
using Type = ServerMessage::Type;
using Error = DecodedServerMessage::Error;

// A JSON list of n copies of one item.
QByteArray many(const QByteArray &item, qsizetype n)
{
    QByteArray list("[");
    list.reserve(n * (item.size() + 1) + 2);
    for (qsizetype i = 0; i < n; ++i) {
        if (i > 0)
            list += ',';
        list += item;
    }
    return list + ']';
}

// A JSON string of n copies of a character (given as UTF-8).
QByteArray text(const QByteArray &c, qsizetype n)
{
    return '"' + c.repeated(n) + '"';
}

// U+20000, a CJK letter outside the BMP: 4 bytes of UTF-8, 2 UTF-16 units, a name character.
const QByteArray kWide("\xF0\xA0\x80\x80");

const QByteArray kChatObject(
    R"({"content":"hi","from":"bob","id":"b-1","seq":2,"ts":1795655458483,"type":"user"})");

// An object completed from its head ("{...,\"key\":") and the last field's value.
QByteArray closed(const QByteArray &head, const QByteArray &value)
{
    return head + value + '}';
}

// A copy of json with one piece of it replaced.
QByteArray changed(QByteArray json, const QByteArray &before, const QByteArray &after)
{
    return json.replace(before, after);
}

// A search answer with `hits`, and more pages below seq 40.
QByteArray searchOf(const QByteArray &hits)
{
    return R"({"before":40,"hits":)" + hits +
           R"(,"id":"s-1","more":true,"text":"hi","type":"search"})";
}

QByteArray historyOf(const QByteArray &messages)
{
    return R"({"id":"h-1","messages":)" + messages + R"(,"more":false,"type":"history","with":""})";
}

QByteArray chatWith(const QByteArray &key, const QByteArray &value)
{
    return R"({"content":"hi","from":"bob","seq":2,"ts":1,"type":"user",")" + key + "\":" + value +
           '}';
}

// The chat message {"content":"hi","from":"bob","seq":2,"ts":1,...} with one piece replaced.
QByteArray chatChanged(const QByteArray &before, const QByteArray &after)
{
    return changed(chatWith("x", "0"), before, after);
}

QByteArray callWith(const QByteArray &key, const QByteArray &value)
{
    return R"({"call":7,"from":"alice","type":"call_invite",")" + key + "\":" + value + '}';
}

QByteArray devicesOf(const QByteArray &list)
{
    return R"({"devices":)" + list + R"(,"id":"dv-1","type":"devices"})";
}

const QByteArray kDevice(R"({"created":1,"id":7,"label":"laptop","last_used":2})");

QStringList names(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *n : list)
        out << QString::fromUtf8(n);
    return out;
}
} // namespace

class TestServerMessageDecoder : public QObject
{
    Q_OBJECT
private:
    ServerMessageDecoder m_decoder;

    // Decodes a message that must be valid; the test fails with the decoder's reason if not.
    bool decodeValid(const QByteArray &json, ServerMessage *out)
    {
        const DecodedServerMessage d = m_decoder.decode(json);
        if (!d.ok())
            qWarning().noquote() << "not decoded:" << d.errorText() << json.left(200);
        *out = d.message;
        return d.ok();
    }

private slots:
    // --- Every message of docs/protocol.md --------------------------------------------------

    void handshake()
    {
        ServerMessage m;
        QVERIFY(decodeValid(
            R"({"auth":{"guests":true,"password_chars":8,"registration":"invite"},"content":"done","limits":{"call_ring_seconds":30,"history_bytes":262144,"history_page":200,"id_chars":64,"media_burst":800,"media_bytes":262144,"media_packets_per_second":400,"message_bytes":16384,"name_chars":32,"rate_burst":40,"rate_per_second":20,"send_bytes_burst":65536,"send_bytes_per_second":16384,"text_chars":4000},"server":"Confab 0.1.0","type":"handshake","version":2})",
            &m));
        QCOMPARE(m.type, Type::Handshake);
        QCOMPARE(m.typeName, QStringLiteral("handshake"));
        QCOMPARE(m.version, 2);
        QCOMPARE(m.server, QStringLiteral("Confab 0.1.0"));
        QCOMPARE(m.limits.maxNameChars, 32);
        QCOMPARE(m.limits.maxTextChars, 4000);
        QCOMPARE(m.limits.historyPageMax, 200);
        // A server that says nothing of files keeps none (docs/protocol.md section 18).
        QCOMPARE(m.limits.maxFileBytes, qint64(0));
        QCOMPARE(m.auth.registration, AuthPolicy::Registration::Invite);
        QVERIFY(m.auth.guests);
        QVERIFY(!m.isCallEvent());
    }

    void handshakeLimitsAreTheServers()
    {
        // Not the defaults: what this server announces.
        ProtocolLimits limits;
        limits.maxTextChars = 1234;
        limits.maxMessageBytes = 9999;
        limits.historyPageMax = 77;
        limits.historyBytes = 5000;
        limits.ratePerSecond = 2.5;
        limits.callRingSeconds = 9;
        AuthPolicy auth;
        auth.registration = AuthPolicy::Registration::Open;
        auth.guests = false;
        ServerMessage m;
        QVERIFY(
            decodeValid(MessageEncoder::handshake(limits, QStringLiteral("Confab 9"), auth), &m));
        QCOMPARE(m.limits.maxTextChars, 1234);
        QCOMPARE(m.limits.maxMessageBytes, 9999);
        QCOMPARE(m.limits.historyPageMax, 77);
        QCOMPARE(m.limits.historyBytes, 5000);
        QCOMPARE(m.limits.maxFileBytes, ProtocolLimits().maxFileBytes);
        QCOMPARE(m.limits.fileChunkBytes, qint64(65536));
        QCOMPARE(m.limits.fileWindowBytes, qint64(1048576));
        QCOMPARE(m.limits.ratePerSecond, 2.5);
        QCOMPARE(m.limits.callRingSeconds, 9);
        QCOMPARE(m.auth.registration, AuthPolicy::Registration::Open);
        QVERIFY(!m.auth.guests);
        QCOMPARE(m.server, QStringLiteral("Confab 9"));
    }

    void handshakeSaysWhetherTheServerIsOneOfSeveralNodes()
    {
        ServerMessage m;
        QVERIFY(decodeValid(MessageEncoder::handshake({}, QStringLiteral("Confab 9")), &m));
        QVERIFY(!m.severalNodes);
        QVERIFY(
            decodeValid(MessageEncoder::handshake({}, QStringLiteral("Confab 9"), {}, true), &m));
        QVERIFY(m.severalNodes);
        // A word this client does not know is one process, as before; a wrong type is refused.
        QVERIFY(decodeValid(
            R"({"content":"done","limits":{},"nodes":"many","type":"handshake","version":3})", &m));
        QVERIFY(!m.severalNodes);
        const DecodedServerMessage bad = m_decoder.decode(
            R"({"content":"done","limits":{},"nodes":2,"type":"handshake","version":3})");
        QCOMPARE(bad.error, DecodedServerMessage::Error::WrongType);
    }

    // Whether the server discards probe packets (docs/protocol.md 12): ours says so; an older
    // one says nothing, and then a client must not send them (they would reach the far end).
    void handshakeSaysWhetherProbesAreDiscarded()
    {
        ServerMessage m;
        QVERIFY(decodeValid(MessageEncoder::handshake({}, QStringLiteral("Confab 9")), &m));
        QVERIFY(m.mediaProbes);
        QVERIFY(
            decodeValid(R"({"content":"done","limits":{},"type":"handshake","version":2})", &m));
        QVERIFY(!m.mediaProbes);
        const DecodedServerMessage bad = m_decoder.decode(
            R"({"content":"done","limits":{},"media_probes":"yes","type":"handshake","version":2})");
        QCOMPARE(bad.error, DecodedServerMessage::Error::WrongType);
    }

    void versionOneHandshakeHasNoAccounts()
    {
        ServerMessage m;
        QVERIFY(decodeValid(
            R"({"content":"done","limits":{"name_chars":32},"server":"Confab 0.0.9","type":"handshake","version":1})",
            &m));
        QCOMPARE(m.version, 1);
        QCOMPARE(m.auth.registration, AuthPolicy::Registration::Closed);
        QVERIFY(m.auth.guests);
    }

    void guestLoginConfirmation()
    {
        ServerMessage m;
        QVERIFY(decodeValid(
            R"({"account":false,"content":"bob","guests":["bob"],"online":2,"self":true,"session":"3dc861f1decd375560afb526e88290f7","ts":1795655458080,"type":"login","user_list":["alice","bob"]})",
            &m));
        QCOMPARE(m.type, Type::Login);
        QVERIFY(m.self);
        QVERIFY(!m.account);
        QVERIFY(!m.admin);
        QCOMPARE(m.name, QStringLiteral("bob"));
        QCOMPARE(m.users, names({"alice", "bob"}));
        QCOMPARE(m.guests, names({"bob"}));
        QCOMPARE(m.online, 2);
        QCOMPARE(m.timestampMs, 1795655458080);
        QCOMPARE(m.session, QStringLiteral("3dc861f1decd375560afb526e88290f7"));
        QVERIFY(m.token.isEmpty());
    }

    void accountLoginConfirmation()
    {
        ServerMessage m;
        QVERIFY(decodeValid(
            R"({"account":true,"admin":true,"content":"alice","guests":["bob"],"online":2,"self":true,"session":"15da64900aa554fc8b290cfe220761e9","token":"PwCC-GwiOEqpWGh_yVJ90jHOENLHjcG_9xrvyVKhl0s","token_id":7,"ts":1795655458604,"type":"login","user_list":["bob","alice"]})",
            &m));
        QVERIFY(m.account);
        QVERIFY(m.admin);
        QCOMPARE(m.token, QStringLiteral("PwCC-GwiOEqpWGh_yVJ90jHOENLHjcG_9xrvyVKhl0s"));
        QCOMPARE(m.tokenId, 7);
        QCOMPARE(m.users, names({"bob", "alice"}));
    }

    void seedLoginsAndLogout()
    {
        ServerMessage own;
        QVERIFY(decodeValid(
            R"({"content":"dana","online":3,"self":true,"ts":1795655459012,"type":"login","user_list":["bob","alice","dana"]})",
            &own));
        QVERIFY(own.self);
        QCOMPARE(own.users, names({"bob", "alice", "dana"}));
        QVERIFY(own.session.isEmpty());
        ServerMessage other;
        QVERIFY(decodeValid(
            R"({"content":"dana","online":3,"ts":1795655459012,"type":"login","user_list":["bob","alice","dana"]})",
            &other));
        QCOMPARE(other.type, Type::Login);
        QVERIFY(!other.self);
        QCOMPARE(other.name, QStringLiteral("dana"));
        ServerMessage logout;
        QVERIFY(decodeValid(
            R"({"content":"bob","online":2,"ts":1795655460905,"type":"logout","user_list":["dana","alice"]})",
            &logout));
        QCOMPARE(logout.type, Type::Logout);
        QCOMPARE(logout.name, QStringLiteral("bob"));
        QCOMPARE(logout.online, 2);
        QCOMPARE(logout.users, names({"dana", "alice"}));
    }

    void presence()
    {
        ServerMessage m;
        QVERIFY(decodeValid(
            R"({"guests":["Carol"],"joined":["Carol"],"left":["bob"],"online":2,"ts":1795655460503,"type":"presence"})",
            &m));
        QCOMPARE(m.type, Type::Presence);
        QCOMPARE(m.joined, names({"Carol"}));
        QCOMPARE(m.left, names({"bob"}));
        QCOMPARE(m.guests, names({"Carol"}));
        QCOMPARE(m.online, 2);
        QCOMPARE(m.timestampMs, 1795655460503);
        QVERIFY(decodeValid(
            R"({"joined":[],"left":["bob"],"online":2,"ts":1795655461006,"type":"presence"})", &m));
        QVERIFY(m.joined.isEmpty());
        QVERIFY(m.guests.isEmpty());
        // Names of any script, as the encoder writes them.
        const QStringList joined = names({"José", "小明", "\xF0\xA0\x80\x80x"});
        QVERIFY(decodeValid(MessageEncoder::presence(joined, {}, 3, 42, names({"小明"})), &m));
        QCOMPARE(m.joined, joined);
        QCOMPARE(m.guests, names({"小明"}));
    }

    void chatMessages()
    {
        ServerMessage m;
        QVERIFY(decodeValid(
            R"({"content":"hello alice & @carol","from":"bob","id":"b-1","mentions":["carol"],"seq":2,"ts":1795655458483,"type":"user"})",
            &m));
        QCOMPARE(m.type, Type::Chat);
        QCOMPARE(m.message.content, QStringLiteral("hello alice & @carol"));
        QCOMPARE(m.message.from, QStringLiteral("bob"));
        QCOMPARE(m.message.clientId, QStringLiteral("b-1"));
        QCOMPARE(m.message.mentions, names({"carol"}));
        QCOMPARE(m.message.seq, 2);
        QCOMPARE(m.message.timestampMs, 1795655458483);
        QVERIFY(!m.message.isPrivate());
        QVERIFY(decodeValid(
            R"({"content":"@alice are you the real alice?","from":"bob","id":"b-1","seq":2,"to":"alice","ts":1795655459524,"type":"user"})",
            &m));
        QCOMPARE(m.message.to, QStringLiteral("alice"));
        // The seed page sends no id.
        QVERIFY(decodeValid(
            R"({"content":"hi <b>all</b> @bob.","from":"dana","mentions":["bob"],"seq":1,"ts":1795655459320,"type":"user"})",
            &m));
        QVERIFY(m.message.clientId.isEmpty());
        QCOMPARE(m.message.content, QStringLiteral("hi <b>all</b> @bob."));
    }

    void chatRoundTripsThroughTheEncoder()
    {
        ChatMessage sent;
        sent.seq = (qint64(1) << 53) - 1; // the largest seq the protocol allows
        sent.timestampMs = 1795655458483;
        sent.from = QString::fromUtf8("小明");
        sent.to = QString::fromUtf8("José");
        sent.content = QString::fromUtf8("tab\there \"quoted\" \\ and 😀\nline two");
        sent.clientId = QStringLiteral("0192f4a1-8b2c-7d3e-9f01-23456789abcd");
        ServerMessage m;
        QVERIFY(decodeValid(MessageEncoder::chat(sent, Dialect::Confab), &m));
        QCOMPARE(m.message.seq, sent.seq);
        QCOMPARE(m.message.timestampMs, sent.timestampMs);
        QCOMPARE(m.message.from, sent.from);
        QCOMPARE(m.message.to, sent.to);
        QCOMPARE(m.message.content, sent.content);
        QCOMPARE(m.message.clientId, sent.clientId);
    }

    // Issue 13: a call entry's typed record, as the encoder writes it (the same bytes as
    // QJsonDocument's sorted keys) and the decoder reads it; seed receivers get the text alone,
    // and an outcome this client does not know leaves the entry as its text.
    void callEntries()
    {
        ChatMessage sent;
        sent.seq = 5120;
        sent.timestampMs = 1795655712483;
        sent.from = QStringLiteral("alice");
        sent.to = QStringLiteral("bob");
        sent.call = CallRecord{CallRecord::Outcome::Answered, false, 252000};
        sent.content = sent.call->plainText(sent.from);
        const QByteArray json = MessageEncoder::chat(sent, Dialect::Confab);
        QCOMPARE(
            json,
            QByteArray(
                R"({"call":{"duration_ms":252000,"outcome":"answered","video":false},"content":"Voice call, 4:12","from":"alice","seq":5120,"to":"bob","ts":1795655712483,"type":"user"})"));
        QCOMPARE(json, QJsonDocument(sent.toJson()).toJson(QJsonDocument::Compact));
        ServerMessage m;
        QVERIFY(decodeValid(json, &m));
        QVERIFY(m.message.call);
        QCOMPARE(*m.message.call, *sent.call);
        QVERIFY(!MessageEncoder::chat(sent, Dialect::Seed).contains("\"call\""));
        QVERIFY(decodeValid(
            R"({"call":{"outcome":"voicemail"},"content":"Voicemail from alice","from":"alice","seq":7,"to":"bob","ts":1,"type":"user"})",
            &m));
        QVERIFY(!m.message.call);
        QCOMPARE(m.message.content, QStringLiteral("Voicemail from alice"));
        const QByteArray notAnObject =
            R"({"call":"answered","content":"x","from":"alice","seq":7,"to":"bob","ts":1,"type":"user"})";
        QVERIFY(!m_decoder.decode(notAnObject).ok());
    }

    void acks()
    {
        ServerMessage m;
        QVERIFY(decodeValid(R"({"id":"b-1","seq":2,"ts":1795655458483,"type":"ack"})", &m));
        QCOMPARE(m.type, Type::Ack);
        QCOMPARE(m.ref, QStringLiteral("b-1"));
        QCOMPARE(m.seq, 2);
        QCOMPARE(m.timestampMs, 1795655458483);
        QVERIFY(!m.duplicate);
        QVERIFY(!m.isCallEvent());
        QVERIFY(decodeValid(
            R"({"duplicate":true,"id":"b-1","seq":2,"ts":1795655458483,"type":"ack"})", &m));
        QVERIFY(m.duplicate);
    }

    void callInviteAck()
    {
        ServerMessage m;
        QVERIFY(decodeValid(R"({"call":3141592653,"id":"c1","to":"bob","type":"ack"})", &m));
        QCOMPARE(m.type, Type::CallAck);
        QCOMPARE(m.typeName, QStringLiteral("ack"));
        QCOMPARE(m.callId, 3141592653u);
        QCOMPARE(m.to, QStringLiteral("bob"));
        QCOMPARE(m.ref, QStringLiteral("c1"));
        QVERIFY(m.isCallEvent());
        QVERIFY(decodeValid(MessageEncoder::callAck({}, 4294967295u, QStringLiteral("bob")), &m));
        QCOMPARE(m.callId, 4294967295u);
        QVERIFY(m.ref.isEmpty());
    }

    void historyPage()
    {
        ServerMessage m;
        QVERIFY(decodeValid(
            R"({"id":"h-1","messages":[{"content":"hi <b>all</b> @bob.","from":"dana","mentions":["bob"],"seq":1,"ts":1795655458282,"type":"user"},{"content":"hello alice & @carol","from":"bob","id":"b-1","mentions":["carol"],"seq":2,"ts":1795655458483,"type":"user"}],"more":false,"type":"history","with":""})",
            &m));
        QCOMPARE(m.type, Type::History);
        QCOMPARE(m.ref, QStringLiteral("h-1"));
        QVERIFY(m.with.isEmpty());
        QVERIFY(!m.more);
        QCOMPARE(m.messages.size(), 2);
        QCOMPARE(m.messages.at(0).from, QStringLiteral("dana"));
        QCOMPARE(m.messages.at(0).seq, 1);
        QCOMPARE(m.messages.at(1).clientId, QStringLiteral("b-1"));
        QCOMPARE(m.messages.at(1).mentions, names({"carol"}));
        // Everything visible, and one conversation; an empty page.
        QVERIFY(decodeValid(MessageEncoder::history(QStringLiteral("*"), {}, true, {}), &m));
        QCOMPARE(m.with, QStringLiteral("*"));
        QVERIFY(m.more);
        QVERIFY(m.messages.isEmpty());
        ChatMessage one;
        one.seq = 5;
        one.from = QStringLiteral("alice");
        one.to = QStringLiteral("bob");
        one.content = QStringLiteral("psst");
        QVERIFY(decodeValid(
            MessageEncoder::history(QStringLiteral("alice"), {one}, false, QStringLiteral("h-2")),
            &m));
        QCOMPARE(m.with, QStringLiteral("alice"));
        QCOMPARE(m.messages.at(0).to, QStringLiteral("bob"));
        QCOMPARE(m.messages.at(0).content, QStringLiteral("psst"));
    }

    void searchAnswer()
    {
        ServerMessage m;
        ChatMessage hit;
        hit.seq = 41;
        hit.timestampMs = 1795655458483;
        hit.from = QStringLiteral("alice");
        hit.to = QStringLiteral("bob");
        hit.content = QStringLiteral("明天的天气预报");
        QVERIFY(decodeValid(
            MessageEncoder::search(QStringLiteral("天气"), {hit}, true, 41, QStringLiteral("s-1")),
            &m));
        QCOMPARE(m.type, Type::Search);
        QCOMPARE(m.ref, QStringLiteral("s-1"));
        QCOMPARE(m.searchText, QStringLiteral("天气"));
        QVERIFY(m.more);
        QCOMPARE(m.nextBefore, 41);
        QCOMPARE(m.messages.size(), 1);
        QCOMPARE(m.messages.at(0).content, QStringLiteral("明天的天气预报"));
        QCOMPARE(m.messages.at(0).to, QStringLiteral("bob"));
        // The last page: no "before".
        QVERIFY(decodeValid(MessageEncoder::search(QStringLiteral("x"), {}, false, 0, {}), &m));
        QVERIFY(!m.more);
        QCOMPARE(m.nextBefore, 0);
        QVERIFY(m.messages.isEmpty());
        QVERIFY(decodeValid(searchOf(many(kChatObject, ProtocolLimits::kMaxSearchHits)), &m));
        QCOMPARE(m.messages.size(), ProtocolLimits::kMaxSearchHits);
    }
    void typing()
    {
        ServerMessage m;
        QVERIFY(decodeValid(R"({"from":"alice","state":true,"type":"typing"})", &m));
        QCOMPARE(m.type, Type::Typing);
        QCOMPARE(m.from, QStringLiteral("alice"));
        QVERIFY(m.typing);
        QVERIFY(m.to.isEmpty());
        QVERIFY(decodeValid(R"({"from":"bob","state":false,"to":"alice","type":"typing"})", &m));
        QVERIFY(!m.typing);
        QCOMPARE(m.to, QStringLiteral("alice"));
    }

    void pong()
    {
        ServerMessage m;
        QVERIFY(decodeValid(R"({"id":"p-1","type":"pong"})", &m));
        QCOMPARE(m.type, Type::Pong);
        QCOMPARE(m.ref, QStringLiteral("p-1"));
        QVERIFY(decodeValid(R"({"type":"pong"})", &m));
        QVERIFY(m.ref.isEmpty());
    }

    void errors()
    {
        ServerMessage m;
        QVERIFY(decodeValid(
            R"({"code":"bad_text","content":"The message contains control characters.","id":"b-5","type":"error"})",
            &m));
        QCOMPARE(m.type, Type::Error);
        QCOMPARE(m.code, ErrorCode::BadText);
        QCOMPARE(m.codeName, QStringLiteral("bad_text"));
        QCOMPARE(m.text, QStringLiteral("The message contains control characters."));
        QCOMPARE(m.ref, QStringLiteral("b-5"));
        QVERIFY(!m.fatal);
        QCOMPARE(m.retryAfterSeconds, 0);
        // The seed form is an error too.
        QVERIFY(decodeValid(
            R"({"code":"unknown_type","content":"The message type is not known.","type":"system"})",
            &m));
        QCOMPARE(m.type, Type::Error);
        QCOMPARE(m.typeName, QStringLiteral("system"));
        QCOMPARE(m.code, ErrorCode::UnknownType);
        // Fatal, and with a time to wait, as the encoder writes them.
        QVERIFY(
            decodeValid(MessageEncoder::error(ErrorCode::ServerShutdown, {}, Dialect::Confab), &m));
        QCOMPARE(m.code, ErrorCode::ServerShutdown);
        QVERIFY(m.fatal);
        QVERIFY(decodeValid(MessageEncoder::error(ErrorCode::AuthThrottled, QStringLiteral("l-1"),
                                                  Dialect::Confab, {}, 2500),
                            &m));
        QCOMPARE(m.retryAfterSeconds, 3);
        QCOMPARE(m.ref, QStringLiteral("l-1"));
        // A code of a newer server: still an error, one this client cannot name.
        QVERIFY(decodeValid(R"({"code":"moon_not_full","content":"Later.","type":"error"})", &m));
        QCOMPARE(m.type, Type::Error);
        QCOMPARE(m.code, ErrorCode::None);
        QCOMPARE(m.codeName, QStringLiteral("moon_not_full"));
    }

    void systemNotice()
    {
        ServerMessage m;
        QVERIFY(decodeValid(MessageEncoder::system(QStringLiteral("Maintenance at noon.")), &m));
        QCOMPARE(m.type, Type::System);
        QCOMPARE(m.text, QStringLiteral("Maintenance at noon."));
    }

    void accountAnswers()
    {
        ServerMessage m;
        QVERIFY(decodeValid(R"({"id":"pw-1","revoked":1,"type":"password_changed"})", &m));
        QCOMPARE(m.type, Type::PasswordChanged);
        QCOMPARE(m.count, 1);
        QCOMPARE(m.ref, QStringLiteral("pw-1"));
        QVERIFY(decodeValid(R"({"count":3,"id":"rv-1","type":"device_revoked"})", &m));
        QCOMPARE(m.type, Type::DeviceRevoked);
        QCOMPARE(m.count, 3);
        QVERIFY(decodeValid(
            R"json({"devices":[{"created":1795655458601,"current":true,"id":7,"label":"laptop (Debian GNU/Linux 12)","last_used":1795655733912},{"created":1795640031337,"id":5,"label":"confab-cli","last_used":1795640031337}],"id":"dv-1","type":"devices"})json",
            &m));
        QCOMPARE(m.type, Type::Devices);
        QCOMPARE(m.devices.size(), 2);
        QCOMPARE(m.devices.at(0).id, 7);
        QCOMPARE(m.devices.at(0).label, QStringLiteral("laptop (Debian GNU/Linux 12)"));
        QCOMPARE(m.devices.at(0).createdMs, 1795655458601);
        QCOMPARE(m.devices.at(0).lastUsedMs, 1795655733912);
        QVERIFY(m.devices.at(0).current);
        QCOMPARE(m.devices.at(1).id, 5);
        QVERIFY(!m.devices.at(1).current);
    }

    void inviteIsNotAnError()
    {
        // It has a "code" too: the invite code.
        ServerMessage m;
        QVERIFY(decodeValid(
            R"({"code":"7QK2M9-B4XTNV-0R8HCD-W3PJ6F","expires":1796260258604,"id":"inv-1","type":"invite","uses":1})",
            &m));
        QCOMPARE(m.type, Type::InviteCreated);
        QCOMPARE(m.inviteCode, QStringLiteral("7QK2M9-B4XTNV-0R8HCD-W3PJ6F"));
        QCOMPARE(m.inviteUses, 1);
        QCOMPARE(m.inviteExpiresMs, 1796260258604);
        QCOMPARE(m.ref, QStringLiteral("inv-1"));
    }

    void callEvents_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<Type>("type");
        QTest::addColumn<quint32>("call");
        QTest::addColumn<QString>("from");
        QTest::addColumn<QStringList>("media");
        QTest::addColumn<QStringList>("codecs");
        QTest::addColumn<QString>("reason");
        const QStringList codecs = names({"opus", "vp8", "jpeg"});
        QTest::newRow("invite")
            << QByteArray(
                   R"({"call":3141592653,"codecs":["opus","vp8","jpeg"],"from":"alice","media":["audio","video"],"to":"bob","type":"call_invite"})")
            << Type::CallInvite << 3141592653u << "alice" << names({"audio", "video"}) << codecs
            << QString();
        QTest::newRow("ringing") << QByteArray(
                                        R"({"call":3141592653,"from":"bob","type":"call_ringing"})")
                                 << Type::CallRinging << 3141592653u << "bob" << QStringList()
                                 << QStringList() << QString();
        QTest::newRow("accept")
            << QByteArray(
                   R"({"call":3141592653,"codecs":["opus","vp8","jpeg"],"from":"bob","media":["audio"],"type":"call_accept"})")
            << Type::CallAccept << 3141592653u << "bob" << names({"audio"}) << codecs << QString();
        QTest::newRow("reject")
            << QByteArray(R"({"call":7,"from":"bob","reason":"declined","type":"call_reject"})")
            << Type::CallReject << 7u << "bob" << QStringList() << QStringList() << "declined";
        QTest::newRow("busy before any call")
            << QByteArray(R"({"call":0,"from":"bob","type":"call_busy"})") << Type::CallBusy << 0u
            << "bob" << QStringList() << QStringList() << QString();
        QTest::newRow("cancel") << QByteArray(R"({"call":7,"from":"alice","type":"call_cancel"})")
                                << Type::CallCancel << 7u << "alice" << QStringList()
                                << QStringList() << QString();
        QTest::newRow("hangup, connection lost")
            << QByteArray(R"({"call":7,"from":"bob","reason":"disconnected","type":"call_hangup"})")
            << Type::CallHangup << 7u << "bob" << QStringList() << QStringList() << "disconnected";
        QTest::newRow("keyframe")
            << QByteArray(R"({"call":4294967295,"from":"bob","type":"call_keyframe"})")
            << Type::CallKeyframe << 4294967295u << "bob" << QStringList() << QStringList()
            << QString();
        // Issue 13: the far end's microphone and camera; no media list = it sends nothing.
        QTest::newRow("media state, camera off")
            << QByteArray(R"({"call":7,"from":"bob","media":["audio"],"type":"call_media"})")
            << Type::CallMedia << 7u << "bob" << names({"audio"}) << QStringList() << QString();
        QTest::newRow("media state, nothing")
            << QByteArray(R"({"call":7,"from":"bob","type":"call_media"})") << Type::CallMedia << 7u
            << "bob" << QStringList() << QStringList() << QString();
        QTest::newRow("timeout") << QByteArray(R"({"call":7,"type":"call_timeout"})")
                                 << Type::CallTimeout << 7u << QString() << QStringList()
                                 << QStringList() << QString();
        QTest::newRow("encoder") << MessageEncoder::callEvent(
                                        QStringLiteral("call_accept"), 99, QStringLiteral("bob"),
                                        {}, names({"audio"}), QStringLiteral("why-not"), codecs)
                                 << Type::CallAccept << 99u << "bob" << names({"audio"}) << codecs
                                 << "why-not";
    }
    void callEvents()
    {
        QFETCH(QByteArray, json);
        ServerMessage m;
        QVERIFY(decodeValid(json, &m));
        QTEST(m.type, "type");
        QTEST(m.callId, "call");
        QTEST(m.from, "from");
        QTEST(m.media, "media");
        QTEST(m.codecs, "codecs");
        QTEST(m.reason, "reason");
        QVERIFY(m.isCallEvent());
    }

    void reactionIsDecoded()
    {
        const DecodedServerMessage d = m_decoder.decode(
            QByteArray(R"({"added":false,"by":"bob","emoji":"x","reactions":[{"count":3,)"
                       R"("emoji":"y","from":["carol","dave"]}],"seq":12,"type":"reaction"})"));
        QVERIFY2(d.ok(), qPrintable(d.errorText()));
        QCOMPARE(d.message.type, ServerMessage::Type::Reaction);
        QCOMPARE(d.message.message.seq, qint64(12));
        QCOMPARE(d.message.from, QStringLiteral("bob"));
        QCOMPARE(d.message.emoji, QStringLiteral("x"));
        QVERIFY(!d.message.added);
        QCOMPARE(d.message.message.reactions.size(), 1);
        QCOMPARE(d.message.message.reactions.at(0).count, 3);
        QCOMPARE(d.message.message.reactions.at(0).from,
                 (QStringList{QStringLiteral("carol"), QStringLiteral("dave")}));
    }

    // Read receipts (docs/protocol.md section 19): one live, or a list; a server's nonsense
    // (a negative seq, a bad name, more than the bound) is not believed.
    void receiptsAreDecoded()
    {
        DecodedServerMessage d = m_decoder.decode(
            QByteArray(R"({"delivered":42,"read":40,"type":"receipt","with":"bob"})"));
        QVERIFY2(d.ok(), qPrintable(d.errorText()));
        QCOMPARE(d.message.type, ServerMessage::Type::Receipt);
        QCOMPARE(d.message.receipts, (QList<ReceiptInfo>{{QStringLiteral("bob"), 42, 40}}));
        // Read implies delivered.
        d = m_decoder.decode(QByteArray(R"({"delivered":1,"read":7,"type":"receipt","with":"b"})"));
        QVERIFY(d.ok());
        QCOMPARE(d.message.receipts.first().delivered, qint64(7));
        d = m_decoder.decode(QByteArray(R"({"id":"q","receipts":[{"delivered":3,"read":0,)"
                                        R"("with":"carol"},{"delivered":9,"read":9,"with":"dan"}],)"
                                        R"("type":"receipts"})"));
        QVERIFY2(d.ok(), qPrintable(d.errorText()));
        QCOMPARE(d.message.type, ServerMessage::Type::Receipts);
        QCOMPARE(d.message.receipts.size(), 2);
        QCOMPARE(d.message.receipts.at(1), (ReceiptInfo{QStringLiteral("dan"), 9, 9}));
        for (const char *bad :
             {R"({"delivered":-1,"read":0,"type":"receipt","with":"bob"})",
              R"({"delivered":1,"read":0,"type":"receipt","with":"b o b"})",
              R"({"delivered":1,"read":0,"type":"receipt"})",
              R"({"delivered":"1","read":0,"type":"receipt","with":"bob"})",
              R"({"receipts":[7],"type":"receipts"})", R"({"type":"receipts"})"}) {
            QVERIFY2(!m_decoder.decode(QByteArray(bad)).ok(), bad);
        }
        QByteArray many = R"({"type":"receipts","receipts":[)";
        for (int i = 0; i <= ProtocolLimits::kMaxReceipts; ++i)
            many += QByteArray(i ? "," : "") + R"({"delivered":1,"read":0,"with":"x"})";
        many += "]}";
        QCOMPARE(m_decoder.decode(many).error, Error::TooMany);
    }

    void unknownTypesAreNotErrors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("new type") << QByteArray(R"({"type":"poll","emoji":"+1"})");
        QTest::newRow("new call step") << QByteArray(R"({"type":"call_transfer","call":"x"})");
        // Its fields are not read, whatever they are: not even "id" or "code".
        QTest::newRow("odd fields") << QByteArray(R"({"type":"quota","id":7,"code":[],"seq":-1})");
    }
    void unknownTypesAreNotErrors()
    {
        QFETCH(QByteArray, json);
        const DecodedServerMessage d = m_decoder.decode(json);
        QVERIFY2(d.ok(), qPrintable(d.errorText()));
        QCOMPARE(d.message.type, Type::Unknown);
        QVERIFY(!d.message.typeName.isEmpty());
        QVERIFY(!d.message.isCallEvent());
    }

    // --- Never trust input ------------------------------------------------------------------

    void invalid_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<Error>("error");
        QTest::addColumn<QString>("field");

        // Not JSON, not an object.
        QTest::newRow("empty") << QByteArray() << Error::NotJson << QString();
        QTest::newRow("not json") << QByteArray("hello") << Error::NotJson << QString();
        QTest::newRow("truncated")
            << QByteArray(R"({"type":"pong")") << Error::NotJson << QString();
        QTest::newRow("invalid utf8")
            << QByteArray("{\"type\":\"pong\",\"id\":\"\xC3\x28\"}") << Error::NotJson << QString();
        QTest::newRow("deep nesting")
            << closed(R"({"type":"pong","x":)", QByteArray(5000, '[') + QByteArray(5000, ']'))
            << Error::NotJson << QString();
        QTest::newRow("array") << QByteArray(R"([{"type":"pong"}])") << Error::NotObject
                               << QString();

        // The type.
        QTest::newRow("no type") << QByteArray(R"({"id":"p-1"})") << Error::MissingField << "type";
        QTest::newRow("type number") << QByteArray(R"({"type":5})") << Error::WrongType << "type";
        QTest::newRow("type null") << QByteArray(R"({"type":null})") << Error::WrongType << "type";
        QTest::newRow("type too long")
            << closed(R"({"type":)", text("x", 65)) << Error::TooLong << "type";

        // A reaction (section 5.7): every field, and a well-formed summary.
        QTest::newRow("reaction without seq")
            << QByteArray(
                   R"({"type":"reaction","by":"bob","emoji":"x","added":true,"reactions":[]})")
            << Error::MissingField << "seq";
        QTest::newRow("reaction summary not a list")
            << QByteArray(
                   R"({"type":"reaction","seq":2,"by":"bob","emoji":"x","added":true,"reactions":{}})")
            << Error::WrongType << "reactions";
        QTest::newRow("reaction summary entry without count")
            << QByteArray(R"({"type":"reaction","seq":2,"by":"bob","emoji":"x","added":true,)"
                          R"("reactions":[{"emoji":"x","from":[]}]})")
            << Error::WrongType << "reactions";
        QTest::newRow("type with space")
            << QByteArray(R"({"type":"po ng"})") << Error::BadValue << "type";

        // Wrong types, for each class of field.
        QTest::newRow("string for int")
            << QByteArray(R"({"id":"b-1","seq":"2","ts":1,"type":"ack"})") << Error::WrongType
            << "seq";
        QTest::newRow("null for int")
            << chatChanged(R"("seq":2)", R"("seq":null)") << Error::WrongType << "seq";
        QTest::newRow("int for string")
            << QByteArray(R"({"content":"hi","from":5,"seq":2,"ts":1,"type":"user"})")
            << Error::WrongType << "from";
        QTest::newRow("int for id")
            << QByteArray(R"({"id":7,"type":"pong"})") << Error::WrongType << "id";
        QTest::newRow("int for code") << QByteArray(R"({"code":5,"content":"x","type":"error"})")
                                      << Error::WrongType << "code";
        QTest::newRow("object for array")
            << QByteArray(R"({"joined":{},"left":[],"online":1,"ts":1,"type":"presence"})")
            << Error::WrongType << "joined";
        QTest::newRow("object for messages") << historyOf("{}") << Error::WrongType << "messages";
        QTest::newRow("array for object")
            << QByteArray(R"({"limits":[],"type":"handshake","version":2})") << Error::WrongType
            << "limits";
        QTest::newRow("string for object")
            << QByteArray(R"({"auth":"open","limits":{},"type":"handshake","version":2})")
            << Error::WrongType << "auth";
        QTest::newRow("string for bool")
            << QByteArray(R"({"from":"bob","state":"yes","type":"typing"})") << Error::WrongType
            << "state";
        QTest::newRow("int for bool")
            << QByteArray(
                   R"({"content":"bob","online":1,"self":1,"ts":1,"type":"login","user_list":["bob"]})")
            << Error::WrongType << "self";
        QTest::newRow("int in name list")
            << QByteArray(
                   R"({"content":"bob","online":1,"self":true,"ts":1,"type":"login","user_list":["bob",1]})")
            << Error::WrongType << "user_list[1]";
        QTest::newRow("int in history") << historyOf("[1]") << Error::WrongType << "messages[0]";
        QTest::newRow("string in history message")
            << historyOf("[" + changed(kChatObject, R"("ts":1795655458483)", R"("ts":"now")") + "]")
            << Error::WrongType << "messages[0].ts";
        QTest::newRow("array in devices") << devicesOf("[[]]") << Error::WrongType << "devices[0]";
        QTest::newRow("string in device")
            << devicesOf(R"([{"created":"today","id":7,"label":"x","last_used":2}])")
            << Error::WrongType << "devices[0].created";
        QTest::newRow("string for codecs")
            << callWith("codecs", R"("opus")") << Error::WrongType << "codecs";
        QTest::newRow("int in codecs")
            << callWith("codecs", "[1]") << Error::WrongType << "codecs[0]";
        QTest::newRow("object for media") << callWith("media", "{}") << Error::WrongType << "media";

        // Missing required fields.
        QTest::newRow("chat without seq")
            << QByteArray(R"({"content":"hi","from":"bob","ts":1,"type":"user"})")
            << Error::MissingField << "seq";
        QTest::newRow("chat without from")
            << QByteArray(R"({"content":"hi","seq":1,"ts":1,"type":"user"})") << Error::MissingField
            << "from";
        QTest::newRow("chat without content")
            << QByteArray(R"({"from":"bob","seq":1,"ts":1,"type":"user"})") << Error::MissingField
            << "content";
        QTest::newRow("ack without id")
            << QByteArray(R"({"seq":2,"ts":1,"type":"ack"})") << Error::MissingField << "id";
        QTest::newRow("handshake without version")
            << QByteArray(R"({"limits":{},"type":"handshake"})") << Error::MissingField
            << "version";
        QTest::newRow("handshake without limits")
            << QByteArray(R"({"type":"handshake","version":2})") << Error::MissingField << "limits";
        QTest::newRow("own login without list")
            << QByteArray(R"({"content":"bob","online":1,"self":true,"ts":1,"type":"login"})")
            << Error::MissingField << "user_list";
        QTest::newRow("login without name") << QByteArray(R"({"online":1,"ts":1,"type":"login"})")
                                            << Error::MissingField << "content";
        QTest::newRow("presence without left")
            << QByteArray(R"({"joined":[],"online":1,"ts":1,"type":"presence"})")
            << Error::MissingField << "left";
        QTest::newRow("history without more")
            << QByteArray(R"({"messages":[],"type":"history","with":""})") << Error::MissingField
            << "more";
        QTest::newRow("history without with")
            << QByteArray(R"({"messages":[],"more":false,"type":"history"})") << Error::MissingField
            << "with";
        QTest::newRow("history message without content")
            << historyOf(R"([{"from":"bob","seq":1,"ts":1,"type":"user"}])") << Error::MissingField
            << "messages[0].content";
        QTest::newRow("error without code")
            << QByteArray(R"({"content":"x","type":"error"})") << Error::MissingField << "code";
        QTest::newRow("error without content")
            << QByteArray(R"({"code":"bad_json","type":"error"})") << Error::MissingField
            << "content";
        QTest::newRow("notice without content")
            << QByteArray(R"({"type":"system"})") << Error::MissingField << "content";
        QTest::newRow("typing without state")
            << QByteArray(R"({"from":"bob","type":"typing"})") << Error::MissingField << "state";
        QTest::newRow("call without call") << QByteArray(R"({"from":"bob","type":"call_ringing"})")
                                           << Error::MissingField << "call";
        QTest::newRow("invite without caller")
            << QByteArray(R"({"call":7,"type":"call_invite"})") << Error::MissingField << "from";
        QTest::newRow("media state of nobody")
            << QByteArray(R"({"call":7,"media":["audio"],"type":"call_media"})")
            << Error::MissingField << "from";
        QTest::newRow("media state without call")
            << QByteArray(R"({"from":"bob","type":"call_media"})") << Error::MissingField << "call";
        QTest::newRow("call ack without callee")
            << QByteArray(R"({"call":7,"id":"c1","type":"ack"})") << Error::MissingField << "to";
        QTest::newRow("devices without list")
            << QByteArray(R"({"type":"devices"})") << Error::MissingField << "devices";
        QTest::newRow("device without label")
            << devicesOf(R"([{"created":1,"id":7,"last_used":2}])") << Error::MissingField
            << "devices[0].label";
        QTest::newRow("invite without code")
            << QByteArray(R"({"expires":1,"type":"invite","uses":1})") << Error::MissingField
            << "code";
        QTest::newRow("password_changed without revoked")
            << QByteArray(R"({"type":"password_changed"})") << Error::MissingField << "revoked";
        QTest::newRow("device_revoked without count")
            << QByteArray(R"({"type":"device_revoked"})") << Error::MissingField << "count";

        // Integers out of range: never converted.
        QTest::newRow("seq 1e300")
            << chatChanged(R"("seq":2)", R"("seq":1e300)") << Error::OutOfRange << "seq";
        QTest::newRow("seq -1") << chatChanged(R"("seq":2)", R"("seq":-1)") << Error::OutOfRange
                                << "seq";
        QTest::newRow("seq fraction")
            << chatChanged(R"("seq":2)", R"("seq":1.5)") << Error::OutOfRange << "seq";
        QTest::newRow("seq 2^53") << chatChanged(R"("seq":2)", R"("seq":9007199254740992)")
                                  << Error::OutOfRange << "seq";
        QTest::newRow("ts -1e300")
            << chatChanged(R"("ts":1)", R"("ts":-1e300)") << Error::OutOfRange << "ts";
        QTest::newRow("ack seq -1") << QByteArray(R"({"id":"b-1","seq":-1,"ts":1,"type":"ack"})")
                                    << Error::OutOfRange << "seq";
        QTest::newRow("call 2^32") << QByteArray(R"({"call":4294967296,"type":"call_timeout"})")
                                   << Error::OutOfRange << "call";
        QTest::newRow("call -1") << QByteArray(R"({"call":-1,"type":"call_timeout"})")
                                 << Error::OutOfRange << "call";
        QTest::newRow("call fraction")
            << QByteArray(R"({"call":0.5,"type":"call_timeout"})") << Error::OutOfRange << "call";
        QTest::newRow("media state of no call")
            << QByteArray(R"({"call":0,"from":"bob","type":"call_media"})") << Error::OutOfRange
            << "call";
        QTest::newRow("media state, media not a list")
            << QByteArray(R"({"call":7,"from":"bob","media":"audio","type":"call_media"})")
            << Error::WrongType << "media";
        QTest::newRow("media state, a number in media")
            << QByteArray(R"({"call":7,"from":"bob","media":[1],"type":"call_media"})")
            << Error::WrongType << "media[0]";
        QTest::newRow("call ack of no call")
            << QByteArray(R"({"call":0,"id":"c1","to":"bob","type":"ack"})") << Error::OutOfRange
            << "call";
        QTest::newRow("online -1")
            << QByteArray(R"({"joined":[],"left":[],"online":-1,"ts":1,"type":"presence"})")
            << Error::OutOfRange << "online";
        QTest::newRow("online 1e300")
            << QByteArray(R"({"joined":[],"left":[],"online":1e300,"ts":1,"type":"presence"})")
            << Error::OutOfRange << "online";
        QTest::newRow("version 0") << QByteArray(R"({"limits":{},"type":"handshake","version":0})")
                                   << Error::OutOfRange << "version";
        QTest::newRow("version 1e300")
            << QByteArray(R"({"limits":{},"type":"handshake","version":1e300})")
            << Error::OutOfRange << "version";
        QTest::newRow("retry_after 1e300")
            << QByteArray(R"({"code":"busy","content":"x","retry_after":1e300,"type":"error"})")
            << Error::OutOfRange << "retry_after";
        QTest::newRow("retry_after fraction")
            << QByteArray(R"({"code":"busy","content":"x","retry_after":0.5,"type":"error"})")
            << Error::OutOfRange << "retry_after";
        QTest::newRow("uses over int")
            << QByteArray(R"({"code":"c","expires":1,"type":"invite","uses":1e10})")
            << Error::OutOfRange << "uses";
        QTest::newRow("revoked over int")
            << QByteArray(R"({"revoked":2147483648,"type":"password_changed"})")
            << Error::OutOfRange << "revoked";
        QTest::newRow("count -1") << QByteArray(R"({"count":-1,"type":"device_revoked"})")
                                  << Error::OutOfRange << "count";
        QTest::newRow("token_id fraction")
            << QByteArray(
                   R"({"content":"bob","online":1,"self":true,"token_id":1.5,"ts":1,"type":"login","user_list":["bob"]})")
            << Error::OutOfRange << "token_id";
        QTest::newRow("device id 0")
            << devicesOf(R"([{"created":1,"id":0,"label":"x","last_used":2}])") << Error::OutOfRange
            << "devices[0].id";
        QTest::newRow("expires 2^53")
            << QByteArray(R"({"code":"c","expires":9007199254740992,"type":"invite","uses":1})")
            << Error::OutOfRange << "expires";

        // Strings over their bounds.
        QTest::newRow("name over 64 units")
            << chatChanged(R"("from":"bob")", R"("from":)" + text("a", 65)) << Error::TooLong
            << "from";
        QTest::newRow("name over 32 characters")
            << chatChanged(R"("from":"bob")", R"("from":)" + text("a", 33)) << Error::TooLong
            << "from";
        QTest::newRow("wide name over 32 characters")
            << chatChanged(R"("from":"bob")", R"("from":)" + text(kWide, 33)) << Error::TooLong
            << "from";
        QTest::newRow("content over its bound")
            << chatChanged(R"("content":"hi")",
                           R"("content":)" + text("x", ServerMessageDecoder::kMaxTextUnits + 1))
            << Error::TooLong << "content";
        QTest::newRow("id over 64")
            << closed(R"({"type":"pong","id":)", text("i", 65)) << Error::TooLong << "id";
        QTest::newRow("session over 64")
            << closed(
                   R"({"content":"bob","online":1,"self":true,"ts":1,"type":"login","user_list":["bob"],"session":)",
                   text("s", 65))
            << Error::TooLong << "session";
        QTest::newRow("token over 128")
            << closed(
                   R"({"content":"bob","online":1,"self":true,"ts":1,"type":"login","user_list":["bob"],"token":)",
                   text("t", 129))
            << Error::TooLong << "token";
        QTest::newRow("error text over its bound")
            << closed(R"({"code":"busy","type":"error","content":)",
                      text("x", ServerMessageDecoder::kMaxNoticeUnits + 1))
            << Error::TooLong << "content";
        QTest::newRow("error code over 64")
            << closed(R"({"content":"x","type":"error","code":)", text("c", 65)) << Error::TooLong
            << "code";
        QTest::newRow("server name over its bound")
            << closed(R"({"limits":{},"type":"handshake","version":2,"server":)",
                      text("s", ServerMessageDecoder::kMaxServerNameUnits + 1))
            << Error::TooLong << "server";
        QTest::newRow("reason over 64")
            << callWith("reason", text("r", 65)) << Error::TooLong << "reason";
        QTest::newRow("codec over 16")
            << callWith("codecs", '[' + text("v", 17) + ']') << Error::TooLong << "codecs[0]";
        QTest::newRow("device label over 64")
            << devicesOf(R"([{"created":1,"id":7,"last_used":2,"label":)" + text("l", 65) + "}]")
            << Error::TooLong << "devices[0].label";
        QTest::newRow("invite code over 64")
            << closed(R"({"expires":1,"type":"invite","uses":1,"code":)", text("c", 65))
            << Error::TooLong << "code";

        // Strings the field cannot hold.
        QTest::newRow("name with space")
            << chatChanged(R"("from":"bob")", R"("from":"a b")") << Error::BadValue << "from";
        QTest::newRow("name with markup")
            << chatChanged(R"("from":"bob")", R"("from":"<b>")") << Error::BadValue << "from";
        QTest::newRow("name with control")
            << chatChanged(R"("from":"bob")", R"("from":"a\u0007")") << Error::BadValue << "from";
        QTest::newRow("name with lone surrogate")
            << chatChanged(R"("from":"bob")", R"("from":"a\ud800")") << Error::BadValue << "from";
        QTest::newRow("empty name")
            << chatChanged(R"("from":"bob")", R"("from":"")") << Error::BadValue << "from";
        QTest::newRow("bidi override in list")
            << QByteArray(
                   R"({"joined":["ok","a\u202eb"],"left":[],"online":1,"ts":1,"type":"presence"})")
            << Error::BadValue << "joined[1]";
        QTest::newRow("history with markup")
            << QByteArray(R"({"messages":[],"more":false,"type":"history","with":"<x>"})")
            << Error::BadValue << "with";
        QTest::newRow("id with space")
            << QByteArray(R"({"id":"a b","type":"pong"})") << Error::BadValue << "id";
        QTest::newRow("id not ascii")
            << QByteArray(R"({"id":"é","type":"pong"})") << Error::BadValue << "id";
        QTest::newRow("codec in capitals")
            << callWith("codecs", R"(["VP8"])") << Error::BadValue << "codecs[0]";
        QTest::newRow("empty media kind")
            << callWith("media", R"([""])") << Error::BadValue << "media[0]";
        QTest::newRow("device label with newline")
            << devicesOf(R"([{"created":1,"id":7,"label":"a\nb","last_used":2}])")
            << Error::BadValue << "devices[0].label";
        // Not a raw string: moc 6.4 loses its way in R"(...\u001b[31m...)" and skips the class.
        QTest::newRow("server name with escape")
            << QByteArray("{\"limits\":{},\"server\":\"Confab\\u001b[31m\",\"type\":\"handshake\","
                          "\"version\":2}")
            << Error::BadValue << "server";

        // Lists over their bounds.
        QTest::newRow("history page over history_page")
            << historyOf(many(kChatObject, ProtocolLimits{}.historyPageMax + 1)) << Error::TooMany
            << "messages";
        QTest::newRow("search hits over 50")
            << searchOf(many(kChatObject, ProtocolLimits::kMaxSearchHits + 1)) << Error::TooMany
            << "hits";
        // A search answer: every field checked, each hit as a relay object.
        QTest::newRow("search without hits")
            << QByteArray(R"({"more":false,"text":"x","type":"search"})") << Error::MissingField
            << "hits";
        QTest::newRow("search hits an object")
            << QByteArray(R"({"hits":{},"more":false,"text":"x","type":"search"})")
            << Error::WrongType << "hits";
        QTest::newRow("search without text")
            << QByteArray(R"({"hits":[],"more":false,"type":"search"})") << Error::MissingField
            << "text";
        QTest::newRow("search text number")
            << QByteArray(R"({"hits":[],"more":false,"text":5,"type":"search"})")
            << Error::WrongType << "text";
        QTest::newRow("search text too long")
            << closed(R"({"hits":[],"more":false,"type":"search","text":)", text("x", 401))
            << Error::TooLong << "text";
        QTest::newRow("search without more")
            << QByteArray(R"({"hits":[],"text":"x","type":"search"})") << Error::MissingField
            << "more";
        QTest::newRow("search more without before")
            << QByteArray(R"({"hits":[],"more":true,"text":"x","type":"search"})")
            << Error::MissingField << "before";
        QTest::newRow("search before 0")
            << QByteArray(R"({"before":0,"hits":[],"more":true,"text":"x","type":"search"})")
            << Error::OutOfRange << "before";
        QTest::newRow("search before fraction")
            << QByteArray(R"({"before":1.5,"hits":[],"more":true,"text":"x","type":"search"})")
            << Error::OutOfRange << "before";
        QTest::newRow("search before string")
            << QByteArray(R"({"before":"9","hits":[],"more":true,"text":"x","type":"search"})")
            << Error::WrongType << "before";
        QTest::newRow("search hit not an object")
            << searchOf(R"([5])") << Error::WrongType << "hits[0]";
        QTest::newRow("search hit without from")
            << searchOf(R"([{"content":"hi","seq":2,"ts":1,"type":"user"}])") << Error::MissingField
            << "hits[0].from";
        QTest::newRow("search hit seq beyond 53 bits")
            << searchOf(
                   R"([{"content":"hi","from":"bob","seq":9007199254740992,"ts":1,"type":"user"}])")
            << Error::OutOfRange << "hits[0].seq";
        QTest::newRow("search hit bad name")
            << searchOf(R"([{"content":"hi","from":"b o b","seq":2,"ts":1,"type":"user"}])")
            << Error::BadValue << "hits[0].from";
        QTest::newRow("user list over its bound")
            << closed(
                   R"({"content":"bob","online":1,"self":true,"ts":1,"type":"login","user_list":)",
                   many(R"("a")", ServerMessageDecoder::kMaxUsers + 1))
            << Error::TooMany << "user_list";
        QTest::newRow("guests over their bound")
            << closed(R"({"joined":[],"left":[],"online":1,"ts":1,"type":"presence","guests":)",
                      many(R"("a")", ServerMessageDecoder::kMaxUsers + 1))
            << Error::TooMany << "guests";
        QTest::newRow("devices over their bound")
            << devicesOf(many(kDevice, ServerMessageDecoder::kMaxDevices + 1)) << Error::TooMany
            << "devices";
        QTest::newRow("mentions over 20")
            << chatWith("mentions", many(R"("carol")", ServerMessageDecoder::kMaxMentions + 1))
            << Error::TooMany << "mentions";
        QTest::newRow("codecs over 8")
            << callWith("codecs", many(R"("vp8")", 9)) << Error::TooMany << "codecs";
        QTest::newRow("media over 4")
            << callWith("media", many(R"("audio")", 5)) << Error::TooMany << "media";
    }
    void invalid()
    {
        QFETCH(QByteArray, json);
        QFETCH(Error, error);
        QFETCH(QString, field);
        const DecodedServerMessage d = m_decoder.decode(json);
        QCOMPARE(d.error, error);
        QCOMPARE(d.field, field);
        QVERIFY(!d.ok());
        QVERIFY(!d.errorText().isEmpty());
    }

    void scalarsAreNotMessages_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("number") << QByteArray("42");
        QTest::newRow("string") << QByteArray(R"("pong")");
        QTest::newRow("null") << QByteArray("null");
        QTest::newRow("bool") << QByteArray("true");
    }
    void scalarsAreNotMessages()
    {
        // Qt refuses or accepts a bare value depending on its version: either way, no message.
        QFETCH(QByteArray, json);
        const DecodedServerMessage d = m_decoder.decode(json);
        QVERIFY(d.error == Error::NotJson || d.error == Error::NotObject);
    }

    void boundariesAreInclusive()
    {
        // One less than each bound of invalid_data() decodes: those tests fail for the bound, not
        // for something else in the message.
        ServerMessage m;
        QVERIFY(decodeValid(chatChanged(R"("seq":2)", R"("seq":9007199254740991)"), &m));
        QCOMPARE(m.message.seq, 9007199254740991);
        QVERIFY(decodeValid(chatChanged(R"("from":"bob")", R"("from":)" + text(kWide, 32)), &m));
        QCOMPARE(m.message.from.size(), 64);
        QVERIFY(decodeValid(
            chatChanged(R"("content":"hi")",
                        R"("content":)" + text("x", ServerMessageDecoder::kMaxTextUnits)),
            &m));
        QVERIFY(decodeValid(historyOf(many(kChatObject, ProtocolLimits{}.historyPageMax)), &m));
        QCOMPARE(m.messages.size(), ProtocolLimits{}.historyPageMax);
        QVERIFY(decodeValid(devicesOf(many(kDevice, ServerMessageDecoder::kMaxDevices)), &m));
        QCOMPARE(m.devices.size(), ServerMessageDecoder::kMaxDevices);
        QVERIFY(decodeValid(
            R"({"content":"bob","online":1,"self":true,"ts":1,"type":"login","user_list":)" +
                many(R"("a")", ServerMessageDecoder::kMaxUsers) + '}',
            &m));
        QCOMPARE(m.users.size(), ServerMessageDecoder::kMaxUsers);
        QVERIFY(decodeValid(chatWith("mentions", many(R"("carol")", 20)), &m));
        QVERIFY(decodeValid(callWith("codecs", many(R"("vp8")", 8)), &m));
        QVERIFY(decodeValid(R"({"call":4294967295,"type":"call_timeout"})", &m));
        QVERIFY(decodeValid(R"({"revoked":2147483647,"type":"password_changed"})", &m));
        QCOMPARE(m.count, std::numeric_limits<int>::max());
    }

    void oversizeMessageIsNotParsed()
    {
        ProtocolLimits limits;
        limits.maxNameChars = 1; // a small bound, so the test needs little memory
        const ServerMessageDecoder decoder(limits);
        const qint64 max = decoder.maxMessageBytes();
        QVERIFY(max > 0 && max < m_decoder.maxMessageBytes());
        const QByteArray head(R"({"type":"pong","pad":")");
        const QByteArray tail(R"("})");
        QByteArray json = head + QByteArray(max - head.size() - tail.size(), 'x') + tail;
        QCOMPARE(json.size(), max);
        QVERIFY(decoder.decode(json).ok());
        json.insert(head.size(), 'x');
        const DecodedServerMessage d = decoder.decode(json);
        QCOMPARE(d.error, Error::TooLarge);
        QVERIFY(d.field.isEmpty());
    }

    void largestPresenceBatchFits()
    {
        // The bound follows from the limits: three lists of the most names, each name of the
        // most characters of 4 bytes, fit; one name more does not.
        ProtocolLimits limits;
        limits.maxNameChars = 2;
        const ServerMessageDecoder decoder(limits);
        const QByteArray list = many(text(kWide, 2), ServerMessageDecoder::kMaxUsers);
        const QByteArray json = R"({"guests":)" + list + R"(,"joined":)" + list + R"(,"left":)" +
                                list + R"(,"online":100000,"ts":1,"type":"presence"})";
        QVERIFY(json.size() <= decoder.maxMessageBytes());
        const DecodedServerMessage d = decoder.decode(json);
        QVERIFY2(d.ok(), qPrintable(d.errorText()));
        QCOMPARE(d.message.joined.size(), ServerMessageDecoder::kMaxUsers);
        QCOMPARE(d.message.left.size(), ServerMessageDecoder::kMaxUsers);
        QCOMPARE(d.message.guests.size(), ServerMessageDecoder::kMaxUsers);
        QCOMPARE(d.message.joined.first(), QString::fromUtf8(kWide.repeated(2)));
    }

    void boundsFollowTheHandshake()
    {
        // A server with longer pages: its pages decode.
        ProtocolLimits limits;
        limits.historyPageMax = 300;
        const QByteArray page = historyOf(many(kChatObject, 201));
        QCOMPARE(m_decoder.decode(page).error, Error::TooMany);
        const DecodedServerMessage d = ServerMessageDecoder(limits).decode(page);
        QVERIFY2(d.ok(), qPrintable(d.errorText()));
        QCOMPARE(d.message.messages.size(), 201);
        // Longer names too, and shorter ones.
        limits.maxNameChars = 40;
        const QByteArray long40 = chatChanged(R"("from":"bob")", R"("from":)" + text("a", 40));
        QCOMPARE(m_decoder.decode(long40).field, QStringLiteral("from"));
        QVERIFY(ServerMessageDecoder(limits).decode(long40).ok());
        limits.maxNameChars = 2;
        QCOMPARE(ServerMessageDecoder(limits).decode(kChatObject).error, Error::TooLong);
    }

    void absurdLimitsAreClamped()
    {
        // A server cannot announce its way past the ceilings.
        ProtocolLimits limits;
        limits.maxNameChars = std::numeric_limits<int>::max();
        limits.historyPageMax = std::numeric_limits<int>::max();
        limits.historyBytes = std::numeric_limits<qint64>::max();
        limits.maxMessageBytes = std::numeric_limits<qint64>::max();
        const ServerMessageDecoder decoder(limits);
        QVERIFY(decoder.maxMessageBytes() > 0);
        QVERIFY(decoder.maxMessageBytes() <= ServerMessageDecoder::kMaxMessageBytesCeiling);
        const QByteArray small(R"({"content":"x","from":"b","seq":1,"ts":1})");
        QCOMPARE(decoder.decode(historyOf(many(small, 10001))).error, Error::TooMany);
        QVERIFY(decoder.decode(historyOf(many(small, 10000))).ok());
        // And limits of zero or less do not make every message too large.
        ProtocolLimits zero;
        zero.maxNameChars = 0;
        zero.historyPageMax = -5;
        zero.historyBytes = 0;
        zero.maxMessageBytes = -1;
        QVERIFY(ServerMessageDecoder(zero).decode(R"({"type":"pong"})").ok());
    }

    void failureHandsOnNothing()
    {
        // The first message is fine, the second is not: no half page comes out.
        const QByteArray page = historyOf('[' + kChatObject + ',' +
                                          changed(kChatObject, R"("seq":2)", R"("seq":"2")") + ']');
        const DecodedServerMessage d = m_decoder.decode(page);
        QCOMPARE(d.error, Error::WrongType);
        QCOMPARE(d.field, QStringLiteral("messages[1].seq"));
        QCOMPARE(d.errorText(), QStringLiteral("wrong type: messages[1].seq"));
        QCOMPARE(d.message.type, Type::Unknown);
        QVERIFY(d.message.messages.isEmpty());
        QVERIFY(d.message.ref.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestServerMessageDecoder)
#include "tst_servermessagedecoder.moc"
