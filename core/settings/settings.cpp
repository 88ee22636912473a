#include "settings/settings.h"

#include <QUrl>

Settings::Settings() : m_settings() {}

Settings::Settings(const QString &iniPath) : m_settings(iniPath, QSettings::IniFormat) {}

QString Settings::serverAddress() const
{
    return m_settings
        .value(QStringLiteral("connection/server"), QStringLiteral("ws://localhost:8080"))
        .toString();
}

void Settings::setServerAddress(const QString &address)
{
    m_settings.setValue(QStringLiteral("connection/server"), address);
}

QString Settings::userName() const
{
    return m_settings.value(QStringLiteral("connection/name")).toString();
}

void Settings::setUserName(const QString &name)
{
    m_settings.setValue(QStringLiteral("connection/name"), name);
}

bool Settings::hostMode() const
{
    return m_settings.value(QStringLiteral("connection/host"), false).toBool();
}

void Settings::setHostMode(bool host)
{
    m_settings.setValue(QStringLiteral("connection/host"), host);
}

quint16 Settings::hostPort() const
{
    const int port = m_settings.value(QStringLiteral("connection/hostPort"), 8080).toInt();
    return port > 0 && port < 65536 ? quint16(port) : 8080;
}

void Settings::setHostPort(quint16 port)
{
    m_settings.setValue(QStringLiteral("connection/hostPort"), port);
}

int Settings::historyCacheLimit() const
{
    bool ok = false;
    const int n = m_settings.value(QStringLiteral("history/messagesPerConversation")).toInt(&ok);
    return ok && n >= 50 && n <= 1'000'000 ? n : 5000;
}

void Settings::setHistoryCacheLimit(int messages)
{
    m_settings.setValue(QStringLiteral("history/messagesPerConversation"), messages);
}

bool Settings::signedIn() const
{
    return m_settings.value(QStringLiteral("connection/signedIn"), false).toBool();
}

void Settings::setSignedIn(bool signedIn)
{
    m_settings.setValue(QStringLiteral("connection/signedIn"), signedIn);
}

Settings::Theme Settings::theme() const
{
    return themeFromName(m_settings.value(QStringLiteral("appearance/theme")).toString());
}

void Settings::setTheme(Theme theme)
{
    m_settings.setValue(QStringLiteral("appearance/theme"), themeName(theme));
}

QString Settings::language() const
{
    return m_settings.value(QStringLiteral("appearance/language")).toString();
}

void Settings::setLanguage(const QString &language)
{
    m_settings.setValue(QStringLiteral("appearance/language"), language);
}

bool Settings::sendWithCtrlEnter() const
{
    return m_settings.value(QStringLiteral("input/ctrlEnterSends"), false).toBool();
}

void Settings::setSendWithCtrlEnter(bool ctrlEnter)
{
    m_settings.setValue(QStringLiteral("input/ctrlEnterSends"), ctrlEnter);
}

QByteArray Settings::windowGeometry() const
{
    return m_settings.value(QStringLiteral("window/geometry")).toByteArray();
}

void Settings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(QStringLiteral("window/geometry"), geometry);
}

QByteArray Settings::windowState() const
{
    return m_settings.value(QStringLiteral("window/state")).toByteArray();
}

void Settings::setWindowState(const QByteArray &state)
{
    m_settings.setValue(QStringLiteral("window/state"), state);
}

QString Settings::themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

Settings::Theme Settings::themeFromName(const QString &name)
{
    if (name == QLatin1String("light"))
        return Theme::Light;
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

QString Settings::callCamera() const
{
    return m_settings.value(QStringLiteral("call/camera"), QString()).toString();
}

void Settings::setCallCamera(const QString &value)
{
    m_settings.setValue(QStringLiteral("call/camera"), value);
}

bool Settings::voiceProcessing(const QString &feature) const
{
    return m_settings.value(QStringLiteral("call/processing/") + feature, true).toBool();
}

void Settings::setVoiceProcessing(const QString &feature, bool on)
{
    m_settings.setValue(QStringLiteral("call/processing/") + feature, on);
}

QString Settings::callMicrophone() const
{
    return m_settings.value(QStringLiteral("call/microphone"), QString()).toString();
}

void Settings::setCallMicrophone(const QString &value)
{
    m_settings.setValue(QStringLiteral("call/microphone"), value);
}

QString Settings::callSpeaker() const
{
    return m_settings.value(QStringLiteral("call/speaker"), QString()).toString();
}

void Settings::setCallSpeaker(const QString &value)
{
    m_settings.setValue(QStringLiteral("call/speaker"), value);
}

QString Settings::videoCodec() const
{
    return m_settings.value(QStringLiteral("call/videoCodec"), QStringLiteral("vp8")).toString();
}

void Settings::setVideoCodec(const QString &value)
{
    m_settings.setValue(QStringLiteral("call/videoCodec"), value);
}

bool Settings::notificationsEnabled() const
{
    return m_settings.value(QStringLiteral("notifications/enabled"), true).toBool();
}

void Settings::setNotificationsEnabled(bool on)
{
    m_settings.setValue(QStringLiteral("notifications/enabled"), on);
}

bool Settings::sendReadReceipts() const
{
    return m_settings.value(QStringLiteral("privacy/readReceipts"), true).toBool();
}

void Settings::setSendReadReceipts(bool on)
{
    m_settings.setValue(QStringLiteral("privacy/readReceipts"), on);
}

bool Settings::notificationSound() const
{
    return m_settings.value(QStringLiteral("notifications/sound"), true).toBool();
}

void Settings::setNotificationSound(bool on)
{
    m_settings.setValue(QStringLiteral("notifications/sound"), on);
}

namespace {
// One key per account: its "ws://host:port/name" percent-encoded, as '/' separates groups.
QString mutedKey(const QString &account)
{
    return QStringLiteral("muted/") + QString::fromLatin1(QUrl::toPercentEncoding(account));
}
// The room's key is "": stored as "#", which no user name can be (NameRules).
const QString kRoom = QStringLiteral("#");
} // namespace

QStringList Settings::mutedConversations(const QString &account) const
{
    QStringList keys = m_settings.value(mutedKey(account)).toStringList();
    for (QString &k : keys) {
        if (k == kRoom)
            k.clear();
    }
    return keys;
}

void Settings::setMutedConversations(const QString &account, const QStringList &keys)
{
    QStringList stored;
    for (const QString &k : keys)
        stored << (k.isEmpty() ? kRoom : k);
    stored.removeDuplicates();
    if (stored.isEmpty())
        m_settings.remove(mutedKey(account));
    else
        m_settings.setValue(mutedKey(account), stored);
}
