#pragma once

#include <QDialog>

class QLabel;
class QPushButton;
class QSoundEffect;

// "bob is calling": a small dialog on top of everything, with the caller's avatar, Accept
// (green) and Decline (red), ringing until it is answered or closed.
class IncomingCallDialog : public QDialog
{
    Q_OBJECT
public:
    IncomingCallDialog(const QString &caller, bool video, QWidget *parent = nullptr);
    ~IncomingCallDialog() override;

    QPushButton *acceptButton() const { return m_accept; }
    QPushButton *declineButton() const { return m_decline; }
    bool isRinging() const { return m_ringing; }

signals:
    void acceptClicked();
    void declineClicked();

protected:
    void changeEvent(QEvent *event) override; // the language switched while it rings
    void paintEvent(QPaintEvent *event) override;
    void reject() override; // Esc and the close button decline

private:
    QString m_caller;
    bool m_video;
    QLabel *m_title;
    QLabel *m_kind;
    QPushButton *m_accept;
    QPushButton *m_decline;
    QSoundEffect *m_ring;
    bool m_ringing = true;
    void stopRinging();
    void retranslate();
};
