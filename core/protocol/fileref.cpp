#include "protocol/fileref.h"

#include <QJsonDocument>

namespace {

bool isMimeChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '!' || u == '#' || u == '$' ||
           u == '&' || u == '^' || u == '_' || u == '.' || u == '+' || u == '-';
}

bool startsWith(QByteArrayView head, QByteArrayView magic, qsizetype at = 0)
{
    return head.size() >= at + magic.size() && head.sliced(at, magic.size()) == magic;
}

} // namespace

QJsonObject FileRef::toJson() const
{
    return QJsonObject{
        {QStringLiteral("name"), name},
        {QStringLiteral("size"), size},
        {QStringLiteral("mime"), mime},
        {QStringLiteral("sha256"), sha256},
    };
}

std::optional<FileRef> FileRef::fromJson(const QJsonValue &value)
{
    if (!value.isObject())
        return std::nullopt;
    const QJsonObject o = value.toObject();
    FileRef f;
    f.name = o.value(QLatin1String("name")).toString();
    const double size = o.value(QLatin1String("size")).toDouble(-1);
    f.mime = o.value(QLatin1String("mime")).toString();
    f.sha256 = o.value(QLatin1String("sha256")).toString();
    if (!(size >= 1 && size < 9e15) || size != double(qint64(size)))
        return std::nullopt;
    f.size = qint64(size);
    if (!isValidName(f.name) || !isValidMime(f.mime) || !isValidSha256(f.sha256))
        return std::nullopt;
    return f;
}

QString FileRef::toStored() const
{
    return QString::fromUtf8(QJsonDocument(toJson()).toJson(QJsonDocument::Compact));
}

std::optional<FileRef> FileRef::fromStored(const QString &stored)
{
    if (stored.isEmpty())
        return std::nullopt;
    return fromJson(QJsonDocument::fromJson(stored.toUtf8()).object());
}

bool FileRef::isValidName(const QString &name)
{
    if (name.isEmpty() || name.size() > 2 * kMaxNameChars)
        return false;
    if (name == QLatin1String(".") || name == QLatin1String(".."))
        return false;
    int chars = 0;
    bool visible = false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        char32_t u = c.unicode();
        if (c.isHighSurrogate() && i + 1 < name.size() && name.at(i + 1).isLowSurrogate()) {
            u = QChar::surrogateToUcs4(c, name.at(++i));
        } else if (c.isSurrogate()) {
            return false;
        }
        ++chars;
        if (u < 0x20 || (u >= 0x7F && u < 0xA0) || u == '/' || u == '\\')
            return false;
        if ((u >= 0x202A && u <= 0x202E) || (u >= 0x2066 && u <= 0x2069) || u == 0x200E ||
            u == 0x200F || u == 0x061C)
            return false;
        if (!QChar::isSpace(u) && QChar::category(u) != QChar::Other_Format)
            visible = true;
    }
    return visible && chars <= kMaxNameChars;
}

bool FileRef::isValidMime(const QString &mime)
{
    if (mime.isEmpty() || mime.size() > kMaxMimeChars)
        return false;
    const qsizetype slash = mime.indexOf(QLatin1Char('/'));
    if (slash <= 0 || slash == mime.size() - 1)
        return false;
    for (qsizetype i = 0; i < mime.size(); ++i) {
        if (i != slash && !isMimeChar(mime.at(i)))
            return false;
    }
    return true;
}

bool FileRef::isValidSha256(const QString &hex)
{
    if (hex.size() != 64)
        return false;
    for (QChar c : hex) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
              (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

bool FileRef::isCheckedImage(const QString &mime)
{
    return mime == QLatin1String("image/png") || mime == QLatin1String("image/jpeg") ||
           mime == QLatin1String("image/gif") || mime == QLatin1String("image/webp") ||
           mime == QLatin1String("image/bmp");
}

bool FileRef::contentMatches(const QString &mime, QByteArrayView head)
{
    if (mime == QLatin1String("image/png"))
        return startsWith(head, "\x89PNG\r\n\x1a\n");
    if (mime == QLatin1String("image/jpeg"))
        return startsWith(head, "\xff\xd8\xff");
    if (mime == QLatin1String("image/gif"))
        return startsWith(head, "GIF87a") || startsWith(head, "GIF89a");
    if (mime == QLatin1String("image/webp"))
        return startsWith(head, "RIFF") && startsWith(head, "WEBP", 8);
    if (mime == QLatin1String("image/bmp"))
        return startsWith(head, "BM");
    return true;
}

QString FileRef::sizeText(qint64 bytes)
{
    if (bytes < 1000)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1000 * 1000)
        return QStringLiteral("%1 kB").arg(double(bytes) / 1000, 0, 'f', bytes < 10000 ? 1 : 0);
    if (bytes < qint64(1000) * 1000 * 1000)
        return QStringLiteral("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 1);
    return QStringLiteral("%1 GB").arg(double(bytes) / 1e9, 0, 'f', 1);
}

QString FileRef::summary() const
{
    return QStringLiteral("\U0001F4CE %1 (%2)").arg(name, sizeText(size));
}
