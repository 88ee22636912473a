#pragma once

#include <QString>
#include <QStringList>

// A validated message from a client, produced by RequestDecoder.
struct ClientRequest
{
    enum class Type { Login, Chat, Logout, History, Typing, Ping, Call, Reserved };
    // The steps of a call (docs/protocol.md, "Calls").
    enum class CallAction { Invite, Ringing, Accept, Reject, Busy, Cancel, Hangup, Keyframe };

    Type type = Type::Ping;
    QString ref;     // the client's "id", echoed in acks and errors
    int version = 0; // protocol version the client speaks; 0 = seed dialect

    // Login
    QString name;
    QString session; // token from an earlier login, to resume after a dropped connection
    // Chat
    QString content;
    QString to; // explicit private recipient, or from "@name ..." at the start
    // History: "" = public room, a name = private conversation, "*" = all visible
    QString with;
    qint64 before = 0; // only messages with seq < before (0 = newest)
    qint64 after = 0;  // only messages with seq > after (used to catch up after reconnect)
    int limit = 0;
    // Typing
    bool typing = true;
    // Calls: `to` for an invite, `callId` for every other step
    CallAction callAction = CallAction::Invite;
    quint32 callId = 0;
    QStringList media;  // "audio", "video"
    QStringList codecs; // invite/accept: what the sender can decode ("opus", "vp8", "jpeg"...)
    QString reason;
    // Reserved: a call_* type this server does not know
    QString reservedType;
};
