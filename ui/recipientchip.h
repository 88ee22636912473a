#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

// Shows in the compose box whom a room draft that starts with "@name" goes to: "Private to
// carol" with a one-click "Make public", or, once made public, "Public, mentions carol" with
// "Make private". Telegram and Slack users write "@carol welcome" as a public mention; here
// it is private by default, so the user sees it before sending and can turn it back.
class RecipientChip : public QWidget
{
    Q_OBJECT
public:
    explicit RecipientChip(QWidget *parent = nullptr);

    void setRecipient(const QString &name, bool isPublic);
    QString name() const { return m_name; }
    bool isPublic() const { return m_public; }
    QToolButton *toggleButton() const { return m_toggle; }

signals:
    // The user asked for the other of the two: true = public mention, false = private.
    void publicRequested(bool isPublic);

protected:
    void paintEvent(QPaintEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateText();

    QLabel *m_text;
    QToolButton *m_toggle;
    QString m_name;
    bool m_public = false;
};
