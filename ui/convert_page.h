// Step 4: convert for import — ZVHD2 (imgprep's own writer, always available and recommended when the image
// needs fast import; the cloud's qemu-img-hw when it is set under Tools) or RAW + bitmap (imgprep's own pass,
// or the cloud's CreateMF.jar). Output folder with its free space and the estimated output size, an optional
// verification, a progress bar with throughput and ETA, Cancel (no output left). After a successful
// conversion the window re-runs the checklist on the output.
#pragma once

#include <QElapsedTimer>
#include <QFuture>

#include <optional>

#include "convert_job.h"
#include "widgets.h"

class QCheckBox;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QTimer;

namespace imgprep::ui {

class Session;

class ConvertPage : public WizardPage {
    Q_OBJECT
  public:
    ConvertPage(Session* session, QWidget* parent = nullptr);
    ~ConvertPage() override;
    bool isComplete() const override;
    void enterPage() override;

    ConvertJob* job() const { return job_; }
    QRadioButton* rawRadio() const { return raw_; }
    QRadioButton* zvhd2Radio() const { return zvhd2_; }
    QLabel* zvhd2Note() const { return zvhd2Note_; }
    QLabel* bitmapNote() const { return bitmapNote_; }
    QLineEdit* folderEdit() const { return folder_; }
    QLabel* spaceLabel() const { return space_; }
    QCheckBox* verifyBox() const { return verify_; }
    QCheckBox* overwriteBox() const { return overwrite_; }
    QPushButton* convertButton() const { return convert_; }
    QPushButton* cancelButton() const { return cancel_; }
    QProgressBar* progressBar() const { return bar_; }
    QLabel* rateLabel() const { return rate_; }
    InlineMessage* resultMessage() const { return result_; }

    ConvertRequest request() const; // what "Convert" would run now
    QString outputPath() const;

  public slots:
    void startConversion();
    void cancelConversion();
    void refreshTools(); // locate qemu-img-hw again when Tools names it (after the settings changed)
    void refreshSpace(); // free space and planned outputs for the folder

  signals:
    void conversionFinished(const imgprep::ui::ConvertOutcome& outcome,
                            const imgprep::ui::ConvertRequest& request);
    void settingsRequested();

  private:
    void chooseFolder();
    void updateControls();
    void onPhase(const QString& phase, quint64 total);
    void onProgress(quint64 done, quint64 total);
    void onFinished(const ConvertOutcome& outcome);
    QString defaultFolder() const;

    Session* session_;
    ConvertJob* job_;
    QRadioButton* raw_;
    QRadioButton* zvhd2_;
    QLabel* zvhd2Note_;
    QLabel* bitmapNote_;
    QLabel* diskLabel_;
    QLineEdit* folder_;
    QLabel* space_;
    QLabel* outputs_;
    QCheckBox* verify_;
    QCheckBox* overwrite_;
    QPushButton* convert_;
    QPushButton* cancel_;
    QLabel* phase_;
    QProgressBar* bar_;
    QLabel* rate_;
    InlineMessage* result_;
    QTimer* spaceTimer_;

    bool needsFastImport() const;
    void updateZvhd2Note();
    QString qemuImgHwPath_;    // Tools names qemu-img-hw and it was found: ZVHD2 is written by it
    QString qemuImgHwProblem_; // Tools names qemu-img-hw but it cannot be used (why)
    QString estimate_;         // estimated ZVHD2 size text for the current disk
    std::optional<std::uint64_t> estimateBytes_;
    QString currentPhase_;
    QList<QFuture<void>> probes_; // waited for in the destructor only
    void track(QFuture<void> f);
    std::uint64_t toolGen_ = 0, spaceGen_ = 0;
    ConvertRequest running_;
    QElapsedTimer phaseClock_;
    quint64 lastDone_ = 0;
    double rateEma_ = 0;
    int phaseNo_ = 0;
    bool folderEdited_ = false;
};

} // namespace imgprep::ui
