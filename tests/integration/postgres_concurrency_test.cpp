// No double booking under concurrency on PostgreSQL, as concurrency_test.cpp checks for SQLite:
// several processes, each with its own postgres_store and booking_service and several threads,
// book random overlapping intervals in one schema; then an independent check (SQL self-joins on
// the tstzrange column, through a plain libpqxx connection) finds no two active sessions of one
// provider, or of one client, sharing time, and every booking a worker was told succeeded is
// there. Also: workers in several processes never claim the same reminder, and events follow
// commit order.
//
// The contention is deliberate: every provider works around the clock in UTC with 60-minute
// sessions that may start every 15 minutes, and all workers pick from the same 96 quarter-hour
// starts of one day and twelve clients, so most attempts collide with something.
//
// Needs a server: SLOTBOOK_PG (ctest starts one; see postgres_support.hpp).
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "integration/postgres_support.hpp"
#include "slotbook/booking_service.hpp"
#include "slotbook/postgres_store.hpp"
#include "support/booking_workers.hpp"
#include "support/checks.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::booking_service;
using slotbook::instant;
using slotbook::testing::at;
using slotbook_test::pg_connection_string;
using slotbook_test::raw_connection;
using slotbook_test::scratch_schema;
using namespace slotbook::testing::workers;

namespace {

slotbook::postgres_store_options patient(const scratch_schema& schema) {
  slotbook::postgres_store_options o = schema.options();
  o.busy_timeout = 60s;  // the test is about correctness, not about timeouts
  return o;
}

std::int64_t count(pqxx::connection& c, const std::string& sql) {
  pqxx::nontransaction tx{c};
  return tx.exec1(sql)[0].as<std::int64_t>();
}

constexpr const char* active = "('pending_payment', 'scheduled', 'confirmed', 'in_progress')";

// Pairs of active sessions sharing `key` (provider_id or client_id) whose times overlap.
// Computed from scheduled_at and duration_minutes, not from the store's own `during` column.
std::int64_t overlapping_pairs(pqxx::connection& c, const std::string& key) {
  return count(c, "SELECT count(*) FROM sessions a JOIN sessions b ON a." + key + " = b." + key +
                      " AND a.id < b.id"
                      " AND a.scheduled_at < b.scheduled_at + 60 * b.duration_minutes"
                      " AND b.scheduled_at < a.scheduled_at + 60 * a.duration_minutes"
                      " WHERE a.status IN " +
                      std::string(active) + " AND b.status IN " + active);
}

}  // namespace

TEST_CASE("processes and threads booking one PostgreSQL schema never double-book and lose nothing",
          "[postgres][concurrency]") {
  const scratch_schema schema{"concurrency"};
  slotbook::settable_clock clock{now_instant};
  {
    slotbook::postgres_store db{pg_connection_string(), patient(schema)};
    set_up_providers(db, clock);
  }  // closed before forking: a child must not inherit an open connection

  workload w;
  w.base_seed = std::random_device{}();
  INFO("seed " << w.base_seed);

  // The parent books too, from threads, through its own store and service, and listens to its
  // own events.
  slotbook::postgres_store db{pg_connection_string(), patient(schema)};
  booking_service service{db, clock};
  std::vector<slotbook::change_event> events;
  auto sub = service.subscribe([&](const slotbook::change_event& e) { events.push_back(e); });
  const tally all = run_workload(
      w,
      [&] {
        return std::make_unique<slotbook::postgres_store>(pg_connection_string(), patient(schema));
      },
      service);
  require_only_conflicts(all, w);

  const auto raw = raw_connection(schema.name());
  CHECK(overlapping_pairs(*raw, "provider_id") == 0);
  CHECK(overlapping_pairs(*raw, "client_id") == 0);
  // Every acknowledged booking is there, as acknowledged, and nothing else is.
  CHECK(count(*raw, "SELECT count(*) FROM sessions") == std::int64_t(all.acks.size()));
  {
    pqxx::nontransaction tx{*raw};
    for (const ack& a : all.acks) {
      const pqxx::result r = tx.exec_params(
          "SELECT booking_reference, provider_id, client_id, scheduled_at FROM sessions"
          " WHERE id = $1",
          std::int64_t(a.session));
      REQUIRE(r.size() == 1);
      CHECK(r[0][0].as<std::string>() == a.reference);
      CHECK(std::uint64_t(r[0][1].as<std::int64_t>()) == a.provider);
      CHECK(std::uint64_t(r[0][2].as<std::int64_t>()) == a.client);
      CHECK(r[0][3].as<std::int64_t>() == a.start);
    }
  }
  // References are numbered 1..N without gaps: refusals rolled their number back.
  std::set<std::string> references;
  for (const ack& a : all.acks) references.insert(a.reference);
  CHECK(references.size() == all.acks.size());
  for (std::size_t n = 1; n <= all.acks.size(); ++n) {
    CHECK(references.count(slotbook::format_reference(2026, n)) == 1);
  }
  // Each process appended to the one audit chain; it is intact.
  CHECK(service.verify_audit().ok());

  // This process's events came in its commit order: the order of their audit entries.
  std::map<std::uint64_t, std::int64_t> audit_sequence;
  {
    pqxx::nontransaction tx{*raw};
    for (const auto& row : tx.exec("SELECT session_id, sequence FROM audit_log"
                                   " WHERE action = 'book'")) {
      audit_sequence[std::uint64_t(row[0].as<std::int64_t>())] = row[1].as<std::int64_t>();
    }
  }
  std::int64_t last = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].sequence == i + 1);
    CHECK(events[i].kind == slotbook::change_kind::booked);
    const std::int64_t s = audit_sequence.at(events[i].session.value);
    CHECK(s > last);
    last = s;
  }
}

TEST_CASE("workers in several processes never claim the same reminder from PostgreSQL",
          "[postgres][concurrency][reminders]") {
  const scratch_schema schema{"reminders"};
  slotbook::settable_clock clock{now_instant};
  std::size_t queued = 0;
  {
    slotbook::postgres_store db{pg_connection_string(), patient(schema)};
    set_up_providers(db, clock);
    booking_service service{db, clock};
    // Free sessions (providers 2..4) at distinct times for distinct clients: 3 reminders each.
    for (int i = 0; i < 24; ++i) {
      slotbook::booking_request r;
      r.provider = slotbook::provider_id{std::uint64_t(2 + i % 3)};
      r.client = slotbook::client_id{std::uint64_t(1 + i)};
      r.scheduled_at = first_start + 24h + i * 1h;
      service.book(actor::client(r.client), r);
      queued += 3;
    }
  }
  // Far enough ahead that every reminder is due.
  const instant later = first_start + 72h;

  constexpr int children = 3;
  std::vector<std::pair<pid_t, int>> workers;
  for (int c = 0; c < children; ++c) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      int status = 0;
      try {
        slotbook::postgres_store db{pg_connection_string(), patient(schema)};
        slotbook::settable_clock child_clock{later};
        booking_service service{db, child_clock};
        std::vector<std::thread> threads;
        for (int t = 0; t < 2; ++t) {
          threads.emplace_back([&] {
            for (;;) {
              const auto claimed = service.due_reminders(4);
              if (claimed.empty()) break;
              for (const auto& r : claimed) {
                const std::string line = std::to_string(r.queued.id) + "\n";
                if (::write(fds[1], line.data(), line.size()) < 0) status = 3;
                service.mark_sent(r.queued);
              }
            }
          });
        }
        for (std::thread& t : threads) t.join();
      } catch (...) {
        status = 2;
      }
      ::close(fds[1]);
      ::_exit(status);
    }
    ::close(fds[1]);
    workers.emplace_back(pid, fds[0]);
  }
  std::multiset<std::int64_t> claimed;
  for (auto& [pid, fd] : workers) {
    std::istringstream in{read_all(fd)};
    ::close(fd);
    std::int64_t id = 0;
    while (in >> id) claimed.insert(id);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(claimed.size() == queued);
  CHECK(std::set<std::int64_t>(claimed.begin(), claimed.end()).size() == queued);
  const auto raw = raw_connection(schema.name());
  CHECK(count(*raw, "SELECT count(*) FROM reminder_queue WHERE state = 'sent'") ==
        std::int64_t(queued));
}
