#pragma once

#include <QColor>
#include <QString>

class QPainter;
class QRect;

// A circle with the initial(s) on a colour derived from the name: the same person always has
// the same colour, on every machine.
class Avatar
{
public:
    static QColor colorFor(const QString &name);
    static QString initialsFor(const QString &name);
    static void paint(QPainter *painter, const QRect &rect, const QString &name);
};
