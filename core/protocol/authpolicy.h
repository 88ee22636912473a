#pragma once

#include <QJsonObject>
#include <QString>

// Who may join a server and how, as the handshake announces it (docs/protocol.md, section 2):
// whether new accounts can be made (and with an invite only), and whether guests may join.
struct AuthPolicy
{
    enum class Registration { Open, Invite, Closed };

    static constexpr int kMinPasswordChars = 8;
    static constexpr int kMaxPasswordChars = 1024;
    static constexpr int kMaxDeviceChars = 64;
    static constexpr int kMaxTokenChars = 128;
    static constexpr int kMaxInviteChars = 64;

    Registration registration = Registration::Invite;
    bool guests = true;

    QJsonObject toJson() const;
    static AuthPolicy fromJson(const QJsonObject &object);
    static QString registrationName(Registration r);
    // nullopt-like: false when `name` is not open/invite/closed.
    static bool registrationFromName(const QString &name, Registration *out);
};
