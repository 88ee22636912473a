#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

#include <optional>

// The one grammar for the call devices, used by the command line (to refuse a typo at
// start), the settings and the factories (VideoSource, AudioCapture, AudioPlayback):
//
//   camera      test-pattern | file:PATH | camera | camera:ID | "" (the default camera)
//   microphone  tone         | file:PATH | mic    | mic:ID    | ""
//   speaker     none                     | speaker | speaker:ID | ""
class DeviceSpec
{
    Q_DECLARE_TR_FUNCTIONS(DeviceSpec)
public:
    enum class Role { Camera, Microphone, Speaker };
    enum class Kind {
        Synthetic, // test-pattern, tone, or no sound output
        File,
        Device, // deviceId() empty: the system's default
    };

    // nullopt, with *error saying what is allowed, for anything else.
    static std::optional<DeviceSpec> parse(Role role, const QString &spec,
                                           QString *error = nullptr);
    // "use test-pattern, file:PATH, camera or camera:ID" (for command-line messages).
    static QString usage(Role role);

    Kind kind() const { return m_kind; }
    QString filePath() const { return m_filePath; }
    QByteArray deviceId() const { return m_deviceId; }

private:
    Kind m_kind = Kind::Device;
    QString m_filePath;
    QByteArray m_deviceId;
};
