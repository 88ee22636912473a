#pragma once

#include <QString>

// The program's language: Qt's own translations and Confab's (the .qm files compiled into
// the program under :/i18n). Switching replaces the installed translators, and Qt sends every
// window a QEvent::LanguageChange: the windows retranslate themselves, with no restart.
class Translations
{
public:
    // `language` is "" for the system's, else a locale name ("en", "zh_CN"). Returns whether
    // Confab's own translation for it was found (English, the source language, has none).
    static bool install(const QString &language);
};
