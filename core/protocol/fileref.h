#pragma once

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>

// A file carried by a chat message (docs/protocol.md section 18): what it is called, how
// large it is, its type and its SHA-256. The bytes are on the server, stored by that hash;
// anyone who may see the message may download them by the message's seq.
struct FileRef
{
    static constexpr int kMaxNameChars = 255; // code points
    static constexpr int kMaxMimeChars = 100;

    QString name;
    qint64 size = 0;
    QString mime;   // "type/subtype", lower case
    QString sha256; // 64 lower-case hex digits

    bool operator==(const FileRef &o) const
    {
        return name == o.name && size == o.size && mime == o.mime && sha256 == o.sha256;
    }

    QJsonObject toJson() const;
    // nullopt when a field is missing or breaks its rule.
    static std::optional<FileRef> fromJson(const QJsonValue &value);
    // The compact JSON kept in the message store's `file` column, and back.
    QString toStored() const;
    static std::optional<FileRef> fromStored(const QString &stored);

    // A file name as shown and saved: 1..255 code points, something visible, no control
    // characters, no bidi embeddings, overrides or isolates (they can make "gpj.exe" read
    // "exe.jpg"), no '/' or '\', not "." or "..".
    static bool isValidName(const QString &name);
    // "type/subtype" of RFC 6838 token characters, at most 100 characters.
    static bool isValidMime(const QString &mime);
    static bool isValidSha256(const QString &hex);
    // The image types clients show inline, and whose first bytes the server checks.
    static bool isCheckedImage(const QString &mime);
    // Whether `head` (the file's first bytes, at least 12 when the file has them) can begin a
    // file of type `mime`: checked for the image types above, true for any other type.
    static bool contentMatches(const QString &mime, QByteArrayView head);
    // "1.2 MB", for the text older clients show instead of the file.
    static QString sizeText(qint64 bytes);
    // The text of a file message for clients that know no files: "📎 name (size)".
    QString summary() const;
};
