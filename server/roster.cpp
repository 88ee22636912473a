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
    if (first && !m_userListStale)
        appendName(m_userListJson, c->name);
    if (c->isGuest() && !m_guestListStale)
        appendName(m_guestListJson, c->name);
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

QStringList Roster::names() const
{
    QStringList names;
    names.reserve(qsizetype(m_devices.size()));
    for (const ClientConnection *c : m_members) {
        if (isFirstDevice(c))
            names.append(c->name);
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
        m_guestListJson = json.append(']');
        m_guestListStale = false;
    }
    return m_guestListJson;
}
