#pragma once

#include <QString>

// Every error the server can report. The wire name (errorCodeName) is the contract;
// docs/protocol.md lists them with their meaning and whether the connection closes.
enum class ErrorCode {
    None,
    BadJson,         // not a JSON object
    BadShape,        // JSON object with missing or wrongly typed fields
    UnknownType,     // "type" not known to this server
    Unsupported,     // reserved type this server does not implement yet
    BadUtf8,         // invalid UTF-8 or unpaired surrogates
    TooLarge,        // frame or message over the advertised limit
    NotLoggedIn,     // anything but login before a successful login
    AlreadyLoggedIn, // a second login on the same connection
    NameEmpty,
    NameTooLong,
    NameInvalid, // characters outside the name rules
    NameTaken,
    EmptyMessage,
    MessageTooLong,
    BadText,      // control characters in a message
    BadId,        // client message id missing rules (length, characters)
    BadRecipient, // private message to oneself or to an invalid name
    BadHistoryRequest,
    RateLimited,
    Flood, // rate limit ignored again and again: connection closed
    TooManyConnections,
    ServerFull,
    SlowConsumer,
    IdleTimeout,
    LoginTimeout, // connected but never logged in
    Replaced,     // the same user resumed the session on a new connection
    NoCall,       // binary media outside a call
    BadCall,      // unknown call id, not a member, or the wrong moment for this step
    UserOffline,  // the user to call is not online
    BadMedia,     // a binary packet without a valid media header
    ServerShutdown,
    StoreFailed, // the message could not be stored; resend it later
    // Accounts and sign-in (docs/protocol.md section 4.3)
    AuthFailed,         // wrong name or password: one code for both, so names cannot be probed
    AuthThrottled,      // too many failed sign-ins from this address or for this name
    Busy,               // the server's password hashing queue is full; retry shortly
    NameRegistered,     // the name belongs to an account: sign in, or pick another as a guest
    NameConfusable,     // looks like an online or registered name (UTS #39 skeleton)
    RegistrationClosed, // this server does not let new accounts be made
    InviteRequired,     // registration needs an invite code
    InviteInvalid,      // the invite code is unknown, used up or expired
    GuestsNotAllowed,   // this server wants every user signed in
    WeakPassword,       // the new password does not meet the rules
    TokenInvalid,       // the device token is unknown, revoked or expired: sign in again
    TokenRevoked,       // the token of this live session was revoked
    AccountDisabled,    // an administrator disabled the account
    NotSignedIn,        // an account action from a guest
    Forbidden,          // an admin action from a user who is not an admin
    BadRequest,         // an account request with missing or invalid fields
    HistoryBusy,        // too many history requests waiting on this connection
    SignedOut,          // this device signed out: the connection closes
    TooManyDevices,     // the account is online on as many devices as the server allows
    TooManyCalls,       // guests at one address are in as many calls as the server allows
    BadSearchRequest,   // a search without text, with too much of it, or with bad paging
    SearchBusy,         // a search of this connection is still being answered
    // Changes of stored messages (docs/protocol.md section 5.5)
    UnknownMessage, // no message with that seq, or not one this user may see
    NotYours,       // an edit or delete of someone else's message (or of a call entry)
    MessageDeleted, // the message was deleted: it cannot be changed any more
    // Reactions (docs/protocol.md section 5.7)
    BadEmoji,         // a reaction that is not exactly one emoji
    TooManyReactions, // the message, or this user on it, has as many reactions as allowed
    // Read receipts (docs/protocol.md section 19)
    BadReceipt, // a receipt for a seq beyond the newest message stored
    // Files (docs/protocol.md section 18)
    BadFile,          // an offer's name, type, size or hash breaks the rules
    FileTooLarge,     // over --max-file-bytes
    QuotaExceeded,    // the sender's files would pass --file-quota-bytes
    FileBusy,         // too many uploads or downloads at once
    BadChunk,         // a chunk for no upload of this connection, or at the wrong place
    FileHashMismatch, // the uploaded bytes do not have the offered SHA-256
    FileTypeMismatch, // the uploaded bytes are not what the offered type says
};

QString errorCodeName(ErrorCode code);
ErrorCode errorCodeFromName(const QString &name);
// An English sentence for the user: what happened and what to do.
QString errorCodeText(ErrorCode code);
// Whether the server closes the connection after reporting this error.
bool errorCodeCloses(ErrorCode code);
