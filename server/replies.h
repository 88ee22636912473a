#pragma once

#include "clientconnection.h"
#include "protocol/errorcode.h"
#include "protocol/messageencoder.h"
#include "transport/transport.h"
#include "transport/wireframe.h"

// Answers to one connection, as every part of the relay sends them: a JSON message framed
// whole, and an error that either is such a message or, for the codes that end the session
// (errorCodeCloses), the reason of a graceful close.
namespace Replies {

inline void sendJson(Transport &transport, ClientConnection *c, const QByteArray &json)
{
    transport.send(c, WireFrame::text(json));
}

inline void sendError(Transport &transport, ClientConnection *c, ErrorCode code, const QString &ref,
                      Dialect dialect, qint64 retryAfterMs = 0)
{
    if (errorCodeCloses(code)) {
        transport.closeWithError(c, code, dialect);
        return;
    }
    sendJson(transport, c, MessageEncoder::error(code, ref, dialect, {}, retryAfterMs));
}

} // namespace Replies
