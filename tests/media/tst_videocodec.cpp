#include "media/testpatternsource.h"
#include "media/videodecoder.h"
#include "media/videoencoder.h"
#include "protocol/mediapacketheader.h"

#include <opencv2/core.hpp>

#include <QBuffer>
#include <QColor>
#include <QImage>
#include <QTest>

#include <memory>

class TestVideoCodec : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip_data()
    {
        QTest::addColumn<int>("codec");
        QTest::addColumn<double>("minPsnr");
        QTest::newRow("VP8") << int(MediaPacketHeader::Vp8) << 27.0;
        QTest::newRow("JPEG") << int(MediaPacketHeader::Jpeg) << 30.0;
    }
    void roundTrip()
    {
        QFETCH(int, codec);
        QFETCH(double, minPsnr);
        std::unique_ptr<VideoEncoder> encoder = codec == MediaPacketHeader::Vp8
                                                    ? VideoEncoder::createVp8()
                                                    : VideoEncoder::createJpeg();
        std::unique_ptr<VideoDecoder> decoder = VideoDecoder::create(quint8(codec));
        QVERIFY(decoder);
        QString error;
        QVERIFY2(encoder->open(640, 480, 30, 800, &error), qPrintable(error));
        QCOMPARE(encoder->codecId(), quint8(codec));
        const TestPatternSource source;
        qint64 bytes = 0;
        double worstPsnr = 1000;
        const int frames = 60;
        for (quint32 n = 1000; n < 1000 + frames; ++n) {
            const VideoFrame in = source.frame(n, n * 33333);
            if (n == 1030)
                encoder->requestKeyframe();
            const VideoEncoder::Packet packet = encoder->encode(in);
            QVERIFY(!packet.data.isEmpty());
            if (n == 1000 || n == 1030)
                QVERIFY2(packet.keyframe, "keyframe at the start and on request");
            bytes += packet.data.size();
            const VideoFrame out = decoder->decode(packet.data);
            QVERIFY(!out.isNull());
            QCOMPARE(out.image.cols, 640);
            QCOMPARE(out.image.rows, 480);
            // The receiver reads the frame number back out of the decoded picture.
            QCOMPARE(TestPatternSource::readNumber(out.image), qint64(n));
            if (n >= 1010) // after the rate control has settled
                worstPsnr = qMin(worstPsnr, cv::PSNR(in.image, out.image));
        }
        QVERIFY2(worstPsnr >= minPsnr, qPrintable(QString::number(worstPsnr)));
        const double kbps = bytes * 8.0 / (frames / 30.0) / 1000.0;
        qInfo("%s: %.0f kbit/s at 640x480/30, worst PSNR %.1f dB", QTest::currentDataTag(), kbps,
              worstPsnr);
        if (codec == MediaPacketHeader::Vp8)
            QVERIFY2(kbps < 1200, qPrintable(QString::number(kbps))); // asked for 800
    }
    // Issue 13: VP8's target changes during a call without reopening, its rate control counts
    // real time (15 fps frames carry the same bit rate as 30 fps ones), and a new size comes
    // out at that size. Behaviour over many frames, not a timing figure.
    void vp8FollowsItsTarget()
    {
        std::unique_ptr<VideoEncoder> encoder = VideoEncoder::createVp8();
        QString error;
        QVERIFY2(encoder->open(640, 480, 30, 1500, &error), qPrintable(error));
        const TestPatternSource source;
        cv::RNG random(42);
        quint32 n = 0;
        quint64 us = 1'000'000;
        // A moving pattern with noise: more detail than any target here can hold, so the
        // encoder spends what it is allowed.
        auto kbps = [&](int frames, int fps) {
            qint64 bytes = 0;
            for (int f = 0; f < frames; ++f) {
                VideoFrame frame = source.frame(n++, us);
                cv::Mat noise(frame.image.size(), frame.image.type());
                random.fill(noise, cv::RNG::UNIFORM, 0, 24);
                frame.image += noise;
                bytes += encoder->encode(frame).data.size();
                us += quint64(1'000'000 / fps);
            }
            return double(bytes) * 8 / (double(frames) / fps) / 1000;
        };
        kbps(60, 30); // the first keyframe and the rate control settling
        const double high = kbps(150, 30);
        encoder->setBitrate(400);
        kbps(60, 30);
        const double low = kbps(150, 30);
        qInfo("VP8 at 1500 and at 400 kbit/s: %.0f, %.0f kbit/s", high, low);
        QVERIFY2(high > 1000 && high < 2000, qPrintable(QString::number(high)));
        QVERIFY2(low > 250 && low < 600, qPrintable(QString::number(low)));
        // Half the frames, the same target: about the same bit rate (bigger frames).
        kbps(30, 15);
        const double low15 = kbps(75, 15);
        qInfo("VP8 at 400 kbit/s, 15 fps: %.0f kbit/s", low15);
        QVERIFY2(low15 > 250 && low15 < 600, qPrintable(QString::number(low15)));

        // A new size: reopened, the decoder sees 320x240 from the next (key)frame on.
        QVERIFY(encoder->open(320, 240, 15, 200, &error));
        QCOMPARE(encoder->width(), 320);
        const VideoEncoder::Packet p = encoder->encode(source.frame(n++, us));
        QVERIFY(p.keyframe);
        std::unique_ptr<VideoDecoder> decoder = VideoDecoder::create(MediaPacketHeader::Vp8);
        const VideoFrame out = decoder->decode(p.data);
        QCOMPARE(out.image.cols, 320);
        QCOMPARE(out.image.rows, 240);
    }

    void brokenPacketsGiveNullFrames()
    {
        for (quint8 codec : {quint8(MediaPacketHeader::Vp8), quint8(MediaPacketHeader::Jpeg)}) {
            std::unique_ptr<VideoDecoder> decoder = VideoDecoder::create(codec);
            QVERIFY(decoder->decode(QByteArray()).isNull());
            QVERIFY(decoder->decode(QByteArray(5000, '\x42')).isNull());
        }
        QVERIFY(!VideoDecoder::create(MediaPacketHeader::Opus));
    }
    void hostileVp8SizesGiveNoCrash_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::newRow("odd") << 641 << 481;
        QTest::newRow("tiny odd") << 1 << 1;
        QTest::newRow("huge") << 16383 << 16383;
    }
    void hostileVp8SizesGiveNoCrash()
    {
        // A peer rewrites the size in a valid keyframe's header: the decoder must give a null
        // frame or an even-sized, bounded picture, never throw or allocate gigabytes.
        QFETCH(int, width);
        QFETCH(int, height);
        auto encoder = VideoEncoder::createVp8();
        QVERIFY(encoder->open(640, 480, 30, 800, nullptr));
        QByteArray key = encoder->encode(TestPatternSource().frame(1, 0)).data;
        QVERIFY(key.size() > 10);
        QCOMPARE(quint8(key[3]), quint8(0x9d)); // keyframe start code
        key[6] = char(width & 0xFF);
        key[7] = char((width >> 8) & 0x3F);
        key[8] = char(height & 0xFF);
        key[9] = char((height >> 8) & 0x3F);
        auto decoder = VideoDecoder::create(MediaPacketHeader::Vp8);
        const VideoFrame f = decoder->decode(key);
        if (!f.isNull()) {
            QCOMPARE(f.image.cols % 2, 0);
            QCOMPARE(f.image.rows % 2, 0);
            QVERIFY(f.image.cols <= 1920 && f.image.rows <= 1088);
        }
    }
    void hostileJpegsGiveNullFrames_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<bool>("decoded");
        QTest::newRow("640x480 as sent") << 640 << 480 << true;
        QTest::newRow("1920x1088, the largest") << 1920 << 1088 << true;
        QTest::newRow("one column too wide") << 1921 << 1088 << false;
        QTest::newRow("one row too high") << 1920 << 1089 << false;
        QTest::newRow("65535x65535") << 65535 << 65535 << false;
        QTest::newRow("zero width") << 0 << 480 << false;
    }
    void hostileJpegsGiveNullFrames()
    {
        // A peer rewrites the size in a valid JPEG's frame header (SOF0): the size is checked
        // before decoding, so a giant picture is never allocated; allowed sizes decode (the
        // rest of the picture is then missing: libjpeg fills it in).
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(bool, decoded);
        auto encoder = VideoEncoder::createJpeg();
        QVERIFY(encoder->open(640, 480, 30, 0, nullptr));
        QByteArray jpeg = encoder->encode(TestPatternSource().frame(1, 0)).data;
        const qsizetype sof = jpeg.indexOf(QByteArrayLiteral("\xFF\xC0"));
        QVERIFY(sof > 0 && sof + 9 < jpeg.size());
        QCOMPARE((quint8(jpeg[sof + 5]) << 8) | quint8(jpeg[sof + 6]), 480);
        QCOMPARE((quint8(jpeg[sof + 7]) << 8) | quint8(jpeg[sof + 8]), 640);
        jpeg[sof + 5] = char(height >> 8);
        jpeg[sof + 6] = char(height & 0xFF);
        jpeg[sof + 7] = char(width >> 8);
        jpeg[sof + 8] = char(width & 0xFF);
        const VideoFrame f = VideoDecoder::create(MediaPacketHeader::Jpeg)->decode(jpeg);
        QCOMPARE(!f.isNull(), decoded);
        if (decoded) {
            QCOMPARE(f.image.cols, width);
            QCOMPARE(f.image.rows, height);
            QCOMPARE(f.image.type(), CV_8UC3);
        }
    }
    void brokenJpegsGiveNullFramesOrPictures()
    {
        // Cut short, bytes flipped, or another image format: a null frame or a picture of the
        // sent size, never a crash. The decoder reads JPEG only (no guessing the format).
        auto encoder = VideoEncoder::createJpeg();
        QVERIFY(encoder->open(640, 480, 30, 0, nullptr));
        const QByteArray jpeg = encoder->encode(TestPatternSource().frame(7, 0)).data;
        auto decoder = VideoDecoder::create(MediaPacketHeader::Jpeg);
        auto check = [](const VideoFrame &f) {
            return f.isNull() || (f.image.cols == 640 && f.image.rows == 480);
        };
        for (qsizetype cut :
             {qsizetype(2), qsizetype(4), qsizetype(20), jpeg.size() / 2, jpeg.size() - 2})
            QVERIFY2(check(decoder->decode(jpeg.left(cut))), qPrintable(QString::number(cut)));
        QByteArray flipped = jpeg;
        for (qsizetype i = 2; i < flipped.size(); i += 97)
            flipped[i] = char(~quint8(flipped[i]));
        QVERIFY(check(decoder->decode(flipped)));

        QImage image(64, 48, QImage::Format_RGB32);
        image.fill(Qt::red);
        for (const char *format : {"png", "bmp", "ppm"}) {
            QByteArray other;
            QBuffer buffer(&other);
            buffer.open(QIODevice::WriteOnly);
            QVERIFY(image.save(&buffer, format));
            QVERIFY2(decoder->decode(other).isNull(), format);
        }
        // The pixels come back in BGR order.
        QImage red(640, 480, QImage::Format_RGB32);
        red.fill(QColor(250, 10, 10));
        QByteArray redJpeg;
        QBuffer redBuffer(&redJpeg);
        redBuffer.open(QIODevice::WriteOnly);
        QVERIFY(red.save(&redBuffer, "jpeg"));
        const VideoFrame f = decoder->decode(redJpeg);
        QVERIFY(!f.isNull());
        const cv::Vec3b pixel = f.image.at<cv::Vec3b>(240, 320);
        QVERIFY2(pixel[2] > 200 && pixel[1] < 50 && pixel[0] < 50,
                 qPrintable(QStringLiteral("%1 %2 %3").arg(pixel[0]).arg(pixel[1]).arg(pixel[2])));
    }
    void patternNumbersAreDistinctAndChecked()
    {
        const TestPatternSource source(400, 240); // 24 blocks of 16 px need 392 px
        QCOMPARE(TestPatternSource::readNumber(source.frame(0, 0).image), 0);
        QCOMPARE(TestPatternSource::readNumber(source.frame(0xABCDEF, 0).image), 0xABCDEF);
        cv::Mat gray(240, 400, CV_8UC3, cv::Scalar(128, 128, 128));
        QCOMPARE(TestPatternSource::readNumber(gray), -1);
    }
};

QTEST_GUILESS_MAIN(TestVideoCodec)
#include "tst_videocodec.moc"
