#pragma once

#include <QString>
#include <QUrl>

// What users type as a server: "chat.example.org", "10.0.0.5:9000", "ws://host:port" or
// "wss://host/path". Normalised to a ws:// or wss:// URL. Without a scheme it is wss:// on port
// 8080 by default (what host mode serves), and *schemeGiven is false: the session may then fall
// back to ws:// for a server that does not speak TLS (ClientSession::setPlainFallback).
class ServerAddress
{
public:
    // An invalid QUrl and a reason when the text cannot be a server address.
    static QUrl parse(const QString &text, QString *error = nullptr, bool *schemeGiven = nullptr);
    // Where a device token for `name` on this server is kept (TokenStore): "name@host:port".
    static QString accountKey(const QUrl &url, const QString &name);
};
