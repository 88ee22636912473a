#pragma once

#include "callmodule.h"
#include "medialoader.h"

// For programs that link confab_calls (the media module's code): calls and sounds come from the
// linked code instead of the module file, which binds only to the confab program's exports.
inline void useBuiltInMedia()
{
    static CallModule module;
    MediaLoader::setBuiltIn(&module);
}

#include "callcoordinator.h"
#include "calllauncher.h"
#include "mainwindow.h"

// Calls over an existing CallSession for a test's main window (owned by the window).
inline CallLauncher *launcherFor(MainWindow *window, CallSession *calls, Settings *settings)
{
    auto *launcher = new CallLauncher(new CallCoordinator(calls, settings), window);
    window->setCalls(launcher);
    return launcher;
}

// The call windows of a main window whose calls are loaded.
inline CallCoordinator *coordinatorOf(const MainWindow *window)
{
    return window->calls() ? qobject_cast<CallCoordinator *>(window->calls()->loadedFeature())
                           : nullptr;
}
