#pragma once

#include <QString>
#include <QUrl>

// confab-outbox-bench's two jobs (docs/benchmarks.md, "Saved history and the outbox file").

// The outbox's write cost: a ClientSession sends `messages` to a real confab-server with its
// limits lifted, with the outbox and history cache in a SQLite file and, as the reference in
// the same run, in memory only.
struct SendOptions
{
    QString serverBinary;
    int messages = 2000;
    int rounds = 3;
    int timeoutSeconds = 60; // per measurement: the wait for the last acknowledgement
};
int runSendBench(const SendOptions &options);

// A history cache file as the client would have saved it for `url` and `name`: `messages`
// room messages, written with the client's own OutboxStore and HistoryCache.
struct CacheOptions
{
    QString folder;
    QUrl url;
    QString name;
    int messages = 100000;
    int limit = 0; // HistoryCache::setLimit; 0 = keep all `messages`
};
int makeCache(const CacheOptions &options);
