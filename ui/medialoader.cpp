#include "medialoader.h"

#include "mediamodule.h"
#include "settings/modulepaths.h"

#include <QDir>
#include <QFileInfo>
#include <QPluginLoader>

#ifndef CONFAB_MEDIA_MODULE_FILE_NAME
#error "CONFAB_MEDIA_MODULE_FILE_NAME is set by ui/CMakeLists.txt"
#endif

namespace {

struct LoaderState
{
    MediaModule *module = nullptr;
    bool tried = false;
    QString error;
};

LoaderState &state()
{
    static LoaderState s;
    return s;
}

} // namespace

QString MediaLoader::fileName()
{
    return QStringLiteral(CONFAB_MEDIA_MODULE_FILE_NAME);
}

void MediaLoader::setBuiltIn(MediaModule *module)
{
    state().module = module;
    state().tried = true;
    state().error.clear();
}

bool MediaLoader::isLoaded()
{
    return state().module != nullptr;
}

MediaModule *MediaLoader::module(QString *error)
{
    LoaderState &s = state();
    if (!s.tried) {
        s.tried = true;
        QStringList problems;
        for (const QString &path : ModulePaths::candidates(fileName(), "CONFAB_MEDIA_MODULE")) {
            const bool bareName = path == fileName();
            if (!bareName && !QFileInfo::exists(path))
                continue;
            QPluginLoader loader(path);
            // Every symbol now: a module that does not fit this program fails here, with a
            // message, and not later in the middle of a call.
            loader.setLoadHints(QLibrary::ResolveAllSymbolsHint);
            QObject *instance = loader.instance();
            if (auto *module = qobject_cast<MediaModule *>(instance)) {
                s.module = module;
                break;
            }
            if (!bareName || instance)
                problems << (instance ? tr("%1 is not Confab's media module")
                                            .arg(QDir::toNativeSeparators(path))
                                      : loader.errorString());
        }
        if (!s.module) {
            const QString chosen = qEnvironmentVariable("CONFAB_MEDIA_MODULE");
            s.error =
                problems.isEmpty()
                    ? tr("%1 was not found (%2); reinstall Confab.")
                          .arg(fileName(), chosen.isEmpty()
                                               ? tr("beside the program or in its library folder")
                                               : tr("$CONFAB_MEDIA_MODULE is %1")
                                                     .arg(QDir::toNativeSeparators(chosen)))
                    : tr("%1 could not be loaded (%2); reinstall Confab.")
                          .arg(fileName(), problems.join(QStringLiteral("; ")));
            qWarning("confab: calls and sounds are off: %s", qPrintable(s.error));
        }
    }
    if (!s.module && error)
        *error = s.error;
    return s.module;
}
