#include "embeddedserver.h"

#include "accounts/asyncaccountstore.h"
#include "accounts/sqliteaccountstore.h"
#include "asyncmessagestore.h"
#include "chatserver.h"
#include "net/certificatepins.h"
#include "sqlitemessagestore.h"
#include "tls/selfsignedcertificate.h"

#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QNetworkInterface>
#include <QSslCertificate>
#include <QStandardPaths>

EmbeddedServer::EmbeddedServer(QObject *parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("embedded server"));
}

EmbeddedServer::~EmbeddedServer()
{
    stop();
}

QString EmbeddedServer::defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/hosted-history.sqlite");
}

bool EmbeddedServer::start(quint16 port, const QString &databasePath, QString *error, bool tls)
{
    stop();
    ServerConfig config;
    config.port = port;
    config.databasePath = databasePath.isEmpty() ? defaultDatabasePath() : databasePath;
    // A server for a group on one network: whoever can reach it may make an account.
    config.auth.registration = AuthPolicy::Registration::Open;
    // Files beside the history, as confab-server keeps them.
    config.filesDir = config.databasePath + QStringLiteral("-files");
    if (tls) {
        const QString folder = QFileInfo(config.databasePath).absolutePath();
        config.tlsCertificate = folder + QStringLiteral("/hosted-certificate.pem");
        config.tlsKey = folder + QStringLiteral("/hosted-key.pem");
        if (!SelfSignedCertificate::ensure(config.tlsCertificate, config.tlsKey,
                                           QHostInfo::localHostName(), error))
            return false;
        QFile certFile(config.tlsCertificate);
        if (certFile.open(QIODevice::ReadOnly))
            m_fingerprint = CertificatePins::fingerprint(QSslCertificate(&certFile, QSsl::Pem));
    }
    // Everything of the relay is made on its thread, so its sockets, timers and the stores'
    // connections belong to it; this thread waits (as it waited for the same work before).
    m_thread.start();
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    bool ok = false;
    QString why;
    QMetaObject::invokeMethod(
        m_context,
        [this, &config, &ok, &why] {
            auto store = std::make_unique<AsyncMessageStore>(
                std::make_unique<SqliteMessageStore>(config.databasePath, false));
            if (!store->open(&why))
                return;
            auto accounts = std::make_unique<AsyncAccountStore>(
                std::make_unique<SqliteAccountStore>(config.databasePath, false));
            if (!accounts->open(&why))
                return;
            auto server = std::make_unique<ChatServer>(config, store.get(), accounts.get());
            if (!server->listen(&why))
                return;
            m_encrypted = server->isEncrypted();
            m_port = server->port();
            m_store = std::move(store);
            m_accounts = std::move(accounts);
            m_server = std::move(server);
            ok = true;
        },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        if (error)
            *error = why;
        stop();
        return false;
    }
    m_running = true;
    return true;
}

void EmbeddedServer::stop()
{
    if (m_context) {
        // On the server's thread, in the order of a server's shutdown: the relay (its
        // connections), then the stores, which commit and close their files there.
        QMetaObject::invokeMethod(
            m_context,
            [this] {
                m_server.reset();
                m_accounts.reset();
                m_store.reset();
            },
            Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait(); // what the relay left for later (deleteLater) goes as the thread ends
        delete m_context;
        m_context = nullptr;
    }
    m_running = false;
    m_encrypted = false;
    m_port = 0;
    m_fingerprint.clear();
}

QString EmbeddedServer::scheme() const
{
    return isEncrypted() ? QStringLiteral("wss") : QStringLiteral("ws");
}

QString EmbeddedServer::localAddress() const
{
    // Not "localhost": a minimal system may have no /etc/hosts, and it may resolve to ::1.
    return QStringLiteral("%1://127.0.0.1:%2").arg(scheme()).arg(port());
}

QStringList EmbeddedServer::lanAddresses() const
{
    QStringList result;
    for (const QNetworkInterface &iface : QNetworkInterface::allInterfaces()) {
        if (!(iface.flags() & QNetworkInterface::IsUp) ||
            (iface.flags() & QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
            if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol)
                result.append(
                    QStringLiteral("%1://%2:%3").arg(scheme(), entry.ip().toString()).arg(port()));
        }
    }
    return result;
}
