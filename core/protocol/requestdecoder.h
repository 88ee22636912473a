#pragma once

#include "protocol/clientrequest.h"
#include "protocol/errorcode.h"
#include "protocol/protocollimits.h"

#include <QByteArrayView>

struct DecodedRequest
{
    ClientRequest request;
    ErrorCode error = ErrorCode::None;
    QString ref;     // the request's "id" when it had a readable one, for the error reply
    int version = 0; // "version" when present, so errors can be sent in the right dialect

    bool ok() const { return error == ErrorCode::None; }
};

// Turns one client text message into a ClientRequest. Never trusts its input: anything that
// is not exactly what docs/protocol.md describes comes back as an error code.
class RequestDecoder
{
public:
    explicit RequestDecoder(const ProtocolLimits &limits) : m_limits(limits) {}

    DecodedRequest decode(QByteArrayView utf8) const;

private:
    ErrorCode decodeName(const QJsonObject &o, ClientRequest &r) const;
    ErrorCode decodeLogin(const QJsonObject &o, ClientRequest &r) const;
    ErrorCode decodeRegister(const QJsonObject &o, ClientRequest &r) const;
    ErrorCode decodeChat(const QJsonObject &o, ClientRequest &r) const;
    ErrorCode decodeHistory(const QJsonObject &o, ClientRequest &r) const;
    ErrorCode decodeSearch(const QJsonObject &o, ClientRequest &r) const;
    // edit and delete: the `seq` of the message, and an edit's new text.
    ErrorCode decodeChange(const QJsonObject &o, ClientRequest &r) const;
    ErrorCode decodeReaction(const QJsonObject &o, ClientRequest &r) const;
    ErrorCode decodeReceipt(const QJsonObject &o, ClientRequest &r) const;
    ErrorCode decodeTyping(const QJsonObject &o, ClientRequest &r) const;
    ErrorCode decodeCall(const QString &type, const QJsonObject &o, ClientRequest &r) const;

    ProtocolLimits m_limits;
};
