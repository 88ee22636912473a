// The outbox keeps unacknowledged messages in order; its ids are UUIDv7 (time first).
#include "net/outbox.h"

#include <QSet>
#include <QTest>
#include <QUuid>

class TestOutbox : public QObject
{
    Q_OBJECT
private slots:
    void keepsUnacknowledgedMessagesInOrder()
    {
        Outbox box;
        const QString first = box.add(QStringLiteral("one"), {});
        const QString second = box.add(QStringLiteral("two"), QStringLiteral("bob"));
        QCOMPARE(box.size(), 2);
        QCOMPARE(box.entries().at(0).content, QStringLiteral("one"));
        QCOMPARE(box.find(second)->to, QStringLiteral("bob"));
        QVERIFY(box.acknowledge(first));
        QVERIFY(!box.acknowledge(first)); // a second ack for the same id changes nothing
        QCOMPARE(box.size(), 1);
        QCOMPARE(box.entries().at(0).clientId, second);
    }

    void idsAreVersion7Uuids()
    {
        const qint64 ms = 1795655458483; // 2026-11-25
        const QString id = Outbox::clientIdAt(ms);
        const QUuid uuid(id);
        QVERIFY(!uuid.isNull());
        QCOMPARE(uuid.variant(), QUuid::DCE);
        // Qt 6.4 knows versions up to 5 only, so the version nibble is read from the text.
        QCOMPARE(id.size(), 36);
        QCOMPARE(id.at(14), QLatin1Char('7'));
        // The first 48 bits are the time in milliseconds.
        QCOMPARE(QString(id).remove(QLatin1Char('-')).left(12).toLongLong(nullptr, 16), ms);
    }

    void idsSortByTimeAndDifferWithinOneMillisecond()
    {
        // The server's index of ids grows at one end only if later ids sort after earlier.
        QStringList ids;
        for (qint64 ms : {999LL, 1000LL, 65535LL, 65536LL, 1795655458483LL, 1795655458484LL})
            ids << Outbox::clientIdAt(ms);
        QStringList sorted = ids;
        sorted.sort();
        QCOMPARE(sorted, ids);
        QSet<QString> same;
        for (int i = 0; i < 1000; ++i)
            same.insert(Outbox::clientIdAt(1795655458483));
        QCOMPARE(same.size(), 1000);
        QCOMPARE(Outbox::newClientId().at(14), QLatin1Char('7'));
    }
};

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
