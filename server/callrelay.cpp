#include "callrelay.h"

#include "protocol/mediapacketheader.h"
#include "protocol/messageencoder.h"
#include "protocol/namerules.h"
#include "replies.h"
#include "transport/wireframe.h"

#include <QLoggingCategory>
#include <QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

CallRelay::CallRelay(const ServerConfig &config, Transport *transport,
                     std::function<ClientConnection *(const QString &)> newestDevice,
                     QObject *parent)
    : QObject(parent), m_config(config), m_transport(*transport),
      m_newestDevice(std::move(newestDevice))
{}

void CallRelay::sendBytes(ClientConnection *c, const QByteArray &json)
{
    Replies::sendJson(m_transport, c, json);
}

void CallRelay::sendError(ClientConnection *c, ErrorCode code, const QString &ref, Dialect dialect)
{
    Replies::sendError(m_transport, c, code, ref, dialect);
}

void CallRelay::handle(ClientConnection *c, const ClientRequest &r)
{
    using A = ClientRequest::CallAction;
    if (r.callAction == A::Invite) {
        const QString toKey = NameRules::key(r.to);
        if (toKey == c->nameKey)
            return sendError(c, ErrorCode::BadRecipient, r.ref, c->dialect);
        ClientConnection *callee = m_newestDevice(toKey);
        if (!callee || callee->dialect != Dialect::Confab)
            return sendError(c, ErrorCode::UserOffline, r.ref, c->dialect);
        if (m_calls.callOf(c->nameKey))
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        if (m_calls.callOf(toKey)) {
            sendBytes(c, MessageEncoder::callEvent(QStringLiteral("call_busy"), 0, callee->name));
            return;
        }
        // Calls let their members send media-sized messages, which a connection may hold half
        // received: guests behind one address get a few calls at once, not one per connection.
        if (c->isGuest() && guestCallsFrom(c->address) >= m_config.maxCallsPerAddress)
            return sendError(c, ErrorCode::TooManyCalls, r.ref, c->dialect);
        const quint32 id = m_calls.create(c->name, callee->name, r.media);
        m_callEnds.insert(id, CallEnds{c, callee}); // the callee's newest device rings
        qCInfo(lcServer).noquote()
            << c->name << "calls" << callee->name << r.media.join(QLatin1Char('+'));
        sendBytes(c, MessageEncoder::callAck(r.ref, id, callee->name));
        sendBytes(callee, MessageEncoder::callEvent(QStringLiteral("call_invite"), id, c->name,
                                                    callee->name, r.media, {}, r.codecs));
        QTimer::singleShot(m_config.limits.callRingSeconds * 1000, this,
                           [this, id] { ringTimeout(id); });
        return;
    }
    const CallRegistry::Call *call = m_calls.find(r.callId);
    if (!call || !isCallEnd(r.callId, c))
        return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
    const quint32 id = call->id;
    const bool isCaller = call->callerKey == c->nameKey;
    const bool ringing = call->state == CallRegistry::State::Ringing;
    ClientConnection *other = otherEnd(id, c);
    auto forward = [&](const QString &type, const QStringList &media = {},
                       const QStringList &codecs = {}) {
        if (other)
            sendBytes(other,
                      MessageEncoder::callEvent(type, id, c->name, {}, media, r.reason, codecs));
    };
    switch (r.callAction) {
    case A::Ringing:
        if (isCaller || !ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(QStringLiteral("call_ringing"));
        break;
    case A::Accept:
        if (isCaller || !m_calls.accept(id, r.media))
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        qCInfo(lcServer).noquote() << c->name << "accepted call" << id;
        m_callEnds[id].callee = c; // the device that answered
        if (c->isGuest() && guestCallsFrom(c->address) > m_config.maxCallsPerAddress) {
            forward(QStringLiteral("call_hangup"));
            removeCall(id);
            return sendError(c, ErrorCode::TooManyCalls, r.ref, c->dialect);
        }
        // Media packets are larger than chat messages: both members may send them now.
        m_transport.setLargeFrames(c, true);
        if (other)
            m_transport.setLargeFrames(other, true);
        forward(QStringLiteral("call_accept"), m_calls.find(id)->media, r.codecs);
        break;
    case A::Reject:
    case A::Busy:
        if (isCaller || !ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(r.callAction == A::Reject ? QStringLiteral("call_reject")
                                          : QStringLiteral("call_busy"));
        removeCall(id);
        break;
    case A::Cancel:
        if (!isCaller || !ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(QStringLiteral("call_cancel"));
        removeCall(id);
        break;
    case A::Hangup:
        forward(QStringLiteral("call_hangup"));
        removeCall(id);
        qCInfo(lcServer).noquote() << c->name << "hung up call" << id;
        break;
    case A::Keyframe:
        if (ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(QStringLiteral("call_keyframe"));
        break;
    case A::Invite:
        break;
    }
}
ErrorCode CallRelay::relayMedia(ClientConnection *c, const QByteArray &packet)
{
    auto refuse = [](ErrorCode code) {
        return code;
    };
    if (packet.size() > m_config.limits.maxMediaBytes)
        return refuse(ErrorCode::TooLarge);
    if (!c->loggedIn)
        return refuse(ErrorCode::NotLoggedIn);
    const std::optional<MediaPacketHeader> header = MediaPacketHeader::parse(packet);
    if (!header)
        return refuse(ErrorCode::BadMedia);
    const CallRegistry::Call *call = m_calls.find(header->callId);
    // The call is between two connections (devices), not just two names: another device of a
    // member cannot send into it.
    if (!call || call->state != CallRegistry::State::Active || !isCallEnd(header->callId, c))
        return refuse(ErrorCode::NoCall);
    ClientConnection *other = otherEnd(header->callId, c);
    if (!other)
        return ErrorCode::None;
    // The same bytes, header and all: no JSON, no base64, no copy of the payload per hop. A
    // receiver that falls behind loses media first (Transport::send), before text.
    m_transport.send(other, WireFrame::binary(packet), Transport::Kind::Media);
    return ErrorCode::None;
}
void CallRelay::endCallOf(ClientConnection *c, const QString &reason)
{
    const CallRegistry::Call *call = m_calls.callOf(c->nameKey);
    if (!call || !isCallEnd(call->id, c))
        return; // another device of this user is in the call, not this one
    const quint32 id = call->id;
    if (ClientConnection *other = otherEnd(id, c))
        sendBytes(other, MessageEncoder::callEvent(QStringLiteral("call_hangup"), id, c->name, {},
                                                   {}, reason));
    removeCall(id);
}
void CallRelay::ringTimeout(quint32 callId)
{
    const CallRegistry::Call *call = m_calls.find(callId);
    if (!call || call->state != CallRegistry::State::Ringing)
        return;
    const QByteArray timeout =
        MessageEncoder::callEvent(QStringLiteral("call_timeout"), callId, {});
    const CallEnds ends = m_callEnds.value(callId);
    for (ClientConnection *member : {ends.caller, ends.callee}) {
        if (member)
            sendBytes(member, timeout);
    }
    removeCall(callId);
}
bool CallRelay::isCallEnd(quint32 callId, const ClientConnection *c) const
{
    const auto it = m_callEnds.constFind(callId);
    return it != m_callEnds.cend() && (it->caller == c || it->callee == c);
}
ClientConnection *CallRelay::otherEnd(quint32 callId, const ClientConnection *c) const
{
    const CallEnds ends = m_callEnds.value(callId);
    return ends.caller == c ? ends.callee : ends.caller;
}
void CallRelay::removeCall(quint32 callId)
{
    const CallEnds ends = m_callEnds.take(callId);
    m_calls.remove(callId);
    // Back to chat-sized messages (a media packet half received when the call ends is cut off
    // with 1009: it is worth nothing now).
    for (ClientConnection *end : {ends.caller, ends.callee}) {
        if (end)
            m_transport.setLargeFrames(end, false);
    }
}
int CallRelay::guestCallsFrom(const QString &address) const
{
    int n = 0;
    for (const CallEnds &ends : m_callEnds) {
        const bool here =
            (ends.caller && ends.caller->isGuest() && ends.caller->address == address) ||
            (ends.callee && ends.callee->isGuest() && ends.callee->address == address);
        n += here ? 1 : 0;
    }
    return n;
}
