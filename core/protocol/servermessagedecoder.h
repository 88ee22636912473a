#pragma once

#include "protocol/protocollimits.h"
#include "protocol/servermessage.h"

#include <QByteArrayView>
#include <QString>

struct DecodedServerMessage
{
    enum class Error {
        None,
        TooLarge,     // over maxMessageBytes(), not parsed at all
        NotJson,      // not parseable JSON (also invalid UTF-8)
        NotObject,    // JSON, but not an object
        MissingField, // a required field is absent
        WrongType,    // a field of the wrong JSON type
        OutOfRange,   // a number that is not a whole number in the field's range
        TooLong,      // a string over its bound
        TooMany,      // a list over its bound
        BadValue,     // a string of the right length that the field cannot hold (a name, a token)
    };

    ServerMessage message;
    Error error = Error::None;
    QString field; // where the error is, e.g. "messages[3].seq"; "" for the whole message

    bool ok() const { return error == Error::None; }
    // For the log: "wrong type: messages[3].seq".
    QString errorText() const;
};

// Turns one text message from the server into a ServerMessage. Never trusts its input: a
// message that is not what docs/protocol.md describes comes back as an error naming the field,
// so a broken or hostile server cannot make the client read a wrong value, convert a number
// it cannot hold, or hold more than the bounds below. A type it does not know is no error
// (Type::Unknown): newer servers may send more.
class ServerMessageDecoder
{
public:
    // Names in one list (user_list, guests, joined, left): five times the server's default
    // connection limit (20000), which bounds the names online.
    static constexpr int kMaxUsers = 100000;
    // Entries in a device list. The server does not cap an account's device tokens; each
    // password sign-in makes one and unused ones expire after 90 days.
    static constexpr int kMaxDevices = 10000;
    // Names in "mentions" (the server lists at most 20).
    static constexpr int kMaxMentions = 20;
    // UTF-16 units of a chat text: far more than any server's text_chars, since history holds
    // texts from whenever the server allowed more.
    static constexpr int kMaxTextUnits = 1 << 20;
    // UTF-16 units of an error's or a notice's text, and of the server's name.
    static constexpr int kMaxNoticeUnits = 4096;
    static constexpr int kMaxServerNameUnits = 256;
    // seq, ts and other ids and times: the protocol promises 53 bits.
    static constexpr qint64 kMaxSafeInteger = (qint64(1) << 53) - 1;
    // Whatever a server announces in its limits, one message is never larger than this.
    static constexpr qint64 kMaxMessageBytesCeiling = qint64(64) << 20;

    explicit ServerMessageDecoder(const ProtocolLimits &limits = {});

    // The largest message accepted: the largest the server may send under its limits,
    // which is a history page of history_page messages and about history_bytes of text, or
    // a login confirmation's or presence batch's lists of kMaxUsers names.
    qint64 maxMessageBytes() const { return m_maxMessageBytes; }

    DecodedServerMessage decode(QByteArrayView utf8) const;

private:
    ProtocolLimits m_limits; // clamped: a server cannot announce its way past the ceilings
    qint64 m_maxMessageBytes = 0;
};
