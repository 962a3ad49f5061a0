#include "app_settings.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace imgprep::ui::settings {

namespace {
const QString kRecent = QStringLiteral("files/recent");
const QString kLastFolder = QStringLiteral("files/lastFolder");
const QString kOutputFolder = QStringLiteral("convert/outputFolder");
const QString kQemuImgHw = QStringLiteral("tools/qemuImgHw");
const QString kCreateMf = QStringLiteral("tools/createMfJar");
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
} // namespace

QStringList recentFiles() {
    // Not filtered by existence here (no file-system access on the GUI thread): opening a file that is gone
    // shows the error in place and removes it from the list.
    QSettings s;
    QStringList out;
    for (const QString& f : s.value(kRecent).toStringList())
        if (!f.isEmpty() && !out.contains(f)) out << f;
    return out.mid(0, kMaxRecentFiles);
}

void removeRecentFile(const QString& path) {
    QSettings s;
    QStringList list = s.value(kRecent).toStringList();
    list.removeAll(path);
    s.setValue(kRecent, list);
}

void addRecentFile(const QString& path) {
    const QString abs = QDir::cleanPath(QDir().absoluteFilePath(path));
    QSettings s;
    QStringList list = s.value(kRecent).toStringList();
    list.removeAll(abs);
    list.prepend(abs);
    s.setValue(kRecent, list.mid(0, kMaxRecentFiles));
}

void clearRecentFiles() {
    QSettings().remove(kRecent);
}

QString lastFolder() {
    const QString f = QSettings().value(kLastFolder).toString();
    return f.isEmpty() ? QDir::homePath() : f;
}
void setLastFolder(const QString& folder) {
    QSettings().setValue(kLastFolder, folder);
}

QString outputFolder() {
    return QSettings().value(kOutputFolder).toString();
}
void setOutputFolder(const QString& folder) {
    QSettings().setValue(kOutputFolder, folder);
}

QString qemuImgHw() {
    return QSettings().value(kQemuImgHw).toString();
}
void setQemuImgHw(const QString& path) {
    QSettings().setValue(kQemuImgHw, path);
}
QString createMfJar() {
    return QSettings().value(kCreateMf).toString();
}
void setCreateMfJar(const QString& path) {
    QSettings().setValue(kCreateMf, path);
}

QByteArray windowGeometry() {
    return QSettings().value(kGeometry).toByteArray();
}
void setWindowGeometry(const QByteArray& g) {
    QSettings().setValue(kGeometry, g);
}
QByteArray windowState() {
    return QSettings().value(kState).toByteArray();
}
void setWindowState(const QByteArray& s) {
    QSettings().setValue(kState, s);
}
QByteArray splitterState(const QString& name) {
    return QSettings().value(QStringLiteral("window/splitter/") + name).toByteArray();
}
void setSplitterState(const QString& name, const QByteArray& s) {
    QSettings().setValue(QStringLiteral("window/splitter/") + name, s);
}

} // namespace imgprep::ui::settings
