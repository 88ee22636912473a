#include "clientoptions.h"

#include "confabversion.h"
#include "media/devicespec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>

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
    const QCommandLineOption camera(
        QStringLiteral("camera"),
        QCoreApplication::translate("ClientOptions",
                                    "Camera for calls: test-pattern, file:PATH (a video), "
                                    "camera (the default) or camera:ID."),
        QStringLiteral("source"));
    const QCommandLineOption mic(
        QStringLiteral("mic"),
        QCoreApplication::translate("ClientOptions",
                                    "Microphone for calls: tone, file:PATH (a WAV file), mic "
                                    "(the default) or mic:ID."),
        QStringLiteral("source"));
    const QCommandLineOption speaker(
        QStringLiteral("speaker"),
        QCoreApplication::translate("ClientOptions",
                                    "Sound output for calls: speaker (the default), "
                                    "speaker:ID or none."),
        QStringLiteral("output"));
    const QCommandLineOption videoCodec(
        QStringLiteral("video-codec"),
        QCoreApplication::translate("ClientOptions", "Video codec for calls: vp8 or jpeg."),
        QStringLiteral("codec"));
    for (const QCommandLineOption &o : {host, hostPort, server, name, theme, language, database,
                                        quitAfter, camera, mic, speaker, videoCodec})
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

    // Call devices: the grammar the media factories take (DeviceSpec), checked here so a
    // typo is an error at start and not a surprise in the middle of a call.
    struct DeviceOption
    {
        const QCommandLineOption &option;
        std::optional<QString> *target;
        DeviceSpec::Role role;
    };
    const DeviceOption devices[] = {{camera, &o.camera, DeviceSpec::Role::Camera},
                                    {mic, &o.microphone, DeviceSpec::Role::Microphone},
                                    {speaker, &o.speaker, DeviceSpec::Role::Speaker}};
    auto refuse = [&](const QString &text) {
        *message = text + QLatin1Char('\n');
        *exitCode = 2;
        return std::nullopt;
    };
    for (const DeviceOption &d : devices) {
        if (!parser.isSet(d.option))
            continue;
        const QString v = parser.value(d.option);
        const QString flag = QStringLiteral("--") + d.option.names().constFirst();
        // "" means "the default" in the settings, but on the command line it is a mistake.
        const std::optional<DeviceSpec> spec =
            v.isEmpty() ? std::nullopt : DeviceSpec::parse(d.role, v);
        if (!spec)
            return refuse(QStringLiteral("%1: '%2' is not valid; %3")
                              .arg(flag, v, DeviceSpec::usage(d.role)));
        if (spec->kind() == DeviceSpec::Kind::File && !QFileInfo(spec->filePath()).isFile())
            return refuse(
                QStringLiteral("%1: the file '%2' does not exist").arg(flag, spec->filePath()));
        *d.target = v;
    }
    if (parser.isSet(videoCodec)) {
        const QString v = parser.value(videoCodec);
        if (v != QLatin1String("vp8") && v != QLatin1String("jpeg"))
            return refuse(
                QStringLiteral("--video-codec: '%1' is not valid; use vp8 or jpeg").arg(v));
        o.videoCodec = v;
    }
    return o;
}
