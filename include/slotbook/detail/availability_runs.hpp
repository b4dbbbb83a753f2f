#pragma once
// Runs of availability: maximal stretches of open time (touching windows merged, across midnight
// and across days) with their true starts, which anchor the slot grid.
//
// The grid must not depend on the range a caller asks about, so a run that began before the range
// is looked up back to where it really begins, however long ago: a provider open Monday 20:00 to
// Tuesday 04:00 gets the same Tuesday slots whether the client looks at Tuesday or at the week.

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include <date/date.h>

#include "slotbook/availability.hpp"
#include "slotbook/detail/availability_convert.hpp"
#include "slotbook/time.hpp"

namespace slotbook::detail {

/// A maximal stretch of availability.
struct availability_run {
  interval time;
  /// True when the availability has been continuous since before 1900 (a provider open around
  /// the clock with no start date): the run has no start, and `time.begin` is only where the
  /// search stopped. The slot grid of such a run is anchored at the Unix epoch instead.
  bool open_start = false;
};

/// The runs of `kind` hours that end after `from`, in order. Each run's start is exact (looked up
/// as far back as needed); its end is exact when before `until`, and otherwise at least `until`.
/// `scratch` is reused storage.
inline void runs_after(const availability& hours, hours_kind kind, instant from, instant until,
                       local_converter& convert, std::vector<interval>& scratch,
                       std::vector<availability_run>& out) {
  out.clear();
  auto [first, last] = days_reaching(from, until);
  bool earlier_days_all_full = false;
  for (;;) {
    collect_days(hours, kind, first, last, convert, scratch);
    // Merged intervals are disjoint, so their ends increase with their begins.
    const auto it = std::partition_point(scratch.begin(), scratch.end(),
                                         [&](const interval& i) { return i.end <= from; });
    if (it == scratch.end()) return;
    // Days before `first` only reach instants up to here; a run starting later is complete.
    const instant reach = date::sys_days{first.time_since_epoch()} + day_reach_before;
    bool open_start = false;
    if (it->begin <= reach) {
      if (earlier_days_all_full) {
        // Three fully covered days were added in front and the run still reaches back to them,
        // so it contains them and every fully covered day before: it never started.
        open_start = true;
      } else {
        const std::optional<date::local_days> partial =
            hours.latest_partial_day_before(first, kind);
        if (partial) {
          first = std::min(*partial - date::days{2}, first - date::days{1});
        } else {
          earlier_days_all_full = true;
          first -= date::days{3};
        }
        continue;
      }
    }
    for (auto run = it; run != scratch.end(); ++run) {
      out.push_back({*run, open_start && run == it});
    }
    return;
  }
}

}  // namespace slotbook::detail
