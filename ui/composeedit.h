#pragma once

#include <QPlainTextEdit>

class QAbstractItemModel;
class QCompleter;
class ComposeBanner;
class RecipientChip;

// Where the user writes: grows to six lines, then scrolls. Enter sends and Shift+Enter breaks
// the line (or Ctrl+Enter sends, if chosen). Typing '@' offers the names of online users in a
// list beside the line, never over it, the first one highlighted; Tab or Enter picks the
// highlighted one, Esc closes the list. Above the text, a chip says when the draft goes to one
// person privately (setRecipient), with a click to make it public.
class ComposeEdit : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit ComposeEdit(QWidget *parent = nullptr);

    void setNameModel(QAbstractItemModel *names);
    void setCtrlEnterSends(bool ctrlEnter) { m_ctrlEnterSends = ctrlEnter; }
    QCompleter *completer() const { return m_completer; }
    // The chip over the text: "Private to `name`", or "Public, mentions `name`"; an empty name
    // hides it.
    void setRecipient(const QString &name, bool isPublic);
    RecipientChip *recipientChip() const { return m_chip; }
    // Edit mode (docs/protocol.md section 5.5): the box holds the new text of the user's
    // message `seq`, with a banner over it; Enter (or submit()) gives editSubmitted, Esc or the
    // banner's ✕ cancels. Either way the draft that was in the box comes back.
    void startEditing(qint64 seq, const QString &text);
    void cancelEditing();
    qint64 editingSeq() const { return m_editingSeq; }
    ComposeBanner *banner() const { return m_banner; }
    // What Enter does: submitted(), or editSubmitted() in edit mode; nothing for blank text.
    // After submitted() the text stays until the receiver clears the box (and cancelReply()):
    // it may not be sendable, and sending may open another conversation with its own draft.
    void submit();
    // Reply mode (section 5.6): the banner quotes the message `seq` being answered; the next
    // submitted() is the reply (replyToSeq() says to what while it is emitted). Esc cancels.
    void startReply(qint64 seq, const QString &from, const QString &text);
    void cancelReply();
    qint64 replyToSeq() const { return m_replyToSeq; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void submitted(const QString &text);
    void editSubmitted(qint64 seq, const QString &text);
    void typing();
    // The chip was clicked: true = send the draft publicly, false = privately.
    void publicRequested(bool isPublic);
    // Pasted or dropped: an image (a screenshot) or local files, to be sent as files.
    void imagePasted(const QImage &image);
    void filesPasted(const QStringList &paths);

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void moveEvent(QMoveEvent *event) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;

private:
    QString mentionPrefix() const;
    void insertCompletion(const QString &name);
    void showCompletions();
    void keepCompletionsBesideText();
    void updateHeight();
    void placeChip();
    // The height of the text's wrapped lines, in pixels.
    int linesHeight() const;
    // The box's height around `lines` pixels of text.
    int heightFor(int lines) const;

    QCompleter *m_completer;
    RecipientChip *m_chip;
    ComposeBanner *m_banner;
    qint64 m_editingSeq = 0;
    qint64 m_replyToSeq = 0;
    QString m_savedDraft; // the draft set aside while editing
    bool m_ctrlEnterSends = false;
};
