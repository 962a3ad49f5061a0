// Step 2: the checklist. Rows (grouped Table 1 / Table 2 / Other / Extra) fill in live as each check
// finishes; the verdict banner and the import path follow every change. The details pane shows the selected
// check: finding, evidence, "How to fix" (remediation steps and the documentation page), the confirmation of
// manual items and, for the password item, a masked field that tells which character classes are missing (the
// password is never stored or logged and the field is cleared when the page is left).
#pragma once

#include "widgets.h"

class QCheckBox;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QSplitter;
class QTimer;
class QTreeView;

namespace imgprep::ui {

class CheckModel;
class Session;

class CheckDetails : public QWidget {
    Q_OBJECT
  public:
    explicit CheckDetails(Session* session, QWidget* parent = nullptr);
    void showCheck(const QString& id); // "" = nothing selected
    QString currentId() const { return id_; }
    void clearPassword();

    QCheckBox* confirmBox() const { return confirm_; }
    QLineEdit* passwordEdit() const { return password_; }
    Expander* fixExpander() const { return fix_; }
    QString passwordFeedback() const; // the class lines shown under the field
    QString text() const;             // everything shown, as plain text (tests, accessibility)

  private:
    void refresh();
    void passwordEdited(const QString& text);

    Session* session_;
    QString id_;
    QLabel* title_;
    QLabel* statusIcon_;
    QLabel* statusLine_;
    QLabel* rule_;
    TextBlock* message_;
    QLabel* evidenceHeading_;
    TextBlock* evidence_;
    Expander* fix_;
    TextBlock* fixText_;
    QCheckBox* confirm_;
    QWidget* passwordBox_;
    QLineEdit* password_;
    QLabel* classes_[4];
    QLabel* classIcons_[4];
    QLabel* otherChars_;
    QLabel* placeholder_;
    QWidget* content_;
};

class ChecklistPage : public WizardPage {
    Q_OBJECT
  public:
    ChecklistPage(Session* session, QWidget* parent = nullptr);
    bool isComplete() const override;
    void enterPage() override;
    void leavePage() override;

    CheckModel* model() const { return model_; }
    QTreeView* view() const { return view_; }
    VerdictBanner* banner() const { return banner_; }
    CheckDetails* details() const { return details_; }
    QPushButton* recheckButton() const { return recheck_; }
    QProgressBar* progressBar() const { return progress_; }
    void selectCheck(const QString& id);
    void saveState() const;

  private:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void onChecksStarted();
    void spanGroups();
    void onCheckUpdated(const QString& id);
    void updateBanner();
    void updateBusy();

    Session* session_;
    CheckModel* model_;
    VerdictBanner* banner_;
    QProgressBar* progress_;
    QLabel* progressLabel_;
    QPushButton* recheck_;
    QLabel* sourceLabel_;
    QSplitter* splitter_;
    QTreeView* view_;
    CheckDetails* details_;
    QTimer* spinner_;
    int spinStep_ = 0;
};

} // namespace imgprep::ui
