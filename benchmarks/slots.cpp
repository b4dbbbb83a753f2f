// Slot computation speed (issue 3 targets, Release build):
// - one provider, 30 days, two windows a day, 15-minute step, 60-minute sessions, 300 existing
//   bookings: under 50 us;
// - a team query (who is free at T / the earliest slot of anyone) over 1,000 and 10,000
//   providers: under 5 ms for 10,000.
// Inputs are built once outside the timed loop; `availability` is built per provider once, as a
// host would cache it next to the schedule.

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "slotbook/availability.hpp"
#include "slotbook/slots.hpp"

namespace {

using namespace std::chrono_literals;
using slotbook::interval;

const slotbook::instant now = slotbook::parse_instant("2026-03-02T08:00:00Z");  // a Monday

slotbook::schedule two_windows_a_day(std::string zone) {
  slotbook::schedule s;
  s.zone = std::move(zone);
  for (unsigned d = 0; d < 7; ++d) {
    s.windows.push_back({date::weekday{d}, 8h, 12h});
    s.windows.push_back({date::weekday{d}, 13h, 19h});
  }
  return s;
}

// `count` one-hour bookings at random quarter hours of the local working day, sorted.
std::vector<interval> bookings(const slotbook::availability& hours, slotbook::instant from,
                               int days, int count, std::mt19937& rng) {
  std::uniform_int_distribution<int> day(0, days - 1);
  std::uniform_int_distribution<int> quarter(8 * 4, 18 * 4);
  const auto first = date::floor<date::days>(from);
  std::vector<interval> out;
  for (int i = 0; i < count; ++i) {
    const date::year_month_day d{first + date::days{day(rng)}};
    const auto start =
        slotbook::to_instant(d, std::chrono::minutes{15 * quarter(rng)}, hours.zone());
    out.push_back({start, start + 1h});
  }
  std::sort(out.begin(), out.end());
  return out;
}

slotbook::slot_rules month_rules() {
  slotbook::slot_rules r;
  r.duration = 60min;
  r.step = 15min;
  return r;
}

void BM_month_of_slots_one_provider(benchmark::State& state) {
  const slotbook::availability hours{two_windows_a_day("Europe/London")};
  std::mt19937 rng{42};
  const auto busy = bookings(hours, now, 30, 300, rng);
  const auto rules = month_rules();
  const interval month{now, now + date::days{30}};
  std::size_t slots = 0;
  for (auto _ : state) {
    auto out = slotbook::generate_slots(hours, busy, rules, month, now);
    slots = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["slots"] = static_cast<double>(slots);
}
BENCHMARK(BM_month_of_slots_one_provider)->Unit(benchmark::kMicrosecond);

void BM_month_of_free_slots_one_provider(benchmark::State& state) {
  const slotbook::availability hours{two_windows_a_day("Europe/London")};
  std::mt19937 rng{42};
  const auto busy = bookings(hours, now, 30, 300, rng);
  const auto rules = month_rules();
  const interval month{now, now + date::days{30}};
  std::size_t slots = 0;
  for (auto _ : state) {
    auto out = slotbook::free_slots(hours, busy, rules, month, now);
    slots = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["free"] = static_cast<double>(slots);
}
BENCHMARK(BM_month_of_free_slots_one_provider)->Unit(benchmark::kMicrosecond);

// Same month, but from the stored schedule each time (validation, zone lookup, indexing).
void BM_month_of_slots_from_schedule(benchmark::State& state) {
  const auto s = two_windows_a_day("Europe/London");
  const slotbook::availability hours{s};
  std::mt19937 rng{42};
  const auto busy = bookings(hours, now, 30, 300, rng);
  const auto rules = month_rules();
  const interval month{now, now + date::days{30}};
  for (auto _ : state) {
    auto out = slotbook::generate_slots(s, busy, rules, month, now);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_month_of_slots_from_schedule)->Unit(benchmark::kMicrosecond);

void BM_check_bookable_one_provider(benchmark::State& state) {
  const slotbook::availability hours{two_windows_a_day("Europe/London")};
  std::mt19937 rng{42};
  const auto busy = bookings(hours, now, 30, 300, rng);
  const auto rules = month_rules();
  const auto start = slotbook::parse_instant("2026-03-10T14:15:00Z");
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        slotbook::check_bookable(hours, busy, rules, {start, start + 1h}, now));
  }
}
BENCHMARK(BM_check_bookable_one_provider)->Unit(benchmark::kMicrosecond);

// A team of providers spread over a few zones, each with its own hours and about 20 bookings in
// the next two weeks, and the seed's default rules (24 h notice, 30 days ahead, 60 minutes).
struct team {
  std::vector<slotbook::availability> hours;
  std::vector<std::vector<interval>> busy;
  slotbook::slot_rules rules;
  std::vector<slotbook::team_member> members;

  explicit team(std::size_t size) {
    const std::vector<std::string> zones{"Africa/Nairobi", "Europe/London", "America/New_York",
                                         "Asia/Kolkata", "Australia/Sydney"};
    std::mt19937 rng{7};
    std::uniform_int_distribution<int> start_hour(7, 11);
    hours.reserve(size);
    for (std::size_t i = 0; i < size; ++i) {
      slotbook::schedule s;
      s.zone = zones[i % zones.size()];
      const auto begin = std::chrono::hours{start_hour(rng)};
      for (unsigned d = 1; d <= 5; ++d) {
        s.windows.push_back({date::weekday{d}, begin, begin + 4h});
        s.windows.push_back({date::weekday{d}, begin + 5h, begin + 9h});
      }
      hours.emplace_back(s);
      busy.push_back(bookings(hours.back(), now, 14, 20, rng));
    }
    for (std::size_t i = 0; i < size; ++i) {
      members.push_back({slotbook::provider_id{i + 1}, &hours[i], busy[i], &rules});
    }
  }
};

void BM_team_who_is_free_at(benchmark::State& state) {
  const team t{static_cast<std::size_t>(state.range(0))};
  const auto start = slotbook::parse_instant("2026-03-04T10:00:00Z");  // a Wednesday
  std::size_t free = 0;
  for (auto _ : state) {
    auto who = slotbook::providers_free_at(t.members, start, now);
    free = who.size();
    benchmark::DoNotOptimize(who.data());
  }
  state.counters["free"] = static_cast<double>(free);
}
BENCHMARK(BM_team_who_is_free_at)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

void BM_team_earliest_slot(benchmark::State& state) {
  const team t{static_cast<std::size_t>(state.range(0))};
  for (auto _ : state) {
    benchmark::DoNotOptimize(slotbook::earliest_team_slot(t.members, now, now));
  }
}
BENCHMARK(BM_team_earliest_slot)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// The earliest slot when almost nobody is free for a week: every provider is searched further.
void BM_team_earliest_slot_busy_week(benchmark::State& state) {
  team t{static_cast<std::size_t>(state.range(0))};
  for (std::size_t i = 0; i < t.busy.size(); ++i) {
    t.busy[i].push_back({now, now + date::days{i == t.busy.size() - 1 ? 7 : 8}});
    std::sort(t.busy[i].begin(), t.busy[i].end());
    t.members[i].busy = t.busy[i];
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(slotbook::earliest_team_slot(t.members, now, now));
  }
}
BENCHMARK(BM_team_earliest_slot_busy_week)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
