// What the wizard remembers between runs (QSettings, organisation "imgprep", application "imgprep-wizard"):
// recent files, the last folders, window geometry and the paths of the external tools. Never a password.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace imgprep::ui::settings {

constexpr int kMaxRecentFiles = 8;

QStringList recentFiles(); // newest first
void addRecentFile(const QString& path);
void removeRecentFile(const QString& path);
void clearRecentFiles();

QString lastFolder(); // where the file dialog opens (home when unset)
void setLastFolder(const QString& folder);
QString outputFolder(); // last conversion output folder ("" = next to the image)
void setOutputFolder(const QString& folder);

QString qemuImgHw(); // path of qemu-img-hw ("" = search PATH)
void setQemuImgHw(const QString& path);
QString createMfJar(); // path of the cloud's CreateMF.jar ("" = imgprep's own bitmap)
void setCreateMfJar(const QString& path);

QByteArray windowGeometry();
void setWindowGeometry(const QByteArray& g);
QByteArray windowState();
void setWindowState(const QByteArray& s);
QByteArray splitterState(const QString& name);
void setSplitterState(const QString& name, const QByteArray& s);

} // namespace imgprep::ui::settings
