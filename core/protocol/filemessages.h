#pragma once

#include "protocol/clientrequest.h"
#include "protocol/errorcode.h"
#include "protocol/fileref.h"
#include "protocol/protocollimits.h"

#include <QByteArray>
#include <QJsonObject>

// The messages of file transfers (docs/protocol.md section 18), both ways: the client's
// file_offer, file_get and file_cancel, and the server's file_upload, file_progress and
// file_download. The bytes themselves travel in binary messages (FileChunkHeader).
class FileMessages
{
public:
    // Whether `type` is one of the client's file requests.
    static bool isFileRequest(const QString &type);
    // Fills `r` from a file request of `type`; the error when it breaks a rule.
    static ErrorCode decode(const QString &type, const QJsonObject &o, const ProtocolLimits &limits,
                            ClientRequest &r);

    // Server to client.
    static QByteArray upload(quint32 upload, qint64 offset, const QString &ref);
    static QByteArray progress(quint32 upload, qint64 offset);
    static QByteArray download(quint32 download, qint64 seq, qint64 offset, qint64 size,
                               const QString &ref);

    // Client to server.
    static QByteArray offerRequest(const FileRef &file, const QString &id, const QString &to = {});
    static QByteArray getRequest(qint64 seq, qint64 offset, const QString &id = {});
    static QByteArray cancelUploadRequest(quint32 upload);
    static QByteArray cancelDownloadRequest(quint32 download);
};
