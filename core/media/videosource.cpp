#include "media/videosource.h"

#include "media/filevideosource.h"
#include "media/qtcamerasource.h"
#include "media/testpatterncamera.h"

VideoSource *VideoSource::create(const QString &spec, int width, int height, int fps,
                                 QString *error, QObject *parent)
{
    if (spec == QLatin1String("test-pattern"))
        return new TestPatternCamera(width, height, fps, parent);
    if (spec.startsWith(QLatin1String("file:")) && spec.size() > 5)
        return new FileVideoSource(spec.mid(5), width, height, fps, parent);
    if (spec.isEmpty() || spec == QLatin1String("camera"))
        return new QtCameraSource({}, width, height, fps, parent);
    if (spec.startsWith(QLatin1String("camera:")) && spec.size() > 7)
        return new QtCameraSource(spec.mid(7).toUtf8(), width, height, fps, parent);
    if (error)
        *error = QObject::tr("Unknown camera \"%1\": use test-pattern, file:PATH, camera or "
                             "camera:ID.")
                     .arg(spec);
    return nullptr;
}
