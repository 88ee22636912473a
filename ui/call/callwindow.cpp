#include "callwindow.h"

#include "call/bandwidthestimator.h"

#include "systemdevices.h"
#include "videoview.h"

#include <QActionGroup>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QShortcut>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {
QToolButton *button(const QString &objectName, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setObjectName(objectName);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setMinimumSize(96, 36);
    b->setFocusPolicy(Qt::NoFocus); // keys go to the window's shortcuts
    return b;
}

QString bars(double lossPercent)
{
    const int n = lossPercent < 1 ? 4 : lossPercent < 3 ? 3 : lossPercent < 8 ? 2 : 1;
    return QString(n, QChar(0x25AE)) + QString(4 - n, QChar(0x25AF));
}
} // namespace

CallWindow::CallWindow(CallSession *calls, QWidget *parent)
    : QWidget(parent, Qt::Window), m_calls(calls)
{
    setObjectName(QStringLiteral("callWindow"));
    setAttribute(Qt::WA_DeleteOnClose);
    resize(960, 600);
    setStyleSheet(QStringLiteral(
        "#callWindow { background: #101012; }"
        "#callWindow QLabel { color: #e6e6e6; }"
        "#callStats { color: #b8b8b8; }"
        "#callProblem { color: #ffcc66; }"
        "#callWindow QLabel#peerMediaLabel { color: white; background: rgba(58, 58, 66, 210);"
        " border-radius: 10px; padding: 5px 14px; }"
        "#callWindow QToolButton { color: white; background: #2b2b30; border-radius: 18px;"
        " padding: 6px 16px; }"
        "#callWindow QToolButton:checked { background: #5a5a66; }"
        "#callWindow QToolButton#hangUpButton { background: #d23c3c; }"
        // The style's menu arrow sat on the round button's lower corner, half outside it: an
        // arrow in the text instead (see retranslate()).
        "#callWindow QToolButton#devicesButton::menu-indicator { image: none; width: 0; }"));

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("callStatus"));
    QFont big = m_status->font();
    big.setPointSizeF(big.pointSizeF() * 1.15);
    big.setBold(true);
    m_status->setFont(big);
    m_quality = new QLabel(this);
    m_quality->setObjectName(QStringLiteral("callQuality"));
    auto *top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(m_quality);

    m_remote = new VideoView(this);
    m_remote->setObjectName(QStringLiteral("remoteVideo"));
    m_remote->setName(calls->peer());
    m_preview = new VideoView(m_remote);
    m_preview->setObjectName(QStringLiteral("previewVideo"));
    m_preview->setMirrored(true);
    connect(m_preview, &VideoView::clicked, this, [this] {
        m_corner = (m_corner + 1) % 4;
        placePreview();
    });

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("callProblem"));
    m_problem->setAlignment(Qt::AlignCenter);
    m_problem->setWordWrap(true);
    m_problem->hide();
    m_stats = new QLabel(this);
    m_stats->setObjectName(QStringLiteral("callStats"));
    m_stats->setAlignment(Qt::AlignCenter);
    // A full line of figures is wider than the window: it wraps rather than widening it.
    m_stats->setWordWrap(true);
    m_stats->hide(); // most people never want them; I shows them

    // Over the far end's picture (or avatar), centred at the top: the preview's corners never
    // cover it.
    m_peerMedia = new QLabel(m_remote);
    m_peerMedia->setObjectName(QStringLiteral("peerMediaLabel"));
    m_peerMedia->setAlignment(Qt::AlignCenter);
    m_peerMedia->hide();

    m_mute = button(QStringLiteral("muteButton"), this);
    m_mute->setCheckable(true);
    m_camera = button(QStringLiteral("cameraButton"), this);
    m_camera->setCheckable(true);
    m_devices = button(QStringLiteral("devicesButton"), this);
    m_devicesMenu = new QMenu(m_devices);
    m_devices->setMenu(m_devicesMenu);
    m_devices->setPopupMode(QToolButton::InstantPopup);
    connect(m_devicesMenu, &QMenu::aboutToShow, this, &CallWindow::fillDevicesMenu);
    m_hangUp = button(QStringLiteral("hangUpButton"), this);

    connect(m_mute, &QToolButton::toggled, this, [this](bool on) {
        m_calls->setMuted(on);
        updateButtons();
    });
    connect(m_camera, &QToolButton::toggled, this, [this](bool off) {
        m_calls->setCameraOn(!off);
        m_preview->clear();
        m_preview->setVisible(!off);
        updateButtons();
    });
    connect(m_hangUp, &QToolButton::clicked, this, [this] {
        if (m_ended)
            close();
        else
            m_calls->hangUp();
    });
    auto *mute = new QShortcut(QKeySequence(Qt::Key_M), this);
    connect(mute, &QShortcut::activated, m_mute, &QToolButton::toggle);
    auto *camera = new QShortcut(QKeySequence(Qt::Key_V), this);
    connect(camera, &QShortcut::activated, m_camera, &QToolButton::toggle);
    auto *stats = new QShortcut(QKeySequence(Qt::Key_I), this);
    connect(stats, &QShortcut::activated, this, [this] {
        m_statsWanted = !m_statsWanted;
        updateStatsVisibility();
    });
    for (const QKeySequence &k :
         {QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_W)}) {
        auto *hangUp = new QShortcut(k, this);
        connect(hangUp, &QShortcut::activated, m_hangUp, &QToolButton::click);
    }

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    for (QToolButton *b : {m_mute, m_camera, m_devices, m_hangUp})
        buttons->addWidget(b);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 12);
    layout->addLayout(top);
    layout->addWidget(m_remote, 1);
    layout->addWidget(m_problem);
    layout->addWidget(m_stats);
    layout->addLayout(buttons);

    m_remoteSilence = new QTimer(this);
    m_remoteSilence->setSingleShot(true);
    m_remoteSilence->setInterval(1500);
    connect(m_remoteSilence, &QTimer::timeout, m_remote, &VideoView::clear); // avatar instead
    connect(calls, &CallSession::remoteFrameReady, this, [this] {
        const QImage image = m_calls->takeRemoteFrame();
        // A frame decoded just after the far end said its camera is off must not bring the
        // old picture back.
        if (!image.isNull() && m_calls->peerCameraIsOn()) {
            m_remote->setImage(image);
            m_remoteSilence->start();
        }
    });
    connect(calls, &CallSession::previewReady, this, [this] {
        const QImage image = m_calls->takePreview();
        if (!image.isNull() && !m_camera->isChecked())
            m_preview->setImage(image);
    });
    connect(calls, &CallSession::statsChanged, this, &CallWindow::updateStats);
    connect(calls, &CallSession::stateChanged, this, &CallWindow::updateTitle);
    connect(calls, &CallSession::stateChanged, this, &CallWindow::updateButtons);
    connect(calls, &CallSession::stateChanged, this, &CallWindow::updateStatsVisibility);
    connect(calls, &CallSession::stateChanged, this, &CallWindow::updatePeerMedia);
    connect(calls, &CallSession::peerMediaChanged, this, &CallWindow::updatePeerMedia);
    connect(calls, &CallSession::peerRinging, this, &CallWindow::updateTitle);
    connect(calls, &CallSession::deviceProblem, this, &CallWindow::showProblem);
    connect(calls, &CallSession::ended, this, [this](const QString &message) {
        showEnded(message.isEmpty() ? tr("Call ended.") : message);
    });
    m_clock = new QTimer(this);
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &CallWindow::updateTitle);
    m_clock->start();

    m_mute->setChecked(calls->isMuted());
    m_camera->setChecked(!calls->isCameraOn());
    retranslate();
    updateStatsVisibility();
    placePreview();
}

void CallWindow::retranslate()
{
    m_preview->setToolTip(tr("Your camera. Click to move it to another corner."));
    m_remote->setAccessibleName(tr("Video of %1").arg(m_calls->peer()));
    m_preview->setAccessibleName(tr("Your camera"));
    m_stats->setToolTip(tr("Call statistics (I shows or hides them)"));
    if (m_haveStats)
        updateStats(m_lastStats);
    else
        m_stats->setText(tr("Waiting for statistics…"));
    m_mute->setToolTip(tr("Mute your microphone (M)"));
    m_camera->setToolTip(tr("Turn your camera off or on (V)"));
    m_devices->setText(tr("Devices") + QStringLiteral(" \u25BE"));
    m_devices->setToolTip(tr("Choose the camera, microphone and speaker"));
    m_hangUp->setText(m_ended ? tr("Close") : tr("Hang up"));
    m_hangUp->setToolTip(tr("End the call (Esc, Ctrl+W)"));
    updateButtons();
    updateTitle(); // not once ended: why it ended was said in the language of the moment
    updatePeerMedia();
}

void CallWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void CallWindow::updateStatsVisibility()
{
    m_stats->setVisible(m_statsWanted && !m_ended &&
                        m_calls->state() == CallSession::State::Active);
}

void CallWindow::updatePeerMedia()
{
    const bool active = !m_ended && m_calls->state() == CallSession::State::Active;
    const bool muted = active && m_calls->peerIsMuted();
    // A voice call has no camera to be off.
    const bool cameraOff = active && m_calls->isVideo() && !m_calls->peerCameraIsOn();
    const QString peer = m_calls->peer();
    if (muted && cameraOff)
        m_peerMedia->setText(tr("%1 is muted and the camera is off").arg(peer));
    else if (muted)
        m_peerMedia->setText(tr("%1 is muted").arg(peer));
    else if (cameraOff)
        m_peerMedia->setText(tr("%1's camera is off").arg(peer));
    m_peerMedia->setVisible(muted || cameraOff);
    if (cameraOff) {
        // Said, not guessed: the avatar at once instead of the last picture for a while.
        m_remoteSilence->stop();
        m_remote->clear();
    }
    placePeerMedia();
    if (active && m_haveStats)
        updateStats(m_lastStats);
}

void CallWindow::placePeerMedia()
{
    m_peerMedia->adjustSize();
    m_peerMedia->move((m_remote->width() - m_peerMedia->width()) / 2, 12);
    m_peerMedia->raise();
}

void CallWindow::updateTitle()
{
    if (m_ended)
        return;
    const QString peer = m_calls->peer();
    QString text;
    switch (m_calls->state()) {
    case CallSession::State::Outgoing:
        text = m_calls->peerIsRinging() ? tr("Ringing %1…").arg(peer) : tr("Calling %1…").arg(peer);
        break;
    case CallSession::State::Incoming:
        text = tr("%1 is calling").arg(peer);
        break;
    case CallSession::State::Active: {
        const qint64 s = m_calls->activeMs() / 1000;
        const QString time = s >= 3600 ? QStringLiteral("%1:%2:%3")
                                             .arg(s / 3600)
                                             .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
                                             .arg(s % 60, 2, 10, QLatin1Char('0'))
                                       : QStringLiteral("%1:%2")
                                             .arg(s / 60, 2, 10, QLatin1Char('0'))
                                             .arg(s % 60, 2, 10, QLatin1Char('0'));
        text = tr("Call with %1 — %2").arg(peer, time);
        break;
    }
    case CallSession::State::Idle:
        text = tr("Call with %1").arg(peer);
        break;
    }
    m_status->setText(text);
    setWindowTitle(text);
}

void CallWindow::updateButtons()
{
    m_camera->setEnabled(!m_ended && m_calls->isVideo()); // a voice call has no camera
    m_mute->setText(m_mute->isChecked() ? tr("Unmute") : tr("Mute"));
    m_camera->setText(m_camera->isChecked() ? tr("Camera on") : tr("Camera off"));
}

void CallWindow::updateStats(const CallStats &s)
{
    m_lastStats = s;
    m_haveStats = true;
    const VideoStats &v = s.video;
    QStringList parts;
    // The size of the last picture only while pictures come: a camera turned off leaves it
    // behind in the pipeline's figures.
    const bool videoArrives = m_calls->isVideo() && m_calls->peerCameraIsOn() &&
                              v.receivedFps > 0 && v.receivedSize.isValid();
    if (!m_calls->isVideo()) {
        parts << tr("voice only");
    } else if (!m_calls->peerCameraIsOn()) {
        parts << tr("no video: camera off");
    } else if (!videoArrives) {
        parts << tr("no video");
    } else {
        parts << QStringLiteral("%1x%2").arg(v.receivedSize.width()).arg(v.receivedSize.height());
        parts << tr("%1 fps").arg(v.receivedFps, 0, 'f', 0);
    }
    parts << tr("%1 kbit/s").arg(v.receivedKbps + s.audio.receivedKbps, 0, 'f', 0);
    parts << tr("loss %1%").arg(qMax(v.lossPercent, s.audio.lossPercent), 0, 'f', 1);
    parts << tr("jitter buffer %1 ms").arg(s.audio.jitterDelayMs);
    if (videoArrives && v.latencyMs >= 0)
        parts << tr("video %1 ms").arg(v.latencyMs, 0, 'f', 0);
    if (s.audio.latencyMs >= 0)
        parts << tr("audio %1 ms").arg(s.audio.latencyMs, 0, 'f', 0);
    // What arrives on the first line, what this side sends on the second: wrapped by width,
    // the line broke mid-figure and left "(480p30)" alone below.
    QStringList sending;
    sending << tr("sending %1 fps, %2 kbit/s")
                   .arg(v.sentFps, 0, 'f', 0)
                   .arg(v.sentKbps + s.audio.sentKbps, 0, 'f', 0);
    // The bandwidth estimate and the step of the resolution ladder this side sends at, as
    // "480p30": the far end's picture size leads the line, and this one must not read as it.
    if (s.network.estimateKbps >= 0) {
        if (m_calls->isVideo() && v.ladderStep >= 0) {
            const BandwidthEstimator::Step step = BandwidthEstimator::step(v.ladderStep);
            sending << tr("estimate %1 kbit/s, step %2 of %3 (%4)")
                           .arg(s.network.estimateKbps)
                           .arg(v.ladderStep + 1)
                           .arg(BandwidthEstimator::kSteps)
                           .arg(QStringLiteral("%1p%2").arg(step.size.height()).arg(step.fps));
        } else {
            sending << tr("estimate %1 kbit/s").arg(s.network.estimateKbps);
        }
    }
    m_stats->setText(parts.join(QStringLiteral(" · ")) + QLatin1Char('\n') +
                     sending.join(QStringLiteral(" · ")));
    const double latency = videoArrives && v.latencyMs >= 0 ? v.latencyMs : s.audio.latencyMs;
    m_quality->setText(
        (latency >= 0 ? QStringLiteral("◷ %1 ms  ").arg(latency, 0, 'f', 0) : QString()) +
        bars(qMax(v.lossPercent, s.audio.lossPercent)));
}

void CallWindow::showEnded(const QString &message, int closeDelayMs)
{
    m_ended = true;
    m_clock->stop();
    m_status->setText(message);
    setWindowTitle(message);
    m_problem->hide();
    m_preview->hide();
    m_stats->hide();
    m_peerMedia->hide();
    m_remote->clear();
    for (QToolButton *b : {m_mute, m_camera, m_devices})
        b->setEnabled(false);
    m_hangUp->setText(tr("Close"));
    QTimer::singleShot(closeDelayMs, this, &QWidget::close);
}

void CallWindow::showProblem(const QString &message)
{
    m_problem->setText(message);
    m_problem->show();
}

void CallWindow::placePreview()
{
    const int w = qMax(120, m_remote->width() / 5);
    const int h = w * 3 / 4;
    const int x = (m_corner % 2) ? m_remote->width() - w - 12 : 12;
    const int y = (m_corner / 2) ? m_remote->height() - h - 12 : 12;
    m_preview->setGeometry(x, y, w, h);
    m_preview->raise();
}

void CallWindow::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    placePreview();
    placePeerMedia();
}

void CallWindow::closeEvent(QCloseEvent *event)
{
    if (!m_ended)
        m_calls->hangUp(); // closing the window ends the call: no call goes on unseen
    event->accept();
}

void CallWindow::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_F11 ||
        (event->key() == Qt::Key_Return && event->modifiers() & Qt::AltModifier)) {
        setWindowState(windowState() ^ Qt::WindowFullScreen);
        return;
    }
    QWidget::keyPressEvent(event);
}

void CallWindow::fillDevicesMenu()
{
    m_devicesMenu->clear();
    qDeleteAll(m_devicesMenu->findChildren<QActionGroup *>()); // clear() leaves them
    const CallSession::Devices current = m_calls->devices();
    auto section = [this](const QString &title, const QList<QPair<QString, QString>> &entries,
                          const QString &chosen, void (CallWindow::*signal)(const QString &)) {
        m_devicesMenu->addSection(title);
        auto *group = new QActionGroup(m_devicesMenu);
        for (const auto &[label, spec] : entries) {
            QAction *a = m_devicesMenu->addAction(label);
            a->setCheckable(true);
            a->setChecked(spec == chosen);
            group->addAction(a);
            connect(a, &QAction::triggered, this,
                    [this, signal, spec] { emit(this->*signal)(spec); });
        }
    };
    // The default first, then the system's devices, then the built-in source.
    const auto choices = [](DeviceSpec::Role role, const QString &defaultName,
                            const QString &builtInName, const QString &builtInSpec) {
        QList<QPair<QString, QString>> list{{defaultName, QString()}};
        for (const CallFeature::Device &d : SystemDevices::list(role))
            list.append({d.description, d.spec});
        list.append({builtInName, builtInSpec});
        return list;
    };
    const auto cameras = choices(DeviceSpec::Role::Camera, tr("Default camera"), tr("Test pattern"),
                                 QStringLiteral("test-pattern"));
    const auto mics = choices(DeviceSpec::Role::Microphone, tr("Default microphone"),
                              tr("Test tone"), QStringLiteral("tone"));
    const auto speakers = choices(DeviceSpec::Role::Speaker, tr("Default speaker"), tr("No sound"),
                                  QStringLiteral("none"));
    section(tr("Camera"), cameras, current.camera, &CallWindow::cameraChosen);
    section(tr("Microphone"), mics, current.microphone, &CallWindow::microphoneChosen);
    section(tr("Speaker"), speakers, current.speaker, &CallWindow::speakerChosen);

    // The microphone's clean-up, each part on its own: echo cancellation is what someone on
    // headphones may not want, the gain what a studio microphone may not.
    m_devicesMenu->addSection(tr("Voice processing"));
    const AudioProcessor::Features processing = m_calls->audioProcessing();
    const auto toggle = [this, processing](const QString &label,
                                           bool AudioProcessor::Features::*feature) {
        QAction *a = m_devicesMenu->addAction(label);
        a->setCheckable(true);
        a->setChecked(processing.*feature);
        connect(a, &QAction::toggled, this, [this, feature](bool on) {
            AudioProcessor::Features features = m_calls->audioProcessing();
            features.*feature = on;
            emit audioProcessingChosen(features);
        });
    };
    toggle(tr("Echo cancellation"), &AudioProcessor::Features::echoCancellation);
    toggle(tr("Noise suppression"), &AudioProcessor::Features::noiseSuppression);
    toggle(tr("Automatic gain"), &AudioProcessor::Features::automaticGain);
    toggle(tr("High-pass filter"), &AudioProcessor::Features::highPassFilter);
}
