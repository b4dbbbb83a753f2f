// book_seat and cancel_seat against a brute-force oracle. Two group sessions run at the same hour
// with two providers (so a client in one is busy for the other), and a few clients also have a
// single session then. A random sequence of seat bookings and cancellations goes to the service;
// the oracle is a plain set of who sits where, and says for every step whether it must succeed and
// with which error class otherwise. After every step the seats the store holds must be the
// oracle's, and never more than the capacity.
#include <rapidcheck.h>

#include <rapidcheck/catch.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::client_id;
using slotbook::errc;
using slotbook::instant;
using slotbook::provider_id;
using slotbook::session_id;

namespace {

const instant now = slotbook::parse_instant("2026-01-05T00:00:00Z");   // a Monday
const instant hour = slotbook::parse_instant("2026-01-12T10:00:00Z");  // a week later

slotbook::provider_profile free_provider(std::uint64_t id) {
  slotbook::provider_profile p;
  p.id = provider_id{id};
  p.hours.zone = "UTC";
  for (unsigned d = 0; d < 7; ++d) p.hours.windows.push_back({date::weekday{d}, 8h, 20h});
  p.rules.step = 30min;  // the single sessions start on the half hour
  return p;
}

struct step {
  bool book = true;       // book a seat, or cancel one
  int group = 0;          // 0 or 1
  std::uint64_t who = 1;  // client 1..6
};

// What the oracle expects of one step: success, or the error class.
std::optional<errc> expected(const step& s, const std::vector<std::set<std::uint64_t>>& seated,
                             const std::vector<int>& capacity,
                             const std::set<std::uint64_t>& busy_single) {
  const auto& here = seated[static_cast<std::size_t>(s.group)];
  const auto& there = seated[static_cast<std::size_t>(1 - s.group)];
  if (!s.book) {
    if (here.count(s.who) == 0) return errc::not_found;
    return std::nullopt;
  }
  if (here.count(s.who) != 0) return errc::conflict;         // already seated
  if (there.count(s.who) != 0) return errc::conflict;        // busy in the other group
  if (busy_single.count(s.who) != 0) return errc::conflict;  // busy with a session
  if (static_cast<int>(here.size()) >= capacity[static_cast<std::size_t>(s.group)]) {
    return errc::conflict;  // full
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("seat bookings and cancellations follow a brute-force oracle and never exceed capacity") {
  rc::prop("every step's outcome and the seats held match the oracle", [] {
    const std::vector<int> capacity{*rc::gen::inRange(1, 5), *rc::gen::inRange(1, 5)};
    std::set<std::uint64_t> busy_single;
    for (std::uint64_t c = 1; c <= 6; ++c) {
      if (*rc::gen::inRange(0, 4) == 0) busy_single.insert(c);
    }
    const auto steps = *rc::gen::container<std::vector<step>>(
        rc::gen::build<step>(rc::gen::set(&step::book, rc::gen::arbitrary<bool>()),
                             rc::gen::set(&step::group, rc::gen::inRange(0, 2)),
                             rc::gen::set(&step::who, rc::gen::inRange<std::uint64_t>(1, 7))));

    slotbook::memory_store db;
    slotbook::settable_clock clock{now};
    slotbook::booking_service service{db, clock};
    const actor admin = actor::admin(slotbook::admin_id{1});
    // Providers 1 and 2 hold the groups; provider 2 + c sees client c alone.
    for (std::uint64_t p = 1; p <= 8; ++p) service.put_provider(admin, free_provider(p));
    std::vector<session_id> groups;
    for (std::uint64_t p = 1; p <= 2; ++p) {
      slotbook::group_request g;
      g.provider = provider_id{p};
      g.scheduled_at = hour;
      g.capacity = capacity[p - 1];
      groups.push_back(service.open_group(admin, g).session);
    }
    for (const std::uint64_t c : busy_single) {
      slotbook::booking_request r;
      r.provider = provider_id{2 + c};
      r.client = client_id{c};
      // Overlapping the group's hour by half of it.
      r.scheduled_at = hour - 30min;
      service.book(admin, r);
    }

    std::vector<std::set<std::uint64_t>> seated(2);
    for (const step& s : steps) {
      const std::optional<errc> want = expected(s, seated, capacity, busy_single);
      const session_id g = groups[static_cast<std::size_t>(s.group)];
      const actor who = actor::client(client_id{s.who});
      std::optional<errc> got;
      try {
        if (s.book) {
          service.book_seat(who, g, client_id{s.who});
        } else {
          service.cancel_seat(who, g, client_id{s.who});
        }
      } catch (const slotbook::error& e) {
        got = e.code();
      }
      RC_ASSERT(got == want);
      if (!want) {
        auto& here = seated[static_cast<std::size_t>(s.group)];
        if (s.book) {
          here.insert(s.who);
        } else {
          here.erase(s.who);
        }
      }
      for (std::size_t i = 0; i < 2; ++i) {
        std::set<std::uint64_t> held;
        for (const slotbook::seat& t : service.group_seats(admin, groups[i])) {
          if (is_active(t)) held.insert(t.client.value);
        }
        RC_ASSERT(held == seated[i]);
        RC_ASSERT(static_cast<int>(held.size()) <= capacity[i]);
      }
    }
  });
}
