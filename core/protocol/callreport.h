#pragma once

#include <QJsonObject>

#include <optional>

// A receiver's report on the media of a call (docs/protocol.md section 13.2): what arrived in
// the last interval, for the sender's bandwidth estimate. Sent about once a second by each
// member of an active call and relayed by the server to the other member only. Every field is
// a bounded integer, checked the same way by the server (before relaying) and by the client
// (before believing it).
struct CallReport
{
    static constexpr int kMaxLossPermille = 1000;
    static constexpr int kMaxJitterMs = 10000;
    static constexpr int kMaxDelayMs = 60000;
    static constexpr int kMaxKbps = 100000;
    static constexpr int kMinIntervalMs = 100;
    static constexpr int kMaxIntervalMs = 10000;

    int lossPermille = 0;  // media packets missing from the sequences, per 1000 due
    int jitterMs = 0;      // interarrival jitter of the audio packets (RFC 3550 style)
    int delayMs = 0;       // one-way delay above the smallest seen lately: the queue on the way
    int kbps = 0;          // media received, kbit/s
    int intervalMs = 1000; // the time the report covers

    bool operator==(const CallReport &o) const
    {
        return lossPermille == o.lossPermille && jitterMs == o.jitterMs && delayMs == o.delayMs &&
               kbps == o.kbps && intervalMs == o.intervalMs;
    }

    // The fields into `o` (which holds type, call and from).
    void writeTo(QJsonObject &o) const;
    // nullopt when a field is missing, not an integer or out of its bounds.
    static std::optional<CallReport> read(const QJsonObject &o);
};
