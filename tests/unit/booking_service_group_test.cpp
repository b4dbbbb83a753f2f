// Group sessions through the booking service: open_group, book_seat, cancel_seat,
// confirm_seat_payment, group_seats and the analytics, on memory_store and on sqlite_store.
//
// The world every test starts from (see `world`):
// - now is Monday 2026-02-02T08:00:00Z (09:00 in Berlin, CET = UTC+1);
// - providers work Monday to Friday 08:00-18:00 Europe/Berlin, 60-minute slots on the hour, at
//   least 24 h and at most 400 days ahead;
// - provider 42 charges KES 1,500.00 per seat; provider 43 is free;
// - the default cancellation policy: a client cancelling 24 h or more ahead gets all of what was
//   paid back, later is refused; a provider's cancellation refunds in full.
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
using slotbook::group_request;
using slotbook::instant;
using slotbook::money;
using slotbook::provider_id;
using slotbook::provider_profile;
using slotbook::seat;
using slotbook::session;
using slotbook::session_id;
using slotbook::session_status;
using slotbook::testing::at;
using slotbook::testing::expect_error;

namespace {

const actor admin = actor::admin(slotbook::admin_id{1});
const actor provider42 = actor::provider(provider_id{42});
const actor provider43 = actor::provider(provider_id{43});

const instant start_of_world = at("2026-02-02T08:00:00Z");
const money fee = money::kes(150000);  // KES 1,500.00

// Monday 2026-02-09, 10:00 in Berlin: a week ahead.
const instant group_start = at("2026-02-09T09:00:00Z");

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
    service.put_provider(admin, make_provider(42, fee));
    service.put_provider(admin, make_provider(43, money::kes(0)));
  }

  session_id open(std::uint64_t provider, std::int32_t capacity, instant start = group_start) {
    group_request g;
    g.provider = provider_id{provider};
    g.scheduled_at = start;
    g.capacity = capacity;
    return service.open_group(actor::provider(provider_id{provider}), g).session;
  }

  slotbook::booking_confirmation book(std::uint64_t provider, std::uint64_t c, instant start) {
    booking_request r;
    r.provider = provider_id{provider};
    r.client = client_id{c};
    r.scheduled_at = start;
    return service.book(client(c), r);
  }

  std::vector<seat> seats(session_id group) { return service.group_seats(admin, group); }

  std::size_t held(session_id group) {
    const std::vector<seat> all = seats(group);
    return static_cast<std::size_t>(
        std::count_if(all.begin(), all.end(), [](const seat& t) { return is_active(t); }));
  }

  std::string last_audit_action() {
    slotbook::transaction tx(backend.store, slotbook::access::read);
    return backend.store.last_audit()->action;
  }
};

#define GROUP_TEST(name) TEMPLATE_TEST_CASE(name, "[group]", memory_backend, sqlite_backend)

}  // namespace

GROUP_TEST("a group session holds its provider's time once, with no client of its own") {
  world<TestType> w;
  const session_id g = w.open(43, 4);
  const session stored = w.service.get_session(admin, g);
  CHECK(stored.type == slotbook::session_type::group);
  CHECK(stored.capacity == 4);
  CHECK(stored.client == client_id{});
  CHECK(stored.status == session_status::scheduled);
  CHECK(w.last_audit_action() == "open_group");
  // The provider's time is taken: neither a single booking nor a second group fits there.
  expect_error([&] { w.book(43, 7, group_start); }, errc::conflict, {"booked"});
  expect_error([&] { w.open(43, 2); }, errc::conflict, {"booked"});
  // Another provider is not affected.
  CHECK(w.book(42, 7, group_start).session.ok());
}

GROUP_TEST("open_group checks the provider's hours like a booking") {
  world<TestType> w;
  // Sunday: the provider does not work.
  expect_error([&] { w.open(43, 4, at("2026-02-08T09:00:00Z")); }, errc::outside_availability,
               {"scheduled_at"});
}

GROUP_TEST("open_group refuses a capacity outside 1 to 1000, naming capacity") {
  world<TestType> w;
  expect_error([&] { w.open(43, 0); }, errc::invalid_argument, {"capacity", "0"});
  expect_error([&] { w.open(43, 1001); }, errc::invalid_argument, {"capacity", "1001"});
  CHECK(w.open(43, 1000).ok());
}

GROUP_TEST("only the provider themselves, admin or system open a group session") {
  world<TestType> w;
  group_request g;
  g.provider = provider_id{43};
  g.scheduled_at = group_start;
  g.capacity = 3;
  expect_error([&] { w.service.open_group(client(7), g); }, errc::forbidden, {"client 7"});
  expect_error([&] { w.service.open_group(provider42, g); }, errc::forbidden, {"provider 43"});
  CHECK(w.last_audit_action() == "denied");
  CHECK(w.service.open_group(admin, g).session.ok());
}

GROUP_TEST("book and book_series refuse the group type: groups are opened, not booked") {
  world<TestType> w;
  booking_request r;
  r.provider = provider_id{43};
  r.client = client_id{7};
  r.scheduled_at = group_start;
  r.type = slotbook::session_type::group;
  expect_error([&] { w.service.book(client(7), r); }, errc::invalid_argument,
               {"session_type", "open_group"});
  slotbook::series_request s;
  s.provider = provider_id{43};
  s.client = client_id{7};
  s.first_start = group_start;
  s.rule = std::string("FREQ=WEEKLY;COUNT=2");
  s.type = slotbook::session_type::group;
  expect_error([&] { w.service.book_series(client(7), s); }, errc::invalid_argument,
               {"session_type", "open_group"});
}

GROUP_TEST("seats are booked up to the capacity, and the next client is refused as group_full") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  for (std::uint64_t c = 7; c <= 9; ++c) {
    const auto s = w.service.book_seat(client(c), g, client_id{c});
    CHECK(s.booked.client == client_id{c});
    CHECK(s.seats_taken == static_cast<std::int32_t>(c - 6));
    CHECK(s.capacity == 3);
    CHECK(s.time == slotbook::interval{group_start, group_start + 60min});
  }
  expect_error([&] { w.service.book_seat(client(10), g, client_id{10}); }, errc::conflict,
               {"group_full", "3 of 3"});
  CHECK(w.last_audit_action() == "refused");
  CHECK(w.held(g) == 3);
}

GROUP_TEST("a client who holds a seat is refused a second one in the same group") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.service.book_seat(client(7), g, client_id{7});
  expect_error([&] { w.service.book_seat(client(7), g, client_id{7}); }, errc::conflict,
               {"already holds seat"});
  CHECK(w.held(g) == 1);
}

GROUP_TEST("a client busy with a session at the group's time cannot take a seat") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.book(42, 7, group_start);  // the same hour with another provider
  expect_error([&] { w.service.book_seat(client(7), g, client_id{7}); }, errc::conflict,
               {"client_busy"});
  CHECK(w.held(g) == 0);
}

GROUP_TEST("a seat makes its client busy: no single booking and no other group then") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.service.book_seat(client(7), g, client_id{7});
  expect_error([&] { w.book(42, 7, group_start); }, errc::conflict, {"client_busy"});
  // A second group at the same time with another provider.
  const session_id other = w.open(42, 3);
  expect_error([&] { w.service.book_seat(client(7), other, client_id{7}); }, errc::conflict,
               {"client_busy"});
  // The hour after is free.
  CHECK(w.book(42, 7, group_start + 1h).session.ok());
}

GROUP_TEST("a seat cannot be booked in a single session, a started group or a cancelled one") {
  world<TestType> w;
  const session_id single = w.book(43, 8, group_start).session;
  expect_error([&] { w.service.book_seat(client(7), single, client_id{7}); },
               errc::invalid_argument, {"not a group session"});
  const session_id g = w.open(42, 3, group_start + 2h);
  const session_id gone = w.open(43, 3, group_start + 4h);
  w.service.cancel(provider43, gone, "unwell");
  expect_error([&] { w.service.book_seat(client(7), gone, client_id{7}); }, errc::conflict,
               {"cancelled"});
  w.clock.set(group_start + 2h);
  expect_error([&] { w.service.book_seat(client(7), g, client_id{7}); }, errc::policy_denied,
               {"too late"});
}

GROUP_TEST("only the client themselves, admin or system book a seat for a client") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  expect_error([&] { w.service.book_seat(client(8), g, client_id{7}); }, errc::forbidden,
               {"client 7"});
  expect_error([&] { w.service.book_seat(provider43, g, client_id{7}); }, errc::forbidden,
               {"client 7"});
  CHECK(w.service.book_seat(admin, g, client_id{7}).booked.client == client_id{7});
}

GROUP_TEST("cancelling a seat frees it for the next client") {
  world<TestType> w;
  const session_id g = w.open(43, 1);
  w.service.book_seat(client(7), g, client_id{7});
  expect_error([&] { w.service.book_seat(client(8), g, client_id{8}); }, errc::conflict,
               {"group_full"});
  const auto c = w.service.cancel_seat(client(7), g, client_id{7}, "travelling");
  CHECK(c.cancelled.status == session_status::cancelled);
  CHECK(c.cancelled.cancelled_by == slotbook::role::client);
  CHECK(c.cancelled.cancellation_reason == "travelling");
  CHECK(c.refund.state == slotbook::refund_state::none);  // nothing was paid
  CHECK(w.last_audit_action() == "cancel_seat");
  CHECK(w.service.book_seat(client(8), g, client_id{8}).seats_taken == 1);
  // The cancelled seat stays on record next to the new one.
  const std::vector<seat> all = w.seats(g);
  REQUIRE(all.size() == 2);
  CHECK(all[0].status == session_status::cancelled);
  CHECK(all[1].client == client_id{8});
}

GROUP_TEST("a paid seat cancelled a week ahead is refunded in full, per seat") {
  world<TestType> w;
  const session_id g = w.open(42, 3);
  w.service.book_seat(client(7), g, client_id{7});
  w.service.book_seat(client(8), g, client_id{8});
  const seat paid = w.service.confirm_seat_payment(admin, g, client_id{7}, "mpesa", "QK7");
  CHECK(paid.payment == slotbook::payment_status::paid);
  CHECK(paid.amount == fee);
  const auto c = w.service.cancel_seat(client(7), g, client_id{7});
  // 168 h of notice >= 24 h: 100 % of the seat's KES 1,500.00; no gateway is configured.
  CHECK(c.refund.amount == fee);
  CHECK(c.refund.state == slotbook::refund_state::not_configured);
  CHECK(c.cancelled.payment == slotbook::payment_status::refunded);
  CHECK(c.cancelled.refunded_minor == fee.minor_units());
  // The other seat is untouched and unpaid.
  const std::vector<seat> all = w.seats(g);
  REQUIRE(all.size() == 2);
  CHECK(all[1].status == session_status::scheduled);
  CHECK(all[1].payment == slotbook::payment_status::pending);
}

GROUP_TEST("a client cancelling a seat less than 24 hours ahead is refused and keeps the seat") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.service.book_seat(client(7), g, client_id{7});
  w.clock.set(group_start - 23h);
  expect_error([&] { w.service.cancel_seat(client(7), g, client_id{7}); }, errc::policy_denied,
               {"seat"});
  CHECK(w.held(g) == 1);
  // The provider may still cancel it.
  CHECK(w.service.cancel_seat(provider43, g, client_id{7}).cancelled.cancelled_by ==
        slotbook::role::provider);
}

GROUP_TEST("a seat is cancelled only by its client, the group's provider, admin or system") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.service.book_seat(client(7), g, client_id{7});
  expect_error([&] { w.service.cancel_seat(client(8), g, client_id{7}); }, errc::forbidden, {});
  expect_error([&] { w.service.cancel_seat(provider42, g, client_id{7}); }, errc::forbidden, {});
  expect_error([&] { w.service.cancel_seat(client(8), g, client_id{8}); }, errc::not_found,
               {"client 8 holds no seat"});
  CHECK(w.held(g) == 1);
}

GROUP_TEST("a group with held seats cannot be cancelled or rescheduled until its seats are gone") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.service.book_seat(client(7), g, client_id{7});
  expect_error([&] { w.service.cancel(provider43, g, "unwell"); }, errc::conflict, {"1 held seat"});
  expect_error([&] { w.service.reschedule(provider43, g, group_start + 1h); }, errc::conflict,
               {"cannot be rescheduled"});
  w.service.cancel_seat(provider43, g, client_id{7});
  CHECK(w.service.cancel(provider43, g, "unwell").cancelled.status == session_status::cancelled);
}

GROUP_TEST(
    "a seat's payment is confirmed once; a repeat is harmless and a cancelled seat is refused") {
  world<TestType> w;
  const session_id g = w.open(42, 3);
  w.service.book_seat(client(7), g, client_id{7});
  expect_error([&] { w.service.confirm_seat_payment(client(7), g, client_id{7}, "card", "T1"); },
               errc::forbidden, {});
  w.service.confirm_seat_payment(admin, g, client_id{7}, "card", "T1");
  CHECK(w.service.confirm_seat_payment(admin, g, client_id{7}, "card", "T1").transaction_id ==
        "T1");
  expect_error([&] { w.service.confirm_seat_payment(admin, g, client_id{7}, "card", "T2"); },
               errc::conflict, {"already paid"});
  expect_error([&] { w.service.confirm_seat_payment(admin, g, client_id{8}, "card", "T3"); },
               errc::conflict, {"holds no seat"});
}

GROUP_TEST("a client sees only their own seats of a group, and a stranger none") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.service.book_seat(client(7), g, client_id{7});
  w.service.book_seat(client(8), g, client_id{8});
  const std::vector<seat> mine = w.service.group_seats(client(7), g);
  REQUIRE(mine.size() == 1);
  CHECK(mine[0].client == client_id{7});
  CHECK(w.service.group_seats(provider43, g).size() == 2);
  expect_error([&] { w.service.group_seats(client(9), g); }, errc::forbidden, {});
  expect_error([&] { w.service.group_seats(provider42, g); }, errc::forbidden, {});
}

GROUP_TEST("seat bookings and cancellations are events naming the client") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.events.clear();
  w.service.book_seat(client(7), g, client_id{7});
  w.service.cancel_seat(client(7), g, client_id{7});
  REQUIRE(w.events.size() == 2);
  CHECK(w.events[0].kind == change_kind::booked);
  CHECK(w.events[0].session == g);
  CHECK(w.events[0].client == client_id{7});
  CHECK(w.events[1].kind == change_kind::cancelled);
  CHECK(w.events[1].client == client_id{7});
}

GROUP_TEST("analytics count a group session once and its seats apart, with the seats' revenue") {
  world<TestType> w;
  const session_id g = w.open(42, 5);
  for (std::uint64_t c = 7; c <= 9; ++c) w.service.book_seat(client(c), g, client_id{c});
  w.service.confirm_seat_payment(admin, g, client_id{7}, "card", "T7");
  w.service.confirm_seat_payment(admin, g, client_id{8}, "card", "T8");
  w.service.cancel_seat(client(8), g, client_id{8});  // paid, refunded in full
  const auto a = w.service.analytics(provider42, provider_id{42},
                                     {start_of_world, start_of_world + date::days{30}});
  CHECK(a.total == 1);
  CHECK(a.open == 1);
  CHECK(a.group_sessions == 1);
  CHECK(a.seats == 2);
  CHECK(a.cancelled_seats == 1);
  // Seat 7 paid KES 1,500.00; seat 8 paid and got it all back; seat 9 has not paid.
  CHECK(a.revenue == fee);
}

// --- seat holds and reminders -----------------------------------------------------------------

GROUP_TEST("an unpaid seat of a priced group expires after the hold time and frees its place") {
  world<TestType> w;
  const session_id g = w.open(42, 1);
  w.service.book_seat(client(7), g, client_id{7});
  expect_error([&] { w.service.book_seat(client(8), g, client_id{8}); }, errc::conflict,
               {"group_full"});
  // The default hold is 15 minutes: at 14 minutes nothing expires, at 15 the seat does.
  w.clock.set(start_of_world + 14min);
  CHECK(w.service.expire_holds() == 0);
  w.clock.set(start_of_world + 15min);
  CHECK(w.service.expire_holds() == 1);
  const std::vector<seat> seats = w.seats(g);
  REQUIRE(seats.size() == 1);
  CHECK(seats[0].status == session_status::cancelled);
  CHECK(seats[0].cancellation_reason == "hold_expired");
  CHECK(seats[0].cancelled_by == slotbook::role::system);
  CHECK(seats[0].cancelled_at == start_of_world + 15min);
  CHECK(w.last_audit_action() == "expire_seat_hold");
  const auto expired = std::find_if(w.events.begin(), w.events.end(), [](const change_event& e) {
    return e.kind == change_kind::hold_expired;
  });
  REQUIRE(expired != w.events.end());
  CHECK(expired->client == client_id{7});
  CHECK(expired->session == g);
  // The place is free again, and the late payment finds no seat.
  CHECK(w.service.book_seat(client(8), g, client_id{8}).seats_taken == 1);
  expect_error([&] { w.service.confirm_seat_payment(admin, g, client_id{7}, "mpesa", "TX7"); },
               errc::conflict, {"holds no seat"});
}

GROUP_TEST("a paid seat and a free group's seat never expire") {
  world<TestType> w;
  const session_id paid_group = w.open(42, 2);
  const session_id free_group = w.open(43, 2, group_start + 2h);
  w.service.book_seat(client(7), paid_group, client_id{7});
  w.service.confirm_seat_payment(admin, paid_group, client_id{7}, "mpesa", "TX7");
  w.service.book_seat(client(8), free_group, client_id{8});
  w.clock.set(start_of_world + 2h);
  CHECK(w.service.expire_holds() == 0);
  CHECK(w.held(paid_group) == 1);
  CHECK(w.held(free_group) == 1);
}

GROUP_TEST("a seat's client gets the session's reminders, naming them as the client") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.service.book_seat(client(7), g, client_id{7});
  w.service.book_seat(client(8), g, client_id{8});
  // The 24-hour reminders of both seats are due at 2026-02-08T09:00Z.
  w.clock.set(group_start - 24h);
  const auto due = w.service.due_reminders(10);
  REQUIRE(due.size() == 2);
  std::vector<std::uint64_t> clients;
  for (const auto& c : due) {
    CHECK(c.message.session == g);
    CHECK(c.message.before == 24h);
    CHECK(c.message.scheduled_at == group_start);
    CHECK(c.message.provider == provider_id{43});
    clients.push_back(c.message.client.value);
  }
  std::sort(clients.begin(), clients.end());
  CHECK(clients == std::vector<std::uint64_t>{7, 8});
}

GROUP_TEST("a cancelled seat's reminders are never sent; the others' are") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.service.book_seat(client(7), g, client_id{7});
  w.service.book_seat(client(8), g, client_id{8});
  w.service.cancel_seat(client(7), g, client_id{7}, "moving away");
  w.clock.set(group_start - 24h);
  const auto due = w.service.due_reminders(10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].message.client == client_id{8});
  // The closed one is marked failed with the reason, not left to be claimed again.
  slotbook::transaction tx(w.backend.store, slotbook::access::read);
  const auto queued = w.backend.store.session_reminders(g);
  tx.commit();
  const auto sevens = std::count_if(queued.begin(), queued.end(), [](const auto& q) {
    return q.client == client_id{7} && q.what.before == 24h;
  });
  CHECK(sevens == 1);
  for (const auto& q : queued) {
    if (q.client == client_id{7} && q.what.before == 24h) {
      CHECK(q.state == slotbook::reminder_state::failed);
      CHECK(q.last_error == "client 7 holds no seat in group session " + slotbook::to_string(g));
    }
  }
}

GROUP_TEST("a client with a seat may read the group session; a stranger may not") {
  world<TestType> w;
  const session_id g = w.open(43, 3);
  w.service.book_seat(client(7), g, client_id{7});
  w.service.book_seat(client(8), g, client_id{8});
  w.service.cancel_seat(client(8), g, client_id{8});
  CHECK(w.service.get_session(client(7), g).id == g);
  const std::string reference = w.service.get_session(admin, g).booking_reference;
  CHECK(w.service.find_by_reference(client(7), reference).id == g);
  // A client who gave their seat up still sees the session they were booked into.
  CHECK(w.service.get_session(client(8), g).capacity == 3);
  expect_error([&] { w.service.get_session(client(9), g); }, errc::forbidden, {"client 9"});
  expect_error([&] { w.service.find_by_reference(client(9), reference); }, errc::forbidden,
               {"client 9"});
}
