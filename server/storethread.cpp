#include "storethread.h"

StoreThread::StoreThread(const QString &name, Threading threading, QObject *parent)
    : QObject(parent), m_inline(threading == Threading::Inline)
{
    m_thread.setObjectName(name);
}

StoreThread::~StoreThread()
{
    stop({});
}

bool StoreThread::start(const std::function<bool()> &open)
{
    if (m_inline)
        return open();
    if (!m_worker) {
        m_worker = new QObject;
        m_worker->moveToThread(&m_thread);
        connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
        m_thread.start();
    }
    bool ok = false;
    QMetaObject::invokeMethod(
        m_worker, [&] { ok = open(); }, Qt::BlockingQueuedConnection);
    return ok;
}

void StoreThread::stop(const std::function<void()> &close)
{
    if (m_inline) {
        if (close)
            close();
        return;
    }
    if (!m_thread.isRunning())
        return;
    // Queued after everything asked for so far: that is all done when this runs.
    if (close)
        QMetaObject::invokeMethod(m_worker, close, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_worker = nullptr;
}
