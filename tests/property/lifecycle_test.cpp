// Properties of the state machine over random walks: nothing leaves a terminal state, every move
// made is an edge its actor may take, and every session a move produces is valid.
#include "slotbook/lifecycle.hpp"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::instant;
using slotbook::money;
using slotbook::payment_status;
using slotbook::role;
using slotbook::session;
using slotbook::session_status;

namespace {

const instant start = slotbook::parse_instant("2026-01-15T10:00:00Z");

const std::vector<session_status> all_statuses = {
    session_status::pending_payment, session_status::scheduled, session_status::confirmed,
    session_status::in_progress,     session_status::completed, session_status::cancelled,
    session_status::no_show};

// The state machine written out again, independently of lifecycle.hpp: (from, to) -> roles.
bool oracle_may(session_status from, session_status to, role r) {
  using enum session_status;
  static const std::set<std::pair<session_status, session_status>> edges = {
      {pending_payment, scheduled}, {pending_payment, cancelled}, {scheduled, confirmed},
      {scheduled, in_progress},     {scheduled, no_show},         {scheduled, cancelled},
      {confirmed, in_progress},     {confirmed, no_show},         {confirmed, cancelled},
      {in_progress, completed}};
  if (edges.count({from, to}) == 0) return false;
  if (to == scheduled) return r == role::admin || r == role::system;
  if (to == in_progress) return r == role::provider || r == role::system;
  if (to == completed || to == no_show) return r != role::client;
  return true;  // confirmed, cancelled
}

// A fresh booking: an unpaid (or free) hold or a paid scheduled session.
session any_booking() {
  session s;
  s.id = slotbook::session_id{1};
  s.client = slotbook::client_id{7};
  s.provider = slotbook::provider_id{42};
  s.scheduled_at = start;
  s.duration = std::chrono::minutes{*rc::gen::element(30, 45, 60, 90)};
  s.amount = money::kes(*rc::gen::element<std::int64_t>(0, 1, 150000, 150001));
  // Booked between two days and 35 minutes ahead.
  s.created_at = s.updated_at = start - std::chrono::minutes{*rc::gen::inRange(35, 48 * 60)};
  if (*rc::gen::arbitrary<bool>()) {
    s.status = session_status::pending_payment;
    s.payment = payment_status::pending;
  } else {
    s.status = session_status::scheduled;
    s.payment = payment_status::paid;
  }
  return s;
}

// Mostly the session's own parties, sometimes strangers.
actor any_actor() {
  return *rc::gen::weightedElement<actor>({{3, actor::client(slotbook::client_id{7})},
                                           {1, actor::client(slotbook::client_id{8})},
                                           {4, actor::provider(slotbook::provider_id{42})},
                                           {1, actor::provider(slotbook::provider_id{43})},
                                           {2, actor::admin(slotbook::admin_id{1})},
                                           {3, actor::system()}});
}

slotbook::lifecycle_rules any_rules() {
  slotbook::lifecycle_rules rules;
  rules.early_start = std::chrono::minutes{*rc::gen::inRange(0, 61)};
  rules.hold.hold = std::chrono::minutes{*rc::gen::inRange(1, 120)};
  rules.no_show.grace =
      std::chrono::minutes{*rc::gen::arbitrary<bool>() ? 0 : *rc::gen::inRange(1, 31)};
  rules.no_show.fee = slotbook::basis_points{*rc::gen::inRange(0, 10001)};
  rules.cancellation = *rc::gen::element(slotbook::cancellation_policy::seed(),
                                         slotbook::cancellation_policy::tiered());
  return rules;
}

}  // namespace

TEST_CASE("no sequence of transitions leaves a terminal state, and each move is an allowed edge") {
  rc::prop("random walks from a booking", [] {
    session s = any_booking();
    const auto rules = any_rules();
    // Random moments, visited in order. Early ones run from the booking to half an hour before the
    // start (holds are paid, expire, get cancelled), the rest from then to 100 minutes after it.
    const std::int64_t booked = (s.created_at - start).count();  // negative
    auto moments = *rc::gen::container<std::vector<std::int64_t>>(
        *rc::gen::inRange<std::size_t>(1, 40), rc::gen::inRange<std::int64_t>(0, 1000));
    for (auto& m : moments) {
      m = m < 300 ? booked + m * (-1800 - booked) / 300 : -1800 + (m - 300) * (130 * 60) / 700;
    }
    // A quarter of the moments a second either side of (or exactly at) an instant where a rule
    // changes: the hold's expiry, the earliest start, the start, the no-show grace, the end.
    const std::vector<std::int64_t> edges = {booked + std::chrono::seconds{rules.hold.hold}.count(),
                                             -std::chrono::seconds{rules.early_start}.count(), 0,
                                             std::chrono::seconds{rules.no_show.grace}.count(),
                                             std::chrono::seconds{s.duration}.count()};
    for (auto& m : moments) {
      if (*rc::gen::inRange(0, 4) == 0) m = *rc::gen::elementOf(edges) + *rc::gen::inRange(-1, 2);
    }
    std::sort(moments.begin(), moments.end());
    bool was_terminal = false;
    for (const std::int64_t moment : moments) {
      const instant now = start + std::chrono::seconds{moment};
      const session before = s;
      const actor who = any_actor();
      const int op = *rc::gen::inRange(0, 20);  // 0: pay, 1: expire the hold, else a transition
      slotbook::transition_result r;
      session_status target = session_status::cancelled;
      if (op == 0) {
        target = session_status::scheduled;
        r = slotbook::confirm_payment(s, "mpesa", "T1", who, now, rules);
      } else if (op == 1) {
        r = slotbook::expire_hold(s, now, rules);
      } else {
        // Cancelling is always possible for someone; ask for it less so walks get further.
        target = *rc::gen::weightedElement<session_status>({{2, session_status::pending_payment},
                                                            {3, session_status::scheduled},
                                                            {3, session_status::confirmed},
                                                            {4, session_status::in_progress},
                                                            {4, session_status::completed},
                                                            {1, session_status::cancelled},
                                                            {3, session_status::no_show}});
        r = slotbook::transition(s, target, who, now, rules);
      }
      if (was_terminal) {
        RC_ASSERT(!r.allowed());
        RC_ASSERT(r.reason == (op == 1 ? slotbook::transition_reason::hold_not_expired
                                       : slotbook::transition_reason::already_terminal));
        continue;
      }
      if (!r.allowed()) {
        RC_ASSERT(r.reason != slotbook::transition_reason::allowed);
        RC_ASSERT(r.refund.is_zero());
        continue;
      }
      const session& next = *r.next;
      const role acting = op == 1 ? role::system : who.kind();
      RC_ASSERT(next.status == target);
      RC_ASSERT(oracle_may(before.status, next.status, acting));
      RC_ASSERT(slotbook::acts_for(op == 1 ? actor::system() : who, before));
      RC_ASSERT(next.updated_at == now);
      RC_ASSERT(next.refunded_minor >= before.refunded_minor);
      RC_ASSERT(next.refunded_minor - before.refunded_minor == r.refund.minor_units());
      RC_ASSERT(next.refunded_minor <= next.amount.minor_units());
      // The timing rules, restated.
      const auto end = start + s.duration;
      if (target == session_status::confirmed) RC_ASSERT(now < start);
      if (target == session_status::in_progress) {
        RC_ASSERT(start - rules.early_start <= now && now < end);
        RC_ASSERT(next.joined_at == now);
      }
      if (target == session_status::completed) {
        RC_ASSERT(next.ended_at == now);
        RC_ASSERT(next.actual_duration == now - *before.joined_at);
      }
      if (target == session_status::no_show) {
        RC_ASSERT(now > start && now >= start + rules.no_show.grace);
      }
      if (target == session_status::scheduled) {
        RC_ASSERT(now < before.created_at + rules.hold.hold);
        RC_ASSERT(next.payment == payment_status::paid || next.amount.is_zero());
      }
      slotbook::validate(next);  // throws (and fails the property) on a broken invariant
      s = next;
      was_terminal = slotbook::is_terminal(s.status);
    }
    RC_TAG(slotbook::to_string(s.status));
  });
}

TEST_CASE("a terminal session refuses every transition from every actor at every time") {
  rc::prop("transition from completed, cancelled or no_show is already_terminal", [] {
    session s = any_booking();
    s.status = *rc::gen::element(session_status::completed, session_status::cancelled,
                                 session_status::no_show);
    s.payment = payment_status::paid;
    s.joined_at = start;
    s.ended_at = start + 30min;
    s.actual_duration = 30min;
    s.cancelled_at = start - 24h;
    const instant now = start + std::chrono::seconds{*rc::gen::inRange(-5 * 86400, 5 * 86400)};
    const auto r =
        slotbook::transition(s, *rc::gen::elementOf(all_statuses), any_actor(), now, any_rules());
    RC_ASSERT(!r.allowed());
    RC_ASSERT(r.reason == slotbook::transition_reason::already_terminal);
  });
}
