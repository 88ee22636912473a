#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

// Who is calling whom. A user is in at most one call; a call has two members and is either
// ringing (invited, not answered) or active (accepted: media flows). Plain bookkeeping, so
// it is tested without sockets.
class CallRegistry
{
public:
    enum class State { Ringing, Active };

    struct Call
    {
        quint32 id = 0;
        QString caller; // names as logged in
        QString callee;
        QString callerKey; // NameRules::key
        QString calleeKey;
        QStringList media;
        State state = State::Ringing;
    };

    // A new ringing call; 0 when either party is already in a call.
    quint32 create(const QString &caller, const QString &callee, const QStringList &media);
    // The same, with the id another node gave the call (its caller is there); false when
    // either party is in a call or the id is in use here.
    bool createWithId(quint32 id, const QString &caller, const QString &callee,
                      const QStringList &media);
    const Call *find(quint32 id) const;
    // The call `key` is in, or nullptr.
    const Call *callOf(const QString &key) const;
    bool isMember(quint32 id, const QString &key) const;
    // The other member's key.
    QString otherKey(quint32 id, const QString &key) const;
    bool accept(quint32 id, const QStringList &media);
    void remove(quint32 id);
    int count() const { return int(m_calls.size()); }

private:
    QHash<quint32, Call> m_calls;
    QHash<QString, quint32> m_byMember;
};
