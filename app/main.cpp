#include "clientapp.h"
#include "clientoptions.h"
#include "confabversion.h"

#include <QApplication>
#include <QIcon>
#include <QLoggingCategory>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication::setOrganizationName(QStringLiteral("Confab"));
    QCoreApplication::setApplicationName(QStringLiteral("confab"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));
    // --help and --version must work where no display is (a terminal, a package check).
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    QString message;
    int exitCode = 0;
    const auto options = ClientOptions::parse(arguments, &message, &exitCode);
    if (!options) {
        message.replace(QLatin1String("<executable_name>"), QLatin1String("confab"));
        std::fputs(qPrintable(message), exitCode == 0 ? stdout : stderr);
        return exitCode;
    }
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=false"));

    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("Confab"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/confab.svg")));
    QApplication::setDesktopFileName(QStringLiteral("confab"));

    Settings settings;
    ClientApp::installTranslations(app, options->language.isEmpty() ? settings.language()
                                                                    : options->language);
    ClientApp client(app, *options);
    if (!client.start())
        return 0;
    return app.exec();
}
