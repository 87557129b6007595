#include "projections/members.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <iterator>
#include <map>
#include <vector>

namespace kasse {

namespace {

constexpr char kMemberPrefix[] = "members/m/";
constexpr char kDayPrefix[] = "members/d/";
constexpr size_t kDayFields = 6;
constexpr size_t kEntrySize = 14;

enum class Op : uint8_t { kJoined = 0, kChanged = 1, kLeft = 2 };

struct TimelineEntry {
  int32_t date_yyyymmdd = 0;
  uint64_t seq = 0;
  Op op = Op::kJoined;
  MemberKind kind = MemberKind::kPersonal;  // joined: the kind; changed: the new kind, if any
  bool kind_changes = false;                // changed only
  auto key() const { return std::pair(date_yyyymmdd, seq); }
};

struct DayChange {
  int32_t date_yyyymmdd;
  size_t field;
  int64_t delta;
};

void PutLittleEndian(std::string* bytes, uint64_t value, size_t size) {
  for (size_t i = 0; i < size; ++i) bytes->push_back(static_cast<char>(value >> (8 * i) & 0xff));
}

uint64_t GetLittleEndian(std::string_view bytes, size_t offset, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[offset + i])) << (8 * i);
  }
  return value;
}

std::string EncodeTimeline(const std::vector<TimelineEntry>& timeline) {
  std::string bytes;
  bytes.reserve(timeline.size() * kEntrySize);
  for (const TimelineEntry& entry : timeline) {
    PutLittleEndian(&bytes, static_cast<uint32_t>(entry.date_yyyymmdd), 4);
    PutLittleEndian(&bytes, entry.seq, 8);
    bytes.push_back(static_cast<char>(entry.op));
    const uint8_t kind = static_cast<uint8_t>(entry.kind);
    bytes.push_back(static_cast<char>(entry.kind_changes ? 0x80 | kind : kind));
  }
  return bytes;
}

Status DamagedTimeline(std::string_view member) {
  return Status::Corruption(fmt::format("stored timeline of member \"{}\" is damaged", member));
}

// What DecodeTimeline accepts, checked without building the timeline.
bool TimelineWellFormed(std::string_view bytes) {
  if (bytes.size() % kEntrySize != 0) return false;
  for (size_t offset = 0; offset < bytes.size(); offset += kEntrySize) {
    const uint8_t op = static_cast<uint8_t>(bytes[offset + 12]);
    const uint8_t kind = static_cast<uint8_t>(bytes[offset + 13]);
    if (op > 2 || (kind & 0x7f) > 1) return false;
  }
  return true;
}

Status DecodeTimeline(std::string_view member, std::string_view bytes,
                      std::vector<TimelineEntry>* timeline) {
  if (!TimelineWellFormed(bytes)) return DamagedTimeline(member);
  timeline->clear();
  for (size_t offset = 0; offset < bytes.size(); offset += kEntrySize) {
    const uint8_t op = static_cast<uint8_t>(bytes[offset + 12]);
    const uint8_t kind = static_cast<uint8_t>(bytes[offset + 13]);
    timeline->push_back({static_cast<int32_t>(GetLittleEndian(bytes, offset, 4)),
                         GetLittleEndian(bytes, offset + 4, 8), static_cast<Op>(op),
                         static_cast<MemberKind>(kind & 0x7f), (kind & 0x80) != 0});
  }
  return Status::Ok();
}

// Walks a timeline sorted by (date, seq) and derives its day changes; a Rejected status names
// the first entry that breaks membership rules.
Status DeriveDayChanges(const std::string& member, const std::vector<TimelineEntry>& timeline,
                        std::vector<DayChange>* changes) {
  changes->clear();
  bool active = false;
  bool ever_joined = false;
  MemberKind kind = MemberKind::kPersonal;
  for (const TimelineEntry& entry : timeline) {
    Date date;
    KASSE_RETURN_IF_ERROR(DateFromYyyymmdd(entry.date_yyyymmdd, &date));
    const size_t k = static_cast<size_t>(kind);
    switch (entry.op) {
      case Op::kJoined:
        if (active) {
          return Status::Rejected(
              fmt::format("field \"member\": \"{}\" is already an active member on {}", member,
                          FormatDate(date)));
        }
        active = ever_joined = true;
        kind = entry.kind;
        changes->push_back({entry.date_yyyymmdd, static_cast<size_t>(kind), 1});
        changes->push_back({entry.date_yyyymmdd, 2 + static_cast<size_t>(kind), 1});
        break;
      case Op::kChanged:
        if (!ever_joined) {
          return Status::Rejected(fmt::format("field \"member\": \"{}\" has not joined by {}",
                                              member, FormatDate(date)));
        }
        if (entry.kind_changes && active && entry.kind != kind) {
          changes->push_back({entry.date_yyyymmdd, k, -1});
          changes->push_back({entry.date_yyyymmdd, static_cast<size_t>(entry.kind), 1});
        }
        if (entry.kind_changes) kind = entry.kind;
        break;
      case Op::kLeft:
        if (!active) {
          return Status::Rejected(fmt::format(
              "field \"member\": \"{}\" is not an active member on {}", member, FormatDate(date)));
        }
        active = false;
        changes->push_back({entry.date_yyyymmdd, k, -1});
        changes->push_back({entry.date_yyyymmdd, 4 + k, 1});
        break;
    }
  }
  return Status::Ok();
}

std::string DayKey(int32_t date_yyyymmdd) {
  return fmt::format(FMT_COMPILE("{}{:08}"), kDayPrefix, date_yyyymmdd);
}

Status ApplyDayChanges(StateCache& cache, const std::vector<DayChange>& changes, int64_t sign) {
  for (const DayChange& change : changes) {
    const std::string key = DayKey(change.date_yyyymmdd);
    StateCache::Place place;
    std::string_view value;
    bool found = false;
    KASSE_RETURN_IF_ERROR(cache.FindPlace(key, &place, &value, &found));
    std::array<int64_t, kDayFields> fields = {};
    if (found && !DecodeInt64s(value, fields)) {
      return Status::Corruption(fmt::format("stored member counts of {} are damaged", key));
    }
    fields[change.field] += sign * change.delta;
    cache.Put(place, Int64sBytes<kDayFields>(fields).view());
  }
  return Status::Ok();
}

Status LoadTimeline(StateCache& cache, const std::string& member,
                    std::vector<TimelineEntry>* timeline) {
  std::string value;
  bool found = false;
  KASSE_RETURN_IF_ERROR(cache.Get(kMemberPrefix + member, &value, &found));
  timeline->clear();
  return found ? DecodeTimeline(member, value, timeline) : Status::Ok();
}

TimelineEntry EntryOf(const Event& event, std::string* member) {
  TimelineEntry entry{event.date.yyyymmdd(), event.seq};
  if (auto* joined = std::get_if<MemberJoined>(&event.body)) {
    *member = joined->member;
    entry.op = Op::kJoined;
    entry.kind = joined->kind;
  } else if (auto* changed = std::get_if<MemberChanged>(&event.body)) {
    *member = changed->member;
    entry.op = Op::kChanged;
    entry.kind_changes = changed->kind.has_value();
    entry.kind = changed->kind.value_or(MemberKind::kPersonal);
  } else {
    *member = std::get<MemberLeft>(event.body).member;
    entry.op = Op::kLeft;
  }
  return entry;
}

}  // namespace

Status FoldMemberEvent(StateCache& cache, const Event& event) {
  std::string member;
  const TimelineEntry entry = EntryOf(event, &member);
  std::vector<TimelineEntry> timeline;
  KASSE_RETURN_IF_ERROR(LoadTimeline(cache, member, &timeline));
  if (timeline.empty() && entry.op != Op::kJoined) {
    return Status::Rejected(fmt::format("field \"member\": \"{}\" never joined", member));
  }
  std::vector<DayChange> old_changes, new_changes;
  KASSE_RETURN_IF_ERROR(DeriveDayChanges(member, timeline, &old_changes));
  auto position = std::upper_bound(
      timeline.begin(), timeline.end(), entry,
      [](const TimelineEntry& a, const TimelineEntry& b) { return a.key() < b.key(); });
  timeline.insert(position, entry);
  KASSE_RETURN_IF_ERROR(DeriveDayChanges(member, timeline, &new_changes));
  // Checked above; from here on nothing can be refused, so the fold is all or nothing.
  KASSE_RETURN_IF_ERROR(ApplyDayChanges(cache, old_changes, -1));
  KASSE_RETURN_IF_ERROR(ApplyDayChanges(cache, new_changes, +1));
  cache.Put(kMemberPrefix + member, EncodeTimeline(timeline));
  return Status::Ok();
}

// Every dues.paid and donation.received asks this: the timeline is checked in place, not decoded
// into a vector (which was most of the cost), with the same verdict on damaged bytes.
Status MemberEverJoined(StateCache& cache, std::string_view member, bool* joined) {
  fmt::memory_buffer key;
  fmt::format_to(std::back_inserter(key), FMT_COMPILE("{}{}"), kMemberPrefix, member);
  std::string_view value;
  bool found = false;
  KASSE_RETURN_IF_ERROR(cache.Find(std::string_view(key.data(), key.size()), &value, &found));
  if (found && !TimelineWellFormed(value)) return DamagedTimeline(member);
  *joined = found && !value.empty();  // a timeline always starts with a join
  return Status::Ok();
}

Status ReadMemberCounts(const StateView& state, const Date& as_of, MemberCounts* counts) {
  *counts = MemberCounts();
  counts->as_of = as_of;
  const int32_t last = as_of.yyyymmdd();
  const int32_t year_start = as_of.year * 10000 + 101;
  return state.for_each(kDayPrefix, [&](std::string_view key, std::string_view value) {
    const int32_t day = std::stoi(std::string(key.substr(sizeof(kDayPrefix) - 1)));
    if (day > last) return Status::Ok();  // keys sort by day; the rest are later too
    std::vector<int64_t> fields;
    if (!DecodeInt64s(value, kDayFields, &fields)) {
      return Status::Corruption(fmt::format("stored member counts of {} are damaged", key));
    }
    counts->personal += fields[0];
    counts->institutional += fields[1];
    if (day >= year_start) {
      counts->joined_in_year += fields[2] + fields[3];
      counts->left_in_year += fields[4] + fields[5];
    }
    return Status::Ok();
  });
}

Status ReadMemberYearEnds(const StateView& state, int32_t first_year, const Date& last_day,
                          std::vector<MemberCounts>* year_ends) {
  year_ends->clear();
  // Per year: the six day fields summed over the year's days up to last_day.
  std::map<int32_t, std::array<int64_t, kDayFields>> by_year;
  const int32_t last = last_day.yyyymmdd();
  KASSE_RETURN_IF_ERROR(
      state.for_each(kDayPrefix, [&](std::string_view key, std::string_view value) {
        const std::string_view day_text = key.substr(sizeof(kDayPrefix) - 1);
        if (day_text.size() != 8 || day_text.find_first_not_of("0123456789") != std::string::npos) {
          return Status::Corruption(fmt::format("stored member counts of {} are damaged", key));
        }
        const int32_t day = std::stoi(std::string(day_text));
        if (day > last) return Status::Ok();  // keys sort by day; the rest are later too
        std::vector<int64_t> fields;
        if (!DecodeInt64s(value, kDayFields, &fields)) {
          return Status::Corruption(fmt::format("stored member counts of {} are damaged", key));
        }
        std::array<int64_t, kDayFields>& sums = by_year[day / 10000];
        for (size_t i = 0; i < kDayFields; ++i) sums[i] += fields[i];
        return Status::Ok();
      }));
  int32_t first = std::max(first_year, kYearMin);
  if (!by_year.empty()) first = std::min(first, by_year.begin()->first);
  int64_t personal = 0, institutional = 0;
  for (int32_t year = first; year <= last_day.year && year <= kYearMax; ++year) {
    MemberCounts counts;
    counts.as_of = year == last_day.year ? last_day : Date{year, 12, 31};
    const auto found = by_year.find(year);
    if (found != by_year.end()) {
      const std::array<int64_t, kDayFields>& sums = found->second;
      personal += sums[0];
      institutional += sums[1];
      counts.joined_in_year = sums[2] + sums[3];
      counts.left_in_year = sums[4] + sums[5];
    }
    counts.personal = personal;
    counts.institutional = institutional;
    year_ends->push_back(counts);
  }
  assert(year_ends->size() <= static_cast<size_t>(kYearMax - kYearMin + 1));
  return Status::Ok();
}

}  // namespace kasse
