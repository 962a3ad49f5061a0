#include "session.h"

#include <QFileInfo>
#include <QMetaObject>
#include <QtConcurrent>

#include <exception>

#include "convert/manifest.h"
#include "formatting.h"
#include "logging.h"
#include "signal_progress.h"

namespace imgprep::ui {

namespace {

template <typename F> void post(QObject* to, F&& fn) {
    QMetaObject::invokeMethod(to, std::forward<F>(fn), Qt::QueuedConnection);
}

QString countsText(const Summary& s) {
    QStringList parts;
    for (std::size_t i = 0; i < kCheckStatusCount; ++i)
        if (s.counts[i]) parts << QStringLiteral("%1 %2").arg(s.counts[i]).arg(to_string(CheckStatus(i)));
    return parts.join(QStringLiteral(", "));
}

} // namespace

Session::Session(QObject* parent) : QObject(parent) {
    changeTimer_.setSingleShot(true);
    changeTimer_.setInterval(700);
    connect(&changeTimer_, &QTimer::timeout, this, &Session::onChangeSettled);
    connect(&watcher_, &QFileSystemWatcher::fileChanged, this, &Session::onFileChanged);
}

Session::~Session() {
    cancelRuns();
    for (auto& r : runs_)
        r.future.waitForFinished();
    for (auto& f : helpers_)
        f.waitForFinished();
}

Session::FileStamp Session::stampOf(const QString& path) {
    QFileInfo fi(path);
    FileStamp s;
    s.exists = fi.exists();
    if (s.exists) {
        s.size = fi.size();
        s.modified = fi.lastModified();
    }
    return s;
}

void Session::setState(State s) {
    if (state_ == s) return;
    state_ = s;
    emit stateChanged(s);
}

void Session::cancelRuns() {
    for (auto& r : runs_)
        if (r.progress) r.progress->cancel();
}

void Session::startRun(std::function<void(SignalProgress&)> work) {
    Run run;
    run.gen = gen_;
    run.progress = new SignalProgress(this);
    SignalProgress* prog = run.progress;
    const std::uint64_t gen = gen_;
    run.future = QtConcurrent::run([this, prog, gen, work = std::move(work)] {
        try {
            work(*prog);
        } catch (const std::exception& e) {
            const QString what = QString::fromUtf8(e.what());
            post(this, [this, gen, what] { onInspectFailed(gen, tr("Internal error: %1").arg(what)); });
        } catch (...) {
            post(this, [this, gen] { onInspectFailed(gen, tr("Internal error.")); });
        }
        post(this, [this, gen] { finishRun(gen); });
    });
    runs_.push_back(run);
}

void Session::finishRun(std::uint64_t gen) {
    for (int i = 0; i < runs_.size(); ++i) {
        if (runs_[i].gen == gen && runs_[i].future.isFinished()) {
            runs_[i].progress->deleteLater();
            runs_.removeAt(i);
            return;
        }
    }
    // The future reports finished a moment after the lambda returned: try again shortly.
    QTimer::singleShot(10, this, [this, gen] { finishRun(gen); });
}

void Session::open(const QString& path, const QString& derivedFrom) {
    const QString abs = QFileInfo(path).absoluteFilePath();
    const bool sameImage = abs == path_ || !derivedFrom.isEmpty();
    if (!derivedFrom.isEmpty()) {
        if (!sourceInput_) sourceInput_ = input_; // keep the original for further conversions
    } else if (abs != path_) {
        sourceInput_.reset();
    }
    cancelRuns();
    ++gen_;
    if (!sameImage) {
        conf_ = Confirmations{};
        confirmedAt_.clear();
        ++confVersion_;
        conversion_.reset();
        diskChosen_ = false;
        diskIndex_ = 0;
        emit confirmationsChanged();
    }
    path_ = abs;
    derivedFrom_ = derivedFrom;
    error_.clear();
    input_.reset();
    inspection_.reset();
    ordered_.clear();
    byId_.clear();
    summary_.reset();
    percent_ = 0;
    watch(abs);
    log::info(QStringLiteral("open %1").arg(abs));
    setState(State::Opening);
    emit openStarted(abs);
    emit summaryChanged();

    // Opening reads headers and metadata (an OVA's tar index, a VMDK's grain directory): a worker's job.
    Run run;
    run.gen = gen_;
    run.progress = new SignalProgress(this);
    const std::uint64_t gen = gen_;
    run.future = QtConcurrent::run([this, gen, abs] {
        auto r = std::make_shared<Result<OpenedInput>>(make_error(utf8(abs), "not opened"));
        try {
            *r = open_input(utf8(abs));
        } catch (const std::exception& e) {
            *r = make_error(utf8(abs), std::string("internal error: ") + e.what());
        }
        FileStamp stamp = stampOf(abs);
        post(this, [this, gen, r, stamp] { onOpened(gen, r, stamp); });
        post(this, [this, gen] { finishRun(gen); });
    });
    runs_.push_back(run);
}

void Session::onOpened(std::uint64_t gen, std::shared_ptr<Result<OpenedInput>> r, FileStamp stamp) {
    if (gen != gen_) return;
    stamp_ = stamp;
    if (!*r) {
        error_ = qs(r->error().describe());
        log::warn(QStringLiteral("open failed: %1").arg(error_));
        setState(State::OpenFailed);
        emit openFailed(error_);
        return;
    }
    auto input = std::make_shared<OpenedInput>(std::move(r->value()));
    input_ = std::move(input);
    if (diskIndex_ >= int(sourceInput()->disks.size())) diskIndex_ = 0;
    log::info(QStringLiteral("opened %1: %2, %3 disk(s), file %4 bytes")
                  .arg(path_, qs(input_->detection.format))
                  .arg(input_->disks.size())
                  .arg(input_->file_size));
    emit opened();
    startChecks();
}

void Session::recheck() {
    if (!input_) {
        if (!path_.isEmpty() && state_ != State::Opening) open(path_, derivedFrom_);
        return;
    }
    cancelRuns();
    ++gen_;
    startChecks();
}

void Session::clear() {
    cancelRuns();
    ++gen_;
    if (!watcher_.files().isEmpty()) watcher_.removePaths(watcher_.files());
    path_.clear();
    derivedFrom_.clear();
    error_.clear();
    input_.reset();
    sourceInput_.reset();
    inspection_.reset();
    ordered_.clear();
    byId_.clear();
    summary_.reset();
    conf_ = Confirmations{};
    confirmedAt_.clear();
    conversion_.reset();
    setState(State::Empty);
    emit summaryChanged();
}

void Session::startChecks() {
    inspection_.reset();
    ordered_.clear();
    byId_.clear();
    summary_.reset();
    percent_ = 0;
    error_.clear();
    setState(State::Inspecting);
    emit checksStarted();
    emit summaryChanged();

    auto input = input_;
    const Confirmations conf = conf_;
    confVersionOfRun_ = confVersion_;
    const std::uint64_t gen = gen_;
    const int disks = std::max<int>(1, int(input->disks.size()));
    startRun([this, input, conf, gen](SignalProgress& prog) {
        auto r = inspect_input(*input, prog);
        if (prog.cancelled()) return;
        if (!r) {
            const QString msg = qs(r.error().describe());
            post(this, [this, gen, msg] { onInspectFailed(gen, msg); });
            return;
        }
        std::shared_ptr<const Inspection> insp = std::make_shared<Inspection>(std::move(*r));
        post(this, [this, gen, insp] { onInspected(gen, insp); });
        auto all = std::make_shared<std::vector<CheckResult>>(
            evaluate_checks(insp->image, insp->facts, conf, [this, gen, &prog](const CheckResult& one) {
                if (prog.cancelled()) return;
                std::shared_ptr<const CheckResult> copy = std::make_shared<CheckResult>(one);
                post(this, [this, gen, copy] { onCheckResult(gen, copy); });
            }));
        if (prog.cancelled()) return;
        post(this, [this, gen, all] { onChecksDone(gen, all); });
    });
    // Inspection progress: every disk is one phase ("inspecting", 4 steps).
    SignalProgress* prog = runs_.back().progress;
    auto phases = std::make_shared<int>(0);
    connect(
        prog, &SignalProgress::phaseBegan, this,
        [this, gen, phases](const QString&, quint64) {
            if (gen != gen_) return;
            ++*phases;
        },
        Qt::QueuedConnection);
    connect(
        prog, &SignalProgress::progressed, this,
        [this, gen, phases, disks](quint64 done, quint64 total) {
            if (gen != gen_ || total == 0) return;
            const double part = (std::max(0, *phases - 1) + double(done) / double(total)) / disks;
            const int pct = std::clamp(int(part * 100), 0, 100);
            if (pct > percent_) {
                percent_ = pct;
                emit inspectionProgress(pct);
            }
        },
        Qt::QueuedConnection);
}

void Session::onInspected(std::uint64_t gen, std::shared_ptr<const Inspection> insp) {
    if (gen != gen_) return;
    inspection_ = std::move(insp);
    percent_ = 100;
    emit inspectionProgress(100);
    if (!diskChosen_ && derivedFrom_.isEmpty() && inspection_->facts.disks > 1) {
        diskIndex_ = std::clamp(inspection_->facts.windows_disk_index, 0, inspection_->facts.disks - 1);
        emit diskIndexChanged(diskIndex_);
    }
}

void Session::onInspectFailed(std::uint64_t gen, const QString& message) {
    if (gen != gen_) return;
    error_ = message;
    log::warn(QStringLiteral("inspection failed: %1").arg(message));
    setState(State::InspectFailed);
    emit inspectFailed(message);
}

void Session::onCheckResult(std::uint64_t gen, std::shared_ptr<const CheckResult> r) {
    if (gen != gen_) return;
    auto it = byId_.find(r->id);
    if (it == byId_.end()) {
        byId_[r->id] = ordered_.size();
        ordered_.push_back(*r);
    } else {
        ordered_[it->second] = *r;
    }
    emit checkUpdated(qs(r->id));
}

void Session::onChecksDone(std::uint64_t gen, std::shared_ptr<std::vector<CheckResult>> all) {
    if (gen != gen_) return;
    ordered_ = std::move(*all);
    byId_.clear();
    for (std::size_t i = 0; i < ordered_.size(); ++i)
        byId_[ordered_[i].id] = i;
    if (confVersionOfRun_ != confVersion_) {
        reevaluate(); // the user confirmed something while the checks ran
    } else {
        summary_ = summarize(inspection_->image, inspection_->facts, ordered_);
    }
    log::info(QStringLiteral("checked %1: verdict %2 (%3)")
                  .arg(path_, qs(summary_->verdict), countsText(*summary_)));
    setState(State::Checked);
    emit checksFinished();
    emit summaryChanged();
}

void Session::reevaluate() {
    if (!inspection_ || ordered_.empty()) return;
    confVersionOfRun_ = confVersion_;
    std::vector<CheckResult> fresh = evaluate_checks(inspection_->image, inspection_->facts, conf_);
    std::vector<QString> changed;
    for (const auto& r : fresh) {
        auto it = byId_.find(r.id);
        if (it == byId_.end()) continue;
        const CheckResult& old = ordered_[it->second];
        if (old.status != r.status || old.message != r.message || old.evidence != r.evidence)
            changed.push_back(qs(r.id));
    }
    ordered_ = std::move(fresh);
    byId_.clear();
    for (std::size_t i = 0; i < ordered_.size(); ++i)
        byId_[ordered_[i].id] = i;
    summary_ = summarize(inspection_->image, inspection_->facts, ordered_);
    for (const auto& id : changed)
        emit checkUpdated(id);
}

const CheckResult* Session::result(const std::string& id) const {
    auto it = byId_.find(id);
    return it == byId_.end() ? nullptr : &ordered_[it->second];
}

std::vector<CheckResult> Session::results() const {
    return ordered_;
}

bool Session::isConfirmed(const QString& id) const {
    return conf_.is_confirmed(utf8(id));
}

void Session::setConfirmed(const QString& id, bool on) {
    const std::string sid = utf8(id);
    if (on == conf_.is_confirmed(sid)) return;
    if (on) {
        if (auto st = confirm_checks(conf_, {sid}); !st) {
            log::warn(QStringLiteral("cannot confirm %1: %2").arg(id, qs(st.error().describe())));
            return;
        }
        confirmedAt_[sid] = iso8601_now();
    } else {
        conf_.confirmed.erase(sid);
        confirmedAt_.erase(sid);
    }
    ++confVersion_;
    log::info(
        QStringLiteral("%1 %2").arg(on ? QStringLiteral("confirmed") : QStringLiteral("unconfirmed"), id));
    emit confirmationsChanged();
    if (state_ == State::Checked) {
        reevaluate();
        emit summaryChanged();
    }
}

std::string Session::userName() {
    QString u = qEnvironmentVariable("USER");
    if (u.isEmpty()) u = qEnvironmentVariable("USERNAME");
    return utf8(u);
}

void Session::setPasswordReport(std::optional<PasswordReport> report) {
    const bool same = (!report && !conf_.password) ||
                      (report && conf_.password && report->missing == conf_.password->missing &&
                       report->has_other_characters == conf_.password->has_other_characters &&
                       report->empty == conf_.password->empty);
    if (same) return;
    conf_.password = std::move(report);
    ++confVersion_;
    emit confirmationsChanged();
    if (state_ == State::Checked) {
        reevaluate();
        emit summaryChanged();
    }
}

void Session::setDiskIndex(int index) {
    const auto src = sourceInput();
    if (!src || index < 0 || index >= int(src->disks.size())) return;
    diskChosen_ = true;
    if (diskIndex_ == index) return;
    diskIndex_ = index;
    emit diskIndexChanged(index);
}

std::string Session::remediationScript(bool includeSysprep) const {
    if (!inspection_ || ordered_.empty()) return {};
    RemediationOptions opt;
    opt.include_sysprep = includeSysprep;
    opt.image_name = utf8(QFileInfo(derivedFrom_.isEmpty() ? path_ : derivedFrom_).fileName());
    return remediation_script(ordered_, inspection_->facts, opt);
}

void Session::setConversion(ConversionRecord record) {
    conversion_ = std::move(record);
}

void Session::watch(const QString& path) {
    if (!watcher_.files().isEmpty()) watcher_.removePaths(watcher_.files());
    watcher_.addPath(path);
}

void Session::onFileChanged(const QString& path) {
    if (path != path_) return;
    changeTimer_.start(); // wait for the writer to finish
}

void Session::onChangeSettled() {
    if (path_.isEmpty()) return;
    const QString path = path_;
    const std::uint64_t gen = gen_;
    helpers_.erase(std::remove_if(helpers_.begin(), helpers_.end(),
                                  [](const QFuture<void>& f) { return f.isFinished(); }),
                   helpers_.end());
    helpers_.push_back(QtConcurrent::run([this, path, gen] {
        const FileStamp now = stampOf(path);
        post(this, [this, path, gen, now] {
            if (gen != gen_ || path != path_) return;
            if (!watcher_.files().contains(path) && now.exists)
                watcher_.addPath(path); // replaced by a rename
            if (now == stamp_) return;  // touched, not changed
            log::info(QStringLiteral("%1 changed on disk: checking it again").arg(path));
            emit fileChangedOnDisk(path);
            open(path, derivedFrom_);
        });
    }));
}

} // namespace imgprep::ui
