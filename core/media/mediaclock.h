#pragma once

#include <QtGlobal>

#include <chrono>

// The capture timestamps in media packets: wall-clock microseconds, so a receiver on the same
// machine (or one kept in sync by NTP) can tell how old a frame is when it is shown.
inline quint64 mediaClockUs()
{
    using namespace std::chrono;
    return quint64(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}
