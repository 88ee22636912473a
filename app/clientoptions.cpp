#include "clientoptions.h"

#include "confabversion.h"

#include <QCommandLineParser>
#include <QCoreApplication>

std::optional<ClientOptions> ClientOptions::parse(const QStringList &arguments, QString *message,
                                                  int *exitCode)
{
    // "--host" takes an optional port, which QCommandLineParser cannot express.
    QStringList args = arguments;
    for (int i = 1; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--host") && i + 1 < args.size()) {
            bool number = false;
            args.at(i + 1).toUInt(&number);
            if (number)
                args[i] = QStringLiteral("--host-port");
        }
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("ClientOptions", "Confab: chat with voice and video calls."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption host(
        QStringLiteral("host"),
        QCoreApplication::translate(
            "ClientOptions",
            "Host a server on this computer (optionally: --host PORT, default 8080) and join it."));
    QCommandLineOption hostPort(QStringLiteral("host-port"),
                                QCoreApplication::translate("ClientOptions", "Port for --host."),
                                QStringLiteral("port"));
    hostPort.setFlags(QCommandLineOption::HiddenFromHelp);
    const QCommandLineOption server(
        QStringLiteral("server"),
        QCoreApplication::translate("ClientOptions", "Server to join, e.g. ws://host:8080."),
        QStringLiteral("address"));
    const QCommandLineOption name(QStringLiteral("name"),
                                  QCoreApplication::translate("ClientOptions", "Your name."),
                                  QStringLiteral("name"));
    const QCommandLineOption theme(
        QStringLiteral("theme"),
        QCoreApplication::translate("ClientOptions", "system, light or dark."),
        QStringLiteral("theme"));
    const QCommandLineOption language(
        QStringLiteral("lang"),
        QCoreApplication::translate("ClientOptions", "en or zh_CN (default: the system's)."),
        QStringLiteral("language"));
    const QCommandLineOption database(
        QStringLiteral("database"),
        QCoreApplication::translate("ClientOptions", "History file when hosting."),
        QStringLiteral("path"));
    const QCommandLineOption quitAfter(
        QStringLiteral("quit-after"),
        QCoreApplication::translate("ClientOptions",
                                    "Quit after this many milliseconds (for checks)."),
        QStringLiteral("ms"));
    for (const QCommandLineOption &o :
         {host, hostPort, server, name, theme, language, database, quitAfter})
        parser.addOption(o);

    *exitCode = 0;
    if (!parser.parse(args)) {
        *message = parser.errorText() + QLatin1Char('\n');
        *exitCode = 2;
        return std::nullopt;
    }
    if (parser.isSet(help)) {
        *message = parser.helpText();
        return std::nullopt;
    }
    if (parser.isSet(version)) {
        *message = QStringLiteral("confab %1\n").arg(QLatin1String(CONFAB_VERSION));
        return std::nullopt;
    }
    ClientOptions o;
    o.host = parser.isSet(host) || parser.isSet(hostPort);
    if (parser.isSet(hostPort)) {
        bool ok = false;
        const uint port = parser.value(hostPort).toUInt(&ok);
        if (!ok || port == 0 || port > 65535) {
            *message = QStringLiteral("--host: '%1' is not a port (1-65535)\n")
                           .arg(parser.value(hostPort));
            *exitCode = 2;
            return std::nullopt;
        }
        o.hostPort = quint16(port);
    }
    o.server = parser.value(server);
    o.name = parser.value(name);
    o.theme = parser.value(theme);
    if (!o.theme.isEmpty() &&
        !QStringList{QStringLiteral("system"), QStringLiteral("light"), QStringLiteral("dark")}
             .contains(o.theme)) {
        *message = QStringLiteral("--theme: use system, light or dark\n");
        *exitCode = 2;
        return std::nullopt;
    }
    o.language = parser.value(language);
    o.database = parser.value(database);
    if (parser.isSet(quitAfter))
        o.quitAfterMs = parser.value(quitAfter).toInt();
    return o;
}
