#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <cmath>
#include <vector>

// Goertzel: the power of one frequency in a block of 16-bit samples at 48 kHz. The audio
// tests compare it at the tone's frequency and at another to tell "the tone is there".
inline double tonePower(const qint16 *pcm, qsizetype n, double hz)
{
    const double c = 2 * std::cos(2 * M_PI * hz / 48000.0);
    double s1 = 0, s2 = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const double s = pcm[i] + c * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2;
}

inline double tonePower(const QByteArray &pcm, double hz)
{
    return tonePower(reinterpret_cast<const qint16 *>(pcm.constData()), pcm.size() / 2, hz);
}

inline double tonePower(const std::vector<qint16> &pcm, double hz)
{
    return tonePower(pcm.data(), qsizetype(pcm.size()), hz);
}
