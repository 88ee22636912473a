// Files and images in the window (docs/protocol.md section 18), offscreen, against a real
// server process: the attach path, the receiver's thumbnail and its full-size view, a
// download through the Download button's path compared byte for byte, Cancel of an upload,
// a private conversation's file, and the errors a user must see (oversize, wrong type).
#include "composeedit.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "model/messagelistmodel.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "theme.h"

#include <QApplication>
#include <QDialog>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

namespace {

constexpr qint64 kMaxFile = 30'000'000;

std::unique_ptr<ChatController> online(const QUrl &url, const QString &name, const QString &folder)
{
    auto c = std::make_unique<ChatController>();
    c->session()->setOutboxFolder(folder + QStringLiteral("/outbox"));
    c->setFileCacheDir(folder + QStringLiteral("/files"));
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    c->connectTo(url, name);
    if (!in.wait())
        return nullptr;
    return c;
}

// The row of the file message whose file is called `name`, or -1.
int rowOfFile(MessageView *view, const QString &name)
{
    for (int row = 0; view->model() && row < view->model()->rowCount(); ++row) {
        const QVariantMap file =
            view->model()->index(row, 0).data(MessageListModel::FileRole).toMap();
        if (file.value(QStringLiteral("name")).toString() == name)
            return row;
    }
    return -1;
}

QVariant dataOf(MessageView *view, const QString &name, int role)
{
    const int row = rowOfFile(view, name);
    return row < 0 ? QVariant() : view->model()->index(row, 0).data(role);
}

QByteArray randomBytes(qint64 size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = char(QRandomGenerator::global()->bounded(256));
    return bytes;
}

bool write(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestFileMessagesUi : public QObject
{
    Q_OBJECT
private:
    // Uploads at the pace of old (6.25 MiB/s), so that a large one is still on its way when
    // its Cancel is clicked.
    ServerProcess m_server{
        ServerProcess::unlimited() +
        QStringList{QStringLiteral("--max-file-bytes"), QString::number(kMaxFile),
                    QStringLiteral("--file-bytes-per-second"), QStringLiteral("6553600")}};
    QTemporaryDir m_dir;
    std::unique_ptr<ChatController> m_aliceCtl, m_bobCtl;
    std::unique_ptr<Settings> m_aliceSettings, m_bobSettings;
    std::unique_ptr<MainWindow> m_alice, m_bob;

private slots:
    void initTestCase()
    {
        Theme::apply(*qApp, Settings::Theme::Light);
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.start());
        m_aliceCtl = online(m_server.url(), QStringLiteral("f_alice"), m_dir.filePath("a"));
        m_bobCtl = online(m_server.url(), QStringLiteral("f_bob"), m_dir.filePath("b"));
        QVERIFY(m_aliceCtl && m_bobCtl);
        m_aliceSettings = std::make_unique<Settings>(m_dir.filePath("alice.ini"));
        m_bobSettings = std::make_unique<Settings>(m_dir.filePath("bob.ini"));
        m_alice = std::make_unique<MainWindow>(m_aliceCtl.get(), m_aliceSettings.get());
        m_bob = std::make_unique<MainWindow>(m_bobCtl.get(), m_bobSettings.get());
        m_alice->resize(900, 700);
        m_bob->resize(900, 700);
        m_alice->show();
        m_bob->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_alice.get()));
        QVERIFY(QTest::qWaitForWindowExposed(m_bob.get()));
    }

    void cleanupTestCase()
    {
        m_alice.reset();
        m_bob.reset();
    }

    void attachButtonHasAName()
    {
        QVERIFY(m_alice->attachButton());
        QVERIFY(!m_alice->attachButton()->accessibleName().isEmpty());
    }

    void imageShowsAsThumbnailAndOpensFullSize()
    {
        QImage image(800, 600, QImage::Format_RGB32);
        image.fill(QColor(40, 120, 200));
        const QString path = m_dir.filePath("sky.png");
        QVERIFY(image.save(path));

        QVERIFY(m_alice->attachFile(path));
        // The sender sees it at once, from the source file.
        QTRY_VERIFY(rowOfFile(m_alice->messageView(), QStringLiteral("sky.png")) >= 0);
        // The receiver gets the message, the image is fetched, and a thumbnail is drawn:
        // bounded by the thumbnail box, keeping the shape.
        MessageView *view = m_bob->messageView();
        QTRY_VERIFY(rowOfFile(view, QStringLiteral("sky.png")) >= 0);
        QTRY_VERIFY(!dataOf(view, QStringLiteral("sky.png"), MessageListModel::LocalFileRole)
                         .toString()
                         .isEmpty());
        view->scrollToBottom();
        const QModelIndex index = view->model()->index(rowOfFile(view, "sky.png"), 0);
        QTRY_VERIFY(view->imageRect(index).isValid());
        QCOMPARE(view->imageRect(index).size(), QSize(240, 180));
        // No Download button over an image that is shown.
        QVERIFY(!view->fileButtonRect(index).isValid());

        // A click opens it full size (fitted to the screen at most).
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->imageRect(index).center());
        QDialog *viewer = nullptr;
        QTRY_VERIFY((viewer = m_bob->findChild<QDialog *>(QStringLiteral("imageViewer"))));
        const QLabel *label = viewer->findChild<QLabel *>(QStringLiteral("imageLabel"));
        QVERIFY(label);
        QVERIFY(label->pixmap().width() > 240);
        QCOMPARE(label->pixmap().width() * 3, label->pixmap().height() * 4);
        viewer->close();
    }

    void fileIsDownloadedByteForByte()
    {
        const QByteArray bytes = randomBytes(300'000);
        const QString path = m_dir.filePath("report.bin");
        QVERIFY(write(path, bytes));
        QVERIFY(m_alice->attachFile(path));

        MessageView *view = m_bob->messageView();
        QTRY_VERIFY(rowOfFile(view, QStringLiteral("report.bin")) >= 0);
        view->scrollToBottom();
        QModelIndex index = view->model()->index(rowOfFile(view, "report.bin"), 0);
        QCOMPARE(MessageDelegate::fileButtonText(index), QStringLiteral("Download"));
        QTRY_VERIFY(view->fileButtonRect(index).isValid());
        // The button asks where to save (a dialog); the test answers for the user.
        QSignalSpy asked(view, &MessageView::fileDownloadRequested);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          view->fileButtonRect(index).center());
        QCOMPARE(asked.size(), 1);
        const qint64 seq = asked.at(0).at(0).toLongLong();
        QCOMPARE(asked.at(0).at(1).toString(), QStringLiteral("report.bin"));
        if (QWidget *dialog = m_bob->findChild<QWidget *>(QStringLiteral("saveDialog")))
            dialog->close();
        const QString target = m_dir.filePath("saved-report.bin");
        QVERIFY(m_bob->saveFile(seq, target));
        QTRY_VERIFY(QFile::exists(target));
        QFile saved(target);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(saved.readAll(), bytes);
        // Done: no bar left, the button is Download again.
        index = view->model()->index(rowOfFile(view, "report.bin"), 0);
        QTRY_VERIFY(!index.data(MessageListModel::TransferRole).isValid());
    }

    void uploadCanBeCancelled()
    {
        // Large enough to be on its way for a while (the server paces uploads).
        const QString path = m_dir.filePath("big.bin");
        QVERIFY(write(path, randomBytes(25'000'000)));
        QVERIFY(m_alice->attachFile(path));
        MessageView *view = m_alice->messageView();
        QTRY_VERIFY(rowOfFile(view, QStringLiteral("big.bin")) >= 0);
        view->scrollToBottom();
        QModelIndex index = view->model()->index(rowOfFile(view, "big.bin"), 0);
        QVERIFY(index.data(MessageListModel::TransferRole).isValid());
        QCOMPARE(MessageDelegate::fileButtonText(index), QStringLiteral("Cancel"));
        QTRY_VERIFY(view->fileButtonRect(index).isValid());
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          view->fileButtonRect(index).center());
        // Gone from the sender's conversation, and it never reaches the receiver: a text sent
        // after it arrives, the file does not.
        QTRY_COMPARE(rowOfFile(view, QStringLiteral("big.bin")), -1);
        m_aliceCtl->send(QString(), QStringLiteral("after the cancel"));
        MessageView *bobView = m_bob->messageView();
        QTRY_VERIFY([&] {
            for (int row = 0; row < bobView->model()->rowCount(); ++row) {
                if (bobView->model()->index(row, 0).data().toString() ==
                    QStringLiteral("after the cancel"))
                    return true;
            }
            return false;
        }());
        QCOMPARE(rowOfFile(bobView, QStringLiteral("big.bin")), -1);
    }

    void oversizeFileIsRefusedWithAMessage()
    {
        const QString path = m_dir.filePath("huge.iso");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(kMaxFile + 1)); // sparse: nothing is written
        f.close();
        QVERIFY(!m_alice->attachFile(path));
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = m_alice->findChild<QMessageBox *>(QStringLiteral("fileErrorBox"))));
        QVERIFY2(box->text().contains(QStringLiteral("huge.iso")), qPrintable(box->text()));
        QVERIFY2(box->text().contains(QStringLiteral("up to")), qPrintable(box->text()));
        box->close();
        QCOMPARE(rowOfFile(m_alice->messageView(), QStringLiteral("huge.iso")), -1);
    }

    void fileThatIsNotItsTypeShowsTheError()
    {
        // Called .png but text inside: the server refuses it, the row says why.
        const QString path = m_dir.filePath("notreally.png");
        QVERIFY(write(path, QByteArray("this is no picture at all, only words\n").repeated(20)));
        QVERIFY(m_alice->attachFile(path));
        MessageView *view = m_alice->messageView();
        QTRY_VERIFY(!dataOf(view, QStringLiteral("notreally.png"), MessageListModel::FileErrorRole)
                         .toString()
                         .isEmpty());
        QCOMPARE(dataOf(view, QStringLiteral("notreally.png"), MessageListModel::DeliveryRole)
                     .value<MessageListModel::Delivery>(),
                 MessageListModel::Delivery::Failed);
        QVERIFY(dataOf(view, QStringLiteral("notreally.png"), MessageListModel::FileErrorRole)
                    .toString()
                    .contains(QStringLiteral("type")));
    }

    void privateConversationsFileGoesToThatPersonOnly()
    {
        auto carolCtl = online(m_server.url(), QStringLiteral("f_carol"), m_dir.filePath("c"));
        QVERIFY(carolCtl);
        const QString path = m_dir.filePath("secret.txt");
        QVERIFY(write(path, "for bob only\n"));
        m_alice->openConversation(QStringLiteral("f_bob"));
        QVERIFY(m_alice->attachFile(path));
        // Bob has it in his private conversation with alice; carol has nothing.
        ConversationListModel *bobs = m_bobCtl->conversations();
        QTRY_VERIFY(bobs->find(QStringLiteral("f_alice")) && [&] {
            MessageListModel *m = bobs->find(QStringLiteral("f_alice"));
            for (int r = 0; r < m->rowCount(); ++r)
                if (m->itemAt(r).message.file &&
                    m->itemAt(r).message.file->name == QStringLiteral("secret.txt"))
                    return true;
            return false;
        }());
        // Carol has caught up with the room (her own message came back after the file).
        QSignalSpy carolsOwn(carolCtl->session(), &ClientSession::messageAcknowledged);
        carolCtl->send(QString(), QStringLiteral("carol was here"));
        QVERIFY(carolsOwn.wait());
        QVERIFY(rowOfFile(m_alice->messageView(), QStringLiteral("secret.txt")) >= 0);
        for (const QString &key : carolCtl->conversations()->keys()) {
            MessageListModel *m = carolCtl->conversations()->find(key);
            for (int r = 0; r < m->rowCount(); ++r)
                QVERIFY(!m->itemAt(r).message.file ||
                        m->itemAt(r).message.file->name != QStringLiteral("secret.txt"));
        }
        m_alice->openConversation(QString());
    }
};

QTEST_MAIN(TestFileMessagesUi)
#include "tst_filemessages.moc"
