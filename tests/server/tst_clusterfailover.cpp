// Issue 12's failover, end to end: three confab-server nodes on one PostgreSQL and one Redis,
// behind HAProxy with the packaged configuration (packaging/haproxy/confab.cfg, with a third
// server line added here). Real ClientSessions (guests, half with a persistent outbox) connect
// through HAProxy and write a bounded number of messages at a steady pace while a listener on
// a node that survives watches. The node that holds most of the senders is killed with
// SIGKILL: its senders must reconnect through HAProxy to the other nodes, resume as the same
// guests (resume tokens in PostgreSQL) and resend what was not acknowledged. Every message is
// then counted: acknowledged once, stored once (history), shown once to the listener and to
// every sender. Two gaps that only some runs hit are recognised precisely (at the end): a
// message the dead node stored but never published, and a catch-up that skips a message.
#include "net/clientsession.h"
#include "postgresprocess.h"
#include "protocol/messageencoder.h"
#include "redisprocess.h"
#include "serverprocess.h"
#include "testclient.h"
#include "tls/selfsignedcertificate.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>
#include <vector>

namespace {

constexpr int kNodes = 3;
constexpr int kSenders = 6;
constexpr int kMessagesEach = 60;
// Each sender writes a few messages per tick, so that some are on the way (sent, not yet
// acknowledged) when the node dies and the outboxes have real work to do.
constexpr int kPaceMs = 40;
constexpr int kBurst = 4;
// Acknowledged messages each of the victim's senders has before the kill.
constexpr int kAckedBeforeKill = 12;
// The whole test function, from the first connection to the last check.
constexpr int kBudgetMs = 90000;

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

bool accepts(quint16 port)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    return s.waitForConnected(500);
}

// HAProxy in the foreground (-db) with a configuration file; the addresses come from the
// environment as in production (tst_loadbalancer has the same helper for two nodes).
class Haproxy
{
public:
    bool start(const QString &config, const QString &pem, const QList<quint16> &nodes)
    {
        QString binary = QStandardPaths::findExecutable(QStringLiteral("haproxy"));
        if (binary.isEmpty())
            binary = QStandardPaths::findExecutable(QStringLiteral("haproxy"),
                                                    {QStringLiteral("/usr/sbin")});
        if (binary.isEmpty()) {
            qWarning("haproxy is not installed (scripts/bootstrap installs it)");
            return false;
        }
        plainPort = freePort();
        const quint16 tlsPort = freePort();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CONFAB_LISTEN"), QStringLiteral("127.0.0.1:%1").arg(plainPort));
        env.insert(QStringLiteral("CONFAB_TLS_LISTEN"),
                   QStringLiteral("127.0.0.1:%1").arg(tlsPort));
        env.insert(QStringLiteral("CONFAB_TLS_PEM"), pem);
        for (int i = 0; i < nodes.size(); ++i)
            env.insert(QStringLiteral("CONFAB_NODE%1").arg(i + 1),
                       QStringLiteral("127.0.0.1:%1").arg(nodes.at(i)));
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(binary, {QStringLiteral("-db"), QStringLiteral("-f"), config});
        if (!m_process.waitForStarted())
            return false;
        return QTest::qWaitFor(
            [this] { return m_process.state() == QProcess::Running && accepts(plainPort); }, 10000);
    }
    ~Haproxy()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    QString log()
    {
        m_log += QString::fromUtf8(m_process.readAll());
        return m_log;
    }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(plainPort)); }

    quint16 plainPort = 0;

private:
    QProcess m_process;
    QString m_log;
};

// One user of the test: a real ClientSession and everything it reported.
struct Peer
{
    QString name;
    std::unique_ptr<ClientSession> session;
    int logins = 0;
    int lost = 0;
    QList<ErrorCode> refusals; // loginFailed, sessionEnded, messageRejected
    QList<ChatMessage> live;   // messageReceived
    QList<ChatMessage> pages;  // historyReceived (the catch-up after a reconnect)
    // At the kill: where the session had read up to, and what had come live.
    qint64 lastSeqAtKill = 0;
    int liveAtKill = 0;
    // A sender's own messages.
    QTimer pace;
    QStringList written;  // client ids, in the order written
    QStringList barriers; // client ids of the messages sent after all of those
    QHash<QString, QString> contentOf;
    QHash<QString, int> acks; // client id -> acknowledgements received
    QHash<QString, qint64> ackedSeq;
    QHash<QString, qint64> ackedTimestampMs;

    void watch()
    {
        ClientSession *s = session.get();
        QObject::connect(s, &ClientSession::loggedIn, s, [this] { ++logins; });
        QObject::connect(s, &ClientSession::connectionLost, s, [this] { ++lost; });
        QObject::connect(s, &ClientSession::loginFailed, s,
                         [this](ErrorCode code) { refusals << code; });
        QObject::connect(s, &ClientSession::sessionEnded, s,
                         [this](ErrorCode code) { refusals << code; });
        QObject::connect(s, &ClientSession::messageRejected, s,
                         [this](const QString &, ErrorCode code) { refusals << code; });
        QObject::connect(s, &ClientSession::messageReceived, s,
                         [this](const ChatMessage &m) { live << m; });
        QObject::connect(
            s, &ClientSession::historyReceived, s,
            [this](const QString &, const QList<ChatMessage> &messages) { pages << messages; });
        QObject::connect(s, &ClientSession::messageAcknowledged, s,
                         [this](const QString &id, qint64 seq, qint64 timestampMs) {
                             ++acks[id];
                             ackedSeq.insert(id, seq);
                             ackedTimestampMs.insert(id, timestampMs);
                         });
    }

    void startWriting()
    {
        pace.setInterval(kPaceMs);
        QObject::connect(&pace, &QTimer::timeout, session.get(), [this] {
            for (int i = 0; i < kBurst && written.size() < kMessagesEach; ++i) {
                const QString content =
                    QStringLiteral("%1 message %2").arg(name).arg(written.size() + 1);
                const QString id = session->sendMessage(content);
                written << id;
                contentOf.insert(id, content);
            }
            if (written.size() >= kMessagesEach)
                pace.stop();
        });
        pace.start();
    }

    int acknowledged() const { return int(acks.size()); }
    bool done() const
    {
        return written.size() == kMessagesEach && session->outbox().isEmpty() &&
               acknowledged() == kMessagesEach;
    }
};

// content -> the seqs under which `messages` show it.
QHash<QString, QSet<qint64>> seqsByContent(const QList<ChatMessage> &messages)
{
    QHash<QString, QSet<qint64>> seqs;
    for (const ChatMessage &m : messages)
        seqs[m.content].insert(m.seq);
    return seqs;
}

} // namespace

class TestClusterFailover : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    PostgresProcess m_postgres;
    RedisProcess m_redis;
    QString m_database;
    std::vector<std::unique_ptr<ServerProcess>> m_nodes;
    std::unique_ptr<Haproxy> m_haproxy;

    // The nodes' indexes whose log shows `name` logging in.
    QList<int> nodesOf(const QString &name) const
    {
        const QString line = name + QStringLiteral(" logged in from");
        QList<int> found;
        for (int i = 0; i < kNodes; ++i) {
            if (m_nodes.at(i)->log().contains(line))
                found << i;
        }
        return found;
    }

    QString logs() const
    {
        QString all;
        for (int i = 0; i < kNodes; ++i)
            all += QStringLiteral("--- node %1\n%2\n").arg(i).arg(m_nodes.at(i)->log());
        return all + QStringLiteral("--- haproxy\n") + m_haproxy->log();
    }

    // The packaged file with a third server: the same settings (leastconn, health check,
    // redispatch) as in production, for three nodes.
    QString threeNodeConfig()
    {
        QFile packaged(QStringLiteral(CONFAB_SOURCE_DIR "/packaging/haproxy/confab.cfg"));
        if (!packaged.open(QIODevice::ReadOnly))
            return {};
        QString text = QString::fromUtf8(packaged.readAll());
        const QString node2 = QStringLiteral("    server node2 \"${CONFAB_NODE2}\"\n");
        if (!text.contains(node2) || text.contains(QLatin1String("CONFAB_NODE3")))
            return {}; // the packaged file changed: this test must follow
        text.replace(node2, node2 + QStringLiteral("    server node3 \"${CONFAB_NODE3}\"\n"));
        QFile out(m_dir.filePath(QStringLiteral("haproxy.cfg")));
        if (!out.open(QIODevice::WriteOnly))
            return {};
        out.write(text.toUtf8());
        return out.fileName();
    }

    QString makePem()
    {
        const QString cert = m_dir.filePath(QStringLiteral("cert.pem"));
        const QString key = m_dir.filePath(QStringLiteral("key.pem"));
        QString error;
        if (!SelfSignedCertificate::ensure(cert, key, QStringLiteral("localhost"), &error)) {
            qWarning("%s", qPrintable(error));
            return {};
        }
        QFile c(cert), k(key), pem(m_dir.filePath(QStringLiteral("haproxy.pem")));
        if (!c.open(QIODevice::ReadOnly) || !k.open(QIODevice::ReadOnly) ||
            !pem.open(QIODevice::WriteOnly))
            return {};
        pem.write(c.readAll() + k.readAll()); // HAProxy wants chain and key in one file
        return pem.fileName();
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<ChatMessage>();
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
        QVERIFY2(m_redis.start(), qPrintable(m_redis.error()));
        m_database = m_postgres.createDatabase();
        QVERIFY2(!m_database.isEmpty(), qPrintable(m_postgres.error()));
        QList<quint16> ports;
        for (int i = 0; i < kNodes; ++i) {
            QStringList args = ServerProcess::unlimited();
            args << QStringLiteral("--database") << m_database << QStringLiteral("--redis")
                 << m_redis.url() << QStringLiteral("--trusted-proxy")
                 << QStringLiteral("127.0.0.1");
            m_nodes.push_back(std::make_unique<ServerProcess>(args));
            QVERIFY2(m_nodes.back()->start(), qPrintable(m_nodes.back()->log()));
            ports << m_nodes.back()->port();
        }
        const QString config = threeNodeConfig();
        QVERIFY2(!config.isEmpty(), "cannot derive a three-node file from confab.cfg");
        const QString pem = makePem();
        QVERIFY(!pem.isEmpty());
        m_haproxy = std::make_unique<Haproxy>();
        QVERIFY2(m_haproxy->start(config, pem, ports), qPrintable(m_haproxy->log()));
    }

    void cleanupTestCase()
    {
        m_haproxy.reset();
        m_nodes.clear();
        m_redis.stop();
        m_postgres.stop();
    }

    void sendersOfAKilledNodeResumeElsewhereAndNothingIsLostOrDoubled()
    {
        QElapsedTimer clock;
        clock.start();
        const QDeadlineTimer deadline(kBudgetMs);
        // Every wait takes what is left of the budget at most, so the whole is bounded.
        auto within = [&](int ms) {
            return int(qMin<qint64>(ms, deadline.remainingTime()));
        };

        // The senders, through HAProxy, one after the other so that leastconn spreads them.
        std::vector<std::unique_ptr<Peer>> senders;
        for (int i = 0; i < kSenders; ++i) {
            auto p = std::make_unique<Peer>();
            p->name = QStringLiteral("fo_sender%1").arg(i + 1);
            p->session = std::make_unique<ClientSession>();
            p->session->setReconnectDelays(50, 500);
            // Half keep their outbox (and resume token) in a file, as the desktop client does.
            if (i % 2 == 0)
                p->session->setOutboxFolder(m_dir.filePath(QStringLiteral("outboxes")));
            p->watch();
            p->session->open(m_haproxy->url(), p->name);
            QTRY_VERIFY_WITH_TIMEOUT(p->logins == 1, within(10000));
            QTRY_VERIFY_WITH_TIMEOUT(nodesOf(p->name).size() == 1, within(5000));
            senders.push_back(std::move(p));
        }
        QList<int> onNode(kNodes, 0);
        for (const auto &p : senders)
            ++onNode[nodesOf(p->name).constFirst()];
        const int victim = int(std::max_element(onNode.begin(), onNode.end()) - onNode.begin());
        const int survivor = (victim + 1) % kNodes;
        qInfo("senders per node: %d %d %d; node %d will be killed", onNode[0], onNode[1], onNode[2],
              victim);
        QVERIFY2(onNode[victim] > 0, qPrintable(logs()));

        // The listener, straight to a node that survives; it never reconnects.
        Peer listener;
        listener.name = QStringLiteral("fo_listener");
        listener.session = std::make_unique<ClientSession>();
        listener.watch();
        listener.session->open(m_nodes.at(survivor)->url(), listener.name);
        QTRY_VERIFY_WITH_TIMEOUT(listener.logins == 1, within(10000));
        // Everyone is in the room on every node before the first message.
        QTRY_VERIFY_WITH_TIMEOUT(listener.session->onlineUsers().size() == kSenders + 1,
                                 within(10000));

        std::vector<Peer *> moving;
        for (const auto &p : senders) {
            if (nodesOf(p->name).constFirst() == victim)
                moving.push_back(p.get());
            p->startWriting();
        }
        auto ackedEnough = [&] {
            for (Peer *p : moving) {
                if (p->acknowledged() < kAckedBeforeKill)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(ackedEnough(), within(15000));
        // The kill lands in the middle of a burst: when the node acknowledged the first
        // message of a burst of one of its senders, the rest of it (and of the other senders'
        // bursts) is still on the way there, waiting for the store, or stored and not yet
        // acknowledged; all of that dies with the node, without another turn of this event
        // loop to read what it may have sent meanwhile.
        Peer *first = moving.front();
        QSignalSpy burst(&first->pace, &QTimer::timeout);
        QVERIFY(burst.wait(within(5000)));
        const QString burstStart = first->written.at(first->written.size() - kBurst);
        QSignalSpy acked(first->session.get(), &ClientSession::messageAcknowledged);
        auto burstStartAcked = [&] {
            for (const QList<QVariant> &args : std::as_const(acked)) {
                if (args.at(0).toString() == burstStart)
                    return true;
            }
            return false;
        };
        for (int i = 0; i < kMessagesEach && !burstStartAcked() && !deadline.hasExpired(); ++i)
            acked.wait(within(5000));
        QVERIFY(burstStartAcked());
        m_nodes.at(victim)->kill();
        const qint64 killedAtWallMs = QDateTime::currentMSecsSinceEpoch();
        const qint64 killedAtMs = clock.elapsed();
        QSet<QString> unacknowledgedAtKill;
        int writtenAtKill = 0;
        for (Peer *p : moving) {
            for (const Outbox::Entry &e : p->session->outbox().entries())
                unacknowledgedAtKill.insert(e.clientId);
            writtenAtKill += int(p->written.size());
            p->lastSeqAtKill = p->session->lastSeq();
            p->liveAtKill = int(p->live.size());
        }

        // Its senders come back through HAProxy on the other nodes, as the same guests.
        auto allBack = [&] {
            for (Peer *p : moving) {
                if (p->logins < 2 || p->session->state() != ClientSession::State::Online)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(allBack(), qPrintable(logs()), within(30000));
        const qint64 backAtMs = clock.elapsed();
        for (Peer *p : moving) {
            const QList<int> nodes = nodesOf(p->name);
            QCOMPARE(nodes.size(), 2);
            QVERIFY(nodes.contains(victim));
        }

        // Everything written is acknowledged and nothing waits in any outbox.
        auto allDone = [&] {
            for (const auto &p : senders) {
                if (!p->done())
                    return false;
            }
            return true;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(allDone(), qPrintable(logs()), within(30000));

        // A barrier for the listener: once every sender's messages are acknowledged, any relay
        // of them has left its node before a later message of that node does (each node relays
        // and publishes to the bus in order). So when one more message from each surviving
        // node has arrived, a late copy of an earlier one cannot come after.
        QSet<QString> barriers;
        for (int node = 0; node < kNodes; ++node) {
            if (node == victim)
                continue;
            for (const auto &p : senders) {
                if (nodesOf(p->name).contains(node)) {
                    const QString content = QStringLiteral("barrier from node %1").arg(node);
                    p->barriers << p->session->sendMessage(content);
                    barriers << content;
                    break;
                }
            }
        }
        auto listenerHasBarriers = [&] {
            int seen = 0;
            for (const ChatMessage &m : listener.live)
                seen += barriers.contains(m.content) ? 1 : 0;
            return seen >= barriers.size();
        };
        QTRY_VERIFY_WITH_TIMEOUT(listenerHasBarriers(), within(10000));

        // The history in PostgreSQL, read through a surviving node, newest page first and
        // then older ones (after = 0 means no lower bound, so forwards cannot start at 0).
        TestClient reader;
        QVERIFY(reader.open(m_nodes.at(survivor)->url()));
        QVERIFY(reader.login(QStringLiteral("fo_reader")));
        QList<ChatMessage> history;
        qint64 before = 0;
        bool more = true;
        for (int page = 0; more && page < 50; ++page) {
            reader.sendJson(MessageEncoder::historyRequest(QString(), before, 0, 200));
            const QJsonObject reply = reader.waitForType(QStringLiteral("history"), within(10000));
            QVERIFY(!reply.isEmpty());
            for (const QJsonValue &v : reply.value(QLatin1String("messages")).toArray()) {
                const std::optional<ChatMessage> m = ChatMessage::fromJson(v.toObject());
                QVERIFY(m);
                history << *m;
                before = before == 0 ? m->seq : qMin(before, m->seq);
            }
            more = reply.value(QLatin1String("more")).toBool();
        }
        QVERIFY(!more);
        // Now count every message.
        const QHash<QString, QSet<qint64>> stored = seqsByContent(history);
        QHash<QString, int> storedCount;
        QHash<QString, QString> storedId; // content -> client id in the history
        QHash<QString, qint64> storedAtMs;
        for (const ChatMessage &m : history) {
            ++storedCount[m.content];
            storedId.insert(m.content, m.clientId);
            storedAtMs.insert(m.content, m.timestampMs);
        }
        QHash<QString, int> heard;
        for (const ChatMessage &m : listener.live)
            ++heard[m.content];
        auto isMoving = [&](const Peer *p) {
            return std::find(moving.begin(), moving.end(), p) != moving.end();
        };
        // What the dead node stored: its senders' messages with a time from before the kill
        // (a message keeps the time of its first arrival; a resend answered as a duplicate
        // gets the stored one). Of those, `stranded` were not acknowledged at the kill.
        QSet<QString> byDeadNode; // contents
        QSet<QString> stranded;
        for (Peer *p : moving) {
            for (const QString &id : std::as_const(p->written)) {
                const QString content = p->contentOf.value(id);
                if (storedAtMs.value(content) > killedAtWallMs)
                    continue;
                byDeadNode.insert(content);
                if (unacknowledgedAtKill.contains(id))
                    stranded.insert(content);
            }
        }
        // A message the dead node stored but never published reaches the others when its
        // presence expires (the bus' TTL, 15 s after the kill): wait for that (at once in
        // the usual run, where there is none); the checks below say what is missing.
        auto deadNodesMessagesArrived = [&] {
            QSet<QString> has;
            for (const ChatMessage &m : listener.live)
                has.insert(m.content);
            for (const QString &content : std::as_const(byDeadNode))
                if (!has.contains(content))
                    return false;
            for (const auto &p : senders) {
                if (std::find(moving.begin(), moving.end(), p.get()) != moving.end())
                    continue;
                QSet<QString> shown;
                for (const ChatMessage &m : std::as_const(p->live))
                    shown.insert(m.content);
                for (const QString &content : std::as_const(byDeadNode))
                    if (!shown.contains(content))
                        return false;
            }
            return true;
        };
        QTest::qWaitFor(deadNodesMessagesArrived, within(30000));
        heard.clear(); // what came meanwhile counts
        for (const ChatMessage &m : listener.live)
            ++heard[m.content];
        auto unpublishedNote = [&](const QString &who, const QString &content) {
            return QStringLiteral("%1 never got %2 (%3 before the kill)")
                .arg(who, content,
                     stranded.contains(content) ? QStringLiteral("not acknowledged")
                                                : QStringLiteral("acknowledged"));
        };
        auto details = [&](const Peer *viewer, const QString &content, int times) {
            return QStringLiteral("%1 (%2) shows %3 (seq %4, stored %5 ms after the kill, %6) "
                                  "%7 times; it had read up to %8 at the kill")
                .arg(viewer->name,
                     isMoving(viewer) ? QStringLiteral("moved") : QStringLiteral("stayed"), content)
                .arg(*stored.value(content).cbegin())
                .arg(storedAtMs.value(content) - killedAtWallMs)
                .arg(byDeadNode.contains(content) ? QStringLiteral("by the dead node")
                                                  : QStringLiteral("elsewhere"))
                .arg(times)
                .arg(viewer->lastSeqAtKill);
        };
        // Two known gaps (see the end), each recognised precisely; anything else fails.
        QStringList unpublished; // stored by the dead node, never relayed to the others
        QStringList skipped;     // below where a moved session's catch-up started
        int total = 0;
        for (const auto &p : senders) {
            QVERIFY2(p->refusals.isEmpty(), qPrintable(p->name));
            QCOMPARE(p->written.size(), kMessagesEach);
            QVERIFY(p->session->outbox().isEmpty());
            for (const QString &id : std::as_const(p->written)) {
                const QString content = p->contentOf.value(id);
                ++total;
                // Acknowledged once, under the seq the store gave it.
                QVERIFY2(p->acks.value(id) == 1,
                         qPrintable(QStringLiteral("%1 acknowledged %2 times")
                                        .arg(content)
                                        .arg(p->acks.value(id))));
                // Stored once, under its id, with the acknowledged seq.
                QVERIFY2(storedCount.value(content) == 1,
                         qPrintable(QStringLiteral("%1 stored %2 times")
                                        .arg(content)
                                        .arg(storedCount.value(content))));
                QCOMPARE(storedId.value(content), id);
                QCOMPARE(*stored.value(content).cbegin(), p->ackedSeq.value(id));
                // Shown once to the listener.
                if (heard.value(content) == 0 && byDeadNode.contains(content)) {
                    unpublished << unpublishedNote(listener.name, content);
                    continue;
                }
                QVERIFY2(heard.value(content) == 1,
                         qPrintable(details(&listener, content, heard.value(content))));
            }
            // No acknowledgement of anything else.
            QCOMPARE(p->acks.size(), kMessagesEach + p->barriers.size());
            for (const QString &id : std::as_const(p->barriers))
                QCOMPARE(p->acks.value(id), 1);
            if (!isMoving(p.get())) {
                QCOMPARE(p->logins, 1);
                QCOMPARE(p->lost, 0);
            } else {
                QCOMPARE(p->logins, 2);
            }
        }
        QCOMPARE(total, kSenders * kMessagesEach);
        // Every sender shows every message of everyone once (one seq), whether it came live,
        // in the catch-up after a reconnect, or (its own) as an acknowledgement.
        for (const auto &p : senders) {
            QList<ChatMessage> shown = p->live + p->pages;
            for (const QString &id : std::as_const(p->written)) {
                ChatMessage own;
                own.content = p->contentOf.value(id);
                own.seq = p->ackedSeq.value(id);
                shown << own;
            }
            const QHash<QString, QSet<qint64>> seen = seqsByContent(shown);
            QSet<qint64> liveBeforeKill;
            for (int i = 0; i < p->liveAtKill; ++i)
                liveBeforeKill.insert(p->live.at(i).seq);
            for (const auto &q : senders) {
                for (const QString &content : std::as_const(q->contentOf)) {
                    const qint64 seq = *stored.value(content).cbegin();
                    if (seen.value(content).isEmpty() && isMoving(p.get()) &&
                        seq < p->lastSeqAtKill && !liveBeforeKill.contains(seq)) {
                        skipped << QStringLiteral("%1 never got %2 (seq %3; it had read up to %4)")
                                       .arg(p->name, content)
                                       .arg(seq)
                                       .arg(p->lastSeqAtKill);
                        continue;
                    }
                    if (seen.value(content).isEmpty() && !isMoving(p.get()) &&
                        byDeadNode.contains(content)) {
                        unpublished << unpublishedNote(p->name, content);
                        continue;
                    }
                    QVERIFY2(seen.value(content).size() == 1,
                             qPrintable(details(p.get(), content, int(seen.value(content).size())) +
                                        QStringLiteral(" (distinct seqs)")));
                    QCOMPARE(seen.value(content), stored.value(content));
                }
            }
        }
        // Two gaps that only some runs hit (the kill must land in a window of a millisecond or
        // so), closed since:
        // The dead node had stored a message and died before publishing it on the bus
        // (ChatRouter::batchStored relays and publishes after the commit); the resend is
        // answered as a duplicate. The other nodes read it back from the store when the dead
        // node's presence expires (NodeReplay) and relay it then.
        QVERIFY2(unpublished.isEmpty(), qPrintable(unpublished.join(QLatin1Char('\n'))));
        // A node relays its own messages at once and the other nodes' ones when the bus brings
        // them, so a session can see seq N+1 before seq N; if the node dies before N arrives,
        // the catch-up after the resume must still bring N (ClientSession reads again from
        // the settled point, CatchUpPoint).
        QVERIFY2(skipped.isEmpty(), qPrintable(skipped.join(QLatin1Char('\n'))));
        // Nothing in the history but these messages and the barriers.
        QCOMPARE(history.size(), total + barriers.size());
        QCOMPARE(listener.lost, 0);
        QCOMPARE(listener.logins, 1);
        QVERIFY(listener.refusals.isEmpty());

        // What happened, for the record.
        int reconnects = 0;
        for (Peer *p : moving)
            reconnects += p->logins - 1;
        // HAProxy logs a connection when it ends, with "+N" for one it sent elsewhere after
        // the node it chose first refused it (redispatch).
        for (const auto &p : senders)
            p->session->close();
        const int connections = kSenders + reconnects;
        const bool logged = QTest::qWaitFor(
            [&] { return m_haproxy->log().count(QLatin1String("GET /")) >= connections; },
            within(5000));
        static const QRegularExpression redispatched(QStringLiteral("/\\+\\d+ "));
        const int redispatches = logged ? int(m_haproxy->log().count(redispatched)) : -1;
        qInfo("%d messages from %d senders; node %d (%d senders) killed after %lld ms; %d of "
              "its senders' %d messages written by then unacknowledged (%d of them stored "
              "by the dead node); %d reconnects (%d redispatched by HAProxy), all back %lld ms "
              "after the kill; history %d messages; whole test %lld ms",
              total, kSenders, victim, int(moving.size()), killedAtMs,
              int(unacknowledgedAtKill.size()), writtenAtKill, int(stranded.size()), reconnects,
              redispatches, backAtMs - killedAtMs, int(history.size()), clock.elapsed());
        QVERIFY(!deadline.hasExpired());
        if (qEnvironmentVariableIsSet("CONFAB_FAILOVER_LOGS"))
            qInfo().noquote() << logs();
    }
};

QTEST_MAIN(TestClusterFailover)
#include "tst_clusterfailover.moc"
