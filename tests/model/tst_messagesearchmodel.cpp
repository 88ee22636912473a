// The list of search hits (issue 14): the words around the match, each searched word found
// for the bold in any order, and the server's hits merged with the saved ones.
#include "model/messagesearchmodel.h"

#include <QTest>

namespace {

HistoryCache::Hit hit(qint64 seq, const QString &content)
{
    HistoryCache::Hit h;
    h.message.seq = seq;
    h.message.from = QStringLiteral("bob");
    h.message.content = content;
    return h;
}

} // namespace

class TestMessageSearchModel : public QObject
{
    Q_OBJECT
private slots:
    void snippetShowsTheFirstWordFound()
    {
        const QString content = QStringLiteral("x").repeated(200) + QStringLiteral(" plan ") +
                                QStringLiteral("y").repeated(50) + QStringLiteral(" 独角兽 end");
        // "独角兽 plan": plan comes first in the text, so the snippet is around it.
        const QString s = MessageSearchModel::snippet(content, QStringLiteral("独角兽 plan"), 80);
        QVERIFY(s.contains(QLatin1String("plan")));
        QVERIFY(s.startsWith(QChar(0x2026)));
        QVERIFY(s.size() <= 82);
        // Lines are joined; no match shows the start.
        QCOMPARE(MessageSearchModel::snippet(QStringLiteral("a\nb"), QStringLiteral("zz")),
                 QStringLiteral("a b"));
    }

    // Hit times read like the bubbles' (24-hour, "Today"), not "12/4/26 3:13 AM".
    void hitTimesReadLikeTheConversations()
    {
        const QDate today(2026, 12, 4);
        QCOMPARE(MessageSearchModel::whenLabel(QDateTime(today, QTime(3, 13)), today),
                 QStringLiteral("Today 03:13"));
        QCOMPARE(MessageSearchModel::whenLabel(QDateTime(today.addDays(-1), QTime(21, 40)), today),
                 QStringLiteral("Yesterday 21:40"));
        const QString older =
            MessageSearchModel::whenLabel(QDateTime(QDate(2026, 11, 2), QTime(15, 5)), today);
        QVERIFY2(older.endsWith(QLatin1String(" 15:05")), qPrintable(older));
        QVERIFY2(!older.contains(QLatin1String("PM")), qPrintable(older));
    }

    void nextMatchFindsEachWordInAnyOrder()
    {
        const QString s = QStringLiteral("the Plan for the 独角兽 plan");
        const QString text = QStringLiteral("独角兽 plan");
        auto m = MessageSearchModel::nextMatch(s, text);
        QCOMPARE(m, std::make_pair(4, 4)); // "Plan", case-insensitively
        m = MessageSearchModel::nextMatch(s, text, 8);
        QCOMPARE(m, std::make_pair(17, 3)); // "独角兽"
        m = MessageSearchModel::nextMatch(s, text, 20);
        QCOMPARE(m, std::make_pair(21, 4));
        QCOMPARE(MessageSearchModel::nextMatch(s, text, 25), std::make_pair(-1, 0));
        QCOMPARE(MessageSearchModel::nextMatch(s, QString()), std::make_pair(-1, 0));
    }

    void serverHitsJoinTheSavedOnes()
    {
        MessageSearchModel model;
        model.setResults(QStringLiteral("plan"),
                         {hit(9, QStringLiteral("plan b")), hit(4, QStringLiteral("plan a"))});
        // The server's: one already there (seq 9), two new, newest first after the merge.
        model.addResults(QStringLiteral("plan"),
                         {hit(12, QStringLiteral("new plan")), hit(9, QStringLiteral("plan b")),
                          hit(1, QStringLiteral("old plan"))});
        QCOMPARE(model.rowCount(), 4);
        QList<qint64> seqs;
        for (int row = 0; row < model.rowCount(); ++row)
            seqs << model.index(row).data(MessageSearchModel::SeqRole).toLongLong();
        QCOMPARE(seqs, (QList<qint64>{12, 9, 4, 1}));
        // An answer for a text typed before: ignored.
        model.addResults(QStringLiteral("pla"), {hit(20, QStringLiteral("plague"))});
        QCOMPARE(model.rowCount(), 4);
    }
};

QTEST_GUILESS_MAIN(TestMessageSearchModel)
#include "tst_messagesearchmodel.moc"
