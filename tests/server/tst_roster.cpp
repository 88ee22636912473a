// Roster: who is online. A name with several devices counts once and comes online with the
// first and goes with the last; its newest device is the one calls ring; look-alike names
// conflict; the JSON lists stay right whether names come (appended) or go (rebuilt).
#include "protocol/namerules.h"
#include "roster.h"

#include <QTest>

#include <memory>

namespace {

std::unique_ptr<ClientConnection> connection(const QString &name, qint64 accountId = 0,
                                             Dialect dialect = Dialect::Confab)
{
    auto c = std::make_unique<ClientConnection>(nullptr, QStringLiteral("127.0.0.1"),
                                                ProtocolLimits(), 0);
    c->name = name;
    c->nameKey = NameRules::key(name);
    c->skeleton = NameRules::skeleton(name);
    c->accountId = accountId;
    c->dialect = dialect;
    return c;
}

} // namespace

class TestRoster : public QObject
{
    Q_OBJECT
private slots:
    void aNameWithSeveralDevicesIsOneUser()
    {
        Roster roster;
        auto laptop = connection(QStringLiteral("Alice"), 1);
        auto phone = connection(QStringLiteral("Alice"), 1);
        auto bob = connection(QStringLiteral("bob"));
        QVERIFY(roster.join(laptop.get()));
        QVERIFY(roster.join(bob.get()));
        QVERIFY(!roster.join(phone.get())); // already online
        QCOMPARE(roster.nameCount(), 2);
        QCOMPARE(roster.members().size(), size_t(3));
        QCOMPARE(roster.names(), (QStringList{QStringLiteral("Alice"), QStringLiteral("bob")}));
        QCOMPARE(roster.newestDevice(QStringLiteral("alice")), phone.get());
        QCOMPARE(roster.devicesOf(QStringLiteral("alice")).size(), size_t(2));
        QCOMPARE(roster.userListJson(), QByteArray(R"(["Alice","bob"])"));

        QVERIFY(!roster.leave(phone.get())); // the laptop is still there
        QCOMPARE(roster.newestDevice(QStringLiteral("alice")), laptop.get());
        QCOMPARE(roster.nameCount(), 2);
        QVERIFY(roster.leave(laptop.get()));
        QCOMPARE(roster.newestDevice(QStringLiteral("alice")), nullptr);
        QVERIFY(roster.devicesOf(QStringLiteral("alice")).empty());
        QCOMPARE(roster.names(), QStringList{QStringLiteral("bob")});
        QCOMPARE(roster.userListJson(), QByteArray(R"(["bob"])"));
        QVERIFY(!roster.leave(laptop.get())); // not a member any more: nothing happens
    }

    void usersOnOtherNodesAreListedOnce()
    {
        Roster roster;
        auto alice = connection(QStringLiteral("alice"), 1);
        alice->identity = QStringLiteral("a1");
        QVERIFY(roster.join(alice.get()));
        const BusUser bob{QStringLiteral("bob"), QStringLiteral("Bob"),
                          NameRules::skeleton(QStringLiteral("Bob")), QStringLiteral("g1"), true};
        const BusUser aliceElsewhere{QStringLiteral("alice"), QStringLiteral("alice"),
                                     NameRules::skeleton(QStringLiteral("alice")),
                                     QStringLiteral("a1"), false};
        QVERIFY(roster.joinRemote(QStringLiteral("n2"), bob));             // came online
        QVERIFY(!roster.joinRemote(QStringLiteral("n3"), bob));            // on a second node too
        QVERIFY(!roster.joinRemote(QStringLiteral("n2"), aliceElsewhere)); // online here already
        QCOMPARE(roster.nameCount(), 2);
        QCOMPARE(roster.names(), (QStringList{QStringLiteral("alice"), QStringLiteral("Bob")}));
        QCOMPARE(roster.userListJson(), QByteArray(R"(["alice","Bob"])"));
        QCOMPARE(roster.guestListJson(), QByteArray(R"(["Bob"])"));
        QVERIFY(roster.isOnline(QStringLiteral("bob")));
        QCOMPARE(roster.remoteUser(QStringLiteral("bob"))->identity, QStringLiteral("g1"));
        // A local guest may not take a name (or a look-alike) online elsewhere.
        QCOMPARE(roster.nameConflict(QStringLiteral("bob"),
                                     NameRules::skeleton(QStringLiteral("bob")), nullptr),
                 ErrorCode::NameTaken);
        QCOMPARE(roster.nameConflict(QStringLiteral("b0b"),
                                     NameRules::skeleton(QStringLiteral("b0b")), nullptr),
                 NameRules::skeleton(QStringLiteral("b0b")) == bob.skeleton
                     ? ErrorCode::NameConfusable
                     : ErrorCode::None);

        // alice's last device here leaves; she is still online on n2.
        QVERIFY(roster.leave(alice.get()));
        QVERIFY(roster.isOnline(QStringLiteral("alice")));
        QCOMPARE(roster.nameCount(), 2);
        QCOMPARE(roster.userListJson(), QByteArray(R"(["Bob","alice"])"));
        QVERIFY(roster.leaveRemote(QStringLiteral("n2"), QStringLiteral("alice")));
        QVERIFY(!roster.leaveRemote(QStringLiteral("n2"), QStringLiteral("bob"))); // still on n3
        QVERIFY(roster.leaveRemote(QStringLiteral("n3"), QStringLiteral("bob")));
        QVERIFY(!roster.leaveRemote(QStringLiteral("n3"), QStringLiteral("bob"))); // gone already
        QCOMPARE(roster.nameCount(), 0);
        QCOMPARE(roster.userListJson(), QByteArray("[]"));
        QCOMPARE(roster.guestListJson(), QByteArray("[]"));
    }

    void lookAlikeNamesConflict()
    {
        Roster roster;
        auto alice = connection(QStringLiteral("alice"));
        roster.join(alice.get());
        const QString cyrillic = QString::fromUtf8("\xd0\xb0lice"); // Cyrillic а
        QCOMPARE(roster.nameConflict(NameRules::key(QStringLiteral("ALICE")),
                                     NameRules::skeleton(QStringLiteral("ALICE")), nullptr),
                 ErrorCode::NameTaken);
        QCOMPARE(
            roster.nameConflict(NameRules::key(cyrillic), NameRules::skeleton(cyrillic), nullptr),
            ErrorCode::NameConfusable);
        // The holder itself (a resume) is not in its own way.
        QCOMPARE(roster.nameConflict(alice->nameKey, alice->skeleton, alice.get()),
                 ErrorCode::None);
        roster.leave(alice.get());
        QCOMPARE(
            roster.nameConflict(NameRules::key(cyrillic), NameRules::skeleton(cyrillic), nullptr),
            ErrorCode::None);
    }

    void guestsAndSeedPagesAreCounted()
    {
        Roster roster;
        auto guest = connection(QStringLiteral("gus"));
        auto member = connection(QStringLiteral("mia"), 7);
        auto seed = connection(QStringLiteral("old page"), 0, Dialect::Seed);
        roster.join(guest.get());
        roster.join(member.get());
        roster.join(seed.get());
        QCOMPARE(roster.guestListJson(), QByteArray(R"(["gus","old page"])"));
        QCOMPARE(roster.seedMembers(), 1);
        roster.leave(guest.get());
        roster.leave(seed.get());
        QCOMPARE(roster.seedMembers(), 0);
        QCOMPARE(roster.guestListJson(), QByteArray("[]"));
        // A name that comes after a rebuild is appended to the rebuilt list.
        auto again = connection(QStringLiteral("gus"));
        roster.join(again.get());
        QCOMPARE(roster.guestListJson(), QByteArray(R"(["gus"])"));
        QCOMPARE(roster.userListJson(), QByteArray(R"(["mia","gus"])"));
    }
};

QTEST_GUILESS_MAIN(TestRoster)
#include "tst_roster.moc"
