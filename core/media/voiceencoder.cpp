#include "media/voiceencoder.h"

#include <opus.h>

VoiceEncoder::~VoiceEncoder()
{
    if (m_encoder)
        opus_encoder_destroy(m_encoder);
}

bool VoiceEncoder::open(int bitrate, int expectedLossPercent, QString *error)
{
    if (m_encoder) { // opened again (AudioPipeline::start() for the next call): start afresh
        opus_encoder_destroy(m_encoder);
        m_encoder = nullptr;
    }
    int status = OPUS_OK;
    m_encoder = opus_encoder_create(kSampleRate, 1, OPUS_APPLICATION_VOIP, &status);
    if (status != OPUS_OK || !m_encoder) {
        if (error)
            *error = QString::fromLatin1(opus_strerror(status));
        m_encoder = nullptr;
        return false;
    }
    opus_encoder_ctl(m_encoder, OPUS_SET_BITRATE(bitrate));
    opus_encoder_ctl(m_encoder, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(m_encoder, OPUS_SET_PACKET_LOSS_PERC(expectedLossPercent));
    opus_encoder_ctl(m_encoder, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    return true;
}

QByteArray VoiceEncoder::encode(const qint16 *pcm)
{
    if (!m_encoder)
        return {};
    QByteArray packet(1275, Qt::Uninitialized); // Opus' largest packet
    const opus_int32 bytes =
        opus_encode(m_encoder, pcm, kFrameSamples, reinterpret_cast<unsigned char *>(packet.data()),
                    opus_int32(packet.size()));
    if (bytes < 0)
        return {};
    packet.resize(bytes);
    return packet;
}

void VoiceEncoder::setBitrate(int bitrate)
{
    if (m_encoder)
        opus_encoder_ctl(m_encoder, OPUS_SET_BITRATE(qBound(6000, bitrate, 128000)));
}

void VoiceEncoder::setExpectedLoss(int percent)
{
    if (!m_encoder)
        return;
    opus_encoder_ctl(m_encoder, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(m_encoder, OPUS_SET_PACKET_LOSS_PERC(qBound(0, percent, 100)));
}

int VoiceEncoder::bitrate() const
{
    opus_int32 value = 0;
    if (m_encoder)
        opus_encoder_ctl(m_encoder, OPUS_GET_BITRATE(&value));
    return int(value);
}
