#pragma once

#include <QByteArrayView>
#include <QHostAddress>

// The PROXY protocol header (HAProxy's "send-proxy" v1 text and "send-proxy-v2" binary) that a
// trusted load balancer puts before the client's bytes, so the server learns the client's real
// address for its per-address limits. Only accepted from --trusted-proxy addresses.
class ProxyHeader
{
public:
    enum class Result { NeedMore, Done, Invalid };

    // A header is never longer than this (v1: 107 bytes; v2: we accept at most this much TLV).
    static constexpr qsizetype kMaxBytes = 16 + 512;

    // Parses the header at the start of `data`. Done: *consumed is its length and *source the
    // client's address, or a null address for LOCAL / UNKNOWN connections (health checks):
    // then the peer's own address stands.
    static Result parse(QByteArrayView data, qsizetype *consumed, QHostAddress *source);
};
