// What the screenshots showed wrong, checked offscreen in pixels and geometry: the open
// conversation's row lost after a search, the search box flush against the divider, check
// boxes and dialog button icons that vanish on the dark theme, the settings pages' labels
// against the panel's edge.
#include "mainwindow.h"
#include "model/chatcontroller.h"
#include "model/conversationlistmodel.h"
#include "settings/settings.h"
#include "settingsdialog.h"
#include "theme.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QPushButton>
#include <QStyleOptionButton>
#include <QTemporaryDir>
#include <QTest>

namespace {

// How far apart two colours are, channel by channel at most.
int distance(QColor a, QColor b)
{
    return qMax(qAbs(a.red() - b.red()),
                qMax(qAbs(a.green() - b.green()), qAbs(a.blue() - b.blue())));
}

// The first column in `rect` of `image`, from the left, with a pixel that stands out from
// `background` (text or a drawn line); -1 if none.
int firstInkColumn(const QImage &image, const QRect &rect, QColor background)
{
    for (int x = rect.left(); x <= rect.right(); ++x) {
        for (int y = rect.top(); y <= rect.bottom(); ++y) {
            if (distance(image.pixelColor(x, y), background) > 80)
                return x;
        }
    }
    return -1;
}

} // namespace

class TestLooks : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void cleanup() { Theme::apply(*qApp, Settings::Theme::Light); }

    void searchingKeepsTheOpenConversationMarked()
    {
        Theme::apply(*qApp, Settings::Theme::Light);
        ChatController controller;
        controller.conversations()->messages(QStringLiteral("bob")); // a private conversation
        Settings settings(m_dir.filePath(QStringLiteral("search.ini")));
        MainWindow window(&controller, &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *list = window.findChild<QListView *>(QStringLiteral("conversationView"));
        auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
        QVERIFY(list && search);
        window.openConversation(QStringLiteral("bob"));
        QCOMPARE(list->currentIndex().data(ConversationListModel::KeyRole).toString(),
                 QStringLiteral("bob"));

        // A word that no conversation's name has hides bob's row; cleared, the row is back
        // and still shows as the open conversation (it did not before: no row was marked).
        search->setText(QStringLiteral("zzz"));
        QVERIFY(!list->currentIndex().isValid());
        search->clear();
        QCOMPARE(list->currentIndex().data(ConversationListModel::KeyRole).toString(),
                 QStringLiteral("bob"));
        QVERIFY(list->selectionModel()->isSelected(list->currentIndex()));
        QCOMPARE(controller.activeConversation(), QStringLiteral("bob"));

        // Typing a part of the name keeps the row marked, and the open conversation with it.
        search->setText(QStringLiteral("bo"));
        QCOMPARE(list->currentIndex().data(ConversationListModel::KeyRole).toString(),
                 QStringLiteral("bob"));
        QCOMPARE(controller.activeConversation(), QStringLiteral("bob"));
        // Choosing another row still opens it.
        search->clear();
        list->setCurrentIndex(list->model()->index(0, 0));
        QCOMPARE(controller.activeConversation(), QString()); // the room, first
    }

    void searchBoxHasTheSameGapOnBothSides()
    {
        Theme::apply(*qApp, Settings::Theme::Light);
        ChatController controller;
        Settings settings(m_dir.filePath(QStringLiteral("gap.ini")));
        MainWindow window(&controller, &settings);
        window.resize(1100, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
        QWidget *panel = search->parentWidget();
        const QRect r = search->geometry();
        QVERIFY(r.left() > 0);
        QCOMPARE(panel->width() - 1 - r.right(), r.left());
        auto *list = window.findChild<QListView *>(QStringLiteral("conversationView"));
        QCOMPARE(panel->width() - 1 - list->geometry().right(), list->geometry().left());
    }

    void darkCheckBoxesShowTheirBox()
    {
        Theme::apply(*qApp, Settings::Theme::Dark);
        QWidget window;
        window.setAutoFillBackground(true);
        auto *box = new QCheckBox(QStringLiteral("Send read receipts"), &window);
        box->move(10, 10);
        box->adjustSize();
        window.resize(240, 50);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QStyleOptionButton option;
        option.initFrom(box);
        const QRect indicator =
            box->style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, box);
        const QImage unchecked = box->grab().toImage();
        // The unchecked box: its outline stands out from the window (Fusion drew it darker
        // than the dark window, so no box showed at all).
        QVERIFY2(firstInkColumn(unchecked, indicator, Theme::colors().window) >= 0,
                 "no visible box outline");
        // Checked: the accent fills it.
        box->setChecked(true);
        const QImage checked = box->grab().toImage();
        int accent = 0;
        for (int x = indicator.left(); x <= indicator.right(); ++x) {
            for (int y = indicator.top(); y <= indicator.bottom(); ++y)
                accent += distance(checked.pixelColor(x, y), Theme::colors().accent) < 24;
        }
        QVERIFY2(accent > indicator.width() * indicator.height() / 3,
                 qPrintable(QString::number(accent)));
    }

    void dialogButtonsHaveNoIconsToVanish()
    {
        // The style's Close icon is black: on the dark theme's buttons it could not be seen.
        for (Settings::Theme theme : {Settings::Theme::Dark, Settings::Theme::Light}) {
            Theme::apply(*qApp, theme);
            QDialogButtonBox buttons(QDialogButtonBox::Close | QDialogButtonBox::Cancel);
            QVERIFY(buttons.button(QDialogButtonBox::Close)->icon().isNull());
            QVERIFY(buttons.button(QDialogButtonBox::Cancel)->icon().isNull());
        }
    }

    void settingsPagesKeepTheirLabelsOffTheEdge()
    {
        for (Settings::Theme theme : {Settings::Theme::Light, Settings::Theme::Dark}) {
            Theme::apply(*qApp, theme);
            Settings settings(m_dir.filePath(QStringLiteral("pages.ini")));
            SettingsDialog dialog(&settings);
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            auto *pages = dialog.findChild<QListWidget *>(QStringLiteral("settingsPages"));
            QVERIFY(pages);
            pages->setCurrentRow(5);
            const QImage image = pages->viewport()->grab().toImage();
            // Every label, the chosen one too, starts as far in: the padding of the pages'
            // style sheet, not the style's 3 pixels against the panel's edge.
            const QRect first = pages->visualItemRect(pages->item(0));
            const QRect chosen = pages->visualItemRect(pages->item(5));
            const int plain = firstInkColumn(image, first, Theme::colors().panel);
            const QColor chosenBackground = image.pixelColor(chosen.left() + 1, chosen.top() + 1);
            const int marked = firstInkColumn(image, chosen, chosenBackground);
            QVERIFY2(plain - first.left() >= 8, qPrintable(QString::number(plain)));
            // (the letters' own side bearings differ by a pixel or two)
            QVERIFY2(qAbs((marked - chosen.left()) - (plain - first.left())) <= 2,
                     qPrintable(QStringLiteral("%1 vs %2")
                                    .arg(marked - chosen.left())
                                    .arg(plain - first.left())));
        }
    }
};

QTEST_MAIN(TestLooks)
#include "tst_looks.moc"
