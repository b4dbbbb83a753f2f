#pragma once
/// \file lifecycle.hpp
/// "Which status may follow which, by whom, and when?": the session state machine and slot holds.
///
/// The edges (docs/lifecycle.md draws them and says who may take each, and when):
///
///     pending_payment → scheduled | cancelled
///     scheduled       → confirmed | in_progress | no_show | cancelled
///     confirmed       → in_progress | no_show | cancelled
///     in_progress     → completed
///
/// completed, cancelled and no_show are terminal: nothing leaves them.
///
/// `transition` is the one entry point; it returns the updated session or a refusal with a reason
/// (a value, never an exception for "no"). A move to `cancelled` goes through the cancellation
/// policy (`cancel` is the same with a reason text), and a move to `no_show` applies the no-show
/// charge, so the returned session already carries any refund, and `transition_result::refund`
/// says how much the service must pay back. The service records the decision and commits first,
/// then calls its payment gateway, so a slow or failing gateway never holds a lock or loses the
/// cancellation (see docs/service.md). Nothing here reads the clock: `now` is always an argument.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "slotbook/actor.hpp"
#include "slotbook/error.hpp"
#include "slotbook/money.hpp"
#include "slotbook/policy.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

// ---------------------------------------------------------------------------------------------
// Holds
// ---------------------------------------------------------------------------------------------

/// How long an unpaid (pending_payment) booking keeps its slot: `hold` from `created_at`,
/// half-open, so at `created_at + hold` exactly the hold has expired.
///
///     slotbook::hold_rules r;  // 15 minutes
///     r.hold = std::chrono::minutes{30};
struct hold_rules {
  std::chrono::minutes hold{15};

  friend bool operator==(const hold_rules&, const hold_rules&) = default;
};

/// Throws `errc::invalid_argument` when `hold` is outside 1 minute to 7 days.
inline void validate(const hold_rules& r) {
  detail::check_rule_minutes(r.hold, std::chrono::minutes{1}, std::chrono::days{7},
                             "hold_rules.hold");
}

/// True when `s` is pending_payment and `now` is at or past `created_at + hold`.
///
///     slotbook::hold_expired(s, s.created_at + std::chrono::minutes{15});  // true if unpaid
inline bool hold_expired(const session& s, instant now, const hold_rules& rules = {}) {
  validate(rules);
  detail::check_session_instant(now, "now");
  detail::check_session_instant(s.created_at, "created_at");
  return s.status == session_status::pending_payment && now >= s.created_at + rules.hold;
}

/// True when `s` makes its provider (and client) busy for `session_interval(s)`: it is scheduled,
/// confirmed or in progress, or pending_payment with its hold still running. Terminal sessions and
/// expired holds free their time.
///
///     if (slotbook::occupies_time(s, now)) busy.push_back(slotbook::session_interval(s));
inline bool occupies_time(const session& s, instant now, const hold_rules& rules = {}) {
  switch (s.status) {
    case session_status::pending_payment:
      return !hold_expired(s, now, rules);
    case session_status::scheduled:
    case session_status::confirmed:
    case session_status::in_progress:
      return true;
    case session_status::completed:
    case session_status::cancelled:
    case session_status::no_show:
      return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The state machine
// ---------------------------------------------------------------------------------------------

/// Everything the lifecycle decisions depend on besides the session, the actor and `now`.
///
///     slotbook::lifecycle_rules rules;
///     rules.early_start = std::chrono::minutes{10};
///     rules.cancellation = slotbook::cancellation_policy::tiered();
struct lifecycle_rules {
  /// How long before its scheduled start a session may be started.
  std::chrono::minutes early_start{15};
  hold_rules hold{};
  cancellation_policy cancellation{};
  no_show_policy no_show{};

  friend bool operator==(const lifecycle_rules&, const lifecycle_rules&) = default;
};

/// Throws `errc::invalid_argument` naming the first bad field (`early_start` must be 0 to 24 h).
inline void validate(const lifecycle_rules& r) {
  detail::check_rule_minutes(r.early_start, std::chrono::minutes::zero(), std::chrono::hours{24},
                             "lifecycle_rules.early_start");
  validate(r.hold);
  validate(r.cancellation);
  validate(r.no_show);
}

/// True when the state machine has an edge `from → to` (whoever takes it, whenever).
///
///     static_assert(slotbook::is_edge(session_status::scheduled, session_status::in_progress));
constexpr bool is_edge(session_status from, session_status to) noexcept {
  using enum session_status;
  switch (from) {
    case pending_payment:
      return to == scheduled || to == cancelled;
    case scheduled:
      return to == confirmed || to == in_progress || to == no_show || to == cancelled;
    case confirmed:
      return to == in_progress || to == no_show || to == cancelled;
    case in_progress:
      return to == completed;
    case completed:
    case cancelled:
    case no_show:
      return false;
  }
  return false;
}

/// True when role `r` may take edge `from → to` (an edge at all, and this role's to take):
/// - pending_payment → scheduled: admin, system (payment confirmed);
/// - → confirmed: everyone; → in_progress: provider, system; → completed: provider, admin, system;
/// - → no_show: provider, admin, system; → cancelled: everyone (the policy decides the terms).
/// A client or provider must also be the session's own (`acts_for`).
///
///     static_assert(!slotbook::role_may(role::client, session_status::scheduled,
///                                       session_status::in_progress));
constexpr bool role_may(role r, session_status from, session_status to) noexcept {
  if (!is_edge(from, to)) return false;
  using enum session_status;
  switch (to) {
    case scheduled:
      return r == role::admin || r == role::system;
    case confirmed:
    case cancelled:
      return true;
    case in_progress:
      return r == role::provider || r == role::system;
    case completed:
    case no_show:
      return r == role::provider || r == role::admin || r == role::system;
    case pending_payment:
      return false;
  }
  return false;
}

/// Why a transition was made or refused. The checks run in this order, so the first that fails
/// is the reason.
enum class transition_reason {
  allowed,                ///< made
  already_terminal,       ///< the session is completed, cancelled or no_show
  same_status,            ///< the session already has the target status
  not_an_edge,            ///< the state machine has no such edge (e.g. scheduled → completed)
  role_not_permitted,     ///< this role may not take this edge
  not_a_party,            ///< a client or provider acting on someone else's session
  payment_not_received,   ///< pending_payment → scheduled while unpaid (and not free)
  hold_expired,           ///< pending_payment → scheduled after the hold ran out
  hold_not_expired,       ///< `expire_hold` on a session that is not an expired hold
  session_started,        ///< confirming at or after the start
  too_early_to_start,     ///< starting more than `early_start` before the start
  too_late_to_start,      ///< starting at or after the scheduled end
  too_early_for_no_show,  ///< no_show not strictly after the start plus the grace
  ended_before_joined,    ///< completing at a `now` before `joined_at`
  cancellation_refused,   ///< the cancellation policy refused (see `cancellation`)
};

/// `"allowed"`, `"already_terminal"`, ...: the enumerator's name.
constexpr std::string_view to_string(transition_reason r) noexcept {
  switch (r) {
    case transition_reason::allowed:
      return "allowed";
    case transition_reason::already_terminal:
      return "already_terminal";
    case transition_reason::same_status:
      return "same_status";
    case transition_reason::not_an_edge:
      return "not_an_edge";
    case transition_reason::role_not_permitted:
      return "role_not_permitted";
    case transition_reason::not_a_party:
      return "not_a_party";
    case transition_reason::payment_not_received:
      return "payment_not_received";
    case transition_reason::hold_expired:
      return "hold_expired";
    case transition_reason::hold_not_expired:
      return "hold_not_expired";
    case transition_reason::session_started:
      return "session_started";
    case transition_reason::too_early_to_start:
      return "too_early_to_start";
    case transition_reason::too_late_to_start:
      return "too_late_to_start";
    case transition_reason::too_early_for_no_show:
      return "too_early_for_no_show";
    case transition_reason::ended_before_joined:
      return "ended_before_joined";
    case transition_reason::cancellation_refused:
      return "cancellation_refused";
  }
  return "unknown";
}

/// The outcome of a transition: the new session, or why not.
struct transition_result {
  transition_reason reason{transition_reason::not_an_edge};
  /// The updated session when allowed (`updated_at = now`, plus the fields the edge records).
  std::optional<session> next;
  /// What the service must pay back through its payment gateway once `next` is committed
  /// (cancellation or no-show refund); zero in the session's currency otherwise. A gateway
  /// failure after commit is recorded in the audit log for reconciliation.
  money refund{};
  /// The cancellation policy's decision, for a transition to cancelled (allowed or refused).
  std::optional<cancellation_decision> cancellation;

  /// True when the transition was made.
  bool allowed() const noexcept { return next.has_value(); }
};

namespace detail {

inline transition_result refused_transition(const session& s, transition_reason why) {
  transition_result r;
  r.reason = why;
  r.refund = money::zero(s.amount.currency_code());
  return r;
}

inline transition_result made_transition(session next, money refund = {}) {
  transition_result r;
  r.reason = transition_reason::allowed;
  r.refund = refund.is_zero() ? money::zero(next.amount.currency_code()) : refund;
  r.next = std::move(next);
  return r;
}

// The checks every edge shares; nullopt when they pass.
inline std::optional<transition_reason> edge_check(const session& s, session_status target,
                                                   const actor& who) {
  if (is_terminal(s.status)) return transition_reason::already_terminal;
  if (s.status == target) return transition_reason::same_status;
  if (!is_edge(s.status, target)) return transition_reason::not_an_edge;
  if (!role_may(who.kind(), s.status, target)) return transition_reason::role_not_permitted;
  if (!acts_for(who, s)) return transition_reason::not_a_party;
  return std::nullopt;
}

// Records a refund on the session: the payment becomes `refunded` with the amount.
inline void record_refund(session& s, const money& refund) {
  if (refund.is_zero()) return;
  s.refunded_minor = (refunded_amount(s) + refund).minor_units();
  s.payment = payment_status::refunded;
}

}  // namespace detail

/// Cancels `s` as `who` at `now` with the free-text `reason`, under `rules.cancellation`. When
/// allowed, the session becomes cancelled with `cancelled_at`, `cancelled_by`, `cancelled_from`
/// and `cancellation_reason` set and any refund recorded (`payment = refunded`,
/// `refunded_minor`); `refund` says what to pay back. An in_progress session cannot be cancelled
/// (`not_an_edge`); a policy refusal is `cancellation_refused` with the decision attached.
///
///     auto r = slotbook::cancel(s, slotbook::actor::client(s.client), now, "feeling better");
///     if (r.allowed()) { store.update_session(*r.next); tx.commit(); gateway.refund(...); }
inline transition_result cancel(const session& s, const actor& who, instant now, std::string reason,
                                const lifecycle_rules& rules = {}) {
  validate(s);
  validate(rules);
  detail::check_session_instant(now, "now");
  if (const auto why = detail::edge_check(s, session_status::cancelled, who)) {
    return detail::refused_transition(s, *why);
  }
  const cancellation_decision decision = decide_cancellation(s, who, now, rules.cancellation);
  if (!decision.allowed) {
    transition_result r = detail::refused_transition(s, transition_reason::cancellation_refused);
    r.cancellation = decision;
    return r;
  }
  session next = s;
  next.status = session_status::cancelled;
  next.updated_at = now;
  next.cancelled_at = now;
  next.cancelled_by = who.kind();
  next.cancelled_from = s.status;
  next.cancellation_reason = std::move(reason);
  detail::record_refund(next, decision.refund);
  transition_result r = detail::made_transition(std::move(next), decision.refund);
  r.cancellation = decision;
  return r;
}

/// Moves `s` to `target` as `who` at `now`, or says why not. Besides the role table of `role_may`
/// and `acts_for`, each edge has its condition and records its fields:
/// - → scheduled (from pending_payment): paid, or free (amount zero); the hold has not expired
///   (a payment arriving after that is refused with `hold_expired`: the slot may be taken, so the
///   service re-checks it and books again or refunds);
/// - → confirmed: before the start;
/// - → in_progress: no more than `rules.early_start` before the start and before the scheduled
///   end; records `joined_at`;
/// - → completed: records `ended_at` and `actual_duration = now - joined_at`;
/// - → no_show: strictly after the start and at least `rules.no_show.grace` after it; applies the
///   no-show charge (`charge_no_show`);
/// - → cancelled: `cancel(s, who, now, "", rules)`.
/// Every allowed transition sets `updated_at = now`. An invalid session or rules is
/// `errc::invalid_argument`.
///
///     auto r = slotbook::transition(s, slotbook::session_status::in_progress,
///                                   slotbook::actor::provider(s.provider), now);
///     if (!r.allowed()) return slotbook::to_string(r.reason);
inline transition_result transition(const session& s, session_status target, const actor& who,
                                    instant now, const lifecycle_rules& rules = {}) {
  if (target == session_status::cancelled) return cancel(s, who, now, std::string{}, rules);
  validate(s);
  validate(rules);
  detail::check_session_instant(now, "now");
  if (const auto why = detail::edge_check(s, target, who))
    return detail::refused_transition(s, *why);

  session next = s;
  next.status = target;
  next.updated_at = now;
  const instant start = s.scheduled_at;
  switch (target) {
    case session_status::scheduled:
      if (s.payment != payment_status::paid && !s.amount.is_zero()) {
        return detail::refused_transition(s, transition_reason::payment_not_received);
      }
      if (hold_expired(s, now, rules.hold)) {
        return detail::refused_transition(s, transition_reason::hold_expired);
      }
      return detail::made_transition(std::move(next));
    case session_status::confirmed:
      if (now >= start) return detail::refused_transition(s, transition_reason::session_started);
      return detail::made_transition(std::move(next));
    case session_status::in_progress:
      if (now < start - rules.early_start) {
        return detail::refused_transition(s, transition_reason::too_early_to_start);
      }
      if (now >= session_interval(s).end) {
        return detail::refused_transition(s, transition_reason::too_late_to_start);
      }
      next.joined_at = now;
      return detail::made_transition(std::move(next));
    case session_status::completed:
      // validate() guarantees an in_progress session has joined_at.
      if (now < *s.joined_at)
        return detail::refused_transition(s, transition_reason::ended_before_joined);
      next.ended_at = now;
      next.actual_duration = now - *s.joined_at;
      return detail::made_transition(std::move(next));
    case session_status::no_show: {
      if (!(now > start) || now < start + rules.no_show.grace) {
        return detail::refused_transition(s, transition_reason::too_early_for_no_show);
      }
      const no_show_charge charge = charge_no_show(s, rules.no_show);
      detail::record_refund(next, charge.refund);
      return detail::made_transition(std::move(next), charge.refund);
    }
    case session_status::pending_payment:
    case session_status::cancelled:
      break;  // no edge leads to pending_payment; cancel: above
  }
  return detail::refused_transition(s, transition_reason::not_an_edge);
}

/// Records a payment on a pending_payment session and schedules it: `payment = paid`, the method
/// and the payment provider's transaction id, then `transition(..., scheduled, ...)`. Only an
/// admin or the system may do this; a payment after the hold expired is refused with
/// `hold_expired` (the money has arrived, so the service must refund it or book again).
///
///     auto r = slotbook::confirm_payment(s, "mpesa", "QK7H2XYZ", slotbook::actor::system(), now);
inline transition_result confirm_payment(const session& s, std::string method,
                                         std::string transaction_id, const actor& who, instant now,
                                         const lifecycle_rules& rules = {}) {
  validate(s);
  if (s.status != session_status::pending_payment) {
    return transition(s, session_status::scheduled, who, now, rules);  // the refusal's reason
  }
  session paid = s;
  paid.payment = payment_status::paid;
  paid.payment_method = std::move(method);
  paid.transaction_id = std::move(transaction_id);
  return transition(paid, session_status::scheduled, who, now, rules);
}

/// The system's cancellation of an expired hold: when `hold_expired(s, now, rules.hold)`, cancels
/// it as `actor::system()` with reason `"hold_expired"` (nothing was paid, so nothing is
/// refunded); otherwise refuses with `hold_not_expired`.
///
///     for (const auto& s : store.pending_sessions())
///       if (auto r = slotbook::expire_hold(s, now); r.allowed()) store.write(*r.next);
inline transition_result expire_hold(const session& s, instant now,
                                     const lifecycle_rules& rules = {}) {
  validate(s);
  if (!hold_expired(s, now, rules.hold)) {
    return detail::refused_transition(s, transition_reason::hold_not_expired);
  }
  return cancel(s, actor::system(), now, "hold_expired", rules);
}

}  // namespace slotbook
