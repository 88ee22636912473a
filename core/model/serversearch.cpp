#include "model/serversearch.h"

#include "model/chatcontroller.h"
#include "protocol/namerules.h"

#include <QTimer>

ServerSearch::ServerSearch(ChatController *controller, QObject *parent)
    : QObject(parent), m_controller(controller)
{
    ClientSession *session = controller->session();
    connect(session, &ClientSession::searchResultsReceived, this,
            [this](const QString &text, const QList<ChatMessage> &hits, bool more,
                   qint64 nextBefore, const QString &ref) {
                if (ref != m_ref)
                    return;
                m_moreText = text;
                m_moreBefore = more ? nextBefore : 0;
                QList<HistoryCache::Hit> found;
                found.reserve(hits.size());
                for (const ChatMessage &m : hits)
                    found << hitOf(m);
                answered();
                emit resultsReady(text, found, more);
            });
    connect(session, &ClientSession::errorReceived, this,
            [this](ErrorCode code, const QString &, const QString &ref) {
                if (ref.isEmpty() || ref != m_ref)
                    return;
                const QString text = m_text;
                answered();
                // Busy: the server answers another search of ours (or two of others'): this
                // text goes again after the pause it asks for, unless a newer one waits.
                if (code == ErrorCode::SearchBusy && m_next.isEmpty()) {
                    m_next = text;
                    m_ref = QStringLiteral("-"); // held, so nothing else is sent meanwhile
                    QTimer::singleShot(1000, this, [this] {
                        m_ref.clear();
                        if (!m_next.isEmpty())
                            send(std::exchange(m_next, QString()));
                    });
                    return;
                }
                emit searchFailed(text, code);
            });
    connect(session, &ClientSession::stateChanged, this, [this](ClientSession::State state) {
        if (state != ClientSession::State::Online && m_ref != QLatin1String("-"))
            m_ref.clear(); // its answer died with the connection
    });
    // After ChatController's own handler (connected when it was made): the page is in the
    // conversation's list when this runs.
    connect(session, &ClientSession::historyReceived, this,
            [this](const QString &with, const QList<ChatMessage> &, bool, const QString &) {
                if (m_jump && with == m_jump->key)
                    stepJump();
            });
}

bool ServerSearch::search(const QString &text)
{
    m_moreBefore = 0; // a new text: the old one's pages are not wanted
    if (m_controller->session()->state() != ClientSession::State::Online)
        return false;
    if (!m_ref.isEmpty())
        m_next = text;
    else
        send(text);
    return true;
}

bool ServerSearch::searchMore()
{
    if (!m_ref.isEmpty() || m_moreBefore <= 0 ||
        m_controller->session()->state() != ClientSession::State::Online)
        return false;
    send(m_moreText, std::exchange(m_moreBefore, 0));
    return true;
}

void ServerSearch::send(const QString &text, qint64 before)
{
    m_text = text;
    m_ref = m_controller->session()->search(text, before);
}

void ServerSearch::answered()
{
    m_ref.clear();
    if (!m_next.isEmpty())
        send(std::exchange(m_next, QString()));
}

HistoryCache::Hit ServerSearch::hitOf(const ChatMessage &message) const
{
    // As the cache files it: the room, or the conversation with the other person.
    HistoryCache::Hit hit;
    hit.message = message;
    if (message.isPrivate()) {
        hit.displayName = NameRules::key(message.from) == NameRules::key(m_controller->self())
                              ? message.to
                              : message.from;
        hit.conversation = HistoryCache::keyOf(hit.displayName);
    }
    return hit;
}

void ServerSearch::jumpTo(const QString &key, qint64 seq)
{
    if (m_controller->showMessage(key, seq)) {
        m_jump.reset();
        emit messageShown(key, seq);
        return;
    }
    m_controller->setActiveConversation(key);
    m_jump = Jump{key, seq, 0};
    stepJump();
}

void ServerSearch::stepJump()
{
    MessageListModel *list = m_controller->conversations()->messages(m_jump->key);
    for (;;) {
        if (list->rowOfSeq(m_jump->seq) >= 0) {
            const Jump done = *m_jump;
            m_jump.reset();
            emit messageShown(done.key, done.seq);
            return;
        }
        const bool online = m_controller->session()->state() == ClientSession::State::Online;
        if (!list->hasMoreHistory() || m_jump->pages >= kMaxJumpPages ||
            (list->rowCount() > 0 && list->oldestSeq() < m_jump->seq)) {
            const Jump failed = *m_jump;
            m_jump.reset();
            emit jumpFailed(failed.key, failed.seq);
            return;
        }
        const int rows = list->rowCount();
        ++m_jump->pages;
        m_controller->loadOlder(m_jump->key);
        if (list->rowCount() == rows) {
            // Asked of the server: the page comes as historyReceived. Offline there is
            // nothing more to load.
            if (!online) {
                const Jump failed = *m_jump;
                m_jump.reset();
                emit jumpFailed(failed.key, failed.seq);
            }
            return;
        }
    }
}
