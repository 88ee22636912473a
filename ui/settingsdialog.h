#pragma once

#include "settings/settings.h"

#include <QDialog>
#include <QHash>

class CallLauncher;
class QAbstractButton;
class QButtonGroup;
class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QListWidget;
class QMenu;
class QPushButton;
class QStackedWidget;
class QVBoxLayout;

// Confab → Settings… (Ctrl+,): the look, the language, notifications, call devices, the
// account and privacy, one page each. Every change is saved and takes effect at once (the dialog
// says what to apply through its signals; there is no OK button to forget).
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    enum Page {
        AppearancePage,
        LanguagePage,
        NotificationsPage,
        DevicesPage,
        AccountPage,
        PrivacyPage
    };

    explicit SettingsDialog(Settings *settings, QWidget *parent = nullptr);

    // The Account page shows the account menu's entries as buttons (and follows them: what
    // is shown and enabled depends on the session).
    void setAccountMenu(QMenu *menu);
    // Device choices go to the calls at once (a running call switches devices).
    void setCalls(CallLauncher *calls);
    void showPage(Page page);
    Page currentPage() const;

signals:
    void themeChosen(Settings::Theme theme);
    void languageChosen(const QString &language);
    void sendWithCtrlEnterChosen(bool on);
    void readReceiptsChosen(bool on);

protected:
    void changeEvent(QEvent *event) override;

private:
    QWidget *appearancePage();
    QWidget *languagePage();
    QWidget *notificationsPage();
    QWidget *devicesPage();
    QWidget *accountPage();
    QWidget *privacyPage();
    void retranslate();
    // The settings may have changed elsewhere (the menus): the buttons show them.
    void syncFromSettings();
    // Cameras, microphones and speakers: listed when the page is first shown, so that the
    // media stack is not started for a dialog opened to change the theme.
    void fillDevices();
    void mirrorAction(QAction *action);

    Settings *m_settings;
    CallLauncher *m_calls = nullptr;
    QListWidget *m_pages;
    QStackedWidget *m_stack;
    QGroupBox *m_themeBox;
    QButtonGroup *m_themes;
    QGroupBox *m_typingBox;
    QCheckBox *m_ctrlEnter;
    QGroupBox *m_languageBox;
    QButtonGroup *m_languages;
    QAbstractButton *m_systemLanguage;
    QLabel *m_languageNote;
    QGroupBox *m_notifyBox;
    QCheckBox *m_notify;
    QCheckBox *m_sound;
    QLabel *m_muteNote;
    QLabel *m_devicesNote;
    QLabel *m_cameraLabel;
    QLabel *m_microphoneLabel;
    QLabel *m_speakerLabel;
    QComboBox *m_camera;
    QComboBox *m_microphone;
    QComboBox *m_speaker;
    bool m_devicesFilled = false;
    QVBoxLayout *m_accountLayout;
    QLabel *m_accountNote;
    QHash<QAction *, QWidget *> m_mirrors;
    QGroupBox *m_privacyBox;
    QCheckBox *m_readReceipts;
    QLabel *m_readReceiptsNote;
    QPushButton *m_close;
};
