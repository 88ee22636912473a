// Sha256 (core/protocol), OpenSSL's SHA-256 behind the content hash of files: the published
// test vectors, data added in any pieces giving the one-shot hash, files hashed in chunks
// equal to QCryptographicHash's answer, and files that cannot be read giving the reason.
#include "protocol/sha256.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

namespace {

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QRandomGenerator random(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = char(random.generate() & 0xFF);
    return bytes;
}

QByteArray qtSha256(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

} // namespace

class TestSha256 : public QObject
{
    Q_OBJECT
private slots:
    void knownVectors_data()
    {
        // FIPS 180-2, appendix B (and the NIST example values).
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("hex");
        QTest::newRow("empty") << QByteArray()
                               << QByteArray("e3b0c44298fc1c149afbf4c8996fb924"
                                             "27ae41e4649b934ca495991b7852b855");
        QTest::newRow("abc") << QByteArray("abc")
                             << QByteArray("ba7816bf8f01cfea414140de5dae2223"
                                           "b00361a396177a9cb410ff61f20015ad");
        QTest::newRow("two blocks")
            << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            << QByteArray("248d6a61d20638b8e5c026930c3e6039"
                          "a33ce45964ff2167f6ecedd419db06c1");
        QTest::newRow("a million a") << QByteArray(1000000, 'a')
                                     << QByteArray("cdc76e5c9914fb9281a1c7e284d73e67"
                                                   "f1809a48a497200e046d39ccc7112cd0");
    }
    void knownVectors()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, hex);
        const QByteArray digest = Sha256::hash(input);
        QCOMPARE(digest.size(), Sha256::kSize);
        QCOMPARE(digest.toHex(), hex);
    }

    void piecesGiveTheOneShotHash_data()
    {
        QTest::addColumn<int>("piece");
        for (const int piece : {1, 3, 55, 63, 64, 65, 4093, 65537, 1000003})
            QTest::newRow(qPrintable(QString::number(piece))) << piece;
    }
    void piecesGiveTheOneShotHash()
    {
        QFETCH(int, piece);
        // Not a multiple of the 64-byte block, nor of any piece size above.
        const QByteArray bytes = randomBytes(piece == 1 ? 70001 : 1048576 + 13, 7);
        Sha256 h;
        for (qsizetype at = 0; at < bytes.size(); at += piece)
            h.addData(QByteArrayView(bytes).sliced(at, qMin<qsizetype>(piece, bytes.size() - at)));
        QCOMPARE(h.result().toHex(), Sha256::hash(bytes).toHex());
        QCOMPARE(h.result().toHex(), qtSha256(bytes).toHex());
    }

    void resultCanBeAskedTwiceAndDataContinues()
    {
        Sha256 h;
        h.addData("ab");
        QCOMPARE(h.result(), Sha256::hash("ab"));
        QCOMPARE(h.result(), Sha256::hash("ab"));
        h.addData("c");
        QCOMPARE(h.result(), Sha256::hash("abc"));
        h.reset();
        QCOMPARE(h.result(), Sha256::hash({}));
    }

    void fileHashEqualsQtsHash_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::newRow("empty") << qint64(0);
        QTest::newRow("one byte") << qint64(1);
        QTest::newRow("one chunk") << Sha256::kChunkBytes;
        QTest::newRow("chunks and a tail") << 3 * Sha256::kChunkBytes + 7;
        QTest::newRow("5 MB") << qint64(5000000);
    }
    void fileHashEqualsQtsHash()
    {
        QFETCH(qint64, size);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray bytes = randomBytes(size, quint32(size));
        const QString path = dir.filePath(QStringLiteral("file.bin"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(bytes), size);
        f.close();
        QString error = QStringLiteral("unchanged");
        QCOMPARE(Sha256::hashFile(path, &error).toHex(), qtSha256(bytes).toHex());
        QCOMPARE(error, QStringLiteral("unchanged"));
    }

    void unreadableFileSaysWhy()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        // Missing.
        QVERIFY(Sha256::hashFile(dir.filePath(QStringLiteral("missing")), &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("No such file"), Qt::CaseInsensitive),
                 qPrintable(error));
        // A folder.
        error.clear();
        QVERIFY(Sha256::hashFile(dir.path(), &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("directory"), Qt::CaseInsensitive),
                 qPrintable(error));
        // No error pointer: still no hash, and no crash.
        QVERIFY(Sha256::hashFile(dir.path()).isEmpty());
#ifdef Q_OS_LINUX
        // Opens, then fails to read (EIO at address 0): the error of the read, not a hash of
        // whatever came before it.
        error.clear();
        QVERIFY(Sha256::hashFile(QStringLiteral("/proc/self/mem"), &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("Input/output error"), Qt::CaseInsensitive),
                 qPrintable(error));
#endif
    }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
