#pragma once

#include "protocol/callreport.h"
#include "protocol/mediapacketheader.h"

#include <QtGlobal>

#include <deque>
#include <vector>

// The receiving side of a call's reports (docs/protocol.md 13.2): counts the far end's media
// packets as they arrive and sums them up once a second into a CallReport for the sender's
// bandwidth estimate. A plain class; CallSession feeds it on the network thread and takes the
// report on its own thread, under its lock.
//
// The delay is relative: arrival time minus the sender's capture time is the one-way delay
// plus the difference of the two clocks, which is unknown but (nearly) constant. Its smallest
// value over the last half minute is taken as the empty path, so what is above it is the queue
// the media waits in. Audio packets only: they are sent as they are captured, one every 20 ms
// whether the microphone is muted or not, while a video frame's time includes its encoding.
class CallReportBuilder
{
public:
    void reset();
    // A packet of the call as it arrived (arrivalUs on the media clock).
    void onPacket(qint64 arrivalUs, const MediaPacketHeader &header, qsizetype bytes);
    // The report on everything since the last one; nowUs on the same clock as onPacket.
    CallReport take(qint64 nowUs);

private:
    struct Stream
    {
        bool started = false;
        quint32 expected = 0;
        int received = 0;
        int missing = 0;
    };
    Stream m_audio;
    Stream m_video;
    qint64 m_bytes = 0;
    qint64 m_intervalStartUs = -1;

    bool m_haveTransit = false;
    qint64 m_lastTransitUs = 0;
    double m_jitterUs = 0;
    std::vector<qint64> m_transits; // this interval's, audio
    std::deque<qint64> m_minima;    // the smallest transit of each of the last reports
};
