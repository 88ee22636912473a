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

private slots:
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
