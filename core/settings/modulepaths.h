#pragma once

#include <QStringList>

// Where the client looks for a module it loads at run time (the media module, the video file
// module): $OVERRIDE when set, else beside the program, in the app bundle's PlugIns (macOS), in
// the installed lib/confab folder (relative to bin/, then the configured path), and last the
// system's library search path.
class ModulePaths
{
public:
    static QStringList candidates(const QString &fileName, const char *overrideVariable);
};
