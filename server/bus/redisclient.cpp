#include "redisclient.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QSocketNotifier>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <limits>
#include <vector>

// The relay's category (lcServer in chatserver.cpp), defined again here so that a program with
// the bus alone does not need ChatServer linked in: the same name, the same filter rules.
Q_LOGGING_CATEGORY(lcBus, "confab.server")

namespace {

// What the reply being read has cost so far. hiredis' reader builds replies through the
// object functions below, which count; hiredis' own maxbuf only trims an idle buffer.
struct ReplyBudget
{
    qint64 used = 0;
    qint64 limit = 0;
    bool exceeded = false;
};

// The budget of the connection whose socket is being read (set around redisAsyncHandleRead
// only: replies are parsed there and nowhere else). hiredis 0.14's object functions get no
// pointer of ours that we can rely on.
thread_local ReplyBudget *t_budget = nullptr;

// A redisReply plus its RedisReply copy, roughly; and an array's element pointer.
constexpr qint64 kObjectBytes = 64;
constexpr qint64 kElementBytes = qint64(sizeof(void *));

const redisReplyObjectFunctions &defaultFunctions()
{
    // hiredis does not export its default functions; every reader starts with them.
    static const redisReplyObjectFunctions functions = [] {
        redisReader *reader = redisReaderCreate();
        const redisReplyObjectFunctions copy = *reader->fn;
        redisReaderFree(reader);
        return copy;
    }();
    return functions;
}

bool charge(const redisReadTask *task, qint64 bytes)
{
    ReplyBudget *budget = t_budget;
    if (!budget)
        return true;
    if (!task->parent)
        budget->used = 0; // a new reply begins (an array's elements come after it)
    budget->used += bytes;
    if (budget->used <= budget->limit)
        return true;
    budget->exceeded = true;
    return false; // the reader fails ("out of memory") and hiredis drops the connection
}

void *createString(const redisReadTask *task, char *text, size_t length)
{
    if (!charge(task, qint64(length) + kObjectBytes))
        return nullptr;
    return defaultFunctions().createString(task, text, length);
}

void *createArray(const redisReadTask *task, int elements)
{
    // Refused before hiredis allocates the element pointers that the count asks for. A count
    // beyond an int arrives negative.
    const qint64 bytes = elements < 0 ? std::numeric_limits<qint64>::max() / 4
                                      : qint64(elements) * kElementBytes + kObjectBytes;
    if (!charge(task, bytes))
        return nullptr;
    return defaultFunctions().createArray(task, elements);
}

void *createInteger(const redisReadTask *task, long long value)
{
    if (!charge(task, kObjectBytes))
        return nullptr;
    return defaultFunctions().createInteger(task, value);
}

void *createNil(const redisReadTask *task)
{
    if (!charge(task, kObjectBytes))
        return nullptr;
    return defaultFunctions().createNil(task);
}

void freeObject(void *reply)
{
    defaultFunctions().freeObject(reply);
}

redisReplyObjectFunctions s_limitedFunctions = {createString, createArray, createInteger, createNil,
                                                freeObject};

RedisReply convert(const redisReply *r)
{
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        out.elements.reserve(r->elements);
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.push_back(convert(r->element[i]));
        break;
    default:
        out.type = RedisReply::Type::Nil;
        break;
    }
    return out;
}

QByteArray text(const redisReply *r)
{
    return QByteArray(r->str, qsizetype(r->len));
}

} // namespace

// One hiredis connection, its notifiers and what it has been told. Lives as long as the client;
// its context comes and goes. `context` is cleared the moment hiredis starts to free it (the
// cleanup hook), so nothing touches a freed context.
struct RedisClient::Link
{
    Link(RedisClient *owner, bool isSubscriber) : client(owner), subscriber(isSubscriber) {}

    RedisClient *const client;
    const bool subscriber;
    redisAsyncContext *context = nullptr;
    QSocketNotifier *reader = nullptr;
    QSocketNotifier *writer = nullptr;
    bool answered = false;        // PING answered: Redis serves this connection
    QSet<QByteArray> unconfirmed; // channels asked for, not confirmed yet
    ReplyBudget budget;
    bool lost = false;  // the context went away without the client asking
    QString dropReason; // why the client frees the context itself
    QString reasonLost; // why the context went away

    QString tooLarge() const
    {
        return QStringLiteral("a reply larger than %1 bytes").arg(budget.limit);
    }

    bool ready() const { return context && answered && unconfirmed.isEmpty(); }

    void reset(qint64 replyLimit)
    {
        answered = false;
        unconfirmed.clear();
        budget = ReplyBudget{0, replyLimit, false};
        lost = false;
        dropReason.clear();
        reasonLost.clear();
    }

    QByteArray why() const
    {
        const QString &reason = !reasonLost.isEmpty() ? reasonLost : dropReason;
        return (reason.isEmpty() ? QStringLiteral("connection to Redis lost")
                                 : QStringLiteral("connection to Redis lost: ") + reason)
            .toUtf8();
    }

    void retireNotifiers()
    {
        // Perhaps called from inside one of them (hiredis frees the context from
        // redisAsyncHandleRead): disabled they fire no more, and they are deleted later, or
        // with the client if it goes first.
        for (QSocketNotifier *notifier : {reader, writer}) {
            if (notifier) {
                notifier->setEnabled(false);
                notifier->deleteLater();
            }
        }
        reader = nullptr;
        writer = nullptr;
    }

    // The context `ac` is being freed by hiredis: after this returns, it is gone.
    void gone(const redisAsyncContext *ac)
    {
        if (!context || context != ac)
            return;
        retireNotifiers();
        if (budget.exceeded) {
            dropReason = tooLarge();
            qCWarning(lcBus).noquote() << "Redis at" << client->address() << "sent" << dropReason
                                       << "- dropping the connection";
        }
        if (!dropReason.isEmpty())
            reasonLost = dropReason;
        else if (ac->err)
            reasonLost = QString::fromLocal8Bit(ac->errstr);
        else
            reasonLost = QStringLiteral("connection closed");
        context = nullptr;
        client->linkGone(*this);
    }

    void readable()
    {
        if (!context)
            return;
        t_budget = &budget;
        redisAsyncHandleRead(context);
        t_budget = nullptr;
        // A reply still arriving waits whole in the reader's buffer before it is parsed: bound
        // that too. (The context may be gone now: then `context` is null.)
        if (context) {
            const redisReader *r = context->c.reader;
            if (r && qint64(r->len - r->pos) > budget.limit) {
                budget.exceeded = true;
                dropReason = tooLarge(); // for the waiting commands' replies
                redisAsyncFree(context); // not inside a hiredis callback: frees it now
            }
        }
    }

    void writable()
    {
        if (context)
            redisAsyncHandleWrite(context);
    }

    // hiredis' event hooks; ev.data is the Link. hiredis calls them idempotently.
    static void addRead(void *data)
    {
        if (auto *link = static_cast<Link *>(data); link->reader)
            link->reader->setEnabled(true);
    }
    static void delRead(void *data)
    {
        if (auto *link = static_cast<Link *>(data); link->reader)
            link->reader->setEnabled(false);
    }
    static void addWrite(void *data)
    {
        if (auto *link = static_cast<Link *>(data); link->writer)
            link->writer->setEnabled(true);
    }
    static void delWrite(void *data)
    {
        if (auto *link = static_cast<Link *>(data); link->writer)
            link->writer->setEnabled(false);
    }
    static void cleanup(void *data)
    {
        auto *link = static_cast<Link *>(data);
        link->gone(link->context);
    }
    // Called after cleanup on every path hiredis takes; kept in case a path skips cleanup.
    static void onDisconnect(const redisAsyncContext *ac, int)
    {
        static_cast<Link *>(ac->data)->gone(ac);
    }

    // Callbacks. A null reply means the context is being freed. They only record: user code
    // runs later, from RedisClient::flush().
    static void onPong(redisAsyncContext *, void *r, void *privdata)
    {
        auto *link = static_cast<Link *>(privdata);
        const auto *reply = static_cast<const redisReply *>(r);
        if (!reply || !link->context)
            return;
        if (reply->type == REDIS_REPLY_ERROR) {
            // NOAUTH, LOADING...: this server cannot be used as it is.
            if (link->client->m_failure.isEmpty())
                link->client->m_failure = QStringLiteral("Redis answered PING with: %1")
                                              .arg(QString::fromUtf8(text(reply).left(200)));
        } else {
            link->answered = true;
        }
        link->client->scheduleFlush();
    }
    static void onReply(redisAsyncContext *, void *r, void *privdata)
    {
        auto *link = static_cast<Link *>(privdata);
        const auto *reply = static_cast<const redisReply *>(r);
        link->client->commandAnswered(reply ? convert(reply)
                                            : RedisReply::disconnected(link->why()));
    }
    static void onMessage(redisAsyncContext *, void *r, void *privdata)
    {
        auto *link = static_cast<Link *>(privdata);
        const auto *reply = static_cast<const redisReply *>(r);
        if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3)
            return;
        const redisReply *kind = reply->element[0];
        const redisReply *channel = reply->element[1];
        const redisReply *payload = reply->element[2];
        if (kind->type != REDIS_REPLY_STRING || channel->type != REDIS_REPLY_STRING)
            return;
        const QByteArray kindText = text(kind);
        if (kindText == "message" && payload->type == REDIS_REPLY_STRING) {
            link->client->messageArrived(text(channel), text(payload));
        } else if (kindText == "subscribe") {
            link->unconfirmed.remove(text(channel));
            link->client->scheduleFlush();
        }
    }
};

RedisClient::RedisClient(const QString &host, quint16 port, QObject *parent)
    : QObject(parent), m_host(host), m_port(port), m_commands(std::make_unique<Link>(this, false)),
      m_subscriber(std::make_unique<Link>(this, true))
{
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::Connecting)
            loseConnection(QStringLiteral("no answer within %1 s").arg(kConnectTimeoutMs / 1000));
    });
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::Waiting)
            connectNow();
    });
}

RedisClient::~RedisClient()
{
    // Runs from the event loop or user code, never inside hiredis (nothing of the user's is
    // called from there), so the contexts can be freed here. Their callbacks only clean up.
    m_destroying = true;
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    closeLinks(QStringLiteral("client deleted"));
    m_outbox.clear();
    // The notifiers are children: deleted by ~QObject, after the links that their slots use
    // (they are disabled and cannot fire in between).
}

QString RedisClient::address() const
{
    if (m_host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(m_host).arg(m_port);
    return QStringLiteral("%1:%2").arg(m_host).arg(m_port);
}

bool RedisClient::isConnected() const
{
    return m_state == State::Connected && m_commands->context && m_subscriber->context;
}

void RedisClient::setMaxReplyBytes(qint64 bytes)
{
    m_maxReplyBytes = bytes;
    m_commands->budget.limit = bytes;
    m_subscriber->budget.limit = bytes;
}

void RedisClient::start()
{
    if (m_state == State::Idle)
        connectNow();
}

void RedisClient::connectNow()
{
    m_state = State::Connecting;
    m_failure.clear();
    m_connectTimer.start(kConnectTimeoutMs);
    const QHostAddress literal(m_host);
    if (!literal.isNull()) {
        openLinks(literal.toString());
        return;
    }
    // hiredis would resolve the name itself, blocking the relay's thread meanwhile.
    m_lookupId = QHostInfo::lookupHost(m_host, this, [this](const QHostInfo &info) {
        m_lookupId = -1;
        if (m_state != State::Connecting)
            return;
        QString ip;
        for (const QHostAddress &address : info.addresses()) {
            if (ip.isEmpty() || address.protocol() == QAbstractSocket::IPv4Protocol)
                ip = address.toString();
            if (address.protocol() == QAbstractSocket::IPv4Protocol)
                break;
        }
        if (ip.isEmpty())
            fail(QStringLiteral("cannot resolve %1: %2").arg(m_host, info.errorString()));
        else
            openLinks(ip);
    });
}

void RedisClient::openLinks(const QString &ip)
{
    QString why;
    if (!openLink(*m_commands, ip, &why) || !openLink(*m_subscriber, ip, &why))
        fail(why);
}

bool RedisClient::openLink(Link &link, const QString &ip, QString *why)
{
    link.reset(m_maxReplyBytes);
    redisAsyncContext *ac = redisAsyncConnect(ip.toLatin1().constData(), m_port);
    if (!ac) {
        *why = QStringLiteral("out of memory");
        return false;
    }
    if (ac->err) {
        // Failed at once (e.g. refused on loopback): no hooks are attached yet.
        *why = QString::fromLocal8Bit(ac->errstr);
        redisAsyncFree(ac);
        return false;
    }
    // Notices a peer that vanished without closing (a powered-off host) within about a minute.
    redisEnableKeepAlive(&ac->c);
    link.context = ac;
    ac->data = &link;
    link.reader = new QSocketNotifier(ac->c.fd, QSocketNotifier::Read, this);
    link.writer = new QSocketNotifier(ac->c.fd, QSocketNotifier::Write, this);
    link.reader->setEnabled(false);
    link.writer->setEnabled(false);
    connect(link.reader, &QSocketNotifier::activated, this, [&link, n = link.reader] {
        if (link.reader == n)
            link.readable();
    });
    connect(link.writer, &QSocketNotifier::activated, this, [&link, n = link.writer] {
        if (link.writer == n)
            link.writable();
    });
    ac->ev.data = &link;
    ac->ev.addRead = &Link::addRead;
    ac->ev.delRead = &Link::delRead;
    ac->ev.addWrite = &Link::addWrite;
    ac->ev.delWrite = &Link::delWrite;
    ac->ev.cleanup = &Link::cleanup;
    ac->c.reader->fn = &s_limitedFunctions;
    redisAsyncSetDisconnectCallback(ac, &Link::onDisconnect);
    // The first command, before any SUBSCRIBE: its reply says Redis serves us (a listening
    // socket alone does not).
    redisAsyncCommand(ac, &Link::onPong, &link, "PING");
    if (link.subscriber && !m_channels.isEmpty())
        sendSubscribe(link, m_channels.values());
    return true;
}

void RedisClient::sendSubscribe(Link &link, const QList<QByteArray> &channels)
{
    std::vector<const char *> argv{"SUBSCRIBE"};
    std::vector<size_t> lengths{9};
    for (const QByteArray &channel : channels) {
        argv.push_back(channel.constData());
        lengths.push_back(size_t(channel.size()));
    }
    if (redisAsyncCommandArgv(link.context, &Link::onMessage, &link, int(argv.size()), argv.data(),
                              lengths.data()) == REDIS_OK) {
        for (const QByteArray &channel : channels)
            link.unconfirmed.insert(channel);
    }
}

void RedisClient::closeLinks(const QString &reason)
{
    for (Link *link : {m_commands.get(), m_subscriber.get()}) {
        if (redisAsyncContext *ac = link->context) {
            link->dropReason = reason;
            // Runs the callbacks of the commands still waiting (null replies), then cleanup.
            redisAsyncFree(ac);
        }
        link->context = nullptr;
        link->retireNotifiers();
        link->lost = false;
    }
    // hiredis answered every command it had; anything left would wait for ever.
    while (!m_pending.empty())
        commandAnswered(RedisReply::disconnected("connection to Redis lost: " + reason.toUtf8()));
}

void RedisClient::fail(const QString &reason)
{
    if (m_failure.isEmpty())
        m_failure = reason;
    scheduleFlush();
}

void RedisClient::linkGone(Link &link)
{
    if (m_destroying)
        return;
    link.lost = true;
    scheduleFlush();
}

// Looks at what the callbacks recorded: a loss, or both connections ready.
void RedisClient::settle()
{
    if (m_state != State::Connecting && m_state != State::Connected)
        return;
    QString failure = m_failure;
    for (const Link *link : {m_commands.get(), m_subscriber.get()}) {
        if (failure.isEmpty() && link->lost)
            failure = link->reasonLost;
    }
    if (!failure.isEmpty()) {
        loseConnection(failure);
        return;
    }
    if (m_state == State::Connecting && m_commands->ready() && m_subscriber->ready()) {
        m_state = State::Connected;
        m_connectTimer.stop();
        m_failures = 0;
        if (m_outage)
            qCWarning(lcBus).noquote() << "Redis at" << address() << "is back";
        else
            qCInfo(lcBus).noquote() << "connected to Redis at" << address();
        m_outage = false;
        deliver([this] { emit connected(); });
    }
}

void RedisClient::loseConnection(const QString &reason)
{
    const bool wasConnected = m_state == State::Connected;
    m_state = State::Waiting;
    m_connectTimer.stop();
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    closeLinks(reason);
    m_failure.clear();
    if (wasConnected) {
        qCWarning(lcBus).noquote()
            << QStringLiteral("Redis at %1 lost (%2); reconnecting").arg(address(), reason);
        deliver([this, reason] { emit disconnected(reason); });
    } else if (!m_outage) {
        qCWarning(lcBus).noquote()
            << QStringLiteral("cannot reach Redis at %1 (%2); retrying").arg(address(), reason);
    } else {
        qCDebug(lcBus).noquote() << "Redis at" << address() << "still unreachable:" << reason;
    }
    m_outage = true;
    // 200 ms doubling to 5 s; each delay drawn from its upper half, so that the server
    // processes that lost the same Redis do not all come back in the same instant.
    const int base = std::min(kMaxRetryMs, kFirstRetryMs << std::min(m_failures, 8));
    ++m_failures;
    m_retryTimer.start(base / 2 + int(QRandomGenerator::global()->bounded(base / 2 + 1)));
}

void RedisClient::command(const QList<QByteArray> &args,
                          std::function<void(const RedisReply &)> done)
{
    auto refuse = [&](RedisReply reply) {
        if (done)
            deliver([done = std::move(done), reply = std::move(reply)] { done(reply); });
    };
    if (args.isEmpty())
        return refuse(RedisReply::error("ERR empty command"));
    // These would turn the command connection into a subscribed one, which hiredis cannot
    // take back; the channels have their own connection.
    static const QList<QByteArray> refused{"SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE",
                                           "MONITOR"};
    if (refused.contains(args.first().toUpper()))
        return refuse(RedisReply::error("ERR use RedisClient::subscribe() for channels"));
    if (!m_commands->context)
        return refuse(RedisReply::disconnected("not connected to Redis"));
    qint64 bytes = 0;
    for (const QByteArray &arg : args)
        bytes += arg.size();
    if (qsizetype(m_pending.size()) >= m_maxPendingCommands ||
        m_pendingBytes + bytes > kMaxPendingBytes)
        return refuse(RedisReply::error("ERR too many commands waiting for Redis"));
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(args.size()));
    lengths.reserve(size_t(args.size()));
    for (const QByteArray &arg : args) {
        argv.push_back(arg.constData());
        lengths.push_back(size_t(arg.size()));
    }
    if (redisAsyncCommandArgv(m_commands->context, &Link::onReply, m_commands.get(),
                              int(argv.size()), argv.data(), lengths.data()) != REDIS_OK)
        return refuse(RedisReply::disconnected("connection to Redis closing"));
    m_pending.push_back(Pending{std::move(done), bytes});
    m_pendingBytes += bytes;
}

void RedisClient::commandAnswered(RedisReply reply)
{
    if (m_pending.empty())
        return; // cannot happen: hiredis calls back once per command
    Pending pending = std::move(m_pending.front());
    m_pending.pop_front();
    m_pendingBytes -= pending.bytes;
    if (m_destroying || !pending.done)
        return;
    deliver([done = std::move(pending.done), reply = std::move(reply)] { done(reply); });
}

void RedisClient::messageArrived(const QByteArray &channel, const QByteArray &payload)
{
    deliver([this, channel, payload] {
        // Messages already on their way when unsubscribe() was called are not wanted.
        if (m_channels.contains(channel))
            emit messageReceived(channel, payload);
    });
}

void RedisClient::subscribe(const QByteArray &channel)
{
    if (m_channels.contains(channel))
        return;
    m_channels.insert(channel);
    if (m_subscriber->context)
        sendSubscribe(*m_subscriber, {channel});
    // Otherwise it is subscribed with the others when the connection is made.
}

void RedisClient::unsubscribe(const QByteArray &channel)
{
    if (!m_channels.remove(channel))
        return;
    if (!m_subscriber->context)
        return;
    const char *argv[] = {"UNSUBSCRIBE", channel.constData()};
    const size_t lengths[] = {11, size_t(channel.size())};
    // No callback: hiredis answers it through the channel's SUBSCRIBE callback.
    redisAsyncCommandArgv(m_subscriber->context, nullptr, nullptr, 2, argv, lengths);
}

void RedisClient::deliver(std::function<void()> event)
{
    if (m_destroying)
        return;
    m_outbox.push_back(std::move(event));
    scheduleFlush();
}

void RedisClient::scheduleFlush()
{
    if (m_flushScheduled || m_destroying)
        return;
    m_flushScheduled = true;
    QMetaObject::invokeMethod(this, &RedisClient::flush, Qt::QueuedConnection);
}

void RedisClient::flush()
{
    m_flushScheduled = false;
    settle();
    // User code runs here, outside hiredis: it may send, subscribe, or delete this client.
    const QPointer<RedisClient> alive(this);
    while (!m_outbox.empty()) {
        const std::function<void()> event = std::move(m_outbox.front());
        m_outbox.pop_front();
        event();
        if (!alive)
            return;
    }
}
