// Properties of expand(): its output is well formed, and membership agrees with a brute-force
// oracle that converts every window of every nearby day on its own with slotbook::to_instant.

#include <algorithm>
#include <string>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

#include "slotbook/availability.hpp"

namespace {

using namespace std::chrono_literals;
using slotbook::interval;

const std::vector<std::string> zones{"UTC",
                                     "America/New_York",
                                     "Europe/London",
                                     "Australia/Lord_Howe",
                                     "America/Santiago",
                                     "Asia/Kolkata",
                                     "Pacific/Chatham",
                                     "America/St_Johns",
                                     "Africa/Casablanca"};

std::chrono::minutes any_time_of_day() {
  return *rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange(0, 97), [](int q) { return std::chrono::minutes{q * 15}; }),
      rc::gen::map(rc::gen::inRange(0, 1441), [](int m) { return std::chrono::minutes{m}; }));
}

// Sorted, non-overlapping windows of one day (some touching).
std::vector<slotbook::local_window> any_day_windows(int most) {
  std::vector<std::chrono::minutes> cuts;
  const int n = *rc::gen::inRange(0, 2 * most + 1);
  for (int i = 0; i < n; ++i) cuts.push_back(any_time_of_day());
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<slotbook::local_window> out;
  for (std::size_t i = 0; i + 1 < cuts.size();) {
    out.push_back({cuts[i], cuts[i + 1]});
    i += *rc::gen::element<std::size_t>(1, 2, 2);  // 1 makes the next window touch this one
  }
  return out;
}

date::local_days day_of(slotbook::instant t) {
  return date::local_days{date::floor<date::days>(t).time_since_epoch()};
}

slotbook::instant any_instant_2026() {
  const auto base = date::sys_days{date::year{2026} / 1 / 1};
  return slotbook::instant{base} + std::chrono::minutes{*rc::gen::inRange(0, 365 * 1440)} +
         std::chrono::seconds{*rc::gen::element(0, 0, 0, 17)};
}

slotbook::schedule any_schedule(const interval& near) {
  slotbook::schedule s;
  s.zone = *rc::gen::elementOf(zones);
  const bool around_the_clock = *rc::gen::element(false, false, false, false, true);
  for (unsigned d = 0; d < 7; ++d) {
    const auto day = around_the_clock ? std::vector<slotbook::local_window>{{0min, 1440min}}
                                      : any_day_windows(3);
    for (const auto& w : day) s.windows.push_back({date::weekday{d}, w.start, w.end});
  }
  const auto first = day_of(near.begin) - date::days{3};
  const int span = static_cast<int>((day_of(near.end) - first).count()) + 4;
  const int count = *rc::gen::inRange(0, 4);
  std::vector<date::local_days> used;
  for (int i = 0; i < count; ++i) {
    const date::local_days d = first + date::days{*rc::gen::inRange(0, span)};
    if (std::find(used.begin(), used.end(), d) != used.end()) continue;
    used.push_back(d);
    auto hours = any_day_windows(2);
    if (hours.empty()) {
      s.exceptions.push_back(slotbook::date_exception::closed(date::year_month_day{d}));
    } else {
      s.exceptions.push_back(slotbook::date_exception::custom(date::year_month_day{d}, hours));
    }
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

interval any_range() {
  const slotbook::instant begin = any_instant_2026();
  const auto length = std::chrono::minutes{*rc::gen::inRange(1, 20 * 1440)};
  return {begin, begin + length};
}

// Is `t` open? Checks every window of every day that could reach it, one by one.
bool open_at(const slotbook::availability& hours, slotbook::instant t, slotbook::hours_kind kind) {
  for (date::local_days d = day_of(t) - date::days{3}; d <= day_of(t) + date::days{3};
       d += date::days{1}) {
    for (const slotbook::local_window& w : hours.hours_on(d, kind)) {
      const auto begin = slotbook::to_instant(date::year_month_day{d}, w.start, hours.zone());
      const auto end = slotbook::to_instant(date::year_month_day{d}, w.end, hours.zone());
      if (begin <= t && t < end) return true;
    }
  }
  return false;
}

bool in_expansion(const std::vector<interval>& out, slotbook::instant t) {
  return std::any_of(out.begin(), out.end(), [&](const interval& i) { return i.contains(t); });
}

}  // namespace

TEST_CASE("expanded intervals lie inside the range, sorted, disjoint and not touching") {
  rc::prop("well formed", [] {
    const interval range = any_range();
    const slotbook::availability hours{any_schedule(range)};
    const auto out = slotbook::expand(hours, range);
    for (std::size_t i = 0; i < out.size(); ++i) {
      RC_ASSERT(out[i].ok());
      RC_ASSERT(range.contains(out[i]));
      if (i > 0) RC_ASSERT(out[i - 1].end < out[i].begin);
    }
  });
}

TEST_CASE("an instant is in the expansion exactly when some window of a nearby day covers it") {
  rc::prop("agrees with the brute-force oracle", [] {
    const interval range = any_range();
    const slotbook::availability hours{any_schedule(range)};
    const auto kind = *rc::gen::element(slotbook::hours_kind::actual, slotbook::hours_kind::weekly);
    const auto out = slotbook::expand(hours, range, kind);
    std::vector<slotbook::instant> probes;
    for (const interval& i : out) {
      probes.insert(probes.end(), {i.begin - 1s, i.begin, i.end - 1s, i.end});
    }
    for (int k = 0; k < 40; ++k) {
      probes.push_back(range.begin + std::chrono::seconds{*rc::gen::inRange<std::int64_t>(
                                         0, range.duration().count())});
    }
    for (const slotbook::instant t : probes) {
      if (!range.contains(t)) continue;
      RC_ASSERT(in_expansion(out, t) == open_at(hours, t, kind));
    }
  });
}

TEST_CASE("expanding two adjacent ranges gives the expansion of their union") {
  rc::prop("splitting the range does not change the hours", [] {
    const interval range = any_range();
    const slotbook::availability hours{any_schedule(range)};
    const auto cut = range.begin + std::chrono::seconds{*rc::gen::inRange<std::int64_t>(
                                       1, range.duration().count())};
    auto joined = slotbook::expand(hours, {range.begin, cut});
    const auto second = slotbook::expand(hours, {cut, range.end});
    if (!joined.empty() && !second.empty() && joined.back().end == second.front().begin) {
      joined.back().end = second.front().end;
      joined.insert(joined.end(), second.begin() + 1, second.end());
    } else {
      joined.insert(joined.end(), second.begin(), second.end());
    }
    RC_ASSERT(joined == slotbook::expand(hours, range));
  });
}

TEST_CASE("without exceptions the actual hours are the weekly hours") {
  rc::prop("exceptions are the only difference", [] {
    const interval range = any_range();
    auto s = any_schedule(range);
    s.exceptions.clear();
    const slotbook::availability hours{s};
    RC_ASSERT(slotbook::expand(hours, range) ==
              slotbook::expand(hours, range, slotbook::hours_kind::weekly));
  });
}
