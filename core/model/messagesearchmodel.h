#pragma once

#include "net/historycache.h"

#include <QAbstractListModel>
#include <QDateTime>

#include <utility>

// Messages that match the search box, newest first, as found in the history cache (so
// search works offline too). Each row says who wrote it, where, and the words around the
// match; activating one opens its conversation at that message.
class MessageSearchModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        ConversationRole = Qt::UserRole + 1, // the conversation's key ("" = the room)
        SeqRole,
        SenderRole,
        SnippetRole,
        TimestampRole,
        SearchTextRole, // what was searched for
    };

    explicit MessageSearchModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    void setResults(const QString &text, const QList<HistoryCache::Hit> &hits);
    // Adds hits found elsewhere (the server's) for the same `text`, each message once (by seq),
    // newest first; hits for another text are ignored (the user typed on meanwhile).
    void addResults(const QString &text, const QList<HistoryCache::Hit> &hits);
    void clear() { setResults({}, {}); }
    QString text() const { return m_text; }

    // The words of `content` around the first match of `text`, on one line: at most
    // `width` characters, with "…" where it was cut.
    static QString snippet(const QString &content, const QString &text, int width = 80);
    // When a hit was sent, as the conversation shows times: "Today 03:13", "Yesterday 21:40",
    // or the locale's short date and 24-hour time.
    static QString whenLabel(const QDateTime &when, const QDate &today = QDate::currentDate());
    // The first place at or after `from` where one of the words of `text` (split at white
    // space) stands in `s`, case-insensitively, and how long that word is: what a hit's
    // snippet shows in bold. {-1, 0} when none does.
    static std::pair<int, int> nextMatch(const QString &s, const QString &text, int from = 0);

private:
    QString m_text;
    QList<HistoryCache::Hit> m_hits;
};
