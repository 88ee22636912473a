#pragma once

#include <QString>
#include <QUrl>

// What users type as a server: "chat.example.org", "10.0.0.5:9000", "ws://host:port" or
// "wss://host/path". Normalised to a ws:// or wss:// URL (default port 8080 for ws).
class ServerAddress
{
public:
    // An invalid QUrl and a reason when the text cannot be a server address.
    static QUrl parse(const QString &text, QString *error = nullptr);
};
