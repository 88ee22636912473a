#pragma once

#include "protocol/authpolicy.h"
#include "protocol/chatmessage.h"
#include "protocol/errorcode.h"
#include "protocol/messageencoder.h"
#include "protocol/protocollimits.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

// A validated message from the server, produced by ServerMessageDecoder (docs/protocol.md,
// section 16). Only the fields of its type are set; the others keep their defaults.
struct ServerMessage
{
    enum class Type {
        Unknown, // a type this client does not know: a newer server's, ignored
        Handshake,
        Login,    // someone logged in; `self` for the own confirmation
        Logout,   // seed dialect only
        Presence, // Confab dialect: who came and went
        Chat,     // "user"
        Ack,      // of a chat message
        CallAck,  // the "ack" of a call invite: it carries "call"
        History,
        Typing,
        Pong,
        Error,  // "error", or "system" with a code (the seed form)
        System, // "system" without a code: a plain notice
        PasswordChanged,
        Devices,
        DeviceRevoked,
        InviteCreated, // "invite"
        Search,        // the hits of a message search, in `messages`, newest first
        Update,        // a stored message changed (edited, deleted): `message` as it is now
        // A reaction given or taken back (section 5.7): `message` holds only the seq and the
        // reactions as they are now; `from` gave or took back `emoji` (`added`).
        Reaction,
        // Read receipts (section 19): a reader's markers on this user's private messages
        // (`receipts` holds one), or the answer to "receipts" (every reader's).
        Receipt,
        Receipts,
        // The steps of a call; kept last, for isCallEvent().
        CallInvite,
        CallRinging,
        CallAccept,
        CallReject,
        CallBusy,
        CallCancel,
        CallHangup,
        CallKeyframe,
        CallTimeout,
        CallMedia,  // the other member muted or unmuted, turned its camera off or on
        CallReport, // the other member's receiver report (section 13.2): `report`
    };

    Type type = Type::Unknown;
    QString typeName; // "type" as received, so an Unknown one can still be logged
    QString ref;      // "id": the request answered, or the acknowledged message's client id

    // Handshake
    int version = 0;
    QString server; // for display only
    ProtocolLimits limits;
    AuthPolicy auth;
    bool severalNodes = false; // "nodes":"several": relays may come out of seq order
    bool mediaProbes = false;  // "media_probes":true: probe packets are discarded, not relayed

    // Login and Logout ("content" is the name), Presence
    QString name;
    bool self = false;
    int online = 0;
    qint64 timestampMs = 0; // also Ack
    QStringList users;      // "user_list"
    QStringList guests;
    QStringList joined;
    QStringList left;
    QString session;
    bool account = false;
    bool admin = false;
    QString token;
    qint64 tokenId = 0;

    // Chat
    ChatMessage message;
    // History
    QString with;
    QList<ChatMessage> messages;
    bool more = false;
    // Search (`messages` and `more` as for History)
    QString searchText;
    qint64 nextBefore = 0; // where the next page starts, when `more`
    // Ack
    qint64 seq = 0;
    bool duplicate = false;
    // Receipt, Receipts
    QList<ReceiptInfo> receipts;
    // Reaction
    QString emoji;
    bool added = false;
    // Typing; `from` and `to` also for calls (and Reaction's `by`)
    QString from;
    QString to;
    bool typing = false;

    // Error and System ("content" is the text)
    ErrorCode code = ErrorCode::None; // None also for a code this client does not know
    QString codeName;
    QString text;
    bool fatal = false;
    int retryAfterSeconds = 0;

    // PasswordChanged ("revoked"), DeviceRevoked ("count")
    int count = 0;
    // Devices
    QList<DeviceInfo> devices;
    // InviteCreated
    QString inviteCode;
    int inviteUses = 0;
    qint64 inviteExpiresMs = 0;

    // Call steps and CallAck
    quint32 callId = 0; // 0 in a call_busy that answers an invite before any call was made
    QStringList media;  // CallMedia: what the other member sends now (absent: nothing)
    QStringList codecs;
    ::CallReport report; // CallReport
    QString reason;

    bool isCallEvent() const { return type == Type::CallAck || type >= Type::CallInvite; }
};

Q_DECLARE_METATYPE(ServerMessage)
