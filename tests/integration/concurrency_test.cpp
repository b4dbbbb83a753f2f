// No double booking under concurrency: several processes, each with several threads, book random
// overlapping intervals against one SQLite file (and threads against one memory_store); then an
// independent check (SQL self-joins on the file, opened with SQLiteCpp) finds no two active
// sessions of one provider, or of one client, sharing time, and every booking a worker was told
// succeeded is there. Also: two workers never claim the same reminder, and events follow commit
// order.
//
// The contention is deliberate: every provider works around the clock in UTC with 60-minute
// sessions that may start every 15 minutes, and all workers pick from the same 96 quarter-hour
// starts of one day and twelve clients, so most attempts collide with something.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"
#include "support/booking_workers.hpp"
#include "support/checks.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::booking_service;
using slotbook::errc;
using slotbook::instant;

using slotbook::testing::at;
using slotbook::testing::temp_dir;
using namespace slotbook::testing::workers;
namespace {

std::int64_t count(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement q{db, sql};
  REQUIRE(q.executeStep());
  return q.getColumn(0).getInt64();
}

constexpr const char* active = "('pending_payment', 'scheduled', 'confirmed', 'in_progress')";

// Pairs of active sessions sharing `key` (provider_id or client_id) whose times overlap.
std::int64_t overlapping_pairs(SQLite::Database& db, const std::string& key) {
  return count(db, "SELECT COUNT(*) FROM sessions a JOIN sessions b ON a." + key + " = b." + key +
                       " AND a.id < b.id"
                       " AND a.scheduled_at < b.scheduled_at + 60 * b.duration_minutes"
                       " AND b.scheduled_at < a.scheduled_at + 60 * a.duration_minutes"
                       " WHERE a.status IN " +
                       std::string(active) + " AND b.status IN " + active);
}

}  // namespace

TEST_CASE("processes and threads booking one SQLite file never double-book and lose nothing",
          "[concurrency][sqlite]") {
  const temp_dir dir;
  const std::string db_path = dir.file("concurrency.db");
  slotbook::settable_clock clock{now_instant};
  {
    slotbook::sqlite_store db{db_path};
    set_up_providers(db, clock);
  }  // closed before forking: a child must not inherit an open connection

  workload w;
  w.base_seed = std::random_device{}();
  INFO("seed " << w.base_seed);

  // The parent books too, from threads, through its own store and service, and listens to its
  // own events.
  slotbook::sqlite_store db{db_path, {.busy_timeout = 20s}};
  booking_service service{db, clock};
  std::vector<slotbook::change_event> events;
  auto sub = service.subscribe([&](const slotbook::change_event& e) { events.push_back(e); });
  const tally all = run_workload(
      w,
      [&] {
        return std::make_unique<slotbook::sqlite_store>(
            db_path, slotbook::sqlite_store_options{.busy_timeout = 20s});
      },
      service);
  require_only_conflicts(all, w);

  SQLite::Database raw{db_path, SQLite::OPEN_READONLY};
  CHECK(overlapping_pairs(raw, "provider_id") == 0);
  CHECK(overlapping_pairs(raw, "client_id") == 0);
  // Every acknowledged booking is there, as acknowledged, and nothing else is.
  CHECK(count(raw, "SELECT COUNT(*) FROM sessions") == std::int64_t(all.acks.size()));
  SQLite::Statement find{raw,
                         "SELECT booking_reference, provider_id, client_id, scheduled_at, status "
                         "FROM sessions WHERE id = ?"};
  for (const ack& a : all.acks) {
    find.reset();
    find.bind(1, std::int64_t(a.session));
    REQUIRE(find.executeStep());
    CHECK(find.getColumn(0).getString() == a.reference);
    CHECK(std::uint64_t(find.getColumn(1).getInt64()) == a.provider);
    CHECK(std::uint64_t(find.getColumn(2).getInt64()) == a.client);
    CHECK(find.getColumn(3).getInt64() == a.start);
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
  CHECK(db.integrity_check() == "ok");

  // This process's events came in its commit order: the order of their audit entries.
  std::map<std::uint64_t, std::int64_t> audit_sequence;
  SQLite::Statement booked{raw, "SELECT session_id, sequence FROM audit_log WHERE action = 'book'"};
  while (booked.executeStep()) {
    audit_sequence[std::uint64_t(booked.getColumn(0).getInt64())] = booked.getColumn(1).getInt64();
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

TEST_CASE("threads booking one memory_store never double-book", "[concurrency][memory]") {
  slotbook::memory_store db;
  slotbook::settable_clock clock{now_instant};
  set_up_providers(db, clock);
  booking_service service{db, clock};
  std::vector<slotbook::change_event> events;  // callbacks never run concurrently
  auto sub = service.subscribe([&](const slotbook::change_event& e) { events.push_back(e); });
  std::mutex mutex;
  std::string lines;
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      book_randomly(service, 7 + t, 150, [&](const std::string& line) {
        const std::lock_guard lock(mutex);
        lines += line;
      });
    });
  }
  for (std::thread& t : threads) t.join();
  tally all;
  std::istringstream in{lines};
  read_lines(in, all);
  CHECK(all.refusals.size() == 1);  // conflicts only
  CHECK(all.refusals["conflict"] > 0);

  // A brute-force oracle over what the store holds: no two active sessions of one provider or
  // one client overlap.
  slotbook::transaction tx(db, slotbook::access::read);
  std::vector<slotbook::session> sessions;
  for (int p = 1; p <= providers; ++p) {
    for (auto& s : db.provider_sessions(slotbook::provider_id{std::uint64_t(p)},
                                        {first_start - 24h, first_start + 48h})) {
      sessions.push_back(std::move(s));
    }
  }
  CHECK(sessions.size() == all.acks.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    for (std::size_t j = i + 1; j < sessions.size(); ++j) {
      const auto& a = sessions[i];
      const auto& b = sessions[j];
      if (!slotbook::session_interval(a).overlaps(slotbook::session_interval(b))) continue;
      CHECK(a.provider != b.provider);
      CHECK(a.client != b.client);
    }
  }
  for (const ack& a : all.acks) {
    const auto s = db.find_session(slotbook::session_id{a.session});
    REQUIRE(s);
    CHECK(s->booking_reference == a.reference);
  }
  // One event per booking, in the order of the bookings' audit entries (commit order).
  std::map<std::uint64_t, std::int64_t> audit_sequence;
  for (const auto& e : db.audit_entries(0, 1'000'000)) {
    if (e.action == "book") audit_sequence[e.session.value] = e.sequence;
  }
  REQUIRE(events.size() == all.acks.size());
  std::int64_t last = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].sequence == i + 1);
    const std::int64_t s = audit_sequence.at(events[i].session.value);
    CHECK(s > last);
    last = s;
  }
}

TEST_CASE("workers in several processes never claim the same reminder",
          "[concurrency][sqlite][reminders]") {
  const temp_dir dir;
  const std::string db_path = dir.file("reminders.db");
  slotbook::settable_clock clock{now_instant};
  std::size_t queued = 0;
  {
    slotbook::sqlite_store db{db_path};
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
        slotbook::sqlite_store db{db_path, {.busy_timeout = 20s}};
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
  SQLite::Database raw{db_path, SQLite::OPEN_READONLY};
  CHECK(count(raw, "SELECT COUNT(*) FROM reminder_queue WHERE state = 'sent'") ==
        std::int64_t(queued));
}
