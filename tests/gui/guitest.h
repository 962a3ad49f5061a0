// Shared pieces of the GUI tests: an isolated application (settings and log in a temporary home), the
// synthetic Windows images of the `windows` fixture with their expectation files, waiting for the session.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

class QObject;

namespace imgprep::ui {
class CheckModel;
class WizardWindow;
} // namespace imgprep::ui

namespace guitest {

// QApplication with XDG_CONFIG_HOME / XDG_DATA_HOME / XDG_CACHE_HOME in a temporary folder (QSettings and
// the log file never touch the user's), imgprep's set-up, English UI; then QTest::qExec(test).
int run(int argc, char** argv, QObject* test);
// The temporary home of this run.
QString home();

struct WindowsImage {
    QString name;
    QString image;      // absolute path
    QJsonObject expect; // NAME.expect.json
};
// Images of the `windows` fixture (empty when it was not built).
QList<WindowsImage> windowsImages();
std::optional<WindowsImage> windowsImage(const QString& name);
// Inputs of the `gui` fixture (tests/gui/build_gui.sh), "" when absent.
QString guiInput(const QString& file);

// Waits (processing events) until the session is Checked (true) or failed / timed out (false).
bool waitChecked(imgprep::ui::WizardWindow& w, int timeoutMs = 120000);
// "pass" "fail" ... or "checking" / "" for a check row of the model.
QString statusOf(const imgprep::ui::CheckModel* model, const QString& id);

} // namespace guitest
