// TokenStore without a keychain service: the session bus is unreachable, so the real
// QtKeychain jobs fail and the store keeps tokens in its 0600 file.
#include "settings/tokenstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <sys/stat.h>

namespace {

QMutex s_logMutex;
QStringList s_log;
QtMessageHandler s_previousHandler = nullptr;

// Every message, so that the test can show no token is ever logged.
void recordMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        const QMutexLocker locker(&s_logMutex);
        s_log.append(QString::fromLatin1(context.category ? context.category : "") +
                     QLatin1Char(' ') + message);
    }
    if (s_previousHandler)
        s_previousHandler(type, context, message);
}

QStringList logged()
{
    const QMutexLocker locker(&s_logMutex);
    return s_log;
}

bool anyLogged(const QString &part)
{
    const QStringList log = logged();
    return std::any_of(log.cbegin(), log.cend(),
                       [&](const QString &line) { return line.contains(part); });
}

int modeOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

const QString alice = QStringLiteral("alice@chat.example.org:8080");
const QString aliceElsewhere = QStringLiteral("alice@other.example.net:8080");
const QString bob = QStringLiteral("bob@chat.example.org:8080");

// Device tokens look like 43 to 64 characters of base64url; each is a distinct string so
// the log check below catches any of them.
QString token(const char *tag)
{
    return QStringLiteral("dT0k-%1-Zq8xW3vN7pR2sL5yK9mB4hJ6gF1dC0aE_uYiOoPp")
        .arg(QLatin1String(tag));
}

} // namespace

class TestTokenStore : public QObject
{
    Q_OBJECT
private:
    QStringList m_tokens; // every token written, for tokensNeverLogged
    QTemporaryDir m_root;

    QString freshDir() { return QDir(m_root.path()).filePath(QString::number(++m_dirs)); }
    int m_dirs = 0;

    bool writeToken(TokenStore &store, const QString &account, const QString &value)
    {
        m_tokens.append(value);
        QSignalSpy written(&store, &TokenStore::tokenWritten);
        QSignalSpy failed(&store, &TokenStore::failed);
        store.write(account, value);
        if (!written.wait(5000)) {
            qWarning() << "no tokenWritten;" << failed;
            return false;
        }
        return written.first().first().toString() == account;
    }

    // The token read, or "<failed>" when the store did not answer with tokenRead.
    QString readToken(TokenStore &store, const QString &account)
    {
        QSignalSpy read(&store, &TokenStore::tokenRead);
        QSignalSpy failed(&store, &TokenStore::failed);
        store.read(account);
        if (!read.wait(5000) || read.first().first().toString() != account) {
            qWarning() << "no tokenRead;" << failed;
            return QStringLiteral("<failed>");
        }
        return read.first().at(1).toString();
    }

    bool removeToken(TokenStore &store, const QString &account)
    {
        QSignalSpy removed(&store, &TokenStore::tokenRemoved);
        store.remove(account);
        return removed.wait(5000) && removed.first().first().toString() == account;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_root.isValid());
        // An address that leads nowhere rather than none: with no address libdbus would try
        // $XDG_RUNTIME_DIR/bus, the desktop's real session bus. Set before any D-Bus use.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/confab-no-dbus/bus");
        qunsetenv("CONFAB_TOKEN_STORE");
        QStandardPaths::setTestModeEnabled(true);
        s_previousHandler = qInstallMessageHandler(recordMessage);
    }

    // These two run before the first keychain job has failed: forcing must keep the store off
    // the keychain altogether, so nothing about a missing keychain is logged.
    void forcedFileBackendSkipsKeychain()
    {
        TokenStore::setForceFileBackend(true);
        auto unforce = qScopeGuard([] { TokenStore::setForceFileBackend(false); });
        TokenStore store(QStringLiteral("ConfabTest"), freshDir());
        QCOMPARE(store.backend(), TokenStore::Backend::File);
        QVERIFY(writeToken(store, alice, token("forced")));
        QCOMPARE(readToken(store, alice), token("forced"));
        QCOMPARE(store.backend(), TokenStore::Backend::File);
        QVERIFY(!anyLogged(QStringLiteral("No keychain service")));
    }

    void environmentForcesFileBackend()
    {
        qputenv("CONFAB_TOKEN_STORE", "file");
        auto unset = qScopeGuard([] { qunsetenv("CONFAB_TOKEN_STORE"); });
        TokenStore store(QStringLiteral("ConfabTest"), freshDir());
        QCOMPARE(store.backend(), TokenStore::Backend::File);
        QVERIFY(writeToken(store, alice, token("env")));
        QCOMPARE(readToken(store, alice), token("env"));
        QVERIFY(!anyLogged(QStringLiteral("No keychain service")));
    }

    // The first real keychain job fails; the store says so and keeps the token in a file
    // that is 0600 from the start, in a folder it creates 0700, even with umask 0.
    void fallsBackToFileWithoutKeychain()
    {
        const mode_t oldMask = ::umask(0);
        auto restoreMask = qScopeGuard([oldMask] { ::umask(oldMask); });
        const QString dir = freshDir() + QStringLiteral("/nested/confab");
        TokenStore store(QStringLiteral("ConfabTest"), dir);
        QCOMPARE(store.backend(), TokenStore::Backend::Unknown);
        QSignalSpy changed(&store, &TokenStore::backendChanged);

        QVERIFY(writeToken(store, alice, token("fallback")));
        QCOMPARE(store.backend(), TokenStore::Backend::File);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().first().value<TokenStore::Backend>(), TokenStore::Backend::File);
        QVERIFY(anyLogged(QStringLiteral("No keychain service")));
        for (const QString &line : logged()) {
            if (line.contains(QStringLiteral("No keychain service")))
                qInfo().noquote() << "logged:" << line;
        }

        QCOMPARE(store.filePath(), dir + QStringLiteral("/tokens.json"));
        QCOMPARE(modeOf(store.filePath()), 0600);
        QCOMPARE(QFileInfo(store.filePath()).permissions(),
                 QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);
        QCOMPARE(modeOf(dir), 0700);
        // No temporary or lock file left beside it.
        QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("tokens.json")});

        QCOMPARE(readToken(store, alice), token("fallback"));
        QCOMPARE(changed.count(), 1);
    }

    void laterStoresStartWithFile()
    {
        TokenStore store(QStringLiteral("ConfabTest"), freshDir());
        QCOMPARE(store.backend(), TokenStore::Backend::File);
    }

    void defaultFolderIsAppData()
    {
        const TokenStore store;
        QCOMPARE(store.service(), QStringLiteral("Confab"));
        QCOMPARE(store.filePath(),
                 QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                     .filePath(QStringLiteral("tokens.json")));
    }

    void missingTokenReadsEmpty()
    {
        TokenStore store(QStringLiteral("ConfabTest"), freshDir());
        QCOMPARE(readToken(store, alice), QString());
        QVERIFY(!QFile::exists(store.filePath())); // a read creates nothing
        QVERIFY(writeToken(store, bob, token("bob")));
        QCOMPARE(readToken(store, alice), QString());
    }

    void answersComeInCallOrder()
    {
        TokenStore store(QStringLiteral("ConfabTest"), freshDir());
        m_tokens << token("first") << token("second");
        QSignalSpy written(&store, &TokenStore::tokenWritten);
        QSignalSpy read(&store, &TokenStore::tokenRead);
        store.write(alice, token("first"));
        store.write(alice, token("second"));
        store.read(alice);
        QCOMPARE(written.count(), 0); // never inside the call
        QVERIFY(read.wait(5000));
        QCOMPARE(written.count(), 2);
        QCOMPARE(read.first().at(1).toString(), token("second"));
    }

    void accountsDoNotMix()
    {
        TokenStore store(QStringLiteral("ConfabTest"), freshDir());
        QVERIFY(writeToken(store, alice, token("alice")));
        QVERIFY(writeToken(store, aliceElsewhere, token("alice2")));
        QVERIFY(writeToken(store, bob, token("bob")));
        QCOMPARE(readToken(store, alice), token("alice"));
        QCOMPARE(readToken(store, aliceElsewhere), token("alice2"));
        QCOMPARE(readToken(store, bob), token("bob"));

        QVERIFY(writeToken(store, alice, token("alice-new")));
        QCOMPARE(readToken(store, alice), token("alice-new"));
        QCOMPARE(readToken(store, aliceElsewhere), token("alice2"));
        QCOMPARE(readToken(store, bob), token("bob"));

        // A second store on the same folder (another window, a restart) sees the same.
        TokenStore again(QStringLiteral("ConfabTest"), QFileInfo(store.filePath()).path());
        QCOMPARE(readToken(again, aliceElsewhere), token("alice2"));
    }

    void unusualTokensRoundTrip_data()
    {
        QTest::addColumn<QString>("account");
        QTest::addColumn<QString>("value");
        QTest::newRow("quotes and backslashes") << alice << QStringLiteral("a\"b'c\\d\\\"e\\\\");
        QTest::newRow("ini and json syntax")
            << alice << QStringLiteral("[tokens]\nkey=value; #x /y {\"tokens\":{}}");
        QTest::newRow("control characters")
            << alice
            << QString(QStringLiteral("tab\there\r\nnul") + QChar(0) + QStringLiteral("end"));
        QTest::newRow("unicode") << alice << QStringLiteral("tøkén-中文-😀-\u202e-ﬁ");
        QTest::newRow("spaces at the ends") << alice << QStringLiteral("  padded token  ");
        QTest::newRow("long") << alice
                              << QString(QString(4096, QLatin1Char('x')) + QStringLiteral("-long"));
        QTest::newRow("unusual account")
            << QStringLiteral("o'brien/[x]=\"y\"@[::1]:8080") << QStringLiteral("t0k/=+");
        QTest::newRow("unicode account")
            << QStringLiteral("zoë@例え.jp:443") << QStringLiteral("tok-zoe");
    }

    void unusualTokensRoundTrip()
    {
        QFETCH(QString, account);
        QFETCH(QString, value);
        const QString dir = freshDir();
        {
            TokenStore store(QStringLiteral("ConfabTest"), dir);
            QVERIFY(writeToken(store, account, value));
            QVERIFY(writeToken(store, bob, token("neighbour")));
            QCOMPARE(readToken(store, account), value);
        }
        TokenStore reopened(QStringLiteral("ConfabTest"), dir);
        QCOMPARE(readToken(reopened, account), value);
        QCOMPARE(readToken(reopened, bob), token("neighbour"));
    }

    void widerFileModeIsNarrowed()
    {
        const QString dir = freshDir();
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + QStringLiteral("/tokens.json");
        m_tokens << token("preexisting");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("{\"tokens\": {\"bob@chat.example.org:8080\": \"" +
                              token("preexisting").toUtf8() + "\"}}\n"));
        file.close();
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0644), 0);
        QCOMPARE(modeOf(path), 0644);

        TokenStore store(QStringLiteral("ConfabTest"), dir);
        QCOMPARE(readToken(store, bob), token("preexisting"));
        QCOMPARE(modeOf(path), 0600);
        QVERIFY(anyLogged(QStringLiteral("had mode 0644")));
    }

    void removeForgetsTheToken()
    {
        TokenStore store(QStringLiteral("ConfabTest"), freshDir());
        QVERIFY(writeToken(store, alice, token("gone")));
        QVERIFY(writeToken(store, bob, token("stays")));
        QVERIFY(removeToken(store, alice));
        QCOMPARE(readToken(store, alice), QString());
        QCOMPARE(readToken(store, bob), token("stays"));
        QFile file(store.filePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(token("gone").toUtf8()));
        file.close();
        QCOMPARE(modeOf(store.filePath()), 0600);

        QVERIFY(removeToken(store, alice)); // nothing stored: still a success
        QVERIFY(removeToken(store, bob));
        QVERIFY(!QFile::exists(store.filePath())); // the last token takes the file with it
        QCOMPARE(readToken(store, bob), QString());
    }

    void emptyTokenIsRefused()
    {
        TokenStore store(QStringLiteral("ConfabTest"), freshDir());
        QSignalSpy failed(&store, &TokenStore::failed);
        store.write(alice, QString());
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().first().toString(), alice);
        QVERIFY(!QFile::exists(store.filePath()));
    }

    void damagedFileFailsReadAndIsReplacedOnWrite()
    {
        const QString dir = freshDir();
        QVERIFY(QDir().mkpath(dir));
        TokenStore store(QStringLiteral("ConfabTest"), dir);
        QFile file(store.filePath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"tokens\": {\"alice\": \"half-writ");
        file.close();

        QSignalSpy failed(&store, &TokenStore::failed);
        store.read(alice);
        QVERIFY(failed.wait(5000));
        QVERIFY(!failed.first().at(1).toString().contains(QStringLiteral("half-writ")));

        QVERIFY(writeToken(store, alice, token("fresh")));
        QCOMPARE(readToken(store, alice), token("fresh"));
        QCOMPARE(modeOf(store.filePath()), 0600);
    }

    // Last: everything the store logged in all the tests above.
    void tokensNeverLogged()
    {
        const QStringList log = logged();
        QVERIFY(!log.isEmpty()); // the handler did see the store's warnings
        QVERIFY(m_tokens.size() > 10);
        for (const QString &line : log) {
            for (const QString &value : std::as_const(m_tokens)) {
                if (value.size() >= 8) // short test strings could appear by chance
                    QVERIFY2(!line.contains(value), qPrintable(line));
            }
        }
    }

    void cleanupTestCase() { qInstallMessageHandler(s_previousHandler); }
};

QTEST_GUILESS_MAIN(TestTokenStore)
#include "tst_tokenstore.moc"
