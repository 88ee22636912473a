#pragma once

#include "net/historycache.h"
#include "protocol/errorcode.h"

#include <QObject>

#include <optional>

class ChatController;

// Message search on the server (docs/protocol.md section 7.1) for the window: the whole
// history the user may see, where HistoryCache::search has only what this computer saved.
//
// One search at a time, as the server answers them: while one is on its way only the newest
// text waits, and goes next (typing "wea", "weath", "weather" sends at most two). Hits come
// as HistoryCache::Hit, so the window shows them like saved ones.
//
// jumpTo() opens a hit in its conversation: from the cache when it has the message, else
// older pages are loaded (ChatController::loadOlder: the cache, then the server) until the
// conversation holds it.
class ServerSearch : public QObject
{
    Q_OBJECT
public:
    // Pages of older history a jump loads at most (50 messages each): a hit further back
    // is not opened (jumpFailed), rather than loading the whole history into the window.
    static constexpr int kMaxJumpPages = 40;

    explicit ServerSearch(ChatController *controller, QObject *parent = nullptr);

    // False when offline (nothing is asked; the cache's hits are all there is).
    bool search(const QString &text);
    // The next (older) page of the last text answered, when the server said there is more:
    // false when there is none, or a search is on its way.
    bool searchMore();
    bool hasMore() const { return m_moreBefore > 0; }
    // Forgets the text waiting to be searched (the search box was cleared).
    void clear() { m_next.clear(); }
    bool isSearching() const { return !m_ref.isEmpty(); }

    void jumpTo(const QString &key, qint64 seq);

signals:
    void resultsReady(const QString &text, const QList<HistoryCache::Hit> &hits, bool more);
    void searchFailed(const QString &text, ErrorCode code);
    // The conversation `key` is open and holds `seq`: the window scrolls to it.
    void messageShown(const QString &key, qint64 seq);
    void jumpFailed(const QString &key, qint64 seq);

private:
    void send(const QString &text, qint64 before = 0);
    void answered();
    HistoryCache::Hit hitOf(const ChatMessage &message) const;
    // Loads older pages of the jump's conversation until it holds the message (or cannot).
    void stepJump();

    struct Jump
    {
        QString key;
        qint64 seq = 0;
        int pages = 0;
    };

    ChatController *m_controller;
    QString m_ref;           // the search on its way ("" = none)
    QString m_text;          // its text
    QString m_next;          // the newest text asked for meanwhile
    QString m_moreText;      // the last text answered with more pages
    qint64 m_moreBefore = 0; // where its next page starts (0: no more)
    std::optional<Jump> m_jump;
};
