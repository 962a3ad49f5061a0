// The wizard's main window: a step list on the left (Choose image → Checklist → Fix → Convert → Summary), the
// current page with its title, Back / Next, menus (open, recent files, conversion tools, show log). Drops of
// an image anywhere on the window open it. Geometry is remembered.
#pragma once

#include <QMainWindow>
#include <QPointer>

#include "convert_job.h"

class QLabel;
class QListWidget;
class QMenu;
class QPushButton;
class QStackedWidget;

namespace imgprep::ui {

class ChecklistPage;
class ChoosePage;
class ConvertPage;
class LogViewer;
class RemediationPage;
class Session;
class SettingsDialog;
class SummaryPage;
class WizardPage;

class WizardWindow : public QMainWindow {
    Q_OBJECT
  public:
    enum Step { ChooseStep, ChecklistStep, RemediationStep, ConvertStep, SummaryStep, StepCount };

    explicit WizardWindow(QWidget* parent = nullptr);
    ~WizardWindow() override;

    Session* session() const { return session_; }
    ChoosePage* choosePage() const { return choose_; }
    ChecklistPage* checklistPage() const { return checklist_; }
    RemediationPage* remediationPage() const { return remediation_; }
    ConvertPage* convertPage() const { return convert_; }
    SummaryPage* summaryPage() const { return summary_; }
    WizardPage* page(int step) const;
    QPushButton* nextButton() const { return next_; }
    QPushButton* backButton() const { return back_; }
    QListWidget* stepList() const { return steps_; }
    LogViewer* logViewer() const;

    int currentStep() const;
    bool canEnter(int step) const;
    bool goToStep(int step);

  public slots:
    void openImage(const QString& path);
    void next();
    void back();
    void showLog();
    void showToolSettings();
    void chooseImage();

  protected:
    void closeEvent(QCloseEvent* e) override;
    void changeEvent(QEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

  private:
    void buildMenus();
    void rebuildRecentMenu();
    void updateNavigation();
    void updateTitle();
    void onConversionFinished(const ConvertOutcome& outcome, const ConvertRequest& request);
    void saveWindowState();

    Session* session_;
    ChoosePage* choose_;
    ChecklistPage* checklist_;
    RemediationPage* remediation_;
    ConvertPage* convert_;
    SummaryPage* summary_;
    QListWidget* steps_;
    QStackedWidget* stack_;
    QLabel* title_;
    QLabel* subtitle_;
    QPushButton* back_;
    QPushButton* next_;
    QMenu* recentMenu_ = nullptr;
    QPointer<LogViewer> logViewer_;
    QPointer<SettingsDialog> settingsDialog_;
};

} // namespace imgprep::ui
