#pragma once

#include <QByteArray>
#include <QString>

// Secrets the server hands out (device tokens, invite codes) and how it keeps them: only a
// hash is stored, so a copy of the database does not let anyone sign in. The secrets are
// random enough (256 bits for tokens) that a fast hash is as good as a slow one.
class SecretToken
{
public:
    // 256 random bits (libsodium's randombytes_buf), base64url without padding: 43 characters.
    static QString newToken();
    // A shorter code for people to pass on (invites): 120 bits in base32 groups, 29 characters.
    static QString newInviteCode();
    // SHA-256 of the secret, hex. Invite codes are compared without case and dashes.
    static QString hash(const QString &secret);
    static QString inviteHash(const QString &code);
};
