#include "videoview.h"

#include "avatar.h"

#include <QMouseEvent>
#include <QPainter>

VideoView::VideoView(QWidget *parent) : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(80, 60);
}

void VideoView::setName(const QString &name)
{
    m_name = name;
    update();
}

void VideoView::setMirrored(bool mirrored)
{
    m_mirrored = mirrored;
    update();
}

void VideoView::setImage(const QImage &image)
{
    m_image = image;
    update();
}

void VideoView::clear()
{
    m_image = QImage();
    update();
}

void VideoView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(16, 16, 18));
    if (m_image.isNull()) {
        if (m_name.isEmpty())
            return;
        const int side = qMin(width(), height()) * 2 / 5;
        const QRect circle((width() - side) / 2, (height() - side) / 2 - side / 6, side, side);
        p.setRenderHint(QPainter::Antialiasing);
        Avatar::paint(&p, circle, m_name);
        if (height() > 120) {
            QFont f = font();
            f.setPointSizeF(f.pointSizeF() * 1.3);
            p.setFont(f);
            p.setPen(QColor(230, 230, 230));
            p.drawText(QRect(0, circle.bottom() + 8, width(), p.fontMetrics().height() + 4),
                       Qt::AlignHCenter | Qt::AlignTop, m_name);
        }
        return;
    }
    const QSize scaled = m_image.size().scaled(size(), Qt::KeepAspectRatio);
    const QRect target(QPoint((width() - scaled.width()) / 2, (height() - scaled.height()) / 2),
                       scaled);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    if (m_mirrored) {
        p.translate(width(), 0);
        p.scale(-1, 1);
    }
    p.drawImage(target, m_image);
}

void VideoView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        emit clicked();
    QWidget::mouseReleaseEvent(event);
}
