#pragma once

#include <QMetaType>
#include <QSize>

// What the call window's statistics overlay shows, refreshed once a second. -1 means "not
// known yet" (no frame received, no audio played).
struct VideoStats
{
    QSize sentSize;
    QSize receivedSize;
    double sentFps = 0;
    double receivedFps = 0;
    double sentKbps = 0;
    double receivedKbps = 0;
    double lossPercent = 0;      // video packets missing from the sequence
    double latencyMs = -1;       // capture to decoded, last second's median
    double encodeCpuPercent = 0; // of one core, encoding plus decoding
    // What the sender encodes at: the ladder's step (BandwidthEstimator::step(): 0 =
    // 320x240@15, 1 = 640x480@30, 2 = 1280x720@30), -1 when it does not adapt; and VP8's
    // target, kbit/s. sentSize and sentFps are what it really sent.
    int ladderStep = -1;
    int targetKbps = 0;
};

struct AudioStats
{
    double sentKbps = 0;
    double receivedKbps = 0;
    double lossPercent = 0; // concealed frames among those due
    int jitterDelayMs = 0;  // what the jitter buffer delays playout now (not its target)
    int jitterTargetMs = 0; // the delay it is moving to, from the measured jitter
    double latencyMs = -1;  // capture to playout, excluding the device's buffer
};

// The call's bandwidth estimate (BandwidthEstimator) and how it is spent, on the sending side.
struct NetworkStats
{
    int estimateKbps = -1;    // all media this side may send; -1 before the call is active
    int videoKbps = 0;        // video's share (VP8's target, before the camera's cap)
    int audioBitrate = 0;     // Opus, bit/s
    int audioLossPercent = 0; // the loss Opus' in-band FEC is made for
    int ladderStep = -1;      // the estimator's step; VideoStats::ladderStep is what is sent
    int decreases = 0;        // times the estimate was cut in this call
    int reportsReceived = 0;  // the far end's call_reports
    int sendQueueBytes = 0;   // media waiting in the socket, last sample
};

struct CallStats
{
    VideoStats video;
    AudioStats audio;
    NetworkStats network;
};
Q_DECLARE_METATYPE(VideoStats)
Q_DECLARE_METATYPE(AudioStats)
Q_DECLARE_METATYPE(NetworkStats)
Q_DECLARE_METATYPE(CallStats)
