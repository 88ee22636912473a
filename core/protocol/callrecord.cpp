#include "protocol/callrecord.h"

#include <QJsonDocument>
#include <QJsonValue>

QString CallRecord::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Answered:
        return QStringLiteral("answered");
    case Outcome::Missed:
        return QStringLiteral("missed");
    case Outcome::Declined:
        return QStringLiteral("declined");
    case Outcome::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

std::optional<CallRecord::Outcome> CallRecord::outcomeFromName(const QString &name)
{
    for (Outcome o : {Outcome::Answered, Outcome::Missed, Outcome::Declined, Outcome::Failed}) {
        if (name == outcomeName(o))
            return o;
    }
    return std::nullopt;
}

QJsonObject CallRecord::toJson() const
{
    return QJsonObject{
        {QStringLiteral("outcome"), outcomeName(outcome)},
        {QStringLiteral("video"), video},
        {QStringLiteral("duration_ms"), durationMs},
    };
}

std::optional<CallRecord> CallRecord::fromJson(const QJsonValue &value)
{
    if (!value.isObject())
        return std::nullopt;
    const QJsonObject o = value.toObject();
    const std::optional<Outcome> outcome =
        outcomeFromName(o.value(QLatin1String("outcome")).toString());
    if (!outcome)
        return std::nullopt;
    CallRecord record;
    record.outcome = *outcome;
    record.video = o.value(QLatin1String("video")).toBool();
    // A duration beyond what a double holds exactly, or below zero, is nonsense: none.
    const double ms = o.value(QLatin1String("duration_ms")).toDouble();
    record.durationMs = ms > 0 && ms < 9007199254740992.0 ? qint64(ms) : 0;
    return record;
}

QString CallRecord::toStored() const
{
    return QString::fromUtf8(QJsonDocument(toJson()).toJson(QJsonDocument::Compact));
}

std::optional<CallRecord> CallRecord::fromStored(const QString &text)
{
    if (text.isEmpty())
        return std::nullopt;
    return fromJson(QJsonDocument::fromJson(text.toUtf8()).object());
}

QString CallRecord::formatDuration(qint64 ms)
{
    const qint64 total = ms / 1000;
    const qint64 h = total / 3600, m = total / 60 % 60, s = total % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QLatin1Char('0'))
            .arg(s, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

QString CallRecord::plainText(const QString &caller) const
{
    const QString kind = video ? QStringLiteral("Video call") : QStringLiteral("Voice call");
    switch (outcome) {
    case Outcome::Answered:
        return QStringLiteral("%1, %2").arg(kind, formatDuration(durationMs));
    case Outcome::Missed:
        return QStringLiteral("Missed %1 from %2").arg(kind.toLower(), caller);
    case Outcome::Declined:
        return QStringLiteral("%1 declined").arg(kind);
    case Outcome::Failed:
        return QStringLiteral("%1 from %2 failed").arg(kind, caller);
    }
    return kind;
}
