#pragma once
/// \file reminders.hpp
/// "Which reminders are due for this session, and when?": reminder planning.
///
/// A plan lists how long before the start reminders go out (by default 24 h, 2 h and 15 min, as
/// the platform always did); a client's preferences pick the channels (email, SMS) and may turn
/// some of those reminders off. Planning is pure: it returns the reminders to queue and, when a
/// session changes, which session's queued reminders to drop and which to add. The store's
/// reminder queue and the sender come later and are not here.
///
/// Rules, for every function:
/// - only a scheduled or confirmed session gets reminders (an unpaid hold gets them when its
///   payment schedules it; a started, finished or cancelled session gets none);
/// - a reminder is due at `scheduled_at - offset`, which is always strictly before the start;
/// - none is due at or before `now`: booking 3 h ahead gets only the 2 h and 15 min reminders,
///   and booking exactly 2 h ahead only the 15 min one.

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// How a reminder reaches the client.
enum class reminder_channel {
  email,
  sms,
};

/// `"email"`, `"sms"`.
constexpr std::string_view to_string(reminder_channel c) noexcept {
  switch (c) {
    case reminder_channel::email:
      return "email";
    case reminder_channel::sms:
      return "sms";
  }
  return "unknown";
}

/// Reads `"email"` or `"sms"`; anything else is `errc::invalid_argument` naming `field`.
///
///     slotbook::parse_reminder_channel("sms");  // reminder_channel::sms
inline reminder_channel parse_reminder_channel(std::string_view text,
                                               std::string_view field = "channel") {
  constexpr reminder_channel all[] = {reminder_channel::email, reminder_channel::sms};
  return detail::parse_session_enum(text, field, "reminder channel", all);
}

/// The platform's reminder offsets: how long before the start each reminder is due. Offsets must
/// be 1 minute to 365 days and distinct (`validate`); their order does not matter.
///
///     slotbook::reminder_plan plan;  // 24 h, 2 h, 15 min
///     plan.offsets.push_back(std::chrono::minutes{60});
struct reminder_plan {
  std::vector<std::chrono::minutes> offsets{std::chrono::hours{24}, std::chrono::hours{2},
                                            std::chrono::minutes{15}};

  friend bool operator==(const reminder_plan&, const reminder_plan&) = default;
};

/// Throws `errc::invalid_argument` naming an offset outside 1 minute to 365 days or repeated.
inline void validate(const reminder_plan& plan) {
  for (std::size_t i = 0; i < plan.offsets.size(); ++i) {
    const auto offset = plan.offsets[i];
    detail::check_rule_minutes(offset, std::chrono::minutes{1}, std::chrono::days{365},
                               fmt::format("reminder_plan.offsets[{}]", i));
    for (std::size_t j = 0; j < i; ++j) {
      if (plan.offsets[j] == offset) {
        throw error(errc::invalid_argument,
                    fmt::format("reminder_plan.offsets[{}]: {} min repeats offsets[{}]", i,
                                offset.count(), j));
      }
    }
  }
}

/// One client's reminder settings: which channels, and which of the plan's offsets (all when
/// `offsets` is unset). Offsets the plan does not have are ignored, so preferences saved under an
/// older plan stay harmless.
///
///     slotbook::reminder_preferences prefs;  // email only, every offset
///     prefs.sms = true;
///     prefs.offsets = std::vector<std::chrono::minutes>{std::chrono::hours{24}};  // only 24 h
struct reminder_preferences {
  bool email{true};
  bool sms{false};
  std::optional<std::vector<std::chrono::minutes>> offsets;

  friend bool operator==(const reminder_preferences&, const reminder_preferences&) = default;
};

/// One reminder to send: for `session`, at `due`, through `channel`, the kind being `before` (the
/// plan offset, e.g. 2 h: "your session starts in 2 hours").
struct reminder {
  session_id session;
  instant due;
  reminder_channel channel;
  std::chrono::minutes before;

  friend bool operator==(const reminder&, const reminder&) = default;
};

/// A short name for a reminder kind: `"24h"`, `"2h"`, `"15m"`, `"90m"` (whole hours in hours,
/// anything else in minutes), e.g. for a template or a queue key.
inline std::string reminder_label(std::chrono::minutes before) {
  if (before.count() % 60 == 0) return fmt::format("{}h", before.count() / 60);
  return fmt::format("{}m", before.count());
}

/// True for the statuses that get reminders: scheduled and confirmed.
constexpr bool gets_reminders(session_status s) noexcept {
  return s == session_status::scheduled || s == session_status::confirmed;
}

/// The reminders for `s` still to come at `now`, ordered by due time, then email before SMS.
/// Empty for a session that gets none (see the file comment). An invalid session or plan is
/// `errc::invalid_argument`.
///
///     // s starts 3 h after now; prefs: email and SMS
///     slotbook::plan_reminders(s, now, prefs);
///     // {start-2h email, start-2h sms, start-15min email, start-15min sms}
inline std::vector<reminder> plan_reminders(const session& s, instant now,
                                            const reminder_preferences& prefs = {},
                                            const reminder_plan& plan = {}) {
  validate(s);
  validate(plan);
  detail::check_session_instant(now, "now");
  std::vector<reminder> out;
  if (!gets_reminders(s.status)) return out;
  for (const auto offset : plan.offsets) {
    if (prefs.offsets &&
        std::find(prefs.offsets->begin(), prefs.offsets->end(), offset) == prefs.offsets->end()) {
      continue;
    }
    const instant due = s.scheduled_at - offset;
    if (due <= now) continue;
    if (prefs.email) out.push_back(reminder{s.id, due, reminder_channel::email, offset});
    if (prefs.sms) out.push_back(reminder{s.id, due, reminder_channel::sms, offset});
  }
  std::sort(out.begin(), out.end(), [](const reminder& a, const reminder& b) {
    if (a.due != b.due) return a.due < b.due;
    return a.channel < b.channel;
  });
  return out;
}

/// What to do to the reminder queue after a change: first drop every queued reminder of the
/// sessions in `remove`, then queue `add`.
struct reminder_changes {
  std::vector<session_id> remove;
  std::vector<reminder> add;

  friend bool operator==(const reminder_changes&, const reminder_changes&) = default;
};

/// Cancelling removes a session's reminders.
///
///     auto c = slotbook::reminders_on_cancel(s);  // {remove: {s.id}, add: {}}
inline reminder_changes reminders_on_cancel(const session& s) { return {{s.id}, {}}; }

/// Rescheduling replaces them: the replaced session's reminders go and the replacement's are
/// planned as of `now`.
///
///     auto r = slotbook::reschedule(old, new_id, ref, new_start, who, now);
///     auto c = slotbook::reminders_on_reschedule(*r.replaced, *r.replacement, now, prefs);
inline reminder_changes reminders_on_reschedule(const session& replaced, const session& replacement,
                                                instant now, const reminder_preferences& prefs = {},
                                                const reminder_plan& plan = {}) {
  return {{replaced.id}, plan_reminders(replacement, now, prefs, plan)};
}

/// Any other change from `before` to `after` (the same session after a transition, a payment, an
/// edit): remove the queued reminders when `after` gets none or its start moved, and plan new ones
/// when `after` gets reminders and `before` did not or its start moved. Confirming a scheduled
/// session changes nothing; paying a hold adds its reminders; starting, completing, a no-show or
/// a cancellation removes them.
///
///     auto r = slotbook::confirm_payment(s, "mpesa", "QK7H2XYZ", slotbook::actor::system(), now);
///     auto c = slotbook::reminders_on_change(s, *r.next, now, prefs);  // adds the reminders
inline reminder_changes reminders_on_change(const session& before, const session& after,
                                            instant now, const reminder_preferences& prefs = {},
                                            const reminder_plan& plan = {}) {
  reminder_changes c;
  const bool moved = before.scheduled_at != after.scheduled_at || before.id != after.id;
  const bool had = gets_reminders(before.status);
  const bool has = gets_reminders(after.status);
  if (had && (!has || moved)) c.remove.push_back(before.id);
  if (has && (!had || moved)) c.add = plan_reminders(after, now, prefs, plan);
  return c;
}

}  // namespace slotbook
