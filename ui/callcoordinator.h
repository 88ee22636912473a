#pragma once

#include "media/audioprocessor.h"

#include <QObject>
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
class CallCoordinator : public QObject
{
    Q_OBJECT
public:
    CallCoordinator(CallSession *calls, Settings *settings, QWidget *mainWindow);

    // The user asked to call `peer` (user list, conversation header).
    void startCall(const QString &peer, bool video = true);

    CallSession *calls() const { return m_calls; }
    CallWindow *callWindow() const;
    IncomingCallDialog *incomingDialog() const;

signals:
    // For the status bar: why a call could not start, or how one ended.
    void notice(const QString &message);
    // An incoming call that was never answered: for the tray.
    void missedCall(const QString &from, const QString &message);
    // Someone is calling: for the tray when the main window is not in front.
    void ringing(const QString &from, const QString &message);

private:
    void onIncoming(const QString &from, bool video);
    void onEnded(const QString &message, bool missed);
    void showWindow();
    // Each voice-processing switch: its settings name and its place in the features.
    static const std::array<std::pair<const char *, bool AudioProcessor::Features::*>, 4> &
    processingSwitches();

    CallSession *m_calls;
    Settings *m_settings;
    QWidget *m_mainWindow;
    QPointer<CallWindow> m_window;
    QPointer<IncomingCallDialog> m_dialog;
};
