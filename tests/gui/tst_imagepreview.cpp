// Images from the network are decoded with bounds (ImagePreview, docs/protocol.md section 18):
// a thumbnail at its shown size, never scaled up, and a picture whose header claims billions
// of pixels (a decompression bomb) refused before a pixel is decoded.
#include "imagepreview.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

namespace {

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char byte : data) {
        crc ^= quint8(byte);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray chunk(const QByteArray &type, const QByteArray &data)
{
    QByteArray out(4, '\0');
    qToBigEndian<quint32>(quint32(data.size()), out.data());
    out += type + data;
    QByteArray crc(4, '\0');
    qToBigEndian<quint32>(crc32(type + data), crc.data());
    return out + crc;
}

// A valid PNG header that says the image is width × height, and a few bytes of pixels: what
// a decoder that trusts the header would allocate gigabytes for.
QByteArray bombPng(quint32 width, quint32 height)
{
    QByteArray ihdr(13, '\0');
    qToBigEndian<quint32>(width, ihdr.data());
    qToBigEndian<quint32>(height, ihdr.data() + 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // RGB
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) +
           chunk("IDAT", QByteArray::fromHex("789c030000000001")) + chunk("IEND", {});
}

} // namespace

class TestImagePreview : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &bytes)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            return {};
        return f.fileName();
    }

private slots:
    void thumbnailIsDecodedAtItsSize()
    {
        QImage photo(400, 300, QImage::Format_RGB32);
        photo.fill(Qt::darkCyan);
        const QString path = m_dir.filePath(QStringLiteral("photo.png"));
        QVERIFY(photo.save(path));
        QCOMPARE(ImagePreview::declaredSize(path), QSize(400, 300));
        const QImage thumb = ImagePreview::load(path, QSize(160, 160));
        QCOMPARE(thumb.size(), QSize(160, 120));
        QCOMPARE(thumb.pixelColor(80, 60), QColor(Qt::darkCyan));
        // Small pictures are not blown up.
        QImage icon(50, 40, QImage::Format_RGB32);
        icon.fill(Qt::red);
        const QString small = m_dir.filePath(QStringLiteral("icon.png"));
        QVERIFY(icon.save(small));
        QCOMPARE(ImagePreview::load(small, QSize(160, 160)).size(), QSize(50, 40));
    }

    void decompressionBombIsRefused()
    {
        const QString path = write(QStringLiteral("bomb.png"), bombPng(100000, 100000));
        QCOMPARE(ImagePreview::declaredSize(path), QSize(100000, 100000));
        QString error;
        const QImage image = ImagePreview::load(path, QSize(160, 160), &error);
        QVERIFY(image.isNull());
        QVERIFY2(error.contains(QLatin1String("too large")), qPrintable(error));
        // Also full size (the click that opens it).
        QVERIFY(ImagePreview::load(path, QSize(), &error).isNull());
    }

    void notAnImageIsSaidSo()
    {
        const QString path = write(QStringLiteral("notes.png"), QByteArray(5000, 'x'));
        QString error;
        QVERIFY(ImagePreview::load(path, QSize(160, 160), &error).isNull());
        QVERIFY(!error.isEmpty());
        QVERIFY(
            ImagePreview::load(m_dir.filePath(QStringLiteral("missing.png")), {}, &error).isNull());
    }
};

QTEST_MAIN(TestImagePreview)
#include "tst_imagepreview.moc"
