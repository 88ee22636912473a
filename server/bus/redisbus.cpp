#include "redisbus.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace {

const QByteArray kRoom = QByteArrayLiteral("confab:room");
const QByteArray kNodePrefix = QByteArrayLiteral("confab:node:");
const QByteArray kMediaPrefix = QByteArrayLiteral("confab:media:");
constexpr qsizetype kNodeIdBytes = 16;
const QByteArray kPresencePrefix = QByteArrayLiteral("confab:presence:");
const QByteArray kNamePrefix = QByteArrayLiteral("confab:name:");
const QByteArray kVersionField = QByteArrayLiteral("_v");

// What this service puts on its channels is small: a chat message of at most a few tens of
// kilobytes. Anything far larger is not ours.
constexpr qsizetype kMaxEventBytes = 1 << 20;
constexpr qsizetype kMaxFieldChars = 1024;

// Takes the name when nobody holds it or this identity already does (another device of an
// account, or this node refreshing its own claim); otherwise answers with the holder.
const QByteArray kClaimScript =
    QByteArrayLiteral("local v = redis.call('GET', KEYS[1])\n"
                      "if (not v) or v == ARGV[1] then\n"
                      "  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
                      "  return 1\n"
                      "end\n"
                      "return v\n");
// Gives it up only if it is still ours.
const QByteArray kReleaseScript =
    QByteArrayLiteral("if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
                      "  return redis.call('DEL', KEYS[1])\n"
                      "end\n"
                      "return 0\n");

QString randomNodeId()
{
    QRandomGenerator *rng = QRandomGenerator::system();
    return QString::number(rng->generate64(), 16).rightJustified(kNodeIdBytes, QLatin1Char('0'));
}

QJsonObject userToJson(const BusUser &u)
{
    return {{QStringLiteral("key"), u.key},
            {QStringLiteral("name"), u.name},
            {QStringLiteral("skel"), u.skeleton},
            {QStringLiteral("id"), u.identity},
            {QStringLiteral("guest"), u.guest}};
}

bool fieldOk(const QJsonValue &v)
{
    return v.isString() && !v.toString().isEmpty() && v.toString().size() <= kMaxFieldChars;
}

std::optional<BusUser> userFromJson(const QJsonObject &o)
{
    if (!fieldOk(o.value(QLatin1String("key"))) || !fieldOk(o.value(QLatin1String("name"))) ||
        !fieldOk(o.value(QLatin1String("skel"))) || !fieldOk(o.value(QLatin1String("id"))) ||
        !o.value(QLatin1String("guest")).isBool())
        return std::nullopt;
    BusUser u;
    u.key = o.value(QLatin1String("key")).toString();
    u.name = o.value(QLatin1String("name")).toString();
    u.skeleton = o.value(QLatin1String("skel")).toString();
    u.identity = o.value(QLatin1String("id")).toString();
    u.guest = o.value(QLatin1String("guest")).toBool();
    return u;
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

RedisBus::RedisBus(const RedisUrl &url, QObject *parent)
    : Bus(parent), m_redis(url.host, url.port), m_node(randomNodeId()),
      m_presenceKey(kPresencePrefix + m_node.toUtf8())
{
    connect(&m_redis, &RedisClient::connected, this, &RedisBus::onConnected);
    connect(&m_redis, &RedisClient::disconnected, this, &RedisBus::onDisconnected);
    connect(&m_redis, &RedisClient::messageReceived, this, &RedisBus::onMessage);
    m_refresh.setInterval(kRefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &RedisBus::refresh);
}

RedisBus::~RedisBus()
{
    // A clean stop frees this node's users and names at once rather than after kTtlMs. Sent,
    // not awaited: the client goes with this object, and the keys expire anyway.
    if (m_up) {
        m_redis.command({"DEL", m_presenceKey});
        for (auto it = m_held.cbegin(); it != m_held.cend(); ++it)
            m_redis.command(
                {"EVAL", kReleaseScript, "1", kNamePrefix + it.key().toUtf8(), it.value()});
    }
}

void RedisBus::start()
{
    m_redis.subscribe(kRoom);
    m_redis.subscribe(kNodePrefix + m_node.toUtf8());
    m_redis.subscribe(kMediaPrefix + m_node.toUtf8());
    m_redis.start();
    m_refresh.start();
    qCInfo(lcServer).noquote() << "bus: node" << m_node << "joins the others on"
                               << m_redis.address();
}

void RedisBus::onConnected()
{
    m_up = true;
    // What this node holds, written again: after an outage the keys may have expired.
    m_redis.command({"DEL", m_presenceKey});
    QList<QByteArray> hset{"HSET", m_presenceKey, kVersionField, QByteArray::number(++m_version)};
    for (const BusUser &u : std::as_const(m_local))
        hset << u.key.toUtf8() << compact(userToJson(u));
    m_redis.command(hset);
    m_redis.command({"PEXPIRE", m_presenceKey, QByteArray::number(kTtlMs)});
    for (auto it = m_held.cbegin(); it != m_held.cend(); ++it) {
        const QString skeleton = it.key();
        m_redis.command({"EVAL", kClaimScript, "1", kNamePrefix + skeleton.toUtf8(), it.value(),
                         QByteArray::number(kTtlMs)},
                        [skeleton](const RedisReply &r) {
                            if (r.type == RedisReply::Type::String)
                                qCWarning(lcServer).noquote()
                                    << "bus: a name that looks like" << skeleton
                                    << "was taken on another node while the bus was down; both"
                                       " stay online";
                        });
    }
    // The others read this node's users now rather than at their next refresh.
    publish(kRoom, {{QStringLiteral("k"), QStringLiteral("sync")}});
    sync();
    emit linkChanged(true);
}

void RedisBus::onDisconnected(const QString &reason)
{
    Q_UNUSED(reason) // RedisClient logs it
    m_up = false;
    // Users elsewhere cannot be reached now: they leave this node's view until it is back.
    const QStringList nodes = m_remote.keys();
    for (const QString &node : nodes)
        forgetNode(node);
    emit linkChanged(false);
}

void RedisBus::refresh()
{
    if (!m_up)
        return;
    m_redis.command({"PEXPIRE", m_presenceKey, QByteArray::number(kTtlMs)});
    for (auto it = m_held.cbegin(); it != m_held.cend(); ++it)
        m_redis.command({"EVAL", kClaimScript, "1", kNamePrefix + it.key().toUtf8(), it.value(),
                         QByteArray::number(kTtlMs)});
    sync();
}

void RedisBus::sync()
{
    if (!m_up || m_syncing)
        return;
    m_syncing = true;
    QPointer<RedisBus> self(this);
    // KEYS rather than SCAN: the keyspace is this service's, a few keys per node and user.
    m_redis.command({"KEYS", kPresencePrefix + '*'}, [this, self](const RedisReply &keys) {
        if (!self)
            return;
        if (keys.type != RedisReply::Type::Array) {
            m_syncing = false;
            return;
        }
        QSet<QString> alive;
        auto remaining = std::make_shared<int>(0);
        for (const RedisReply &k : keys.elements) {
            if (k.type != RedisReply::Type::String || !k.string.startsWith(kPresencePrefix))
                continue;
            const QString node = QString::fromUtf8(k.string.mid(kPresencePrefix.size()));
            if (node == m_node || node.isEmpty() || node.size() > 64)
                continue;
            alive.insert(node);
            ++*remaining;
            m_redis.command({"HGETALL", k.string},
                            [this, self, node, remaining](const RedisReply &hash) {
                                if (!self)
                                    return;
                                applySnapshot(node, hash);
                                if (--*remaining == 0)
                                    m_syncing = false;
                            });
        }
        // Nodes whose presence expired: crashed, or cut off from Redis.
        const QStringList known = m_remote.keys();
        for (const QString &node : known) {
            if (!alive.contains(node)) {
                forgetNode(node);
                emit nodeLost(node);
            }
        }
        if (*remaining == 0)
            m_syncing = false;
    });
}

void RedisBus::applySnapshot(const QString &node, const RedisReply &hash)
{
    if (hash.type != RedisReply::Type::Array || hash.elements.size() % 2 != 0 ||
        hash.elements.size() > 2 * (kMaxUsersPerNode + 1))
        return;
    qint64 version = -1;
    QHash<QString, BusUser> users;
    for (size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
        const QByteArray &field = hash.elements[i].string;
        const QByteArray &value = hash.elements[i + 1].string;
        if (field == kVersionField) {
            bool ok = false;
            version = value.toLongLong(&ok);
            if (!ok)
                return;
            continue;
        }
        const std::optional<BusUser> u = userFromJson(QJsonDocument::fromJson(value).object());
        if (u && u->key == QString::fromUtf8(field))
            users.insert(u->key, *u);
    }
    if (version < 0)
        return; // expired between KEYS and HGETALL, or being rewritten
    RemoteNode &known = m_remote[node];
    // Events newer than this snapshot were applied already: it is stale.
    if (version < known.version)
        return;
    known.version = version;
    const QStringList gone = known.users.keys();
    for (const QString &key : gone) {
        if (!users.contains(key))
            removeRemote(node, key);
    }
    for (const BusUser &u : std::as_const(users)) {
        if (!m_remote[node].users.contains(u.key))
            addRemote(node, u);
    }
}

void RedisBus::forgetNode(const QString &node)
{
    const auto it = m_remote.constFind(node);
    if (it == m_remote.cend())
        return;
    const QStringList keys = it->users.keys();
    for (const QString &key : keys)
        removeRemote(node, key);
    m_remote.remove(node);
}

void RedisBus::addRemote(const QString &node, const BusUser &user)
{
    RemoteNode &n = m_remote[node];
    if (n.users.size() >= kMaxUsersPerNode && !n.users.contains(user.key))
        return;
    n.users.insert(user.key, user);
    emit remoteUserJoined(node, user);
}

void RedisBus::removeRemote(const QString &node, const QString &key)
{
    auto it = m_remote.find(node);
    if (it == m_remote.end() || it->users.remove(key) == 0)
        return;
    emit remoteUserLeft(node, key);
}

QStringList RedisBus::nodesWith(const QString &key) const
{
    QStringList nodes;
    for (auto it = m_remote.cbegin(); it != m_remote.cend(); ++it) {
        if (it->users.contains(key))
            nodes.append(it.key());
    }
    return nodes;
}

void RedisBus::publish(const QByteArray &channel, QJsonObject event)
{
    if (!m_up)
        return; // nobody could hear it; presence is written again when the link is back
    event.insert(QStringLiteral("n"), m_node);
    m_redis.command({"PUBLISH", channel, compact(event)});
}

void RedisBus::publishTo(const QStringList &nodes, const QJsonObject &event)
{
    for (const QString &node : nodes)
        publish(kNodePrefix + node.toUtf8(), event);
}

QByteArray RedisBus::claimValue(const BusUser &user) const
{
    return user.identity.toUtf8() + '\n' + user.key.toUtf8();
}

void RedisBus::claimName(const BusUser &user, QObject *context, std::function<void(ErrorCode)> done)
{
    QPointer<QObject> to(context);
    if (!m_up) {
        // Each node decides alone while the bus is down (and claims again when it is back).
        m_held.insert(user.skeleton, claimValue(user));
        QMetaObject::invokeMethod(
            this,
            [to, done] {
                if (to)
                    done(ErrorCode::None);
            },
            Qt::QueuedConnection);
        return;
    }
    const QByteArray value = claimValue(user);
    QPointer<RedisBus> self(this);
    m_redis.command({"EVAL", kClaimScript, "1", kNamePrefix + user.skeleton.toUtf8(), value,
                     QByteArray::number(kTtlMs)},
                    [this, self, to, done, user, value](const RedisReply &r) {
                        if (!self)
                            return;
                        ErrorCode result = ErrorCode::None;
                        if (r.type == RedisReply::Type::String) {
                            // "<identity>\n<key>" of the session that holds it.
                            const QByteArray holderKey = r.string.mid(r.string.indexOf('\n') + 1);
                            result = holderKey == user.key.toUtf8() ? ErrorCode::NameTaken
                                                                    : ErrorCode::NameConfusable;
                        } else if (r.type != RedisReply::Type::Integer) {
                            qCWarning(lcServer).noquote()
                                << "bus: cannot claim a name, deciding alone:" << r.string;
                        }
                        if (result == ErrorCode::None)
                            m_held.insert(user.skeleton, value);
                        if (to)
                            done(result);
                        else if (result == ErrorCode::None)
                            releaseName(user); // its session is gone meanwhile
                    });
}

void RedisBus::releaseName(const BusUser &user)
{
    const auto it = m_held.constFind(user.skeleton);
    if (it == m_held.cend() || it.value() != claimValue(user))
        return;
    m_held.erase(it);
    if (m_up)
        m_redis.command(
            {"EVAL", kReleaseScript, "1", kNamePrefix + user.skeleton.toUtf8(), claimValue(user)});
}

void RedisBus::handOverName(const BusUser &user)
{
    const auto it = m_held.constFind(user.skeleton);
    if (it != m_held.cend() && it.value() == claimValue(user))
        m_held.erase(it);
}

void RedisBus::publishReplaced(const QString &key, const QString &identity)
{
    publishTo(nodesWith(key), {{QStringLiteral("k"), QStringLiteral("replaced")},
                               {QStringLiteral("key"), key},
                               {QStringLiteral("id"), identity}});
}

void RedisBus::writePresence(const BusUser &user)
{
    if (!m_up)
        return;
    m_redis.command({"HSET", m_presenceKey, user.key.toUtf8(), compact(userToJson(user)),
                     kVersionField, QByteArray::number(m_version)});
}

void RedisBus::userJoined(const BusUser &user)
{
    m_local.insert(user.key, user);
    ++m_version;
    writePresence(user);
    publish(kRoom, {{QStringLiteral("k"), QStringLiteral("join")},
                    {QStringLiteral("v"), m_version},
                    {QStringLiteral("u"), userToJson(user)}});
}

void RedisBus::userLeft(const BusUser &user)
{
    if (m_local.remove(user.key) == 0)
        return;
    ++m_version;
    if (m_up) {
        m_redis.command({"HDEL", m_presenceKey, user.key.toUtf8()});
        m_redis.command({"HSET", m_presenceKey, kVersionField, QByteArray::number(m_version)});
    }
    publish(kRoom, {{QStringLiteral("k"), QStringLiteral("leave")},
                    {QStringLiteral("v"), m_version},
                    {QStringLiteral("key"), user.key}});
}

void RedisBus::publishChat(const ChatMessage &message, const MessageParties &parties,
                           const QString &fromKey, const QString &toKey)
{
    publishMessage(QStringLiteral("chat"), message, parties, fromKey, toKey);
}

void RedisBus::publishChange(const ChatMessage &message, const MessageParties &parties,
                             const QString &fromKey, const QString &toKey)
{
    publishMessage(QStringLiteral("change"), message, parties, fromKey, toKey);
}

void RedisBus::publishReaction(const ChatMessage &message, const MessageParties &parties,
                               const QString &fromKey, const QString &toKey,
                               const BusReaction &reaction)
{
    publishMessage(QStringLiteral("reaction"), message, parties, fromKey, toKey,
                   {{QStringLiteral("by"), reaction.by},
                    {QStringLiteral("e"), reaction.emoji},
                    {QStringLiteral("a"), reaction.added}});
}

void RedisBus::publishMessage(const QString &kind, const ChatMessage &message,
                              const MessageParties &parties, const QString &fromKey,
                              const QString &toKey, const QJsonObject &extra)
{
    QJsonObject event{{QStringLiteral("k"), kind},
                      {QStringLiteral("m"), message.toJson()},
                      {QStringLiteral("s"), parties.sender},
                      {QStringLiteral("r"), parties.recipient}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        event.insert(it.key(), it.value());
    if (!message.isPrivate())
        return publish(kRoom, event);
    // Only to the nodes where one of the two is online: the others never see it.
    QStringList nodes = nodesWith(fromKey);
    for (const QString &node : nodesWith(toKey)) {
        if (!nodes.contains(node))
            nodes.append(node);
    }
    publishTo(nodes, event);
}

void RedisBus::publishTyping(const QString &from, const QString &fromKey, const QString &to,
                             const QString &toKey, bool typing)
{
    Q_UNUSED(fromKey)
    const QJsonObject event{{QStringLiteral("k"), QStringLiteral("typing")},
                            {QStringLiteral("f"), from},
                            {QStringLiteral("t"), to},
                            {QStringLiteral("y"), typing}};
    if (to.isEmpty())
        return publish(kRoom, event);
    publishTo(nodesWith(toKey), event);
}

void RedisBus::publishReceipt(const QString &toKey, const QString &toIdentity,
                              const ReceiptInfo &receipt)
{
    // Only to the nodes where the sender is online: nobody else ever sees it.
    const QJsonObject event{{QStringLiteral("k"), QStringLiteral("receipt")},
                            {QStringLiteral("key"), toKey},
                            {QStringLiteral("id"), toIdentity},
                            {QStringLiteral("w"), receipt.with},
                            {QStringLiteral("d"), receipt.delivered},
                            {QStringLiteral("rd"), receipt.read}};
    publishTo(nodesWith(toKey), event);
}

QString RedisBus::nodeOf(const QString &key) const
{
    const QStringList nodes = nodesWith(key);
    return nodes.isEmpty() ? QString() : nodes.first();
}

void RedisBus::publishCall(const QString &node, const BusCallEvent &event)
{
    QJsonObject o{{QStringLiteral("k"), QStringLiteral("call")},
                  {QStringLiteral("type"), event.type},
                  {QStringLiteral("id"), qint64(event.id)},
                  {QStringLiteral("from"), event.from},
                  {QStringLiteral("to"), event.to},
                  {QStringLiteral("media"), QJsonArray::fromStringList(event.media)},
                  {QStringLiteral("codecs"), QJsonArray::fromStringList(event.codecs)},
                  {QStringLiteral("reason"), event.reason}};
    if (event.report) {
        QJsonObject report;
        event.report->writeTo(report);
        o.insert(QStringLiteral("report"), report);
    }
    publish(kNodePrefix + node.toUtf8(), o);
}

void RedisBus::publishMedia(const QString &node, const QByteArray &packet)
{
    if (!m_up)
        return; // media is perishable: nothing waits for the link
    m_redis.command({"PUBLISH", kMediaPrefix + node.toUtf8(), m_node.toUtf8() + packet});
}

namespace {

std::optional<QStringList> shortStrings(const QJsonValue &v)
{
    if (!v.isArray() || v.toArray().size() > 16)
        return std::nullopt;
    QStringList list;
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString() || item.toString().size() > 64)
            return std::nullopt;
        list.append(item.toString());
    }
    return list;
}

} // namespace

void RedisBus::onMessage(const QByteArray &channel, const QByteArray &payload)
{
    if (payload.size() > kMaxEventBytes)
        return;
    if (channel.startsWith(kMediaPrefix)) {
        if (payload.size() <= kNodeIdBytes)
            return;
        emit mediaArrived(QString::fromLatin1(payload.left(kNodeIdBytes)),
                          payload.mid(kNodeIdBytes));
        return;
    }
    const QJsonObject e = QJsonDocument::fromJson(payload).object();
    const QString node = e.value(QLatin1String("n")).toString();
    if (node.isEmpty() || node.size() > 64 || node == m_node)
        return; // its own, or not from a node
    const QString kind = e.value(QLatin1String("k")).toString();
    const qint64 version = e.value(QLatin1String("v")).toInteger(-1);
    if (kind == QLatin1String("join")) {
        const std::optional<BusUser> u = userFromJson(e.value(QLatin1String("u")).toObject());
        RemoteNode &n = m_remote[node];
        if (!u || version <= n.version)
            return;
        n.version = version;
        addRemote(node, *u);
    } else if (kind == QLatin1String("leave")) {
        RemoteNode &n = m_remote[node];
        if (version <= n.version)
            return;
        n.version = version;
        removeRemote(node, e.value(QLatin1String("key")).toString());
    } else if (kind == QLatin1String("sync")) {
        emit nodeReturned(node); // it publishes "sync" when its link is (back) up
        QPointer<RedisBus> self(this);
        m_redis.command({"HGETALL", kPresencePrefix + node.toUtf8()},
                        [this, self, node](const RedisReply &hash) {
                            if (self)
                                applySnapshot(node, hash);
                        });
    } else if (kind == QLatin1String("chat") || kind == QLatin1String("change") ||
               kind == QLatin1String("reaction")) {
        std::optional<ChatMessage> m =
            ChatMessage::fromJson(e.value(QLatin1String("m")).toObject());
        const QString sender = e.value(QLatin1String("s")).toString();
        const QString recipient = e.value(QLatin1String("r")).toString();
        if (!m || m->seq <= 0 || m->from.isEmpty() || sender.isEmpty() ||
            m->isPrivate() == recipient.isEmpty())
            return;
        if (kind == QLatin1String("reaction")) {
            const QJsonValue by = e.value(QLatin1String("by"));
            const QJsonValue emoji = e.value(QLatin1String("e"));
            const QJsonValue added = e.value(QLatin1String("a"));
            if (!fieldOk(by) || !fieldOk(emoji) ||
                emoji.toString().size() > ChatMessage::kMaxEmojiUnits || !added.isBool())
                return;
            emit reactionArrived(node, *m, MessageParties{sender, recipient},
                                 BusReaction{by.toString(), emoji.toString(), added.toBool()});
        } else if (kind == QLatin1String("change"))
            emit changeArrived(node, *m, MessageParties{sender, recipient});
        else
            emit chatArrived(node, *m, MessageParties{sender, recipient});
    } else if (kind == QLatin1String("call")) {
        BusCallEvent c;
        const QJsonValue type = e.value(QLatin1String("type"));
        const qint64 id = e.value(QLatin1String("id")).toInteger(0);
        const std::optional<QStringList> media = shortStrings(e.value(QLatin1String("media")));
        const std::optional<QStringList> codecs = shortStrings(e.value(QLatin1String("codecs")));
        if (!fieldOk(type) || id <= 0 || id > 0xffffffffLL ||
            !fieldOk(e.value(QLatin1String("from"))) || !media || !codecs ||
            e.value(QLatin1String("to")).toString().size() > kMaxFieldChars ||
            e.value(QLatin1String("reason")).toString().size() > kMaxFieldChars)
            return;
        c.type = type.toString();
        c.id = quint32(id);
        c.from = e.value(QLatin1String("from")).toString();
        c.to = e.value(QLatin1String("to")).toString();
        c.media = *media;
        c.codecs = *codecs;
        c.reason = e.value(QLatin1String("reason")).toString();
        if (c.type == QLatin1String("call_report")) {
            // Held to the bounds a client's report is held to (a node is not trusted more).
            c.report = CallReport::read(e.value(QLatin1String("report")).toObject());
            if (!c.report)
                return;
        }
        emit callArrived(node, c);
    } else if (kind == QLatin1String("replaced")) {
        const QJsonValue key = e.value(QLatin1String("key"));
        const QJsonValue id = e.value(QLatin1String("id"));
        if (fieldOk(key) && fieldOk(id))
            emit sessionReplaced(key.toString(), id.toString());
    } else if (kind == QLatin1String("typing")) {
        const QJsonValue from = e.value(QLatin1String("f"));
        const QJsonValue to = e.value(QLatin1String("t"));
        const QJsonValue typing = e.value(QLatin1String("y"));
        if (!fieldOk(from) || !to.isString() || !typing.isBool())
            return;
        emit typingArrived(from.toString(), to.toString(), typing.toBool());
    } else if (kind == QLatin1String("receipt")) {
        const QJsonValue key = e.value(QLatin1String("key"));
        const QJsonValue id = e.value(QLatin1String("id"));
        const QJsonValue with = e.value(QLatin1String("w"));
        const qint64 delivered = e.value(QLatin1String("d")).toInteger(-1);
        const qint64 read = e.value(QLatin1String("rd")).toInteger(-1);
        if (!fieldOk(key) || !fieldOk(id) || !fieldOk(with) || delivered < 1 || read < 0 ||
            read > delivered)
            return;
        emit receiptArrived(key.toString(), id.toString(),
                            ReceiptInfo{with.toString(), delivered, read});
    }
}
