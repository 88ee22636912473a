// Files (docs/protocol.md section 18) against a real confab-server process: uploads in chunks
// that become chat messages, downloads in chunks to whoever may see the message, where the
// bytes are kept, and every class of bad input (oversize, over quota, wrong hash, a file that
// is not its type, chunks that belong nowhere, someone else's private file, too many uploads
// at once), an interrupted upload resumed, and chat that never waits behind a file.
#include "protocol/filechunk.h"
#include "protocol/filemessages.h"
#include "protocol/messageencoder.h"
#include "rawwebsocket.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <memory>

namespace {

constexpr qint64 kMaxFile = 2000000;
constexpr qint64 kQuota = 4000000;
const QString kAccountPassword = QStringLiteral("a fine password");

QString typeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("type")).toString();
}

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QRandomGenerator random(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = char(random.generate() & 0xFF);
    return bytes;
}

// The first bytes of a PNG, then noise: what the server checks of an image is its start.
QByteArray pngBytes(qint64 size, quint32 seed)
{
    QByteArray bytes = randomBytes(size, seed);
    const QByteArray magic("\x89PNG\r\n\x1a\n", 8);
    bytes.replace(0, magic.size(), magic);
    return bytes;
}

FileRef refFor(const QByteArray &bytes, const QString &name = QStringLiteral("cat.png"),
               const QString &mime = QStringLiteral("image/png"))
{
    FileRef f;
    f.name = name;
    f.size = bytes.size();
    f.mime = mime;
    f.sha256 =
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    return f;
}

// What the server answered an offer, a get or a cancel with this id: its answer or an error.
QJsonObject answerTo(TestClient &c, const QString &id, const QString &type)
{
    return c.waitFor([&](const QJsonObject &o) {
        return o.value(QLatin1String("id")).toString() == id &&
               (typeOf(o) == type || typeOf(o) == QLatin1String("error"));
    });
}

QString codeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("code")).toString();
}

QJsonObject ackOf(TestClient &c, const QString &id)
{
    return c.waitFor([&](const QJsonObject &o) {
        return typeOf(o) == QLatin1String("ack") && o.value(QLatin1String("id")).toString() == id;
    });
}

// Sends bytes [from, to) of an upload in chunks, never more than the window ahead of the
// server's progress (as a client must); false when the server stops answering.
bool sendChunks(TestClient &c, quint32 upload, const QByteArray &bytes, qint64 from, qint64 to,
                const QJsonObject &limits)
{
    const qint64 chunk = limits.value(QLatin1String("file_chunk_bytes")).toInteger();
    const qint64 window = limits.value(QLatin1String("file_window_bytes")).toInteger();
    qint64 acked = from;
    qint64 sent = from;
    while (sent < to) {
        const qint64 n = qMin(chunk, to - sent);
        if (sent + n - acked > window) {
            const QJsonObject progress = c.waitFor([&](const QJsonObject &o) {
                return typeOf(o) == QLatin1String("file_progress") &&
                       o.value(QLatin1String("upload")).toInteger() == upload &&
                       o.value(QLatin1String("offset")).toInteger() > acked;
            });
            if (progress.isEmpty())
                return false;
            acked = progress.value(QLatin1String("offset")).toInteger();
            continue;
        }
        FileChunkHeader h;
        h.transfer = upload;
        h.offset = quint64(sent);
        c.sendBinary(h.serialize(QByteArrayView(bytes).sliced(sent, n)));
        sent += n;
    }
    return true;
}

// The payload of every binary file chunk of `download` received from index `first` on.
QByteArray chunksOf(TestClient &c, quint32 download, int first = 0)
{
    QByteArray out;
    QSignalSpy *spy = c.binarySpy();
    for (int i = first; i < spy->count(); ++i) {
        const QByteArray message = spy->at(i).at(0).toByteArray();
        const auto h = FileChunkHeader::parse(message);
        if (h && h->transfer == download)
            out += message.mid(FileChunkHeader::kSize);
    }
    return out;
}

} // namespace

class TestFiles : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server{
        ServerProcess::unlimited() +
        QStringList{QStringLiteral("--max-file-bytes"), QString::number(kMaxFile),
                    QStringLiteral("--file-quota-bytes"), QString::number(kQuota)}};
    QJsonObject m_limits;

    std::unique_ptr<TestClient> online(const QString &name)
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open(m_server.url()) || !c->login(name))
            return nullptr;
        return c;
    }

    std::unique_ptr<TestClient> signedIn(const QString &name)
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open(m_server.url()) || !c->signIn(name, kAccountPassword))
            return nullptr;
        return c;
    }

    // Offers the file; the file_upload answer (or the error).
    static QJsonObject offer(TestClient &c, const FileRef &f, const QString &id,
                             const QString &to = {})
    {
        c.sendJson(FileMessages::offerRequest(f, id, to));
        return answerTo(c, id, QStringLiteral("file_upload"));
    }

    // A whole upload; the seq of the file message from its ack (0 on failure).
    qint64 upload(TestClient &c, const QByteArray &bytes, const FileRef &f, const QString &id,
                  const QString &to = {})
    {
        const QJsonObject answer = offer(c, f, id, to);
        if (typeOf(answer) != QLatin1String("file_upload"))
            return 0;
        const quint32 uploadId = quint32(answer.value(QLatin1String("upload")).toInteger());
        const qint64 offset = answer.value(QLatin1String("offset")).toInteger();
        if (!sendChunks(c, uploadId, bytes, offset, bytes.size(), m_limits))
            return 0;
        return ackOf(c, id).value(QLatin1String("seq")).toInteger();
    }

    // A whole download of the file of message `seq`; *error gets the code of a refusal.
    static QByteArray download(TestClient &c, qint64 seq, const QString &id, QString *error,
                               qint64 offset = 0)
    {
        const int first = c.binarySpy()->count();
        c.sendJson(FileMessages::getRequest(seq, offset, id));
        const QJsonObject answer = answerTo(c, id, QStringLiteral("file_download"));
        *error = codeOf(answer);
        if (typeOf(answer) != QLatin1String("file_download"))
            return {};
        const quint32 downloadId = quint32(answer.value(QLatin1String("download")).toInteger());
        const qint64 expected = answer.value(QLatin1String("size")).toInteger() - offset;
        if (!QTest::qWaitFor([&] { return chunksOf(c, downloadId, first).size() >= expected; },
                             10000))
            return {};
        return chunksOf(c, downloadId, first);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_server.createAccount(QStringLiteral("q_dora"), kAccountPassword));
        QVERIFY(m_server.start());
        TestClient probe;
        QVERIFY(probe.open(m_server.url()));
        m_limits = probe.handshake().value(QLatin1String("limits")).toObject();
    }

    void handshakeSaysWhatFilesMayBe()
    {
        QCOMPARE(m_limits.value(QLatin1String("file_bytes")).toInteger(), kMaxFile);
        QCOMPARE(m_limits.value(QLatin1String("file_quota_bytes")).toInteger(), kQuota);
        QCOMPARE(m_limits.value(QLatin1String("file_chunk_bytes")).toInteger(), 65536);
        QCOMPARE(m_limits.value(QLatin1String("file_window_bytes")).toInteger(), 1048576);
    }

    void uploadBecomesAMessageThatAnyoneCanDownload()
    {
        auto alice = online(QStringLiteral("u_alice"));
        auto bob = online(QStringLiteral("u_bob"));
        QVERIFY(alice && bob);
        const QByteArray bytes = pngBytes(100000, 1);
        const FileRef f = refFor(bytes, QStringLiteral("猫 photo.png"));
        const qint64 seq = upload(*alice, bytes, f, QStringLiteral("u-1"));
        QVERIFY(seq > 0);

        // Everyone gets a chat message that carries the file; its text is for old clients.
        const QJsonObject relayed = bob->waitFor([&](const QJsonObject &o) {
            return typeOf(o) == QLatin1String("user") &&
                   o.value(QLatin1String("seq")).toInteger() == seq;
        });
        QCOMPARE(relayed.value(QLatin1String("from")).toString(), QStringLiteral("u_alice"));
        QCOMPARE(relayed.value(QLatin1String("content")).toString(), f.summary());
        QVERIFY2(FileRef::fromJson(relayed.value(QLatin1String("file"))) == f,
                 QJsonDocument(relayed).toJson().constData());

        QString error;
        QCOMPARE(download(*bob, seq, QStringLiteral("g-1"), &error), bytes);
        QCOMPARE(error, QString());
        // From the middle: a download that was cut off goes on where it stopped.
        QCOMPARE(download(*bob, seq, QStringLiteral("g-2"), &error, 70000), bytes.mid(70000));

        // History has it too.
        bob->sendJson(MessageEncoder::historyRequest({}, 0, 0, 50));
        const QJsonArray page =
            bob->waitForType(QStringLiteral("history")).value(QLatin1String("messages")).toArray();
        bool inHistory = false;
        for (const QJsonValue &v : page)
            inHistory |= v.toObject().value(QLatin1String("seq")).toInteger() == seq &&
                         FileRef::fromJson(v.toObject().value(QLatin1String("file"))) == f;
        QVERIFY(inHistory);

        // Kept once, by content, beside the database, readable by the server's user alone.
        const QString dir = m_server.databasePath() + QStringLiteral("-files");
        const QFileInfo stored(QStringLiteral("%1/%2/%3").arg(dir, f.sha256.left(2), f.sha256));
        QVERIFY(stored.isFile());
        QCOMPARE(stored.size(), bytes.size());
        QCOMPARE(stored.permissions() & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
        QCOMPARE(QFileInfo(dir).permissions() &
                     ~(QFile::ReadUser | QFile::WriteUser | QFile::ExeUser),
                 QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QVERIFY(QDir(dir + QStringLiteral("/partial")).isEmpty());
    }

    void privateFileReachesOnlyItsTwoParties()
    {
        auto alice = online(QStringLiteral("p_alice"));
        auto bob = online(QStringLiteral("p_bob"));
        auto carol = online(QStringLiteral("p_carol"));
        QVERIFY(alice && bob && carol);
        const QByteArray bytes = randomBytes(50000, 2);
        const FileRef f =
            refFor(bytes, QStringLiteral("plans.pdf"), QStringLiteral("application/pdf"));
        const qint64 seq = upload(*alice, bytes, f, QStringLiteral("p-1"), QStringLiteral("p_bob"));
        QVERIFY(seq > 0);
        const QJsonObject relayed = bob->waitFor(
            [&](const QJsonObject &o) { return o.value(QLatin1String("seq")).toInteger() == seq; });
        QCOMPARE(relayed.value(QLatin1String("to")).toString(), QStringLiteral("p_bob"));
        QString error;
        QCOMPARE(download(*bob, seq, QStringLiteral("pg-1"), &error), bytes);
        QCOMPARE(download(*alice, seq, QStringLiteral("pg-2"), &error), bytes);

        // A third user gets the answer a seq that does not exist gets, and no bytes.
        const int before = carol->binarySpy()->count();
        QCOMPARE(download(*carol, seq, QStringLiteral("pg-3"), &error), QByteArray());
        QCOMPARE(error, QStringLiteral("unknown_message"));
        QCOMPARE(download(*carol, seq + 1000, QStringLiteral("pg-4"), &error), QByteArray());
        QCOMPARE(error, QStringLiteral("unknown_message"));
        QCOMPARE(carol->binarySpy()->count(), before);
        QCOMPARE(carol->countChats(f.summary()), 0);

        // A message without a file has nothing to download; a deleted one nothing any more.
        alice->sendChat(QStringLiteral("just words"), QStringLiteral("p-2"));
        const qint64 words =
            ackOf(*alice, QStringLiteral("p-2")).value(QLatin1String("seq")).toInteger();
        QCOMPARE(download(*alice, words, QStringLiteral("pg-5"), &error), QByteArray());
        QCOMPARE(error, QStringLiteral("unknown_message"));
        alice->sendJson(MessageEncoder::deleteRequest(seq, QStringLiteral("pd-1")));
        QVERIFY(!bob->waitFor(
                        [&](const QJsonObject &o) { return typeOf(o) == QLatin1String("update"); })
                     .isEmpty());
        QCOMPARE(download(*bob, seq, QStringLiteral("pg-6"), &error), QByteArray());
        QCOMPARE(error, QStringLiteral("message_deleted"));
    }

    void badOffersAreRefusedWithTheirReason()
    {
        auto alice = online(QStringLiteral("b_alice"));
        QVERIFY(alice);
        const QByteArray bytes = pngBytes(1000, 3);
        FileRef f = refFor(bytes);

        FileRef large = f;
        large.size = kMaxFile + 1;
        QCOMPARE(codeOf(offer(*alice, large, QStringLiteral("b-1"))),
                 QStringLiteral("file_too_large"));
        auto refused = [&](const QByteArray &json, const QString &id) {
            alice->sendJson(json);
            return codeOf(answerTo(*alice, id, QStringLiteral("file_upload")));
        };
        // A name with a path in it, an override that hides its real end, no name at all.
        for (const QString &name : {QStringLiteral("../etc/passwd"),
                                    QStringLiteral("photo\u202Egnp.exe"), QStringLiteral(" ")}) {
            FileRef bad = f;
            bad.name = name;
            QCOMPARE(refused(FileMessages::offerRequest(bad, QStringLiteral("b-2")),
                             QStringLiteral("b-2")),
                     QStringLiteral("bad_file"));
        }
        FileRef badMime = f;
        badMime.mime = QStringLiteral("image png");
        QCOMPARE(codeOf(offer(*alice, badMime, QStringLiteral("b-3"))), QStringLiteral("bad_file"));
        FileRef badHash = f;
        badHash.sha256 = QStringLiteral("abc");
        QCOMPARE(codeOf(offer(*alice, badHash, QStringLiteral("b-4"))), QStringLiteral("bad_file"));
        QCOMPARE(
            refused(
                R"({"type":"file_offer","name":"a.png","size":0,"mime":"image/png",)"
                R"("sha256":"0000000000000000000000000000000000000000000000000000000000000000","id":"b-5"})",
                QStringLiteral("b-5")),
            QStringLiteral("bad_file"));
        QCOMPARE(codeOf(offer(*alice, f, QStringLiteral("b-6"), QStringLiteral("b_alice"))),
                 QStringLiteral("bad_recipient"));
        // Without an id there is nothing to recognise a resend by.
        alice->sendJson(
            R"({"type":"file_offer","name":"a.png","size":5,"mime":"image/png",)"
            R"("sha256":"0000000000000000000000000000000000000000000000000000000000000000"})");
        QVERIFY(!alice->waitForError(QStringLiteral("bad_shape")).isEmpty());
        alice->sendJson(R"({"type":"file_get","seq":"1","id":"b-7"})");
        QCOMPARE(codeOf(answerTo(*alice, QStringLiteral("b-7"), QStringLiteral("file_download"))),
                 QStringLiteral("bad_shape"));
        alice->sendJson(R"({"type":"file_cancel","upload":1,"download":2,"id":"b-8"})");
        QCOMPARE(codeOf(answerTo(*alice, QStringLiteral("b-8"), QStringLiteral("none"))),
                 QStringLiteral("bad_shape"));
        QVERIFY(alice->isConnected());
    }

    void wrongHashAndWrongTypeAreNotSent()
    {
        auto alice = online(QStringLiteral("h_alice"));
        auto bob = online(QStringLiteral("h_bob"));
        QVERIFY(alice && bob);
        // The bytes that arrive are not the ones offered (damaged, or a lie).
        const QByteArray bytes = pngBytes(40000, 4);
        FileRef f = refFor(bytes);
        QByteArray damaged = bytes;
        damaged[30000] = char(damaged[30000] ^ 1);
        const QJsonObject answer = offer(*alice, f, QStringLiteral("h-1"));
        QCOMPARE(typeOf(answer), QStringLiteral("file_upload"));
        QVERIFY(sendChunks(*alice, quint32(answer.value(QLatin1String("upload")).toInteger()),
                           damaged, 0, damaged.size(), m_limits));
        const QJsonObject mismatch = alice->waitForError(QStringLiteral("file_hash_mismatch"));
        QCOMPARE(mismatch.value(QLatin1String("id")).toString(), QStringLiteral("h-1"));

        // Text that calls itself a PNG.
        const QByteArray text(30000, 'x');
        const FileRef lie = refFor(text, QStringLiteral("notes.png"));
        const QJsonObject second = offer(*alice, lie, QStringLiteral("h-2"));
        QVERIFY(sendChunks(*alice, quint32(second.value(QLatin1String("upload")).toInteger()), text,
                           0, text.size(), m_limits));
        const QJsonObject wrongType = alice->waitForError(QStringLiteral("file_type_mismatch"));
        QCOMPARE(wrongType.value(QLatin1String("id")).toString(), QStringLiteral("h-2"));
        // The same text as what it is goes through.
        const FileRef honest =
            refFor(text, QStringLiteral("notes.txt"), QStringLiteral("text/plain"));
        QVERIFY(upload(*alice, text, honest, QStringLiteral("h-3")) > 0);

        // Nothing of the refused ones reached anyone, or stayed on disk half-way.
        QVERIFY(!bob->waitForChat(honest.summary()).isEmpty());
        QCOMPARE(bob->countChats(f.summary()), 0);
        QCOMPARE(bob->countChats(lie.summary()), 0);
        QVERIFY(QDir(m_server.databasePath() + QStringLiteral("-files/partial")).isEmpty());
        QVERIFY(!QFileInfo::exists(m_server.databasePath() +
                                   QStringLiteral("-files/%1/%2").arg(f.sha256.left(2), f.sha256)));
    }

    void chunksThatBelongNowhereAreRefused()
    {
        auto alice = online(QStringLiteral("c_alice"));
        QVERIFY(alice);
        const qint64 chunk = m_limits.value(QLatin1String("file_chunk_bytes")).toInteger();
        const qint64 window = m_limits.value(QLatin1String("file_window_bytes")).toInteger();
        const QByteArray bytes = pngBytes(window + 2 * chunk, 5);
        const FileRef f = refFor(bytes);
        FileChunkHeader h;
        h.transfer = 77; // no such upload
        alice->sendBinary(h.serialize("abc"));
        QVERIFY(!alice->waitForError(QStringLiteral("bad_chunk")).isEmpty());
        // Reserved bytes not 0: no chunk at all.
        QByteArray odd = h.serialize("abc");
        odd[2] = 1;
        alice->sendBinary(odd);
        QVERIFY(!alice->waitForError(QStringLiteral("bad_chunk")).isEmpty());
        // A media packet is still a media packet (outside a call).
        alice->sendBinary(QByteArray("\x01\x01\x01\x00", 4) + QByteArray(16, '\0'));
        QVERIFY(!alice->waitForError(QStringLiteral("no_call")).isEmpty());

        const QJsonObject answer = offer(*alice, f, QStringLiteral("c-1"));
        const quint32 id = quint32(answer.value(QLatin1String("upload")).toInteger());
        h.transfer = id;
        h.offset = 100; // not where the upload is
        alice->sendBinary(h.serialize(bytes.mid(100, 100)));
        QCOMPARE(alice->waitForError(QStringLiteral("bad_chunk")).value(QLatin1String("id")),
                 QStringLiteral("c-1"));
        h.offset = 0; // larger than a chunk may be
        alice->sendBinary(h.serialize(bytes.left(chunk + 1)));
        QVERIFY(!alice->waitForError(QStringLiteral("bad_chunk")).isEmpty());
        // Cancelled: gone from disk, and its chunks belong nowhere.
        alice->sendJson(FileMessages::cancelUploadRequest(id));
        h.offset = 0;
        QTRY_VERIFY(QDir(m_server.databasePath() + QStringLiteral("-files/partial")).isEmpty());
        alice->sendBinary(h.serialize(bytes.left(100)));
        QVERIFY(!alice->waitForError(QStringLiteral("bad_chunk")).isEmpty());
        alice->sendJson(FileMessages::cancelUploadRequest(id));
        QVERIFY(!alice->waitForError(QStringLiteral("bad_request")).isEmpty());
        QVERIFY(alice->isConnected());
    }

    void interruptedUploadResumesWhereItStopped()
    {
        auto alice = online(QStringLiteral("r_alice"));
        auto bob = online(QStringLiteral("r_bob"));
        QVERIFY(alice && bob);
        const QString session = alice->session();
        const QByteArray bytes = pngBytes(600000, 6);
        const FileRef f = refFor(bytes, QStringLiteral("big.png"));
        const QJsonObject answer = offer(*alice, f, QStringLiteral("r-1"));
        QCOMPARE(answer.value(QLatin1String("offset")).toInteger(), 0);
        const quint32 id = quint32(answer.value(QLatin1String("upload")).toInteger());
        const qint64 half = m_limits.value(QLatin1String("file_chunk_bytes")).toInteger() * 4;
        QVERIFY(sendChunks(*alice, id, bytes, 0, half, m_limits));
        QVERIFY(!alice
                     ->waitFor([&](const QJsonObject &o) {
                         return typeOf(o) == QLatin1String("file_progress") &&
                                o.value(QLatin1String("offset")).toInteger() == half;
                     })
                     .isEmpty());
        // The connection drops (no close handshake), and the client comes back.
        alice->socket().abort();
        alice = std::make_unique<TestClient>();
        QVERIFY(alice->open(m_server.url()));
        QVERIFY(alice->login(QStringLiteral("r_alice"), false, session));
        const QJsonObject resumed = offer(*alice, f, QStringLiteral("r-1"));
        QCOMPARE(typeOf(resumed), QStringLiteral("file_upload"));
        QCOMPARE(resumed.value(QLatin1String("offset")).toInteger(), half);
        QVERIFY(sendChunks(*alice, quint32(resumed.value(QLatin1String("upload")).toInteger()),
                           bytes, half, bytes.size(), m_limits));
        const qint64 seq =
            ackOf(*alice, QStringLiteral("r-1")).value(QLatin1String("seq")).toInteger();
        QVERIFY(seq > 0);
        QString error;
        QCOMPARE(download(*bob, seq, QStringLiteral("rg-1"), &error), bytes);

        // Offered again after it was sent (the ack was lost): no second upload, no second
        // message, the same seq.
        const QJsonObject again = offer(*alice, f, QStringLiteral("r-1"));
        QCOMPARE(again.value(QLatin1String("offset")).toInteger(), f.size);
        const QJsonObject duplicate = ackOf(*alice, QStringLiteral("r-1"));
        QCOMPARE(duplicate.value(QLatin1String("seq")).toInteger(), seq);
        QVERIFY(duplicate.value(QLatin1String("duplicate")).toBool());
        QTest::qWait(0);
        QCOMPARE(bob->countChats(f.summary()), 1);
    }

    void parallelUploadsAreBounded()
    {
        auto alice = online(QStringLiteral("m_alice"));
        QVERIFY(alice);
        QList<quint32> ids;
        for (int i = 0; i < 4; ++i) {
            const QJsonObject answer =
                offer(*alice, refFor(pngBytes(5000, 100 + i)), QStringLiteral("m-%1").arg(i));
            QCOMPARE(typeOf(answer), QStringLiteral("file_upload"));
            ids << quint32(answer.value(QLatin1String("upload")).toInteger());
        }
        QCOMPARE(codeOf(offer(*alice, refFor(pngBytes(5000, 200)), QStringLiteral("m-9"))),
                 QStringLiteral("file_busy"));
        // One finished (or cancelled) makes room.
        alice->sendJson(FileMessages::cancelUploadRequest(ids.takeFirst()));
        QCOMPARE(typeOf(offer(*alice, refFor(pngBytes(5000, 200)), QStringLiteral("m-9"))),
                 QStringLiteral("file_upload"));
        QCOMPARE(codeOf(offer(*alice, refFor(pngBytes(5000, 201)), QStringLiteral("m-10"))),
                 QStringLiteral("file_busy"));
        alice->sendJson(MessageEncoder::chatRequest(QStringLiteral("still here"),
                                                    QStringLiteral("m-11"), {}, true));
        QVERIFY(!ackOf(*alice, QStringLiteral("m-11")).isEmpty());
    }

    void quotaCountsEachContentOnce()
    {
        auto dora = signedIn(QStringLiteral("q_dora"));
        QVERIFY(dora);
        const QByteArray first = pngBytes(1900000, 7);
        const QByteArray second = pngBytes(1900000, 8);
        QVERIFY(upload(*dora, first, refFor(first), QStringLiteral("q-1")) > 0);
        QVERIFY(upload(*dora, second, refFor(second), QStringLiteral("q-2")) > 0);
        // 3.8 MB kept: 0.3 MB more would pass the 4 MB quota.
        const QByteArray third = pngBytes(300000, 9);
        QCOMPARE(codeOf(offer(*dora, refFor(third), QStringLiteral("q-3"))),
                 QStringLiteral("quota_exceeded"));
        // The same content again costs nothing and needs no upload.
        const QJsonObject again =
            offer(*dora, refFor(first, QStringLiteral("again.png")), QStringLiteral("q-4"));
        QCOMPARE(again.value(QLatin1String("offset")).toInteger(), first.size());
        QVERIFY(ackOf(*dora, QStringLiteral("q-4")).value(QLatin1String("seq")).toInteger() > 0);
    }

    void chatIsNotHeldBehindAFile()
    {
        auto alice = online(QStringLiteral("i_alice"));
        auto bob = online(QStringLiteral("i_bob"));
        QVERIFY(alice && bob);
        const QByteArray bytes = pngBytes(1500000, 10);
        const FileRef f = refFor(bytes, QStringLiteral("interleaved.png"));

        // Upload: a chat message sent in the middle of the chunks reaches bob before the file
        // message, and alice's ack for it comes before the file's progress reaches the end.
        const QJsonObject answer = offer(*alice, f, QStringLiteral("i-1"));
        const quint32 id = quint32(answer.value(QLatin1String("upload")).toInteger());
        QVERIFY(sendChunks(*alice, id, bytes, 0, 300000, m_limits));
        alice->sendJson(MessageEncoder::chatRequest(QStringLiteral("meanwhile"),
                                                    QStringLiteral("i-2"), {}, true));
        QVERIFY(sendChunks(*alice, id, bytes, 300000, bytes.size(), m_limits));
        const qint64 fileSeq =
            ackOf(*alice, QStringLiteral("i-1")).value(QLatin1String("seq")).toInteger();
        const qint64 chatSeq =
            ackOf(*alice, QStringLiteral("i-2")).value(QLatin1String("seq")).toInteger();
        QVERIFY(fileSeq > 0 && chatSeq > 0);
        QVERIFY(chatSeq < fileSeq);
        QVERIFY(!bob->waitForChat(f.summary()).isEmpty());
        const QList<QJsonObject> chats =
            bob->all([](const QJsonObject &o) { return typeOf(o) == QLatin1String("user"); });
        qsizetype chatAt = -1;
        qsizetype fileAt = -1;
        for (qsizetype i = 0; i < chats.size(); ++i) {
            if (chats.at(i).value(QLatin1String("seq")).toInteger() == chatSeq)
                chatAt = i;
            if (chats.at(i).value(QLatin1String("seq")).toInteger() == fileSeq)
                fileAt = i;
        }
        QVERIFY(chatAt >= 0 && chatAt < fileAt);

        // Download: a receiver that does not read fetches the file four times over (more than
        // the kernel's buffers hold); a chat message sent meanwhile is queued behind at most a
        // download's share of the queue, so it arrives before the downloads end.
        RawWebSocket carol;
        QVERIFY(carol.open(m_server.port(), 16384));
        carol.sendText(MessageEncoder::loginRequest(QStringLiteral("i_carol")));
        QVERIFY(carol.waitForText("\"self\":true"));
        carol.stopReading();
        for (int i = 0; i < 4; ++i)
            carol.sendText(FileMessages::getRequest(fileSeq, 0, QStringLiteral("ig-%1").arg(i)));
        // The server has started them once it relays what carol sent after them (carol reads
        // nothing now, so alice looks).
        carol.sendText(MessageEncoder::chatRequest(QStringLiteral("carol asked"),
                                                   QStringLiteral("i-4"), {}, true));
        QVERIFY(!alice->waitForChat(QStringLiteral("carol asked")).isEmpty());
        alice->sendJson(MessageEncoder::chatRequest(QStringLiteral("during the download"),
                                                    QStringLiteral("i-3"), {}, true));
        QVERIFY(!ackOf(*alice, QStringLiteral("i-3")).isEmpty()); // queued for carol by now
        carol.readPaced(64 * 1024 * 1024, 10);
        QVERIFY(carol.waitForText("during the download", 20000));
        qint64 fileBytesBefore = 0;
        for (const RawWebSocket::Frame &frame : carol.frames()) {
            if (frame.opcode == 0x1 && frame.payload.contains("during the download"))
                break;
            if (frame.opcode == 0x2)
                fileBytesBefore += frame.payload.size() - FileChunkHeader::kSize;
        }
        QVERIFY2(fileBytesBefore < 4 * bytes.size(),
                 qPrintable(QStringLiteral("%1 bytes of file came first").arg(fileBytesBefore)));
        // And the downloads go on to the end, whole.
        QVERIFY(QTest::qWaitFor(
            [&] {
                qint64 total = 0;
                for (const RawWebSocket::Frame &frame : carol.frames())
                    total +=
                        frame.opcode == 0x2 ? frame.payload.size() - FileChunkHeader::kSize : 0;
                return total == 4 * bytes.size();
            },
            20000));
        QVERIFY(carol.isConnected());
    }

    // Downloads are paced like uploads (--file-bytes-per-second): on loopback the kernel took
    // chunks far faster than a client writes them, and the downloader's own chat waited
    // behind megabytes of file. Paced, a line bob sends once his download runs is answered
    // while most of the file is still to come.
    void downloadsArePacedSoTheDownloadersChatIsNotBehind()
    {
        ServerProcess slow(
            ServerProcess::unlimited() +
            QStringList{QStringLiteral("--file-bytes-per-second"), QStringLiteral("1048576"),
                        QStringLiteral("--file-window-bytes"), QStringLiteral("65536")});
        QVERIFY(slow.start());
        TestClient alice;
        TestClient bob;
        QVERIFY(alice.open(slow.url()) && alice.login(QStringLiteral("pd_alice")));
        QVERIFY(bob.open(slow.url()) && bob.login(QStringLiteral("pd_bob")));
        const QJsonObject limits = alice.handshake().value(QLatin1String("limits")).toObject();
        const QByteArray bytes = pngBytes(2 * 1024 * 1024, 12);
        const FileRef f = refFor(bytes, QStringLiteral("paced.png"));
        const QJsonObject answer = offer(alice, f, QStringLiteral("pd-1"));
        const quint32 id = quint32(answer.value(QLatin1String("upload")).toInteger());
        QVERIFY(sendChunks(alice, id, bytes, 0, bytes.size(), limits));
        const qint64 seq =
            ackOf(alice, QStringLiteral("pd-1")).value(QLatin1String("seq")).toInteger();
        QVERIFY(seq > 0);

        const int first = bob.binarySpy()->count();
        bob.sendJson(FileMessages::getRequest(seq, 0, QStringLiteral("pd-2")));
        const QJsonObject started =
            answerTo(bob, QStringLiteral("pd-2"), QStringLiteral("file_download"));
        QCOMPARE(typeOf(started), QStringLiteral("file_download"));
        const quint32 download = quint32(started.value(QLatin1String("download")).toInteger());
        QVERIFY(QTest::qWaitFor([&] { return !chunksOf(bob, download, first).isEmpty(); }));
        bob.sendJson(MessageEncoder::chatRequest(QStringLiteral("while it comes"),
                                                 QStringLiteral("pd-3"), {}, true));
        QVERIFY(!ackOf(bob, QStringLiteral("pd-3")).isEmpty());
        const qint64 before = chunksOf(bob, download, first).size();
        QVERIFY2(before < bytes.size() / 2,
                 qPrintable(QStringLiteral("%1 bytes of file came first").arg(before)));
        // And it goes on to the end, whole.
        QVERIFY(QTest::qWaitFor(
            [&] { return chunksOf(bob, download, first).size() == bytes.size(); }, 10000));
        QCOMPARE(chunksOf(bob, download, first), bytes);
    }

    void uploadPastTheWindowIsRefused()
    {
        // A server whose window is one chunk and whose pace pays for one chunk a second: what a
        // client sends beyond that window before the progress comes is refused.
        ServerProcess slow(
            ServerProcess::unlimited() +
            QStringList{QStringLiteral("--file-bytes-per-second"), QStringLiteral("65536"),
                        QStringLiteral("--file-window-bytes"), QStringLiteral("65536")});
        QVERIFY(slow.start());
        TestClient alice;
        QVERIFY(alice.open(slow.url()) && alice.login(QStringLiteral("w_alice")));
        const QJsonObject limits = alice.handshake().value(QLatin1String("limits")).toObject();
        const qint64 chunk = limits.value(QLatin1String("file_chunk_bytes")).toInteger();
        const qint64 window = limits.value(QLatin1String("file_window_bytes")).toInteger();
        const QByteArray bytes = pngBytes(3 * window, 7);
        const FileRef f = refFor(bytes, QStringLiteral("window.png"));
        const QJsonObject answer = offer(alice, f, QStringLiteral("w-1"));
        const quint32 id = quint32(answer.value(QLatin1String("upload")).toInteger());
        FileChunkHeader h;
        h.transfer = id;
        // Two windows and a chunk at once: the pace paid for the first window at once, the
        // second is within the window of that progress, the last chunk is past it.
        for (qint64 at = 0; at < 2 * window + chunk; at += chunk) {
            h.offset = quint64(at);
            alice.sendBinary(h.serialize(QByteArrayView(bytes).sliced(at, chunk)));
        }
        QCOMPARE(alice.waitForError(QStringLiteral("bad_chunk")).value(QLatin1String("id")),
                 QStringLiteral("w-1"));
        QVERIFY(alice.isConnected());
        // The progress comes as the pace pays, never past what arrived in order.
        const QJsonObject progress = alice.waitFor(
            [&](const QJsonObject &o) {
                return typeOf(o) == QLatin1String("file_progress") &&
                       o.value(QLatin1String("offset")).toInteger() == 2 * window;
            },
            10000);
        QVERIFY(!progress.isEmpty());
        QVERIFY(alice.isConnected());
    }

    void chunkSizedInputOnlyWhileUploading()
    {
        // Without an upload a connection's input is chat-sized: a chunk of a full chunk's size
        // is cut off by the transport (1009), as any oversized message.
        const qint64 chunk = m_limits.value(QLatin1String("file_chunk_bytes")).toInteger();
        TestClient idle;
        QVERIFY(idle.open(m_server.url()) && idle.login(QStringLiteral("k_idle")));
        FileChunkHeader h;
        h.transfer = 1;
        idle.sendBinary(h.serialize(QByteArray(chunk, 'z')));
        QVERIFY(idle.waitForDisconnected(10000));
        QCOMPARE(int(idle.socket().closeCode()), 1009);

        // While one is held, full chunks go; far past the bound the transport cuts off too (a
        // client cannot make the server buffer more than a chunk and its slack).
        auto alice = online(QStringLiteral("k_alice"));
        QVERIFY(alice);
        const QByteArray bytes = pngBytes(3 * chunk, 8);
        const FileRef f = refFor(bytes, QStringLiteral("chunky.png"));
        const QJsonObject answer = offer(*alice, f, QStringLiteral("k-1"));
        h.transfer = quint32(answer.value(QLatin1String("upload")).toInteger());
        h.offset = 0;
        alice->sendBinary(h.serialize(bytes.left(chunk)));
        QVERIFY(!alice
                     ->waitFor([&](const QJsonObject &o) {
                         return typeOf(o) == QLatin1String("file_progress") &&
                                o.value(QLatin1String("offset")).toInteger() == chunk;
                     })
                     .isEmpty());
        h.offset = quint64(chunk);
        alice->sendBinary(h.serialize(QByteArray(4 * chunk, 'z')));
        QVERIFY(alice->waitForDisconnected(10000));
        QCOMPARE(int(alice->socket().closeCode()), 1009);
    }

    void serverWithoutFilesSaysSo()
    {
        ServerProcess off({QStringLiteral("--max-file-bytes"), QStringLiteral("0")});
        QVERIFY(off.start());
        TestClient alice;
        QVERIFY(alice.open(off.url()));
        QCOMPARE(alice.handshake()
                     .value(QLatin1String("limits"))
                     .toObject()
                     .value(QLatin1String("file_bytes"))
                     .toInteger(),
                 0);
        QVERIFY(alice.login(QStringLiteral("o_alice")));
        QCOMPARE(codeOf(offer(alice, refFor(pngBytes(100, 11)), QStringLiteral("o-1"))),
                 QStringLiteral("unsupported"));
        QVERIFY(!QFileInfo::exists(off.databasePath() + QStringLiteral("-files")));
    }
};

QTEST_GUILESS_MAIN(TestFiles)
#include "tst_files.moc"
