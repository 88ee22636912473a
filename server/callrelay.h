#pragma once

#include "bus/bus.h"
#include "callregistry.h"
#include "clientconnection.h"
#include "messagestore.h"
#include "protocol/clientrequest.h"
#include "protocol/errorcode.h"
#include "serverconfig.h"
#include "transport/transport.h"

#include <QHash>
#include <QObject>

#include <functional>

// Call signalling and the media relay: who calls whom, between which two devices, and the
// binary packets of an active call passed on unchanged to the other end (docs/protocol.md
// sections 12 and 13). It knows connections and calls, not the room: whom a name reaches
// comes from the presence (newestDevice), and every frame leaves through the Transport.
class CallRelay : public QObject
{
    Q_OBJECT
public:
    // newestDevice: the logged-in connection a name's calls ring (nullptr when offline).
    CallRelay(const ServerConfig &config, Transport *transport,
              std::function<ClientConnection *(const QString &key)> newestDevice,
              QObject *parent = nullptr);

    // With several nodes: calls to users on other nodes go over the bus. remoteUser: the user
    // with a name key on another node (nullptr when none).
    void setBus(Bus *bus, std::function<const BusUser *(const QString &key)> remoteUser);

    // A call request (invite, ringing, accept, reject, busy, cancel, hang-up, keyframe, media).
    void handle(ClientConnection *c, const ClientRequest &r);
    // Relays a media packet to the other end of its call; the error to answer with when it
    // is refused (the caller charges it against the sender's rate), else ErrorCode::None.
    ErrorCode relayMedia(ClientConnection *c, const QByteArray &packet);
    // `c` is gone (or logged out): the other member of its call is told why.
    void endCallOf(ClientConnection *c, const QString &reason);
    int callCount() const { return m_calls.count(); }
    // What the other member's node says about a call between the two nodes, and its media.
    void handleRemote(const QString &node, const BusCallEvent &event);
    void relayRemoteMedia(const QString &node, const QByteArray &packet);
    // A user left another node: calls with it there end.
    void remoteMemberLeft(const QString &node, const QString &key);

signals:
    // A call ended (or was refused as busy): the entry for the two members' private
    // conversation, from the caller to the callee, to be stored and relayed like a private
    // message. Both nodes of a call across two record it with the same client id, and the
    // store keeps one: the entry is written even when the caller's node dies mid-call.
    void callRecorded(const ChatMessage &entry, const MessageParties &parties);

private:
    // The two connections a call is between: the caller's, and the callee's device that rang
    // (then the one that answered).
    // With the other member on another node, its pointer is null, and remoteNode and
    // remoteKey say where it is.
    struct CallEnds
    {
        ClientConnection *caller = nullptr;
        ClientConnection *callee = nullptr;
        QString remoteNode;
        QString remoteKey;
        // Whose conversation the call's entry goes to, known when the call is made (a member
        // that goes away takes its identity with it). Empty on a callee's node that did not
        // know the caller's identity yet: the caller's node records it alone then.
        MessageParties parties;
        // The entry's client id, the same on both nodes of a call across two (entryId()).
        QString entryId;
        qint64 answeredAt = -1; // Transport::now() at the accept; -1 while ringing
        // Transport::now() of each member's last relayed call_report (rate limit, 13.2).
        qint64 callerReportAt = -1;
        qint64 calleeReportAt = -1;
    };
    // The least time between two call_reports of one member (docs/protocol.md 13.2).
    static constexpr qint64 kMinReportGapMs = 250;

    void ringTimeout(quint32 callId);
    // Records how the call ended (before removeCall): its duration runs from the accept.
    void record(quint32 callId, CallRecord::Outcome outcome);
    // How a call that ends now ended, when a member went away or hung up: answered once
    // accepted, else missed.
    CallRecord::Outcome endedNow(quint32 callId) const;
    void emitRecord(const QString &caller, const QString &callee, const MessageParties &parties,
                    const QString &entryId, bool video, CallRecord::Outcome outcome,
                    qint64 durationMs);
    // The client id of a call's entry: with the store's duplicate check by (sender, client
    // id), the two nodes of a call across two store one entry between them.
    static QString entryId(const QString &callerNode, quint32 callId);
    bool isCallEnd(quint32 callId, const ClientConnection *c) const;
    ClientConnection *otherEnd(quint32 callId, const ClientConnection *c) const;
    void removeCall(quint32 callId);
    int guestCallsFrom(const QString &address) const;
    // Tells the other member of `callId` (here or on its node) what `c` did.
    void tellOther(quint32 callId, const ClientConnection *c, const QString &type,
                   const QStringList &media = {}, const QString &reason = {},
                   const QStringList &codecs = {});
    void sendBytes(ClientConnection *c, const QByteArray &json);
    void sendError(ClientConnection *c, ErrorCode code, const QString &ref, Dialect dialect);

    const ServerConfig &m_config;
    Transport &m_transport;
    std::function<ClientConnection *(const QString &)> m_newestDevice;
    Bus *m_bus = nullptr;
    std::function<const BusUser *(const QString &)> m_remoteUser;
    CallRegistry m_calls;
    QHash<quint32, CallEnds> m_callEnds;
};
