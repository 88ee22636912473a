#include "avatar.h"

#include "protocol/namerules.h"

#include <QCryptographicHash>
#include <QPainter>

QColor Avatar::colorFor(const QString &name)
{
    // A stable hash (not qHash, which is seeded per process).
    const QByteArray digest =
        QCryptographicHash::hash(NameRules::key(name).toUtf8(), QCryptographicHash::Md5);
    const int hue = (quint8(digest.at(0)) << 8 | quint8(digest.at(1))) % 360;
    return QColor::fromHsl(hue, 140, 110);
}

QString Avatar::initialsFor(const QString &name)
{
    QString letters;
    bool takeNext = true;
    for (qsizetype i = 0; i < name.size() && letters.size() < 2; ++i) {
        const QChar c = name.at(i);
        if (c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char('.')) {
            takeNext = true;
            continue;
        }
        if (takeNext && c.isLetterOrNumber()) {
            letters += c.isHighSurrogate() && i + 1 < name.size() ? name.mid(i++, 2) : QString(c);
            takeNext = false;
        }
    }
    return letters.isEmpty() ? QStringLiteral("?") : letters.toUpper();
}

void Avatar::paint(QPainter *painter, const QRect &rect, const QString &name)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(colorFor(name));
    painter->drawEllipse(rect);
    QFont f = painter->font();
    f.setBold(true);
    f.setPixelSize(qMax(8, rect.height() * 2 / 5));
    painter->setFont(f);
    painter->setPen(Qt::white);
    painter->drawText(rect, Qt::AlignCenter, initialsFor(name));
    painter->restore();
}
