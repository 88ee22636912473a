#pragma once

#include "protocol/chatmessage.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class MessageStore;

// One page of hits of a message search, newest first.
struct SearchPage
{
    QList<ChatMessage> hits;
    bool more = false;     // messages below nextBefore remain to be searched
    qint64 nextBefore = 0; // `before` of the next page, when `more`
};

// A message search (docs/protocol.md section 7.1): the messages visible to `viewer` (public
// ones, and private ones whose sender or recipient identity is the viewer's, as for history)
// that contain every word, case-insensitively, newest first below `before`.
//
// A store narrows the candidates with its index (SQLite FTS5 trigram, PostgreSQL pg_trgm) by
// the words of at least kMinIndexedChars characters; a trigram index cannot serve shorter
// ones, so a search with only short words ("天气", "ok") looks at the newest kMaxExamined
// visible messages below `before` instead of the whole history. Either way run() checks every
// word itself, so all stores find the same messages, and each page costs a bounded amount.
struct SearchQuery
{
    static constexpr int kMinIndexedChars = 3;
    // Candidates read for one page at most: the work of a page is bounded even when the index
    // matches many messages that a short word then rules out.
    static constexpr int kMaxExamined = 5000;

    QString viewer;      // MessageParties identity
    QStringList words;   // what every hit contains (wordsOf())
    qint64 before = 0;   // seq < before; 0 = from the newest
    int limit = 20;      // hits in one page
    qint64 maxBytes = 0; // text of the hits in one page (but always one hit); 0 = no bound

    // The words of a search text: split at white space, each once.
    static QStringList wordsOf(const QString &text);
    // The words the trigram indexes can look up (kMinIndexedChars or more code points).
    QStringList indexedWords() const;
    bool matches(const QString &content) const;

    // The page, with the store's candidates (MessageStore::searchCandidates), on the store's
    // thread. nullopt when the store cannot be read (its lastError() says why).
    std::optional<SearchPage> run(MessageStore &store) const;
};

// The newest messages that a store's search index has not reached yet, read without it
// (newest first, at most SearchQuery::kMaxExamined of them), before the store reads its index
// below indexedBefore(). Both stores keep their index behind the relay.
class UnindexedLook
{
public:
    UnindexedLook(const SearchQuery &query, qint64 before) : m_query(query), m_indexedBefore(before)
    {}

    void add(ChatMessage m); // the next row read, newer rows first
    // Whether the page is complete without the index, with the hits in `result` (at most
    // `limit`) and *more set. When the index is further behind than one look reaches (a
    // rebuild, or a load that left it no time), the page ends at the lowest row read, and the
    // next one goes on below it, still without the index, so no message between is passed
    // over.
    bool finish(QList<ChatMessage> *result, int limit, bool *more);
    qint64 indexedBefore() const { return m_indexedBefore; } // where the index takes over

private:
    const SearchQuery &m_query;
    qint64 m_indexedBefore;
    int m_examined = 0;
    QList<ChatMessage> m_hits;
    std::optional<ChatMessage> m_lowest; // the last row read, when it is no hit
};
