#include "guitest.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include "app.h"
#include "check_model.h"
#include "session.h"
#include "testsupport.h"
#include "wizard_window.h"

namespace guitest {

namespace {
std::unique_ptr<QTemporaryDir> g_home;
}

QString home() {
    return g_home ? g_home->path() : QString();
}

int run(int argc, char** argv, QObject* test) {
    g_home = std::make_unique<QTemporaryDir>();
    const QString h = g_home->path();
    QDir().mkpath(h + "/config");
    QDir().mkpath(h + "/data");
    QDir().mkpath(h + "/cache");
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(h + "/config"));
    qputenv("XDG_DATA_HOME", QFile::encodeName(h + "/data"));
    qputenv("XDG_CACHE_HOME", QFile::encodeName(h + "/cache"));
    qputenv("QT_LOGGING_RULES", "qt.qpa.*=false");
    QApplication app(argc, argv);
    imgprep::ui::setupApplication(app);
    imgprep::ui::installTranslations(QLocale(QLocale::English, QLocale::UnitedStates));
    const int rc = QTest::qExec(test, argc, argv);
    g_home.reset();
    return rc;
}

QList<WindowsImage> windowsImages() {
    QList<WindowsImage> out;
    const QString dir = testsupport::fixtureDir("windows");
    QFile list(dir + "/windows.list");
    if (!list.open(QIODevice::ReadOnly)) return out;
    for (const QByteArray& raw : list.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        const QStringList f = line.split('|');
        if (f.size() != 3) continue;
        QFile e(dir + "/" + f[2]);
        if (!e.open(QIODevice::ReadOnly)) continue;
        out.push_back({f[0], dir + "/" + f[1], QJsonDocument::fromJson(e.readAll()).object()});
    }
    return out;
}

std::optional<WindowsImage> windowsImage(const QString& name) {
    for (const auto& w : windowsImages())
        if (w.name == name) return w;
    return std::nullopt;
}

QString guiInput(const QString& file) {
    const QString p = testsupport::fixtureDir("gui") + "/" + file;
    return QFileInfo::exists(p) ? p : QString();
}

bool waitChecked(imgprep::ui::WizardWindow& w, int timeoutMs) {
    using State = imgprep::ui::Session::State;
    auto* s = w.session();
    (void)QTest::qWaitFor(
        [s] {
            const auto st = s->state();
            return st == State::Checked || st == State::OpenFailed || st == State::InspectFailed;
        },
        timeoutMs);
    return s->state() == State::Checked;
}

QString statusOf(const imgprep::ui::CheckModel* model, const QString& id) {
    const QModelIndex ix = model->indexOf(id);
    if (!ix.isValid()) return {};
    const int v = ix.data(imgprep::ui::CheckModel::StatusRole).toInt();
    if (v == -1) return ix.data(Qt::DecorationRole).isValid() ? QStringLiteral("checking") : QString();
    return QString::fromLatin1(imgprep::to_string(imgprep::CheckStatus(v)));
}

} // namespace guitest
