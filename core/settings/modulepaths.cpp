#include "settings/modulepaths.h"

#include <QCoreApplication>
#include <QDir>

QStringList ModulePaths::candidates(const QString &fileName, const char *overrideVariable)
{
    const QString chosen = qEnvironmentVariable(overrideVariable);
    if (!chosen.isEmpty())
        return {chosen};
    QStringList candidates;
    auto add = [&candidates](const QString &path) {
        const QString clean = QDir::cleanPath(path);
        if (!candidates.contains(clean))
            candidates << clean;
    };
    if (QCoreApplication::instance()) {
        const QString programDir = QCoreApplication::applicationDirPath();
        add(programDir + QLatin1Char('/') + fileName);
#ifdef Q_OS_MACOS
        add(programDir + QStringLiteral("/../PlugIns/") + fileName); // in the app bundle
        add(programDir + QStringLiteral("/../../../") + fileName);   // beside a bundle in the build
#endif
#ifdef CONFAB_MODULE_RELATIVE_DIR // installed: relative to bin/, so a moved tree works
        add(programDir + QStringLiteral("/" CONFAB_MODULE_RELATIVE_DIR "/") + fileName);
#endif
    }
#ifdef CONFAB_MODULE_INSTALL_DIR
    add(QStringLiteral(CONFAB_MODULE_INSTALL_DIR "/") + fileName);
#endif
    candidates << fileName; // the system's library search path
    return candidates;
}
