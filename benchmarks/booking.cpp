// Durable bookings per second through the booking service, against the floor a booking cannot go
// below: one bare SQLite INSERT per transaction with the same durability settings (WAL,
// synchronous=FULL, BEGIN IMMEDIATE). Their ratio is the service's overhead (target <= 1.5x).
// And bookings per second on memory_store, where nothing waits for the disk.
//
// Each store is measured with 1, 4 and 16 clients booking at once (threads sharing one store and
// one service, as a server's request threads do); items_per_second is bookings per second of all
// of them together. postgres_store is measured when slotbook is built with SLOTBOOK_WITH_POSTGRES
// and SLOTBOOK_PG names a server (for example `export SLOTBOOK_PG="$(scripts/pg-cluster start
// /tmp/slotbook-pg)"`, which keeps fsync on); it books into the schema "slotbook_benchmark",
// continuing after the bookings of earlier runs.
//
// Every iteration books a fresh slot (the next hour of one of 16 providers open around the clock)
// for a fresh client, so each booking runs the full path: provider, no-show history, busy times,
// check_bookable, client conflicts, reference, insert, three reminders, audit entry, commit.
// Times are wall-clock (UseRealTime): the cost of a durable commit is waiting for fsync, which is
// not CPU time.
//
//     ./bench_booking --benchmark_min_time=2
#include <SQLiteCpp/SQLiteCpp.h>
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"
#ifdef SLOTBOOK_WITH_POSTGRES
#include "slotbook/postgres_store.hpp"
#endif

using namespace std::chrono_literals;

namespace {

const slotbook::instant now_instant = slotbook::parse_instant("2026-01-12T08:00:00Z");
constexpr std::uint64_t providers = 16;

struct temp_file {
  std::string path;
  explicit temp_file(std::string_view tag)
      : path((std::filesystem::temp_directory_path() /
              ("slotbook-bench-" + std::string(tag) + "-" + std::to_string(::getpid()) + ".db"))
                 .string()) {
    remove();
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() { remove(); }
  void remove() const {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ignored);
  }
};

slotbook::provider_profile provider(std::uint64_t id) {
  slotbook::provider_profile p;
  p.id = slotbook::provider_id{id};
  p.name = "provider " + std::to_string(id);
  p.hours.zone = "Africa/Nairobi";
  for (unsigned d = 0; d < 7; ++d) p.hours.windows.push_back({date::weekday{d}, 0h, 24h});
  p.rules.minimum_notice = 0min;
  p.rules.maximum_advance = date::days{3000};
  p.price = slotbook::money::kes(0);  // scheduled at once: the path that also queues reminders
  return p;
}

// One store and one service shared by every thread of a run. Thread 0 sets it up before the
// timing loop and tears it down after it; Google Benchmark starts no thread's loop before all
// have reached it, and lets none leave before all are done.
struct shared_run {
  std::unique_ptr<temp_file> file;
  std::unique_ptr<slotbook::store> db;
  slotbook::settable_clock clock{now_instant};
  std::unique_ptr<slotbook::booking_service> service;
  std::atomic<std::uint64_t> next{0};  // the next booking's number: a fresh slot, a new client
};

std::unique_ptr<shared_run> current_run;

// Readies `run` for booking: the providers, and the first booking number (after the bookings an
// earlier run left in the store, which used one reference number each).
void prepare(shared_run& run) {
  run.service = std::make_unique<slotbook::booking_service>(*run.db, run.clock);
  for (std::uint64_t p = 1; p <= providers; ++p) {
    run.service->put_provider(slotbook::actor::admin(slotbook::admin_id{1}), provider(p));
  }
  slotbook::transaction tx(*run.db, slotbook::access::write);
  run.next = run.db->next_reference_sequence(2026) - 1;  // rolled back: only a peek
}

// Books fresh slots through the shared service until the benchmark has enough; every thread
// takes the next booking number, so no two bookings collide.
void book_shared(benchmark::State& state) {
  for (auto _ : state) {
    if (!current_run) {
      state.SkipWithError("the store could not be set up");
      break;
    }
    const std::uint64_t i = current_run->next++;
    slotbook::booking_request r;
    r.provider = slotbook::provider_id{1 + i % providers};
    r.client = slotbook::client_id{i + 1};
    r.scheduled_at = now_instant + 16h + std::chrono::hours(1 + i / providers);
    const auto b = current_run->service->book(slotbook::actor::client(r.client), r);
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) current_run.reset();
}

void service_sqlite_file(benchmark::State& state) {
  if (state.thread_index() == 0) {
    auto run = std::make_unique<shared_run>();
    run->file = std::make_unique<temp_file>("service");
    run->db = std::make_unique<slotbook::sqlite_store>(
        run->file->path,
        slotbook::sqlite_store_options{.busy_timeout = 60s, .max_connections = 16});
    prepare(*run);
    current_run = std::move(run);
  }
  book_shared(state);
}
BENCHMARK(service_sqlite_file)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16);

#ifdef SLOTBOOK_WITH_POSTGRES
void service_postgres(benchmark::State& state) {
  const char* server = std::getenv("SLOTBOOK_PG");
  if (server == nullptr || *server == '\0') {
    state.SkipWithError("SLOTBOOK_PG is not set (scripts/pg-cluster start DIR prints one)");
    return;
  }
  if (state.thread_index() == 0) {
    try {
      auto run = std::make_unique<shared_run>();
      slotbook::postgres_store_options o;
      o.schema = "slotbook_benchmark";
      o.busy_timeout = 60s;
      o.max_connections = 16;
      run->db = std::make_unique<slotbook::postgres_store>(server, o);
      prepare(*run);
      current_run = std::move(run);
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
    }
  }
  book_shared(state);
}
BENCHMARK(service_postgres)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16);
#endif

// The floor: the same durability, one transaction per row, a row as wide as a session's and the
// same unique index on the reference, and nothing else.
void bare_sqlite_insert(benchmark::State& state) {
  const temp_file file{"bare"};
  SQLite::Database db{file.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec(
      "CREATE TABLE sessions (id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL, "
      "provider_id INTEGER NOT NULL, scheduled_at INTEGER NOT NULL, "
      "duration_minutes INTEGER NOT NULL, status TEXT NOT NULL, session_type TEXT NOT NULL, "
      "booking_reference TEXT, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, "
      "payment_status TEXT NOT NULL, created_at INTEGER NOT NULL, "
      "updated_at INTEGER NOT NULL) STRICT");
  db.exec("CREATE UNIQUE INDEX sessions_reference ON sessions (booking_reference)");
  SQLite::Statement insert{db,
                           "INSERT INTO sessions (client_id, provider_id, scheduled_at, "
                           "duration_minutes, status, session_type, booking_reference, "
                           "amount_minor, currency, payment_status, created_at, updated_at) "
                           "VALUES (?, ?, ?, 60, 'scheduled', 'initial', ?, 0, 'KES', "
                           "'pending', ?, ?)"};
  const std::int64_t now = now_instant.time_since_epoch().count();
  std::int64_t i = 0;
  for (auto _ : state) {
    db.exec("BEGIN IMMEDIATE");
    insert.reset();
    insert.bind(1, i + 1);
    insert.bind(2, 1 + i % std::int64_t(providers));
    insert.bind(3, now + 16 * 3600 + (1 + i / std::int64_t(providers)) * 3600);
    insert.bind(4, slotbook::format_reference(2026, std::uint64_t(i + 1)));
    insert.bind(5, now);
    insert.bind(6, now);
    insert.exec();
    db.exec("COMMIT");
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bare_sqlite_insert)->UseRealTime()->Unit(benchmark::kMicrosecond);

void service_memory(benchmark::State& state) {
  if (state.thread_index() == 0) {
    auto run = std::make_unique<shared_run>();
    run->db = std::make_unique<slotbook::memory_store>();
    prepare(*run);
    current_run = std::move(run);
  }
  book_shared(state);
}
BENCHMARK(service_memory)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16);

}  // namespace

BENCHMARK_MAIN();
