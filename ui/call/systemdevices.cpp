#include "systemdevices.h"

#include <QAudioDevice>
#include <QCameraDevice>
#include <QMediaDevices>

namespace {

template <typename Device>
QList<CallFeature::Device> named(const QList<Device> &devices, const QString &prefix)
{
    QList<CallFeature::Device> list;
    for (const Device &d : devices)
        list.append({prefix + QString::fromUtf8(d.id()), d.description()});
    return list;
}

} // namespace

QList<CallFeature::Device> SystemDevices::list(DeviceSpec::Role role)
{
    switch (role) {
    case DeviceSpec::Role::Camera:
        return named(QMediaDevices::videoInputs(), QStringLiteral("camera:"));
    case DeviceSpec::Role::Microphone:
        return named(QMediaDevices::audioInputs(), QStringLiteral("mic:"));
    case DeviceSpec::Role::Speaker:
        return named(QMediaDevices::audioOutputs(), QStringLiteral("speaker:"));
    }
    return {};
}
