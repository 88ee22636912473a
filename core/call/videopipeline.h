#pragma once

#include "call/callstats.h"
#include "call/latestframe.h"
#include "media/videodecoder.h"
#include "media/videoencoder.h"
#include "media/videoframe.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

class VideoSource;

// The video half of a call, living on a thread of its own: camera -> preview and encoder ->
// packets for the server; packets from the server -> decoder -> the newest picture for the
// window. The GUI thread drives it with queued calls and takes pictures from the
// LatestFrame slots, so nothing here ever waits for the window.
class VideoPipeline : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        QString camera = QStringLiteral("test-pattern"); // VideoSource::create's spec
        QString codec = QStringLiteral("vp8");           // or "jpeg"
        // What test sources make and the encoder starts at (the ladder's middle step);
        // cameras are asked for the ladder's top (deviceSize) so it can be used when offered.
        int width = 640;
        int height = 480;
        int fps = 30;
        int bitrateKbps = 800;
        QSize deviceSize{1280, 720};
    };

    explicit VideoPipeline(QObject *parent = nullptr);
    ~VideoPipeline() override;

    LatestFrame *preview() { return &m_preview; }
    LatestFrame *remote() { return &m_remote; }

    // All of these are called through queued invocations from the GUI thread.
    Q_INVOKABLE void start(const VideoPipeline::Config &config);
    Q_INVOKABLE void setSending(quint32 callId, bool sending);
    // The codec to send with ("vp8" or "jpeg"), as agreed with the far end.
    Q_INVOKABLE void setCodec(const QString &codec);
    Q_INVOKABLE void setCameraOn(bool on);
    Q_INVOKABLE void setCamera(const QString &spec);
    Q_INVOKABLE void receive(const QByteArray &packet);
    Q_INVOKABLE void requestKeyframe();
    // The bandwidth estimate's choice (BandwidthEstimator::Allocation): a step of the ladder
    // and VP8's target. The step is capped by what the source delivers (a 640x480 camera
    // never sends 720p). Until the first call the pipeline sends at its Config's size and rate.
    Q_INVOKABLE void setTarget(int step, int kbps);
    Q_INVOKABLE void stop();

signals:
    void packetReady(const QByteArray &packet);
    void previewReady();
    void remoteReady();
    // The decoder is missing a reference: ask the sender for a keyframe.
    void keyframeNeeded();
    void cameraFailed(const QString &message);
    void cameraStarted(const QString &description);
    void statsUpdated(const VideoStats &stats);
    // The highest ladder step the source's pictures allow changed (their size is known).
    void maxStepChanged(int step);

private:
    void openCamera();
    void openEncoder();
    void onCaptured(const VideoFrame &frame);
    void reportStats();
    void applyTarget();

    Config m_config;
    VideoSource *m_source = nullptr;
    std::unique_ptr<VideoEncoder> m_encoder;
    std::unique_ptr<VideoDecoder> m_decoder;
    quint8 m_decoderCodec = 0;
    quint32 m_callId = 0;
    bool m_sending = false;
    bool m_cameraOn = true;
    quint32 m_sequence = 0;
    // Adaptation: -1 = none asked for (Config's size and rate).
    int m_requestedStep = -1;
    int m_targetKbps = 0;
    int m_step = -1;          // what is sent now
    int m_sourceMaxStep = -1; // from the source's picture size, -1 before the first
    QSize m_sourceSize;
    QSize m_encodeSize;
    int m_sendFps = 0; // 0: every frame the source makes
    quint64 m_lastEncodedUs = 0;
    LatestFrame m_preview;
    LatestFrame m_remote;

    // Receiving: loss and keyframe requests.
    bool m_haveSequence = false;
    quint32 m_expected = 0;
    bool m_waitingForKeyframe = false;
    QElapsedTimer m_lastKeyframeRequest;
    QElapsedTimer m_lastKeyframeSent;

    // Counters for the current second.
    QTimer m_statsTimer{this}; // a child, so it moves with the object to its thread
    QElapsedTimer m_statsClock;
    int m_sentFrames = 0;
    qint64 m_sentBytes = 0;
    int m_receivedFrames = 0; // decoded
    int m_receivedPackets = 0;
    qint64 m_receivedBytes = 0;
    int m_missing = 0;
    qint64 m_cpuNs = 0;
    QSize m_sentSize;
    QSize m_receivedSize;
    std::vector<double> m_latenciesMs;
};
Q_DECLARE_METATYPE(VideoPipeline::Config)
