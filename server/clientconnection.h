#pragma once

#include "net/tcpsendbuffer.h"
#include "protocol/clientrequest.h"
#include "protocol/messageencoder.h"
#include "protocol/protocollimits.h"
#include "transport/outqueue.h"
#include "transport/ratelimiter.h"

#include <QPointer>
#include <QString>
#include <QTcpSocket>

#include <deque>

class QWebSocket;
class AddressSlot;

// What the server knows about one WebSocket connection. Kept small on purpose: an idle
// connection should cost the server only a few kilobytes.
struct ClientConnection
{
    ClientConnection(QWebSocket *s, const QString &peer, const ProtocolLimits &limits, qint64 nowMs)
        : socket(s), address(peer), connectedMs(nowMs), lastActivityMs(nowMs),
          rate(limits.ratePerSecond, limits.rateBurst),
          mediaRate(limits.mediaPacketsPerSecond, limits.mediaBurst)
    {}

    // Transport
    QWebSocket *socket;
    QPointer<QTcpSocket> tcp;    // the socket it was upgraded from (a QSslSocket for wss), ours
    AddressSlot *slot = nullptr; // its place in the per-address count (a child of tcp)
    OutQueue out;                // whole frames the kernel has not taken yet
    QString address;             // AddressKey of the client (behind a trusted proxy: the real one)
    bool encrypted = false;      // wss: every byte goes through QSslSocket, never sendmsg()
    bool closing = false;        // no more frames are queued; the connection is on its way out
    bool notifyDrained = false;  // tell the server when `out` and Qt's buffer are empty
    bool largeFrames = false;    // in a call: media-sized frames allowed
    qint64 behindSinceMs = 0;    // when its queue last went from empty to not (Transport::send)
    bool videoWaitsForKeyframe = false; // stale video was dropped: nothing until a keyframe
    // In a call: the kernel's send buffer, sized from the media queued for it (Transport::send)
    // over the window that started at mediaWindowMs.
    TcpSendBuffer sendBuffer;
    qint64 mediaWindowMs = 0;
    qint64 mediaWindowBytes = 0;
    bool fileFrames = false; // holding an upload: chunk-sized frames allowed
    qint64 connectedMs;
    qint64 lastActivityMs;
    qint64 lastPingMs = 0;

    // Session
    QString name;
    QString nameKey;  // NameRules::key
    QString skeleton; // NameRules::skeleton
    QString session;  // token a reconnecting client shows to take its name back
    QString identity; // "a<account id>" or "g<random>": whose private history this is
    qint64 accountId = 0;
    qint64 tokenId = 0;        // the device token this session signed in with (0: a guest)
    qint64 tokenTouchedMs = 0; // when its last use was written down
    bool admin = false;
    Dialect dialect = Dialect::Seed;
    bool loggedIn = false;
    bool authPending = false; // a password is being checked: no second sign-in meanwhile
    RateLimiter rate;
    RateLimiter mediaRate; // binary media packets: a bucket of their own
    double strikes = 0;    // rate-limited messages, decaying over time (ChatServer::takeToken)
    qint64 strikesMs = 0;

    // History requests wait here while an answer is on its way to the kernel.
    std::deque<ClientRequest> historyQueue;
    bool historyInFlight = false;
    bool historyReading = false;    // a page asked of the message store, not answered yet
    bool seedReplayPending = false; // a seed page's catch-up is being read: no live relays yet
    qint64 historyFrameBytes = 0;   // the page on its way out, counted in the server's total
    bool historyTimerArmed = false; // waiting for its payer's history budget (SendBudget)

    // A private message to a name not online here waits for the account store to say whether
    // it is an account's; this sender's later messages wait behind it, so that each is stored
    // in the order it was sent. Bounded (kMaxHeldChats in chatrouter.cpp).
    bool chatLookupPending = false;
    std::deque<ClientRequest> heldChats;
    qint64 heldChatBytes = 0;

    bool isGuest() const { return accountId == 0; }
    // Who pays for what this connection makes the server send (SendBudget).
    QString budgetKey() const { return accountId ? QStringLiteral("a%1").arg(accountId) : address; }
};
