#pragma once

#include <QByteArray>
#include <QString>

struct OpusEncoder;

// Opus for voice: 48 kHz mono, 20 ms frames, VOIP mode with in-band FEC, so the receiver
// can rebuild a lost frame from the next packet. A plain class: tested without devices.
class VoiceEncoder
{
public:
    static constexpr int kSampleRate = 48000;
    static constexpr int kFrameSamples = 960; // 20 ms

    VoiceEncoder() = default;
    ~VoiceEncoder();
    VoiceEncoder(const VoiceEncoder &) = delete;
    VoiceEncoder &operator=(const VoiceEncoder &) = delete;

    bool open(int bitrate = 24000, int expectedLossPercent = 10, QString *error = nullptr);
    // Changed during a call as the bandwidth estimate moves (BandwidthEstimator): bit/s, and
    // the loss in-band FEC is made for (more loss: more of each packet protects the one
    // before). Both no-ops before open().
    void setBitrate(int bitrate);
    void setExpectedLoss(int percent);
    int bitrate() const;
    // One 20 ms frame (kFrameSamples samples) in, one packet out; empty on error.
    QByteArray encode(const qint16 *pcm);

private:
    OpusEncoder *m_encoder = nullptr;
};
