#include "callregistry.h"

#include <QSet>
#include <QTest>

class TestCallRegistry : public QObject
{
    Q_OBJECT
private slots:
    void oneCallPerUser()
    {
        CallRegistry calls;
        const quint32 a =
            calls.create(QStringLiteral("Alice"), QStringLiteral("bob"), {QStringLiteral("audio")});
        QVERIFY(a != 0);
        QCOMPARE(calls.create(QStringLiteral("carol"), QStringLiteral("BOB"), {}),
                 0u); // bob is busy
        QCOMPARE(calls.create(QStringLiteral("alice"), QStringLiteral("carol"), {}),
                 0u); // so is alice
        QVERIFY(calls.isMember(a, QStringLiteral("alice")));
        QVERIFY(!calls.isMember(a, QStringLiteral("carol")));
        QCOMPARE(calls.otherKey(a, QStringLiteral("bob")), QStringLiteral("alice"));
        QCOMPARE(calls.callOf(QStringLiteral("bob"))->id, a);
        calls.remove(a);
        QCOMPARE(calls.count(), 0);
        QVERIFY(!calls.callOf(QStringLiteral("bob")));
        QVERIFY(calls.create(QStringLiteral("carol"), QStringLiteral("bob"), {}) != 0);
    }
    void acceptOnlyWhileRinging()
    {
        CallRegistry calls;
        const quint32 id = calls.create(QStringLiteral("a"), QStringLiteral("b"),
                                        {QStringLiteral("audio"), QStringLiteral("video")});
        QCOMPARE(calls.find(id)->state, CallRegistry::State::Ringing);
        QVERIFY(calls.accept(id, {QStringLiteral("audio")}));
        QCOMPARE(calls.find(id)->state, CallRegistry::State::Active);
        QCOMPARE(calls.find(id)->media, QStringList{QStringLiteral("audio")});
        QVERIFY(!calls.accept(id, {}));
        QVERIFY(!calls.accept(id + 1, {}));
    }
    void idsAreNotSequential()
    {
        CallRegistry calls;
        QSet<quint32> ids;
        for (int i = 0; i < 50; ++i) {
            const quint32 id =
                calls.create(QStringLiteral("u%1").arg(i), QStringLiteral("v%1").arg(i), {});
            QVERIFY(id != 0);
            ids.insert(id);
        }
        QCOMPARE(ids.size(), 50);
    }
};

QTEST_GUILESS_MAIN(TestCallRegistry)
#include "tst_callregistry.moc"
