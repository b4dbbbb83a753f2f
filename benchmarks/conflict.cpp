// The conflict check every booking makes: "is [b, e) free for provider P?".
//
// Benchmarks are named conflict/<impl>/<layout>/<n>:
//   impl    slotbook     interval_index (one_provider) / provider_index (many_providers)
//           linear_scan  a vector of the provider's bookings scanned for any overlap: the seed's
//                        approach with the overlap test done correctly
//           std_set      std::set ordered by begin, predecessor check (the textbook answer)
//   layout  one_provider    n bookings of a single provider
//           many_providers  n bookings spread over n / 1000 providers (1,000 bookings each)
//
// Data is generated from a fixed seed: per provider, 60-minute bookings separated by random gaps of
// 0 to 120 minutes (in 15-minute steps), inserted in shuffled order (the order bookings really
// arrive in, and the one that leaves blocks least full). Queries are 60-minute windows starting on
// a random minute of a random provider's booked period, so roughly half of them conflict. Before
// timing, every implementation's answers on a sample of queries are compared with linear_scan's;
// a mismatch aborts that benchmark with SkipWithError. slotbook also reports bytes_per_booking
// (heap bytes of the index divided by the number of bookings).
//
// Run it from a Release build: cmake -DCMAKE_BUILD_TYPE=Release, then
//   bench_conflict --benchmark_filter=conflict/ --benchmark_repetitions=3

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "slotbook/interval_index.hpp"

namespace {

using slotbook::instant;
using slotbook::interval;
using slotbook::provider_id;
using slotbook::session_id;

constexpr std::size_t bookings_per_provider = 1000;  // for many_providers
constexpr std::size_t query_count = 1 << 16;         // cycled through; a power of two
constexpr std::size_t sample_size = 1000;            // queries checked against linear_scan

struct booking {
  provider_id provider;
  session_id id;
  interval span;
};

struct query {
  provider_id provider;
  interval span;
};

struct dataset {
  std::vector<booking> bookings;  // in insertion (shuffled) order
  std::vector<query> queries;
  std::vector<bool> expected;  // linear-scan answers for the first sample_size queries
};

// Every provider's bookings start on Monday 2026-01-05 08:00 UTC.
const instant start = instant{std::chrono::seconds{1'767'600'000}};

dataset generate(std::size_t n, std::size_t providers) {
  std::mt19937_64 rng(20260105);
  dataset d;
  d.bookings.reserve(n);
  std::vector<interval> period(providers);  // first begin to last end, per provider
  std::uint64_t next_id = 1;
  for (std::size_t p = 0; p < providers; ++p) {
    const std::size_t count = n / providers;
    instant t = start;
    period[p].begin = t;
    for (std::size_t i = 0; i < count; ++i) {
      t += std::chrono::minutes{15 * static_cast<int>(rng() % 9)};
      d.bookings.push_back(
          {provider_id{p + 1}, session_id{next_id++}, {t, t + std::chrono::minutes{60}}});
      t += std::chrono::minutes{60};
    }
    period[p].end = t;
  }
  std::shuffle(d.bookings.begin(), d.bookings.end(), rng);
  d.queries.reserve(query_count);
  for (std::size_t i = 0; i < query_count; ++i) {
    const std::size_t p = rng() % providers;
    const auto minutes =
        std::chrono::duration_cast<std::chrono::minutes>(period[p].end - period[p].begin).count();
    const instant b = period[p].begin - std::chrono::minutes{30} +
                      std::chrono::minutes{static_cast<std::int64_t>(
                          rng() % static_cast<std::uint64_t>(minutes + 30))};
    d.queries.push_back({provider_id{p + 1}, {b, b + std::chrono::minutes{60}}});
  }
  return d;
}

// --- the three implementations, each behind the same two calls: add and is_free ----------------

struct linear_scan {
  std::unordered_map<provider_id, std::vector<interval>> by_provider;

  void add(const booking& b) { by_provider[b.provider].push_back(b.span); }
  bool is_free(provider_id p, interval q) const {
    const auto found = by_provider.find(p);
    if (found == by_provider.end()) return true;
    for (const interval& s : found->second) {
      if (s.begin < q.end && q.begin < s.end) return false;
    }
    return true;
  }
};

struct std_set {
  std::unordered_map<provider_id, std::set<interval>> by_provider;

  void add(const booking& b) { by_provider[b.provider].insert(b.span); }
  bool is_free(provider_id p, interval q) const {
    const auto found = by_provider.find(p);
    if (found == by_provider.end()) return true;
    // The last booking beginning before q.end is the only one that can reach into q.
    const std::set<interval>& s = found->second;
    auto it = s.lower_bound(interval{q.end, q.end});
    if (it == s.begin()) return true;
    --it;
    return it->end <= q.begin;
  }
};

// One provider needs no provider lookup: these wrappers give the single-provider structures the
// same shape, so one_provider measures the bare structure.
struct linear_scan_one {
  std::vector<interval> spans;
  void add(const booking& b) { spans.push_back(b.span); }
  bool is_free(provider_id, interval q) const {
    for (const interval& s : spans) {
      if (s.begin < q.end && q.begin < s.end) return false;
    }
    return true;
  }
};

struct std_set_one {
  std::set<interval> spans;
  void add(const booking& b) { spans.insert(b.span); }
  bool is_free(provider_id, interval q) const {
    auto it = spans.lower_bound(interval{q.end, q.end});
    if (it == spans.begin()) return true;
    --it;
    return it->end <= q.begin;
  }
};

struct slotbook_one {
  slotbook::interval_index index;
  void add(const booking& b) { index.insert(b.id, b.span); }
  bool is_free(provider_id, interval q) const { return index.is_free(q); }
  std::size_t memory_bytes() const { return index.memory_bytes(); }
};

struct slotbook_many {
  slotbook::provider_index index;
  void add(const booking& b) { index.insert(b.provider, b.id, b.span); }
  bool is_free(provider_id p, interval q) const { return index.is_free(p, q); }
  std::size_t memory_bytes() const { return index.memory_bytes(); }
};

template <class T>
concept reports_memory = requires(const T& t) {
  t.memory_bytes();
};

// Datasets are shared by the implementations of one size and layout; built on first use.
const dataset& data_for(std::size_t n, std::size_t providers) {
  static std::map<std::pair<std::size_t, std::size_t>, std::unique_ptr<dataset>> cache;
  auto& slot = cache[{n, providers}];
  if (!slot) {
    slot = std::make_unique<dataset>(generate(n, providers));
    linear_scan oracle;
    for (const booking& b : slot->bookings) oracle.add(b);
    for (std::size_t i = 0; i < sample_size; ++i) {
      slot->expected.push_back(oracle.is_free(slot->queries[i].provider, slot->queries[i].span));
    }
  }
  return *slot;
}

template <class Impl>
void conflict_check(benchmark::State& state, std::size_t n, std::size_t providers) {
  const dataset& d = data_for(n, providers);
  Impl impl;
  for (const booking& b : d.bookings) impl.add(b);
  for (std::size_t i = 0; i < sample_size; ++i) {
    if (impl.is_free(d.queries[i].provider, d.queries[i].span) != d.expected[i]) {
      state.SkipWithError("answer differs from linear_scan's");
      return;
    }
  }
  std::size_t i = 0;
  std::size_t free_count = 0;
  for (auto _ : state) {
    const query& q = d.queries[i++ & (query_count - 1)];
    const bool free = impl.is_free(q.provider, q.span);
    benchmark::DoNotOptimize(free);
    free_count += free ? 1 : 0;
  }
  benchmark::DoNotOptimize(free_count);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  if constexpr (reports_memory<Impl>) {
    state.counters["bytes_per_booking"] =
        static_cast<double>(impl.memory_bytes()) / static_cast<double>(n);
  }
}

template <class Impl>
void register_one(const std::string& impl_name, const std::string& layout, std::size_t n,
                  std::size_t providers) {
  const std::string name = "conflict/" + impl_name + "/" + layout + "/" + std::to_string(n);
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [n, providers](benchmark::State& state) {
    conflict_check<Impl>(state, n, providers);
  });
  // A linear scan of 10^5 or more bookings takes tens of microseconds per check: a few hundred
  // checks measure it well enough without slowing the whole run.
  if (impl_name == "linear_scan" && n / providers >= 100'000) b->Iterations(300);
}

void register_all() {
  for (const std::size_t n : std::vector<std::size_t>{100, 1'000, 10'000, 100'000, 1'000'000}) {
    register_one<slotbook_one>("slotbook", "one_provider", n, 1);
    register_one<linear_scan_one>("linear_scan", "one_provider", n, 1);
    register_one<std_set_one>("std_set", "one_provider", n, 1);
  }
  for (const std::size_t n : std::vector<std::size_t>{10'000, 100'000, 1'000'000}) {
    const std::size_t providers = n / bookings_per_provider;
    register_one<slotbook_many>("slotbook", "many_providers", n, providers);
    register_one<linear_scan>("linear_scan", "many_providers", n, providers);
    register_one<std_set>("std_set", "many_providers", n, providers);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
