// Step 3: the remediation script — the generated PowerShell script (remediation_script) for the failed
// in-guest checks, to run as administrator inside the source VM, in a read-only monospace editor with Copy
// and Save.
#pragma once

#include <QFuture>

#include "widgets.h"

class QCheckBox;
class QPlainTextEdit;
class QPushButton;

namespace imgprep::ui {

class Session;

class RemediationPage : public WizardPage {
    Q_OBJECT
  public:
    RemediationPage(Session* session, QWidget* parent = nullptr);
    ~RemediationPage() override;
    void enterPage() override;

    QString script() const;
    QStringList stepIds() const; // "# imgprep-step: <id>" lines of the script, in order
    QPlainTextEdit* editor() const { return editor_; }
    QCheckBox* sysprepBox() const { return sysprep_; }
    QPushButton* copyButton() const { return copy_; }
    QPushButton* saveButton() const { return save_; }
    InlineMessage* status() const { return status_; }

    void copyToClipboard();
    void saveTo(const QString& path); // written on a worker thread; status() says how it went
    void saveAs();                    // the save dialog (user action only)

  signals:
    void saved(const QString& path, bool ok);

  private:
    void regenerate();

    Session* session_;
    QLabel* stepsLabel_;
    QCheckBox* sysprep_;
    QPlainTextEdit* editor_;
    QPushButton* copy_;
    QPushButton* save_;
    InlineMessage* status_;
    QFuture<void> saving_;
};

} // namespace imgprep::ui
