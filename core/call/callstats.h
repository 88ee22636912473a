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

struct CallStats
{
    VideoStats video;
    AudioStats audio;
};
Q_DECLARE_METATYPE(VideoStats)
Q_DECLARE_METATYPE(AudioStats)
Q_DECLARE_METATYPE(CallStats)
