// Lifecycle, cancellation / reschedule / no-show policies, reminders and analytics: pure functions
// of their inputs and an explicit `now`.

#include "bind.hpp"

namespace slotbook::python {

void bind_policy(py::module_& m) {
  using namespace pybind11::literals;
  const auto none = py::none();

  // --- validation ------------------------------------------------------------------------------
  m.def(
      "validate", [](const hold_rules& r) { slotbook::validate(r); }, "rules"_a,
      "Checks HoldRules: the hold is 1 minute to 7 days.");
  m.def(
      "validate", [](const lifecycle_rules& r) { slotbook::validate(r); }, "rules"_a,
      "Checks LifecycleRules and the policies in it; InvalidArgumentError naming the field.");
  m.def(
      "validate", [](const cancellation_policy& p) { slotbook::validate(p); }, "policy"_a,
      "Checks a CancellationPolicy: tiers from most notice to least, notices 0 to 365 days, "
      "shares 0 to 10000 basis points, never more for less notice.");
  m.def(
      "validate", [](const reschedule_policy& p) { slotbook::validate(p); }, "policy"_a,
      "Checks a ReschedulePolicy: notice 0 to 365 days, a limit that is not negative.");
  m.def(
      "validate", [](const no_show_policy& p) { slotbook::validate(p); }, "policy"_a,
      "Checks a NoShowPolicy: grace 0 to 24 h, fee 0 to 10000, window 1 to 3650 days, "
      "thresholds of at least 1.");
  m.def(
      "validate", [](const reminder_plan& p) { slotbook::validate(p); }, "plan"_a,
      "Checks a ReminderPlan: offsets 1 minute to 365 days, none repeated.");

  m.def("_cancellation_policy_seed", &cancellation_policy::seed);
  m.def("_cancellation_policy_tiered", &cancellation_policy::tiered);

  // --- holds and the state machine -------------------------------------------------------------
  m.def(
      "hold_expired",
      [](const session& s, named<instant, "now"> now, const std::optional<hold_rules>& rules) {
        return slotbook::hold_expired(s, *now, rules.value_or(hold_rules{}));
      },
      "session"_a, "now"_a, "rules"_a = none,
      "True when the session is pending_payment and `now` is at or past created_at + hold.");
  m.def(
      "occupies_time",
      [](const session& s, named<instant, "now"> now, const std::optional<hold_rules>& rules) {
        return slotbook::occupies_time(s, *now, rules.value_or(hold_rules{}));
      },
      "session"_a, "now"_a, "rules"_a = none,
      "True when the session makes its provider and client busy: scheduled, confirmed, in "
      "progress, or a pending_payment hold still running.");
  m.def("is_edge", &slotbook::is_edge, "from_status"_a, "to_status"_a,
        "True when the state machine has an edge from -> to (whoever takes it, whenever).");
  m.def("role_may", &slotbook::role_may, "role"_a, "from_status"_a, "to_status"_a,
        "True when `role` may take the edge from -> to.");

  m.def(
      "cancel",
      [](const session& s, const actor& who, named<instant, "now"> now, std::string reason,
         const std::optional<lifecycle_rules>& rules) {
        return slotbook::cancel(s, who, *now, std::move(reason), rules.value_or(lifecycle_rules{}));
      },
      "session"_a, "who"_a, "now"_a, "reason"_a = "", "rules"_a = none,
      "Cancels `session` as `who` at `now` under the cancellation policy of `rules` and returns a "
      "TransitionResult: when allowed, `next` is the cancelled session with any refund recorded "
      "and `refund` says what to pay back.");
  m.def(
      "transition",
      [](const session& s, session_status target, const actor& who, named<instant, "now"> now,
         const std::optional<lifecycle_rules>& rules) {
        return slotbook::transition(s, target, who, *now, rules.value_or(lifecycle_rules{}));
      },
      "session"_a, "target"_a, "who"_a, "now"_a, "rules"_a = none,
      "Moves `session` to `target` as `who` at `now`, or says why not (TransitionResult.reason). "
      "Each edge has its condition and records its fields (joined_at, ended_at, ...).");
  m.def(
      "confirm_payment",
      [](const session& s, std::string method, std::string transaction_id, const actor& who,
         named<instant, "now"> now, const std::optional<lifecycle_rules>& rules) {
        return slotbook::confirm_payment(s, std::move(method), std::move(transaction_id), who, *now,
                                         rules.value_or(lifecycle_rules{}));
      },
      "session"_a, "method"_a, "transaction_id"_a, "who"_a, "now"_a, "rules"_a = none,
      "Records a payment on a pending_payment session and schedules it (admin or system only).");
  m.def(
      "expire_hold",
      [](const session& s, named<instant, "now"> now, const std::optional<lifecycle_rules>& rules) {
        return slotbook::expire_hold(s, *now, rules.value_or(lifecycle_rules{}));
      },
      "session"_a, "now"_a, "rules"_a = none,
      "The system's cancellation of an expired hold (reason 'hold_expired'); refused with "
      "HOLD_NOT_EXPIRED otherwise.");

  // --- policies --------------------------------------------------------------------------------
  m.def(
      "decide_cancellation",
      [](const session& s, const actor& who, named<instant, "now"> now,
         const std::optional<cancellation_policy>& policy) {
        return slotbook::decide_cancellation(s, who, *now, policy.value_or(cancellation_policy{}));
      },
      "session"_a, "who"_a, "now"_a, "policy"_a = none,
      "May `who` cancel the session at `now`, and what is refunded? A CancellationDecision.");
  m.def(
      "decide_reschedule",
      [](const session& s, const actor& who, named<instant, "now"> now,
         const std::optional<reschedule_policy>& policy) {
        return slotbook::decide_reschedule(s, who, *now, policy.value_or(reschedule_policy{}));
      },
      "session"_a, "who"_a, "now"_a, "policy"_a = none,
      "May `who` move the session at `now`? Says nothing about the new time.");
  m.def(
      "reschedule",
      [](const session& old, session_id new_id, std::string new_reference,
         named<instant, "new_start"> new_start, const actor& who, named<instant, "now"> now,
         const std::optional<reschedule_policy>& policy) {
        return slotbook::reschedule(old, new_id, std::move(new_reference), *new_start, who, *now,
                                    policy.value_or(reschedule_policy{}));
      },
      "old"_a, "new_id"_a, "new_reference"_a, "new_start"_a, "who"_a, "now"_a, "policy"_a = none,
      "Moves `old` to `new_start` if decide_reschedule allows it: the old session cancelled "
      "('rescheduled') and its replacement, as a RescheduleResult.");
  m.def(
      "charge_no_show",
      [](const session& s, const std::optional<no_show_policy>& policy) {
        return slotbook::charge_no_show(s, policy.value_or(no_show_policy{}));
      },
      "session"_a, "policy"_a = none,
      "The fee kept and the refund for a session marked no_show (both zero unless paid).");
  m.def(
      "assess_no_shows",
      [](const std::vector<session>& sessions, client_id client, named<instant, "now"> now,
         const std::optional<no_show_policy>& policy) {
        py::gil_scoped_release release;
        return slotbook::assess_no_shows(sessions, client, *now, policy.value_or(no_show_policy{}));
      },
      "sessions"_a, "client"_a, "now"_a, "policy"_a = none,
      "Counts the client's no-shows scheduled in [now - window, now) and applies the thresholds.");

  // --- reminders -------------------------------------------------------------------------------
  m.def(
      "parse_reminder_channel",
      [](std::string_view text, std::string_view field) {
        return slotbook::parse_reminder_channel(text, field);
      },
      "text"_a, "field"_a = "channel", "Reads 'email' or 'sms'.");
  m.def(
      "reminder_label",
      [](std::chrono::minutes before) { return slotbook::reminder_label(before); }, "before"_a,
      "A reminder kind's short name: '24h', '2h', '15m', '90m'.");
  m.def("gets_reminders", &slotbook::gets_reminders, "status"_a,
        "True for the statuses that get reminders: scheduled and confirmed.");
  m.def(
      "plan_reminders",
      [](const session& s, named<instant, "now"> now,
         const std::optional<reminder_preferences>& prefs,
         const std::optional<reminder_plan>& plan) {
        return slotbook::plan_reminders(s, *now, prefs.value_or(reminder_preferences{}),
                                        plan.value_or(reminder_plan{}));
      },
      "session"_a, "now"_a, "preferences"_a = none, "plan"_a = none,
      "The reminders still to come for the session at `now`, by due time, email before SMS.");
  m.def("reminders_on_cancel", &slotbook::reminders_on_cancel, "session"_a,
        "Cancelling removes a session's reminders.");
  m.def(
      "reminders_on_reschedule",
      [](const session& replaced, const session& replacement, named<instant, "now"> now,
         const std::optional<reminder_preferences>& prefs,
         const std::optional<reminder_plan>& plan) {
        return slotbook::reminders_on_reschedule(replaced, replacement, *now,
                                                 prefs.value_or(reminder_preferences{}),
                                                 plan.value_or(reminder_plan{}));
      },
      "replaced"_a, "replacement"_a, "now"_a, "preferences"_a = none, "plan"_a = none,
      "The replaced session's reminders go; the replacement's are planned as of `now`.");
  m.def(
      "reminders_on_change",
      [](const session& before, const session& after, named<instant, "now"> now,
         const std::optional<reminder_preferences>& prefs,
         const std::optional<reminder_plan>& plan) {
        return slotbook::reminders_on_change(before, after, *now,
                                             prefs.value_or(reminder_preferences{}),
                                             plan.value_or(reminder_plan{}));
      },
      "before"_a, "after"_a, "now"_a, "preferences"_a = none, "plan"_a = none,
      "The queue changes for any other change of a session (a transition, a payment, an edit).");

  // --- analytics -------------------------------------------------------------------------------
  m.def(
      "_rate_basis_points", [](const rate& r) { return r.basis_points(); }, "rate"_a);
  m.def(
      "analyze_sessions",
      [](const std::vector<session>& sessions, provider_id provider, const interval& range,
         std::string_view revenue_currency, const std::vector<seat>& seats) {
        const currency code = currency::parse(revenue_currency, "revenue_currency");
        py::gil_scoped_release release;
        return slotbook::analyze_sessions(sessions, provider, range, code, seats);
      },
      "sessions"_a, "provider"_a, "range"_a, "revenue_currency"_a = "KES",
      "seats"_a = std::vector<seat>{},
      "The dashboard metrics of `provider`'s sessions scheduled in `range` (others are skipped), "
      "revenue in `revenue_currency`. `seats` are the Seat values of its group sessions: a group "
      "counts once, its held and cancelled seats are counted apart (group_sessions, seats, "
      "cancelled_seats) and seat payments are revenue; seats of sessions not counted are "
      "skipped.");
}

}  // namespace slotbook::python
