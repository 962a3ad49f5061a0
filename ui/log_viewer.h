// "Show log": the end of the wizard's log file, read on a worker thread, in a non-modal window.
#pragma once

#include <QDialog>
#include <QFuture>

class QPlainTextEdit;

namespace imgprep::ui {

class LogViewer : public QDialog {
    Q_OBJECT
  public:
    explicit LogViewer(QWidget* parent = nullptr);
    ~LogViewer() override;
    QPlainTextEdit* text() const { return text_; }

  public slots:
    void reload();

  signals:
    void loaded();

  private:
    QPlainTextEdit* text_;
    QFuture<void> loading_;
};

} // namespace imgprep::ui
