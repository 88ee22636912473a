#pragma once

#include "call/calldevices.h"

#include <QtPlugin>

class CallFeature;
class ClientSession;
class QObject;
class Settings;

// What the media module (ui/call/, loaded with QPluginLoader by MediaLoader) gives the client:
// calls and sound. Everything behind it needs Qt Multimedia, Opus, libvpx, OpenCV and the audio
// processing libraries, which the client program itself does not link.
class MediaModule
{
public:
    virtual ~MediaModule() = default;
    // The calls of a logged-in session, owned by `parent`.
    virtual CallFeature *createCalls(ClientSession *session, Settings *settings,
                                     const CallDevices &devices, QObject *parent) = 0;
    // A sound player for notifications: a QSoundEffect, used through its properties (source,
    // volume, loopCount) and its play() slot.
    virtual QObject *createSoundEffect(QObject *parent) = 0;
};

#define MediaModule_iid "org.confab.MediaModule/1"
Q_DECLARE_INTERFACE(MediaModule, MediaModule_iid)
