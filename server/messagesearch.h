#pragma once

#include "asyncmessagestore.h"
#include "clientconnection.h"
#include "serverconfig.h"
#include "transport/sendbudget.h"
#include "transport/transport.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QWebSocket>

#include <functional>

class ChatRouter;

// Answers `search` requests (docs/protocol.md section 7.1): the hits visible to the asker's
// identity, read by the message store (SearchQuery) and sent as one page.
//
// Bounded like history pages: each search takes at least kCostBytes from its payer's history
// budget (SendBudget, the account or a guest's address), and the page it sends is paid for
// too; one search per connection at a time, and at most kMaxAtStore searches of the whole
// server at the message store, so searching never holds up the store's batches for long.
class MessageSearch : public QObject
{
    Q_OBJECT
public:
    using ConnectionOf = std::function<ClientConnection *(const QPointer<QWebSocket> &)>;

    static constexpr qint64 kCostBytes = 65536;
    static constexpr int kMaxAtStore = 2;

    MessageSearch(const ServerConfig &config, AsyncMessageStore *store, Transport *transport,
                  SendBudget *budget, ChatRouter *router, ConnectionOf connectionOf,
                  QObject *parent = nullptr);

    void handle(ClientConnection *c, const ClientRequest &r);

private:
    void answered(const QPointer<QWebSocket> &socket, const ClientRequest &r,
                  const std::optional<SearchPage> &page, const QString &error);

    const ServerConfig &m_config;
    AsyncMessageStore *m_store;
    Transport &m_transport;
    SendBudget &m_budget;
    ChatRouter *m_router;
    ConnectionOf m_connectionOf;
    QSet<const QWebSocket *> m_running; // connections with a search at the store
};
