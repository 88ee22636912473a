#include "call/videopipeline.h"

#include "call/bandwidthestimator.h"
#include "call/threadcputimer.h"
#include "media/mediaclock.h"
#include "media/videosource.h"
#include "protocol/mediapacketheader.h"

#include <QImage>

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <mutex>

namespace {
constexpr qint32 kResyncDistance = 1000; // packets, ~30 s of video

QImage toImage(const cv::Mat &bgr)
{
    return QImage(bgr.data, bgr.cols, bgr.rows, int(bgr.step), QImage::Format_BGR888).copy();
}
} // namespace

VideoPipeline::VideoPipeline(QObject *parent) : QObject(parent)
{
    m_statsTimer.setInterval(1000);
    connect(&m_statsTimer, &QTimer::timeout, this, &VideoPipeline::reportStats);
}

VideoPipeline::~VideoPipeline()
{
    stop();
}

void VideoPipeline::start(const Config &config)
{
    stop();
    // OpenCV's own worker threads would take the colour conversions off this thread for a
    // few hundred microseconds at the price of a wake-up each; one picture at a time is
    // cheaper done here, and the CPU figure of the statistics then counts all of it.
    // Once per process: each call tears down and rebuilds OpenCV's global TBB arena, which
    // crashed (SIGSEGV in tbb::detail::r1::terminate) when a second pipeline started while
    // another converted pictures in it (two users in one process: net.callsession).
    static std::once_flag singleThreaded;
    std::call_once(singleThreaded, [] { cv::setNumThreads(1); });
    m_config = config;
    m_encodeSize = QSize(config.width, config.height);
    m_requestedStep = -1;
    m_step = -1;
    m_targetKbps = config.bitrateKbps;
    m_sendFps = 0;
    m_lastEncodedUs = 0;
    m_sourceSize = {};
    m_sourceMaxStep = -1; // told again with the first picture (another camera, another size)
    openEncoder();
    m_sequence = 0;
    m_haveSequence = false;
    m_waitingForKeyframe = false;
    m_statsClock.start();
    m_statsTimer.start();
    if (m_cameraOn)
        openCamera();
}

void VideoPipeline::openEncoder()
{
    m_encoder = m_config.codec == QLatin1String("jpeg") ? VideoEncoder::createJpeg()
                                                        : VideoEncoder::createVp8();
    QString error;
    if (!m_encoder->open(m_encodeSize.width(), m_encodeSize.height(), m_config.fps, m_targetKbps,
                         &error)) {
        m_encoder.reset();
        emit cameraFailed(tr("The video encoder cannot start: %1").arg(error));
    }
}

void VideoPipeline::setCodec(const QString &codec)
{
    if (codec == m_config.codec)
        return;
    m_config.codec = codec;
    if (m_statsTimer.isActive())
        openEncoder(); // starts with a keyframe
}

void VideoPipeline::openCamera()
{
    delete m_source;
    m_source = nullptr;
    QString error;
    // A camera is asked for the ladder's top size (it picks its nearest mode); test patterns
    // and files are made at the Config's size.
    const QString &spec = m_config.camera;
    const bool device = spec.isEmpty() || spec == QLatin1String("camera") ||
                        spec.startsWith(QLatin1String("camera:"));
    const QSize size = device ? m_config.deviceSize : QSize(m_config.width, m_config.height);
    m_source = VideoSource::create(spec, size.width(), size.height(), m_config.fps, &error, this);
    if (!m_source) {
        emit cameraFailed(error);
        return;
    }
    connect(m_source, &VideoSource::frameCaptured, this, &VideoPipeline::onCaptured);
    connect(m_source, &VideoSource::failed, this, &VideoPipeline::cameraFailed);
    m_source->start();
}

void VideoPipeline::setSending(quint32 callId, bool sending)
{
    m_callId = callId;
    m_sending = sending;
    if (sending && m_encoder)
        m_encoder->requestKeyframe(); // the receiver starts from nothing
}

void VideoPipeline::setCameraOn(bool on)
{
    if (on == m_cameraOn)
        return;
    m_cameraOn = on;
    if (!m_statsTimer.isActive())
        return; // not in a call: takes effect at start()
    if (on) {
        openCamera();
        if (m_encoder)
            m_encoder->requestKeyframe();
    } else {
        // Off means off: the device is released (its light goes out), nothing is sent.
        delete m_source;
        m_source = nullptr;
        m_preview.take();
    }
}

void VideoPipeline::setCamera(const QString &spec)
{
    m_config.camera = spec;
    if (m_statsTimer.isActive() && m_cameraOn) {
        openCamera();
        if (m_encoder)
            m_encoder->requestKeyframe();
    }
}

void VideoPipeline::onCaptured(const VideoFrame &frame)
{
    if (!m_cameraOn || frame.isNull())
        return;
    if (m_preview.publish(toImage(frame.image), frame.captureTimeUs))
        emit previewReady();
    const QSize sourceSize(frame.image.cols, frame.image.rows);
    if (sourceSize != m_sourceSize) {
        // The ladder's highest step whose pictures fit in the source's.
        m_sourceSize = sourceSize;
        int top = 0;
        for (int i = 1; i < BandwidthEstimator::kSteps; ++i) {
            const QSize s = BandwidthEstimator::step(i).size;
            if (s.width() <= sourceSize.width() && s.height() <= sourceSize.height())
                top = i;
        }
        if (top != m_sourceMaxStep) {
            m_sourceMaxStep = top;
            emit maxStepChanged(top);
            applyTarget();
        }
    }
    if (!m_sending || !m_encoder)
        return;
    // The ladder's lower frame rate: frames closer than 80% of its interval to the last one
    // sent are skipped (a 30 fps source at 15 sends every other one).
    if (m_sendFps > 0 && m_lastEncodedUs != 0 && frame.captureTimeUs > m_lastEncodedUs &&
        frame.captureTimeUs - m_lastEncodedUs < quint64(800000 / m_sendFps))
        return;
    m_lastEncodedUs = frame.captureTimeUs;
    const ThreadCpuTimer cpu;
    const VideoEncoder::Packet p = m_encoder->encode(frame);
    m_cpuNs += cpu.elapsedNs();
    if (p.data.isEmpty())
        return;
    MediaPacketHeader h;
    h.kind = MediaPacketHeader::Video;
    h.codec = m_encoder->codecId();
    h.flags = p.keyframe ? MediaPacketHeader::Keyframe : 0;
    h.callId = m_callId;
    h.sequence = m_sequence++;
    h.captureTimeUs = frame.captureTimeUs;
    const QByteArray packet = h.serialize(p.data);
    ++m_sentFrames;
    m_sentBytes += packet.size();
    m_sentSize = QSize(frame.image.cols, frame.image.rows);
    emit packetReady(packet);
}

void VideoPipeline::receive(const QByteArray &packet)
{
    const auto h = MediaPacketHeader::parse(packet);
    if (!h || h->kind != MediaPacketHeader::Video)
        return;
    m_receivedBytes += packet.size();
    ++m_receivedPackets;
    if (m_haveSequence) {
        const qint32 gap = qint32(h->sequence - m_expected);
        // Late or duplicate: showing it would go backwards. Far behind is no reordering but
        // a sender that started its count over: follow it rather than freeze.
        if (gap < 0 && gap > -kResyncDistance)
            return;
        if (gap > 0) {
            if (gap < kResyncDistance) // a jump further is a restart, not that much loss
                m_missing += gap;
            m_waitingForKeyframe = h->codec == MediaPacketHeader::Vp8;
        }
    }
    m_haveSequence = true;
    m_expected = h->sequence + 1;

    if (!m_decoder || m_decoderCodec != h->codec) {
        m_decoder = VideoDecoder::create(h->codec);
        m_decoderCodec = h->codec;
        m_waitingForKeyframe = h->codec == MediaPacketHeader::Vp8;
    }
    if (!m_decoder)
        return;
    const bool keyframe = h->flags & MediaPacketHeader::Keyframe;
    if (keyframe)
        m_waitingForKeyframe = false;
    auto askForKeyframe = [this] {
        if (!m_lastKeyframeRequest.isValid() || m_lastKeyframeRequest.elapsed() > 500) {
            m_lastKeyframeRequest.start();
            emit keyframeNeeded();
        }
    };
    if (m_waitingForKeyframe) {
        askForKeyframe(); // a delta frame after a loss would decode into garbage
        return;
    }
    const ThreadCpuTimer cpu;
    const VideoFrame frame = m_decoder->decode(packet.mid(MediaPacketHeader::kSize));
    m_cpuNs += cpu.elapsedNs();
    if (frame.isNull()) {
        m_waitingForKeyframe = h->codec == MediaPacketHeader::Vp8;
        askForKeyframe();
        return;
    }
    ++m_receivedFrames;
    m_receivedSize = QSize(frame.image.cols, frame.image.rows);
    m_latenciesMs.push_back(double(qint64(mediaClockUs() - h->captureTimeUs)) / 1000.0);
    if (m_remote.publish(toImage(frame.image), h->captureTimeUs))
        emit remoteReady();
}

void VideoPipeline::requestKeyframe()
{
    // At most one forced keyframe per 500 ms, however often the far end asks: keyframes
    // are several times larger than other frames.
    if (!m_encoder || (m_lastKeyframeSent.isValid() && m_lastKeyframeSent.elapsed() < 500))
        return;
    m_lastKeyframeSent.start();
    m_encoder->requestKeyframe();
}

void VideoPipeline::setTarget(int step, int kbps)
{
    m_requestedStep = qBound(0, step, BandwidthEstimator::kSteps - 1);
    m_targetKbps =
        qBound(BandwidthEstimator::kMinVideoKbps, kbps, BandwidthEstimator::kMaxVideoKbps);
    applyTarget();
}

void VideoPipeline::applyTarget()
{
    if (m_requestedStep < 0)
        return;
    const int cap = m_sourceMaxStep < 0 ? BandwidthEstimator::kSteps - 1 : m_sourceMaxStep;
    const int step = std::min(m_requestedStep, cap);
    const BandwidthEstimator::Step s = BandwidthEstimator::step(step);
    m_step = step;
    m_sendFps = s.fps;
    const int kbps = std::min(m_targetKbps, s.maxKbps);
    if (s.size != m_encodeSize) {
        // Another size: a new encoder (its first frame is a keyframe, which the receiver's
        // decoder needs for the new size anyway).
        m_encodeSize = s.size;
        m_targetKbps = kbps;
        if (m_encoder)
            openEncoder();
        return;
    }
    if (m_encoder)
        m_encoder->setBitrate(kbps);
}

void VideoPipeline::stop()
{
    m_statsTimer.stop();
    delete m_source; // releases the camera now
    m_source = nullptr;
    m_encoder.reset();
    m_decoder.reset();
    m_decoderCodec = 0;
    m_sending = false;
    m_callId = 0;
    m_preview.take();
    m_remote.take();
}

void VideoPipeline::reportStats()
{
    const double seconds = qMax<qint64>(1, m_statsClock.restart()) / 1000.0;
    VideoStats s;
    s.sentSize = m_sentSize;
    s.receivedSize = m_receivedSize;
    s.sentFps = m_sentFrames / seconds;
    s.receivedFps = m_receivedFrames / seconds;
    s.sentKbps = m_sentBytes * 8 / 1000.0 / seconds;
    s.receivedKbps = m_receivedBytes * 8 / 1000.0 / seconds;
    const int due = m_receivedPackets + m_missing;
    s.lossPercent = due > 0 ? 100.0 * m_missing / due : 0;
    if (!m_latenciesMs.empty()) {
        auto mid = m_latenciesMs.begin() + long(m_latenciesMs.size() / 2);
        std::nth_element(m_latenciesMs.begin(), mid, m_latenciesMs.end());
        s.latencyMs = *mid;
    }
    s.encodeCpuPercent = m_cpuNs / 1e7 / seconds;
    s.ladderStep = m_step;
    s.targetKbps =
        m_encoder ? std::min(m_targetKbps,
                             m_step >= 0 ? BandwidthEstimator::step(m_step).maxKbps : m_targetKbps)
                  : 0;
    m_sentFrames = m_receivedFrames = m_receivedPackets = m_missing = 0;
    m_sentBytes = m_receivedBytes = m_cpuNs = 0;
    m_latenciesMs.clear();
    emit statsUpdated(s);
}
