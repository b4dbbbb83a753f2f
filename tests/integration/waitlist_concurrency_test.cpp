// The waitlist under concurrency: threads book, cancel, join, leave, accept offers and let offers
// lapse (the clock moves on) against one provider, on one memory_store and, through two store
// objects, on one SQLite file. Afterwards an independent check over what the store holds finds
// no slot offered to two entries at once, no live offer over a session that occupies the time,
// no two occupying sessions of the provider or of one client overlapping, and every booked entry
// pointing at a session of its client at its offered time.
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
using slotbook::instant;
using slotbook::interval;
using slotbook::provider_id;
using slotbook::session;
using slotbook::session_id;
using slotbook::waitlist_entry;
using slotbook::waitlist_state;
using slotbook::testing::at;
using slotbook::testing::temp_dir;

namespace {

const instant start = at("2026-01-05T00:00:00Z");
const instant day = at("2026-01-12T00:00:00Z");
constexpr std::uint64_t clients = 12;
const actor admin = actor::admin(slotbook::admin_id{1});

void set_up(booking_service& service) {
  slotbook::provider_profile p;
  p.id = provider_id{1};
  p.hours.zone = "UTC";
  for (unsigned d = 0; d < 7; ++d) p.hours.windows.push_back({date::weekday{d}, 0h, 24h});
  p.rules.minimum_notice = 0min;
  service.put_provider(admin, p);
}

// One worker: random operations as random clients on the hours of one day.
void work(booking_service& service, slotbook::settable_clock& clock, std::mutex& clock_mutex,
          unsigned seed, int rounds, std::atomic<long>& done, std::atomic<long>& failures) {
  std::mt19937 rng{seed};
  std::uniform_int_distribution<std::uint64_t> pick_client{1, clients};
  std::uniform_int_distribution<int> pick_hour{0, 23};
  std::uniform_int_distribution<int> pick_action{0, 9};
  for (int i = 0; i < rounds; ++i) {
    const client_id c{pick_client(rng)};
    const actor who = actor::client(c);
    const int h = pick_hour(rng);
    try {
      switch (pick_action(rng)) {
        case 0:
        case 1: {
          slotbook::booking_request r;
          r.provider = provider_id{1};
          r.client = c;
          r.scheduled_at = day + std::chrono::hours{h};
          service.book(who, r);
          break;
        }
        case 2:
        case 3: {
          const auto mine = service.my_sessions(who, {day, day + 24h});
          for (const session& s : mine) {
            if (!slotbook::is_terminal(s.status)) {
              service.cancel(who, s.id);
              break;
            }
          }
          break;
        }
        case 4:
        case 5: {
          slotbook::waitlist_request r;
          r.provider = provider_id{1};
          r.client = c;
          r.range = {day + std::chrono::hours{h}, day + std::chrono::hours{std::min(24, h + 6)}};
          service.join_waitlist(who, r);
          break;
        }
        case 6:
        case 7:
          for (const waitlist_entry& e : service.waitlist(who, c)) {
            if (e.state == waitlist_state::offered) {
              service.accept_offer(who, e.id);
              break;
            }
          }
          break;
        case 8:
          for (const waitlist_entry& e : service.waitlist(who, c)) {
            if (slotbook::is_open(e)) {
              service.leave_waitlist(who, e.id);
              break;
            }
          }
          break;
        default: {
          {
            const std::lock_guard lock(clock_mutex);
            clock.set(clock.now() + 7min);
          }
          service.expire_offers();
          break;
        }
      }
      ++done;
    } catch (const slotbook::error& e) {
      // Refusals are expected (conflicts, lapsed offers); a storage error is a failure.
      if (e.code() == slotbook::errc::storage) ++failures;
    }
  }
}

void check_invariants(slotbook::store& db, instant now) {
  slotbook::transaction tx(db, slotbook::access::read);
  const interval all{day - 24h, day + 48h};
  std::vector<session> occupying;
  for (const session& s : db.active_provider_sessions(provider_id{1}, all)) {
    if (slotbook::occupies_time(s, now)) occupying.push_back(s);
  }
  for (std::size_t i = 0; i < occupying.size(); ++i) {
    for (std::size_t j = i + 1; j < occupying.size(); ++j) {
      CHECK_FALSE(slotbook::session_interval(occupying[i])
                      .overlaps(slotbook::session_interval(occupying[j])));
    }
  }
  std::vector<waitlist_entry> live;
  for (const waitlist_entry& e : db.open_waitlist_entries(provider_id{1}, all)) {
    if (slotbook::offer_live(e, now)) live.push_back(e);
  }
  for (std::size_t i = 0; i < live.size(); ++i) {
    for (std::size_t j = i + 1; j < live.size(); ++j) {
      CHECK_FALSE(live[i].offer->overlaps(*live[j].offer));
    }
    for (const session& s : occupying) {
      CHECK_FALSE(live[i].offer->overlaps(slotbook::session_interval(s)));
    }
  }
  std::size_t booked = 0;
  for (std::uint64_t c = 1; c <= clients; ++c) {
    for (const waitlist_entry& e : db.client_waitlist(client_id{c})) {
      if (e.state != waitlist_state::booked) continue;
      ++booked;
      const auto s = db.find_session(e.booked);
      REQUIRE(s.has_value());
      CHECK(s->client == e.client);
      CHECK(slotbook::session_interval(*s) == *e.offer);
    }
  }
  INFO("entries booked from offers: " << booked);
}

}  // namespace

TEST_CASE("threads using the waitlist of one memory_store never offer a slot twice",
          "[concurrency][memory][waitlist]") {
  slotbook::memory_store db;
  slotbook::settable_clock clock{start};
  std::mutex clock_mutex;
  booking_service service{db, clock};
  set_up(service);
  std::atomic<long> done{0};
  std::atomic<long> failures{0};
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < 6; ++i) {
    threads.emplace_back(
        [&, i] { work(service, clock, clock_mutex, 300 + i, 300, done, failures); });
  }
  for (std::thread& t : threads) t.join();
  CHECK(done > 0);
  CHECK(failures == 0);
  check_invariants(db, clock.now());
}

TEST_CASE(
    "threads using the waitlist through two stores on one SQLite file never offer a slot "
    "twice",
    "[concurrency][sqlite][waitlist]") {
  temp_dir dir;
  const std::string path = dir.file("waitlist.db");
  slotbook::sqlite_store first{path};
  slotbook::sqlite_store second{path};
  slotbook::settable_clock clock{start};
  std::mutex clock_mutex;
  booking_service a{first, clock};
  booking_service b{second, clock};
  set_up(a);
  std::atomic<long> done{0};
  std::atomic<long> failures{0};
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < 4; ++i) {
    booking_service& service = i % 2 == 0 ? a : b;
    threads.emplace_back(
        [&, i] { work(service, clock, clock_mutex, 400 + i, 100, done, failures); });
  }
  for (std::thread& t : threads) t.join();
  CHECK(done > 0);
  CHECK(failures == 0);
  check_invariants(first, clock.now());
}
