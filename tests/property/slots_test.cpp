// Properties of slot lists and the booking check, against brute-force oracles built only from
// expand() (checked against zoneinfo elsewhere), to_instant/to_civil and linear scans:
// - the list equals a naive grid over the runs of expand() with naively computed reasons;
// - available slots respect notice, horizon, hours and buffered bookings;
// - the grid does not depend on the range asked for;
// - check_bookable agrees with the list, and accepts nothing the list would not offer;
// - team queries equal a search over every provider's full slot list.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

#include "slotbook/availability.hpp"
#include "slotbook/slots.hpp"
#include "support/schedule_gen.hpp"

namespace {

using namespace std::chrono_literals;
using slotbook::interval;
using slotbook::slot_reason;
using slotbook::testing::any_schedule;
using slotbook::testing::day_of;

// Near a DST change of the awkward zones about half of the time.
slotbook::instant any_instant() {
  const auto base = *rc::gen::element(
      date::sys_days{date::year{2026} / 1 / 1}, date::sys_days{date::year{2026} / 3 / 5},
      date::sys_days{date::year{2026} / 3 / 26}, date::sys_days{date::year{2026} / 4 / 1},
      date::sys_days{date::year{2026} / 9 / 2}, date::sys_days{date::year{2026} / 10 / 22});
  // Quarter hours half of the time, so boundaries (notice, horizon, grid) coincide now and then.
  const auto unit = std::chrono::minutes{*rc::gen::element(1, 15)};
  return slotbook::instant{base} +
         unit * *rc::gen::inRange<std::int64_t>(0, 14 * 1440 / unit.count());
}

slotbook::slot_rules any_rules() {
  slotbook::slot_rules r;
  r.duration = std::chrono::minutes{*rc::gen::element(15, 25, 30, 45, 50, 60, 60, 70, 90)};
  if (*rc::gen::element(false, true)) {
    r.step = std::chrono::minutes{*rc::gen::element(5, 7, 10, 15, 20, 25, 30, 50, 60, 70, 90)};
  }
  r.buffer_before = std::chrono::minutes{*rc::gen::element(0, 0, 5, 15, 30)};
  r.buffer_after = std::chrono::minutes{*rc::gen::element(0, 0, 10, 15, 60)};
  r.minimum_notice = std::chrono::minutes{*rc::gen::element(0, 0, 60, 1440)};
  r.maximum_advance = std::chrono::minutes{*rc::gen::element(1440, 7 * 1440, 30 * 1440)};
  if (*rc::gen::element(false, true)) r.max_per_day = *rc::gen::inRange(0u, 4u);
  r.alignment =
      *rc::gen::element(slotbook::slot_alignment::run_start, slotbook::slot_alignment::run_start,
                        slotbook::slot_alignment::run_start, slotbook::slot_alignment::fixed_grid);
  return r;
}

std::vector<interval> any_busy(const interval& near) {
  std::vector<interval> out;
  const auto span = (near.duration() + date::days{2}) / 5min;
  for (int i = *rc::gen::inRange(0, 9); i > 0; --i) {
    const auto begin = near.begin - date::days{1} + 5min * *rc::gen::inRange<std::int64_t>(0, span);
    out.push_back({begin, begin + std::chrono::minutes{*rc::gen::element(15, 30, 50, 60, 120)}});
  }
  if (*rc::gen::element(true, false)) std::sort(out.begin(), out.end());
  return out;
}

struct scenario {
  interval range;
  slotbook::schedule schedule;
  std::vector<interval> busy;
  slotbook::slot_rules rules;
  slotbook::instant now;
};

scenario any_scenario() {
  scenario c;
  const auto begin = any_instant();
  c.range = {begin, begin + std::chrono::minutes{*rc::gen::inRange(30, 8 * 1440)}};
  c.schedule = any_schedule(c.range, /*late_days=*/true);
  c.busy = any_busy(c.range);
  c.rules = any_rules();
  const auto unit = std::chrono::minutes{*rc::gen::element(1, 15)};
  c.now = c.range.begin +
          unit * *rc::gen::inRange<std::int64_t>(-8 * 1440 / unit.count(), 3 * 1440 / unit.count());
  // Now and then put a slot exactly on the notice or horizon boundary. The candidate starts do
  // not depend on `now`, so listing them first only picks the input.
  const int edge = *rc::gen::element(0, 0, 1, 2);
  if (edge != 0) {
    const auto listed = slotbook::generate_slots(c.schedule, c.busy, c.rules, c.range, c.now);
    if (!listed.empty()) {
      const auto pick = *rc::gen::inRange<std::size_t>(0, listed.size());
      c.now =
          listed[pick].time.begin - (edge == 1 ? c.rules.minimum_notice : c.rules.maximum_advance);
    }
  }
  return c;
}

// --- the brute-force oracle ----------------------------------------------------------------------

slot_reason naive_policy(const scenario& c, const slotbook::availability& hours,
                         const interval& s) {
  if (s.begin < c.now + c.rules.minimum_notice) return slot_reason::too_soon;
  if (s.begin > c.now + c.rules.maximum_advance) return slot_reason::too_far;
  const interval widened{s.begin - c.rules.buffer_before, s.end + c.rules.buffer_after};
  bool booked = false, buffered = false;
  for (const interval& b : c.busy) {
    booked = booked || b.overlaps(s);
    buffered = buffered || b.overlaps(widened);
  }
  if (booked) return slot_reason::booked;
  if (buffered) return slot_reason::buffer;
  if (c.rules.max_per_day) {
    const auto day = date::sys_days{slotbook::to_civil(s.begin, hours.zone()).date};
    unsigned count = 0;
    for (const interval& b : c.busy) {
      if (date::sys_days{slotbook::to_civil(b.begin, hours.zone()).date} == day) ++count;
    }
    if (count >= *c.rules.max_per_day) return slot_reason::day_full;
  }
  return slot_reason::none;
}

bool contained(const std::vector<interval>& runs, const interval& s) {
  return std::any_of(runs.begin(), runs.end(), [&](const interval& r) { return r.contains(s); });
}

bool overlapping(const std::vector<interval>& runs, const interval& s) {
  return std::any_of(runs.begin(), runs.end(), [&](const interval& r) { return r.overlaps(s); });
}

// Slot starts of each run of `runs` (from expand over a much larger range) that start in
// `c.range`; nullopt when a run that matters touches the edge of the larger range, so its true
// start is unknown here.
std::optional<std::vector<interval>> naive_grid(const scenario& c,
                                                const std::vector<interval>& runs,
                                                const interval& big) {
  std::vector<interval> out;
  const std::chrono::seconds step{c.rules.effective_step()};
  for (const interval& r : runs) {
    if (r.end <= c.range.begin || r.begin >= c.range.end) continue;
    if (r.begin == big.begin || r.end == big.end) return std::nullopt;
    for (auto t = r.begin; t + c.rules.duration <= r.end; t += step) {
      if (c.range.contains(t)) out.push_back({t, t + c.rules.duration});
    }
  }
  return out;
}

std::optional<std::vector<slotbook::slot>> naive_slots(const scenario& c) {
  const slotbook::availability hours{c.schedule};
  const interval big{c.range.begin - date::days{20}, c.range.end + date::days{20}};
  const auto actual = slotbook::expand(hours, big);
  const auto weekly = slotbook::expand(hours, big, slotbook::hours_kind::weekly);
  std::vector<slotbook::slot> out;
  const auto dur = c.rules.duration;
  if (c.rules.alignment == slotbook::slot_alignment::run_start) {
    const auto on_grid = naive_grid(c, actual, big);
    const auto weekly_grid = naive_grid(c, weekly, big);
    if (!on_grid || !weekly_grid) return std::nullopt;
    for (const interval& s : *on_grid) {
      const slot_reason r = naive_policy(c, hours, s);
      out.push_back({s, r == slot_reason::none, r});
    }
    for (const interval& s : *weekly_grid) {
      if (!overlapping(actual, s)) out.push_back({s, false, slot_reason::exception});
    }
  } else {
    std::vector<slotbook::instant> starts;
    for (auto d = day_of(c.range.begin) - date::days{3}; d <= day_of(c.range.end) + date::days{3};
         d += date::days{1}) {
      for (auto m = 0min; m < 24h; m += c.rules.effective_step()) {
        const auto t = slotbook::to_instant(date::year_month_day{d}, m, hours.zone());
        if (c.range.contains(t)) starts.push_back(t);
      }
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    for (const auto t : starts) {
      const interval s{t, t + dur};
      if (contained(actual, s)) {
        const slot_reason r = naive_policy(c, hours, s);
        out.push_back({s, r == slot_reason::none, r});
      } else if (!overlapping(actual, s) && contained(weekly, s)) {
        out.push_back({s, false, slot_reason::exception});
      } else {
        out.push_back({s, false, slot_reason::outside_hours});
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const slotbook::slot& a, const slotbook::slot& b) { return a.time < b.time; });
  return out;
}

}  // namespace

TEST_CASE("generate_slots equals a brute-force grid over the expanded hours") {
  rc::prop("same slots, same reasons", [] {
    const scenario c = any_scenario();
    const auto expected = naive_slots(c);
    RC_PRE(expected.has_value());
    RC_ASSERT(slotbook::generate_slots(c.schedule, c.busy, c.rules, c.range, c.now) == *expected);
  });
}

TEST_CASE("every available slot respects notice, horizon, the hours and buffered bookings") {
  rc::prop("available slots are bookable by every rule", [] {
    const scenario c = any_scenario();
    const slotbook::availability hours{c.schedule};
    const auto open = slotbook::expand(
        hours, {c.range.begin, c.range.end + c.rules.duration + std::chrono::seconds{1}});
    for (const interval& s : slotbook::free_slots(hours, c.busy, c.rules, c.range, c.now)) {
      RC_ASSERT(s.duration() == std::chrono::seconds{c.rules.duration});
      RC_ASSERT(c.range.contains(s.begin));
      RC_ASSERT(s.begin >= c.now + c.rules.minimum_notice);
      RC_ASSERT(s.begin <= c.now + c.rules.maximum_advance);
      RC_ASSERT(contained(open, s));
      const interval widened{s.begin - c.rules.buffer_before, s.end + c.rules.buffer_after};
      for (const interval& b : c.busy) RC_ASSERT(!b.overlaps(widened));
    }
  });
}

TEST_CASE("the slots in a sub-range are those of a larger range that start in it") {
  rc::prop("the grid does not depend on the range", [] {
    const scenario c = any_scenario();
    const slotbook::availability hours{c.schedule};
    const auto seconds = c.range.duration().count();
    auto a = c.range.begin + std::chrono::seconds{*rc::gen::inRange<std::int64_t>(0, seconds)};
    auto b = c.range.begin + std::chrono::seconds{*rc::gen::inRange<std::int64_t>(0, seconds)};
    if (b < a) std::swap(a, b);
    RC_PRE(a < b);
    const interval sub{a, b};
    std::vector<slotbook::slot> clipped;
    for (const auto& s : slotbook::generate_slots(hours, c.busy, c.rules, c.range, c.now)) {
      if (sub.contains(s.time.begin)) clipped.push_back(s);
    }
    RC_ASSERT(slotbook::generate_slots(hours, c.busy, c.rules, sub, c.now) == clipped);
  });
}

TEST_CASE("check_bookable agrees with every listed slot") {
  rc::prop("available iff allowed, with the same reason", [] {
    const scenario c = any_scenario();
    const slotbook::availability hours{c.schedule};
    for (const auto& s : slotbook::generate_slots(hours, c.busy, c.rules, c.range, c.now)) {
      RC_ASSERT(slotbook::check_bookable(hours, c.busy, c.rules, s.time, c.now) ==
                (slotbook::slot_decision{s.available, s.reason}));
    }
  });
}

TEST_CASE("check_bookable accepts only slots the list offers as available") {
  rc::prop("an accepted proposal is a listed available slot", [] {
    const scenario c = any_scenario();
    const slotbook::availability hours{c.schedule};
    const auto listed = slotbook::generate_slots(hours, c.busy, c.rules, c.range, c.now);
    std::vector<interval> proposals;
    for (int k = 0; k < 30; ++k) {
      const auto start =
          c.range.begin + 5min * *rc::gen::inRange<std::int64_t>(0, c.range.duration() / 5min);
      proposals.push_back({start, start + c.rules.duration});
    }
    for (const auto& s : listed) {  // near misses: a little off the grid, or a little longer
      proposals.push_back({s.time.begin + 5min, s.time.end + 5min});
      proposals.push_back({s.time.begin, s.time.end + 1min});
    }
    for (const interval& p : proposals) {
      const auto d = slotbook::check_bookable(hours, c.busy, c.rules, p, c.now);
      RC_ASSERT(d.allowed == (d.reason == slot_reason::none));
      if (!d.allowed || !c.range.contains(p.begin)) continue;
      const bool offered = std::any_of(listed.begin(), listed.end(),
                                       [&](const auto& s) { return s.time == p && s.available; });
      RC_ASSERT(offered);
    }
  });
}

TEST_CASE("free_slots returns the available slots of generate_slots") {
  rc::prop("free is the available subset", [] {
    const scenario c = any_scenario();
    std::vector<interval> available;
    for (const auto& s : slotbook::generate_slots(c.schedule, c.busy, c.rules, c.range, c.now)) {
      if (s.available) available.push_back(s.time);
    }
    RC_ASSERT(slotbook::free_slots(c.schedule, c.busy, c.rules, c.range, c.now) == available);
  });
}

TEST_CASE("the order of busy intervals does not matter") {
  rc::prop("shuffled busy, same slots", [] {
    scenario c = any_scenario();
    const auto before = slotbook::generate_slots(c.schedule, c.busy, c.rules, c.range, c.now);
    const auto shuffled = *rc::gen::elementOf(std::vector<int>{0, 1});
    if (shuffled == 0) {
      std::reverse(c.busy.begin(), c.busy.end());
    } else {
      std::sort(c.busy.begin(), c.busy.end());
    }
    RC_ASSERT(slotbook::generate_slots(c.schedule, c.busy, c.rules, c.range, c.now) == before);
  });
}

TEST_CASE("team queries equal a search over every provider's slot list") {
  rc::prop("earliest slot and who is free agree with brute force", [] {
    const auto from = any_instant();
    const auto now = from - std::chrono::minutes{*rc::gen::inRange(0, 3 * 1440)};
    const interval near{from, from + date::days{5}};
    const int size = *rc::gen::inRange(0, 5);
    std::vector<slotbook::availability> hours;
    std::vector<std::vector<interval>> busy;
    std::vector<slotbook::slot_rules> rules;
    hours.reserve(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i) {
      hours.emplace_back(any_schedule(near));
      busy.push_back(any_busy(near));
      rules.push_back(any_rules());
      rules.back().maximum_advance = std::chrono::minutes{*rc::gen::element(1440, 5 * 1440)};
    }
    std::vector<slotbook::team_member> team;
    for (std::size_t i = 0; i < hours.size(); ++i) {
      team.push_back({slotbook::provider_id{i + 1}, &hours[i], busy[i], &rules[i]});
    }

    std::optional<slotbook::team_slot> expected;
    for (std::size_t i = 0; i < team.size(); ++i) {
      const auto last = now + rules[i].maximum_advance + std::chrono::seconds{1};
      if (last <= from) continue;
      const auto free = slotbook::free_slots(hours[i], busy[i], rules[i], {from, last}, now);
      if (!free.empty() && (!expected || free.front().begin < expected->time.begin)) {
        expected = slotbook::team_slot{team[i].provider, free.front()};
      }
    }
    RC_ASSERT(slotbook::earliest_team_slot(team, from, now) == expected);

    const auto start = expected && *rc::gen::element(true, false)
                           ? expected->time.begin
                           : from + 5min * *rc::gen::inRange(0, 5 * 288);
    std::vector<slotbook::provider_id> free_then;
    for (std::size_t i = 0; i < team.size(); ++i) {
      if (slotbook::check_bookable(hours[i], busy[i], rules[i], {start, start + rules[i].duration},
                                   now)
              .allowed) {
        free_then.push_back(team[i].provider);
      }
    }
    RC_ASSERT(slotbook::providers_free_at(team, start, now) == free_then);
  });
}
