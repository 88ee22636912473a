#pragma once

#include "clientconnection.h"
#include "protocol/errorcode.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <vector>

// Who is online: the logged-in connections in the order they joined, each name's devices (an
// account may be signed in on several), the newest device of each name (it gets calls), and
// the names' confusable skeletons. Plain bookkeeping without sockets, so it is tested alone;
// ChatServer tells the others about joins and leaves.
class Roster
{
public:
    // Adds a logged-in connection (name, key and skeleton set); true when it is its name's
    // first device, i.e. the name came online.
    bool join(ClientConnection *c);
    // Removes it; true when that was its name's last device, i.e. the name went offline.
    bool leave(ClientConnection *c);

    // The newest device of a name key, or nullptr.
    ClientConnection *newestDevice(const QString &key) const { return m_newest.value(key); }
    // A name key's devices in join order (empty when offline).
    const std::vector<ClientConnection *> &devicesOf(const QString &key) const;
    // Every logged-in connection in join order.
    const std::vector<ClientConnection *> &members() const { return m_members; }
    // Names online (an account on several devices counts once).
    int nameCount() const { return int(m_devices.size()); }
    int seedMembers() const { return m_seedMembers; }
    // The names online, in the order they came.
    QStringList names() const;
    // Why `key` may not log in now: another connection holds the name (name_taken), or a name
    // that looks the same (name_confusable); `except` is not counted.
    ErrorCode nameConflict(const QString &key, const QString &skeleton,
                           const ClientConnection *except) const;

    // names() as a JSON array, and the online guests' names, as login confirmations and
    // presence carry them. Kept up to date as names come (append) and rebuilt at the next
    // use after one goes: built afresh for every login they made n logins O(n^2).
    const QByteArray &userListJson();
    const QByteArray &guestListJson();

private:
    bool isFirstDevice(const ClientConnection *c) const
    {
        return devicesOf(c->nameKey).front() == c;
    }

    std::vector<ClientConnection *> m_members;
    QHash<QString, std::vector<ClientConnection *>> m_devices; // by key, in join order
    QHash<QString, ClientConnection *> m_newest;               // by key
    QHash<QString, ClientConnection *> m_skeletons;            // by NameRules::skeleton
    int m_seedMembers = 0;
    QByteArray m_userListJson = QByteArrayLiteral("[]");
    QByteArray m_guestListJson = QByteArrayLiteral("[]");
    bool m_userListStale = false;
    bool m_guestListStale = false;
};
