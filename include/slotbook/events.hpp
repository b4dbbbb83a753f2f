#pragma once
/// \file events.hpp
/// "What just changed?": the change events a booking service emits after each commit, and the
/// subscription a host holds to receive them (to push slot updates to browsers in real time).
///
/// Delivery contract (`booking_service::subscribe`):
/// - an event is delivered only after the transaction that made the change has committed, never
///   for a change that was rolled back, and never while a store lock is held;
/// - events are delivered in commit order, one at a time, each with a `sequence` one higher than
///   the one before (per service object; a change made by another process or another service
///   object on the same database is not seen);
/// - every callback subscribed when an event is delivered receives it, in subscription order.
///
/// Thread safety: callbacks run on the thread of *some* operation that committed, not necessarily
/// the one that made the change (whichever thread finds the queue free delivers everything that is
/// ready; the others return at once). Two callbacks never run at the same time. A callback may call
/// the service again (its own events are delivered after it returns) and may drop subscriptions,
/// its own included; it should be quick (hand the event to a queue or a socket writer), because
/// the operation delivering it waits. An exception thrown by a callback is swallowed: it must not
/// undo a commit that already happened, and the other subscribers still get the event.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "slotbook/actor.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// What happened.
enum class change_kind : std::uint8_t {
  booked,          ///< a new session (a booking, or the replacement of a reschedule)
  cancelled,       ///< a session was cancelled (not by a reschedule or hold expiry)
  rescheduled,     ///< `session` was moved; `related` is its replacement
  status_changed,  ///< any other status change (`from` → `to`)
  slot_freed,      ///< `time` stopped being busy for `provider` (follows the change that freed it)
  payment_confirmed,  ///< a payment was recorded on `session` (a `status_changed` follows)
  hold_expired,       ///< an unpaid hold ran out and was cancelled by the system
  /// A freed slot (`time`) is offered to `client` from the waitlist (`waitlist_entry`), held for
  /// them until the offer's deadline: the host notifies them (waitlist.hpp).
  waitlist_offered,
};

/// `"booked"`, `"cancelled"`, `"rescheduled"`, `"status_changed"`, `"slot_freed"`,
/// `"payment_confirmed"`, `"hold_expired"`, `"waitlist_offered"`.
constexpr std::string_view to_string(change_kind k) noexcept {
  switch (k) {
    case change_kind::booked:
      return "booked";
    case change_kind::cancelled:
      return "cancelled";
    case change_kind::rescheduled:
      return "rescheduled";
    case change_kind::status_changed:
      return "status_changed";
    case change_kind::slot_freed:
      return "slot_freed";
    case change_kind::payment_confirmed:
      return "payment_confirmed";
    case change_kind::hold_expired:
      return "hold_expired";
    case change_kind::waitlist_offered:
      return "waitlist_offered";
  }
  return "unknown";
}

/// One change, as a plain value safe to copy to another thread. It carries no notes, requests or
/// other free text, so it can be pushed to a browser as it is.
///
///     // {sequence 7, booked, session 12, BK-2026-000012, provider 42, client 7,
///     //  [2026-01-15T10:00:00Z, 2026-01-15T11:00:00Z), to pending_payment, by client}
struct change_event {
  std::uint64_t sequence{};  ///< 1, 2, 3, ... in delivery (= commit) order, per service object
  change_kind kind{change_kind::booked};
  instant at{};  ///< the operation's `now`
  session_id session{};
  std::string booking_reference{};
  provider_id provider{};
  client_id client{};
  interval time{};  ///< the session's booked time (for `slot_freed`, the time that became free)
  std::optional<session_status> from{};  ///< status before, when it changed
  std::optional<session_status> to{};    ///< status after
  session_id related{};                  ///< `rescheduled`: the replacement session
  role by{role::system};                 ///< who made the change
  std::int64_t waitlist_entry{0};        ///< `waitlist_offered`: the entry offered the slot

  friend bool operator==(const change_event&, const change_event&) = default;
};

/// Receives change events. See the file comment for when and on which thread.
using change_callback = std::function<void(const change_event&)>;

namespace detail {
class event_hub;
}

/// A live subscription: the callback is called until this object is destroyed or `reset`.
/// Movable, not copyable. When `reset` or the destructor returns, the callback is not running on
/// another thread and will not be called again (called from inside the callback itself, it returns
/// at once and the callback is not called again). A subscription may outlive its service: it then
/// does nothing.
///
///     auto sub = service.subscribe([&](const slotbook::change_event& e) { push(e); });
///     ...
///     sub.reset();  // or let it go out of scope
class subscription {
 public:
  /// Subscribed to nothing.
  subscription() noexcept = default;
  subscription(subscription&& other) noexcept;
  subscription& operator=(subscription&& other) noexcept;
  subscription(const subscription&) = delete;
  subscription& operator=(const subscription&) = delete;
  ~subscription();

  /// Unsubscribes now (see the class comment); does nothing when not subscribed.
  void reset() noexcept;
  /// True until `reset` (or a move from it).
  bool active() const noexcept { return id_ != 0; }

 private:
  friend class detail::event_hub;
  subscription(std::weak_ptr<detail::event_hub> hub, std::uint64_t id) noexcept
      : hub_(std::move(hub)), id_(id) {}

  std::weak_ptr<detail::event_hub> hub_;
  std::uint64_t id_{0};
};

}  // namespace slotbook
