#include "protocol/errorcode.h"

#include <array>

namespace {

struct ErrorInfo
{
    ErrorCode code;
    const char *name;
    const char *text;
    bool closes;
};

constexpr std::array kErrors{
    ErrorInfo{ErrorCode::None, "none", "No error.", false},
    ErrorInfo{ErrorCode::BadJson, "bad_json", "The message is not a JSON object.", false},
    ErrorInfo{ErrorCode::BadShape, "bad_shape",
              "The message has missing fields or fields of the wrong type.", false},
    ErrorInfo{ErrorCode::UnknownType, "unknown_type", "The message type is not known.", false},
    ErrorInfo{ErrorCode::Unsupported, "unsupported",
              "This server does not support that message type yet.", false},
    ErrorInfo{ErrorCode::BadUtf8, "bad_utf8", "The message is not valid UTF-8 text.", false},
    ErrorInfo{ErrorCode::TooLarge, "too_large", "The message is larger than the server allows.",
              false},
    ErrorInfo{ErrorCode::NotLoggedIn, "not_logged_in", "Log in with a name first.", false},
    ErrorInfo{ErrorCode::AlreadyLoggedIn, "already_logged_in",
              "This connection is already logged in.", false},
    ErrorInfo{ErrorCode::NameEmpty, "name_empty", "Enter a name to log in.", false},
    ErrorInfo{ErrorCode::NameTooLong, "name_too_long",
              "That name is too long; choose a shorter one.", false},
    ErrorInfo{ErrorCode::NameInvalid, "name_invalid",
              "Names may use letters and digits, and '_', '-' and '.'; they start with a letter or "
              "digit, do not mix look-alike scripts and have no invisible characters.",
              false},
    ErrorInfo{ErrorCode::NameTaken, "name_taken",
              "Someone online already uses that name; choose another.", false},
    ErrorInfo{ErrorCode::EmptyMessage, "empty_message", "The message is empty.", false},
    ErrorInfo{ErrorCode::MessageTooLong, "message_too_long",
              "The message is too long; split it into several.", false},
    ErrorInfo{ErrorCode::BadText, "bad_text", "The message contains control characters.", false},
    ErrorInfo{ErrorCode::BadId, "bad_id",
              "The message id must be 1 to 64 ASCII characters without spaces.", false},
    ErrorInfo{ErrorCode::BadRecipient, "bad_recipient",
              "A private message needs another user's valid name.", false},
    ErrorInfo{ErrorCode::BadHistoryRequest, "bad_history_request",
              "The history request is not valid.", false},
    ErrorInfo{ErrorCode::RateLimited, "rate_limited",
              "You are sending too fast; the message was not sent. Wait a moment and resend.",
              false},
    ErrorInfo{ErrorCode::Flood, "flood", "Too many messages over the rate limit; disconnected.",
              true},
    ErrorInfo{ErrorCode::TooManyConnections, "too_many_connections",
              "Too many connections from your address; close some and retry.", true},
    ErrorInfo{ErrorCode::ServerFull, "server_full",
              "The server has no room for more connections; retry later.", true},
    ErrorInfo{ErrorCode::SlowConsumer, "slow_consumer",
              "The connection could not keep up with incoming messages; reconnect.", true},
    ErrorInfo{ErrorCode::IdleTimeout, "idle_timeout", "The connection was silent for too long.",
              true},
    ErrorInfo{ErrorCode::LoginTimeout, "login_timeout",
              "The connection did not log in in time; reconnect and log in.", true},
    ErrorInfo{ErrorCode::Replaced, "replaced",
              "You logged in again from another connection; this one is closed.", true},
    ErrorInfo{ErrorCode::NoCall, "no_call", "Media can only be sent during a call.", false},
    ErrorInfo{ErrorCode::BadCall, "bad_call",
              "That call does not exist, you are not in it, or it is not at that step.", false},
    ErrorInfo{ErrorCode::UserOffline, "user_offline", "That user is not online.", false},
    ErrorInfo{ErrorCode::BadMedia, "bad_media", "The media packet has no valid header.", false},
    ErrorInfo{ErrorCode::ServerShutdown, "server_shutdown",
              "The server is shutting down; reconnect later.", true},
    ErrorInfo{ErrorCode::StoreFailed, "store_failed",
              "The server could not store the message; it was not sent. Resend it later.", false},
    ErrorInfo{ErrorCode::AuthFailed, "auth_failed", "The name or the password is wrong.", false},
    ErrorInfo{ErrorCode::AuthThrottled, "auth_throttled",
              "Too many failed sign-ins; wait before trying again.", false},
    ErrorInfo{ErrorCode::Busy, "busy", "The server is busy signing others in; try again shortly.",
              false},
    ErrorInfo{ErrorCode::NameRegistered, "name_registered",
              "That name belongs to a registered account: sign in with its password, or choose "
              "another name.",
              false},
    ErrorInfo{ErrorCode::NameConfusable, "name_confusable",
              "That name looks like the name of someone else on this server; choose another.",
              false},
    ErrorInfo{ErrorCode::RegistrationClosed, "registration_closed",
              "This server does not accept new accounts; ask its administrator.", false},
    ErrorInfo{ErrorCode::InviteRequired, "invite_required",
              "This server needs an invite code to create an account.", false},
    ErrorInfo{ErrorCode::InviteInvalid, "invite_invalid",
              "The invite code is not valid: it is unknown, used up or expired.", false},
    ErrorInfo{ErrorCode::GuestsNotAllowed, "guests_not_allowed",
              "This server does not allow guests: sign in or create an account.", false},
    ErrorInfo{ErrorCode::WeakPassword, "weak_password",
              "The password must have at least 8 characters.", false},
    ErrorInfo{ErrorCode::TokenInvalid, "token_invalid",
              "This device's sign-in has expired or was revoked; sign in with your password.",
              false},
    ErrorInfo{ErrorCode::TokenRevoked, "token_revoked",
              "This device was signed out of your account; sign in again.", true},
    ErrorInfo{ErrorCode::AccountDisabled, "account_disabled",
              "This account is disabled; ask the server's administrator.", true},
    ErrorInfo{ErrorCode::NotSignedIn, "not_signed_in", "Sign in to an account for this.", false},
    ErrorInfo{ErrorCode::Forbidden, "forbidden", "Only administrators may do that.", false},
    ErrorInfo{ErrorCode::BadRequest, "bad_request", "The request is missing fields or is invalid.",
              false},
    ErrorInfo{ErrorCode::HistoryBusy, "history_busy",
              "Too many history requests at once; wait for the answers.", false},
    ErrorInfo{ErrorCode::SignedOut, "signed_out", "This device signed out.", true},
    ErrorInfo{ErrorCode::TooManyDevices, "too_many_devices",
              "Your account is signed in on as many devices as this server allows; sign out on "
              "one of them first.",
              false},
    ErrorInfo{ErrorCode::TooManyCalls, "too_many_calls",
              "Too many calls from your network at once; try again when one has ended.", false},
    ErrorInfo{ErrorCode::BadSearchRequest, "bad_search_request",
              "The search is not valid: enter 1 to 100 characters in at most 8 words.", false},
    ErrorInfo{ErrorCode::SearchBusy, "search_busy",
              "A search is still running; wait for its answer, then search again.", false},
    ErrorInfo{ErrorCode::UnknownMessage, "unknown_message",
              "That message does not exist or is not one you can see.", false},
    ErrorInfo{ErrorCode::NotYours, "not_yours", "Only its sender may edit or delete a message.",
              false},
    ErrorInfo{ErrorCode::MessageDeleted, "message_deleted",
              "That message was deleted; it cannot be changed.", false},
    ErrorInfo{ErrorCode::BadEmoji, "bad_emoji", "A reaction must be a single emoji.", false},
    ErrorInfo{ErrorCode::TooManyReactions, "too_many_reactions",
              "That message has as many reactions as allowed; remove one first.", false},
    ErrorInfo{ErrorCode::BadReceipt, "bad_receipt",
              "That receipt is for a message that does not exist yet.", false},
    ErrorInfo{ErrorCode::BadFile, "bad_file",
              "The file's name, type, size or checksum is not valid.", false},
    ErrorInfo{ErrorCode::FileTooLarge, "file_too_large",
              "The file is larger than this server accepts.", false},
    ErrorInfo{ErrorCode::QuotaExceeded, "quota_exceeded",
              "Your files on this server would pass your quota; the file was not sent.", false},
    ErrorInfo{ErrorCode::FileBusy, "file_busy",
              "Too many files are on their way at once; wait for one to finish.", false},
    ErrorInfo{ErrorCode::BadChunk, "bad_chunk",
              "That part of a file does not belong to an upload in progress, or comes at the "
              "wrong place; offer the file again to resume.",
              false},
    ErrorInfo{ErrorCode::FileHashMismatch, "file_hash_mismatch",
              "The file arrived damaged (its checksum differs); it was not sent.", false},
    ErrorInfo{ErrorCode::FileTypeMismatch, "file_type_mismatch",
              "The file is not what its type says; it was not sent.", false},
};

const ErrorInfo &info(ErrorCode code)
{
    for (const auto &e : kErrors) {
        if (e.code == code)
            return e;
    }
    return kErrors.front();
}

} // namespace

QString errorCodeName(ErrorCode code)
{
    return QString::fromLatin1(info(code).name);
}

ErrorCode errorCodeFromName(const QString &name)
{
    for (const auto &e : kErrors) {
        if (name == QLatin1String(e.name))
            return e.code;
    }
    return ErrorCode::None;
}

QString errorCodeText(ErrorCode code)
{
    return QString::fromLatin1(info(code).text);
}

bool errorCodeCloses(ErrorCode code)
{
    return info(code).closes;
}
