#pragma once
// RapidCheck generators for schedules, shared by the availability and slot properties. Call them
// inside an `rc::prop` body (they use `*gen` to draw values).

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "slotbook/availability.hpp"

namespace slotbook::testing {

/// Zones with awkward rules: DST at midnight (Santiago), 30-minute DST (Lord Howe), +12:45
/// (Chatham), -03:30 (St John's), Ramadan suspensions (Casablanca), none (Kolkata, UTC).
inline const std::vector<std::string>& awkward_zones() {
  static const std::vector<std::string> zones{"UTC",
                                              "America/New_York",
                                              "Europe/London",
                                              "Australia/Lord_Howe",
                                              "America/Santiago",
                                              "Asia/Kolkata",
                                              "Pacific/Chatham",
                                              "America/St_Johns",
                                              "Africa/Casablanca"};
  return zones;
}

/// A time of day: quarter hours half of the time (so boundaries coincide now and then), any
/// minute from 00:00 to 24:00 otherwise.
inline std::chrono::minutes any_time_of_day() {
  return *rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange(0, 97), [](int q) { return std::chrono::minutes{q * 15}; }),
      rc::gen::map(rc::gen::inRange(0, 1441), [](int m) { return std::chrono::minutes{m}; }));
}

/// Up to `most` sorted, non-overlapping windows of one day, some touching.
inline std::vector<local_window> any_day_windows(int most) {
  std::vector<std::chrono::minutes> cuts;
  const int n = *rc::gen::inRange(0, 2 * most + 1);
  for (int i = 0; i < n; ++i) cuts.push_back(any_time_of_day());
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<local_window> out;
  for (std::size_t i = 0; i + 1 < cuts.size();) {
    out.push_back({cuts[i], cuts[i + 1]});
    i += *rc::gen::element<std::size_t>(1, 2, 2);  // 1 makes the next window touch this one
  }
  return out;
}

/// The UTC calendar day of `t`, as a local_days value (for day arithmetic near `t`).
inline date::local_days day_of(instant t) {
  return date::local_days{date::floor<date::days>(t).time_since_epoch()};
}

/// A schedule in one of `awkward_zones()` with exceptions, effective dates and (rarely)
/// inactivity near `near`. The week is mostly ordinary days; sometimes open around the clock;
/// with `late_days`, sometimes around the clock but for one weekday that opens late, which makes
/// runs several days long that start at an odd time.
inline schedule any_schedule(const interval& near, bool late_days = false) {
  using namespace std::chrono_literals;
  schedule s;
  s.zone = *rc::gen::elementOf(awkward_zones());
  const int shape =
      late_days ? *rc::gen::element(0, 0, 0, 0, 1, 2, 2) : *rc::gen::element(0, 0, 0, 0, 1);
  const unsigned late_day = *rc::gen::inRange(0u, 7u);
  const auto late_start = std::chrono::minutes{*rc::gen::inRange(1, 1440)};
  for (unsigned d = 0; d < 7; ++d) {
    std::vector<local_window> day;
    if (shape == 0) {
      day = any_day_windows(3);
    } else if (shape == 2 && d == late_day) {
      day = {{late_start, 1440min}};
    } else {
      day = {{0min, 1440min}};
    }
    for (const auto& w : day) s.windows.push_back({date::weekday{d}, w.start, w.end});
  }
  const auto first = day_of(near.begin) - date::days{3};
  const int span = static_cast<int>((day_of(near.end) - first).count()) + 4;
  std::vector<date::local_days> used;
  for (int i = *rc::gen::inRange(0, 4); i > 0; --i) {
    const date::local_days d = first + date::days{*rc::gen::inRange(0, span)};
    if (std::find(used.begin(), used.end(), d) != used.end()) continue;
    used.push_back(d);
    const auto hours = any_day_windows(2);
    s.exceptions.push_back(hours.empty() ? date_exception::closed(date::year_month_day{d})
                                         : date_exception::custom(date::year_month_day{d}, hours));
  }
  if (*rc::gen::element(false, false, true)) {
    s.effective_from = date::year_month_day{first + date::days{*rc::gen::inRange(0, span)}};
  }
  if (*rc::gen::element(false, false, true)) {
    s.effective_until = date::year_month_day{first + date::days{*rc::gen::inRange(0, span)}};
    if (s.effective_from &&
        date::sys_days{*s.effective_until} < date::sys_days{*s.effective_from}) {
      std::swap(*s.effective_from, *s.effective_until);
    }
  }
  s.active = *rc::gen::element(true, true, true, true, true, true, true, true, true, false);
  return s;
}

}  // namespace slotbook::testing
