// Application set-up shared by imgprep-wizard's main() and the GUI tests: names (QSettings organisation
// "imgprep", application "imgprep-wizard"), the log file, translations (the system locale, English fallback).
#pragma once

#include <QLocale>

class QApplication;

namespace imgprep::ui {

void setupApplication(QApplication& app);
// Installs imgprep's (and Qt's own, when present) translations for locale; replaces earlier ones. True when
// an imgprep translation for that locale was found (English needs none).
bool installTranslations(const QLocale& locale);

// The whole program: arguments ([IMAGE]), window, event loop.
int runWizard(int argc, char** argv);

} // namespace imgprep::ui
