#pragma once

#include <QObject>
#include <QStringList>

class ClientSession;
class Settings;
class TrayNotifier;

// What a message the user has not seen sets off (ChatController::notificationRequested: a
// private message or a mention, not the user's own, not in the conversation open in the
// active window): a desktop notification and a short chime, each as the settings say, and
// neither for a conversation the user muted. A muted conversation still counts its unread
// messages (that is the controller's). Mutes are kept per account in the settings.
class MessageAlerts : public QObject
{
    Q_OBJECT
public:
    MessageAlerts(ClientSession *session, Settings *settings, TrayNotifier *notifier,
                  QObject *parent = nullptr);

    bool isMuted(const QString &key) const;
    void setMuted(const QString &key, bool muted);
    // How many times the chime was started (there may be no sound card to hear it).
    int soundsPlayed() const { return m_soundsPlayed; }

    // A message's notification, from the controller.
    void onMessage(const QString &title, const QString &text, const QString &key);
    // Anything else worth a notification (an incoming or missed call): the settings' on/off
    // only, no chime (the call rings on its own) and no mute.
    void notify(const QString &title, const QString &text, const QString &key);

signals:
    void mutedChanged(const QString &key, bool muted);
    void soundPlayed();

private:
    QString account() const;
    void playSound();

    ClientSession *m_session;
    Settings *m_settings;
    TrayNotifier *m_notifier;
    QObject *m_sound = nullptr; // a QSoundEffect, made at the first chime: no audio set-up before
    int m_soundsPlayed = 0;
};
