#pragma once
/// \file session.hpp
/// "What is a booked session?": the session record, its status, type and payment status.
///
/// A `session` is a plain value with every field of the platform's original Session model plus
/// what slotbook adds (`no_show`, the refunded amount, who cancelled and from which status, both
/// ends of a reschedule, the reschedule count). It does nothing by itself: `lifecycle.hpp` moves
/// it between statuses, `policy.hpp` decides cancellations, reschedules and no-show charges, and
/// the store persists it. Enum names as text are the lowercase strings of the original API
/// (`"pending_payment"`, `"follow_up"`, `"paid"`, ...).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "slotbook/actor.hpp"
#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/money.hpp"
#include "slotbook/reference.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// Where a session is in its life. See docs/lifecycle.md for the state machine.
enum class session_status {
  pending_payment,  ///< booked, slot held until paid or the hold expires
  scheduled,        ///< paid (or free) and on the calendar
  confirmed,        ///< attendance confirmed
  in_progress,      ///< started (the provider joined)
  completed,        ///< ended normally (terminal)
  cancelled,        ///< called off, including an expired hold or a reschedule (terminal)
  no_show,          ///< the client did not attend (terminal)
};

/// What kind of session was booked.
enum class session_type {
  initial,    ///< a first consultation
  follow_up,  ///< a later session with the same provider
  emergency,  ///< an urgent session, possibly with its own cancellation rules
  /// A group session: the provider's time, held once, with up to `session::capacity` clients in
  /// seats (seat.hpp). It has no client of its own (docs/design.md, "Group sessions").
  group,
};

/// Where the session's payment stands.
enum class payment_status {
  pending,   ///< nothing received yet
  paid,      ///< received in full, nothing refunded
  refunded,  ///< some or all of it refunded; `refunded_minor` says how much
};

/// `"pending_payment"`, `"scheduled"`, `"confirmed"`, `"in_progress"`, `"completed"`,
/// `"cancelled"`, `"no_show"`.
constexpr std::string_view to_string(session_status s) noexcept {
  switch (s) {
    case session_status::pending_payment:
      return "pending_payment";
    case session_status::scheduled:
      return "scheduled";
    case session_status::confirmed:
      return "confirmed";
    case session_status::in_progress:
      return "in_progress";
    case session_status::completed:
      return "completed";
    case session_status::cancelled:
      return "cancelled";
    case session_status::no_show:
      return "no_show";
  }
  return "unknown";
}

/// `"initial"`, `"follow_up"`, `"emergency"`, `"group"`.
constexpr std::string_view to_string(session_type t) noexcept {
  switch (t) {
    case session_type::initial:
      return "initial";
    case session_type::follow_up:
      return "follow_up";
    case session_type::emergency:
      return "emergency";
    case session_type::group:
      return "group";
  }
  return "unknown";
}

/// `"pending"`, `"paid"`, `"refunded"`.
constexpr std::string_view to_string(payment_status p) noexcept {
  switch (p) {
    case payment_status::pending:
      return "pending";
    case payment_status::paid:
      return "paid";
    case payment_status::refunded:
      return "refunded";
  }
  return "unknown";
}

namespace detail {

template <class Enum, std::size_t N>
Enum parse_session_enum(std::string_view text, std::string_view field, std::string_view what,
                        const Enum (&values)[N]) {
  std::string names;
  for (Enum v : values) {
    if (text == to_string(v)) return v;
    names += names.empty() ? "" : ", ";
    names += to_string(v);
  }
  throw error(errc::invalid_argument,
              fmt::format("{}: {} is not a {} (one of {})", field, quote(text), what, names));
}

}  // namespace detail

/// Reads a status's lowercase name; anything else (including `"Scheduled"` or `" scheduled"`) is
/// `errc::invalid_argument` naming `field` and the text.
///
///     slotbook::parse_session_status("no_show");  // session_status::no_show
inline session_status parse_session_status(std::string_view text,
                                           std::string_view field = "status") {
  constexpr session_status all[] = {session_status::pending_payment, session_status::scheduled,
                                    session_status::confirmed,       session_status::in_progress,
                                    session_status::completed,       session_status::cancelled,
                                    session_status::no_show};
  return detail::parse_session_enum(text, field, "session status", all);
}

/// Reads a session type's lowercase name; anything else is `errc::invalid_argument`.
///
///     slotbook::parse_session_type("follow_up");  // session_type::follow_up
inline session_type parse_session_type(std::string_view text,
                                       std::string_view field = "session_type") {
  constexpr session_type all[] = {session_type::initial, session_type::follow_up,
                                  session_type::emergency, session_type::group};
  return detail::parse_session_enum(text, field, "session type", all);
}

/// Reads a payment status's lowercase name; anything else is `errc::invalid_argument`.
///
///     slotbook::parse_payment_status("paid");  // payment_status::paid
inline payment_status parse_payment_status(std::string_view text,
                                           std::string_view field = "payment_status") {
  constexpr payment_status all[] = {payment_status::pending, payment_status::paid,
                                    payment_status::refunded};
  return detail::parse_session_enum(text, field, "payment status", all);
}

/// True for the statuses nothing leaves: completed, cancelled, no_show.
constexpr bool is_terminal(session_status s) noexcept {
  return s == session_status::completed || s == session_status::cancelled ||
         s == session_status::no_show;
}

/// One booked session. Times are UTC; `duration` is the booked length. Optional fields are empty
/// until the event they record happens. A zero id means "none" (`id` before the store assigns
/// one, `rescheduled_from`/`rescheduled_to` when there was no reschedule).
///
///     slotbook::session s;
///     s.client = slotbook::client_id{7};
///     s.provider = slotbook::provider_id{42};
///     s.scheduled_at = slotbook::parse_instant("2026-01-15T10:00:00Z");
///     s.duration = std::chrono::minutes{60};
///     s.amount = slotbook::money::kes(150000);  // KES 1,500.00
///     s.created_at = s.updated_at = now;
///     slotbook::validate(s);
struct session {
  session_id id{};                  ///< assigned by the store
  client_id client{};               ///< who booked
  provider_id provider{};           ///< who gives it (the seed's psychologistId)
  instant scheduled_at{};           ///< booked start
  std::chrono::minutes duration{};  ///< booked length, > 0
  session_status status{session_status::pending_payment};
  session_type type{session_type::initial};

  std::string booking_reference;  ///< `BK-2026-001234`; empty until assigned
  std::string notes;
  std::string special_requests;

  money amount{};  ///< price, >= 0
  payment_status payment{payment_status::pending};
  std::string payment_method;      ///< e.g. "mpesa", "card"; the host's vocabulary
  std::string transaction_id;      ///< the payment provider's id
  std::int64_t refunded_minor{0};  ///< refunded so far, minor units of `amount`'s currency

  std::optional<instant> joined_at;                     ///< when it went in_progress
  std::optional<instant> ended_at;                      ///< when it completed
  std::optional<std::chrono::seconds> actual_duration;  ///< `ended_at - joined_at`

  instant created_at{};  ///< when booked; a pending hold runs from here
  instant updated_at{};  ///< last change
  std::optional<instant> cancelled_at;
  std::string cancellation_reason;               ///< free text, or "rescheduled", "hold_expired"
  std::optional<role> cancelled_by;              ///< who cancelled
  std::optional<session_status> cancelled_from;  ///< the status it was cancelled from

  session_id rescheduled_from{};  ///< the session this one replaced
  session_id rescheduled_to{};    ///< the session that replaced this one; its payment moved there
  std::int32_t reschedule_count{0};  ///< reschedules in this booking's chain so far

  /// The recurring series this session is an occurrence of (`booking_service::book_series`);
  /// zero for a single booking. A rescheduled occurrence stays in its series.
  series_id series{};
  /// For a `group` session, how many seats it has (1 to `max_group_capacity`); 0 for any other.
  std::int32_t capacity{0};

  friend bool operator==(const session&, const session&) = default;
};

/// The most seats one group session may have.
inline constexpr std::int32_t max_group_capacity = 1000;

/// True for a group session (`session_type::group`), whose clients hold seats.
constexpr bool is_group(const session& s) noexcept { return s.type == session_type::group; }

/// The booked time `[scheduled_at, scheduled_at + duration)`.
inline interval session_interval(const session& s) {
  return interval{s.scheduled_at, s.scheduled_at + s.duration};
}

/// What has been refunded, as money in the session's currency.
inline money refunded_amount(const session& s) {
  return money{s.refunded_minor, s.amount.currency_code()};
}

/// True when `who` may act on `s` at all: its own client, its own provider, any admin, the
/// system. Whether the action itself is allowed is for the lifecycle and policy rules.
///
///     slotbook::acts_for(slotbook::actor::client(s.client), s);  // true
inline bool acts_for(const actor& who, const session& s) {
  switch (who.kind()) {
    case role::client:
      return who.as_client() == s.client;
    case role::provider:
      return who.as_provider() == s.provider;
    case role::admin:
    case role::system:
      return true;
  }
  return false;
}

namespace detail {

/// The instants slotbook's rules accept: years 1 to 9999 (what ISO-8601 text can spell). Keeping
/// every instant and every configured duration bounded means no sum or difference of them can
/// overflow.
inline constexpr instant earliest_instant{std::chrono::seconds{-62'135'596'800}};  // 0001-01-01
inline constexpr instant latest_instant{std::chrono::seconds{253'402'300'799}};    // 9999-12-31

/// Throws `errc::invalid_argument` naming `field` when `t` is outside years 1 to 9999.
inline void check_session_instant(instant t, std::string_view field) {
  if (t < earliest_instant || t > latest_instant) {
    throw error(errc::invalid_argument,
                fmt::format("{}: {} seconds since 1970 is outside the years 1 to 9999", field,
                            t.time_since_epoch().count()));
  }
}

/// Throws `errc::invalid_argument` naming `field` when `d` is outside `[low, high]`.
inline void check_rule_minutes(std::chrono::minutes d, std::chrono::minutes low,
                               std::chrono::minutes high, std::string_view field) {
  if (d < low || d > high) {
    throw error(errc::invalid_argument, fmt::format("{}: {} min is outside {} to {} min", field,
                                                    d.count(), low.count(), high.count()));
  }
}

[[noreturn]] inline void bad_session(const session& s, std::string_view field,
                                     std::string_view why) {
  throw error(errc::invalid_argument,
              fmt::format("{}: session {} {}", field, to_string(s.id), why));
}

}  // namespace detail

/// Checks the invariants every stored session keeps, throwing `errc::invalid_argument` naming the
/// field at the first one broken:
/// - `provider` is set; `client` is set, except on a group session, which has none (its clients
///   hold seats); a group session has a `capacity` of 1 to `max_group_capacity`, any other 0;
///   `duration` is 1 minute to 24 hours; every instant lies in
///   the years 1 to 9999; `reschedule_count` is not negative;
/// - `amount` is not negative; `refunded_minor` is 0 to `amount`, and not 0 exactly when
///   `payment` is `refunded`;
/// - `booking_reference` is empty or a valid reference;
/// - an in_progress session has `joined_at`; a completed one has `joined_at`, `ended_at` not
///   before it and `actual_duration` equal to their difference; a cancelled one has
///   `cancelled_at`;
/// - a session is not rescheduled from or to itself.
/// The lifecycle and policy functions call it on their input, so a corrupt record is an error,
/// never a silently wrong decision.
inline void validate(const session& s) {
  using detail::bad_session;
  if (s.type == session_type::group) {
    if (s.client.ok()) bad_session(s, "client", "is a group session but has a client");
    if (s.capacity < 1 || s.capacity > max_group_capacity) {
      bad_session(s, "capacity",
                  fmt::format("is a group session with capacity {}, not 1 to {}", s.capacity,
                              max_group_capacity));
    }
  } else {
    if (!s.client.ok()) bad_session(s, "client", "has no client id");
    if (s.capacity != 0) {
      bad_session(s, "capacity",
                  fmt::format("is not a group session but has capacity {}", s.capacity));
    }
  }
  if (!s.provider.ok()) bad_session(s, "provider", "has no provider id");
  if (s.duration <= std::chrono::minutes::zero() || s.duration > std::chrono::hours{24}) {
    bad_session(s, "duration",
                fmt::format("has duration {} min, not 1 min to 24 h", s.duration.count()));
  }
  detail::check_session_instant(s.scheduled_at, "scheduled_at");
  detail::check_session_instant(s.created_at, "created_at");
  detail::check_session_instant(s.updated_at, "updated_at");
  for (const auto& [t, field] :
       {std::pair{s.joined_at, "joined_at"}, std::pair{s.ended_at, "ended_at"},
        std::pair{s.cancelled_at, "cancelled_at"}}) {
    if (t) detail::check_session_instant(*t, field);
  }
  if (s.reschedule_count < 0) {
    bad_session(s, "reschedule_count", fmt::format("has {} reschedules", s.reschedule_count));
  }
  if (s.amount.is_negative()) {
    bad_session(s, "amount", fmt::format("has a negative amount {}", to_string(s.amount)));
  }
  if (s.refunded_minor < 0 || s.refunded_minor > s.amount.minor_units()) {
    bad_session(
        s, "refunded_minor",
        fmt::format("has refunded {} of {}", to_string(refunded_amount(s)), to_string(s.amount)));
  }
  if ((s.refunded_minor > 0) != (s.payment == payment_status::refunded)) {
    bad_session(
        s, "payment",
        fmt::format("is {} with {} refunded", to_string(s.payment), to_string(refunded_amount(s))));
  }
  if (!s.booking_reference.empty()) parse_reference(s.booking_reference);
  if (s.status == session_status::in_progress && !s.joined_at) {
    bad_session(s, "joined_at", "is in_progress but has no joined_at");
  }
  if (s.status == session_status::completed) {
    if (!s.joined_at || !s.ended_at || !s.actual_duration) {
      bad_session(s, "ended_at", "is completed but lacks joined_at, ended_at or actual_duration");
    }
  }
  if (s.joined_at && s.ended_at) {
    if (*s.ended_at < *s.joined_at) {
      bad_session(s, "ended_at",
                  fmt::format("ended at {}, before it was joined at {}",
                              format_instant(*s.ended_at), format_instant(*s.joined_at)));
    }
    if (s.actual_duration && *s.actual_duration != *s.ended_at - *s.joined_at) {
      bad_session(
          s, "actual_duration",
          fmt::format("has actual_duration {}s but ran from {} to {}", s.actual_duration->count(),
                      format_instant(*s.joined_at), format_instant(*s.ended_at)));
    }
  }
  if (s.status == session_status::cancelled && !s.cancelled_at) {
    bad_session(s, "cancelled_at", "is cancelled but has no cancelled_at");
  }
  if (s.id.ok() && (s.rescheduled_from == s.id || s.rescheduled_to == s.id)) {
    bad_session(s, "rescheduled_from", "is rescheduled from or to itself");
  }
}

}  // namespace slotbook
