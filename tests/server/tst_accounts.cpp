// Accounts as users meet them, against real confab-server processes on 127.0.0.1: who may use
// a name, whose private history is whose, the sign-in throttle, device tokens, password
// changes, the admin command line on a running server's database, registration policies and
// the bounded queue of password hashes.
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QRegularExpression>
#include <QTest>

#include <memory>
#include <vector>

namespace {

const QString kAlicePassword = QStringLiteral("correct horse battery");

QString typeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("type")).toString();
}

QString codeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("code")).toString();
}

QStringList strings(const QJsonValue &array)
{
    QStringList list;
    for (const QJsonValue &v : array.toArray())
        list.append(v.toString());
    return list;
}

QStringList contents(const QJsonArray &messages)
{
    QStringList list;
    for (const QJsonValue &v : messages)
        list.append(v.toObject().value(QLatin1String("content")).toString());
    return list;
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

bool isOwnLoginOrError(const QJsonObject &o)
{
    return (typeOf(o) == QLatin1String("login") && o.value(QLatin1String("self")).toBool()) ||
           o.contains(QLatin1String("code"));
}

} // namespace

class TestAccounts : public QObject
{
    Q_OBJECT
private:
    static std::unique_ptr<TestClient> guest(const ServerProcess &server, const QString &name,
                                             const QString &session = {})
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open(server.url()) || !c->login(name, false, session))
            return nullptr;
        return c;
    }

    static std::unique_ptr<TestClient> account(const ServerProcess &server, const QString &name,
                                               const QString &password,
                                               const QString &device = QStringLiteral("test"))
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open(server.url()) || !c->signIn(name, password, device))
            return nullptr;
        return c;
    }

    static QJsonArray history(TestClient &c, const QString &with)
    {
        c.sendJson(MessageEncoder::historyRequest(with, 0, 0, 200));
        return c.waitForType(QStringLiteral("history")).value(QLatin1String("messages")).toArray();
    }

    // Sends a chat message and waits for its ack; the error code instead when it is refused.
    static QString send(TestClient &c, const QString &content, const QString &id,
                        const QString &to = {})
    {
        c.sendChat(content, id, to);
        const QJsonObject reply = c.waitFor([&](const QJsonObject &o) {
            return o.value(QLatin1String("id")).toString() == id &&
                   (typeOf(o) == QLatin1String("ack") || typeOf(o) == QLatin1String("error"));
        });
        return typeOf(reply) == QLatin1String("ack") ? QStringLiteral("ack") : codeOf(reply);
    }

    static qint64 tokenId(const TestClient &c)
    {
        return c.loginReply().value(QLatin1String("token_id")).toInteger();
    }

private slots:
    void impersonationIsRefused()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(server.createAccount(QStringLiteral("ace"), QStringLiteral("ace's password")));
        QVERIFY(server.start());

        // A wrong password and a name without an account get the same answer, word for word.
        TestClient mallory;
        QVERIFY(mallory.open(server.url()));
        QVERIFY(!mallory.signIn(QStringLiteral("alice"), QStringLiteral("alice's password?")));
        QCOMPARE(mallory.loginError(), QStringLiteral("auth_failed"));
        const QString wrongPassword =
            mallory.loginReply().value(QLatin1String("content")).toString();
        QVERIFY(!wrongPassword.isEmpty());
        QVERIFY(!mallory.signIn(QStringLiteral("alise"), kAlicePassword));
        QCOMPARE(mallory.loginError(), QStringLiteral("auth_failed"));
        QCOMPARE(mallory.loginReply().value(QLatin1String("content")).toString(), wrongPassword);

        // Nor can a guest take the name, in any spelling that is or looks like it.
        const QList<std::pair<QString, QString>> refused{
            {QStringLiteral("alice"), QStringLiteral("name_registered")},
            {QStringLiteral("ALICE"), QStringLiteral("name_registered")},
            {QStringLiteral("Alice"), QStringLiteral("name_registered")},
            {QStringLiteral("aIice"), QStringLiteral("name_confusable")}, // capital i
            {QStringLiteral("a1ice"), QStringLiteral("name_confusable")},
            {QStringLiteral("асе"), QStringLiteral("name_confusable")}, // Cyrillic, vs "ace"
            {QStringLiteral("АСЕ"), QStringLiteral("name_confusable")},
            // Not even looked up: fullwidth letters and Latin mixed with Cyrillic are no names.
            {QStringLiteral("ａlice"), QStringLiteral("name_invalid")},
            {QStringLiteral("аlice"), QStringLiteral("name_invalid")},
        };
        for (const auto &[name, code] : refused) {
            QVERIFY2(!mallory.login(name), qPrintable(name));
            QVERIFY2(mallory.loginError() == code,
                     qPrintable(QStringLiteral("%1: %2").arg(name, mallory.loginError())));
            QCOMPARE(typeOf(mallory.loginReply()), QStringLiteral("error"));
        }
        // The old web page gets the same refusal, as a system message it can show.
        TestClient seed;
        QVERIFY(seed.open(server.url()));
        QVERIFY(!seed.login(QStringLiteral("Alice"), true));
        QCOMPARE(typeOf(seed.loginReply()), QStringLiteral("system"));
        QCOMPARE(codeOf(seed.loginReply()), QStringLiteral("name_registered"));
        QVERIFY(!seed.login(QStringLiteral("aIice"), true));
        QCOMPARE(typeOf(seed.loginReply()), QStringLiteral("system"));
        QCOMPARE(codeOf(seed.loginReply()), QStringLiteral("name_confusable"));

        // None of that took the name: mallory is herself, and alice is still alice's.
        QVERIFY(mallory.login(QStringLiteral("mallory")));
        QCOMPARE(strings(mallory.loginReply().value(QLatin1String("user_list"))),
                 QStringList{QStringLiteral("mallory")});
        auto alice = account(server, QStringLiteral("alice"), kAlicePassword);
        QVERIFY(alice);
        QCOMPARE(alice->loginReply().value(QLatin1String("content")).toString(),
                 QStringLiteral("alice"));
        QVERIFY(alice->loginReply().value(QLatin1String("account")).toBool());
    }

    void laterGuestGetsNoneOfFormerGuestsPrivateHistory()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto bob = guest(server, QStringLiteral("bob"));
        auto gina = guest(server, QStringLiteral("gina"));
        QVERIFY(bob && gina);
        QVERIFY(!gina->loginReply().value(QLatin1String("account")).toBool());
        const QString session = gina->session();
        QVERIFY(!session.isEmpty());
        QCOMPARE(send(*bob, QStringLiteral("hello room"), QStringLiteral("g-0")),
                 QStringLiteral("ack"));
        QCOMPARE(send(*gina, QStringLiteral("gina to bob"), QStringLiteral("g-1"),
                      QStringLiteral("bob")),
                 QStringLiteral("ack"));
        QCOMPARE(send(*bob, QStringLiteral("bob to gina"), QStringLiteral("g-2"),
                      QStringLiteral("gina")),
                 QStringLiteral("ack"));
        const QStringList theirs{QStringLiteral("gina to bob"), QStringLiteral("bob to gina")};
        QCOMPARE(contents(history(*gina, QStringLiteral("bob"))), theirs);

        gina->socket().close();
        QVERIFY(!bob->waitForPresence(QStringLiteral("gina"), false).isEmpty());
        // A guest who is gone has nobody to keep a message for.
        QCOMPARE(send(*bob, QStringLiteral("still there?"), QStringLiteral("g-3"),
                      QStringLiteral("gina")),
                 QStringLiteral("user_offline"));

        // Someone else may call herself gina now, but the conversation is not hers.
        auto other = guest(server, QStringLiteral("gina"));
        QVERIFY(other);
        QVERIFY(history(*other, QStringLiteral("bob")).isEmpty());
        QCOMPARE(contents(history(*other, QStringLiteral("*"))),
                 QStringList{QStringLiteral("hello room")});
        QCOMPARE(send(*bob, QStringLiteral("bob to the new gina"), QStringLiteral("g-4"),
                      QStringLiteral("gina")),
                 QStringLiteral("ack"));
        QVERIFY(!other->waitForChat(QStringLiteral("bob to the new gina")).isEmpty());
        other->socket().close();
        QVERIFY(!bob->waitForPresence(QStringLiteral("gina"), false).isEmpty());

        // The first gina comes back with her resume token: her conversation is hers again, and
        // what was said to the later gina is not.
        auto back = guest(server, QStringLiteral("gina"), session);
        QVERIFY(back);
        QCOMPARE(contents(history(*back, QStringLiteral("bob"))), theirs);
        QCOMPARE(contents(history(*back, QStringLiteral("*"))),
                 QStringList{QStringLiteral("hello room")} + theirs);

        // Also after a restart, with the token of her latest login.
        const QString latest = back->session();
        QVERIFY(!latest.isEmpty());
        QVERIFY(server.stop());
        QVERIFY(back->waitForDisconnected());
        QVERIFY(bob->waitForDisconnected());
        QVERIFY(server.start());
        auto restarted = guest(server, QStringLiteral("gina"), latest);
        QVERIFY(restarted);
        QCOMPARE(contents(history(*restarted, QStringLiteral("bob"))), theirs);
        // A token that was used already is no way back in: that is a new gina.
        auto watcher = guest(server, QStringLiteral("watcher"));
        QVERIFY(watcher);
        restarted->socket().close();
        QVERIFY(!watcher->waitForPresence(QStringLiteral("gina"), false).isEmpty());
        auto stale = guest(server, QStringLiteral("gina"), session);
        QVERIFY(stale);
        QVERIFY(history(*stale, QStringLiteral("bob")).isEmpty());
    }

    void accountHistoryFollowsItToANewDevice()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(server.start());
        auto bob = guest(server, QStringLiteral("bob"));
        QVERIFY(bob);
        {
            auto laptop =
                account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("laptop"));
            QVERIFY(laptop);
            QCOMPARE(send(*bob, QStringLiteral("bob to alice"), QStringLiteral("a-1"),
                          QStringLiteral("alice")),
                     QStringLiteral("ack"));
            QVERIFY(!laptop->waitForChat(QStringLiteral("bob to alice")).isEmpty());
            QCOMPARE(send(*laptop, QStringLiteral("alice to bob"), QStringLiteral("a-2"),
                          QStringLiteral("bob")),
                     QStringLiteral("ack"));
            laptop->socket().close();
            QVERIFY(!bob->waitForPresence(QStringLiteral("alice"), false).isEmpty());
        }
        // While she is away, messages to her account are kept for her, however her name is
        // spelled.
        QCOMPARE(send(*bob, QStringLiteral("while you were away"), QStringLiteral("a-3"),
                      QStringLiteral("alice")),
                 QStringLiteral("ack"));
        QCOMPARE(send(*bob, QStringLiteral("and once more"), QStringLiteral("a-4"),
                      QStringLiteral("ALICE")),
                 QStringLiteral("ack"));

        // A new device, signed in with her password, has all of it.
        auto phone =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("phone"));
        QVERIFY(phone);
        const QStringList conversation{
            QStringLiteral("bob to alice"), QStringLiteral("alice to bob"),
            QStringLiteral("while you were away"), QStringLiteral("and once more")};
        QCOMPARE(contents(history(*phone, QStringLiteral("bob"))), conversation);
        QCOMPARE(contents(history(*phone, QStringLiteral("*"))), conversation);
        for (const QJsonValue &v : history(*phone, QStringLiteral("bob")))
            QVERIFY(QStringList({QStringLiteral("alice"), QStringLiteral("bob")})
                        .contains(v.toObject().value(QLatin1String("to")).toString()));
    }

    void throttleEngagesForKnownAndUnknownNames()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("tina"), kAlicePassword));
        QVERIFY(server.start());

        // Wrong passwords until the server stops checking them (at most ten tries).
        struct Run
        {
            QStringList codes;
            QString failedText;
            QJsonObject throttled;
        };
        auto guessUntilThrottled = [&](const QString &name) {
            Run run;
            TestClient c;
            if (!c.open(server.url()))
                return run;
            for (int i = 0; i < 10 && run.throttled.isEmpty(); ++i) {
                c.signIn(name, QStringLiteral("guess number %1").arg(i));
                run.codes.append(c.loginError());
                if (c.loginError() == QLatin1String("auth_throttled"))
                    run.throttled = c.loginReply();
                else
                    run.failedText = c.loginReply().value(QLatin1String("content")).toString();
            }
            return run;
        };
        const Run known = guessUntilThrottled(QStringLiteral("tina"));
        const Run unknown = guessUntilThrottled(QStringLiteral("nobody"));
        for (const Run &run : {known, unknown}) {
            QVERIFY2(!run.throttled.isEmpty(), qPrintable(run.codes.join(QLatin1Char(' '))));
            // Five free failures, then at least one more that is checked and delayed.
            QVERIFY(run.codes.size() >= 7);
            for (qsizetype i = 0; i + 1 < run.codes.size(); ++i)
                QCOMPARE(run.codes.at(i), QStringLiteral("auth_failed"));
            QVERIFY(run.throttled.value(QLatin1String("retry_after")).toInt() >= 1);
        }
        QCOMPARE(unknown.failedText, known.failedText);
        QCOMPARE(unknown.throttled.value(QLatin1String("content")).toString(),
                 known.throttled.value(QLatin1String("content")).toString());

        // Every failure is in the log with the address it came from.
        auto failures = [](const Run &run) {
            return int(run.codes.count(QStringLiteral("auth_failed")));
        };
        QTRY_COMPARE(int(server.log().count(QLatin1String("failed sign-in for tina from "
                                                          "127.0.0.1"))),
                     failures(known));
        QTRY_COMPARE(int(server.log().count(QLatin1String("failed sign-in for nobody from "
                                                          "127.0.0.1"))),
                     failures(unknown));

        // Once the delay it gave has passed, the right password works again.
        QTest::qWait(known.throttled.value(QLatin1String("retry_after")).toInt() * 1000);
        auto tina = account(server, QStringLiteral("tina"), kAlicePassword);
        QVERIFY(tina);
    }

    void revokedTokenEndsLiveSession()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(server.start());

        // Revoked with the admin command line, on the running server's database.
        auto laptop =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("laptop"));
        QVERIFY(laptop);
        const QString laptopToken = laptop->token();
        QVERIFY(!laptopToken.isEmpty());
        QString out;
        QCOMPARE(server.admin({QStringLiteral("tokens"), QStringLiteral("alice")}, {}, &out), 0);
        QVERIFY2(out.contains(QLatin1String("laptop")), qPrintable(out));
        QCOMPARE(server.admin({QStringLiteral("revoke"), QStringLiteral("alice"),
                               QString::number(tokenId(*laptop))},
                              {}, &out),
                 0);
        const QJsonObject revoked = laptop->waitForError(QStringLiteral("token_revoked"));
        QVERIFY2(!revoked.isEmpty(), qPrintable(server.log()));
        QVERIFY(revoked.value(QLatin1String("fatal")).toBool());
        QVERIFY(laptop->waitForDisconnected());
        QCOMPARE(int(laptop->socket().closeCode()), 1008);
        TestClient again;
        QVERIFY(again.open(server.url()));
        QVERIFY(!again.signInWithToken(QStringLiteral("alice"), laptopToken));
        QCOMPARE(again.loginError(), QStringLiteral("token_invalid"));

        // Revoked from another device: all three are online at once, and the revoked one's
        // live session ends there and then.
        auto desk =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("desk"));
        QVERIFY(desk);
        const QString deskToken = desk->token();
        const qint64 deskId = tokenId(*desk);
        auto tablet =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("tablet"));
        QVERIFY(tablet);
        const QString tabletToken = tablet->token();
        auto phone =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("phone"));
        QVERIFY(phone);
        phone->sendJson(json({{QStringLiteral("type"), QStringLiteral("device_revoke")},
                              {QStringLiteral("device"), deskId},
                              {QStringLiteral("id"), QStringLiteral("rv-1")}}));
        QCOMPARE(phone->waitForType(QStringLiteral("device_revoked"))
                     .value(QLatin1String("count"))
                     .toInt(),
                 1);
        QVERIFY(!desk->waitForError(QStringLiteral("token_revoked")).isEmpty());
        QVERIFY(desk->waitForDisconnected());
        TestClient deskAgain;
        QVERIFY(deskAgain.open(server.url()));
        QVERIFY(!deskAgain.signInWithToken(QStringLiteral("alice"), deskToken));
        QCOMPARE(deskAgain.loginError(), QStringLiteral("token_invalid"));
        // Exactly one of "device" and "all".
        phone->sendJson(R"({"type":"device_revoke","id":"rv-x"})");
        QCOMPARE(phone->waitForError(QStringLiteral("bad_request"))
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("rv-x"));
        // "all": every device but the one asking.
        phone->sendJson(R"({"type":"device_revoke","all":true,"id":"rv-2"})");
        QCOMPARE(phone->waitForType(QStringLiteral("device_revoked"))
                     .value(QLatin1String("count"))
                     .toInt(),
                 1);
        QVERIFY(!tablet->waitForError(QStringLiteral("token_revoked")).isEmpty());
        QVERIFY(!deskAgain.signInWithToken(QStringLiteral("alice"), tabletToken));
        QCOMPARE(deskAgain.loginError(), QStringLiteral("token_invalid"));
        QCOMPARE(send(*phone, QStringLiteral("still signed in"), QStringLiteral("rv-3")),
                 QStringLiteral("ack"));
        phone->sendJson(R"({"type":"devices","id":"dv-1"})");
        const QJsonArray left =
            phone->waitForType(QStringLiteral("devices")).value(QLatin1String("devices")).toArray();
        QCOMPARE(left.size(), 1);
        QCOMPARE(left.first().toObject().value(QLatin1String("label")).toString(),
                 QStringLiteral("phone"));

        // Disabled with the admin command line: the live session ends, sign-ins are refused.
        QCOMPARE(server.admin({QStringLiteral("disable"), QStringLiteral("alice")}, {}, &out), 0);
        const QJsonObject disabled = phone->waitForError(QStringLiteral("account_disabled"));
        QVERIFY2(!disabled.isEmpty(), qPrintable(server.log()));
        QVERIFY(disabled.value(QLatin1String("fatal")).toBool());
        QVERIFY(phone->waitForDisconnected());
        TestClient refused;
        QVERIFY(refused.open(server.url()));
        QVERIFY(!refused.signIn(QStringLiteral("alice"), kAlicePassword));
        QCOMPARE(refused.loginError(), QStringLiteral("account_disabled"));
        QVERIFY(refused.loginReply().value(QLatin1String("fatal")).toBool());
        QVERIFY(refused.waitForDisconnected());
        TestClient byToken;
        QVERIFY(byToken.open(server.url()));
        QVERIFY(!byToken.signInWithToken(QStringLiteral("alice"), phone->token()));
        QCOMPARE(byToken.loginError(), QStringLiteral("account_disabled"));
        // Enabled again, she is back.
        QCOMPARE(server.admin({QStringLiteral("enable"), QStringLiteral("alice")}, {}, &out), 0);
        QVERIFY(account(server, QStringLiteral("alice"), kAlicePassword));

        // A Confab client (version 2) gets its errors as "error" messages, also a fatal one
        // that ends its sign-in: "system" messages are the seed page's.
        QCOMPARE(typeOf(refused.loginReply()), QStringLiteral("error"));
        QCOMPARE(typeOf(byToken.loginReply()), QStringLiteral("error"));
    }

    void passwordChangeRevokesOtherDevices()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(server.start());
        const QString newPassword = QStringLiteral("a much better passphrase");

        auto laptop =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("laptop"));
        QVERIFY(laptop);
        const QString laptopToken = laptop->token();
        auto phone =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("phone"));
        QVERIFY(phone);
        const QString phoneToken = phone->token();

        // A guest has no password, devices or invites.
        auto visitor = guest(server, QStringLiteral("visitor"));
        QVERIFY(visitor);
        for (const char *request :
             {R"({"type":"password_change","old":"whatever1","password":"whatever2","id":"g"})",
              R"({"type":"devices","id":"g"})", R"({"type":"invite_create","id":"g"})"}) {
            visitor->sendJson(request);
            QCOMPARE(visitor->waitForError(QStringLiteral("not_signed_in"))
                         .value(QLatin1String("id"))
                         .toString(),
                     QStringLiteral("g"));
        }

        // The old password must be right, and the new one long enough.
        phone->sendJson(json({{QStringLiteral("type"), QStringLiteral("password_change")},
                              {QStringLiteral("old"), QStringLiteral("not my password")},
                              {QStringLiteral("password"), newPassword},
                              {QStringLiteral("id"), QStringLiteral("pw-1")}}));
        QCOMPARE(phone->waitForError(QStringLiteral("auth_failed"), 15000)
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("pw-1"));
        phone->sendJson(json({{QStringLiteral("type"), QStringLiteral("password_change")},
                              {QStringLiteral("old"), kAlicePassword},
                              {QStringLiteral("password"), QStringLiteral("short")},
                              {QStringLiteral("id"), QStringLiteral("pw-2")}}));
        QCOMPARE(phone->waitForError(QStringLiteral("weak_password"))
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("pw-2"));

        phone->sendJson(json({{QStringLiteral("type"), QStringLiteral("password_change")},
                              {QStringLiteral("old"), kAlicePassword},
                              {QStringLiteral("password"), newPassword},
                              {QStringLiteral("id"), QStringLiteral("pw-3")}}));
        const QJsonObject changed = phone->waitForType(QStringLiteral("password_changed"), 15000);
        QCOMPARE(changed.value(QLatin1String("id")).toString(), QStringLiteral("pw-3"));
        QCOMPARE(changed.value(QLatin1String("revoked")).toInt(), 1); // the laptop
        // The laptop, online meanwhile, is signed out at once.
        QVERIFY(!laptop->waitForError(QStringLiteral("token_revoked")).isEmpty());
        QVERIFY(laptop->waitForDisconnected());
        // The phone itself stays signed in.
        QCOMPARE(send(*phone, QStringLiteral("after the change"), QStringLiteral("pw-4")),
                 QStringLiteral("ack"));

        // The laptop's token is refused; so is the old password; the new one works.
        TestClient other;
        QVERIFY(other.open(server.url()));
        QVERIFY(!other.signInWithToken(QStringLiteral("alice"), laptopToken));
        QCOMPARE(other.loginError(), QStringLiteral("token_invalid"));
        QVERIFY(!other.signIn(QStringLiteral("alice"), kAlicePassword));
        QCOMPARE(other.loginError(), QStringLiteral("auth_failed"));
        QVERIFY(other.signIn(QStringLiteral("alice"), newPassword));
        // The phone's own token was kept.
        auto phoneAgain = std::make_unique<TestClient>();
        QVERIFY(phoneAgain->open(server.url()));
        QVERIFY(phoneAgain->signInWithToken(QStringLiteral("alice"), phoneToken));
    }

    // An account may be online on several devices at once: each sees what the others send,
    // and the room sees one user.
    void accountOnTwoDevicesAtOnce()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(server.start());
        auto laptop =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("laptop"));
        auto phone =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("phone"));
        QVERIFY(laptop && phone);
        QCOMPARE(send(*phone, QStringLiteral("from the phone"), QStringLiteral("two-1")),
                 QStringLiteral("ack"));
        const QJsonObject seen = laptop->waitFor([](const QJsonObject &o) {
            return (typeOf(o) == QLatin1String("user") &&
                    o.value(QLatin1String("content")).toString() ==
                        QLatin1String("from the phone")) ||
                   o.contains(QLatin1String("code"));
        });
        QCOMPARE(typeOf(seen), QStringLiteral("user"));
        // One user in the list, however many devices.
        phone->sendJson(R"({"type":"ping","id":"p"})");
        QVERIFY(!phone->waitForType(QStringLiteral("pong")).isEmpty());
        TestClient watcher;
        QVERIFY(watcher.open(server.url()) && watcher.login(QStringLiteral("watcher")));
        const QVariantList users =
            watcher.loginReply().value(QLatin1String("user_list")).toArray().toVariantList();
        QCOMPARE(users.count(QVariant(QStringLiteral("alice"))), 1);
        QCOMPARE(watcher.loginReply().value(QLatin1String("online")).toInt(), 2);
        phone->sendJson(json({{QStringLiteral("type"), QStringLiteral("device_revoke")},
                              {QStringLiteral("device"), tokenId(*laptop)}}));
        QVERIFY(!laptop->waitForError(QStringLiteral("token_revoked")).isEmpty());
    }

    void adminCommandsWorkOnRunningServer()
    {
        ServerProcess server; // registration by invite, the default
        QVERIFY(server.start());
        const QString carolPassword = QStringLiteral("carol's password");
        QString out;

        // create, then sign in; list shows the account.
        QCOMPARE(
            server.admin({QStringLiteral("create"), QStringLiteral("carol")}, carolPassword, &out),
            0);
        auto carol =
            account(server, QStringLiteral("carol"), carolPassword, QStringLiteral("laptop"));
        QVERIFY2(carol, qPrintable(server.log()));
        QCOMPARE(server.admin({QStringLiteral("list")}, {}, &out), 0);
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral("^carol +active"),
                                                 QRegularExpression::MultilineOption)),
                 qPrintable(out));

        // invite: one use makes one account.
        QCOMPARE(server.admin({QStringLiteral("invite"), QStringLiteral("--uses"),
                               QStringLiteral("1"), QStringLiteral("--days"), QStringLiteral("1")},
                              {}, &out),
                 0);
        const QRegularExpressionMatch code =
            QRegularExpression(QStringLiteral("^[0-9A-Z]{6}(-[0-9A-Z]{6}){3}$"),
                               QRegularExpression::MultilineOption)
                .match(out);
        QVERIFY2(code.hasMatch(), qPrintable(out));
        TestClient dave;
        QVERIFY(dave.open(server.url()));
        QVERIFY2(dave.registerAccount(QStringLiteral("dave"), QStringLiteral("dave's password"),
                                      code.captured(0)),
                 qPrintable(dave.loginError()));
        QVERIFY(dave.loginReply().value(QLatin1String("account")).toBool());
        QVERIFY(!dave.token().isEmpty());
        TestClient erin;
        QVERIFY(erin.open(server.url()));
        QVERIFY(!erin.registerAccount(QStringLiteral("erin"), QStringLiteral("erin's password"),
                                      code.captured(0)));
        QCOMPARE(erin.loginError(), QStringLiteral("invite_invalid"));

        // reset-password --generate: carol's devices are signed out, the printed one works.
        QCOMPARE(server.admin({QStringLiteral("reset-password"), QStringLiteral("carol"),
                               QStringLiteral("--generate")},
                              {}, &out),
                 0);
        const QRegularExpressionMatch generated =
            QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]{12,}$"),
                               QRegularExpression::MultilineOption)
                .match(out);
        QVERIFY2(generated.hasMatch(), qPrintable(out));
        QVERIFY(!carol->waitForError(QStringLiteral("token_revoked")).isEmpty());
        TestClient stale;
        QVERIFY(stale.open(server.url()));
        QVERIFY(!stale.signIn(QStringLiteral("carol"), carolPassword));
        QCOMPARE(stale.loginError(), QStringLiteral("auth_failed"));
        auto phone = account(server, QStringLiteral("carol"), generated.captured(0),
                             QStringLiteral("phone"));
        QVERIFY(phone);

        // tokens and revoke.
        QCOMPARE(server.admin({QStringLiteral("tokens"), QStringLiteral("carol")}, {}, &out), 0);
        QVERIFY2(out.contains(QLatin1String("phone")) && !out.contains(QLatin1String("laptop")),
                 qPrintable(out));
        const QString phoneId = QString::number(tokenId(*phone));
        QCOMPARE(
            server.admin({QStringLiteral("revoke"), QStringLiteral("carol"), phoneId}, {}, &out),
            0);
        QVERIFY(!phone->waitForError(QStringLiteral("token_revoked")).isEmpty());
        QCOMPARE(
            server.admin({QStringLiteral("revoke"), QStringLiteral("carol"), phoneId}, {}, &out),
            4); // gone already
        QCOMPARE(server.admin(
                     {QStringLiteral("revoke"), QStringLiteral("carol"), QStringLiteral("--all")},
                     {}, &out),
                 0);

        // Exit codes: 4 no such account, 2 usage, 5 refused.
        QCOMPARE(server.admin({QStringLiteral("tokens"), QStringLiteral("nobody")}), 4);
        QCOMPARE(server.admin({QStringLiteral("disable"), QStringLiteral("nobody")}), 4);
        QCOMPARE(server.admin({QStringLiteral("reset-password"), QStringLiteral("nobody"),
                               QStringLiteral("--generate")}),
                 4);
        QCOMPARE(server.admin({}), 2);
        QCOMPARE(server.admin({QStringLiteral("frobnicate")}), 2);
        QCOMPARE(server.admin({QStringLiteral("create")}, QStringLiteral("a password")), 2);
        QCOMPARE(server.admin({QStringLiteral("revoke"), QStringLiteral("carol")}), 2);
        QCOMPARE(
            server.admin({QStringLiteral("invite"), QStringLiteral("--uses"), QStringLiteral("0")}),
            2);
        QCOMPARE(server.admin({QStringLiteral("create"), QStringLiteral("frank")}), 2); // no pw
        QCOMPARE(server.admin({QStringLiteral("create"), QStringLiteral("carol")},
                              QStringLiteral("a password")),
                 5);
        QCOMPARE(server.admin({QStringLiteral("create"), QStringLiteral("CAROL")},
                              QStringLiteral("a password")),
                 5);
        QCOMPARE(server.admin({QStringLiteral("create"), QStringLiteral("caroI")},
                              QStringLiteral("a password")),
                 5);
        QCOMPARE(server.admin({QStringLiteral("create"), QStringLiteral("frank")},
                              QStringLiteral("short")),
                 5);
        // None of the refused ones exists.
        QCOMPARE(server.admin({QStringLiteral("list")}, {}, &out), 0);
        QVERIFY2(out.contains(QLatin1String("2 accounts")), qPrintable(out));
    }

    void registrationClosed()
    {
        ServerProcess server({QStringLiteral("--registration"), QStringLiteral("closed")});
        QVERIFY(server.start());
        TestClient c;
        QVERIFY(c.open(server.url()));
        QCOMPARE(c.handshake()
                     .value(QLatin1String("auth"))
                     .toObject()
                     .value(QLatin1String("registration"))
                     .toString(),
                 QStringLiteral("closed"));
        QVERIFY(!c.registerAccount(QStringLiteral("newbie"), QStringLiteral("a fine password")));
        QCOMPARE(c.loginError(), QStringLiteral("registration_closed"));
    }

    void registrationByInvite()
    {
        ServerProcess server({QStringLiteral("--registration"), QStringLiteral("invite")});
        QVERIFY(server.createAccount(QStringLiteral("root"), kAlicePassword, true));
        QVERIFY(server.createAccount(QStringLiteral("plain"), kAlicePassword));
        QVERIFY(server.start());
        TestClient c;
        QVERIFY(c.open(server.url()));
        QCOMPARE(c.handshake()
                     .value(QLatin1String("auth"))
                     .toObject()
                     .value(QLatin1String("registration"))
                     .toString(),
                 QStringLiteral("invite"));
        QVERIFY(!c.registerAccount(QStringLiteral("newbie"), QStringLiteral("a fine password")));
        QCOMPARE(c.loginError(), QStringLiteral("invite_required"));
        QVERIFY(!c.registerAccount(QStringLiteral("newbie"), QStringLiteral("a fine password"),
                                   QStringLiteral("AAAAAA-AAAAAA-AAAAAA-AAAAAA")));
        QCOMPARE(c.loginError(), QStringLiteral("invite_invalid"));

        // Only admins make invites in the chat.
        auto plain = account(server, QStringLiteral("plain"), kAlicePassword);
        QVERIFY(plain);
        QVERIFY(!plain->loginReply().value(QLatin1String("admin")).toBool());
        plain->sendJson(R"({"type":"invite_create","uses":1,"days":1,"id":"inv-1"})");
        QCOMPARE(
            plain->waitForError(QStringLiteral("forbidden")).value(QLatin1String("id")).toString(),
            QStringLiteral("inv-1"));
        auto root = account(server, QStringLiteral("root"), kAlicePassword);
        QVERIFY(root);
        QVERIFY(root->loginReply().value(QLatin1String("admin")).toBool());
        root->sendJson(R"({"type":"invite_create","uses":1,"days":1,"id":"inv-2"})");
        const QJsonObject invite = root->waitForType(QStringLiteral("invite"));
        QCOMPARE(invite.value(QLatin1String("id")).toString(), QStringLiteral("inv-2"));
        QCOMPARE(invite.value(QLatin1String("uses")).toInt(), 1);
        QVERIFY(invite.value(QLatin1String("expires")).toInteger() >
                QDateTime::currentMSecsSinceEpoch());
        const QString code = invite.value(QLatin1String("code")).toString();
        QVERIFY(
            c.registerAccount(QStringLiteral("newbie"), QStringLiteral("a fine password"), code));
        TestClient late;
        QVERIFY(late.open(server.url()));
        QVERIFY(!late.registerAccount(QStringLiteral("latecomer"),
                                      QStringLiteral("a fine password"), code));
        QCOMPARE(late.loginError(), QStringLiteral("invite_invalid"));
    }

    void registrationOpen()
    {
        ServerProcess server({QStringLiteral("--registration"), QStringLiteral("open")});
        QVERIFY(server.createAccount(QStringLiteral("ace"), kAlicePassword));
        QVERIFY(server.start());
        TestClient c;
        QVERIFY(c.open(server.url()));
        QVERIFY(!c.registerAccount(QStringLiteral("newbie"), QStringLiteral("seven77")));
        QCOMPARE(c.loginError(), QStringLiteral("weak_password"));
        QVERIFY(!c.registerAccount(QStringLiteral("ACE"), QStringLiteral("a fine password")));
        QCOMPARE(c.loginError(), QStringLiteral("name_registered"));
        QVERIFY(!c.registerAccount(QStringLiteral("асе"), QStringLiteral("a fine password")));
        QCOMPARE(c.loginError(), QStringLiteral("name_confusable"));
        QVERIFY(c.registerAccount(QStringLiteral("Newbie"), QStringLiteral("a fine password")));
        QCOMPARE(c.loginReply().value(QLatin1String("content")).toString(),
                 QStringLiteral("Newbie"));
        QVERIFY(c.loginReply().value(QLatin1String("account")).toBool());
        QVERIFY(!c.token().isEmpty());

        // The new name is the account's now: no guest gets it, nor a second registration.
        TestClient g;
        QVERIFY(g.open(server.url()));
        QVERIFY(!g.login(QStringLiteral("newbie")));
        QCOMPARE(g.loginError(), QStringLiteral("name_registered"));
        // Its password signs in from elsewhere.
        QVERIFY(account(server, QStringLiteral("newbie"), QStringLiteral("a fine password")));
    }

    // One address makes at most five accounts an hour: each has limits of its own, so more
    // would be a way around the per-address ones. Failed tries do not count.
    void registrationsPerAddressAreBounded()
    {
        ServerProcess server({QStringLiteral("--registration"), QStringLiteral("open")});
        QVERIFY(server.start());
        TestClient weak;
        QVERIFY(weak.open(server.url()));
        QVERIFY(!weak.registerAccount(QStringLiteral("weakling"), QStringLiteral("seven77")));
        QCOMPARE(weak.loginError(), QStringLiteral("weak_password"));
        for (int i = 0; i < 5; ++i) {
            TestClient c;
            QVERIFY(c.open(server.url()));
            QVERIFY2(c.registerAccount(QStringLiteral("maker%1").arg(i),
                                       QStringLiteral("a fine password")),
                     qPrintable(c.loginError()));
        }
        TestClient sixth;
        QVERIFY(sixth.open(server.url()));
        QVERIFY(
            !sixth.registerAccount(QStringLiteral("maker5"), QStringLiteral("a fine password")));
        QCOMPARE(sixth.loginError(), QStringLiteral("auth_throttled"));
        // Retry in about an hour (seconds), when the first of the five is an hour old.
        const qint64 retry = sixth.loginReply().value(QLatin1String("retry_after")).toInteger();
        QVERIFY2(retry > 3500 && retry <= 3600, qPrintable(QString::number(retry)));
        // The accounts it made sign in as usual, and guests still come.
        QVERIFY(account(server, QStringLiteral("maker0"), QStringLiteral("a fine password")));
        TestClient guest;
        QVERIFY(guest.open(server.url()));
        QVERIFY(guest.login(QStringLiteral("visitor")));
    }

    void guestsDenied()
    {
        ServerProcess server({QStringLiteral("--guests"), QStringLiteral("deny")});
        QVERIFY(server.createAccount(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(server.start());
        TestClient c;
        QVERIFY(c.open(server.url()));
        QCOMPARE(c.handshake()
                     .value(QLatin1String("auth"))
                     .toObject()
                     .value(QLatin1String("guests"))
                     .toBool(true),
                 false);
        QVERIFY(!c.login(QStringLiteral("visitor")));
        QCOMPARE(c.loginError(), QStringLiteral("guests_not_allowed"));
        TestClient seed;
        QVERIFY(seed.open(server.url()));
        QVERIFY(!seed.login(QStringLiteral("visitor"), true));
        QCOMPARE(typeOf(seed.loginReply()), QStringLiteral("system"));
        QCOMPARE(codeOf(seed.loginReply()), QStringLiteral("guests_not_allowed"));
        // Accounts still sign in, on the same connection.
        QVERIFY(c.signIn(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(c.loginReply().value(QLatin1String("account")).toBool());
    }

    void userListMarksGuests()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(server.createAccount(QStringLiteral("bob"), kAlicePassword));
        QVERIFY(server.start());
        auto alice = account(server, QStringLiteral("alice"), kAlicePassword);
        QVERIFY(alice);
        QVERIFY(strings(alice->loginReply().value(QLatin1String("guests"))).isEmpty());

        auto gus = guest(server, QStringLiteral("gus"));
        QVERIFY(gus);
        QVERIFY(!gus->loginReply().value(QLatin1String("account")).toBool());
        QCOMPARE(strings(gus->loginReply().value(QLatin1String("guests"))),
                 QStringList{QStringLiteral("gus")});
        QCOMPARE(strings(gus->loginReply().value(QLatin1String("user_list"))).size(), 2);
        const QJsonObject gusJoined = alice->waitForPresence(QStringLiteral("gus"), true);
        QCOMPARE(strings(gusJoined.value(QLatin1String("guests"))),
                 QStringList{QStringLiteral("gus")});

        auto bob = account(server, QStringLiteral("bob"), kAlicePassword);
        QVERIFY(bob);
        QCOMPARE(strings(bob->loginReply().value(QLatin1String("guests"))),
                 QStringList{QStringLiteral("gus")});
        const QStringList everyone = strings(bob->loginReply().value(QLatin1String("user_list")));
        QVERIFY(everyone.contains(QStringLiteral("alice")) &&
                everyone.contains(QStringLiteral("bob")) &&
                everyone.contains(QStringLiteral("gus")));
        const QJsonObject bobJoined = gus->waitForPresence(QStringLiteral("bob"), true);
        QVERIFY(!strings(bobJoined.value(QLatin1String("guests"))).contains(QStringLiteral("bob")));
        QVERIFY(!alice->waitForPresence(QStringLiteral("bob"), true).isEmpty());
        for (const QJsonObject &batch : alice->all(
                 [](const QJsonObject &o) { return typeOf(o) == QLatin1String("presence"); })) {
            for (const QString &name : strings(batch.value(QLatin1String("guests"))))
                QCOMPARE(name, QStringLiteral("gus"));
        }
    }

    void hashQueueIsBounded()
    {
        ServerProcess server({QStringLiteral("--hash-threads"), QStringLiteral("1"),
                              QStringLiteral("--hash-queue"), QStringLiteral("1")});
        constexpr int kBurst = 6;
        for (int i = 0; i < kBurst; ++i)
            QVERIFY(server.createAccount(QStringLiteral("user%1").arg(i), kAlicePassword));
        QVERIFY(server.start());
        auto talker = guest(server, QStringLiteral("talker"));
        auto listener = guest(server, QStringLiteral("listener"));
        QVERIFY(talker && listener);
        std::vector<std::unique_ptr<TestClient>> burst;
        for (int i = 0; i < kBurst; ++i) {
            burst.push_back(std::make_unique<TestClient>());
            QVERIFY(burst.back()->open(server.url()));
        }

        // All at once: one hash runs, one waits, the others are told to come back.
        for (int i = 0; i < kBurst; ++i)
            burst[size_t(i)]->sendJson(MessageEncoder::signInRequest(
                QStringLiteral("user%1").arg(i), kAlicePassword, {}, QStringLiteral("burst")));
        talker->sendChat(QStringLiteral("chat keeps flowing"), QStringLiteral("flow-1"));
        QVERIFY(!listener->waitForChat(QStringLiteral("chat keeps flowing")).isEmpty());
        int signedIn = 0;
        QList<int> busy;
        for (int i = 0; i < kBurst; ++i) {
            const QJsonObject reply = burst[size_t(i)]->waitFor(isOwnLoginOrError, 15000);
            if (typeOf(reply) == QLatin1String("login")) {
                ++signedIn;
                continue;
            }
            QCOMPARE(codeOf(reply), QStringLiteral("busy"));
            QVERIFY(reply.value(QLatin1String("retry_after")).toInt() >= 1);
            busy.append(i);
        }
        QVERIFY2(signedIn >= 1 && signedIn <= 2, qPrintable(QString::number(signedIn)));
        QCOMPARE(signedIn + int(busy.size()), kBurst);

        // Busy is not a failure: one at a time, each of them gets in.
        for (int i : busy)
            QVERIFY(burst[size_t(i)]->signIn(QStringLiteral("user%1").arg(i), kAlicePassword));
        QVERIFY(!server.log().contains(QLatin1String("failed sign-in")));
    }

    void deviceTokens()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(server.createAccount(QStringLiteral("bob"), kAlicePassword));
        QVERIFY(server.start());

        QString laptopToken;
        qint64 laptopId = 0;
        {
            auto laptop =
                account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("laptop"));
            QVERIFY(laptop);
            laptopToken = laptop->token();
            laptopId = tokenId(*laptop);
            QVERIFY(!laptopToken.isEmpty() && laptopId > 0);
        }
        auto phone =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("phone"));
        QVERIFY(phone);
        const qint64 phoneId = tokenId(*phone);
        QVERIFY(phoneId != laptopId);
        QVERIFY(phone->token() != laptopToken);

        // The laptop comes back with its token: no password, and no new token.
        TestClient laptop;
        QVERIFY(laptop.open(server.url()));
        QVERIFY(laptop.signInWithToken(QStringLiteral("alice"), laptopToken));
        QVERIFY(laptop.loginReply().value(QLatin1String("account")).toBool());
        QVERIFY(!laptop.loginReply().contains(QLatin1String("token")));
        QCOMPARE(laptop.loginReply().value(QLatin1String("content")).toString(),
                 QStringLiteral("alice"));

        laptop.sendJson(R"({"type":"devices","id":"dv-1"})");
        const QJsonObject devices = laptop.waitForType(QStringLiteral("devices"));
        QCOMPARE(devices.value(QLatin1String("id")).toString(), QStringLiteral("dv-1"));
        QMap<qint64, QJsonObject> byId;
        for (const QJsonValue &v : devices.value(QLatin1String("devices")).toArray())
            byId.insert(v.toObject().value(QLatin1String("id")).toInteger(), v.toObject());
        QCOMPARE(byId.keys(), (QList<qint64>{qMin(laptopId, phoneId), qMax(laptopId, phoneId)}));
        QCOMPARE(byId.value(laptopId).value(QLatin1String("label")).toString(),
                 QStringLiteral("laptop"));
        QCOMPARE(byId.value(phoneId).value(QLatin1String("label")).toString(),
                 QStringLiteral("phone"));
        QVERIFY(byId.value(laptopId).value(QLatin1String("current")).toBool());
        QVERIFY(!byId.value(phoneId).value(QLatin1String("current")).toBool());
        QVERIFY(byId.value(laptopId).value(QLatin1String("last_used")).toInteger() >=
                byId.value(laptopId).value(QLatin1String("created")).toInteger());

        // A token is for its own account only.
        TestClient bob;
        QVERIFY(bob.open(server.url()));
        QVERIFY(!bob.signInWithToken(QStringLiteral("bob"), laptopToken));
        QCOMPARE(bob.loginError(), QStringLiteral("token_invalid"));
        QVERIFY(!bob.signInWithToken(QStringLiteral("alice"), QStringLiteral("made-up-token")));
        QCOMPARE(bob.loginError(), QStringLiteral("token_invalid"));
    }

    void signOutEndsSessionAndToken()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("alice"), kAlicePassword));
        QVERIFY(server.start());
        auto laptop =
            account(server, QStringLiteral("alice"), kAlicePassword, QStringLiteral("laptop"));
        QVERIFY(laptop);
        const QString token = laptop->token();
        laptop->sendJson(R"({"type":"sign_out"})");
        const QJsonObject end =
            laptop->waitFor([](const QJsonObject &o) { return o.contains(QLatin1String("code")); });
        QVERIFY(end.value(QLatin1String("fatal")).toBool());
        QVERIFY(laptop->waitForDisconnected());
        // Its token is gone with it.
        TestClient again;
        QVERIFY(again.open(server.url()));
        QVERIFY(!again.signInWithToken(QStringLiteral("alice"), token));
        QCOMPARE(again.loginError(), QStringLiteral("token_invalid"));
        // Told as what it is: the device signed out (a normal close), not revoked elsewhere.
        QCOMPARE(codeOf(end), QStringLiteral("signed_out"));
        QCOMPARE(int(laptop->socket().closeCode()), 1000);
    }
};

QTEST_GUILESS_MAIN(TestAccounts)
#include "tst_accounts.moc"
