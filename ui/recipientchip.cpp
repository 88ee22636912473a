#include "recipientchip.h"

#include "theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QToolButton>

RecipientChip::RecipientChip(QWidget *parent)
    : QWidget(parent), m_text(new QLabel(this)), m_toggle(new QToolButton(this))
{
    setObjectName(QStringLiteral("recipientChip"));
    m_text->setObjectName(QStringLiteral("recipientChipText"));
    m_toggle->setObjectName(QStringLiteral("recipientChipToggle"));
    m_toggle->setAutoRaise(true);
    m_toggle->setCursor(Qt::PointingHandCursor);
    // Reached with Tab from the text, without taking the focus away on a click.
    m_toggle->setFocusPolicy(Qt::TabFocus);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 0, 2, 0);
    layout->setSpacing(4);
    layout->addWidget(m_text);
    layout->addWidget(m_toggle);
    connect(m_toggle, &QToolButton::clicked, this, [this] { emit publicRequested(!m_public); });
    hide();
}

void RecipientChip::setRecipient(const QString &name, bool isPublic)
{
    m_name = name;
    m_public = isPublic;
    updateText();
    setVisible(!name.isEmpty());
}

void RecipientChip::updateText()
{
    const Theme::Colors &c = Theme::colors();
    // Small text, the accent for what can be clicked: a chip, not a second input line.
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_text->setFont(small);
    m_toggle->setFont(small);
    m_text->setText(m_public ? tr("@ Public, mentions %1").arg(m_name)
                             : tr("🔒 Private to %1").arg(m_name));
    m_text->setStyleSheet(QStringLiteral("color: %1;").arg(c.text.name()));
    m_toggle->setText(m_public ? tr("Make private") : tr("Make public"));
    m_toggle->setToolTip(m_public ? tr("Send only to %1, as a private message").arg(m_name)
                                  : tr("Send to everyone in the room, mentioning %1").arg(m_name));
    m_toggle->setStyleSheet(
        QStringLiteral("QToolButton { color: %1; border: none; padding: 0 4px; }"
                       "QToolButton:hover, QToolButton:focus { text-decoration: underline; }")
            .arg(c.accent.name()));
    adjustSize();
    update();
}

void RecipientChip::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    // A theme switch or a new language: the colours and words follow.
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::LanguageChange)
        updateText();
}

void RecipientChip::paintEvent(QPaintEvent *)
{
    const Theme::Colors &c = Theme::colors();
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    // Private: tinted like the user's own bubbles (it is theirs to send); public: neutral.
    QColor fill = m_public ? c.otherBubble : c.ownBubble;
    p.setPen(QPen(m_public ? c.secondary : c.accent, 1));
    p.setBrush(fill);
    const QRectF r = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.drawRoundedRect(r, r.height() / 2, r.height() / 2);
}
