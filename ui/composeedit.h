#pragma once

#include <QPlainTextEdit>

class QAbstractItemModel;
class QCompleter;

// Where the user writes: grows to six lines, then scrolls. Enter sends and Shift+Enter breaks
// the line (or Ctrl+Enter sends, if chosen). Typing '@' offers the names of online users in a
// list beside the line, never over it, the first one highlighted; Tab or Enter picks the
// highlighted one, Esc closes the list.
class ComposeEdit : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit ComposeEdit(QWidget *parent = nullptr);

    void setNameModel(QAbstractItemModel *names);
    void setCtrlEnterSends(bool ctrlEnter) { m_ctrlEnterSends = ctrlEnter; }
    QCompleter *completer() const { return m_completer; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void submitted(const QString &text);
    void typing();

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void moveEvent(QMoveEvent *event) override;

private:
    QString mentionPrefix() const;
    void insertCompletion(const QString &name);
    void showCompletions();
    void keepCompletionsBesideText();
    void updateHeight();
    // The height of the text's wrapped lines, in pixels.
    int linesHeight() const;
    // The box's height around `lines` pixels of text.
    int heightFor(int lines) const;

    QCompleter *m_completer;
    bool m_ctrlEnterSends = false;
};
