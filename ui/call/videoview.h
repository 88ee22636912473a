#pragma once

#include <QImage>
#include <QWidget>

// Shows one video stream: the newest picture scaled with its aspect ratio kept, letterboxed
// on black; the person's avatar and name when there is no picture (camera off, not started).
class VideoView : public QWidget
{
    Q_OBJECT
public:
    explicit VideoView(QWidget *parent = nullptr);

    void setName(const QString &name);
    // The own preview is shown mirrored, as people expect to see themselves.
    void setMirrored(bool mirrored);
    void setImage(const QImage &image);
    void clear();
    QImage image() const { return m_image; }
    bool hasImage() const { return !m_image.isNull(); }

signals:
    void clicked();

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    QImage m_image;
    QString m_name;
    bool m_mirrored = false;
};
