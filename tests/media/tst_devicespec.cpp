// DeviceSpec: the one grammar of --camera/--mic/--speaker, the settings and the factories.
#include "media/devicespec.h"

#include <QTest>

using Role = DeviceSpec::Role;
using Kind = DeviceSpec::Kind;

class TestDeviceSpec : public QObject
{
    Q_OBJECT
private slots:
    void validSpecs_data()
    {
        QTest::addColumn<Role>("role");
        QTest::addColumn<QString>("spec");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("id");
        QTest::newRow("test pattern")
            << Role::Camera << "test-pattern" << Kind::Synthetic << "" << QByteArray();
        QTest::newRow("video file")
            << Role::Camera << "file:/v/a b.avi" << Kind::File << "/v/a b.avi" << QByteArray();
        QTest::newRow("default camera")
            << Role::Camera << "camera" << Kind::Device << "" << QByteArray();
        QTest::newRow("empty = default")
            << Role::Camera << "" << Kind::Device << "" << QByteArray();
        QTest::newRow("given camera") << Role::Camera << "camera:/dev/video2" << Kind::Device << ""
                                      << QByteArray("/dev/video2");
        QTest::newRow("tone") << Role::Microphone << "tone" << Kind::Synthetic << ""
                              << QByteArray();
        QTest::newRow("wav file") << Role::Microphone << "file:x.wav" << Kind::File << "x.wav"
                                  << QByteArray();
        QTest::newRow("given mic") << Role::Microphone << "mic:alsa_input.usb" << Kind::Device << ""
                                   << QByteArray("alsa_input.usb");
        QTest::newRow("no output")
            << Role::Speaker << "none" << Kind::Synthetic << "" << QByteArray();
        QTest::newRow("default speaker")
            << Role::Speaker << "speaker" << Kind::Device << "" << QByteArray();
        QTest::newRow("given speaker")
            << Role::Speaker << "speaker:null" << Kind::Device << "" << QByteArray("null");
    }
    void validSpecs()
    {
        QFETCH(Role, role);
        QFETCH(QString, spec);
        const auto d = DeviceSpec::parse(role, spec);
        QVERIFY(d);
        QTEST(d->kind(), "kind");
        QTEST(d->filePath(), "file");
        QTEST(d->deviceId(), "id");
    }

    void otherSpecsAreRefusedWithTheGrammar_data()
    {
        QTest::addColumn<Role>("role");
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("allowed");
        QTest::newRow("other kind") << Role::Camera << "webcam"
                                    << "test-pattern, file:PATH, camera or camera:ID";
        QTest::newRow("empty id") << Role::Camera << "camera:"
                                  << "test-pattern, file:PATH, camera or camera:ID";
        QTest::newRow("empty file") << Role::Microphone << "file:"
                                    << "tone, file:PATH, mic or mic:ID";
        QTest::newRow("another role's source") << Role::Microphone << "test-pattern"
                                               << "tone, file:PATH, mic or mic:ID";
        QTest::newRow("no files for speakers") << Role::Speaker << "file:/tmp/x"
                                               << "none, speaker or speaker:ID";
        QTest::newRow("case matters") << Role::Speaker << "NONE"
                                      << "none, speaker or speaker:ID";
    }
    void otherSpecsAreRefusedWithTheGrammar()
    {
        QFETCH(Role, role);
        QFETCH(QString, spec);
        QFETCH(QString, allowed);
        QString error;
        QVERIFY(!DeviceSpec::parse(role, spec, &error));
        QVERIFY2(error.contains(QLatin1Char('"') + spec + QLatin1Char('"')), qPrintable(error));
        QVERIFY2(error.contains(allowed), qPrintable(error));
        QCOMPARE(DeviceSpec::usage(role), QStringLiteral("use ") + allowed);
        QVERIFY(!DeviceSpec::parse(role, spec)); // no error wanted: none written
    }
};

QTEST_GUILESS_MAIN(TestDeviceSpec)
#include "tst_devicespec.moc"
