#include "messagesearch.h"

#include "chatrouter.h"
#include "replies.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

MessageSearch::MessageSearch(const ServerConfig &config, AsyncMessageStore *store,
                             Transport *transport, SendBudget *budget, ChatRouter *router,
                             ConnectionOf connectionOf, QObject *parent)
    : QObject(parent), m_config(config), m_store(store), m_transport(*transport), m_budget(*budget),
      m_router(router), m_connectionOf(std::move(connectionOf))
{}

void MessageSearch::handle(ClientConnection *c, const ClientRequest &r)
{
    // Busy answers say when to try again: the client keeps the newest text and asks once more.
    if (m_running.contains(c->socket) || m_running.size() >= kMaxAtStore)
        return Replies::sendError(m_transport, c, ErrorCode::SearchBusy, r.ref, c->dialect, 1000);
    const qint64 now = m_transport.now();
    if (const qint64 waitMs = m_budget.historyWaitMs(c->budgetKey(), now); waitMs > 0)
        return Replies::sendError(m_transport, c, ErrorCode::RateLimited, r.ref, c->dialect,
                                  waitMs);
    m_budget.takeHistory(c->budgetKey(), kCostBytes, now);

    SearchQuery query;
    query.viewer = c->identity;
    query.words = SearchQuery::wordsOf(r.query);
    query.before = r.before;
    query.limit = r.limit > 0 ? r.limit : ProtocolLimits::kDefaultSearchHits;
    query.maxBytes = m_config.limits.historyBytes;
    // What this connection sent a moment ago is found: the store answers in order, so the
    // batch handed to it now is committed before the search reads.
    m_router->flush();
    m_running.insert(c->socket);
    m_store->search(query, this,
                    [this, socket = QPointer<QWebSocket>(c->socket), key = c->socket,
                     r](const std::optional<SearchPage> &page, bool, const QString &error) {
                        m_running.remove(key);
                        answered(socket, r, page, error);
                    });
}

void MessageSearch::answered(const QPointer<QWebSocket> &socket, const ClientRequest &r,
                             const std::optional<SearchPage> &page, const QString &error)
{
    ClientConnection *c = m_connectionOf(socket);
    if (!c)
        return;
    if (!page) {
        qCWarning(lcServer).noquote() << "cannot search the history:" << error;
        return Replies::sendError(m_transport, c, ErrorCode::StoreFailed, r.ref, c->dialect);
    }
    const QByteArray json =
        MessageEncoder::search(r.query, page->hits, page->more, page->nextBefore, r.ref);
    m_budget.takeHistory(c->budgetKey(), json.size(), m_transport.now());
    Replies::sendJson(m_transport, c, json);
}
