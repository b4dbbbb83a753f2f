#pragma once
/// \file seat.hpp
/// "Who sits in a group session?": a client's seat in a group session (`session_type::group`).
///
/// A group session is one `session` record: it holds its provider's time once, as any session
/// does, so the provider's no-overlap rule (and PostgreSQL's exclusion constraint) stays what it
/// was. Its clients are not on that record: each holds a `seat`, with its own money (the group's
/// per-seat price, the payment, the refund) and its own cancellation. The cancellation policy
/// judges a seat through `seat_view`, the seat seen as a one-client session at the group's time,
/// so the same rules (notice, tiers, who may cancel) apply to a seat as to a session.
/// docs/design.md, "Group sessions", has the model and its reasons.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "slotbook/actor.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/money.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// One client's seat in a group session. Active (`scheduled`) until cancelled; a cancelled seat
/// stays, with its refund, and no longer counts against the capacity. A client has at most one
/// active seat per group session (a cancelled one may be followed by a new seat).
///
///     slotbook::seat s;
///     s.session = group.id;
///     s.client = slotbook::client_id{7};
///     s.amount = group.amount;  // the per-seat price
///     s.created_at = s.updated_at = now;
///     slotbook::validate(s);
struct seat {
  std::int64_t id{};     ///< assigned by the store
  session_id session{};  ///< the group session
  client_id client{};    ///< who sits in it
  /// `scheduled` while the seat is held, `cancelled` once given up; nothing else.
  session_status status{session_status::scheduled};
  money amount{};  ///< the seat's price, >= 0
  payment_status payment{payment_status::pending};
  std::string payment_method;      ///< the host's vocabulary
  std::string transaction_id;      ///< the payment provider's id
  std::int64_t refunded_minor{0};  ///< refunded so far, minor units of `amount`'s currency
  instant created_at{};
  instant updated_at{};
  std::optional<instant> cancelled_at;
  std::string cancellation_reason;
  std::optional<role> cancelled_by;

  friend bool operator==(const seat&, const seat&) = default;
};

/// True while the seat is held (counts against the capacity, makes its client busy).
constexpr bool is_active(const seat& s) noexcept { return s.status == session_status::scheduled; }

/// Checks the invariants every stored seat keeps, throwing `errc::invalid_argument` naming the
/// field: session and client set; status `scheduled` or `cancelled`; the money rules of
/// `validate(const session&)` (amount not negative, refunded 0 to amount, `refunded` exactly when
/// something was refunded); a cancelled seat has `cancelled_at`; instants in the years 1 to 9999.
///
///     slotbook::validate(s);  // throws for s.client == client_id{0}
inline void validate(const seat& s) {
  const auto bad = [&](std::string_view field, const std::string& why) {
    throw error(errc::invalid_argument, fmt::format("{}: seat {} in session {} {}", field, s.id,
                                                    to_string(s.session), why));
  };
  if (!s.session.ok()) bad("session", "has no session id");
  if (!s.client.ok()) bad("client", "has no client id");
  if (s.status != session_status::scheduled && s.status != session_status::cancelled) {
    bad("status", fmt::format("is {}, not scheduled or cancelled", to_string(s.status)));
  }
  if (s.amount.is_negative()) bad("amount", fmt::format("is {}", to_string(s.amount)));
  if (s.refunded_minor < 0 || s.refunded_minor > s.amount.minor_units()) {
    bad("refunded_minor",
        fmt::format("has refunded {} minor units of {}", s.refunded_minor, to_string(s.amount)));
  }
  if ((s.refunded_minor > 0) != (s.payment == payment_status::refunded)) {
    bad("payment",
        fmt::format("is {} with {} minor units refunded", to_string(s.payment), s.refunded_minor));
  }
  detail::check_session_instant(s.created_at, "created_at");
  detail::check_session_instant(s.updated_at, "updated_at");
  if (s.cancelled_at) detail::check_session_instant(*s.cancelled_at, "cancelled_at");
  if (s.status == session_status::cancelled && !s.cancelled_at) {
    bad("cancelled_at", "is cancelled but has no cancelled_at");
  }
}

/// The seat as a one-client session at its group's time, for the rules written for sessions
/// (the cancellation policy, `acts_for`): the group's id, provider, time, type, reference and
/// status (`cancelled` when the seat is), with the seat's client and money. `group` must be the
/// seat's group session, or it is `errc::invalid_argument`.
///
///     const slotbook::session view = slotbook::seat_view(group, seat);
///     slotbook::acts_for(slotbook::actor::client(seat.client), view);  // true
inline session seat_view(const session& group, const seat& s) {
  if (!is_group(group) || group.id != s.session) {
    throw error(errc::invalid_argument,
                fmt::format("session: seat {} belongs to session {}, not to group session {}", s.id,
                            to_string(s.session), to_string(group.id)));
  }
  session v = group;
  // The policy's schedules are chosen by type; a seat is judged as an ordinary booking.
  v.type = session_type::initial;
  v.capacity = 0;
  v.client = s.client;
  v.amount = s.amount;
  v.payment = s.payment;
  v.payment_method = s.payment_method;
  v.transaction_id = s.transaction_id;
  v.refunded_minor = s.refunded_minor;
  v.created_at = s.created_at;
  v.updated_at = std::max(group.updated_at, s.updated_at);
  if (!is_active(s)) {
    v.status = session_status::cancelled;
    v.cancelled_at = s.cancelled_at;
    v.cancelled_by = s.cancelled_by;
    v.cancellation_reason = s.cancellation_reason;
    v.cancelled_from = session_status::scheduled;
  }
  return v;
}

}  // namespace slotbook
