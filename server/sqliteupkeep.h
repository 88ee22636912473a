#pragma once

#include <QObject>
#include <QString>
#include <QThread>

// Runs SQLite's WAL checkpoints on a thread of its own. A checkpoint copies the log into the
// database and fsyncs both; done inside a commit on the server thread it stalls every client
// for milliseconds, so the server's connection turns automatic checkpoints off and this
// object takes them over.
class WalCheckpointer : public QObject
{
    Q_OBJECT
public:
    WalCheckpointer(const QString &path, int intervalMs);
    ~WalCheckpointer() override;

    void start();
    // Blocks until a final full checkpoint has run (used at shutdown).
    void stop();

private:
    class Worker;

    QString m_path;
    int m_intervalMs;
    QThread m_thread;
    Worker *m_worker = nullptr;
};
