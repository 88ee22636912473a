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

    // nullopt with *message and *exitCode for --help, --version and errors.
    static std::optional<ClientOptions> parse(const QStringList &arguments, QString *message,
                                              int *exitCode);
};
