#include "check_model.h"

#include <QBrush>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

#include "formatting.h"

namespace imgprep::ui {

namespace {
constexpr quintptr kGroupId = 0xFFFFFFFFu; // internalId of group rows; check rows carry their group number

const char* const kTables[] = {"1", "2", "other", "extra"};
} // namespace

CheckModel::CheckModel(QObject* parent) : QAbstractItemModel(parent) {
    reset(false);
}

QString CheckModel::groupTitle(const QString& table) const {
    if (table == QLatin1String("1")) return tr("Table 1 — Initial configuration");
    if (table == QLatin1String("2")) return tr("Table 2 — Image file properties");
    if (table == QLatin1String("other")) return tr("Other requirements");
    if (table == QLatin1String("extra")) return tr("Extra checks from the linked guides");
    return table;
}

void CheckModel::reset(bool running) {
    beginResetModel();
    groups_.clear();
    for (const char* t : kTables)
        groups_.push_back(Group{QString::fromLatin1(t), {}});
    for (const CheckDef& def : builtin_catalogue().checks) {
        Row r;
        r.id = qs(def.id);
        r.table = qs(def.table);
        r.level = qs(def.level);
        r.title = qs(def.title);
        r.running = running;
        for (auto& g : groups_)
            if (g.table == r.table) g.rows.push_back(r);
    }
    endResetModel();
}

std::pair<int, int> CheckModel::locate(const QString& id) const {
    for (int g = 0; g < groups_.size(); ++g)
        for (int i = 0; i < groups_[g].rows.size(); ++i)
            if (groups_[g].rows[i].id == id) return {g, i};
    return {-1, -1};
}

void CheckModel::emitRowChanged(int g, int row) {
    emit dataChanged(index(row, 0, index(g, 0)), index(row, ColumnCount - 1, index(g, 0)));
    emit dataChanged(index(g, 0), index(g, ColumnCount - 1)); // the group's counts
}

void CheckModel::setResult(const CheckResult& r) {
    const QString id = qs(r.id);
    auto [g, i] = locate(id);
    if (g < 0) {
        // A check the catalogue lacks (reported by evaluate_checks as table "extra"): append it.
        int gi = 3;
        for (int k = 0; k < groups_.size(); ++k)
            if (groups_[k].table == qs(r.table)) gi = k;
        beginInsertRows(index(gi, 0), groups_[gi].rows.size(), groups_[gi].rows.size());
        Row row;
        row.id = id;
        row.table = qs(r.table);
        row.level = qs(r.level);
        row.title = qs(r.title);
        groups_[gi].rows.push_back(row);
        endInsertRows();
        g = gi;
        i = groups_[gi].rows.size() - 1;
    }
    Row& row = groups_[g].rows[i];
    row.result = r;
    row.running = false;
    row.title = qs(r.title);
    emitRowChanged(g, i);
}

void CheckModel::setConfirmed(const std::set<std::string>& confirmed) {
    for (int g = 0; g < groups_.size(); ++g) {
        for (int i = 0; i < groups_[g].rows.size(); ++i) {
            Row& r = groups_[g].rows[i];
            const bool c = confirmed.count(utf8(r.id)) != 0;
            if (c != r.confirmed) {
                r.confirmed = c;
                const QModelIndex ix = index(i, StatusColumn, index(g, 0));
                emit dataChanged(ix, ix, {Qt::CheckStateRole});
            }
        }
    }
}

void CheckModel::setSpinnerStep(int step) {
    spinner_ = step;
    for (int g = 0; g < groups_.size(); ++g)
        for (int i = 0; i < groups_[g].rows.size(); ++i)
            if (groups_[g].rows[i].running) {
                const QModelIndex ix = index(i, TitleColumn, index(g, 0));
                emit dataChanged(ix, ix, {Qt::DecorationRole});
            }
}

const CheckResult* CheckModel::result(const QString& id) const {
    auto [g, i] = locate(id);
    if (g < 0 || !groups_[g].rows[i].result) return nullptr;
    return &*groups_[g].rows[i].result;
}

QModelIndex CheckModel::indexOf(const QString& id, int column) const {
    auto [g, i] = locate(id);
    if (g < 0) return {};
    return index(i, column, index(g, 0));
}

QModelIndex CheckModel::groupIndex(const QString& table) const {
    for (int g = 0; g < groups_.size(); ++g)
        if (groups_[g].table == table) return index(g, 0);
    return {};
}

int CheckModel::checkCount() const {
    int n = 0;
    for (const auto& g : groups_)
        n += g.rows.size();
    return n;
}

int CheckModel::finalCount() const {
    int n = 0;
    for (const auto& g : groups_)
        for (const auto& r : g.rows)
            if (r.result && !r.running) ++n;
    return n;
}

QStringList CheckModel::ids() const {
    QStringList out;
    for (const auto& g : groups_)
        for (const auto& r : g.rows)
            out << r.id;
    return out;
}

QModelIndex CheckModel::index(int row, int column, const QModelIndex& parent) const {
    if (column < 0 || column >= ColumnCount || row < 0) return {};
    if (!parent.isValid()) {
        if (row >= groups_.size()) return {};
        return createIndex(row, column, kGroupId);
    }
    if (parent.internalId() != kGroupId) return {};
    const int g = parent.row();
    if (g < 0 || g >= groups_.size() || row >= groups_[g].rows.size()) return {};
    return createIndex(row, column, quintptr(g));
}

QModelIndex CheckModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == kGroupId) return {};
    return createIndex(int(child.internalId()), 0, kGroupId);
}

int CheckModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) return groups_.size();
    if (parent.internalId() != kGroupId || parent.column() != 0) return 0;
    return groups_[parent.row()].rows.size();
}

int CheckModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant CheckModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case TitleColumn:
        return tr("Check");
    case StatusColumn:
        return tr("Status");
    case FindingColumn:
        return tr("Finding");
    }
    return {};
}

QString CheckModel::groupSummary(int g) const {
    const Group& grp = groups_[g];
    int counts[kCheckStatusCount] = {};
    int running = 0, done = 0;
    for (const auto& r : grp.rows) {
        if (r.running)
            ++running;
        else if (r.result) {
            ++counts[int(r.result->status)];
            ++done;
        }
    }
    if (running) return tr("%n running", nullptr, running);
    if (!done) return QString();
    QStringList parts;
    if (counts[int(CheckStatus::Fail)]) parts << tr("%n failed", nullptr, counts[int(CheckStatus::Fail)]);
    if (counts[int(CheckStatus::Warn)]) parts << tr("%n warnings", nullptr, counts[int(CheckStatus::Warn)]);
    if (counts[int(CheckStatus::Manual)])
        parts << tr("%n to confirm", nullptr, counts[int(CheckStatus::Manual)]);
    if (counts[int(CheckStatus::Unknown)])
        parts << tr("%n unknown", nullptr, counts[int(CheckStatus::Unknown)]);
    if (parts.isEmpty()) return tr("all passed");
    return parts.join(QStringLiteral(", "));
}

QVariant CheckModel::groupData(int g, int column, int role) const {
    const Group& grp = groups_[g];
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        if (column == TitleColumn) {
            const QString sum = groupSummary(g);
            return sum.isEmpty() ? groupTitle(grp.table)
                                 : QStringLiteral("%1   ·   %2").arg(groupTitle(grp.table), sum);
        }
        return {};
    case Qt::FontRole: {
        QFont f;
        f.setBold(true);
        return f;
    }
    case IsGroupRole:
        return true;
    case StatusRole:
        return -2;
    case GroupRole:
        return grp.table;
    case IdRole:
        return QString();
    case ConfirmableRole:
        return false;
    }
    return {};
}

QVariant CheckModel::rowData(const Row& r, int column, int role) const {
    const RowStatus status = r.running || !r.result ? RowStatus{} : RowStatus{r.result->status};
    const bool blank = !r.running && !r.result;
    switch (role) {
    case Qt::DisplayRole:
        if (column == TitleColumn) return r.title;
        if (column == StatusColumn) return blank ? QString() : statusText(status);
        if (column == FindingColumn) return r.result ? qs(r.result->message) : QString();
        return {};
    case Qt::DecorationRole:
        if (column != TitleColumn || blank) return {};
        if (r.running) return checkingIcon(spinner_);
        return statusIcon(status);
    case Qt::ForegroundRole:
        if (column == StatusColumn && !blank && status) return QBrush(statusColor(status));
        return {};
    case Qt::ToolTipRole: {
        if (!r.result) return r.title;
        QString tip =
            QStringLiteral("<b>%1</b> — %2<br>%3")
                .arg(r.title.toHtmlEscaped(), statusText(status), qs(r.result->message).toHtmlEscaped());
        if (!r.result->evidence.empty()) {
            tip += QStringLiteral("<ul>");
            for (const auto& e : r.result->evidence)
                tip += QStringLiteral("<li>%1</li>").arg(htmlEscape(e));
            tip += QStringLiteral("</ul>");
        }
        return tip;
    }
    case Qt::AccessibleTextRole:
        if (column == TitleColumn) return blank ? r.title : tr("%1: %2").arg(r.title, statusText(status));
        return rowData(r, column, Qt::DisplayRole);
    case Qt::CheckStateRole:
        // A check box while the item waits for (or has) the user's confirmation; not once a test decided it
        // (a tested password).
        if (column == StatusColumn && r.level == QLatin1String("manual") && !blank &&
            (r.confirmed || r.running || (status && *status == CheckStatus::Manual)))
            return r.confirmed ? Qt::Checked : Qt::Unchecked;
        return {};
    case IdRole:
        return r.id;
    case StatusRole:
        return status ? int(*status) : -1;
    case GroupRole:
        return r.table;
    case LevelRole:
        return r.level;
    case IsGroupRole:
        return false;
    case ConfirmableRole:
        return r.level == QLatin1String("manual");
    }
    return {};
}

QVariant CheckModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    if (index.internalId() == kGroupId) return groupData(index.row(), index.column(), role);
    const Row& r = groups_[int(index.internalId())].rows[index.row()];
    return rowData(r, index.column(), role);
}

bool CheckModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || index.internalId() == kGroupId || role != Qt::CheckStateRole ||
        index.column() != StatusColumn)
        return false;
    Row& r = groups_[int(index.internalId())].rows[index.row()];
    if (r.level != QLatin1String("manual")) return false;
    const bool on = value.toInt() == Qt::Checked;
    if (on == r.confirmed) return true;
    r.confirmed = on;
    emit dataChanged(index, index, {Qt::CheckStateRole});
    emit confirmationToggled(r.id, on);
    return true;
}

Qt::ItemFlags CheckModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.internalId() != kGroupId && index.column() == StatusColumn &&
        groups_[int(index.internalId())].rows[index.row()].level == QLatin1String("manual"))
        f |= Qt::ItemIsUserCheckable;
    return f;
}

} // namespace imgprep::ui
