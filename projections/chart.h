// The chart of categories, itself history: a fold over category.defined events.
// State: "chart/<category>" -> defining seq (8 bytes LE), direction (1), sphere (1), group.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "ledger/store.h"
#include "projections/state_cache.h"

namespace kasse {

// Dues and donations are booked to these income categories of the ideal sphere.
inline constexpr char kDuesCategory[] = "Mitgliedsbeiträge";
inline constexpr char kDonationsCategory[] = "Spenden";

struct CategoryInfo {
  std::string name;
  Direction direction = Direction::kExpense;
  Sphere sphere = Sphere::kIdeal;
  std::string group;
  uint64_t defined_seq = 0;  // orders the chart as the treasurer defined it
};

// The chart that `kasse init` records: the categories of the reference association's statement.
std::vector<CategoryDefined> DefaultChart();

// Finds `name`; *info is nullopt when the category was never defined.
Status LookupCategory(StateCache& cache, const std::string& name,
                      std::optional<CategoryInfo>* info);

// The direction of `name` only, as LookupCategory finds it, without building a CategoryInfo.
Status LookupCategoryDirection(StateCache& cache, std::string_view name,
                               std::optional<Direction>* direction);

// Refuses a redefinition that changes direction or sphere (it would move booked money); a new
// group is accepted, it only changes the heading in reports. Then folds the definition.
Status FoldCategoryDefined(StateCache& cache, const Event& event, const CategoryDefined& body);

// The whole chart of a ledger, in definition order.
Status ReadChart(const StateView& state, std::vector<CategoryInfo>* chart);

}  // namespace kasse
