// --make-cache: the file a client would have after following a busy room for a long time, for
// bench/saved-history-startup.sh ("the first window with a cached 100,000-message conversation
// and the server unreachable"). Written with the client's own OutboxStore and HistoryCache, so
// the schema, the indexes and the file's layout are the real ones.
#include "net/historycache.h"
#include "net/outboxstore.h"
#include "outboxbench.h"
#include "protocol/namerules.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>

#include <cstdio>

namespace {

// Lengths as in a chat room: mostly short lines, some sentences, a few long or multi-line
// messages, other scripts and emoji; now and then one mentions the user.
QString content(QRandomGenerator &random, int i, const QString &self, bool *mention)
{
    static const QStringList shortOnes{
        QStringLiteral("ok"),        QStringLiteral("yes"), QStringLiteral("thanks!"),
        QStringLiteral("lol"),       QStringLiteral("+1"),  QStringLiteral("brb"),
        QStringLiteral("good idea"), QStringLiteral("😀"),   QStringLiteral("好的"),
    };
    static const QStringList sentences{
        QStringLiteral("Sounds good, see you at three."),
        QStringLiteral("Did anyone try the new build on Windows yet?"),
        QStringLiteral("I pushed the fix, the tests are green again."),
        QStringLiteral("大家好！今天下午三点开会，请准时参加。"),
        QStringLiteral("Can someone review my change before lunch? It is small."),
        QStringLiteral("Привет! Я буду через десять минут."),
    };
    static const QString longOne = QStringLiteral(
        "A longer message that has to wrap over more than one line in a normal window: the "
        "logs from last night show the reconnects started at 02:14, see "
        "https://example.org/issues/1234 for the details and the graphs, and tell me if you "
        "see the same on your machine 🙂");
    static const QString lines = QStringLiteral("Agenda:\n1. release notes\n2. the outbox "
                                                "numbers\n3. anything else");
    *mention = random.bounded(40) == 0;
    const QString prefix = *mention ? QStringLiteral("@%1 ").arg(self) : QString();
    const int kind = int(random.bounded(100));
    QString body;
    if (kind < 40)
        body = shortOnes.at(int(random.bounded(int(shortOnes.size()))));
    else if (kind < 80)
        body = sentences.at(int(random.bounded(int(sentences.size()))));
    else if (kind < 92)
        body = longOne;
    else
        body = lines;
    return prefix + body + QStringLiteral(" #%1").arg(i);
}

} // namespace

int makeCache(const CacheOptions &o)
{
    if (NameRules::check(o.name, 32) != ErrorCode::None) {
        std::fprintf(stderr, "confab-outbox-bench: %s is not a name the client accepts\n",
                     qPrintable(o.name));
        return 2;
    }
    const QString path = QDir(o.folder).filePath(OutboxStore::fileName(o.url, o.name));
    // Never add to (or overwrite) a file someone may still want.
    if (QFileInfo::exists(path)) {
        std::fprintf(stderr, "confab-outbox-bench: %s exists; remove it first\n", qPrintable(path));
        return 2;
    }
    QElapsedTimer clock;
    clock.start();
    OutboxStore store;
    if (!store.open(path)) {
        std::fprintf(stderr, "confab-outbox-bench: %s\n", qPrintable(store.errorString()));
        return 1;
    }
    HistoryCache cache(&store);
    cache.setSelf(o.name);
    cache.setLimit(o.limit > 0 ? o.limit : o.messages);

    static const QStringList others{
        QStringLiteral("alice"), QStringLiteral("bob"),   QStringLiteral("carol"),
        QStringLiteral("dave"),  QStringLiteral("小明"),  QStringLiteral("erin"),
        QStringLiteral("frank"), QStringLiteral("grace"), QStringLiteral("Ольга"),
    };
    QRandomGenerator random(15); // the same file every time
    // One message every 20 s up to now: 100,000 of them reach back about three weeks.
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - qint64(o.messages) * 20000;
    constexpr int kBatch = 1000; // one transaction per batch, as history pages arrive
    for (int first = 1; first <= o.messages; first += kBatch) {
        QList<ChatMessage> batch;
        for (int i = first; i < first + kBatch && i <= o.messages; ++i) {
            ChatMessage m;
            m.seq = i;
            m.timestampMs = start + qint64(i) * 20000;
            // About one in eight is the user's own, with the client id it was sent under.
            const bool own = random.bounded(8) == 0;
            m.from = own ? o.name : others.at(int(random.bounded(int(others.size()))));
            bool mention = false;
            m.content = content(random, i, o.name, &mention);
            if (own)
                m.clientId = Outbox::clientIdAt(m.timestampMs);
            else if (mention)
                m.mentions = QStringList{o.name};
            batch.append(m);
        }
        cache.add(batch);
        if (!store.commit()) {
            std::fprintf(stderr, "confab-outbox-bench: %s\n", qPrintable(store.errorString()));
            return 1;
        }
    }
    const int kept = cache.count(QString());
    store.close();
    std::printf("wrote %d room messages (%d kept) for %s at %s in %lld ms, %.1f MiB\n", o.messages,
                kept, qPrintable(o.name), qPrintable(o.url.toString()), clock.elapsed(),
                double(QFileInfo(path).size()) / (1 << 20));
    std::printf("path: %s\n", qPrintable(path));
    return kept > 0 ? 0 : 1;
}
