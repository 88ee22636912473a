#pragma once

#include "callfeature.h"
#include "media/audioprocessor.h"

#include <QPointer>

#include <array>
#include <utility>

class CallSession;
class CallWindow;
class IncomingCallDialog;
class Settings;
class QWidget;

// Puts the CallSession on screen: the incoming-call dialog when someone calls, the call
// window while a call is being made or is on, the device choices into the settings, and a
// notice for the main window when a call ends without a window to say so (missed calls).
// In the media module: the client reaches it as a CallFeature through CallLauncher.
class CallCoordinator : public CallFeature
{
    Q_OBJECT
public:
    CallCoordinator(CallSession *calls, Settings *settings, QObject *parent = nullptr);

    void setMainWindow(QWidget *window) override;
    // The user asked to call `peer` (user list, conversation header).
    void startCall(const QString &peer, bool video = true) override;
    void hangUp() override;
    void handleCallEvent(const ServerMessage &event) override;
    CallDevices devices() const override;
    void setDevice(DeviceSpec::Role role, const QString &spec) override;
    QList<Device> availableDevices(DeviceSpec::Role role) const override;

    CallSession *calls() const { return m_calls; }
    CallWindow *callWindow() const;
    IncomingCallDialog *incomingDialog() const;

private:
    void onIncoming(const QString &from, bool video);
    void onEnded(const QString &message, bool missed);
    void showWindow();
    // Each voice-processing switch: its settings name and its place in the features.
    static const std::array<std::pair<const char *, bool AudioProcessor::Features::*>, 4> &
    processingSwitches();

    CallSession *m_calls;
    Settings *m_settings;
    QPointer<QWidget> m_mainWindow;
    QPointer<CallWindow> m_window;
    QPointer<IncomingCallDialog> m_dialog;
};
