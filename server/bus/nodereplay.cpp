#include "bus/nodereplay.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

NodeReplay::NodeReplay(AsyncMessageStore *store, Relay relay, QObject *parent)
    : QObject(parent), m_store(store), m_relay(std::move(relay))
{}

void NodeReplay::nodeSeen(const QString &node)
{
    if (!m_marks.contains(node))
        m_marks[node].sinceMs = m_clock() - kClockMarginMs;
}

void NodeReplay::relayFromBus(const QString &node, const ChatMessage &message,
                              const MessageParties &parties)
{
    nodeSeen(node);
    Mark &mark = m_marks[node];
    if (mark.replaying) {
        if (mark.liveDuringReplay.contains(message.seq))
            return; // the replay relayed it already
        if (mark.liveDuringReplay.size() < kMaxMessages)
            mark.liveDuringReplay.insert(message.seq);
    }
    mark.lastSeq = qMax(mark.lastSeq, message.seq);
    m_relay(message, parties);
}

void NodeReplay::replay(const QString &node, bool gone)
{
    const auto it = m_marks.find(node);
    if (it == m_marks.end())
        return; // never heard of: none of its users was ever listed here
    it->gone = it->gone || gone;
    if (it->replaying) {
        it->again = true;
        return;
    }
    it->replaying = true;
    it->cursor = it->lastSeq;
    it->relayed = 0;
    it->read = 0;
    readPage(node);
}

void NodeReplay::replayAll()
{
    const QStringList nodes = m_marks.keys();
    for (const QString &node : nodes)
        replay(node, false);
}

void NodeReplay::readPage(const QString &node)
{
    const Mark &mark = m_marks[node];
    m_store->storedBy(node, mark.cursor, mark.sinceMs, kPageMessages, kPageBytes, this,
                      [this, node](const std::optional<QList<MessageStore::Stored>> &page,
                                   bool more,
                                   const QString &error) { pageRead(node, page, more, error); });
}

void NodeReplay::pageRead(const QString &node,
                          const std::optional<QList<MessageStore::Stored>> &page, bool more,
                          const QString &error)
{
    const auto it = m_marks.find(node);
    if (it == m_marks.end())
        return;
    if (!page) {
        // Users see the rest when their client next catches up; nothing here waits for it.
        qCWarning(lcServer).noquote() << "cannot read back what node" << node << "stored:" << error;
        finish(node);
        return;
    }
    Mark &mark = *it; // relaying does not come back here: the reference stays valid
    for (const MessageStore::Stored &s : *page) {
        ++mark.read;
        mark.cursor = s.message.seq;
        mark.lastSeq = qMax(mark.lastSeq, s.message.seq);
        if (mark.liveDuringReplay.contains(s.message.seq))
            continue;                                // the bus brought it meanwhile
        mark.liveDuringReplay.insert(s.message.seq); // and if the bus brings it after this
        ++mark.relayed;
        m_relay(s.message, s.parties);
    }
    if (more && mark.read < kMaxMessages) {
        readPage(node);
        return;
    }
    if (more)
        qCWarning(lcServer).noquote()
            << "node" << node << "stored more than" << kMaxMessages
            << "messages the bus did not bring; users get the rest when they reconnect";
    finish(node);
}

void NodeReplay::finish(const QString &node)
{
    Mark &mark = m_marks[node];
    if (mark.relayed > 0)
        qCInfo(lcServer).noquote() << "relayed" << mark.relayed << "messages of node" << node
                                   << "that the bus had not brought";
    emit replayed(node, mark.relayed);
    mark.replaying = false;
    mark.liveDuringReplay.clear();
    if (mark.again) {
        mark.again = false;
        replay(node, false);
        return;
    }
    if (mark.gone)
        m_marks.remove(node);
}
