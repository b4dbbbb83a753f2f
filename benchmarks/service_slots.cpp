// One provider's month of slots through the booking service, busy with sessions or with the same
// number of imported external busy blocks (busy_block.hpp), against the floor: the pure
// `generate_slots` over the same busy intervals with no store at all. The ratios say what reading
// busy time from a store costs, and whether external blocks cost more than sessions.
//
// The provider works Monday to Friday 08:00-18:00 Europe/Berlin, 60-minute slots: 200 slots in
// February 2026. N busy hours (0, 60 or 180) lie on that grid, the same for sessions and blocks, so
// both leave the same slots free (the free_slots counter checks it). Stores: memory_store and
// sqlite_store on ":memory:" (the queries and row decoding of SQLite, without the disk). CPU time;
// a read takes no lock anyone waits for.
//
//     ./bench_service_slots --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"

using namespace std::chrono_literals;

namespace {

const slotbook::instant now_instant = slotbook::parse_instant("2026-01-05T08:00:00Z");
const slotbook::interval february{slotbook::parse_instant("2026-02-01T00:00:00Z"),
                                  slotbook::parse_instant("2026-03-01T00:00:00Z")};
const slotbook::provider_id provider{42};
const slotbook::actor system = slotbook::actor::system();

slotbook::provider_profile profile() {
  slotbook::provider_profile p;
  p.id = provider;
  p.name = "Dr. Bench";
  p.hours.zone = "Europe/Berlin";
  for (unsigned d = 1; d <= 5; ++d) p.hours.windows.push_back({date::weekday{d}, 8h, 18h});
  p.rules.maximum_advance = date::days{400};
  return p;
}

// N hours on the slot grid spread over February's weekdays: of the 180 hours from 08:00 to 17:00
// Berlin (07:00-16:00 UTC in winter), every (180 / N)-th.
std::vector<slotbook::interval> busy_intervals(int n) {
  std::vector<slotbook::interval> all;
  for (auto day = date::sys_days{date::February / 1 / 2026};
       day < date::sys_days{date::March / 1 / 2026}; day += date::days{1}) {
    const date::weekday wd{day};
    if (wd == date::Saturday || wd == date::Sunday) continue;
    for (int h = 7; h < 16; ++h) {
      const slotbook::instant begin = slotbook::instant{day} + std::chrono::hours{h};
      all.push_back({begin, begin + 60min});
    }
  }
  std::vector<slotbook::interval> out;
  if (n <= 0 || static_cast<std::size_t>(n) > all.size()) return out;
  const std::size_t step = all.size() / static_cast<std::size_t>(n);
  for (std::size_t i = 0; out.size() < static_cast<std::size_t>(n); i += step)
    out.push_back(all[i]);
  return out;
}

enum class busy_kind { sessions, blocks };

template <class Store>
struct fixture {
  std::unique_ptr<Store> db;
  slotbook::settable_clock clock{now_instant};
  std::unique_ptr<slotbook::booking_service> service;

  fixture(busy_kind kind, int n) {
    if constexpr (std::is_same_v<Store, slotbook::sqlite_store>) {
      db = std::make_unique<Store>(":memory:");
    } else {
      db = std::make_unique<Store>();
    }
    service = std::make_unique<slotbook::booking_service>(*db, clock);
    service->put_provider(system, profile());
    const std::vector<slotbook::interval> busy = busy_intervals(n);
    if (kind == busy_kind::sessions) {
      std::uint64_t client = 1;
      for (const slotbook::interval& i : busy) {
        slotbook::booking_request r;
        r.provider = provider;
        r.client = slotbook::client_id{client++};
        r.scheduled_at = i.begin;
        service->book(system, r);
      }
    } else {
      std::vector<slotbook::busy_time> times;
      for (const slotbook::interval& i : busy) times.push_back({i, "event", "", false});
      service->import_busy(system, provider, "work", february, times);
    }
  }
};

template <class Store>
void service_slots(benchmark::State& state, busy_kind kind) {
  fixture<Store> f(kind, static_cast<int>(state.range(0)));
  std::size_t free = 0;
  for (auto _ : state) {
    const std::vector<slotbook::slot> slots = f.service->slots(provider, february);
    free = static_cast<std::size_t>(std::count_if(
        slots.begin(), slots.end(), [](const slotbook::slot& s) { return s.available; }));
    benchmark::DoNotOptimize(free);
  }
  state.counters["free_slots"] = static_cast<double>(free);
}

// The floor: the pure slot generator over the same busy intervals, nothing read from a store.
void pure_generate_slots(benchmark::State& state) {
  const slotbook::provider_profile p = profile();
  const slotbook::availability hours{p.hours};
  const std::vector<slotbook::interval> busy = busy_intervals(static_cast<int>(state.range(0)));
  std::size_t free = 0;
  for (auto _ : state) {
    const std::vector<slotbook::slot> slots =
        slotbook::generate_slots(hours, busy, p.rules, february, now_instant);
    free = static_cast<std::size_t>(std::count_if(
        slots.begin(), slots.end(), [](const slotbook::slot& s) { return s.available; }));
    benchmark::DoNotOptimize(free);
  }
  state.counters["free_slots"] = static_cast<double>(free);
}

void memory_store_slots(benchmark::State& state, busy_kind kind) {
  service_slots<slotbook::memory_store>(state, kind);
}
void sqlite_store_slots(benchmark::State& state, busy_kind kind) {
  service_slots<slotbook::sqlite_store>(state, kind);
}

}  // namespace

BENCHMARK(pure_generate_slots)->Arg(0)->Arg(60)->Arg(180)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(memory_store_slots, sessions, busy_kind::sessions)
    ->Arg(0)
    ->Arg(60)
    ->Arg(180)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(memory_store_slots, blocks, busy_kind::blocks)
    ->Arg(0)
    ->Arg(60)
    ->Arg(180)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(sqlite_store_slots, sessions, busy_kind::sessions)
    ->Arg(0)
    ->Arg(60)
    ->Arg(180)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(sqlite_store_slots, blocks, busy_kind::blocks)
    ->Arg(0)
    ->Arg(60)
    ->Arg(180)
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
