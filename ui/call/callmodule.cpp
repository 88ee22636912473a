#include "callmodule.h"

#include "call/callsession.h"
#include "callcoordinator.h"

#include <QSoundEffect>

CallFeature *CallModule::createCalls(ClientSession *session, Settings *settings,
                                     const CallDevices &devices, QObject *parent)
{
    auto *coordinator = new CallCoordinator(new CallSession(session), settings, parent);
    coordinator->calls()->setParent(coordinator);
    coordinator->calls()->setDevices(devices);
    return coordinator;
}

QObject *CallModule::createSoundEffect(QObject *parent)
{
    return new QSoundEffect(parent);
}
