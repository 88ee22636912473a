#pragma once

#include "protocol/authpolicy.h"
#include "protocol/callreport.h"
#include "protocol/chatmessage.h"
#include "protocol/errorcode.h"
#include "protocol/protocollimits.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

// Which flavour of the protocol a receiver speaks. Seed clients (the original client.html)
// only understand handshake/login/logout/user/system and put text into innerHTML.
enum class Dialect { Seed, Confab };

// What a user's own login confirmation says about the session (Confab dialect only).
struct LoginInfo
{
    bool account = false;  // signed in to an account (false: a guest)
    bool admin = false;    // the account may create invites
    QString token;         // a new device token, when this sign-in made one
    qint64 tokenId = 0;    // its id, for the device list
    QByteArray guestsJson; // the online guests' names as a JSON array ("" = none sent)
};

// One device token of an account, as the device list shows it.
struct DeviceInfo
{
    qint64 id = 0;
    QString label;
    qint64 createdMs = 0;
    qint64 lastUsedMs = 0;
    bool current = false; // the token of the connection that asked
};

// How far the other party of a private conversation has received and read one's messages
// (docs/protocol.md section 19): every private message from the receipt's owner to `with`
// up to `delivered` reached one of `with`'s devices, up to `read` was shown to `with`.
struct ReceiptInfo
{
    QString with; // the reader (in a relay to the sender) or, in a request, the sender
    qint64 delivered = 0;
    qint64 read = 0; // never above delivered
    bool operator==(const ReceiptInfo &) const = default;
};

// Builds the compact JSON of every server-to-client message (docs/protocol.md).
class MessageEncoder
{
public:
    // `severalNodes`: this server is one of several joined by a bus, whose relays can reach a
    // session out of seq order (a client then catches up from further back).
    static QByteArray handshake(const ProtocolLimits &limits, const QString &serverName,
                                const AuthPolicy &auth = {}, bool severalNodes = false);
    // A user came online. Seed receivers get one for every login, with the full user_list;
    // Confab receivers get only their own (`self`, with the list) and then presence batches.
    static QByteArray login(const QString &name, const QStringList &userList, int online, bool self,
                            Dialect dialect, qint64 timestampMs, const QString &session = {});
    static QByteArray logout(const QString &name, const QStringList &userList, int online,
                             Dialect dialect, qint64 timestampMs); // seed receivers
    // The same two with the list already serialised as a JSON array (jsonArray, or built up
    // from jsonString pieces): the bytes are identical. The server keeps the online list in
    // this form so a login does not serialise every name again.
    static QByteArray login(const QString &name, const QByteArray &userListJson, int online,
                            bool self, Dialect dialect, qint64 timestampMs,
                            const QString &session = {});
    static QByteArray logout(const QString &name, const QByteArray &userListJson, int online,
                             Dialect dialect, qint64 timestampMs);
    // A login that carries a list (own confirmation, or to a seed receiver), cut where the
    // list goes: loginHead(...) + userListJson + "}" is the whole message. So a sender can
    // write the list from where it keeps it, without copying it into a message first.
    static QByteArray loginHead(const QString &name, int online, bool self, qint64 timestampMs,
                                const QString &session = {}, const LoginInfo *info = nullptr);
    // One JSON string, quotes included, escaped exactly as QJsonDocument writes it.
    static QByteArray jsonString(const QString &text);
    static void appendJsonString(QByteArray &json, QStringView text);
    // ["a","b"] as QJsonDocument writes it in compact form.
    static QByteArray jsonArray(const QStringList &strings);
    // Confab clients: who came and went since the last batch. Set semantics: a name in
    // "joined" that is already listed, or in "left" that is not, changes nothing.
    // `guests`: the names in `joined` that are guests (omitted when empty).
    static QByteArray presence(const QStringList &joined, const QStringList &left, int online,
                               qint64 timestampMs, const QStringList &guests = {});
    static QByteArray chat(const ChatMessage &message, Dialect dialect);
    // A stored message changed (edited, deleted; docs/protocol.md section 5.5):
    // {"message":{...the relay object as it is now...},"type":"update"}.
    static QByteArray update(const ChatMessage &message);
    // The same change for a seed page, which knows only new messages: a "user" message from
    // the same sender, "(edited) " + the new text, or "(message deleted)".
    static QByteArray seedUpdate(const ChatMessage &message);
    // A reaction given or taken back (docs/protocol.md section 5.7): who, which emoji, and
    // the message's reactions as they are now (Confab receivers only).
    static QByteArray reaction(const ChatMessage &message, const QString &by, const QString &emoji,
                               bool added);
    // A reader's markers on the sender's private messages to it (section 19), as they are now.
    static QByteArray receipt(const ReceiptInfo &receipt);
    // The answer to "receipts": every reader's markers on the asker's messages.
    static QByteArray receipts(const QList<ReceiptInfo> &receipts, const QString &ref);
    static QByteArray ack(const QString &ref, qint64 seq, qint64 timestampMs, bool duplicate);
    // retryAfterMs > 0 adds "retry_after" in whole seconds (rounded up).
    static QByteArray error(ErrorCode code, const QString &ref, Dialect dialect,
                            const QString &detail = {}, qint64 retryAfterMs = 0);
    static QByteArray system(const QString &text);
    static QByteArray history(const QString &with, const QList<ChatMessage> &messages, bool more,
                              const QString &ref);
    // The answer to a search: `hits` newest first; `nextBefore` (sent when `more`) is where
    // the next page starts.
    static QByteArray search(const QString &text, const QList<ChatMessage> &hits, bool more,
                             qint64 nextBefore, const QString &ref);
    static QByteArray typing(const QString &from, const QString &to, bool state);
    static QByteArray pong(const QString &ref);
    // A call step relayed by the server ("call_invite", "call_accept"...): `from` is set by
    // the server; `to`, media, reason and codecs only where they apply.
    static QByteArray callEvent(const QString &type, quint32 call, const QString &from,
                                const QString &to = {}, const QStringList &media = {},
                                const QString &reason = {}, const QStringList &codecs = {});
    // A receiver's call_report: as a request (from empty) or relayed with `from` (13.2).
    static QByteArray callReport(quint32 call, const QString &from, const CallReport &report);
    static QByteArray callAck(const QString &ref, quint32 call, const QString &to);
    // Account answers (docs/protocol.md, section 4.3).
    static QByteArray devices(const QList<DeviceInfo> &devices, const QString &ref);
    static QByteArray deviceRevoked(int count, const QString &ref);
    static QByteArray passwordChanged(int revoked, const QString &ref);
    static QByteArray invite(const QString &code, int uses, qint64 expiresMs, const QString &ref);

    // Client-to-server messages, for Confab clients and tests.
    static QByteArray loginRequest(const QString &name, const QString &session = {});
    // Sign in with a password (or a device token); `device` labels the token it creates.
    static QByteArray signInRequest(const QString &name, const QString &password,
                                    const QString &token, const QString &device,
                                    const QString &session = {});
    static QByteArray registerRequest(const QString &name, const QString &password,
                                      const QString &invite, const QString &device);
    // `roomSaid`: with no `to`, send "to":"" so that a leading "@name " stays a public
    // mention instead of making the message private (docs/protocol.md section 5.3).
    // `replyTo`: the seq of the message this one answers (section 5.6); 0 = none.
    static QByteArray chatRequest(const QString &content, const QString &id, const QString &to = {},
                                  bool roomSaid = false, qint64 replyTo = 0);
    // Changes of one's own stored message `seq` (docs/protocol.md section 5.5).
    static QByteArray editRequest(qint64 seq, const QString &content, const QString &id = {});
    static QByteArray deleteRequest(qint64 seq, const QString &id = {});
    // "react" (add) or "unreact".
    static QByteArray reactRequest(qint64 seq, const QString &emoji, bool add,
                                   const QString &id = {});
    static QByteArray historyRequest(const QString &with, qint64 before, qint64 after, int limit,
                                     const QString &id = {});
    // "delivered" or (`read`) "read": `with`'s private messages to this user up to `seq`.
    static QByteArray receiptRequest(const QString &with, qint64 seq, bool read,
                                     const QString &id = {});
    static QByteArray receiptsRequest(const QString &id = {});
    // `before` 0: from the newest message; `limit` 0: the server's default.
    static QByteArray searchRequest(const QString &text, qint64 before, int limit,
                                    const QString &id = {});
    static QByteArray typingRequest(bool state, const QString &to = {});
    static QByteArray callRequest(const QString &type, quint32 call, const QString &to = {},
                                  const QStringList &media = {}, const QString &id = {},
                                  const QStringList &codecs = {}, const QString &reason = {});
};
