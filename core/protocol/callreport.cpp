#include "protocol/callreport.h"

#include <QJsonValue>

namespace {
bool readBounded(const QJsonObject &o, const char *key, int min, int max, int *out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isDouble())
        return false; // missing or not a number: every field is required
    const double d = v.toDouble();
    // The range first: converting a double that int cannot hold is undefined behaviour.
    if (!(d >= double(min) && d <= double(max)) || d != double(qint64(d)))
        return false;
    *out = int(d);
    return true;
}
} // namespace

void CallReport::writeTo(QJsonObject &o) const
{
    o.insert(QStringLiteral("loss_permille"), lossPermille);
    o.insert(QStringLiteral("jitter_ms"), jitterMs);
    o.insert(QStringLiteral("delay_ms"), delayMs);
    o.insert(QStringLiteral("kbps"), kbps);
    o.insert(QStringLiteral("interval_ms"), intervalMs);
}

std::optional<CallReport> CallReport::read(const QJsonObject &o)
{
    CallReport r;
    if (!readBounded(o, "loss_permille", 0, kMaxLossPermille, &r.lossPermille) ||
        !readBounded(o, "jitter_ms", 0, kMaxJitterMs, &r.jitterMs) ||
        !readBounded(o, "delay_ms", 0, kMaxDelayMs, &r.delayMs) ||
        !readBounded(o, "kbps", 0, kMaxKbps, &r.kbps) ||
        !readBounded(o, "interval_ms", kMinIntervalMs, kMaxIntervalMs, &r.intervalMs))
        return std::nullopt;
    return r;
}
