#include "postgresprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>
#include <QUrl>

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>

namespace {

constexpr const char *kClusterUser = "confabtest";

QString tempTemplate()
{
    // As root the cluster's user must reach the folder: not under a private $TMPDIR.
    const QString base = geteuid() == 0 ? QStringLiteral("/tmp") : QDir::tempPath();
    return base + QStringLiteral("/confab-postgres-XXXXXX");
}

quint16 freePort()
{
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto candidate = quint16(20000 + QRandomGenerator::global()->bounded(12000));
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, candidate))
            return candidate;
    }
    return 0;
}

} // namespace

PostgresProcess::PostgresProcess() : m_dir(tempTemplate())
{
    // Characters that a URL must escape, and one that is not ASCII.
    m_password =
        QStringLiteral("p@ss:w/rd %1?#\u00E9").arg(QRandomGenerator::global()->generate64(), 0, 16);
    m_server.setProcessChannelMode(QProcess::SeparateChannels);
    QObject::connect(&m_server, &QProcess::readyReadStandardError, &m_server,
                     [this] { m_log += QString::fromUtf8(m_server.readAllStandardError()); });
    QObject::connect(&m_server, &QProcess::readyReadStandardOutput, &m_server,
                     [this] { m_log += QString::fromUtf8(m_server.readAllStandardOutput()); });
}

PostgresProcess::~PostgresProcess()
{
    stop();
}

bool PostgresProcess::fail(const QString &why)
{
    m_error = why;
    return false;
}

QString PostgresProcess::binDir()
{
    auto usable = [](const QString &dir) {
        return QFileInfo(dir + QStringLiteral("/postgres")).isExecutable() &&
               QFileInfo(dir + QStringLiteral("/initdb")).isExecutable() &&
               QFileInfo(dir + QStringLiteral("/createdb")).isExecutable();
    };
    const QString configured = qEnvironmentVariable("CONFAB_POSTGRES_BIN");
    if (!configured.isEmpty())
        return usable(configured) ? configured : QString();
    QStringList versions =
        QDir(QStringLiteral("/usr/lib/postgresql")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(versions.begin(), versions.end(),
              [](const QString &a, const QString &b) { return a.toDouble() > b.toDouble(); });
    for (const QString &version : versions) {
        const QString dir = QStringLiteral("/usr/lib/postgresql/%1/bin").arg(version);
        if (usable(dir))
            return dir;
    }
    return {};
}

bool PostgresProcess::prepareUser()
{
    if (geteuid() != 0)
        return true; // the cluster is the test user's own
    m_dropPrivileges = true;
    const QByteArray name(kClusterUser);
    const passwd *pw = getpwnam(name.constData());
    QString output;
    if (!pw) {
        QProcess useradd;
        useradd.setProcessChannelMode(QProcess::MergedChannels);
        useradd.start(QStringLiteral("useradd"),
                      {QStringLiteral("--system"), QStringLiteral("--user-group"),
                       QStringLiteral("--no-create-home"), QStringLiteral("--home-dir"),
                       QStringLiteral("/nonexistent"), QStringLiteral("--shell"),
                       QStringLiteral("/usr/sbin/nologin"), QString::fromLatin1(name)});
        useradd.waitForFinished(30000);
        output = QString::fromUtf8(useradd.readAll()).trimmed();
        // Another test program may have made it meanwhile: look again either way.
        pw = getpwnam(name.constData());
    }
    if (!pw)
        return fail(QStringLiteral("PostgreSQL does not run as root, and the system user %1 "
                                   "could not be created with useradd: %2")
                        .arg(QString::fromLatin1(name), output));
    m_uid = pw->pw_uid;
    m_gid = pw->pw_gid;
    return true;
}

void PostgresProcess::runAsClusterUser(QProcess &process) const
{
    process.setWorkingDirectory(m_dir.path());
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    process.setProcessEnvironment(env);
    const bool drop = m_dropPrivileges;
    const uid_t uid = m_uid;
    const gid_t gid = m_gid;
    const pid_t parent = getpid();
    // In the child, between fork and exec: only system calls.
    process.setChildProcessModifier([drop, uid, gid, parent] {
        if (drop && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0))
            _exit(126);
        // After setuid, which clears it: a fast shutdown if the test program dies first.
        prctl(PR_SET_PDEATHSIG, SIGINT);
        if (getppid() != parent)
            _exit(126);
    });
}

bool PostgresProcess::initCluster()
{
    const QString data = m_dir.filePath(QStringLiteral("data"));
    const QString pwfile = m_dir.filePath(QStringLiteral("pwfile"));
    if (m_dropPrivileges) {
        // The cluster's user goes through the folder to its data (0711), reads nothing else.
        QFile::setPermissions(m_dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                                QFile::ExeGroup | QFile::ExeOther);
    }
    if (!QDir().mkpath(data))
        return fail(QStringLiteral("cannot create %1").arg(data));
    {
        QFile file(pwfile);
        if (!file.open(QIODevice::WriteOnly) || file.write(m_password.toUtf8() + '\n') < 0)
            return fail(QStringLiteral("cannot write %1").arg(pwfile));
    }
    QFile::setPermissions(pwfile, QFile::ReadOwner | QFile::WriteOwner);
    QFile::setPermissions(data, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    if (m_dropPrivileges) {
        if (chown(QFile::encodeName(data).constData(), m_uid, m_gid) != 0 ||
            chown(QFile::encodeName(pwfile).constData(), m_uid, m_gid) != 0)
            return fail(QStringLiteral("cannot give %1 to the user %2")
                            .arg(data, QLatin1String(kClusterUser)));
    }
    QProcess initdb;
    initdb.setProcessChannelMode(QProcess::MergedChannels);
    runAsClusterUser(initdb);
    initdb.start(m_bin + QStringLiteral("/initdb"),
                 {QStringLiteral("--pgdata"), data, QStringLiteral("--username"), user(),
                  QStringLiteral("--pwfile"), pwfile, QStringLiteral("--auth"),
                  QStringLiteral("scram-sha-256"), QStringLiteral("--encoding"),
                  QStringLiteral("UTF8"), QStringLiteral("--locale"), QStringLiteral("C"),
                  QStringLiteral("--no-sync"), QStringLiteral("--no-instructions")});
    const bool finished = initdb.waitForFinished(180000);
    QFile::remove(pwfile);
    if (!finished) {
        initdb.kill();
        initdb.waitForFinished(10000);
        return fail(QStringLiteral("initdb did not finish within 3 minutes"));
    }
    if (initdb.exitStatus() != QProcess::NormalExit || initdb.exitCode() != 0)
        return fail(QStringLiteral("initdb failed (exit code %1): %2")
                        .arg(initdb.exitCode())
                        .arg(QString::fromUtf8(initdb.readAll())));
    m_initialised = true;
    return true;
}

bool PostgresProcess::startServer()
{
    const QString data = m_dir.filePath(QStringLiteral("data"));
    const bool keepPort = m_port != 0; // a restart: the URLs handed out stay valid
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (!keepPort)
            m_port = freePort();
        m_log.clear();
        runAsClusterUser(m_server);
        m_server.start(m_bin + QStringLiteral("/postgres"),
                       {QStringLiteral("-D"), data, QStringLiteral("-h"),
                        QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                        QStringLiteral("-k"), QString(), QStringLiteral("-c"),
                        QStringLiteral("fsync=off"), QStringLiteral("-c"),
                        QStringLiteral("full_page_writes=off"), QStringLiteral("-c"),
                        QStringLiteral("logging_collector=off")});
        if (!m_server.waitForStarted(30000))
            return fail(
                QStringLiteral("cannot run %1/postgres: %2").arg(m_bin, m_server.errorString()));
        const QString ready = QStringLiteral("database system is ready to accept connections");
        const bool up = QTest::qWaitFor(
            [&] { return m_log.contains(ready) || m_server.state() == QProcess::NotRunning; },
            60000);
        if (up && m_log.contains(ready) && m_server.state() == QProcess::Running)
            return true;
        if (m_server.state() == QProcess::Running)
            stop();
        else
            m_server.waitForFinished(10000);
        const bool portTaken = m_log.contains(QLatin1String("could not bind")) ||
                               m_log.contains(QLatin1String("could not create any TCP/IP"));
        if (!portTaken || keepPort)
            break;
    }
    return fail(QStringLiteral("postgres did not start on port %1: %2").arg(m_port).arg(m_log));
}

bool PostgresProcess::start()
{
    if (isRunning())
        return true;
    if (!m_dir.isValid())
        return fail(
            QStringLiteral("cannot create a temporary folder: %1").arg(m_dir.errorString()));
    if (m_bin.isEmpty())
        m_bin = binDir();
    if (m_bin.isEmpty()) {
        if (!qEnvironmentVariable("CONFAB_POSTGRES_BIN").isEmpty())
            return fail(QStringLiteral("PostgreSQL is not in $CONFAB_POSTGRES_BIN (%1): it "
                                       "needs postgres, initdb and createdb")
                            .arg(qEnvironmentVariable("CONFAB_POSTGRES_BIN")));
        return fail(QStringLiteral("PostgreSQL is not installed: no "
                                   "/usr/lib/postgresql/*/bin/initdb. Install Debian's "
                                   "postgresql package (scripts/bootstrap does)"));
    }
    if (!m_initialised && (!prepareUser() || !initCluster()))
        return false;
    return startServer();
}

bool PostgresProcess::stop()
{
    if (m_server.state() == QProcess::NotRunning)
        return true;
    const qint64 pid = m_server.processId();
    // SIGINT: a fast shutdown (what pg_ctl stop -m fast sends), of this process alone.
    if (pid > 0)
        ::kill(pid_t(pid), SIGINT);
    if (m_server.waitForFinished(60000))
        return m_server.exitStatus() == QProcess::NormalExit && m_server.exitCode() == 0;
    // SIGQUIT: an immediate shutdown; then no more asking.
    if (pid > 0)
        ::kill(pid_t(pid), SIGQUIT);
    if (!m_server.waitForFinished(10000)) {
        m_server.kill();
        m_server.waitForFinished(10000);
    }
    m_error = QStringLiteral("postgres did not stop within a minute");
    return false;
}

QString PostgresProcess::url(const QString &database) const
{
    return QStringLiteral("postgresql://%1:%2@127.0.0.1:%3/%4")
        .arg(user(), QString::fromLatin1(QUrl::toPercentEncoding(m_password)),
             QString::number(m_port), database);
}

QString PostgresProcess::createDatabase(QString name)
{
    if (!isRunning()) {
        fail(QStringLiteral("PostgreSQL is not running: %1").arg(m_error));
        return {};
    }
    if (name.isEmpty())
        name = QStringLiteral("db%1").arg(++m_databases);
    static const QRegularExpression plain(QStringLiteral("^[a-z][a-z0-9_]{0,62}$"));
    if (!plain.match(name).hasMatch()) {
        fail(QStringLiteral("'%1' is not a plain database name").arg(name));
        return {};
    }
    QProcess createdb;
    createdb.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
    env.insert(QStringLiteral("PGPASSWORD"), m_password);
    createdb.setProcessEnvironment(env);
    createdb.start(m_bin + QStringLiteral("/createdb"),
                   {QStringLiteral("--host"), QStringLiteral("127.0.0.1"), QStringLiteral("--port"),
                    QString::number(m_port), QStringLiteral("--username"), user(),
                    QStringLiteral("--no-password"), name});
    if (!createdb.waitForFinished(60000)) {
        createdb.kill();
        createdb.waitForFinished(10000);
        fail(QStringLiteral("createdb %1 did not finish within a minute").arg(name));
        return {};
    }
    if (createdb.exitStatus() != QProcess::NormalExit || createdb.exitCode() != 0) {
        fail(QStringLiteral("createdb %1 failed: %2")
                 .arg(name, QString::fromUtf8(createdb.readAll())));
        return {};
    }
    return url(name);
}
