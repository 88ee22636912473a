#pragma once

#include "call/callsession.h"

#include <QWidget>

class QLabel;
class QMenu;
class QTimer;
class QToolButton;
class VideoView;

// The call window of ../shared/ui.md: the far end's video large, the own preview small in
// a corner (click it to move it to the next corner), what the far end said it turned off
// (microphone, camera), a statistics line (off until I shows it, and only once the call is
// on: while it rings there is nothing to measure) and the buttons: mute (M), camera (V), devices,
// hang up (Esc, Ctrl+W). It only shows what the CallSession says and tells it what the user did;
// when the call ends it shows why and closes itself a few seconds later.
class CallWindow : public QWidget
{
    Q_OBJECT
public:
    explicit CallWindow(CallSession *calls, QWidget *parent = nullptr);

    VideoView *remoteView() const { return m_remote; }
    VideoView *previewView() const { return m_preview; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *statsLabel() const { return m_stats; }
    // "bob is muted", "bob's camera is off": hidden while the far end sends everything.
    QLabel *peerMediaLabel() const { return m_peerMedia; }
    QToolButton *muteButton() const { return m_mute; }
    QToolButton *cameraButton() const { return m_camera; }
    QToolButton *hangUpButton() const { return m_hangUp; }
    QMenu *devicesMenu() const { return m_devicesMenu; }
    // Shown when the call is over (why it ended); the window closes after closeDelayMs.
    void showEnded(const QString &message, int closeDelayMs = 4000);
    void showProblem(const QString &message);

signals:
    // The user picked a device in the menu: a spec for CallSession::setCamera & co.
    void cameraChosen(const QString &spec);
    void microphoneChosen(const QString &spec);
    void audioProcessingChosen(const AudioProcessor::Features &features);
    void speakerChosen(const QString &spec);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    // A new language (Translations::install) while the call goes on.
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void updateTitle();
    void updateButtons();
    void updateStats(const CallStats &stats);
    void updateStatsVisibility();
    void updatePeerMedia();
    void placePeerMedia();
    void placePreview();
    void fillDevicesMenu();

    CallSession *m_calls;
    VideoView *m_remote;
    VideoView *m_preview;
    QLabel *m_status;
    QLabel *m_quality;
    QLabel *m_stats;
    QLabel *m_peerMedia;
    CallStats m_lastStats; // shown again at once when the far end's camera goes off or on
    bool m_haveStats = false;
    QLabel *m_problem;
    QToolButton *m_mute;
    QToolButton *m_camera;
    QToolButton *m_devices;
    QToolButton *m_hangUp;
    QMenu *m_devicesMenu;
    QTimer *m_clock;
    QTimer *m_remoteSilence; // no picture for a while: the far end's camera is off
    int m_corner = 3;        // 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right
    bool m_ended = false;
    bool m_statsWanted = false; // I: the user asked for the statistics line
};
