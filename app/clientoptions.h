#pragma once

#include <QString>
#include <QStringList>

#include <optional>

// The desktop client's command line.
struct ClientOptions
{
    bool host = false;
    quint16 hostPort = 8080;
    QString server;
    QString name;
    QString theme;    // "", "system", "light", "dark"
    QString language; // "", "en", "zh_CN"
    QString database; // host mode history file
    int quitAfterMs = -1;
    // Call devices for this run (override the settings when set): see docs/calls.md.
    std::optional<QString> camera;     // test-pattern, file:PATH, camera, camera:ID
    std::optional<QString> microphone; // tone, file:PATH, mic, mic:ID
    std::optional<QString> speaker;    // none, speaker, speaker:ID
    std::optional<QString> videoCodec; // vp8, jpeg

    // nullopt with *message and *exitCode for --help, --version and errors.
    static std::optional<ClientOptions> parse(const QStringList &arguments, QString *message,
                                              int *exitCode);
};
