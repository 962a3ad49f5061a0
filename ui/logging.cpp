#include "logging.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <cstdio>
#include <mutex>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

namespace imgprep::ui::log {

namespace {

std::mutex g_mu;
std::shared_ptr<spdlog::logger> g_logger;
QtMessageHandler g_previous = nullptr;

std::shared_ptr<spdlog::logger> logger() {
    std::lock_guard lock(g_mu);
    return g_logger;
}

void qtHandler(QtMsgType type, const QMessageLogContext& ctx, const QString& msg) {
    if (auto l = logger()) {
        const std::string text = ("qt: " + msg).toStdString();
        switch (type) {
        case QtDebugMsg:
            l->debug(text);
            break;
        case QtInfoMsg:
            l->info(text);
            break;
        case QtWarningMsg:
            l->warn(text);
            break;
        case QtCriticalMsg:
        case QtFatalMsg:
            l->error(text);
            l->flush();
            break;
        }
    }
    if (g_previous) g_previous(type, ctx, msg);
}

} // namespace

QString filePath() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("imgprep.log"));
}

void init() {
    {
        std::lock_guard lock(g_mu);
        if (g_logger) return;
    }
    const QString path = filePath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    std::shared_ptr<spdlog::logger> l;
    try {
        // 2 MiB per file, the current one plus 3 older ones.
        auto sink =
            std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path.toStdString(), 2 * 1024 * 1024, 3);
        l = std::make_shared<spdlog::logger>("imgprep-wizard", std::move(sink));
        l->set_pattern("%Y-%m-%d %H:%M:%S.%e %z [%l] [t%t] %v");
        l->set_level(spdlog::level::info);
        l->flush_on(spdlog::level::info); // few lines, each worth keeping if the program is killed
    } catch (const spdlog::spdlog_ex& e) {
        // No log file (read-only home, ...): the wizard still works; say so on stderr once.
        std::fprintf(stderr, "imgprep-wizard: cannot open the log file %s: %s\n",
                     path.toLocal8Bit().constData(), e.what());
        return;
    }
    {
        std::lock_guard lock(g_mu);
        g_logger = std::move(l);
    }
    g_previous = qInstallMessageHandler(qtHandler);
}

void shutdown() {
    std::shared_ptr<spdlog::logger> l;
    {
        std::lock_guard lock(g_mu);
        l = std::move(g_logger);
    }
    if (l) {
        qInstallMessageHandler(g_previous);
        g_previous = nullptr;
        l->flush();
    }
}

void info(const QString& message) {
    if (auto l = logger()) l->info(message.toStdString());
}
void warn(const QString& message) {
    if (auto l = logger()) l->warn(message.toStdString());
}
void error(const QString& message) {
    if (auto l = logger()) l->error(message.toStdString());
}
void flush() {
    if (auto l = logger()) l->flush();
}

} // namespace imgprep::ui::log
