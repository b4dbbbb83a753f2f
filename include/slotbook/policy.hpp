#pragma once
/// \file policy.hpp
/// "May this be cancelled or moved, and what does it cost?": the cancellation, rescheduling and
/// no-show policies.
///
/// Each policy is a small value with the platform's original rules as its defaults, and each
/// decision is a pure function of the session, who asks, `now` and the policy, returning a value
/// with a reason code (never an exception for "no"). Money is refunded only from a session whose
/// payment is `paid`, in whole minor units rounded down, never more than was paid.
///
/// The decisions do not change the session. `lifecycle.hpp`'s `cancel`/`transition` apply a
/// cancellation or no-show; `reschedule` here builds the replacement session. Whether the new time
/// of a reschedule is bookable (availability, notice, horizon, conflicts) is not decided here: the
/// booking service composes `decide_reschedule`, `check_bookable` from slots.hpp (with the old
/// session left out of the busy intervals, so a session may move into its own old time) and
/// `reschedule`, inside one transaction.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "slotbook/actor.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/money.hpp"
#include "slotbook/reference.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

// ---------------------------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------------------------

/// A client who cancels with at least `min_notice` before the start gets `refund` of the amount.
///
///     slotbook::refund_tier{std::chrono::hours{24}, slotbook::percent(100)}
struct refund_tier {
  std::chrono::minutes min_notice{};
  basis_points refund{};

  friend bool operator==(const refund_tier&, const refund_tier&) = default;
};

/// What happens to a client who cancels with less notice than every tier asks for.
enum class late_cancellation {
  refuse,                ///< the cancellation is refused (the seed: "at least 24 hours")
  allow_without_refund,  ///< it is allowed, and nothing is refunded
};

/// The refund a client gets by notice. `tiers` are ordered from the most notice to the least
/// (strictly decreasing `min_notice`, never negative) and their refunds never grow down the list,
/// so more notice never earns less; the first tier whose `min_notice` the notice reaches applies
/// (notice `>=` threshold). Below the last tier, `below_last_tier` decides.
///
///     // >= 24 h: 100 %, >= 2 h: 50 %, later (before the start): allowed, 0 %
///     slotbook::notice_schedule s{{{24h, slotbook::percent(100)}, {2h, slotbook::percent(50)}},
///                                 slotbook::late_cancellation::allow_without_refund};
struct notice_schedule {
  std::vector<refund_tier> tiers;
  late_cancellation below_last_tier{late_cancellation::refuse};

  friend bool operator==(const notice_schedule&, const notice_schedule&) = default;
};

/// Who gets what back when a session is cancelled.
/// - A client may always let go of a pending_payment hold (nothing is booked yet; anything that
///   was paid is refunded in full).
/// - A client cancels a scheduled or confirmed session under `standard` (or `emergency` for an
/// emergency session, when set). A
///   client can never cancel at or after the start time: that is a no-show.
/// - The provider, an admin or the system may cancel at any time before the session starts and
///   the client gets everything back. (An admin cancelling *on behalf of* a client should pass the
///   client as the actor, so the client's rules apply.)
///
/// The default is the platform's original rule (`seed()`): a client needs 24 h notice and then
/// gets a full refund; with less notice the cancellation is refused.
///
///     auto policy = slotbook::cancellation_policy::tiered();
///     policy.emergency = slotbook::notice_schedule{{{0min, slotbook::percent(100)}}, {}};
struct cancellation_policy {
  notice_schedule standard{{{std::chrono::hours{24}, percent(100)}}, late_cancellation::refuse};
  std::optional<notice_schedule> emergency;  ///< for emergency sessions; unset: `standard`

  /// The seed's rule and the default: >= 24 h notice → 100 %, less → refused; emergency sessions
  /// follow the same rule.
  static cancellation_policy seed() { return cancellation_policy{}; }

  /// A graded preset: >= 24 h → 100 %, >= 2 h → 50 %, later → allowed with no refund; emergency
  /// sessions (booked at short notice, often for a crisis that may resolve) are refunded in full
  /// whenever they are cancelled before the start.
  static cancellation_policy tiered() {
    using namespace std::chrono_literals;
    cancellation_policy p;
    p.standard = {{{24h, percent(100)}, {2h, percent(50)}},
                  late_cancellation::allow_without_refund};
    p.emergency = notice_schedule{{{0min, percent(100)}}, late_cancellation::refuse};
    return p;
  }

  friend bool operator==(const cancellation_policy&, const cancellation_policy&) = default;
};

namespace detail {

/// The most notice any policy may ask for: a year.
inline constexpr std::chrono::minutes max_notice{std::chrono::days{365}};

inline void validate_schedule(const notice_schedule& s, std::string_view name) {
  for (std::size_t i = 0; i < s.tiers.size(); ++i) {
    const refund_tier& t = s.tiers[i];
    check_rule_minutes(t.min_notice, std::chrono::minutes::zero(), max_notice,
                       fmt::format("cancellation_policy.{}.tiers[{}].min_notice", name, i));
    if (!t.refund.ok()) {
      throw error(errc::invalid_argument,
                  fmt::format("cancellation_policy.{}.tiers[{}].refund: {} basis points is outside "
                              "0 to 10000",
                              name, i, t.refund.value));
    }
    if (i > 0 && !(t.min_notice < s.tiers[i - 1].min_notice)) {
      throw error(
          errc::invalid_argument,
          fmt::format("cancellation_policy.{}.tiers[{}].min_notice: {} min is not less "
                      "than the previous tier's {} min (tiers go from most notice to least)",
                      name, i, t.min_notice.count(), s.tiers[i - 1].min_notice.count()));
    }
    if (i > 0 && t.refund > s.tiers[i - 1].refund) {
      throw error(errc::invalid_argument,
                  fmt::format("cancellation_policy.{}.tiers[{}].refund: {} basis points is more "
                              "than the previous tier's {} (less notice may not earn more)",
                              name, i, t.refund.value, s.tiers[i - 1].refund.value));
    }
  }
}

}  // namespace detail

/// Throws `errc::invalid_argument` naming the tier when a schedule is out of order, has a notice
/// outside 0 to 365 days or a share outside 0 to 10000 basis points. The decision functions call
/// it.
inline void validate(const cancellation_policy& p) {
  detail::validate_schedule(p.standard, "standard");
  if (p.emergency) detail::validate_schedule(*p.emergency, "emergency");
}

/// Why a cancellation was allowed or refused.
enum class cancellation_reason {
  by_provider,          ///< allowed: the session's provider cancelled; full refund
  by_admin,             ///< allowed: an admin cancelled; full refund
  by_system,            ///< allowed: the system cancelled (e.g. an expired hold); full refund
  releases_hold,        ///< allowed: a client let go of a pending_payment hold; full refund
  notice_tier,          ///< allowed: a client gave the notice of tier `tier`
  late_without_refund,  ///< allowed: a client gave less notice than every tier; no refund
  refused_late,         ///< refused: a client gave less notice than every tier
  refused_started,      ///< refused: a client cancelling at or after the start time
  refused_status,       ///< refused: the session is in progress or already over
  refused_not_a_party,  ///< refused: not this session's client or provider
};

/// `"by_provider"`, `"notice_tier"`, `"refused_late"`, ...: the enumerator's name.
constexpr std::string_view to_string(cancellation_reason r) noexcept {
  switch (r) {
    case cancellation_reason::by_provider:
      return "by_provider";
    case cancellation_reason::by_admin:
      return "by_admin";
    case cancellation_reason::by_system:
      return "by_system";
    case cancellation_reason::releases_hold:
      return "releases_hold";
    case cancellation_reason::notice_tier:
      return "notice_tier";
    case cancellation_reason::late_without_refund:
      return "late_without_refund";
    case cancellation_reason::refused_late:
      return "refused_late";
    case cancellation_reason::refused_started:
      return "refused_started";
    case cancellation_reason::refused_status:
      return "refused_status";
    case cancellation_reason::refused_not_a_party:
      return "refused_not_a_party";
  }
  return "unknown";
}

/// The answer to "may `who` cancel this session now, and what is refunded?".
struct cancellation_decision {
  bool allowed{false};
  cancellation_reason reason{cancellation_reason::refused_status};
  /// What to pay back: `share` of the amount, rounded down to a whole minor unit, when the
  /// cancellation is allowed and the payment is `paid`; zero (in the session's currency)
  /// otherwise. Never more than the amount.
  money refund{};
  /// The share of the amount the applied rule grants, whether or not anything was paid.
  basis_points share{};
  /// The index of the applied tier in the schedule, for `notice_tier`.
  std::optional<std::size_t> tier;
  /// True when the emergency schedule was used.
  bool emergency_schedule{false};
  /// `scheduled_at - now`; negative after the start.
  std::chrono::seconds notice{};

  friend bool operator==(const cancellation_decision&, const cancellation_decision&) = default;
};

namespace detail {

inline bool cancellable_status(session_status s) noexcept {
  return s == session_status::pending_payment || s == session_status::scheduled ||
         s == session_status::confirmed;
}

// `share` of the amount when it has been paid; zero otherwise. A session already (partly)
// refunded gets nothing more from a policy: the host settles that by hand.
inline money refund_of(const session& s, basis_points share) {
  if (s.payment != payment_status::paid) return money::zero(s.amount.currency_code());
  return portion(s.amount, share);
}

}  // namespace detail

/// Decides a cancellation of `s` by `who` at `now` (see `cancellation_policy` for the rules).
/// Checks, in order: `who` acts for the session; the status is pending_payment, scheduled or
/// confirmed; then the role's rule. An invalid session or policy is `errc::invalid_argument`.
///
///     const auto d = slotbook::decide_cancellation(s, slotbook::actor::client(s.client), now,
///                                                  slotbook::cancellation_policy::tiered());
///     if (d.allowed) refund(d.refund);
inline cancellation_decision decide_cancellation(const session& s, const actor& who, instant now,
                                                 const cancellation_policy& policy = {}) {
  validate(s);
  validate(policy);
  detail::check_session_instant(now, "now");
  cancellation_decision d;
  d.refund = money::zero(s.amount.currency_code());
  d.notice = s.scheduled_at - now;
  if (!acts_for(who, s)) {
    d.reason = cancellation_reason::refused_not_a_party;
    return d;
  }
  if (!detail::cancellable_status(s.status)) {
    d.reason = cancellation_reason::refused_status;
    return d;
  }
  if (s.status == session_status::pending_payment && who.kind() == role::client) {
    // Nothing is booked yet: a client may always let go of a hold, at any notice.
    d.allowed = true;
    d.reason = cancellation_reason::releases_hold;
    d.share = percent(100);
    d.refund = detail::refund_of(s, d.share);
    return d;
  }
  if (who.kind() != role::client) {
    d.allowed = true;
    d.reason = who.kind() == role::provider ? cancellation_reason::by_provider
               : who.kind() == role::admin  ? cancellation_reason::by_admin
                                            : cancellation_reason::by_system;
    d.share = percent(100);
    d.refund = detail::refund_of(s, d.share);
    return d;
  }
  if (d.notice <= std::chrono::seconds::zero()) {
    d.reason = cancellation_reason::refused_started;
    return d;
  }
  d.emergency_schedule = s.type == session_type::emergency && policy.emergency.has_value();
  const notice_schedule& schedule = d.emergency_schedule ? *policy.emergency : policy.standard;
  for (std::size_t i = 0; i < schedule.tiers.size(); ++i) {
    if (d.notice >= schedule.tiers[i].min_notice) {
      d.allowed = true;
      d.reason = cancellation_reason::notice_tier;
      d.tier = i;
      d.share = schedule.tiers[i].refund;
      d.refund = detail::refund_of(s, d.share);
      return d;
    }
  }
  if (schedule.below_last_tier == late_cancellation::allow_without_refund) {
    d.allowed = true;
    d.reason = cancellation_reason::late_without_refund;
  } else {
    d.reason = cancellation_reason::refused_late;
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// Rescheduling
// ---------------------------------------------------------------------------------------------

/// When a session may be moved to another time.
/// - Only a scheduled or confirmed session, and only before its start, may be moved (an unpaid
///   pending_payment hold is cancelled and booked again instead).
/// - A client needs `client_notice` before the current start (the same 24 h as cancelling, by
///   default); the provider, an admin and the system need none.
/// - A booking may be moved `max_reschedules` times in all, counted along the chain of
///   replacements; the limit binds clients and providers, not admins or the system.
///
///     slotbook::reschedule_policy p;  // 24 h client notice, at most 2 reschedules
///     p.max_reschedules = 1;
struct reschedule_policy {
  std::chrono::minutes client_notice{std::chrono::hours{24}};
  std::int32_t max_reschedules{2};

  friend bool operator==(const reschedule_policy&, const reschedule_policy&) = default;
};

/// Throws `errc::invalid_argument` for a notice outside 0 to 365 days or a negative limit.
inline void validate(const reschedule_policy& p) {
  detail::check_rule_minutes(p.client_notice, std::chrono::minutes::zero(), detail::max_notice,
                             "reschedule_policy.client_notice");
  if (p.max_reschedules < 0) {
    throw error(
        errc::invalid_argument,
        fmt::format("reschedule_policy.max_reschedules: {} is negative", p.max_reschedules));
  }
}

/// Why a reschedule was allowed or refused.
enum class reschedule_reason {
  allowed,              ///< allowed
  refused_not_a_party,  ///< not this session's client or provider
  refused_status,       ///< not scheduled or confirmed
  refused_started,      ///< at or after the start time
  refused_limit,        ///< `max_reschedules` already reached
  refused_notice,       ///< a client with less than `client_notice` before the start
};

/// `"allowed"`, `"refused_limit"`, ...: the enumerator's name.
constexpr std::string_view to_string(reschedule_reason r) noexcept {
  switch (r) {
    case reschedule_reason::allowed:
      return "allowed";
    case reschedule_reason::refused_not_a_party:
      return "refused_not_a_party";
    case reschedule_reason::refused_status:
      return "refused_status";
    case reschedule_reason::refused_started:
      return "refused_started";
    case reschedule_reason::refused_limit:
      return "refused_limit";
    case reschedule_reason::refused_notice:
      return "refused_notice";
  }
  return "unknown";
}

/// The answer to "may `who` move this session now?".
struct reschedule_decision {
  bool allowed{false};
  reschedule_reason reason{reschedule_reason::refused_status};
  std::chrono::seconds notice{};  ///< `scheduled_at - now`; negative after the start
  /// Reschedules left after this one for a client or provider (`max - count - 1` when allowed);
  /// admins and the system are not limited.
  std::int32_t remaining{0};

  friend bool operator==(const reschedule_decision&, const reschedule_decision&) = default;
};

/// Decides whether `who` may move `s` at `now`; the first failing check, in the order of
/// `reschedule_reason`, is the reason. Says nothing about the new time (see the file comment).
///
///     const auto d = slotbook::decide_reschedule(s, slotbook::actor::client(s.client), now);
///     if (!d.allowed) return to_string(d.reason);
inline reschedule_decision decide_reschedule(const session& s, const actor& who, instant now,
                                             const reschedule_policy& policy = {}) {
  validate(s);
  validate(policy);
  detail::check_session_instant(now, "now");
  reschedule_decision d;
  d.notice = s.scheduled_at - now;
  const bool limited = who.kind() == role::client || who.kind() == role::provider;
  d.remaining = limited ? std::max(0, policy.max_reschedules - s.reschedule_count) : 0;
  if (!acts_for(who, s)) {
    d.reason = reschedule_reason::refused_not_a_party;
  } else if (s.status != session_status::scheduled && s.status != session_status::confirmed) {
    d.reason = reschedule_reason::refused_status;
  } else if (d.notice <= std::chrono::seconds::zero()) {
    d.reason = reschedule_reason::refused_started;
  } else if (limited && s.reschedule_count >= policy.max_reschedules) {
    d.reason = reschedule_reason::refused_limit;
  } else if (who.kind() == role::client && d.notice < policy.client_notice) {
    d.reason = reschedule_reason::refused_notice;
  } else {
    d.allowed = true;
    d.reason = reschedule_reason::allowed;
    if (limited) d.remaining -= 1;
  }
  return d;
}

/// What `reschedule` produces: the decision and, when allowed, both sessions to write.
struct reschedule_result {
  reschedule_decision decision;
  /// The old session, cancelled: reason `"rescheduled"`, `rescheduled_to` set, payment untouched
  /// (no refund: the payment moved to the replacement).
  std::optional<session> replaced;
  /// The new session: status scheduled, `rescheduled_from` set, the same client, provider, type,
  /// duration, notes, amount and payment, `reschedule_count + 1`.
  std::optional<session> replacement;
};

/// Moves `old` to `new_start` if `decide_reschedule` allows it. The caller (the store) assigns
/// the replacement's id and booking reference; `new_id` must be set and differ from `old.id`,
/// `old.id` must be set and `new_reference` must be a valid reference, or it is
/// `errc::invalid_argument`. A confirmed session becomes a scheduled one: attendance is confirmed
/// afresh for the new time.
///
///     auto r = slotbook::reschedule(old, slotbook::session_id{99}, "BK-2026-001240", new_start,
///                                   slotbook::actor::client(old.client), now);
///     if (r.decision.allowed) store.write(*r.replaced, *r.replacement);
inline reschedule_result reschedule(const session& old, session_id new_id,
                                    std::string new_reference, instant new_start, const actor& who,
                                    instant now, const reschedule_policy& policy = {}) {
  if (!old.id.ok()) {
    throw error(errc::invalid_argument, "id: the session to reschedule has no id");
  }
  if (!new_id.ok() || new_id == old.id) {
    throw error(errc::invalid_argument,
                fmt::format("new_id: {} cannot be the replacement of session {}", to_string(new_id),
                            to_string(old.id)));
  }
  parse_reference(new_reference, "new_reference");
  detail::check_session_instant(new_start, "new_start");
  if (old.reschedule_count == std::numeric_limits<std::int32_t>::max()) {
    throw error(
        errc::invalid_argument,
        fmt::format("reschedule_count: session {} cannot be rescheduled again", to_string(old.id)));
  }
  reschedule_result r;
  r.decision = decide_reschedule(old, who, now, policy);
  if (!r.decision.allowed) return r;

  session replaced = old;
  replaced.status = session_status::cancelled;
  replaced.cancelled_at = now;
  replaced.updated_at = now;
  replaced.cancellation_reason = "rescheduled";
  replaced.cancelled_by = who.kind();
  replaced.cancelled_from = old.status;
  replaced.rescheduled_to = new_id;

  session replacement = old;
  replacement.id = new_id;
  replacement.booking_reference = std::move(new_reference);
  replacement.scheduled_at = new_start;
  replacement.status = session_status::scheduled;
  replacement.joined_at.reset();
  replacement.ended_at.reset();
  replacement.actual_duration.reset();
  replacement.created_at = now;
  replacement.updated_at = now;
  replacement.cancelled_at.reset();
  replacement.cancellation_reason.clear();
  replacement.cancelled_by.reset();
  replacement.cancelled_from.reset();
  replacement.rescheduled_from = old.id;
  replacement.rescheduled_to = session_id{};
  replacement.reschedule_count = old.reschedule_count + 1;

  r.replaced = std::move(replaced);
  r.replacement = std::move(replacement);
  return r;
}

// ---------------------------------------------------------------------------------------------
// No-shows
// ---------------------------------------------------------------------------------------------

/// What a no-show costs and when repeated no-shows have consequences.
/// - A session may be marked no_show only after its start, and no earlier than `grace` after it.
/// - Of a paid amount, `fee` is kept and the rest refunded (rounded down, as every refund): the
///   default keeps everything.
/// - A client with at least `prepay_after` no-shows among sessions scheduled in the last `window`
///   must pay before a booking is scheduled; with at least `block_after` they may not book at all.
///   Either threshold unset means never. Defaults: 90 days, prepayment from 2, never blocked.
///
///     slotbook::no_show_policy p;
///     p.fee = slotbook::percent(50);  // refund half of a paid no-show
///     p.block_after = 4;
struct no_show_policy {
  std::chrono::minutes grace{0};
  basis_points fee{percent(100)};
  std::chrono::days window{90};
  std::optional<std::int32_t> prepay_after{2};
  std::optional<std::int32_t> block_after{};

  friend bool operator==(const no_show_policy&, const no_show_policy&) = default;
};

/// Throws `errc::invalid_argument` for a grace outside 0 to 24 h, a fee outside 0 to 10000 basis
/// points, a window outside 1 to 3650 days or a threshold below 1.
inline void validate(const no_show_policy& p) {
  const auto bad = [](std::string_view field, const std::string& why) {
    throw error(errc::invalid_argument, fmt::format("no_show_policy.{}: {}", field, why));
  };
  detail::check_rule_minutes(p.grace, std::chrono::minutes::zero(), std::chrono::hours{24},
                             "no_show_policy.grace");
  if (!p.fee.ok()) bad("fee", fmt::format("{} basis points is outside 0 to 10000", p.fee.value));
  if (p.window <= std::chrono::days::zero() || p.window > std::chrono::days{3650}) {
    bad("window", fmt::format("{} days is outside 1 to 3650 days", p.window.count()));
  }
  if (p.prepay_after && *p.prepay_after < 1) {
    bad("prepay_after", fmt::format("{} is less than 1", *p.prepay_after));
  }
  if (p.block_after && *p.block_after < 1) {
    bad("block_after", fmt::format("{} is less than 1", *p.block_after));
  }
}

/// What happens to the money of a session marked no_show.
struct no_show_charge {
  money kept{};    ///< the fee retained (zero unless paid)
  money refund{};  ///< paid back (zero unless paid)

  friend bool operator==(const no_show_charge&, const no_show_charge&) = default;
};

/// The charge for `s` as a no-show: for a paid session the refund is `10000 - fee` basis points
/// of the amount rounded down and the rest is kept; for any other payment status both are zero.
///
///     slotbook::no_show_policy p;
///     p.fee = slotbook::percent(50);
///     slotbook::charge_no_show(paid_kes_1500, p);  // kept KES 750.00, refund KES 750.00
inline no_show_charge charge_no_show(const session& s, const no_show_policy& policy = {}) {
  validate(s);
  validate(policy);
  const money zero = money::zero(s.amount.currency_code());
  if (s.payment != payment_status::paid) return no_show_charge{zero, zero};
  // The refund is rounded down and the fee is the rest, so rounding favours keeping the fee and
  // kept + refund is exactly the amount.
  const money refund = portion(s.amount, basis_points{10000 - policy.fee.value});
  return no_show_charge{s.amount - refund, refund};
}

/// Where a client stands after their no-shows.
enum class client_standing {
  good,                 ///< may book as usual
  prepayment_required,  ///< may book, but a booking is scheduled only once paid
  blocked,              ///< may not book
};

/// `"good"`, `"prepayment_required"`, `"blocked"`.
constexpr std::string_view to_string(client_standing s) noexcept {
  switch (s) {
    case client_standing::good:
      return "good";
    case client_standing::prepayment_required:
      return "prepayment_required";
    case client_standing::blocked:
      return "blocked";
  }
  return "unknown";
}

/// A client's no-show count in the window and what follows from it.
struct no_show_record {
  std::int32_t no_shows{0};
  client_standing standing{client_standing::good};

  friend bool operator==(const no_show_record&, const no_show_record&) = default;
};

/// Counts `client`'s sessions with status no_show scheduled in `[now - window, now)` (sessions of
/// other clients in `sessions` are ignored) and applies the thresholds; `block_after` wins when
/// both are reached.
///
///     const auto r = slotbook::assess_no_shows(client_sessions, client, now);
///     if (r.standing == slotbook::client_standing::blocked) refuse();
inline no_show_record assess_no_shows(std::span<const session> sessions, client_id client,
                                      instant now, const no_show_policy& policy = {}) {
  validate(policy);
  detail::check_session_instant(now, "now");
  no_show_record r;
  const instant from = now - policy.window;
  for (const session& s : sessions) {
    if (s.client == client && s.status == session_status::no_show && from <= s.scheduled_at &&
        s.scheduled_at < now) {
      ++r.no_shows;
    }
  }
  if (policy.block_after && r.no_shows >= *policy.block_after) {
    r.standing = client_standing::blocked;
  } else if (policy.prepay_after && r.no_shows >= *policy.prepay_after) {
    r.standing = client_standing::prepayment_required;
  }
  return r;
}

}  // namespace slotbook
