// Waitlist offers against a brute-force oracle. One provider works around the clock in UTC with
// 60-minute sessions on the hour; every hour of one day is booked by a client of its own. Entries
// join with random ranges and local start-time windows; then a random sequence of cancellations
// (each frees one hour), withdrawals and lapses (the clock passes every deadline and
// `expire_offers` runs) goes to the service. The oracle keeps a plain vector of entries in join
// order and, for every freed hour, gives it to the first waiting entry that wants it (FIFO); a
// lapsed or withdrawn offer's hour goes the same way, in deadline order. After every step each
// entry's state and offer must be the oracle's, and no hour may be offered twice.
#include <rapidcheck.h>

#include <rapidcheck/catch.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <set>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::client_id;
using slotbook::instant;
using slotbook::interval;
using slotbook::provider_id;
using slotbook::session_id;
using slotbook::waitlist_entry;
using slotbook::waitlist_state;

namespace {

const instant start = slotbook::parse_instant("2026-01-05T00:00:00Z");
const date::sys_days day{date::year{2026} / 1 / 12};
const actor admin = actor::admin(slotbook::admin_id{1});

instant hour_at(int h) { return day + std::chrono::hours{h}; }

struct wish {
  int from = 0;  // range [from, to) in hours of the day
  int to = 24;
  int earliest = 0;  // local start hour window [earliest, latest]
  int latest = 23;
};

struct model_entry {
  std::int64_t id = 0;
  wish w;
  waitlist_state state = waitlist_state::waiting;
  std::optional<int> offer;  // hour
  instant expires{};
};

bool wants(const wish& w, int h) {
  return h >= w.from && h + 1 <= w.to && h >= w.earliest && h <= w.latest;
}

// The oracle: the first waiting entry in join order that wants hour `h` gets it.
void oracle_offer(std::vector<model_entry>& line, int h, instant now) {
  for (model_entry& e : line) {
    if (e.state == waitlist_state::waiting && wants(e.w, h)) {
      e.state = waitlist_state::offered;
      e.offer = h;
      e.expires = now + 60min;
      return;
    }
  }
}

}  // namespace

TEST_CASE("waitlist offers go to the first matching entry in line, one offer per freed hour") {
  rc::prop("every entry's state and offer match the FIFO oracle", [] {
    const auto wishes = *rc::gen::container<std::vector<wish>>(
        rc::gen::mapcat(rc::gen::inRange(0, 24), [](int from) {
          return rc::gen::mapcat(rc::gen::inRange(from + 1, 25), [from](int to) {
            return rc::gen::mapcat(rc::gen::inRange(0, 24), [from, to](int earliest) {
              return rc::gen::map(rc::gen::inRange(earliest, 24), [=](int latest) {
                return wish{from, to, earliest, latest};
              });
            });
          });
        }));
    // Steps: 0..23 cancels that hour's booking; 100 + i withdraws entry i; 200 lapses all offers.
    const auto steps = *rc::gen::container<std::vector<int>>(rc::gen::oneOf(
        rc::gen::inRange(0, 24), rc::gen::inRange(100, 100 + std::max<int>(1, int(wishes.size()))),
        rc::gen::just(200)));

    slotbook::memory_store db;
    slotbook::settable_clock clock{start};
    slotbook::booking_service service{db, clock};
    slotbook::provider_profile p;
    p.id = provider_id{1};
    p.hours.zone = "UTC";
    for (unsigned d = 0; d < 7; ++d) p.hours.windows.push_back({date::weekday{d}, 0h, 24h});
    p.rules.minimum_notice = 0min;
    service.put_provider(admin, p);
    std::vector<session_id> bookings;
    for (int h = 0; h < 24; ++h) {
      slotbook::booking_request r;
      r.provider = p.id;
      r.client = client_id{1000 + static_cast<std::uint64_t>(h)};
      r.scheduled_at = hour_at(h);
      bookings.push_back(service.book(admin, r).session);
    }
    std::vector<model_entry> line;
    for (std::size_t i = 0; i < wishes.size(); ++i) {
      const wish& w = wishes[i];
      slotbook::waitlist_request r;
      r.provider = p.id;
      r.client = client_id{1 + i};
      r.range = {hour_at(w.from), hour_at(w.to)};
      r.earliest_local = std::chrono::hours{w.earliest};
      r.latest_local = std::chrono::hours{w.latest};
      model_entry m;
      m.id = service.join_waitlist(admin, r).id;
      m.w = w;
      line.push_back(m);
    }

    std::set<int> cancelled;
    for (const int step : steps) {
      const instant now = clock.now();
      if (step < 24) {
        if (cancelled.insert(step).second) {
          service.cancel(admin, bookings[static_cast<std::size_t>(step)]);
          oracle_offer(line, step, now);
        }
      } else if (step < 200) {
        const std::size_t i = static_cast<std::size_t>(step - 100);
        if (i >= line.size()) continue;
        model_entry& m = line[i];
        if (m.state != waitlist_state::waiting && m.state != waitlist_state::offered) continue;
        service.leave_waitlist(admin, m.id);
        const std::optional<int> freed =
            m.state == waitlist_state::offered ? m.offer : std::nullopt;
        m.state = waitlist_state::withdrawn;
        if (freed) oracle_offer(line, *freed, now);
      } else {
        clock.set(now + 61min);
        const instant later = clock.now();
        // Lapse in deadline order, then id (the store's due_offers order).
        std::vector<model_entry*> due;
        for (model_entry& m : line) {
          if (m.state == waitlist_state::offered) due.push_back(&m);
        }
        std::sort(due.begin(), due.end(), [](const model_entry* a, const model_entry* b) {
          return std::tie(a->expires, a->id) < std::tie(b->expires, b->id);
        });
        std::vector<int> freed;
        for (model_entry* m : due) {
          m->state = waitlist_state::lapsed;
          freed.push_back(*m->offer);
        }
        RC_ASSERT(service.expire_offers() == due.size());
        for (const int h : freed) oracle_offer(line, h, later);
      }
      // Compare every entry, and check that no hour is offered twice.
      std::set<int> offered_hours;
      for (const model_entry& m : line) {
        const auto entries =
            service.waitlist(admin, client_id{1 + static_cast<std::uint64_t>(&m - line.data())});
        RC_ASSERT(entries.size() == 1u);
        const waitlist_entry& e = entries[0];
        RC_ASSERT(e.state == m.state);
        if (m.state == waitlist_state::offered) {
          RC_ASSERT((e.offer == interval{hour_at(*m.offer), hour_at(*m.offer + 1)}));
          RC_ASSERT(e.offer_expires == m.expires);
          RC_ASSERT(offered_hours.insert(*m.offer).second);
        }
      }
    }
  });
}
