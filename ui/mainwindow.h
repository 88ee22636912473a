#pragma once

#include "settings/settings.h"

#include <QMainWindow>
#include <QPointer>

class AccountMenu;
class CallLauncher;
class TaskbarBadge;
class ChatController;
class ComposeEdit;
class EmojiPicker;
class MessageAlerts;
class QHBoxLayout;
class MessageSearchModel;
class MessageView;
class ServerSearch;
class SettingsDialog;
class TrayNotifier;
class QLabel;
class QLineEdit;
class QListView;
class QSortFilterProxyModel;
class QTimer;
class QToolButton;

// The chat window of ../shared/ui.md: conversations on the left, the active conversation in
// the middle with the input below, the online users on the right, the connection state in
// the status bar. All state comes from ChatController's models.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(ChatController *controller, Settings *settings, QWidget *parent = nullptr);

    void openConversation(const QString &key);
    // Opens the conversation of a search hit and scrolls to the message.
    void openMessage(const QString &key, qint64 seq);
    // Host mode: where others can reach this computer's server, and its certificate's
    // fingerprint (empty: plain ws://).
    void setHostAddresses(const QStringList &addresses, const QString &fingerprint = {});
    // Where this computer keeps the sign-in when there is no keychain (the Account menu says).
    void setTokenStorageNote(const QString &note);
    // Turns on calls: the call buttons, the incoming-call dialog and the call window.
    void setCalls(CallLauncher *calls);
    CallLauncher *calls() const { return m_calls; }
    // Calls `peer` (what the call buttons do).
    void callUser(const QString &peer);
    MessageView *messageView() const { return m_messages; }
    ComposeEdit *composeEdit() const { return m_compose; }
    // Notification, chime and per-conversation mute.
    MessageAlerts *messageAlerts() const { return m_alerts; }
    TaskbarBadge *taskbarBadge() const { return m_badge; }
    EmojiPicker *emojiPicker() const { return m_emojiPicker; }
    // The emoji picker of the message menu's React → More… (nullptr until first opened).
    EmojiPicker *reactionPicker() const { return m_reactionPicker; }
    // Files (docs/protocol.md section 18). attachFile sends the file at `path` into the open
    // conversation (what the attach button, a drop and a paste do once they have a path); an
    // error shows in a message box. saveFile downloads the file of message `seq` to `target`
    // (what the Download button does after its save dialog). openImage shows one full size.
    bool attachFile(const QString &path);
    bool saveFile(qint64 seq, const QString &target);
    void openImage(const QString &path, const QString &name);
    // A pasted picture (a screenshot): saved as a PNG in a folder of this run, then sent.
    bool attachImage(const QImage &image);
    QToolButton *attachButton() const { return m_attachButton; }
    // Confab → Settings… (Ctrl+,): opens the dialog, or raises the open one.
    void openSettings();
    SettingsDialog *settingsDialog() const;

signals:
    void themeChosen(int theme);
    void signOutRequested();
    void signInRequested();
    void languageChosen(const QString &language);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus();
    // What the Settings dialog and the menus choose: saved, and in effect at once.
    void applyTheme(Settings::Theme theme);
    void applyLanguage(const QString &language);
    void applySendWithCtrlEnter(bool on);
    // Every text of the window again, in the language just installed (QEvent::LanguageChange).
    void retranslateUi();
    // The accessible names of the controls that need one (in the language installed).
    void nameControls();
    void updateComposePlaceholder();
    // The conversation list's context menu (mute) and its muted marks.
    void setupConversationMenu();
    // The emoji button beside the compose box and its picker.
    void setupEmojiPicker(QHBoxLayout *inputRow);
    // The lists' delegates paint colours and words of the moment: they paint again.
    void repaintLists();
    void runSearch();
    // The label above the hits: where they come from, or why there are none.
    void updateSearchLabel(const QString &text);
    bool atEndOfHits() const;
    // The conversation of a hit is open and holds it: scrolls there.
    void scrollToMessage(const QString &key, qint64 seq);
    void updateTitle();
    // Marks the open conversation's row in the list, when the search filter shows it.
    void selectActiveConversation();
    void updateHeader();
    void updateStatus();
    void updateTyping();
    void connectMessageChanges();
    void setupFiles(QHBoxLayout *inputRow);
    void showFileError(const QString &text);
    // Asks before a message is deleted for everyone (a window-modal question, not exec()).
    void confirmDelete(qint64 seq);
    // The compose box takes the active conversation's draft. `switched`: another conversation
    // was opened, and an edit or a reply of the one left is cancelled; otherwise only a box
    // that is not editing catches up (the drafts saved for the last run, at start).
    void showDraft(bool switched);
    void sendCurrent(const QString &text);
    // Asks before quitting with messages the server has not acknowledged; true = go ahead.
    bool confirmQuit();
    // Asks before signing out with messages that have not gone out (signing out removes
    // them with the account's saved history); true = go ahead.
    bool confirmSignOut();

    ChatController *m_controller;
    Settings *m_settings;
    QLineEdit *m_search;
    QListView *m_conversationView;
    QSortFilterProxyModel *m_conversationFilter;
    MessageSearchModel *m_searchResults;
    QLabel *m_searchResultsLabel;
    QListView *m_searchResultsView;
    QTimer *m_searchDelay;
    ServerSearch *m_serverSearch;
    bool m_serverAnswered = false; // the server's hits for the search box's text are shown
    QLabel *m_title;
    QLabel *m_subtitle;
    QToolButton *m_callButton;
    CallLauncher *m_calls = nullptr;
    MessageView *m_messages;
    QLabel *m_typing;
    ComposeEdit *m_compose;
    QToolButton *m_sendButton;
    QWidget *m_rightPanel;
    QLabel *m_onlineLabel;
    QListView *m_userView;
    QLabel *m_statusDot;
    QLabel *m_statusText;
    QLabel *m_hostLabel;
    QTimer *m_countdown;
    TrayNotifier *m_notifier;
    MessageAlerts *m_alerts;
    TaskbarBadge *m_badge; // the unread count on the taskbar entry
    QToolButton *m_emojiButton;
    QToolButton *m_attachButton = nullptr;
    QString m_pasteDir; // pasted pictures of this run (a folder of the temporary location)
    EmojiPicker *m_emojiPicker = nullptr;    // made when first opened
    EmojiPicker *m_reactionPicker = nullptr; // made when first opened
    qint64 m_reactionSeq = 0;                // the message its choice reacts to
    AccountMenu *m_account = nullptr;
    QPointer<SettingsDialog> m_settingsDialog;
    bool m_retranslating = false;
    bool m_showingDraft = false; // a conversation's draft is being put in the compose box
    QStringList m_hostAddresses;
    QString m_hostFingerprint;
    bool m_quitConfirmed = false;
};
