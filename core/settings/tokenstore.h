#pragma once

#include <QList>
#include <QObject>
#include <QString>

namespace QKeychain {
class Job;
}

// Keeps the device tokens that signing in yields (one per account, keyed "name@server:port")
// so the client never has to keep a password.
//
// Where the tokens live: in the OS keychain through QtKeychain (Secret Service or KWallet
// over D-Bus on Linux, the Keychain on macOS, the Credential Manager on Windows). Where no
// keychain service exists (headless, no D-Bus session, a minimal desktop) they live in one
// JSON file, tokens.json, in the fallback folder: the file is created with mode 0600 (written
// to a temporary file opened 0600, then renamed over the old one), the folder 0700 when this
// creates it, and a file found with a wider mode is narrowed to 0600 with a warning.
//
// The fallback policy: the first keychain job decides. Success (or "no such entry") means
// Keychain. An error that means no keychain service is there means File, for every TokenStore
// for the rest of the process: NoBackendAvailable, NotImplemented, or any other error while
// the session bus has no KWallet and no Secret Service with libsecret to reach it (QtKeychain
// 0.13 reports a missing service as OtherError). Anything else, above all a user dismissing
// an unlock prompt (AccessDenied, AccessDeniedByUser), is reported with failed() and nothing
// is written to the file: a user who said no to the keychain has not said yes to a plain
// file. Once the keychain has worked, a later "no service" error is failed() too,
// since a newer token in the file would hide behind the older one in the keychain.
//
// While the keychain is in use the file is only a source to move tokens from: a read that
// finds nothing in the keychain returns the file's token (written while no keychain ran) and
// moves it into the keychain; a write or remove also clears that account from the file.
//
// CONFAB_TOKEN_STORE=file in the environment, or setForceFileBackend(true), skips the keychain.
// All results arrive as signals, after the call returns, in the order of the calls. Token
// values are never logged.
class TokenStore : public QObject
{
    Q_OBJECT
public:
    enum class Backend { Unknown, Keychain, File };
    Q_ENUM(Backend)

    // fallbackDir: where tokens.json goes when there is no keychain; empty means
    // QStandardPaths::AppDataLocation.
    explicit TokenStore(const QString &service = QStringLiteral("Confab"),
                        const QString &fallbackDir = {}, QObject *parent = nullptr);
    ~TokenStore() override;

    // Unknown until the first job has finished, unless the file is forced or an earlier store
    // in this process already found no keychain.
    Backend backend() const { return m_backend; }
    QString service() const { return m_service; }
    // The fallback file, for the UI to name when backend() is File.
    QString filePath() const;

    // Answers with tokenRead (an empty token when none is stored) or failed.
    void read(const QString &account);
    // Answers with tokenWritten or failed. An empty token is refused; use remove().
    void write(const QString &account, const QString &token);
    // Answers with tokenRemoved (also when nothing was stored) or failed.
    void remove(const QString &account);

    // For tests and headless users: use the file without trying the keychain.
    static void setForceFileBackend(bool force);

signals:
    void tokenRead(const QString &account, const QString &token);
    void tokenWritten(const QString &account);
    void tokenRemoved(const QString &account);
    void failed(const QString &account, const QString &message);
    void backendChanged(TokenStore::Backend backend);

private:
    struct Operation
    {
        enum Kind { Read, Write, Remove } kind;
        QString account;
        QString token;
    };

    void enqueue(Operation op);
    void scheduleNext();
    void runNext();
    void finishOperation();
    void setBackend(Backend backend);
    bool fileBackendForced() const;

    void startKeychainJob(const Operation &op);
    void keychainJobFinished(QKeychain::Job *job, const Operation &op);
    bool meansNoKeychain(QKeychain::Job *job) const;
    void switchToFile(QKeychain::Job *job);
    void migrateToKeychain(const QString &account, const QString &token);

    void runFileOperation(const Operation &op);
    // Reads the account's token from the file: false (with *error set) when the file exists
    // but cannot be read; a missing file or entry gives true and an empty token.
    bool fileToken(const QString &account, QString *token, QString *error) const;
    bool setFileToken(const QString &account, const QString &token, QString *error);
    bool removeFileToken(const QString &account, QString *error);

    QString m_service;
    QString m_dir;
    Backend m_backend = Backend::Unknown;
    QList<Operation> m_queue;
    bool m_running = false;
    bool m_scheduled = false;
};
