#include "callrelay.h"

#include "protocol/mediapacketheader.h"
#include "protocol/messageencoder.h"
#include "protocol/namerules.h"
#include "replies.h"
#include "transport/wireframe.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace {
// The media of a call_media that the call has: a voice call's member cannot claim to send
// video, and another node's event is held to the same rule as a local one.
// How the transport may treat a media packet towards a receiver that falls behind.
Transport::Kind mediaKind(const MediaPacketHeader &h)
{
    if (h.kind != MediaPacketHeader::Video)
        return Transport::Kind::Media;
    return (h.flags & MediaPacketHeader::Keyframe) ? Transport::Kind::Keyframe
                                                   : Transport::Kind::Video;
}

QStringList ofTheCall(const QStringList &media, const QStringList &callMedia)
{
    QStringList kept;
    for (const QString &kind : media) {
        if (callMedia.contains(kind))
            kept.append(kind);
    }
    return kept;
}
} // namespace

CallRelay::CallRelay(const ServerConfig &config, Transport *transport,
                     std::function<ClientConnection *(const QString &)> newestDevice,
                     QObject *parent)
    : QObject(parent), m_config(config), m_transport(*transport),
      m_newestDevice(std::move(newestDevice))
{}

void CallRelay::setBus(Bus *bus, std::function<const BusUser *(const QString &)> remoteUser)
{
    m_bus = bus;
    m_remoteUser = std::move(remoteUser);
}

void CallRelay::tellOther(quint32 callId, const ClientConnection *c, const QString &type,
                          const QStringList &media, const QString &reason,
                          const QStringList &codecs)
{
    if (ClientConnection *other = otherEnd(callId, c)) {
        sendBytes(other,
                  MessageEncoder::callEvent(type, callId, c->name, {}, media, reason, codecs));
        return;
    }
    const CallEnds ends = m_callEnds.value(callId);
    if (m_bus && !ends.remoteNode.isEmpty())
        m_bus->publishCall(ends.remoteNode,
                           BusCallEvent{type, callId, c->name, {}, media, codecs, reason});
}

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
        // The callee's newest device here, else (with several nodes) a node where it is.
        ClientConnection *callee = m_newestDevice(toKey);
        QString calleeName;
        QString remoteNode;
        // Whose private conversation the call's entry goes to, as for a private message to
        // the callee (ChatRouter::handleChat): the identities online now.
        MessageParties parties{c->identity, {}};
        if (callee) {
            if (callee->dialect != Dialect::Confab)
                return sendError(c, ErrorCode::UserOffline, r.ref, c->dialect);
            calleeName = callee->name;
            parties.recipient = callee->identity;
        } else if (const BusUser *remote = m_bus ? m_remoteUser(toKey) : nullptr) {
            remoteNode = m_bus->nodeOf(toKey);
            calleeName = remote->name;
            parties.recipient = remote->identity;
        }
        if (calleeName.isEmpty() || (!callee && remoteNode.isEmpty()))
            return sendError(c, ErrorCode::UserOffline, r.ref, c->dialect);
        if (m_calls.callOf(c->nameKey))
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        if (m_calls.callOf(toKey)) {
            sendBytes(c, MessageEncoder::callEvent(QStringLiteral("call_busy"), 0, calleeName));
            // The callee was on another call: for them a missed call, as on a phone.
            emitRecord(c->name, calleeName, parties, {}, r.media.contains(QLatin1String("video")),
                       CallRecord::Outcome::Missed, 0);
            return;
        }
        // Calls let their members send media-sized messages, which a connection may hold half
        // received: guests behind one address get a few calls at once, not one per connection.
        if (c->isGuest() && guestCallsFrom(c->address) >= m_config.maxCallsPerAddress)
            return sendError(c, ErrorCode::TooManyCalls, r.ref, c->dialect);
        const quint32 id = m_calls.create(c->name, calleeName, r.media);
        // The callee's newest device rings (on its node, when that is another one).
        m_callEnds.insert(id,
                          CallEnds{c, callee, remoteNode, remoteNode.isEmpty() ? QString() : toKey,
                                   parties, entryId(m_bus ? m_bus->nodeId() : QString(), id)});
        qCInfo(lcServer).noquote()
            << c->name << "calls" << calleeName << r.media.join(QLatin1Char('+'))
            << (remoteNode.isEmpty() ? "" : "on another node");
        sendBytes(c, MessageEncoder::callAck(r.ref, id, calleeName));
        if (callee)
            sendBytes(callee, MessageEncoder::callEvent(QStringLiteral("call_invite"), id, c->name,
                                                        calleeName, r.media, {}, r.codecs));
        else
            m_bus->publishCall(
                remoteNode,
                BusCallEvent{
                    QStringLiteral("call_invite"), id, c->name, calleeName, r.media, r.codecs, {}});
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
        tellOther(id, c, type, media, r.reason, codecs);
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
        m_callEnds[id].answeredAt = m_transport.now();
        if (c->isGuest() && guestCallsFrom(c->address) > m_config.maxCallsPerAddress) {
            forward(QStringLiteral("call_hangup"));
            record(id, CallRecord::Outcome::Failed);
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
        record(id, r.callAction == A::Reject ? CallRecord::Outcome::Declined
                                             : CallRecord::Outcome::Missed);
        removeCall(id);
        break;
    case A::Cancel:
        if (!isCaller || !ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(QStringLiteral("call_cancel"));
        record(id, CallRecord::Outcome::Missed);
        removeCall(id);
        break;
    case A::Hangup:
        forward(QStringLiteral("call_hangup"));
        // The callee hanging up a call that still rings turns it down.
        record(id, ringing && !isCaller ? CallRecord::Outcome::Declined : endedNow(id));
        removeCall(id);
        qCInfo(lcServer).noquote() << c->name << "hung up call" << id;
        break;
    case A::Keyframe:
        if (ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(QStringLiteral("call_keyframe"));
        break;
    case A::Media: {
        if (ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(QStringLiteral("call_media"), ofTheCall(r.media, call->media));
        break;
    }
    case A::Report: {
        if (ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        // About one a second is what a client needs; faster is refused, so a member cannot
        // make the server talk to the other one at the text rate.
        CallEnds &ends = m_callEnds[id];
        qint64 &last = isCaller ? ends.callerReportAt : ends.calleeReportAt;
        const qint64 now = m_transport.now();
        if (last >= 0 && now - last < kMinReportGapMs)
            return sendError(c, ErrorCode::RateLimited, r.ref, c->dialect);
        last = now;
        // To the other member, here or on its node (checked and rate-limited here, once).
        if (other) {
            sendBytes(other, MessageEncoder::callReport(id, c->name, r.report));
        } else if (m_bus && !m_callEnds.value(id).remoteNode.isEmpty()) {
            BusCallEvent e{QStringLiteral("call_report"), id, c->name, {}, {}, {}, {}};
            e.report = r.report;
            m_bus->publishCall(m_callEnds.value(id).remoteNode, e);
        }
        break;
    }
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
    // Filler that tests the sender's uplink, counted against its media rate like any packet:
    // it has done its work by arriving here.
    if (header->flags & MediaPacketHeader::Probe)
        return ErrorCode::None;
    ClientConnection *other = otherEnd(header->callId, c);
    if (!other) {
        // The other member is on another node: the packet goes there unchanged.
        const CallEnds ends = m_callEnds.value(header->callId);
        if (m_bus && !ends.remoteNode.isEmpty())
            m_bus->publishMedia(ends.remoteNode, packet);
        return ErrorCode::None;
    }
    // The same bytes, header and all: no JSON, no base64, no copy of the payload per hop. A
    // receiver that falls behind loses media first (Transport::send), before text.
    m_transport.send(other, WireFrame::binary(packet), mediaKind(*header));
    return ErrorCode::None;
}
void CallRelay::endCallOf(ClientConnection *c, const QString &reason)
{
    const CallRegistry::Call *call = m_calls.callOf(c->nameKey);
    if (!call || !isCallEnd(call->id, c))
        return; // another device of this user is in the call, not this one
    const quint32 id = call->id;
    tellOther(id, c, QStringLiteral("call_hangup"), {}, reason);
    record(id, endedNow(id));
    removeCall(id);
}

void CallRelay::handleRemote(const QString &node, const BusCallEvent &e)
{
    if (e.type == QLatin1String("call_invite")) {
        // The caller is on `node`; the callee's newest device here rings, with the call's id.
        const QString calleeKey = NameRules::key(e.to);
        ClientConnection *callee = m_newestDevice(calleeKey);
        auto answer = [&](const QString &type) {
            m_bus->publishCall(
                node, BusCallEvent{type, e.id, callee ? callee->name : e.to, {}, {}, {}, {}});
        };
        if (!callee || callee->dialect != Dialect::Confab)
            return answer(QStringLiteral("call_unreachable"));
        if (m_calls.callOf(calleeKey) || !m_calls.createWithId(e.id, e.from, callee->name, e.media))
            return answer(QStringLiteral("call_busy"));
        // This node records the call too, under the caller's node's id for its entry: the
        // store keeps the first of the two, and the entry survives the caller's node dying.
        const BusUser *caller = m_remoteUser(NameRules::key(e.from));
        const MessageParties parties =
            caller ? MessageParties{caller->identity, callee->identity} : MessageParties{};
        m_callEnds.insert(e.id, CallEnds{nullptr, callee, node, NameRules::key(e.from), parties,
                                         entryId(node, e.id)});
        qCInfo(lcServer).noquote() << e.from << "calls" << callee->name << "from another node";
        sendBytes(callee, MessageEncoder::callEvent(QStringLiteral("call_invite"), e.id, e.from,
                                                    callee->name, e.media, {}, e.codecs));
        return;
    }
    // Only the node of the call's other member, speaking for that member, is heard.
    const auto it = m_callEnds.constFind(e.id);
    if (it == m_callEnds.cend() || it->remoteNode != node ||
        it->remoteKey != NameRules::key(e.from))
        return;
    ClientConnection *local = it->caller ? it->caller : it->callee;
    const CallRegistry::Call *call = m_calls.find(e.id);
    if (!call)
        return;
    const bool ringing = call->state == CallRegistry::State::Ringing;
    auto deliver = [&](const QString &type, const QStringList &media = {},
                       const QStringList &codecs = {}, const QString &reason = {}) {
        if (local)
            sendBytes(local,
                      MessageEncoder::callEvent(type, e.id, e.from, {}, media, reason, codecs));
    };
    if (e.type == QLatin1String("call_ringing")) {
        if (ringing)
            deliver(e.type);
    } else if (e.type == QLatin1String("call_accept")) {
        if (!m_calls.accept(e.id, e.media))
            return;
        m_callEnds[e.id].answeredAt = m_transport.now();
        if (local)
            m_transport.setLargeFrames(local, true);
        deliver(e.type, m_calls.find(e.id)->media, e.codecs);
    } else if (e.type == QLatin1String("call_keyframe")) {
        if (!ringing)
            deliver(e.type);
    } else if (e.type == QLatin1String("call_media")) {
        if (!ringing)
            deliver(e.type, ofTheCall(e.media, call->media));
    } else if (e.type == QLatin1String("call_report")) {
        if (!ringing && local && e.report)
            sendBytes(local, MessageEncoder::callReport(e.id, e.from, *e.report));
    } else if (e.type == QLatin1String("call_reject") || e.type == QLatin1String("call_busy") ||
               e.type == QLatin1String("call_cancel") || e.type == QLatin1String("call_hangup") ||
               e.type == QLatin1String("call_timeout")) {
        deliver(e.type, {}, {}, e.reason);
        // As the same step of a member here ends it (handle(), endCallOf()).
        using O = CallRecord::Outcome;
        const bool gone = e.reason == QLatin1String("disconnected");
        if (e.type == QLatin1String("call_reject"))
            record(e.id, O::Declined);
        else if (e.type == QLatin1String("call_hangup") && ringing && !gone)
            record(e.id, O::Declined);
        else if (e.type == QLatin1String("call_hangup"))
            record(e.id, endedNow(e.id));
        else
            record(e.id, O::Missed);
        removeCall(e.id);
    } else if (e.type == QLatin1String("call_unreachable")) {
        // Nobody there to ring after all (left meanwhile, or on the seed page).
        deliver(QStringLiteral("call_hangup"), {}, {}, QStringLiteral("offline"));
        record(e.id, CallRecord::Outcome::Failed);
        removeCall(e.id);
    }
}

void CallRelay::relayRemoteMedia(const QString &node, const QByteArray &packet)
{
    if (packet.size() > m_config.limits.maxMediaBytes)
        return;
    const std::optional<MediaPacketHeader> header = MediaPacketHeader::parse(packet);
    if (!header)
        return;
    const auto it = m_callEnds.constFind(header->callId);
    const CallRegistry::Call *call = m_calls.find(header->callId);
    if (it == m_callEnds.cend() || it->remoteNode != node || !call ||
        call->state != CallRegistry::State::Active)
        return;
    if (ClientConnection *local = it->caller ? it->caller : it->callee)
        m_transport.send(local, WireFrame::binary(packet), mediaKind(*header));
}

void CallRelay::remoteMemberLeft(const QString &node, const QString &key)
{
    QList<quint32> ended;
    for (auto it = m_callEnds.cbegin(); it != m_callEnds.cend(); ++it) {
        if (it->remoteNode == node && it->remoteKey == key)
            ended.append(it.key());
    }
    for (quint32 id : ended) {
        const CallEnds ends = m_callEnds.value(id);
        const CallRegistry::Call *call = m_calls.find(id);
        const QString name = call ? (call->callerKey == key ? call->caller : call->callee) : key;
        if (ClientConnection *local = ends.caller ? ends.caller : ends.callee)
            sendBytes(local, MessageEncoder::callEvent(QStringLiteral("call_hangup"), id, name, {},
                                                       {}, QStringLiteral("disconnected")));
        record(id, endedNow(id));
        removeCall(id);
    }
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
    if (m_bus && !ends.remoteNode.isEmpty())
        m_bus->publishCall(
            ends.remoteNode,
            BusCallEvent{QStringLiteral("call_timeout"), callId, call->caller, {}, {}, {}, {}});
    record(callId, CallRecord::Outcome::Missed);
    removeCall(callId);
}

void CallRelay::record(quint32 callId, CallRecord::Outcome outcome)
{
    const CallRegistry::Call *call = m_calls.find(callId);
    const auto ends = m_callEnds.constFind(callId);
    // Both nodes of a call across two record it (the store keeps one: entryId); a callee's
    // node that did not know the caller's identity leaves it to the caller's.
    if (!call || ends == m_callEnds.cend() || ends->parties.sender.isEmpty())
        return;
    const qint64 duration = outcome == CallRecord::Outcome::Answered && ends->answeredAt >= 0
                                ? m_transport.now() - ends->answeredAt
                                : 0;
    emitRecord(call->caller, call->callee, ends->parties, ends->entryId,
               call->media.contains(QLatin1String("video")), outcome, duration);
}

CallRecord::Outcome CallRelay::endedNow(quint32 callId) const
{
    const auto ends = m_callEnds.constFind(callId);
    return ends != m_callEnds.cend() && ends->answeredAt >= 0 ? CallRecord::Outcome::Answered
                                                              : CallRecord::Outcome::Missed;
}

QString CallRelay::entryId(const QString &callerNode, quint32 callId)
{
    // Call ids are random per call and node ids per process: together they name one call.
    QString id = QStringLiteral("call-") + QString::number(callId, 16);
    if (!callerNode.isEmpty())
        id += QLatin1Char('-') + callerNode;
    return id;
}

void CallRelay::emitRecord(const QString &caller, const QString &callee,
                           const MessageParties &parties, const QString &entryId, bool video,
                           CallRecord::Outcome outcome, qint64 durationMs)
{
    ChatMessage entry;
    entry.from = caller;
    entry.to = callee;
    entry.timestampMs = QDateTime::currentMSecsSinceEpoch();
    entry.call = CallRecord{outcome, video, durationMs};
    entry.clientId = entryId;
    entry.content = entry.call->plainText(caller);
    qCInfo(lcServer).noquote() << "call" << caller << "->" << callee << entry.content;
    emit callRecorded(entry, parties);
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
