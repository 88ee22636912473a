#include "imagepreview.h"

#include <QCoreApplication>
#include <QImageReader>

QImage ImagePreview::load(const QString &path, const QSize &box, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return QImage();
    };
    // A process-wide bound for every image Qt decodes (Qt 6's default is 128 MB; ours fits
    // a 64-megapixel image at 4 bytes a pixel).
    if (QImageReader::allocationLimit() != kAllocationLimitMb)
        QImageReader::setAllocationLimit(kAllocationLimitMb);
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty())
        return fail(QCoreApplication::translate("ImagePreview", "This is not an image Confab "
                                                                "can show."));
    if (qint64(size.width()) * size.height() > kMaxPixels)
        return fail(
            QCoreApplication::translate("ImagePreview", "The image is too large to show (%1 × %2).")
                .arg(size.width())
                .arg(size.height()));
    if (box.isValid() && (size.width() > box.width() || size.height() > box.height()))
        reader.setScaledSize(size.scaled(box, Qt::KeepAspectRatio).expandedTo(QSize(1, 1)));
    QImage image = reader.read();
    if (image.isNull())
        return fail(reader.errorString());
    return image;
}

QSize ImagePreview::declaredSize(const QString &path)
{
    return QImageReader(path).size();
}
