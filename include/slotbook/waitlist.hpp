#pragma once
/// \file waitlist.hpp
/// "Tell me when something frees up": a client's place on a provider's waitlist, and the offer of
/// a freed slot it may receive.
///
/// A client joins the waitlist for a provider and a time range, with preferences (the session type
/// and the earliest and latest local start time of day in the provider's zone). When time of that
/// provider becomes free (a cancellation, a reschedule, an expired hold, a lapsed or withdrawn
/// offer), `booking_service` offers it, in the same write transaction, to the first matching
/// entry by join time: the entry becomes `offered` with the slot and a deadline, and the slot is
/// held for it (nobody else can book it or be offered it) until it accepts, withdraws or the offer
/// lapses; then the slot goes to the next in line. docs/design.md, "Waitlist", has the rules.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <date/tz.h>
#include <fmt/format.h>

#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// Where a waitlist entry stands.
enum class waitlist_state : std::uint8_t {
  waiting,    ///< in line
  offered,    ///< holds an offer of `offer` until `offer_expires`
  booked,     ///< accepted an offer; `booked` is the session (terminal)
  withdrawn,  ///< left the waitlist, or declined an offer (terminal)
  lapsed,     ///< let an offer run out (terminal)
};

/// `"waiting"`, `"offered"`, `"booked"`, `"withdrawn"`, `"lapsed"`.
constexpr std::string_view to_string(waitlist_state s) noexcept {
  switch (s) {
    case waitlist_state::waiting:
      return "waiting";
    case waitlist_state::offered:
      return "offered";
    case waitlist_state::booked:
      return "booked";
    case waitlist_state::withdrawn:
      return "withdrawn";
    case waitlist_state::lapsed:
      return "lapsed";
  }
  return "unknown";
}

/// Reads a state's name; anything else is `errc::invalid_argument` naming `field`.
///
///     slotbook::parse_waitlist_state("offered");  // waitlist_state::offered
inline waitlist_state parse_waitlist_state(std::string_view text,
                                           std::string_view field = "state") {
  for (const waitlist_state s :
       {waitlist_state::waiting, waitlist_state::offered, waitlist_state::booked,
        waitlist_state::withdrawn, waitlist_state::lapsed}) {
    if (text == to_string(s)) return s;
  }
  throw error(errc::invalid_argument,
              fmt::format("{}: {} is not a waitlist state (one of waiting, offered, booked, "
                          "withdrawn, lapsed)",
                          field, detail::quote(text)));
}

/// One client's place on one provider's waitlist.
///
///     slotbook::waitlist_entry e;
///     e.provider = slotbook::provider_id{42};
///     e.client = slotbook::client_id{7};
///     e.range = {slotbook::parse_instant("2026-03-02T00:00:00Z"),
///                slotbook::parse_instant("2026-03-07T00:00:00Z")};
///     e.earliest_local = std::chrono::hours{9};  // starts at 09:00 or later, provider time
///     e.joined_at = e.updated_at = now;
///     slotbook::validate(e);
struct waitlist_entry {
  std::int64_t id{};  ///< assigned by the store; ids grow with join order
  provider_id provider{};
  client_id client{};
  interval range{};                          ///< an offered session lies wholly inside it
  session_type type{session_type::initial};  ///< the session to book; never `group`
  /// The offered session starts at this local time of day or later (provider's zone); unset: any.
  std::optional<std::chrono::minutes> earliest_local{};
  /// ... and at this local time of day or earlier; unset: any.
  std::optional<std::chrono::minutes> latest_local{};
  waitlist_state state{waitlist_state::waiting};
  instant joined_at{};  ///< the order of the line (then `id`)
  instant updated_at{};
  std::optional<interval> offer{};       ///< the slot offered (kept after the offer ends)
  std::optional<instant> offer_expires;  ///< the offer's deadline
  session_id booked{};                   ///< for `booked`: the session

  friend bool operator==(const waitlist_entry&, const waitlist_entry&) = default;
};

/// True while the entry is in line or holds an offer.
constexpr bool is_open(const waitlist_entry& e) noexcept {
  return e.state == waitlist_state::waiting || e.state == waitlist_state::offered;
}

/// True when `e` holds an offer that has not run out at `now`: its slot is held for it.
inline bool offer_live(const waitlist_entry& e, instant now) noexcept {
  return e.state == waitlist_state::offered && e.offer && e.offer_expires && now < *e.offer_expires;
}

/// Checks the invariants every stored entry keeps, throwing `errc::invalid_argument` naming the
/// field: provider and client set; a non-empty range within the years 1 to 9999; a type other
/// than `group`; local times 00:00 to 23:59 with earliest <= latest; an `offered` entry has an
/// offer inside the range and a deadline; a `booked` one has its session.
inline void validate(const waitlist_entry& e) {
  const auto bad = [&](std::string_view field, const std::string& why) {
    throw error(errc::invalid_argument, fmt::format("{}: waitlist entry {} {}", field, e.id, why));
  };
  if (!e.provider.ok()) bad("provider", "has no provider id");
  if (!e.client.ok()) bad("client", "has no client id");
  detail::check_session_instant(e.range.begin, "range.begin");
  detail::check_session_instant(e.range.end, "range.end");
  if (!e.range.ok()) bad("range", fmt::format("has an empty range {}", to_string(e.range)));
  if (e.type == session_type::group) bad("type", "is for a group session");
  for (const auto& [t, field] :
       {std::pair{e.earliest_local, "earliest_local"}, std::pair{e.latest_local, "latest_local"}}) {
    if (t && (t->count() < 0 || t->count() > 1439)) {
      bad(field, fmt::format("is {} min, not 0 to 1439", t->count()));
    }
  }
  if (e.earliest_local && e.latest_local && *e.earliest_local > *e.latest_local) {
    bad("latest_local", fmt::format("{} min is before earliest_local {} min",
                                    e.latest_local->count(), e.earliest_local->count()));
  }
  detail::check_session_instant(e.joined_at, "joined_at");
  detail::check_session_instant(e.updated_at, "updated_at");
  if (e.offer_expires) detail::check_session_instant(*e.offer_expires, "offer_expires");
  if (e.offer) {
    detail::check_session_instant(e.offer->begin, "offer.begin");
    detail::check_session_instant(e.offer->end, "offer.end");
  }
  if (e.state == waitlist_state::offered) {
    if (!e.offer || !e.offer_expires) bad("offer", "is offered but has no offer or deadline");
    if (!e.offer->ok() || e.offer->begin < e.range.begin || e.offer->end > e.range.end) {
      bad("offer", fmt::format("offers {}, not inside its range {}", to_string(*e.offer),
                               to_string(e.range)));
    }
  }
  if (e.state == waitlist_state::booked && !e.booked.ok()) {
    bad("booked", "is booked but names no session");
  }
}

/// True when `slot` suits `e`: inside its range, and starting within its local times of day in
/// `zone` (the provider's).
///
///     if (slotbook::wants(entry, slot.time, date::locate_zone("Europe/Berlin"))) offer(slot);
inline bool wants(const waitlist_entry& e, const interval& slot, const date::time_zone* zone) {
  if (!slot.ok() || slot.begin < e.range.begin || slot.end > e.range.end) return false;
  if (!e.earliest_local && !e.latest_local) return true;
  const date::local_seconds local = zone->to_local(slot.begin);
  const auto minute =
      std::chrono::duration_cast<std::chrono::minutes>(local - date::floor<date::days>(local));
  if (e.earliest_local && minute < *e.earliest_local) return false;
  if (e.latest_local && minute > *e.latest_local) return false;
  return true;
}

}  // namespace slotbook
