// Recurring series through the booking service: book_series (all-or-nothing and free-ones),
// preview_series, series_sessions and cancel_series, on memory_store and on sqlite_store.
//
// The world every test starts from (see `world`):
// - now is Monday 2026-02-02T08:00:00Z (09:00 in Berlin, CET = UTC+1);
// - providers work Monday to Friday 08:00-18:00 Europe/Berlin, 60-minute slots on the hour, at
//   least 24 h and at most 400 days ahead;
// - provider 42 charges KES 1,500.00 (sessions start as pending_payment); provider 43 is free;
// - Europe/Berlin changes to CEST (UTC+2) on Sunday 2026-03-29 and back to CET on Sunday
//   2026-10-25, so a 10:00 Berlin session is at 09:00Z in winter and 08:00Z in summer.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"
#include "support/checks.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::audit_entry;
using slotbook::booking_request;
using slotbook::booking_service;
using slotbook::change_event;
using slotbook::change_kind;
using slotbook::client_id;
using slotbook::errc;
using slotbook::instant;
using slotbook::money;
using slotbook::occurrence_outcome;
using slotbook::provider_id;
using slotbook::provider_profile;
using slotbook::series_id;
using slotbook::series_mode;
using slotbook::series_request;
using slotbook::series_scope;
using slotbook::service_options;
using slotbook::session;
using slotbook::session_id;
using slotbook::session_status;
using slotbook::transaction;
using slotbook::testing::at;
using slotbook::testing::expect_error;

namespace {

const actor admin = actor::admin(slotbook::admin_id{1});
const actor client7 = actor::client(client_id{7});
const actor client8 = actor::client(client_id{8});
const actor provider43 = actor::provider(provider_id{43});
const actor system_actor = actor::system();

const instant start_of_world = at("2026-02-02T08:00:00Z");
const money fee = money::kes(150000);  // KES 1,500.00

date::local_seconds berlin(date::year_month_day day, std::chrono::hours hour) {
  return date::local_days{day} + hour;
}

struct memory_backend {
  slotbook::memory_store store;
};

struct sqlite_backend {
  slotbook::sqlite_store store{":memory:"};
};

provider_profile make_provider(std::uint64_t id, money price) {
  provider_profile p;
  p.id = provider_id{id};
  p.name = "Dr. " + std::to_string(id);
  p.hours.zone = "Europe/Berlin";
  for (unsigned d = 1; d <= 5; ++d) p.hours.windows.push_back({date::weekday{d}, 8h, 18h});
  p.rules.maximum_advance = date::days{400};
  p.price = price;
  return p;
}

// A service over a fresh store with providers 42 (paid) and 43 (free), and every event recorded.
template <class Backend>
struct world {
  Backend backend;
  slotbook::settable_clock clock{start_of_world};
  booking_service service;
  std::vector<change_event> events;
  slotbook::subscription sub;

  explicit world(service_options options = {})
      : service(backend.store, clock, std::move(options)),
        sub(service.subscribe([this](const change_event& e) { events.push_back(e); })) {
    service.put_provider(admin, make_provider(42, fee));
    service.put_provider(admin, make_provider(43, money::kes(0)));
  }

  // Closes provider 43 all day on `day`.
  void close_43(date::year_month_day day) {
    provider_profile p = make_provider(43, money::kes(0));
    p.hours.exceptions.push_back(slotbook::date_exception::closed(day, "training"));
    service.put_provider(admin, p);
  }

  slotbook::booking_confirmation book(const actor& who, std::uint64_t provider,
                                      std::uint64_t client, instant start) {
    booking_request r;
    r.provider = provider_id{provider};
    r.client = client_id{client};
    r.scheduled_at = start;
    return service.book(who, r);
  }

  std::vector<audit_entry> audit() {
    transaction tx(backend.store, slotbook::access::read);
    auto out = backend.store.audit_entries(0, 100000);
    tx.commit();
    return out;
  }

  std::size_t session_count(std::uint64_t client) {
    return service
        .client_sessions(admin, client_id{client},
                         {at("2026-01-01T00:00:00Z"), at("2028-01-01T00:00:00Z")})
        .size();
  }
};

// Client 7's weekly series with provider 43 on Mondays at 10:00 Berlin from 2026-02-09.
series_request weekly_request(std::string rule, series_mode mode = series_mode::all_or_nothing) {
  series_request r;
  r.provider = provider_id{43};
  r.client = client_id{7};
  r.first_start = berlin(date::year{2026} / 2 / 9, 10h);
  r.rule = std::move(rule);
  r.mode = mode;
  return r;
}

std::vector<instant> starts_of(const std::vector<session>& sessions) {
  std::vector<instant> out;
  for (const session& s : sessions) out.push_back(s.scheduled_at);
  return out;
}

const date::time_zone& berlin_zone() { return *date::locate_zone("Europe/Berlin"); }

}  // namespace

#define SERIES_TEST(name) TEMPLATE_TEST_CASE(name, "[series]", memory_backend, sqlite_backend)

// --- booking a series ----------------------------------------------------------------------------

SERIES_TEST("a weekly series books every occurrence under one new series id, by start") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=4"));
  CHECK(b.series.ok());
  CHECK(b.rule == "FREQ=WEEKLY;COUNT=4");
  REQUIRE(b.occurrences.size() == 4);
  CHECK(b.booked_count() == 4);
  CHECK(b.skipped().empty());
  // Winter: 10:00 CET is 09:00Z.
  const std::vector<instant> expected{at("2026-02-09T09:00:00Z"), at("2026-02-16T09:00:00Z"),
                                      at("2026-02-23T09:00:00Z"), at("2026-03-02T09:00:00Z")};
  const std::vector<session> stored = w.service.series_sessions(client7, b.series);
  CHECK(starts_of(stored) == expected);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    INFO("occurrence " << i + 1);
    CHECK(stored[i].series == b.series);
    CHECK(stored[i].status == session_status::scheduled);  // provider 43 is free
    CHECK(stored[i].provider == provider_id{43});
    CHECK(stored[i].client == client_id{7});
    REQUIRE(b.occurrences[i].booked.has_value());
    CHECK(b.occurrences[i].index == i);
    CHECK(b.occurrences[i].booked->session == stored[i].id);
    CHECK(b.occurrences[i].booked->booking_reference == stored[i].booking_reference);
    CHECK(b.occurrences[i].time.begin == expected[i]);
  }
  CHECK(stored[0].booking_reference != stored[1].booking_reference);
}

SERIES_TEST("occurrences with a paying provider are holds awaiting payment, each with its price") {
  world<TestType> w;
  series_request r = weekly_request("FREQ=WEEKLY;COUNT=2");
  r.provider = provider_id{42};
  const auto b = w.service.book_series(client7, r);
  for (const auto& o : b.occurrences) {
    REQUIRE(o.booked.has_value());
    CHECK(o.booked->payment_required);
    CHECK(o.booked->amount == fee);
    CHECK(o.booked->status == session_status::pending_payment);
  }
}

SERIES_TEST("a weekly 09:00 Europe/Berlin series stays at 09:00 local across both DST changes") {
  world<TestType> w;
  series_request r = weekly_request("FREQ=WEEKLY;UNTIL=20261109");
  r.first_start = berlin(date::year{2026} / 3 / 16, 9h);
  const auto b = w.service.book_series(client7, r);
  // Mondays 2026-03-16 to 2026-11-09: 34 weeks apart, 35 occurrences.
  REQUIRE(b.occurrences.size() == 35);
  CHECK(b.booked_count() == 35);
  const std::vector<session> stored = w.service.series_sessions(client7, b.series);
  REQUIRE(stored.size() == 35);
  for (const session& s : stored) {
    const slotbook::civil_time local = slotbook::to_civil(s.scheduled_at, berlin_zone());
    INFO(slotbook::format_instant(s.scheduled_at));
    CHECK(local.time_of_day == 9h);
    CHECK(local.weekday == date::Monday);
  }
  // CET (+1) before 2026-03-29 and from 2026-10-25; CEST (+2) in between.
  CHECK(stored[0].scheduled_at == at("2026-03-16T08:00:00Z"));
  CHECK(stored[1].scheduled_at == at("2026-03-23T08:00:00Z"));
  CHECK(stored[2].scheduled_at == at("2026-03-30T07:00:00Z"));
  CHECK(stored[31].scheduled_at == at("2026-10-19T07:00:00Z"));
  CHECK(stored[32].scheduled_at == at("2026-10-26T08:00:00Z"));
  CHECK(stored[34].scheduled_at == at("2026-11-09T08:00:00Z"));
}

SERIES_TEST("a first start given as an instant keeps its Berlin wall-clock time") {
  world<TestType> w;
  series_request r = weekly_request("FREQ=WEEKLY;COUNT=3");
  r.first_start = at("2026-03-23T08:00:00Z");  // 09:00 CET
  const auto b = w.service.book_series(client7, r);
  CHECK(starts_of(w.service.series_sessions(client7, b.series)) ==
        std::vector<instant>{at("2026-03-23T08:00:00Z"), at("2026-03-30T07:00:00Z"),
                             at("2026-04-06T07:00:00Z")});
}

SERIES_TEST("all_or_nothing books nothing and lists each failing occurrence with its reason") {
  world<TestType> w;
  // Occurrence 2: provider 43 is booked by client 8. Occurrence 3: provider 43 closed that day.
  // Occurrence 4: client 7 has a session with provider 42 at that time.
  w.book(client8, 43, 8, at("2026-02-16T09:00:00Z"));
  w.close_43(date::year{2026} / 2 / 23);
  w.book(client7, 42, 7, at("2026-03-02T09:00:00Z"));
  const std::size_t before = w.session_count(7);
  const std::string message =
      expect_error([&] { w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=5")); },
                   errc::conflict,  // the first failing occurrence's class
                   {"3 of 5 occurrences", "nothing was booked",
                    "occurrence 2 (2026-02-16 10:00 Europe/Berlin): [2026-02-16T09:00:00Z, "
                    "2026-02-16T10:00:00Z) with provider 43 cannot be booked: booked",
                    "occurrence 3 (2026-02-23 10:00 Europe/Berlin)", "cannot be booked: exception",
                    "occurrence 4 (2026-03-02 10:00 Europe/Berlin): client 7 already has session",
                    "client_busy"});
  CHECK(message.find("occurrence 1 ") == std::string::npos);
  CHECK(message.find("occurrence 5 ") == std::string::npos);
  CHECK(w.session_count(7) == before);
  const std::vector<audit_entry> log = w.audit();
  CHECK(log.back().action == "refused");
  CHECK_THAT(log.back().detail,
             Catch::Matchers::StartsWith("book_series: conflict: series: 3 of 5"));
}

SERIES_TEST("preview_series reports each occurrence's fate and books nothing") {
  world<TestType> w;
  w.book(client8, 43, 8, at("2026-02-16T09:00:00Z"));
  w.close_43(date::year{2026} / 2 / 23);
  w.book(client7, 42, 7, at("2026-03-02T09:00:00Z"));
  const std::size_t audit_size = w.audit().size();
  const auto p = w.service.preview_series(client7, weekly_request("FREQ=WEEKLY;COUNT=5"));
  CHECK_FALSE(p.series.ok());
  REQUIRE(p.occurrences.size() == 5);
  CHECK(p.occurrences[0].booked.has_value());
  CHECK(p.occurrences[1].refused == errc::conflict);
  CHECK(p.occurrences[1].reason == "booked");
  CHECK(p.occurrences[2].refused == errc::outside_availability);
  CHECK(p.occurrences[2].reason == "exception");
  CHECK(p.occurrences[3].refused == errc::conflict);
  CHECK(p.occurrences[3].reason == "client_busy");
  CHECK(p.occurrences[4].booked.has_value());
  CHECK(p.booked_count() == 2);
  CHECK(w.session_count(7) == 1);
  CHECK(w.audit().size() == audit_size);
}

SERIES_TEST("free_ones books the free occurrences and reports the skipped ones with reasons") {
  world<TestType> w;
  w.book(client8, 43, 8, at("2026-02-16T09:00:00Z"));
  w.close_43(date::year{2026} / 2 / 23);
  w.book(client7, 42, 7, at("2026-03-02T09:00:00Z"));
  const auto b =
      w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=5", series_mode::free_ones));
  CHECK(b.series.ok());
  CHECK(b.booked_count() == 2);
  const auto skipped = b.skipped();
  REQUIRE(skipped.size() == 3);
  CHECK(skipped[0].index == 1);
  CHECK(skipped[0].reason == "booked");
  CHECK(skipped[1].index == 2);
  CHECK(skipped[1].reason == "exception");
  CHECK(skipped[1].refused == errc::outside_availability);
  CHECK(skipped[2].index == 3);
  CHECK(skipped[2].reason == "client_busy");
  CHECK_THAT(skipped[2].message, Catch::Matchers::Contains("occurrence 4 (2026-03-02 10:00"));
  CHECK(starts_of(w.service.series_sessions(client7, b.series)) ==
        std::vector<instant>{at("2026-02-09T09:00:00Z"), at("2026-03-09T09:00:00Z")});
}

SERIES_TEST("free_ones with no free occurrence is refused and books nothing") {
  world<TestType> w;
  series_request r = weekly_request("FREQ=WEEKLY;COUNT=2", series_mode::free_ones);
  r.first_start = berlin(date::year{2026} / 2 / 9, 7h);  // before the provider's hours
  expect_error([&] { w.service.book_series(client7, r); }, errc::outside_availability,
               {"2 of 2 occurrences", "outside_hours"});
  CHECK(w.session_count(7) == 0);
}

SERIES_TEST("an occurrence overlapping the client's unpaid hold elsewhere is client_busy") {
  world<TestType> w;
  // Client 7 holds provider 42 (who charges) at occurrence 3's time, and at 09:00 Berlin on the
  // day of occurrence 2, which only touches it.
  w.book(client7, 42, 7, at("2026-02-23T09:00:00Z"));
  w.book(client7, 42, 7, at("2026-02-16T08:00:00Z"));
  const auto p = w.service.preview_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3"));
  CHECK(p.occurrences[0].booked.has_value());
  CHECK(p.occurrences[1].booked.has_value());  // [08:00, 09:00Z) and [09:00, 10:00Z) touch
  CHECK(p.occurrences[2].reason == "client_busy");
  CHECK(p.occurrences[2].refused == errc::conflict);
  CHECK_THAT(p.occurrences[2].message, Catch::Matchers::Contains("client 7 already has session"));
  // An unpaid hold stops occupying its time when it expires (15 minutes), as for `book`.
  w.clock.advance(16min);
  const auto q = w.service.preview_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3"));
  CHECK(q.booked_count() == 3);
}

SERIES_TEST("occurrences beyond the provider's booking horizon are refused as too_far") {
  world<TestType> w;
  provider_profile p = make_provider(43, money::kes(0));
  p.rules.maximum_advance = date::days{30};
  w.service.put_provider(admin, p);
  const auto b = w.service.preview_series(client7, weekly_request("FREQ=WEEKLY;COUNT=6"));
  // Now is 2026-02-02T08:00Z: the horizon is 2026-03-04T08:00Z.
  REQUIRE(b.occurrences.size() == 6);
  CHECK(b.booked_count() == 4);
  CHECK(b.occurrences[4].reason == "too_far");
  CHECK(b.occurrences[4].refused == errc::policy_denied);
  CHECK(b.occurrences[5].reason == "too_far");
}

SERIES_TEST("a client may not book a series for another client, nor a provider into another's") {
  world<TestType> w;
  expect_error([&] { w.service.book_series(client8, weekly_request("FREQ=WEEKLY;COUNT=2")); },
               errc::forbidden, {"book for client 7"});
  expect_error(
      [&] {
        w.service.book_series(actor::provider(provider_id{42}),
                              weekly_request("FREQ=WEEKLY;COUNT=2"));
      },
      errc::forbidden, {"provider 43"});
  CHECK(w.audit().back().action == "denied");
  CHECK(w.session_count(7) == 0);
}

// --- bounded expansion ---------------------------------------------------------------------------

SERIES_TEST("a rule without COUNT or UNTIL is refused, naming the rule") {
  world<TestType> w;
  expect_error([&] { w.service.book_series(client7, weekly_request("FREQ=WEEKLY;BYDAY=MO")); },
               errc::invalid_argument,
               {"rule: \"FREQ=WEEKLY;BYDAY=MO\" never ends", "COUNT or UNTIL"});
}

SERIES_TEST("a rule with more than 366 occurrences is refused") {
  world<TestType> w;
  expect_error([&] { w.service.book_series(client7, weekly_request("FREQ=DAILY;COUNT=367")); },
               errc::invalid_argument,
               {"rule: \"FREQ=DAILY;COUNT=367\" has more than 366 occurrences"});
  // Through UNTIL as well: every day for a year and a half.
  expect_error([&] { w.service.book_series(client7, weekly_request("FREQ=DAILY;UNTIL=20270809")); },
               errc::invalid_argument, {"more than 366 occurrences"});
}

SERIES_TEST("a rule reaching 731 days or more past its first occurrence is refused") {
  world<TestType> w;
  // Monthly on the 9th from 2026-02-09: the 25th occurrence is 2028-02-09, 730 days on; the 26th
  // (2028-03-09, 759 days on) is too far.
  series_request r = weekly_request("FREQ=MONTHLY;COUNT=26");
  expect_error(
      [&] { w.service.book_series(client7, r); }, errc::invalid_argument,
      {"rule: \"FREQ=MONTHLY;COUNT=26\" still has an occurrence at 2028-03-09 10:00", "731 days"});
  // 25 occurrences stay within the span (their fate is then the slot rules').
  r.rule = "FREQ=MONTHLY;COUNT=25";
  CHECK(w.service.preview_series(client7, r).occurrences.size() == 25);
}

SERIES_TEST("a first start the rule does not produce is refused, naming first_start") {
  world<TestType> w;
  expect_error(
      [&] { w.service.book_series(client7, weekly_request("FREQ=WEEKLY;BYDAY=TU;COUNT=3")); },
      errc::invalid_argument, {"first_start: 2026-02-09 10:00 Europe/Berlin (Monday)", "BYDAY=TU"});
}

SERIES_TEST("malformed or unsupported rule text is refused, naming rule") {
  world<TestType> w;
  expect_error([&] { w.service.book_series(client7, weekly_request("FREQ=YEARLY;COUNT=2")); },
               errc::invalid_argument, {"rule", "YEARLY"});
  expect_error([&] { w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=0")); },
               errc::invalid_argument, {"rule", "COUNT"});
  CHECK(w.session_count(7) == 0);
}

SERIES_TEST("a parsed rule is accepted as well as text") {
  world<TestType> w;
  series_request r = weekly_request("");
  slotbook::recurrence_rule rule;
  rule.freq = slotbook::frequency::weekly;
  rule.interval = 2;
  rule.count = 3;
  r.rule = rule;
  const auto b = w.service.book_series(client7, r);
  CHECK(b.rule == "FREQ=WEEKLY;INTERVAL=2;COUNT=3");
  CHECK(starts_of(w.service.series_sessions(client7, b.series)) ==
        std::vector<instant>{at("2026-02-09T09:00:00Z"), at("2026-02-23T09:00:00Z"),
                             at("2026-03-09T09:00:00Z")});
}

// --- audit and events ----------------------------------------------------------------------------

SERIES_TEST("book_series appends a book entry per occurrence and one book_series entry") {
  world<TestType> w;
  w.book(client8, 43, 8, at("2026-02-16T09:00:00Z"));
  const std::size_t before = w.audit().size();
  const auto b =
      w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3", series_mode::free_ones));
  const std::vector<audit_entry> log = w.audit();
  REQUIRE(log.size() == before + 3);
  CHECK(log[before].action == "book");
  CHECK(log[before].session == b.occurrences[0].booked->session);
  CHECK_THAT(log[before].detail, Catch::Matchers::Contains(
                                     "series " + slotbook::to_string(b.series) + " occurrence 1"));
  CHECK(log[before + 1].action == "book");
  CHECK(log[before + 1].session == b.occurrences[2].booked->session);
  CHECK(log[before + 2].action == "book_series");
  CHECK_THAT(log[before + 2].detail, Catch::Matchers::Contains("2 of 3 booked"));
  CHECK_THAT(log[before + 2].detail, Catch::Matchers::Contains("skipped 2 booked"));
  CHECK(w.service.verify_audit().ok());
}

SERIES_TEST("book_series emits one booked event per occurrence after commit") {
  world<TestType> w;
  w.events.clear();
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3"));
  REQUIRE(w.events.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(w.events[i].kind == change_kind::booked);
    CHECK(w.events[i].session == b.occurrences[i].booked->session);
    CHECK(w.events[i].time == b.occurrences[i].time);
  }
  w.events.clear();
  CHECK_THROWS(w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3")));
  CHECK(w.events.empty());
}

// --- reading a series ----------------------------------------------------------------------------

SERIES_TEST("series_sessions shows a series to its parties and refuses anyone else") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=2"));
  CHECK(w.service.series_sessions(provider43, b.series).size() == 2);
  CHECK(w.service.series_sessions(admin, b.series).size() == 2);
  expect_error([&] { w.service.series_sessions(client8, b.series); }, errc::forbidden,
               {"series " + slotbook::to_string(b.series)});
  expect_error([&] { w.service.series_sessions(admin, series_id{b.series.value + 1}); },
               errc::not_found, {"no series"});
}

// --- cancelling ----------------------------------------------------------------------------------

SERIES_TEST("this_and_following cancels the named occurrence and every later one") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=4"));
  const session_id third = b.occurrences[2].booked->session;
  const auto c =
      w.service.cancel_series(client7, third, series_scope::this_and_following, "moving");
  CHECK(c.series == b.series);
  CHECK(c.cancelled_count() == 2);
  REQUIRE(c.occurrences.size() == 2);
  CHECK(c.occurrences[0].occurrence.id == third);
  CHECK(c.occurrences[1].occurrence.id == b.occurrences[3].booked->session);
  const std::vector<session> stored = w.service.series_sessions(client7, b.series);
  CHECK(stored[0].status == session_status::scheduled);
  CHECK(stored[1].status == session_status::scheduled);
  CHECK(stored[2].status == session_status::cancelled);
  CHECK(stored[3].status == session_status::cancelled);
  CHECK(stored[3].cancellation_reason == "moving");
}

SERIES_TEST("this_one cancels only the named occurrence") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3"));
  const auto c =
      w.service.cancel_series(client7, b.occurrences[1].booked->session, series_scope::this_one);
  REQUIRE(c.occurrences.size() == 1);
  CHECK(c.occurrences[0].outcome == occurrence_outcome::cancelled);
  const std::vector<session> stored = w.service.series_sessions(client7, b.series);
  CHECK(stored[0].status == session_status::scheduled);
  CHECK(stored[1].status == session_status::cancelled);
  CHECK(stored[2].status == session_status::scheduled);
}

SERIES_TEST("cancelling the whole series skips occurrences already cancelled or completed") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=4"));
  const session_id first = b.occurrences[0].booked->session;
  const session_id second = b.occurrences[1].booked->session;
  w.service.cancel(client7, second, "ill");
  // The first one takes place: joined at its start, completed an hour later.
  w.clock.set(at("2026-02-09T09:00:00Z"));
  w.service.update_status(provider43, first, {session_status::in_progress});
  w.clock.set(at("2026-02-09T10:00:00Z"));
  w.service.update_status(provider43, first, {session_status::completed});
  const auto c = w.service.cancel_series(provider43, b.occurrences[3].booked->session,
                                         series_scope::whole_series);
  REQUIRE(c.occurrences.size() == 4);
  CHECK(c.occurrences[0].outcome == occurrence_outcome::skipped);
  CHECK(c.occurrences[0].reason == "completed");
  CHECK(c.occurrences[0].occurrence.status == session_status::completed);
  CHECK(c.occurrences[1].outcome == occurrence_outcome::skipped);
  CHECK(c.occurrences[1].reason == "cancelled");
  CHECK(c.occurrences[2].outcome == occurrence_outcome::cancelled);
  CHECK(c.occurrences[3].outcome == occurrence_outcome::cancelled);
  CHECK(c.cancelled_count() == 2);
  const std::vector<session> stored = w.service.series_sessions(admin, b.series);
  CHECK(stored[0].status == session_status::completed);
  CHECK(stored[1].cancellation_reason == "ill");  // left as it was
  CHECK(stored[2].cancelled_by == slotbook::role::provider);
}

// Client 7's paid weekly series of three with provider 42, every occurrence paid, and the clock
// then moved to 20 hours before the first occurrence (2026-02-09T09:00Z).
template <class Backend>
slotbook::series_booking paid_series(world<Backend>& w) {
  series_request r = weekly_request("FREQ=WEEKLY;COUNT=3");
  r.provider = provider_id{42};
  const auto b = w.service.book_series(client7, r);
  int n = 0;
  for (const auto& o : b.occurrences) {
    w.service.confirm_payment(system_actor, o.booked->session, "mpesa", "TX" + std::to_string(++n));
  }
  w.clock.set(at("2026-02-08T13:00:00Z"));
  return b;
}

SERIES_TEST("with the tiered policy each cancelled occurrence is refunded by its own notice") {
  service_options o;
  o.lifecycle.cancellation = slotbook::cancellation_policy::tiered();
  world<TestType> w{o};
  const auto b = paid_series(w);
  const auto c = w.service.cancel_series(client7, b.occurrences[0].booked->session,
                                         series_scope::whole_series, "moving away");
  REQUIRE(c.occurrences.size() == 3);
  // 20 h of notice: the 2 h tier, 50 %. A week and more: the 24 h tier, 100 %.
  CHECK(c.occurrences[0].outcome == occurrence_outcome::cancelled);
  REQUIRE(c.occurrences[0].decision.has_value());
  CHECK(c.occurrences[0].decision->tier == std::size_t{1});
  CHECK(c.occurrences[0].refund.amount == money::kes(75000));
  CHECK(c.occurrences[0].occurrence.refunded_minor == 75000);
  for (std::size_t i = 1; i < 3; ++i) {
    INFO("occurrence " << i + 1);
    CHECK(c.occurrences[i].outcome == occurrence_outcome::cancelled);
    CHECK(c.occurrences[i].decision->tier == std::size_t{0});
    CHECK(c.occurrences[i].refund.amount == fee);
    CHECK(c.occurrences[i].refund.state == slotbook::refund_state::not_configured);
    CHECK(c.occurrences[i].occurrence.payment == slotbook::payment_status::refunded);
  }
}

SERIES_TEST(
    "with the seed policy an occurrence inside the notice window is refused, later ones "
    "cancelled") {
  world<TestType> w;
  const auto b = paid_series(w);
  const auto c = w.service.cancel_series(client7, b.occurrences[0].booked->session,
                                         series_scope::this_and_following);
  REQUIRE(c.occurrences.size() == 3);
  CHECK(c.occurrences[0].outcome == occurrence_outcome::refused);
  CHECK(c.occurrences[0].reason == "refused_late");
  CHECK(c.occurrences[0].occurrence.status == session_status::scheduled);
  CHECK(c.occurrences[0].refund.amount.is_zero());
  CHECK(c.occurrences[1].outcome == occurrence_outcome::cancelled);
  CHECK(c.occurrences[1].refund.amount == fee);
  CHECK(c.occurrences[2].outcome == occurrence_outcome::cancelled);
  CHECK(c.cancelled_count() == 2);
  const std::vector<session> stored = w.service.series_sessions(client7, b.series);
  CHECK(stored[0].status == session_status::scheduled);
  CHECK(stored[0].payment == slotbook::payment_status::paid);
  CHECK(stored[1].status == session_status::cancelled);
}

SERIES_TEST("cancel_series audits each cancelled occurrence and sums the series up") {
  world<TestType> w;
  const auto b = paid_series(w);
  const std::size_t before = w.audit().size();
  w.service.cancel_series(client7, b.occurrences[0].booked->session, series_scope::whole_series);
  const std::vector<audit_entry> log = w.audit();
  // Two cancel entries, the summary, then one refund_pending per refund (no gateway).
  REQUIRE(log.size() == before + 5);
  CHECK(log[before].action == "cancel");
  CHECK(log[before].session == b.occurrences[1].booked->session);
  CHECK(log[before].after == session_status::cancelled);
  CHECK(log[before + 1].action == "cancel");
  CHECK(log[before + 2].action == "cancel_series");
  CHECK_THAT(log[before + 2].detail, Catch::Matchers::Contains("whole_series: cancelled 2"));
  CHECK_THAT(log[before + 2].detail, Catch::Matchers::Contains("refused 1"));
  CHECK(log[before + 3].action == "refund_pending");
  CHECK(log[before + 4].action == "refund_pending");
  CHECK(w.service.verify_audit().ok());
}

SERIES_TEST("cancel_series refuses a session outside any series and an actor who is not a party") {
  world<TestType> w;
  const auto single = w.book(client7, 43, 7, at("2026-02-10T09:00:00Z"));
  expect_error(
      [&] { w.service.cancel_series(client7, single.session, series_scope::whole_series); },
      errc::invalid_argument, {"belongs to no series"});
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=2"));
  expect_error(
      [&] {
        w.service.cancel_series(client8, b.occurrences[0].booked->session,
                                series_scope::whole_series);
      },
      errc::forbidden, {"cancel"});
  CHECK(w.audit().back().action == "denied");
  for (const session& s : w.service.series_sessions(client7, b.series)) {
    CHECK(s.status == session_status::scheduled);
  }
}

SERIES_TEST("a rescheduled occurrence stays in its series") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=2"));
  const auto r =
      w.service.reschedule(client7, b.occurrences[0].booked->session, at("2026-02-10T09:00:00Z"));
  CHECK(r.replacement.series == b.series);
  const std::vector<session> stored = w.service.series_sessions(client7, b.series);
  REQUIRE(stored.size() == 3);  // the replaced one (cancelled), its replacement, the second
  CHECK(stored[0].status == session_status::cancelled);
  CHECK(stored[1].id == r.replacement.id);
}

// --- the series' record and its calendar
// ----------------------------------------------------------

namespace {

// The series event of a calendar that must have exactly one.
const slotbook::series_event& only_series(const slotbook::series_calendar& c) {
  REQUIRE(c.series.size() == 1);
  return c.series.front();
}

}  // namespace

SERIES_TEST("book_series stores the series' rule, first wall-clock start, zone, length and type") {
  world<TestType> w;
  w.clock.set(start_of_world + 90s);
  series_request r = weekly_request("freq=weekly;count=4");  // stored in canonical text
  r.type = slotbook::session_type::follow_up;
  const auto b = w.service.book_series(client7, r);
  const slotbook::series_details info = w.service.series_info(client7, b.series);
  REQUIRE(info.record.has_value());
  slotbook::series_record expected;
  expected.id = b.series;
  expected.provider = provider_id{43};
  expected.client = client_id{7};
  expected.rule = "FREQ=WEEKLY;COUNT=4";
  expected.start = {date::year{2026} / 2 / 9, 10h, "Europe/Berlin"};
  expected.duration = 60min;
  expected.type = slotbook::session_type::follow_up;
  expected.created_at = start_of_world + 90s;
  CHECK(*info.record == expected);
  CHECK(info.sessions == w.service.series_sessions(client7, b.series));
}

SERIES_TEST("a series booked with a UTC first start stores its wall-clock time in the zone") {
  world<TestType> w;
  series_request r = weekly_request("FREQ=WEEKLY;COUNT=2");
  r.first_start = at("2026-04-06T08:00:00Z");  // a Monday in summer: 10:00 CEST
  const auto b = w.service.book_series(client7, r);
  const auto record = w.service.series_info(client7, b.series).record;
  REQUIRE(record.has_value());
  CHECK(record->start ==
        slotbook::recurrence_start{date::year{2026} / 4 / 6, 10h, "Europe/Berlin"});
}

SERIES_TEST("preview_series and a refused series store no record") {
  world<TestType> w;
  const auto p = w.service.preview_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3"));
  CHECK(p.booked_count() == 3);
  w.close_43(date::year{2026} / 2 / 16);
  expect_error([&] { w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3")); },
               errc::outside_availability, {"exception"});
  {
    transaction tx(w.backend.store, slotbook::access::write);
    for (std::uint64_t id = 1; id <= 3; ++id) {
      CHECK_FALSE(w.backend.store.find_series(series_id{id}).has_value());
    }
    // Neither handed out a series id for good: the next one is still 1.
    CHECK(w.backend.store.next_series_id() == series_id{1});
  }
  expect_error([&] { w.service.series_info(admin, series_id{1}); }, errc::not_found,
               {"no series 1"});
}

SERIES_TEST("a series with a cancelled occurrence exports that occurrence as an EXDATE") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=4"));
  w.service.cancel(client7, b.occurrences[1].booked->session, "ill");
  const auto info = w.service.series_info(client7, b.series);
  const slotbook::series_calendar c =
      slotbook::calendar_of_series(info.record, info.sessions, {"Therapy", "", "", {}});
  const slotbook::series_event& x = only_series(c);
  CHECK(x.id == b.series);
  CHECK(slotbook::format_rrule(x.rule) == "FREQ=WEEKLY;COUNT=4");
  CHECK(x.duration == 60min);
  // The second Monday, 2026-02-16 10:00 CET.
  CHECK(x.cancelled == std::vector<instant>{at("2026-02-16T09:00:00Z")});
  CHECK(x.sequence == 1);  // one change since booking
  CHECK(x.status == session_status::scheduled);
  CHECK(c.sessions.empty());

  slotbook::ical_export_options o;
  o.uid_domain = "clinic.example";
  const std::string ics = slotbook::export_calendar(c.sessions, c.series, o, w.clock.now());
  CHECK(ics.find("UID:series-1@clinic.example\r\n") != std::string::npos);
  CHECK(ics.find("DTSTART;TZID=Europe/Berlin:20260209T100000\r\n") != std::string::npos);
  CHECK(ics.find("RRULE:FREQ=WEEKLY;COUNT=4\r\n") != std::string::npos);
  CHECK(ics.find("EXDATE;TZID=Europe/Berlin:20260216T100000\r\n") != std::string::npos);
  CHECK(ics.find("SEQUENCE:1\r\n") != std::string::npos);
}

SERIES_TEST("an occurrence free_ones skipped is an EXDATE that no booking ever changed") {
  world<TestType> w;
  w.close_43(date::year{2026} / 2 / 9);  // the first Monday
  const auto b =
      w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3", series_mode::free_ones));
  REQUIRE(b.booked_count() == 2);
  const auto info = w.service.series_info(client7, b.series);
  REQUIRE(info.record.has_value());
  // The record starts at the rule's first occurrence, booked or not.
  CHECK(info.record->start.date == date::year{2026} / 2 / 9);
  const auto c = slotbook::calendar_of_series(info.record, info.sessions, {});
  CHECK(only_series(c).cancelled == std::vector<instant>{at("2026-02-09T09:00:00Z")});
  CHECK(only_series(c).sequence == 0);
}

SERIES_TEST("a rescheduled occurrence is an EXDATE of the series plus an event of its own") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=3"));
  // The third Monday (2026-02-23 10:00 CET) moves to Tuesday 2026-02-24 10:00 CET.
  const auto r =
      w.service.reschedule(client7, b.occurrences[2].booked->session, at("2026-02-24T09:00:00Z"));
  const auto info = w.service.series_info(provider43, b.series);
  const auto c = slotbook::calendar_of_series(info.record, info.sessions, {"Therapy", "", "", 7});
  CHECK(only_series(c).cancelled == std::vector<instant>{at("2026-02-23T09:00:00Z")});
  CHECK(only_series(c).details.sequence == 7);  // the caller's override stays on the series
  REQUIRE(c.sessions.size() == 1);
  CHECK(c.sessions[0].booked.id == r.replacement.id);
  CHECK(c.sessions[0].booked.scheduled_at == at("2026-02-24T09:00:00Z"));
  CHECK(c.sessions[0].details.summary == "Therapy");
  CHECK_FALSE(c.sessions[0].details.sequence.has_value());  // the session's reschedule count
}

SERIES_TEST("a series whose occurrences are all cancelled exports as a cancelled event") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=2"));
  w.service.cancel_series(client7, b.occurrences[0].booked->session, series_scope::whole_series);
  const auto info = w.service.series_info(client7, b.series);
  const auto c = slotbook::calendar_of_series(info.record, info.sessions, {});
  CHECK(only_series(c).status == session_status::cancelled);
  CHECK(only_series(c).cancelled ==
        std::vector<instant>{at("2026-02-09T09:00:00Z"), at("2026-02-16T09:00:00Z")});
  CHECK(only_series(c).sequence == 2);
}

SERIES_TEST("a series whose occurrences all await payment exports as tentative") {
  world<TestType> w;
  series_request r = weekly_request("FREQ=WEEKLY;COUNT=2");
  r.provider = provider_id{42};
  const auto b = w.service.book_series(client7, r);
  const auto info = w.service.series_info(client7, b.series);
  const auto c = slotbook::calendar_of_series(info.record, info.sessions, {});
  CHECK(only_series(c).status == session_status::pending_payment);
  CHECK(only_series(c).cancelled.empty());
}

SERIES_TEST("series_info shows a series to its client, its provider and admin, not to a stranger") {
  world<TestType> w;
  const auto b = w.service.book_series(client7, weekly_request("FREQ=WEEKLY;COUNT=2"));
  for (const actor& who : {client7, provider43, admin, system_actor}) {
    CHECK(w.service.series_info(who, b.series).sessions.size() == 2);
  }
  for (const actor& who : {client8, actor::provider(provider_id{42})}) {
    expect_error([&] { w.service.series_info(who, b.series); }, errc::forbidden, {"see series 1"});
    CHECK(w.audit().back().action == "denied");
  }
  expect_error([&] { w.service.series_info(admin, series_id{}); }, errc::invalid_argument,
               {"series"});
}

SERIES_TEST("a series booked before records were stored exports one event per live session") {
  world<TestType> w;
  // Sessions of series 9 as an older slotbook stored them: no record.
  std::vector<session> old;
  for (const char* start :
       {"2026-02-09T09:00:00Z", "2026-02-16T09:00:00Z", "2026-02-23T09:00:00Z"}) {
    session s;
    s.client = client_id{7};
    s.provider = provider_id{43};
    s.scheduled_at = at(start);
    s.duration = 60min;
    s.status = session_status::scheduled;
    s.amount = money::kes(0);
    s.created_at = s.updated_at = start_of_world;
    s.series = series_id{9};
    old.push_back(s);
  }
  old[1].status = session_status::cancelled;
  old[1].cancelled_at = start_of_world;
  old[1].cancelled_from = session_status::scheduled;
  {
    transaction tx(w.backend.store, slotbook::access::write);
    for (session& s : old) s.id = w.backend.store.insert_session(s);
    tx.commit();
  }
  const auto info = w.service.series_info(client7, series_id{9});
  CHECK_FALSE(info.record.has_value());
  const auto c = slotbook::calendar_of_series(info.record, info.sessions, {});
  CHECK(c.series.empty());
  REQUIRE(c.sessions.size() == 2);
  CHECK(c.sessions[0].booked.id == old[0].id);
  CHECK(c.sessions[1].booked.id == old[2].id);
  expect_error([&] { w.service.series_info(client8, series_id{9}); }, errc::forbidden,
               {"see series 9"});
}

TEST_CASE("calendar_of_series refuses a session of another series") {
  slotbook::series_record r;
  r.id = series_id{3};
  r.provider = provider_id{43};
  r.client = client_id{7};
  r.rule = "FREQ=WEEKLY;COUNT=2";
  r.start = {date::year{2026} / 2 / 9, 10h, "Europe/Berlin"};
  r.duration = 60min;
  r.created_at = start_of_world;
  session stranger;
  stranger.id = session_id{5};
  stranger.series = series_id{4};
  const std::vector<session> sessions{stranger};
  expect_error([&] { slotbook::calendar_of_series(r, sessions, {}); }, errc::invalid_argument,
               {"sessions[0].series", "series 4"});
}
