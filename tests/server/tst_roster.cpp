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
