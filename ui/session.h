// One image under examination. Opening (open_input), inspection (inspect_input) and the checks
// (evaluate_checks) run in worker threads; their results come back to the GUI thread as queued calls and are
// announced by signals, check by check. Confirmations and the password report re-run the (cheap, I/O-free)
// checks on the facts already found and re-summarise. A QFileSystemWatcher re-opens and re-checks the image
// when it changes on disk.
#pragma once

#include <QDateTime>
#include <QFileSystemWatcher>
#include <QFuture>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "checks/checks.h"
#include "inspect/inspect.h"

namespace imgprep::ui {

class SignalProgress;

// What a finished conversion produced (shown on the summary page and put into the report).
struct ConversionRecord {
    QString source;      // the image that was converted
    QString target;      // "raw" or "zvhd2"
    QStringList outputs; // image, bitmap (RAW), in that order
    QString manifest;    // OUT.manifest.json
    QList<qint64> sizes; // of outputs, -1 unknown
    bool verified = false;
    double seconds = 0;
};

class Session : public QObject {
    Q_OBJECT
  public:
    enum class State {
        Empty,         // nothing chosen yet
        Opening,       // open_input running
        OpenFailed,    // error(): not a disk image, corrupt, unreadable, gone
        Inspecting,    // inspection and checks running (rows fill in as checks finish)
        InspectFailed, // error(): inspection could not run
        Checked,       // every check has a result; summary() is set
    };
    Q_ENUM(State)

    explicit Session(QObject* parent = nullptr);
    ~Session() override; // cancels the workers and waits for them

    // Opens path (a different image resets the confirmations, unless derivedFrom names the image it was
    // converted from) and, when it holds a disk, inspects and checks it.
    void open(const QString& path, const QString& derivedFrom = {});
    // Runs inspection and checks again on the opened image.
    void recheck();
    // Forgets the image (state Empty).
    void clear();

    State state() const { return state_; }
    bool busy() const { return state_ == State::Opening || state_ == State::Inspecting; }
    QString path() const { return path_; }
    QString derivedFrom() const { return derivedFrom_; }
    QString error() const { return error_; }
    std::shared_ptr<const OpenedInput> input() const { return input_; }
    // What a conversion reads: the image the user chose, also after the checklist moved on to a converted
    // output (then input() is the output and this is still the original).
    std::shared_ptr<const OpenedInput> sourceInput() const { return sourceInput_ ? sourceInput_ : input_; }
    int diskIndex() const { return diskIndex_; }
    void setDiskIndex(int index);

    std::shared_ptr<const Inspection> inspection() const { return inspection_; }
    // Final results so far, by check id (all of them once state() is Checked), and in catalogue order.
    const CheckResult* result(const std::string& id) const;
    std::vector<CheckResult> results() const;
    const std::optional<Summary>& summary() const { return summary_; }
    int inspectionPercent() const { return percent_; }

    const Confirmations& confirmations() const { return conf_; }
    bool isConfirmed(const QString& id) const;
    void setConfirmed(const QString& id, bool on);
    // When each confirmed check was confirmed (ISO 8601), for the report; and who (the OS user name).
    const std::map<std::string, std::string>& confirmationTimes() const { return confirmedAt_; }
    static std::string userName();
    // The report of check_password() (never the password); nullopt = not tested.
    void setPasswordReport(std::optional<PasswordReport> report);

    std::string remediationScript(bool includeSysprep) const;

    const std::optional<ConversionRecord>& conversion() const { return conversion_; }
    void setConversion(ConversionRecord record);

    // Test hook: how long the change watcher waits for a file to settle before re-checking.
    void setChangeDelay(int ms) { changeTimer_.setInterval(ms); }

  signals:
    void stateChanged(imgprep::ui::Session::State state);
    void openStarted(const QString& path);
    void opened();
    void openFailed(const QString& message);
    void checksStarted();
    void inspectionProgress(int percent);
    void checkUpdated(const QString& id);
    void checksFinished();
    void inspectFailed(const QString& message);
    void summaryChanged();
    void confirmationsChanged();
    void diskIndexChanged(int index);
    void fileChangedOnDisk(const QString& path);

  private:
    struct Run {
        std::uint64_t gen = 0;
        SignalProgress* progress = nullptr;
        QFuture<void> future;
    };
    struct FileStamp {
        bool exists = false;
        qint64 size = -1;
        QDateTime modified;
        bool operator==(const FileStamp& o) const {
            return exists == o.exists && size == o.size && modified == o.modified;
        }
    };
    static FileStamp stampOf(const QString& path);

    void setState(State s);
    void cancelRuns();
    void startRun(std::function<void(SignalProgress&)> work);
    void finishRun(std::uint64_t gen);
    void startChecks();
    void reevaluate();
    void watch(const QString& path);
    void onFileChanged(const QString& path);
    void onChangeSettled();

    // Called on the GUI thread by the workers.
    void onOpened(std::uint64_t gen, std::shared_ptr<Result<OpenedInput>> r, FileStamp stamp);
    void onInspected(std::uint64_t gen, std::shared_ptr<const Inspection> insp);
    void onInspectFailed(std::uint64_t gen, const QString& message);
    void onCheckResult(std::uint64_t gen, std::shared_ptr<const CheckResult> r);
    void onChecksDone(std::uint64_t gen, std::shared_ptr<std::vector<CheckResult>> all);

    State state_ = State::Empty;
    QString path_, derivedFrom_, error_;
    std::shared_ptr<const OpenedInput> input_;
    std::shared_ptr<const OpenedInput> sourceInput_; // set while input_ is a converted output
    std::shared_ptr<const Inspection> inspection_;
    std::vector<CheckResult> ordered_;        // catalogue order, complete once Checked
    std::map<std::string, std::size_t> byId_; // index into ordered_
    std::optional<Summary> summary_;
    Confirmations conf_;
    std::map<std::string, std::string> confirmedAt_;
    std::uint64_t confVersion_ = 0, confVersionOfRun_ = 0;
    std::optional<ConversionRecord> conversion_;
    int diskIndex_ = 0;
    bool diskChosen_ = false;
    int percent_ = 0;

    std::uint64_t gen_ = 0;
    QList<Run> runs_;
    QList<QFuture<void>> helpers_; // file stamps
    QFileSystemWatcher watcher_;
    QTimer changeTimer_;
    FileStamp stamp_;
};

} // namespace imgprep::ui
