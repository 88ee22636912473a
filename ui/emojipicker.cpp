#include "emojipicker.h"

#include "emojifont.h"

#include <QEvent>
#include <QKeyEvent>
#include <QListWidget>
#include <QScreen>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace {
constexpr int kCell = 40;
constexpr int kColumns = 9;

// Common emoji by group, as space-separated sequences (some with the emoji presentation
// selector U+FE0F, which the colour font needs for them).
const char *const kGroups[] = {
    // Smileys
    "😀 😃 😄 😁 😆 😅 🤣 😂 🙂 🙃 😉 😊 😇 🥰 😍 🤩 😘 😗 😚 😙 😋 😛 😜 🤪 😝 🤑 🤗 🤭 "
    "🤫 "
    "🤔 🤐 🤨 😐 😑 😶 😏 😒 🙄 😬 😌 😔 😪 🤤 😴 😷 🤒 🤕 🤢 🤮 🥵 🥶 🥴 😵 🤯 🤠 "
    "🥳 😎 "
    "🤓 🧐 😕 😟 🙁 😮 😯 😲 😳 🥺 😦 😧 😨 😰 😥 😢 😭 😱 😖 😣 😞 😓 😩 😫 🥱 😤 😡 "
    "😠 "
    "🤬 😈 💀 💩 🤡 👻 👽 🤖",
    // People and gestures
    "👋 🤚 ✋ 🖖 👌 🤏 ✌️ 🤞 🤟 🤘 🤙 👈 👉 👆 👇 ☝️ 👍 👎 ✊ 👊 🤛 🤜 👏 🙌 👐 🤲 🤝 "
    "🙏 ✍️ "
    "💪 👀 🧠 👶 🧒 👦 👧 🧑 👨 👩 🧓 👴 👵 🙋 🙅 🙆 🤷 🤦 💁 "
    "🙇",
    // Hearts and symbols
    "❤️ 🧡 💛 💚 💙 💜 🖤 🤍 🤎 💔 ❣️ 💕 💞 💓 💗 💖 💘 💝 ✨ ⭐ 🌟 💫 🔥 💯 ✅ ❌ ❓ ❗ "
    "⚠️ "
    "🚫 💤 💬 💭 🎉 🎊 ➕ ➖ ✔️ 🆗 🆒 🆕 🔔 🔕",
    // Animals and nature
    "🐶 🐱 🐭 🐹 🐰 🦊 🐻 🐼 🐨 🐯 🦁 🐮 🐷 🐸 🐵 🐔 🐧 🐦 🐤 🦆 🦉 🐴 🦄 🐝 🐛 🦋 🐌 🐞 "
    "🐢 "
    "🐍 🐙 🐠 🐟 🐬 🐳 🌵 🎄 🌲 🌳 🌴 🌱 🌿 🍀 🍁 🍂 🌷 🌹 🌻 🌼 🌸 🌞 🌝 🌙 ⛅ 🌧️ ❄️ ⛄ 🌈 "
    "🌊",
    // Food and drink
    "🍏 🍎 🍐 🍊 🍋 🍌 🍉 🍇 🍓 🍒 🍑 🥭 🍍 🥥 🥝 🍅 🥑 🥦 🌽 🥕 🥐 🍞 🧀 🥚 🍳 🥓 🍔 🍟 "
    "🍕 "
    "🌭 🌮 🌯 🍜 🍝 🍣 🍱 🥟 🍚 🍙 🍘 🍰 🎂 🍦 🍩 🍪 🍫 🍬 ☕ 🍵 🧋 🍺 🍻 🥂 🍷 "
    "🥤",
    // Activities and objects
    "⚽ 🏀 🏈 ⚾ 🎾 🏐 🏓 🎯 🎮 🎲 🧩 🎨 🎬 🎤 🎧 🎸 🎹 🏆 🥇 🎁 🎈 📱 💻 ⌨️ 🖥️ 🖨️ 📷 📹 "
    "📞 "
    "☎️ 📺 ⏰ ⌛ ⏳ 💡 🔦 📚 📖 📝 ✏️ 📌 📎 ✂️ 📅 📈 📉 📊 🔒 🔓 🔑 🔨 🛠️ ⚙️ 🚀 ✈️ 🚗 🚲 "
    "🏠 "
    "🏢 🌍",
};
constexpr int kGroupCount = int(sizeof(kGroups) / sizeof(kGroups[0]));

QFont emojiFont(const QFont &base, int pixels)
{
    QFont f = base;
    if (!EmojiFont::family().isEmpty())
        f.setFamilies({EmojiFont::family()});
    f.setPixelSize(pixels);
    return f;
}
} // namespace

EmojiPicker::EmojiPicker(QWidget *parent) : QFrame(parent, Qt::Popup)
{
    setObjectName(QStringLiteral("emojiPicker"));
    setFrameShape(QFrame::StyledPanel);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("emojiGroups"));
    m_tabs->setDocumentMode(true);
    m_tabs->tabBar()->setFont(emojiFont(font(), 18));
    for (int g = 0; g < kGroupCount; ++g) {
        auto *list = new QListWidget(m_tabs);
        list->setObjectName(QStringLiteral("emojiGroup%1").arg(g));
        list->setViewMode(QListView::IconMode);
        list->setMovement(QListView::Static);
        list->setResizeMode(QListView::Adjust);
        list->setWrapping(true);
        list->setUniformItemSizes(true);
        list->setGridSize(QSize(kCell, kCell));
        list->setFont(emojiFont(font(), 24));
        list->setFrameShape(QFrame::NoFrame);
        list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        const QStringList emoji =
            QString::fromUtf8(kGroups[g]).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (const QString &e : emoji) {
            auto *item = new QListWidgetItem(e, list);
            item->setTextAlignment(Qt::AlignCenter);
            item->setSizeHint(QSize(kCell, kCell));
        }
        list->setCurrentRow(0);
        connect(list, &QListWidget::itemClicked, this,
                [this](QListWidgetItem *item) { choose(item->text()); });
        list->installEventFilter(this);
        // The group's first emoji names its tab; the name is in the tooltip.
        m_tabs->addTab(list, emoji.value(0));
    }
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (QWidget *list = m_tabs->widget(index))
            list->setFocus();
    });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_tabs);
    // Nine columns and six rows, and room for a scroll bar.
    resize(kColumns * kCell + 8 + 16 + 14, 6 * kCell + 8 + 44);
    retranslate();
}

int EmojiPicker::groupCount() const
{
    return m_tabs->count();
}

QListWidget *EmojiPicker::group(int index) const
{
    return qobject_cast<QListWidget *>(m_tabs->widget(index));
}

void EmojiPicker::popup(QWidget *anchor)
{
    QPoint at = anchor->mapToGlobal(QPoint(anchor->width() - width(), -height() - 4));
    // Kept on the screen: below the button when there is no room above.
    if (const QScreen *screen = anchor->screen()) {
        const QRect area = screen->availableGeometry();
        if (at.y() < area.top())
            at.setY(anchor->mapToGlobal(QPoint(0, anchor->height() + 4)).y());
        at.setX(qBound(area.left(), at.x(), qMax(area.left(), area.right() - width())));
    }
    move(at);
    show();
    if (QWidget *list = m_tabs->currentWidget())
        list->setFocus();
}

void EmojiPicker::choose(const QString &emoji)
{
    hide();
    emit emojiChosen(emoji);
}

bool EmojiPicker::eventFilter(QObject *watched, QEvent *event)
{
    auto *list = qobject_cast<QListWidget *>(watched);
    if (list && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const bool ctrl = key->modifiers() & Qt::ControlModifier;
        const int groups = m_tabs->count();
        switch (key->key()) {
        case Qt::Key_Return:
        case Qt::Key_Enter:
        case Qt::Key_Space:
            if (QListWidgetItem *item = list->currentItem())
                choose(item->text());
            return true;
        case Qt::Key_Escape:
            hide();
            return true;
        case Qt::Key_PageDown:
        case Qt::Key_Tab:
            if (!ctrl)
                break;
            m_tabs->setCurrentIndex((m_tabs->currentIndex() + 1) % groups);
            return true;
        case Qt::Key_PageUp:
        case Qt::Key_Backtab:
            if (!ctrl)
                break;
            m_tabs->setCurrentIndex((m_tabs->currentIndex() + groups - 1) % groups);
            return true;
        default:
            break;
        }
    }
    return QFrame::eventFilter(watched, event);
}

void EmojiPicker::retranslate()
{
    const QStringList names{tr("Smileys"),
                            tr("People and gestures"),
                            tr("Hearts and symbols"),
                            tr("Animals and nature"),
                            tr("Food and drink"),
                            tr("Activities and objects")};
    for (int g = 0; g < m_tabs->count() && g < names.size(); ++g) {
        m_tabs->setTabToolTip(g, names.at(g));
        group(g)->setAccessibleName(names.at(g));
    }
}

void EmojiPicker::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QFrame::changeEvent(event);
}
