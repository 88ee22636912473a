#include "model/chatcontroller.h"

#include "protocol/namerules.h"
#include "protocol/textrules.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <algorithm>

namespace {
constexpr int kTypingShownMs = 6000;
constexpr int kTypingResendMs = 3000;
// Messages per conversation shown from the cache at start: a screenful and some; the rest
// comes from the cache as the user scrolls up.
constexpr int kSavedPage = 60;
constexpr int kOlderPage = 50;
// Where the local cache keeps a conversation's receipt markers ("<delivered> <read>").
QString receiptValueName(const QString &key)
{
    return QStringLiteral("receipt/") + NameRules::key(key);
}
// Where the local cache keeps the unsent drafts: a JSON object, conversation -> text.
const QString kDraftsValue = QStringLiteral("drafts");
// A draft longer than this is not kept across a restart (no message can be that long).
constexpr int kMaxKeptDraftChars = 100000;
constexpr int kDraftSaveDelayMs = 1000;
} // namespace

ChatController::ChatController(QObject *parent) : QObject(parent)
{
    setupFiles();
    connect(&m_session, &ClientSession::loggedIn, this,
            [this](const QString &name, const QStringList &users) {
                m_users.setSelf(name);
                m_users.reset(users);
                // First login: the newest page of everything visible builds the conversation
                // list. After a reconnect the session catches up by itself, and with a cache
                // it catches up forwards from where the last run had read up to.
                if (!m_initialHistoryLoaded) {
                    m_initialHistoryLoaded = true;
                    m_session.loadNewest();
                }
            });
    m_users.setGuestCheck([this](const QString &name) { return m_session.isGuest(name); });
    connect(&m_session, &ClientSession::usersChanged, this,
            [this](const QStringList &joined, const QStringList &left) {
                m_users.apply(joined, left);
                m_users.guestsChanged(); // a name that came back may have signed in meanwhile
            });
    connect(&m_session, &ClientSession::messageReceived, this, &ChatController::onMessage);
    connect(&m_session, &ClientSession::receiptReceived, this, &ChatController::onReceipt);
    connect(&m_session, &ClientSession::historyReceived, this,
            [this](const QString &with, const QList<ChatMessage> &messages, bool more,
                   const QString &ref) {
                if (m_loadingOlder.value(with) == ref)
                    m_loadingOlder.remove(with);
                onHistory(with, messages, more);
            });
    connect(&m_session, &ClientSession::savedHistoryDropped, this, [this] {
        // The saved messages shown are too old to join on to the newest page that follows.
        for (const QString &key : m_conversations.keys())
            m_conversations.messages(key)->clearStored();
    });
    connect(&m_session, &ClientSession::messageAcknowledged, this,
            [this](const QString &id, qint64 seq, qint64 ts) {
                const QString key = m_pendingKeys.take(id);
                m_texts.remove(id);
                if (MessageListModel *m = m_conversations.find(key))
                    m->markSent(id, seq, ts);
            });
    connect(&m_session, &ClientSession::messageRejected, this,
            [this](const QString &id, ErrorCode, const QString &text) {
                if (MessageListModel *m = m_conversations.find(m_pendingKeys.value(id)))
                    m->markFailed(id, text);
            });
    connect(&m_session, &ClientSession::typingChanged, this, &ChatController::onTyping);
    connect(&m_session, &ClientSession::messageUpdated, this, &ChatController::onMessageUpdated);
    connect(&m_session, &ClientSession::reactionReceived, this, &ChatController::onReaction);
    connect(&m_session, &ClientSession::errorReceived, this,
            [this](ErrorCode code, const QString &text, const QString &ref) {
                if (!m_changeRefs.remove(ref))
                    return;
                // The codes of changes in the user's language; others as the server said them.
                switch (code) {
                case ErrorCode::UnknownMessage:
                    return emit messageChangeFailed(tr("That message no longer exists."));
                case ErrorCode::NotYours:
                    return emit messageChangeFailed(tr("You can only change your own messages."));
                case ErrorCode::MessageDeleted:
                    return emit messageChangeFailed(tr("That message was deleted."));
                case ErrorCode::TooManyReactions:
                    return emit messageChangeFailed(
                        tr("That message has as many reactions as allowed."));
                case ErrorCode::BadEmoji:
                    return emit messageChangeFailed(tr("A reaction must be a single emoji."));
                case ErrorCode::RateLimited:
                    return emit messageChangeFailed(
                        tr("You are sending too fast; wait a moment and try again."));
                default:
                    return emit messageChangeFailed(text);
                }
            });
    connect(&m_session, &ClientSession::stateChanged, this, [this](ClientSession::State s) {
        // Without a connection nobody's presence is known: the list stays as last seen, marked
        // so; the login after a reconnect replaces it with the server's.
        m_users.setLive(s == ClientSession::State::Online);
        if (s == ClientSession::State::Offline)
            m_users.clear();
        if (s != ClientSession::State::Online)
            m_loadingOlder.clear(); // unanswered requests died with the connection
    });
    m_draftSave.setSingleShot(true);
    m_draftSave.setInterval(kDraftSaveDelayMs);
    connect(&m_draftSave, &QTimer::timeout, this, &ChatController::saveDrafts);
    m_typingExpiry.setInterval(1000);
    connect(&m_typingExpiry, &QTimer::timeout, this, [this] {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (auto it = m_typingSeen.begin(); it != m_typingSeen.end();) {
            if (now - it.value() > kTypingShownMs) {
                const QString key = it.key().section(QLatin1Char('/'), 0, 0);
                const QString who = it.key().section(QLatin1Char('/'), 1);
                it = m_typingSeen.erase(it);
                m_typing[key].removeAll(who);
                emit typingChanged(key, m_typing.value(key));
            } else {
                ++it;
            }
        }
        if (m_typingSeen.isEmpty())
            m_typingExpiry.stop();
    });
}

ChatController::~ChatController()
{
    flushDrafts(); // the last keystrokes before quitting
}

void ChatController::connectTo(const QUrl &url, const QString &name,
                               const ClientSession::Credentials &credentials)
{
    flushDrafts(); // into the file they were written for, before another one opens
    m_initialHistoryLoaded = false;
    m_session.open(url, name, credentials);
    fillFromCache();
    showUnsent();
}

void ChatController::showSaved(const QUrl &url, const QString &name, bool account)
{
    flushDrafts();
    m_session.openLocalStore(url, name, account);
    fillFromCache();
    showUnsent();
}

QString ChatController::conversationKey(const HistoryCache::Conversation &c) const
{
    if (c.key.isEmpty())
        return QString();
    // A conversation already listed keeps the spelling it has.
    for (const QString &k : m_conversations.keys()) {
        if (!k.isEmpty() && NameRules::key(k) == c.key)
            return k;
    }
    return c.displayName;
}

void ChatController::fillFromCache()
{
    const QString file = m_session.outboxPath();
    if (file.isEmpty() || file == m_filledFrom)
        return;
    m_filledFrom = file;
    HistoryCache *cache = m_session.history();
    for (const HistoryCache::Conversation &c : cache->conversations()) {
        const QString key = conversationKey(c);
        const QList<ChatMessage> page = cache->page(c.key, 0, kSavedPage);
        if (page.isEmpty())
            continue;
        m_conversations.messages(key)->addMessages(page, self());
        m_conversations.noteActivity(key, c.lastTimestampMs, false, false);
        m_savedShown = true;
        if (!key.isEmpty()) {
            // The ticks as they were when this client last heard of them, offline too.
            const QStringList marks =
                cache->value(receiptValueName(key)).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            if (marks.size() == 2) {
                ReceiptInfo &known = m_receiptMarks[NameRules::key(key)];
                known.delivered = qMax(known.delivered, marks.at(0).toLongLong());
                known.read = qMax(known.read, marks.at(1).toLongLong());
            }
            applyReceiptMarks(key);
        }
    }
    loadDrafts();
    const QString last = cache->value(HistoryCache::kLastConversation);
    if (!last.isEmpty()) {
        for (const QString &k : m_conversations.keys()) {
            if (!k.isEmpty() && NameRules::key(k) == last) {
                setActiveConversation(k);
                break;
            }
        }
    }
}

QList<HistoryCache::Hit> ChatController::searchSaved(const QString &text, int limit) const
{
    return m_session.history()->search(text, limit);
}

bool ChatController::showMessage(const QString &key, qint64 seq)
{
    const QList<ChatMessage> around =
        m_session.history()->around(HistoryCache::keyOf(key), seq, 2 * kOlderPage);
    const bool found = std::any_of(around.cbegin(), around.cend(),
                                   [seq](const ChatMessage &m) { return m.seq == seq; });
    if (!found)
        return false;
    // Only what joins on to what is shown: the list has no holes (older pages fill upwards).
    // All of it, from the hit up to the oldest shown (the newest when none is); the cache
    // bounds it by what one conversation keeps.
    MessageListModel *list = m_conversations.messages(key);
    list->addMessages(
        m_session.history()->range(HistoryCache::keyOf(key), around.first().seq, list->oldestSeq()),
        self());
    list->addMessages(around, self());
    setActiveConversation(key);
    return true;
}
void ChatController::showUnsent()
{
    // What an earlier run left in the outbox file: shown as "sending…" at once, and replaced
    // by the server's copy when it is acknowledged.
    for (const Outbox::Entry &e : m_session.outbox().entries()) {
        if (m_pendingKeys.contains(e.clientId))
            continue;
        m_pendingKeys.insert(e.clientId, e.to);
        m_texts.insert(e.clientId, {e.content, e.to});
        m_conversations.messages(e.to)->addPending(e.clientId, self(), e.to, e.content,
                                                   e.created.toMSecsSinceEpoch());
        m_conversations.noteActivity(e.to, e.created.toMSecsSinceEpoch(), false, false);
    }
}

QString ChatController::keyFor(const ChatMessage &m) const
{
    if (!m.isPrivate())
        return {};
    return NameRules::key(m.from) == NameRules::key(self()) ? m.to : m.from;
}

bool ChatController::mentionsSelf(const ChatMessage &m) const
{
    const QString me = NameRules::key(self());
    for (const QString &n : m.mentions) {
        if (NameRules::key(n) == me)
            return true;
    }
    return false;
}

void ChatController::onMessage(const ChatMessage &m)
{
    const QString key = keyFor(m);
    const bool own = NameRules::key(m.from) == NameRules::key(self());
    const bool mention = !own && mentionsSelf(m);
    MessageListModel *messages = m_conversations.messages(key);
    if (!messages->addMessage(m, own, mention))
        return;
    m_pendingKeys.remove(m.clientId);
    applyReceiptMarks(key);
    if (m.file && own && m_uploadPaths.contains(m.clientId))
        messages->setLocalFile(m.file->sha256, m_uploadPaths.take(m.clientId));
    noteFiles(key, {m});
    const bool seen = m_windowActive && key == m_active;
    if (seen && !own)
        noteShown(key);
    // Of the call entries only a missed call is news: the others record a call the user took
    // part in. A missed call's notice came from CallCoordinator while it rang; its unread
    // count is what remains of it where there is no tray (the list's badge, the window title).
    const bool news = m.call ? MessageListModel::isMissedCall(m, own) : !own;
    m_conversations.noteActivity(key, m.timestampMs, news && !seen, mention);
    if (!m.call && !own && !seen && (m.isPrivate() || mention)) {
        const QString title =
            m.isPrivate() ? tr("%1 (private)").arg(m.from) : tr("%1 mentioned you").arg(m.from);
        emit notificationRequested(title, m.content.left(200), key);
    }
    // Whoever just wrote has stopped typing.
    if (m_typing.value(key).contains(m.from)) {
        m_typing[key].removeAll(m.from);
        m_typingSeen.remove(key + QLatin1Char('/') + m.from);
        emit typingChanged(key, m_typing.value(key));
    }
}

bool ChatController::editMessage(qint64 seq, const QString &text)
{
    const QString ref = m_session.editMessage(seq, text);
    if (!ref.isEmpty())
        m_changeRefs.insert(ref);
    return !ref.isEmpty();
}

bool ChatController::deleteMessage(qint64 seq)
{
    const QString ref = m_session.deleteMessage(seq);
    if (!ref.isEmpty())
        m_changeRefs.insert(ref);
    return !ref.isEmpty();
}

bool ChatController::toggleReaction(const QString &key, qint64 seq, const QString &emoji)
{
    const MessageListModel *list = m_conversations.find(key);
    const bool mine = list && list->hasOwnReaction(seq, emoji);
    const QString ref = m_session.react(seq, emoji, !mine);
    if (ref.isEmpty())
        return false;
    // Only refusals are answered by ref: the set of refs waiting for one stays small however
    // many reactions the user gives (the oldest are forgotten).
    m_changeRefs.insert(ref);
    m_reactionRefs.append(ref);
    while (m_reactionRefs.size() > 32)
        m_changeRefs.remove(m_reactionRefs.takeFirst());
    return true;
}

void ChatController::onReaction(qint64 seq, const QString &by, const QString &emoji, bool added,
                                const QList<ChatMessage::Reaction> &reactions)
{
    // The relay does not say which conversation: the one that lists the seq (seqs are unique).
    const bool bySelf = NameRules::key(by) == NameRules::key(self());
    for (const QString &key : m_conversations.keys()) {
        if (MessageListModel *list = m_conversations.find(key);
            list && list->setReactions(seq, reactions, bySelf, emoji, added))
            return;
    }
}

void ChatController::onMessageUpdated(const ChatMessage &m)
{
    const bool own = NameRules::key(m.from) == NameRules::key(self());
    if (MessageListModel *messages = m_conversations.find(keyFor(m)))
        messages->updateMessage(m, !own && mentionsSelf(m));
}

void ChatController::onHistory(const QString &with, const QList<ChatMessage> &messages, bool more)
{
    if (with == QLatin1String("*")) {
        QHash<QString, QList<ChatMessage>> byKey;
        for (const ChatMessage &m : messages)
            byKey[keyFor(m)].append(m);
        const QString me = NameRules::key(self());
        for (auto it = byKey.cbegin(); it != byKey.cend(); ++it) {
            MessageListModel *list = m_conversations.messages(it.key());
            // A catch-up brings what was stored while the connection was down: of that only a
            // missed call is news, as it is live (onMessage).
            const bool seen = m_windowActive && it.key() == m_active;
            QList<qint64> missed;
            for (const ChatMessage &m : it.value()) {
                if (!seen && m.timestampMs >= m_startedMs && list->rowOfSeq(m.seq) < 0 &&
                    MessageListModel::isMissedCall(m, NameRules::key(m.from) == me))
                    missed.append(m.timestampMs);
            }
            list->addMessages(it.value(), self());
            applyReceiptMarks(it.key());
            if (seen)
                noteShown(it.key());
            noteFiles(it.key(), it.value());
            m_conversations.noteActivity(it.key(), it.value().last().timestampMs, false, false);
            for (qint64 ts : missed)
                m_conversations.noteActivity(it.key(), ts, true, false);
        }
        return;
    }
    MessageListModel *list = m_conversations.messages(with);
    list->addMessages(messages, self());
    list->setHasMoreHistory(more);
    applyReceiptMarks(with);
    if (m_windowActive && NameRules::key(with) == NameRules::key(m_active))
        noteShown(with);
    noteFiles(with, messages);
}

void ChatController::onReceipt(const ReceiptInfo &receipt)
{
    const QString key = NameRules::key(receipt.with);
    if (key.isEmpty() || key == NameRules::key(self()))
        return;
    ReceiptInfo &known = m_receiptMarks[key];
    if (receipt.delivered <= known.delivered && receipt.read <= known.read)
        return;
    known.with = receipt.with;
    known.delivered = qMax(known.delivered, qMax(receipt.delivered, receipt.read));
    known.read = qMax(known.read, receipt.read);
    // Kept with the cached messages they are about: an account's private conversations only.
    HistoryCache *cache = m_session.history();
    if (cache->privateAllowed())
        cache->setValue(receiptValueName(key),
                        QStringLiteral("%1 %2").arg(known.delivered).arg(known.read));
    applyReceiptMarks(receipt.with);
}

void ChatController::applyReceiptMarks(const QString &key)
{
    if (key.isEmpty())
        return;
    const auto it = m_receiptMarks.constFind(NameRules::key(key));
    if (it == m_receiptMarks.cend())
        return;
    if (MessageListModel *list = m_conversations.find(key))
        list->setReceiptMarks(it->delivered, it->read);
}

void ChatController::noteShown(const QString &key)
{
    if (key.isEmpty())
        return;
    const MessageListModel *list = m_conversations.find(key);
    // The newest stored message of the other party's that the conversation lists.
    for (int row = list ? list->rowCount() - 1 : -1; row >= 0; --row) {
        const MessageListModel::Item &item = list->itemAt(row);
        if (!item.own && item.message.isPrivate() && item.message.seq > 0) {
            m_session.markRead(item.message.from, item.message.seq);
            return;
        }
    }
}

QString ChatController::leadingName(const QString &text) const
{
    const QString name = TextRules::privateTarget(text, m_session.limits().maxNameChars);
    if (name.isEmpty() || NameRules::key(name) == NameRules::key(self()))
        return {};
    // "@bo" may still become "@bob": the name counts once something follows it.
    return text.size() > name.size() + 1 ? name : QString();
}

std::optional<QString> ChatController::send(const QString &key, const QString &text,
                                            Addressing addressing, qint64 replyTo)
{
    QString content = text;
    while (content.endsWith(QLatin1Char('\n')))
        content.chop(1);
    if (content.trimmed().isEmpty())
        return std::nullopt;
    QString to = key;
    if (key.isEmpty() && addressing == Addressing::LeadingNameIsPrivate) {
        const QString target = leadingName(content);
        if (!target.isEmpty()) {
            to = target;
            const QString rest = content.mid(target.size() + 1).trimmed();
            if (!rest.isEmpty())
                content = rest;
        }
    }
    const QString id = m_session.sendMessage(content, to, replyTo);
    m_pendingKeys.insert(id, to);
    m_texts.insert(id, {content, to});
    m_conversations.messages(to)->addPending(id, self(), to, content);
    m_conversations.noteActivity(to, QDateTime::currentMSecsSinceEpoch(), false, false);
    // The message itself ends the typing indicator where it arrives: no notice for that.
    m_typingSentTo.reset();
    m_lastTypingSent = 0;
    return to;
}

void ChatController::retry(const QString &key, const QString &clientId)
{
    MessageListModel *list = m_conversations.find(key);
    if (!list)
        return;
    if (m_uploadPaths.contains(clientId)) {
        // A file that failed goes again from its source (resumed where the server stands).
        const QString path = m_uploadPaths.take(clientId);
        m_pendingKeys.remove(clientId);
        list->removePending(clientId);
        QString error;
        if (!sendFile(key, path, &error))
            emit fileFailed(error);
        return;
    }
    const auto text = m_texts.take(clientId);
    m_pendingKeys.remove(clientId);
    list->removePending(clientId);
    // As it was sent: a room message that starts with "@name" was a public mention.
    if (!text.first.isEmpty())
        send(text.second, text.first, Addressing::AsWritten);
}

void ChatController::loadOlder(const QString &key)
{
    MessageListModel *list = m_conversations.find(key);
    if (!list || !list->hasMoreHistory() || m_loadingOlder.contains(key))
        return; // one page at a time per conversation, however often the view asks
    // The cache first (it has no holes, so where it ends the server goes on).
    const QList<ChatMessage> cached =
        m_session.history()->page(HistoryCache::keyOf(key), list->oldestSeq(), kOlderPage);
    if (!cached.isEmpty())
        list->addMessages(cached, self());
    if (cached.size() == kOlderPage || m_session.state() != ClientSession::State::Online)
        return;
    m_loadingOlder.insert(
        key, m_session.requestHistory(key, list->oldestSeq(), kOlderPage - int(cached.size())));
}

void ChatController::setActiveConversation(const QString &key)
{
    if (m_active == key)
        return;
    // Whoever heard "typing…" from the conversation left hears that it stopped: its draft
    // waits there, nobody is writing it.
    stopTyping();
    m_active = key;
    m_conversations.messages(key);
    m_draft = m_conversations.draft(key);
    updateDraftName(); // a leading "@name" makes a draft private in the room only
    // A guest's private conversations are not kept, and neither is their name.
    HistoryCache *cache = m_session.history();
    if (key.isEmpty() || cache->privateAllowed())
        cache->setValue(HistoryCache::kLastConversation, HistoryCache::keyOf(key));
    if (m_windowActive) {
        m_conversations.markRead(key);
        noteShown(key);
    }
    emit activeConversationChanged(key);
}

void ChatController::setWindowActive(bool active)
{
    m_windowActive = active;
    if (active) {
        m_conversations.markRead(m_active);
        noteShown(m_active);
    }
}

void ChatController::setSendReadReceipts(bool on)
{
    m_session.setSendReadReceipts(on);
    if (on && m_windowActive)
        noteShown(m_active);
}

void ChatController::noteTyping()
{
    const std::optional<QString> to = typingTarget();
    // The draft changed hands (an "@name" put in front, or taken back): whoever was told
    // before hears that it stopped, so "typing…" never lingers with the wrong people.
    if (m_typingSentTo && m_typingSentTo != to)
        stopTyping();
    if (!to)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_typingSentTo && now - m_lastTypingSent < kTypingResendMs)
        return;
    m_lastTypingSent = now;
    m_typingSentTo = to;
    m_session.setTyping(true, *to);
}

void ChatController::stopTyping()
{
    if (m_typingSentTo)
        m_session.setTyping(false, *m_typingSentTo);
    m_typingSentTo.reset();
    m_lastTypingSent = 0;
}

std::optional<QString> ChatController::typingTarget() const
{
    if (!m_active.isEmpty())
        return m_active;
    // "@bo…": until the name is finished nobody can tell whom the draft is for, and a
    // notice to the whole room could tell everyone about a private message.
    if (m_draft.startsWith(QLatin1Char('@')) &&
        std::all_of(m_draft.cbegin() + 1, m_draft.cend(),
                    [](QChar ch) { return NameRules::isNameChar(ch.unicode()); }))
        return std::nullopt;
    return draftPrivateTo();
}

void ChatController::setDraft(const QString &text)
{
    if (text == m_draft)
        return;
    m_draft = text;
    m_conversations.setDraft(m_active, text);
    m_draftSave.start();
    updateDraftName();
    if (text.trimmed().isEmpty())
        stopTyping();
    else
        noteTyping();
}

void ChatController::flushDrafts()
{
    if (m_draftSave.isActive())
        saveDrafts();
}

void ChatController::saveDrafts()
{
    m_draftSave.stop();
    HistoryCache *cache = m_session.history();
    // A guest's drafts, private ones included, stay in memory as its private messages do.
    if (!cache->privateAllowed()) {
        if (!cache->value(kDraftsValue).isEmpty())
            cache->setValue(kDraftsValue, QString());
        return;
    }
    QJsonObject all;
    const QHash<QString, QString> drafts = m_conversations.drafts();
    for (auto it = drafts.cbegin(); it != drafts.cend(); ++it) {
        if (it.value().size() <= kMaxKeptDraftChars)
            all.insert(it.key(), it.value());
    }
    cache->setValue(kDraftsValue,
                    all.isEmpty()
                        ? QString()
                        : QString::fromUtf8(QJsonDocument(all).toJson(QJsonDocument::Compact)));
}

void ChatController::loadDrafts()
{
    HistoryCache *cache = m_session.history();
    if (!cache->privateAllowed())
        return;
    // The file is this user's own, but it may be damaged or from another version: whatever
    // is not a conversation name with text is left out.
    const QJsonObject all = QJsonDocument::fromJson(cache->value(kDraftsValue).toUtf8()).object();
    for (auto it = all.constBegin(); it != all.constEnd(); ++it) {
        const QString key = it.key();
        const QString text = it.value().toString();
        if (text.isEmpty() || text.size() > kMaxKeptDraftChars)
            continue;
        if (!key.isEmpty() &&
            (NameRules::check(key, m_session.limits().maxNameChars) != ErrorCode::None ||
             NameRules::key(key) == NameRules::key(self())))
            continue;
        // A conversation listed already keeps its spelling.
        const QString listed = conversationKey({NameRules::key(key), key});
        // What was typed in this run comes first: it is newer than the file.
        if (m_conversations.draft(listed).isEmpty())
            m_conversations.setDraft(listed, text);
    }
    m_draft = m_conversations.draft(m_active);
    updateDraftName();
}

void ChatController::updateDraftName()
{
    const QString name = m_active.isEmpty() ? leadingName(m_draft) : QString();
    if (name == m_draftName)
        return;
    // Another person (or none): a choice made for the one before does not carry over.
    if (NameRules::key(name) != NameRules::key(m_draftName))
        m_draftPublic = false;
    m_draftName = name;
    emit draftChanged();
}

void ChatController::setDraftPublic(bool isPublic)
{
    if (m_draftName.isEmpty() || m_draftPublic == isPublic)
        return;
    m_draftPublic = isPublic;
    emit draftChanged();
    if (!m_draft.trimmed().isEmpty())
        noteTyping(); // the notices follow the draft to its new audience
}

QString ChatController::draftPrivateTo() const
{
    return m_draftPublic ? QString() : m_draftName;
}

void ChatController::onTyping(const QString &from, const QString &to, bool typing)
{
    const QString key = to.isEmpty() ? QString() : from;
    QStringList &who = m_typing[key];
    const QString seenKey = key + QLatin1Char('/') + from;
    if (typing) {
        m_typingSeen.insert(seenKey, QDateTime::currentMSecsSinceEpoch());
        if (!m_typingExpiry.isActive())
            m_typingExpiry.start();
        if (who.contains(from))
            return;
        who.append(from);
    } else {
        m_typingSeen.remove(seenKey);
        if (!who.removeAll(from))
            return;
    }
    emit typingChanged(key, who);
}

void ChatController::setupFiles()
{
    auto progress = [this](const QString &id, qint64 done, qint64 total) {
        int row = -1;
        const Transfer t = m_transfers.value(id);
        if (MessageListModel *list = rowFor(id, &row))
            list->setTransfer(row, done, total, !t.clientId.isEmpty());
    };
    connect(&m_files, &FileTransfers::uploadProgress, this, progress);
    connect(&m_files, &FileTransfers::downloadProgress, this,
            [this, progress](const QString &id, qint64 done, qint64 total) {
                if (!m_transfers.value(id).automatic) // a thumbnail's fetch shows no bar
                    progress(id, done, total);
            });
    connect(&m_files, &FileTransfers::uploadFinished, this, [this](const QString &id, qint64) {
        // The row itself is made stored by the ack (messageAcknowledged), as any message.
        m_transfers.remove(id);
    });
    connect(&m_files, &FileTransfers::uploadFailed, this,
            [this](const QString &id, ErrorCode, const QString &text) {
                int row = -1;
                if (MessageListModel *list = rowFor(id, &row)) {
                    list->setFileError(row, text);
                    list->markFailed(id, text);
                }
                m_transfers.remove(id);
                m_pendingKeys.remove(id);
                emit fileFailed(text);
            });
    connect(&m_files, &FileTransfers::downloadFinished, this,
            [this](const QString &id, const QString &path) {
                int row = -1;
                MessageListModel *list = rowFor(id, &row);
                const Transfer t = m_transfers.take(id);
                m_downloadBySeq.remove(t.seq);
                m_fetching.remove(t.sha256);
                if (list)
                    list->setTransfer(row, -1, 0, false);
                // Every conversation that shows this content can use the copy.
                for (const QString &key : m_conversations.keys())
                    m_conversations.messages(key)->setLocalFile(t.sha256, path);
                if (!t.automatic)
                    emit fileSaved(path);
            });
    connect(&m_files, &FileTransfers::downloadFailed, this,
            [this](const QString &id, ErrorCode, const QString &text) {
                int row = -1;
                MessageListModel *list = rowFor(id, &row);
                const Transfer t = m_transfers.take(id);
                m_downloadBySeq.remove(t.seq);
                m_fetching.remove(t.sha256);
                if (list)
                    list->setFileError(row, text);
                emit fileFailed(text);
            });
}

MessageListModel *ChatController::rowFor(const QString &transferId, int *row)
{
    const auto it = m_transfers.constFind(transferId);
    if (it == m_transfers.cend())
        return nullptr;
    MessageListModel *list = m_conversations.find(it->key);
    if (!list)
        return nullptr;
    *row = it->clientId.isEmpty() ? list->rowOfSeq(it->seq) : list->rowOfPending(it->clientId);
    // An upload's row is its pending one: once stored (the ack), nothing more shows on it.
    return *row >= 0 ? list : nullptr;
}

QString ChatController::fileCacheDir() const
{
    if (!m_fileCacheDir.isEmpty())
        return m_fileCacheDir;
    return QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
           QStringLiteral("/files");
}

bool ChatController::sendFile(const QString &key, const QString &path, QString *error)
{
    // The conversation decides where it goes: a private one's file reaches its two parties
    // only (the server sees to that too), the room's everyone.
    const QString id = m_files.upload(path, key, error);
    if (id.isEmpty())
        return false;
    Transfer t;
    t.key = key;
    t.clientId = id;
    t.path = path;
    m_transfers.insert(id, t);
    m_pendingKeys.insert(id, key);
    m_uploadPaths.insert(id, path);
    m_conversations.messages(key)->addPendingFile(id, self(), key, m_files.uploadFile(id), path);
    m_conversations.noteActivity(key, QDateTime::currentMSecsSinceEpoch(), false, false);
    return true;
}

void ChatController::cancelUpload(const QString &key, const QString &clientId)
{
    m_files.cancelUpload(clientId);
    m_transfers.remove(clientId);
    m_pendingKeys.remove(clientId);
    m_uploadPaths.remove(clientId);
    if (MessageListModel *list = m_conversations.find(key))
        list->removePending(clientId);
}

bool ChatController::downloadFile(const QString &key, qint64 seq, const QString &target)
{
    MessageListModel *list = m_conversations.find(key);
    const int row = list ? list->rowOfSeq(seq) : -1;
    if (row < 0 || !list->itemAt(row).message.file || m_downloadBySeq.contains(seq))
        return false;
    const FileRef file = *list->itemAt(row).message.file;
    const QString id = m_files.download(seq, file, target);
    Transfer t;
    t.key = key;
    t.seq = seq;
    t.sha256 = file.sha256;
    t.path = target;
    m_transfers.insert(id, t);
    m_downloadBySeq.insert(seq, id);
    list->setTransfer(row, 0, file.size, false);
    return true;
}

void ChatController::cancelDownload(const QString &key, qint64 seq)
{
    const QString id = m_downloadBySeq.take(seq);
    if (id.isEmpty())
        return;
    m_files.cancelDownload(id);
    m_transfers.remove(id);
    if (MessageListModel *list = m_conversations.find(key))
        list->setTransfer(list->rowOfSeq(seq), -1, 0, false);
}

void ChatController::noteFiles(const QString &key, const QList<ChatMessage> &messages)
{
    MessageListModel *list = m_conversations.messages(key);
    for (const ChatMessage &m : messages) {
        if (!m.file || m.deleted || m.seq <= 0 || !FileRef::isCheckedImage(m.file->mime) ||
            m.file->size > kAutoImageBytes || !list->localFile(m.file->sha256).isEmpty())
            continue;
        // Kept by content: the same picture sent twice, or seen again next run, is here.
        const QString path = fileCacheDir() + QLatin1Char('/') + m.file->sha256;
        if (QFileInfo(path).isFile() && QFileInfo(path).size() == m.file->size) {
            list->setLocalFile(m.file->sha256, path);
            continue;
        }
        if (m_fetching.contains(m.file->sha256) || !QDir().mkpath(fileCacheDir()))
            continue;
        QFile::setPermissions(fileCacheDir(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                  QFileDevice::ExeOwner);
        const QString id = m_files.download(m.seq, *m.file, path);
        Transfer t;
        t.key = key;
        t.seq = m.seq;
        t.sha256 = m.file->sha256;
        t.path = path;
        t.automatic = true;
        m_transfers.insert(id, t);
        m_fetching.insert(m.file->sha256);
    }
}
