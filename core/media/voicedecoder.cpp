#include "media/voicedecoder.h"

#include "media/voiceencoder.h"

#include <opus.h>

VoiceDecoder::~VoiceDecoder()
{
    if (m_decoder)
        opus_decoder_destroy(m_decoder);
}

bool VoiceDecoder::open(QString *error)
{
    if (m_decoder) { // opened again (AudioPlayback::start() once more): start afresh
        opus_decoder_destroy(m_decoder);
        m_decoder = nullptr;
    }
    int status = OPUS_OK;
    m_decoder = opus_decoder_create(VoiceEncoder::kSampleRate, 1, &status);
    if (status != OPUS_OK || !m_decoder) {
        if (error)
            *error = QString::fromLatin1(opus_strerror(status));
        m_decoder = nullptr;
        return false;
    }
    return true;
}

bool VoiceDecoder::decode(const QByteArray &packet, qint16 *pcm)
{
    if (!m_decoder || packet.isEmpty())
        return false;
    const int samples =
        opus_decode(m_decoder, reinterpret_cast<const unsigned char *>(packet.constData()),
                    opus_int32(packet.size()), pcm, VoiceEncoder::kFrameSamples, 0);
    return samples == VoiceEncoder::kFrameSamples;
}

bool VoiceDecoder::conceal(qint16 *pcm, const QByteArray &next)
{
    if (!m_decoder)
        return false;
    const bool fec = !next.isEmpty();
    const int samples = opus_decode(
        m_decoder, fec ? reinterpret_cast<const unsigned char *>(next.constData()) : nullptr,
        fec ? opus_int32(next.size()) : 0, pcm, VoiceEncoder::kFrameSamples, fec ? 1 : 0);
    return samples == VoiceEncoder::kFrameSamples;
}
