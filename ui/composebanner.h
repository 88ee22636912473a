#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

// A strip over the compose box's text that says what the box is doing instead of writing a new
// message ("Editing message"), with a ✕ that cancels it. Esc in the box does the same.
class ComposeBanner : public QWidget
{
    Q_OBJECT
public:
    explicit ComposeBanner(QWidget *parent = nullptr);

    // `title` in the accent colour, then `text` (elided to one line); hidden by hide().
    void show(const QString &title, const QString &text);
    QString title() const { return m_title; }
    QString text() const { return m_text; }
    QToolButton *cancelButton() const { return m_cancel; }

signals:
    void cancelRequested();

protected:
    void paintEvent(QPaintEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateText();

    QLabel *m_label;
    QToolButton *m_cancel;
    QString m_title;
    QString m_text;
};
