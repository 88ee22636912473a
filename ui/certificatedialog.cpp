#include "certificatedialog.h"

#include <QMessageBox>
#include <QPushButton>

namespace {
// A SHA-256 fingerprint: four rows, narrow enough for the box in any language (a row wider
// than the box would still break anywhere).
constexpr qsizetype kBytesPerRow = 8;
} // namespace

bool CertificateDialog::ask(QWidget *parent, const QString &hostPort, const QString &fingerprint,
                            bool changed)
{
    QMessageBox box(parent);
    box.setObjectName(QStringLiteral("certificateDialog"));
    box.setTextFormat(Qt::RichText);
    box.setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The fingerprint in groups the eye can compare: the same text as the server's owner sees
    // next to the address in Confab's status bar, or from `openssl x509 -fingerprint -sha256`.
    // Rows of 8 bytes, each kept whole: left to the label's wrapping, the rows broke at a
    // different byte each time, hard to compare with what the owner reads.
    const QStringList bytes = fingerprint.split(QLatin1Char(':'));
    QStringList rows;
    for (qsizetype i = 0; i < bytes.size(); i += kBytesPerRow) {
        const bool last = i + kBytesPerRow >= bytes.size();
        const QString row = bytes.mid(i, kBytesPerRow).join(QLatin1Char(':')) +
                            (last ? QString() : QStringLiteral(":"));
        rows << QStringLiteral("<nobr>%1</nobr>").arg(row.toHtmlEscaped());
    }
    const QString shown = QStringLiteral("<tt>%1</tt>").arg(rows.join(QStringLiteral("<br>")));
    if (changed) {
        box.setIcon(QMessageBox::Critical);
        box.setWindowTitle(tr("Certificate changed"));
        box.setText(tr("<b>The certificate of %1 has changed.</b>").arg(hostPort.toHtmlEscaped()));
        box.setInformativeText(
            tr("It is not the certificate you accepted before. Someone may be intercepting "
               "the connection, or the server's owner made a new one.<br><br>New "
               "fingerprint:<br>%1<br><br>Connect only if the server's owner confirms this "
               "fingerprint.")
                .arg(shown));
    } else {
        box.setIcon(QMessageBox::Warning);
        box.setWindowTitle(tr("Unknown certificate"));
        box.setText(tr("<b>%1 uses a certificate that no authority vouches for.</b>")
                        .arg(hostPort.toHtmlEscaped()));
        box.setInformativeText(
            tr("That is usual for a server someone hosts on their own computer. Compare its "
               "fingerprint with the one its owner sees (next to the address in their Confab "
               "window):<br><br>%1<br><br>If they match, Confab remembers this certificate "
               "and warns you if it ever changes.")
                .arg(shown));
    }
    QPushButton *trust =
        box.addButton(changed ? tr("Trust the new certificate") : tr("Trust and connect"),
                      QMessageBox::AcceptRole);
    trust->setObjectName(QStringLiteral("trustButton"));
    QPushButton *cancel = box.addButton(QMessageBox::Cancel);
    // Our own text: Qt's translations (qtbase_*.qm) may not be installed.
    cancel->setText(tr("Cancel"));
    box.setDefaultButton(cancel); // Enter never accepts a certificate by accident
    box.exec();
    return box.clickedButton() == trust;
}
