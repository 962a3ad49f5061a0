// Small widgets shared by the pages: the page base class, the verdict banner, in-place messages, the drop
// area and the expander. They draw with palette roles (light and dark themes) and status colours only.
#pragma once

#include <QFont>
#include <QFrame>
#include <QIcon>
#include <QLabel>
#include <QString>
#include <QTextBrowser>
#include <QToolButton>
#include <QWidget>

#include <optional>

#include "checks/checks.h"

class QPushButton;
class QVBoxLayout;

namespace imgprep::ui {

// A monospace font for code and logs that really is fixed-pitch wherever the wizard runs: the platform's
// fixed font when the font it resolves to is fixed-pitch (it is not under some platform themes, e.g.
// offscreen, where systemFont(FixedFont) is the general UI font), else the first installed fixed-pitch family
// of a fallback list (fontconfig's "monospace" alias, DejaVu Sans Mono, Liberation Mono, Noto Sans Mono,
// Consolas, Menlo, ...), else the TypeWriter style hint. Same point size as the UI font.
QFont monospaceFont();

// Mixes a status colour into a palette colour (for tinted backgrounds that read in light and dark themes).
QColor tint(const QColor& base, const QColor& status, qreal amount);

class WizardPage : public QWidget {
    Q_OBJECT
  public:
    WizardPage(const QString& title, const QString& subtitle, QWidget* parent = nullptr);
    QString title() const { return title_; }
    QString subtitle() const { return subtitle_; }
    // Whether "Next" may be pressed on this page.
    virtual bool isComplete() const { return true; }
    // Called when the page is shown / left.
    virtual void enterPage() {}
    virtual void leavePage() {}

  signals:
    void completeChanged();

  protected:
    QVBoxLayout* body() const { return body_; }

  private:
    QString title_, subtitle_;
    QVBoxLayout* body_;
};

// A tinted panel with a status icon, a headline and a detail line.
class Banner : public QFrame {
    Q_OBJECT
  public:
    explicit Banner(QWidget* parent = nullptr);
    void set(const QColor& color, const QIcon& icon, const QString& headline, const QString& detail);
    QString headline() const;
    QString detail() const;

  protected:
    void paintEvent(QPaintEvent* e) override;
    void changeEvent(QEvent* e) override;

  private:
    QColor color_;
    QLabel* icon_;
    QLabel* headline_;
    QLabel* detail_;
    QIcon iconSource_;
};

// The verdict and the import path, from a Summary (or "checking", or nothing yet).
class VerdictBanner : public Banner {
    Q_OBJECT
  public:
    explicit VerdictBanner(QWidget* parent = nullptr);
    void showEmpty();
    void showChecking(int percent);
    void showError(const QString& message);
    void showSummary(const Summary& summary);
    QString verdict() const { return verdict_; } // "", "checking", "error", or Summary::verdict

    static QString importPathText(const Summary& s); // "direct import (image file up to 128 GiB)"
    static QString systemDiskText(const Summary& s); // "at least 40 GB"
    static QString verdictHeadline(const Summary& s);

  private:
    QString verdict_;
};

// An in-place message (error, warning, information) with an icon; hidden while empty.
class InlineMessage : public QFrame {
    Q_OBJECT
  public:
    enum class Kind { Error, Warning, Info, Success };
    explicit InlineMessage(QWidget* parent = nullptr);
    void showMessage(Kind kind, const QString& text);
    void clear();
    QString text() const;
    Kind kind() const { return kind_; }

  protected:
    void paintEvent(QPaintEvent* e) override;

  private:
    Kind kind_ = Kind::Info;
    QLabel* icon_;
    QLabel* label_;
};

// The "drop a disk image here" area: accepts local files dropped on it; also a button that asks for one.
class DropArea : public QFrame {
    Q_OBJECT
  public:
    explicit DropArea(QWidget* parent = nullptr);
    QPushButton* chooseButton() const { return choose_; }

  signals:
    void fileDropped(const QString& path);
    void chooseRequested();

  protected:
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dragLeaveEvent(QDragLeaveEvent* e) override;
    void dropEvent(QDropEvent* e) override;
    void paintEvent(QPaintEvent* e) override;

  private:
    bool hover_ = false;
    QPushButton* choose_;
};

// Read-only rich text without frame or scroll bars that grows to the height of its content and wraps long
// words anywhere (registry paths, GUIDs): evidence and fix steps in a narrow pane.
class TextBlock : public QTextBrowser {
    Q_OBJECT
  public:
    explicit TextBlock(QWidget* parent = nullptr);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void resizeEvent(QResizeEvent* e) override;

  private:
    void updateHeight();
};

// A disclosure button ("▸ How to fix") that shows or hides a content widget.
class Expander : public QWidget {
    Q_OBJECT
  public:
    Expander(const QString& title, QWidget* content, QWidget* parent = nullptr);
    void setExpanded(bool on);
    bool isExpanded() const;
    QToolButton* button() const { return button_; }

  signals:
    void toggled(bool expanded);

  private:
    QToolButton* button_;
    QWidget* content_;
};

} // namespace imgprep::ui
