#include "model/messagesearchmodel.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

MessageSearchModel::MessageSearchModel(QObject *parent) : QAbstractListModel(parent) {}

int MessageSearchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_hits.size());
}

QString MessageSearchModel::whenLabel(const QDateTime &when, const QDate &today)
{
    // As the conversation shows it: 24-hour time under a "Today" or "Yesterday" divider (the
    // locale's short format gave "12/4/26 3:13 AM" beside bubbles saying "03:13").
    const QString time = when.toString(QStringLiteral("HH:mm"));
    const QDate day = when.date();
    if (day == today)
        return tr("Today %1").arg(time);
    if (day == today.addDays(-1))
        return tr("Yesterday %1").arg(time);
    return QStringLiteral("%1 %2").arg(QLocale().toString(day, QLocale::ShortFormat), time);
}

QVariant MessageSearchModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_hits.size())
        return {};
    const HistoryCache::Hit &hit = m_hits.at(index.row());
    switch (role) {
    case Qt::DisplayRole: {
        const QString where = hit.conversation.isEmpty()
                                  ? tr("%1 in the room").arg(hit.message.from)
                              : hit.message.from == hit.displayName
                                  ? tr("%1, privately").arg(hit.message.from)
                                  : tr("%1 to %2").arg(hit.message.from, hit.displayName);
        const QString when = whenLabel(QDateTime::fromMSecsSinceEpoch(hit.message.timestampMs));
        return QStringLiteral("%1 · %2\n%3").arg(where, when, snippet(hit.message.content, m_text));
    }
    case Qt::ToolTipRole:
        return hit.message.content.left(1000);
    case ConversationRole:
        return hit.conversation.isEmpty() ? QString() : hit.displayName;
    case SeqRole:
        return hit.message.seq;
    case SenderRole:
        return hit.message.from;
    case SnippetRole:
        return snippet(hit.message.content, m_text);
    case TimestampRole:
        return QDateTime::fromMSecsSinceEpoch(hit.message.timestampMs);
    case SearchTextRole:
        return m_text;
    default:
        return {};
    }
}

void MessageSearchModel::setResults(const QString &text, const QList<HistoryCache::Hit> &hits)
{
    beginResetModel();
    m_text = text;
    m_hits = hits;
    endResetModel();
}

void MessageSearchModel::addResults(const QString &text, const QList<HistoryCache::Hit> &hits)
{
    if (text != m_text)
        return;
    // Row by row, in seq order (newest first): a view scrolled down to ask for the next page
    // stays where it is.
    for (const HistoryCache::Hit &hit : hits) {
        const auto at = std::find_if(m_hits.cbegin(), m_hits.cend(), [&](const auto &h) {
            return h.message.seq <= hit.message.seq;
        });
        if (at != m_hits.cend() && at->message.seq == hit.message.seq)
            continue; // saved on this computer too
        const int row = int(at - m_hits.cbegin());
        beginInsertRows({}, row, row);
        m_hits.insert(row, hit);
        endInsertRows();
    }
}

QString MessageSearchModel::snippet(const QString &content, const QString &text, int width)
{
    QString flat = content.simplified(); // one line: newlines and runs of spaces become one
    // The first of the words found (a search finds every word, in any order).
    const int at = nextMatch(flat, text).first;
    // A third of the room before the match, the rest from it on.
    int start = qMax(0, at - width / 3);
    if (flat.size() - start < width)
        start = qMax(0, int(flat.size()) - width);
    QString out = flat.mid(start, width);
    if (start > 0)
        out.prepend(QChar(0x2026));
    if (start + width < flat.size())
        out.append(QChar(0x2026));
    return out;
}

std::pair<int, int> MessageSearchModel::nextMatch(const QString &s, const QString &text, int from)
{
    std::pair<int, int> first{-1, 0};
    for (const QString &word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const int at = int(s.indexOf(word, from, Qt::CaseInsensitive));
        // The earliest; of two at one place, the longer.
        if (at >= 0 && (first.first < 0 || at < first.first ||
                        (at == first.first && word.size() > first.second)))
            first = {at, int(word.size())};
    }
    return first;
}
