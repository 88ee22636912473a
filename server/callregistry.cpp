#include "callregistry.h"

#include "protocol/namerules.h"

#include <QRandomGenerator>

quint32 CallRegistry::create(const QString &caller, const QString &callee, const QStringList &media)
{
    Call call;
    call.caller = caller;
    call.callee = callee;
    call.callerKey = NameRules::key(caller);
    call.calleeKey = NameRules::key(callee);
    if (m_byMember.contains(call.callerKey) || m_byMember.contains(call.calleeKey))
        return 0;
    // Random ids: a member of an old call cannot guess a new one's id.
    do {
        call.id = QRandomGenerator::system()->generate();
    } while (call.id == 0 || m_calls.contains(call.id));
    call.media = media;
    m_calls.insert(call.id, call);
    m_byMember.insert(call.callerKey, call.id);
    m_byMember.insert(call.calleeKey, call.id);
    return call.id;
}

bool CallRegistry::createWithId(quint32 id, const QString &caller, const QString &callee,
                                const QStringList &media)
{
    Call call;
    call.id = id;
    call.caller = caller;
    call.callee = callee;
    call.callerKey = NameRules::key(caller);
    call.calleeKey = NameRules::key(callee);
    call.media = media;
    if (id == 0 || m_calls.contains(id) || m_byMember.contains(call.callerKey) ||
        m_byMember.contains(call.calleeKey))
        return false;
    m_calls.insert(id, call);
    m_byMember.insert(call.callerKey, id);
    m_byMember.insert(call.calleeKey, id);
    return true;
}

const CallRegistry::Call *CallRegistry::find(quint32 id) const
{
    const auto it = m_calls.constFind(id);
    return it == m_calls.cend() ? nullptr : &it.value();
}

const CallRegistry::Call *CallRegistry::callOf(const QString &key) const
{
    const auto it = m_byMember.constFind(key);
    return it == m_byMember.cend() ? nullptr : find(it.value());
}

bool CallRegistry::isMember(quint32 id, const QString &key) const
{
    const Call *call = find(id);
    return call && (call->callerKey == key || call->calleeKey == key);
}

QString CallRegistry::otherKey(quint32 id, const QString &key) const
{
    const Call *call = find(id);
    if (!call)
        return {};
    return call->callerKey == key ? call->calleeKey : call->callerKey;
}

bool CallRegistry::accept(quint32 id, const QStringList &media)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end() || it->state != State::Ringing)
        return false;
    it->state = State::Active;
    if (!media.isEmpty())
        it->media = media;
    return true;
}

void CallRegistry::remove(quint32 id)
{
    const auto it = m_calls.constFind(id);
    if (it == m_calls.cend())
        return;
    m_byMember.remove(it->callerKey);
    m_byMember.remove(it->calleeKey);
    m_calls.erase(it);
}
