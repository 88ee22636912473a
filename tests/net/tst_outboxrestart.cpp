// Issue 15's end-to-end test: a client writes three messages while the server is down and is
// killed with SIGKILL; with the server back, the restarted client sends each exactly once, in
// order, and shows each once. The client is this program run again as a child process (a
// ChatController, its session and the outbox file in a temporary folder), which reads "send TEXT"
// lines on stdin and prints what it shows as JSON lines.
#include "model/chatcontroller.h"
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <unistd.h>

namespace {

const char kUrlVariable[] = "CONFAB_OUTBOX_CHILD_URL";
const QString kName = QStringLiteral("or_writer");

void print(const QJsonObject &o)
{
    std::fputs(QJsonDocument(o).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

QJsonArray rows(const MessageListModel *room)
{
    QJsonArray list;
    for (int row = 0; row < room->rowCount(); ++row) {
        const QModelIndex i = room->index(row);
        const auto delivery =
            i.data(MessageListModel::DeliveryRole).value<MessageListModel::Delivery>();
        list.append(QJsonObject{
            {QStringLiteral("content"), i.data().toString()},
            {QStringLiteral("seq"), i.data(MessageListModel::SeqRole).toLongLong()},
            {QStringLiteral("id"), i.data(MessageListModel::ClientIdRole).toString()},
            {QStringLiteral("pending"), delivery == MessageListModel::Delivery::Pending}});
    }
    return list;
}

// The client: what the window would show of the room, printed after every change.
int runChild()
{
    ChatController controller;
    ClientSession *session = controller.session();
    session->setReconnectDelays(50, 400);
    session->setOutboxFolder(qEnvironmentVariable("CONFAB_OUTBOX_CHILD_FOLDER"));
    MessageListModel *room = controller.conversations()->messages(QString());
    auto show = [&] {
        print(QJsonObject{{QStringLiteral("view"), rows(room)},
                          {QStringLiteral("unsent"), controller.unsentCount()}});
    };
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        QObject::connect(room, signal, room, show);
    QObject::connect(room, &QAbstractItemModel::dataChanged, room, show);
    QObject::connect(room, &QAbstractItemModel::modelReset, room, show);
    QObject::connect(session, &ClientSession::messageAcknowledged, room, show);
    QObject::connect(session, &ClientSession::outboxStorageFailed, room, [](const QString &why) {
        print({{QStringLiteral("failed"), why}});
    });

    controller.connectTo(QUrl(qEnvironmentVariable(kUrlVariable)), kName);
    QJsonArray unsent;
    for (const Outbox::Entry &e : session->outbox().entries())
        unsent.append(e.clientId);
    print({{QStringLiteral("started"), session->outboxPath()}, {QStringLiteral("unsent"), unsent}});

    QByteArray input;
    QSocketNotifier stdinReady(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&stdinReady, &QSocketNotifier::activated, &stdinReady, [&] {
        char buffer[4096];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) {
            stdinReady.setEnabled(false);
            return;
        }
        input.append(buffer, n);
        for (qsizetype end; (end = input.indexOf('\n')) >= 0; input.remove(0, end + 1)) {
            const QString line = QString::fromUtf8(input.left(end));
            if (line.startsWith(QLatin1String("reply "))) {
                // "reply SEQ TEXT": an answer to the stored message SEQ.
                const QString rest = line.mid(6);
                const qsizetype space = rest.indexOf(QLatin1Char(' '));
                controller.send(QString(), rest.mid(space + 1),
                                ChatController::Addressing::AsWritten,
                                rest.left(space).toLongLong());
            } else if (line.startsWith(QLatin1String("send "))) {
                controller.send(QString(), line.mid(5));
            } else {
                continue;
            }
            const QString id = session->outbox().entries().constLast().clientId;
            // Posted after the outbox's commit, as a repaint of the window would be: when this
            // line is out, the message is in the file.
            QMetaObject::invokeMethod(
                &stdinReady,
                [id] {
                    print({{QStringLiteral("stored"), id}});
                },
                Qt::QueuedConnection);
        }
    });
    return QCoreApplication::exec();
}

// The parent's handle on one run of the client.
class Child
{
public:
    Child(const QUrl &url, const QString &folder)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kUrlVariable), url.toString());
        env.insert(QStringLiteral("CONFAB_OUTBOX_CHILD_FOLDER"), folder);
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QCoreApplication::applicationFilePath(), {});
    }
    ~Child()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    void write(const QByteArray &bytes) { m_process.write(bytes); }
    // The first line (read so far or arriving within the timeout) that has `key`.
    QJsonObject waitFor(const std::function<bool(const QJsonObject &)> &match,
                        int timeoutMs = 10000)
    {
        QJsonObject found;
        QTest::qWaitFor(
            [&] {
                read();
                for (const QJsonObject &o : std::as_const(m_lines)) {
                    if (match(o)) {
                        found = o;
                        return true;
                    }
                }
                return m_process.state() == QProcess::NotRunning;
            },
            timeoutMs);
        return found;
    }
    QList<QJsonObject> linesWith(const QString &key)
    {
        read();
        QList<QJsonObject> list;
        for (const QJsonObject &o : std::as_const(m_lines)) {
            if (o.contains(key))
                list << o;
        }
        return list;
    }
    void kill()
    {
        m_process.kill(); // SIGKILL: nothing is flushed, nothing is closed
        m_process.waitForFinished();
    }

private:
    void read()
    {
        m_buffer += m_process.readAllStandardOutput();
        for (qsizetype end; (end = m_buffer.indexOf('\n')) >= 0; m_buffer.remove(0, end + 1))
            m_lines << QJsonDocument::fromJson(m_buffer.left(end)).object();
    }

    QProcess m_process;
    QByteArray m_buffer;
    QList<QJsonObject> m_lines;
};

QStringList contents(const QJsonArray &view)
{
    QStringList list;
    for (const QJsonValue &v : view)
        list << v.toObject().value(QLatin1String("content")).toString();
    return list;
}

bool allSent(const QJsonObject &line, int count)
{
    const QJsonArray view = line.value(QLatin1String("view")).toArray();
    if (!line.contains(QLatin1String("view")) || view.size() < count ||
        line.value(QLatin1String("unsent")).toInt() != 0)
        return false;
    for (const QJsonValue &v : view) {
        if (v.toObject().value(QLatin1String("pending")).toBool())
            return false;
    }
    return true;
}

} // namespace

class TestOutboxRestart : public QObject
{
    Q_OBJECT
private slots:
    void killedWhileOfflineThenEachMessageArrivesOnce()
    {
        QTemporaryDir dir;
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        const QUrl url = server.url();
        QVERIFY(server.stop());

        // 1. The server is down: three messages are written, shown as sending, then SIGKILL.
        QStringList ids;
        {
            Child client(url, dir.path());
            QVERIFY(!client
                         .waitFor([](const QJsonObject &o) {
                             return o.contains(QLatin1String("started"));
                         })
                         .value(QLatin1String("started"))
                         .toString()
                         .isEmpty());
            client.write("send one\nsend two\nsend three\n");
            QVERIFY(!client
                         .waitFor([](const QJsonObject &o) {
                             return o.value(QLatin1String("unsent")).toInt() == 3 &&
                                    o.value(QLatin1String("view")).toArray().size() == 3;
                         })
                         .isEmpty());
            QTRY_COMPARE(client.linesWith(QStringLiteral("stored")).size(), 3);
            for (const QJsonObject &o : client.linesWith(QStringLiteral("stored")))
                ids << o.value(QLatin1String("stored")).toString();
            client.kill();
        }

        // 2. The server is back; someone is there to see what arrives.
        QVERIFY(server.start());
        TestClient observer;
        QVERIFY(observer.open(url));
        QVERIFY(observer.login(QStringLiteral("or_observer")));

        // 3. The restarted client finds the three, under their ids, in order, and sends them.
        {
            Child client(url, dir.path());
            const QJsonObject started = client.waitFor(
                [](const QJsonObject &o) { return o.contains(QLatin1String("started")); });
            QStringList unsent;
            for (const QJsonValue &v : started.value(QLatin1String("unsent")).toArray())
                unsent << v.toString();
            QCOMPARE(unsent, ids);
            // Shown as sending at once, before any answer from the server.
            const QJsonObject waiting = client.waitFor([](const QJsonObject &o) {
                const QJsonArray view = o.value(QLatin1String("view")).toArray();
                return view.size() == 3 &&
                       view.at(2).toObject().value(QLatin1String("pending")).toBool();
            });
            QCOMPARE(contents(waiting.value(QLatin1String("view")).toArray()),
                     (QStringList{QStringLiteral("one"), QStringLiteral("two"),
                                  QStringLiteral("three")}));
            const QJsonObject done =
                client.waitFor([](const QJsonObject &o) { return allSent(o, 3); }, 15000);
            QVERIFY2(!done.isEmpty(), "the restarted client did not get its three messages acked");
            // Shown once each: the copies from the file were replaced by the server's.
            const QJsonArray view = done.value(QLatin1String("view")).toArray();
            QCOMPARE(contents(view), (QStringList{QStringLiteral("one"), QStringLiteral("two"),
                                                  QStringLiteral("three")}));
            for (int i = 0; i < 3; ++i)
                QCOMPARE(view.at(i).toObject().value(QLatin1String("id")).toString(), ids.at(i));
            // Received live, each once and in order.
            QTRY_COMPARE(observer.countChats(QStringLiteral("three")), 1);
            QCOMPARE(observer.countChats(QStringLiteral("one")), 1);
            QCOMPARE(observer.countChats(QStringLiteral("two")), 1);
            client.kill();
        }

        // 4. Stored once each, in order; a third start resends nothing and shows each once.
        TestClient reader;
        QVERIFY(reader.open(url));
        QVERIFY(reader.login(QStringLiteral("or_reader")));
        reader.sendJson(MessageEncoder::historyRequest(QStringLiteral("*"), 0, 0, 200, {}));
        const QJsonArray history = reader.waitForType(QStringLiteral("history"))
                                       .value(QLatin1String("messages"))
                                       .toArray();
        QCOMPARE(contents(history), (QStringList{QStringLiteral("one"), QStringLiteral("two"),
                                                 QStringLiteral("three")}));
        Child again(url, dir.path());
        const QJsonObject started = again.waitFor(
            [](const QJsonObject &o) { return o.contains(QLatin1String("started")); });
        QVERIFY(started.value(QLatin1String("unsent")).toArray().isEmpty());
        const QJsonObject shown = again.waitFor([](const QJsonObject &o) {
            return o.value(QLatin1String("view")).toArray().size() >= 3;
        });
        QCOMPARE(
            contents(shown.value(QLatin1String("view")).toArray()),
            (QStringList{QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three")}));
    }

    // A reply written while offline is still a reply after the client was killed and started
    // again: the server gets its reply_to, and the others see the quote.
    void anUnsentReplyKeepsWhatItAnswersAcrossARestart()
    {
        QTemporaryDir dir;
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        const QUrl url = server.url();
        qint64 question = 0;
        {
            TestClient asker;
            QVERIFY(asker.open(url));
            QVERIFY(asker.login(QStringLiteral("or_asker")));
            asker.sendChat(QStringLiteral("the question"), QStringLiteral("q-1"));
            question = asker.waitForChat(QStringLiteral("the question"))
                           .value(QLatin1String("seq"))
                           .toInteger();
            QVERIFY(question > 0);
        }
        QVERIFY(server.stop());

        {
            Child client(url, dir.path());
            QVERIFY(client
                        .waitFor([](const QJsonObject &o) {
                            return o.contains(QLatin1String("started"));
                        })
                        .contains(QLatin1String("started")));
            client.write("reply " + QByteArray::number(question) + " the answer\n");
            QTRY_COMPARE(client.linesWith(QStringLiteral("stored")).size(), 1);
            client.kill();
        }

        QVERIFY(server.start());
        TestClient observer;
        QVERIFY(observer.open(url));
        QVERIFY(observer.login(QStringLiteral("or_watcher")));
        Child client(url, dir.path());
        const QJsonObject answer = observer.waitForChat(QStringLiteral("the answer"), 15000);
        QVERIFY2(!answer.isEmpty(), "the restarted client did not send its reply");
        QCOMPARE(answer.value(QLatin1String("reply_to")).toInteger(), question);
        QCOMPARE(
            answer.value(QLatin1String("quote")).toObject().value(QLatin1String("text")).toString(),
            QStringLiteral("the question"));
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(kUrlVariable))
        return runChild();
    TestOutboxRestart test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_outboxrestart.moc"
