#include "log_viewer.h"

#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMetaObject>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "logging.h"
#include "widgets.h"

namespace imgprep::ui {

LogViewer::LogViewer(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("imgprep log"));
    auto* lay = new QVBoxLayout(this);
    auto* where = new QLabel(tr("Log file: %1").arg(QDir::toNativeSeparators(log::filePath())), this);
    where->setTextInteractionFlags(Qt::TextSelectableByMouse);
    where->setWordWrap(true);
    lay->addWidget(where);
    text_ = new QPlainTextEdit(this);
    text_->setReadOnly(true);
    text_->setLineWrapMode(QPlainTextEdit::NoWrap);
    text_->setFont(monospaceFont());
    text_->setAccessibleName(tr("Log"));
    lay->addWidget(text_, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* reloadButton = buttons->addButton(tr("&Reload"), QDialogButtonBox::ActionRole);
    auto* folder = buttons->addButton(tr("Open &folder"), QDialogButtonBox::ActionRole);
    connect(reloadButton, &QPushButton::clicked, this, &LogViewer::reload);
    connect(folder, &QPushButton::clicked, this, [] {
        QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(log::filePath()).absolutePath()));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    lay->addWidget(buttons);
    resize(900, 520);
    reload();
}

LogViewer::~LogViewer() {
    loading_.waitForFinished();
}

void LogViewer::reload() {
    if (loading_.isRunning()) return;
    log::flush();
    const QString path = log::filePath();
    loading_ = QtConcurrent::run([this, path] {
        QString text;
        QFile f(path);
        if (f.open(QIODevice::ReadOnly)) {
            constexpr qint64 kTail = 512 * 1024; // the end is what matters
            if (f.size() > kTail) f.seek(f.size() - kTail);
            text = QString::fromUtf8(f.readAll());
        } else {
            text = tr("Cannot read %1: %2").arg(path, f.errorString());
        }
        QMetaObject::invokeMethod(
            this,
            [this, text] {
                text_->setPlainText(text);
                text_->verticalScrollBar()->setValue(text_->verticalScrollBar()->maximum());
                emit loaded();
            },
            Qt::QueuedConnection);
    });
}

} // namespace imgprep::ui
