// Step 5: summary and report — the verdict, what to enter when registering the image, the conversion outputs,
// and buttons to export the report (PDF, HTML, JSON) and to open the output folder.
#pragma once

#include <QFuture>

#include "report_adapter.h"
#include "widgets.h"

class QFormLayout;
class QListWidget;
class QPushButton;

namespace imgprep::ui {

class Session;

class SummaryPage : public WizardPage {
    Q_OBJECT
  public:
    SummaryPage(Session* session, QWidget* parent = nullptr);
    ~SummaryPage() override;
    void enterPage() override;

    VerdictBanner* banner() const { return banner_; }
    QListWidget* outputsList() const { return outputs_; }
    QPushButton* exportButton(report::Kind kind) const;
    QPushButton* openFolderButton() const { return openFolder_; }
    InlineMessage* status() const { return status_; }
    QString factsText() const;

    // Writes the report on a worker thread; exported() tells how it went (status() shows it too).
    void exportTo(report::Kind kind, const QString& path);
    void exportAs(report::Kind kind); // the save dialog (user action only)
    QString outputFolder() const;

  signals:
    void exported(const QString& path, bool ok);

  private:
    void refresh();
    void setFact(const QString& label, const QString& value);

    Session* session_;
    VerdictBanner* banner_;
    QFormLayout* facts_;
    QLabel* counts_;
    QListWidget* outputs_;
    QPushButton* pdf_;
    QPushButton* html_;
    QPushButton* json_;
    QPushButton* openFolder_;
    InlineMessage* status_;
    QList<QFuture<void>> exports_;
};

} // namespace imgprep::ui
