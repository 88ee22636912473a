#pragma once

// Issue 13's check that a busy GUI thread (a long layout, a modal dialog being set up) does not
// stall a call: shared by net.callsession (a call through a confab-server process) and
// net.hostedcall (through the desktop client's embedded server).

#include "call/audiopipeline.h"
#include "call/callsession.h"

#include <QCoreApplication>
#include <QTest>
#include <QThread>
#include <QTimer>

namespace guiblock {

// Blocks this (the GUI) thread for `ms` inside a slot of its event loop, and returns bob's
// playout counters from just before and just after.
inline std::pair<AudioPipeline::PlayoutCounts, AudioPipeline::PlayoutCounts>
blockGuiThread(AudioPipeline *audio, int ms)
{
    AudioPipeline::PlayoutCounts before, after;
    bool done = false;
    QTimer::singleShot(0, QCoreApplication::instance(), [&] {
        before = audio->playoutCounts();
        QThread::msleep(ulong(ms)); // the GUI thread does nothing else meanwhile
        after = audio->playoutCounts();
        done = true;
    });
    (void)QTest::qWaitFor([&] { return done; }, 10000);
    return {before, after};
}

// Mid-call, with `shownFrame` the number of a picture of the far end bob has shown: blocks the
// GUI thread for 300 ms and checks that bob kept hearing the far end meanwhile (frames of its
// voice, no underrun beyond the odd glitch the jitter buffer absorbs at any moment) and that
// newer pictures come after. Callers check QTest::currentTestFailed().
template <typename FrameNumber>
void checkCallSurvivesBlockedGui(CallSession &bob, FrameNumber frameNumber)
{
    AudioPipeline *audio = bob.audioPipeline();
    qint64 shown = -1;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QImage p = bob.takeRemoteFrame();
            shown = p.isNull() ? shown : frameNumber(p);
            return shown >= 0;
        },
        10000));
    // A second of the far end's voice first: the jitter buffer has settled on its delay.
    const qint64 heard = audio->playoutCounts().decoded;
    QTRY_VERIFY_WITH_TIMEOUT(audio->playoutCounts().decoded >= heard + 50, 10000);

    const auto [before, after] = blockGuiThread(audio, 300);
    QVERIFY(after.played > 0);
    const qint64 played = after.played - before.played;
    const qint64 decoded = after.decoded - before.decoded;
    const qint64 underruns = after.underruns - before.underruns;
    const QByteArray counts = QStringLiteral("%1 frames played, %2 of them the far end's voice, "
                                             "%3 underruns")
                                  .arg(played)
                                  .arg(decoded)
                                  .arg(underruns)
                                  .toUtf8();
    qInfo("GUI thread blocked for 300 ms: %s", counts.constData());
    // The speaker kept its pace (15 frames are due in 300 ms; the audio thread never waited).
    QVERIFY2(played >= 10, counts.constData());
    // With the far end's voice: a receive path through the GUI thread would have played what
    // the jitter buffer held when the block began (2-4 frames) and concealed the rest.
    QVERIFY2(underruns <= 3, counts.constData());
    QVERIFY2(decoded >= played - 3, counts.constData());

    // Video goes on: pictures newer than the one shown before the block.
    qint64 newer = -1;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QImage p = bob.takeRemoteFrame();
            newer = p.isNull() ? newer : frameNumber(p);
            return newer > shown;
        },
        10000));
    QCOMPARE(bob.state(), CallSession::State::Active);
}

} // namespace guiblock
