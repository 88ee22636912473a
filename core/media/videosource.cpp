#include "media/videosource.h"

#include "media/devicespec.h"
#include "media/filevideosource.h"
#include "media/qtcamerasource.h"
#include "media/testpatterncamera.h"

VideoSource *VideoSource::create(const QString &spec, int width, int height, int fps,
                                 QString *error, QObject *parent)
{
    const std::optional<DeviceSpec> d = DeviceSpec::parse(DeviceSpec::Role::Camera, spec, error);
    if (!d)
        return nullptr;
    switch (d->kind()) {
    case DeviceSpec::Kind::Synthetic:
        return new TestPatternCamera(width, height, fps, parent);
    case DeviceSpec::Kind::File:
        return new FileVideoSource(d->filePath(), width, height, fps, parent);
    case DeviceSpec::Kind::Device:
        break;
    }
    return new QtCameraSource(d->deviceId(), width, height, fps, parent);
}
