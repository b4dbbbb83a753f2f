#pragma once
// Local <-> UTC conversion in one zone, fast when many nearby times are converted in a row.
//
// Expanding a month of availability converts a few hundred local times that almost all share one
// UTC offset. `date::time_zone::get_info` is a binary search over the zone's transitions on every
// call; this remembers the offset period of the last answer and reuses it when the new time lies
// safely inside it, so the usual cost is a subtraction and two comparisons. Results are exactly
// those of `slotbook::to_instant` / `slotbook::to_local`: the fast path is taken only where the
// answer cannot differ (see `to_instant`).

#include <cassert>
#include <chrono>

#include <date/date.h>
#include <date/tz.h>

#include "slotbook/time.hpp"

namespace slotbook::detail {

/// Converts local wall-clock times and UTC instants in one zone, caching the current offset
/// period. Not thread-safe (it is a per-call scratch object); the zone must outlive it.
class local_converter {
 public:
  explicit local_converter(const date::time_zone& zone) noexcept : zone_(&zone) {}

  /// `slotbook::to_instant(local, zone)`: gap times move forward, ambiguous times take the
  /// earlier instant.
  instant to_instant(date::local_seconds local) {
    if (have_) {
      const instant guess{local.time_since_epoch() - offset_};
      // `local` read with this period's offset lands inside the period, so it is a valid local
      // time of it. Two days from either end of the period, no neighbouring period (whose offset
      // differs by well under two days) can also contain it, so it is neither ambiguous nor in a
      // gap: the unique answer, the same one to_instant gives.
      if (guess >= safe_begin_ && guess < safe_end_) return guess;
    }
    // One tz lookup gives both the answer and the period it falls in. The answer is time.hpp's
    // rule verbatim (the offset of `first`: the only one, the one before a gap, or the earlier of
    // two); debug builds check it against `slotbook::to_instant` itself.
    const date::local_info info = zone_local_info(*zone_, local);
    const instant exact{local.time_since_epoch() - info.first.offset};
    assert(exact == slotbook::to_instant(local, *zone_));
    remember(info.result == date::local_info::nonexistent ? info.second : info.first);
    return exact;
  }

  /// The wall-clock time in the zone at `t`.
  date::local_seconds to_local(instant t) {
    if (!have_ || t < begin_ || t >= end_) remember(zone_info(*zone_, t));
    return date::local_seconds{t.time_since_epoch() + offset_};
  }

  /// The local calendar day of `t`.
  date::local_days local_day(instant t) { return date::floor<date::days>(to_local(t)); }

  const date::time_zone& zone() const noexcept { return *zone_; }

 private:
  void remember(const date::sys_info& info) {
    constexpr std::chrono::hours margin{48};
    begin_ = info.begin;
    end_ = info.end;
    offset_ = info.offset;
    // The first and last periods of a zone run to year -32767 / 32767: far from overflowing.
    safe_begin_ = info.begin + margin;
    safe_end_ = info.end - margin;
    have_ = true;
  }

  const date::time_zone* zone_;
  bool have_ = false;
  instant begin_{};
  instant end_{};
  std::chrono::seconds offset_{};
  instant safe_begin_{};
  instant safe_end_{};
};

}  // namespace slotbook::detail
