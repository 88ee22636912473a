#pragma once

#include "settings/settings.h"

#include <QColor>

class QApplication;

// The two looks of ../shared/ui.md: a palette plus one style sheet per theme, and the named
// colours the delegates paint with.
class Theme
{
public:
    struct Colors
    {
        QColor window;
        QColor panel;
        QColor text;
        QColor secondary;
        QColor accent;
        QColor ownBubble;
        QColor otherBubble;
        QColor mention;
        QColor danger;
        QColor online;
    };

    // Applies `choice` to the application (System follows the desktop's light/dark).
    static void apply(QApplication &app, Settings::Theme choice);
    static bool isDark() { return s_dark; }
    static const Colors &colors();
    static Colors light();
    static Colors dark();
    static bool systemPrefersDark();

private:
    static bool s_dark;
};
