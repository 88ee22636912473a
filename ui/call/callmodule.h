#pragma once

#include "mediamodule.h"

// The media module's work: calls (a CallSession with its CallCoordinator) and notification
// sounds. MediaPlugin makes it a plugin; programs that link the media code use it directly.
class CallModule : public MediaModule
{
public:
    CallFeature *createCalls(ClientSession *session, Settings *settings, const CallDevices &devices,
                             QObject *parent) override;
    QObject *createSoundEffect(QObject *parent) override;
};
