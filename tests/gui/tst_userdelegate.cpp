// UserDelegate: the user list's hover buttons (issue 14, defect 8: the call button was grey
// and looked disabled although calls work).
#include "listdelegates.h"
#include "model/userlistmodel.h"
#include "theme.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QStyleOptionViewItem>
#include <QTest>

class TestUserDelegate : public QObject
{
    Q_OBJECT
private:
    // The colour at the middle of the call button of a hovered row.
    static QColor callButtonColour(UserListModel &model)
    {
        UserDelegate delegate;
        QStyleOptionViewItem option;
        option.font = QApplication::font();
        option.palette = QApplication::palette();
        option.state = QStyle::State_Enabled | QStyle::State_MouseOver;
        option.rect = QRect(0, 0, 260, 44);
        QImage image(option.rect.size(), QImage::Format_ARGB32_Premultiplied);
        image.fill(Theme::colors().window);
        QPainter painter(&image);
        delegate.paint(&painter, option, model.index(0, 0));
        painter.end();
        // Left of the glyph in the middle, inside the circle.
        const QRect call = UserDelegate::callButtonRect(option.rect);
        return image.pixelColor(call.left() + call.width() / 5, call.center().y());
    }

    // The row of `name` as painted, without the avatar (its colour comes from the name).
    static QImage nameArea(const QString &name, bool guest, QStyle::State state)
    {
        UserListModel model;
        model.setSelf(QStringLiteral("me"));
        model.setGuestCheck([guest](const QString &) { return guest; });
        model.reset({name});
        model.setLive(true);
        UserDelegate delegate;
        QStyleOptionViewItem option;
        option.font = QApplication::font();
        option.palette = QApplication::palette();
        option.state = QStyle::State_Enabled | state;
        option.rect = QRect(0, 0, 220, 44); // the side panel's width
        QImage image(option.rect.size(), QImage::Format_ARGB32_Premultiplied);
        image.fill(Theme::colors().window);
        QPainter painter(&image);
        delegate.paint(&painter, option, model.index(0, 0));
        painter.end();
        return image.copy(option.rect.adjusted(option.rect.height() + 4, 0, 0, 0));
    }

private slots:
    // Names that differ only in their last letter look different: it is not cut off.
    void aShortGuestNameShowsWholeBesideItsMark()
    {
        QVERIFY(nameArea(QStringLiteral("dw_alice"), true, {}) !=
                nameArea(QStringLiteral("dw_alicx"), true, {}));
        QVERIFY(nameArea(QStringLiteral("dw_alice"), false, {}) !=
                nameArea(QStringLiteral("dw_alicx"), false, {}));
        // Hovered, the buttons take their room, and a name that long is cut to fit.
        QCOMPARE(
            nameArea(QStringLiteral("a_rather_long_name_here_1"), false, QStyle::State_MouseOver),
            nameArea(QStringLiteral("a_rather_long_name_here_2"), false, QStyle::State_MouseOver));
    }

    void theCallButtonLooksLikeOneWhileCallsCanBePlaced()
    {
        UserListModel model;
        model.setSelf(QStringLiteral("me"));
        model.reset({QStringLiteral("bob")});
        model.setLive(true);
        QCOMPARE(callButtonColour(model), Theme::colors().online);
        // While the connection is down the list is only the last one known: no call then.
        model.setLive(false);
        QVERIFY(callButtonColour(model) != Theme::colors().online);
    }
};

QTEST_MAIN(TestUserDelegate)
#include "tst_userdelegate.moc"
