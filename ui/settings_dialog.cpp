#include "settings_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "app_settings.h"

namespace imgprep::ui {

SettingsDialog::SettingsDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Conversion tools"));
    auto* lay = new QVBoxLayout(this);
    auto* note = new QLabel(
        tr("Both tools are optional: imgprep writes ZVHD2 files and its own documented bitmap file "
           "itself. Set qemu-img-hw (the cloud's tool, Linux x86-64) to have ZVHD2 files written by it "
           "instead, and CreateMF.jar to make the bitmap file for fast import with the cloud's tool. Leave "
           "a field empty to use imgprep's own."),
        this);
    note->setWordWrap(true);
    lay->addWidget(note);
    auto* form = new QFormLayout;
    auto pathRow = [this](QLineEdit*& edit, const QString& value, const QString& accessible,
                          const QString& placeholder, const QString& dialogTitle, const QString& filter) {
        edit = new QLineEdit(QDir::toNativeSeparators(value), this);
        edit->setAccessibleName(accessible);
        edit->setPlaceholderText(placeholder);
        edit->setClearButtonEnabled(true);
        auto* browse = new QPushButton(tr("Browse…"), this);
        browse->setAccessibleName(tr("Browse for %1").arg(accessible));
        browse->setAutoDefault(false);
        QLineEdit* e = edit;
        connect(browse, &QPushButton::clicked, this, [this, e, dialogTitle, filter] {
            const QString f = QFileDialog::getOpenFileName(this, dialogTitle, e->text(), filter);
            if (!f.isEmpty()) e->setText(QDir::toNativeSeparators(f));
        });
        auto* row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(browse);
        return row;
    };
    auto* qemuLabel = new QLabel(tr("&qemu-img-hw:"), this);
    form->addRow(qemuLabel, pathRow(qemu_, settings::qemuImgHw(), tr("Path of qemu-img-hw"),
                                    tr("imgprep's own ZVHD2 writer"), tr("Locate qemu-img-hw"),
                                    tr("All files (*)")));
    qemuLabel->setBuddy(qemu_);
    auto* jarLabel = new QLabel(tr("&CreateMF.jar:"), this);
    form->addRow(jarLabel, pathRow(jar_, settings::createMfJar(), tr("Path of CreateMF.jar"),
                                   tr("imgprep's own bitmap"), tr("Locate CreateMF.jar"),
                                   tr("Java archives (*.jar)") + QStringLiteral(";;") + tr("All files (*)")));
    jarLabel->setBuddy(jar_);
    lay->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    lay->addWidget(buttons);
    resize(620, sizeHint().height());
}

void SettingsDialog::accept() {
    settings::setQemuImgHw(QDir::fromNativeSeparators(qemu_->text().trimmed()));
    settings::setCreateMfJar(QDir::fromNativeSeparators(jar_->text().trimmed()));
    QDialog::accept();
}

} // namespace imgprep::ui
