#include "incomingcalldialog.h"

#include "avatar.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSoundEffect>
#include <QVBoxLayout>

IncomingCallDialog::IncomingCallDialog(const QString &caller, bool video, QWidget *parent)
    : QDialog(parent), m_caller(caller), m_video(video)
{
    setObjectName(QStringLiteral("incomingCallDialog"));
    setWindowFlag(Qt::WindowStaysOnTopHint);
    setAttribute(Qt::WA_DeleteOnClose);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("callerLabel"));
    QFont f = m_title->font();
    f.setPointSizeF(f.pointSizeF() * 1.3);
    f.setBold(true);
    m_title->setFont(f);
    m_title->setAlignment(Qt::AlignCenter);
    m_kind = new QLabel(this);
    m_kind->setObjectName(QStringLiteral("callKindLabel"));
    m_kind->setAlignment(Qt::AlignCenter);

    m_accept = new QPushButton(this);
    m_accept->setObjectName(QStringLiteral("acceptButton"));
    m_accept->setStyleSheet(QStringLiteral(
        "QPushButton { background: #2e9e4f; color: white; border-radius: 6px; padding: 8px 18px; }"
        "QPushButton:hover { background: #37b45b; }"));
    m_decline = new QPushButton(this);
    m_decline->setObjectName(QStringLiteral("declineButton"));
    m_decline->setStyleSheet(QStringLiteral(
        "QPushButton { background: #d23c3c; color: white; border-radius: 6px; padding: 8px 18px; }"
        "QPushButton:hover { background: #e04848; }"));
    connect(m_accept, &QPushButton::clicked, this, [this] {
        stopRinging();
        emit acceptClicked();
        accept();
    });
    connect(m_decline, &QPushButton::clicked, this, &IncomingCallDialog::reject);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_decline);
    buttons->addStretch();
    buttons->addWidget(m_accept);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 120, 24, 18); // the avatar is painted in the top margin
    layout->addWidget(m_title);
    layout->addWidget(m_kind);
    layout->addSpacing(12);
    layout->addLayout(buttons);
    setFixedSize(320, 260);
    m_accept->setDefault(true);
    retranslate();

    m_ring = new QSoundEffect(this);
    m_ring->setSource(QUrl(QStringLiteral("qrc:/sounds/ring.wav")));
    m_ring->setLoopCount(QSoundEffect::Infinite);
    m_ring->setVolume(0.8f);
    m_ring->play();
}

IncomingCallDialog::~IncomingCallDialog()
{
    m_ring->stop();
}

void IncomingCallDialog::retranslate()
{
    setWindowTitle(tr("Incoming call"));
    m_title->setText(tr("%1 is calling").arg(m_caller));
    m_kind->setText(m_video ? tr("Video call") : tr("Voice call"));
    m_accept->setText(tr("Accept"));
    m_decline->setText(tr("Decline"));
}

void IncomingCallDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void IncomingCallDialog::stopRinging()
{
    m_ringing = false;
    m_ring->stop();
}

void IncomingCallDialog::paintEvent(QPaintEvent *event)
{
    QDialog::paintEvent(event);
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    Avatar::paint(&p, QRect((width() - 88) / 2, 20, 88, 88), m_caller);
}

void IncomingCallDialog::reject()
{
    stopRinging();
    if (result() != QDialog::Accepted)
        emit declineClicked();
    QDialog::reject();
}
