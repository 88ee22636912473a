#pragma once

#include "protocol/callreport.h"
#include "protocol/fileref.h"

#include <QString>
#include <QStringList>

#include <optional>

// A validated message from a client, produced by RequestDecoder.
struct ClientRequest
{
    enum class Type {
        Login,
        Chat,
        Logout,
        History,
        Typing,
        Ping,
        Call,
        Reserved,
        // Accounts (docs/protocol.md, section 4.3)
        Register,
        ChangePassword,
        Devices,
        RevokeDevice,
        SignOut,
        CreateInvite,
        Search,   // message search (docs/protocol.md section 7.1)
        Edit,     // a new text for one's own stored message (section 5.5)
        Delete,   // one's own stored message deleted
        React,    // an emoji reaction added to a stored message (section 5.7)
        Unreact,  // one's own reaction removed
        Receipt,  // "delivered" or "read" up to a seq in a private conversation (section 19)
        Receipts, // the markers others keep on one's own private messages (section 19)
        // Files (docs/protocol.md section 18)
        FileOffer,  // an upload to start or resume
        FileGet,    // a download of a message's file
        FileCancel, // an upload or download stopped
    };
    // The steps of a call (docs/protocol.md, "Calls").
    // Media: what the sender sends now (microphone muted, camera off), for the far end to show.
    enum class CallAction {
        Invite,
        Ringing,
        Accept,
        Reject,
        Busy,
        Cancel,
        Hangup,
        Keyframe,
        Media,
        Report // call_report: a receiver's figures for the sender's bandwidth estimate
    };

    Type type = Type::Ping;
    QString ref;     // the client's "id", echoed in acks and errors
    int version = 0; // protocol version the client speaks; 0 = seed dialect

    // Login and Register
    QString name;
    QString session;  // token from an earlier login, to resume after a dropped connection
    QString password; // sign in (login) or the new account's (register, change password)
    QString token;    // a device token from an earlier sign-in
    QString device;   // a label for the device token this sign-in creates
    QString invite;   // register: the invite code
    // ChangePassword
    QString oldPassword;
    // RevokeDevice: one device by id, or all others
    qint64 deviceId = 0;
    bool allDevices = false;
    // CreateInvite
    int inviteUses = 1;
    int inviteDays = 7;
    // Chat
    QString content;
    QString to;         // explicit private recipient, or from "@name ..." at the start
    qint64 replyTo = 0; // the seq of the message this one answers (0: none)
    // Edit and Delete: the stored message changed (`content` is an edit's new text)
    qint64 seq = 0;
    // React and Unreact (with `seq`): the emoji, one grapheme (EmojiText::isSingleEmoji)
    QString emoji;
    // Receipt (with `with` = the other party and `seq` = up to where): read, or delivered
    bool receiptRead = false;
    // History: "" = public room, a name = private conversation, "*" = all visible
    QString with;
    qint64 before = 0; // only messages with seq < before (0 = newest)
    qint64 after = 0;  // only messages with seq > after (used to catch up after reconnect)
    int limit = 0;
    // Search: the words to find (`before` and `limit` page the hits, newest first)
    QString query;
    // Typing
    bool typing = true;
    // Calls: `to` for an invite, `callId` for every other step
    CallAction callAction = CallAction::Invite;
    quint32 callId = 0;
    QStringList media;  // "audio", "video"; call_media: what the sender sends now
    QStringList codecs; // invite/accept: what the sender can decode ("opus", "vp8", "jpeg"...)
    QString reason;
    CallReport report; // call_report's fields, checked (CallReport::read)
    // Files: an offer's file (and, routed as a chat message, the file it carries); a get's
    // `seq` and where to start; a cancel's upload or download id.
    std::optional<FileRef> file;
    qint64 fileOffset = 0;
    quint32 transfer = 0;
    bool cancelUpload = false;
    // Reserved: a call_* type this server does not know
    QString reservedType;
};
