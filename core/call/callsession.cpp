#include "call/callsession.h"

#include "media/mediaclock.h"
#include "net/clientsession.h"
#include "protocol/errorcode.h"
#include "protocol/mediapacketheader.h"
#include "protocol/messageencoder.h"

#include <algorithm>
#include <climits>

#include <QLoggingCategory>

// Every look of the bandwidth estimator, for tuning it on a real link (off by default:
// QT_LOGGING_RULES="confab.bandwidth.debug=true").
Q_LOGGING_CATEGORY(lcBandwidth, "confab.bandwidth", QtWarningMsg)

namespace {
// The `media` list of an invite or accept.
QStringList mediaFor(bool video)
{
    QStringList media{QStringLiteral("audio")};
    if (video)
        media << QStringLiteral("video");
    return media;
}
} // namespace

CallSession::CallSession(ClientSession *session, QObject *parent)
    : QObject(parent), m_session(session), m_videoPipeline(new VideoPipeline),
      m_audio(new AudioPipeline)
{
    m_videoThread.setObjectName(QStringLiteral("call video"));
    m_audioThread.setObjectName(QStringLiteral("call audio"));
    m_videoPipeline->moveToThread(&m_videoThread);
    m_audio->moveToThread(&m_audioThread);
    connect(&m_videoThread, &QThread::finished, m_videoPipeline, &QObject::deleteLater);
    connect(&m_audioThread, &QThread::finished, m_audio, &QObject::deleteLater);
    m_videoThread.start();
    m_audioThread.start(QThread::TimeCriticalPriority);

    // Packets leave from the pipelines' threads straight to the session's network thread
    // (direct connections: this thread, the GUI's, never sees them).
    // On an uplink slower than the media, video goes first; audio, a few kB/s, only when the
    // queue is far longer. A dropped video packet means the next frame must be a keyframe.
    // After a dropped video packet the far end cannot decode what follows until a keyframe,
    // so the frames in between are not sent either: they would only take the bandwidth.
    connect(
        m_videoPipeline, &VideoPipeline::packetReady, this,
        [this](const QByteArray &p) {
            // On the video thread.
            if (m_mediaCallId.load() == 0)
                return;
            const auto h = MediaPacketHeader::parse(p);
            const bool keyframe = h && (h->flags & MediaPacketHeader::Keyframe);
            if (keyframe)
                m_videoWaitsForKeyframe = false;
            else if (m_session->videoWaitsForKeyframe())
                m_videoPipeline->requestKeyframe(); // the socket dropped stale video
            // Keyframes may use the audio's longer queue: losing one costs the most.
            if (!m_videoWaitsForKeyframe &&
                m_session->sendMedia(p, keyframe ? kAudioMaxQueuedBytes : m_videoQueueLimit.load()))
                return;
            m_droppedOutgoing.fetch_add(1);
            if (!m_videoWaitsForKeyframe) {
                m_videoWaitsForKeyframe = true;
                m_videoPipeline->requestKeyframe(); // its own thread: this one
            }
        },
        Qt::DirectConnection);
    connect(
        m_audio, &AudioPipeline::packetReady, this,
        [this](const QByteArray &p) {
            // On the audio thread.
            if (m_mediaCallId.load() != 0 && !m_session->sendMedia(p, kAudioMaxQueuedBytes))
                m_droppedOutgoing.fetch_add(1);
        },
        Qt::DirectConnection);
    connect(m_videoPipeline, &VideoPipeline::remoteReady, this, &CallSession::remoteFrameReady);
    connect(m_videoPipeline, &VideoPipeline::previewReady, this, &CallSession::previewReady);
    connect(m_videoPipeline, &VideoPipeline::keyframeNeeded, this, [this] {
        if (m_state == State::Active)
            send(QStringLiteral("call_keyframe"));
    });
    connect(m_videoPipeline, &VideoPipeline::cameraFailed, this, &CallSession::deviceProblem);
    connect(m_audio, &AudioPipeline::deviceFailed, this, &CallSession::deviceProblem);
    connect(m_videoPipeline, &VideoPipeline::maxStepChanged, this, [this](int step) {
        m_cameraMaxStep = step;
        m_estimator.setMaxStep(step);
    });
    m_adaptTimer.setInterval(kAdaptIntervalMs);
    connect(&m_adaptTimer, &QTimer::timeout, this, &CallSession::adapt);
    m_reportTimer.setInterval(kReportIntervalMs);
    connect(&m_reportTimer, &QTimer::timeout, this, &CallSession::sendReport);
    connect(m_videoPipeline, &VideoPipeline::statsUpdated, this, [this](const VideoStats &s) {
        m_stats.video = s;
        const BandwidthEstimator::Allocation a = m_estimator.allocation();
        NetworkStats &n = m_stats.network;
        if (m_state == State::Active) {
            n.estimateKbps = a.estimateKbps;
            n.videoKbps = a.videoKbps;
            n.audioBitrate = a.audioBitrate;
            n.audioLossPercent = a.audioLossPercent;
            n.ladderStep = a.step;
            n.decreases = m_estimator.decreases();
        }
        emit statsChanged(m_stats);
    });
    connect(m_audio, &AudioPipeline::statsUpdated, this,
            [this](const AudioStats &s) { m_stats.audio = s; });

    connect(m_session, &ClientSession::callEventReceived, this, &CallSession::onEvent);
    connect(m_session, &ClientSession::uplinkQueued, this, &CallSession::adaptToPath);
    connect(m_session, &ClientSession::errorReceived, this,
            [this](ErrorCode code, const QString &text, const QString &ref) {
                onError(int(code), text, ref);
            });
    connect(m_session, &ClientSession::stateChanged, this, &CallSession::onSessionState);
    m_session->setMediaHandler([this](const QByteArray &packet) { dispatchMedia(packet); });
}

void CallSession::dispatchMedia(const QByteArray &packet)
{
    // On the session's network thread: straight to the pipeline's thread, whatever the GUI
    // thread is doing. m_mediaCallId is 0 unless a call is active.
    const auto h = MediaPacketHeader::parse(packet);
    const quint32 call = m_mediaCallId.load();
    // A probe (filler, docs/protocol.md 12) is the server's to discard; one relayed anyway is
    // nothing to decode or to count.
    if (!h || call == 0 || h->callId != call || (h->flags & MediaPacketHeader::Probe))
        return;
    {
        const std::lock_guard<std::mutex> lock(m_reportMutex);
        m_reportBuilder.onPacket(qint64(mediaClockUs()), *h, packet.size());
    }
    if (h->kind == MediaPacketHeader::Video) {
        if (!m_videoBacklog->tryAdd(packet.size()))
            return; // the video thread is behind: see MediaBacklog
        QMetaObject::invokeMethod(
            m_videoPipeline,
            [p = m_videoPipeline, packet, backlog = m_videoBacklog] {
                backlog->release(packet.size());
                p->receive(packet);
            },
            Qt::QueuedConnection);
    } else {
        QMetaObject::invokeMethod(m_audio, "receive", Qt::QueuedConnection,
                                  Q_ARG(QByteArray, packet));
    }
}

CallSession::~CallSession()
{
    // First: once this returns no packet is being handed to the pipelines, nor will be.
    m_session->setMediaHandler({});
    if (m_state != State::Idle && m_session)
        hangUp();
    // Stop on their own threads (timers and devices belong to them), then let them go.
    QMetaObject::invokeMethod(m_videoPipeline, &VideoPipeline::stop, Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(m_audio, &AudioPipeline::stop, Qt::BlockingQueuedConnection);
    m_videoThread.quit();
    m_audioThread.quit();
    m_videoThread.wait();
    m_audioThread.wait();
}

bool CallSession::call(const QString &peer, bool video)
{
    if (m_state != State::Idle || m_session->state() != ClientSession::State::Online ||
        peer.isEmpty() || peer.compare(m_session->name(), Qt::CaseInsensitive) == 0)
        return false;
    m_peer = peer;
    m_video = video;
    m_callId = 0;
    m_peerRinging = false;
    m_inviteRef = QStringLiteral("call-%1").arg(++m_inviteCounter);
    const QStringList media = mediaFor(video);
    m_peerCodecs.clear();
    m_session->sendCallRequest(MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, peer,
                                                           media, m_inviteRef,
                                                           supportedCodecs(m_devices.codec)));
    setState(State::Outgoing);
    startMedia(); // the own preview while it rings
    return true;
}

void CallSession::accept(bool video)
{
    if (m_state != State::Incoming)
        return;
    m_video = m_video && video;
    const QStringList media = mediaFor(m_video);
    m_session->sendCallRequest(MessageEncoder::callRequest(
        QStringLiteral("call_accept"), m_callId, {}, media, {}, supportedCodecs(m_devices.codec)));
    startMedia();
    beginSending();
}

void CallSession::reject()
{
    if (m_state != State::Incoming)
        return;
    send(QStringLiteral("call_reject"), QStringLiteral("declined"));
    finish({}, false);
}

void CallSession::hangUp()
{
    switch (m_state) {
    case State::Idle:
        return;
    case State::Incoming:
        reject();
        return;
    case State::Outgoing:
        if (m_callId != 0)
            send(QStringLiteral("call_cancel"));
        else
            m_inviteRef.clear(); // an ack still on its way is answered with a cancel
        break;
    case State::Active:
        send(QStringLiteral("call_hangup"));
        break;
    }
    finish({});
}

void CallSession::send(const QString &type, const QString &reason)
{
    m_session->sendCallRequest(MessageEncoder::callRequest(type, m_callId, {}, {}, {}, {}, reason));
}

void CallSession::setMuted(bool muted)
{
    m_muted = muted;
    QMetaObject::invokeMethod(m_audio, [p = m_audio, muted] { p->setMuted(muted); });
    sendMediaState();
}

void CallSession::sendMediaState()
{
    // Only in an active call: the server refuses it while ringing, and the state at the
    // start goes out from beginSending().
    if (m_state != State::Active)
        return;
    QStringList media;
    if (!m_muted)
        media << QStringLiteral("audio");
    if (m_video && m_cameraOn)
        media << QStringLiteral("video");
    if (media == m_mediaSent)
        return;
    m_mediaSent = media;
    m_session->sendCallRequest(
        MessageEncoder::callRequest(QStringLiteral("call_media"), m_callId, {}, media));
}

void CallSession::setPeerMedia(bool muted, bool cameraOn)
{
    if (muted == m_peerMuted && cameraOn == m_peerCameraOn)
        return;
    m_peerMuted = muted;
    m_peerCameraOn = cameraOn;
    emit peerMediaChanged();
}

void CallSession::setCameraOn(bool on)
{
    m_cameraOn = on;
    if (m_state != State::Idle && !m_video)
        on = false; // a voice call does not open the camera
    QMetaObject::invokeMethod(m_videoPipeline, [p = m_videoPipeline, on] { p->setCameraOn(on); });
    sendMediaState();
}

void CallSession::setCamera(const QString &spec)
{
    m_devices.camera = spec;
    QMetaObject::invokeMethod(m_videoPipeline, [p = m_videoPipeline, spec] { p->setCamera(spec); });
}

void CallSession::setMicrophone(const QString &spec)
{
    m_devices.microphone = spec;
    QMetaObject::invokeMethod(m_audio, [p = m_audio, spec] { p->setMicrophone(spec); });
}

void CallSession::setSpeaker(const QString &spec)
{
    m_devices.speaker = spec;
    QMetaObject::invokeMethod(m_audio, [p = m_audio, spec] { p->setSpeaker(spec); });
}

void CallSession::setAudioProcessing(const AudioProcessor::Features &features)
{
    m_audioProcessing = features;
    QMetaObject::invokeMethod(m_audio, [p = m_audio, features] { p->setProcessing(features); });
}

void CallSession::setBandwidthLimit(int kbps)
{
    m_estimator.setCeiling(m_adaptClock.isValid() ? m_adaptClock.elapsed() : 0, kbps);
    if (m_state != State::Active)
        return;
    applyAllocation(false);
    m_session->setMediaSendRate(m_estimator.estimateKbps());
}

QImage CallSession::takeRemoteFrame(double *latencyMs)
{
    quint64 captured = 0;
    QImage image = m_videoPipeline->remote()->take(&captured);
    if (latencyMs && !image.isNull())
        *latencyMs = double(qint64(mediaClockUs() - captured)) / 1000.0;
    return image;
}

QImage CallSession::takePreview()
{
    return m_videoPipeline->preview()->take();
}

void CallSession::onEvent(const ServerMessage &event)
{
    using T = ServerMessage::Type;
    const T type = event.type;
    const quint32 call = event.callId;
    const QString &from = event.from;

    if (type == T::CallAck) {
        if (m_state == State::Outgoing && m_callId == 0 && event.ref == m_inviteRef) {
            m_callId = call;
        } else if (call != 0 && call != m_callId) {
            // The ack of an invite the user already gave up on.
            m_session->sendCallRequest(
                MessageEncoder::callRequest(QStringLiteral("call_cancel"), call));
        }
        return;
    }
    if (type == T::CallInvite) {
        if (m_state != State::Idle) {
            m_session->sendCallRequest(
                MessageEncoder::callRequest(QStringLiteral("call_busy"), call));
            return;
        }
        m_peer = from;
        m_callId = call;
        m_video = event.media.contains(QLatin1String("video"));
        m_peerCodecs = event.codecs;
        setState(State::Incoming);
        send(QStringLiteral("call_ringing"));
        emit incomingCall(from, m_video);
        return;
    }
    // call_busy before the ack carries call 0 (no call was made).
    const bool ours =
        m_state != State::Idle &&
        (call == m_callId || (call == 0 && m_callId == 0 && m_state == State::Outgoing));
    if (!ours) {
        // The callee answered just as we gave up: the server has an active call we left.
        // End it there too, or the other side sits in a silent call and we look busy.
        if (type == T::CallAccept && call != 0)
            m_session->sendCallRequest(
                MessageEncoder::callRequest(QStringLiteral("call_hangup"), call));
        return;
    }
    if (type == T::CallRinging) {
        m_peerRinging = true;
        emit peerRinging();
    } else if (type == T::CallAccept) {
        if (m_state != State::Outgoing)
            return;
        m_video = m_video && event.media.contains(QLatin1String("video"));
        m_peerCodecs = event.codecs;
        beginSending();
    } else if (type == T::CallReject) {
        finish(tr("%1 declined the call.").arg(m_peer));
    } else if (type == T::CallBusy) {
        finish(tr("%1 is in another call. Try again later.").arg(m_peer));
    } else if (type == T::CallCancel) {
        const bool missed = m_state == State::Incoming;
        finish(missed ? tr("Missed call from %1.").arg(m_peer) : tr("%1 hung up.").arg(m_peer),
               missed);
    } else if (type == T::CallTimeout) {
        if (m_state == State::Incoming)
            finish(tr("Missed call from %1.").arg(m_peer), true);
        else
            finish(tr("%1 did not answer.").arg(m_peer));
    } else if (type == T::CallHangup) {
        if (event.reason == QLatin1String("disconnected"))
            finish(tr("The call with %1 ended: their connection was lost.").arg(m_peer),
                   m_state == State::Incoming);
        else
            finish(tr("%1 hung up.").arg(m_peer));
    } else if (type == T::CallMedia) {
        if (m_state == State::Active)
            setPeerMedia(!event.media.contains(QLatin1String("audio")),
                         m_video && event.media.contains(QLatin1String("video")));
    } else if (type == T::CallReport) {
        if (m_state == State::Active) {
            ++m_stats.network.reportsReceived;
            m_estimator.onReport(m_adaptClock.elapsed(), event.report);
            applyAllocation(false);
        }
    } else if (type == T::CallKeyframe) {
        QMetaObject::invokeMethod(m_videoPipeline, [p = m_videoPipeline] { p->requestKeyframe(); });
    }
}

void CallSession::onError(int code, const QString &text, const QString &ref)
{
    // An older server does not know call_report (docs/protocol.md 13.2): stop sending it for
    // this call; the estimate then follows the send queue alone.
    if (ErrorCode(code) == ErrorCode::Unsupported && m_state == State::Active &&
        m_reportTimer.isActive()) {
        m_reportTimer.stop();
        return;
    }
    // Only an answer to the invite now ringing: an error for one given up a moment ago
    // must not end the next call.
    if (m_state != State::Outgoing || m_callId != 0 || ref.isEmpty() || ref != m_inviteRef)
        return;
    switch (ErrorCode(code)) {
    case ErrorCode::UserOffline:
        finish(tr("%1 is not online.").arg(m_peer));
        break;
    default: // refused for another reason (bad call, rate limit...): the server will not ring
        finish(tr("The call could not be made: %1").arg(text));
        break;
    }
}

void CallSession::onSessionState()
{
    if (m_state != State::Idle && m_session->state() != ClientSession::State::Online)
        finish(tr("The call ended: the connection to the server was lost."));
}

void CallSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void CallSession::startMedia()
{
    if (m_mediaRunning)
        return;
    m_mediaRunning = true;
    m_stats = {};
    VideoPipeline::Config video;
    video.camera = m_devices.camera;
    video.codec = m_devices.codec;
    AudioPipeline::Config audio;
    audio.microphone = m_devices.microphone;
    audio.speaker = m_devices.speaker;
    audio.processing = m_audioProcessing;
    const bool cameraOn = m_cameraOn && m_video;
    const bool muted = m_muted;
    QMetaObject::invokeMethod(m_videoPipeline, [p = m_videoPipeline, video, cameraOn] {
        p->setCameraOn(cameraOn);
        p->start(video);
    });
    QMetaObject::invokeMethod(m_audio, [p = m_audio, audio, muted] {
        p->setMuted(muted);
        p->start(audio);
    });
}

QString CallSession::chooseVideoCodec(const QString &preferred, const QStringList &peerCodecs)
{
    if (peerCodecs.isEmpty())
        return QStringLiteral("vp8");
    if (peerCodecs.contains(preferred))
        return preferred;
    for (const QString &c : {QStringLiteral("vp8"), QStringLiteral("jpeg")}) {
        if (peerCodecs.contains(c))
            return c;
    }
    return {};
}

QStringList CallSession::supportedCodecs(const QString &preferredVideo)
{
    QStringList list{QStringLiteral("opus"), preferredVideo};
    for (const QString &c : {QStringLiteral("vp8"), QStringLiteral("jpeg")}) {
        if (!list.contains(c))
            list << c;
    }
    return list;
}

void CallSession::beginSending()
{
    const quint32 call = m_callId;
    const QString codec = chooseVideoCodec(m_devices.codec, m_peerCodecs);
    if (m_video && codec.isEmpty())
        emit deviceProblem(tr("%1's app cannot show any video format this app sends; the call "
                              "goes on with voice only.")
                               .arg(m_peer));
    const bool video = m_video && !codec.isEmpty();
    m_video = video;
    QMetaObject::invokeMethod(m_videoPipeline, [p = m_videoPipeline, call, video, codec] {
        if (!codec.isEmpty())
            p->setCodec(codec);
        if (!video)
            p->setCameraOn(false); // a voice call: no camera light, no preview
        p->setSending(call, video);
    });
    QMetaObject::invokeMethod(m_audio, [p = m_audio, call] { p->setSending(call, true); });
    // A fresh estimate for each call: the last one's path may not be this one's. The user's
    // limit stays.
    const int ceiling = m_estimator.ceiling();
    m_estimator = BandwidthEstimator();
    m_estimator.setMaxStep(m_cameraMaxStep);
    m_estimator.setCeiling(0, ceiling);
    // Probes need TCP's view to see one fail within a round trip or two.
    m_estimator.setProbing(m_session->serverDiscardsProbes() && TcpSendBuffer::canSample());
    m_stats.network = {};
    {
        const std::lock_guard<std::mutex> lock(m_reportMutex);
        m_reportBuilder.reset();
    }
    m_adaptClock.start();
    applyAllocation(true);
    m_adaptTimer.start();
    m_reportTimer.start();
    m_mediaCallId.store(call);
    m_activeClock.start();
    m_mediaSent = mediaFor(m_video); // what the far end assumes until told otherwise
    setPeerMedia(false, m_video);
    setState(State::Active);
    sendMediaState(); // muted or camera off before the call was answered
}

void CallSession::finish(const QString &message, bool missed)
{
    if (m_state == State::Idle)
        return;
    m_mediaCallId.store(0); // nothing more in or out, from any thread
    if (m_adaptTimer.isActive()) {
        m_session->setProbeRate(0, 0);
        m_session->setMediaSendRate(0);
    }
    m_adaptTimer.stop();
    m_reportTimer.stop();
    if (m_mediaRunning) {
        // Devices are released at once: the pipelines stop on their threads right away.
        QMetaObject::invokeMethod(m_videoPipeline, &VideoPipeline::stop, Qt::QueuedConnection);
        QMetaObject::invokeMethod(m_audio, &AudioPipeline::stop, Qt::QueuedConnection);
        m_mediaRunning = false;
    }
    m_callId = 0;
    m_peerRinging = false;
    setPeerMedia(false, true);
    setState(State::Idle);
    emit ended(message, missed);
}

void CallSession::adapt()
{
    if (m_state != State::Active)
        return;
    const qint64 now = m_adaptClock.elapsed();
    const qint64 queued = m_session->queuedMediaBytes();
    m_stats.network.sendQueueBytes = int(std::min<qint64>(queued, INT_MAX));
    const TcpPathMonitor::View path = m_session->tcpPath();
    m_estimator.onTcpPath(now, path.queueMs, path.ackedKbps, path.recovering, queued);
    const qint64 dropped = m_session->mediaBytesDropped();
    m_estimator.onSendQueue(now, queued, m_session->mediaBytesAccepted() - dropped, dropped,
                            m_session->tcpRecovering());
    m_estimator.update(now);
    applyAllocation(false);
    m_session->setMediaSendRate(m_estimator.estimateKbps());
    m_session->setProbeRate(m_callId, m_estimator.probeKbps());
    qCDebug(lcBandwidth,
            "to %s %lld look queue=%lld tcp=%d ms acked=%d kbit/s%s est=%d probe=%d step=%d",
            qPrintable(m_peer), now, queued, path.queueMs, path.ackedKbps,
            path.recovering ? " recovering" : "", m_estimator.estimateKbps(),
            m_estimator.probeKbps(), m_estimator.allocation().step);
}

qint64 CallSession::probeBytesSent() const
{
    return m_session->probeBytesSent();
}

void CallSession::adaptToPath()
{
    if (m_state != State::Active || !m_adaptTimer.isActive())
        return;
    const TcpPathMonitor::View path = m_session->tcpPath();
    const int before = m_estimator.estimateKbps();
    m_estimator.onTcpPath(m_adaptClock.elapsed(), path.queueMs, path.ackedKbps, path.recovering,
                          m_session->queuedMediaBytes());
    qCDebug(lcBandwidth, "to %s %lld tcp queue=%d ms acked=%d kbit/s%s est=%d probe=%d",
            qPrintable(m_peer), m_adaptClock.elapsed(), path.queueMs, path.ackedKbps,
            path.recovering ? " recovering" : "", m_estimator.estimateKbps(),
            m_estimator.probeKbps());
    if (m_estimator.estimateKbps() == before && m_estimator.probeKbps() > 0)
        return;
    applyAllocation(false);
    m_session->setMediaSendRate(m_estimator.estimateKbps());
    m_session->setProbeRate(m_callId, m_estimator.probeKbps());
}

void CallSession::applyAllocation(bool force)
{
    const BandwidthEstimator::Allocation a = m_estimator.allocation();
    // A quarter second of the estimate may wait in the socket before video is dropped (at
    // least kVideoMinQueuedBytes, so a 320x240 frame after a keyframe fits; at most the old
    // fixed bound). Keyframes use the audio's bound. A floor of 32 kB let 0.7 s wait at 400
    // kbit/s after the netlab drop.
    m_videoQueueLimit.store(std::clamp<qint64>(qint64(a.estimateKbps) * 1000 / 8 / 4,
                                               kVideoMinQueuedBytes, kVideoMaxQueuedBytes));
    if (!force && a == m_applied)
        return;
    // Down the ladder: the video that waits is of the old size, and would only delay the new
    // size's keyframe (which follows the change) on a link already too slow for it.
    if (!force && a.step < m_applied.step)
        m_session->dropQueuedVideo();
    const bool videoChanged =
        force || a.step != m_applied.step || a.videoKbps != m_applied.videoKbps;
    const bool audioChanged = force || a.audioBitrate != m_applied.audioBitrate ||
                              a.audioLossPercent != m_applied.audioLossPercent;
    m_applied = a;
    if (videoChanged)
        QMetaObject::invokeMethod(m_videoPipeline,
                                  [p = m_videoPipeline, a] { p->setTarget(a.step, a.videoKbps); });
    if (audioChanged)
        QMetaObject::invokeMethod(
            m_audio, [p = m_audio, a] { p->setBitrate(a.audioBitrate, a.audioLossPercent); });
}

void CallSession::sendReport()
{
    if (m_state != State::Active)
        return;
    CallReport report;
    {
        const std::lock_guard<std::mutex> lock(m_reportMutex);
        report = m_reportBuilder.take(qint64(mediaClockUs()));
    }
    m_session->sendCallRequest(MessageEncoder::callReport(m_callId, {}, report));
}
