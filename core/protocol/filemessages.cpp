#include "protocol/filemessages.h"

#include "protocol/namerules.h"

#include <QJsonDocument>

#include <limits>

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// A whole JSON number in [min, max]; absent gives `fallback`, anything else false.
bool readWhole(const QJsonObject &o, QLatin1String key, qint64 min, qint64 max, qint64 fallback,
               qint64 *out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined()) {
        *out = fallback;
        return true;
    }
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (!(d >= double(min) && d <= double(max)) || d != double(qint64(d)))
        return false;
    *out = qint64(d);
    return true;
}

constexpr qint64 kMaxSeq = std::numeric_limits<qint64>::max() / 2;
constexpr qint64 kMaxTransfer = 0xFFFFFFFFLL;

} // namespace

bool FileMessages::isFileRequest(const QString &type)
{
    return type == QLatin1String("file_offer") || type == QLatin1String("file_get") ||
           type == QLatin1String("file_cancel");
}

ErrorCode FileMessages::decode(const QString &type, const QJsonObject &o,
                               const ProtocolLimits &limits, ClientRequest &r)
{
    if (type == QLatin1String("file_offer")) {
        r.type = ClientRequest::Type::FileOffer;
        // The id is the file message's: it is how a resend after a reconnect is recognised.
        if (r.ref.isEmpty())
            return ErrorCode::BadShape;
        const QJsonValue name = o.value(QLatin1String("name"));
        const QJsonValue mime = o.value(QLatin1String("mime"));
        const QJsonValue sha = o.value(QLatin1String("sha256"));
        const QJsonValue size = o.value(QLatin1String("size"));
        if (!name.isString() || !mime.isString() || !sha.isString() || !size.isDouble())
            return ErrorCode::BadShape;
        FileRef f;
        f.name = name.toString();
        if (f.name.size() <= 4 * FileRef::kMaxNameChars)
            f.name = f.name.normalized(QString::NormalizationForm_C);
        f.mime = mime.toString().toLower();
        f.sha256 = sha.toString().toLower();
        qint64 bytes = 0;
        if (!readWhole(o, QLatin1String("size"), 1, kMaxSeq, 0, &bytes) ||
            !FileRef::isValidName(f.name) || !FileRef::isValidMime(f.mime) ||
            !FileRef::isValidSha256(f.sha256))
            return ErrorCode::BadFile;
        f.size = bytes;
        if (limits.maxFileBytes <= 0)
            return ErrorCode::Unsupported;
        if (f.size > limits.maxFileBytes)
            return ErrorCode::FileTooLarge;
        const QJsonValue to = o.value(QLatin1String("to"));
        if (!to.isUndefined() && !to.isString())
            return ErrorCode::BadShape;
        r.to = to.toString();
        if (!r.to.isEmpty() && NameRules::check(r.to, limits.maxNameChars) != ErrorCode::None)
            return ErrorCode::BadRecipient;
        r.file = f;
        return ErrorCode::None;
    }
    if (type == QLatin1String("file_get")) {
        r.type = ClientRequest::Type::FileGet;
        if (!o.contains(QLatin1String("seq")) ||
            !readWhole(o, QLatin1String("seq"), 1, kMaxSeq, 0, &r.seq) ||
            !readWhole(o, QLatin1String("offset"), 0, kMaxSeq, 0, &r.fileOffset))
            return ErrorCode::BadShape;
        return limits.maxFileBytes > 0 ? ErrorCode::None : ErrorCode::Unsupported;
    }
    r.type = ClientRequest::Type::FileCancel;
    qint64 upload = 0;
    qint64 download = 0;
    if (!readWhole(o, QLatin1String("upload"), 1, kMaxTransfer, 0, &upload) ||
        !readWhole(o, QLatin1String("download"), 1, kMaxTransfer, 0, &download) ||
        (upload == 0) == (download == 0))
        return ErrorCode::BadShape; // exactly one of them
    r.transfer = quint32(upload ? upload : download);
    r.cancelUpload = upload != 0;
    return ErrorCode::None;
}

QByteArray FileMessages::upload(quint32 upload, qint64 offset, const QString &ref)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("file_upload")},
                  {QStringLiteral("upload"), qint64(upload)},
                  {QStringLiteral("offset"), offset}};
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray FileMessages::progress(quint32 upload, qint64 offset)
{
    return compact({{QStringLiteral("type"), QStringLiteral("file_progress")},
                    {QStringLiteral("upload"), qint64(upload)},
                    {QStringLiteral("offset"), offset}});
}

QByteArray FileMessages::download(quint32 download, qint64 seq, qint64 offset, qint64 size,
                                  const QString &ref)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("file_download")},
                  {QStringLiteral("download"), qint64(download)},
                  {QStringLiteral("seq"), seq},
                  {QStringLiteral("offset"), offset},
                  {QStringLiteral("size"), size}};
    if (!ref.isEmpty())
        o.insert(QStringLiteral("id"), ref);
    return compact(o);
}

QByteArray FileMessages::offerRequest(const FileRef &file, const QString &id, const QString &to)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("file_offer")},
                  {QStringLiteral("name"), file.name},
                  {QStringLiteral("size"), file.size},
                  {QStringLiteral("mime"), file.mime},
                  {QStringLiteral("sha256"), file.sha256},
                  {QStringLiteral("id"), id}};
    // Always said, as for chat messages: "" is the room.
    o.insert(QStringLiteral("to"), to);
    return compact(o);
}

QByteArray FileMessages::getRequest(qint64 seq, qint64 offset, const QString &id)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("file_get")},
                  {QStringLiteral("seq"), seq},
                  {QStringLiteral("offset"), offset}};
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    return compact(o);
}

QByteArray FileMessages::cancelUploadRequest(quint32 upload)
{
    return compact({{QStringLiteral("type"), QStringLiteral("file_cancel")},
                    {QStringLiteral("upload"), qint64(upload)}});
}

QByteArray FileMessages::cancelDownloadRequest(quint32 download)
{
    return compact({{QStringLiteral("type"), QStringLiteral("file_cancel")},
                    {QStringLiteral("download"), qint64(download)}});
}
