#pragma once

#include "call/calldevices.h"
#include "callfeature.h"

#include <QObject>
#include <QPointer>

class ClientSession;
class Settings;
class QWidget;
struct ServerMessage;

// The client's side of calls, without the media stack: it holds the devices chosen for this
// run and loads the media module (MediaLoader) when calls are first needed: the user calls
// someone, someone calls the user, or the Devices page lists the devices. Until then a
// logged-in client maps none of Qt Multimedia, the codecs or OpenCV (issue 14).
class CallLauncher : public QObject
{
    Q_OBJECT
public:
    CallLauncher(ClientSession *session, Settings *settings, const CallDevices &devices,
                 QObject *parent = nullptr);
    // Calls that already exist (programs that link the media code, the tests).
    explicit CallLauncher(CallFeature *feature, QObject *parent = nullptr);

    void setMainWindow(QWidget *window);
    // The calls, loading the module if needed; nullptr when it cannot be loaded (loadError()
    // says why).
    CallFeature *feature();
    // The calls if the module was loaded, without loading it.
    CallFeature *loadedFeature() const { return m_feature; }
    QString loadError() const { return m_loadError; }

    void startCall(const QString &peer, bool video = true);
    // Ends a call in any state; nothing when calls were never loaded.
    void hangUp();
    CallDevices devices() const;
    // Kept for the first call when the module is not loaded yet.
    void setDevice(DeviceSpec::Role role, const QString &spec);
    // Loads the module; empty (loadError() says why) when it cannot.
    QList<CallFeature::Device> availableDevices(DeviceSpec::Role role);

signals:
    void notice(const QString &message);
    void missedCall(const QString &from, const QString &message);
    void ringing(const QString &from, const QString &message);

private:
    void attach(CallFeature *feature);
    void onCallEvent(const ServerMessage &event);

    ClientSession *m_session = nullptr;
    Settings *m_settings = nullptr;
    CallDevices m_devices;
    QPointer<QWidget> m_mainWindow;
    QPointer<CallFeature> m_feature; // a child of this launcher
    QString m_loadError;
    QMetaObject::Connection m_inviteWatch;
};
