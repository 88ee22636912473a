#include "listdelegates.h"

#include "avatar.h"
#include "emojifont.h"
#include "model/conversationlistmodel.h"
#include "model/messagesearchmodel.h"
#include "model/userlistmodel.h"
#include "theme.h"

#include <QPainter>
#include <QPainterPath>

namespace {
void paintBackground(QPainter *p, const QStyleOptionViewItem &option)
{
    const Theme::Colors &c = Theme::colors();
    if (option.state & QStyle::State_Selected)
        p->fillRect(option.rect, c.accent.lighter(Theme::isDark() ? 60 : 185));
    else if (option.state & QStyle::State_MouseOver)
        p->fillRect(option.rect, c.panel.darker(Theme::isDark() ? 80 : 104));
}
} // namespace

void ConversationDelegate::paint(QPainter *p, const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const
{
    const Theme::Colors &c = Theme::colors();
    p->save();
    p->setRenderHint(QPainter::Antialiasing);
    paintBackground(p, option);
    const QRect r = option.rect.adjusted(10, 6, -10, -6);
    const QRect avatar(r.left(), r.top(), r.height(), r.height());
    const QString title = index.data().toString();
    if (index.data(ConversationListModel::IsRoomRole).toBool()) {
        QPainterPath path;
        path.addRoundedRect(avatar, 8, 8);
        p->fillPath(path, c.accent);
        QFont f = option.font;
        f.setBold(true);
        f.setPixelSize(avatar.height() / 2);
        p->setFont(f);
        p->setPen(Qt::white);
        p->drawText(avatar, Qt::AlignCenter, QStringLiteral("#"));
    } else {
        Avatar::paint(p, avatar, title);
    }
    const int unread = index.data(ConversationListModel::UnreadRole).toInt();
    const bool mentioned = index.data(ConversationListModel::MentionedRole).toBool();
    const bool muted =
        m_isMuted && m_isMuted(index.data(ConversationListModel::KeyRole).toString());
    QRect text = r.adjusted(avatar.width() + 10, 0, 0, 0);
    if (unread > 0) {
        QFont f = option.font;
        f.setBold(true);
        f.setPointSizeF(f.pointSizeF() * 0.85);
        const QString count = unread > 999 ? QStringLiteral("999+") : QString::number(unread);
        const QString label = mentioned ? QStringLiteral("@ ") + count : count;
        const int w = QFontMetrics(f).horizontalAdvance(label) + 14;
        const QRect pill(r.right() - w, r.center().y() - 10, w, 20);
        QPainterPath path;
        path.addRoundedRect(pill, 10, 10);
        p->fillPath(path, mentioned ? c.danger : muted ? c.secondary : c.accent);
        p->setFont(f);
        p->setPen(Qt::white);
        p->drawText(pill, Qt::AlignCenter, label);
        text.setRight(pill.left() - 6);
    }
    if (muted) {
        QFont f = option.font;
        if (!EmojiFont::family().isEmpty())
            f.setFamilies({EmojiFont::family()});
        f.setPixelSize(14);
        p->setFont(f);
        p->setPen(c.secondary);
        const QString bell = QStringLiteral("\U0001F515"); // bell with a slash
        const int w = QFontMetrics(f).horizontalAdvance(bell);
        p->drawText(QRect(text.right() - w, text.top(), w, text.height()), Qt::AlignCenter, bell);
        text.setRight(text.right() - w - 4);
    }
    QFont f = option.font;
    f.setBold(unread > 0);
    p->setFont(f);
    p->setPen(c.text);
    // An unsent draft shows under the name, as in other messengers; not in the open
    // conversation, where the compose box shows it.
    // The start is enough for any row; eliding a long draft would measure all of it.
    const QString draft =
        index.data(ConversationListModel::DraftRole).toString().left(500).simplified();
    if (draft.isEmpty() || (option.state & QStyle::State_Selected)) {
        p->drawText(text, Qt::AlignVCenter | Qt::AlignLeft,
                    p->fontMetrics().elidedText(title, Qt::ElideRight, text.width()));
        p->restore();
        return;
    }
    const int half = text.height() / 2;
    const QRect top(text.left(), text.top(), text.width(), half);
    const QRect bottom(text.left(), text.top() + half, text.width(), text.height() - half);
    p->drawText(top, Qt::AlignBottom | Qt::AlignLeft,
                p->fontMetrics().elidedText(title, Qt::ElideRight, top.width()));
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.9);
    p->setFont(small);
    const QFontMetrics fm(small);
    QString label = tr("Draft:");
    if (!label.endsWith(QChar(0xFF1A))) // a full-width colon (Chinese) brings its own space
        label += QLatin1Char(' ');
    const int labelWidth = fm.horizontalAdvance(label);
    p->setPen(c.danger);
    p->drawText(bottom, Qt::AlignTop | Qt::AlignLeft, label);
    p->setPen(c.secondary);
    p->drawText(bottom.adjusted(labelWidth, 0, 0, 0), Qt::AlignTop | Qt::AlignLeft,
                fm.elidedText(draft, Qt::ElideRight, bottom.width() - labelWidth));
    p->restore();
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    return QSize(200, qMax(48, option.fontMetrics.height() * 2 + 14));
}

QRect UserDelegate::callButtonRect(const QRect &row)
{
    return QRect(row.right() - 34, row.center().y() - 13, 26, 26);
}

QRect UserDelegate::messageButtonRect(const QRect &row)
{
    return callButtonRect(row).translated(-30, 0);
}

void UserDelegate::paint(QPainter *p, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    const Theme::Colors &c = Theme::colors();
    p->save();
    p->setRenderHint(QPainter::Antialiasing);
    paintBackground(p, option);
    const QRect r = option.rect.adjusted(10, 5, -10, -5);
    const QString name = index.data(UserListModel::NameRole).toString();
    const bool self = index.data(UserListModel::SelfRole).toBool();
    const bool guest = index.data(UserListModel::GuestRole).toBool();
    const QRect avatar(r.left(), r.top(), r.height(), r.height());
    Avatar::paint(p, avatar, name);
    // Online dot on the avatar's corner; grey while the connection is down, when the list is
    // only the last one known and nobody is known to be online.
    const bool online = index.data(UserListModel::OnlineRole).toBool();
    const QRect dot(avatar.right() - 9, avatar.bottom() - 9, 10, 10);
    p->setPen(QPen(c.panel, 2));
    p->setBrush(online ? c.online : c.secondary);
    p->drawEllipse(dot);
    // The hover buttons take room from the name only while they show: a short name with a
    // guest mark was cut to "dw_…" in a list with room to spare.
    const bool actions = !self && (option.state & QStyle::State_MouseOver);
    QRect text = r.adjusted(avatar.width() + 10, 0, actions ? -64 : 0, 0);
    p->setPen(online ? c.text : c.secondary);
    p->setFont(option.font);
    const QString label = self ? tr("%1 (you)").arg(name) : name;
    // Guests have no account: anyone could have taken the name while its owner was away.
    const QString mark = guest ? tr("guest") : QString();
    const int markWidth = mark.isEmpty() ? 0 : p->fontMetrics().horizontalAdvance(mark) + 14;
    const QString shown =
        p->fontMetrics().elidedText(label, Qt::ElideRight, text.width() - markWidth);
    p->drawText(text, Qt::AlignVCenter | Qt::AlignLeft, shown);
    if (guest) {
        QFont small = option.font;
        small.setPointSizeF(small.pointSizeF() * 0.85);
        p->setFont(small);
        const int x = text.left() + p->fontMetrics().horizontalAdvance(shown) + 8;
        const QRect badge(x, text.center().y() - p->fontMetrics().height() / 2 - 1,
                          QFontMetrics(small).horizontalAdvance(mark) + 10,
                          p->fontMetrics().height() + 2);
        p->setPen(QPen(c.secondary, 1));
        p->setBrush(Qt::NoBrush);
        p->drawRoundedRect(badge, 4, 4);
        p->setPen(c.secondary);
        p->drawText(badge, Qt::AlignCenter, mark);
        p->setFont(option.font);
    }
    if (actions) {
        // Message and call actions. The call button is green like a phone's (a grey one read
        // as disabled), and grey only while the list is stale and no call can be placed.
        const QRect msg = messageButtonRect(option.rect);
        const QRect call = callButtonRect(option.rect);
        p->setPen(Qt::NoPen);
        p->setBrush(c.accent);
        p->drawEllipse(msg);
        p->setPen(Qt::white);
        p->drawText(msg, Qt::AlignCenter, QStringLiteral("✉"));
        p->setPen(Qt::NoPen);
        p->setBrush(online ? c.online : c.secondary.lighter(130));
        p->drawEllipse(call);
        p->setPen(Qt::white);
        p->drawText(call, Qt::AlignCenter, QStringLiteral("✆"));
    }
    p->restore();
}

QSize UserDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    return QSize(180, qMax(40, option.fontMetrics.height() + 18));
}

void SearchHitDelegate::paint(QPainter *p, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    const Theme::Colors &c = Theme::colors();
    p->save();
    paintBackground(p, option);
    const QRect r = option.rect.adjusted(10, 5, -10, -5);
    const QStringList lines = index.data().toString().split(QLatin1Char('\n'));
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QFontMetrics smallMetrics(small);
    p->setFont(small);
    p->setPen(c.secondary);
    p->drawText(QRect(r.left(), r.top(), r.width(), smallMetrics.height()),
                Qt::AlignLeft | Qt::AlignVCenter,
                smallMetrics.elidedText(lines.value(0), Qt::ElideRight, r.width()));

    // The snippet, with each occurrence of the searched words in bold.
    const QString snippet = lines.value(1);
    const QString needle = index.data(MessageSearchModel::SearchTextRole).toString();
    QFont bold = option.font;
    bold.setBold(true);
    int x = r.left();
    const int y = r.top() + smallMetrics.height() + 2;
    const int h = QFontMetrics(option.font).height();
    p->setPen(c.text);
    int from = 0;
    while (from < snippet.size() && x < r.right()) {
        // Each word of the search in bold, wherever it stands (they match in any order).
        const auto [at, length] = MessageSearchModel::nextMatch(snippet, needle, from);
        const bool match = at == from && length > 0;
        const int end = match ? from + length : (at < 0 ? int(snippet.size()) : at);
        const QFont &f = match ? bold : option.font;
        const QFontMetrics m(f);
        QString part = snippet.mid(from, end - from);
        const int room = r.right() - x;
        if (m.horizontalAdvance(part) > room)
            part = m.elidedText(part, Qt::ElideRight, room);
        p->setFont(f);
        p->drawText(QRect(x, y, room, h), Qt::AlignLeft | Qt::AlignVCenter, part);
        x += m.horizontalAdvance(part);
        from = end;
    }
    p->restore();
}

QSize SearchHitDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    return {200, QFontMetrics(small).height() + QFontMetrics(option.font).height() + 12};
}
