#include "clirunner.h"
#include "confabversion.h"

#include <QCoreApplication>
#include <QLoggingCategory>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));
    // Output is for scripts: JSON lines on stdout, errors on stderr, no debug chatter.
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=false\nconfab.*.info=false"));
    CliRunner runner;
    QObject::connect(&runner, &CliRunner::finished, &app, &QCoreApplication::exit);
    runner.run(QCoreApplication::arguments());
    return app.exec();
}
