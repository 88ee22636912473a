#pragma once

#include <QByteArray>
#include <QString>

struct OpusDecoder;

// Decodes VoiceEncoder's packets, and conceals what never arrived: from the next packet's
// in-band FEC when it is there, else with Opus' packet-loss concealment.
class VoiceDecoder
{
public:
    VoiceDecoder() = default;
    ~VoiceDecoder();
    VoiceDecoder(const VoiceDecoder &) = delete;
    VoiceDecoder &operator=(const VoiceDecoder &) = delete;

    bool open(QString *error = nullptr);
    // Writes one frame (VoiceEncoder::kFrameSamples samples); false on a broken packet.
    bool decode(const QByteArray &packet, qint16 *pcm);
    // A lost frame: rebuilt from `next` (the packet after it) when it carries FEC.
    bool conceal(qint16 *pcm, const QByteArray &next = {});

private:
    OpusDecoder *m_decoder = nullptr;
};
