#include "report_adapter.h"

#include <QCoreApplication>
#include <QLocale>
#include <QSaveFile>

#include "formatting.h"
#include "session.h"
#include "util/version.h"

#if defined(IMGPREP_HAVE_REPORT)
#include "report/report.h"
#endif
#if defined(IMGPREP_HAVE_REPORT_PDF)
#include <QPageSize>

#include "report_pdf.h"
#endif

namespace imgprep::ui::report {

namespace {

class ReportText {
    Q_DECLARE_TR_FUNCTIONS(ReportText)
};

bool saveBytes(const QString& path, const std::string& bytes, QString* error) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        if (error) *error = ReportText::tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    f.write(bytes.data(), qint64(bytes.size()));
    if (!f.commit()) {
        if (error) *error = ReportText::tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

#if defined(IMGPREP_HAVE_REPORT)
Json model(const Snapshot& s, QString* error) {
    ReportOptions opt;
    opt.tool_version = IMGPREP_VERSION_STRING;
    for (const auto& c : s.confirmations)
        opt.confirmations.push_back({c.id, c.by, c.at});
    if (!s.manifestPath.isEmpty()) {
        if (auto m = load_manifest(utf8(s.manifestPath))) {
            opt.manifest = std::move(*m);
            opt.manifest_path = utf8(s.manifestPath);
        } else if (error) {
            *error = qs(m.error().describe()); // reported, the report is still written without it
        }
    }
    return build_report(*s.inspection, s.results, s.summary, opt);
}
#endif

} // namespace

bool available(Kind kind) {
    switch (kind) {
    case Kind::Json:
        return true;
#if defined(IMGPREP_HAVE_REPORT)
    case Kind::Html:
        return true;
#else
    case Kind::Html:
        return false;
#endif
#if defined(IMGPREP_HAVE_REPORT_PDF)
    case Kind::Pdf:
        return true;
#else
    case Kind::Pdf:
        return false;
#endif
    }
    return false;
}

QString unavailableReason(Kind kind) {
    if (available(kind)) return {};
    return ReportText::tr(
               "This build of imgprep has no report module (core/report, report/), so %1 reports cannot be "
               "written; JSON can.")
        .arg(kind == Kind::Pdf ? QStringLiteral("PDF") : QStringLiteral("HTML"));
}

bool snapshot(const Session& session, Snapshot* out) {
    if (session.state() != Session::State::Checked || !session.inspection() || !session.summary())
        return false;
    out->inspection = session.inspection();
    out->results = session.results();
    out->summary = *session.summary();
    out->confirmations.clear();
    for (const auto& [id, at] : session.confirmationTimes())
        out->confirmations.push_back({id, session.userName(), at});
    out->manifestPath = session.conversion() ? session.conversion()->manifest : QString();
    return true;
}

bool write(Kind kind, const Snapshot& s, const QString& path, QString* error) {
    if (!s.inspection) {
        if (error) *error = ReportText::tr("There is no finished checklist to report.");
        return false;
    }
#if defined(IMGPREP_HAVE_REPORT)
    QString manifestProblem;
    const Json doc = model(s, &manifestProblem);
    bool ok = false;
    switch (kind) {
    case Kind::Json:
        ok = saveBytes(path, doc.dump(2) + "\n", error);
        break;
    case Kind::Html:
        ok = saveBytes(path, render_html(doc), error);
        break;
    case Kind::Pdf:
#if defined(IMGPREP_HAVE_REPORT_PDF)
    {
        const auto size = QLocale::system().measurementSystem() == QLocale::ImperialUSSystem
                              ? QPageSize::Letter
                              : QPageSize::A4;
        ok = write_pdf_report(doc, path, size, error);
        break;
    }
#else
        if (error) *error = unavailableReason(kind);
        return false;
#endif
    }
    if (ok && !manifestProblem.isEmpty() && error)
        *error = ReportText::tr("Written without the conversion details: %1").arg(manifestProblem);
    return ok;
#else
    if (kind != Kind::Json) {
        if (error) *error = unavailableReason(kind);
        return false;
    }
    Json doc = check_document(s.inspection->image_json, to_json(s.inspection->facts), s.results, s.summary);
    return saveBytes(path, doc.dump(2) + "\n", error);
#endif
}

} // namespace imgprep::ui::report
