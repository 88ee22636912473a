#include "mainwindow.h"

#include "accountmenu.h"
#include "calllauncher.h"
#include "composeedit.h"
#include "emojifont.h"
#include "emojipicker.h"
#include "imagepreview.h"
#include "listdelegates.h"
#include "messagealerts.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "model/messagesearchmodel.h"
#include "model/serversearch.h"
#include "settings/settings.h"
#include "settingsdialog.h"
#include "taskbarbadge.h"
#include "theme.h"
#include "translations.h"
#include "traynotifier.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDialog>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "confabversion.h"

namespace {
constexpr int kHideUsersBelow = 900;

QWidget *panel(const char *name, QWidget *parent)
{
    auto *w = new QWidget(parent);
    w->setObjectName(QLatin1String(name));
    w->setAttribute(Qt::WA_StyledBackground);
    return w;
}
} // namespace

MainWindow::MainWindow(ChatController *controller, Settings *settings, QWidget *parent)
    : QMainWindow(parent), m_controller(controller), m_settings(settings),
      m_badge(new TaskbarBadge(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    resize(1100, 720);
    setMinimumSize(720, 480);

    // Left: conversations.
    QWidget *left = panel("sidePanel", this);
    m_search = new QLineEdit(left);
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setPlaceholderText(tr("Search (Ctrl+K)"));
    // The clear button's icon comes from the icon theme, whose lookup cost the first window
    // some 10 ms: it is made when there is something to clear.
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (!text.isEmpty() && !m_search->isClearButtonEnabled())
            m_search->setClearButtonEnabled(true);
    });
    m_conversationFilter = new QSortFilterProxyModel(this);
    m_conversationFilter->setSourceModel(controller->conversations());
    m_conversationFilter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_conversationView = new QListView(left);
    m_conversationView->setObjectName(QStringLiteral("conversationView"));
    m_conversationView->setModel(m_conversationFilter);
    m_conversationView->setItemDelegate(new ConversationDelegate(m_conversationView));
    m_conversationView->setFrameShape(QFrame::NoFrame);
    m_conversationView->setMouseTracking(true);
    // Below the conversations, while searching: messages with the words, from the history
    // saved on this computer (so search works offline too).
    m_searchResults = new MessageSearchModel(this);
    m_searchResultsLabel = new QLabel(left);
    m_searchResultsLabel->setObjectName(QStringLiteral("searchResultsLabel"));
    m_searchResultsLabel->setWordWrap(true);
    m_searchResultsLabel->setContentsMargins(4, 8, 4, 4);
    m_searchResultsView = new QListView(left);
    m_searchResultsView->setObjectName(QStringLiteral("searchResultsView"));
    m_searchResultsView->setModel(m_searchResults);
    m_searchResultsView->setFrameShape(QFrame::NoFrame);
    m_searchResultsView->setItemDelegate(new SearchHitDelegate(m_searchResultsView));
    m_searchResultsView->setUniformItemSizes(true);
    m_searchResultsView->setMouseTracking(true);
    m_searchResultsLabel->hide();
    m_searchResultsView->hide();
    // And, while connected, from the server: the whole history this user may see.
    m_serverSearch = new ServerSearch(m_controller, this);
    connect(m_serverSearch, &ServerSearch::resultsReady, this,
            [this](const QString &text, const QList<HistoryCache::Hit> &hits) {
                if (text != m_searchResults->text())
                    return; // an older text's answer: the newer one is on its way
                m_serverAnswered = true;
                m_searchResults->addResults(text, hits);
                updateSearchLabel(text);
                // Still at the end (the page held only hits saved here too): the next one.
                if (atEndOfHits())
                    m_serverSearch->searchMore();
            });
    connect(m_serverSearch, &ServerSearch::searchFailed, this,
            [this](const QString &text) { updateSearchLabel(text); });
    connect(m_serverSearch, &ServerSearch::messageShown, this, &MainWindow::scrollToMessage);
    // Scrolled to the end of the hits: the server's next (older) page.
    connect(m_searchResultsView->verticalScrollBar(), &QScrollBar::valueChanged, this, [this] {
        if (atEndOfHits())
            m_serverSearch->searchMore();
    });
    connect(m_serverSearch, &ServerSearch::jumpFailed, this, [this] {
        statusBar()->showMessage(
            m_controller->session()->state() == ClientSession::State::Online
                ? tr("That message is too far back to open here.")
                : tr("That message is not saved on this computer; connect to open it."),
            8000);
    });
    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(150); // one search per pause in typing, not per key
    connect(m_searchDelay, &QTimer::timeout, this, &MainWindow::runSearch);
    auto *leftLayout = new QVBoxLayout(left);
    // The same gap on both sides: the search box and the chosen row end before the divider.
    leftLayout->setContentsMargins(8, 8, 8, 8);
    leftLayout->addWidget(m_search);
    leftLayout->addWidget(m_conversationView);
    leftLayout->addWidget(m_searchResultsLabel);
    leftLayout->addWidget(m_searchResultsView, 1);
    connect(m_search, &QLineEdit::textChanged, m_conversationFilter,
            &QSortFilterProxyModel::setFilterFixedString);
    // A search that hid the open conversation loses its row's selection; once the row is back
    // (the search edited or cleared), it shows as the open one again.
    connect(m_search, &QLineEdit::textChanged, this, &MainWindow::selectActiveConversation);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (m_searchDelay->isActive()) {
            m_searchDelay->stop();
            runSearch();
        }
        if (m_conversationFilter->rowCount() > 0)
            openConversation(
                m_conversationFilter->index(0, 0).data(ConversationListModel::KeyRole).toString());
        else if (m_searchResults->rowCount() > 0)
            m_searchResultsView->activated(m_searchResults->index(0));
    });
    auto *clearSearch = new QShortcut(QKeySequence(Qt::Key_Escape), m_search);
    clearSearch->setContext(Qt::WidgetShortcut);
    connect(clearSearch, &QShortcut::activated, this, [this] {
        m_search->clear();
        m_compose->setFocus();
    });
    connect(m_searchResultsView, &QListView::activated, this, [this](const QModelIndex &index) {
        openMessage(index.data(MessageSearchModel::ConversationRole).toString(),
                    index.data(MessageSearchModel::SeqRole).toLongLong());
    });
    connect(m_searchResultsView, &QListView::clicked, m_searchResultsView, &QListView::activated);
    connect(m_conversationView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                // Selecting the open conversation's row again (after a search) changes nothing.
                if (current.isValid() && current.data(ConversationListModel::KeyRole).toString() !=
                                             m_controller->activeConversation())
                    openConversation(current.data(ConversationListModel::KeyRole).toString());
            });

    // Middle: the conversation.
    QWidget *middle = panel("chatPanel", this);
    m_title = new QLabel(middle);
    m_title->setObjectName(QStringLiteral("conversationTitle"));
    m_subtitle = new QLabel(middle);
    m_subtitle->setObjectName(QStringLiteral("conversationSubtitle"));
    m_messages = new MessageView(middle);
    m_typing = new QLabel(middle);
    m_typing->setObjectName(QStringLiteral("typingLabel"));
    m_compose = new ComposeEdit(middle);
    m_compose->setNameModel(controller->users());
    m_compose->setCtrlEnterSends(settings->sendWithCtrlEnter());
    controller->setSendReadReceipts(settings->sendReadReceipts());
    m_sendButton = new QToolButton(middle);
    m_sendButton->setObjectName(QStringLiteral("sendButton"));
    m_sendButton->setText(QStringLiteral("➤"));
    m_sendButton->setToolTip(tr("Send (Enter)"));
    m_callButton = new QToolButton(middle);
    m_callButton->setObjectName(QStringLiteral("conversationCallButton"));
    m_callButton->setText(tr("Call"));
    m_callButton->setToolTip(tr("Start a video call"));
    m_callButton->hide();
    connect(m_callButton, &QToolButton::clicked, this,
            [this] { callUser(m_controller->activeConversation()); });
    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addStretch();
    header->addWidget(m_subtitle);
    header->addWidget(m_callButton);
    auto *inputRow = new QHBoxLayout;
    setupFiles(inputRow);
    inputRow->addWidget(m_compose, 1);
    setupEmojiPicker(inputRow);
    inputRow->addWidget(m_sendButton, 0, Qt::AlignBottom);
    auto *middleLayout = new QVBoxLayout(middle);
    middleLayout->setContentsMargins(12, 8, 12, 8);
    middleLayout->addLayout(header);
    middleLayout->addWidget(m_messages, 1);
    middleLayout->addWidget(m_typing);
    middleLayout->addLayout(inputRow);
    connect(m_compose, &ComposeEdit::submitted, this, &MainWindow::sendCurrent);
    // The controller reads the draft: whom it goes to (the chip) and where typing notices go.
    // Not while editing a sent message (the draft waits under the edit), nor while another
    // conversation's draft is put in.
    connect(m_compose, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_showingDraft && m_compose->editingSeq() == 0)
            m_controller->setDraft(m_compose->toPlainText());
    });
    connect(m_compose, &ComposeEdit::publicRequested, controller, &ChatController::setDraftPublic);
    connect(controller, &ChatController::draftChanged, this, [this] {
        m_compose->setRecipient(m_controller->draftMention(), m_controller->isDraftPublic());
    });
    connect(m_sendButton, &QToolButton::clicked, this, [this] {
        m_compose->submit(); // as Enter: a new message, or the edit being written
        m_compose->setFocus();
    });
    connectMessageChanges();
    connect(m_messages, &MessageView::nearTop, this,
            [this] { m_controller->loadOlder(m_controller->activeConversation()); });
    // After selecting in the list, typing goes on where it belongs.
    connect(m_messages, &MessageView::textTyped, this, [this](const QString &text) {
        m_compose->setFocus();
        m_compose->insertPlainText(text);
    });
    connect(m_messages, &MessageView::retryRequested, this, [this](const QString &id) {
        m_controller->retry(m_controller->activeConversation(), id);
    });

    // Right: who is online.
    m_rightPanel = panel("sidePanel", this);
    m_onlineLabel = new QLabel(m_rightPanel);
    m_onlineLabel->setObjectName(QStringLiteral("onlineLabel"));
    m_userView = new QListView(m_rightPanel);
    m_userView->setObjectName(QStringLiteral("userView"));
    m_userView->setModel(controller->users());
    m_userView->setItemDelegate(new UserDelegate(m_userView));
    m_userView->setFrameShape(QFrame::NoFrame);
    m_userView->setMouseTracking(true);
    auto *rightLayout = new QVBoxLayout(m_rightPanel);
    rightLayout->setContentsMargins(0, 8, 8, 8);
    rightLayout->addWidget(m_onlineLabel);
    rightLayout->addWidget(m_userView);
    connect(m_userView, &QListView::activated, this, [this](const QModelIndex &index) {
        if (!index.data(UserListModel::SelfRole).toBool())
            openConversation(index.data(UserListModel::NameRole).toString());
    });
    connect(m_userView, &QListView::clicked, this, [this](const QModelIndex &index) {
        const QPoint pos = m_userView->viewport()->mapFromGlobal(QCursor::pos());
        const QRect row = m_userView->visualRect(index);
        if (index.data(UserListModel::SelfRole).toBool())
            return;
        // The call button calls; a click anywhere else on the row (the message button
        // included) opens the private conversation, as in other messengers.
        if (UserDelegate::callButtonRect(row).contains(pos))
            callUser(index.data(UserListModel::NameRole).toString());
        else
            openConversation(index.data(UserListModel::NameRole).toString());
    });

    auto *splitter = new QSplitter(this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->addWidget(left);
    splitter->addWidget(middle);
    splitter->addWidget(m_rightPanel);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 0);
    splitter->setSizes({240, 620, 220});
    splitter->setChildrenCollapsible(false);
    setCentralWidget(splitter);

    // Status bar: connection state.
    m_statusDot = new QLabel(this);
    m_statusDot->setObjectName(QStringLiteral("statusDot"));
    m_statusText = new QLabel(this);
    m_statusText->setObjectName(QStringLiteral("connectionStatus"));
    m_hostLabel = new QLabel(this);
    m_hostLabel->setObjectName(QStringLiteral("hostLabel"));
    m_hostLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addWidget(m_statusDot);
    statusBar()->addWidget(m_statusText, 1);
    statusBar()->addPermanentWidget(m_hostLabel);
    m_countdown = new QTimer(this);
    m_countdown->setInterval(1000);
    connect(m_countdown, &QTimer::timeout, this, &MainWindow::updateStatus);

    m_notifier = new TrayNotifier(this);
    m_alerts = new MessageAlerts(controller->session(), settings, m_notifier, this);
    connect(controller, &ChatController::notificationRequested, m_alerts,
            &MessageAlerts::onMessage);
    setupConversationMenu();
    connect(m_notifier, &TrayNotifier::activated, this, [this](const QString &key) {
        showNormal();
        raise();
        activateWindow();
        openConversation(key);
    });

    ClientSession *session = controller->session();
    connect(session, &ClientSession::stateChanged, this, &MainWindow::updateStatus);
    auto storageWarning = [this](const QString &why) {
        statusBar()->showMessage(
            tr("Unsent messages are kept in memory only (%1); they are lost if Confab quits.")
                .arg(why),
            30000);
    };
    connect(session, &ClientSession::outboxStorageFailed, this, storageWarning);
    if (!session->outboxError().isEmpty())
        storageWarning(session->outboxError()); // the file failed before this window was made
    connect(session, &ClientSession::stateChanged, this, &MainWindow::updateHeader);
    connect(controller->users(), &QAbstractItemModel::rowsInserted, this,
            &MainWindow::updateHeader);
    connect(controller->users(), &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateHeader);
    connect(controller->users(), &QAbstractItemModel::modelReset, this, &MainWindow::updateHeader);
    connect(controller->users(), &UserListModel::liveChanged, this, &MainWindow::updateHeader);
    connect(controller, &ChatController::typingChanged, this, &MainWindow::updateTyping);
    connect(controller->conversations(), &QAbstractItemModel::dataChanged, this, [this] {
        m_notifier->setUnread(m_controller->conversations()->totalUnread());
        updateTitle();
    });

    auto *focusSearch = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_K), this);
    connect(focusSearch, &QShortcut::activated, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });

    buildMenus();
    nameControls();
    if (!settings->windowGeometry().isEmpty())
        restoreGeometry(settings->windowGeometry());
    openConversation(controller->activeConversation()); // the last one, from the cache
    updateStatus();
    updateHeader();
    m_compose->setFocus();
}

void MainWindow::buildMenus()
{
    QMenu *app = menuBar()->addMenu(tr("&Confab"));
    QAction *settingsAction = app->addAction(tr("&Settings…"), this, [this] { openSettings(); });
    settingsAction->setObjectName(QStringLiteral("settingsAction"));
    // Ctrl+, everywhere (Cmd+, on macOS), and the desktop's own key where it has another.
    QList<QKeySequence> keys = QKeySequence::keyBindings(QKeySequence::Preferences);
    if (!keys.contains(QKeySequence(Qt::CTRL | Qt::Key_Comma)))
        keys.append(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settingsAction->setShortcuts(keys);
    app->addSeparator();
    // The same choices as in the Settings dialog, which may have changed them: the checks are
    // read again each time the menu opens.
    QMenu *themeMenu = app->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(themeMenu);
    const QList<QPair<QString, Settings::Theme>> choices{
        {tr("Follow the &system"), Settings::Theme::System},
        {tr("&Light"), Settings::Theme::Light},
        {tr("&Dark"), Settings::Theme::Dark}};
    for (const auto &[label, theme] : choices) {
        QAction *a = themeMenu->addAction(label);
        a->setCheckable(true);
        themes->addAction(a);
        connect(themeMenu, &QMenu::aboutToShow, a,
                [this, a, theme = theme] { a->setChecked(m_settings->theme() == theme); });
        connect(a, &QAction::triggered, this, [this, theme = theme] { applyTheme(theme); });
    }
    QMenu *languageMenu = app->addMenu(tr("&Language"));
    auto *languages = new QActionGroup(languageMenu);
    const QList<QPair<QString, QString>> langs{
        {tr("Follow the system"), QString()},
        {QStringLiteral("English"), QStringLiteral("en")},
        {QStringLiteral("简体中文"), QStringLiteral("zh_CN")}};
    for (const auto &[label, code] : langs) {
        QAction *a = languageMenu->addAction(label);
        a->setCheckable(true);
        languages->addAction(a);
        connect(languageMenu, &QMenu::aboutToShow, a,
                [this, a, code = code] { a->setChecked(m_settings->language() == code); });
        connect(a, &QAction::triggered, this, [this, code = code] { applyLanguage(code); });
    }
    QAction *ctrlEnter = app->addAction(tr("Send with Ctrl+&Enter"));
    ctrlEnter->setCheckable(true);
    connect(app, &QMenu::aboutToShow, ctrlEnter,
            [this, ctrlEnter] { ctrlEnter->setChecked(m_settings->sendWithCtrlEnter()); });
    connect(ctrlEnter, &QAction::triggered, this, &MainWindow::applySendWithCtrlEnter);
    app->addSeparator();
    QAction *quit = app->addAction(tr("&Quit"), this, [this] {
        if (confirmQuit())
            qApp->quit();
    });
    quit->setShortcut(QKeySequence::Quit);

    if (!m_account) { // kept across a new language: it retranslates itself
        m_account = new AccountMenu(m_controller->session(), this);
        connect(m_account, &AccountMenu::signOutRequested, this, [this] {
            if (confirmSignOut())
                emit signOutRequested();
        });
        connect(m_account, &AccountMenu::signInRequested, this, &MainWindow::signInRequested);
    }
    menuBar()->addMenu(m_account);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Confab"), this, [this] {
        QMessageBox::about(this, tr("About Confab"),
                           tr("<h3>Confab %1</h3><p>Chat with voice and video calls.</p>")
                               .arg(QLatin1String(CONFAB_VERSION)));
    });
}

void MainWindow::openSettings()
{
    if (!m_settingsDialog) {
        m_settingsDialog = new SettingsDialog(m_settings, this);
        m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
        m_settingsDialog->setAccountMenu(m_account);
        m_settingsDialog->setCalls(m_calls);
        connect(m_settingsDialog, &SettingsDialog::themeChosen, this, &MainWindow::applyTheme);
        connect(m_settingsDialog, &SettingsDialog::languageChosen, this,
                &MainWindow::applyLanguage);
        connect(m_settingsDialog, &SettingsDialog::sendWithCtrlEnterChosen, this,
                &MainWindow::applySendWithCtrlEnter);
        connect(m_settingsDialog, &SettingsDialog::readReceiptsChosen, this,
                [this](bool on) { m_controller->setSendReadReceipts(on); });
    }
    // Not modal: the chat goes on beside it, and each change shows in the window at once.
    m_settingsDialog->show();
    m_settingsDialog->raise();
    m_settingsDialog->activateWindow();
}

SettingsDialog *MainWindow::settingsDialog() const
{
    return m_settingsDialog;
}

void MainWindow::applyTheme(Settings::Theme theme)
{
    m_settings->setTheme(theme);
    Theme::apply(*qApp, theme);
    emit themeChosen(int(theme));
    // The delegates paint with the theme's colours: the views repaint with the new ones.
    repaintLists();
    updateStatus();
}

void MainWindow::applyLanguage(const QString &language)
{
    m_settings->setLanguage(language);
    // Qt then sends every window a LanguageChange: see retranslateUi().
    Translations::install(language);
    emit languageChosen(language);
}

void MainWindow::applySendWithCtrlEnter(bool on)
{
    m_settings->setSendWithCtrlEnter(on);
    m_compose->setCtrlEnterSends(on);
}

void MainWindow::retranslateUi()
{
    m_search->setPlaceholderText(tr("Search (Ctrl+K)"));
    m_sendButton->setToolTip(tr("Send (Enter)"));
    m_emojiButton->setToolTip(tr("Emoji (Ctrl+;)"));
    if (m_attachButton)
        m_attachButton->setToolTip(tr("Send a file or image"));
    m_callButton->setText(tr("Call"));
    m_callButton->setToolTip(tr("Start a video call"));
    m_controller->conversations()->setRoomTitle(
        QCoreApplication::translate("ConversationListModel", "Lobby"));
    // The menus are made again in the new language (later: this may run from one of them).
    const QList<QMenu *> menus =
        menuBar()->findChildren<QMenu *>(QString(), Qt::FindDirectChildrenOnly);
    menuBar()->clear();
    for (QMenu *menu : menus) {
        if (menu != m_account)
            menu->deleteLater();
    }
    buildMenus();
    setHostAddresses(m_hostAddresses, m_hostFingerprint);
    if (m_searchResultsLabel->isVisible())
        updateSearchLabel(m_searchResults->text());
    updateComposePlaceholder();
    nameControls();
    updateHeader();
    updateStatus();
    updateTyping();
    // What the delegates paint ("Today", "Retry", …) is translated as it is painted.
    repaintLists();
}

void MainWindow::nameControls()
{
    // What a screen reader says for controls whose text is a symbol or that have none (their
    // tooltips are read as descriptions, after the name).
    m_search->setAccessibleName(tr("Search"));
    m_compose->setAccessibleName(tr("Message"));
    m_conversationView->setAccessibleName(tr("Conversations"));
    m_searchResultsView->setAccessibleName(tr("Messages found"));
    m_userView->setAccessibleName(tr("Online users"));
    m_sendButton->setAccessibleName(tr("Send"));
    m_emojiButton->setAccessibleName(tr("Emoji"));
    m_attachButton->setAccessibleName(tr("Attach a file"));
}

void MainWindow::repaintLists()
{
    for (QAbstractScrollArea *view : {static_cast<QAbstractScrollArea *>(m_messages),
                                      static_cast<QAbstractScrollArea *>(m_conversationView),
                                      static_cast<QAbstractScrollArea *>(m_userView),
                                      static_cast<QAbstractScrollArea *>(m_searchResultsView)})
        view->viewport()->update();
}

void MainWindow::updateComposePlaceholder()
{
    const QString key = m_controller->activeConversation();
    m_compose->setPlaceholderText(key.isEmpty()
                                      ? tr("Write to everyone… (@name for a private message)")
                                      : tr("Write to %1 privately…").arg(key));
}

void MainWindow::setupConversationMenu()
{
    // A muted conversation's unread pill is grey, as in other messengers.
    static_cast<ConversationDelegate *>(m_conversationView->itemDelegate())
        ->setMutedCheck([this](const QString &key) { return m_alerts->isMuted(key); });
    connect(m_alerts, &MessageAlerts::mutedChanged, m_conversationView->viewport(),
            qOverload<>(&QWidget::update));
    m_conversationView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_conversationView, &QWidget::customContextMenuRequested, this,
            [this](const QPoint &pos) {
                // The menu key has no position: the current row.
                QModelIndex index = m_conversationView->indexAt(pos);
                if (!index.isValid())
                    index = m_conversationView->currentIndex();
                if (!index.isValid())
                    return;
                const QString key = index.data(ConversationListModel::KeyRole).toString();
                auto *menu = new QMenu(this);
                menu->setObjectName(QStringLiteral("conversationMenu"));
                menu->setAttribute(Qt::WA_DeleteOnClose);
                menu->addAction(tr("&Open"), this, [this, key] { openConversation(key); });
                QAction *mute = menu->addAction(tr("&Mute notifications"));
                mute->setObjectName(QStringLiteral("muteAction"));
                mute->setCheckable(true);
                mute->setChecked(m_alerts->isMuted(key));
                connect(mute, &QAction::toggled, this,
                        [this, key](bool on) { m_alerts->setMuted(key, on); });
                const QRect row = m_conversationView->visualRect(index);
                menu->popup(m_conversationView->viewport()->mapToGlobal(
                    index == m_conversationView->indexAt(pos) ? pos : row.center()));
            });
}

void MainWindow::setupEmojiPicker(QHBoxLayout *inputRow)
{
    m_emojiButton = new QToolButton(m_compose->parentWidget());
    m_emojiButton->setObjectName(QStringLiteral("emojiButton"));
    m_emojiButton->setText(QStringLiteral("\U0001F642")); // slightly smiling face
    m_emojiButton->setAutoRaise(true);
    m_emojiButton->setToolTip(tr("Emoji (Ctrl+;)"));
    QFont f = m_emojiButton->font();
    if (!EmojiFont::family().isEmpty())
        f.setFamilies({EmojiFont::family()});
    f.setPixelSize(20); // as big as the send button beside it
    m_emojiButton->setFont(f);
    m_emojiButton->setFixedSize(34, 34);
    inputRow->addWidget(m_emojiButton, 0, Qt::AlignBottom);
    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Semicolon), this);
    connect(shortcut, &QShortcut::activated, m_emojiButton, &QToolButton::click);
    connect(m_emojiButton, &QToolButton::clicked, this, [this] {
        if (!m_emojiPicker) {
            m_emojiPicker = new EmojiPicker(this);
            // At the cursor, as if typed; the box keeps the focus for more.
            connect(m_emojiPicker, &EmojiPicker::emojiChosen, this, [this](const QString &e) {
                m_compose->insertPlainText(e);
                m_compose->setFocus();
            });
        }
        m_emojiPicker->popup(m_emojiButton);
    });
}

void MainWindow::runSearch()
{
    const QString text = m_search->text().trimmed();
    if (text.isEmpty()) {
        m_serverSearch->clear();
        m_searchResults->clear();
        m_searchResultsLabel->hide();
        m_searchResultsView->hide();
        m_conversationView->show();
        m_conversationView->setMaximumHeight(QWIDGETSIZE_MAX);
        return;
    }
    // The saved messages at once (also offline), the server's when they come (as the server
    // reads the text: runs of white space are one).
    const QString simplified = m_search->text().simplified();
    m_serverAnswered = false;
    m_searchResults->setResults(simplified, m_controller->searchSaved(text));
    m_serverSearch->search(simplified);
    updateSearchLabel(simplified);
}

bool MainWindow::atEndOfHits() const
{
    // Scrolled to the end of a list longer than the view.
    const QScrollBar *bar = m_searchResultsView->verticalScrollBar();
    return m_searchResultsView->isVisible() && bar->maximum() > 0 && bar->value() == bar->maximum();
}

void MainWindow::updateSearchLabel(const QString &text)
{
    const int hits = m_searchResults->rowCount();
    const bool searching = !m_serverAnswered && m_serverSearch->isSearching();
    m_searchResultsLabel->setText(
        hits > 0    ? (m_serverAnswered ? tr("Messages") : tr("Messages saved on this computer"))
        : searching ? tr("Searching for “%1”…").arg(text)
        : m_conversationFilter->rowCount() == 0 ? tr("No results for “%1”.").arg(text)
        : m_serverAnswered                      ? tr("No messages contain “%1”.").arg(text)
                           : tr("No saved messages contain “%1”.").arg(text));
    m_searchResultsLabel->show();
    m_searchResultsView->setVisible(hits > 0);
    // The conversations keep only the room their matches need; the hits get the rest.
    const int conversations = m_conversationFilter->rowCount();
    m_conversationView->setVisible(conversations > 0);
    m_conversationView->setMaximumHeight(
        conversations > 0 ? conversations * m_conversationView->sizeHintForRow(0) + 4
                          : QWIDGETSIZE_MAX);
}

void MainWindow::openMessage(const QString &key, qint64 seq)
{
    // From the saved history when it has the message, else from the server's older pages.
    m_serverSearch->jumpTo(key, seq);
}

void MainWindow::scrollToMessage(const QString &key, qint64 seq)
{
    openConversation(key);
    MessageListModel *list = m_controller->conversations()->messages(key);
    const int row = list->rowOfSeq(seq);
    if (row >= 0)
        m_messages->scrollToRow(row);
}

void MainWindow::openConversation(const QString &key)
{
    ConversationListModel *conversations = m_controller->conversations();
    MessageListModel *messages = conversations->messages(key);
    m_controller->setActiveConversation(key);
    showDraft(false); // at start the conversation was active already
    if (m_messages->model() != messages)
        m_messages->setModel(messages);
    selectActiveConversation();
    updateHeader();
    updateTyping();
    updateComposePlaceholder();
    m_compose->setFocus();
}

void MainWindow::selectActiveConversation()
{
    ConversationListModel *conversations = m_controller->conversations();
    const QModelIndex source =
        conversations->index(conversations->rowOf(m_controller->activeConversation()));
    const QModelIndex proxy = m_conversationFilter->mapFromSource(source);
    if (proxy.isValid() && m_conversationView->currentIndex() != proxy)
        m_conversationView->setCurrentIndex(proxy);
}

void MainWindow::setHostAddresses(const QStringList &addresses, const QString &fingerprint)
{
    m_hostAddresses = addresses; // for a new language
    m_hostFingerprint = fingerprint;
    if (addresses.isEmpty()) {
        m_hostLabel->setText(QString());
        m_hostLabel->setToolTip(QString());
        return;
    }
    m_hostLabel->setText(
        tr("Hosting — others on your network join at %1").arg(addresses.join(QLatin1String(", "))));
    // Joining users see the certificate's fingerprint and compare it with this one.
    if (!fingerprint.isEmpty()) {
        m_hostLabel->setText(
            m_hostLabel->text() +
            tr(" — certificate %1…%2").arg(fingerprint.left(11), fingerprint.right(5)));
        m_hostLabel->setToolTip(tr("Certificate fingerprint (SHA-256), for those who join to "
                                   "compare:\n%1")
                                    .arg(fingerprint));
    }
}

void MainWindow::setTokenStorageNote(const QString &note)
{
    m_account->setStorageNote(note);
}

void MainWindow::setCalls(CallLauncher *calls)
{
    m_calls = calls;
    calls->setMainWindow(this);
    connect(calls, &CallLauncher::notice, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(calls, &CallLauncher::ringing, this,
            [this](const QString &from, const QString &message) {
                if (!isActiveWindow())
                    m_alerts->notify(tr("Incoming call"), message, from);
            });
    connect(calls, &CallLauncher::missedCall, this,
            [this](const QString &from, const QString &message) {
                m_alerts->notify(tr("Missed call"), message, from);
            });
}

void MainWindow::callUser(const QString &peer)
{
    if (!m_calls) {
        statusBar()->showMessage(tr("Calls are not available in this build."), 4000);
        return;
    }
    m_calls->startCall(peer);
}

void MainWindow::confirmDelete(qint64 seq)
{
    // A delete cannot be undone (the server drops the text for everyone), so it is asked
    // first. open(), not exec(): messages keep arriving while the question is up.
    auto *box = new QMessageBox(QMessageBox::Question, tr("Delete message"),
                                tr("Delete this message for everyone? This cannot be undone."),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("deleteConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *remove = box->addButton(tr("&Delete"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("deleteConfirmButton"));
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    connect(box, &QMessageBox::finished, this, [this, box, remove, seq] {
        if (box->clickedButton() != remove)
            return;
        if (!m_controller->deleteMessage(seq))
            statusBar()->showMessage(tr("Not connected: the message was not deleted."), 5000);
    });
    box->open();
}

void MainWindow::connectMessageChanges()
{
    // Edit and delete of the user's own messages (docs/protocol.md section 5.5): the list's
    // context menu starts them, the compose box writes the new text.
    connect(m_messages, &MessageView::editRequested, m_compose, &ComposeEdit::startEditing);
    connect(m_messages, &MessageView::deleteRequested, this, &MainWindow::confirmDelete);
    connect(m_compose, &ComposeEdit::editSubmitted, this, [this](qint64 seq, const QString &text) {
        if (!m_controller->editMessage(seq, text))
            statusBar()->showMessage(tr("Not connected: the message was not changed."), 5000);
    });
    connect(m_controller, &ChatController::messageChangeFailed, this,
            [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    // An edit or a reply belongs to its conversation: another one cancels it, and brings
    // back what was written there.
    connect(m_controller, &ChatController::activeConversationChanged, m_compose,
            [this] { showDraft(true); });
    // Replies (section 5.6): the menu starts one; a click on a quote shows the original when
    // it is loaded.
    connect(m_messages, &MessageView::replyRequested, m_compose, &ComposeEdit::startReply);
    // Reactions (section 5.7): the menu's quick emoji and a click on a chip toggle one; the
    // menu's "More…" opens an emoji picker of its own (the compose box's types into the box).
    connect(m_messages, &MessageView::reactionToggled, this,
            [this](qint64 seq, const QString &emoji) {
                if (!m_controller->toggleReaction(m_controller->activeConversation(), seq, emoji))
                    statusBar()->showMessage(tr("Not connected: the reaction was not sent."), 5000);
            });
    connect(m_messages, &MessageView::reactionPickerRequested, this, [this](qint64 seq) {
        if (!m_reactionPicker) {
            m_reactionPicker = new EmojiPicker(this);
            m_reactionPicker->setObjectName(QStringLiteral("reactionPicker"));
            connect(m_reactionPicker, &EmojiPicker::emojiChosen, this, [this](const QString &e) {
                if (!m_controller->toggleReaction(m_controller->activeConversation(), m_reactionSeq,
                                                  e))
                    statusBar()->showMessage(tr("Not connected: the reaction was not sent."), 5000);
            });
        }
        m_reactionSeq = seq;
        m_reactionPicker->popup(m_messages);
    });
    connect(m_messages, &MessageView::quoteClicked, this, [this](qint64 seq) {
        const auto *list = qobject_cast<const MessageListModel *>(m_messages->model());
        const int row = list ? list->rowOfSeq(seq) : -1;
        if (row >= 0)
            m_messages->scrollToRow(row);
        else
            statusBar()->showMessage(
                tr("The original message is not loaded; scroll up to find it."), 5000);
    });
}

void MainWindow::sendCurrent(const QString &text)
{
    const auto to = m_controller->send(m_controller->activeConversation(), text,
                                       m_controller->draftAddressing(), m_compose->replyToSeq());
    if (!to)
        return; // nothing sent: the text stays
    // Out of the box, and so out of this conversation's draft, before "@name text" opens the
    // private conversation with its own draft.
    m_compose->clear();
    m_compose->cancelReply();
    if (*to != m_controller->activeConversation())
        openConversation(*to);
}

void MainWindow::showDraft(bool switched)
{
    const QString draft = m_controller->draft();
    if (!switched && (m_compose->editingSeq() != 0 || m_compose->toPlainText() == draft))
        return;
    m_showingDraft = true;
    m_compose->cancelEditing();
    m_compose->cancelReply();
    m_compose->setPlainText(draft);
    m_compose->moveCursor(QTextCursor::End);
    m_showingDraft = false;
}

void MainWindow::updateHeader()
{
    const QString key = m_controller->activeConversation();
    const UserListModel *users = m_controller->users();
    const int online = users->rowCount();
    // Without a connection the user list is only the last one known: the header says why
    // nobody is shown as online instead of counting them.
    const ClientSession::State state = m_controller->session()->state();
    QString away;
    if (!users->isLive())
        away = state == ClientSession::State::Offline ? tr("offline") : tr("reconnecting…");
    m_title->setText(key.isEmpty() ? QStringLiteral("# ") +
                                         m_controller->conversations()->index(0).data().toString()
                                   : key);
    if (!away.isEmpty())
        m_subtitle->setText(key.isEmpty() ? away : tr("private conversation — %1").arg(away));
    else if (key.isEmpty())
        m_subtitle->setText(tr("%n online", nullptr, online));
    else
        m_subtitle->setText(users->contains(key) ? tr("online, private conversation")
                                                 : tr("offline, private conversation"));
    m_onlineLabel->setText(away.isEmpty() ? tr("Online (%1)").arg(online)
                                          : tr("Not connected — last seen (%1)").arg(online));
    m_callButton->setVisible(!key.isEmpty());
    m_callButton->setEnabled(users->isLive() && users->contains(key));
    updateTitle();
}

void MainWindow::updateTitle()
{
    // "(3) alice @ chat.example.org": the unread count first, where a taskbar entry cut
    // short still shows it. Not "Confab": the window system adds the application's name
    // (QGuiApplication::applicationDisplayName) itself, and it was shown twice.
    const ClientSession *s = m_controller->session();
    QString title =
        s->name().isEmpty() ? QString() : tr("%1 @ %2").arg(s->name(), s->url().authority());
    const int unread = m_controller->conversations()->totalUnread();
    if (unread > 0)
        title = QStringLiteral("(%1) %2").arg(unread).arg(title).trimmed();
    setWindowTitle(title);
    m_badge->setCount(unread);
}

void MainWindow::updateStatus()
{
    const Theme::Colors &c = Theme::colors();
    const ClientSession *s = m_controller->session();
    QColor dot = c.secondary;
    QString text;
    switch (s->state()) {
    case ClientSession::State::Online:
        dot = c.online;
        // Plain ws:// is said out loud: anyone on the way can read it.
        text = s->isEncrypted() ? tr("Online") : tr("Online — not encrypted");
        break;
    case ClientSession::State::Connecting:
    case ClientSession::State::Handshaking:
    case ClientSession::State::LoggingIn:
        dot = QColor(0xE3A008);
        text = tr("Connecting…");
        break;
    case ClientSession::State::Reconnecting: {
        dot = QColor(0xE3A008);
        const int ms = s->reconnectRemainingMs();
        text = ms >= 0 ? tr("Reconnecting in %n s… — messages will be sent when back", nullptr,
                            (ms + 999) / 1000)
                       : tr("Reconnecting…");
        break;
    }
    case ClientSession::State::Offline:
        dot = c.danger;
        text = tr("Offline — messages will be sent when back");
        break;
    }
    // Until the server answers, what is shown comes from this computer and may be behind.
    if (s->state() != ClientSession::State::Online && m_controller->showsSavedMessages())
        text += tr(" · showing saved messages");
    // A ticking countdown only while one is shown: no timer runs when idle.
    if (s->state() == ClientSession::State::Reconnecting)
        m_countdown->start();
    else
        m_countdown->stop();
    m_statusDot->setText(QStringLiteral("●"));
    m_statusDot->setStyleSheet(QStringLiteral("color: %1;").arg(dot.name()));
    m_statusText->setText(text);
}

void MainWindow::updateTyping()
{
    const QStringList who = m_controller->typingIn(m_controller->activeConversation());
    if (who.isEmpty())
        m_typing->setText(QString());
    else if (who.size() == 1)
        m_typing->setText(tr("%1 is typing…").arg(who.first()));
    else
        m_typing->setText(
            tr("%1 and %n other(s) are typing…", nullptr, int(who.size() - 1)).arg(who.first()));
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::ActivationChange)
        m_controller->setWindowActive(isActiveWindow());
    else if (event->type() == QEvent::LanguageChange && !m_retranslating) {
        // One switch takes out and puts in two translators, each with its own event: the
        // window is retranslated once, after the last.
        m_retranslating = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_retranslating = false;
                retranslateUi();
            },
            Qt::QueuedConnection);
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    m_rightPanel->setVisible(width() >= kHideUsersBelow);
}

bool MainWindow::confirmQuit()
{
    const int unsent = m_controller->unsentCount();
    if (m_quitConfirmed || unsent == 0)
        return true;
    // English has a singular; the rest of the sentence follows it.
    const bool kept = !m_controller->session()->outboxPath().isEmpty();
    QString text;
    if (kept)
        text = unsent == 1
                   ? tr("1 message is not sent yet. Quit anyway? It will be sent next time.")
                   : tr("%n messages are not sent yet. Quit anyway? They will be sent "
                        "next time.",
                        nullptr, unsent);
    else
        text = unsent == 1 ? tr("1 message is not sent yet and will be lost. Quit anyway?")
                           : tr("%n messages are not sent yet and will be lost. Quit anyway?",
                                nullptr, unsent);
    QMessageBox box(QMessageBox::Question, tr("Quit Confab"), text, QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("quitConfirmation"));
    QPushButton *quit = box.addButton(tr("&Quit anyway"), QMessageBox::AcceptRole);
    box.setDefaultButton(box.addButton(QMessageBox::Cancel));
    box.exec();
    // Once said, it holds: the application's quit closes this window again.
    m_quitConfirmed = box.clickedButton() == quit;
    return m_quitConfirmed;
}

bool MainWindow::confirmSignOut()
{
    // Online, what the outbox holds has gone out before the sign-out and the server keeps it
    // (it handles both in order); only what waits for a connection would be lost.
    const int unsent = m_controller->unsentCount();
    if (unsent == 0 || m_controller->session()->state() == ClientSession::State::Online)
        return true;
    const QString text = unsent == 1
                             ? tr("1 message is not sent yet and will be lost. Sign out anyway?")
                             : tr("%n messages are not sent yet and will be lost. Sign out anyway?",
                                  nullptr, unsent);
    QMessageBox box(QMessageBox::Question, tr("Sign out"), text, QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("signOutConfirmation"));
    QPushButton *signOut = box.addButton(tr("&Sign out anyway"), QMessageBox::AcceptRole);
    box.setDefaultButton(box.addButton(QMessageBox::Cancel));
    box.exec();
    return box.clickedButton() == signOut;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!confirmQuit()) {
        event->ignore();
        return;
    }
    m_settings->setWindowGeometry(saveGeometry());
    m_settings->sync();
    QMainWindow::closeEvent(event);
}

void MainWindow::setupFiles(QHBoxLayout *inputRow)
{
    m_attachButton = new QToolButton(m_compose->parentWidget());
    m_attachButton->setObjectName(QStringLiteral("attachButton"));
    m_attachButton->setText(QStringLiteral("\U0001F4CE")); // paperclip
    m_attachButton->setAutoRaise(true);
    m_attachButton->setToolTip(tr("Send a file or image"));
    m_attachButton->setAccessibleName(tr("Attach a file"));
    QFont f = m_attachButton->font();
    f.setPointSizeF(f.pointSizeF() * 1.2);
    m_attachButton->setFont(f);
    m_attachButton->setFixedSize(34, 34);
    inputRow->addWidget(m_attachButton, 0, Qt::AlignBottom);
    connect(m_attachButton, &QToolButton::clicked, this, [this] {
        // Window-modal, not exec(): the session goes on while the user picks.
        auto *dialog = new QFileDialog(this, tr("Send files"));
        dialog->setObjectName(QStringLiteral("attachDialog"));
        dialog->setFileMode(QFileDialog::ExistingFiles);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QFileDialog::filesSelected, this, [this](const QStringList &paths) {
            for (const QString &path : paths)
                attachFile(path);
        });
        dialog->open();
    });
    setAcceptDrops(true);
    connect(m_compose, &ComposeEdit::filesPasted, this, [this](const QStringList &paths) {
        for (const QString &path : paths)
            attachFile(path);
    });
    connect(m_compose, &ComposeEdit::imagePasted, this, &MainWindow::attachImage);
    connect(m_messages, &MessageView::fileDownloadRequested, this,
            [this](qint64 seq, const QString &name) {
                const QString dir =
                    QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
                auto *dialog =
                    new QFileDialog(this, tr("Save file"), dir + QLatin1Char('/') + name);
                dialog->setObjectName(QStringLiteral("saveDialog"));
                dialog->setAcceptMode(QFileDialog::AcceptSave);
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                connect(dialog, &QFileDialog::fileSelected, this,
                        [this, seq](const QString &target) { saveFile(seq, target); });
                dialog->open();
            });
    connect(m_messages, &MessageView::fileCancelRequested, this,
            [this](qint64 seq, const QString &clientId) {
                const QString key = m_controller->activeConversation();
                if (seq > 0)
                    m_controller->cancelDownload(key, seq);
                else
                    m_controller->cancelUpload(key, clientId);
            });
    connect(m_messages, &MessageView::imageOpenRequested, this, &MainWindow::openImage);
    connect(m_controller, &ChatController::fileFailed, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_controller, &ChatController::fileSaved, this, [this](const QString &path) {
        statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 8000);
    });
}

void MainWindow::showFileError(const QString &text)
{
    auto *box =
        new QMessageBox(QMessageBox::Warning, tr("File not sent"), text, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("fileErrorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

bool MainWindow::attachFile(const QString &path)
{
    QString error;
    // The open conversation decides: a private one's file goes to its two parties only.
    if (!m_controller->sendFile(m_controller->activeConversation(), path, &error)) {
        showFileError(error);
        return false;
    }
    m_messages->scrollToBottom();
    return true;
}

bool MainWindow::attachImage(const QImage &image)
{
    if (m_pasteDir.isEmpty()) {
        m_pasteDir = QStandardPaths::writableLocation(QStandardPaths::TempLocation) +
                     QStringLiteral("/confab-pasted-%1").arg(QCoreApplication::applicationPid());
        QDir().mkpath(m_pasteDir);
        QFile::setPermissions(m_pasteDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                              QFileDevice::ExeOwner);
    }
    const QString path =
        m_pasteDir +
        QStringLiteral("/screenshot-%1.png")
            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")));
    if (!image.save(path, "PNG")) {
        showFileError(tr("The pasted picture could not be saved to send it."));
        return false;
    }
    return attachFile(path);
}

bool MainWindow::saveFile(qint64 seq, const QString &target)
{
    if (!m_controller->downloadFile(m_controller->activeConversation(), seq, target)) {
        statusBar()->showMessage(tr("That file is already being downloaded."), 5000);
        return false;
    }
    return true;
}

void MainWindow::openImage(const QString &path, const QString &name)
{
    // Decoded with bounds, fitted to the screen: a picture from the network never gets to
    // allocate what it likes.
    const QSize screen = this->screen() ? this->screen()->availableSize() : QSize(1600, 1200);
    QString error;
    const QImage image = ImagePreview::load(path, screen * 0.9, &error);
    if (image.isNull()) {
        showFileError(error);
        return;
    }
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("imageViewer"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(name);
    auto *label = new QLabel(dialog);
    label->setObjectName(QStringLiteral("imageLabel"));
    label->setAccessibleName(name);
    label->setPixmap(QPixmap::fromImage(image));
    label->setAlignment(Qt::AlignCenter);
    auto *area = new QScrollArea(dialog);
    area->setWidget(label);
    area->setWidgetResizable(true);
    auto *layout = new QVBoxLayout(dialog);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(area);
    dialog->resize(image.size().boundedTo(screen * 0.9) + QSize(4, 4));
    dialog->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls() || event->mimeData()->hasImage())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    // Files dropped anywhere on the window go to the open conversation.
    bool any = false;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile()) {
            attachFile(url.toLocalFile());
            any = true;
        }
    }
    if (!any && event->mimeData()->hasImage())
        any = attachImage(qvariant_cast<QImage>(event->mimeData()->imageData()));
    if (any)
        event->acceptProposedAction();
}
