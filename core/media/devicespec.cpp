#include "media/devicespec.h"

namespace {

struct Grammar
{
    QLatin1String synthetic; // test source
    QLatin1String device;    // "camera": the default; "camera:ID" a given one
    bool files;
};

Grammar grammarOf(DeviceSpec::Role role)
{
    switch (role) {
    case DeviceSpec::Role::Camera:
        return {QLatin1String("test-pattern"), QLatin1String("camera"), true};
    case DeviceSpec::Role::Microphone:
        return {QLatin1String("tone"), QLatin1String("mic"), true};
    case DeviceSpec::Role::Speaker:
        break;
    }
    return {QLatin1String("none"), QLatin1String("speaker"), false};
}

} // namespace

std::optional<DeviceSpec> DeviceSpec::parse(Role role, const QString &spec, QString *error)
{
    const Grammar g = grammarOf(role);
    const QString idPrefix = g.device + QLatin1Char(':');
    DeviceSpec d;
    if (spec == g.synthetic) {
        d.m_kind = Kind::Synthetic;
    } else if (g.files && spec.startsWith(QLatin1String("file:")) && spec.size() > 5) {
        d.m_kind = Kind::File;
        d.m_filePath = spec.mid(5);
    } else if (spec.isEmpty() || spec == g.device) {
        d.m_kind = Kind::Device;
    } else if (spec.startsWith(idPrefix) && spec.size() > idPrefix.size()) {
        d.m_kind = Kind::Device;
        d.m_deviceId = spec.mid(idPrefix.size()).toUtf8();
    } else {
        if (error) {
            switch (role) {
            case Role::Camera:
                *error = tr("Unknown camera \"%1\": use test-pattern, file:PATH, camera or "
                            "camera:ID.")
                             .arg(spec);
                break;
            case Role::Microphone:
                *error =
                    tr("Unknown microphone \"%1\": use tone, file:PATH, mic or mic:ID.").arg(spec);
                break;
            case Role::Speaker:
                *error = tr("Unknown speaker \"%1\": use none, speaker or speaker:ID.").arg(spec);
                break;
            }
        }
        return std::nullopt;
    }
    return d;
}

QString DeviceSpec::usage(Role role)
{
    const Grammar g = grammarOf(role);
    return g.files ? QStringLiteral("use %1, file:PATH, %2 or %2:ID").arg(g.synthetic, g.device)
                   : QStringLiteral("use %1, %2 or %2:ID").arg(g.synthetic, g.device);
}
