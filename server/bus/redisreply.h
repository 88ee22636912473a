#pragma once

#include <QByteArray>

#include <vector>

// One answer to a Redis command, copied out of hiredis' reply (which it frees as soon as the
// callback returns), or Disconnected when no answer can come.
struct RedisReply
{
    enum class Type { Error, Status, String, Integer, Nil, Array, Disconnected };

    Type type = Type::Disconnected;
    // String: the bytes (binary-safe); Status and Error: Redis' text; Disconnected: why.
    QByteArray string;
    qint64 integer = 0;
    std::vector<RedisReply> elements; // Array

    // Redis answered, and not with an error.
    bool ok() const { return type != Type::Error && type != Type::Disconnected; }

    static RedisReply error(const QByteArray &text) { return {Type::Error, text, 0, {}}; }
    static RedisReply disconnected(const QByteArray &why)
    {
        return {Type::Disconnected, why, 0, {}};
    }
};
