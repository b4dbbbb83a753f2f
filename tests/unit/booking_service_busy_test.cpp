// Busy time from external calendars through the booking service: import_busy stores it, and from
// then on it blocks slots, bookings, reschedules and series like a session; a new import of the
// same source replaces it; freed time goes to the waitlist; on memory_store and sqlite_store.
//
// The world every test starts from (see `world`):
// - now is Monday 2026-02-02T08:00:00Z (09:00 in Berlin, CET = UTC+1);
// - provider 43 works Monday to Friday 08:00-18:00 Europe/Berlin, 60-minute free slots on the
//   hour, at least 24 h and at most 400 days ahead; so on Monday 2026-02-09 its slots start at
//   07:00, 08:00, ..., 16:00 UTC.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/ical.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"
#include "support/checks.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::booking_request;
using slotbook::booking_service;
using slotbook::busy_block;
using slotbook::busy_time;
using slotbook::change_event;
using slotbook::change_kind;
using slotbook::client_id;
using slotbook::errc;
using slotbook::instant;
using slotbook::interval;
using slotbook::provider_id;
using slotbook::provider_profile;
using slotbook::session_id;
using slotbook::slot;
using slotbook::testing::at;
using slotbook::testing::expect_error;

namespace {

const actor admin = actor::admin(slotbook::admin_id{1});
const actor provider43 = actor::provider(provider_id{43});

const instant start_of_world = at("2026-02-02T08:00:00Z");
// Monday 2026-02-09 in UTC, and 10:00 in Berlin that day.
const interval that_day{at("2026-02-09T00:00:00Z"), at("2026-02-10T00:00:00Z")};
const instant ten = at("2026-02-09T09:00:00Z");
// The window the tests import: that week.
const interval that_week{at("2026-02-09T00:00:00Z"), at("2026-02-16T00:00:00Z")};

actor client(std::uint64_t id) { return actor::client(client_id{id}); }

struct memory_backend {
  slotbook::memory_store store;
};

struct sqlite_backend {
  slotbook::sqlite_store store{":memory:"};
};

provider_profile make_provider(std::uint64_t id) {
  provider_profile p;
  p.id = provider_id{id};
  p.name = "Dr. " + std::to_string(id);
  p.hours.zone = "Europe/Berlin";
  for (unsigned d = 1; d <= 5; ++d) p.hours.windows.push_back({date::weekday{d}, 8h, 18h});
  p.rules.maximum_advance = date::days{400};
  return p;
}

busy_time busy(interval utc, std::string uid = "ext@calendar", std::string summary = "") {
  return busy_time{utc, std::move(uid), std::move(summary), false};
}

template <class Backend>
struct world {
  Backend backend;
  slotbook::settable_clock clock{start_of_world};
  booking_service service;
  std::vector<change_event> events;
  slotbook::subscription sub;

  world()
      : service(backend.store, clock),
        sub(service.subscribe([this](const change_event& e) { events.push_back(e); })) {
    service.put_provider(admin, make_provider(43));
    service.put_provider(admin, make_provider(44));
  }

  booking_request request(std::uint64_t c, instant start) const {
    booking_request r;
    r.provider = provider_id{43};
    r.client = client_id{c};
    r.scheduled_at = start;
    return r;
  }

  session_id book(std::uint64_t c, instant start) {
    return service.book(client(c), request(c, start)).session;
  }

  slotbook::busy_import import(std::vector<busy_time> times, std::string source = "work",
                               interval window = that_week) {
    return service.import_busy(provider43, provider_id{43}, source, window, times);
  }

  // The start times (UTC) of provider 43's slots that day, and of those available.
  std::vector<instant> free_starts(interval day = that_day) {
    std::vector<instant> out;
    for (const slot& s : service.slots(provider_id{43}, day)) {
      if (s.available) out.push_back(s.time.begin);
    }
    return out;
  }
};

// 07:00, 08:00, ..., 16:00 UTC on 2026-02-09, leaving out `except`.
std::vector<instant> hours_of_that_day(std::vector<instant> except = {}) {
  std::vector<instant> out;
  for (int h = 7; h <= 16; ++h) {
    const instant t = that_day.begin + std::chrono::hours{h};
    if (std::find(except.begin(), except.end(), t) == except.end()) out.push_back(t);
  }
  return out;
}

#define BUSY_TEST(name) TEMPLATE_TEST_CASE(name, "[busy]", memory_backend, sqlite_backend)

}  // namespace

BUSY_TEST("an imported busy interval makes the slots it overlaps unavailable, and only those") {
  world<TestType> w;
  // 09:00-10:30 UTC overlaps the 09:00 and 10:00 slots; the 08:00 slot ends as it begins.
  const auto done = w.import({busy({ten, ten + 90min})});
  CHECK(done.stored == 1);
  CHECK(done.removed == 0);
  CHECK(done.clashes.empty());
  CHECK(w.free_starts() == hours_of_that_day({ten, ten + 1h}));
  for (const slot& s : w.service.slots(provider_id{43}, {ten, ten + 1min})) {
    CHECK(s.reason == slotbook::slot_reason::booked);
  }
}

BUSY_TEST("booking over imported busy time is a conflict naming the external calendar") {
  world<TestType> w;
  w.import({busy({ten + 30min, ten + 45min})}, "google:work");
  expect_error([&] { w.book(7, ten); }, errc::conflict,
               {"booked", "external calendar", "google:work"});
  CHECK(w.service.client_sessions(client(7), client_id{7}, that_day).empty());
  // The hour after it is free.
  CHECK(w.book(7, ten + 1h).ok());
}

BUSY_TEST("rescheduling into imported busy time is refused and the session stays where it was") {
  world<TestType> w;
  const session_id s = w.book(7, ten - 2h);
  w.import({busy({ten, ten + 1h})});
  expect_error([&] { w.service.reschedule(client(7), s, ten); }, errc::conflict, {"external"});
  CHECK(w.service.get_session(client(7), s).scheduled_at == ten - 2h);
}

BUSY_TEST("a series skips the occurrences that fall on imported busy time") {
  world<TestType> w;
  // Mondays at 10:00 Berlin from 2026-02-09; the second Monday is busy in the other calendar.
  w.import({busy({ten + 7 * 24h, ten + 7 * 24h + 1h})}, "work",
           {that_week.begin, that_week.end + 7 * 24h});
  slotbook::series_request r;
  r.provider = provider_id{43};
  r.client = client_id{7};
  r.first_start = ten;
  r.rule = std::string{"FREQ=WEEKLY;COUNT=3"};
  const auto preview = w.service.preview_series(client(7), r);
  REQUIRE(preview.occurrences.size() == 3);
  CHECK(preview.occurrences[0].booked.has_value());
  CHECK(preview.occurrences[1].refused == errc::conflict);
  CHECK(preview.occurrences[2].booked.has_value());
  expect_error([&] { w.service.book_series(client(7), r); }, errc::conflict, {"external"});
}

BUSY_TEST("a new import of a source replaces its blocks in the window and frees what it drops") {
  world<TestType> w;
  w.import({busy({ten, ten + 1h}, "a"), busy({ten + 3h, ten + 4h}, "b")});
  const auto again = w.import({busy({ten + 3h, ten + 4h}, "b")});
  CHECK(again.removed == 2);
  CHECK(again.stored == 1);
  CHECK(w.free_starts() == hours_of_that_day({ten + 3h}));
  CHECK(w.book(7, ten).ok());
}

BUSY_TEST("blocks of another source and outside the window survive an import") {
  world<TestType> w;
  const interval next_week{that_week.end, that_week.end + 7 * 24h};
  w.import({busy({ten, ten + 1h}, "work")}, "work");
  w.import({busy({ten + 7 * 24h, ten + 7 * 24h + 1h}, "work-next")}, "work", next_week);
  w.import({busy({ten + 2h, ten + 3h}, "home")}, "home");
  w.import({}, "work");  // the work calendar is empty this week now
  const auto blocks =
      w.service.busy_blocks(provider43, provider_id{43}, {that_week.begin, next_week.end});
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].uid == "home");
  CHECK(blocks[0].source == "home");
  CHECK(blocks[1].uid == "work-next");
  CHECK(blocks[1].imported_at == start_of_world);
}

BUSY_TEST("an imported event is clipped to the window and cut into pieces of at most 366 days") {
  world<TestType> w;
  // A two-year sabbatical from 2026-01-01, imported for 800 days from 2026-02-09.
  const interval sabbatical{at("2026-01-01T00:00:00Z"), at("2028-01-01T00:00:00Z")};
  const interval window{that_day.begin, that_day.begin + date::days{800}};
  const auto done = w.import({busy(sabbatical, "away")}, "work", window);
  // Clipped: [2026-02-09, 2028-01-01) is 691 days = 366 + 325.
  CHECK(done.stored == 2);
  const auto blocks = w.service.busy_blocks(provider43, provider_id{43},
                                            {window.begin, window.begin + date::days{366}});
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].time == interval{window.begin, window.begin + date::days{366}});
  const auto rest =
      w.service.busy_blocks(provider43, provider_id{43},
                            {window.begin + date::days{366}, window.begin + date::days{732}});
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].time == interval{window.begin + date::days{366}, sabbatical.end});
  CHECK(w.free_starts().empty());
}

BUSY_TEST("an import reports the sessions it clashes with and leaves them booked") {
  world<TestType> w;
  const session_id early = w.book(7, ten - 1h);
  const session_id later = w.book(8, ten + 1h);
  w.book(9, ten + 3h);
  // One block over both booked hours and the free one between; one block over nothing booked.
  const auto done = w.import({busy({ten - 30min, ten + 90min}), busy({ten + 5h, ten + 6h})});
  REQUIRE(done.clashes.size() == 2);
  CHECK(done.clashes[0].id == early);
  CHECK(done.clashes[1].id == later);
  CHECK(w.service.get_session(client(7), early).status == slotbook::session_status::scheduled);
}

BUSY_TEST("time a new import frees is offered to the first client on the waitlist") {
  world<TestType> w;
  w.import({busy({ten, ten + 1h})});
  slotbook::waitlist_request r;
  r.provider = provider_id{43};
  r.client = client_id{8};
  r.range = {ten, ten + 1h};
  const auto entry = w.service.join_waitlist(client(8), r);
  w.import({});
  std::vector<change_event> offers;
  for (const change_event& e : w.events) {
    if (e.kind == change_kind::waitlist_offered) offers.push_back(e);
  }
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].waitlist_entry == entry.id);
  CHECK(offers[0].time == interval{ten, ten + 1h});
}

BUSY_TEST("only the provider themselves, admin or system may import or list busy time") {
  world<TestType> w;
  const std::vector<busy_time> times{busy({ten, ten + 1h})};
  expect_error([&] { w.service.import_busy(client(7), provider_id{43}, "work", that_week, times); },
               errc::forbidden, {"client 7"});
  expect_error(
      [&] {
        w.service.import_busy(actor::provider(provider_id{44}), provider_id{43}, "work", that_week,
                              times);
      },
      errc::forbidden, {"provider 43"});
  expect_error([&] { w.service.busy_blocks(client(7), provider_id{43}, that_week); },
               errc::forbidden, {"client 7"});
  CHECK(w.service.import_busy(admin, provider_id{43}, "work", that_week, times).stored == 1);
  CHECK(w.service.busy_blocks(provider43, provider_id{43}, that_week).size() == 1);
}

BUSY_TEST("bad imports are refused naming the field and store nothing") {
  world<TestType> w;
  const auto refused = [&](std::vector<busy_time> times, std::string source, interval window,
                           errc code, std::vector<std::string> fragments,
                           provider_id p = provider_id{43}) {
    const std::string message =
        expect_error([&] { w.service.import_busy(admin, p, source, window, times); }, code, {});
    for (const std::string& f : fragments) CHECK(message.find(f) != std::string::npos);
  };
  refused({busy({ten + 8 * 24h, ten + 8 * 24h + 1h}, "late")}, "work", that_week,
          errc::invalid_argument, {"busy[0]", "\"late\"", "does not overlap the window"});
  refused({busy({ten, ten + 1h}), busy({ten, ten})}, "work", that_week, errc::invalid_argument,
          {"busy[1]"});
  refused({}, "", that_week, errc::invalid_argument, {"source"});
  refused({}, "work", {that_week.begin, that_week.begin + date::days{3661}}, errc::invalid_argument,
          {"window", "3660 days"});
  refused({}, "work", {that_week.end, that_week.begin}, errc::invalid_argument, {"window"});
  refused({busy({ten, ten + 1h})}, "work", that_week, errc::not_found, {"provider 99"},
          provider_id{99});
  refused({busy({ten, ten + 1h})}, "work", that_week, errc::invalid_argument, {"provider"},
          provider_id{0});
  CHECK(w.service.busy_blocks(admin, provider_id{43}, that_week).empty());
  CHECK(w.free_starts() == hours_of_that_day());
}

BUSY_TEST("an import is audited with counts and never with event titles") {
  world<TestType> w;
  w.import({busy({ten, ten + 1h}, "uid-1", "Therapy with Jane Doe")}, "google:work");
  slotbook::transaction tx(w.backend.store, slotbook::access::read);
  const auto log = w.backend.store.audit_entries(0, 1000);
  tx.commit();
  const auto it = std::find_if(log.begin(), log.end(), [](const slotbook::audit_entry& e) {
    return e.action == "import_busy";
  });
  REQUIRE(it != log.end());
  CHECK(it->who_role == slotbook::role::provider);
  CHECK(it->who_id == 43);
  CHECK(it->detail.find("1 stored") != std::string::npos);
  CHECK(it->detail.find("google:work") != std::string::npos);
  for (const slotbook::audit_entry& e : log) CHECK(e.detail.find("Jane") == std::string::npos);
}

TEST_CASE("event titles of an imported calendar never reach the database file") {
  slotbook::testing::temp_dir dir;
  const std::string path = dir.file("clinic.db");
  {
    slotbook::sqlite_store store{path};
    slotbook::settable_clock clock{start_of_world};
    booking_service service(store, clock);
    service.put_provider(admin, make_provider(43));
    service.import_busy(provider43, provider_id{43}, "work", that_week,
                        std::vector{busy({ten, ten + 1h}, "uid-1", "Session with Jane Doe")});
    service.busy_blocks(provider43, provider_id{43}, that_week);
  }
  for (const char* suffix : {"", "-wal", "-journal"}) {
    std::ifstream in(path + suffix, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    INFO("file " << path << suffix);
    CHECK(bytes.find("Jane Doe") == std::string::npos);
  }
}

BUSY_TEST("an iCalendar file's events block slots through the importer and the service") {
  world<TestType> w;
  // 11:00-12:00 Berlin on Monday 2026-02-09 = 10:00-11:00 UTC, a free-time event that must not
  // block, and a weekly meeting at 15:00 Berlin (14:00 UTC).
  const std::string ics =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
      "BEGIN:VEVENT\r\nUID:one@x\r\nDTSTAMP:20260201T000000Z\r\n"
      "DTSTART;TZID=Europe/Berlin:20260209T110000\r\nDTEND;TZID=Europe/Berlin:20260209T120000\r\n"
      "SUMMARY:Dentist\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:free@x\r\nDTSTAMP:20260201T000000Z\r\n"
      "DTSTART:20260209T070000Z\r\nDTEND:20260209T080000Z\r\nTRANSP:TRANSPARENT\r\n"
      "END:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:weekly@x\r\nDTSTAMP:20260201T000000Z\r\n"
      "DTSTART;TZID=Europe/Berlin:20260202T150000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\n"
      "END:VEVENT\r\nEND:VCALENDAR\r\n";
  slotbook::ical_import_options o;
  o.zone = "Europe/Berlin";
  o.window = that_week;
  const auto found = slotbook::import_busy_times(ics, o);
  const auto done = w.import(found.busy, "file:me.ics");
  CHECK(done.stored == 2);
  CHECK(w.free_starts() == hours_of_that_day({ten + 1h, ten + 5h}));
}
