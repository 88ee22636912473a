#include "calllauncher.h"

#include "medialoader.h"
#include "mediamodule.h"
#include "net/clientsession.h"
#include "protocol/messageencoder.h"
#include "protocol/servermessage.h"

#include <QWidget>

CallLauncher::CallLauncher(ClientSession *session, Settings *settings, const CallDevices &devices,
                           QObject *parent)
    : QObject(parent), m_session(session), m_settings(settings), m_devices(devices)
{
    // Before the module is loaded only an invite matters: it loads the module and is handed on.
    m_inviteWatch =
        connect(session, &ClientSession::callEventReceived, this, &CallLauncher::onCallEvent);
}

CallLauncher::CallLauncher(CallFeature *feature, QObject *parent) : QObject(parent)
{
    attach(feature);
}

void CallLauncher::setMainWindow(QWidget *window)
{
    m_mainWindow = window;
    if (m_feature)
        m_feature->setMainWindow(window);
}

CallFeature *CallLauncher::feature()
{
    if (m_feature || !m_session)
        return m_feature;
    MediaModule *module = MediaLoader::module(&m_loadError); // tried once per process
    if (!module)
        return nullptr;        // each caller says what it could not do
    disconnect(m_inviteWatch); // the calls watch the session themselves from now on
    attach(module->createCalls(m_session, m_settings, m_devices, this));
    return m_feature;
}

void CallLauncher::attach(CallFeature *feature)
{
    m_feature = feature;
    feature->setParent(this);
    connect(feature, &CallFeature::notice, this, &CallLauncher::notice);
    connect(feature, &CallFeature::missedCall, this, &CallLauncher::missedCall);
    connect(feature, &CallFeature::ringing, this, &CallLauncher::ringing);
    if (m_mainWindow)
        feature->setMainWindow(m_mainWindow);
}

void CallLauncher::onCallEvent(const ServerMessage &event)
{
    if (m_feature || event.type != ServerMessage::Type::CallInvite)
        return;
    if (CallFeature *calls = feature()) {
        calls->handleCallEvent(event);
        return;
    }
    // No module: "busy" at once rather than ringing for nothing; both sides keep it as a missed
    // call, so the user learns of it (a "declined" would say the user saw it).
    m_session->sendCallRequest(
        MessageEncoder::callRequest(QStringLiteral("call_busy"), event.callId));
    emit notice(
        tr("%1 called you, but calls are not available here: %2").arg(event.from, m_loadError));
}

void CallLauncher::startCall(const QString &peer, bool video)
{
    if (CallFeature *calls = feature())
        calls->startCall(peer, video);
    else
        emit notice(tr("Calls are not available: %1").arg(m_loadError));
}

void CallLauncher::hangUp()
{
    if (m_feature)
        m_feature->hangUp();
}

CallDevices CallLauncher::devices() const
{
    return m_feature ? m_feature->devices() : m_devices;
}

void CallLauncher::setDevice(DeviceSpec::Role role, const QString &spec)
{
    if (m_feature) {
        m_feature->setDevice(role, spec);
        return;
    }
    switch (role) {
    case DeviceSpec::Role::Camera:
        m_devices.camera = spec;
        break;
    case DeviceSpec::Role::Microphone:
        m_devices.microphone = spec;
        break;
    case DeviceSpec::Role::Speaker:
        m_devices.speaker = spec;
        break;
    }
}

QList<CallFeature::Device> CallLauncher::availableDevices(DeviceSpec::Role role)
{
    CallFeature *calls = feature();
    return calls ? calls->availableDevices(role) : QList<CallFeature::Device>{};
}
