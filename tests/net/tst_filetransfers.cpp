// FileTransfers (core/net) against a real confab-server process: a file read from disk goes
// up in chunks with progress and becomes a chat message; another user downloads it to disk;
// chat sent during an upload is not held behind it; an upload survives the server's death
// and goes on from where it stopped; cancel, and files the server would refuse; two clients
// sharing one folder fetching the same file at once both end with its bytes; a download of a
// copy damaged on the server's disk fails its SHA-256 check and leaves no file.
#include "net/clientsession.h"
#include "net/filetransfers.h"
#include "serverprocess.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

Q_DECLARE_METATYPE(ChatMessage)

namespace {

QByteArray pngBytes(qint64 size, quint32 seed)
{
    QRandomGenerator random(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = char(random.generate() & 0xFF);
    const QByteArray magic("\x89PNG\r\n\x1a\n", 8);
    bytes.replace(0, magic.size(), magic);
    return bytes;
}

std::unique_ptr<ClientSession> online(ServerProcess &server, const QString &name)
{
    auto s = std::make_unique<ClientSession>();
    s->setReconnectDelays(50, 400);
    QSignalSpy loggedIn(s.get(), &ClientSession::loggedIn);
    s->open(server.url(), name);
    if (!loggedIn.wait(10000))
        return nullptr;
    return s;
}

} // namespace

class TestFileTransfers : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            return {};
        return path;
    }

private slots:
    void initTestCase() { qRegisterMetaType<ChatMessage>(); }

    void fileGoesUpAndComesDown()
    {
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        auto alice = online(server, QStringLiteral("alice"));
        auto bob = online(server, QStringLiteral("bob"));
        QVERIFY(alice && bob);
        FileTransfers aliceFiles(alice.get());
        FileTransfers bobFiles(bob.get());
        QSignalSpy progress(&aliceFiles, &FileTransfers::uploadProgress);
        QSignalSpy finished(&aliceFiles, &FileTransfers::uploadFinished);
        QSignalSpy bobGot(bob.get(), &ClientSession::messageReceived);

        const QByteArray bytes = pngBytes(700000, 1);
        const QString path = write(QStringLiteral("holiday.png"), bytes);
        QString error;
        const QString id = aliceFiles.upload(path, {}, &error);
        QVERIFY2(!id.isEmpty(), qPrintable(error));
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).toString(), id);
        const qint64 seq = finished.at(0).at(1).toLongLong();
        QVERIFY(seq > 0);
        // Progress goes up to the whole file, never back.
        qint64 last = -1;
        for (const auto &args : progress) {
            QVERIFY(args.at(1).toLongLong() >= last);
            last = args.at(1).toLongLong();
        }
        QCOMPARE(last, bytes.size());
        QVERIFY(progress.size() > 2);

        // bob gets a chat message that carries the file, by its content's hash and type.
        QTRY_VERIFY(!bobGot.isEmpty());
        const ChatMessage m = bobGot.last().at(0).value<ChatMessage>();
        QCOMPARE(m.seq, seq);
        QVERIFY(m.file);
        QCOMPARE(m.file->name, QStringLiteral("holiday.png"));
        QCOMPARE(m.file->mime, QStringLiteral("image/png"));
        QCOMPARE(m.file->size, bytes.size());
        QCOMPARE(m.file->sha256,
                 QString::fromLatin1(
                     QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));

        QSignalSpy downloaded(&bobFiles, &FileTransfers::downloadFinished);
        QSignalSpy downloading(&bobFiles, &FileTransfers::downloadProgress);
        const QString target = m_dir.filePath(QStringLiteral("bob-holiday.png"));
        const QString downloadId = bobFiles.download(seq, *m.file, target);
        QVERIFY(downloaded.wait(10000));
        QCOMPARE(downloaded.at(0).at(0).toString(), downloadId);
        QCOMPARE(downloaded.at(0).at(1).toString(), target);
        QFile got(target);
        QVERIFY(got.open(QIODevice::ReadOnly));
        QCOMPARE(got.readAll(), bytes);
        QVERIFY(!QFile::exists(target + QStringLiteral(".part")));
        QCOMPARE(downloading.last().at(1).toLongLong(), bytes.size());
    }

    void twoClientsOfOneFolderDownloadTheSameFile()
    {
        // Two users of one cache folder (the screenshot script's pair, or two instances of the
        // app for one OS user) fetch the same file at the same time into the same place.
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        auto alice = online(server, QStringLiteral("alice"));
        auto bob = online(server, QStringLiteral("bob"));
        auto carol = online(server, QStringLiteral("carol"));
        QVERIFY(alice && bob && carol);
        FileTransfers aliceFiles(alice.get());
        QSignalSpy uploaded(&aliceFiles, &FileTransfers::uploadFinished);
        const QByteArray bytes = pngBytes(1500000, 6);
        QVERIFY(!aliceFiles.upload(write(QStringLiteral("shared.png"), bytes)).isEmpty());
        QVERIFY(uploaded.wait(10000));
        const qint64 seq = uploaded.at(0).at(1).toLongLong();
        FileRef file;
        file.name = QStringLiteral("shared.png");
        file.size = bytes.size();
        file.mime = QStringLiteral("image/png");
        file.sha256 = QString::fromLatin1(
            QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());

        QTemporaryDir cache;
        QVERIFY(cache.isValid());
        const QString target = cache.filePath(file.sha256);
        // What an earlier run fetched before it stopped: the first to start goes on from it.
        {
            QFile part(target + QStringLiteral(".part"));
            QVERIFY(part.open(QIODevice::WriteOnly));
            QCOMPARE(part.write(bytes.left(300000)), 300000);
        }
        FileTransfers bobFiles(bob.get());
        FileTransfers carolFiles(carol.get());
        QSignalSpy bobDone(&bobFiles, &FileTransfers::downloadFinished);
        QSignalSpy carolDone(&carolFiles, &FileTransfers::downloadFinished);
        QSignalSpy bobFailed(&bobFiles, &FileTransfers::downloadFailed);
        QSignalSpy carolFailed(&carolFiles, &FileTransfers::downloadFailed);
        QSignalSpy bobProgress(&bobFiles, &FileTransfers::downloadProgress);
        QSignalSpy carolProgress(&carolFiles, &FileTransfers::downloadProgress);
        bobFiles.download(seq, file, target);
        carolFiles.download(seq, file, target);
        // Both under way at once, their chunks arriving interleaved.
        QTRY_VERIFY_WITH_TIMEOUT((bobDone.size() + bobFailed.size()) == 1 &&
                                     (carolDone.size() + carolFailed.size()) == 1,
                                 20000);
        QVERIFY2(bobFailed.isEmpty(), qPrintable(bobFailed.value(0).value(2).toString()));
        QVERIFY2(carolFailed.isEmpty(), qPrintable(carolFailed.value(0).value(2).toString()));
        QCOMPARE(bobDone.at(0).at(1).toString(), target);
        QCOMPARE(carolDone.at(0).at(1).toString(), target);
        QVERIFY(bobProgress.first().at(1).toLongLong() > 300000); // went on from the part
        QCOMPARE(carolProgress.last().at(1).toLongLong(), bytes.size());
        QFile got(target);
        QVERIFY(got.open(QIODevice::ReadOnly));
        QCOMPARE(got.readAll(), bytes);
        // Nothing left beside it: no part file, no lock.
        QCOMPARE(QDir(cache.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{file.sha256});
    }

    void chatIsNotHeldBehindAnUpload()
    {
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        auto alice = online(server, QStringLiteral("alice"));
        auto bob = online(server, QStringLiteral("bob"));
        QVERIFY(alice && bob);
        FileTransfers files(alice.get());
        QSignalSpy progress(&files, &FileTransfers::uploadProgress);
        QSignalSpy finished(&files, &FileTransfers::uploadFinished);
        QSignalSpy acks(alice.get(), &ClientSession::messageAcknowledged);
        const QByteArray bytes = pngBytes(8 * 1024 * 1024, 2);
        const QString fileId = files.upload(write(QStringLiteral("big.png"), bytes));
        QVERIFY(!fileId.isEmpty());
        // Once a quarter of the file is up, a chat message (sent from the progress itself, so
        // that it goes while the upload runs however fast that is).
        QString chatId;
        qint64 progressAtSend = -1;
        connect(&files, &FileTransfers::uploadProgress, this,
                [&](const QString &, qint64 done, qint64 total) {
                    if (chatId.isEmpty() && done >= total / 4 && done < total) {
                        progressAtSend = done;
                        chatId = alice->sendMessage(QStringLiteral("meanwhile"));
                    }
                });
        // bob reads it while the file is still on its way: the upload had not ended then.
        qint64 progressAtArrival = -1;
        connect(bob.get(), &ClientSession::messageReceived, this, [&](const ChatMessage &m) {
            if (m.content == QLatin1String("meanwhile"))
                progressAtArrival = progress.isEmpty() ? 0 : progress.last().at(1).toLongLong();
        });
        QVERIFY(finished.wait(20000));
        QVERIFY(!chatId.isEmpty());
        QTRY_VERIFY(progressAtArrival >= 0);
        QVERIFY2(progressAtArrival < bytes.size(),
                 qPrintable(QStringLiteral("the chat arrived at %1 of %2 bytes (sent at %3)")
                                .arg(progressAtArrival)
                                .arg(bytes.size())
                                .arg(progressAtSend)));
        // Its ack comes before the file's.
        QStringList order;
        for (const auto &args : acks)
            order << args.at(0).toString();
        QVERIFY(order.contains(chatId));
        QVERIFY(order.indexOf(chatId) < order.indexOf(fileId));
        QVERIFY(progress.last().at(1).toLongLong() == bytes.size());
    }

    void uploadGoesOnAfterTheServerComesBack()
    {
        // Paced at 1 MiB/s, so that the upload is still on its way when the server is killed.
        ServerProcess server(
            ServerProcess::unlimited() +
            QStringList{QStringLiteral("--file-bytes-per-second"), QStringLiteral("1048576")});
        QVERIFY(server.start());
        auto alice = online(server, QStringLiteral("alice"));
        QVERIFY(alice);
        FileTransfers files(alice.get());
        QSignalSpy progress(&files, &FileTransfers::uploadProgress);
        QSignalSpy finished(&files, &FileTransfers::uploadFinished);
        QSignalSpy lost(alice.get(), &ClientSession::connectionLost);
        const QByteArray bytes = pngBytes(1900000, 3);
        const QString id = files.upload(write(QStringLiteral("resume.png"), bytes));
        QTRY_VERIFY(!progress.isEmpty() && progress.last().at(1).toLongLong() >= 300000);
        server.kill(); // mid-upload, with no chance to tidy up
        QVERIFY(lost.wait(10000));
        const qint64 before = progress.last().at(1).toLongLong();
        progress.clear();
        QVERIFY(server.start());
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.at(0).at(0).toString(), id);
        // The server said where it stood: the upload went on from there, not from 0.
        QVERIFY(progress.first().at(1).toLongLong() > 0);
        QVERIFY(progress.first().at(1).toLongLong() <= before + alice->limits().fileWindowBytes);
        QCOMPARE(progress.last().at(1).toLongLong(), bytes.size());
    }

    void refusedAndCancelledUploads()
    {
        ServerProcess server(
            QStringList{QStringLiteral("--max-file-bytes"), QStringLiteral("3000000")});
        QVERIFY(server.start());
        auto alice = online(server, QStringLiteral("alice"));
        QVERIFY(alice);
        FileTransfers files(alice.get());
        QString error;
        // Larger than the server takes, empty, missing: refused before anything is sent.
        QVERIFY(files.upload(write(QStringLiteral("large.png"), pngBytes(3000001, 4)), {}, &error)
                    .isEmpty());
        QVERIFY2(error.contains(QLatin1String("large.png")), qPrintable(error));
        QVERIFY(files.upload(write(QStringLiteral("empty.txt"), {}), {}, &error).isEmpty());
        QVERIFY(files.upload(m_dir.filePath(QStringLiteral("missing")), {}, &error).isEmpty());

        // Cancelled under way: nothing reaches the room, and the server keeps nothing of it.
        QSignalSpy messages(alice.get(), &ClientSession::messageReceived);
        QSignalSpy progress(&files, &FileTransfers::uploadProgress);
        QSignalSpy failed(&files, &FileTransfers::uploadFailed);
        const QString id = files.upload(write(QStringLiteral("cancel.png"), pngBytes(1500000, 5)));
        QVERIFY(progress.wait(10000));
        files.cancelUpload(id);
        QVERIFY(!files.isUploading(id));
        QTRY_VERIFY(QDir(server.databasePath() + QStringLiteral("-files/partial")).isEmpty());
        // A chat message sent after the cancel comes back; no file message came before it.
        const QString chat = alice->sendMessage(QStringLiteral("after the cancel"));
        QTRY_VERIFY(!messages.isEmpty() &&
                    messages.last().at(0).value<ChatMessage>().clientId == chat);
        for (const auto &args : messages)
            QVERIFY(!args.at(0).value<ChatMessage>().file);
        QVERIFY(failed.isEmpty());
    }

    void damagedDownloadIsNotKept()
    {
        // The stored copy changed on the server's disk (same size, one byte flipped): the
        // downloader's SHA-256 check finds it, and no file appears under the name asked for.
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        auto alice = online(server, QStringLiteral("alice"));
        auto bob = online(server, QStringLiteral("bob"));
        QVERIFY(alice && bob);
        FileTransfers aliceFiles(alice.get());
        FileTransfers bobFiles(bob.get());
        QSignalSpy uploaded(&aliceFiles, &FileTransfers::uploadFinished);
        QSignalSpy bobGot(bob.get(), &ClientSession::messageReceived);
        const QByteArray bytes = pngBytes(1300000, 8);
        QVERIFY(!aliceFiles.upload(write(QStringLiteral("damaged.png"), bytes)).isEmpty());
        QVERIFY(uploaded.wait(10000));
        const qint64 seq = uploaded.at(0).at(1).toLongLong();
        QTRY_VERIFY(!bobGot.isEmpty() && bobGot.last().at(0).value<ChatMessage>().file);
        const FileRef file = *bobGot.last().at(0).value<ChatMessage>().file;
        QCOMPARE(file.sha256,
                 QString::fromLatin1(
                     QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));

        // FileStorage's layout: <history>-files/<first two hex>/<sha256>.
        QFile blob(QStringLiteral("%1-files/%2/%3")
                       .arg(server.databasePath(), file.sha256.left(2), file.sha256));
        QVERIFY2(blob.open(QIODevice::ReadWrite), qPrintable(blob.fileName()));
        QVERIFY(blob.seek(bytes.size() - 1000));
        QVERIFY(blob.putChar(char(~bytes.at(bytes.size() - 1000))));
        blob.close();

        QSignalSpy failed(&bobFiles, &FileTransfers::downloadFailed);
        QSignalSpy finished(&bobFiles, &FileTransfers::downloadFinished);
        const QString target = m_dir.filePath(QStringLiteral("bob-damaged.png"));
        const QString id = bobFiles.download(seq, file, target);
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.at(0).at(0).toString(), id);
        QCOMPARE(failed.at(0).at(1).value<ErrorCode>(), ErrorCode::FileHashMismatch);
        QVERIFY(!failed.at(0).at(2).toString().isEmpty());
        QVERIFY(finished.isEmpty());
        QVERIFY(!QFile::exists(target));
        // Nothing to go on from either: a later download starts afresh.
        QVERIFY(!QFile::exists(target + QStringLiteral(".part")));
        QVERIFY(!bobFiles.isDownloading(id));
    }
};

QTEST_GUILESS_MAIN(TestFileTransfers)
#include "tst_filetransfers.moc"
