#pragma once

#include "net/catchuppoint.h"
#include "net/historycache.h"
#include "net/outbox.h"
#include "net/outboxstore.h"
#include "net/reconnectbackoff.h"
#include "net/sessionclock.h"
#include "net/sessionsocket.h"
#include "protocol/authpolicy.h"
#include "protocol/chatmessage.h"
#include "protocol/errorcode.h"
#include "protocol/protocollimits.h"
#include "protocol/servermessage.h"
#include "protocol/servermessagedecoder.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QSslError>
#include <QStringList>
#include <QThread>
#include <QTimer>
#include <QUrl>

class CertificatePins;

// How the session signs in (docs/protocol.md, section 4.3). After a password sign-in or a
// registration the server hands out a device token: the session forgets the password,
// uses the token from then on (reconnects), and emits tokenIssued so it can be kept.
struct SessionCredentials
{
    enum class Mode { Guest, Password, Token, Register };
    Mode mode = Mode::Guest;
    QString password; // Password, Register
    QString token;    // Token
    QString invite;   // Register, when the server wants one
    QString device;   // a label for the device token this sign-in makes
};

// One user's connection to a Confab server, kept alive for as long as the user wants it:
// it logs in after the server's handshake, reconnects with backoff after a drop (and at once
// after the machine wakes or the network returns), resumes its session, resends what was not
// acknowledged and catches up on what it missed. Everything it learns arrives as signals.
// Its WebSocket lives on a thread of its own (SessionSocket, "session network"), so media can
// come and go while the GUI thread is busy; the session's logic and all its signals stay on
// the thread that made it.
class ClientSession : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
public:
    enum class State { Offline, Connecting, Handshaking, LoggingIn, Online, Reconnecting };
    Q_ENUM(State)

    using Credentials = SessionCredentials;

    explicit ClientSession(QObject *parent = nullptr);
    ~ClientSession() override;

    // Starts connecting and keeps the session up until close().
    void open(const QUrl &url, const QString &name, const Credentials &credentials = {});
    void close();
    // For programs about to exit (confab-cli): waits until the connection has closed, at most
    // timeoutMs, so the close frame and a sign-out really leave.
    bool waitForClosed(int timeoutMs);

    // TLS: where accepted self-signed certificates are pinned (not owned; nullptr = only
    // certificates valid for the system store). A certificate that is neither valid nor
    // pinned ends the attempt with certificateRejected.
    void setCertificatePins(CertificatePins *pins) { m_pins = pins; }
    // Accept exactly this certificate (SHA-256 fingerprint, CertificatePins::fingerprint
    // form, colons optional), as confab-cli --pin does.
    void setExpectedFingerprint(const QString &fingerprint);
    // Accept any certificate (confab-cli --insecure=...). Encrypted, but not authenticated.
    void setInsecure(bool insecure) { m_insecure = insecure; }
    // For addresses typed without a scheme: if the server turns out not to speak TLS, try
    // plain ws:// once (never for a server seen with TLS before). isEncrypted() tells.
    void setPlainFallback(bool allowed) { m_plainFallback = allowed; }
    // Pins the certificate that certificateRejected reported and connects again.
    void trustRejectedCertificate();
    bool isEncrypted() const { return m_url.scheme() == QLatin1String("wss"); }

    State state() const { return m_state; }
    QUrl url() const { return m_url; }
    QString name() const { return m_name; }
    QStringList onlineUsers() const { return m_users; }
    ProtocolLimits limits() const { return m_limits; }
    AuthPolicy authPolicy() const { return m_policy; }
    bool isAccount() const { return m_account; }
    bool isAdmin() const { return m_admin; }
    // Whether an online user is a guest (no account), as the server marks them.
    bool isGuest(const QString &name) const;
    // Seconds the server asked to wait (auth_throttled, busy), from the last refusal.
    int retryAfterSeconds() const { return m_retryAfter; }
    qint64 lastSeq() const { return m_lastSeq; }
    // How long a seq must have been seen before a catch-up after a reconnect may start past
    // it (CatchUpPoint): several nodes can deliver N+1 before N.
    // Only servers that say they are one of several nodes need it (10 s unless set here).
    void setCatchUpSettleMs(qint64 ms) { m_clusterSettleMs = ms; }
    // Milliseconds until the next reconnect attempt, or -1 when none is scheduled.
    int reconnectRemainingMs() const;
    const Outbox &outbox() const { return m_outbox; }
    // Keeps the outbox in a SQLite file in this folder, one per server and name
    // (OutboxStore::fileName), opened by open(): messages not acknowledged when the program
    // ends are loaded and sent again, under their ids, when it opens the same server and name
    // next time. Empty (the default) = memory only.
    void setOutboxFolder(const QString &folder) { m_outboxFolder = folder; }
    QString outboxFolder() const { return m_outboxFolder; }
    // The file in use; empty when the outbox is in memory only.
    QString outboxPath() const;
    // Why the outbox is in memory only although a folder is set ("" when it is not).
    QString outboxError() const;
    // Opens the local file of this server and name (outbox and history cache) without
    // connecting, so the window can show what is saved before the network answers; open()
    // does it too. privateAllowed: an account's sign-in, whose private conversations may be
    // cached (a guest's never are).
    void openLocalStore(const QUrl &url, const QString &name, bool privateAllowed);
    // The recent history kept in that file; every message the session receives or has
    // acknowledged goes in. Empty and inert while no file is open.
    HistoryCache *history() { return &m_history; }
    const HistoryCache *history() const { return &m_history; }

    // Queues a chat message (private when `to` is set) and returns its client id. It is sent
    // now when online, else as soon as the session is back.
    // `replyTo`: the seq of the message it answers (docs/protocol.md section 5.6).
    QString sendMessage(const QString &content, const QString &to = {}, qint64 replyTo = 0);
    // Sends a rejected message again under a new id; returns the new id.
    QString retry(const QString &content, const QString &to);
    // Asks for a page of history; the answer comes as historyReceived with the returned ref.
    QString requestHistory(const QString &with, qint64 before, int limit = 50);
    // The first login without a saved history: reads the newest page of every conversation
    // (historyReceived with "*"), and the next catch-up starts after it. Does nothing when
    // the session already knows where it stands (lastSeq() > 0) or is not online.
    void loadNewest();
    // Asks the server for the messages with every word of `text` (docs/protocol.md section
    // 7.1), newest first below `before` (0: from the newest); the answer comes as
    // searchResultsReceived with the returned ref, or errorReceived with it. "" when offline:
    // nothing was sent.
    QString search(const QString &text, qint64 before = 0,
                   int limit = ProtocolLimits::kDefaultSearchHits);
    void setTyping(bool typing, const QString &to = {});
    // Changes of the user's own stored message `seq` (docs/protocol.md section 5.5); the
    // answer is messageUpdated, or errorReceived with the returned ref. "" when offline:
    // nothing was sent (changes are not kept in the outbox).
    QString editMessage(qint64 seq, const QString &content);
    QString deleteMessage(qint64 seq);
    // An emoji reaction given to (add) or taken back from the stored message `seq`
    // (docs/protocol.md section 5.7); the answer is reactionReceived, or errorReceived with
    // the returned ref. "" when offline: nothing was sent.
    QString react(qint64 seq, const QString &emoji, bool add);
    // Read receipts (docs/protocol.md section 19). The private messages from `with` up to
    // `seq` were shown to the user (its conversation open in an active window). Coalesced
    // with the others of the next 300 ms, sent when online, and only when the marker grew;
    // "delivered" goes by itself for every private message from someone else received.
    void markRead(const QString &with, qint64 seq);
    // The user's privacy choice (on by default): off, markRead says only "delivered", and a
    // "read" not yet sent is dropped. Nobody learns that the user has read their messages.
    void setSendReadReceipts(bool on);
    bool sendsReadReceipts() const { return m_sendReadReceipts; }
    // Account requests (docs/protocol.md, section 4.3); each returns its request id, which
    // errors (errorReceived) refer to.
    QString changePassword(const QString &oldPassword, const QString &newPassword);
    QString requestDevices();
    // deviceId 0 = every other device.
    QString revokeDevice(qint64 deviceId);
    QString createInvite(int uses, int days);
    // Signs this device out (its token is revoked) and ends the session. The local file of
    // this server and name is closed and deleted: the cached history, and the messages the
    // server has not acknowledged (the window asks first).
    void signOut();
    // Call signalling (docs/protocol.md section 13) and media packets (section 12).
    void sendCallRequest(const QByteArray &json) { sendJson(json); }
    // Sends a binary media packet unless more than maxQueuedBytes already wait to be
    // written (an uplink slower than the media): then it is dropped and false returned, so
    // media never delays chat messages by more than that much. False when not online.
    // Thread-safe: the media pipelines call it from their own threads.
    bool sendMedia(const QByteArray &packet, qint64 maxQueuedBytes)
    {
        return m_socket->sendMedia(packet, maxQueuedBytes);
    }
    // Thread-safe: the rate the active call sends at, kbit/s, 0 when none (sizes the kernel's
    // send buffer: SessionSocket::setMediaSendRate).
    void setMediaSendRate(int kbps) { m_socket->setMediaSendRate(kbps); }
    // Thread-safe: TCP was recovering lost segments at the last look (SessionSocket).
    bool tcpRecovering() const { return m_socket->tcpRecovering(); }
    // Thread-safe: TCP's view of the uplink while a call sends (SessionSocket::tcpPath); a
    // standing queue is also signalled at once (uplinkQueued).
    TcpPathMonitor::View tcpPath() const { return m_socket->tcpPath(); }
    // Thread-safe: fills what the call's media leaves of kbps with probe packets
    // (SessionSocket::setProbeRate), when the server said it discards them; 0 stops.
    void setProbeRate(quint32 callId, int kbps)
    {
        m_socket->setProbeRate(callId, m_mediaProbes.load() ? kbps : 0);
    }
    bool serverDiscardsProbes() const { return m_mediaProbes.load(); }
    qint64 probeBytesSent() const { return m_socket->probeBytesSent(); }
    // Thread-safe: drops the outgoing video that waits (SessionSocket::dropQueuedVideo).
    void dropQueuedVideo() { m_socket->dropQueuedVideo(); }
    // Thread-safe: the uplink's media backlog and running count (SessionSocket).
    qint64 queuedMediaBytes() const { return m_socket->queuedMediaBytes(); }
    qint64 mediaBytesAccepted() const { return m_socket->mediaBytesAccepted(); }
    // Thread-safe: stale video dropped on the way out (SessionSocket::sendMedia).
    qint64 mediaBytesDropped() const { return m_socket->mediaBytesDropped(); }
    bool videoWaitsForKeyframe() const { return m_socket->videoWaitsForKeyframe(); }
    // Media packets received are handed to `handler` on the network thread, not the GUI
    // thread (CallSession passes them to its pipelines from there). Thread-safe; after
    // setMediaHandler({}) returns, the old handler is not running and never called again.
    void setMediaHandler(SessionSocket::MediaHandler handler)
    {
        m_socket->setMediaHandler(std::move(handler));
    }

    // Files (docs/protocol.md section 18; FileTransfers uses these). A request or a chunk is
    // sent only when online (false otherwise: nothing was sent). bytesToWrite: what waits to be
    // written (on the network thread, and in the socket), so that a file is never queued in
    // front of chat by more than a little; socketWritten says it went down.
    bool sendFileRequest(const QByteArray &json);
    bool sendFileChunk(const QByteArray &chunk);
    qint64 bytesToWrite() const { return m_socket->queuedBytes(); }

    // Tuning for tests and for the UI's "reconnect now".
    void setReconnectDelays(int initialMs, int maximumMs);
    void setKeepalive(int intervalMs, int timeoutMs);
    void reconnectNow();

    // The clocks of the wake-up check (not owned; nullptr = the system's), and how often it
    // compares them (5 s). A wall clock that got ahead of the monotonic one by 10 s or more
    // since the last check means the machine slept: the connection is started afresh.
    void setClock(SessionClock *clock);
    void setClockCheckInterval(int intervalMs) { m_clockTimer.setInterval(intervalMs); }
    // The network is back (QNetworkInformation reports Online; tests call it directly): when
    // the session waits out a back-off delay it connects at once. An attempt under way, or a
    // connection that is up, is left alone.
    void networkReturned();

signals:
    void stateChanged(ClientSession::State state);
    void loggedIn(const QString &name, const QStringList &users);
    // The server refused the login (name taken or invalid, wrong password, ...): the session
    // is offline and does not retry, since retrying cannot help.
    void loginFailed(ErrorCode code, const QString &text);
    // What the server allows (registration, guests), from its handshake.
    void authPolicyReceived(const AuthPolicy &policy);
    // A password sign-in or a registration made a device token: keep it (TokenStore).
    void tokenIssued(const QString &token);
    // The server ended the session for good (token_revoked, account_disabled, signed_out,
    // replaced): it does not reconnect.
    void sessionEnded(ErrorCode code, const QString &text);
    // The server's certificate is not valid for the system store and not pinned (or pinned
    // to another one: changed): nothing was sent; ask the user, then
    // trustRejectedCertificate() or close().
    void certificateRejected(const QString &hostPort, const QString &fingerprint, bool changed);
    // The address had no scheme and the server does not speak TLS: connected with ws://.
    void fellBackToPlain();
    void passwordChanged(int devicesSignedOut);
    void devicesReceived(const QList<DeviceInfo> &devices);
    void deviceRevoked(int count);
    void inviteCreated(const QString &code, int uses, qint64 expiresMs);
    // The connection could not be made or was lost; a reconnect follows after delayMs.
    void connectionLost(const QString &reason, int delayMs);
    void usersChanged(const QStringList &joined, const QStringList &left);
    void messageReceived(const ChatMessage &message);
    void messageAcknowledged(const QString &clientId, qint64 seq, qint64 timestampMs);
    // A stored message changed (edited, deleted): `message` as it is now, with its seq.
    void messageUpdated(const ChatMessage &message);
    // `by` gave (added) or took back `emoji` on the stored message `seq`, whose reactions are
    // now `reactions` (without "mine": see MessageListModel::setReactions).
    void reactionReceived(qint64 seq, const QString &by, const QString &emoji, bool added,
                          const QList<ChatMessage::Reaction> &reactions);
    // The outbox file cannot be opened or written: unsent messages are kept in memory only,
    // and are lost if the program ends before they are sent.
    void outboxStorageFailed(const QString &message);
    // The server refused this message for good (too long, bad recipient...).
    void messageRejected(const QString &clientId, ErrorCode code, const QString &text);
    void historyReceived(const QString &with, const QList<ChatMessage> &messages, bool more,
                         const QString &ref);
    // More was missed than the cache keeps: the saved history (and what the catch-up had read
    // so far) was removed, and the newest page follows as historyReceived with "*". What
    // the window shows of it must go too, or it would have a hole.
    void savedHistoryDropped();
    // A page of search hits, newest first; `nextBefore` is where the next page starts, when
    // `more`.
    void searchResultsReceived(const QString &text, const QList<ChatMessage> &hits, bool more,
                               qint64 nextBefore, const QString &ref);
    void typingChanged(const QString &from, const QString &to, bool typing);
    // How far `receipt.with` has received and read the user's private messages to it (a live
    // receipt, or one of the answer to the "receipts" request sent after each login).
    void receiptReceived(const ReceiptInfo &receipt);
    // ref: the id of the request that caused it, "" when none.
    void errorReceived(ErrorCode code, const QString &text, const QString &ref);
    // A call step from the server (call_invite, call_accept, ..., or the ack of an invite):
    // a message for which ServerMessage::isCallEvent() is true.
    void callEventReceived(const ServerMessage &event);
    // A media packet, header and payload as sent, on this object's thread, for listeners that
    // want them there (tests, benchmarks). Forwarded from the network thread only from the
    // first connection on, until a packet finds nobody listening. The call machinery takes
    // them on the network thread instead (setMediaHandler).
    void mediaReceived(const QByteArray &packet);
    // Files: a server message of a transfer (file_upload, file_progress, file_download), and
    // a chunk of a download (a binary message whose first byte is 0x10).
    void fileEventReceived(const QJsonObject &event);
    void fileChunkReceived(const QByteArray &chunk);
    void socketWritten();
    // TCP's round trip stands well over its smallest while a call sends: a queue at the
    // uplink's bottleneck (SessionSocket::pathQueued).
    void uplinkQueued();

protected:
    // Only connectNotify: Qt calls disconnectNotify with one of its signal-slot mutexes held
    // (a pool shared by address), so asking isSignalConnected() there deadlocks when the
    // listener's mutex is this object's (onMediaForwarded asks instead).
    void connectNotify(const QMetaMethod &signal) override;

private:
    void setState(State state);
    void connectSocket();
    void onConnected(quint64 attempt);
    void onDisconnected(quint64 attempt, const QString &closeReason, const QString &errorString,
                        int socketError);
    void onText(quint64 attempt, const QString &text);
    void onCertificateRejected(quint64 attempt, const QString &fingerprint, bool changed);
    // A packet the network thread forwarded: emitted as mediaReceived, or forwarding stopped
    // when nobody listens any more.
    void onMediaForwarded(const QByteArray &packet);
    // Aborts the current attempt on the network thread (disconnected follows).
    void abortSocket();
    void onMessage(const ServerMessage &m);
    void onHandshake(const ServerMessage &m);
    void onPresence(const ServerMessage &m);
    void onHistory(const ServerMessage &m);
    void onLoggedIn(const ServerMessage &m);
    void onError(const ServerMessage &m);
    void sendLogin();
    // The private messages from others among `messages` reached this client: a "delivered"
    // receipt for each conversation is due.
    void noteDelivered(const QList<ChatMessage> &messages);
    void queueReceipt(const QString &with, qint64 seq, bool read);
    void flushReceipts();
    QString nextRef(const char *prefix);
    void scheduleReconnect(const QString &reason);
    void sendJson(const QByteArray &json);
    void sendEntry(Outbox::Entry &entry);
    void flushOutbox();
    void catchUp();
    void advanceCaughtUp(qint64 seq);
    void setCatchUpPoint(qint64 seq);
    void saveSettledPoint();
    void rewindToSettledPoint();
    void resetCatchUp();
    void checkAlive();
    void startClockCheck();
    void checkClockJump();

    // The socket's thread and the socket (deleted on that thread when it ends).
    QThread m_networkThread;
    SessionSocket *m_socket;
    quint64 m_attempt = 0;     // the connection attempt the socket's signals must name
    bool m_socketOpen = false; // the current attempt has not reported its end yet
    QUrl m_url;
    QString m_name;
    QString m_session;
    Credentials m_credentials;
    AuthPolicy m_policy;
    std::atomic<bool> m_mediaProbes{false}; // the last handshake's "media_probes"
    bool m_account = false;
    bool m_admin = false;
    QSet<QString> m_guests; // NameRules::key of online guests
    int m_retryAfter = 0;
    CertificatePins *m_pins = nullptr;
    QString m_expectedFingerprint;
    bool m_insecure = false;
    bool m_plainFallback = false;
    bool m_socketConnected = false; // this attempt got as far as the WebSocket handshake
    QAbstractSocket::SocketError m_lastError = QAbstractSocket::UnknownSocketError;
    QString m_rejectedHostPort;
    QString m_rejectedFingerprint;
    State m_state = State::Offline;
    bool m_wanted = false;     // the user wants to be connected
    bool m_everOnline = false; // logged in at least once since open()
    bool m_ended = false;      // the server ended the session for good: do not come back
    ProtocolLimits m_limits;
    ServerMessageDecoder m_decoder; // follows m_limits: the server's own bounds
    QStringList m_users;
    qint64 m_lastSeq = 0;    // the highest seq read: the next catch-up page starts after it
    CatchUpPoint m_point;    // what a catch-up on a new connection starts after
    qint64 m_savedPoint = 0; // the point last written to the cache file
    qint64 m_clusterSettleMs = 10000;
    Outbox m_outbox;
    OutboxStore m_outboxStore;
    HistoryCache m_history{&m_outboxStore};
    QString m_outboxFolder;
    ReconnectBackoff m_backoff;
    QTimer m_reconnectTimer;
    QTimer m_keepaliveTimer;
    // Receipts (section 19) by the other party's name key: what the user has received and
    // read (name as spelled, delivered, read), and what was sent on this connection.
    QHash<QString, ReceiptInfo> m_receiptsDue;
    QHash<QString, ReceiptInfo> m_receiptsSent;
    bool m_sendReadReceipts = true;
    QTimer m_receiptTimer;
    QTimer m_clockTimer;
    SessionClock m_systemClock;
    SessionClock *m_clock = &m_systemClock;
    qint64 m_checkedWallMs = 0; // both clocks at the last wake-up check
    qint64 m_checkedMonotonicMs = 0;
    int m_keepaliveTimeoutMs = 45000;
    int m_requestCounter = 0;
    QString m_catchUpRef;
    // While catching up, live messages must not move m_lastSeq past the pages not read yet;
    // the highest live seq is kept aside and taken when the catch-up ends.
    bool m_catchingUp = false;
    qint64 m_liveSeqWhileCatchingUp = 0;
    // The catch-up reads the newest page rather than forwards from m_lastSeq (nothing read
    // yet, or too far behind).
    bool m_catchUpNewest = false;
    int m_catchUpRead = 0; // messages this catch-up has read
};
