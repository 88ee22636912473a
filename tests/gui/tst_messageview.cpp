// The message list offscreen, without a server: how messages are painted and what the user can
// do with their text (issue 14).
#include "emojifont.h"
#include "messagedelegate.h"
#include "messageview.h"
#include "model/messagelistmodel.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDateTime>
#include <QImage>
#include <QMenu>
#include <QPaintEngine>
#include <QPainter>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

namespace {
ChatMessage message(qint64 seq, const QString &from, const QString &content, qint64 atMs)
{
    ChatMessage m;
    m.seq = seq;
    m.timestampMs = atMs;
    m.from = from;
    m.content = content;
    return m;
}

const QString kLongText = QStringLiteral(
    "Here is the plan for the release: first we freeze the protocol, then we run the soak test "
    "over the weekend, then the installers get built on all three systems and signed, and "
    "finally everyone on the team tries the upgrade from the previous version on their own "
    "machine before we tag it. Anything that breaks goes into the tracker with steps. THEEND");
const QString kLongUrl = QStringLiteral(
    "see https://chat.example.org/docs/releases/2024/checklist/installers/windows/signing/"
    "timestamping-servers-and-certificates-and-what-to-do-when-they-expire?lang=en&ref=team "
    "THEEND");

// A paint device that only records the text drawn on it, to see what a row says.
class TextRecorder : public QPaintEngine
{
public:
    TextRecorder() : QPaintEngine(QPaintEngine::AllFeatures) {}
    QStringList texts;

    bool begin(QPaintDevice *) override { return true; }
    bool end() override { return true; }
    void updateState(const QPaintEngineState &) override {}
    void drawPixmap(const QRectF &, const QPixmap &, const QRectF &) override {}
    void drawImage(const QRectF &, const QImage &, const QRectF &,
                   Qt::ImageConversionFlags) override
    {}
    void drawPath(const QPainterPath &) override {}
    void drawPolygon(const QPointF *, int, PolygonDrawMode) override {}
    void drawTextItem(const QPointF &, const QTextItem &item) override { texts << item.text(); }
    Type type() const override { return QPaintEngine::User; }
};

class RecordingDevice : public QPaintDevice
{
public:
    QStringList texts() const { return m_engine.texts; }
    QPaintEngine *paintEngine() const override { return &m_engine; }

protected:
    int metric(PaintDeviceMetric metric) const override
    {
        switch (metric) {
        case PdmWidth:
            return 1000;
        case PdmHeight:
            return 1000;
        case PdmDpiX:
        case PdmDpiY:
        case PdmPhysicalDpiX:
        case PdmPhysicalDpiY:
            return 96;
        case PdmDepth:
            return 32;
        case PdmDevicePixelRatio:
            return 1;
        case PdmDevicePixelRatioScaled:
            return int(devicePixelRatioFScale());
        default:
            return QPaintDevice::metric(metric);
        }
    }

private:
    mutable TextRecorder m_engine;
};
} // namespace

class TestMessageView : public QObject
{
    Q_OBJECT
private:
    // One row painted by the delegate on a transparent image taller than the row, so that
    // whatever it paints outside the height it asked for stays visible.
    struct Painted
    {
        QImage image;
        int height = 0;
    };
    Painted paintRow(const QModelIndex &index, int width)
    {
        MessageDelegate delegate;
        QStyleOptionViewItem option;
        option.font = QApplication::font();
        option.palette = QApplication::palette();
        option.rect = QRect(0, 0, width, 0);
        Painted p;
        p.height = delegate.sizeHint(option, index).height();
        option.rect.setHeight(p.height);
        p.image = QImage(width, p.height + 300, QImage::Format_ARGB32_Premultiplied);
        p.image.fill(Qt::transparent);
        QPainter painter(&p.image);
        delegate.paint(&painter, option, index);
        return p;
    }
    static QRect boundsOf(const QImage &image, QColor color, int fromY = 0)
    {
        QRect r;
        for (int y = fromY; y < image.height(); ++y) {
            const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
            for (int x = 0; x < image.width(); ++x) {
                if (line[x] == color.rgba())
                    r |= QRect(x, y, 1, 1);
            }
        }
        return r;
    }
    static QRect paintedBounds(const QImage &image, int fromY = 0, int fromX = 0)
    {
        QRect r;
        for (int y = fromY; y < image.height(); ++y) {
            const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
            for (int x = fromX; x < image.width(); ++x) {
                if (qAlpha(line[x]) != 0)
                    r |= QRect(x, y, 1, 1);
            }
        }
        return r;
    }

private slots:
    void longMessagesStayInsideTheirBubble_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("own");
        QTest::addColumn<int>("width");
        for (int width : {420, 640, 900}) {
            QTest::addRow("text, other, %d", width) << kLongText << false << width;
            QTest::addRow("text, own, %d", width) << kLongText << true << width;
            QTest::addRow("url, other, %d", width) << kLongUrl << false << width;
            QTest::addRow("url, own, %d", width) << kLongUrl << true << width;
            QTest::addRow("lines, own, %d", width)
                << QStringLiteral("one\ntwo\nthree and a bit more THEEND") << true << width;
        }
    }
    void longMessagesStayInsideTheirBubble()
    {
        QFETCH(QString, text);
        QFETCH(bool, own);
        QFETCH(int, width);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        MessageListModel model;
        // A first message, so that the row under test has no day separator above it.
        model.addMessage(message(1, QStringLiteral("zed"), QStringLiteral("hi"), now - 5000), false,
                         false);
        model.addMessage(message(2, own ? QStringLiteral("me") : QStringLiteral("bob"), text, now),
                         own, false);
        const QModelIndex index = model.index(1, 0);
        const Painted full = paintRow(index, width);
        const QColor fill = own ? Theme::colors().ownBubble : Theme::colors().otherBubble;
        const QRect bubble = boundsOf(full.image, fill);
        QVERIFY(bubble.isValid());

        // Nothing is painted below the height the row asked for (it would cover the next
        // sender's name), and everything from the bubble's top down is inside the bubble (the
        // avatar aside, left of it).
        const QRect painted = paintedBounds(full.image, bubble.top(), bubble.left() - 1);
        QVERIFY2(painted.bottom() < full.height,
                 qPrintable(QStringLiteral("painted down to y=%1, row height %2")
                                .arg(painted.bottom())
                                .arg(full.height)));
        QVERIFY2(bubble.adjusted(-1, -1, 1, 1).contains(painted),
                 qPrintable(QStringLiteral("text at (%1,%2 %3x%4) outside the bubble (%5,%6 %7x%8)")
                                .arg(painted.x())
                                .arg(painted.y())
                                .arg(painted.width())
                                .arg(painted.height())
                                .arg(bubble.x())
                                .arg(bubble.y())
                                .arg(bubble.width())
                                .arg(bubble.height())));

        // And the last word is really there: without it the bubble looks different.
        MessageListModel shorter;
        shorter.addMessage(message(1, QStringLiteral("zed"), QStringLiteral("hi"), now - 5000),
                           false, false);
        QString cut = text;
        cut.chop(QStringLiteral("THEEND").size());
        shorter.addMessage(message(2, own ? QStringLiteral("me") : QStringLiteral("bob"), cut, now),
                           own, false);
        const Painted without = paintRow(shorter.index(1, 0), width);
        QVERIFY(full.image.copy(bubble) != without.image.copy(bubble));
    }

    void theDayDividerIsVisibleInBothThemes_data()
    {
        QTest::addColumn<Settings::Theme>("theme");
        QTest::newRow("light") << Settings::Theme::Light;
        QTest::newRow("dark") << Settings::Theme::Dark;
    }

    void theDayDividerIsVisibleInBothThemes()
    {
        // Issue 14: in the dark theme the day divider's line was nearly invisible (the panel
        // colour darkened, on the window colour). WCAG asks 3:1 for lines that carry meaning.
        QFETCH(Settings::Theme, theme);
        Theme::apply(*qApp, theme);
        const auto restore = qScopeGuard([] { Theme::apply(*qApp, Settings::Theme::Light); });
        const Theme::Colors &c = Theme::colors();
        MessageListModel model;
        model.addMessage(message(1, QStringLiteral("bob"), QStringLiteral("hi"),
                                 QDateTime::currentMSecsSinceEpoch()),
                         false, false);
        const int width = 640;
        const Painted row = paintRow(model.index(0, 0), width);
        const QRect bubble = boundsOf(row.image, c.otherBubble);
        QVERIFY(bubble.isValid());
        // Right of the day's label and above the bubble and the sender's name (both on the
        // left): only the divider's line is drawn there.
        auto luminance = [](QColor color) {
            auto channel = [](double v) {
                return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
            };
            return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) +
                   0.0722 * channel(color.blueF());
        };
        QImage shown(row.image.size(), QImage::Format_RGB32);
        shown.fill(c.window);
        QPainter(&shown).drawImage(0, 0, row.image);
        const double background = luminance(c.window);
        double best = 1;
        for (int y = 0; y < bubble.top(); ++y) {
            for (int x = width - 60; x < width - 20; ++x) {
                const double l = luminance(shown.pixelColor(x, y));
                best = qMax(best, (qMax(l, background) + 0.05) / (qMin(l, background) + 0.05));
            }
        }
        QVERIFY2(best >= 3.0, qPrintable(QStringLiteral("divider contrast %1:1").arg(best)));
    }

    void eachMessageShowsItsTimeOnce()
    {
        const QDateTime at(QDate::currentDate(), QTime(10, 30));
        const QString time = QStringLiteral("10:30");
        MessageListModel model;
        // bob starts a group (avatar, name), writes again in the same minute, then me.
        model.addMessage(message(1, QStringLiteral("bob"), QStringLiteral("first"),
                                 at.toMSecsSinceEpoch() + 1000),
                         false, false);
        model.addMessage(message(2, QStringLiteral("bob"), QStringLiteral("second"),
                                 at.toMSecsSinceEpoch() + 2000),
                         false, false);
        model.addMessage(
            message(3, QStringLiteral("me"), QStringLiteral("mine"), at.toMSecsSinceEpoch() + 3000),
            true, false);
        MessageDelegate delegate;
        for (int row = 0; row < model.rowCount(); ++row) {
            QStyleOptionViewItem option;
            option.font = QApplication::font();
            option.rect = QRect(0, 0, 600, 0);
            option.rect.setHeight(delegate.sizeHint(option, model.index(row, 0)).height());
            RecordingDevice device;
            {
                QPainter painter(&device);
                delegate.paint(&painter, option, model.index(row, 0));
            }
            const QStringList texts = device.texts();
            QVERIFY2(texts.contains(model.index(row, 0).data().toString()),
                     qPrintable(texts.join(QLatin1Char('|'))));
            QVERIFY2(
                texts.count(time) == 1,
                qPrintable(
                    QStringLiteral("row %1 drew: %2").arg(row).arg(texts.join(QLatin1Char('|')))));
        }
    }

    void textIsSelectedWithTheMouseAndCopied()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        MessageListModel model;
        model.addMessage(
            message(10, QStringLiteral("bob"), QStringLiteral("alpha bravo charlie"), now - 3000),
            false, false);
        model.addMessage(
            message(11, QStringLiteral("me"), QStringLiteral("delta echo foxtrot"), now - 2000),
            true, false);
        MessageView view;
        view.setModel(&model);
        view.resize(600, 400);
        view.show();
        view.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&view));
        QWidget *viewport = view.viewport();
        QTRY_VERIFY(view.textRect(model.index(1, 0)).isValid());
        const QRect first = view.textRect(model.index(0, 0));
        const QRect second = view.textRect(model.index(1, 0));
        QGuiApplication::clipboard()->clear();

        // Dragging over a message selects its text, shows it selected, and Ctrl+C copies it.
        const QPoint start(first.left(), first.center().y());
        QTest::mousePress(viewport, Qt::LeftButton, {}, start);
        QTest::mouseMove(viewport, QPoint(first.right() + 4, first.center().y()));
        QTest::mouseRelease(viewport, Qt::LeftButton, {},
                            QPoint(first.right() + 4, first.center().y()));
        QCOMPARE(view.selectedText(), QStringLiteral("alpha bravo charlie"));
        QVERIFY(view.hasFocus());
        const QColor highlight = view.palette().color(QPalette::Active, QPalette::Highlight);
        const QImage shown = viewport->grab().toImage().convertToFormat(QImage::Format_RGB32);
        QVERIFY(boundsOf(shown, highlight).intersects(first));
        QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("alpha bravo charlie"));

        // From one message into the next.
        QTest::mousePress(viewport, Qt::LeftButton, {}, start);
        QTest::mouseMove(viewport, second.center());
        QTest::mouseMove(viewport, QPoint(second.right() + 4, second.center().y()));
        QTest::mouseRelease(viewport, Qt::LeftButton, {},
                            QPoint(second.right() + 4, second.center().y()));
        QCOMPARE(view.selectedText(), QStringLiteral("alpha bravo charlie\ndelta echo foxtrot"));
        QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QGuiApplication::clipboard()->text(),
                 QStringLiteral("alpha bravo charlie\ndelta echo foxtrot"));

        // Older history arriving above keeps the selection on its messages.
        model.addMessages({message(9, QStringLiteral("zed"), QStringLiteral("older"), now - 9000)},
                          QStringLiteral("me"));
        QCOMPARE(view.selectedText(), QStringLiteral("alpha bravo charlie\ndelta echo foxtrot"));

        // A double click selects a word; Esc clears the selection.
        QTRY_VERIFY(view.textRect(model.index(2, 0)).isValid());
        QTest::mouseDClick(viewport, Qt::LeftButton, {},
                           QPoint(view.textRect(model.index(2, 0)).left() + 3,
                                  view.textRect(model.index(2, 0)).center().y()));
        QCOMPARE(view.selectedText(), QStringLiteral("delta"));
        QTest::keyClick(&view, Qt::Key_Escape);
        QVERIFY(!view.hasSelection());

        // Typing after selecting is meant for the compose box.
        QSignalSpy typed(&view, &MessageView::textTyped);
        QTest::keyClicks(&view, QStringLiteral("ok"));
        QCOMPARE(typed.count(), 2);
        QCOMPARE(typed.at(0).at(0).toString(), QStringLiteral("o"));
    }

    // A chip's emoji comes from the colour emoji font: the screenshots showed ❤️ as a black
    // text glyph (drawn with QPainter::drawText in the text font).
    void reactionChipsDrawTheirEmojiInColour()
    {
        if (EmojiFont::family().isEmpty())
            QSKIP("no colour emoji font: install fonts-noto-color-emoji (scripts/bootstrap)");
        MessageListModel model;
        ChatMessage reacted = message(1, QStringLiteral("bob"), QStringLiteral("lunch?"),
                                      QDateTime::currentMSecsSinceEpoch());
        reacted.reactions = {
            ChatMessage::Reaction{QStringLiteral("❤️"), 1, {QStringLiteral("dave")}, false}};
        model.addMessage(reacted, false, false);
        MessageView view;
        view.setModel(&model);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_COMPARE(view.reactionRects(model.index(0, 0)).size(), 1);
        const QRect chip = view.reactionRects(model.index(0, 0)).at(0);
        const QImage shot = view.viewport()->grab().toImage();
        int red = 0;
        for (int y = chip.top(); y <= chip.bottom(); ++y) {
            for (int x = chip.left(); x <= chip.right(); ++x) {
                const QColor p = shot.pixelColor(x * shot.width() / view.viewport()->width(),
                                                 y * shot.height() / view.viewport()->height());
                red += p.red() > 170 && p.green() < 90 && p.blue() < 90;
            }
        }
        QVERIFY2(red >= 10, qPrintable(QString::number(red)));
    }

    // Emoji reactions (docs/protocol.md section 5.7): chips under the bubble with the emoji and
    // how many gave it, who in the tooltip, a click toggles; the menu's React offers the quick
    // set and the picker.
    void reactionsShowAsChipsThatToggle()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QString thumbs = QStringLiteral("\U0001F44D");
        const QString party = QStringLiteral("\U0001F389");
        MessageListModel model;
        // Rows 1 and 2 continue row 0's group: the same layout but for the chips.
        model.addMessage(message(1, QStringLiteral("bob"), QStringLiteral("first"), now), false,
                         false);
        model.addMessage(message(2, QStringLiteral("bob"), QStringLiteral("plain"), now), false,
                         false);
        ChatMessage reacted = message(3, QStringLiteral("bob"), QStringLiteral("plain"), now);
        reacted.reactions = {
            ChatMessage::Reaction{
                thumbs, 11, {QStringLiteral("alice"), QStringLiteral("carol")}, true},
            ChatMessage::Reaction{party, 1, {QStringLiteral("dave")}, false}};
        model.addMessage(reacted, false, false);
        ChatMessage gone = message(4, QStringLiteral("bob"), QString(), now);
        gone.deleted = true;
        model.addMessage(gone, false, false);

        // Painted: the chips' labels, and a row taller than the same text without them.
        MessageDelegate delegate;
        QStyleOptionViewItem option;
        option.font = QApplication::font();
        option.rect = QRect(0, 0, 600, 0);
        const int plain = delegate.sizeHint(option, model.index(1, 0)).height();
        const int withChips = delegate.sizeHint(option, model.index(2, 0)).height();
        QVERIFY2(withChips > plain, qPrintable(QStringLiteral("%1 %2").arg(withChips).arg(plain)));
        option.rect.setHeight(withChips);
        RecordingDevice device;
        {
            QPainter painter(&device);
            delegate.paint(&painter, option, model.index(2, 0));
        }
        // The emoji and the count may come as separate runs (the emoji font, the text font).
        const QString drawn = device.texts().join(QString());
        QVERIFY2(drawn.contains(thumbs + QStringLiteral(" 11")), qPrintable(drawn));
        QVERIFY2(drawn.contains(party + QStringLiteral(" 1")), qPrintable(drawn));

        MessageView view;
        view.setModel(&model);
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_COMPARE(view.reactionRects(model.index(2, 0)).size(), 2);
        QVERIFY(view.reactionRects(model.index(1, 0)).isEmpty());
        const QList<QRect> chips = view.reactionRects(model.index(2, 0));
        // Under the text, not over it.
        QVERIFY(chips.at(0).top() > view.textRect(model.index(2, 0)).bottom());
        // Who: the names listed, and how many more.
        const QString tip = view.toolTipAt(chips.at(0).center());
        QVERIFY2(tip.contains(QLatin1String("alice")) && tip.contains(QLatin1String("carol")) &&
                     tip.contains(QLatin1String("9")),
                 qPrintable(tip));
        QVERIFY(view.toolTipAt(chips.at(1).center()).contains(QLatin1String("dave")));
        QVERIFY(view.toolTipAt(view.textRect(model.index(2, 0)).center()).isEmpty());

        // A click on a chip toggles that emoji on that message.
        QSignalSpy toggled(&view, &MessageView::reactionToggled);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, chips.at(1).center());
        QCOMPARE(toggled.size(), 1);
        QCOMPARE(toggled.at(0).at(0).toLongLong(), qint64(3));
        QCOMPARE(toggled.at(0).at(1).toString(), party);

        // The menu's React: the quick set, then the picker.
        auto openMenu = [&](QPoint pos) -> QMenu * {
            QContextMenuEvent event(QContextMenuEvent::Mouse, pos,
                                    view.viewport()->mapToGlobal(pos));
            QApplication::sendEvent(view.viewport(), &event);
            return view.findChild<QMenu *>(QStringLiteral("messageMenu"));
        };
        QMenu *menu = openMenu(view.textRect(model.index(2, 0)).center());
        QVERIFY(menu);
        auto *react = menu->findChild<QMenu *>(QStringLiteral("reactMenu"));
        QVERIFY(react);
        QList<QAction *> quick;
        for (QAction *a : react->actions()) {
            if (a->objectName() == QLatin1String("reactAction"))
                quick << a;
        }
        QCOMPARE(quick.size(), MessageView::quickReactions().size());
        quick.at(0)->trigger();
        QCOMPARE(toggled.size(), 2);
        QCOMPARE(toggled.at(1).at(1).toString(), MessageView::quickReactions().at(0));
        QSignalSpy picker(&view, &MessageView::reactionPickerRequested);
        auto *more = react->findChild<QAction *>(QStringLiteral("reactMoreAction"));
        if (!more) {
            for (QAction *a : react->actions()) {
                if (a->objectName() == QLatin1String("reactMoreAction"))
                    more = a;
            }
        }
        QVERIFY(more);
        more->trigger();
        QCOMPARE(picker.size(), 1);
        QCOMPARE(picker.at(0).at(0).toLongLong(), qint64(3));
        menu->close();
        QTRY_VERIFY(!view.findChild<QMenu *>(QStringLiteral("messageMenu")));
        // A deleted message takes no reactions.
        QTRY_VERIFY(view.textRect(model.index(3, 0)).isValid());
        menu = openMenu(view.textRect(model.index(3, 0)).center());
        QVERIFY(menu);
        QVERIFY(!menu->findChild<QMenu *>(QStringLiteral("reactMenu")));
        menu->close();
    }

    // A reaction that comes to a message on screen makes its row taller: what is asked of the
    // view before the next paint (a hover's tooltip, a click) finds the chip where the row
    // now draws it, not in the row's old, shorter place.
    void aChipThatJustCameAnswersBeforeTheNextPaint()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        MessageListModel model;
        for (int seq = 1; seq <= 3; ++seq)
            model.addMessage(
                message(seq, QStringLiteral("bob"), QStringLiteral("line %1").arg(seq), now), false,
                false);
        MessageView view;
        view.setModel(&model);
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(view.textRect(model.index(2, 0)).isValid());

        // No event loop between the change and the questions: no paint came in between.
        QVERIFY(model.setReactions(
            3,
            {ChatMessage::Reaction{
                QStringLiteral("\U0001F44D"), 1, {QStringLiteral("carol")}, false}},
            false, QString(), false));
        const QList<QRect> chips = view.reactionRects(model.index(2, 0));
        QCOMPARE(chips.size(), 1);
        QVERIFY2(view.toolTipAt(chips.at(0).center()).contains(QLatin1String("carol")),
                 qPrintable(view.toolTipAt(chips.at(0).center())));
        QSignalSpy toggled(&view, &MessageView::reactionToggled);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, chips.at(0).center());
        QCOMPARE(toggled.size(), 1);
        QCOMPARE(toggled.at(0).at(0).toLongLong(), qint64(3));
    }

    void contextMenuCopiesTheMessageOrTheLink()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        MessageListModel model;
        const QString text = QStringLiteral("see https://example.org/x?a=1 for more");
        model.addMessage(message(1, QStringLiteral("bob"), text, now), false, false);
        MessageView view;
        view.setModel(&model);
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(view.textRect(model.index(0, 0)).isValid());
        const QRect rect = view.textRect(model.index(0, 0));
        const QPoint onLink(
            rect.left() + view.fontMetrics().horizontalAdvance(QStringLiteral("see https://exa")),
            rect.center().y());
        QWidget *viewport = view.viewport();

        auto openMenu = [&](QPoint pos) -> QMenu * {
            QContextMenuEvent event(QContextMenuEvent::Mouse, pos, viewport->mapToGlobal(pos));
            QApplication::sendEvent(viewport, &event);
            return view.findChild<QMenu *>(QStringLiteral("messageMenu"));
        };
        QMenu *menu = openMenu(onLink);
        QVERIFY(menu);
        QTRY_VERIFY(menu->isVisible());
        auto *copyLink = menu->findChild<QAction *>(QStringLiteral("copyLinkAction"));
        QVERIFY(copyLink);
        copyLink->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("https://example.org/x?a=1"));
        menu->close();
        QTRY_VERIFY(!view.findChild<QMenu *>(QStringLiteral("messageMenu")));

        menu = openMenu(QPoint(rect.right() - 2, rect.center().y()));
        QVERIFY(menu);
        QVERIFY(!menu->findChild<QAction *>(QStringLiteral("copyLinkAction")));
        auto *copyText = menu->findChild<QAction *>(QStringLiteral("copyMessageAction"));
        QVERIFY(copyText);
        copyText->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), text);
        menu->close();
    }
};

QTEST_MAIN(TestMessageView)
#include "tst_messageview.moc"
