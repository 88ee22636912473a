#include "searchquery.h"

#include "messagestore.h"
#include "protocol/textrules.h"

#include <algorithm>

QStringList SearchQuery::wordsOf(const QString &text)
{
    QStringList words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    words.removeDuplicates();
    return words;
}

QStringList SearchQuery::indexedWords() const
{
    QStringList indexed;
    for (const QString &word : words) {
        // Code points, as the trigram tokenizers count: a Chinese character is one.
        if (word.toUcs4().size() >= kMinIndexedChars)
            indexed << word;
    }
    return indexed;
}

bool SearchQuery::matches(const QString &content) const
{
    if (words.isEmpty())
        return false;
    for (const QString &word : words) {
        if (!content.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

std::optional<SearchPage> SearchQuery::run(MessageStore &store) const
{
    // Every candidate of an indexed search has the indexed words, so limit + 1 of them make a
    // page unless a short word (or a case the index folds differently) rules some out.
    const bool allIndexed = indexedWords().size() == words.size();
    const int examine = allIndexed ? limit + 1 : kMaxExamined;
    bool more = false;
    const std::optional<QList<ChatMessage>> candidates =
        store.searchCandidates(*this, examine, &more);
    if (!candidates)
        return std::nullopt;
    SearchPage page;
    qint64 bytes = 0;
    for (const ChatMessage &m : *candidates) {
        if (!matches(m.content))
            continue;
        bytes += TextRules::utf8Size(m.content);
        if (page.hits.size() == limit ||
            (maxBytes > 0 && bytes > maxBytes && !page.hits.isEmpty())) {
            page.more = true;
            page.nextBefore = page.hits.last().seq;
            return page;
        }
        page.hits.append(m);
    }
    // Every candidate looked at: the next page starts below the last one (which need not have
    // been a hit), if the store has more.
    if (more && !candidates->isEmpty()) {
        page.more = true;
        page.nextBefore = candidates->last().seq;
    }
    return page;
}

void UnindexedLook::add(ChatMessage m)
{
    ++m_examined;
    m_indexedBefore = std::min(m_indexedBefore, m.seq);
    m_lowest.reset();
    if (m_query.matches(m.content))
        m_hits.append(std::move(m));
    else
        m_lowest = std::move(m);
}

bool UnindexedLook::finish(QList<ChatMessage> *result, int limit, bool *more)
{
    *result = std::move(m_hits);
    if (result->size() > limit) {
        *more = true;
        result->resize(limit);
        return true;
    }
    if (m_examined < SearchQuery::kMaxExamined)
        return false;
    *more = true;
    if (m_lowest)
        result->append(std::move(*m_lowest));
    return true;
}
