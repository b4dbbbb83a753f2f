#pragma once
// Which C++ enum and struct becomes which Python enum and dataclass, field by field. The Python
// side of each entry is in bindings/python/slotbook/_values.py and _enums.py; the two must agree on
// the class and field names (the test suite checks that every class registered and that defaults
// agree).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "convert.hpp"

namespace slotbook {

// Texts for the enums the C++ headers give no `to_string`: their enumerator names.
constexpr std::string_view to_string(hours_kind k) noexcept {
  return k == hours_kind::actual ? "actual" : "weekly";
}
constexpr std::string_view to_string(slot_alignment a) noexcept {
  return a == slot_alignment::run_start ? "run_start" : "fixed_grid";
}
constexpr std::string_view to_string(late_cancellation l) noexcept {
  return l == late_cancellation::refuse ? "refuse" : "allow_without_refund";
}
constexpr std::string_view to_string(access a) noexcept {
  return a == access::read ? "read" : "write";
}

}  // namespace slotbook

namespace slotbook::python {

template <class... T>
struct type_list {};

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

SLOTBOOK_ENUM(errc, "ErrorCode", errc::invalid_argument, errc::not_found, errc::conflict,
              errc::outside_availability, errc::policy_denied, errc::forbidden, errc::storage,
              errc::crypto);
SLOTBOOK_ENUM(role, "Role", role::client, role::provider, role::admin, role::system);
SLOTBOOK_ENUM(session_status, "SessionStatus", session_status::pending_payment,
              session_status::scheduled, session_status::confirmed, session_status::in_progress,
              session_status::completed, session_status::cancelled, session_status::no_show);
SLOTBOOK_ENUM(session_type, "SessionType", session_type::initial, session_type::follow_up,
              session_type::emergency, session_type::group);
SLOTBOOK_ENUM(payment_status, "PaymentStatus", payment_status::pending, payment_status::paid,
              payment_status::refunded);
SLOTBOOK_ENUM(hours_kind, "HoursKind", hours_kind::actual, hours_kind::weekly);
SLOTBOOK_ENUM(slot_reason, "SlotReason", slot_reason::none, slot_reason::booked,
              slot_reason::buffer, slot_reason::too_soon, slot_reason::too_far,
              slot_reason::day_full, slot_reason::exception, slot_reason::outside_hours,
              slot_reason::not_on_grid, slot_reason::wrong_duration);
SLOTBOOK_ENUM(slot_alignment, "SlotAlignment", slot_alignment::run_start,
              slot_alignment::fixed_grid);
SLOTBOOK_ENUM(transition_reason, "TransitionReason", transition_reason::allowed,
              transition_reason::already_terminal, transition_reason::same_status,
              transition_reason::not_an_edge, transition_reason::role_not_permitted,
              transition_reason::not_a_party, transition_reason::payment_not_received,
              transition_reason::hold_expired, transition_reason::hold_not_expired,
              transition_reason::session_started, transition_reason::too_early_to_start,
              transition_reason::too_late_to_start, transition_reason::too_early_for_no_show,
              transition_reason::ended_before_joined, transition_reason::cancellation_refused);
SLOTBOOK_ENUM(late_cancellation, "LateCancellation", late_cancellation::refuse,
              late_cancellation::allow_without_refund);
SLOTBOOK_ENUM(cancellation_reason, "CancellationReason", cancellation_reason::by_provider,
              cancellation_reason::by_admin, cancellation_reason::by_system,
              cancellation_reason::releases_hold, cancellation_reason::notice_tier,
              cancellation_reason::late_without_refund, cancellation_reason::refused_late,
              cancellation_reason::refused_started, cancellation_reason::refused_status,
              cancellation_reason::refused_not_a_party);
SLOTBOOK_ENUM(reschedule_reason, "RescheduleReason", reschedule_reason::allowed,
              reschedule_reason::refused_not_a_party, reschedule_reason::refused_status,
              reschedule_reason::refused_started, reschedule_reason::refused_limit,
              reschedule_reason::refused_notice);
SLOTBOOK_ENUM(client_standing, "ClientStanding", client_standing::good,
              client_standing::prepayment_required, client_standing::blocked);
SLOTBOOK_ENUM(reminder_channel, "ReminderChannel", reminder_channel::email, reminder_channel::sms);
SLOTBOOK_ENUM(change_kind, "ChangeKind", change_kind::booked, change_kind::cancelled,
              change_kind::rescheduled, change_kind::status_changed, change_kind::slot_freed,
              change_kind::payment_confirmed, change_kind::hold_expired,
              change_kind::waitlist_offered);
SLOTBOOK_ENUM(reminder_state, "ReminderState", reminder_state::pending, reminder_state::claimed,
              reminder_state::sent, reminder_state::failed);
SLOTBOOK_ENUM(access, "Access", access::read, access::write);
SLOTBOOK_ENUM(refund_state, "RefundState", refund_state::none, refund_state::not_configured,
              refund_state::refunded, refund_state::failed);
SLOTBOOK_ENUM(payment_outcome, "PaymentOutcome", payment_outcome::scheduled,
              payment_outcome::already_confirmed, payment_outcome::refunded_late);
SLOTBOOK_ENUM(health_status, "HealthStatus", health_status::healthy, health_status::degraded,
              health_status::unhealthy);
SLOTBOOK_ENUM(audit_problem, "AuditProblem", audit_problem::none, audit_problem::missing_entry,
              audit_problem::edited, audit_problem::out_of_order, audit_problem::head_mismatch);
SLOTBOOK_ENUM(intake_step, "IntakeStep", intake_step::personal_info, intake_step::mental_health,
              intake_step::goals, intake_step::consent);
SLOTBOOK_ENUM(series_mode, "SeriesMode", series_mode::all_or_nothing, series_mode::free_ones);
SLOTBOOK_ENUM(series_scope, "SeriesScope", series_scope::this_one, series_scope::this_and_following,
              series_scope::whole_series);
SLOTBOOK_ENUM(occurrence_outcome, "OccurrenceOutcome", occurrence_outcome::cancelled,
              occurrence_outcome::skipped, occurrence_outcome::refused);
SLOTBOOK_ENUM(waitlist_state, "WaitlistState", waitlist_state::waiting, waitlist_state::offered,
              waitlist_state::booked, waitlist_state::withdrawn, waitlist_state::lapsed);

using all_enums =
    type_list<errc, role, session_status, session_type, payment_status, hours_kind, slot_reason,
              slot_alignment, transition_reason, late_cancellation, cancellation_reason,
              reschedule_reason, client_standing, reminder_channel, change_kind, reminder_state,
              access, refund_state, payment_outcome, health_status, audit_problem, intake_step,
              series_mode, series_scope, occurrence_outcome, waitlist_state>;

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

#define SLOTBOOK_RECORD(type, pyname)                             \
  template <>                                                     \
  struct record_info<type> {                                      \
    using T = type;                                               \
    static constexpr const char* name = pyname;                   \
    static constexpr auto descr = py::detail::const_name(pyname); \
    static T make() { return T{}; }                               \
    static auto fields();                                         \
  };                                                              \
  inline auto record_info<type>::fields()

/// A `basis_points` member as a plain int.
template <class T>
constexpr auto basis_points_field(const char* name, basis_points T::*ptr) {
  return field_as<T, std::int32_t>(
      name, [ptr](const T& t) { return (t.*ptr).value; },
      [ptr](T& t, std::int32_t v) { t.*ptr = basis_points{v}; });
}

SLOTBOOK_RECORD(interval, "Interval") {
  return std::make_tuple(field("begin", &T::begin), field("end", &T::end));
}
SLOTBOOK_RECORD(civil_time, "CivilTime") {
  return std::make_tuple(field("date", &T::date), field("weekday", &T::weekday),
                         field_as<T, clock_time>(
                             "time_of_day", [](const T& c) { return clock_time{c.time_of_day}; },
                             [](T& c, clock_time v) { c.time_of_day = v.value; }),
                         field("utc_offset", &T::utc_offset),
                         field("abbreviation", &T::abbreviation));
}
SLOTBOOK_RECORD(index_entry, "IndexEntry") {
  return std::make_tuple(field("span", &T::span), field("id", &T::id));
}
SLOTBOOK_RECORD(local_window, "LocalWindow") {
  return std::make_tuple(field_as<T, time_of_day>(
                             "start", [](const T& w) { return time_of_day{w.start}; },
                             [](T& w, time_of_day v) { w.start = v.value; }),
                         field_as<T, time_of_day_end>(
                             "end", [](const T& w) { return time_of_day_end{w.end}; },
                             [](T& w, time_of_day_end v) { w.end = v.value; }));
}
SLOTBOOK_RECORD(weekly_window, "WeeklyWindow") {
  return std::make_tuple(field("day", &T::day),
                         field_as<T, time_of_day>(
                             "start", [](const T& w) { return time_of_day{w.start}; },
                             [](T& w, time_of_day v) { w.start = v.value; }),
                         field_as<T, time_of_day_end>(
                             "end", [](const T& w) { return time_of_day_end{w.end}; },
                             [](T& w, time_of_day_end v) { w.end = v.value; }));
}
SLOTBOOK_RECORD(date_exception, "DateException") {
  return std::make_tuple(field("date", &T::date), field("available", &T::available),
                         field("hours", &T::hours), field("reason", &T::reason));
}
SLOTBOOK_RECORD(schedule, "Schedule") {
  return std::make_tuple(
      field("zone", &T::zone), field("windows", &T::windows), field("exceptions", &T::exceptions),
      field("effective_from", &T::effective_from), field("effective_until", &T::effective_until),
      field("active", &T::active));
}
SLOTBOOK_RECORD(seed_window, "SeedWindow") {
  return std::make_tuple(field("day_of_week", &T::day_of_week), field("start_time", &T::start_time),
                         field("end_time", &T::end_time), field("is_active", &T::is_active));
}
SLOTBOOK_RECORD(seed_exception, "SeedException") {
  return std::make_tuple(field("date", &T::date), field("is_available", &T::is_available),
                         field("custom_start_time", &T::custom_start_time),
                         field("custom_end_time", &T::custom_end_time),
                         field("reason", &T::reason));
}
SLOTBOOK_RECORD(slot_rules, "SlotRules") {
  return std::make_tuple(
      field("duration", &T::duration), field("step", &T::step),
      field("buffer_before", &T::buffer_before), field("buffer_after", &T::buffer_after),
      field("minimum_notice", &T::minimum_notice), field("maximum_advance", &T::maximum_advance),
      field("max_per_day", &T::max_per_day), field("alignment", &T::alignment));
}
SLOTBOOK_RECORD(slot, "Slot") {
  return std::make_tuple(field("time", &T::time), field("available", &T::available),
                         field("reason", &T::reason));
}
SLOTBOOK_RECORD(slot_decision, "SlotDecision") {
  return std::make_tuple(field("allowed", &T::allowed), field("reason", &T::reason));
}
SLOTBOOK_RECORD(team_slot, "TeamSlot") {
  return std::make_tuple(field("provider", &T::provider), field("time", &T::time));
}
SLOTBOOK_RECORD(money, "Money") {
  return std::make_tuple(
      field_as<T, std::int64_t>(
          "minor_units", [](const T& m) { return m.minor_units(); },
          [](T& m, std::int64_t v) {
            m = money{v, m.currency_code()};
          }),
      field_as<T, std::string>(
          "currency", [](const T& m) { return std::string{m.currency_code().code()}; },
          [](T& m, const std::string& code) {
            m = money{m.minor_units(), currency::parse(code, "Money.currency")};
          }));
}
SLOTBOOK_RECORD(booking_reference, "BookingReference") {
  return std::make_tuple(field("year", &T::year), field("sequence", &T::sequence));
}
SLOTBOOK_RECORD(session, "Session") {
  return std::make_tuple(
      field("id", &T::id), field("client", &T::client), field("provider", &T::provider),
      field("scheduled_at", &T::scheduled_at), field("duration", &T::duration),
      field("status", &T::status), field("type", &T::type),
      field("booking_reference", &T::booking_reference), field("notes", &T::notes),
      field("special_requests", &T::special_requests), field("amount", &T::amount),
      field("payment", &T::payment), field("payment_method", &T::payment_method),
      field("transaction_id", &T::transaction_id), field("refunded_minor", &T::refunded_minor),
      field("joined_at", &T::joined_at), field("ended_at", &T::ended_at),
      field("actual_duration", &T::actual_duration), field("created_at", &T::created_at),
      field("updated_at", &T::updated_at), field("cancelled_at", &T::cancelled_at),
      field("cancellation_reason", &T::cancellation_reason),
      field("cancelled_by", &T::cancelled_by), field("cancelled_from", &T::cancelled_from),
      field("rescheduled_from", &T::rescheduled_from), field("rescheduled_to", &T::rescheduled_to),
      field("reschedule_count", &T::reschedule_count), field("series", &T::series),
      field("capacity", &T::capacity));
}
SLOTBOOK_RECORD(hold_rules, "HoldRules") { return std::make_tuple(field("hold", &T::hold)); }
SLOTBOOK_RECORD(refund_tier, "RefundTier") {
  return std::make_tuple(field("min_notice", &T::min_notice),
                         basis_points_field<T>("refund", &T::refund));
}
SLOTBOOK_RECORD(notice_schedule, "NoticeSchedule") {
  return std::make_tuple(field("tiers", &T::tiers), field("below_last_tier", &T::below_last_tier));
}
SLOTBOOK_RECORD(cancellation_policy, "CancellationPolicy") {
  return std::make_tuple(field("standard", &T::standard), field("emergency", &T::emergency));
}
SLOTBOOK_RECORD(no_show_policy, "NoShowPolicy") {
  return std::make_tuple(field("grace", &T::grace), basis_points_field<T>("fee", &T::fee),
                         field("window", &T::window), field("prepay_after", &T::prepay_after),
                         field("block_after", &T::block_after));
}
SLOTBOOK_RECORD(lifecycle_rules, "LifecycleRules") {
  return std::make_tuple(field("early_start", &T::early_start), field("hold", &T::hold),
                         field("cancellation", &T::cancellation), field("no_show", &T::no_show));
}
SLOTBOOK_RECORD(cancellation_decision, "CancellationDecision") {
  return std::make_tuple(
      field("allowed", &T::allowed), field("reason", &T::reason), field("refund", &T::refund),
      basis_points_field<T>("share", &T::share), field("tier", &T::tier),
      field("emergency_schedule", &T::emergency_schedule), field("notice", &T::notice));
}
SLOTBOOK_RECORD(transition_result, "TransitionResult") {
  return std::make_tuple(field("reason", &T::reason), field("next", &T::next),
                         field("refund", &T::refund), field("cancellation", &T::cancellation));
}
SLOTBOOK_RECORD(reschedule_policy, "ReschedulePolicy") {
  return std::make_tuple(field("client_notice", &T::client_notice),
                         field("max_reschedules", &T::max_reschedules));
}
SLOTBOOK_RECORD(reschedule_decision, "RescheduleDecision") {
  return std::make_tuple(field("allowed", &T::allowed), field("reason", &T::reason),
                         field("notice", &T::notice), field("remaining", &T::remaining));
}
SLOTBOOK_RECORD(reschedule_result, "RescheduleResult") {
  return std::make_tuple(field("decision", &T::decision), field("replaced", &T::replaced),
                         field("replacement", &T::replacement));
}
SLOTBOOK_RECORD(no_show_charge, "NoShowCharge") {
  return std::make_tuple(field("kept", &T::kept), field("refund", &T::refund));
}
SLOTBOOK_RECORD(no_show_record, "NoShowRecord") {
  return std::make_tuple(field("no_shows", &T::no_shows), field("standing", &T::standing));
}
SLOTBOOK_RECORD(reminder_plan, "ReminderPlan") {
  return std::make_tuple(field("offsets", &T::offsets));
}
SLOTBOOK_RECORD(reminder_preferences, "ReminderPreferences") {
  return std::make_tuple(field("email", &T::email), field("sms", &T::sms),
                         field("offsets", &T::offsets));
}
SLOTBOOK_RECORD(reminder, "Reminder") {
  return std::make_tuple(field("session", &T::session), field("due", &T::due),
                         field("channel", &T::channel), field("before", &T::before));
}
SLOTBOOK_RECORD(reminder_changes, "ReminderChanges") {
  return std::make_tuple(field("remove", &T::remove), field("add", &T::add));
}
SLOTBOOK_RECORD(rate, "Rate") {
  return std::make_tuple(field("count", &T::count), field("of", &T::of));
}
SLOTBOOK_RECORD(session_analytics, "SessionAnalytics") {
  return std::make_tuple(
      field("total", &T::total), field("open", &T::open), field("completed", &T::completed),
      field("cancelled", &T::cancelled), field("no_show", &T::no_show),
      field("pending_holds", &T::pending_holds), field("abandoned_holds", &T::abandoned_holds),
      field("rescheduled", &T::rescheduled), field("completion_rate", &T::completion_rate),
      field("cancellation_rate", &T::cancellation_rate), field("no_show_rate", &T::no_show_rate),
      field("revenue", &T::revenue), field("timed_sessions", &T::timed_sessions),
      field("total_actual_duration", &T::total_actual_duration),
      field("average_actual_duration", &T::average_actual_duration),
      field("group_sessions", &T::group_sessions), field("seats", &T::seats),
      field("cancelled_seats", &T::cancelled_seats));
}
SLOTBOOK_RECORD(change_event, "ChangeEvent") {
  return std::make_tuple(
      field("sequence", &T::sequence), field("kind", &T::kind), field("at", &T::at),
      field("session", &T::session), field("booking_reference", &T::booking_reference),
      field("provider", &T::provider), field("client", &T::client), field("time", &T::time),
      field("from_status", &T::from), field("to_status", &T::to), field("related", &T::related),
      field("by", &T::by), field("waitlist_entry", &T::waitlist_entry));
}
SLOTBOOK_RECORD(provider_profile, "ProviderProfile") {
  return std::make_tuple(field("id", &T::id), field("name", &T::name), field("hours", &T::hours),
                         field("rules", &T::rules), field("price", &T::price),
                         field("active", &T::active),
                         field("requires_intake", &T::requires_intake));
}
SLOTBOOK_RECORD(queued_reminder, "QueuedReminder") {
  return std::make_tuple(field("id", &T::id), field("what", &T::what), field("client", &T::client),
                         field("state", &T::state), field("attempts", &T::attempts),
                         field("lease_until", &T::lease_until),
                         field("next_attempt", &T::next_attempt), field("sent_at", &T::sent_at),
                         field("last_error", &T::last_error));
}
SLOTBOOK_RECORD(reminder_backlog, "ReminderBacklog") {
  return std::make_tuple(field("due", &T::due), field("waiting", &T::waiting),
                         field("oldest_due", &T::oldest_due));
}
SLOTBOOK_RECORD(audit_entry, "AuditEntry") {
  return std::make_tuple(
      field("sequence", &T::sequence), field("at", &T::at), field("who_role", &T::who_role),
      field("who_id", &T::who_id), field("action", &T::action), field("session", &T::session),
      field("before", &T::before), field("after", &T::after), field("detail", &T::detail),
      field("previous_hash", &T::previous_hash), field("hash", &T::hash));
}
SLOTBOOK_RECORD(sqlite_settings, "SqliteSettings") {
  return std::make_tuple(
      field("journal_mode", &T::journal_mode), field("synchronous", &T::synchronous),
      field("foreign_keys", &T::foreign_keys), field("busy_timeout", &T::busy_timeout),
      field("schema_version", &T::schema_version), field("application_id", &T::application_id),
      field("secure_delete", &T::secure_delete));
}
SLOTBOOK_RECORD(reminder_message, "ReminderMessage") {
  return std::make_tuple(
      field("reminder", &T::reminder), field("attempt", &T::attempt), field("channel", &T::channel),
      field("before", &T::before), field("due", &T::due), field("session", &T::session),
      field("booking_reference", &T::booking_reference), field("client", &T::client),
      field("provider", &T::provider), field("provider_name", &T::provider_name),
      field("scheduled_at", &T::scheduled_at), field("duration", &T::duration));
}
SLOTBOOK_RECORD(delivery, "Delivery") {
  return std::make_tuple(field("delivered", &T::delivered), field("error", &T::error));
}
SLOTBOOK_RECORD(refund_request, "RefundRequest") {
  return std::make_tuple(field("transaction_id", &T::transaction_id), field("amount", &T::amount),
                         field("session", &T::session),
                         field("booking_reference", &T::booking_reference),
                         field("idempotency_key", &T::idempotency_key));
}
SLOTBOOK_RECORD(refund_result, "RefundResult") {
  return std::make_tuple(field("refunded", &T::refunded),
                         field("gateway_reference", &T::gateway_reference),
                         field("error", &T::error));
}
SLOTBOOK_RECORD(reminder_retry, "ReminderRetry") {
  return std::make_tuple(field("lease", &T::lease), field("first_backoff", &T::first_backoff),
                         field("max_backoff", &T::max_backoff),
                         field("max_attempts", &T::max_attempts));
}
SLOTBOOK_RECORD(booking_request, "BookingRequest") {
  return std::make_tuple(field("provider", &T::provider), field("client", &T::client),
                         field("scheduled_at", &T::scheduled_at), field("duration", &T::duration),
                         field("type", &T::type), field("special_requests", &T::special_requests),
                         field("notes", &T::notes));
}
SLOTBOOK_RECORD(booking_confirmation, "BookingConfirmation") {
  return std::make_tuple(
      field("session", &T::session), field("booking_reference", &T::booking_reference),
      field("scheduled_at", &T::scheduled_at), field("payment_required", &T::payment_required),
      field("amount", &T::amount), field("status", &T::status));
}
/// `first_start` is a naive datetime (a wall-clock time in the provider's zone) or an aware one
/// (an instant); `rule` is RRULE text (a parsed rule comes back as its canonical text).
SLOTBOOK_RECORD(series_request, "SeriesRequest") {
  return std::make_tuple(
      field("provider", &T::provider), field("client", &T::client),
      field_as<T, py::object>(
          "first_start",
          [](const T& r) {
            if (const auto* local = std::get_if<date::local_seconds>(&r.first_start)) {
              return from_local_seconds(*local);
            }
            return from_instant(std::get<instant>(r.first_start));
          },
          [](T& r, const py::object& v) {
            if (!is_datetime(v)) {
              throw py::type_error(fmt::format("expected datetime.datetime, got {} {}",
                                               type_name(v), short_repr(v)));
            }
            if (is_naive_datetime(v)) {
              r.first_start = to_local_seconds(v);
            } else {
              r.first_start = to_instant(v);
            }
          }),
      field_as<T, std::string>(
          "rule",
          [](const T& r) {
            if (const auto* text = std::get_if<std::string>(&r.rule)) return *text;
            return format_rrule(std::get<recurrence_rule>(r.rule));
          },
          [](T& r, std::string v) { r.rule = std::move(v); }),
      field("duration", &T::duration), field("type", &T::type),
      field("special_requests", &T::special_requests), field("notes", &T::notes),
      field("mode", &T::mode));
}
SLOTBOOK_RECORD(series_occurrence, "SeriesOccurrence") {
  return std::make_tuple(field("index", &T::index),
                         field_as<T, wall_clock>(
                             "local_start", [](const T& o) { return wall_clock{o.local_start}; },
                             [](T& o, wall_clock v) { o.local_start = v.value; }),
                         field("time", &T::time), field("booked", &T::booked),
                         field("refused", &T::refused), field("reason", &T::reason),
                         field("message", &T::message));
}
SLOTBOOK_RECORD(series_booking, "SeriesBooking") {
  return std::make_tuple(field("series", &T::series), field("rule", &T::rule),
                         field("mode", &T::mode), field("occurrences", &T::occurrences));
}
SLOTBOOK_RECORD(occurrence_cancellation, "OccurrenceCancellation") {
  return std::make_tuple(field("occurrence", &T::occurrence), field("outcome", &T::outcome),
                         field("decision", &T::decision), field("refund", &T::refund),
                         field("reason", &T::reason));
}
SLOTBOOK_RECORD(series_cancellation, "SeriesCancellation") {
  return std::make_tuple(field("series", &T::series), field("scope", &T::scope),
                         field("occurrences", &T::occurrences));
}
SLOTBOOK_RECORD(refund_outcome, "RefundOutcome") {
  return std::make_tuple(field("state", &T::state), field("amount", &T::amount),
                         field("gateway_reference", &T::gateway_reference),
                         field("error", &T::error));
}
SLOTBOOK_RECORD(cancellation_result, "CancellationResult") {
  return std::make_tuple(field("cancelled", &T::cancelled), field("decision", &T::decision),
                         field("refund", &T::refund));
}
SLOTBOOK_RECORD(status_change, "StatusChange") {
  return std::make_tuple(field("to", &T::to), field("expected", &T::expected),
                         field("notes", &T::notes));
}
SLOTBOOK_RECORD(status_result, "StatusResult") {
  return std::make_tuple(field("updated", &T::updated), field("refund", &T::refund));
}
SLOTBOOK_RECORD(payment_result, "PaymentResult") {
  return std::make_tuple(field("updated", &T::updated), field("outcome", &T::outcome),
                         field("refund", &T::refund));
}
SLOTBOOK_RECORD(reschedule_confirmation, "RescheduleConfirmation") {
  return std::make_tuple(field("replaced", &T::replaced), field("replacement", &T::replacement),
                         field("decision", &T::decision));
}
SLOTBOOK_RECORD(claimed_reminder, "ClaimedReminder") {
  return std::make_tuple(field("queued", &T::queued), field("message", &T::message));
}
SLOTBOOK_RECORD(reminder_run, "ReminderRun") {
  return std::make_tuple(field("claimed", &T::claimed), field("sent", &T::sent),
                         field("retrying", &T::retrying), field("given_up", &T::given_up));
}
SLOTBOOK_RECORD(health_report, "HealthReport") {
  return std::make_tuple(field("status", &T::status), field("at", &T::at),
                         field("storage_reachable", &T::storage_reachable),
                         field("reminders_due", &T::reminders_due),
                         field("reminders_waiting", &T::reminders_waiting),
                         field("oldest_due_age", &T::oldest_due_age), field("error", &T::error));
}
SLOTBOOK_RECORD(audit_verification, "AuditVerification") {
  return std::make_tuple(field("problem", &T::problem), field("sequence", &T::sequence),
                         field("checked", &T::checked), field("message", &T::message));
}
SLOTBOOK_RECORD(audit_head, "AuditHead") {
  return std::make_tuple(field("sequence", &T::sequence), field("hash", &T::hash));
}

/// `std::vector<std::uint8_t>` members as Python `bytes`.
template <class T>
constexpr auto bytes_field(const char* name, std::vector<std::uint8_t> T::*ptr) {
  return field_as<T, py::bytes>(
      name,
      [ptr](const T& t) {
        const auto& v = t.*ptr;
        return py::bytes(reinterpret_cast<const char*>(v.data()), v.size());
      },
      [ptr](T& t, py::bytes b) {
        const std::string_view s = b;
        t.*ptr = std::vector<std::uint8_t>(s.begin(), s.end());
      });
}

SLOTBOOK_RECORD(wrapped_key, "WrappedKey") {
  return std::make_tuple(bytes_field<T>("data", &T::bytes));
}
SLOTBOOK_RECORD(sealed_field, "SealedField") {
  return std::make_tuple(bytes_field<T>("data", &T::bytes));
}
SLOTBOOK_RECORD(personal_info_step, "PersonalInfoStep") {
  return std::make_tuple(field("emergency_contact", &T::emergency_contact),
                         field("medical_history", &T::medical_history),
                         field("current_medications", &T::current_medications),
                         field("allergies", &T::allergies));
}
SLOTBOOK_RECORD(mental_health_step, "MentalHealthStep") {
  return std::make_tuple(field("previous_therapy", &T::previous_therapy),
                         field("current_symptoms", &T::current_symptoms),
                         field("severity_level", &T::severity_level),
                         field("trigger_factors", &T::trigger_factors),
                         field("coping_mechanisms", &T::coping_mechanisms));
}
SLOTBOOK_RECORD(goals_step, "GoalsStep") {
  return std::make_tuple(field("therapy_goals", &T::therapy_goals),
                         field("expectations", &T::expectations),
                         field("preferred_approach", &T::preferred_approach));
}
SLOTBOOK_RECORD(consent_step, "ConsentStep") {
  return std::make_tuple(field("consent_to_treatment", &T::consent_to_treatment),
                         field("confidentiality_agreement", &T::confidentiality_agreement),
                         field("data_processing_consent", &T::data_processing_consent));
}
SLOTBOOK_RECORD(intake_form, "IntakeForm") {
  return std::make_tuple(field("id", &T::id), field("session", &T::session),
                         field("client", &T::client), field("personal_info", &T::personal_info),
                         field("mental_health", &T::mental_health), field("goals", &T::goals),
                         field("consent", &T::consent), field("completed_at", &T::completed_at));
}
SLOTBOOK_RECORD(field_problem, "FieldProblem") {
  return std::make_tuple(field("field", &T::field), field("reason", &T::reason));
}
SLOTBOOK_RECORD(sealed_intake, "SealedIntake") {
  return std::make_tuple(field("id", &T::id), field("session", &T::session),
                         field("client", &T::client), field("data_key", &T::data_key),
                         field("personal_info", &T::personal_info),
                         field("mental_health", &T::mental_health), field("goals", &T::goals),
                         field("consent", &T::consent), field("completed_at", &T::completed_at));
}

SLOTBOOK_RECORD(stored_intake, "StoredIntake") {
  return std::make_tuple(field("form", &T::form), field("created_at", &T::created_at),
                         field("updated_at", &T::updated_at), field("deleted_at", &T::deleted_at),
                         field("deletion_reason", &T::deletion_reason));
}
SLOTBOOK_RECORD(session_deletion, "SessionDeletion") {
  return std::make_tuple(field("session", &T::session), field("deleted_at", &T::deleted_at),
                         field("reason", &T::reason));
}
SLOTBOOK_RECORD(intake_summary, "IntakeSummary") {
  return std::make_tuple(field("id", &T::id), field("client", &T::client),
                         field("session", &T::session), field("personal_info", &T::personal_info),
                         field("mental_health", &T::mental_health), field("goals", &T::goals),
                         field("consent", &T::consent), field("complete", &T::complete),
                         field("completed_at", &T::completed_at), field("missing", &T::missing),
                         field("key_version", &T::key_version), field("created_at", &T::created_at),
                         field("updated_at", &T::updated_at), field("deleted_at", &T::deleted_at));
}
SLOTBOOK_RECORD(erasure_result, "ErasureResult") {
  return std::make_tuple(field("at", &T::at), field("scrubbed", &T::scrubbed));
}
SLOTBOOK_RECORD(rotation_progress, "RotationProgress") {
  return std::make_tuple(field("to_version", &T::to_version), field("batches", &T::batches),
                         field("rewrapped", &T::rewrapped), field("last", &T::last));
}
SLOTBOOK_RECORD(rotation_report, "RotationReport") {
  return std::make_tuple(field("to_version", &T::to_version), field("batches", &T::batches),
                         field("rewrapped", &T::rewrapped));
}
SLOTBOOK_RECORD(purge_report, "PurgeReport") {
  return std::make_tuple(field("cutoff", &T::cutoff), field("sessions", &T::sessions),
                         field("intakes", &T::intakes), field("scrubbed", &T::scrubbed));
}
SLOTBOOK_RECORD(client_data_export, "ClientDataExport") {
  return std::make_tuple(
      field("client", &T::client), field("exported_at", &T::exported_at),
      field("sessions", &T::sessions), field("deleted_sessions", &T::deleted_sessions),
      field("intake_forms", &T::intake_forms), field("deleted_intakes", &T::deleted_intakes));
}

// Group sessions and the waitlist. A waitlist's local start times are `datetime.time` in Python,
// as a window's start is (`time_of_day`: whole minutes, 00:00 to 23:59), or None for any.
SLOTBOOK_RECORD(seat, "Seat") {
  return std::make_tuple(
      field("id", &T::id), field("session", &T::session), field("client", &T::client),
      field("status", &T::status), field("amount", &T::amount), field("payment", &T::payment),
      field("payment_method", &T::payment_method), field("transaction_id", &T::transaction_id),
      field("refunded_minor", &T::refunded_minor), field("created_at", &T::created_at),
      field("updated_at", &T::updated_at), field("cancelled_at", &T::cancelled_at),
      field("cancellation_reason", &T::cancellation_reason),
      field("cancelled_by", &T::cancelled_by));
}
SLOTBOOK_RECORD(group_request, "GroupRequest") {
  return std::make_tuple(field("provider", &T::provider), field("scheduled_at", &T::scheduled_at),
                         field("duration", &T::duration), field("capacity", &T::capacity),
                         field("notes", &T::notes));
}
SLOTBOOK_RECORD(seat_confirmation, "SeatConfirmation") {
  return std::make_tuple(field("booked", &T::booked),
                         field("booking_reference", &T::booking_reference), field("time", &T::time),
                         field("seats_taken", &T::seats_taken), field("capacity", &T::capacity));
}
SLOTBOOK_RECORD(seat_cancellation, "SeatCancellation") {
  return std::make_tuple(field("cancelled", &T::cancelled), field("decision", &T::decision),
                         field("refund", &T::refund));
}
SLOTBOOK_RECORD(busy_time, "BusyTime") {
  return std::make_tuple(field("utc", &T::utc), field("uid", &T::uid),
                         field("summary", &T::summary), field("all_day", &T::all_day));
}
SLOTBOOK_RECORD(skipped_event, "SkippedEvent") {
  return std::make_tuple(field("line", &T::line), field("uid", &T::uid),
                         field("reason", &T::reason));
}
SLOTBOOK_RECORD(ical_busy, "IcalBusy") {
  return std::make_tuple(field("busy", &T::busy), field("skipped", &T::skipped));
}
SLOTBOOK_RECORD(busy_block, "BusyBlock") {
  return std::make_tuple(field("provider", &T::provider), field("source", &T::source),
                         field("uid", &T::uid), field("time", &T::time),
                         field("all_day", &T::all_day), field("imported_at", &T::imported_at));
}
SLOTBOOK_RECORD(busy_import, "BusyImport") {
  return std::make_tuple(field("stored", &T::stored), field("removed", &T::removed),
                         field("clashes", &T::clashes));
}

/// An optional local start time of day (`std::optional<std::chrono::minutes>`) as an optional
/// `datetime.time`.
template <class T>
constexpr auto local_start_field(const char* name, std::optional<std::chrono::minutes> T::*ptr) {
  return field_as<T, std::optional<time_of_day>>(
      name,
      [ptr](const T& t) -> std::optional<time_of_day> {
        if (!(t.*ptr)) return std::nullopt;
        return time_of_day{*(t.*ptr)};
      },
      [ptr](T& t, std::optional<time_of_day> v) {
        t.*ptr = v ? std::optional<std::chrono::minutes>{v->value} : std::nullopt;
      });
}

SLOTBOOK_RECORD(waitlist_entry, "WaitlistEntry") {
  return std::make_tuple(field("id", &T::id), field("provider", &T::provider),
                         field("client", &T::client), field("range", &T::range),
                         field("type", &T::type),
                         local_start_field<T>("earliest_local", &T::earliest_local),
                         local_start_field<T>("latest_local", &T::latest_local),
                         field("state", &T::state), field("joined_at", &T::joined_at),
                         field("updated_at", &T::updated_at), field("offer", &T::offer),
                         field("offer_expires", &T::offer_expires), field("booked", &T::booked));
}
SLOTBOOK_RECORD(waitlist_request, "WaitlistRequest") {
  return std::make_tuple(field("provider", &T::provider), field("client", &T::client),
                         field("range", &T::range), field("type", &T::type),
                         local_start_field<T>("earliest_local", &T::earliest_local),
                         local_start_field<T>("latest_local", &T::latest_local));
}

/// `service_options` holds the gateway and notifier as raw pointers into Python objects; the
/// service wrapper keeps those objects alive (bind_service.cpp).
SLOTBOOK_RECORD(service_options, "ServiceOptions") {
  return std::make_tuple(
      field("lifecycle", &T::lifecycle), field("reschedule", &T::reschedule),
      field("reminders", &T::reminders), field("preferences", &T::preferences),
      field("retry", &T::retry),
      field_as<T, py::object>(
          "payments",
          [](const T& o) {
            return o.payments == nullptr ? py::none()
                                         : py::cast(o.payments, py::return_value_policy::reference);
          },
          [](T& o, const py::object& v) {
            o.payments = v.is_none() ? nullptr : v.cast<payment_gateway*>();
          }),
      field_as<T, py::object>(
          "notifications",
          [](const T& o) {
            return o.notifications == nullptr
                       ? py::none()
                       : py::cast(o.notifications, py::return_value_policy::reference);
          },
          [](T& o, const py::object& v) {
            o.notifications = v.is_none() ? nullptr : v.cast<notifier*>();
          }),
      field("degraded_backlog", &T::degraded_backlog),
      field_as<T, py::object>(
          "keys",
          [](const T& o) {
            return o.keys == nullptr ? py::none()
                                     : py::cast(o.keys, py::return_value_policy::reference);
          },
          [](T& o, const py::object& v) {
            o.keys = v.is_none() ? nullptr : &v.cast<const keyring&>();
          }),
      field("deleted_retention", &T::deleted_retention),
      field("transient_attempts", &T::transient_attempts),
      field("waitlist_offer_hold", &T::waitlist_offer_hold));
}

using all_records = type_list<
    interval, civil_time, index_entry, local_window, weekly_window, date_exception, schedule,
    seed_window, seed_exception, slot_rules, slot, slot_decision, team_slot, money,
    booking_reference, session, hold_rules, refund_tier, notice_schedule, cancellation_policy,
    no_show_policy, lifecycle_rules, cancellation_decision, transition_result, reschedule_policy,
    reschedule_decision, reschedule_result, no_show_charge, no_show_record, reminder_plan,
    reminder_preferences, reminder, reminder_changes, rate, session_analytics, change_event,
    provider_profile, queued_reminder, reminder_backlog, audit_entry, sqlite_settings,
    reminder_message, delivery, refund_request, refund_result, reminder_retry, booking_request,
    booking_confirmation, refund_outcome, cancellation_result, status_change, status_result,
    payment_result, reschedule_confirmation, claimed_reminder, reminder_run, health_report,
    audit_verification, audit_head, wrapped_key, sealed_field, personal_info_step,
    mental_health_step, goals_step, consent_step, intake_form, field_problem, sealed_intake,
    service_options, stored_intake, session_deletion, intake_summary, erasure_result,
    rotation_progress, rotation_report, purge_report, client_data_export, series_request,
    series_occurrence, series_booking, occurrence_cancellation, series_cancellation, seat,
    group_request, seat_confirmation, seat_cancellation, waitlist_entry, waitlist_request,
    busy_time, skipped_event, ical_busy, busy_block, busy_import>;

/// Classes registered by name only (no C++ struct of their own): `Actor`, `RecordRef`, `Weekday`,
/// `TeamMember`.
struct actor_tag {};
struct record_ref_tag {};
struct team_member_tag {};

}  // namespace slotbook::python

namespace pybind11::detail {

SLOTBOOK_ENUM_CASTER(slotbook::errc);
SLOTBOOK_ENUM_CASTER(slotbook::role);
SLOTBOOK_ENUM_CASTER(slotbook::session_status);
SLOTBOOK_ENUM_CASTER(slotbook::session_type);
SLOTBOOK_ENUM_CASTER(slotbook::payment_status);
SLOTBOOK_ENUM_CASTER(slotbook::hours_kind);
SLOTBOOK_ENUM_CASTER(slotbook::slot_reason);
SLOTBOOK_ENUM_CASTER(slotbook::slot_alignment);
SLOTBOOK_ENUM_CASTER(slotbook::transition_reason);
SLOTBOOK_ENUM_CASTER(slotbook::late_cancellation);
SLOTBOOK_ENUM_CASTER(slotbook::cancellation_reason);
SLOTBOOK_ENUM_CASTER(slotbook::reschedule_reason);
SLOTBOOK_ENUM_CASTER(slotbook::client_standing);
SLOTBOOK_ENUM_CASTER(slotbook::reminder_channel);
SLOTBOOK_ENUM_CASTER(slotbook::change_kind);
SLOTBOOK_ENUM_CASTER(slotbook::reminder_state);
SLOTBOOK_ENUM_CASTER(slotbook::access);
SLOTBOOK_ENUM_CASTER(slotbook::refund_state);
SLOTBOOK_ENUM_CASTER(slotbook::payment_outcome);
SLOTBOOK_ENUM_CASTER(slotbook::health_status);
SLOTBOOK_ENUM_CASTER(slotbook::audit_problem);
SLOTBOOK_ENUM_CASTER(slotbook::intake_step);
SLOTBOOK_ENUM_CASTER(slotbook::series_mode);
SLOTBOOK_ENUM_CASTER(slotbook::series_scope);
SLOTBOOK_ENUM_CASTER(slotbook::occurrence_outcome);
SLOTBOOK_ENUM_CASTER(slotbook::waitlist_state);

SLOTBOOK_RECORD_CASTER(slotbook::interval);
SLOTBOOK_RECORD_CASTER(slotbook::civil_time);
SLOTBOOK_RECORD_CASTER(slotbook::index_entry);
SLOTBOOK_RECORD_CASTER(slotbook::local_window);
SLOTBOOK_RECORD_CASTER(slotbook::weekly_window);
SLOTBOOK_RECORD_CASTER(slotbook::date_exception);
SLOTBOOK_RECORD_CASTER(slotbook::schedule);
SLOTBOOK_RECORD_CASTER(slotbook::seed_window);
SLOTBOOK_RECORD_CASTER(slotbook::seed_exception);
SLOTBOOK_RECORD_CASTER(slotbook::slot_rules);
SLOTBOOK_RECORD_CASTER(slotbook::slot);
SLOTBOOK_RECORD_CASTER(slotbook::slot_decision);
SLOTBOOK_RECORD_CASTER(slotbook::team_slot);
SLOTBOOK_RECORD_CASTER(slotbook::money);
SLOTBOOK_RECORD_CASTER(slotbook::booking_reference);
SLOTBOOK_RECORD_CASTER(slotbook::session);
SLOTBOOK_RECORD_CASTER(slotbook::hold_rules);
SLOTBOOK_RECORD_CASTER(slotbook::refund_tier);
SLOTBOOK_RECORD_CASTER(slotbook::notice_schedule);
SLOTBOOK_RECORD_CASTER(slotbook::cancellation_policy);
SLOTBOOK_RECORD_CASTER(slotbook::no_show_policy);
SLOTBOOK_RECORD_CASTER(slotbook::lifecycle_rules);
SLOTBOOK_RECORD_CASTER(slotbook::cancellation_decision);
SLOTBOOK_RECORD_CASTER(slotbook::transition_result);
SLOTBOOK_RECORD_CASTER(slotbook::reschedule_policy);
SLOTBOOK_RECORD_CASTER(slotbook::reschedule_decision);
SLOTBOOK_RECORD_CASTER(slotbook::reschedule_result);
SLOTBOOK_RECORD_CASTER(slotbook::no_show_charge);
SLOTBOOK_RECORD_CASTER(slotbook::no_show_record);
SLOTBOOK_RECORD_CASTER(slotbook::reminder_plan);
SLOTBOOK_RECORD_CASTER(slotbook::reminder_preferences);
SLOTBOOK_RECORD_CASTER(slotbook::reminder);
SLOTBOOK_RECORD_CASTER(slotbook::reminder_changes);
SLOTBOOK_RECORD_CASTER(slotbook::rate);
SLOTBOOK_RECORD_CASTER(slotbook::session_analytics);
SLOTBOOK_RECORD_CASTER(slotbook::change_event);
SLOTBOOK_RECORD_CASTER(slotbook::provider_profile);
SLOTBOOK_RECORD_CASTER(slotbook::queued_reminder);
SLOTBOOK_RECORD_CASTER(slotbook::reminder_backlog);
SLOTBOOK_RECORD_CASTER(slotbook::audit_entry);
SLOTBOOK_RECORD_CASTER(slotbook::sqlite_settings);
SLOTBOOK_RECORD_CASTER(slotbook::reminder_message);
SLOTBOOK_RECORD_CASTER(slotbook::delivery);
SLOTBOOK_RECORD_CASTER(slotbook::refund_request);
SLOTBOOK_RECORD_CASTER(slotbook::refund_result);
SLOTBOOK_RECORD_CASTER(slotbook::reminder_retry);
SLOTBOOK_RECORD_CASTER(slotbook::booking_request);
SLOTBOOK_RECORD_CASTER(slotbook::booking_confirmation);
SLOTBOOK_RECORD_CASTER(slotbook::refund_outcome);
SLOTBOOK_RECORD_CASTER(slotbook::cancellation_result);
SLOTBOOK_RECORD_CASTER(slotbook::status_change);
SLOTBOOK_RECORD_CASTER(slotbook::status_result);
SLOTBOOK_RECORD_CASTER(slotbook::payment_result);
SLOTBOOK_RECORD_CASTER(slotbook::reschedule_confirmation);
SLOTBOOK_RECORD_CASTER(slotbook::claimed_reminder);
SLOTBOOK_RECORD_CASTER(slotbook::reminder_run);
SLOTBOOK_RECORD_CASTER(slotbook::health_report);
SLOTBOOK_RECORD_CASTER(slotbook::audit_verification);
SLOTBOOK_RECORD_CASTER(slotbook::audit_head);
SLOTBOOK_RECORD_CASTER(slotbook::wrapped_key);
SLOTBOOK_RECORD_CASTER(slotbook::sealed_field);
SLOTBOOK_RECORD_CASTER(slotbook::personal_info_step);
SLOTBOOK_RECORD_CASTER(slotbook::mental_health_step);
SLOTBOOK_RECORD_CASTER(slotbook::goals_step);
SLOTBOOK_RECORD_CASTER(slotbook::consent_step);
SLOTBOOK_RECORD_CASTER(slotbook::intake_form);
SLOTBOOK_RECORD_CASTER(slotbook::field_problem);
SLOTBOOK_RECORD_CASTER(slotbook::sealed_intake);
SLOTBOOK_RECORD_CASTER(slotbook::service_options);
SLOTBOOK_RECORD_CASTER(slotbook::stored_intake);
SLOTBOOK_RECORD_CASTER(slotbook::session_deletion);
SLOTBOOK_RECORD_CASTER(slotbook::intake_summary);
SLOTBOOK_RECORD_CASTER(slotbook::erasure_result);
SLOTBOOK_RECORD_CASTER(slotbook::rotation_progress);
SLOTBOOK_RECORD_CASTER(slotbook::rotation_report);
SLOTBOOK_RECORD_CASTER(slotbook::purge_report);
SLOTBOOK_RECORD_CASTER(slotbook::client_data_export);
SLOTBOOK_RECORD_CASTER(slotbook::series_request);
SLOTBOOK_RECORD_CASTER(slotbook::series_occurrence);
SLOTBOOK_RECORD_CASTER(slotbook::series_booking);
SLOTBOOK_RECORD_CASTER(slotbook::occurrence_cancellation);
SLOTBOOK_RECORD_CASTER(slotbook::series_cancellation);
SLOTBOOK_RECORD_CASTER(slotbook::seat);
SLOTBOOK_RECORD_CASTER(slotbook::group_request);
SLOTBOOK_RECORD_CASTER(slotbook::seat_confirmation);
SLOTBOOK_RECORD_CASTER(slotbook::seat_cancellation);
SLOTBOOK_RECORD_CASTER(slotbook::waitlist_entry);
SLOTBOOK_RECORD_CASTER(slotbook::waitlist_request);
SLOTBOOK_RECORD_CASTER(slotbook::busy_time);
SLOTBOOK_RECORD_CASTER(slotbook::skipped_event);
SLOTBOOK_RECORD_CASTER(slotbook::ical_busy);
SLOTBOOK_RECORD_CASTER(slotbook::busy_block);
SLOTBOOK_RECORD_CASTER(slotbook::busy_import);

/// `Weekday` (an IntEnum, Sunday = 0 as in the seed's dayOfWeek) <-> `date::weekday`.
template <>
struct type_caster<date::weekday> {
  PYBIND11_TYPE_CASTER(date::weekday, const_name("Weekday"));
  static inline std::array<PyObject*, 7> members{};
  bool load(handle src, bool) {
    if (PyBool_Check(src.ptr()) || !PyLong_Check(src.ptr())) return false;
    const long v = PyLong_AsLong(src.ptr());
    if (v == -1 && PyErr_Occurred()) PyErr_Clear();
    if (v < 0 || v > 6) {
      sp::throw_invalid(
          fmt::format("{} is not a weekday (0 = Sunday to 6 = Saturday)", sp::short_repr(src)));
    }
    value = date::weekday{static_cast<unsigned>(v)};
    return true;
  }
  static handle cast(date::weekday d, return_value_policy, handle) {
    if (!d.ok()) sp::throw_invalid(fmt::format("{} is not a weekday", d.c_encoding()));
    PyObject* m = members[d.c_encoding()];
    if (m == nullptr) throw type_error("Weekday is not registered");
    return handle(m).inc_ref();
  }
};

/// `Actor(role, id)` <-> `slotbook::actor` (built through its checked named constructors).
template <>
struct type_caster<slotbook::actor> {
  PYBIND11_TYPE_CASTER(slotbook::actor, const_name("Actor"));
  static inline PyObject* cls = nullptr;
  type_caster() : value(slotbook::actor::system()) {}
  bool load(handle src, bool);
  static handle cast(const slotbook::actor& a, return_value_policy, handle);
};

/// `RecordRef(kind, id)` -> `slotbook::record_ref`; the kind text lives in the caster for the
/// call.
template <>
struct type_caster<slotbook::record_ref> {
  PYBIND11_TYPE_CASTER(slotbook::record_ref, const_name("RecordRef"));
  static inline PyObject* cls = nullptr;
  std::string kind;
  bool load(handle src, bool);
  static handle cast(const slotbook::record_ref& r, return_value_policy, handle);
};

}  // namespace pybind11::detail
