#pragma once

#include "callmodule.h"

#include <QObject>

// The media module as a Qt plugin (confab_media, loaded by MediaLoader).
class MediaPlugin : public QObject, public CallModule
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MediaModule_iid)
    Q_INTERFACES(MediaModule)
};
