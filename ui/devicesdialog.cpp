#include "devicesdialog.h"

#include "net/clientsession.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {
constexpr int kIdRole = Qt::UserRole + 1;
constexpr int kCurrentRole = Qt::UserRole + 2;

QString when(qint64 ms)
{
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat);
}
} // namespace

DevicesDialog::DevicesDialog(ClientSession *session, QWidget *parent)
    : QDialog(parent), m_session(session)
{
    setWindowTitle(tr("Devices"));
    setObjectName(QStringLiteral("devicesDialog"));
    resize(700, 260);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("deviceList"));
    m_list->setHeaderLabels({tr("Device"), tr("Signed in"), tr("Last used")});
    m_list->setRootIsDecorated(false);
    m_list->setTextElideMode(Qt::ElideMiddle); // a long label keeps its "(this device)"
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_signOut = new QPushButton(tr("&Sign out the selected device"), this);
    m_signOut->setObjectName(QStringLiteral("revokeButton"));
    m_signOut->setEnabled(false);
    m_signOutOthers = new QPushButton(tr("Sign out &all other devices"), this);
    m_signOutOthers->setObjectName(QStringLiteral("revokeOthersButton"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    close->button(QDialogButtonBox::Close)->setText(tr("Close")); // Qt's own may be missing
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *row = new QHBoxLayout;
    row->addWidget(m_signOut);
    row->addWidget(m_signOutOthers);
    row->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_list);
    layout->addLayout(row);
    layout->addWidget(m_status);
    layout->addWidget(close);

    connect(m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        m_signOut->setEnabled(item && !item->data(0, kCurrentRole).toBool());
    });
    connect(m_signOut, &QPushButton::clicked, this, [this] {
        if (QTreeWidgetItem *item = m_list->currentItem()) {
            m_session->revokeDevice(item->data(0, kIdRole).toLongLong());
            m_status->setText(tr("Signing out %1…").arg(item->text(0)));
        }
    });
    connect(m_signOutOthers, &QPushButton::clicked, this, [this] {
        if (QMessageBox::question(this, tr("Sign out all other devices"),
                                  tr("Every other device signed in to your account will need "
                                     "the password again. Continue?")) == QMessageBox::Yes) {
            m_session->revokeDevice(0);
            m_status->setText(tr("Signing out the other devices…"));
        }
    });
    connect(session, &ClientSession::devicesReceived, this, &DevicesDialog::fill);
    connect(session, &ClientSession::deviceRevoked, this, [this](int count) {
        m_status->setText(tr("%n device(s) signed out.", "", count));
        refresh();
    });
    refresh();
}

void DevicesDialog::refresh()
{
    if (m_session->state() == ClientSession::State::Online)
        m_session->requestDevices();
    else
        m_status->setText(tr("Not connected: the list shows when Confab is online."));
}

void DevicesDialog::fill(const QList<DeviceInfo> &devices)
{
    m_list->clear();
    for (const DeviceInfo &d : devices) {
        const bool current = d.current;
        const QString &label = d.label;
        auto *item =
            new QTreeWidgetItem(m_list, {current ? tr("%1 (this device)").arg(label) : label,
                                         when(d.createdMs), when(d.lastUsedMs)});
        item->setToolTip(0, label);
        item->setData(0, kIdRole, d.id);
        item->setData(0, kCurrentRole, current);
        if (current) {
            QFont bold = item->font(0);
            bold.setBold(true);
            item->setFont(0, bold);
        }
    }
    m_signOutOthers->setEnabled(devices.size() > 1);
}
