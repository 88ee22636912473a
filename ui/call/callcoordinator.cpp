#include "callcoordinator.h"

#include "call/callsession.h"
#include "callwindow.h"
#include "incomingcalldialog.h"
#include "settings/settings.h"
#include "systemdevices.h"

#include <QApplication>
#include <QScreen>

CallCoordinator::CallCoordinator(CallSession *calls, Settings *settings, QObject *parent)
    : CallFeature(parent), m_calls(calls), m_settings(settings)
{
    connect(calls, &CallSession::incomingCall, this, &CallCoordinator::onIncoming);
    connect(calls, &CallSession::ended, this, &CallCoordinator::onEnded);
    // What the user switched off in an earlier call stays off.
    AudioProcessor::Features features;
    for (const auto &[name, feature] : processingSwitches())
        features.*feature = m_settings->voiceProcessing(QLatin1String(name));
    m_calls->setAudioProcessing(features);
}

const std::array<std::pair<const char *, bool AudioProcessor::Features::*>, 4> &
CallCoordinator::processingSwitches()
{
    static const std::array<std::pair<const char *, bool AudioProcessor::Features::*>, 4> list{{
        {"echoCancellation", &AudioProcessor::Features::echoCancellation},
        {"noiseSuppression", &AudioProcessor::Features::noiseSuppression},
        {"automaticGain", &AudioProcessor::Features::automaticGain},
        {"highPassFilter", &AudioProcessor::Features::highPassFilter},
    }};
    return list;
}

void CallCoordinator::setMainWindow(QWidget *window)
{
    m_mainWindow = window;
}

void CallCoordinator::hangUp()
{
    m_calls->hangUp();
}

void CallCoordinator::handleCallEvent(const ServerMessage &event)
{
    m_calls->handleEvent(event);
}

CallDevices CallCoordinator::devices() const
{
    return m_calls->devices();
}

void CallCoordinator::setDevice(DeviceSpec::Role role, const QString &spec)
{
    switch (role) {
    case DeviceSpec::Role::Camera:
        m_calls->setCamera(spec);
        break;
    case DeviceSpec::Role::Microphone:
        m_calls->setMicrophone(spec);
        break;
    case DeviceSpec::Role::Speaker:
        m_calls->setSpeaker(spec);
        break;
    }
}

QList<CallFeature::Device> CallCoordinator::availableDevices(DeviceSpec::Role role) const
{
    return SystemDevices::list(role);
}

CallWindow *CallCoordinator::callWindow() const
{
    return m_window;
}

IncomingCallDialog *CallCoordinator::incomingDialog() const
{
    return m_dialog;
}

void CallCoordinator::startCall(const QString &peer, bool video)
{
    if (m_calls->state() != CallSession::State::Idle) {
        if (m_window) {
            m_window->raise();
            m_window->activateWindow();
        }
        emit notice(tr("You are already in a call. Hang up first."));
        return;
    }
    if (!m_calls->call(peer, video)) {
        emit notice(tr("%1 cannot be called now: you are offline.").arg(peer));
        return;
    }
    showWindow();
}

void CallCoordinator::onIncoming(const QString &from, bool video)
{
    delete m_dialog;
    m_dialog = new IncomingCallDialog(from, video, m_mainWindow);
    connect(m_dialog, &IncomingCallDialog::acceptClicked, this, [this] {
        m_calls->accept();
        showWindow();
    });
    connect(m_dialog, &IncomingCallDialog::declineClicked, m_calls, &CallSession::reject);
    // Near the top right of the screen, where it does not cover what the user is reading.
    if (QScreen *screen =
            m_mainWindow ? m_mainWindow->screen() : QGuiApplication::primaryScreen()) {
        const QRect area = screen->availableGeometry();
        m_dialog->move(area.right() - m_dialog->width() - 24, area.top() + 24);
    }
    m_dialog->show();
    m_dialog->raise();
    emit ringing(from, video ? tr("%1 is calling you (video).").arg(from)
                             : tr("%1 is calling you.").arg(from));
}

void CallCoordinator::onEnded(const QString &message, bool missed)
{
    if (m_dialog) {
        m_dialog->done(QDialog::Accepted); // no "decline" for a call that is already over
        m_dialog = nullptr;
    }
    if (missed)
        emit missedCall(m_calls->peer(), message);
    if (!message.isEmpty() && (!m_window || !m_window->isVisible()))
        emit notice(message);
}

void CallCoordinator::showWindow()
{
    if (m_window)
        m_window->close();
    m_window = new CallWindow(m_calls, m_mainWindow);
    connect(m_window, &CallWindow::cameraChosen, this, [this](const QString &spec) {
        m_calls->setCamera(spec);
        m_settings->setCallCamera(spec);
    });
    connect(m_window, &CallWindow::microphoneChosen, this, [this](const QString &spec) {
        m_calls->setMicrophone(spec);
        m_settings->setCallMicrophone(spec);
    });
    connect(m_window, &CallWindow::speakerChosen, this, [this](const QString &spec) {
        m_calls->setSpeaker(spec);
        m_settings->setCallSpeaker(spec);
    });
    connect(m_window, &CallWindow::audioProcessingChosen, this,
            [this](const AudioProcessor::Features &features) {
                m_calls->setAudioProcessing(features);
                for (const auto &[name, feature] : processingSwitches())
                    m_settings->setVoiceProcessing(QLatin1String(name), features.*feature);
            });
    m_window->show();
    m_window->raise();
    m_window->activateWindow();
}
