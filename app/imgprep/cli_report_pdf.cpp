// The PDF form of `imgprep report` (Qt: ui/report_pdf). Only in builds with Qt; see cli_nopdf.cpp otherwise.
#include <QByteArray>
#include <QGuiApplication>
#include <QPageSize>
#include <QString>
#include <clocale>
#include <cstdio>
#include <memory>

#include "cli.h"
#include "report_pdf.h"

namespace imgprep::cli {

namespace {

// A QGuiApplication for this command only (fonts for the PDF). Without a platform chosen by the user, the
// offscreen platform is used on Linux and the BSDs: a PDF needs no display, and a stale DISPLAY would
// otherwise abort the program.
std::unique_ptr<QGuiApplication> make_gui_app() {
#if !defined(_WIN32) && !defined(__APPLE__)
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
#endif
    // Qt's own chatter (XDG_RUNTIME_DIR not set, font fallbacks) is not the user's business here; real
    // failures come back from write_pdf_report.
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& msg) {
        if (type == QtFatalMsg || type == QtCriticalMsg)
            std::fprintf(stderr, "imgprep: Qt: %s\n", msg.toLocal8Bit().constData());
    });
    static int argc = 1;
    static char name[] = "imgprep";
    static char* argv[] = {name, nullptr};
    auto app = std::make_unique<QGuiApplication>(argc, argv);
    std::setlocale(LC_NUMERIC, "C"); // Qt sets the user's locale; numbers in reports stay "1.5"
    return app;
}

} // namespace

bool write_report_pdf(const Json& report, const std::string& path, bool letter, std::string& error) {
    auto app = make_gui_app();
    QString qerror;
    if (write_pdf_report(report, QString::fromStdString(path), letter ? QPageSize::Letter : QPageSize::A4,
                         &qerror))
        return true;
    error = qerror.toStdString();
    return false;
}

} // namespace imgprep::cli
