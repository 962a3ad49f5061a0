// The checklist as a two-level model: the four groups of the catalogue (Table 1, Table 2, Other, Extra), each
// with one row per check. Rows start as "checking…" and take their final status as results arrive. Manual
// checks are user-checkable in the status column (the confirmation).
#pragma once

#include <QAbstractItemModel>
#include <QString>
#include <QVector>

#include <optional>
#include <set>
#include <string>

#include "checks/checks.h"
#include "icons.h"

namespace imgprep::ui {

class CheckModel : public QAbstractItemModel {
    Q_OBJECT
  public:
    enum Column { TitleColumn, StatusColumn, FindingColumn, ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1, // QString check id ("" for groups)
        StatusRole,                // int: CheckStatus, or -1 while checking, -2 for groups
        GroupRole,                 // QString "1" "2" "other" "extra"
        LevelRole,                 // QString "required" ...
        IsGroupRole,               // bool
        ConfirmableRole,           // bool: a manual check the user can confirm (check box in StatusColumn)
    };

    explicit CheckModel(QObject* parent = nullptr);

    // All rows of the catalogue, "checking…" (running = true) or blank (no image yet).
    void reset(bool running);
    void setResult(const CheckResult& r);
    void setConfirmed(const std::set<std::string>& confirmed);
    // Turns the "checking…" icons (0..11); called by a timer while checks run.
    void setSpinnerStep(int step);

    const CheckResult* result(const QString& id) const;
    QModelIndex indexOf(const QString& id, int column = TitleColumn) const;
    QModelIndex groupIndex(const QString& table) const;
    int checkCount() const;
    int finalCount() const; // rows with a final status
    QStringList ids() const;
    QString groupTitle(const QString& table) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  signals:
    void confirmationToggled(const QString& id, bool confirmed);

  private:
    struct Row {
        QString id, table, level, title;
        bool running = false;
        std::optional<CheckResult> result;
        bool confirmed = false;
    };
    struct Group {
        QString table;
        QVector<Row> rows;
    };
    QVariant groupData(int g, int column, int role) const;
    QString groupSummary(int g) const;
    QVariant rowData(const Row& r, int column, int role) const;
    void emitRowChanged(int g, int row);
    std::pair<int, int> locate(const QString& id) const;

    QVector<Group> groups_;
    int spinner_ = 0;
};

} // namespace imgprep::ui
