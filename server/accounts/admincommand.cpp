#include "accounts/admincommand.h"

#include "accounts/passwordhasher.h"
#include "accounts/postgresaccountstore.h"
#include "accounts/secrettoken.h"
#include "accounts/sqliteaccountstore.h"
#include "protocol/authpolicy.h"
#include "protocol/namerules.h"
#include "serverconfig.h"
#include "sqlitemessagestore.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QSettings>

#ifdef Q_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif

namespace {

constexpr const char *kHelp =
    "Usage: confab-server admin [--database FILE|URL | --config FILE] COMMAND [ARGS]\n"
    "\n"
    "Works on the server's database, also while the server runs: the SQLite file, or with\n"
    "a postgresql://user:password@host:port/dbname database the accounts kept there.\n"
    "\n"
    "Commands:\n"
    "  list                         accounts, with their devices and last use\n"
    "  create NAME [--admin]        a new account (password: see below)\n"
    "  disable NAME                 sign the account out everywhere and refuse its sign-ins\n"
    "  enable NAME                  allow a disabled account again\n"
    "  reset-password NAME          set a new password (see below, or --generate prints a\n"
    "                               random one); signs out every device\n"
    "  invite [--uses N] [--days D] an invite code for --registration invite (default 1 use,\n"
    "                               7 days)\n"
    "  tokens NAME                  the account's device sign-ins\n"
    "  revoke NAME TOKEN_ID|--all   sign out one device, or all\n"
    "\n"
    "Passwords come from --password-file FILE, else $CONFAB_PASSWORD, else a prompt on the\n"
    "terminal. They need at least 8 characters.\n"
    "\n"
    "Exit codes: 0 done, 2 usage, 3 database error, 4 no such account or token,\n"
    "5 refused (name taken or confusable, password too short).\n";

QString when(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd hh:mm"))
                  : QStringLiteral("-");
}

#ifdef Q_OS_UNIX
QString promptHidden(const char *prompt, FILE *err)
{
    if (!isatty(STDIN_FILENO))
        return {};
    std::fputs(prompt, err);
    std::fflush(err);
    termios saved{};
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    char line[1024 * 4];
    const bool ok = std::fgets(line, sizeof line, stdin) != nullptr;
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputc('\n', err);
    if (!ok)
        return {};
    QString text = QString::fromUtf8(line);
    while (text.endsWith(QLatin1Char('\n')) || text.endsWith(QLatin1Char('\r')))
        text.chop(1);
    return text;
}
#else
QString promptHidden(const char *, FILE *)
{
    return {};
}
#endif

class Admin
{
public:
    Admin(FILE *out, FILE *err) : m_out(out), m_err(err) {}

    int fail(int code, const QString &message)
    {
        std::fprintf(m_err, "confab-server admin: %s\n", qPrintable(message));
        return code;
    }
    void print(const QString &line)
    {
        std::fprintf(m_out, "%s\n", qPrintable(line));
        std::fflush(m_out); // in order with what goes to stderr, also through a pipe
    }

    bool open(const QString &path)
    {
        m_messages = std::make_unique<SqliteMessageStore>(path, false);
        QString error;
        if (!m_messages->open(&error)) {
            m_error = error;
            return false;
        }
        m_accounts = std::make_unique<SqliteAccountStore>(m_messages->database());
        return openAccounts();
    }
    // The accounts in PostgreSQL, where the servers on that database keep them (the history's
    // tables are left alone: the admin command does not need them).
    bool open(const PostgresUrl &url)
    {
        m_accounts = std::make_unique<PostgresAccountStore>(url);
        return openAccounts();
    }
    QString error() const { return m_error; }
    AccountStore &store() { return *m_accounts; }

    // The password for `name`: from the file, the environment, or the terminal (twice).
    std::optional<QString> password(const QCommandLineParser &p, QString *why)
    {
        if (p.isSet(QStringLiteral("password-file"))) {
            QFile f(p.value(QStringLiteral("password-file")));
            if (!f.open(QIODevice::ReadOnly)) {
                *why = QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString());
                return std::nullopt;
            }
            QString text = QString::fromUtf8(f.readAll());
            while (text.endsWith(QLatin1Char('\n')) || text.endsWith(QLatin1Char('\r')))
                text.chop(1);
            return text;
        }
        if (qEnvironmentVariableIsSet("CONFAB_PASSWORD"))
            return qEnvironmentVariable("CONFAB_PASSWORD");
        const QString first = promptHidden("New password: ", m_err);
        if (first.isEmpty()) {
            *why = QStringLiteral("no password: use --password-file FILE or CONFAB_PASSWORD, or "
                                  "run it in a terminal");
            return std::nullopt;
        }
        if (promptHidden("Repeat it: ", m_err) != first) {
            *why = QStringLiteral("the two passwords differ");
            return std::nullopt;
        }
        return first;
    }

private:
    bool openAccounts()
    {
        QString error;
        if (!m_accounts->open(&error)) {
            m_error = error;
            return false;
        }
        return true;
    }

    FILE *m_out;
    FILE *m_err;
    QString m_error;
    std::unique_ptr<SqliteMessageStore> m_messages;
    std::unique_ptr<AccountStore> m_accounts;
};

} // namespace

int AdminCommand::run(const QStringList &arguments, FILE *out, FILE *err)
{
    Admin admin(out, err);
    QCommandLineParser p;
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    const QList<QCommandLineOption> options{
        {QStringLiteral("database"), QStringLiteral("The SQLite file, or a postgresql:// URL."),
         QStringLiteral("file|url")},
        {QStringLiteral("config"), QStringLiteral("The server's INI file (its 'database')."),
         QStringLiteral("file")},
        // No longer used; known, to say why (as the server does).
        {QStringLiteral("accounts-file"), QStringLiteral("No longer used."),
         QStringLiteral("file")},
        {QStringLiteral("password-file"), QStringLiteral("Read the password from this file."),
         QStringLiteral("file")},
        {QStringLiteral("admin"), QStringLiteral("create: the account may make invites.")},
        {QStringLiteral("generate"), QStringLiteral("reset-password: print a random one.")},
        {QStringLiteral("all"), QStringLiteral("revoke: every device.")},
        {QStringLiteral("uses"), QStringLiteral("invite: accounts it may make."),
         QStringLiteral("n")},
        {QStringLiteral("days"), QStringLiteral("invite: days it is valid."), QStringLiteral("n")},
        {QStringLiteral("help"), QStringLiteral("This help.")},
    };
    p.addOptions(options);
    if (!p.parse(arguments.mid(1)))
        return admin.fail(Usage,
                          p.errorText() + QStringLiteral(" (see confab-server admin --help)"));
    QStringList args = p.positionalArguments();
    if (!args.isEmpty() && args.first() == QLatin1String("admin"))
        args.removeFirst();
    if (p.isSet(QStringLiteral("help")) || args.isEmpty()) {
        std::fputs(kHelp, args.isEmpty() && !p.isSet(QStringLiteral("help")) ? err : out);
        return p.isSet(QStringLiteral("help")) ? Ok : Usage;
    }
    const QString command = args.takeFirst();

    if (p.isSet(QStringLiteral("accounts-file")))
        return admin.fail(Usage, QStringLiteral("--accounts-file is not used: the accounts are "
                                                "where --database keeps the history (with a "
                                                "postgresql:// one, in PostgreSQL)"));
    QString database = p.value(QStringLiteral("database"));
    if (p.isSet(QStringLiteral("config"))) {
        const QString config = p.value(QStringLiteral("config"));
        if (!QFileInfo(config).isReadable())
            return admin.fail(Usage, QStringLiteral("cannot read config file '%1'").arg(config));
        const QSettings settings(config, QSettings::IniFormat);
        if (database.isEmpty())
            database = settings.value(QStringLiteral("database")).toString();
    }
    // With a postgresql:// database the accounts are in PostgreSQL, where the servers keep
    // them too. Never a file named after the URL (and its password).
    std::optional<PostgresUrl> postgres;
    if (PostgresUrl::looksLikeUrl(database)) {
        QString why;
        postgres = PostgresUrl::parse(database, &why);
        if (!postgres)
            return admin.fail(Usage, why);
    } else if (database.isEmpty()) {
        database = ServerConfig::defaultDatabasePath();
    }

    static const QStringList commands{QStringLiteral("list"),           QStringLiteral("create"),
                                      QStringLiteral("disable"),        QStringLiteral("enable"),
                                      QStringLiteral("reset-password"), QStringLiteral("invite"),
                                      QStringLiteral("tokens"),         QStringLiteral("revoke")};
    if (!commands.contains(command))
        return admin.fail(Usage, QStringLiteral("unknown command '%1' (see --help)").arg(command));
    const bool needsName = command != QLatin1String("list") && command != QLatin1String("invite");
    if (needsName && args.isEmpty())
        return admin.fail(Usage, QStringLiteral("%1 needs an account name").arg(command));
    if (!(postgres ? admin.open(*postgres) : admin.open(database)))
        return admin.fail(DatabaseError, admin.error());
    AccountStore &store = admin.store();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    if (command == QLatin1String("list")) {
        const QList<Account> accounts = store.accounts();
        if (!store.lastError().isEmpty())
            return admin.fail(DatabaseError, store.lastError());
        admin.print(QStringLiteral("%1 %2 %3 %4 %5")
                        .arg(QStringLiteral("NAME"), -32)
                        .arg(QStringLiteral("STATE"), -9)
                        .arg(QStringLiteral("CREATED"), -16)
                        .arg(QStringLiteral("DEVICES"), 7)
                        .arg(QStringLiteral("LAST USED")));
        for (const Account &a : accounts) {
            const QList<DeviceToken> tokens = store.tokens(a.id);
            qint64 last = 0;
            for (const DeviceToken &t : tokens)
                last = qMax(last, t.lastUsedMs);
            const QString state = a.disabled ? QStringLiteral("disabled")
                                  : a.admin  ? QStringLiteral("admin")
                                             : QStringLiteral("active");
            admin.print(QStringLiteral("%1 %2 %3 %4 %5")
                            .arg(a.name, -32)
                            .arg(state, -9)
                            .arg(when(a.createdMs), -16)
                            .arg(tokens.size(), 7)
                            .arg(when(last)));
        }
        admin.print(QStringLiteral("%1 accounts").arg(accounts.size()));
        return Ok;
    }

    if (command == QLatin1String("invite")) {
        bool ok = true;
        const int uses =
            p.isSet(QStringLiteral("uses")) ? p.value(QStringLiteral("uses")).toInt(&ok) : 1;
        bool ok2 = true;
        const int days =
            p.isSet(QStringLiteral("days")) ? p.value(QStringLiteral("days")).toInt(&ok2) : 7;
        if (!ok || !ok2 || uses < 1 || uses > 1000 || days < 1 || days > 365)
            return admin.fail(Usage, QStringLiteral("--uses takes 1 to 1000, --days 1 to 365"));
        const QString code = SecretToken::newInviteCode();
        const qint64 expires = now + qint64(days) * 24 * 3600 * 1000;
        if (!store.addInvite(SecretToken::inviteHash(code), 0, now, expires, uses))
            return admin.fail(DatabaseError, store.lastError());
        admin.print(code);
        std::fprintf(err, "invite for %d account(s), valid until %s\n", uses,
                     qPrintable(when(expires)));
        return Ok;
    }

    const QString name = NameRules::normalized(args.takeFirst());
    const QString key = NameRules::key(name);

    if (command == QLatin1String("create")) {
        if (const ErrorCode e = NameRules::check(name, 32); e != ErrorCode::None)
            return admin.fail(
                Refused,
                QStringLiteral("'%1' is not a valid name: %2").arg(name, errorCodeText(e)));
        if (store.findByKey(key))
            return admin.fail(Refused, QStringLiteral("'%1' is already registered").arg(name));
        const QString skeleton = NameRules::skeleton(name);
        if (const std::optional<Account> other = store.findBySkeleton(skeleton))
            return admin.fail(
                Refused, QStringLiteral("'%1' looks like the account '%2'").arg(name, other->name));
        QString why;
        const std::optional<QString> password = admin.password(p, &why);
        if (!password)
            return admin.fail(Usage, why);
        if (password->toUcs4().size() < AuthPolicy::kMinPasswordChars)
            return admin.fail(Refused, QStringLiteral("the password needs at least %1 characters")
                                           .arg(AuthPolicy::kMinPasswordChars));
        Account a;
        a.name = name;
        a.nameKey = key;
        a.skeleton = skeleton;
        a.passwordHash = PasswordHasher::hashNow(*password);
        a.admin = p.isSet(QStringLiteral("admin"));
        a.createdMs = now;
        if (a.passwordHash.isEmpty())
            return admin.fail(DatabaseError, QStringLiteral("cannot hash the password (memory)"));
        if (store.createAccount(a) == 0)
            return admin.fail(store.lastError().isEmpty() ? Refused : DatabaseError,
                              store.lastError().isEmpty()
                                  ? QStringLiteral("'%1' is already registered").arg(name)
                                  : store.lastError());
        admin.print(QStringLiteral("created %1%2")
                        .arg(name, a.admin ? QStringLiteral(" (admin)") : QString()));
        return Ok;
    }

    const std::optional<Account> account = store.findByKey(key);
    if (!account)
        return store.lastError().isEmpty()
                   ? admin.fail(NotFound, QStringLiteral("no account '%1'").arg(name))
                   : admin.fail(DatabaseError, store.lastError());

    if (command == QLatin1String("disable") || command == QLatin1String("enable")) {
        const bool disable = command == QLatin1String("disable");
        if (!store.setDisabled(account->id, disable, now))
            return admin.fail(DatabaseError, store.lastError());
        admin.print(QStringLiteral("%1 %2").arg(account->name,
                                                disable ? QStringLiteral("disabled (signed out "
                                                                         "everywhere)")
                                                        : QStringLiteral("enabled")));
        return Ok;
    }

    if (command == QLatin1String("reset-password")) {
        QString password;
        if (p.isSet(QStringLiteral("generate"))) {
            password = SecretToken::newToken().left(20);
        } else {
            QString why;
            const std::optional<QString> given = admin.password(p, &why);
            if (!given)
                return admin.fail(Usage, why);
            password = *given;
        }
        if (password.toUcs4().size() < AuthPolicy::kMinPasswordChars)
            return admin.fail(Refused, QStringLiteral("the password needs at least %1 characters")
                                           .arg(AuthPolicy::kMinPasswordChars));
        const QString hash = PasswordHasher::hashNow(password);
        if (hash.isEmpty() || !store.setPasswordHash(account->id, hash))
            return admin.fail(DatabaseError, store.lastError());
        const QList<qint64> revoked = store.revokeTokens(account->id, 0, 0, now);
        if (p.isSet(QStringLiteral("generate")))
            admin.print(password);
        std::fprintf(err, "password of %s reset; %d device(s) signed out\n",
                     qPrintable(account->name), int(revoked.size()));
        return Ok;
    }

    if (command == QLatin1String("tokens")) {
        const QList<DeviceToken> tokens = store.tokens(account->id);
        admin.print(QStringLiteral("%1 %2 %3 %4")
                        .arg(QStringLiteral("ID"), 6)
                        .arg(QStringLiteral("CREATED"), -16)
                        .arg(QStringLiteral("LAST USED"), -16)
                        .arg(QStringLiteral("DEVICE")));
        for (const DeviceToken &t : tokens)
            admin.print(QStringLiteral("%1 %2 %3 %4")
                            .arg(t.id, 6)
                            .arg(when(t.createdMs), -16)
                            .arg(when(t.lastUsedMs), -16)
                            .arg(t.label));
        admin.print(QStringLiteral("%1 devices").arg(tokens.size()));
        return Ok;
    }

    // revoke
    qint64 tokenId = 0;
    if (!p.isSet(QStringLiteral("all"))) {
        bool ok = false;
        tokenId = args.isEmpty() ? 0 : args.first().toLongLong(&ok);
        if (!ok || tokenId <= 0)
            return admin.fail(Usage, QStringLiteral("revoke needs a TOKEN_ID (see 'tokens %1') or "
                                                    "--all")
                                         .arg(account->name));
    }
    const QList<qint64> revoked = store.revokeTokens(account->id, tokenId, 0, now);
    if (!store.lastError().isEmpty())
        return admin.fail(DatabaseError, store.lastError());
    if (tokenId > 0 && revoked.isEmpty())
        return admin.fail(NotFound,
                          QStringLiteral("%1 has no device %2").arg(account->name).arg(tokenId));
    admin.print(
        QStringLiteral("%1 device(s) of %2 signed out").arg(revoked.size()).arg(account->name));
    return Ok;
}
