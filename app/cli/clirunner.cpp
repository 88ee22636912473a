#include "clirunner.h"

#include "confabversion.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QUrl>

namespace {

QJsonObject toJson(const ChatMessage &m)
{
    QJsonObject o{{QStringLiteral("seq"), m.seq},
                  {QStringLiteral("ts"), m.timestampMs},
                  {QStringLiteral("from"), m.from},
                  {QStringLiteral("content"), m.content}};
    if (!m.to.isEmpty())
        o.insert(QStringLiteral("to"), m.to);
    if (!m.mentions.isEmpty())
        o.insert(QStringLiteral("mentions"), QJsonArray::fromStringList(m.mentions));
    return o;
}

QUrl serverUrl(QString text)
{
    if (!text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("ws://"));
    QUrl url(text);
    if (url.port() == -1 && url.scheme() == QLatin1String("ws"))
        url.setPort(8080);
    return url;
}

} // namespace

CliRunner::CliRunner(FILE *out, FILE *err, QObject *parent)
    : QObject(parent), m_out(out), m_err(err)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        if (m_command == QLatin1String("listen") && m_count < 0)
            finish(Ok); // listening for a while is what was asked
        else
            finish(TimedOut, QStringLiteral("timed out"));
    });
    connect(&m_session, &ClientSession::loggedIn, this, &CliRunner::onOnline);
    connect(&m_session, &ClientSession::loginFailed, this,
            [this](ErrorCode, const QString &text) { finish(LoginRefused, text); });
    connect(&m_session, &ClientSession::connectionLost, this, [this](const QString &reason) {
        finish(CannotConnect, QStringLiteral("cannot reach %1: %2")
                                  .arg(m_session.url().toString(),
                                       reason.isEmpty() ? QStringLiteral("no answer") : reason));
    });
    connect(&m_session, &ClientSession::messageAcknowledged, this,
            [this](const QString &id, qint64 seq, qint64 ts) {
                if (id != m_pendingId)
                    return;
                print(QJsonObject{{QStringLiteral("sent"), true},
                                  {QStringLiteral("seq"), seq},
                                  {QStringLiteral("ts"), ts}});
                finish(Ok);
            });
    connect(&m_session, &ClientSession::messageRejected, this,
            [this](const QString &, ErrorCode code, const QString &text) {
                finish(MessageRejected, QStringLiteral("%1: %2").arg(errorCodeName(code), text));
            });
    connect(&m_session, &ClientSession::messageReceived, this, [this](const ChatMessage &m) {
        if (m_command != QLatin1String("listen"))
            return;
        print(toJson(m));
        if (m_count > 0 && ++m_seen >= m_count)
            finish(Ok);
    });
    connect(&m_session, &ClientSession::historyReceived, this,
            [this](const QString &, const QList<ChatMessage> &messages, bool, const QString &ref) {
                if (ref != m_historyRef)
                    return;
                for (const ChatMessage &m : messages)
                    print(toJson(m));
                finish(Ok);
            });
}

void CliRunner::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Confab command-line client.\n\n"
                       "Commands:\n"
                       "  send TEXT        send a message (TEXT '-' reads stdin); prints "
                       "{\"sent\":true,\"seq\":...}\n"
                       "  listen           print incoming messages as JSON lines\n"
                       "  history          print a page of history as JSON lines, oldest first\n"
                       "  users            print the online users as JSON lines\n\n"
                       "Exit codes: 0 done, 2 usage, 3 cannot connect, 4 login refused,\n"
                       "5 message rejected, 6 timed out."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption server(
        QStringLiteral("server"), QStringLiteral("Server (default ws://localhost:8080)."),
        QStringLiteral("address"), QStringLiteral("ws://localhost:8080"));
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("Name to log in with."),
                                  QStringLiteral("name"));
    const QCommandLineOption to(QStringLiteral("to"),
                                QStringLiteral("send: make it private to this user."),
                                QStringLiteral("name"));
    const QCommandLineOption with(
        QStringLiteral("with"),
        QStringLiteral("history: private conversation with this user ('*' = everything visible)."),
        QStringLiteral("name"));
    const QCommandLineOption limit(QStringLiteral("limit"),
                                   QStringLiteral("history: messages (default 50)."),
                                   QStringLiteral("n"));
    const QCommandLineOption count(QStringLiteral("count"),
                                   QStringLiteral("listen: stop after n messages."),
                                   QStringLiteral("n"));
    const QCommandLineOption timeout(
        QStringLiteral("timeout"),
        QStringLiteral("Seconds before giving up (default 10; listen: run this long)."),
        QStringLiteral("s"));
    for (const QCommandLineOption &o : {server, name, to, with, limit, count, timeout})
        parser.addOption(o);
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("send, listen, history or users"));

    auto usage = [this](const QString &text) {
        QMetaObject::invokeMethod(
            this, [this, text] { finish(Usage, text); }, Qt::QueuedConnection);
    };
    if (!parser.parse(arguments)) {
        usage(parser.errorText());
        return;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("version"))) {
        const QString text =
            parser.isSet(QStringLiteral("help"))
                ? parser.helpText()
                : QStringLiteral("confab-cli %1\n").arg(QLatin1String(CONFAB_VERSION));
        std::fputs(qPrintable(text), m_out);
        QMetaObject::invokeMethod(
            this, [this] { finish(Ok); }, Qt::QueuedConnection);
        return;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        usage(QStringLiteral("no command given (send, listen, history or users); see --help"));
        return;
    }
    m_command = positional.first();
    m_arguments = positional.mid(1);
    if (!QStringList{QStringLiteral("send"), QStringLiteral("listen"), QStringLiteral("history"),
                     QStringLiteral("users")}
             .contains(m_command)) {
        usage(QStringLiteral("unknown command '%1'; see --help").arg(m_command));
        return;
    }
    if (!parser.isSet(name)) {
        usage(QStringLiteral("--name is required"));
        return;
    }
    if (m_command == QLatin1String("send")) {
        if (m_arguments.size() != 1) {
            usage(QStringLiteral("send takes one TEXT argument (quote it; '-' reads stdin)"));
            return;
        }
        if (m_arguments.first() == QLatin1String("-")) {
            QFile in;
            if (in.open(stdin, QIODevice::ReadOnly))
                m_arguments[0] = QString::fromUtf8(in.readAll()).trimmed();
        }
    }
    m_to = parser.value(to);
    m_with = parser.value(with);
    bool ok = true;
    if (parser.isSet(limit))
        m_limit = parser.value(limit).toInt(&ok);
    if (ok && parser.isSet(count))
        m_count = parser.value(count).toInt(&ok);
    double seconds = 10;
    if (ok && parser.isSet(timeout))
        seconds = parser.value(timeout).toDouble(&ok);
    if (!ok || m_limit < 1 || seconds <= 0) {
        usage(QStringLiteral("--limit, --count and --timeout take positive numbers"));
        return;
    }
    const QUrl url = serverUrl(parser.value(server));
    if (!url.isValid() || url.host().isEmpty()) {
        usage(QStringLiteral("'%1' is not a server address").arg(parser.value(server)));
        return;
    }
    m_timeout.start(int(seconds * 1000));
    m_session.open(url, parser.value(name));
}

void CliRunner::onOnline()
{
    if (m_command == QLatin1String("send")) {
        m_pendingId = m_session.sendMessage(m_arguments.first(), m_to);
    } else if (m_command == QLatin1String("history")) {
        m_historyRef = m_session.requestHistory(m_with, 0, m_limit);
    } else if (m_command == QLatin1String("users")) {
        for (const QString &n : m_session.onlineUsers())
            print(QJsonObject{{QStringLiteral("name"), n}});
        finish(Ok);
    }
    // listen: messages arrive through messageReceived.
}

void CliRunner::print(const QJsonObject &object)
{
    std::fputs(QJsonDocument(object).toJson(QJsonDocument::Compact).constData(), m_out);
    std::fputc('\n', m_out);
    std::fflush(m_out);
}

void CliRunner::finish(int code, const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    if (!error.isEmpty())
        std::fprintf(m_err, "confab-cli: %s\n", qPrintable(error));
    m_session.close();
    emit finished(code);
}
