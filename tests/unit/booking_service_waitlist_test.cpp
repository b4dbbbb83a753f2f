// The waitlist through the booking service: join_waitlist, offers made when time is freed (a
// cancellation, a reschedule, an expired hold, a lapsed or declined offer), accept_offer,
// leave_waitlist, expire_offers, on memory_store and on sqlite_store.
//
// The world every test starts from (see `world`):
// - now is Monday 2026-02-02T08:00:00Z (09:00 in Berlin, CET = UTC+1);
// - providers work Monday to Friday 08:00-18:00 Europe/Berlin, 60-minute slots on the hour, at
//   least 24 h and at most 400 days ahead;
// - provider 42 charges KES 1,500.00 (bookings are holds of 15 minutes); provider 43 is free;
// - offers hold their slot for 60 minutes (the default).
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
using slotbook::booking_request;
using slotbook::booking_service;
using slotbook::change_event;
using slotbook::change_kind;
using slotbook::client_id;
using slotbook::errc;
using slotbook::instant;
using slotbook::interval;
using slotbook::money;
using slotbook::provider_id;
using slotbook::provider_profile;
using slotbook::session_id;
using slotbook::session_status;
using slotbook::waitlist_entry;
using slotbook::waitlist_request;
using slotbook::waitlist_state;
using slotbook::testing::at;
using slotbook::testing::expect_error;

namespace {

const actor admin = actor::admin(slotbook::admin_id{1});
const actor provider43 = actor::provider(provider_id{43});

const instant start_of_world = at("2026-02-02T08:00:00Z");
// Monday 2026-02-09, 10:00 in Berlin, and the whole of that day in UTC.
const instant ten = at("2026-02-09T09:00:00Z");
const interval that_day{at("2026-02-09T00:00:00Z"), at("2026-02-10T00:00:00Z")};

actor client(std::uint64_t id) { return actor::client(client_id{id}); }

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
    service.put_provider(admin, make_provider(42, money::kes(150000)));
    service.put_provider(admin, make_provider(43, money::kes(0)));
  }

  session_id book(std::uint64_t provider, std::uint64_t c, instant start) {
    booking_request r;
    r.provider = provider_id{provider};
    r.client = client_id{c};
    r.scheduled_at = start;
    return service.book(client(c), r).session;
  }

  waitlist_entry join(std::uint64_t c, std::uint64_t provider = 43, interval range = that_day) {
    waitlist_request w;
    w.provider = provider_id{provider};
    w.client = client_id{c};
    w.range = range;
    return service.join_waitlist(client(c), w);
  }

  waitlist_entry entry(const waitlist_entry& e) {
    for (const waitlist_entry& x : service.waitlist(admin, e.client)) {
      if (x.id == e.id) return x;
    }
    FAIL("no entry " << e.id);
    return {};
  }

  std::vector<change_event> offers() const {
    std::vector<change_event> out;
    for (const change_event& e : events) {
      if (e.kind == change_kind::waitlist_offered) out.push_back(e);
    }
    return out;
  }
};

#define WAITLIST_TEST(name) TEMPLATE_TEST_CASE(name, "[waitlist]", memory_backend, sqlite_backend)

}  // namespace

WAITLIST_TEST("joining puts a client in line, waiting, and offers nothing yet") {
  world<TestType> w;
  const waitlist_entry e = w.join(8);
  CHECK(e.id > 0);
  CHECK(e.state == waitlist_state::waiting);
  CHECK(e.joined_at == start_of_world);
  CHECK(w.offers().empty());
  CHECK(w.service.waitlist(client(8), client_id{8}) == std::vector{e});
}

WAITLIST_TEST(
    "a cancellation offers the freed slot to the first client in line, until a deadline") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  const waitlist_entry first = w.join(8);
  w.clock.set(start_of_world + 1min);
  const waitlist_entry second = w.join(9);
  w.clock.set(start_of_world + 2min);
  w.service.cancel(client(7), booked, "travelling");
  const waitlist_entry offered = w.entry(first);
  CHECK(offered.state == waitlist_state::offered);
  CHECK(offered.offer == interval{ten, ten + 1h});
  CHECK(offered.offer_expires == start_of_world + 2min + 60min);
  CHECK(w.entry(second).state == waitlist_state::waiting);
  const auto offers = w.offers();
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].client == client_id{8});
  CHECK(offers[0].waitlist_entry == first.id);
  CHECK(offers[0].time == interval{ten, ten + 1h});
}

WAITLIST_TEST("a slot under offer is held: nobody else books it and it is not offered twice") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  w.join(8);
  w.join(9);
  w.service.cancel(client(7), booked);
  expect_error([&] { w.book(43, 10, ten); }, errc::conflict, {"booked"});
  const auto slots = w.service.slots(provider_id{43}, {ten, ten + 1min});
  REQUIRE(slots.size() == 1);
  CHECK_FALSE(slots[0].available);
  CHECK(w.offers().size() == 1);
}

WAITLIST_TEST("accepting an offer books the slot for the client and closes the entry") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  const waitlist_entry e = w.join(8);
  w.service.cancel(client(7), booked);
  const auto b = w.service.accept_offer(client(8), e.id);
  CHECK(b.scheduled_at == ten);
  CHECK(b.status == session_status::scheduled);
  const auto s = w.service.get_session(client(8), b.session);
  CHECK(s.client == client_id{8});
  CHECK(slotbook::session_interval(s) == interval{ten, ten + 1h});
  const waitlist_entry after = w.entry(e);
  CHECK(after.state == waitlist_state::booked);
  CHECK(after.booked == b.session);
  expect_error([&] { w.service.accept_offer(client(8), e.id); }, errc::conflict, {"booked"});
}

WAITLIST_TEST("a lapsed offer passes to the next in line, and the lapsed one cannot accept") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  const waitlist_entry first = w.join(8);
  w.clock.set(start_of_world + 1min);
  const waitlist_entry second = w.join(9);
  w.service.cancel(client(7), booked);
  w.clock.set(start_of_world + 59min);
  CHECK(w.service.expire_offers() == 0);  // the deadline is start + 1 min + 60 min
  w.clock.set(start_of_world + 61min);
  expect_error([&] { w.service.accept_offer(client(8), first.id); }, errc::conflict, {"lapsed"});
  CHECK(w.service.expire_offers() == 1);
  CHECK(w.entry(first).state == waitlist_state::lapsed);
  const waitlist_entry next = w.entry(second);
  CHECK(next.state == waitlist_state::offered);
  CHECK(next.offer == interval{ten, ten + 1h});
  CHECK(next.offer_expires == start_of_world + 61min + 60min);
  CHECK(w.service.accept_offer(client(9), second.id).scheduled_at == ten);
}

WAITLIST_TEST("expire_holds lets offers lapse too") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  const waitlist_entry first = w.join(8);
  const waitlist_entry second = w.join(9);
  w.service.cancel(client(7), booked);
  w.clock.set(start_of_world + 2h);
  w.service.expire_holds();
  CHECK(w.entry(first).state == waitlist_state::lapsed);
  CHECK(w.entry(second).state == waitlist_state::offered);
}

WAITLIST_TEST("declining an offer (leaving) hands the slot to the next in line at once") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  const waitlist_entry first = w.join(8);
  const waitlist_entry second = w.join(9);
  w.service.cancel(client(7), booked);
  const waitlist_entry left = w.service.leave_waitlist(client(8), first.id);
  CHECK(left.state == waitlist_state::withdrawn);
  CHECK(w.entry(second).state == waitlist_state::offered);
  expect_error([&] { w.service.leave_waitlist(client(8), first.id); }, errc::conflict,
               {"withdrawn"});
}

WAITLIST_TEST("an entry whose local times exclude the slot is passed over for the next one") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);  // 10:00 Berlin
  waitlist_request afternoon;
  afternoon.provider = provider_id{43};
  afternoon.client = client_id{8};
  afternoon.range = that_day;
  afternoon.earliest_local = 14h;  // 14:00 Berlin or later
  const waitlist_entry picky = w.service.join_waitlist(client(8), afternoon);
  const waitlist_entry any = w.join(9);
  w.service.cancel(client(7), booked);
  CHECK(w.entry(picky).state == waitlist_state::waiting);
  CHECK(w.entry(any).state == waitlist_state::offered);
}

WAITLIST_TEST("an entry whose range does not hold the slot is passed over") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  const waitlist_entry narrow = w.join(8, 43, {ten + 30min, that_day.end});
  const waitlist_entry wide = w.join(9);
  w.service.cancel(client(7), booked);
  CHECK(w.entry(narrow).state == waitlist_state::waiting);
  CHECK(w.entry(wide).state == waitlist_state::offered);
}

WAITLIST_TEST("a client busy at the freed time is passed over") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  w.book(42, 8, ten);  // client 8 is with provider 42 then
  const waitlist_entry busy = w.join(8);
  const waitlist_entry free = w.join(9);
  w.service.cancel(client(7), booked);
  CHECK(w.entry(busy).state == waitlist_state::waiting);
  CHECK(w.entry(free).state == waitlist_state::offered);
}

WAITLIST_TEST("an expired hold that expire_holds closes is offered to the waitlist") {
  world<TestType> w;
  w.book(42, 7, ten);  // a 15-minute hold: provider 42 charges
  const waitlist_entry e = w.join(8, 42);
  w.clock.set(start_of_world + 16min);
  CHECK(w.service.expire_holds() == 1);
  const waitlist_entry offered = w.entry(e);
  CHECK(offered.state == waitlist_state::offered);
  CHECK(offered.offer == interval{ten, ten + 1h});
  // Accepting a paid provider's offer makes a hold, as a booking does.
  const auto b = w.service.accept_offer(client(8), e.id);
  CHECK(b.payment_required);
  CHECK(b.status == session_status::pending_payment);
}

WAITLIST_TEST("a reschedule frees the old slot for the waitlist") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  const waitlist_entry e = w.join(8);
  w.service.reschedule(client(7), booked, ten + 2h);
  CHECK(w.entry(e).state == waitlist_state::offered);
  CHECK(w.entry(e).offer == interval{ten, ten + 1h});
}

WAITLIST_TEST("one freed slot is offered once, and a second freed slot to the next in line") {
  world<TestType> w;
  const session_id a = w.book(43, 7, ten);
  const session_id b = w.book(43, 10, ten + 1h);
  const waitlist_entry first = w.join(8);
  const waitlist_entry second = w.join(9);
  const waitlist_entry third = w.join(11);
  w.service.cancel(client(10), b);
  w.service.cancel(client(7), a);
  CHECK(w.entry(first).offer == interval{ten + 1h, ten + 2h});
  CHECK(w.entry(second).offer == interval{ten, ten + 1h});
  CHECK(w.entry(third).state == waitlist_state::waiting);
}

WAITLIST_TEST("only the client, admin or system join, leave or accept for a client") {
  world<TestType> w;
  waitlist_request r;
  r.provider = provider_id{43};
  r.client = client_id{8};
  r.range = that_day;
  expect_error([&] { w.service.join_waitlist(client(9), r); }, errc::forbidden, {"client 8"});
  expect_error([&] { w.service.join_waitlist(provider43, r); }, errc::forbidden, {"client 8"});
  const waitlist_entry e = w.service.join_waitlist(admin, r);
  expect_error([&] { w.service.leave_waitlist(client(9), e.id); }, errc::forbidden, {});
  expect_error([&] { w.service.accept_offer(client(9), e.id); }, errc::forbidden, {});
  expect_error([&] { w.service.waitlist(client(9), client_id{8}); }, errc::forbidden, {});
  expect_error([&] { w.service.accept_offer(client(8), e.id); }, errc::conflict, {"waiting"});
  expect_error([&] { w.service.accept_offer(client(8), 999); }, errc::not_found, {"999"});
}

WAITLIST_TEST("join_waitlist refuses a past range, a group type and bad local times") {
  world<TestType> w;
  waitlist_request r;
  r.provider = provider_id{43};
  r.client = client_id{8};
  r.range = {start_of_world - 48h, start_of_world - 24h};
  expect_error([&] { w.service.join_waitlist(client(8), r); }, errc::invalid_argument, {"range"});
  r.range = that_day;
  r.type = slotbook::session_type::group;
  expect_error([&] { w.service.join_waitlist(client(8), r); }, errc::invalid_argument,
               {"session_type"});
  r.type = slotbook::session_type::initial;
  r.earliest_local = 15h;
  r.latest_local = 9h;
  expect_error([&] { w.service.join_waitlist(client(8), r); }, errc::invalid_argument,
               {"latest_local"});
  r.latest_local = 24h;
  expect_error([&] { w.service.join_waitlist(client(8), r); }, errc::invalid_argument,
               {"latest_local", "1440"});
  r.provider = provider_id{99};
  r.latest_local.reset();
  expect_error([&] { w.service.join_waitlist(client(8), r); }, errc::not_found, {"99"});
}

WAITLIST_TEST("waitlist operations are audited") {
  world<TestType> w;
  const session_id booked = w.book(43, 7, ten);
  const waitlist_entry e = w.join(8);
  w.service.cancel(client(7), booked);
  w.service.accept_offer(client(8), e.id);
  std::vector<std::string> actions;
  {
    slotbook::transaction tx(w.backend.store, slotbook::access::read);
    for (const auto& a : w.backend.store.audit_entries(0, 1000)) actions.push_back(a.action);
  }
  for (const char* action : {"join_waitlist", "waitlist_offer", "accept_offer"}) {
    INFO(action);
    CHECK(std::count(actions.begin(), actions.end(), std::string(action)) == 1);
  }
  CHECK(w.service.verify_audit().ok());
}
