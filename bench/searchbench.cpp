// confab-search-bench: message search over a large history (issue 14: "Search over 1,000,000
// stored messages: p95 <= 50 ms"). Fills a store with the server's own code
// (SqliteMessageStore, or PostgresMessageStore on a throwaway cluster that it starts with the
// tests' PostgresProcess), then times SearchQuery::run, the page the server sends, for
// several kinds of search, each by a random user (public messages plus that user's private
// ones). Prints one Markdown row per kind and a JSON line.
//
//   confab-search-bench --backend sqlite --messages 1000000 --queries 200 [--file path]
//   confab-search-bench --backend postgresql --messages 1000000 --queries 200
//
// With --file and an existing file of at least --messages rows, the fill is skipped (a rerun
// measures the same history).
#include "postgresmessagestore.h"
#include "postgresprocess.h"
#include "searchquery.h"
#include "sqlitemessagestore.h"
#include "sqlitesearchindex.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace {

constexpr int kUsers = 500;
constexpr int kTickets = 100000; // "ticket-N" in 1 of 10 messages: about one each per 1M

const QStringList &englishWords()
{
    static const QStringList words =
        QStringLiteral(
            "the a to and of in is it you that for on we this be with have are not can will just "
            "so at do but what if about all there was my one your from they when get up out like "
            "meeting release build test tests green red deploy server client window message "
            "history search call video audio camera microphone network lunch coffee tomorrow "
            "today yesterday morning evening review change fix bug crash log logs graph numbers "
            "outbox reconnect install installer package windows linux macos screen share file "
            "upload download thanks sorry please agenda notes report weather holiday weekend "
            "office remote team project issue ticket deadline customer invoice budget design "
            "question answer idea plan schedule moved cancelled done started waiting blocked")
            .split(QLatin1Char(' '));
    return words;
}

const QStringList &chineseWords()
{
    static const QStringList words =
        QStringLiteral(
            "今天 明天 昨天 下午 上午 会议 开会 大家 准时 参加 天气 预报 下雨 晴天 项目 进度 "
            "客户 发布 版本 测试 通过 失败 修复 问题 服务 网络 视频 音频 电话 文件 上传 下载 "
            "谢谢 辛苦 周末 假期 午饭 咖啡 计划 安排 报告 数据 图表 设计 方案 预算 发票 团队 "
            "办公 远程 消息 历史 搜索 窗口 安装 系统 更新 重启 日志 错误 警告 成功")
            .split(QLatin1Char(' '));
    return words;
}

const QStringList &otherWords()
{
    static const QStringList words =
        QStringLiteral("Привет встреча сегодня завтра отчёт Besprechung morgen heute Bericht "
                       "réunion demain aujourd'hui rapport café 😀 👍 🙂")
            .split(QLatin1Char(' '));
    return words;
}

QString pick(QRandomGenerator &random, const QStringList &list)
{
    return list.at(int(random.bounded(int(list.size()))));
}

// A chat line: mostly English, a third Chinese (no spaces between words), some Russian,
// German, French and emoji; every tenth names a ticket.
QString content(QRandomGenerator &random)
{
    const int kind = int(random.bounded(100));
    const int words = 3 + int(random.bounded(12));
    QString text;
    if (kind < 33) {
        for (int i = 0; i < words; ++i)
            text += pick(random, chineseWords());
        text += random.bounded(2) ? QStringLiteral("。") : QStringLiteral("！");
    } else {
        QStringList parts;
        for (int i = 0; i < words; ++i)
            parts << (random.bounded(10) == 0 ? pick(random, otherWords())
                                              : pick(random, englishWords()));
        text = parts.join(QLatin1Char(' '));
    }
    if (random.bounded(10) == 0)
        text += QStringLiteral(" ticket-%1").arg(random.bounded(kTickets));
    return text;
}

struct Kind
{
    const char *name;
    std::function<QString(QRandomGenerator &)> text;
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return v[i];
}

qint64 rowCount(MessageStore &store)
{
    // The newest seq is the count: the bench only appends.
    HistoryQuery newest;
    newest.viewer = QStringLiteral("-");
    newest.limit = 1;
    bool more = false;
    const auto page = store.history(newest, &more);
    return page && !page->isEmpty() ? page->last().seq : 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("backend"), QStringLiteral("sqlite or postgresql"),
                      QStringLiteral("name"), QStringLiteral("sqlite")});
    parser.addOption({QStringLiteral("messages"), QStringLiteral("messages in the store"),
                      QStringLiteral("n"), QStringLiteral("1000000")});
    parser.addOption({QStringLiteral("queries"), QStringLiteral("searches of each kind"),
                      QStringLiteral("n"), QStringLiteral("200")});
    parser.addOption(
        {QStringLiteral("file"), QStringLiteral("the SQLite file (kept)"), QStringLiteral("path")});
    parser.addOption({QStringLiteral("pg-ctype"),
                      QStringLiteral("PostgreSQL: LC_CTYPE of the database (the test cluster's "
                                     "default is C, where pg_trgm indexes ASCII only)"),
                      QStringLiteral("locale"), QStringLiteral("C")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("random seed"), QStringLiteral("n"),
                      QStringLiteral("14")});
    parser.process(app);
    const QString backend = parser.value(QStringLiteral("backend"));
    const qint64 messages = parser.value(QStringLiteral("messages")).toLongLong();
    const int queries = parser.value(QStringLiteral("queries")).toInt();
    QRandomGenerator random(parser.value(QStringLiteral("seed")).toUInt());

    QTemporaryDir dir;
    PostgresProcess postgres;
    std::unique_ptr<MessageStore> store;
    std::optional<PostgresUrl> pgUrl;
    QString error;
    if (backend == QLatin1String("postgresql")) {
        if (!postgres.start()) {
            std::fprintf(stderr, "PostgreSQL: %s\n", qPrintable(postgres.error()));
            return 1;
        }
        QString url = postgres.createDatabase(QStringLiteral("search"));
        pgUrl = PostgresUrl::parse(url, &error);
        if (!pgUrl) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        const QString ctype = parser.value(QStringLiteral("pg-ctype"));
        if (ctype != QLatin1String("C")) {
            // A database whose LC_CTYPE knows the letters of every script (as a deployment's
            // usually does): pg_trgm then indexes Chinese too.
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("create"));
            db.setHostName(pgUrl->host);
            db.setPort(pgUrl->port);
            db.setUserName(pgUrl->user);
            db.setPassword(pgUrl->password);
            db.setDatabaseName(pgUrl->database);
            QSqlQuery create(db);
            if (!db.open() ||
                !create.exec(QStringLiteral("CREATE DATABASE search_ctype TEMPLATE template0"
                                            " ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE '%1'")
                                 .arg(ctype))) {
                std::fprintf(stderr, "cannot create a database with LC_CTYPE %s: %s\n",
                             qPrintable(ctype), qPrintable(create.lastError().text()));
                return 1;
            }
            url = postgres.url(QStringLiteral("search_ctype"));
            pgUrl = PostgresUrl::parse(url, &error);
        }
        store = std::make_unique<PostgresMessageStore>(*pgUrl);
    } else {
        const QString file = parser.isSet(QStringLiteral("file"))
                                 ? parser.value(QStringLiteral("file"))
                                 : dir.filePath(QStringLiteral("search.sqlite"));
        store = std::make_unique<SqliteMessageStore>(file, false);
    }
    if (!store->open(&error)) {
        std::fprintf(stderr, "cannot open the store: %s\n", qPrintable(error));
        return 1;
    }

    // The fill: batches of 2,000 through append() and commit(), as the server stores them
    // (the index is kept up behind them by the store's SqliteUpkeep or PostgresSearchIndexer).
    QElapsedTimer fillTimer;
    fillTimer.start();
    const qint64 existing = rowCount(*store);
    qint64 privateCount = 0;
    for (qint64 i = existing; i < messages;) {
        std::vector<ChatMessage> batch;
        std::vector<MessageParties> parties;
        const qint64 end = std::min(messages, i + 2000);
        batch.reserve(end - i);
        parties.reserve(end - i);
        for (; i < end; ++i) {
            const int sender = 1 + int(random.bounded(kUsers));
            ChatMessage m;
            m.from = QStringLiteral("user%1").arg(sender);
            m.content = content(random);
            m.timestampMs = 1795655458483 + i * 1000;
            MessageParties p{QStringLiteral("a%1").arg(sender), {}};
            if (random.bounded(4) == 0) { // a quarter private
                const int to = 1 + (sender + int(random.bounded(kUsers - 1))) % kUsers;
                m.to = QStringLiteral("user%1").arg(to);
                p.recipient = QStringLiteral("a%1").arg(to);
                ++privateCount;
            }
            batch.push_back(std::move(m));
            parties.push_back(p);
        }
        std::vector<MessageStore::Pending> pending;
        for (size_t k = 0; k < batch.size(); ++k)
            pending.push_back({&batch[k], &parties[k]});
        std::vector<MessageStore::AppendResult> results;
        store->appendAll(pending, &results);
        if (std::count(results.begin(), results.end(), MessageStore::AppendResult::Failed) > 0 ||
            !store->commit()) {
            std::fprintf(stderr, "cannot store: %s\n", qPrintable(store->lastError()));
            return 1;
        }
        if (i % 100000 == 0)
            std::fprintf(stderr, "%lld messages, %.0f s\n", i, fillTimer.elapsed() / 1000.0);
    }
    // Both stores fill their index behind the relay (SqliteUpkeep, PostgresSearchIndexer), as
    // the server's do: wait until it has every message, so that every search below reads it.
    {
        const QString sqliteFile = parser.isSet(QStringLiteral("file"))
                                       ? parser.value(QStringLiteral("file"))
                                       : dir.filePath(QStringLiteral("search.sqlite"));
        QSqlDatabase history =
            pgUrl ? QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("history"))
                  : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("history"));
        QSqlDatabase index =
            pgUrl ? history
                  : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("index"));
        if (pgUrl) {
            history.setHostName(pgUrl->host);
            history.setPort(pgUrl->port);
            history.setUserName(pgUrl->user);
            history.setPassword(pgUrl->password);
            history.setDatabaseName(pgUrl->database);
        } else {
            history.setDatabaseName(sqliteFile);
            index.setDatabaseName(SqliteSearchIndex::pathFor(sqliteFile));
        }
        const auto value = [](QSqlDatabase &db, const char *sql) {
            QSqlQuery q(db);
            return db.isOpen() && q.exec(QLatin1String(sql)) && q.next() ? q.value(0).toLongLong()
                                                                         : -1;
        };
        history.open();
        index.open();
        const qint64 last = value(history, "SELECT max(seq) FROM messages");
        QElapsedTimer waited;
        waited.start();
        qint64 reached = -1;
        qint64 previous = -1;
        qint64 movedAt = 0;
        qint64 reportAt = 5000;
        while ((reached = value(index, "SELECT seq FROM search_progress")) < last) {
            if (reached != previous) {
                previous = reached;
                movedAt = waited.elapsed();
            }
            // Bounded: an index that stops moving for a minute is reported, not waited for.
            if (waited.elapsed() - movedAt > 60000) {
                std::fprintf(stderr, "the search index stopped at %lld of %lld\n", reached, last);
                return 1;
            }
            if (waited.elapsed() >= reportAt) {
                std::fprintf(stderr, "index: %lld of %lld, %.0f s\n", reached, last,
                             waited.elapsed() / 1000.0);
                reportAt += 5000;
            }
            QThread::msleep(200);
        }
        std::fprintf(stderr, "index caught up in %.1f s after the fill\n",
                     waited.elapsed() / 1000.0);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("history"));
    QSqlDatabase::removeDatabase(QStringLiteral("index"));
    const double fillSeconds = fillTimer.elapsed() / 1000.0;
    if (pgUrl) {
        // What autovacuum does by itself soon after a fill: the planner's statistics.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("an"));
        db.setHostName(pgUrl->host);
        db.setPort(pgUrl->port);
        db.setUserName(pgUrl->user);
        db.setPassword(pgUrl->password);
        db.setDatabaseName(pgUrl->database);
        QSqlQuery analyze(db);
        if (!db.open() || !analyze.exec(QStringLiteral("VACUUM ANALYZE messages, message_search")))
            std::fprintf(stderr, "cannot analyze: %s\n", qPrintable(analyze.lastError().text()));
    }

    const std::vector<Kind> kinds{
        {"common word (meeting)",
         [](QRandomGenerator &) {
             return QStringLiteral("meeting");
         }},
        {"two common words",
         [](QRandomGenerator &r) -> QString {
             return pick(r, englishWords().mid(40)) + QLatin1Char(' ') +
                    pick(r, englishWords().mid(40));
         }},
        {"rare token (ticket-N)",
         [](QRandomGenerator &r) {
             return QStringLiteral("ticket-%1").arg(r.bounded(kTickets));
         }},
        {"Chinese, 4 characters",
         [](QRandomGenerator &r) -> QString {
             return pick(r, chineseWords()) + pick(r, chineseWords());
         }},
        {"Chinese, 2 characters (no index)",
         [](QRandomGenerator &r) {
             return pick(r, chineseWords());
         }},
        {"no match (3+ chars)",
         [](QRandomGenerator &) {
             return QStringLiteral("zqxjv");
         }},
    };

    std::printf("| search | p50 ms | p95 ms | p99 ms | max ms | hits (median) |\n"
                "|---|---:|---:|---:|---:|---:|\n");
    QJsonObject json{{QStringLiteral("backend"), backend},
                     {QStringLiteral("pg_ctype"), parser.value(QStringLiteral("pg-ctype"))},
                     {QStringLiteral("messages"), messages},
                     {QStringLiteral("private"), privateCount},
                     {QStringLiteral("fill_s"), fillSeconds}};
    std::vector<double> overall;
    for (const Kind &kind : kinds) {
        std::vector<double> ms;
        std::vector<double> hits;
        for (int q = 0; q < queries; ++q) {
            SearchQuery query;
            query.viewer = QStringLiteral("a%1").arg(1 + random.bounded(kUsers));
            query.words = SearchQuery::wordsOf(kind.text(random));
            query.limit = 20;
            query.maxBytes = 262144;
            QElapsedTimer t;
            t.start();
            const std::optional<SearchPage> page = query.run(*store);
            ms.push_back(t.nsecsElapsed() / 1e6);
            if (!page) {
                std::fprintf(stderr, "search failed: %s\n", qPrintable(store->lastError()));
                return 1;
            }
            hits.push_back(page->hits.size());
        }
        overall.insert(overall.end(), ms.begin(), ms.end());
        std::printf("| %s | %.2f | %.2f | %.2f | %.2f | %.0f |\n", kind.name, percentile(ms, 0.5),
                    percentile(ms, 0.95), percentile(ms, 0.99),
                    *std::max_element(ms.begin(), ms.end()), percentile(hits, 0.5));
        json.insert(QString::fromLatin1(kind.name),
                    QJsonObject{{QStringLiteral("p50"), percentile(ms, 0.5)},
                                {QStringLiteral("p95"), percentile(ms, 0.95)},
                                {QStringLiteral("p99"), percentile(ms, 0.99)}});
    }
    std::printf("| all of them | %.2f | %.2f | %.2f | %.2f | |\n", percentile(overall, 0.5),
                percentile(overall, 0.95), percentile(overall, 0.99),
                *std::max_element(overall.begin(), overall.end()));
    json.insert(QStringLiteral("p50"), percentile(overall, 0.5));
    json.insert(QStringLiteral("p95"), percentile(overall, 0.95));
    std::printf("\n%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    std::fprintf(stderr, "filled %lld messages (%lld private) in %.0f s\n", messages, privateCount,
                 fillSeconds);
    store.reset();
    return 0;
}
