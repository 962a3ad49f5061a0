// Step 1: choose the image — file dialog, drag and drop, recent files, a path typed in. As soon as a file is
// picked, its format and sizes are shown (open_input runs in a worker); an OVA lets the user pick the disk;
// errors are shown in place.
#pragma once

#include "widgets.h"

class QComboBox;
class QFormLayout;
class QGroupBox;
class QLineEdit;
class QListWidget;
class QProgressBar;

namespace imgprep::ui {

class Session;

class ChoosePage : public WizardPage {
    Q_OBJECT
  public:
    ChoosePage(Session* session, QWidget* parent = nullptr);
    bool isComplete() const override;
    void enterPage() override;

    static QString fileFilter();
    void refreshRecent();

    // For tests and the window.
    DropArea* dropArea() const { return drop_; }
    QLineEdit* pathEdit() const { return pathEdit_; }
    QListWidget* recentList() const { return recent_; }
    QComboBox* diskCombo() const { return diskCombo_; }
    InlineMessage* errorMessage() const { return error_; }
    InlineMessage* warningMessage() const { return warnings_; }
    QString infoText() const; // the image facts shown, one "label: value" per line
    VerdictBanner* verdictBanner() const { return verdict_; }

  public slots:
    void chooseFile(); // the file dialog (user action only)

  signals:
    void openRequested(const QString& path);

  private:
    void updateFromSession();
    void updateChecks();
    void setRow(QLabel* value, const QString& text);

    Session* session_;
    DropArea* drop_;
    QLineEdit* pathEdit_;
    QListWidget* recent_;
    QProgressBar* busy_;
    QLabel* busyLabel_;
    InlineMessage* error_;
    InlineMessage* warnings_;
    QGroupBox* infoBox_;
    QFormLayout* form_;
    QLabel* fileValue_;
    QLabel* formatValue_;
    QLabel* virtualValue_;
    QLabel* fileSizeValue_;
    QLabel* osValue_;
    QLabel* bootValue_;
    VerdictBanner* verdict_;
    QLabel* disksLabel_;
    QComboBox* diskCombo_;
};

} // namespace imgprep::ui
