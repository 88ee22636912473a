#include "protocol/protocollimits.h"

#include <limits>

QJsonObject ProtocolLimits::toJson() const
{
    return QJsonObject{
        {QStringLiteral("name_chars"), maxNameChars},
        {QStringLiteral("text_chars"), maxTextChars},
        {QStringLiteral("message_bytes"), maxMessageBytes},
        {QStringLiteral("media_bytes"), maxMediaBytes},
        {QStringLiteral("id_chars"), kMaxIdChars},
        {QStringLiteral("history_page"), historyPageMax},
        {QStringLiteral("rate_per_second"), ratePerSecond},
        {QStringLiteral("rate_burst"), rateBurst},
        {QStringLiteral("media_packets_per_second"), mediaPacketsPerSecond},
        {QStringLiteral("media_burst"), mediaBurst},
        {QStringLiteral("call_ring_seconds"), callRingSeconds},
        {QStringLiteral("send_bytes_per_second"), sendBytesPerSecond},
        {QStringLiteral("send_bytes_burst"), sendBytesBurst},
        {QStringLiteral("history_bytes"), historyBytes},
        {QStringLiteral("file_bytes"), maxFileBytes},
        {QStringLiteral("file_quota_bytes"), fileQuotaBytes},
        {QStringLiteral("file_chunk_bytes"), fileChunkBytes},
        {QStringLiteral("file_window_bytes"), fileWindowBytes},
    };
}

ProtocolLimits ProtocolLimits::fromJson(const QJsonObject &object)
{
    ProtocolLimits limits;
    // A value the field cannot hold is as unusable as one that is not positive (and converting
    // it would be undefined behaviour).
    auto readInt = [&object](const char *key, auto fallback) {
        using T = decltype(fallback);
        const double d = object.value(QLatin1String(key)).toDouble(); // 0 when not a number
        return d > 0 && d < double(std::numeric_limits<T>::max()) ? T(d) : fallback;
    };
    limits.maxNameChars = readInt("name_chars", limits.maxNameChars);
    limits.maxTextChars = readInt("text_chars", limits.maxTextChars);
    limits.maxMessageBytes = readInt("message_bytes", limits.maxMessageBytes);
    limits.maxMediaBytes = readInt("media_bytes", limits.maxMediaBytes);
    limits.historyPageMax = readInt("history_page", limits.historyPageMax);
    limits.ratePerSecond = readInt("rate_per_second", limits.ratePerSecond);
    limits.rateBurst = readInt("rate_burst", limits.rateBurst);
    limits.mediaPacketsPerSecond =
        readInt("media_packets_per_second", limits.mediaPacketsPerSecond);
    limits.mediaBurst = readInt("media_burst", limits.mediaBurst);
    limits.callRingSeconds = readInt("call_ring_seconds", limits.callRingSeconds);
    limits.sendBytesPerSecond = readInt("send_bytes_per_second", limits.sendBytesPerSecond);
    limits.sendBytesBurst = readInt("send_bytes_burst", limits.sendBytesBurst);
    limits.historyBytes = readInt("history_bytes", limits.historyBytes);
    // A server that does not mention files keeps none.
    limits.maxFileBytes = readInt("file_bytes", qint64(0));
    limits.fileQuotaBytes = readInt("file_quota_bytes", limits.fileQuotaBytes);
    limits.fileChunkBytes = readInt("file_chunk_bytes", limits.fileChunkBytes);
    limits.fileWindowBytes = readInt("file_window_bytes", limits.fileWindowBytes);
    return limits;
}
