// Tools: where qemu-img-hw (ZVHD2) and the cloud's CreateMF.jar (bitmap for fast import) are. Stored with
// QSettings; empty = imgprep's own ZVHD2 writer and its own bitmap.
#pragma once

#include <QDialog>

class QLineEdit;

namespace imgprep::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT
  public:
    explicit SettingsDialog(QWidget* parent = nullptr);
    QLineEdit* qemuImgHwEdit() const { return qemu_; }
    QLineEdit* createMfEdit() const { return jar_; }
    void accept() override; // stores the paths

  private:
    QLineEdit* qemu_;
    QLineEdit* jar_;
};

} // namespace imgprep::ui
