// Durable bookings per second through the booking service, against the floor a booking cannot go
// below: one bare SQLite INSERT per transaction with the same durability settings (WAL,
// synchronous=FULL, BEGIN IMMEDIATE). Their ratio is the service's overhead (target <= 1.5x).
// And bookings per second on memory_store, where nothing waits for the disk.
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

#include <filesystem>
#include <string>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"

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

// Books `state.iterations()` fresh slots through a service on `db`.
void book_through(benchmark::State& state, slotbook::store& db) {
  slotbook::settable_clock clock{now_instant};
  slotbook::booking_service service{db, clock};
  for (std::uint64_t p = 1; p <= providers; ++p) {
    service.put_provider(slotbook::actor::admin(slotbook::admin_id{1}), provider(p));
  }
  std::uint64_t i = 0;
  for (auto _ : state) {
    slotbook::booking_request r;
    r.provider = slotbook::provider_id{1 + i % providers};
    r.client = slotbook::client_id{i + 1};
    r.scheduled_at = now_instant + 16h + std::chrono::hours(1 + i / providers);
    const auto b = service.book(slotbook::actor::client(r.client), r);
    benchmark::DoNotOptimize(b);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void service_sqlite_file(benchmark::State& state) {
  const temp_file file{"service"};
  slotbook::sqlite_store db{file.path};
  book_through(state, db);
}
BENCHMARK(service_sqlite_file)->UseRealTime()->Unit(benchmark::kMicrosecond);

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
  slotbook::memory_store db;
  book_through(state, db);
}
BENCHMARK(service_memory)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
