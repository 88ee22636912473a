#include "theme.h"

#include <QApplication>
#include <QFile>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

bool Theme::s_dark = false;

Theme::Colors Theme::light()
{
    return Colors{QColor(0xFFFFFF), QColor(0xF4F5F7), QColor(0x1F2328), QColor(0x6A737D),
                  QColor(0x2F80ED), QColor(0xDCEBFF), QColor(0xF0F1F3), QColor(0xFFF4CC),
                  QColor(0xD73A49), QColor(0x2DA44E)};
}

Theme::Colors Theme::dark()
{
    return Colors{QColor(0x17191C), QColor(0x1F2226), QColor(0xE6E6E6), QColor(0x9AA0A6),
                  QColor(0x5B9DFF), QColor(0x23364F), QColor(0x2A2E33), QColor(0x4A3F1C),
                  QColor(0xF85149), QColor(0x3FB950)};
}

const Theme::Colors &Theme::colors()
{
    static const Colors l = light();
    static const Colors d = dark();
    return s_dark ? d : l;
}

bool Theme::systemPrefersDark()
{
    // Qt 6.4 has no colour-scheme hint; a dark desktop shows in its default window colour.
    const QPalette p =
        QApplication::style() ? QApplication::style()->standardPalette() : QPalette();
    return p.color(QPalette::Window).lightness() < 128;
}

void Theme::apply(QApplication &app, Settings::Theme choice)
{
    s_dark = choice == Settings::Theme::Dark ||
             (choice == Settings::Theme::System && systemPrefersDark());
    const Colors &c = colors();
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p;
    p.setColor(QPalette::Window, c.window);
    p.setColor(QPalette::WindowText, c.text);
    p.setColor(QPalette::Base, c.window);
    p.setColor(QPalette::AlternateBase, c.panel);
    p.setColor(QPalette::Text, c.text);
    p.setColor(QPalette::Button, c.panel);
    p.setColor(QPalette::ButtonText, c.text);
    p.setColor(QPalette::Highlight, c.accent);
    p.setColor(QPalette::HighlightedText, QColor(Qt::white));
    p.setColor(QPalette::ToolTipBase, c.panel);
    p.setColor(QPalette::ToolTipText, c.text);
    p.setColor(QPalette::PlaceholderText, c.secondary);
    p.setColor(QPalette::Link, c.accent);
    p.setColor(QPalette::Disabled, QPalette::Text, c.secondary);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, c.secondary);
    p.setColor(QPalette::Disabled, QPalette::WindowText, c.secondary);
    app.setPalette(p);
    QFile qss(s_dark ? QStringLiteral(":/themes/dark.qss") : QStringLiteral(":/themes/light.qss"));
    if (qss.open(QIODevice::ReadOnly))
        app.setStyleSheet(QString::fromUtf8(qss.readAll()));
}
