#include "projections/chart.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace kasse {

namespace {

constexpr char kPrefix[] = "chart/";

std::string EncodeCategory(const CategoryInfo& info) {
  std::string value = EncodeInt64s({static_cast<int64_t>(info.defined_seq)});
  value.push_back(static_cast<char>(info.direction));
  value.push_back(static_cast<char>(info.sphere));
  value += info.group;
  return value;
}

bool CategoryWellFormed(std::string_view value) {
  return value.size() >= 10 && static_cast<uint8_t>(value[8]) <= 1 &&
         static_cast<uint8_t>(value[9]) < kSphereCount;
}

Status DamagedCategory(std::string_view name) {
  return Status::Corruption(fmt::format("stored chart entry of \"{}\" is damaged", name));
}

Status DecodeCategory(std::string_view name, std::string_view value, CategoryInfo* info) {
  std::vector<int64_t> seq;
  if (!CategoryWellFormed(value) || !DecodeInt64s(value.substr(0, 8), 1, &seq)) {
    return DamagedCategory(name);
  }
  info->name = name;
  info->defined_seq = static_cast<uint64_t>(seq[0]);
  info->direction = static_cast<Direction>(value[8]);
  info->sphere = static_cast<Sphere>(value[9]);
  info->group = value.substr(10);
  return Status::Ok();
}

}  // namespace

std::vector<CategoryDefined> DefaultChart() {
  const auto kIncome = Direction::kIncome;
  const auto kExpense = Direction::kExpense;
  const auto kIdeal = Sphere::kIdeal;
  const std::string kStatutory = "Ausgaben für Satzungszwecke";
  const std::string kAdministration = "Verwaltungskosten";
  return {
      {kDuesCategory, kIncome, kIdeal, ""},
      {kDonationsCategory, kIncome, kIdeal, ""},
      {"Kommunikation", kExpense, kIdeal, kStatutory},
      {"Personalkosten", kExpense, kIdeal, kStatutory},
      {"Büroausstattung", kExpense, kIdeal, kStatutory},
      {"Hardware", kExpense, kIdeal, kStatutory},
      {"Veranstaltungen", kExpense, kIdeal, kStatutory},
      {"Reisekosten", kExpense, kIdeal, kStatutory},
      {"Fachliteratur", kExpense, kIdeal, kStatutory},
      {"Beratung", kExpense, kIdeal, kStatutory},
      {"Lizenzen", kExpense, kIdeal, kStatutory},
      {"Sonstige Gebühren", kExpense, kIdeal, kStatutory},
      {"Sonstige Kosten", kExpense, kIdeal, kStatutory},
      {"Kontoführungsgebühren", kExpense, kIdeal, kAdministration},
      {"Versicherung", kExpense, kIdeal, kAdministration},
  };
}

Status LookupCategory(StateCache& cache, const std::string& name,
                      std::optional<CategoryInfo>* info) {
  std::string value;
  bool found = false;
  KASSE_RETURN_IF_ERROR(cache.Get(kPrefix + name, &value, &found));
  info->reset();
  if (!found) return Status::Ok();
  CategoryInfo decoded;
  KASSE_RETURN_IF_ERROR(DecodeCategory(name, value, &decoded));
  *info = std::move(decoded);
  return Status::Ok();
}

// Every money event asks this: no CategoryInfo (two strings) is built, the key is built in
// fmt's inline buffer.
Status LookupCategoryDirection(StateCache& cache, std::string_view name,
                               std::optional<Direction>* direction) {
  fmt::memory_buffer key;
  fmt::format_to(std::back_inserter(key), FMT_COMPILE("{}{}"), kPrefix, name);
  std::string_view value;
  bool found = false;
  KASSE_RETURN_IF_ERROR(cache.Find(std::string_view(key.data(), key.size()), &value, &found));
  direction->reset();
  if (!found) return Status::Ok();
  if (!CategoryWellFormed(value)) return DamagedCategory(name);
  *direction = static_cast<Direction>(value[8]);
  return Status::Ok();
}

Status FoldCategoryDefined(StateCache& cache, const Event& event, const CategoryDefined& body) {
  std::optional<CategoryInfo> existing;
  KASSE_RETURN_IF_ERROR(LookupCategory(cache, body.category, &existing));
  CategoryInfo info{body.category, body.direction, body.sphere, body.group, event.seq};
  if (existing) {
    if (existing->direction != body.direction || existing->sphere != body.sphere) {
      return Status::Rejected(fmt::format(
          "field \"category\": \"{}\" is already defined as {} in the sphere {}; a category "
          "cannot change direction or sphere, define a new one instead",
          body.category, DirectionName(existing->direction), SphereName(existing->sphere)));
    }
    info.defined_seq = existing->defined_seq;  // keeps its place in the chart
  }
  cache.Put(kPrefix + body.category, EncodeCategory(info));
  return Status::Ok();
}

Status ReadChart(const StateView& state, std::vector<CategoryInfo>* chart) {
  chart->clear();
  KASSE_RETURN_IF_ERROR(
      state.for_each(kPrefix, [chart](std::string_view key, std::string_view value) {
        CategoryInfo info;
        KASSE_RETURN_IF_ERROR(DecodeCategory(key.substr(sizeof(kPrefix) - 1), value, &info));
        chart->push_back(std::move(info));
        return Status::Ok();
      }));
  std::sort(chart->begin(), chart->end(), [](const CategoryInfo& a, const CategoryInfo& b) {
    return a.defined_seq < b.defined_seq;
  });
  return Status::Ok();
}

}  // namespace kasse
