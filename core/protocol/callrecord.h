#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

// How a call between two users ended, as the server records it in their private conversation
// (docs/protocol.md section 13.1). The message carrying it is from the caller to the callee;
// this says the rest. The server decides it from the signalling it relayed, never from what a
// client claims.
struct CallRecord
{
    enum class Outcome {
        Answered, // accepted; durationMs is how long it was active
        Missed,   // rang out, or the caller gave up (cancelled, hung up, went away)
        Declined, // the callee rejected it
        Failed,   // never rang through (callee unreachable, over a limit)
    };

    Outcome outcome = Outcome::Missed;
    bool video = false;
    qint64 durationMs = 0;

    // {"duration_ms":252000,"outcome":"answered","video":false}
    QJsonObject toJson() const;
    // nullopt for anything that is not such an object (an unknown outcome included: a newer
    // server's entry is then shown as its plain text).
    static std::optional<CallRecord> fromJson(const QJsonValue &value);
    // The same as compact JSON, as the message stores keep it, and back.
    QString toStored() const;
    static std::optional<CallRecord> fromStored(const QString &text);
    // The English text a message carries as its `content`: what clients that know nothing of
    // call entries (older Confab versions, the seed page) show. `caller` is the message's from.
    QString plainText(const QString &caller) const;
    // "4:12", "1:02:03".
    static QString formatDuration(qint64 ms);

    static QString outcomeName(Outcome outcome);
    static std::optional<Outcome> outcomeFromName(const QString &name);

    friend bool operator==(const CallRecord &a, const CallRecord &b)
    {
        return a.outcome == b.outcome && a.video == b.video && a.durationMs == b.durationMs;
    }
};
