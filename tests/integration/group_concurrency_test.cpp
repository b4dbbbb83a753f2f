// Group sessions under concurrency: threads book and give up seats in two group sessions that
// run at the same hour (with two providers, so a client may sit in at most one of them), on one
// memory_store and, through two store objects, on one SQLite file. Afterwards an independent
// check (plain loops over what the store holds; SQL on the file) finds no group holding more
// seats than its capacity, no client holding two seats at that hour, and exactly the seats the
// workers were told they got minus the ones they were told they gave up.
#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"
#include "support/checks.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::booking_service;
using slotbook::client_id;
using slotbook::errc;
using slotbook::instant;
using slotbook::provider_id;
using slotbook::session_id;
using slotbook::testing::at;
using slotbook::testing::temp_dir;

namespace {

const instant now = at("2026-01-12T08:00:00Z");
const instant hour = at("2026-01-19T10:00:00Z");
constexpr int capacity = 3;
constexpr std::uint64_t clients = 10;
const actor admin = actor::admin(slotbook::admin_id{1});

slotbook::provider_profile free_provider(std::uint64_t id) {
  slotbook::provider_profile p;
  p.id = provider_id{id};
  p.hours.zone = "UTC";
  for (unsigned d = 0; d < 7; ++d) p.hours.windows.push_back({date::weekday{d}, 0h, 24h});
  return p;
}

std::vector<session_id> open_groups(booking_service& service) {
  std::vector<session_id> groups;
  for (std::uint64_t p = 1; p <= 2; ++p) {
    service.put_provider(admin, free_provider(p));
    slotbook::group_request g;
    g.provider = provider_id{p};
    g.scheduled_at = hour;
    g.capacity = capacity;
    groups.push_back(service.open_group(admin, g).session);
  }
  return groups;
}

// What the workers were told, per group: seats booked minus seats given up, and the refusals.
struct tally {
  std::mutex mutex;
  std::map<std::uint64_t, long> net;  // by group session id
  std::map<errc, long> refusals;
  long successes = 0;
};

// One worker: `rounds` random seat bookings and cancellations as random clients.
void work(booking_service& service, const std::vector<session_id>& groups, unsigned seed,
          int rounds, tally& out) {
  std::mt19937 rng{seed};
  std::uniform_int_distribution<std::uint64_t> pick_client{1, clients};
  std::uniform_int_distribution<int> pick_group{0, 1};
  std::uniform_int_distribution<int> pick_action{0, 2};  // book twice as often as cancel
  for (int i = 0; i < rounds; ++i) {
    const client_id c{pick_client(rng)};
    const session_id g = groups[static_cast<std::size_t>(pick_group(rng))];
    const bool book = pick_action(rng) != 0;
    try {
      if (book) {
        service.book_seat(actor::client(c), g, c);
      } else {
        service.cancel_seat(actor::client(c), g, c);
      }
      const std::lock_guard lock(out.mutex);
      out.net[g.value] += book ? 1 : -1;
      ++out.successes;
    } catch (const slotbook::error& e) {
      const std::lock_guard lock(out.mutex);
      ++out.refusals[e.code()];
    }
  }
}

// The brute-force check over the seats a store holds.
void check_seats(slotbook::store& db, const std::vector<session_id>& groups, tally& t) {
  slotbook::transaction tx(db, slotbook::access::read);
  std::map<std::uint64_t, int> seats_of_client;
  for (const session_id g : groups) {
    int held = 0;
    for (const slotbook::seat& s : db.session_seats(g)) {
      if (!is_active(s)) continue;
      ++held;
      ++seats_of_client[s.client.value];
    }
    CHECK(held <= capacity);
    CHECK(held == t.net[g.value]);
  }
  for (const auto& [c, n] : seats_of_client) {
    INFO("client " << c);
    CHECK(n == 1);  // both groups are at the same hour
  }
  // Only the refusals the rules give: conflicts (full, busy, already seated) and seats not held.
  for (const auto& [code, n] : t.refusals) {
    INFO("refusal " << to_string(code) << " x" << n);
    CHECK((code == errc::conflict || code == errc::not_found));
  }
  CHECK(t.successes > 0);
  CHECK(t.refusals[errc::conflict] > 0);
}

}  // namespace

TEST_CASE(
    "threads booking seats in one memory_store never overfill a group or double-seat a "
    "client",
    "[concurrency][memory][group]") {
  slotbook::memory_store db;
  slotbook::settable_clock clock{now};
  booking_service service{db, clock};
  const std::vector<session_id> groups = open_groups(service);
  tally t;
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] { work(service, groups, 100 + i, 200, t); });
  }
  for (std::thread& th : threads) th.join();
  check_seats(db, groups, t);
}

TEST_CASE("threads booking seats through two stores on one SQLite file never overfill a group",
          "[concurrency][sqlite][group]") {
  temp_dir dir;
  const std::string path = dir.file("groups.db");
  slotbook::sqlite_store first{path};
  slotbook::sqlite_store second{path};
  slotbook::settable_clock clock{now};
  booking_service a{first, clock};
  booking_service b{second, clock};
  const std::vector<session_id> groups = open_groups(a);
  tally t;
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < 4; ++i) {
    booking_service& service = i % 2 == 0 ? a : b;
    threads.emplace_back([&, i] { work(service, groups, 200 + i, 80, t); });
  }
  for (std::thread& th : threads) th.join();
  check_seats(first, groups, t);
  // The same, in SQL on the file itself.
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  SQLite::Statement over(raw,
                         "SELECT count(*) FROM (SELECT session_id FROM session_seats"
                         " WHERE status = 'scheduled' GROUP BY session_id HAVING count(*) > ?)");
  over.bind(1, capacity);
  REQUIRE(over.executeStep());
  CHECK(over.getColumn(0).getInt64() == 0);
  SQLite::Statement twice(raw,
                          "SELECT count(*) FROM (SELECT client_id FROM session_seats"
                          " WHERE status = 'scheduled' GROUP BY client_id HAVING count(*) > 1)");
  REQUIRE(twice.executeStep());
  CHECK(twice.getColumn(0).getInt64() == 0);
}
