// What only sqlite_store promises: durability settings, the schema's versioning and migrations,
// refusing files it must not touch, an append-only audit table even for raw SQL, and correct
// behaviour with several connections and several processes on one file. The behaviour it shares
// with memory_store is in store_conformance_test.cpp.

#include "slotbook/sqlite_store.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using slotbook::access;
using slotbook::errc;
using slotbook::instant;
using slotbook::provider_id;
using slotbook::session;
using slotbook::session_id;
using slotbook::session_status;
using slotbook::sqlite_store;
using slotbook::sqlite_store_options;
using slotbook::transaction;

namespace {

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "slotbook-sqlite-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

instant at(std::string_view text) { return slotbook::parse_instant(text); }

std::int64_t unix_seconds(instant t) { return t.time_since_epoch().count(); }

template <class F>
void expect_error(F&& f, errc code, std::initializer_list<std::string_view> fragments) {
  try {
    f();
    FAIL("no slotbook::error thrown");
  } catch (const slotbook::error& e) {
    const std::string message = e.what();
    INFO("message: " << message);
    CHECK(e.code() == code);
    for (auto fragment : fragments) CHECK(message.find(fragment) != std::string::npos);
  }
}

session make_session(std::uint64_t provider, std::uint64_t client, instant start,
                     std::chrono::minutes length) {
  session s;
  s.provider = provider_id{provider};
  s.client = slotbook::client_id{client};
  s.scheduled_at = start;
  s.duration = length;
  s.status = session_status::scheduled;
  s.amount = slotbook::money::kes(150000);
  s.created_at = s.updated_at = start - std::chrono::hours{24 * 7};
  return s;
}

slotbook::provider_profile make_provider(std::uint64_t id) {
  slotbook::provider_profile p;
  p.id = provider_id{id};
  p.name = "Dr. Wanjiru";
  p.hours.zone = "Africa/Nairobi";
  p.hours.windows = {{date::Monday, 9h, 17h}};
  p.price = slotbook::money::kes(150000);
  return p;
}

slotbook::audit_entry make_audit(std::string action) {
  slotbook::audit_entry e;
  e.at = at("2026-03-02T10:00:00Z");
  e.who_role = slotbook::role::system;
  e.action = std::move(action);
  e.previous_hash = std::string(64, '0');
  e.hash = std::string(64, 'f');
  return e;
}

// Runs `body` in a child process and returns its pid; the child's exit status is what `body`
// returns (2 if it throws). The child never returns into Catch.
pid_t spawn(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 2;
    try {
      code = body();
    } catch (...) {
      code = 2;
    }
    ::_exit(code);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Signals between two threads, so a test can hold a lock while another thread tries to take it.
class latch_pair {
 public:
  void post(int step) {
    {
      const std::lock_guard lock(mutex_);
      step_ = std::max(step_, step);
    }
    changed_.notify_all();
  }
  void wait(int step) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return step_ >= step; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int step_ = 0;
};

}  // namespace

// --- settings -----------------------------------------------------------------------------------

TEST_CASE(
    "a file store runs in WAL mode with synchronous FULL, foreign keys and the busy timeout") {
  temp_dir dir;
  sqlite_store_options options;
  options.busy_timeout = 1234ms;
  sqlite_store store{dir.file("settings.db"), options};
  const auto s = store.settings();
  CHECK(s.journal_mode == "wal");
  CHECK(s.synchronous == 2);  // FULL
  CHECK(s.foreign_keys);
  CHECK(s.busy_timeout == 1234ms);
  CHECK(s.schema_version == slotbook::sqlite_schema_version);
  CHECK(s.application_id == slotbook::sqlite_application_id);
  CHECK(store.path() == dir.file("settings.db"));
}

TEST_CASE("every connection of the pool runs with the same settings") {
  temp_dir dir;
  sqlite_store store{dir.file("pool.db")};
  // Hold one connection in a transaction on another thread, so settings() opens a second one.
  latch_pair steps;
  std::thread holder([&] {
    transaction tx(store, access::read);
    (void)store.provider_ids();
    steps.post(1);
    steps.wait(2);
  });
  steps.wait(1);
  const auto s = store.settings();
  steps.post(2);
  holder.join();
  CHECK(s.journal_mode == "wal");
  CHECK(s.synchronous == 2);
  CHECK(s.foreign_keys);
}

TEST_CASE("an in-memory store has no WAL but the same schema") {
  sqlite_store store{":memory:"};
  const auto s = store.settings();
  CHECK(s.journal_mode == "memory");
  CHECK(s.synchronous == 2);
  CHECK(s.schema_version == slotbook::sqlite_schema_version);
  CHECK(store.integrity_check() == "ok");
}

TEST_CASE("max_connections 0 is an invalid argument") {
  sqlite_store_options options;
  options.max_connections = 0;
  expect_error([&] { sqlite_store store(":memory:", options); }, errc::invalid_argument,
               {"max_connections"});
}

TEST_CASE("the schema steps are one per version, each a non-empty SQL script") {
  const auto steps = slotbook::sqlite_schema_steps();
  CHECK(steps.size() == static_cast<std::size_t>(slotbook::sqlite_schema_version));
  // Each step changes the schema: it creates a table or alters one.
  for (std::string_view step : steps) {
    CHECK((step.find("CREATE TABLE") != std::string_view::npos ||
           step.find("ALTER TABLE") != std::string_view::npos));
  }
}

// --- durability ---------------------------------------------------------------------------------

TEST_CASE("committed data survives closing and reopening the file; rolled-back data does not") {
  temp_dir dir;
  const std::string path = dir.file("durable.db");
  const instant t = at("2026-03-02T10:00:00Z");
  session kept = make_session(1, 7, t, 60min);
  kept.booking_reference = "BK-2026-000001";
  session_id dropped;
  {
    sqlite_store store{path};
    {
      transaction tx(store, access::write);
      kept.id = store.insert_session(kept);
      const slotbook::reminder r{kept.id, t - 2h, slotbook::reminder_channel::email, 2h};
      store.enqueue_reminders(std::span(&r, 1), kept.client);
      store.append_audit(make_audit("book"));
      store.put_provider(make_provider(1));
      CHECK(store.next_reference_sequence(2026) == 1);
      tx.commit();
    }
    {
      transaction tx(store, access::write);
      dropped = store.insert_session(make_session(1, 7, t + 2h, 60min));
      CHECK(store.next_reference_sequence(2026) == 2);
    }
  }
  sqlite_store reopened{path};
  transaction tx(reopened, access::write);
  CHECK(reopened.find_session(kept.id) == kept);
  CHECK_FALSE(reopened.find_session(dropped).has_value());
  CHECK(reopened.session_reminders(kept.id).size() == 1);
  CHECK(reopened.last_audit()->action == "book");
  CHECK(reopened.provider_ids() == std::vector{provider_id{1}});
  CHECK(reopened.next_reference_sequence(2026) == 2);
  tx.commit();
  CHECK(reopened.integrity_check() == "ok");
}

TEST_CASE(
    "sessions are stored in the documented columns: unix seconds, lowercase text, minor units") {
  temp_dir dir;
  const std::string path = dir.file("columns.db");
  session s = make_session(42, 7, at("2026-03-02T10:00:00Z"), 50min);
  s.status = session_status::pending_payment;
  s.type = slotbook::session_type::follow_up;
  {
    sqlite_store store{path};
    transaction tx(store, access::write);
    s.id = store.insert_session(s);
    tx.commit();
  }
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  SQLite::Statement row(raw,
                        "SELECT provider_id, client_id, scheduled_at, duration_minutes, status,"
                        " session_type, booking_reference, amount_minor, currency, payment_status,"
                        " rescheduled_from FROM sessions WHERE id = ?");
  row.bind(1, static_cast<std::int64_t>(s.id.value));
  REQUIRE(row.executeStep());
  CHECK(row.getColumn(0).getInt64() == 42);
  CHECK(row.getColumn(1).getInt64() == 7);
  // 2026-03-02T10:00:00Z: 20514 days after 1970-01-01, plus 10 hours.
  CHECK(row.getColumn(2).getInt64() == 20514LL * 86400 + 10 * 3600);
  CHECK(row.getColumn(3).getInt64() == 50);
  CHECK(row.getColumn(4).getString() == "pending_payment");
  CHECK(row.getColumn(5).getString() == "follow_up");
  CHECK(row.getColumn(6).isNull());  // no reference yet
  CHECK(row.getColumn(7).getInt64() == 150000);
  CHECK(row.getColumn(8).getString() == "KES");
  CHECK(row.getColumn(9).getString() == "pending");
  CHECK(row.getColumn(10).isNull());  // no reschedule
}

// --- schema versions ----------------------------------------------------------------------------

TEST_CASE("a version-1 file is upgraded on open and keeps its data") {
  temp_dir dir;
  const std::string path = dir.file("v1.db");
  const instant t = at("2026-03-02T10:00:00Z");
  {
    // What slotbook's first schema wrote: step 1 only, user_version 1, one session.
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA journal_mode = WAL");
    raw.exec("BEGIN");
    raw.exec(std::string(slotbook::sqlite_schema_steps()[0]));
    raw.exec("PRAGMA user_version = 1");
    SQLite::Statement insert(raw,
                             "INSERT INTO sessions (id, client_id, provider_id, scheduled_at,"
                             " duration_minutes, status, session_type, booking_reference,"
                             " amount_minor, currency, payment_status, created_at, updated_at)"
                             " VALUES (5, 7, 42, ?, 60, 'scheduled', 'initial', 'BK-2026-000005',"
                             " 150000, 'KES', 'pending', ?, ?)");
    insert.bind(1, unix_seconds(t));
    insert.bind(2, unix_seconds(t - 24h));
    insert.bind(3, unix_seconds(t - 24h));
    insert.exec();
    raw.exec("COMMIT");
    CHECK_FALSE(raw.tableExists("audit_log"));
  }
  sqlite_store store{path};
  CHECK(store.settings().schema_version == slotbook::sqlite_schema_version);
  session expected = make_session(42, 7, t, 60min);
  expected.id = session_id{5};
  expected.booking_reference = "BK-2026-000005";
  expected.created_at = expected.updated_at = t - 24h;
  {
    transaction tx(store, access::write);
    CHECK(store.find_session_by_reference("BK-2026-000005") == expected);
    // The tables of version 2 work.
    const slotbook::reminder r{session_id{5}, t - 2h, slotbook::reminder_channel::email, 2h};
    CHECK(store.enqueue_reminders(std::span(&r, 1), slotbook::client_id{7}).size() == 1);
    CHECK(store.append_audit(make_audit("book")) == 1);
    tx.commit();
  }
  CHECK(store.integrity_check() == "ok");
}

TEST_CASE("a version-3 file is upgraded: its sessions belong to no series") {
  temp_dir dir;
  const std::string path = dir.file("v3.db");
  const instant t = at("2026-03-02T10:00:00Z");
  {
    // What a slotbook with schema version 3 left behind: one session, one intake id handed out.
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA journal_mode = WAL");
    raw.exec("BEGIN");
    for (std::size_t step = 0; step < 3; ++step) {
      raw.exec(std::string(slotbook::sqlite_schema_steps()[step]));
    }
    raw.exec("PRAGMA user_version = 3");
    SQLite::Statement insert(raw,
                             "INSERT INTO sessions (id, client_id, provider_id, scheduled_at,"
                             " duration_minutes, status, session_type, booking_reference,"
                             " amount_minor, currency, payment_status, created_at, updated_at)"
                             " VALUES (5, 7, 42, ?, 60, 'scheduled', 'initial', 'BK-2026-000005',"
                             " 150000, 'KES', 'pending', ?, ?)");
    insert.bind(1, unix_seconds(t));
    insert.bind(2, unix_seconds(t - 24h));
    insert.bind(3, unix_seconds(t - 24h));
    insert.exec();
    raw.exec("INSERT INTO id_sequences (name, last_id) VALUES ('intake_forms', 3)");
    raw.exec("COMMIT");
  }
  sqlite_store store{path};
  CHECK(store.settings().schema_version == slotbook::sqlite_schema_version);
  session expected = make_session(42, 7, t, 60min);
  expected.id = session_id{5};
  expected.booking_reference = "BK-2026-000005";
  expected.created_at = expected.updated_at = t - 24h;
  {
    transaction tx(store, access::write);
    const auto found = store.find_session(session_id{5});
    CHECK(found == expected);
    REQUIRE(found.has_value());
    CHECK(found->series == slotbook::series_id{});
    // The new column and the series counter work, next to the old intake counter.
    CHECK(store.next_series_id() == slotbook::series_id{1});
    CHECK(store.next_intake_id() == slotbook::intake_id{4});
    session moved = *found;
    moved.series = slotbook::series_id{1};
    store.update_session(moved);
    CHECK(store.series_sessions(slotbook::series_id{1}).size() == 1);
    tx.commit();
  }
  CHECK(store.integrity_check() == "ok");
}

TEST_CASE(
    "a version-4 file is upgraded: sessions, deletion marks and series survive "
    "the rebuild of sessions") {
  temp_dir dir;
  const std::string path = dir.file("v4.db");
  const instant t = at("2026-03-02T10:00:00Z");
  {
    // What a slotbook with schema version 4 left behind: two sessions (one in a series, one
    // marked deleted) and a reminder.
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA journal_mode = WAL");
    raw.exec("PRAGMA foreign_keys = ON");
    raw.exec("BEGIN");
    for (std::size_t step = 0; step < 4; ++step) {
      raw.exec(std::string(slotbook::sqlite_schema_steps()[step]));
    }
    raw.exec("PRAGMA user_version = 4");
    SQLite::Statement insert(raw,
                             "INSERT INTO sessions (id, client_id, provider_id, scheduled_at,"
                             " duration_minutes, status, session_type, booking_reference,"
                             " amount_minor, currency, payment_status, created_at, updated_at,"
                             " series_id) VALUES (?, 7, 42, ?, 60, 'scheduled', 'follow_up', ?,"
                             " 150000, 'KES', 'pending', ?, ?, ?)");
    for (const int id : {5, 6}) {
      insert.reset();
      insert.bind(1, id);
      insert.bind(2, unix_seconds(t + std::chrono::hours{id - 5}));
      insert.bind(3, "BK-2026-00000" + std::to_string(id));
      insert.bind(4, unix_seconds(t - 24h));
      insert.bind(5, unix_seconds(t - 24h));
      if (id == 5) {
        insert.bind(6, 3);
      } else {
        insert.bind(6);
      }
      insert.exec();
    }
    raw.exec(
        "INSERT INTO session_deletions (session_id, deleted_at, reason)"
        " VALUES (6, 1767225600, 'client request')");
    raw.exec("COMMIT");
  }
  sqlite_store store{path};
  CHECK(store.settings().schema_version == slotbook::sqlite_schema_version);
  {
    transaction tx(store, access::write);
    const auto five = store.find_session(session_id{5});
    REQUIRE(five.has_value());
    CHECK(five->series == slotbook::series_id{3});
    CHECK(five->type == slotbook::session_type::follow_up);
    CHECK(five->capacity == 0);
    CHECK(five->booking_reference == "BK-2026-000005");
    const auto mark = store.find_session_deletion(session_id{6});
    REQUIRE(mark.has_value());
    CHECK(mark->reason == "client request");
    // The new type, column and table work, and the indexes are back.
    session g = make_session(42, 7, t + 5h, 60min);
    g.client = slotbook::client_id{};
    g.type = slotbook::session_type::group;
    g.capacity = 2;
    const session_id gid = store.insert_session(g);
    slotbook::seat s;
    s.session = gid;
    s.client = slotbook::client_id{8};
    s.amount = slotbook::money::kes(100);
    s.created_at = s.updated_at = t;
    CHECK(store.insert_seat(s) > 0);
    CHECK(store.session_seats(gid).size() == 1);
    CHECK(store.series_sessions(slotbook::series_id{3}).size() == 1);
    tx.commit();
  }
  CHECK(store.integrity_check() == "ok");
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  for (const char* index :
       {"sessions_reference", "sessions_provider_start", "sessions_client_start",
        "sessions_active_provider_start", "sessions_active_client_start", "sessions_holds",
        "sessions_duration", "sessions_series_start", "session_deletions_at",
        "session_seats_active"}) {
    INFO(index);
    SQLite::Statement q(raw,
                        "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?");
    q.bind(1, index);
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getInt() == 1);
  }
  CHECK_FALSE(raw.tableExists("sessions_v5"));
  CHECK_FALSE(raw.tableExists("session_deletions_v4"));
}

TEST_CASE("an upgrade that fails leaves the file at its old version, untouched") {
  temp_dir dir;
  const std::string path = dir.file("v1-broken.db");
  {
    // A version-1 file in which someone created a table that step 2 wants to create.
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("BEGIN");
    raw.exec(std::string(slotbook::sqlite_schema_steps()[0]));
    raw.exec("PRAGMA user_version = 1");
    raw.exec("CREATE TABLE reminder_queue (note TEXT)");
    raw.exec("COMMIT");
  }
  expect_error([&] { sqlite_store store{path}; }, errc::storage,
               {"upgrading the schema to version 2", path});
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == 1);
  CHECK_FALSE(raw.tableExists("audit_log"));  // step 2 is all or nothing
  CHECK(raw.tableExists("reminder_queue"));
}

TEST_CASE("a file with a newer schema version is refused, naming both versions and the path") {
  temp_dir dir;
  const std::string path = dir.file("future.db");
  { sqlite_store store{path}; }
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = 99");
  }
  expect_error([&] { sqlite_store store{path}; }, errc::storage,
               {"schema version 99 is newer than this slotbook (" +
                    std::to_string(slotbook::sqlite_schema_version) + ")",
                path});
}

TEST_CASE("a read-only store refuses to upgrade an older file") {
  temp_dir dir;
  const std::string path = dir.file("old.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec(std::string(slotbook::sqlite_schema_steps()[0]));
    raw.exec("PRAGMA user_version = 1");
  }
  sqlite_store_options options;
  options.read_only = true;
  expect_error([&] { sqlite_store store(path, options); }, errc::storage,
               {"schema version 1 is older", "read-write"});
}

TEST_CASE("a file that is not a database is refused, naming the path") {
  temp_dir dir;
  const std::string path = dir.file("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 512; ++i) out << "this is not a database ";
  }
  expect_error([&] { sqlite_store store{path}; }, errc::storage, {path, "not a database"});
}

TEST_CASE("another application's SQLite file is refused and left as it was") {
  temp_dir dir;
  const std::string path = dir.file("theirs.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE sessions (token TEXT PRIMARY KEY, user TEXT)");
    raw.exec("INSERT INTO sessions VALUES ('abc', 'alice')");
  }
  expect_error([&] { sqlite_store store{path}; }, errc::storage, {path, "not a slotbook database"});
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT user FROM sessions WHERE token = 'abc'").getString() == "alice");
  CHECK_FALSE(raw.tableExists("providers"));
  CHECK(raw.execAndGet("PRAGMA application_id").getInt() == 0);
  CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "delete");
}

TEST_CASE("a path that cannot be opened is a storage error naming it") {
  const std::string path = "/nonexistent-slotbook-dir/store.db";
  expect_error([&] { sqlite_store store{path}; }, errc::storage, {path});
}

// --- the audit table ----------------------------------------------------------------------------

TEST_CASE("the audit table refuses UPDATE and DELETE even through raw SQL") {
  temp_dir dir;
  const std::string path = dir.file("audit.db");
  sqlite_store store{path};
  {
    transaction tx(store, access::write);
    store.append_audit(make_audit("book"));
    tx.commit();
  }
  SQLite::Database raw(path, SQLite::OPEN_READWRITE);
  CHECK_THROWS_WITH(raw.exec("UPDATE audit_log SET action = 'nothing' WHERE sequence = 1"),
                    Catch::Contains("append-only"));
  CHECK_THROWS_WITH(raw.exec("DELETE FROM audit_log"), Catch::Contains("append-only"));
  CHECK(raw.execAndGet("SELECT action FROM audit_log WHERE sequence = 1").getString() == "book");
  // Appending through raw SQL is still possible (and the hash chain is what catches a forgery).
  CHECK_NOTHROW(
      raw.exec("INSERT INTO audit_log (at, who_role, who_id, action, previous_hash, hash)"
               " VALUES (0, 'system', 0, 'x', '', '')"));
}

TEST_CASE("the schema's CHECK constraints refuse values slotbook could not read back") {
  temp_dir dir;
  const std::string path = dir.file("checks.db");
  { sqlite_store store{path}; }
  SQLite::Database raw(path, SQLite::OPEN_READWRITE);
  CHECK_THROWS(
      raw.exec("INSERT INTO sessions (client_id, provider_id, scheduled_at,"
               " duration_minutes, status, session_type, amount_minor, currency,"
               " payment_status, created_at, updated_at)"
               " VALUES (1, 1, 0, 60, 'Scheduled', 'initial', 0, 'KES', 'pending', 0, 0)"));
  CHECK_THROWS(
      raw.exec("INSERT INTO sessions (client_id, provider_id, scheduled_at,"
               " duration_minutes, status, session_type, amount_minor, currency,"
               " payment_status, created_at, updated_at)"
               " VALUES (1, 1, 'soon', 60, 'scheduled', 'initial', 0, 'KES', 'pending',"
               " 0, 0)"));
  CHECK(raw.execAndGet("SELECT count(*) FROM sessions").getInt() == 0);
}

// --- several connections and processes -----------------------------------------------------------

TEST_CASE("a second connection cannot take the write lock and gives up after its busy_timeout") {
  temp_dir dir;
  const std::string path = dir.file("busy.db");
  sqlite_store first{path};
  sqlite_store_options impatient;
  impatient.busy_timeout = 100ms;
  sqlite_store second{path, impatient};
  const instant t = at("2026-03-02T10:00:00Z");

  transaction writing(first, access::write);
  const session_id id = first.insert_session(make_session(1, 7, t, 60min));
  expect_error([&] { transaction tx(second, access::write); }, errc::storage,
               {"busy", "100 ms", path});
  {
    // Readers are not blocked by the writer, and do not see its uncommitted insert.
    transaction reading(second, access::read);
    CHECK_FALSE(second.find_session(id).has_value());
    reading.commit();
  }
  writing.commit();
  transaction after(second, access::write);
  CHECK(second.find_session(id).has_value());
}

TEST_CASE("a read transaction keeps reading one snapshot while another connection commits") {
  temp_dir dir;
  const std::string path = dir.file("snapshot.db");
  sqlite_store writer{path};
  sqlite_store reader{path};
  const instant t = at("2026-03-02T10:00:00Z");
  const slotbook::interval day{t - 12h, t + 12h};

  transaction reading(reader, access::read);
  CHECK(reader.provider_sessions(provider_id{1}, day).empty());  // the snapshot starts here
  {
    transaction tx(writer, access::write);
    writer.insert_session(make_session(1, 7, t, 60min));
    tx.commit();
  }
  CHECK(reader.provider_sessions(provider_id{1}, day).empty());
  reading.commit();
  transaction fresh(reader, access::read);
  CHECK(reader.provider_sessions(provider_id{1}, day).size() == 1);
}

TEST_CASE("a write transaction of this process waits for another thread's and gives up in time") {
  temp_dir dir;
  sqlite_store_options impatient;
  impatient.busy_timeout = 100ms;
  sqlite_store store{dir.file("threads.db"), impatient};
  latch_pair steps;
  std::thread holder([&] {
    transaction tx(store, access::write);
    steps.post(1);
    steps.wait(2);
  });
  steps.wait(1);
  expect_error([&] { transaction tx(store, access::write); }, errc::storage, {"busy", "100 ms"});
  // Reads go on while the other thread writes.
  {
    transaction tx(store, access::read);
    CHECK(store.provider_ids().empty());
  }
  steps.post(2);
  holder.join();
  transaction tx(store, access::write);  // free again
}

TEST_CASE("with every connection in use, a transaction waits for one and gives up in time") {
  temp_dir dir;
  sqlite_store_options one;
  one.max_connections = 1;
  one.busy_timeout = 100ms;
  sqlite_store store{dir.file("one.db"), one};
  latch_pair steps;
  std::thread holder([&] {
    transaction tx(store, access::read);
    steps.post(1);
    steps.wait(2);
  });
  steps.wait(1);
  expect_error([&] { transaction tx(store, access::read); }, errc::storage, {"busy"});
  CHECK_FALSE(store.reachable());  // cannot get a connection within the timeout
  steps.post(2);
  holder.join();
  CHECK(store.reachable());
}

TEST_CASE("a read-only store reads the file and refuses write transactions") {
  temp_dir dir;
  const std::string path = dir.file("readonly.db");
  const instant t = at("2026-03-02T10:00:00Z");
  session_id id;
  {
    sqlite_store store{path};
    transaction tx(store, access::write);
    id = store.insert_session(make_session(1, 7, t, 60min));
    tx.commit();
  }
  sqlite_store_options options;
  options.read_only = true;
  sqlite_store store{path, options};
  {
    transaction tx(store, access::read);
    CHECK(store.find_session(id).has_value());
  }
  expect_error([&] { transaction tx(store, access::write); }, errc::storage, {"read-only"});
}

TEST_CASE("several processes counting on one file never interleave: 4 x 100 numbers are 1..400") {
  temp_dir dir;
  const std::string path = dir.file("processes.db");
  { sqlite_store store{path}; }  // created before the children start
  constexpr int processes = 4;
  constexpr int each = 100;
  std::vector<pid_t> children;
  std::vector<int> read_ends;
  for (int k = 0; k < processes; ++k) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    children.push_back(spawn([&, fds] {
      ::close(fds[0]);
      sqlite_store_options patient;
      patient.busy_timeout = 60s;
      sqlite_store store{path, patient};
      for (int i = 0; i < each; ++i) {
        transaction tx(store, access::write);
        const std::uint64_t n = store.next_reference_sequence(2026);
        tx.commit();
        if (::write(fds[1], &n, sizeof n) != static_cast<ssize_t>(sizeof n)) return 3;
      }
      ::close(fds[1]);
      return 0;
    }));
    ::close(fds[1]);
    read_ends.push_back(fds[0]);
  }
  std::vector<std::uint64_t> all;
  for (int fd : read_ends) {
    std::uint64_t n = 0;
    while (::read(fd, &n, sizeof n) == static_cast<ssize_t>(sizeof n)) all.push_back(n);
    ::close(fd);
  }
  for (pid_t pid : children) CHECK(wait_for(pid) == 0);
  std::sort(all.begin(), all.end());
  std::vector<std::uint64_t> expected(processes * each);
  std::iota(expected.begin(), expected.end(), std::uint64_t{1});
  CHECK(all == expected);
  sqlite_store store{path};
  CHECK(store.integrity_check() == "ok");
}

TEST_CASE("several processes checking then booking one file book each slot at most once") {
  temp_dir dir;
  const std::string path = dir.file("booking.db");
  { sqlite_store store{path}; }
  constexpr int processes = 3;
  constexpr int slots = 20;
  const instant first = at("2026-03-02T08:00:00Z");
  std::vector<pid_t> children;
  for (int k = 0; k < processes; ++k) {
    children.push_back(spawn([&, k] {
      sqlite_store_options patient;
      patient.busy_timeout = 60s;
      sqlite_store store{path, patient};
      std::vector<int> order(slots);
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), std::mt19937{static_cast<unsigned>(k + 1)});
      for (int slot : order) {
        const instant start = first + std::chrono::minutes{30 * slot};
        transaction tx(store, access::write);
        if (store.active_provider_sessions(provider_id{1}, {start, start + 45min}).empty()) {
          store.insert_session(make_session(1, static_cast<std::uint64_t>(100 + k), start, 45min));
        }
        tx.commit();
      }
      return 0;
    }));
  }
  for (pid_t pid : children) CHECK(wait_for(pid) == 0);
  // An independent check in SQL: no two active sessions of a provider overlap.
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT count(*) FROM sessions a JOIN sessions b ON a.provider_id ="
                       " b.provider_id AND a.id < b.id AND a.scheduled_at < b.scheduled_at +"
                       " 60 * b.duration_minutes AND b.scheduled_at < a.scheduled_at + 60 *"
                       " a.duration_minutes")
            .getInt() == 0);
  const int booked = raw.execAndGet("SELECT count(*) FROM sessions").getInt();
  // A maximal set of non-overlapping 45-minute sessions on 20 half-hour slots: 7 to 10.
  CHECK(booked >= 7);
  CHECK(booked <= 10);
}
