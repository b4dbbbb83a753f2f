// Properties of expand(): its output is well formed, and membership agrees with a brute-force
// oracle that converts every window of every nearby day on its own with slotbook::to_instant.

#include <algorithm>
#include <string>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

#include "slotbook/availability.hpp"
#include "support/schedule_gen.hpp"

namespace {

using namespace std::chrono_literals;
using slotbook::interval;
using slotbook::testing::any_schedule;
using slotbook::testing::day_of;

slotbook::instant any_instant_2026() {
  const auto base = date::sys_days{date::year{2026} / 1 / 1};
  return slotbook::instant{base} + std::chrono::minutes{*rc::gen::inRange(0, 365 * 1440)} +
         std::chrono::seconds{*rc::gen::element(0, 0, 0, 17)};
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
