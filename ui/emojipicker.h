#pragma once

#include <QFrame>

class QListWidget;
class QTabWidget;

// The compose box's emoji button opens this: a popup grid of common emoji in groups (one
// tab each), drawn in the colour emoji font (EmojiFont). Arrow keys move in the grid,
// Enter or a click picks, Ctrl+Tab / Ctrl+PgDown and Ctrl+Shift+Tab / Ctrl+PgUp change the
// group, Esc closes.
class EmojiPicker : public QFrame
{
    Q_OBJECT
public:
    explicit EmojiPicker(QWidget *parent = nullptr);

    // Shows it above `anchor` (its right edges aligned), with the grid focused.
    void popup(QWidget *anchor);
    int groupCount() const;
    QListWidget *group(int index) const;
    QTabWidget *tabs() const { return m_tabs; }

signals:
    void emojiChosen(const QString &emoji);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void choose(const QString &emoji);

    QTabWidget *m_tabs;
};
