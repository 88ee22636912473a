#include "accounts/asyncaccountstore.h"

AsyncAccountStore::AsyncAccountStore(std::unique_ptr<AccountStore> store, Threading threading,
                                     QObject *parent)
    : QObject(parent), m_store(std::move(store)),
      m_thread(QStringLiteral("account store"), threading)
{}

AsyncAccountStore::~AsyncAccountStore()
{
    m_thread.stop([this] { m_store.reset(); });
}

bool AsyncAccountStore::open(QString *error)
{
    QString why;
    if (m_thread.start([&] { return m_store->open(&why); }))
        return true;
    if (error)
        *error = why;
    return false;
}
