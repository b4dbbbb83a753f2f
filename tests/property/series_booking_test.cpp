// book_series against a brute-force oracle. The oracle expands daily and weekly rules by walking
// the calendar day by day (in UTC, where wall-clock time is UTC time) and judges every occurrence
// by looking at a plain vector of the sessions already stored: the provider's hours, the closed
// days, the provider's active sessions and the client's. The service must book exactly the
// occurrences the oracle lets through (all of them or none in all_or_nothing mode), give each
// refused one a reason the oracle also found, and leave the store unchanged when it refuses.
#include <rapidcheck.h>

#include <rapidcheck/catch.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::client_id;
using slotbook::instant;
using slotbook::interval;
using slotbook::provider_id;
using slotbook::session;
using slotbook::session_status;

namespace {

const instant now = slotbook::parse_instant("2026-01-05T00:00:00Z");  // a Monday
const date::sys_days today{date::year{2026} / 1 / 5};
constexpr int opening_hour = 8;  // every day 08:00-20:00 UTC
constexpr int closing_hour = 20;

struct existing {
  std::uint64_t provider;
  std::uint64_t client;
  instant start;
  std::chrono::minutes length;
  session_status status;
};

session to_session(const existing& e) {
  session s;
  s.provider = provider_id{e.provider};
  s.client = client_id{e.client};
  s.scheduled_at = e.start;
  s.duration = e.length;
  s.status = e.status;
  s.created_at = s.updated_at = now;
  if (e.status == session_status::cancelled) {
    s.cancelled_at = now;
    s.cancelled_by = slotbook::role::client;
    s.cancelled_from = session_status::scheduled;
  }
  return s;
}

// The oracle's expansion: RFC 5545 for FREQ=DAILY/WEEKLY with INTERVAL, COUNT and (weekly) BYDAY,
// WKST=MO, DTSTART matching the rule, by walking every day from DTSTART.
std::vector<instant> oracle_expand(date::sys_days first, int hour, bool weekly, int every,
                                   int count, const std::set<unsigned>& by_day) {
  std::vector<instant> out;
  const date::sys_days first_monday = first - (date::weekday{first} - date::Monday);
  for (date::sys_days d = first; static_cast<int>(out.size()) < count; d += date::days{1}) {
    bool match = false;
    if (!weekly) {
      match = (d - first).count() % every == 0;
    } else {
      const auto week = (d - first_monday).count() / 7;
      match = week % every == 0 && by_day.count(date::weekday{d}.c_encoding()) != 0;
    }
    if (match) out.push_back(d + std::chrono::hours{hour});
  }
  return out;
}

bool occupies(const existing& e) {
  return e.status == session_status::scheduled || e.status == session_status::pending_payment;
}

}  // namespace

TEST_CASE(
    "book_series books exactly what a brute-force oracle allows, all or nothing or the free ones") {
  rc::prop("outcome matches the oracle", [] {
    // The series: client 7 with provider 1.
    const bool weekly = *rc::gen::arbitrary<bool>();
    const int every = *rc::gen::inRange(1, 4);
    const int count = *rc::gen::inRange(1, 13);
    const date::sys_days first = today + date::days{*rc::gen::inRange(1, 21)};
    const int hour = *rc::gen::inRange(6, 22);  // 6, 7, 20 and 21 are outside the hours
    std::set<unsigned> by_day;
    if (weekly) {
      for (unsigned d : *rc::gen::container<std::vector<unsigned>>(rc::gen::inRange(0u, 7u))) {
        by_day.insert(d);
      }
      by_day.insert(date::weekday{first}.c_encoding());  // DTSTART must match the rule
    }
    const auto mode =
        *rc::gen::element(slotbook::series_mode::all_or_nothing, slotbook::series_mode::free_ones);

    // Closed days and what is stored already: provider 1's sessions with other clients, client
    // 7's sessions with provider 2, some of them cancelled (which block nothing) or held.
    std::set<date::sys_days> closed;
    for (int d : *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 120))) {
      if (*rc::gen::inRange(0, 4) == 0) closed.insert(today + date::days{d});
    }
    std::vector<existing> stored;
    const int how_many = *rc::gen::inRange(0, 40);
    for (int i = 0; i < how_many; ++i) {
      existing e;
      const bool ours = *rc::gen::arbitrary<bool>();
      e.provider = ours ? 2 : 1;
      e.client = ours ? 7 : 100 + static_cast<std::uint64_t>(i);
      const date::sys_days day = today + date::days{*rc::gen::inRange(1, 100)};
      e.start = day + std::chrono::hours{*rc::gen::inRange(6, 22)} +
                std::chrono::minutes{30 * *rc::gen::inRange(0, 2)};
      e.length = std::chrono::minutes{30 * *rc::gen::inRange(1, 4)};
      e.status = *rc::gen::element(session_status::scheduled, session_status::pending_payment,
                                   session_status::cancelled);
      stored.push_back(e);
    }

    slotbook::memory_store db;
    slotbook::settable_clock clock{now};
    slotbook::booking_service service{db, clock};
    slotbook::provider_profile p;
    p.id = provider_id{1};
    p.hours.zone = "UTC";
    for (unsigned d = 0; d < 7; ++d) {
      p.hours.windows.push_back(
          {date::weekday{d}, std::chrono::hours{opening_hour}, std::chrono::hours{closing_hour}});
    }
    for (date::sys_days d : closed) {
      p.hours.exceptions.push_back(slotbook::date_exception::closed(date::year_month_day{d}));
    }
    p.rules.minimum_notice = 0min;
    p.rules.maximum_advance = date::days{400};
    service.put_provider(actor::admin(slotbook::admin_id{1}), p);
    {
      slotbook::transaction tx(db, slotbook::access::write);
      for (const existing& e : stored) db.insert_session(to_session(e));
      tx.commit();
    }

    slotbook::recurrence_rule rule;
    rule.freq = weekly ? slotbook::frequency::weekly : slotbook::frequency::daily;
    rule.interval = every;
    rule.count = count;
    for (unsigned d : by_day) rule.by_day.push_back({date::weekday{d}});
    slotbook::series_request r;
    r.provider = provider_id{1};
    r.client = client_id{7};
    r.first_start = date::local_seconds{(first + std::chrono::hours{hour}).time_since_epoch()};
    r.rule = rule;
    r.mode = mode;

    // The oracle.
    const std::vector<instant> starts = oracle_expand(first, hour, weekly, every, count, by_day);
    std::vector<std::set<std::string>> reasons(starts.size());
    std::vector<instant> passing;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      const interval t{starts[i], starts[i] + 60min};
      if (hour < opening_hour || hour + 1 > closing_hour) {
        reasons[i].insert("outside_hours");
      } else if (closed.count(date::floor<date::days>(starts[i])) != 0) {
        reasons[i].insert("exception");
      }
      for (const existing& e : stored) {
        if (!occupies(e) || !t.overlaps({e.start, e.start + e.length})) continue;
        if (e.provider == 1) reasons[i].insert("booked");
        if (e.client == 7) reasons[i].insert("client_busy");
      }
      if (reasons[i].empty()) passing.push_back(starts[i]);
    }
    const bool refused = passing.empty() || (mode == slotbook::series_mode::all_or_nothing &&
                                             passing.size() < starts.size());

    // The runs must cover both answers in both modes (rapidcheck prints the distribution).
    RC_TAG(refused ? "refused" : "booked", slotbook::to_string(mode));

    const auto all_sessions = [&] {
      slotbook::transaction tx(db, slotbook::access::read);
      auto provider_side = db.provider_sessions(provider_id{1}, {now, now + date::days{400}});
      auto client_side = db.client_sessions(client_id{7}, {now, now + date::days{400}});
      tx.commit();
      return provider_side.size() + client_side.size();
    };
    const std::size_t before = all_sessions();

    // The preview answers occurrence by occurrence, whatever the mode.
    const slotbook::series_booking preview = service.preview_series(actor::client(client_id{7}), r);
    RC_ASSERT(preview.occurrences.size() == starts.size());
    for (std::size_t i = 0; i < starts.size(); ++i) {
      const slotbook::series_occurrence& o = preview.occurrences[i];
      RC_ASSERT(o.time.begin == starts[i]);
      RC_ASSERT(o.booked.has_value() == reasons[i].empty());
      if (!o.booked) RC_ASSERT(reasons[i].count(o.reason) == 1);
    }

    try {
      const slotbook::series_booking b = service.book_series(actor::client(client_id{7}), r);
      RC_ASSERT(!refused);
      RC_ASSERT(b.booked_count() == passing.size());
      std::vector<instant> booked;
      for (const session& s :
           service.series_sessions(actor::admin(slotbook::admin_id{1}), b.series)) {
        RC_ASSERT(s.series == b.series);
        booked.push_back(s.scheduled_at);
      }
      RC_ASSERT(booked == passing);
      RC_ASSERT(all_sessions() == before + 2 * passing.size());
    } catch (const slotbook::error& e) {
      RC_ASSERT(refused);
      RC_ASSERT(all_sessions() == before);
      // Every failing occurrence is named in the refusal.
      for (std::size_t i = 0; i < starts.size(); ++i) {
        const std::string name = fmt::format("occurrence {} (", i + 1);
        RC_ASSERT((std::string(e.what()).find(name) != std::string::npos) == !reasons[i].empty());
      }
    }
  });
}
