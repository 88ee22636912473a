// CallSession, the client's whole call machinery, between real users of a real server:
// test-pattern camera and tone microphone in, decoded pictures and played audio out, on the
// pipelines' own threads. Every way a call can end is checked from both sides.
#include "call/callsession.h"
#include "call/latestframe.h"
#include "media/testpatternsource.h"
#include "media/videoencoder.h"
#include "net/clientsession.h"
#include "protocol/mediapacketheader.h"
#include "protocol/messageencoder.h"
#include "serverprocess.h"

#include "guiblock.h"
#include "tonepower.h"

#include <QScopeGuard>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

namespace {
struct User
{
    std::unique_ptr<ClientSession> session;
    std::unique_ptr<CallSession> calls;
};

// A logged-in session without call machinery: a peer the test drives by hand.
std::unique_ptr<ClientSession> rawSession(const QUrl &url, const QString &name)
{
    auto session = std::make_unique<ClientSession>();
    QSignalSpy in(session.get(), &ClientSession::loggedIn);
    session->open(url, name);
    return in.wait() ? std::move(session) : nullptr;
}

User online(const QUrl &url, const QString &name, const QString &codec = QStringLiteral("vp8"))
{
    User u;
    u.session = rawSession(url, name);
    if (!u.session)
        return {};
    u.calls = std::make_unique<CallSession>(u.session.get());
    u.calls->setDevices(
        {QStringLiteral("test-pattern"), QStringLiteral("tone"), QStringLiteral("none"), codec});
    return u;
}

// A server with alice and bob logged in to it, both with test devices.
struct AliceAndBob
{
    ServerProcess server;
    User alice;
    User bob;

    bool start()
    {
        if (!server.start())
            return false;
        alice = online(server.url(), QStringLiteral("alice"));
        bob = online(server.url(), QStringLiteral("bob"));
        return alice.session && bob.session;
    }
};

qint64 frameNumber(const QImage &image)
{
    const QImage bgr = image.convertToFormat(QImage::Format_BGR888);
    const cv::Mat m(bgr.height(), bgr.width(), CV_8UC3, const_cast<uchar *>(bgr.constBits()),
                    size_t(bgr.bytesPerLine()));
    return TestPatternSource::readNumber(m);
}

// Waits (at most 10 s) for a picture of the far end whose frame number satisfies `wanted`
// and returns that number, or -1.
template <typename Wanted> qint64 waitForRemoteFrame(CallSession &calls, Wanted wanted)
{
    qint64 seen = -1;
    const bool ok = QTest::qWaitFor(
        [&] {
            const QImage p = calls.takeRemoteFrame();
            seen = p.isNull() ? seen : frameNumber(p);
            return seen >= 0 && wanted(seen);
        },
        10000);
    return ok ? seen : -1;
}

// Ends the program (a failure ctest reports with `what`) unless destroyed within `seconds`:
// for a thread that may deadlock, which would otherwise wait for ctest's timeout and take its
// stacks with it.
class DeadlockWatch
{
public:
    DeadlockWatch(int seconds, const char *what)
        : m_thread([this, seconds, what] {
              std::unique_lock<std::mutex> lock(m_mutex);
              if (!m_wake.wait_for(lock, std::chrono::seconds(seconds), [this] { return m_done; }))
                  qFatal("deadlock: %s", what);
          })
    {}
    ~DeadlockWatch()
    {
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_done = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_done = false;
    std::thread m_thread; // last: started once the rest is made
};

// Alice calls bob and bob accepts; both sides are then active.
bool connectCall(User &alice, User &bob)
{
    QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
    if (!alice.calls->call(QStringLiteral("bob")))
        return false;
    if (!incoming.wait() || incoming.first().at(0).toString() != QLatin1String("alice"))
        return false;
    bob.calls->accept();
    return QTest::qWaitFor([&] {
        return alice.calls->state() == CallSession::State::Active &&
               bob.calls->state() == CallSession::State::Active;
    });
}
} // namespace

class TestCallSession : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // The video file module for the file camera (ctest sets it; this is for a run by hand).
        if (!qEnvironmentVariableIsSet("CONFAB_VIDEOFILE_MODULE"))
            qputenv("CONFAB_VIDEOFILE_MODULE", CONFAB_VIDEOFILE_MODULE_PATH);
    }

    void videoAndVoiceBothWays_data()
    {
        QTest::addColumn<QString>("codec");
        QTest::newRow("vp8") << QStringLiteral("vp8");
        QTest::newRow("jpeg") << QStringLiteral("jpeg");
    }
    void videoAndVoiceBothWays()
    {
        QFETCH(QString, codec);
        ServerProcess server;
        QVERIFY(server.start());
        User alice = online(server.url(), QStringLiteral("alice"), codec);
        User bob = online(server.url(), QStringLiteral("bob"), codec);
        User eve = online(server.url(), QStringLiteral("eve"), codec);
        QVERIFY(alice.session && bob.session && eve.session);
        QSignalSpy ringing(alice.calls.get(), &CallSession::peerRinging);
        QSignalSpy eveMedia(eve.session.get(), &ClientSession::mediaReceived);
        QSignalSpy eveIncoming(eve.calls.get(), &CallSession::incomingCall);
        QSignalSpy bobHeard(bob.calls->audioPipeline(), &AudioPipeline::framePlayed);
        QSignalSpy bobStats(bob.calls.get(), &CallSession::statsChanged);
        QSignalSpy alicePreview(alice.calls.get(), &CallSession::previewReady);

        QVERIFY(connectCall(alice, bob));
        QCOMPARE(ringing.size(), 1);
        QVERIFY(alicePreview.size() > 0 || alicePreview.wait());
        QVERIFY(!alice.calls->takePreview().isNull());

        // Bob sees alice's test pattern: frame numbers that only go forward.
        QList<qint64> numbers;
        QVERIFY(QTest::qWaitFor(
            [&] {
                double latency = -1;
                const QImage picture = bob.calls->takeRemoteFrame(&latency);
                if (!picture.isNull()) {
                    if (picture.size() != QSize(640, 480))
                        return true; // fails below
                    numbers << frameNumber(picture);
                }
                return numbers.size() >= 20;
            },
            15000));
        QCOMPARE(numbers.size(), 20);
        for (int i = 1; i < numbers.size(); ++i)
            QVERIFY2(numbers.at(i) > numbers.at(i - 1), "pictures went backwards");

        // Bob hears alice's 440 Hz tone (the played frames after the jitter buffer).
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const auto &args : bobHeard) {
                    const QByteArray pcm = args.at(0).toByteArray();
                    if (args.at(1).toLongLong() >= 0 &&
                        tonePower(pcm, 440) > 50 * tonePower(pcm, 700) && tonePower(pcm, 440) > 1e9)
                        return true;
                }
                return false;
            },
            10000));

        // The statistics overlay's numbers describe the call.
        QVERIFY(QTest::qWaitFor(
            [&] {
                if (bobStats.isEmpty())
                    return false;
                const CallStats s = bobStats.last().at(0).value<CallStats>();
                return s.video.receivedSize == QSize(640, 480) && s.video.receivedFps > 5 &&
                       s.video.receivedKbps > 0 && s.audio.receivedKbps > 0 &&
                       s.video.latencyMs >= 0;
            },
            10000));

        // Mute: what bob plays turns to silence.
        alice.calls->setMuted(true);
        bobHeard.clear();
        QVERIFY(QTest::qWaitFor(
            [&] {
                int silent = 0;
                for (const auto &args : bobHeard) {
                    if (args.at(1).toLongLong() >= 0 &&
                        tonePower(args.at(0).toByteArray(), 440) < 1e6)
                        ++silent;
                }
                return silent >= 10;
            },
            10000));

        // Nobody else got anything.
        QVERIFY(eveMedia.isEmpty());
        QVERIFY(eveIncoming.isEmpty());

        // Bob hangs up: both sides end, alice is told.
        QSignalSpy aliceEnded(alice.calls.get(), &CallSession::ended);
        bob.calls->hangUp();
        QCOMPARE(bob.calls->state(), CallSession::State::Idle);
        QVERIFY(aliceEnded.wait());
        QCOMPARE(aliceEnded.first().at(0).toString(), QStringLiteral("bob hung up."));
        QCOMPARE(alice.calls->state(), CallSession::State::Idle);
    }

    void theWindowGetsTheNewestPictureOnly()
    {
        // A window that was busy for three frames shows the third, not the first.
        LatestFrame slot;
        QImage a(4, 4, QImage::Format_RGB32), b = a, c = a;
        a.fill(Qt::red);
        b.fill(Qt::green);
        c.fill(Qt::blue);
        QVERIFY(slot.publish(a, 1));  // empty: the window needs a nudge
        QVERIFY(!slot.publish(b, 2)); // still untaken: no second nudge
        QVERIFY(!slot.publish(c, 3));
        quint64 captured = 0;
        const QImage shown = slot.take(&captured);
        QCOMPARE(shown.pixelColor(0, 0), QColor(Qt::blue));
        QCOMPARE(captured, 3u);
        QVERIFY(slot.take().isNull()); // nothing new
        QVERIFY(slot.publish(a, 4));   // empty again: nudge
    }

    void codecChoice()
    {
        QCOMPARE(CallSession::chooseVideoCodec(QStringLiteral("jpeg"), {}), QStringLiteral("vp8"));
        QCOMPARE(CallSession::chooseVideoCodec(
                     QStringLiteral("jpeg"),
                     {QStringLiteral("opus"), QStringLiteral("vp8"), QStringLiteral("jpeg")}),
                 QStringLiteral("jpeg"));
        QCOMPARE(CallSession::chooseVideoCodec(QStringLiteral("jpeg"),
                                               {QStringLiteral("opus"), QStringLiteral("vp8")}),
                 QStringLiteral("vp8"));
        QCOMPARE(CallSession::chooseVideoCodec(QStringLiteral("vp8"),
                                               {QStringLiteral("opus"), QStringLiteral("av1")}),
                 QString());
        QCOMPARE(
            CallSession::supportedCodecs(QStringLiteral("jpeg")),
            (QStringList{QStringLiteral("opus"), QStringLiteral("jpeg"), QStringLiteral("vp8")}));
    }

    void eachSideSendsItsPreferredCodec()
    {
        ServerProcess server;
        QVERIFY(server.start());
        User alice = online(server.url(), QStringLiteral("alice"), QStringLiteral("jpeg"));
        User bob = online(server.url(), QStringLiteral("bob"), QStringLiteral("vp8"));
        QVERIFY(alice.session && bob.session);
        QSignalSpy aliceMedia(alice.session.get(), &ClientSession::mediaReceived);
        QSignalSpy bobMedia(bob.session.get(), &ClientSession::mediaReceived);
        QVERIFY(connectCall(alice, bob));
        auto codecOf = [](QSignalSpy &spy) {
            for (const auto &args : spy) {
                const auto h = MediaPacketHeader::parse(args.at(0).toByteArray());
                if (h && h->kind == MediaPacketHeader::Video)
                    return int(h->codec);
            }
            return 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(codecOf(bobMedia) != 0 && codecOf(aliceMedia) != 0, 10000);
        QCOMPARE(codecOf(bobMedia), int(MediaPacketHeader::Jpeg));  // from alice
        QCOMPARE(codecOf(aliceMedia), int(MediaPacketHeader::Vp8)); // from bob
        QVERIFY(QTest::qWaitFor([&] { return !bob.calls->takeRemoteFrame().isNull(); }, 10000));
        QVERIFY(QTest::qWaitFor([&] { return !alice.calls->takeRemoteFrame().isNull(); }, 10000));
    }

    void switchingTheCameraDuringACall()
    {
        // The devices menu mid-call: from the test pattern to a video file (frames 900..929
        // written here), and bob sees the file's pictures from then on.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("clip.avi"));
        {
            cv::VideoWriter writer(path.toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'),
                                   30, cv::Size(640, 480));
            QVERIFY(writer.isOpened());
            const TestPatternSource pattern;
            for (quint32 n = 900; n < 930; ++n)
                writer.write(pattern.frame(n, 0).image);
        }
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        QVERIFY(connectCall(alice, bob));
        QVERIFY(waitForRemoteFrame(*bob.calls, [](qint64 n) { return n < 900; }) >= 0);
        alice.calls->setCamera(QStringLiteral("file:") + path);
        QCOMPARE(alice.calls->devices().camera, QStringLiteral("file:") + path);
        QVERIFY(waitForRemoteFrame(*bob.calls, [](qint64 n) { return n >= 900 && n < 930; }) >= 0);
    }

    // Issue 13: media does not go through the GUI thread. Blocked for 300 ms mid-call (both
    // users' GUI thread: they share this process), bob keeps hearing alice, and her video
    // comes again after it.
    void aBlockedGuiThreadDoesNotStopTheCall()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        QVERIFY(connectCall(users.alice, users.bob));
        guiblock::checkCallSurvivesBlockedGui(*users.bob.calls, frameNumber);
        if (QTest::currentTestFailed())
            return;
        // And again, the other way round.
        guiblock::checkCallSurvivesBlockedGui(*users.alice.calls, frameNumber);
    }

    // Packets are still on their way through the network thread when a call ends, when the
    // call machinery goes and when the session closes: nothing may touch what is gone (the
    // sanitizer builds run this).
    void endingWhilePacketsAreInFlight()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        for (int round = 0; round < 3; ++round) {
            QVERIFY(connectCall(alice, bob));
            QVERIFY(waitForRemoteFrame(*bob.calls, [](qint64) { return true; }) >= 0);
            alice.calls->hangUp(); // media of the call still arriving at bob meanwhile
            QTRY_COMPARE(bob.calls->state(), CallSession::State::Idle);
        }
        QVERIFY(connectCall(alice, bob));
        QVERIFY(waitForRemoteFrame(*alice.calls, [](qint64) { return true; }) >= 0);
        bob.calls.reset(); // mid-call, alice's media streaming in; it hangs up
        QTRY_COMPARE(alice.calls->state(), CallSession::State::Idle);
        bob.calls = std::make_unique<CallSession>(bob.session.get());
        bob.calls->setDevices(
            {QStringLiteral("test-pattern"), QStringLiteral("tone"), QStringLiteral("none")});
        QVERIFY(connectCall(alice, bob));
        QVERIFY(waitForRemoteFrame(*bob.calls, [](qint64) { return true; }) >= 0);
        bob.session->close(); // the session closes under a running call
        QCOMPARE(bob.calls->state(), CallSession::State::Idle);
        QTRY_COMPARE(alice.calls->state(), CallSession::State::Idle);
    }

    // A listener of mediaReceived (a QSignalSpy, a benchmark) may go mid-call whatever its
    // address. Qt guards connections with a pool of 131 mutexes chosen by address and calls
    // disconnectNotify with the listener's held; the session asked isSignalConnected() there,
    // which takes its own, so a listener sharing the session's mutex froze the thread deleting
    // it, and the network thread with it (net.callsession hung in 1 of 4 loaded runs when a
    // test's spies went). Here spies at 1024 consecutive addresses (every one of those
    // mutexes) come and go while media streams in, and media still reaches the next one.
    void mediaListenersComeAndGoAtAnyAddress()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        QVERIFY(connectCall(users.alice, users.bob));
        ClientSession *session = users.bob.session.get();
        {
            QSignalSpy first(session, &ClientSession::mediaReceived);
            QVERIFY(first.wait()); // forwarded from the network thread
        }
        constexpr int kPlaces = 1024;
        const size_t step = alignof(QSignalSpy);
        auto storage = std::make_unique<std::byte[]>(sizeof(QSignalSpy) + step * kPlaces);
        int heard = 0;
        {
            const DeadlockWatch watch(60, "a mediaReceived listener going away");
            for (int i = 0; i < kPlaces; ++i) {
                auto *spy = new (storage.get() + step * size_t(i))
                    QSignalSpy(session, &ClientSession::mediaReceived);
                if (i % 64 == 0 && spy->wait(10000)) // media arriving meanwhile
                    ++heard;
                spy->~QSignalSpy();
            }
        }
        QCOMPARE(heard, kPlaces / 64);
        QSignalSpy next(session, &ClientSession::mediaReceived);
        QVERIFY(next.wait());
        QCOMPARE(users.bob.calls->state(), CallSession::State::Active);
    }

    void aStalledVideoThreadDropsOldVideoAndRecovers()
    {
        // Bob's video thread stops taking packets (a slow decoder, a busy machine): what
        // arrives meanwhile must not queue up without bound, and video must come back.
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        QVERIFY(connectCall(alice, bob));
        const qint64 before = waitForRemoteFrame(*bob.calls, [](qint64) { return true; });
        QVERIFY(before >= 0);
        QSemaphore gate;
        QMetaObject::invokeMethod(bob.calls->videoPipeline(), [&gate] { gate.acquire(); });
        // Opened again also when a check below fails: ~CallSession waits for the video thread
        // (a failure must not become a hang until ctest's timeout).
        auto reopen = qScopeGuard([&gate] { gate.release(); });
        QTRY_VERIFY_WITH_TIMEOUT(bob.calls->droppedIncomingVideo() >= 10, 20000);
        QCOMPARE(bob.calls->peakVideoBacklog(), CallSession::kVideoBacklogPackets);
        reopen.dismiss();
        gate.release();
        // Pictures newer than everything that waited in the backlog.
        const qint64 skipped = before + CallSession::kVideoBacklogPackets + 10;
        QVERIFY(waitForRemoteFrame(*bob.calls, [skipped](qint64 n) { return n > skipped; }) >= 0);
        QCOMPARE(bob.calls->state(), CallSession::State::Active);
    }

    void aStalledUplinkDropsMediaNotChat()
    {
#ifdef Q_OS_UNIX
        // The server stops reading (SIGSTOP): alice's socket fills up. Media beyond a small
        // queue is dropped instead of buffered, so a chat message sent then still gets
        // through as soon as the server reads again, and the call goes on.
        ServerProcess server;
        QVERIFY(server.start());
        User alice = online(server.url(), QStringLiteral("alice"), QStringLiteral("jpeg"));
        User bob = online(server.url(), QStringLiteral("bob"), QStringLiteral("jpeg"));
        QVERIFY(alice.session && bob.session);
        QVERIFY(connectCall(alice, bob));
        QVERIFY(QTest::qWaitFor([&] { return !bob.calls->takeRemoteFrame().isNull(); }, 10000));
        const qint64 pid = server.process().processId();
        QCOMPARE(::kill(pid_t(pid), SIGSTOP), 0);
        QTRY_VERIFY_WITH_TIMEOUT(alice.calls->droppedOutgoingMedia() >= 10, 30000);
        QSignalSpy chat(bob.session.get(), &ClientSession::messageReceived);
        alice.session->sendMessage(QStringLiteral("still there?"));
        QCOMPARE(::kill(pid_t(pid), SIGCONT), 0);
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(chat.cbegin(), chat.cend(),
                                             [](const QList<QVariant> &args) {
                                                 return args.at(0).value<ChatMessage>().content ==
                                                        QLatin1String("still there?");
                                             }),
                                 10000);
        // Video flows again.
        (void)bob.calls->takeRemoteFrame();
        QVERIFY(QTest::qWaitFor([&] { return !bob.calls->takeRemoteFrame().isNull(); }, 10000));
        QCOMPARE(alice.calls->state(), CallSession::State::Active);
#else
        QSKIP("needs SIGSTOP");
#endif
    }

    void garbageFromThePeerIsSurvived()
    {
        // A hostile or broken peer: valid headers, payloads that are not VP8, JPEG or Opus,
        // sequence jumps and a codec switch. Bob's client must not crash or hang, must keep
        // playing (silence or concealment) and ask for a keyframe; when real video comes it
        // shows it.
        ServerProcess server;
        QVERIFY(server.start());
        User bob = online(server.url(), QStringLiteral("bob"));
        auto mallory = rawSession(server.url(), QStringLiteral("mallory"));
        QVERIFY(mallory);
        QVERIFY(bob.session);
        QSignalSpy malloryEvents(mallory.get(), &ClientSession::callEventReceived);
        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        mallory->sendCallRequest(MessageEncoder::callRequest(
            QStringLiteral("call_invite"), 0, QStringLiteral("bob"),
            {QStringLiteral("audio"), QStringLiteral("video")}, QStringLiteral("m1")));
        QVERIFY(incoming.wait());
        bob.calls->accept();
        quint32 call = 0;
        QVERIFY(QTest::qWaitFor([&] {
            for (const auto &args : malloryEvents) {
                const auto m = args.at(0).value<ServerMessage>();
                if (m.type == ServerMessage::Type::CallAccept)
                    call = m.callId;
            }
            return call != 0;
        }));

        QSignalSpy played(bob.calls->audioPipeline(), &AudioPipeline::framePlayed);
        auto send = [&](quint8 kind, quint8 codec, quint8 flags, quint32 seq,
                        const QByteArray &payload) {
            MediaPacketHeader h;
            h.kind = kind;
            h.codec = codec;
            h.flags = flags;
            h.callId = call;
            h.sequence = seq;
            h.captureTimeUs = 1; // a capture time far in the past
            mallory->sendMedia(h.serialize(payload), 1 << 30);
        };
        QByteArray noise(3000, Qt::Uninitialized);
        for (int i = 0; i < noise.size(); ++i)
            noise[i] = char((i * 7919 + 13) & 0xFF);
        for (quint32 i = 0; i < 20; ++i) {
            send(MediaPacketHeader::Video, MediaPacketHeader::Vp8, MediaPacketHeader::Keyframe, i,
                 noise.left(100 + int(i) * 100));
            send(MediaPacketHeader::Video, MediaPacketHeader::Jpeg, 0, 1000 + i, noise);
            send(MediaPacketHeader::Audio, MediaPacketHeader::Opus, 0, i * 1000, noise.left(200));
            send(MediaPacketHeader::Audio, MediaPacketHeader::Vp8, 0, i, noise.left(50));
            send(MediaPacketHeader::Video, MediaPacketHeader::Vp8, 0, 0xFFFFFFF0u + i, {});
        }
        // Bob asked for a keyframe (the VP8 "keyframes" did not decode).
        QVERIFY(QTest::qWaitFor([&] {
            for (const auto &args : malloryEvents) {
                if (args.at(0).value<ServerMessage>().type == ServerMessage::Type::CallKeyframe)
                    return true;
            }
            return false;
        }));
        // Audio keeps going at its pace.
        QVERIFY(QTest::qWaitFor([&] { return played.size() >= 25; }, 10000));
        QVERIFY(bob.calls->takeRemoteFrame().isNull()); // nothing garbage was shown

        // Real video after all that is shown.
        auto encoder = VideoEncoder::createJpeg();
        QVERIFY(encoder->open(640, 480, 30, 0, nullptr));
        const TestPatternSource pattern;
        const VideoEncoder::Packet p = encoder->encode(pattern.frame(4242, 0));
        // Far behind the garbage's last sequence number: a sender that started over.
        send(MediaPacketHeader::Video, MediaPacketHeader::Jpeg, MediaPacketHeader::Keyframe,
             3000000000u, p.data);
        QImage shown;
        QVERIFY(QTest::qWaitFor([&] {
            shown = bob.calls->takeRemoteFrame();
            return !shown.isNull();
        }));
        QCOMPARE(frameNumber(shown), 4242);
        QCOMPARE(bob.calls->state(), CallSession::State::Active);
    }

    void cameraOffStopsTheVideo()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        QSignalSpy aliceStats(alice.calls.get(), &CallSession::statsChanged);
        QVERIFY(connectCall(alice, bob));
        QVERIFY(QTest::qWaitFor([&] { return !bob.calls->takeRemoteFrame().isNull(); }, 10000));

        alice.calls->setCameraOn(false);
        // A whole statistics second with nothing sent, and no preview left.
        QVERIFY(QTest::qWaitFor(
            [&] {
                return aliceStats.size() >= 2 &&
                       aliceStats.last().at(0).value<CallStats>().video.sentFps == 0 &&
                       aliceStats.at(aliceStats.size() - 2)
                               .at(0)
                               .value<CallStats>()
                               .video.sentFps == 0;
            },
            10000));
        QVERIFY(alice.calls->takePreview().isNull());
        bob.calls->takeRemoteFrame();
        alice.calls->setCameraOn(true);
        QVERIFY(QTest::qWaitFor([&] { return !bob.calls->takeRemoteFrame().isNull(); }, 10000));
    }

    // Issue 13: the far end knows, not guesses, that the microphone is muted or the camera off
    // (call_media through the server), and a new call starts from "everything on".
    void theFarEndIsToldOfMuteAndCameraOff()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        QVERIFY(alice.calls->call(QStringLiteral("bob")));
        alice.calls->setMuted(true); // while it rings: said once the call is on
        QVERIFY(incoming.wait());
        bob.calls->accept();
        QTRY_COMPARE(alice.calls->state(), CallSession::State::Active);
        QTRY_VERIFY(bob.calls->peerIsMuted());
        QVERIFY(bob.calls->peerCameraIsOn());
        QVERIFY(!alice.calls->peerIsMuted());
        QVERIFY(alice.calls->peerCameraIsOn());

        alice.calls->setCameraOn(false);
        QTRY_VERIFY(!bob.calls->peerCameraIsOn());
        QVERIFY(bob.calls->peerIsMuted());
        alice.calls->setMuted(false);
        QTRY_VERIFY(!bob.calls->peerIsMuted());
        QVERIFY(!bob.calls->peerCameraIsOn());
        // bob's camera goes off and on again: alice hears both.
        QSignalSpy aliceHears(alice.calls.get(), &CallSession::peerMediaChanged);
        bob.calls->setCameraOn(false);
        QTRY_VERIFY(!alice.calls->peerCameraIsOn());
        bob.calls->setCameraOn(true);
        QTRY_VERIFY(alice.calls->peerCameraIsOn());
        QCOMPARE(aliceHears.size(), 2);

        alice.calls->hangUp();
        QTRY_COMPARE(bob.calls->state(), CallSession::State::Idle);
        QVERIFY(!bob.calls->peerIsMuted());
        QVERIFY(bob.calls->peerCameraIsOn());

        // A voice call has no camera to speak of: only the microphone.
        alice.calls->setCameraOn(true);
        QSignalSpy again(bob.calls.get(), &CallSession::incomingCall);
        QVERIFY(alice.calls->call(QStringLiteral("bob"), false));
        QVERIFY(again.wait());
        bob.calls->accept();
        QTRY_COMPARE(alice.calls->state(), CallSession::State::Active);
        QVERIFY(!alice.calls->peerCameraIsOn());
        QVERIFY(!alice.calls->peerIsMuted());
        bob.calls->setMuted(true);
        QTRY_VERIFY(alice.calls->peerIsMuted());
    }

    void declined()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        QSignalSpy ended(alice.calls.get(), &CallSession::ended);
        QVERIFY(alice.calls->call(QStringLiteral("bob"), false));
        QVERIFY(incoming.wait());
        QCOMPARE(incoming.first().at(1).toBool(), false); // voice only
        bob.calls->reject();
        QVERIFY(ended.wait());
        QCOMPARE(ended.first().at(0).toString(), QStringLiteral("bob declined the call."));
        QCOMPARE(bob.calls->state(), CallSession::State::Idle);
    }

    void busyCallee()
    {
        ServerProcess server;
        QVERIFY(server.start());
        User alice = online(server.url(), QStringLiteral("alice"));
        User bob = online(server.url(), QStringLiteral("bob"));
        User carol = online(server.url(), QStringLiteral("carol"));
        QVERIFY(alice.session && bob.session && carol.session);
        QVERIFY(connectCall(alice, bob));
        QSignalSpy ended(carol.calls.get(), &CallSession::ended);
        QVERIFY(carol.calls->call(QStringLiteral("bob")));
        QVERIFY(ended.wait());
        QCOMPARE(ended.first().at(0).toString(),
                 QStringLiteral("bob is in another call. Try again later."));
        QCOMPARE(bob.calls->state(), CallSession::State::Active); // undisturbed
    }

    void busyWhileRinging()
    {
        // Bob's phone is ringing (alice); carol's call is answered busy by bob's client.
        ServerProcess server;
        QVERIFY(server.start());
        User alice = online(server.url(), QStringLiteral("alice"));
        User bob = online(server.url(), QStringLiteral("bob"));
        User carol = online(server.url(), QStringLiteral("carol"));
        QVERIFY(alice.session && bob.session && carol.session);
        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        QVERIFY(alice.calls->call(QStringLiteral("bob")));
        QVERIFY(incoming.wait());
        QSignalSpy ended(carol.calls.get(), &CallSession::ended);
        QVERIFY(carol.calls->call(QStringLiteral("bob")));
        QVERIFY(ended.wait());
        QVERIFY(ended.first().at(0).toString().contains(QLatin1String("in another call")));
        QCOMPARE(bob.calls->peer(), QStringLiteral("alice"));
        QCOMPARE(incoming.size(), 1);
    }

    void noAnswer()
    {
        ServerProcess server({QStringLiteral("--call-ring-seconds"), QStringLiteral("1")});
        QVERIFY(server.start());
        User alice = online(server.url(), QStringLiteral("alice"));
        User bob = online(server.url(), QStringLiteral("bob"));
        QVERIFY(alice.session && bob.session);
        QSignalSpy aliceEnded(alice.calls.get(), &CallSession::ended);
        QSignalSpy bobEnded(bob.calls.get(), &CallSession::ended);
        QVERIFY(alice.calls->call(QStringLiteral("bob")));
        QVERIFY(aliceEnded.wait(5000));
        QCOMPARE(aliceEnded.first().at(0).toString(), QStringLiteral("bob did not answer."));
        QVERIFY(bobEnded.size() > 0 || bobEnded.wait());
        QCOMPARE(bobEnded.first().at(0).toString(), QStringLiteral("Missed call from alice."));
        QCOMPARE(bobEnded.first().at(1).toBool(), true);
    }

    void cancelledBeforeAnswer()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        QSignalSpy ringing(alice.calls.get(), &CallSession::peerRinging);
        QSignalSpy bobEnded(bob.calls.get(), &CallSession::ended);
        QVERIFY(alice.calls->call(QStringLiteral("bob")));
        QVERIFY(ringing.wait());
        alice.calls->hangUp();
        QVERIFY(bobEnded.wait());
        QCOMPARE(bobEnded.first().at(0).toString(), QStringLiteral("Missed call from alice."));
        // Both can call again at once.
        QVERIFY(bob.calls->call(QStringLiteral("alice")));
    }

    void hangingUpAsTheCalleeAnswersLeavesNoGhostCall()
    {
        // Bob answers (a raw client here) in the same moment alice gives up. Whichever the
        // server sees first, afterwards there is no call left: bob is told, and alice can
        // call him again.
        ServerProcess server;
        QVERIFY(server.start());
        User alice = online(server.url(), QStringLiteral("alice"));
        auto bob = rawSession(server.url(), QStringLiteral("bob"));
        QVERIFY(bob);
        QSignalSpy bobEvents(bob.get(), &ClientSession::callEventReceived);
        using T = ServerMessage::Type;
        auto eventOfType = [&](T type, int from = 0) -> std::optional<ServerMessage> {
            for (int i = from; i < bobEvents.size(); ++i) {
                const auto m = bobEvents.at(i).at(0).value<ServerMessage>();
                if (m.type == type)
                    return m;
            }
            return std::nullopt;
        };
        QVERIFY(alice.calls->call(QStringLiteral("bob")));
        QVERIFY(QTest::qWaitFor([&] { return eventOfType(T::CallInvite).has_value(); }));
        const quint32 call = eventOfType(T::CallInvite)->callId;
        QVERIFY(QTest::qWaitFor([&] { return alice.calls->callId() == call; }));
        bob->sendCallRequest(MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
        alice.calls->hangUp(); // before alice's client has seen the accept
        QCOMPARE(alice.calls->state(), CallSession::State::Idle);
        QVERIFY(QTest::qWaitFor([&] {
            return eventOfType(T::CallCancel).has_value() || eventOfType(T::CallHangup).has_value();
        }));
        // No ghost: a new call from alice rings at bob.
        const int before = int(bobEvents.size());
        QVERIFY(QTest::qWaitFor([&] { return alice.calls->call(QStringLiteral("bob")); }));
        QVERIFY(QTest::qWaitFor([&] { return eventOfType(T::CallInvite, before).has_value(); }));
    }

    void voiceCallKeepsTheCameraOff()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        QSignalSpy aliceStats(alice.calls.get(), &CallSession::statsChanged);
        QVERIFY(alice.calls->call(QStringLiteral("bob"), true));
        QVERIFY(incoming.wait());
        bob.calls->accept(false); // bob answers with voice only
        QTRY_COMPARE(alice.calls->state(), CallSession::State::Active);
        QVERIFY(!alice.calls->isVideo());
        alice.calls->setCameraOn(true); // asking for the camera in a voice call does nothing
        // The statistics ticks come from the video thread in order with its other work, so
        // after two of them the camera is off there and every preview it sent has arrived.
        const int ticks = int(aliceStats.size());
        QVERIFY(QTest::qWaitFor([&] { return aliceStats.size() >= ticks + 2; }, 10000));
        alice.calls->takePreview();
        QSignalSpy preview(alice.calls.get(), &CallSession::previewReady);
        QVERIFY(QTest::qWaitFor([&] { return aliceStats.size() >= ticks + 4; }, 10000));
        QCOMPARE(preview.size(), 0); // two seconds without a camera picture
        QVERIFY(alice.calls->takePreview().isNull());
        QCOMPARE(aliceStats.last().at(0).value<CallStats>().video.sentFps, 0.0);
    }

    void peerGoesAwayMidCall()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        QVERIFY(connectCall(alice, bob));
        QSignalSpy ended(alice.calls.get(), &CallSession::ended);
        bob.session->close();
        QVERIFY(ended.wait());
        QCOMPARE(ended.first().at(0).toString(),
                 QStringLiteral("The call with bob ended: their connection was lost."));
        QCOMPARE(alice.calls->state(), CallSession::State::Idle);
    }

    void ownConnectionLost()
    {
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        ServerProcess &server = users.server;
        QVERIFY(connectCall(alice, bob));
        QSignalSpy ended(alice.calls.get(), &CallSession::ended);
        server.kill();
        QVERIFY(ended.wait());
        QVERIFY(ended.first().at(0).toString().contains(QLatin1String("connection to the server")));
    }

    void calleeOffline()
    {
        ServerProcess server;
        QVERIFY(server.start());
        User alice = online(server.url(), QStringLiteral("alice"));
        QVERIFY(alice.session);
        QSignalSpy ended(alice.calls.get(), &CallSession::ended);
        QVERIFY(alice.calls->call(QStringLiteral("nobody")));
        QVERIFY(ended.wait());
        QCOMPARE(ended.first().at(0).toString(), QStringLiteral("nobody is not online."));
        QVERIFY(!alice.calls->call(QStringLiteral("alice"))); // not oneself
    }

    void aLateErrorForAGivenUpInviteDoesNotEndTheNextCall()
    {
        // Alice calls someone offline, gives up at once and calls bob, all before the
        // server's answers arrive: its "not online" for the first invite must not end
        // the call to bob.
        AliceAndBob users;
        QVERIFY(users.start());
        User &alice = users.alice;
        User &bob = users.bob;
        QSignalSpy ended(alice.calls.get(), &CallSession::ended);
        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        QVERIFY(alice.calls->call(QStringLiteral("nobody")));
        alice.calls->hangUp();
        QVERIFY(alice.calls->call(QStringLiteral("bob")));
        QVERIFY(incoming.wait());
        QCOMPARE(incoming.first().at(0).toString(), QStringLiteral("alice"));
        bob.calls->accept();
        QTRY_COMPARE(alice.calls->state(), CallSession::State::Active);
        // The only ending alice saw is her own hang-up of the first invite (no text).
        for (const QList<QVariant> &args : ended)
            QVERIFY2(args.at(0).toString().isEmpty(), qPrintable(args.at(0).toString()));
    }
};

QTEST_MAIN(TestCallSession)
#include "tst_callsession.moc"
