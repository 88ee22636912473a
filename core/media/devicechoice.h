#pragma once

#include <QByteArray>
#include <QList>

// Which device a source or output opens: the one with `id`, or for an empty id the
// system's default (else the first listed: Qt 6.4 does not always know the PulseAudio
// default). A null device when there is none to be had. Works for QAudioDevice and
// QCameraDevice alike.
template <typename Device>
Device chooseDevice(const QList<Device> &devices, const QByteArray &id, const Device &systemDefault)
{
    if (id.isEmpty())
        return !systemDefault.isNull() || devices.isEmpty() ? systemDefault : devices.first();
    for (const Device &d : devices) {
        if (d.id() == id)
            return d;
    }
    return Device();
}
