#include "protocol/authpolicy.h"

QJsonObject AuthPolicy::toJson() const
{
    return QJsonObject{
        {QStringLiteral("registration"), registrationName(registration)},
        {QStringLiteral("guests"), guests},
        {QStringLiteral("password_chars"), kMinPasswordChars},
    };
}

AuthPolicy AuthPolicy::fromJson(const QJsonObject &object)
{
    AuthPolicy policy;
    // An old server sends no "auth": it has no accounts, everyone is a guest.
    if (object.isEmpty()) {
        policy.registration = Registration::Closed;
        policy.guests = true;
        return policy;
    }
    Registration r = Registration::Closed;
    if (registrationFromName(object.value(QLatin1String("registration")).toString(), &r))
        policy.registration = r;
    else
        policy.registration = Registration::Closed;
    policy.guests = object.value(QLatin1String("guests")).toBool(true);
    return policy;
}

QString AuthPolicy::registrationName(Registration r)
{
    switch (r) {
    case Registration::Open:
        return QStringLiteral("open");
    case Registration::Invite:
        return QStringLiteral("invite");
    case Registration::Closed:
        break;
    }
    return QStringLiteral("closed");
}

bool AuthPolicy::registrationFromName(const QString &name, Registration *out)
{
    for (Registration r : {Registration::Open, Registration::Invite, Registration::Closed}) {
        if (name == registrationName(r)) {
            *out = r;
            return true;
        }
    }
    return false;
}
