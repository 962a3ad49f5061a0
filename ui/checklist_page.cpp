#include "checklist_page.h"

#include <QCheckBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTextDocumentFragment>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

#include "app_settings.h"
#include "check_model.h"
#include "formatting.h"
#include "icons.h"
#include "session.h"

namespace imgprep::ui {

namespace {

const char* const kPasswordCheck = "account.password_complexity";

QString tableName(const std::string& table) {
    if (table == "1") return CheckDetails::tr("Table 1");
    if (table == "2") return CheckDetails::tr("Table 2");
    if (table == "other") return CheckDetails::tr("Other");
    return CheckDetails::tr("Extra");
}

QString classText(PasswordClass c) {
    switch (c) {
    case PasswordClass::Uppercase:
        return CheckDetails::tr("an uppercase letter (A–Z)");
    case PasswordClass::Lowercase:
        return CheckDetails::tr("a lowercase letter (a–z)");
    case PasswordClass::Digit:
        return CheckDetails::tr("a digit (0–9)");
    case PasswordClass::Special:
        return CheckDetails::tr("a special character (one of %1)")
            .arg(QString::fromLatin1(kPasswordSpecials.data(), int(kPasswordSpecials.size())));
    }
    return {};
}

QLabel* wrapLabel(QWidget* parent) {
    auto* l = new QLabel(parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard |
                               Qt::LinksAccessibleByMouse);
    l->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return l;
}

} // namespace

// ---- CheckDetails --------------------------------------------------------------------------------------

CheckDetails::CheckDetails(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(14, 10, 14, 10);
    placeholder_ = new QLabel(tr("Select a check to see what was found and how to fix it."), this);
    placeholder_->setWordWrap(true);
    placeholder_->setForegroundRole(QPalette::PlaceholderText);
    placeholder_->setAlignment(Qt::AlignCenter);
    outer->addWidget(placeholder_);

    content_ = new QWidget(this);
    auto* lay = new QVBoxLayout(content_);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->setSpacing(8);
    outer->addWidget(content_);
    outer->addStretch(1);

    title_ = wrapLabel(content_);
    QFont tf = title_->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.2);
    tf.setBold(true);
    title_->setFont(tf);
    lay->addWidget(title_);

    auto* statusRow = new QHBoxLayout;
    statusIcon_ = new QLabel(content_);
    statusIcon_->setFixedSize(18, 18);
    statusLine_ = wrapLabel(content_);
    statusRow->addWidget(statusIcon_);
    statusRow->addWidget(statusLine_, 1);
    lay->addLayout(statusRow);

    rule_ = wrapLabel(content_);
    rule_->setForegroundRole(QPalette::PlaceholderText);
    lay->addWidget(rule_);
    message_ = new TextBlock(content_);
    message_->setAccessibleName(tr("Finding"));
    lay->addWidget(message_);

    evidenceHeading_ = new QLabel(tr("Evidence"), content_);
    QFont hf = evidenceHeading_->font();
    hf.setBold(true);
    evidenceHeading_->setFont(hf);
    lay->addWidget(evidenceHeading_);
    evidence_ = new TextBlock(content_);
    evidence_->setAccessibleName(tr("Evidence"));
    lay->addWidget(evidence_);

    confirm_ = new QCheckBox(tr("I &confirm that this requirement is met"), content_);
    confirm_->setAccessibleName(tr("Confirm this requirement"));
    lay->addWidget(confirm_);
    connect(confirm_, &QCheckBox::toggled, this, [this](bool on) {
        if (!id_.isEmpty()) session_->setConfirmed(id_, on);
    });

    // The password tester.
    passwordBox_ = new QWidget(content_);
    auto* pl = new QVBoxLayout(passwordBox_);
    pl->setContentsMargins(0, 4, 0, 4);
    auto* pLabel =
        new QLabel(tr("Test the image's initial &password (it is only looked at here: never stored, "
                      "never logged):"),
                   passwordBox_);
    pLabel->setWordWrap(true);
    password_ = new QLineEdit(passwordBox_);
    password_->setEchoMode(QLineEdit::Password);
    password_->setAccessibleName(tr("Initial password to test"));
    password_->setPlaceholderText(tr("Password"));
    password_->setClearButtonEnabled(true);
    pLabel->setBuddy(password_);
    pl->addWidget(pLabel);
    pl->addWidget(password_);
    const PasswordClass order[4] = {PasswordClass::Uppercase, PasswordClass::Lowercase, PasswordClass::Digit,
                                    PasswordClass::Special};
    for (int i = 0; i < 4; ++i) {
        auto* row = new QHBoxLayout;
        classIcons_[i] = new QLabel(passwordBox_);
        classIcons_[i]->setFixedSize(16, 16);
        classes_[i] = new QLabel(classText(order[i]), passwordBox_);
        classes_[i]->setWordWrap(true);
        row->addWidget(classIcons_[i]);
        row->addWidget(classes_[i], 1);
        pl->addLayout(row);
    }
    otherChars_ = wrapLabel(passwordBox_);
    pl->addWidget(otherChars_);
    lay->addWidget(passwordBox_);
    connect(password_, &QLineEdit::textEdited, this, &CheckDetails::passwordEdited);

    fixText_ = new TextBlock(content_);
    fixText_->setAccessibleName(tr("How to fix"));
    fix_ = new Expander(tr("How to fix"), fixText_, content_);
    lay->addWidget(fix_);

    setTabOrder(confirm_, password_);
    setTabOrder(password_, fix_->button());

    connect(session_, &Session::confirmationsChanged, this, &CheckDetails::refresh);
    showCheck(QString());
}

void CheckDetails::showCheck(const QString& id) {
    if (id != id_ && !password_->text().isEmpty()) clearPassword();
    id_ = id;
    refresh();
}

void CheckDetails::clearPassword() {
    password_->clear(); // programmatic: the report of the last test stays, the text does not
}

void CheckDetails::passwordEdited(const QString& text) {
    if (text.isEmpty()) {
        session_->setPasswordReport(std::nullopt);
    } else {
        std::string pw = text.toStdString();
        PasswordReport rep = check_password(pw);
        std::fill(pw.begin(), pw.end(), '\0');
        session_->setPasswordReport(rep);
    }
    refresh();
}

QString CheckDetails::passwordFeedback() const {
    QStringList out;
    for (int i = 0; i < 4; ++i)
        out << classes_[i]->accessibleName();
    if (!otherChars_->text().isEmpty()) out << otherChars_->text();
    return out.join(QLatin1Char('\n'));
}

QString CheckDetails::text() const {
    if (id_.isEmpty()) return placeholder_->text();
    QStringList out{title_->text(), statusLine_->text(), rule_->text(), message_->toPlainText()};
    if (!evidence_->isHidden()) out << evidenceHeading_->text() << evidence_->toPlainText();
    out << fix_->button()->text() << fixText_->toPlainText();
    return out.join(QLatin1Char('\n'));
}

void CheckDetails::refresh() {
    placeholder_->setVisible(id_.isEmpty());
    content_->setVisible(!id_.isEmpty());
    if (id_.isEmpty()) return;
    const CheckDef* def = builtin_catalogue().find(utf8(id_));
    const CheckResult* r = session_->result(utf8(id_));
    const RowStatus status = r ? RowStatus{r->status} : RowStatus{};
    const bool running = session_->state() == Session::State::Inspecting && !r;

    title_->setText(r ? qs(r->title) : def ? qs(def->title) : id_);
    statusIcon_->setPixmap(statusIcon(status).pixmap(QSize(18, 18), devicePixelRatioF()));
    const std::string level = r ? r->level : def ? def->level : std::string();
    const std::string table = r ? r->table : def ? def->table : std::string();
    QString statusWord = r || running ? statusText(status) : tr("Not checked");
    statusLine_->setText(
        QStringLiteral("%1 · %2 · %3 · %4").arg(statusWord, levelText(level), tableName(table), id_));
    statusLine_->setAccessibleName(tr("Status: %1").arg(statusWord));
    rule_->setText(def ? qs(def->rule) : r ? qs(r->rule) : QString());
    message_->setPlainText(r ? qs(r->message) : running ? tr("Still checking…") : QString());

    const bool hasEvidence = r && !r->evidence.empty();
    evidenceHeading_->setVisible(hasEvidence);
    evidence_->setVisible(hasEvidence);
    if (hasEvidence) {
        QString html = QStringLiteral("<ul style=\"margin-left:-24px\">");
        for (const auto& e : r->evidence)
            html += QStringLiteral("<li>%1</li>").arg(htmlEscape(e));
        evidence_->setHtml(html + QStringLiteral("</ul>"));
    } else {
        evidence_->clear();
    }

    // How to fix: the result's remediation (empty when it passes), else the catalogue's; then the page.
    std::vector<std::string> steps = r ? r->remediation : std::vector<std::string>{};
    QString fix;
    if (r && r->status == CheckStatus::Pass) {
        fix = QStringLiteral("<p>%1</p>").arg(tr("Nothing to fix: the requirement is met."));
    } else {
        if (steps.empty() && def) steps = def->remediation;
        if (steps.empty()) {
            fix = QStringLiteral("<p>%1</p>").arg(tr("No steps are listed for this check."));
        } else {
            fix = QStringLiteral("<ol style=\"margin-left:-24px\">");
            for (const auto& s : steps)
                fix += QStringLiteral("<li>%1</li>").arg(htmlEscape(s));
            fix += QStringLiteral("</ol>");
        }
    }
    const DocRef doc = r ? r->doc : def ? def->doc : DocRef{};
    if (!doc.title.empty() || !doc.page.empty()) {
        QString where = htmlEscape(doc.title.empty() ? doc.page : doc.title);
        QStringList extra;
        if (!doc.section.empty()) extra << htmlEscape(doc.section);
        if (!doc.topic.empty()) extra << htmlEscape(doc.topic);
        fix +=
            QStringLiteral("<p>%1 <b>%2</b>%3</p>")
                .arg(tr("Documentation:"), where,
                     extra.isEmpty() ? QString() : QStringLiteral(" — ") + extra.join(QStringLiteral(", ")));
    }
    fixText_->setHtml(fix);
    if (r && r->status != CheckStatus::Pass && r->status != CheckStatus::Info && !fix_->isExpanded())
        fix_->setExpanded(true);

    const bool manual =
        level == "manual" && (!r || r->status == CheckStatus::Manual || session_->isConfirmed(id_));
    confirm_->setVisible(manual);
    {
        const QSignalBlocker block(confirm_);
        confirm_->setChecked(session_->isConfirmed(id_));
    }
    confirm_->setEnabled(session_->state() == Session::State::Checked ||
                         session_->state() == Session::State::Inspecting);

    const bool pw = id_ == QLatin1String(kPasswordCheck);
    passwordBox_->setVisible(pw);
    if (pw) {
        const auto& rep = session_->confirmations().password;
        const PasswordClass order[4] = {PasswordClass::Uppercase, PasswordClass::Lowercase,
                                        PasswordClass::Digit, PasswordClass::Special};
        for (int i = 0; i < 4; ++i) {
            const bool missing =
                rep && std::find(rep->missing.begin(), rep->missing.end(), order[i]) != rep->missing.end();
            RowStatus s = !rep      ? RowStatus{CheckStatus::Unknown}
                          : missing ? RowStatus{CheckStatus::Fail}
                                    : RowStatus{CheckStatus::Pass};
            classIcons_[i]->setPixmap(statusIcon(s).pixmap(QSize(16, 16), devicePixelRatioF()));
            const QString state = !rep ? tr("not tested") : missing ? tr("missing") : tr("present");
            classes_[i]->setText(QStringLiteral("%1 — %2").arg(classText(order[i]), state));
            classes_[i]->setAccessibleName(QStringLiteral("%1: %2").arg(classText(order[i]), state));
        }
        if (rep && rep->has_other_characters)
            otherChars_->setText(
                tr("It also contains characters outside these classes (space, #, &, *, non-ASCII, …); "
                   "check that the cloud accepts them."));
        else if (rep && password_->text().isEmpty())
            otherChars_->setText(tr("Result of the last test (the password itself was not kept)."));
        else
            otherChars_->clear();
        otherChars_->setVisible(!otherChars_->text().isEmpty());
    }
}

// ---- ChecklistPage -------------------------------------------------------------------------------------

ChecklistPage::ChecklistPage(Session* session, QWidget* parent)
    : WizardPage(tr("Check the requirements"),
                 tr("Every requirement of “Preparing an Image File”, checked offline. Select a row for the "
                    "evidence and how to fix it."),
                 parent),
      session_(session), model_(new CheckModel(this)) {
    banner_ = new VerdictBanner(this);
    body()->addWidget(banner_);

    auto* row = new QHBoxLayout;
    sourceLabel_ = new QLabel(this);
    sourceLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    sourceLabel_->setForegroundRole(QPalette::PlaceholderText);
    progressLabel_ = new QLabel(tr("Inspecting…"), this);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 100);
    progress_->setMaximumWidth(260);
    progress_->setAccessibleName(tr("Inspection progress"));
    recheck_ = new QPushButton(tr("&Re-check"), this);
    recheck_->setShortcut(QKeySequence::Refresh);
    recheck_->setToolTip(tr("Inspect the image and run every check again (F5)"));
    recheck_->setAccessibleName(tr("Re-check the image"));
    recheck_->setAutoDefault(false);
    row->addWidget(sourceLabel_, 1);
    row->addWidget(progressLabel_);
    row->addWidget(progress_);
    row->addWidget(recheck_);
    body()->addLayout(row);

    splitter_ = new QSplitter(Qt::Horizontal, this);
    view_ = new QTreeView(splitter_);
    view_->setModel(model_);
    view_->setAccessibleName(tr("Checklist"));
    view_->setUniformRowHeights(true);
    view_->setAlternatingRowColors(true);
    view_->setAllColumnsShowFocus(true);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->setIconSize(QSize(18, 18));
    view_->header()->setStretchLastSection(true);
    view_->header()->setSectionResizeMode(CheckModel::TitleColumn, QHeaderView::Interactive);
    view_->header()->setSectionResizeMode(CheckModel::StatusColumn, QHeaderView::Interactive);
    const QFontMetrics fm(view_->font());
    view_->setColumnWidth(CheckModel::TitleColumn, fm.horizontalAdvance(QLatin1Char('x')) * 44 + 40);
    view_->setColumnWidth(CheckModel::StatusColumn, fm.horizontalAdvance(tr("Confirm")) + 56);
    view_->installEventFilter(this);
    spanGroups();

    auto* scroll = new QScrollArea(splitter_);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::StyledPanel);
    details_ = new CheckDetails(session_, scroll);
    scroll->setWidget(details_);
    scroll->setAccessibleName(tr("Details of the selected check"));
    splitter_->addWidget(view_);
    splitter_->addWidget(scroll);
    splitter_->setStretchFactor(0, 3);
    splitter_->setStretchFactor(1, 2);
    splitter_->setChildrenCollapsible(false);
    if (!splitter_->restoreState(settings::splitterState(QStringLiteral("checklist"))))
        splitter_->setSizes({560, 360});
    body()->addWidget(splitter_, 1);

    setTabOrder(recheck_, view_);
    setTabOrder(view_, details_->confirmBox());

    spinner_ = new QTimer(this);
    spinner_->setInterval(90);
    connect(spinner_, &QTimer::timeout, this, [this] { model_->setSpinnerStep(++spinStep_); });

    connect(recheck_, &QPushButton::clicked, session_, &Session::recheck);
    connect(view_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& cur) { details_->showCheck(cur.data(CheckModel::IdRole).toString()); });
    connect(model_, &CheckModel::confirmationToggled, session_, &Session::setConfirmed);
    connect(model_, &QAbstractItemModel::modelReset, this, &ChecklistPage::spanGroups);

    connect(session_, &Session::openStarted, this, [this] {
        model_->reset(false);
        details_->showCheck(QString());
        updateBusy();
        updateBanner();
    });
    connect(session_, &Session::checksStarted, this, &ChecklistPage::onChecksStarted);
    connect(session_, &Session::inspectionProgress, this, [this](int pct) {
        progress_->setValue(pct);
        if (session_->busy()) banner_->showChecking(pct);
    });
    connect(session_, &Session::checkUpdated, this, &ChecklistPage::onCheckUpdated);
    connect(session_, &Session::checksFinished, this, [this] {
        updateBusy();
        updateBanner();
        if (!details_->currentId().isEmpty() && !view_->currentIndex().isValid()) {
            selectCheck(details_->currentId()); // the row the user was looking at before the re-check
        } else if (!view_->currentIndex().isValid() ||
                   view_->currentIndex().data(CheckModel::IsGroupRole).toBool()) {
            // Select the first problem, so that its details and fix are visible at once.
            for (const QString& id : model_->ids()) {
                const int st = model_->indexOf(id).data(CheckModel::StatusRole).toInt();
                if (st == int(CheckStatus::Fail) || st == int(CheckStatus::Unknown)) {
                    selectCheck(id);
                    break;
                }
            }
        }
        emit completeChanged();
    });
    connect(session_, &Session::inspectFailed, this, [this] {
        model_->reset(false);
        updateBusy();
        updateBanner();
        emit completeChanged();
    });
    connect(session_, &Session::summaryChanged, this, &ChecklistPage::updateBanner);
    connect(session_, &Session::stateChanged, this, &ChecklistPage::updateBusy);
    connect(session_, &Session::confirmationsChanged, this,
            [this] { model_->setConfirmed(session_->confirmations().confirmed); });
    updateBusy();
    updateBanner();
}

void ChecklistPage::spanGroups() {
    for (int g = 0; g < model_->rowCount(); ++g)
        view_->setFirstColumnSpanned(g, QModelIndex(), true);
    view_->expandAll();
}

bool ChecklistPage::eventFilter(QObject* watched, QEvent* event) {
    // Space on a row that needs a confirmation ticks its check box (which sits in the status column).
    if (watched == view_ && event->type() == QEvent::KeyPress) {
        auto* ke = static_cast<QKeyEvent*>(event);
        const QModelIndex cur = view_->currentIndex();
        if ((ke->key() == Qt::Key_Space || ke->key() == Qt::Key_Select) && cur.isValid() &&
            cur.data(CheckModel::ConfirmableRole).toBool()) {
            const QModelIndex box = cur.siblingAtColumn(CheckModel::StatusColumn);
            if (box.data(Qt::CheckStateRole).isValid()) {
                const bool on = box.data(Qt::CheckStateRole).toInt() == Qt::Checked;
                model_->setData(box, on ? Qt::Unchecked : Qt::Checked, Qt::CheckStateRole);
            }
            return true;
        }
    }
    return WizardPage::eventFilter(watched, event);
}

void ChecklistPage::onChecksStarted() {
    model_->reset(true);
    model_->setConfirmed(session_->confirmations().confirmed);
    progress_->setValue(0);
    spinStep_ = 0;
    spinner_->start();
    details_->showCheck(details_->currentId());
    updateBusy();
    updateBanner();
}

void ChecklistPage::onCheckUpdated(const QString& id) {
    if (const CheckResult* r = session_->result(utf8(id))) model_->setResult(*r);
    if (details_->currentId() == id) details_->showCheck(id);
}

void ChecklistPage::updateBusy() {
    const bool busy = session_->busy();
    progress_->setVisible(busy);
    progressLabel_->setVisible(busy);
    progressLabel_->setText(session_->state() == Session::State::Opening ? tr("Opening…")
                                                                         : tr("Inspecting…"));
    if (!busy) spinner_->stop();
    recheck_->setEnabled(!session_->path().isEmpty() && session_->state() != Session::State::Opening);
    QString src;
    if (!session_->path().isEmpty()) {
        const QString name = QFileInfo(session_->path()).fileName();
        src = session_->derivedFrom().isEmpty()
                  ? tr("Image: %1").arg(name)
                  : tr("Converted output: %1 (from %2)")
                        .arg(name, QFileInfo(session_->derivedFrom()).fileName());
    }
    sourceLabel_->setText(src);
    sourceLabel_->setToolTip(session_->path());
}

void ChecklistPage::updateBanner() {
    switch (session_->state()) {
    case Session::State::Empty:
        banner_->showEmpty();
        break;
    case Session::State::Opening:
        banner_->showChecking(0);
        break;
    case Session::State::Inspecting:
        banner_->showChecking(session_->inspectionPercent());
        break;
    case Session::State::OpenFailed:
    case Session::State::InspectFailed:
        banner_->showError(session_->error());
        break;
    case Session::State::Checked:
        if (session_->summary()) banner_->showSummary(*session_->summary());
        break;
    }
}

void ChecklistPage::selectCheck(const QString& id) {
    const QModelIndex ix = model_->indexOf(id);
    if (!ix.isValid()) return;
    view_->setCurrentIndex(ix);
    view_->scrollTo(ix);
}

bool ChecklistPage::isComplete() const {
    return session_->state() == Session::State::Checked;
}

void ChecklistPage::enterPage() {
    details_->showCheck(details_->currentId());
    view_->setFocus();
}

void ChecklistPage::leavePage() {
    details_->clearPassword();
    saveState();
}

void ChecklistPage::saveState() const {
    settings::setSplitterState(QStringLiteral("checklist"), splitter_->saveState());
}

} // namespace imgprep::ui
