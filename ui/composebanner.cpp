#include "composebanner.h"

#include "theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QToolButton>

namespace {
constexpr int kMaxShownChars = 80; // of the text after the title: one short line
} // namespace

ComposeBanner::ComposeBanner(QWidget *parent)
    : QWidget(parent), m_label(new QLabel(this)), m_cancel(new QToolButton(this))
{
    setObjectName(QStringLiteral("composeBanner"));
    m_label->setObjectName(QStringLiteral("composeBannerText"));
    m_label->setTextFormat(Qt::PlainText);
    m_cancel->setObjectName(QStringLiteral("composeBannerCancel"));
    m_cancel->setAutoRaise(true);
    m_cancel->setCursor(Qt::PointingHandCursor);
    m_cancel->setFocusPolicy(Qt::TabFocus);
    m_cancel->setText(QStringLiteral("✕"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 0, 2, 0);
    layout->setSpacing(4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, this, &ComposeBanner::cancelRequested);
    hide();
}

void ComposeBanner::show(const QString &title, const QString &text)
{
    m_title = title;
    m_text = text;
    updateText();
    QWidget::show();
}

void ComposeBanner::updateText()
{
    const Theme::Colors &c = Theme::colors();
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_label->setFont(small);
    // One line: line breaks of the text become spaces, and a long text ends in "…".
    QString line = m_text.simplified();
    if (line.size() > kMaxShownChars)
        line = line.left(kMaxShownChars - 1) + QStringLiteral("…");
    m_label->setText(line.isEmpty() ? m_title : m_title + QStringLiteral(": ") + line);
    m_label->setStyleSheet(QStringLiteral("color: %1;").arg(c.text.name()));
    m_cancel->setToolTip(tr("Cancel (Esc)"));
    m_cancel->setAccessibleName(tr("Cancel"));
    m_cancel->setStyleSheet(
        QStringLiteral("QToolButton { color: %1; border: none; padding: 0 4px; }")
            .arg(c.accent.name()));
    adjustSize();
    update();
}

void ComposeBanner::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        updateText();
}

void ComposeBanner::paintEvent(QPaintEvent *)
{
    const Theme::Colors &c = Theme::colors();
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    // A bar with the accent on its left edge, as quotes are drawn in the messages.
    p.setPen(Qt::NoPen);
    p.setBrush(c.ownBubble);
    const QRectF r = QRectF(rect());
    p.drawRoundedRect(r, 4, 4);
    p.setBrush(c.accent);
    p.drawRect(QRectF(r.left(), r.top(), 3, r.height()));
}
