#include "messagealerts.h"

#include "medialoader.h"
#include "mediamodule.h"
#include "net/clientsession.h"
#include "net/serveraddress.h"
#include "settings/settings.h"
#include "traynotifier.h"

#include <QUrl>

MessageAlerts::MessageAlerts(ClientSession *session, Settings *settings, TrayNotifier *notifier,
                             QObject *parent)
    : QObject(parent), m_session(session), m_settings(settings), m_notifier(notifier)
{}

QString MessageAlerts::account() const
{
    return ServerAddress::accountKey(m_session->url(), m_session->name());
}

bool MessageAlerts::isMuted(const QString &key) const
{
    return m_settings->mutedConversations(account()).contains(key);
}

void MessageAlerts::setMuted(const QString &key, bool muted)
{
    if (isMuted(key) == muted)
        return;
    QStringList keys = m_settings->mutedConversations(account());
    if (muted)
        keys.append(key);
    else
        keys.removeAll(key);
    m_settings->setMutedConversations(account(), keys);
    emit mutedChanged(key, muted);
}

void MessageAlerts::onMessage(const QString &title, const QString &text, const QString &key)
{
    if (isMuted(key))
        return;
    notify(title, text, key);
    if (m_settings->notificationSound())
        playSound();
}

void MessageAlerts::notify(const QString &title, const QString &text, const QString &key)
{
    if (m_settings->notificationsEnabled())
        m_notifier->notify(title, text, key);
}

void MessageAlerts::playSound()
{
    // The player comes from the media module, loaded at the first chime: a client that never
    // chimes maps no audio libraries. Without the module the chime is skipped (MediaLoader
    // says why on stderr, once).
    if (!m_sound) {
        if (MediaModule *media = MediaLoader::module()) {
            m_sound = media->createSoundEffect(this);
            m_sound->setProperty("source", QUrl(QStringLiteral("qrc:/sounds/message.wav")));
            m_sound->setProperty("volume", 0.6f);
        }
    }
    // A burst of messages is one chime, not a pile of them (each counts as asked for).
    if (m_sound && !m_sound->property("playing").toBool())
        QMetaObject::invokeMethod(m_sound, "play");
    ++m_soundsPlayed;
    emit soundPlayed();
}
