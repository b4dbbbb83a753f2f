// The session state machine: edges, who may take them and when, holds, and what each records.
#include "slotbook/lifecycle.hpp"

#include <limits>
#include <set>
#include <string>
#include <utility>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::errc;
using slotbook::instant;
using slotbook::lifecycle_rules;
using slotbook::money;
using slotbook::payment_status;
using slotbook::role;
using slotbook::session;
using slotbook::session_status;
using slotbook::transition;
using slotbook::transition_reason;

using slotbook::testing::at;
using slotbook::testing::expect_error;

namespace {

const instant start = at("2026-01-15T10:00:00Z");
const instant created = at("2026-01-10T08:00:00Z");
const actor client = actor::client(slotbook::client_id{7});
const actor provider = actor::provider(slotbook::provider_id{42});
const actor admin = actor::admin(slotbook::admin_id{1});
const actor sys = actor::system();

constexpr session_status all_statuses[] = {
    session_status::pending_payment, session_status::scheduled, session_status::confirmed,
    session_status::in_progress,     session_status::completed, session_status::cancelled,
    session_status::no_show};

// A paid (KES 1,500.00) session of client 7 with provider 42, 10:00-11:00 on Jan 15 2026, with
// whatever fields `status` needs to be valid.
session paid_session(session_status status = session_status::scheduled) {
  session s;
  s.id = slotbook::session_id{1};
  s.client = slotbook::client_id{7};
  s.provider = slotbook::provider_id{42};
  s.scheduled_at = start;
  s.duration = 60min;
  s.status = status;
  s.booking_reference = "BK-2026-001234";
  s.amount = money::kes(150000);
  s.payment = payment_status::paid;
  s.created_at = s.updated_at = created;
  if (status == session_status::in_progress || status == session_status::completed) {
    s.joined_at = start + 2min;
  }
  if (status == session_status::completed) {
    s.ended_at = start + 55min;
    s.actual_duration = 53min;
  }
  if (status == session_status::cancelled) s.cancelled_at = start - 48h;
  return s;
}

// A fresh unpaid hold made at `made` for the session at `start`.
session hold(instant made) {
  session s = paid_session(session_status::pending_payment);
  s.payment = payment_status::pending;
  s.created_at = s.updated_at = made;
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The tables
// ---------------------------------------------------------------------------------------------

TEST_CASE("the state machine has exactly the documented ten edges") {
  using enum session_status;
  const std::set<std::pair<session_status, session_status>> edges = {
      {pending_payment, scheduled}, {pending_payment, cancelled}, {scheduled, confirmed},
      {scheduled, in_progress},     {scheduled, no_show},         {scheduled, cancelled},
      {confirmed, in_progress},     {confirmed, no_show},         {confirmed, cancelled},
      {in_progress, completed}};
  for (auto from : all_statuses) {
    for (auto to : all_statuses) {
      INFO(slotbook::to_string(from) << " -> " << slotbook::to_string(to));
      CHECK(slotbook::is_edge(from, to) == (edges.count({from, to}) == 1));
    }
  }
}

TEST_CASE("each edge is open to the documented roles only") {
  using enum session_status;
  // to -> roles that may take any edge into it.
  const auto may = [](session_status to, role r) {
    switch (to) {
      case scheduled:
        return r == role::admin || r == role::system;
      case confirmed:
        return true;
      case in_progress:
        return r == role::provider || r == role::system;
      case completed:
        return r != role::client;
      case no_show:
        return r != role::client;
      case cancelled:
        return true;
      case pending_payment:
        return false;
    }
    return false;
  };
  for (auto from : all_statuses) {
    for (auto to : all_statuses) {
      for (role r : {role::client, role::provider, role::admin, role::system}) {
        INFO(slotbook::to_string(from)
             << " -> " << slotbook::to_string(to) << " by " << slotbook::to_string(r));
        CHECK(slotbook::role_may(r, from, to) == (slotbook::is_edge(from, to) && may(to, r)));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Terminal states and refusals shared by every edge
// ---------------------------------------------------------------------------------------------

TEST_CASE("a terminal session refuses every target for every actor") {
  for (auto status :
       {session_status::completed, session_status::cancelled, session_status::no_show}) {
    const session s = paid_session(status);
    for (auto target : all_statuses) {
      for (const actor& who : {client, provider, admin, sys}) {
        const auto r = transition(s, target, who, start + 2h);
        CHECK_FALSE(r.allowed());
        CHECK(r.reason == transition_reason::already_terminal);
        CHECK(r.refund == money::kes(0));
      }
    }
  }
}

TEST_CASE("moving a session to the status it has is refused as same_status") {
  const auto r = transition(paid_session(), session_status::scheduled, admin, start - 1h);
  CHECK(r.reason == transition_reason::same_status);
}

TEST_CASE("a move with no edge is refused as not_an_edge") {
  CHECK(transition(paid_session(), session_status::completed, provider, start + 30min).reason ==
        transition_reason::not_an_edge);
  CHECK(transition(paid_session(), session_status::pending_payment, admin, start).reason ==
        transition_reason::not_an_edge);
  CHECK(transition(paid_session(session_status::confirmed), session_status::scheduled, admin,
                   start - 1h)
            .reason == transition_reason::not_an_edge);
}

TEST_CASE("another provider may not act on a session, even where providers may") {
  const auto r = transition(paid_session(), session_status::in_progress,
                            actor::provider(slotbook::provider_id{43}), start);
  CHECK(r.reason == transition_reason::not_a_party);
}

// ---------------------------------------------------------------------------------------------
// pending_payment -> scheduled
// ---------------------------------------------------------------------------------------------

TEST_CASE("the system schedules a paid hold") {
  session s = hold(start - 48h);
  s.payment = payment_status::paid;
  const instant now = start - 48h + 5min;
  const auto r = transition(s, session_status::scheduled, sys, now);
  REQUIRE(r.allowed());
  CHECK(r.reason == transition_reason::allowed);
  CHECK(r.next->status == session_status::scheduled);
  CHECK(r.next->updated_at == now);
  CHECK(r.refund == money::kes(0));
}

TEST_CASE("an unpaid hold cannot be scheduled, a free one can") {
  session s = hold(start - 48h);
  CHECK(transition(s, session_status::scheduled, admin, start - 48h + 1min).reason ==
        transition_reason::payment_not_received);
  s.amount = money::kes(0);
  CHECK(transition(s, session_status::scheduled, admin, start - 48h + 1min).allowed());
}

TEST_CASE("only an admin or the system may schedule a hold") {
  session s = hold(start - 48h);
  s.payment = payment_status::paid;
  CHECK(transition(s, session_status::scheduled, client, start - 48h).reason ==
        transition_reason::role_not_permitted);
  CHECK(transition(s, session_status::scheduled, provider, start - 48h).reason ==
        transition_reason::role_not_permitted);
}

TEST_CASE("a hold cannot be scheduled once it has expired") {
  session s = hold(start - 48h);
  s.payment = payment_status::paid;
  // Default hold: 15 minutes from created_at, half-open.
  CHECK(transition(s, session_status::scheduled, sys, start - 48h + 15min - 1s).allowed());
  CHECK(transition(s, session_status::scheduled, sys, start - 48h + 15min).reason ==
        transition_reason::hold_expired);
}

TEST_CASE("confirm_payment records the payment and schedules the hold") {
  const session s = hold(start - 48h);
  const instant now = start - 48h + 3min;
  const auto r = slotbook::confirm_payment(s, "mpesa", "QK7H2XYZ", sys, now);
  REQUIRE(r.allowed());
  CHECK(r.next->status == session_status::scheduled);
  CHECK(r.next->payment == payment_status::paid);
  CHECK(r.next->payment_method == "mpesa");
  CHECK(r.next->transaction_id == "QK7H2XYZ");
  CHECK(r.next->updated_at == now);
}

TEST_CASE("a payment that arrives after the hold expired is refused as hold_expired") {
  const auto r =
      slotbook::confirm_payment(hold(start - 48h), "mpesa", "QK7H2XYZ", sys, start - 48h + 20min);
  CHECK(r.reason == transition_reason::hold_expired);
  CHECK_FALSE(r.allowed());
}

TEST_CASE("confirm_payment on a session that is not a hold gives the transition's refusal") {
  CHECK(slotbook::confirm_payment(paid_session(), "card", "T1", sys, start - 1h).reason ==
        transition_reason::same_status);
  CHECK(slotbook::confirm_payment(paid_session(session_status::completed), "card", "T1", sys,
                                  start + 2h)
            .reason == transition_reason::already_terminal);
  CHECK(slotbook::confirm_payment(hold(start - 48h), "card", "T1", client, start - 48h).reason ==
        transition_reason::role_not_permitted);
}

// ---------------------------------------------------------------------------------------------
// confirmed
// ---------------------------------------------------------------------------------------------

TEST_CASE("a scheduled session may be confirmed by anyone party to it before the start") {
  for (const actor& who : {client, provider, admin, sys}) {
    const auto r = transition(paid_session(), session_status::confirmed, who, start - 1s);
    REQUIRE(r.allowed());
    CHECK(r.next->status == session_status::confirmed);
    CHECK(r.next->updated_at == start - 1s);
  }
}

TEST_CASE("confirming at or after the start is refused") {
  CHECK(transition(paid_session(), session_status::confirmed, client, start).reason ==
        transition_reason::session_started);
}

TEST_CASE("another client may not confirm someone else's session") {
  CHECK(transition(paid_session(), session_status::confirmed, actor::client(slotbook::client_id{8}),
                   start - 1h)
            .reason == transition_reason::not_a_party);
}

// ---------------------------------------------------------------------------------------------
// in_progress
// ---------------------------------------------------------------------------------------------

TEST_CASE("the provider starts a confirmed session 15 minutes early and joined_at is recorded") {
  const auto r = transition(paid_session(session_status::confirmed), session_status::in_progress,
                            provider, start - 15min);
  REQUIRE(r.allowed());
  CHECK(r.next->status == session_status::in_progress);
  CHECK(r.next->joined_at == start - 15min);
  CHECK(r.next->updated_at == start - 15min);
}

TEST_CASE("starting more than the early-start window before the start is refused") {
  CHECK(transition(paid_session(), session_status::in_progress, provider, start - 15min - 1s)
            .reason == transition_reason::too_early_to_start);
  lifecycle_rules rules;
  rules.early_start = 30min;
  CHECK(transition(paid_session(), session_status::in_progress, provider, start - 16min, rules)
            .allowed());
  rules.early_start = 0min;
  CHECK(
      transition(paid_session(), session_status::in_progress, provider, start - 1s, rules).reason ==
      transition_reason::too_early_to_start);
}

TEST_CASE("a session can be started until its scheduled end, not at it") {
  CHECK(transition(paid_session(), session_status::in_progress, sys, start + 60min - 1s).allowed());
  CHECK(transition(paid_session(), session_status::in_progress, sys, start + 60min).reason ==
        transition_reason::too_late_to_start);
}

TEST_CASE("only the provider or the system starts a session") {
  CHECK(transition(paid_session(), session_status::in_progress, client, start).reason ==
        transition_reason::role_not_permitted);
  CHECK(transition(paid_session(), session_status::in_progress, admin, start).reason ==
        transition_reason::role_not_permitted);
  CHECK(transition(paid_session(), session_status::in_progress, sys, start).allowed());
}

TEST_CASE("a hold cannot be started") {
  CHECK(transition(hold(start - 1h), session_status::in_progress, provider, start).reason ==
        transition_reason::not_an_edge);
}

// ---------------------------------------------------------------------------------------------
// completed
// ---------------------------------------------------------------------------------------------

TEST_CASE("completing records ended_at and the actual duration since joining") {
  const session s = paid_session(session_status::in_progress);  // joined at 10:02
  const auto r = transition(s, session_status::completed, provider, start + 55min);
  REQUIRE(r.allowed());
  CHECK(r.next->status == session_status::completed);
  CHECK(r.next->ended_at == start + 55min);
  CHECK(r.next->actual_duration == 53min);
  CHECK(r.next->updated_at == start + 55min);
  CHECK_NOTHROW(slotbook::validate(*r.next));
}

TEST_CASE("a session can run past its scheduled end and still complete") {
  const session s = paid_session(session_status::in_progress);
  const auto r = transition(s, session_status::completed, sys, start + 80min);
  REQUIRE(r.allowed());
  CHECK(r.next->actual_duration == 78min);
}

TEST_CASE("completing at a time before joined_at is refused") {
  const session s = paid_session(session_status::in_progress);
  CHECK(transition(s, session_status::completed, provider, start + 1min).reason ==
        transition_reason::ended_before_joined);
  // Completing the very second it was joined is a zero-length session, not an error.
  const auto r = transition(s, session_status::completed, provider, start + 2min);
  REQUIRE(r.allowed());
  CHECK(r.next->actual_duration == 0s);
}

TEST_CASE("a client cannot complete a session, an admin can") {
  const session s = paid_session(session_status::in_progress);
  CHECK(transition(s, session_status::completed, client, start + 50min).reason ==
        transition_reason::role_not_permitted);
  CHECK(transition(s, session_status::completed, admin, start + 50min).allowed());
}

TEST_CASE("an in-progress session cannot be cancelled or marked no_show") {
  const session s = paid_session(session_status::in_progress);
  CHECK(transition(s, session_status::cancelled, admin, start + 10min).reason ==
        transition_reason::not_an_edge);
  CHECK(transition(s, session_status::no_show, provider, start + 10min).reason ==
        transition_reason::not_an_edge);
}

// ---------------------------------------------------------------------------------------------
// no_show
// ---------------------------------------------------------------------------------------------

TEST_CASE("a no_show can be marked only strictly after the start") {
  CHECK(transition(paid_session(), session_status::no_show, provider, start).reason ==
        transition_reason::too_early_for_no_show);
  const auto r = transition(paid_session(), session_status::no_show, provider, start + 1s);
  REQUIRE(r.allowed());
  CHECK(r.next->status == session_status::no_show);
  CHECK(r.next->updated_at == start + 1s);
}

TEST_CASE("a no-show grace delays when a no_show may be marked") {
  lifecycle_rules rules;
  rules.no_show.grace = 10min;
  CHECK(
      transition(paid_session(), session_status::no_show, sys, start + 10min - 1s, rules).reason ==
      transition_reason::too_early_for_no_show);
  CHECK(transition(paid_session(), session_status::no_show, sys, start + 10min, rules).allowed());
}

TEST_CASE("a no_show keeps the payment by default") {
  const auto r = transition(paid_session(session_status::confirmed), session_status::no_show,
                            provider, start + 20min);
  REQUIRE(r.allowed());
  CHECK(r.refund == money::kes(0));
  CHECK(r.next->payment == payment_status::paid);
  CHECK(r.next->refunded_minor == 0);
}

TEST_CASE("a no_show with a 50 % fee records and returns the refund of the other half") {
  lifecycle_rules rules;
  rules.no_show.fee = slotbook::percent(50);
  session s = paid_session();
  s.amount = money::kes(150001);
  const auto r = transition(s, session_status::no_show, admin, start + 1h, rules);
  REQUIRE(r.allowed());
  // Half of 150001 cents is 75000.5, refunded rounded down.
  CHECK(r.refund == money::kes(75000));
  CHECK(r.next->payment == payment_status::refunded);
  CHECK(r.next->refunded_minor == 75000);
  CHECK_NOTHROW(slotbook::validate(*r.next));
}

TEST_CASE("a client cannot mark themselves a no_show") {
  CHECK(transition(paid_session(), session_status::no_show, client, start + 1h).reason ==
        transition_reason::role_not_permitted);
}

// ---------------------------------------------------------------------------------------------
// cancelled
// ---------------------------------------------------------------------------------------------

TEST_CASE("cancelling through transition applies the cancellation policy and its refund") {
  const instant now = start - 48h;
  const auto r =
      transition(paid_session(session_status::confirmed), session_status::cancelled, client, now);
  REQUIRE(r.allowed());
  const session& s = *r.next;
  CHECK(s.status == session_status::cancelled);
  CHECK(s.cancelled_at == now);
  CHECK(s.updated_at == now);
  CHECK(s.cancelled_by == role::client);
  CHECK(s.cancelled_from == session_status::confirmed);
  CHECK(s.payment == payment_status::refunded);
  CHECK(s.refunded_minor == 150000);
  CHECK(r.refund == money::kes(150000));
  REQUIRE(r.cancellation);
  CHECK(r.cancellation->reason == slotbook::cancellation_reason::notice_tier);
  CHECK_NOTHROW(slotbook::validate(s));
}

TEST_CASE("a cancellation the policy refuses is cancellation_refused with the decision") {
  const auto r = transition(paid_session(), session_status::cancelled, client, start - 23h);
  CHECK_FALSE(r.allowed());
  CHECK(r.reason == transition_reason::cancellation_refused);
  REQUIRE(r.cancellation);
  CHECK(r.cancellation->reason == slotbook::cancellation_reason::refused_late);
  CHECK(r.refund == money::kes(0));
}

TEST_CASE("cancel records the reason text and a partial refund") {
  lifecycle_rules rules;
  rules.cancellation = slotbook::cancellation_policy::tiered();
  const auto r = slotbook::cancel(paid_session(), client, start - 3h, "feeling better", rules);
  REQUIRE(r.allowed());
  CHECK(r.next->cancellation_reason == "feeling better");
  CHECK(r.refund == money::kes(75000));
  CHECK(r.next->refunded_minor == 75000);
  CHECK(r.next->payment == payment_status::refunded);
}

TEST_CASE("a cancellation without a refund leaves the payment as it was") {
  lifecycle_rules rules;
  rules.cancellation = slotbook::cancellation_policy::tiered();
  const auto r = slotbook::cancel(paid_session(), client, start - 1h, "", rules);
  REQUIRE(r.allowed());
  CHECK(r.refund == money::kes(0));
  CHECK(r.next->payment == payment_status::paid);
  CHECK(r.next->refunded_minor == 0);
}

TEST_CASE("cancelling someone else's session is not_a_party before the policy is asked") {
  const auto r =
      slotbook::cancel(paid_session(), actor::client(slotbook::client_id{8}), start - 48h, "");
  CHECK(r.reason == transition_reason::not_a_party);
  CHECK_FALSE(r.cancellation.has_value());
}

// ---------------------------------------------------------------------------------------------
// Holds
// ---------------------------------------------------------------------------------------------

TEST_CASE("a hold expires 15 minutes after it was made, exactly at the boundary") {
  const session s = hold(created);
  CHECK_FALSE(slotbook::hold_expired(s, created + 15min - 1s));
  CHECK(slotbook::hold_expired(s, created + 15min));
  slotbook::hold_rules rules;
  rules.hold = 30min;
  CHECK_FALSE(slotbook::hold_expired(s, created + 15min, rules));
  CHECK(slotbook::hold_expired(s, created + 30min, rules));
}

TEST_CASE("only a pending_payment session has a hold to expire") {
  CHECK_FALSE(slotbook::hold_expired(paid_session(), created + 48h));
}

TEST_CASE("active sessions and live holds occupy time, expired holds and finished ones do not") {
  const instant now = created + 10min;
  CHECK(slotbook::occupies_time(hold(created), now));
  CHECK_FALSE(slotbook::occupies_time(hold(created), created + 15min));
  CHECK(slotbook::occupies_time(paid_session(session_status::scheduled), now));
  CHECK(slotbook::occupies_time(paid_session(session_status::confirmed), now));
  CHECK(slotbook::occupies_time(paid_session(session_status::in_progress), now));
  CHECK_FALSE(slotbook::occupies_time(paid_session(session_status::completed), now));
  CHECK_FALSE(slotbook::occupies_time(paid_session(session_status::cancelled), now));
  CHECK_FALSE(slotbook::occupies_time(paid_session(session_status::no_show), now));
}

TEST_CASE("the system cancels an expired hold with reason hold_expired and no refund") {
  const instant now = created + 15min;
  const auto r = slotbook::expire_hold(hold(created), now);
  REQUIRE(r.allowed());
  CHECK(r.next->status == session_status::cancelled);
  CHECK(r.next->cancellation_reason == "hold_expired");
  CHECK(r.next->cancelled_by == role::system);
  CHECK(r.next->cancelled_from == session_status::pending_payment);
  CHECK(r.next->cancelled_at == now);
  CHECK(r.next->payment == payment_status::pending);
  CHECK(r.refund == money::kes(0));
}

TEST_CASE("a hold that is still running or a booked session is not expired") {
  CHECK(slotbook::expire_hold(hold(created), created + 14min).reason ==
        transition_reason::hold_not_expired);
  CHECK(slotbook::expire_hold(paid_session(), created + 48h).reason ==
        transition_reason::hold_not_expired);
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

TEST_CASE("invalid rules are invalid_argument naming the field") {
  lifecycle_rules rules;
  rules.early_start = -1min;
  expect_error(
      [&] { (void)transition(paid_session(), session_status::confirmed, client, start, rules); },
      errc::invalid_argument, {"lifecycle_rules.early_start:"});
  rules = {};
  rules.hold.hold = 0min;
  expect_error([&] { (void)slotbook::expire_hold(hold(created), created, rules); },
               errc::invalid_argument, {"hold_rules.hold:"});
}

TEST_CASE("a corrupt session is invalid_argument, not a decision") {
  session s = paid_session(session_status::in_progress);
  s.joined_at.reset();
  expect_error([&] { (void)transition(s, session_status::completed, provider, start + 1h); },
               errc::invalid_argument, {"joined_at:"});
}

TEST_CASE("transition reasons print as their names") {
  CHECK(slotbook::to_string(transition_reason::allowed) == "allowed");
  CHECK(slotbook::to_string(transition_reason::too_early_to_start) == "too_early_to_start");
  CHECK(slotbook::to_string(transition_reason::cancellation_refused) == "cancellation_refused");
}

TEST_CASE(
    "rules past their bounds are invalid_argument: early start over a day, hold over a week") {
  lifecycle_rules rules;
  rules.early_start = 24h + 1min;
  expect_error(
      [&] { (void)transition(paid_session(), session_status::confirmed, client, start, rules); },
      errc::invalid_argument, {"lifecycle_rules.early_start:", "1441 min"});
  slotbook::hold_rules hold_rules;
  hold_rules.hold = std::chrono::days{7} + 1min;
  expect_error([&] { (void)slotbook::occupies_time(hold(created), created, hold_rules); },
               errc::invalid_argument, {"hold_rules.hold:"});
}

TEST_CASE("a now outside years 1 to 9999 is invalid_argument, never an overflow") {
  const instant far{std::chrono::seconds{std::numeric_limits<std::int64_t>::max()}};
  expect_error([&] { (void)transition(paid_session(), session_status::no_show, provider, far); },
               errc::invalid_argument, {"now:"});
  expect_error([&] { (void)slotbook::hold_expired(hold(created), far); }, errc::invalid_argument,
               {"now:"});
}
