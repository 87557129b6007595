// Member counts as of any date, by kind: a fold over member.joined, member.changed, member.left.
//
// Booking dates, not recording order, decide: each member's events form a timeline sorted by
// (date, seq), and the projection keeps, per day, how the counts change on that day. A late
// recording re-derives that one member's contribution. State:
//   "members/m/<member>"    the member's timeline, entries of 14 bytes:
//                           date yyyymmdd (4 LE), seq (8 LE), op (1), kind (1)
//   "members/d/<yyyymmdd>"  six int64: active change personal, institutional; joins personal,
//                           institutional; departures personal, institutional
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "ledger/store.h"
#include "projections/state_cache.h"

namespace kasse {

// Checks that the member's timeline stays consistent with `event` added (no second join while
// active, no departure of a non-member, no change of a member who never joined), then folds it.
Status FoldMemberEvent(StateCache& cache, const Event& event);

// True when `member` has joined at some time (dues and donations may name only such members).
Status MemberEverJoined(StateCache& cache, std::string_view member, bool* joined);

struct MemberCounts {
  Date as_of;
  int64_t personal = 0;
  int64_t institutional = 0;
  int64_t joined_in_year = 0;  // from 1 January of as_of's year up to as_of
  int64_t left_in_year = 0;
  int64_t total() const { return personal + institutional; }
};

// Reads the counts as of the end of `as_of` from the stored projection.
Status ReadMemberCounts(const StateView& state, const Date& as_of, MemberCounts* counts);

// Member development: the counts at the end of every year from the first year with a member event
// (or `first_year`, when that is earlier) up to the year of `last_day`; the last entry counts as of
// the end of `last_day`, the others as of 31 December. One pass over the stored days. Years
// without any member event yet before the first one are left out; at most kYearMax - kYearMin + 1
// entries. Empty when there is no year to show.
Status ReadMemberYearEnds(const StateView& state, int32_t first_year, const Date& last_day,
                          std::vector<MemberCounts>* year_ends);

}  // namespace kasse
