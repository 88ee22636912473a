#pragma once

#include "outqueue.h"
#include "protocol/messageencoder.h"
#include "protocol/protocollimits.h"
#include "ratelimiter.h"

#include <QPointer>
#include <QString>
#include <QTcpSocket>

class QWebSocket;

// What the server knows about one WebSocket connection. Kept small on purpose: an idle
// connection should cost the server only a few kilobytes.
struct ClientConnection
{
    ClientConnection(QWebSocket *s, const QString &peer, const ProtocolLimits &limits, qint64 nowMs)
        : socket(s), address(peer), rate(limits.ratePerSecond, limits.rateBurst),
          mediaRate(limits.mediaPacketsPerSecond, limits.mediaBurst), connectedMs(nowMs),
          lastActivityMs(nowMs)
    {}

    QWebSocket *socket;
    QPointer<QTcpSocket> tcp; // the socket it was upgraded from, ours to delete
    OutQueue out;             // frames gathered in this event-loop turn
    QString address;
    QString name;
    QString nameKey;
    QString session; // token a reconnecting client shows to take its name back
    Dialect dialect = Dialect::Seed;
    bool loggedIn = false;
    bool closing = false;
    RateLimiter rate;
    RateLimiter mediaRate; // binary media packets: a bucket of their own
    int strikes = 0;
    qint64 connectedMs;
    qint64 lastActivityMs;
};
