#include "summary_page.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMetaObject>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "app_settings.h"
#include "formatting.h"
#include "icons.h"
#include "logging.h"
#include "session.h"

namespace imgprep::ui {

SummaryPage::SummaryPage(Session* session, QWidget* parent)
    : WizardPage(tr("Summary and report"),
                 tr("What to enter when you register the image, and a report to keep with it."), parent),
      session_(session) {
    banner_ = new VerdictBanner(this);
    body()->addWidget(banner_);

    auto* columns = new QHBoxLayout;
    auto* factsBox = new QGroupBox(tr("Image"), this);
    facts_ = new QFormLayout(factsBox);
    facts_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    columns->addWidget(factsBox, 3);

    auto* outBox = new QGroupBox(tr("Conversion outputs"), this);
    auto* ol = new QVBoxLayout(outBox);
    outputs_ = new QListWidget(outBox);
    outputs_->setWordWrap(true);
    outputs_->setIconSize(QSize(16, 16));
    outputs_->setTextElideMode(Qt::ElideMiddle);
    outputs_->setAccessibleName(tr("Conversion outputs"));
    ol->addWidget(outputs_);
    openFolder_ = new QPushButton(tr("Open output &folder"), outBox);
    openFolder_->setAccessibleName(tr("Open the output folder"));
    openFolder_->setAutoDefault(false);
    ol->addWidget(openFolder_, 0, Qt::AlignLeft);
    columns->addWidget(outBox, 2);
    body()->addLayout(columns, 1);

    counts_ = new QLabel(this);
    counts_->setWordWrap(true);
    body()->addWidget(counts_);

    auto* exportBox = new QGroupBox(tr("Report"), this);
    auto* el = new QHBoxLayout(exportBox);
    pdf_ = new QPushButton(tr("Export &PDF…"), exportBox);
    html_ = new QPushButton(tr("Export &HTML…"), exportBox);
    json_ = new QPushButton(tr("Export &JSON…"), exportBox);
    pdf_->setAccessibleName(tr("Export the report as PDF"));
    html_->setAccessibleName(tr("Export the report as HTML"));
    json_->setAccessibleName(tr("Export the report as JSON"));
    for (auto* b : {pdf_, html_, json_}) {
        b->setAutoDefault(false);
        el->addWidget(b);
    }
    el->addStretch(1);
    body()->addWidget(exportBox);
    status_ = new InlineMessage(this);
    body()->addWidget(status_);

    setTabOrder(outputs_, openFolder_);
    setTabOrder(openFolder_, pdf_);
    setTabOrder(pdf_, html_);
    setTabOrder(html_, json_);

    connect(pdf_, &QPushButton::clicked, this, [this] { exportAs(report::Kind::Pdf); });
    connect(html_, &QPushButton::clicked, this, [this] { exportAs(report::Kind::Html); });
    connect(json_, &QPushButton::clicked, this, [this] { exportAs(report::Kind::Json); });
    connect(openFolder_, &QPushButton::clicked, this, [this] {
        const QString f = outputFolder();
        if (!f.isEmpty()) QDesktopServices::openUrl(QUrl::fromLocalFile(f));
    });
    connect(outputs_, &QListWidget::itemActivated, this, [](QListWidgetItem* item) {
        const QString p = item->data(Qt::UserRole).toString();
        if (!p.isEmpty()) QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(p).absolutePath()));
    });
    connect(session_, &Session::summaryChanged, this, &SummaryPage::refresh);
    connect(session_, &Session::stateChanged, this, &SummaryPage::refresh);
    refresh();
}

SummaryPage::~SummaryPage() {
    for (auto& f : exports_)
        f.waitForFinished();
}

QPushButton* SummaryPage::exportButton(report::Kind kind) const {
    switch (kind) {
    case report::Kind::Pdf:
        return pdf_;
    case report::Kind::Html:
        return html_;
    case report::Kind::Json:
        return json_;
    }
    return nullptr;
}

void SummaryPage::enterPage() {
    status_->clear();
    refresh();
}

QString SummaryPage::outputFolder() const {
    if (session_->conversion() && !session_->conversion()->outputs.isEmpty())
        return QFileInfo(session_->conversion()->outputs.first()).absolutePath();
    return {};
}

void SummaryPage::setFact(const QString& label, const QString& value) {
    auto* v = new QLabel(value.isEmpty() ? QStringLiteral("–") : value, this);
    v->setWordWrap(true);
    v->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    v->setAccessibleName(label);
    facts_->addRow(label + QLatin1Char(':'), v);
}

QString SummaryPage::factsText() const {
    QStringList lines;
    for (int i = 0; i < facts_->rowCount(); ++i) {
        auto* l = facts_->itemAt(i, QFormLayout::LabelRole);
        auto* v = facts_->itemAt(i, QFormLayout::FieldRole);
        auto* ll = l ? qobject_cast<QLabel*>(l->widget()) : nullptr;
        auto* vl = v ? qobject_cast<QLabel*>(v->widget()) : nullptr;
        if (ll && vl) lines << ll->text() + QLatin1Char(' ') + vl->text();
    }
    return lines.join(QLatin1Char('\n'));
}

void SummaryPage::refresh() {
    while (facts_->rowCount() > 0)
        facts_->removeRow(0);
    const bool checked = session_->state() == Session::State::Checked && session_->summary();
    if (session_->state() == Session::State::Empty)
        banner_->showEmpty();
    else if (checked)
        banner_->showSummary(*session_->summary());
    else if (session_->state() == Session::State::OpenFailed ||
             session_->state() == Session::State::InspectFailed)
        banner_->showError(session_->error());
    else
        banner_->showChecking(session_->inspectionPercent());

    setFact(tr("Image file"), QDir::toNativeSeparators(session_->path()));
    if (!session_->derivedFrom().isEmpty())
        setFact(tr("Converted from"), QDir::toNativeSeparators(session_->derivedFrom()));
    const auto insp = session_->inspection();
    if (insp) {
        const auto& img = insp->image;
        setFact(tr("Format"), formatLabel(img.format, img.subformat));
        if (img.virtual_size) setFact(tr("Virtual size"), bytesText(*img.virtual_size));
        const auto& f = insp->facts;
        if (f.windows) {
            const auto& w = *f.windows;
            QString os = qs(w.product_name.empty() ? w.marketing_name : w.product_name);
            if (w.build) os += QStringLiteral(" (build %1)").arg(*w.build);
            if (!w.arch.empty()) os += QStringLiteral(", ") + qs(w.arch);
            setFact(tr("Windows"), os);
        } else {
            setFact(tr("Windows"), f.readable ? tr("not found: %1").arg(qs(f.not_windows_reason))
                                              : tr("not readable: %1").arg(qs(f.unreadable_reason)));
        }
        setFact(tr("Boot"),
                QStringLiteral("%1, %2").arg(qs(f.boot_mode).toUpper(), qs(f.partition_table).toUpper()));
    }
    if (checked) {
        const Summary& s = *session_->summary();
        setFact(tr("Register as"), s.register_os.empty() ? tr("(OS not recognised)") : qs(s.register_os));
        setFact(tr("Boot mode to select"),
                s.register_boot_mode.empty() ? tr("unknown") : qs(s.register_boot_mode));
        setFact(tr("Import path"), VerdictBanner::importPathText(s));
        if (!VerdictBanner::systemDiskText(s).isEmpty())
            setFact(tr("System disk size"), VerdictBanner::systemDiskText(s));
        if (!s.blockers.empty()) {
            QStringList b;
            for (const auto& id : s.blockers) {
                const CheckResult* r = session_->result(id);
                b << (r ? qs(r->title) : qs(id));
            }
            setFact(tr("To fix"), b.join(QStringLiteral("; ")));
        }
        if (!s.pending_confirmations.empty()) {
            QStringList p;
            for (const auto& id : s.pending_confirmations) {
                const CheckResult* r = session_->result(id);
                p << (r ? qs(r->title) : qs(id));
            }
            setFact(tr("To confirm"), p.join(QStringLiteral("; ")));
        }
        QStringList parts;
        const CheckStatus order[] = {CheckStatus::Pass, CheckStatus::Fail,   CheckStatus::Warn,
                                     CheckStatus::Info, CheckStatus::Manual, CheckStatus::Unknown};
        for (CheckStatus st : order)
            if (int n = s.counts[std::size_t(st)])
                parts << QStringLiteral("%1 %2").arg(n).arg(statusText(st));
        counts_->setText(tr("Checks: %1").arg(parts.join(QStringLiteral(" · "))));
    } else {
        counts_->clear();
    }

    outputs_->clear();
    if (const auto& c = session_->conversion()) {
        for (int i = 0; i < c->outputs.size(); ++i) {
            const QString& o = c->outputs[i];
            const qint64 size = i < c->sizes.size() ? c->sizes[i] : -1;
            const QString name = QFileInfo(o).fileName();
            auto* item = new QListWidgetItem(
                statusIcon(CheckStatus::Pass),
                size >= 0 ? tr("%1 — %2").arg(name, bytesText(std::uint64_t(size))) : name, outputs_);
            item->setData(Qt::UserRole, o);
            item->setToolTip(QDir::toNativeSeparators(o));
        }
        if (!c->manifest.isEmpty()) {
            auto* item = new QListWidgetItem(
                statusIcon(CheckStatus::Info),
                tr("%1 (what was converted, with checksums)").arg(QFileInfo(c->manifest).fileName()),
                outputs_);
            item->setData(Qt::UserRole, c->manifest);
            item->setToolTip(QDir::toNativeSeparators(c->manifest));
        }
        if (c->verified)
            new QListWidgetItem(statusIcon(CheckStatus::Pass),
                                tr("Verified: same content as the source (SHA-256)."), outputs_);
        if (!c->outputs.isEmpty())
            new QListWidgetItem(
                tr("Folder: %1").arg(QDir::toNativeSeparators(QFileInfo(c->outputs.first()).absolutePath())),
                outputs_);
    } else {
        auto* item = new QListWidgetItem(tr("No conversion made."), outputs_);
        item->setFlags(Qt::NoItemFlags);
    }
    openFolder_->setEnabled(!outputFolder().isEmpty());

    for (auto kind : {report::Kind::Pdf, report::Kind::Html, report::Kind::Json}) {
        QPushButton* b = exportButton(kind);
        const bool avail = report::available(kind);
        b->setEnabled(checked && avail);
        b->setToolTip(avail ? QString() : report::unavailableReason(kind));
    }
}

void SummaryPage::exportAs(report::Kind kind) {
    QString ext, filter;
    switch (kind) {
    case report::Kind::Pdf:
        ext = QStringLiteral("pdf");
        filter = tr("PDF documents (*.pdf)");
        break;
    case report::Kind::Html:
        ext = QStringLiteral("html");
        filter = tr("Web pages (*.html)");
        break;
    case report::Kind::Json:
        ext = QStringLiteral("json");
        filter = tr("JSON files (*.json)");
        break;
    }
    const QString src = session_->derivedFrom().isEmpty() ? session_->path() : session_->derivedFrom();
    const QString folder = outputFolder().isEmpty() ? settings::lastFolder() : outputFolder();
    const QString suggested =
        QDir(folder).filePath(QFileInfo(src).completeBaseName() + QStringLiteral("-report.") + ext);
    const QString f = QFileDialog::getSaveFileName(this, tr("Export the report"), suggested, filter);
    if (!f.isEmpty()) exportTo(kind, f);
}

void SummaryPage::exportTo(report::Kind kind, const QString& path) {
    report::Snapshot snap;
    if (!report::snapshot(*session_, &snap)) {
        status_->showMessage(InlineMessage::Kind::Error, tr("The checklist is not complete yet."));
        emit exported(path, false);
        return;
    }
    status_->showMessage(InlineMessage::Kind::Info, tr("Writing %1…").arg(QDir::toNativeSeparators(path)));
    exports_.erase(std::remove_if(exports_.begin(), exports_.end(),
                                  [](const QFuture<void>& f) { return f.isFinished(); }),
                   exports_.end());
    exports_.push_back(QtConcurrent::run([this, kind, snap, path] {
        QString err;
        const bool ok = report::write(kind, snap, path, &err);
        QMetaObject::invokeMethod(
            this,
            [this, ok, err, path] {
                if (ok) {
                    settings::setLastFolder(QFileInfo(path).absolutePath());
                    status_->showMessage(err.isEmpty() ? InlineMessage::Kind::Success
                                                       : InlineMessage::Kind::Warning,
                                         tr("Report written to %1").arg(QDir::toNativeSeparators(path)) +
                                             (err.isEmpty() ? QString() : QStringLiteral("\n") + err));
                    log::info(QStringLiteral("report written to %1").arg(path));
                } else {
                    status_->showMessage(InlineMessage::Kind::Error, err);
                    log::warn(QStringLiteral("report %1 not written: %2").arg(path, err));
                }
                emit exported(path, ok);
            },
            Qt::QueuedConnection);
    }));
}

} // namespace imgprep::ui
