#include "clirunner.h"
#include "confabversion.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));
    CliRunner runner;
    QObject::connect(&runner, &CliRunner::finished, &app, &QCoreApplication::exit);
    runner.run(QCoreApplication::arguments());
    return app.exec();
}
