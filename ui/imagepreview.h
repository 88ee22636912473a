#pragma once

#include <QImage>
#include <QSize>
#include <QString>

// Images from the network decoded with bounds (docs/protocol.md section 18): a picture whose
// header claims more than kMaxPixels is refused before any pixel is decoded (a small PNG can
// say it is 100,000 × 100,000 — a decompression bomb), every decode runs under Qt's
// allocation limit, and a thumbnail is decoded at its shown size (QImageReader::setScaledSize),
// not decoded whole and shrunk.
class ImagePreview
{
public:
    static constexpr qint64 kMaxPixels = 64LL * 1024 * 1024; // 64 megapixels
    static constexpr int kAllocationLimitMb = 256;

    // The image at `path`, scaled down (never up) to fit `box` keeping its shape; a null
    // image and *error when it cannot be read, is not an image, or is too large.
    static QImage load(const QString &path, const QSize &box, QString *error = nullptr);
    // Width and height as its header says, without decoding it (invalid when unreadable).
    static QSize declaredSize(const QString &path);
};
