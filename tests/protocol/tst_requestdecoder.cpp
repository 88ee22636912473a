#include "protocol/requestdecoder.h"
#include "protocol/messageencoder.h"

#include <QTest>

class TestRequestDecoder : public QObject
{
    Q_OBJECT
private:
    RequestDecoder m_decoder{ProtocolLimits{}};

    // A search request with `text` as it is, between the quotes.
    static QByteArray searchFor(const QByteArray &text)
    {
        QByteArray json("{\"type\":\"search\",\"text\":\"");
        json += text;
        json += "\"}";
        return json;
    }

private slots:
    void seedLogin()
    {
        const DecodedRequest d = m_decoder.decode(R"({"type":"login","content":"user5F3A"})");
        QVERIFY(d.ok());
        QCOMPARE(d.request.type, ClientRequest::Type::Login);
        QCOMPARE(d.request.name, QStringLiteral("user5F3A"));
        QCOMPARE(d.version, 0);
    }
    void confabChat()
    {
        const DecodedRequest d =
            m_decoder.decode(R"({"type":"user","content":"hi @carol","id":"c-1","version":1})");
        QVERIFY(d.ok());
        QCOMPARE(d.request.type, ClientRequest::Type::Chat);
        QCOMPARE(d.request.ref, QStringLiteral("c-1"));
        QVERIFY(d.request.to.isEmpty());
        QCOMPARE(d.version, 1);
    }
    void privateByPrefixAndField()
    {
        QCOMPARE(m_decoder.decode(R"({"type":"user","content":"@bob psst"})").request.to,
                 QStringLiteral("bob"));
        QCOMPARE(m_decoder.decode(R"({"type":"user","content":"psst","to":"bob"})").request.to,
                 QStringLiteral("bob"));
        // "to":"" is the room, said outright: a leading "@bob " is then a public mention.
        const DecodedRequest room =
            m_decoder.decode(R"({"type":"user","content":"@bob welcome","to":""})");
        QVERIFY(room.ok());
        QVERIFY(room.request.to.isEmpty());
        QCOMPARE(MessageEncoder::chatRequest(QStringLiteral("@bob welcome"), QStringLiteral("c"),
                                             {}, true),
                 QByteArray(R"({"content":"@bob welcome","id":"c","to":"","type":"user"})"));
    }
    void windowsLineEndsBecomeNewlines()
    {
        const DecodedRequest d = m_decoder.decode(R"({"type":"user","content":"a\r\nb"})");
        QVERIFY(d.ok());
        QCOMPARE(d.request.content, QStringLiteral("a\nb"));
    }
    void loginWithSession()
    {
        const DecodedRequest d =
            m_decoder.decode(R"({"type":"login","content":"bob","version":1,"session":"abc"})");
        QVERIFY(d.ok());
        QCOMPARE(d.request.session, QStringLiteral("abc"));
        QCOMPARE(m_decoder.decode(R"({"type":"login","content":"bob","session":7})").error,
                 ErrorCode::BadShape);
    }
    void history()
    {
        const DecodedRequest d =
            m_decoder.decode(R"({"type":"history","with":"bob","before":100,"limit":20})");
        QVERIFY(d.ok());
        QCOMPARE(d.request.with, QStringLiteral("bob"));
        QCOMPARE(d.request.before, 100);
        QCOMPARE(d.request.limit, 20);
        QCOMPARE(m_decoder.decode(R"({"type":"history"})").request.limit, 50);
    }
    void search()
    {
        // White space is one gap between words; Chinese counts in characters, not bytes.
        const DecodedRequest d = m_decoder.decode(
            R"({"type":"search","text":"  \u5929\u6C14\t report ","before":900,"limit":5,"id":"s-1"})");
        QVERIFY(d.ok());
        QCOMPARE(d.request.type, ClientRequest::Type::Search);
        QCOMPARE(d.request.query, QStringLiteral("\u5929\u6C14 report"));
        QCOMPARE(d.request.before, 900);
        QCOMPARE(d.request.limit, 5);
        QCOMPARE(d.request.ref, QStringLiteral("s-1"));
        const DecodedRequest defaults = m_decoder.decode(R"({"type":"search","text":"x"})");
        QVERIFY(defaults.ok());
        QCOMPARE(defaults.request.limit, ProtocolLimits::kDefaultSearchHits);
        QCOMPARE(defaults.request.before, 0);
        // The encoder's request reads back as it was written.
        const DecodedRequest encoded = m_decoder.decode(
            MessageEncoder::searchRequest(QStringLiteral("x y"), 7, 3, QStringLiteral("s-2")));
        QVERIFY(encoded.ok());
        QCOMPARE(encoded.request.query, QStringLiteral("x y"));
        QCOMPARE(encoded.request.before, 7);
        QCOMPARE(encoded.request.limit, 3);
        // 100 Chinese characters are 100 code points (300 bytes of UTF-8): allowed.
        const QByteArray hundred = QString(100, QChar(0x5929)).toUtf8();
        QVERIFY(m_decoder.decode(searchFor(hundred)).ok());
        // 8 words are allowed, and 100 characters with a space in them.
        QVERIFY(m_decoder.decode(R"({"type":"search","text":"a b c d e f g h"})").ok());
    }
    void searchErrors_data()
    {
        QTest::addColumn<QByteArray>("input");
        const auto row = [](const char *name, const QByteArray &json) {
            QTest::newRow(name) << json;
        };
        row("text missing", R"({"type":"search"})");
        row("text number", R"({"type":"search","text":5})");
        row("text null", R"({"type":"search","text":null})");
        row("text array", R"({"type":"search","text":["a"]})");
        row("text empty", R"({"type":"search","text":""})");
        row("text only spaces", R"({"type":"search","text":" \t\n "})");
        row("101 characters", searchFor(QByteArray(101, 'x')));
        row("101 Chinese characters", searchFor(QString(101, QChar(0x5929)).toUtf8()));
        row("very long", searchFor(QByteArray(10000, ' ') + 'x'));
        row("9 words", R"({"type":"search","text":"a b c d e f g h i"})");
        row("control character", R"({"type":"search","text":"a\u0001b"})");
        row("bidi override", R"({"type":"search","text":"a\u202Eb"})");
        row("lone surrogate", R"({"type":"search","text":"a\ud800"})");
        row("limit 0", R"({"type":"search","text":"x","limit":0})");
        row("limit 51", R"({"type":"search","text":"x","limit":51})");
        row("limit string", R"({"type":"search","text":"x","limit":"5"})");
        row("before negative", R"({"type":"search","text":"x","before":-1})");
        row("before fraction", R"({"type":"search","text":"x","before":1.5})");
        row("before string", R"({"type":"search","text":"x","before":"9"})");
    }
    void searchErrors()
    {
        QFETCH(QByteArray, input);
        const DecodedRequest d = m_decoder.decode(input);
        QCOMPARE(errorCodeName(d.error), errorCodeName(ErrorCode::BadSearchRequest));
        QCOMPARE(d.request.type, ClientRequest::Type::Search);
    }
    void callSteps()
    {
        const DecodedRequest invite = m_decoder.decode(
            R"({"type":"call_invite","to":"bob","media":["video","audio","video"],"id":"c1"})");
        QVERIFY(invite.ok());
        QCOMPARE(invite.request.type, ClientRequest::Type::Call);
        QCOMPARE(invite.request.callAction, ClientRequest::CallAction::Invite);
        QCOMPARE(invite.request.to, QStringLiteral("bob"));
        QCOMPARE(invite.request.media,
                 (QStringList{QStringLiteral("video"), QStringLiteral("audio")}));
        const DecodedRequest hangup =
            m_decoder.decode(R"({"type":"call_hangup","call":4294967295})");
        QVERIFY(hangup.ok());
        QCOMPARE(hangup.request.callAction, ClientRequest::CallAction::Hangup);
        QCOMPARE(hangup.request.callId, 4294967295u);
        QCOMPARE(m_decoder.decode(R"({"type":"call_hangup","call":4294967296})").error,
                 ErrorCode::BadCall);
        QCOMPARE(m_decoder.decode(R"({"type":"call_accept","call":0})").error, ErrorCode::BadCall);
        QCOMPARE(m_decoder.decode(R"({"type":"call_invite","to":"bob","media":"audio"})").error,
                 ErrorCode::BadShape);
    }
    // Issue 13: what a member sends now (microphone muted, camera off).
    void callMediaState_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("error");
        QTest::addColumn<QStringList>("media");
        const auto none = int(ErrorCode::None);
        QTest::newRow("camera off")
            << QByteArray(R"({"type":"call_media","call":9,"media":["audio"]})") << none
            << QStringList{QStringLiteral("audio")};
        QTest::newRow("nothing, empty")
            << QByteArray(R"({"type":"call_media","call":9,"media":[]})") << none << QStringList();
        QTest::newRow("nothing, absent")
            << QByteArray(R"({"type":"call_media","call":9})") << none << QStringList();
        QTest::newRow("no call") << QByteArray(R"({"type":"call_media","media":["audio"]})")
                                 << int(ErrorCode::BadCall) << QStringList();
        QTest::newRow("call 0") << QByteArray(R"({"type":"call_media","call":0})")
                                << int(ErrorCode::BadCall) << QStringList();
        QTest::newRow("unknown kind")
            << QByteArray(R"({"type":"call_media","call":9,"media":["smell"]})")
            << int(ErrorCode::BadShape) << QStringList();
        QTest::newRow("not a list")
            << QByteArray(R"({"type":"call_media","call":9,"media":"audio"})")
            << int(ErrorCode::BadShape) << QStringList();
        QTest::newRow("a number") << QByteArray(R"({"type":"call_media","call":9,"media":[1]})")
                                  << int(ErrorCode::BadShape) << QStringList();
        QTest::newRow("five")
            << QByteArray(
                   R"({"type":"call_media","call":9,"media":["audio","audio","audio","audio","audio"]})")
            << int(ErrorCode::BadShape) << QStringList();
    }
    void callMediaState()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, error);
        QFETCH(QStringList, media);
        const DecodedRequest d = m_decoder.decode(json);
        QCOMPARE(int(d.error), error);
        if (d.ok()) {
            QCOMPARE(d.request.type, ClientRequest::Type::Call);
            QCOMPARE(d.request.callAction, ClientRequest::CallAction::Media);
            QCOMPARE(d.request.callId, 9u);
            QCOMPARE(d.request.media, media);
        }
    }
    void callCodecs_data()
    {
        QTest::addColumn<QByteArray>("codecs");
        QTest::addColumn<bool>("ok");
        QTest::newRow("three") << QByteArray(R"(["opus","vp8","jpeg"])") << true;
        QTest::newRow("empty list") << QByteArray("[]") << true;
        QTest::newRow("not a list") << QByteArray(R"("vp8")") << false;
        QTest::newRow("a number") << QByteArray(R"([8])") << false;
        QTest::newRow("upper case") << QByteArray(R"(["VP8"])") << false;
        QTest::newRow("empty name") << QByteArray(R"([""])") << false;
        QTest::newRow("too long") << QByteArray(R"(["abcdefghijklmnopq"])") << false;
        QTest::newRow("markup") << QByteArray(R"(["<b>"])") << false;
        QTest::newRow("nine") << QByteArray(R"(["a","b","c","d","e","f","g","h","i"])") << false;
    }
    void callCodecs()
    {
        QFETCH(QByteArray, codecs);
        QFETCH(bool, ok);
        const DecodedRequest d = m_decoder.decode(
            QByteArray(R"({"type":"call_invite","to":"bob","codecs":)" + codecs + "}"));
        QCOMPARE(d.ok(), ok);
        if (ok && codecs.size() > 2)
            QCOMPARE(d.request.codecs, (QStringList{QStringLiteral("opus"), QStringLiteral("vp8"),
                                                    QStringLiteral("jpeg")}));
        if (!ok)
            QCOMPARE(d.error, ErrorCode::BadShape);
    }
    void unknownCallTypesAreReserved()
    {
        const DecodedRequest d = m_decoder.decode(R"({"type":"call_transfer","to":"bob"})");
        QVERIFY(d.ok());
        QCOMPARE(d.request.type, ClientRequest::Type::Reserved);
    }
    void errors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<ErrorCode>("expected");
        QTest::newRow("not json") << QByteArray("hello") << ErrorCode::BadJson;
        QTest::newRow("truncated") << QByteArray(R"({"type":"user")") << ErrorCode::BadJson;
        QTest::newRow("array") << QByteArray(R"(["type","user"])") << ErrorCode::BadJson;
        QTest::newRow("number") << QByteArray("42") << ErrorCode::BadJson;
        QTest::newRow("no type") << QByteArray(R"({"content":"x"})") << ErrorCode::BadShape;
        QTest::newRow("type number") << QByteArray(R"({"type":5})") << ErrorCode::BadShape;
        QTest::newRow("unknown type")
            << QByteArray(R"({"type":"dance"})") << ErrorCode::UnknownType;
        QTest::newRow("content number")
            << QByteArray(R"({"type":"user","content":5})") << ErrorCode::BadShape;
        QTest::newRow("content missing") << QByteArray(R"({"type":"user"})") << ErrorCode::BadShape;
        QTest::newRow("to number")
            << QByteArray(R"({"type":"user","content":"x","to":1})") << ErrorCode::BadShape;
        QTest::newRow("bad recipient")
            << QByteArray(R"({"type":"user","content":"x","to":"a b"})") << ErrorCode::BadRecipient;
        QTest::newRow("empty message")
            << QByteArray(R"({"type":"user","content":""})") << ErrorCode::EmptyMessage;
        QTest::newRow("control char")
            << QByteArray(R"({"type":"user","content":"a\u0000b"})") << ErrorCode::BadText;
        QTest::newRow("lone surrogate escape")
            << QByteArray(R"({"type":"user","content":"a\ud800b"})") << ErrorCode::BadUtf8;
        QTest::newRow("invalid utf8 bytes")
            << QByteArray("{\"type\":\"user\",\"content\":\"a\xC3\x28\"}") << ErrorCode::BadUtf8;
        QTest::newRow("overlong utf8")
            << QByteArray("{\"type\":\"user\",\"content\":\"\xC0\xAF\"}") << ErrorCode::BadUtf8;
        QTest::newRow("empty name")
            << QByteArray(R"({"type":"login","content":""})") << ErrorCode::NameEmpty;
        QTest::newRow("long name") << QByteArray(R"({"type":"login","content":")") +
                                          QByteArray(40, 'a') + QByteArray(R"("})")
                                   << ErrorCode::NameTooLong;
        QTest::newRow("control in name")
            << QByteArray(R"({"type":"login","content":"a\tb"})") << ErrorCode::NameInvalid;
        QTest::newRow("name object")
            << QByteArray(R"({"type":"login","content":{}})") << ErrorCode::BadShape;
        QTest::newRow("id too long") << QByteArray(R"({"type":"user","content":"x","id":")") +
                                            QByteArray(65, 'i') + QByteArray(R"("})")
                                     << ErrorCode::BadId;
        QTest::newRow("id number")
            << QByteArray(R"({"type":"user","content":"x","id":7})") << ErrorCode::BadId;
        QTest::newRow("version string")
            << QByteArray(R"({"type":"login","content":"a","version":"1"})") << ErrorCode::BadShape;
        QTest::newRow("history limit 0")
            << QByteArray(R"({"type":"history","limit":0})") << ErrorCode::BadHistoryRequest;
        QTest::newRow("history limit huge")
            << QByteArray(R"({"type":"history","limit":100000})") << ErrorCode::BadHistoryRequest;
        QTest::newRow("history before fraction")
            << QByteArray(R"({"type":"history","before":1.5})") << ErrorCode::BadHistoryRequest;
        QTest::newRow("history with bad name")
            << QByteArray(R"({"type":"history","with":"<x>"})") << ErrorCode::BadHistoryRequest;
        QTest::newRow("typing state string")
            << QByteArray(R"({"type":"typing","state":"yes"})") << ErrorCode::BadShape;
        QTest::newRow("oversize") << QByteArray(R"({"type":"user","content":")") +
                                         QByteArray(20000, 'x') + QByteArray(R"("})")
                                  << ErrorCode::TooLarge;
        QTest::newRow("too many chars") << QByteArray(R"({"type":"user","content":")") +
                                               QByteArray(4001, 'x') + QByteArray(R"("})")
                                        << ErrorCode::MessageTooLong;
    }
    void errors()
    {
        QFETCH(QByteArray, input);
        QFETCH(ErrorCode, expected);
        QCOMPARE(m_decoder.decode(input).error, expected);
    }
    void errorKeepsReference()
    {
        const DecodedRequest d = m_decoder.decode(R"({"type":"user","content":"","id":"m-9"})");
        QCOMPARE(d.error, ErrorCode::EmptyMessage);
        QCOMPARE(d.ref, QStringLiteral("m-9"));
    }
    void deepNestingIsRejectedNotCrashing()
    {
        QByteArray deep(5000, '[');
        QCOMPARE(m_decoder.decode(deep).error, ErrorCode::BadJson);
    }
};

QTEST_GUILESS_MAIN(TestRequestDecoder)
#include "tst_requestdecoder.moc"
