#include "settingsdialog.h"

#include "calllauncher.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QRadioButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace {
QWidget *page(QWidget *parent, const char *name)
{
    auto *w = new QWidget(parent);
    w->setObjectName(QLatin1String(name));
    return w;
}

QLabel *note(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setProperty("secondary", true);
    return label;
}

// The entry whose data is `spec`, else the first ("the default"): a saved device that is
// unplugged now reads as the default, which is what the call will use.
void choose(QComboBox *box, const QString &spec)
{
    const int at = box->findData(spec);
    box->setCurrentIndex(at >= 0 ? at : 0);
}
} // namespace

SettingsDialog::SettingsDialog(Settings *settings, QWidget *parent)
    : QDialog(parent), m_settings(settings)
{
    setObjectName(QStringLiteral("settingsDialog"));
    resize(640, 420);
    m_pages = new QListWidget(this);
    m_pages->setObjectName(QStringLiteral("settingsPages"));
    m_pages->setFixedWidth(170);
    m_pages->setFrameShape(QFrame::NoFrame);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(appearancePage());
    m_stack->addWidget(languagePage());
    m_stack->addWidget(notificationsPage());
    m_stack->addWidget(devicesPage());
    m_stack->addWidget(accountPage());
    m_stack->addWidget(privacyPage());
    for (int i = 0; i < m_stack->count(); ++i)
        m_pages->addItem(QString());
    connect(m_pages, &QListWidget::currentRowChanged, this, [this](int row) {
        m_stack->setCurrentIndex(row);
        if (row == DevicesPage)
            fillDevices();
    });

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_close = buttons->button(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *row = new QHBoxLayout;
    row->addWidget(m_pages);
    row->addWidget(m_stack, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row, 1);
    layout->addWidget(buttons);

    retranslate();
    syncFromSettings();
    m_pages->setCurrentRow(AppearancePage);
}

QWidget *SettingsDialog::appearancePage()
{
    QWidget *w = page(this, "appearancePage");
    m_themeBox = new QGroupBox(w);
    m_themes = new QButtonGroup(w);
    auto *themeLayout = new QVBoxLayout(m_themeBox);
    const QList<QPair<Settings::Theme, const char *>> themes{
        {Settings::Theme::System, "themeSystem"},
        {Settings::Theme::Light, "themeLight"},
        {Settings::Theme::Dark, "themeDark"}};
    for (const auto &[theme, name] : themes) {
        auto *b = new QRadioButton(m_themeBox);
        b->setObjectName(QLatin1String(name));
        m_themes->addButton(b, int(theme));
        themeLayout->addWidget(b);
    }
    connect(m_themes, &QButtonGroup::idClicked, this, [this](int id) {
        m_settings->setTheme(Settings::Theme(id));
        emit themeChosen(Settings::Theme(id));
    });

    m_typingBox = new QGroupBox(w);
    m_ctrlEnter = new QCheckBox(m_typingBox);
    m_ctrlEnter->setObjectName(QStringLiteral("ctrlEnterCheck"));
    (new QVBoxLayout(m_typingBox))->addWidget(m_ctrlEnter);
    connect(m_ctrlEnter, &QCheckBox::clicked, this, [this](bool on) {
        m_settings->setSendWithCtrlEnter(on);
        emit sendWithCtrlEnterChosen(on);
    });

    auto *layout = new QVBoxLayout(w);
    layout->addWidget(m_themeBox);
    layout->addWidget(m_typingBox);
    layout->addStretch();
    return w;
}

QWidget *SettingsDialog::languagePage()
{
    QWidget *w = page(this, "languagePage");
    m_languageBox = new QGroupBox(w);
    m_languages = new QButtonGroup(w);
    auto *box = new QVBoxLayout(m_languageBox);
    // Each language by its own name, so that someone who cannot read the current one finds
    // theirs; the buttons' object names are the codes.
    const QList<QPair<QString, QString>> languages{
        {QString(), QString()},
        {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("zh_CN"), QStringLiteral("简体中文")}};
    for (const auto &[code, label] : languages) {
        auto *b = new QRadioButton(label, m_languageBox);
        b->setObjectName(code.isEmpty() ? QStringLiteral("languageSystem")
                                        : QStringLiteral("language_") + code);
        b->setProperty("code", code);
        m_languages->addButton(b);
        box->addWidget(b);
        if (code.isEmpty())
            m_systemLanguage = b;
    }
    connect(m_languages, &QButtonGroup::buttonClicked, this, [this](QAbstractButton *b) {
        const QString code = b->property("code").toString();
        m_settings->setLanguage(code);
        emit languageChosen(code);
    });
    m_languageNote = note(w);
    auto *layout = new QVBoxLayout(w);
    layout->addWidget(m_languageBox);
    layout->addWidget(m_languageNote);
    layout->addStretch();
    return w;
}

QWidget *SettingsDialog::notificationsPage()
{
    QWidget *w = page(this, "notificationsPage");
    m_notifyBox = new QGroupBox(w);
    m_notify = new QCheckBox(m_notifyBox);
    m_notify->setObjectName(QStringLiteral("notificationsCheck"));
    m_sound = new QCheckBox(m_notifyBox);
    m_sound->setObjectName(QStringLiteral("soundCheck"));
    auto *box = new QVBoxLayout(m_notifyBox);
    box->addWidget(m_notify);
    box->addWidget(m_sound);
    connect(m_notify, &QCheckBox::clicked, this,
            [this](bool on) { m_settings->setNotificationsEnabled(on); });
    connect(m_sound, &QCheckBox::clicked, this,
            [this](bool on) { m_settings->setNotificationSound(on); });
    m_muteNote = note(w);
    auto *layout = new QVBoxLayout(w);
    layout->addWidget(m_notifyBox);
    layout->addWidget(m_muteNote);
    layout->addStretch();
    return w;
}

QWidget *SettingsDialog::devicesPage()
{
    QWidget *w = page(this, "devicesPage");
    m_camera = new QComboBox(w);
    m_camera->setObjectName(QStringLiteral("cameraCombo"));
    m_microphone = new QComboBox(w);
    m_microphone->setObjectName(QStringLiteral("microphoneCombo"));
    m_speaker = new QComboBox(w);
    m_speaker->setObjectName(QStringLiteral("speakerCombo"));
    m_cameraLabel = new QLabel(w);
    m_microphoneLabel = new QLabel(w);
    m_speakerLabel = new QLabel(w);
    m_cameraLabel->setBuddy(m_camera);
    m_microphoneLabel->setBuddy(m_microphone);
    m_speakerLabel->setBuddy(m_speaker);
    auto *form = new QFormLayout;
    form->addRow(m_cameraLabel, m_camera);
    form->addRow(m_microphoneLabel, m_microphone);
    form->addRow(m_speakerLabel, m_speaker);
    m_devicesNote = note(w);
    auto *layout = new QVBoxLayout(w);
    layout->addLayout(form);
    layout->addWidget(m_devicesNote);
    layout->addStretch();
    // Chosen by the user (activated, not currentIndexChanged: filling the lists is no choice).
    connect(m_camera, &QComboBox::activated, this, [this] {
        const QString spec = m_camera->currentData().toString();
        m_settings->setCallCamera(spec);
        if (m_calls)
            m_calls->setDevice(DeviceSpec::Role::Camera, spec);
    });
    connect(m_microphone, &QComboBox::activated, this, [this] {
        const QString spec = m_microphone->currentData().toString();
        m_settings->setCallMicrophone(spec);
        if (m_calls)
            m_calls->setDevice(DeviceSpec::Role::Microphone, spec);
    });
    connect(m_speaker, &QComboBox::activated, this, [this] {
        const QString spec = m_speaker->currentData().toString();
        m_settings->setCallSpeaker(spec);
        if (m_calls)
            m_calls->setDevice(DeviceSpec::Role::Speaker, spec);
    });
    return w;
}

QWidget *SettingsDialog::accountPage()
{
    QWidget *w = page(this, "accountPage");
    m_accountLayout = new QVBoxLayout(w);
    m_accountNote = note(w);
    m_accountLayout->addWidget(m_accountNote);
    m_accountLayout->addStretch();
    return w;
}

QWidget *SettingsDialog::privacyPage()
{
    QWidget *w = page(this, "privacyPage");
    m_privacyBox = new QGroupBox(w);
    m_readReceipts = new QCheckBox(m_privacyBox);
    m_readReceipts->setObjectName(QStringLiteral("readReceiptsCheck"));
    (new QVBoxLayout(m_privacyBox))->addWidget(m_readReceipts);
    connect(m_readReceipts, &QCheckBox::clicked, this, [this](bool on) {
        m_settings->setSendReadReceipts(on);
        emit readReceiptsChosen(on);
    });
    // What the switch means, on the page itself too: a tooltip is not found by everyone.
    m_readReceiptsNote = note(w);
    auto *layout = new QVBoxLayout(w);
    layout->addWidget(m_privacyBox);
    layout->addWidget(m_readReceiptsNote);
    layout->addStretch();
    return w;
}

void SettingsDialog::setAccountMenu(QMenu *menu)
{
    for (QAction *a : menu->actions())
        mirrorAction(a);
}

void SettingsDialog::mirrorAction(QAction *action)
{
    // A disabled entry without a name is information (who is signed in, where the sign-in is
    // kept): a line of text. The others are buttons that do what the menu entry does.
    if (action->isSeparator())
        return;
    QWidget *widget;
    if (action->objectName().isEmpty()) {
        auto *label = new QLabel(m_stack->widget(AccountPage));
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        widget = label;
    } else {
        auto *button = new QPushButton(m_stack->widget(AccountPage));
        button->setObjectName(action->objectName() + QStringLiteral("Button"));
        connect(button, &QPushButton::clicked, action, &QAction::trigger);
        widget = button;
    }
    auto follow = [action, widget] {
        QString text = action->text();
        if (auto *label = qobject_cast<QLabel *>(widget))
            label->setText(text.remove(QLatin1Char('&')));
        else
            static_cast<QPushButton *>(widget)->setText(text);
        widget->setVisible(action->isVisible());
        widget->setEnabled(action->isEnabled() || qobject_cast<QLabel *>(widget));
    };
    follow();
    connect(action, &QAction::changed, widget, follow);
    connect(action, &QObject::destroyed, widget, &QObject::deleteLater);
    // Before the note and the stretch at the end.
    m_accountLayout->insertWidget(m_accountLayout->count() - 2, widget, 0, Qt::AlignLeft);
    m_mirrors.insert(action, widget);
}

void SettingsDialog::setCalls(CallLauncher *calls)
{
    m_calls = calls;
    if (m_devicesFilled) {
        m_devicesFilled = false;
        fillDevices();
    }
}

void SettingsDialog::fillDevices()
{
    if (m_devicesFilled)
        return;
    m_devicesFilled = true;
    // This run's devices (the command line may have chosen them), else the saved ones.
    const CallDevices current =
        m_calls ? m_calls->devices()
                : CallDevices{m_settings->callCamera(), m_settings->callMicrophone(),
                              m_settings->callSpeaker()};
    // The system's devices come from the media module, loaded here if no call loaded it yet.
    auto fill = [this](QComboBox *box, DeviceSpec::Role role, const QString &defaultName,
                       const QString &syntheticName, const QString &syntheticSpec) {
        box->clear();
        box->addItem(defaultName, QString());
        if (m_calls) {
            for (const CallFeature::Device &d : m_calls->availableDevices(role))
                box->addItem(d.description, d.spec);
        }
        box->addItem(syntheticName, syntheticSpec);
    };
    fill(m_camera, DeviceSpec::Role::Camera, tr("Default camera"), tr("Test pattern"),
         QStringLiteral("test-pattern"));
    fill(m_microphone, DeviceSpec::Role::Microphone, tr("Default microphone"), tr("Test tone"),
         QStringLiteral("tone"));
    fill(m_speaker, DeviceSpec::Role::Speaker, tr("Default speaker"), tr("No sound"),
         QStringLiteral("none"));
    if (m_calls && !m_calls->loadError().isEmpty())
        m_devicesNote->setText(m_calls->loadError());
    choose(m_camera, current.camera);
    choose(m_microphone, current.microphone);
    choose(m_speaker, current.speaker);
}

void SettingsDialog::showPage(Page page)
{
    m_pages->setCurrentRow(page);
}

SettingsDialog::Page SettingsDialog::currentPage() const
{
    return Page(m_pages->currentRow());
}

void SettingsDialog::syncFromSettings()
{
    if (QAbstractButton *b = m_themes->button(int(m_settings->theme())))
        b->setChecked(true);
    m_ctrlEnter->setChecked(m_settings->sendWithCtrlEnter());
    const QString language = m_settings->language();
    for (QAbstractButton *b : m_languages->buttons()) {
        if (b->property("code").toString() == language)
            b->setChecked(true);
    }
    m_notify->setChecked(m_settings->notificationsEnabled());
    m_sound->setChecked(m_settings->notificationSound());
    m_readReceipts->setChecked(m_settings->sendReadReceipts());
}

void SettingsDialog::retranslate()
{
    setWindowTitle(tr("Settings"));
    const QStringList titles{tr("Appearance"), tr("Language"), tr("Notifications"),
                             tr("Devices"),    tr("Account"),  tr("Privacy")};
    for (int i = 0; i < titles.size(); ++i)
        m_pages->item(i)->setText(titles.at(i));
    m_themeBox->setTitle(tr("Theme"));
    m_themes->button(int(Settings::Theme::System))->setText(tr("Follow the &system"));
    m_themes->button(int(Settings::Theme::Light))->setText(tr("&Light"));
    m_themes->button(int(Settings::Theme::Dark))->setText(tr("&Dark"));
    m_typingBox->setTitle(tr("Typing"));
    m_ctrlEnter->setText(tr("Send with Ctrl+&Enter (Enter starts a new line)"));
    m_languageBox->setTitle(tr("Language"));
    m_systemLanguage->setText(tr("Follow the system"));
    m_languageNote->setText(tr("Open windows switch to the new language at once."));
    m_notifyBox->setTitle(tr("Notifications"));
    m_notify->setText(tr("Show a &notification for private messages, mentions and calls"));
    m_sound->setText(tr("Play a &sound for them"));
    m_muteNote->setText(tr("To silence one conversation, right-click it in the list and "
                           "choose “Mute notifications”. Its unread messages are still "
                           "counted."));
    m_cameraLabel->setText(tr("&Camera:"));
    m_microphoneLabel->setText(tr("&Microphone:"));
    m_speakerLabel->setText(tr("S&peaker:"));
    m_devicesNote->setText(tr("Used for calls; a call in progress switches at once."));
    m_accountNote->setText(tr("Signing out removes this account's saved history from this "
                              "computer."));
    m_privacyBox->setTitle(tr("Private messages"));
    m_readReceipts->setText(tr("Send &read receipts"));
    const QString receipts =
        tr("When on, the person who wrote to you sees two coloured ticks once you have opened "
           "their message. When off, they see only that it was delivered (two grey ticks), "
           "and nobody learns when you read it. You still see when others read yours.");
    m_readReceipts->setToolTip(receipts);
    m_readReceiptsNote->setText(receipts);
    m_close->setText(tr("Close")); // Qt's own translation may not be installed
    if (m_devicesFilled) {
        m_devicesFilled = false;
        fillDevices();
    }
}

void SettingsDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}
