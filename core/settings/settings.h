#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

// The user's choices, kept with QSettings in the platform's usual place (an INI file under
// ~/.config on Linux, the registry on Windows, a plist on macOS).
class Settings
{
public:
    enum class Theme { System, Light, Dark };

    Settings();
    // For tests: settings in a file of their own.
    explicit Settings(const QString &iniPath);

    QString serverAddress() const;
    void setServerAddress(const QString &address);
    QString userName() const;
    void setUserName(const QString &name);
    bool hostMode() const;
    void setHostMode(bool host);
    quint16 hostPort() const;
    void setHostPort(quint16 port);
    // Whether the user signs in to an account (its token is in the keychain) or is a guest.
    bool signedIn() const;
    void setSignedIn(bool signedIn);

    Theme theme() const;
    void setTheme(Theme theme);
    // "" follows the system; otherwise a locale name such as "en" or "zh_CN".
    QString language() const;
    void setLanguage(const QString &language);
    // How many messages of each conversation the local history cache keeps (5,000; a value
    // outside 50..1,000,000 or not a number gives the default).
    int historyCacheLimit() const;
    void setHistoryCacheLimit(int messages);
    bool sendWithCtrlEnter() const;
    void setSendWithCtrlEnter(bool ctrlEnter);

    // Call devices, as specs for CallSession::Devices ("" = the system's default).
    QString callCamera() const;
    void setCallCamera(const QString &value);
    QString callMicrophone() const;
    void setCallMicrophone(const QString &value);
    QString callSpeaker() const;
    void setCallSpeaker(const QString &value);
    // The microphone's clean-up, each part on or off (all on by default): `feature` is
    // "echoCancellation", "noiseSuppression", "automaticGain" or "highPassFilter".
    bool voiceProcessing(const QString &feature) const;
    void setVoiceProcessing(const QString &feature, bool on);
    // "vp8" (default) or "jpeg".
    QString videoCodec() const;
    void setVideoCodec(const QString &value);

    // Desktop notifications (private messages, mentions, calls) and their sound; both on by
    // default.
    bool notificationsEnabled() const;
    void setNotificationsEnabled(bool on);
    bool notificationSound() const;
    void setNotificationSound(bool on);
    // Whether the other party of a private conversation learns that its messages were read
    // (docs/protocol.md section 19); on by default. "Delivered" is sent either way.
    bool sendReadReceipts() const;
    void setSendReadReceipts(bool on);
    // The conversations of `account` (ServerAddress::accountKey) that neither notify nor
    // sound: partner names, "" for the room.
    QStringList mutedConversations(const QString &account) const;
    void setMutedConversations(const QString &account, const QStringList &keys);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);

    void sync() { m_settings.sync(); }

    static QString themeName(Theme theme);
    static Theme themeFromName(const QString &name);

private:
    QSettings m_settings;
};
