// The conflict check every booking makes: "does [b, e) overlap any active booking of provider P?",
// answered by slotbook's index and by the alternatives a host might use instead, on the same data
// in the same run. docs/benchmarks.md has the method and the figures; scripts/bench runs this.
//
// Names (parsed by scripts/plot_bench.py; keep them stable):
//   conflict/<impl>/<layout>/<n>              random queries
//   conflict/<impl>/<layout>/<n>/sequential   sequential queries
// impl:
//   slotbook       interval_index (one_provider) or provider_index (many_providers)
//   linear_scan    every stored session scanned for the provider and an overlap: the seed's
//                  unindexed query with the overlap test done correctly
//   std_set        std::set of intervals ordered by begin, predecessor check (per provider in a
//                  std::unordered_map for many_providers)
//   boost_icl      boost::icl::interval_set of right-open intervals, find(q) (per provider in a
//                  std::unordered_map for many_providers)
//   sqlite_memory  SQLite ":memory:": table (provider, begin_s, end_s), composite index on
//                  (provider, begin_s) built after loading, one prepared predecessor query
//                  (SELECT end_s ... WHERE provider = ? AND begin_s < ?
//                  ORDER BY begin_s DESC LIMIT 1)
//   sqlite_file    the same on a file in $TMPDIR (default pragmas and page cache)
//   memory_store   slotbook::memory_store and slotbook::sqlite_store through the public store
//   sqlite_store   API: active_provider_sessions(P, q).empty(), inside a read transaction opened
//                  before timing (the service runs the check inside its booking transaction)
// layout:
//   one_provider    n bookings of one provider
//   many_providers  n bookings over max(1, n / 1000) providers, 1,000 each
//
// Data (fixed seed): per provider, 60-minute bookings separated by random gaps of 0 to 120 minutes
// in 15-minute steps. They arrive in time order with a look-ahead: sorted by begin, then shuffled
// within consecutive windows of 1,000 bookings (people book days or weeks ahead, not centuries).
// Random queries: a random provider and a 60-minute window starting on a random minute of its
// booked period (about half of them conflict). Sequential queries: runs of 256 windows stepping
// by 15 minutes from a random start of a random provider, as a slot generator asks them.
//
// Before timing, every implementation's answers on a sample of queries (1,000, or fewer when one
// provider has over 10^6 bookings) are compared with a brute-force scan of the provider's
// bookings; a mismatch ends that benchmark with SkipWithError, so a fast wrong answer cannot win.
//
// Counters: items_per_second (checks per second) and ns_per_check (the console prints it with an
// "s" suffix: it is an inverted rate), both from CPU time; bytes_per_booking for the in-memory
// structures (all but sqlite_file and sqlite_store): the heap the structure holds once built,
// counted by the replacement operator new below with malloc_usable_size (SQLite's own
// sqlite3_memory_used for sqlite_memory), divided by n. slotbook also reports
// index_bytes_per_booking, its own memory_bytes() accounting.
//
// Flags of this binary (read before Google Benchmark's own):
//   --quick      small sizes: slotbook and std_set up to 10^6, the others up to 10^5 or 10^4
//   --max_n=N    skip sizes above N
// Sizes in the full run are 10^2 to 10^7; linear_scan and sqlite_file stop at 10^6 (a check costs
// milliseconds there, and sqlite_file's build is disk-bound), memory_store and sqlite_store at
// 10^6 (they store whole sessions, about 570 bytes each in memory_store, and sqlite_store inserts
// them one statement at a time). Built structures are kept between the calls Google Benchmark
// makes for one benchmark and its sequential twin, one at a time.

#include <malloc.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/icl/interval_set.hpp>

#include "slotbook/interval_index.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/session.hpp"
#include "slotbook/sqlite_store.hpp"
#include "slotbook/store.hpp"

// --- heap accounting: every operator new of this binary, counted while `counting` is on ---------

namespace {
std::atomic<bool> counting{false};
std::atomic<std::int64_t> counted_bytes{0};

void* counted_malloc(std::size_t n, std::size_t alignment) {
  void* p = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    p = std::malloc(n == 0 ? 1 : n);
  } else if (::posix_memalign(&p, alignment, n == 0 ? 1 : n) != 0) {
    p = nullptr;
  }
  if (p == nullptr) throw std::bad_alloc();
  if (counting.load(std::memory_order_relaxed)) {
    counted_bytes.fetch_add(static_cast<std::int64_t>(::malloc_usable_size(p)),
                            std::memory_order_relaxed);
  }
  return p;
}

void counted_free(void* p) noexcept {
  if (p == nullptr) return;
  if (counting.load(std::memory_order_relaxed)) {
    counted_bytes.fetch_sub(static_cast<std::int64_t>(::malloc_usable_size(p)),
                            std::memory_order_relaxed);
  }
  std::free(p);
}
}  // namespace

void* operator new(std::size_t n) { return counted_malloc(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) {
  return counted_malloc(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }

namespace {

using namespace std::chrono_literals;
using slotbook::instant;
using slotbook::interval;
using slotbook::provider_id;
using slotbook::session_id;

constexpr std::size_t bookings_per_provider = 1000;  // many_providers
constexpr std::size_t arrival_window = 1000;         // bookings shuffled within windows this long
constexpr std::size_t query_count = 1 << 16;         // cycled through; a power of two
constexpr std::size_t sequential_run = 256;          // windows per sequential run

struct booking {
  provider_id provider;
  session_id id;
  interval span;
};

struct query {
  provider_id provider;
  interval span;
};

// Every provider's bookings start on Monday 2026-01-05 08:00 UTC.
constexpr instant start = instant{std::chrono::seconds{1'767'600'000}};

std::int64_t seconds_of(instant t) { return t.time_since_epoch().count(); }

struct dataset {
  std::size_t n = 0;
  std::size_t providers = 0;
  std::vector<booking> bookings;  // in arrival order
  std::vector<query> random_queries;
  std::vector<query> sequential_queries;
  std::size_t sample = 0;             // queries of each pattern checked before timing
  std::vector<bool> random_expected;  // brute-force answers for the sample
  std::vector<bool> sequential_expected;
};

std::uint64_t below(std::mt19937_64& rng, std::uint64_t bound) { return rng() % bound; }

std::unique_ptr<dataset> generate(std::size_t n, std::size_t providers) {
  auto d = std::make_unique<dataset>();
  d->n = n;
  d->providers = providers;
  std::mt19937_64 rng(20260105);
  d->bookings.reserve(n);
  std::vector<interval> period(providers);  // first begin to last end, per provider
  std::uint64_t next_id = 1;
  for (std::size_t p = 0; p < providers; ++p) {
    instant t = start;
    period[p].begin = t;
    for (std::size_t i = 0; i < n / providers; ++i) {
      t += std::chrono::minutes{15 * static_cast<int>(below(rng, 9))};
      d->bookings.push_back({provider_id{p + 1}, session_id{next_id++}, {t, t + 60min}});
      t += 60min;
    }
    period[p].end = t;
  }
  std::sort(d->bookings.begin(), d->bookings.end(), [](const booking& a, const booking& b) {
    return a.span.begin != b.span.begin ? a.span.begin < b.span.begin
                                        : a.provider.value < b.provider.value;
  });
  for (std::size_t i = 0; i < n; i += arrival_window) {
    const auto first = d->bookings.begin() + static_cast<std::ptrdiff_t>(i);
    std::shuffle(first, first + static_cast<std::ptrdiff_t>(std::min(arrival_window, n - i)), rng);
  }

  const auto random_start = [&](std::size_t p) {
    const auto minutes =
        std::chrono::duration_cast<std::chrono::minutes>(period[p].end - period[p].begin).count();
    return period[p].begin - 30min +
           std::chrono::minutes{
               static_cast<std::int64_t>(below(rng, static_cast<std::uint64_t>(minutes + 30)))};
  };
  d->random_queries.reserve(query_count);
  for (std::size_t i = 0; i < query_count; ++i) {
    const std::size_t p = below(rng, providers);
    const instant b = random_start(p);
    d->random_queries.push_back({provider_id{p + 1}, {b, b + 60min}});
  }
  d->sequential_queries.reserve(query_count);
  for (std::size_t run = 0; run < query_count / sequential_run; ++run) {
    const std::size_t p = below(rng, providers);
    const instant b = random_start(p);
    for (std::size_t i = 0; i < sequential_run; ++i) {
      const instant qb = b + std::chrono::minutes{15 * static_cast<std::int64_t>(i)};
      d->sequential_queries.push_back({provider_id{p + 1}, {qb, qb + 60min}});
    }
  }

  // The oracle: each provider's bookings, scanned whole for every sampled query.
  std::vector<std::vector<interval>> by_provider(providers);
  for (const booking& b : d->bookings) by_provider[b.provider.value - 1].push_back(b.span);
  const std::size_t per_provider = n / providers;
  d->sample =
      std::clamp<std::size_t>(1'000'000'000 / std::max<std::size_t>(per_provider, 1), 100, 1000);
  const auto brute_force_free = [&](const query& q) {
    for (const interval& s : by_provider[q.provider.value - 1]) {
      if (s.begin < q.span.end && q.span.begin < s.end) return false;
    }
    return true;
  };
  for (std::size_t i = 0; i < d->sample; ++i) {
    d->random_expected.push_back(brute_force_free(d->random_queries[i]));
    d->sequential_expected.push_back(brute_force_free(d->sequential_queries[i]));
  }
  return d;
}

// One dataset at a time (10^7 bookings take 320 MB); benchmarks are registered grouped by dataset.
const dataset& data_for(std::size_t n, std::size_t providers) {
  static std::unique_ptr<dataset> current;
  if (!current || current->n != n || current->providers != providers) {
    current.reset();
    current = generate(n, providers);
  }
  return *current;
}

// --- the implementations: build(dataset), is_free(provider, interval) ---------------------------

struct slotbook_one {
  slotbook::interval_index index;
  explicit slotbook_one(const dataset& d) {
    for (const booking& b : d.bookings) index.insert(b.id, b.span);
  }
  bool is_free(provider_id, interval q) const { return index.is_free(q); }
  double own_bytes() const { return static_cast<double>(index.memory_bytes()); }
};

struct slotbook_many {
  slotbook::provider_index index;
  explicit slotbook_many(const dataset& d) {
    for (const booking& b : d.bookings) index.insert(b.provider, b.id, b.span);
  }
  bool is_free(provider_id p, interval q) const { return index.is_free(p, q); }
  double own_bytes() const { return static_cast<double>(index.memory_bytes()); }
};

struct linear_scan {
  struct stored {
    std::int64_t begin;
    std::int64_t end;
    std::uint64_t provider;
  };
  std::vector<stored> all;
  explicit linear_scan(const dataset& d) {
    all.reserve(d.bookings.size());
    for (const booking& b : d.bookings) {
      all.push_back({seconds_of(b.span.begin), seconds_of(b.span.end), b.provider.value});
    }
  }
  bool is_free(provider_id p, interval q) const {
    const std::int64_t qb = seconds_of(q.begin);
    const std::int64_t qe = seconds_of(q.end);
    for (const stored& s : all) {
      if (s.provider == p.value && s.begin < qe && qb < s.end) return false;
    }
    return true;
  }
};

// The last booking beginning before q.end is the only one that can reach into q (bookings of one
// provider do not overlap).
bool set_is_free(const std::set<interval>& s, interval q) {
  auto it = s.lower_bound(interval{q.end, q.end});
  if (it == s.begin()) return true;
  --it;
  return it->end <= q.begin;
}

struct std_set_one {
  std::set<interval> spans;
  explicit std_set_one(const dataset& d) {
    for (const booking& b : d.bookings) spans.insert(b.span);
  }
  bool is_free(provider_id, interval q) const { return set_is_free(spans, q); }
};

struct std_set_many {
  std::unordered_map<provider_id, std::set<interval>> by_provider;
  explicit std_set_many(const dataset& d) {
    for (const booking& b : d.bookings) by_provider[b.provider].insert(b.span);
  }
  bool is_free(provider_id p, interval q) const {
    const auto found = by_provider.find(p);
    return found == by_provider.end() || set_is_free(found->second, q);
  }
};

using icl_set =
    boost::icl::interval_set<std::int64_t, ICL_COMPARE_INSTANCE(ICL_COMPARE_DEFAULT, std::int64_t),
                             boost::icl::right_open_interval<std::int64_t>>;

icl_set::interval_type icl_interval(interval i) {
  return icl_set::interval_type(seconds_of(i.begin), seconds_of(i.end));
}

// interval_set joins touching intervals; that keeps "is any instant of q covered?" exact.
bool icl_is_free(const icl_set& s, interval q) { return s.find(icl_interval(q)) == s.end(); }

struct boost_icl_one {
  icl_set set;
  explicit boost_icl_one(const dataset& d) {
    for (const booking& b : d.bookings) set.add(icl_interval(b.span));
  }
  bool is_free(provider_id, interval q) const { return icl_is_free(set, q); }
};

struct boost_icl_many {
  std::unordered_map<provider_id, icl_set> by_provider;
  explicit boost_icl_many(const dataset& d) {
    for (const booking& b : d.bookings) by_provider[b.provider].add(icl_interval(b.span));
  }
  bool is_free(provider_id p, interval q) const {
    const auto found = by_provider.find(p);
    return found == by_provider.end() || icl_is_free(found->second, q);
  }
};

// A file that is removed (with SQLite's side files) when the benchmark is done with it.
struct temp_db {
  std::string path;
  explicit temp_db(std::string_view tag)
      : path((std::filesystem::temp_directory_path() /
              ("slotbook-bench-conflict-" + std::string(tag) + "-" + std::to_string(::getpid()) +
               ".db"))
                 .string()) {
    remove();
  }
  temp_db(const temp_db&) = delete;
  temp_db& operator=(const temp_db&) = delete;
  ~temp_db() { remove(); }
  void remove() const {
    std::error_code ignored;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::filesystem::remove(path + suffix, ignored);
    }
  }
};

class sqlite_index {
 public:
  // `path` empty: in memory.
  sqlite_index(const dataset& d, const std::string& path) {
    const std::int64_t before = sqlite3_memory_used();
    check(sqlite3_open_v2(path.empty() ? ":memory:" : path.c_str(), &db_,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
          "open");
    exec(
        "CREATE TABLE bookings (provider INTEGER NOT NULL, begin_s INTEGER NOT NULL, "
        "end_s INTEGER NOT NULL)");
    exec("BEGIN");
    sqlite3_stmt* insert = prepare("INSERT INTO bookings VALUES (?1, ?2, ?3)");
    for (const booking& b : d.bookings) {
      sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(b.provider.value));
      sqlite3_bind_int64(insert, 2, seconds_of(b.span.begin));
      sqlite3_bind_int64(insert, 3, seconds_of(b.span.end));
      if (sqlite3_step(insert) != SQLITE_DONE) fail("insert");
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    // The composite index the comparison asks for, built after loading as a bulk load would.
    // end_s is not in it, so a check is an index probe and a rowid lookup.
    exec("CREATE INDEX bookings_provider_begin ON bookings (provider, begin_s)");
    exec("COMMIT");
    exec("ANALYZE");
    check_ = prepare(
        "SELECT end_s FROM bookings WHERE provider = ?1 AND begin_s < ?2 "
        "ORDER BY begin_s DESC LIMIT 1");
    memory_ = static_cast<double>(sqlite3_memory_used() - before);
  }
  sqlite_index(const sqlite_index&) = delete;
  sqlite_index& operator=(const sqlite_index&) = delete;
  ~sqlite_index() {
    sqlite3_finalize(check_);
    sqlite3_close(db_);
  }

  bool is_free(provider_id p, interval q) {
    sqlite3_bind_int64(check_, 1, static_cast<sqlite3_int64>(p.value));
    sqlite3_bind_int64(check_, 2, seconds_of(q.end));
    const int rc = sqlite3_step(check_);
    const bool free = rc != SQLITE_ROW || sqlite3_column_int64(check_, 0) <= seconds_of(q.begin);
    sqlite3_reset(check_);
    return free;
  }
  double memory() const { return memory_; }

 private:
  void check(int rc, const char* what) {
    if (rc != SQLITE_OK) fail(what);
  }
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("sqlite ") + what + ": " +
                             (db_ != nullptr ? sqlite3_errmsg(db_) : "no database"));
  }
  void exec(const char* sql) { check(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), sql); }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* st = nullptr;
    check(sqlite3_prepare_v2(db_, sql, -1, &st, nullptr), sql);
    return st;
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* check_ = nullptr;
  double memory_ = 0;
};

struct sqlite_memory {
  sqlite_index db;
  explicit sqlite_memory(const dataset& d) : db(d, "") {}
  bool is_free(provider_id p, interval q) { return db.is_free(p, q); }
  double sqlite_bytes() const { return db.memory(); }
};

struct sqlite_file {
  temp_db file{"sqlite"};
  sqlite_index db;
  explicit sqlite_file(const dataset& d) : db(d, file.path) {}
  bool is_free(provider_id p, interval q) { return db.is_free(p, q); }
};

slotbook::session session_of(const booking& b) {
  slotbook::session s;
  s.client = slotbook::client_id{b.id.value};
  s.provider = b.provider;
  s.scheduled_at = b.span.begin;
  s.duration = std::chrono::duration_cast<std::chrono::minutes>(b.span.end - b.span.begin);
  s.status = slotbook::session_status::scheduled;
  s.amount = slotbook::money::kes(150000);
  s.created_at = s.updated_at = start - std::chrono::hours{24};
  return s;
}

void fill(slotbook::store& store, const dataset& d) {
  slotbook::transaction tx(store, slotbook::access::write);
  for (const booking& b : d.bookings) store.insert_session(session_of(b));
  tx.commit();
}

// The check runs inside a read transaction opened before timing (the booking service runs it
// inside its booking transaction), so the figure is the query's cost, not a transaction's.
struct memory_store_impl {
  slotbook::memory_store store;
  std::unique_ptr<slotbook::transaction> tx;
  explicit memory_store_impl(const dataset& d) { fill(store, d); }
  void open() { tx = std::make_unique<slotbook::transaction>(store, slotbook::access::read); }
  void close() { tx.reset(); }
  bool is_free(provider_id p, interval q) { return store.active_provider_sessions(p, q).empty(); }
};

struct sqlite_store_impl {
  temp_db file{"store"};
  slotbook::sqlite_store store{file.path};
  std::unique_ptr<slotbook::transaction> tx;
  explicit sqlite_store_impl(const dataset& d) { fill(store, d); }
  void open() { tx = std::make_unique<slotbook::transaction>(store, slotbook::access::read); }
  void close() { tx.reset(); }
  bool is_free(provider_id p, interval q) { return store.active_provider_sessions(p, q).empty(); }
};

template <class T>
concept has_own_bytes = requires(const T& t) {
  t.own_bytes();
};
template <class T>
concept has_sqlite_bytes = requires(const T& t) {
  t.sqlite_bytes();
};
template <class T>
concept needs_transaction = requires(T& t) {
  t.open();
  t.close();
};

// --- the built structure, kept across the calls Google Benchmark makes for one benchmark ---------

struct built_base {
  virtual ~built_base() = default;
  std::string key;
  std::string error;       // non-empty: wrong answers or a failed build
  double heap_bytes = -1;  // counted by operator new; -1 when not meaningful
};

template <class Impl>
struct built : built_base {
  std::unique_ptr<Impl> impl;
};

std::unique_ptr<built_base> current_structure;

template <class Impl>
std::string check_answers(Impl& impl, const std::vector<query>& queries,
                          const std::vector<bool>& expected) {
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (impl.is_free(queries[i].provider, queries[i].span) != expected[i]) {
      return "answer to query " + std::to_string(i) + " differs from the brute-force scan's";
    }
  }
  return {};
}

template <class Impl>
built<Impl>& structure_for(const std::string& key, const dataset& d) {
  if (!current_structure || current_structure->key != key) {
    current_structure.reset();
    auto fresh = std::make_unique<built<Impl>>();
    fresh->key = key;
    try {
      const std::int64_t before = counted_bytes.load();
      counting = true;
      fresh->impl = std::make_unique<Impl>(d);
      counting = false;
      fresh->heap_bytes = static_cast<double>(counted_bytes.load() - before);
      if constexpr (needs_transaction<Impl>) fresh->impl->open();
      fresh->error = check_answers(*fresh->impl, d.random_queries, d.random_expected);
      if (fresh->error.empty()) {
        fresh->error = check_answers(*fresh->impl, d.sequential_queries, d.sequential_expected);
      }
      if constexpr (needs_transaction<Impl>) fresh->impl->close();
    } catch (const std::exception& e) {
      counting = false;
      fresh->error = std::string("build failed: ") + e.what();
    }
    current_structure = std::move(fresh);
  }
  return static_cast<built<Impl>&>(*current_structure);
}

template <class Impl>
void conflict_check(benchmark::State& state, const std::string& key, std::size_t n,
                    std::size_t providers, bool sequential) {
  const dataset& d = data_for(n, providers);
  built<Impl>& b = structure_for<Impl>(key, d);
  if (!b.error.empty()) {
    state.SkipWithError(b.error.c_str());
    return;
  }
  Impl& impl = *b.impl;
  if constexpr (needs_transaction<Impl>) impl.open();
  const std::vector<query>& queries = sequential ? d.sequential_queries : d.random_queries;
  std::size_t i = 0;
  std::size_t free_count = 0;
  for (auto _ : state) {
    const query& q = queries[i++ & (query_count - 1)];
    const bool free = impl.is_free(q.provider, q.span);
    benchmark::DoNotOptimize(free);
    free_count += free ? 1 : 0;
  }
  if constexpr (needs_transaction<Impl>) impl.close();
  benchmark::DoNotOptimize(free_count);
  const auto iterations = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["ns_per_check"] = benchmark::Counter(
      iterations * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  const double bookings = static_cast<double>(n);
  if constexpr (has_sqlite_bytes<Impl>) {
    state.counters["bytes_per_booking"] = impl.sqlite_bytes() / bookings;
  } else if constexpr (!std::is_same_v<Impl, sqlite_file> &&
                       !std::is_same_v<Impl, sqlite_store_impl>) {
    state.counters["bytes_per_booking"] = b.heap_bytes / bookings;
  }
  if constexpr (has_own_bytes<Impl>) {
    state.counters["index_bytes_per_booking"] = impl.own_bytes() / bookings;
  }
}

// --- registration --------------------------------------------------------------------------------

struct options {
  bool quick = false;
  std::size_t max_n = 10'000'000;
};

template <class Impl>
void register_impl(const options& opt, const std::string& impl, const std::string& layout,
                   std::size_t n, std::size_t providers, std::size_t full_cap,
                   std::size_t quick_cap) {
  if (n > (opt.quick ? quick_cap : full_cap) || n > opt.max_n) return;
  const std::string key = impl + "/" + layout + "/" + std::to_string(n);
  for (const bool sequential : {false, true}) {
    const std::string name = "conflict/" + key + (sequential ? "/sequential" : "");
    auto* b = benchmark::RegisterBenchmark(
        name.c_str(), [key, n, providers, sequential](benchmark::State& state) {
          conflict_check<Impl>(state, key, n, providers, sequential);
        });
    b->Unit(benchmark::kNanosecond);
  }
}

void register_all(const options& opt) {
  constexpr std::size_t e4 = 10'000, e5 = 100'000, e6 = 1'000'000, e7 = 10'000'000;
  for (const bool many : {false, true}) {
    const std::string layout = many ? "many_providers" : "one_provider";
    for (std::size_t n = 100; n <= e7; n *= 10) {
      const std::size_t providers = many ? std::max<std::size_t>(1, n / bookings_per_provider) : 1;
      if (many) {
        register_impl<slotbook_many>(opt, "slotbook", layout, n, providers, e7, e6);
        register_impl<std_set_many>(opt, "std_set", layout, n, providers, e7, e6);
        register_impl<boost_icl_many>(opt, "boost_icl", layout, n, providers, e7, e5);
      } else {
        register_impl<slotbook_one>(opt, "slotbook", layout, n, providers, e7, e6);
        register_impl<std_set_one>(opt, "std_set", layout, n, providers, e7, e6);
        register_impl<boost_icl_one>(opt, "boost_icl", layout, n, providers, e7, e5);
      }
      register_impl<linear_scan>(opt, "linear_scan", layout, n, providers, e6, e4);
      register_impl<sqlite_memory>(opt, "sqlite_memory", layout, n, providers, e7, e5);
      register_impl<sqlite_file>(opt, "sqlite_file", layout, n, providers, e6, e4);
      register_impl<memory_store_impl>(opt, "memory_store", layout, n, providers, e6, e4);
      register_impl<sqlite_store_impl>(opt, "sqlite_store", layout, n, providers, e6, e4);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  // Our flags first; the rest goes to Google Benchmark.
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quick") {
      opt.quick = true;
    } else if (arg.starts_with("--max_n=")) {
      opt.max_n = std::stoull(std::string(arg.substr(8)));
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_count = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_count, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_count, rest.data())) return 1;
  register_all(opt);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  current_structure.reset();
  return 0;
}
