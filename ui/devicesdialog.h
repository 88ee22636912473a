#pragma once

#include <QDialog>
#include <QList>

class ClientSession;
struct DeviceInfo;
class QLabel;
class QPushButton;
class QTreeWidget;

// Account → Devices: every device signed in to the account (its label, when it signed in,
// when it was last used), with this one marked. Sign out one, or all the others.
class DevicesDialog : public QDialog
{
    Q_OBJECT
public:
    explicit DevicesDialog(ClientSession *session, QWidget *parent = nullptr);

private:
    void refresh();
    void fill(const QList<DeviceInfo> &devices);

    ClientSession *m_session;
    QTreeWidget *m_list;
    QPushButton *m_signOut;
    QPushButton *m_signOutOthers;
    QLabel *m_status;
};
