// What postgres_store promises beyond the store interface (which store_conformance_test.cpp
// checks for every backend): the schema and its migrations, the exclusion constraints that refuse
// double booking even to SQL that bypasses slotbook, the writer lock and the read snapshots, the
// append-only audit log, text PostgreSQL cannot store, transient failures, lost connections, and
// the booking service running on top of it. Each test works in a scratch schema of its own.
//
// Needs a server: SLOTBOOK_PG (ctest starts one; see postgres_support.hpp).

#include <atomic>
#include <chrono>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "integration/postgres_support.hpp"
#include "slotbook/booking_service.hpp"
#include "slotbook/clock.hpp"
#include "slotbook/postgres_store.hpp"
#include "support/checks.hpp"

using namespace std::chrono_literals;
using slotbook::access;
using slotbook::errc;
using slotbook::instant;
using slotbook::postgres_store;
using slotbook::provider_id;
using slotbook::session;
using slotbook::session_id;
using slotbook::session_status;
using slotbook::transaction;
using slotbook::testing::at;
using slotbook::testing::expect_error;
using slotbook_test::pg_connection_string;
using slotbook_test::raw_connection;
using slotbook_test::scratch_schema;

namespace {

std::int64_t unix_seconds(std::string_view text) { return at(text).time_since_epoch().count(); }

template <class F>
auto in_write(slotbook::store& s, F&& f) {
  transaction tx(s, access::write);
  if constexpr (std::is_void_v<decltype(f())>) {
    f();
    tx.commit();
  } else {
    auto result = f();
    tx.commit();
    return result;
  }
}

template <class F>
auto in_read(slotbook::store& s, F&& f) {
  transaction tx(s, access::read);
  auto result = f();
  tx.commit();
  return result;
}

session make_session(std::uint64_t provider, std::uint64_t client, instant start,
                     std::chrono::minutes length,
                     session_status status = session_status::scheduled) {
  session s;
  s.provider = provider_id{provider};
  s.client = slotbook::client_id{client};
  s.scheduled_at = start;
  s.duration = length;
  s.amount = slotbook::money::kes(150000);
  s.created_at = s.updated_at = start - std::chrono::hours{24 * 7};
  s.status = status;
  if (status == session_status::cancelled) {
    s.cancelled_at = start - 48h;
    s.cancelled_by = slotbook::role::client;
    s.cancelled_from = session_status::scheduled;
  }
  return s;
}

std::int64_t count(pqxx::connection& c, const std::string& sql) {
  pqxx::nontransaction tx{c};
  return tx.exec1(sql)[0].as<std::int64_t>();
}

// A plain-SQL session row (the columns slotbook requires); `status` decides whether it occupies
// its time.
std::string session_row(std::int64_t id, std::int64_t provider, std::int64_t client,
                        std::string_view start, int minutes, std::string_view status) {
  return "INSERT INTO sessions (id, client_id, provider_id, scheduled_at, duration_minutes,"
         " status, session_type, amount_minor, currency, payment_status, created_at, updated_at)"
         " VALUES (" +
         std::to_string(id) + ", " + std::to_string(client) + ", " + std::to_string(provider) +
         ", " + std::to_string(unix_seconds(start)) + ", " + std::to_string(minutes) + ", '" +
         std::string(status) + "', 'initial', 0, 'KES', 'pending', 0, 0)";
}

// The SQLSTATE a plain-SQL transaction fails with at commit ("" when it commits).
std::string commit_state(pqxx::connection& c, const std::vector<std::string>& statements) {
  try {
    pqxx::work tx{c};
    for (const std::string& sql : statements) tx.exec(sql);
    tx.commit();
    return "";
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate();
  }
}

slotbook::provider_profile around_the_clock(std::uint64_t id, slotbook::money price) {
  slotbook::provider_profile p;
  p.id = provider_id{id};
  p.name = "provider " + std::to_string(id);
  p.hours.zone = "UTC";
  for (unsigned d = 0; d < 7; ++d) p.hours.windows.push_back({date::weekday{d}, 0h, 24h});
  p.rules.step = 15min;
  p.rules.minimum_notice = 0min;
  p.price = price;
  return p;
}

}  // namespace

// --- schema and migrations -----------------------------------------------------------------------

TEST_CASE("a new store creates its schema at the current version with both exclusion constraints",
          "[postgres][schema]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  CHECK(store.schema() == schema.name());
  CHECK(store.schema_version() == slotbook::postgres_schema_version);
  CHECK(static_cast<int>(slotbook::postgres_schema_steps().size()) ==
        slotbook::postgres_schema_version);

  const auto raw = raw_connection(schema.name());
  CHECK(count(*raw, "SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'") == 1);
  // contype 'x' = exclusion; both deferred to commit.
  CHECK(count(*raw,
              "SELECT count(*) FROM pg_constraint WHERE conrelid = 'sessions'::regclass"
              " AND contype = 'x' AND condeferrable AND condeferred"
              " AND conname IN ('sessions_provider_no_overlap', 'sessions_client_no_overlap')") ==
        2);
}

TEST_CASE("reopening a schema keeps its data and its version", "[postgres][schema]") {
  const scratch_schema schema;
  session_id id;
  {
    postgres_store store{pg_connection_string(), schema.options()};
    id = in_write(store, [&] {
      return store.insert_session(make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min));
    });
  }
  postgres_store again{pg_connection_string(), schema.options()};
  CHECK(again.schema_version() == slotbook::postgres_schema_version);
  CHECK(in_read(again, [&] { return again.find_session(id); }).has_value());
}

TEST_CASE("a schema at version 1 is upgraded in place and keeps its sessions",
          "[postgres][schema]") {
  const scratch_schema schema;
  {
    // What a slotbook with schema version 1 left behind.
    const auto raw = raw_connection(schema.name());
    pqxx::work tx{*raw};
    tx.exec("CREATE SCHEMA " + raw->quote_name(schema.name()));
    tx.exec(
        "CREATE TABLE schema_version (application text NOT NULL, version integer NOT NULL,"
        " only_row boolean PRIMARY KEY DEFAULT true)");
    tx.exec("INSERT INTO schema_version (application, version) VALUES ('slotbook', 1)");
    tx.exec(std::string(slotbook::postgres_schema_steps()[0]));
    tx.exec(session_row(41, 1, 7, "2026-03-02T10:00:00Z", 60, "scheduled"));
    tx.exec(
        "INSERT INTO providers (id, name, active, price_minor, currency, zone, schedule_active,"
        " slot_minutes, buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes,"
        " maximum_advance_minutes, alignment) VALUES (3, 'Dr. Old', true, 0, 'KES', 'UTC', true,"
        " 60, 0, 0, 0, 43200, 'run_start')");
    tx.commit();
  }
  postgres_store store{pg_connection_string(), schema.options()};
  CHECK(store.schema_version() == slotbook::postgres_schema_version);
  const auto found = in_read(store, [&] { return store.find_session(session_id{41}); });
  REQUIRE(found.has_value());
  CHECK(found->scheduled_at == at("2026-03-02T10:00:00Z"));
  // Version 2 added requires_intake, false for the providers already there.
  const auto provider = in_read(store, [&] { return store.find_provider(provider_id{3}); });
  REQUIRE(provider.has_value());
  CHECK(provider->name == "Dr. Old");
  CHECK_FALSE(provider->requires_intake);
  CHECK(in_write(store, [&] { return store.next_intake_id(); }) == slotbook::intake_id{1});
}

TEST_CASE("a schema at version 2 is upgraded: its sessions belong to no series",
          "[postgres][schema]") {
  const scratch_schema schema;
  {
    // What a slotbook with schema version 2 left behind.
    const auto raw = raw_connection(schema.name());
    pqxx::work tx{*raw};
    tx.exec("CREATE SCHEMA " + raw->quote_name(schema.name()));
    tx.exec(
        "CREATE TABLE schema_version (application text NOT NULL, version integer NOT NULL,"
        " only_row boolean PRIMARY KEY DEFAULT true)");
    tx.exec("INSERT INTO schema_version (application, version) VALUES ('slotbook', 2)");
    tx.exec(std::string(slotbook::postgres_schema_steps()[0]));
    tx.exec(std::string(slotbook::postgres_schema_steps()[1]));
    tx.exec(session_row(41, 1, 7, "2026-03-02T10:00:00Z", 60, "scheduled"));
    tx.commit();
  }
  postgres_store store{pg_connection_string(), schema.options()};
  CHECK(store.schema_version() == slotbook::postgres_schema_version);
  const auto found = in_read(store, [&] { return store.find_session(session_id{41}); });
  REQUIRE(found.has_value());
  CHECK(found->scheduled_at == at("2026-03-02T10:00:00Z"));
  CHECK(found->series == slotbook::series_id{});
  CHECK(in_write(store, [&] { return store.next_series_id(); }) == slotbook::series_id{1});
  session moved = *found;
  moved.series = slotbook::series_id{1};
  in_write(store, [&] { store.update_session(moved); });
  CHECK(in_read(store, [&] { return store.series_sessions(slotbook::series_id{1}); }).size() == 1);
}

TEST_CASE("a schema holding another application's tables is refused and left unchanged",
          "[postgres][schema]") {
  const scratch_schema schema;
  const auto raw = raw_connection(schema.name());
  {
    pqxx::work tx{*raw};
    tx.exec("CREATE SCHEMA " + raw->quote_name(schema.name()));
    tx.exec("CREATE TABLE invoices (id integer)");
    tx.commit();
  }
  expect_error([&] { postgres_store store(pg_connection_string(), schema.options()); },
               errc::storage, {"is not a slotbook schema"});
  CHECK(count(*raw,
              "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
              " AND tablename <> 'invoices'") == 0);
}

TEST_CASE("a schema with a newer version than this slotbook is refused", "[postgres][schema]") {
  const scratch_schema schema;
  { postgres_store store{pg_connection_string(), schema.options()}; }
  const auto raw = raw_connection(schema.name());
  {
    pqxx::work tx{*raw};
    tx.exec("UPDATE schema_version SET version = version + 1");
    tx.commit();
  }
  const std::string message =
      expect_error([&] { postgres_store store(pg_connection_string(), schema.options()); },
                   errc::storage, {"newer than this slotbook"});
  CHECK(message.find(schema.name()) != std::string::npos);
}

TEST_CASE("two stores in one database under different schemas do not see each other",
          "[postgres][schema]") {
  const scratch_schema first_schema{"first"};
  const scratch_schema second_schema{"second"};
  postgres_store first{pg_connection_string(), first_schema.options()};
  postgres_store second{pg_connection_string(), second_schema.options()};
  in_write(first,
           [&] { first.insert_session(make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min)); });
  CHECK(in_read(second, [&] {
          return second.provider_sessions(provider_id{1},
                                          {at("2026-03-01T00:00:00Z"), at("2026-03-03T00:00:00Z")});
        }).empty());
  // Each has its own writer lock: a thread may write to both at once.
  transaction a(first, access::write);
  transaction b(second, access::write);
  CHECK(second.next_reference_sequence(2026) == 1);
  a.commit();
  b.commit();
}

TEST_CASE("bad options and an unreachable server are refused without showing the password",
          "[postgres][schema]") {
  const scratch_schema schema;
  slotbook::postgres_store_options none = schema.options();
  none.max_connections = 0;
  expect_error([&] { postgres_store s(pg_connection_string(), none); }, errc::invalid_argument,
               {"max_connections"});
  slotbook::postgres_store_options unnamed = schema.options();
  unnamed.schema.clear();
  expect_error([&] { postgres_store s(pg_connection_string(), unnamed); }, errc::invalid_argument,
               {"schema"});
  // Port 1 on loopback: nothing listens there.
  const std::string message = expect_error(
      [&] {
        postgres_store s("host=127.0.0.1 port=1 user=postgres password=hunter2 connect_timeout=5",
                         schema.options());
      },
      errc::storage, {"127.0.0.1"});
  CHECK(message.find("hunter2") == std::string::npos);
}

// --- the database refuses double booking ---------------------------------------------------------

TEST_CASE("an overlapping session inserted with plain SQL is refused by the database (23P01)",
          "[postgres][constraints]") {
  const scratch_schema schema;
  { postgres_store store{pg_connection_string(), schema.options()}; }
  const auto raw = raw_connection(schema.name());
  REQUIRE(commit_state(*raw, {session_row(1, 10, 20, "2026-03-02T10:00:00Z", 60, "scheduled")})
              .empty());

  // Same provider, another client, overlapping by 30 minutes: refused at commit.
  CHECK(commit_state(*raw, {session_row(2, 10, 21, "2026-03-02T10:30:00Z", 60, "confirmed")}) ==
        "23P01");
  // Same client, another provider, overlapping by one minute: refused.
  CHECK(commit_state(*raw, {session_row(3, 11, 20, "2026-03-02T10:59:00Z", 60, "in_progress")}) ==
        "23P01");
  // Back to back (half-open intervals), another provider and client at the same time, or a
  // status that does not occupy time: accepted.
  CHECK(commit_state(*raw, {session_row(4, 10, 20, "2026-03-02T11:00:00Z", 60, "scheduled")})
            .empty());
  CHECK(commit_state(*raw, {session_row(5, 12, 22, "2026-03-02T10:00:00Z", 60, "scheduled")})
            .empty());
  CHECK(commit_state(*raw, {session_row(6, 10, 23, "2026-03-02T10:00:00Z", 60, "cancelled")})
            .empty());
  CHECK(commit_state(*raw, {session_row(7, 10, 24, "2026-03-02T10:15:00Z", 30, "completed")})
            .empty());
  // An unpaid hold is the service's to judge (it may have expired): accepted, but it cannot
  // become scheduled while the time is taken.
  CHECK(commit_state(*raw, {session_row(8, 10, 25, "2026-03-02T10:00:00Z", 60, "pending_payment")})
            .empty());
  CHECK(commit_state(*raw, {"UPDATE sessions SET status = 'scheduled' WHERE id = 8"}) == "23P01");
  // Moving a session onto a taken time is refused too.
  CHECK(commit_state(*raw, {"UPDATE sessions SET scheduled_at = scheduled_at - 1800 WHERE id = 5",
                            "UPDATE sessions SET provider_id = 10 WHERE id = 5"}) == "23P01");

  CHECK(count(*raw, "SELECT count(*) FROM sessions") == 6);
  CHECK(count(*raw,
              "SELECT count(*) FROM sessions a JOIN sessions b ON a.id < b.id"
              " AND (a.provider_id = b.provider_id OR a.client_id = b.client_id)"
              " AND a.during && b.during"
              " WHERE a.status IN ('scheduled', 'confirmed', 'in_progress')"
              " AND b.status IN ('scheduled', 'confirmed', 'in_progress')") == 0);
}

TEST_CASE("two plain-SQL transactions racing for one time: the second to commit is refused",
          "[postgres][constraints]") {
  const scratch_schema schema;
  { postgres_store store{pg_connection_string(), schema.options()}; }
  const auto one = raw_connection(schema.name());
  const auto two = raw_connection(schema.name());
  pqxx::work first{*one};
  pqxx::work second{*two};
  // Both insert before either commits: neither sees the other's row yet.
  first.exec(session_row(1, 10, 20, "2026-03-02T10:00:00Z", 60, "scheduled"));
  second.exec(session_row(2, 10, 21, "2026-03-02T10:45:00Z", 60, "scheduled"));
  first.commit();
  std::string state;
  try {
    second.commit();
  } catch (const pqxx::sql_error& e) {
    state = e.sqlstate();
  }
  CHECK(state == "23P01");
  CHECK(count(*one, "SELECT count(*) FROM sessions") == 1);
}

TEST_CASE(
    "an overlap written through the store is a conflict at commit naming the provider and "
    "both intervals, and nothing of it is kept",
    "[postgres][constraints]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  in_write(store,
           [&] { store.insert_session(make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min)); });
  session_id extra;
  const std::string message = expect_error(
      [&] {
        transaction tx(store, access::write);
        extra = store.insert_session(make_session(2, 8, at("2026-03-02T12:00:00Z"), 60min));
        store.insert_session(make_session(1, 9, at("2026-03-02T10:30:00Z"), 60min));
        store.next_reference_sequence(2026);
        tx.commit();
      },
      errc::conflict, {"provider 1"});
  CHECK(message.find("[2026-03-02T10:00:00Z, 2026-03-02T11:00:00Z)") != std::string::npos);
  CHECK(message.find("[2026-03-02T10:30:00Z, 2026-03-02T11:30:00Z)") != std::string::npos);
  in_read(store, [&] {
    CHECK_FALSE(store.find_session(extra).has_value());
    CHECK(store
              .provider_sessions(provider_id{1},
                                 {at("2026-03-02T00:00:00Z"), at("2026-03-03T00:00:00Z")})
              .size() == 1);
    return 0;
  });
  CHECK(in_write(store, [&] { return store.next_reference_sequence(2026); }) == 1);
}

TEST_CASE("a client in two overlapping sessions with two providers is a conflict at commit",
          "[postgres][constraints]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  expect_error(
      [&] {
        in_write(store, [&] {
          store.insert_session(make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min));
          store.insert_session(make_session(2, 7, at("2026-03-02T10:50:00Z"), 50min));
        });
      },
      errc::conflict, {"client 7"});
}

TEST_CASE(
    "a replacement may overlap the session it replaces until the original is cancelled in "
    "the same transaction",
    "[postgres][constraints]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  session original = make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min);
  original.id = in_write(store, [&] { return store.insert_session(original); });
  in_write(store, [&] {
    // The order booking_service::reschedule uses: insert the replacement, then cancel.
    store.insert_session(make_session(1, 7, at("2026-03-02T10:30:00Z"), 60min));
    session cancelled = original;
    cancelled.status = session_status::cancelled;
    cancelled.cancelled_at = at("2026-03-01T10:00:00Z");
    cancelled.cancelled_by = slotbook::role::client;
    cancelled.cancelled_from = session_status::scheduled;
    store.update_session(cancelled);
  });
  const auto active = in_read(store, [&] {
    return store.active_provider_sessions(provider_id{1},
                                          {at("2026-03-02T00:00:00Z"), at("2026-03-03T00:00:00Z")});
  });
  REQUIRE(active.size() == 1);
  CHECK(active[0].scheduled_at == at("2026-03-02T10:30:00Z"));
}

// --- transactions --------------------------------------------------------------------------------

TEST_CASE(
    "a writer waits for another writer's turn and gives up after busy_timeout, while "
    "readers go on",
    "[postgres][transactions]") {
  const scratch_schema schema;
  postgres_store first{pg_connection_string(), schema.options()};
  slotbook::postgres_store_options impatient = schema.options();
  impatient.busy_timeout = 300ms;
  postgres_store second{pg_connection_string(), impatient};
  transaction writing(first, access::write);
  first.insert_session(make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min));
  expect_error([&] { transaction t(second, access::write); }, errc::storage, {"busy"});
  // A reader is never blocked, and sees only what was committed.
  CHECK(in_read(second, [&] {
          return second.provider_sessions(provider_id{1},
                                          {at("2026-03-02T00:00:00Z"), at("2026-03-03T00:00:00Z")});
        }).empty());
  writing.commit();
  CHECK(in_write(second, [&] { return second.next_reference_sequence(2026); }) == 1);
}

TEST_CASE("a writer that queued behind another sees what the other committed",
          "[postgres][transactions]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  const instant t = at("2026-03-02T10:00:00Z");
  std::atomic<bool> second_started{false};
  std::size_t seen_by_second = 99;
  {
    transaction first(store, access::write);
    store.insert_session(make_session(1, 7, t, 60min));
    std::thread second([&] {
      second_started = true;
      transaction tx(store, access::write);  // waits for `first`
      seen_by_second = store.active_provider_sessions(provider_id{1}, {t, t + 1h}).size();
      tx.commit();
    });
    while (!second_started) std::this_thread::yield();
    std::this_thread::sleep_for(100ms);  // let it queue on the lock (the result holds either way)
    first.commit();
    second.join();
  }
  CHECK(seen_by_second == 1);
}

TEST_CASE("a read transaction reads one snapshot while writers commit",
          "[postgres][transactions]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  const instant t = at("2026-03-02T10:00:00Z");
  const slotbook::interval day{t - 10h, t + 14h};
  transaction reading(store, access::read);
  CHECK(store.provider_sessions(provider_id{1}, day).empty());
  std::thread writer(
      [&] { in_write(store, [&] { store.insert_session(make_session(1, 7, t, 60min)); }); });
  writer.join();
  CHECK(store.provider_sessions(provider_id{1}, day).empty());  // still the old snapshot
  reading.commit();
  CHECK(in_read(store, [&] { return store.provider_sessions(provider_id{1}, day); }).size() == 1);
}

TEST_CASE("a row changed by plain SQL after the snapshot makes the update a transient error",
          "[postgres][transactions]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  session s = make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min);
  s.id = in_write(store, [&] { return store.insert_session(s); });
  const auto raw = raw_connection(schema.name());
  try {
    transaction tx(store, access::write);
    REQUIRE(store.find_session(s.id).has_value());  // the snapshot is taken here
    REQUIRE(commit_state(*raw, {"UPDATE sessions SET notes = 'by hand' WHERE id = " +
                                std::to_string(s.id.value)})
                .empty());
    session changed = s;
    changed.notes = "by slotbook";
    store.update_session(changed);
    FAIL("no error");
  } catch (const slotbook::postgres_transient_error& e) {
    INFO(e.what());
    CHECK(e.code() == errc::storage);
    CHECK(e.sqlstate() == "40001");
  }
  // Rolled back; a fresh attempt succeeds.
  in_write(store, [&] {
    session changed = *store.find_session(s.id);
    CHECK(changed.notes == "by hand");
    changed.notes = "by slotbook";
    store.update_session(changed);
  });
  CHECK(in_read(store, [&] { return store.find_session(s.id); })->notes == "by slotbook");
}

TEST_CASE("after a statement failed on the server, commit refuses instead of pretending",
          "[postgres][transactions]") {
  // PostgreSQL aborts the whole transaction when one statement fails, and answers a later COMMIT
  // with ROLLBACK rather than an error: a caller that caught the failure and committed anyway
  // must not be told its other writes are stored.
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  session s = make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min);
  s.id = in_write(store, [&] { return store.insert_session(s); });
  const auto raw = raw_connection(schema.name());
  session_id added;
  {
    transaction tx(store, access::write);
    added = store.insert_session(make_session(2, 8, at("2026-03-03T10:00:00Z"), 60min));
    REQUIRE(store.find_session(s.id).has_value());
    REQUIRE(commit_state(*raw, {"UPDATE sessions SET notes = 'by hand' WHERE id = " +
                                std::to_string(s.id.value)})
                .empty());
    session changed = s;
    changed.notes = "by slotbook";
    CHECK_THROWS_AS(store.update_session(changed), slotbook::postgres_transient_error);
    expect_error([&] { tx.commit(); }, errc::storage, {"nothing was committed"});
  }
  CHECK_FALSE(in_read(store, [&] { return store.find_session(added); }).has_value());
  // A refusal slotbook makes before any SQL fails leaves the transaction usable (the conformance
  // suite checks that too); committing then stores the rest.
  in_write(store, [&] {
    session duplicate = make_session(3, 9, at("2026-03-04T10:00:00Z"), 60min);
    duplicate.id = s.id;
    expect_error([&] { store.insert_session(duplicate); }, errc::conflict, {"already exists"});
    added = store.insert_session(make_session(3, 9, at("2026-03-05T10:00:00Z"), 60min));
  });
  CHECK(in_read(store, [&] { return store.find_session(added); }).has_value());
}

TEST_CASE(
    "a connection lost in a transaction is a storage error, and the store goes on with a "
    "new one",
    "[postgres][transactions]") {
  const scratch_schema schema;
  const std::string tag = schema.name();  // unique: finds this test's connections only
  postgres_store store{pg_connection_string() + " application_name=" + tag, schema.options()};
  const auto raw = raw_connection(schema.name());
  const auto kill_store_connections = [&] {
    pqxx::nontransaction tx{*raw};
    tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", tag);
  };
  {
    transaction tx(store, access::write);
    store.next_reference_sequence(2026);
    kill_store_connections();
    expect_error([&] { store.next_reference_sequence(2026); }, errc::storage, {"connection"});
  }
  // Idle pooled connections that were killed are replaced transparently at the next BEGIN.
  kill_store_connections();
  CHECK(in_write(store, [&] { return store.next_reference_sequence(2026); }) == 1);
  CHECK(store.reachable());
}

// --- what PostgreSQL stores ----------------------------------------------------------------------

TEST_CASE("the audit log refuses UPDATE, DELETE and TRUNCATE from plain SQL", "[postgres][audit]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  slotbook::audit_entry e;
  e.at = at("2026-03-02T10:00:00Z");
  e.action = "book";
  e.previous_hash = std::string(64, '0');
  e.hash = std::string(64, '1');
  in_write(store, [&] { store.append_audit(e); });
  const auto raw = raw_connection(schema.name());
  CHECK(commit_state(*raw, {"UPDATE audit_log SET detail = 'edited'"}) == "23001");
  CHECK(commit_state(*raw, {"DELETE FROM audit_log"}) == "23001");
  CHECK(commit_state(*raw, {"TRUNCATE audit_log"}) == "23001");
  e.sequence = 1;
  CHECK(in_read(store, [&] { return store.audit_entries(0, 10); }) == std::vector{e});
}

TEST_CASE(
    "text that is not UTF-8 or holds a NUL byte is refused naming the field, and the "
    "transaction stays usable",
    "[postgres][text]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  session bad = make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min);
  in_write(store, [&] {
    bad.notes = "caf\xc3";  // cut in the middle of a character
    expect_error([&] { store.insert_session(bad); }, errc::invalid_argument, {"notes"});
    bad.notes = "ok";
    bad.special_requests = std::string("a\0b", 3);
    expect_error([&] { store.insert_session(bad); }, errc::invalid_argument, {"special_requests"});
    bad.special_requests = "\xed\xa0\x80";  // a UTF-16 surrogate
    expect_error([&] { store.insert_session(bad); }, errc::invalid_argument, {"special_requests"});
    // Still usable: real UTF-8 goes in and comes out unchanged.
    bad.special_requests = "Kiswahili tafadhali \xe2\x80\x94 \xf0\x9f\x98\x8a";
    bad.id = store.insert_session(bad);
  });
  CHECK(in_read(store, [&] { return store.find_session(bad.id); }) == bad);
}

TEST_CASE("a provider profile round-trips, windows and exceptions in the host's order",
          "[postgres][providers]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  slotbook::provider_profile p = around_the_clock(5, slotbook::money::kes(1000));
  p.hours.windows = {{date::Friday, 9h, 12h}, {date::Monday, 13h, 17h}, {date::Monday, 8h, 9h}};
  p.hours.exceptions = {
      slotbook::date_exception::custom(date::year{2026} / 5 / 1, {{9h, 10h}, {15h, 16h}}, "ok"),
      slotbook::date_exception::closed(date::year{2026} / 4 / 3, "Good \"Friday\"")};
  p.requires_intake = true;
  in_write(store, [&] { store.put_provider(p); });
  const auto found = in_read(store, [&] { return store.find_provider(provider_id{5}); });
  REQUIRE(found.has_value());
  CHECK(found->hours.windows == p.hours.windows);
  REQUIRE(found->hours.exceptions.size() == 2);
  CHECK(found->hours.exceptions[0].hours == p.hours.exceptions[0].hours);
  CHECK(found->hours.exceptions[1].reason == "Good \"Friday\"");
  CHECK(found->requires_intake);
  CHECK(found->price == p.price);
}

// --- the booking service on PostgreSQL -----------------------------------------------------------

TEST_CASE(
    "the booking service books, moves by half an hour, pays and cancels on postgres_store "
    "with an intact audit chain",
    "[postgres][service]") {
  const scratch_schema schema;
  postgres_store store{pg_connection_string(), schema.options()};
  slotbook::settable_clock clock{at("2026-01-12T08:00:00Z")};
  slotbook::booking_service service{store, clock};
  const auto admin = slotbook::actor::admin(slotbook::admin_id{1});
  service.put_provider(admin, around_the_clock(1, slotbook::money::kes(0)));
  service.put_provider(admin, around_the_clock(2, slotbook::money::kes(150000)));

  slotbook::booking_request r;
  r.provider = provider_id{1};
  r.client = slotbook::client_id{7};
  r.scheduled_at = at("2026-01-14T10:00:00Z");
  const auto who = slotbook::actor::client(r.client);
  const auto booked = service.book(who, r);
  CHECK(booked.booking_reference == "BK-2026-000001");
  CHECK(booked.status == session_status::scheduled);

  // The same time again: the service refuses it before the database has to.
  expect_error([&] { service.book(who, r); }, errc::conflict, {"provider 1"});

  // Moving by 30 minutes: the replacement overlaps the original inside the transaction.
  const auto moved = service.reschedule(who, booked.session, at("2026-01-14T10:30:00Z"));
  CHECK(moved.replacement.scheduled_at == at("2026-01-14T10:30:00Z"));
  CHECK(moved.replaced.status == session_status::cancelled);

  // A paid provider: a hold, then payment.
  slotbook::booking_request paid = r;
  paid.provider = provider_id{2};
  paid.scheduled_at = at("2026-01-15T10:00:00Z");
  const auto hold = service.book(who, paid);
  CHECK(hold.status == session_status::pending_payment);
  service.confirm_payment(admin, hold.session, "mpesa", "tx-1");
  service.cancel(who, moved.replacement.id, "changed my mind");

  const auto audit = service.verify_audit();
  INFO(audit.message);
  CHECK(audit.ok());
  const auto raw = raw_connection(schema.name());
  CHECK(count(*raw, "SELECT count(*) FROM sessions WHERE status = 'scheduled'") == 1);
}
