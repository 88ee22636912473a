#include "roster.h"

#include "protocol/messageencoder.h"

#include <algorithm>

namespace {

void appendName(QByteArray &list, const QString &name)
{
    list.chop(1); // the ]
    if (list.size() > 1)
        list.append(',');
    list.append(MessageEncoder::jsonString(name)).append(']');
}

} // namespace

bool Roster::join(ClientConnection *c)
{
    std::vector<ClientConnection *> &devices = m_devices[c->nameKey];
    const bool first = devices.empty();
    devices.push_back(c);
    m_newest.insert(c->nameKey, c); // the newest device gets calls
    m_skeletons.insert(c->skeleton, c);
    m_members.push_back(c);
    const bool remote = m_remote.contains(c->nameKey);
    if (first && remote)
        --m_remoteOnly;
    if (remote) {
        // Listed already (from the other node); rebuilt in join order at the next use.
        m_userListStale = true;
        m_guestListStale = true;
    } else {
        if (first && !m_userListStale)
            appendName(m_userListJson, c->name);
        if (c->isGuest() && !m_guestListStale)
            appendName(m_guestListJson, c->name);
    }
    if (c->dialect == Dialect::Seed)
        ++m_seedMembers;
    return first;
}

bool Roster::leave(ClientConnection *c)
{
    const auto member = std::find(m_members.begin(), m_members.end(), c);
    if (member == m_members.end())
        return false;
    m_members.erase(member);
    if (c->dialect == Dialect::Seed)
        --m_seedMembers;
    auto devices = m_devices.find(c->nameKey);
    if (devices != m_devices.end()) {
        devices->erase(std::remove(devices->begin(), devices->end(), c), devices->end());
        if (!devices->empty()) {
            // Still online on another device: that one is the newest now.
            m_newest.insert(c->nameKey, devices->back());
            m_skeletons.insert(c->skeleton, devices->back());
            return false;
        }
        m_devices.erase(devices);
        if (m_remote.contains(c->nameKey))
            ++m_remoteOnly;
    }
    m_newest.remove(c->nameKey);
    if (m_skeletons.value(c->skeleton) == c)
        m_skeletons.remove(c->skeleton);
    m_userListStale = true;
    m_guestListStale = true;
    return true;
}

const std::vector<ClientConnection *> &Roster::devicesOf(const QString &key) const
{
    static const std::vector<ClientConnection *> none;
    const auto it = m_devices.constFind(key);
    return it == m_devices.cend() ? none : *it;
}

bool Roster::joinRemote(const QString &node, const BusUser &user)
{
    auto it = m_remote.find(user.key);
    if (it != m_remote.end()) {
        if (!it->nodes.contains(node))
            it->nodes.append(node);
        return false;
    }
    m_remote.insert(user.key, Remote{user, {node}});
    m_remoteOrder.push_back(user.key);
    m_remoteSkeletons.insert(user.skeleton, user.key);
    const bool here = m_devices.contains(user.key);
    if (!here) {
        ++m_remoteOnly;
        if (!m_userListStale)
            appendName(m_userListJson, user.name);
        if (user.guest && !m_guestListStale)
            appendName(m_guestListJson, user.name);
    }
    return !here;
}

bool Roster::leaveRemote(const QString &node, const QString &key)
{
    auto it = m_remote.find(key);
    if (it == m_remote.end() || !it->nodes.removeOne(node) || !it->nodes.isEmpty())
        return false;
    if (m_remoteSkeletons.value(it->user.skeleton) == key)
        m_remoteSkeletons.remove(it->user.skeleton);
    m_remote.erase(it);
    m_remoteOrder.erase(std::remove(m_remoteOrder.begin(), m_remoteOrder.end(), key),
                        m_remoteOrder.end());
    m_userListStale = true;
    m_guestListStale = true;
    if (m_devices.contains(key))
        return false;
    --m_remoteOnly;
    return true;
}

const BusUser *Roster::remoteUser(const QString &key) const
{
    const auto it = m_remote.constFind(key);
    return it == m_remote.cend() ? nullptr : &it->user;
}

bool Roster::isOnline(const QString &key, QString *name, bool *guest) const
{
    if (const ClientConnection *c = m_newest.value(key)) {
        if (name)
            *name = c->name;
        if (guest)
            *guest = c->isGuest();
        return true;
    }
    if (const BusUser *u = remoteUser(key)) {
        if (name)
            *name = u->name;
        if (guest)
            *guest = u->guest;
        return true;
    }
    return false;
}

QStringList Roster::names() const
{
    QStringList names;
    names.reserve(qsizetype(m_devices.size()) + m_remoteOnly);
    for (const ClientConnection *c : m_members) {
        if (isFirstDevice(c))
            names.append(c->name);
    }
    for (const QString &key : m_remoteOrder) {
        if (!m_devices.contains(key))
            names.append(m_remote.value(key).user.name);
    }
    return names;
}

ErrorCode Roster::nameConflict(const QString &key, const QString &skeleton,
                               const ClientConnection *except) const
{
    if (const ClientConnection *holder = m_newest.value(key); holder && holder != except)
        return ErrorCode::NameTaken;
    if (const ClientConnection *lookalike = m_skeletons.value(skeleton);
        lookalike && lookalike != except && lookalike->nameKey != key)
        return ErrorCode::NameConfusable;
    // Users on other nodes, as far as this node knows; the bus' name claim decides races.
    if (m_remote.contains(key))
        return ErrorCode::NameTaken;
    if (const QString other = m_remoteSkeletons.value(skeleton); !other.isEmpty() && other != key)
        return ErrorCode::NameConfusable;
    return ErrorCode::None;
}

const QByteArray &Roster::userListJson()
{
    if (m_userListStale) {
        QByteArray json;
        json.reserve(m_userListJson.size());
        json.append('[');
        for (const ClientConnection *c : m_members) {
            if (!isFirstDevice(c))
                continue; // an account on several devices is listed once
            if (json.size() > 1)
                json.append(',');
            json.append(MessageEncoder::jsonString(c->name));
        }
        for (const QString &key : m_remoteOrder) {
            if (m_devices.contains(key))
                continue;
            if (json.size() > 1)
                json.append(',');
            json.append(MessageEncoder::jsonString(m_remote.value(key).user.name));
        }
        m_userListJson = json.append(']');
        m_userListStale = false;
    }
    return m_userListJson;
}

const QByteArray &Roster::guestListJson()
{
    if (m_guestListStale) {
        QByteArray json(1, '[');
        for (const ClientConnection *c : m_members) {
            if (!c->isGuest()) // guests have one connection each: no name twice
                continue;
            if (json.size() > 1)
                json.append(',');
            json.append(MessageEncoder::jsonString(c->name));
        }
        for (const QString &key : m_remoteOrder) {
            const BusUser &u = m_remote.value(key).user;
            if (!u.guest || m_devices.contains(key))
                continue;
            if (json.size() > 1)
                json.append(',');
            json.append(MessageEncoder::jsonString(u.name));
        }
        m_guestListJson = json.append(']');
        m_guestListStale = false;
    }
    return m_guestListJson;
}
