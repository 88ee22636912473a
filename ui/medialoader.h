#pragma once

#include <QCoreApplication>
#include <QString>

class MediaModule;

// Loads the media module (calls and sound) the first time something needs it: a call, an
// incoming invite, the Devices page, a notification sound. It stays loaded until the process
// ends. Looked for with ModulePaths ($CONFAB_MEDIA_MODULE overrides).
class MediaLoader
{
    Q_DECLARE_TR_FUNCTIONS(MediaLoader)
public:
    // nullptr when it cannot be loaded; *error then says why and what to do. A failure is
    // remembered: the module is not looked for again in this process.
    static MediaModule *module(QString *error = nullptr);
    static bool isLoaded();
    // Programs that link the media code themselves (the tests): use it instead of a file.
    static void setBuiltIn(MediaModule *module);
    // The module's file name (confab-media.so, confab-media.dll, confab-media.dylib).
    static QString fileName();
};
