#pragma once
/// \file analytics.hpp
/// "How is this provider's practice doing?": the dashboard metrics over a provider's sessions in a
/// time range, in one pass.
///
/// What counts, and as what:
/// - a session counts when its provider is the one asked about and its `scheduled_at` lies in the
///   half-open range `[begin, end)` (turn local dates into instants with `to_instant`);
/// - `total` counts bookings: scheduled, confirmed, in_progress (`open`), completed, cancelled and
///   no_show sessions, so `total == open + completed + cancelled + no_show`;
/// - three kinds of session are reported apart and left out of `total` and the rates, because
///   counting them would count a booking that never was or count one booking twice: live unpaid
///   holds (`pending_holds`), holds cancelled before payment (`abandoned_holds`: expired or let
///   go), and sessions moved away by a reschedule (`rescheduled`: their replacement counts);
/// - rates are exact fractions of `total` and give 0 for an empty range, never NaN;
/// - revenue is paid minus refunded, in minor units, over every counted session whose payment is
///   paid or refunded, except sessions moved away (their payment moved with them); every counted
///   session must be in the revenue currency, or it is `errc::invalid_argument`;
/// - the average actual duration is over sessions that have one (completed ones), rounded down to
///   a whole second, 0 when there are none;
/// - a group session (`session_type::group`) counts once, as the provider's time it is, and its
///   seats (seat.hpp) are counted apart: `group_sessions` of the counted sessions are groups,
///   `seats` of their seats are held and `cancelled_seats` were given up; seat money (paid minus
///   refunded) is revenue like a session's. Seats of sessions not counted are skipped.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>

#include <fmt/format.h>

#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/money.hpp"
#include "slotbook/seat.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// An exact fraction `count / of` with `of >= count >= 0`; `0 / 0` stands for "no data" and reads
/// as zero.
///
///     slotbook::rate r{2, 3};
///     r.basis_points();  // 6666 (66.66 %, rounded down)
struct rate {
  std::int64_t count{0};
  std::int64_t of{0};

  /// `count / of` in basis points rounded down (so rates of one total never sum past 10000);
  /// 0 when `of` is not positive. A `count` outside 0 to `of` is clamped to it.
  constexpr std::int64_t basis_points() const noexcept {
    if (of <= 0) return 0;
    const std::int64_t c = count < 0 ? 0 : count > of ? of : count;
    // In 128 bits, c * 10000 cannot overflow whatever the counts.
    __extension__ using wide = __int128;
    return static_cast<std::int64_t>(static_cast<wide>(c) * 10000 / of);
  }

  /// Equal as stored (2/3 and 4/6 differ: they come from different totals).
  friend constexpr bool operator==(const rate&, const rate&) noexcept = default;
};

/// The metrics of `analyze_sessions`. See the file comment for what each counts.
struct session_analytics {
  std::int64_t total{0};      ///< bookings: open + completed + cancelled + no_show
  std::int64_t open{0};       ///< scheduled, confirmed or in_progress
  std::int64_t completed{0};  ///< completed
  std::int64_t cancelled{0};  ///< cancelled after being booked (not holds, not reschedules)
  std::int64_t no_show{0};    ///< no_show

  std::int64_t pending_holds{0};    ///< pending_payment (not in total)
  std::int64_t abandoned_holds{0};  ///< cancelled while pending_payment (not in total)
  std::int64_t rescheduled{0};      ///< cancelled by a reschedule (not in total)

  rate completion_rate;    ///< completed / total
  rate cancellation_rate;  ///< cancelled / total
  rate no_show_rate;       ///< no_show / total

  money revenue{};  ///< paid minus refunded, in the revenue currency

  std::int64_t timed_sessions{0};                   ///< sessions with an actual duration
  std::chrono::seconds total_actual_duration{0};    ///< their sum
  std::chrono::seconds average_actual_duration{0};  ///< their mean, rounded down; 0 if none
  std::int64_t group_sessions{0};   ///< counted sessions of type group (also in the counts above)
  std::int64_t seats{0};            ///< held seats of those group sessions
  std::int64_t cancelled_seats{0};  ///< cancelled seats of those group sessions

  friend bool operator==(const session_analytics&, const session_analytics&) = default;
};

/// The metrics for `provider`'s sessions in `range` among `sessions` (others are skipped), with
/// revenue in `revenue_currency`; `seats` are the seats of its group sessions (seats of sessions
/// not counted are skipped; each must be valid and in `revenue_currency`). `range` must be
/// non-empty and every counted session must be valid and in `revenue_currency`, or it is
/// `errc::invalid_argument`; so is a sum that does not fit 64 bits.
///
///     const auto a = slotbook::analyze_sessions(sessions, provider, {jan_1, feb_1});
///     a.completion_rate.basis_points();  // e.g. 8750 for 87.50 %
///     slotbook::to_string(a.revenue);    // e.g. "KES 42000.00"
inline session_analytics analyze_sessions(std::span<const session> sessions, provider_id provider,
                                          interval range,
                                          currency revenue_currency = currency::kes(),
                                          std::span<const seat> seats = {}) {
  if (!range.ok()) {
    throw error(errc::invalid_argument,
                fmt::format("range: {} is empty or inverted", to_string(range)));
  }
  session_analytics a;
  a.revenue = money::zero(revenue_currency);
  for (const session& s : sessions) {
    if (s.provider != provider || !range.contains(s.scheduled_at)) continue;
    validate(s);
    if (s.amount.currency_code() != revenue_currency) {
      throw error(
          errc::invalid_argument,
          fmt::format("amount: session {} is charged in {}, not the revenue currency {}",
                      to_string(s.id), s.amount.currency_code().code(), revenue_currency.code()));
    }
    const bool moved_away = s.rescheduled_to.ok();
    switch (s.status) {
      case session_status::pending_payment:
        ++a.pending_holds;
        break;
      case session_status::scheduled:
      case session_status::confirmed:
      case session_status::in_progress:
        ++a.open;
        break;
      case session_status::completed:
        ++a.completed;
        break;
      case session_status::no_show:
        ++a.no_show;
        break;
      case session_status::cancelled:
        if (moved_away) {
          ++a.rescheduled;
        } else if (s.cancelled_from == session_status::pending_payment) {
          ++a.abandoned_holds;
        } else {
          ++a.cancelled;
        }
        break;
    }
    if (!moved_away &&
        (s.payment == payment_status::paid || s.payment == payment_status::refunded)) {
      a.revenue += s.amount - refunded_amount(s);
    }
    if (is_group(s)) ++a.group_sessions;
    if (s.actual_duration) {
      ++a.timed_sessions;
      std::int64_t sum = 0;
      if (__builtin_add_overflow(a.total_actual_duration.count(), s.actual_duration->count(),
                                 &sum)) {
        throw error(errc::invalid_argument,
                    "actual_duration: the total does not fit in 64-bit seconds");
      }
      a.total_actual_duration = std::chrono::seconds{sum};
    }
  }
  for (const seat& t : seats) {
    const auto counted = std::find_if(sessions.begin(), sessions.end(), [&](const session& s) {
      return s.id == t.session && is_group(s) && s.provider == provider &&
             range.contains(s.scheduled_at);
    });
    if (counted == sessions.end()) continue;
    validate(t);
    if (t.amount.currency_code() != revenue_currency) {
      throw error(errc::invalid_argument,
                  fmt::format("amount: seat {} is charged in {}, not the revenue currency {}", t.id,
                              t.amount.currency_code().code(), revenue_currency.code()));
    }
    ++(is_active(t) ? a.seats : a.cancelled_seats);
    if (t.payment == payment_status::paid || t.payment == payment_status::refunded) {
      a.revenue += t.amount - money{t.refunded_minor, t.amount.currency_code()};
    }
  }
  a.total = a.open + a.completed + a.cancelled + a.no_show;
  a.completion_rate = {a.completed, a.total};
  a.cancellation_rate = {a.cancelled, a.total};
  a.no_show_rate = {a.no_show, a.total};
  if (a.timed_sessions > 0) {
    // Durations are never negative (validate checks ended_at >= joined_at), so / rounds down.
    a.average_actual_duration = a.total_actual_duration / a.timed_sessions;
  }
  return a;
}

}  // namespace slotbook
