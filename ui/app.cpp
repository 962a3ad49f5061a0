#include "app.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QTimer>
#include <QTranslator>

#include <memory>

#include "icons.h"
#include "logging.h"
#include "util/version.h"
#include "wizard_window.h"

namespace imgprep::ui {

namespace {
std::unique_ptr<QTranslator> g_ours, g_qt;
} // namespace

void setupApplication(QApplication& app) {
    QCoreApplication::setOrganizationName(QStringLiteral("imgprep"));
    QCoreApplication::setApplicationName(QStringLiteral("imgprep-wizard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(IMGPREP_VERSION_STRING));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("imgprep"));
    QGuiApplication::setDesktopFileName(QStringLiteral("imgprep-wizard"));
    app.setWindowIcon(appIcon());
    log::init();
    log::info(QStringLiteral("imgprep-wizard %1 (Qt %2), locale %3, platform %4")
                  .arg(QStringLiteral(IMGPREP_VERSION_STRING), QString::fromLatin1(qVersion()),
                       QLocale::system().name(), QGuiApplication::platformName()));
    installTranslations(QLocale::system());
}

bool installTranslations(const QLocale& locale) {
    if (g_ours) QCoreApplication::removeTranslator(g_ours.get());
    if (g_qt) QCoreApplication::removeTranslator(g_qt.get());
    g_ours = std::make_unique<QTranslator>();
    g_qt = std::make_unique<QTranslator>();
    // Qt's own strings (standard dialogs and buttons), when the Qt translations are installed.
    if (g_qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                   QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(g_qt.get());
    const bool found = g_ours->load(locale, QStringLiteral("imgprep"), QStringLiteral("_"),
                                    QStringLiteral(":/imgprep/i18n"));
    if (found) QCoreApplication::installTranslator(g_ours.get());
    QLocale::setDefault(locale);
    return found;
}

int runWizard(int argc, char** argv) {
    QApplication app(argc, argv);
    setupApplication(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "imgprep::ui::App", "Gets a Windows VM disk image ready for cloud import."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("image"),
                                 QCoreApplication::translate("imgprep::ui::App", "The disk image to open."),
                                 QStringLiteral("[image]"));
    parser.process(app);

    WizardWindow window;
    window.show();
    const QStringList args = parser.positionalArguments();
    if (!args.isEmpty()) {
        const QString path = args.first();
        QTimer::singleShot(0, &window, [&window, path] { window.openImage(path); });
    }
    const int rc = app.exec();
    log::info(QStringLiteral("exit %1").arg(rc));
    log::shutdown();
    return rc;
}

} // namespace imgprep::ui
