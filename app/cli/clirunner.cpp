#include "clirunner.h"

#include "confabversion.h"
#include "net/serveraddress.h"

#include <QCommandLineParser>
#include <QEventLoop>
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

QString readPasswordFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    QString text = QString::fromUtf8(f.readAll());
    while (text.endsWith(QLatin1Char('\n')) || text.endsWith(QLatin1Char('\r')))
        text.chop(1);
    if (text.isEmpty())
        *error = QStringLiteral("%1 is empty").arg(path);
    return text;
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
    connect(
        &m_session, &ClientSession::loginFailed, this, [this](ErrorCode code, const QString &text) {
            if (code == ErrorCode::TokenInvalid && !m_tokenKey.isEmpty())
                m_tokens.remove(m_tokenKey); // revoked or expired: useless from now on
            QString hint;
            if (code == ErrorCode::NameRegistered)
                hint = QStringLiteral(" (sign in: --password-file, CONFAB_PASSWORD, or 'confab-cli "
                                      "login' once)");
            else if (code == ErrorCode::TokenInvalid)
                hint = QStringLiteral(" (run 'confab-cli login' again)");
            else if (code == ErrorCode::AuthThrottled)
                hint = QStringLiteral(" (wait %1 s)").arg(m_session.retryAfterSeconds());
            finish(LoginRefused, QStringLiteral("%1: %2%3").arg(errorCodeName(code), text, hint));
        });
    connect(&m_session, &ClientSession::tokenIssued, this, [this](const QString &token) {
        if (m_command == QLatin1String("login"))
            m_tokens.write(ServerAddress::accountKey(m_url, m_name), token);
    });
    connect(&m_tokens, &TokenStore::tokenWritten, this, [this] {
        if (m_command != QLatin1String("login"))
            return;
        print(QJsonObject{{QStringLiteral("signed_in"), true},
                          {QStringLiteral("name"), m_session.name()},
                          {QStringLiteral("stored"), m_tokens.backend() == TokenStore::Backend::File
                                                         ? m_tokens.filePath()
                                                         : QStringLiteral("keychain")}});
        finish(Ok);
    });
    connect(&m_tokens, &TokenStore::failed, this, [this](const QString &, const QString &message) {
        if (m_command == QLatin1String("login"))
            finish(CannotConnect,
                   QStringLiteral("signed in, but cannot keep the token: %1").arg(message));
    });
    connect(&m_tokens, &TokenStore::tokenRead, this,
            [this](const QString &account, const QString &token) {
                if (account != m_tokenKey)
                    return;
                ClientSession::Credentials c;
                if (!token.isEmpty()) {
                    c.mode = ClientSession::Credentials::Mode::Token;
                    c.token = token;
                } else if (!m_password.isEmpty()) {
                    c.mode = ClientSession::Credentials::Mode::Password;
                    c.password = m_password;
                    c.device = QStringLiteral("confab-cli");
                    m_signOutAtEnd = m_command != QLatin1String("login");
                }
                m_session.open(m_url, m_name, c);
            });
    connect(&m_session, &ClientSession::certificateRejected, this,
            [this](const QString &hostPort, const QString &fingerprint, bool changed) {
                finish(CannotConnect,
                       QStringLiteral("the certificate of %1 is not trusted%2. Its SHA-256 "
                                      "fingerprint is %3: if the server's owner confirms it, pass "
                                      "--pin %3")
                           .arg(hostPort,
                                changed ? QStringLiteral(" (it is not the one given with --pin)")
                                        : QString(),
                                fingerprint));
            });
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

void CliRunner::run(const QStringList &givenArguments)
{
    // --insecure counts only written out in full with its confirmation, in one argument: as a
    // separate value, "--insecure --server x" would take "--server" for its value.
    QStringList arguments;
    bool insecureAsked = false;
    bool insecureConfirmed = false;
    for (const QString &a : givenArguments) {
        if (a == QLatin1String("--insecure") || a.startsWith(QLatin1String("--insecure="))) {
            insecureAsked = true;
            insecureConfirmed = a == QLatin1String("--insecure=accept-any-certificate");
            continue;
        }
        arguments << a;
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Confab command-line client.\n\n"
        "Commands:\n"
        "  send TEXT        send a message (TEXT '-' reads stdin); prints "
        "{\"sent\":true,\"seq\":...}\n"
        "  listen           print incoming messages as JSON lines\n"
        "  history          print a page of history as JSON lines, oldest first\n"
        "  users            print the online users as JSON lines\n"
        "  login            sign in with the password once and keep the device\n"
        "                   token (keychain, else a 0600 file) for later runs\n"
        "  logout           sign this device out and forget its token\n\n"
        "A name with an account signs in with the kept token, else with the\n"
        "password from --password-file or $CONFAB_PASSWORD; otherwise as a guest.\n\n"
        "Exit codes: 0 done, 2 usage, 3 cannot connect (or certificate not\n"
        "trusted), 4 login refused, 5 message rejected, 6 timed out."));
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
    const QCommandLineOption passwordFile(
        QStringLiteral("password-file"),
        QStringLiteral("Read the password from this file (or set CONFAB_PASSWORD)."),
        QStringLiteral("file"));
    const QCommandLineOption pin(
        QStringLiteral("pin"),
        QStringLiteral("Accept the server's certificate when its SHA-256 fingerprint is this "
                       "(for self-signed certificates, e.g. host mode)."),
        QStringLiteral("sha256"));
    QCommandLineOption insecure(
        QStringLiteral("insecure"),
        QStringLiteral("Accept any certificate. Refused unless written out in full as "
                       "--insecure=accept-any-certificate."),
        QStringLiteral("confirmation"));
    for (const QCommandLineOption &o :
         {server, name, to, with, limit, count, timeout, passwordFile, pin, insecure})
        parser.addOption(o);
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("send, listen, history, users, login or logout"));

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
                     QStringLiteral("users"), QStringLiteral("login"), QStringLiteral("logout")}
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
    QString why;
    bool schemeGiven = true;
    m_url = ServerAddress::parse(parser.value(server), &why, &schemeGiven);
    if (!m_url.isValid()) {
        usage(why);
        return;
    }
    m_session.setPlainFallback(!schemeGiven);
    if (insecureAsked) {
        // Encryption without knowing who is at the other end: only when said in full.
        if (!insecureConfirmed) {
            usage(QStringLiteral("--insecure accepts any certificate, an attacker's too; to mean "
                                 "it, write --insecure=accept-any-certificate (better: --pin "
                                 "the server's fingerprint)"));
            return;
        }
        m_session.setInsecure(true);
    }
    if (parser.isSet(pin))
        m_session.setExpectedFingerprint(parser.value(pin));
    if (parser.isSet(passwordFile)) {
        m_password = readPasswordFile(parser.value(passwordFile), &why);
        if (m_password.isEmpty()) {
            usage(why);
            return;
        }
    } else {
        m_password = qEnvironmentVariable("CONFAB_PASSWORD");
    }
    m_name = parser.value(name);
    if (m_command == QLatin1String("login") && m_password.isEmpty()) {
        usage(QStringLiteral("login needs the password: --password-file FILE or CONFAB_PASSWORD"));
        return;
    }
    m_timeout.start(int(seconds * 1000));
    start();
}

void CliRunner::start()
{
    // A kept token first (login asks for a fresh one with the password), then the password,
    // then as a guest: the tokenRead handler opens the session.
    m_tokenKey = ServerAddress::accountKey(m_url, m_name);
    if (m_command == QLatin1String("login")) {
        ClientSession::Credentials c;
        c.mode = ClientSession::Credentials::Mode::Password;
        c.password = m_password;
        c.device = QStringLiteral("confab-cli");
        m_session.open(m_url, m_name, c);
        return;
    }
    m_tokens.read(m_tokenKey);
}

void CliRunner::onOnline()
{
    if (m_command == QLatin1String("login"))
        return; // done when the token is kept (tokenWritten)
    if (m_command == QLatin1String("logout")) {
        forgetToken();
        m_session.signOut();
        print(QJsonObject{{QStringLiteral("signed_out"), m_session.isAccount()}});
        finish(Ok); // close() lets the request leave before the connection ends
        return;
    }
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

void CliRunner::forgetToken()
{
    // Done before the program exits: a token left behind would be tried again next time.
    QEventLoop loop;
    connect(&m_tokens, &TokenStore::tokenRemoved, &loop, &QEventLoop::quit);
    connect(&m_tokens, &TokenStore::failed, &loop, &QEventLoop::quit);
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    m_tokens.remove(m_tokenKey);
    loop.exec();
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
    // A password sign-in made a device token for this one command: it goes again.
    if (m_signOutAtEnd && m_session.isAccount() &&
        m_session.state() == ClientSession::State::Online)
        m_session.signOut();
    m_session.close();
    m_session.waitForClosed(2000);
    emit finished(code);
}
