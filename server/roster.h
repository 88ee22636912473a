#pragma once

#include "bus/bus.h"
#include "clientconnection.h"
#include "protocol/errorcode.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <vector>

// Who is online: the logged-in connections in the order they joined, each name's devices (an
// account may be signed in on several), the newest device of each name (it gets calls), and
// the names' confusable skeletons; with several nodes, also the users online on the others
// (the bus tells). Plain bookkeeping without sockets, so it is tested alone; ChatServer tells
// the others about joins and leaves.
class Roster
{
public:
    // Adds a logged-in connection (name, key and skeleton set); true when it is its name's
    // first device, i.e. the name came online.
    bool join(ClientConnection *c);
    // Removes it; true when that was its name's last device, i.e. the name went offline.
    bool leave(ClientConnection *c);

    // A user online on another node; true when the name was online nowhere before.
    bool joinRemote(const QString &node, const BusUser &user);
    // It left that node; true when the name is now online nowhere.
    bool leaveRemote(const QString &node, const QString &key);
    // The user with this name key on another node (any one of them), or nullptr.
    const BusUser *remoteUser(const QString &key) const;
    // Online here or on another node: its name (as spelled) and whether it is a guest.
    bool isOnline(const QString &key, QString *name = nullptr, bool *guest = nullptr) const;

    // The newest device of a name key, or nullptr.
    ClientConnection *newestDevice(const QString &key) const { return m_newest.value(key); }
    // A name key's devices in join order (empty when offline).
    const std::vector<ClientConnection *> &devicesOf(const QString &key) const;
    // Every logged-in connection in join order.
    const std::vector<ClientConnection *> &members() const { return m_members; }
    // Names online here and on the other nodes (an account on several devices counts once).
    int nameCount() const { return int(m_devices.size()) + m_remoteOnly; }
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

    // Users on other nodes: by key, each with the nodes it is on (in the order they came).
    struct Remote
    {
        BusUser user;
        QStringList nodes;
    };
    QHash<QString, Remote> m_remote;
    std::vector<QString> m_remoteOrder;        // keys, in the order they came
    QHash<QString, QString> m_remoteSkeletons; // skeleton -> key
    int m_remoteOnly = 0;                      // remote keys with no device here
    QByteArray m_userListJson = QByteArrayLiteral("[]");
    QByteArray m_guestListJson = QByteArrayLiteral("[]");
    bool m_userListStale = false;
    bool m_guestListStale = false;
};
