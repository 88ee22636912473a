#pragma once

#include "call/calldevices.h"
#include "media/devicespec.h"

#include <QList>
#include <QObject>

struct ServerMessage;
class QWidget;

// Calls as the chat windows see them. The media module implements it (CallCoordinator over a
// CallSession, ui/call/); the client program links none of the media stack, so a chat-only
// session never loads Qt Multimedia, the codecs or OpenCV (issue 14). CallLauncher owns it.
class CallFeature : public QObject
{
    Q_OBJECT
public:
    struct Device
    {
        QString spec;        // a DeviceSpec string: "camera:ID", "mic:ID", "speaker:ID"
        QString description; // the system's name for it
    };

    using QObject::QObject;

    // The window that the incoming-call dialog and the call window belong to.
    virtual void setMainWindow(QWidget *window) = 0;
    virtual void startCall(const QString &peer, bool video) = 0;
    // Ends a call in any state (quitting): the far end hears "hung up".
    virtual void hangUp() = 0;
    // A call event that arrived before the module was loaded: the invite that loaded it.
    virtual void handleCallEvent(const ServerMessage &event) = 0;
    virtual CallDevices devices() const = 0;
    // A device chosen in the settings: a call in progress switches at once.
    virtual void setDevice(DeviceSpec::Role role, const QString &spec) = 0;
    // The system's devices for `role`.
    virtual QList<Device> availableDevices(DeviceSpec::Role role) const = 0;

signals:
    // For the status bar: why a call could not start, or how one ended.
    void notice(const QString &message);
    // An incoming call that was never answered: for the tray.
    void missedCall(const QString &from, const QString &message);
    // Someone is calling: for the tray when the main window is not in front.
    void ringing(const QString &from, const QString &message);
};
