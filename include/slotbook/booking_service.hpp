#pragma once
/// \file booking_service.hpp
/// "Book, pay, move, cancel — safely": the booking service, which runs every operation of the
/// platform as one storage transaction over the pure core.
///
/// Each operation reads the current instant from the `clock` once, opens one transaction on the
/// `store`, gathers what the pure rules need (the provider's hours, the sessions that occupy time,
/// the session being changed), asks the rule (`check_bookable`, `transition`, `cancel`,
/// `reschedule`, `plan_reminders`, ...), writes the outcome, appends the audit entry and commits.
/// Availability check, conflict check and insert therefore happen under one write lock (in SQLite,
/// `BEGIN IMMEDIATE`), so two clients can never book the same time, even from two processes.
///
/// Failures are `slotbook::error`:
/// - `invalid_argument`: malformed input, naming the field and value;
/// - `not_found`: no such provider or session;
/// - `forbidden`: the actor may not see or change this (see the access table in docs/service.md);
/// - `conflict`: the time is taken (provider or client), or the session's status is not what the
///   request expects (a stale view);
/// - `outside_availability`: the provider does not work then, or is inactive;
/// - `policy_denied`: a rule says no (notice, horizon, day full, reschedule limit, no-shows, ...);
/// - `storage`: the store failed.
/// A refused operation changes nothing, except that it appends one audit entry (`refused`, or
/// `denied` for `forbidden`) in a transaction of its own.
///
/// Thread safety: a `booking_service` may be used from many threads at once when its store can
/// (both shipped stores can). Events (`subscribe`) are delivered after commit, in commit order;
/// refunds and reminders talk to the host's gateway and notifier outside any transaction.
///
/// The full contract (each operation's transaction, the access table, the audit chain, events,
/// the reminder worker, health) is in docs/service.md.
///
///     slotbook::sqlite_store store{"slotbook.db"};
///     slotbook::system_clock clock;
///     slotbook::booking_service service{store, clock};
///     slotbook::booking_request r;
///     r.provider = slotbook::provider_id{42};
///     r.client = slotbook::client_id{7};
///     r.scheduled_at = slotbook::parse_instant("2026-01-15T10:00:00Z", "scheduledAt");
///     auto booked = service.book(slotbook::actor::client(r.client), r);
///     booked.booking_reference;  // "BK-2026-001234"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "slotbook/actor.hpp"
#include "slotbook/analytics.hpp"
#include "slotbook/busy_block.hpp"
#include "slotbook/clock.hpp"
#include "slotbook/crypto.hpp"
#include "slotbook/events.hpp"
#include "slotbook/ical.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/intake.hpp"
#include "slotbook/lifecycle.hpp"
#include "slotbook/money.hpp"
#include "slotbook/notifier.hpp"
#include "slotbook/payment.hpp"
#include "slotbook/policy.hpp"
#include "slotbook/recurrence.hpp"
#include "slotbook/reminders.hpp"
#include "slotbook/series_record.hpp"
#include "slotbook/session.hpp"
#include "slotbook/slots.hpp"
#include "slotbook/store.hpp"
#include "slotbook/time.hpp"
#include "slotbook/waitlist.hpp"

namespace slotbook {

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/// How failed reminders are retried and how long a worker may hold one.
///
///     slotbook::reminder_retry r;  // lease 5 min, retries after 1, 2, 4, 8 min, then failed
///     r.max_attempts = 3;
struct reminder_retry {
  /// How long a claimed reminder belongs to the worker that claimed it; after that another
  /// worker may claim it again (the first one is presumed dead).
  std::chrono::seconds lease{std::chrono::minutes{5}};
  /// Delay before the first retry; each further retry doubles it, up to `max_backoff`.
  std::chrono::seconds first_backoff{std::chrono::minutes{1}};
  std::chrono::seconds max_backoff{std::chrono::hours{1}};
  /// Attempts in all (the first send included); after the last failure the reminder is `failed`.
  std::int32_t max_attempts{5};

  friend bool operator==(const reminder_retry&, const reminder_retry&) = default;
};

/// Everything a `booking_service` is configured with. The policies are the pure core's own
/// values, with the platform's defaults.
///
///     slotbook::service_options o;
///     o.lifecycle.cancellation = slotbook::cancellation_policy::tiered();
///     o.payments = &gateway;
struct service_options {
  /// Holds, the cancellation policy, the no-show policy and how early a session may start: the
  /// rules of `lifecycle.hpp`, which `cancel`, `update_status`, `confirm_payment` and
  /// `expire_holds` apply (`lifecycle.no_show` also decides when a client is blocked from
  /// booking).
  lifecycle_rules lifecycle{};
  /// Who may move a session, with how much notice, how often.
  reschedule_policy reschedule{};
  /// When reminders are due before a session.
  reminder_plan reminders{};
  /// A client's reminder channels and offsets; unset: email for every offset of the plan. Called
  /// inside a write transaction: it must be quick and must not call the service.
  std::function<reminder_preferences(client_id)> preferences{};
  /// Reminder leases and retries.
  reminder_retry retry{};
  /// Refunds go here; null: refunds are recorded but not paid out (the outcome says so).
  payment_gateway* payments = nullptr;
  /// Used by `run_reminders()` without an argument; may be null.
  notifier* notifications = nullptr;
  /// `health()` reports `degraded` from this many due reminders on (the seed's 1000).
  std::size_t degraded_backlog{1000};
  /// The keys intake forms are sealed and opened with (crypto.hpp); null: every intake operation
  /// that seals or opens is `errc::crypto`. It must outlive the service, and it must not be
  /// changed (`add`, `remove`) while an operation runs: add a new version, or remove a retired
  /// one, between operations.
  const keyring* keys = nullptr;
  /// How long a securely deleted session or a crypto-shredded intake form keeps its (redacted)
  /// record and deletion mark before `purge_expired` removes it for good: the seed's 30 days.
  std::chrono::seconds deleted_retention{std::chrono::hours{24 * 30}};
  /// How many times in all an operation runs when the store reports a transient failure
  /// (`error::transient()`: a transaction rolled back to settle a race, such as PostgreSQL's
  /// serialization failure). 1 never runs one again; 1 to 100.
  std::size_t transient_attempts{3};
  /// How long a waitlist offer holds its slot for the client offered it (1 minute to 7 days);
  /// after that `expire_offers` (or `expire_holds`) lets it lapse and offers the slot to the
  /// next in line.
  std::chrono::minutes waitlist_offer_hold{60};
};

/// Throws `errc::invalid_argument` naming the first bad option.
void validate(const service_options& o);

// ---------------------------------------------------------------------------------------------
// Requests and results
// ---------------------------------------------------------------------------------------------

/// The longest `notes`, `special_requests`, cancellation reason or payment text the service
/// accepts, in bytes.
inline constexpr std::size_t max_text_bytes = 10000;

/// A booking request: the seed's `POST /api/sessions/book` body (the intake form goes through
/// intake.hpp).
///
///     slotbook::booking_request r{slotbook::provider_id{42}, slotbook::client_id{7},
///                                 slotbook::parse_instant("2026-01-15T10:00:00Z")};
struct booking_request {
  provider_id provider{};
  client_id client{};
  instant scheduled_at{};
  /// Must equal the provider's session length (`provider_profile::rules.duration`).
  std::chrono::minutes duration{60};
  session_type type{session_type::initial};
  std::string special_requests{};
  std::string notes{};
};

/// What a booking returns: the seed's response.
struct booking_confirmation {
  session_id session{};
  std::string booking_reference{};  ///< `BK-2026-001234`
  instant scheduled_at{};
  bool payment_required{false};  ///< true when the provider charges: status is pending_payment
  money amount{};
  session_status status{session_status::scheduled};

  friend bool operator==(const booking_confirmation&, const booking_confirmation&) = default;
};

/// Where a refund stands after an operation.
enum class refund_state : std::uint8_t {
  none,            ///< nothing to refund
  not_configured,  ///< a refund was decided and recorded, but no gateway is configured
  refunded,        ///< the gateway made it
  failed,          ///< the gateway refused or threw; recorded in the audit log, retry by hand
};

/// `"none"`, `"not_configured"`, `"refunded"`, `"failed"`.
constexpr std::string_view to_string(refund_state s) noexcept {
  switch (s) {
    case refund_state::none:
      return "none";
    case refund_state::not_configured:
      return "not_configured";
    case refund_state::refunded:
      return "refunded";
    case refund_state::failed:
      return "failed";
  }
  return "unknown";
}

/// The refund part of an operation's result.
struct refund_outcome {
  refund_state state{refund_state::none};
  money amount{};                   ///< decided (and recorded on the session)
  std::string gateway_reference{};  ///< when refunded
  std::string error{};              ///< when failed

  friend bool operator==(const refund_outcome&, const refund_outcome&) = default;
};

/// What `cancel` did.
struct cancellation_result {
  session cancelled{};               ///< the session as stored afterwards
  cancellation_decision decision{};  ///< the policy's decision (why, how much notice, which tier)
  refund_outcome refund{};
};

/// A status change request: the seed's `PUT /api/sessions/:id/status`.
///
///     slotbook::status_change c{slotbook::session_status::confirmed};
///     c.expected = slotbook::session_status::scheduled;  // refuse with conflict if it changed
struct status_change {
  session_status to{session_status::confirmed};
  /// When set, the session must still have this status, or it is `errc::conflict` (the caller
  /// acted on a stale view).
  std::optional<session_status> expected{};
  /// When set, replaces the session's notes (the seed's `"notes": "Client confirmed attendance"`).
  std::optional<std::string> notes{};
};

/// What `update_status` did.
struct status_result {
  session updated{};
  refund_outcome refund{};  ///< a no-show refund of part of the payment, or a cancellation's
};

/// How a payment notification was taken.
enum class payment_outcome : std::uint8_t {
  scheduled,          ///< the hold was paid in time and is now scheduled
  already_confirmed,  ///< the same transaction was confirmed before (a repeated webhook)
  refunded_late,      ///< the hold had expired (or was let go): the payment is refunded in full
};

/// `"scheduled"`, `"already_confirmed"`, `"refunded_late"`.
constexpr std::string_view to_string(payment_outcome o) noexcept {
  switch (o) {
    case payment_outcome::scheduled:
      return "scheduled";
    case payment_outcome::already_confirmed:
      return "already_confirmed";
    case payment_outcome::refunded_late:
      return "refunded_late";
  }
  return "unknown";
}

/// What `confirm_payment` did.
struct payment_result {
  session updated{};
  payment_outcome outcome{payment_outcome::scheduled};
  refund_outcome refund{};  ///< for `refunded_late`
};

/// What `reschedule` did.
struct reschedule_confirmation {
  session replaced{};     ///< the old session, now cancelled with reason "rescheduled"
  session replacement{};  ///< the new one, scheduled, with its own booking reference
  reschedule_decision decision{};
};

/// A reminder handed to a worker, with what its message needs.
struct claimed_reminder {
  queued_reminder queued{};    ///< as claimed (state claimed, `attempts` counts this claim)
  reminder_message message{};  ///< ready for the notifier
};

/// What one `run_reminders` pass did.
struct reminder_run {
  std::size_t claimed{0};
  std::size_t sent{0};
  std::size_t retrying{0};  ///< failed, to be tried again later
  std::size_t given_up{0};  ///< failed for the last time

  friend bool operator==(const reminder_run&, const reminder_run&) = default;
};

/// Overall state for a health endpoint.
enum class health_status : std::uint8_t {
  healthy,    ///< storage answers, reminder backlog below `degraded_backlog`
  degraded,   ///< storage answers, but the due backlog is at or above `degraded_backlog`
  unhealthy,  ///< storage does not answer
};

/// `"healthy"`, `"degraded"`, `"unhealthy"`.
constexpr std::string_view to_string(health_status s) noexcept {
  switch (s) {
    case health_status::healthy:
      return "healthy";
    case health_status::degraded:
      return "degraded";
    case health_status::unhealthy:
      return "unhealthy";
  }
  return "unknown";
}

/// The seed's health check as a value.
struct health_report {
  health_status status{health_status::unhealthy};
  instant at{};
  bool storage_reachable{false};
  std::size_t reminders_due{0};      ///< due now and not yet sent (including expired leases)
  std::size_t reminders_waiting{0};  ///< queued for later
  /// How long the oldest due reminder has been due; unset when none is due.
  std::optional<std::chrono::seconds> oldest_due_age{};
  std::string error{};  ///< when the backlog could not be read

  friend bool operator==(const health_report&, const health_report&) = default;
};

// ---------------------------------------------------------------------------------------------
// Recurring series
// ---------------------------------------------------------------------------------------------

/// The most occurrences one series may have (a daily series for a year and a day).
inline constexpr std::size_t max_series_occurrences = 366;

/// How far a series may reach: every occurrence starts less than this long after the first one
/// (two years). A rule that would go on longer, or that has neither COUNT nor UNTIL, is refused.
inline constexpr std::chrono::days max_series_span{731};

/// What `book_series` does when some occurrences cannot be booked.
enum class series_mode : std::uint8_t {
  all_or_nothing,  ///< book every occurrence or none; the refusal lists each failing one
  free_ones,       ///< book the occurrences that can be booked and report the others
};

/// `"all_or_nothing"`, `"free_ones"`.
constexpr std::string_view to_string(series_mode m) noexcept {
  switch (m) {
    case series_mode::all_or_nothing:
      return "all_or_nothing";
    case series_mode::free_ones:
      return "free_ones";
  }
  return "unknown";
}

/// A request to book a recurring series: one session per occurrence of `rule`, expanded in the
/// provider's zone from `first_start`, each keeping that wall-clock time across DST changes.
///
///     slotbook::series_request r;
///     r.provider = slotbook::provider_id{42};
///     r.client = slotbook::client_id{7};
///     r.first_start = date::local_days{date::year{2026} / 3 / 2} + 9h;  // 09:00 provider time
///     r.rule = "FREQ=WEEKLY;COUNT=10";
///     auto booked = service.book_series(slotbook::actor::client(r.client), r);
struct series_request {
  provider_id provider{};
  client_id client{};
  /// The first occurrence: a wall-clock time in the provider's zone, or a UTC instant (whose
  /// wall-clock time in that zone is then kept). It must itself be an occurrence of `rule`
  /// (RFC 5545 leaves a DTSTART that the rule does not produce undefined; slotbook refuses it).
  std::variant<date::local_seconds, instant> first_start{};
  /// RRULE text (`FREQ=WEEKLY;BYDAY=MO;COUNT=10`, recurrence.hpp's subset) or a parsed rule.
  /// It must end (COUNT or UNTIL) within `max_series_occurrences` and `max_series_span`.
  std::variant<std::string, recurrence_rule> rule{};
  /// Must equal the provider's session length, as for `book`.
  std::chrono::minutes duration{60};
  session_type type{session_type::initial};
  std::string special_requests{};  ///< copied to every occurrence
  std::string notes{};             ///< copied to every occurrence
  series_mode mode{series_mode::all_or_nothing};
};

/// One occurrence of a requested series and what became of it.
struct series_occurrence {
  std::size_t index{0};               ///< 0 for the first occurrence, then 1, 2, ...
  date::local_seconds local_start{};  ///< nominal wall-clock start in the provider's zone
  interval time{};                    ///< the UTC time it would occupy
  /// Set when it was booked (`book_series`) or could be (`preview_series`).
  std::optional<booking_confirmation> booked{};
  /// When not booked: the error class `book` would have thrown for it (`conflict`,
  /// `outside_availability`, `policy_denied`).
  std::optional<errc> refused{};
  /// When not booked: `client_busy` or a slot reason (`booked`, `buffer`, `too_soon`, `too_far`,
  /// `day_full`, `exception`, `outside_hours`, `not_on_grid`, `wrong_duration`).
  std::string reason{};
  std::string message{};  ///< when not booked: the message `book` would have thrown

  friend bool operator==(const series_occurrence&, const series_occurrence&) = default;
};

/// What `book_series` (or `preview_series`) found, occurrence by occurrence.
struct series_booking {
  series_id series{};  ///< the new series; zero when nothing was booked (or for a preview)
  std::string rule{};  ///< the rule in canonical RRULE text
  series_mode mode{series_mode::all_or_nothing};
  std::vector<series_occurrence> occurrences{};  ///< every occurrence, in order

  /// How many occurrences were booked (or could be).
  std::size_t booked_count() const noexcept;
  /// The occurrences that were not booked, in order.
  std::vector<series_occurrence> skipped() const;

  friend bool operator==(const series_booking&, const series_booking&) = default;
};

/// Which occurrences of a series `cancel_series` cancels.
enum class series_scope : std::uint8_t {
  this_one,            ///< only the occurrence named
  this_and_following,  ///< the occurrence named and every later one (by start)
  whole_series,        ///< every occurrence
};

/// `"this_one"`, `"this_and_following"`, `"whole_series"`.
constexpr std::string_view to_string(series_scope s) noexcept {
  switch (s) {
    case series_scope::this_one:
      return "this_one";
    case series_scope::this_and_following:
      return "this_and_following";
    case series_scope::whole_series:
      return "whole_series";
  }
  return "unknown";
}

/// What `cancel_series` did with one occurrence in its scope.
enum class occurrence_outcome : std::uint8_t {
  cancelled,  ///< cancelled under the cancellation policy (see `decision` and `refund`)
  skipped,    ///< already over: cancelled, completed or no_show; left as it was
  refused,    ///< the policy refused (e.g. in progress, or a client too late); left as it was
};

/// `"cancelled"`, `"skipped"`, `"refused"`.
constexpr std::string_view to_string(occurrence_outcome o) noexcept {
  switch (o) {
    case occurrence_outcome::cancelled:
      return "cancelled";
    case occurrence_outcome::skipped:
      return "skipped";
    case occurrence_outcome::refused:
      return "refused";
  }
  return "unknown";
}

/// One occurrence in a `cancel_series` scope.
struct occurrence_cancellation {
  session occurrence{};  ///< as stored afterwards
  occurrence_outcome outcome{occurrence_outcome::skipped};
  /// The policy's decision, for `cancelled` and for a policy `refused`.
  std::optional<cancellation_decision> decision{};
  refund_outcome refund{};  ///< for `cancelled`
  std::string reason{};     ///< for `skipped` and `refused`: the status or the policy's reason
};

/// What `cancel_series` did, occurrence by occurrence (by start).
struct series_cancellation {
  series_id series{};
  series_scope scope{series_scope::whole_series};
  std::vector<occurrence_cancellation> occurrences{};

  /// How many occurrences it cancelled.
  std::size_t cancelled_count() const noexcept;
};

/// A stored series as `series_info` reads it: its record (what `book_series` expanded) and every
/// one of its sessions (what became of each occurrence). `calendar_of_series` (series_record.hpp)
/// turns the two into calendar events.
///
///     auto info = service.series_info(who, id);
///     auto c = slotbook::calendar_of_series(info.record, info.sessions, details);
struct series_details {
  /// Empty for a series booked before slotbook stored series records (see `series_info`).
  std::optional<series_record> record{};
  std::vector<session> sessions{};  ///< any status, by start, then id
};

// ---------------------------------------------------------------------------------------------
// Group sessions
// ---------------------------------------------------------------------------------------------

/// A request to open a group session: the provider's time, held once, with `capacity` seats.
///
///     slotbook::group_request g;
///     g.provider = slotbook::provider_id{42};
///     g.scheduled_at = slotbook::parse_instant("2026-03-02T15:00:00Z");
///     g.capacity = 8;
///     auto opened = service.open_group(slotbook::actor::provider(g.provider), g);
struct group_request {
  provider_id provider{};
  instant scheduled_at{};
  /// Must equal the provider's session length, as for `book`.
  std::chrono::minutes duration{60};
  /// Seats: 1 to `max_group_capacity`.
  std::int32_t capacity{0};
  std::string notes{};
};

/// What `book_seat` returns.
struct seat_confirmation {
  seat booked{};                    ///< as stored
  std::string booking_reference{};  ///< the group session's reference
  interval time{};                  ///< the group session's time
  std::int32_t seats_taken{0};      ///< held seats, this one included
  std::int32_t capacity{0};

  friend bool operator==(const seat_confirmation&, const seat_confirmation&) = default;
};

/// What `cancel_seat` did.
struct seat_cancellation {
  seat cancelled{};                  ///< as stored afterwards
  cancellation_decision decision{};  ///< the policy's decision for the seat
  refund_outcome refund{};
};

// ---------------------------------------------------------------------------------------------
// Waitlist
// ---------------------------------------------------------------------------------------------

/// How long a waitlist range may be: 366 days.
inline constexpr std::chrono::days max_waitlist_range{366};

/// A request to join a provider's waitlist (waitlist.hpp).
///
///     slotbook::waitlist_request w;
///     w.provider = slotbook::provider_id{42};
///     w.client = slotbook::client_id{7};
///     w.range = {monday, saturday};
///     w.earliest_local = std::chrono::hours{17};  // after work
///     auto entry = service.join_waitlist(slotbook::actor::client(w.client), w);
struct waitlist_request {
  provider_id provider{};
  client_id client{};
  /// The offered session lies wholly inside it; at most `max_waitlist_range` long, ending after
  /// now.
  interval range{};
  session_type type{session_type::initial};              ///< not `group`
  std::optional<std::chrono::minutes> earliest_local{};  ///< local start time of day, or any
  std::optional<std::chrono::minutes> latest_local{};    ///< local start time of day, or any
};

// ---------------------------------------------------------------------------------------------
// External calendars
// ---------------------------------------------------------------------------------------------

/// The longest window one `import_busy` call may replace: 3660 days, as `import_busy_times`.
inline constexpr std::chrono::days max_busy_window{3660};
/// The most busy intervals one `import_busy` call may store.
inline constexpr std::size_t max_busy_import = 100000;

/// What `import_busy` did.
struct busy_import {
  std::size_t stored{0};   ///< blocks stored from this import
  std::size_t removed{0};  ///< blocks of the same source in the window that it replaced
  /// The provider's sessions that occupy time and overlap a stored block, by start: booked before
  /// the external event was known. They stay booked; the host decides what to do.
  std::vector<session> clashes;
};

// ---------------------------------------------------------------------------------------------
// Intake forms and privacy operations
// ---------------------------------------------------------------------------------------------

/// What `secure_delete_session` writes over a session's free text.
inline constexpr std::string_view redacted_text = "[REDACTED]";

/// An intake form's state without its content: what the wizard and a booking page need, readable
/// without any key and never audited as a read.
///
///     auto s = service.save_intake_step(who, form, step);
///     if (!s.complete) show_wizard_at(s.missing.front());
struct intake_summary {
  intake_id id{};
  client_id client{};
  session_id session{};       ///< the session it was filled in for; zero for none
  bool personal_info{false};  ///< step 1 saved
  bool mental_health{false};  ///< step 2 saved
  bool goals{false};          ///< step 3 saved
  consent_step consent{};
  bool complete{false};  ///< steps 1-3 saved and all three consents given
  std::optional<instant> completed_at{};
  std::vector<std::string> missing{};  ///< as `missing(const sealed_intake&)` names them
  std::uint32_t key_version{0};        ///< the keyring version of its data key; 0 once deleted
  instant created_at{};
  instant updated_at{};                 ///< last save (a key rotation does not count)
  std::optional<instant> deleted_at{};  ///< set once crypto-shredded

  friend bool operator==(const intake_summary&, const intake_summary&) = default;
};

/// What a deletion (`delete_intake`, `secure_delete_session`) did.
struct erasure_result {
  instant at{};  ///< when it was deleted; `purge_expired` removes it `deleted_retention` later
  /// The store scrubbed its files afterwards (`store::scrub`): no earlier copy of the removed
  /// bytes is left in them. False when it could not (a long reader held the SQLite WAL); the next
  /// `purge_expired` scrubs again.
  bool scrubbed{false};

  friend bool operator==(const erasure_result&, const erasure_result&) = default;
};

/// Where a key rotation stands after a batch (given to the progress callback after the batch
/// committed).
struct rotation_progress {
  std::uint32_t to_version{0};  ///< the keyring's newest version
  std::size_t batches{0};       ///< batches committed so far in this run
  std::size_t rewrapped{0};     ///< forms moved to `to_version` so far in this run
  intake_id last{};             ///< the last form of this batch (forms go by id)
};

/// Called after each committed batch of `rotate_intake_keys`. Throwing stops the rotation there
/// (the exception propagates; committed batches stay); running it again resumes.
using rotation_callback = std::function<void(const rotation_progress&)>;

/// What one `rotate_intake_keys` run did.
struct rotation_report {
  std::uint32_t to_version{0};
  std::size_t batches{0};    ///< batches committed (a run with nothing to do has none)
  std::size_t rewrapped{0};  ///< forms whose data key was re-wrapped

  friend bool operator==(const rotation_report&, const rotation_report&) = default;
};

/// What one `purge_expired` pass removed for good.
struct purge_report {
  instant cutoff{};  ///< records deleted before this were removed: `now - deleted_retention`
  std::vector<session_id> sessions{};
  std::vector<intake_id> intakes{};
  bool scrubbed{false};  ///< as in `erasure_result`

  friend bool operator==(const purge_report&, const purge_report&) = default;
};

/// One client's data, for a subject-access request (`export_client_data`).
struct client_data_export {
  client_id client{};
  instant exported_at{};
  std::vector<session> sessions{};                   ///< every session of the client, by start
  std::vector<session_deletion> deleted_sessions{};  ///< the deletion marks among them
  std::vector<intake_form> intake_forms{};           ///< every live form, decrypted, by id
  std::vector<intake_summary> deleted_intakes{};     ///< what is left of shredded forms

  friend bool operator==(const client_data_export&, const client_data_export&) = default;
};

/// The export as JSON text (UTF-8, keys in snake_case, instants as ISO-8601 UTC, ids as numbers,
/// money as `{"minor": 150000, "currency": "KES"}`), for handing to the client. It holds health
/// data in the clear: treat it as the intake forms themselves.
///
///     std::ofstream("export.json") << slotbook::to_json(service.export_client_data(who, c));
std::string to_json(const client_data_export& e);

// ---------------------------------------------------------------------------------------------
// The audit chain
// ---------------------------------------------------------------------------------------------

/// The hash of the (absent) entry before the first: 64 zeros.
inline constexpr std::string_view audit_genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// The canonical text of an entry that its hash covers: every field except `sequence` and
/// `hash` (docs/service.md gives the exact format). The order is protected by the chain, not by
/// the sequence number, so `verify_audit` can tell a reordered entry from an edited one.
std::string audit_canonical_text(const audit_entry& e);

/// SHA-256 over `e.previous_hash` followed by `audit_canonical_text(e)`, as 64 lowercase hex
/// digits.
///
///     e.previous_hash = std::string(slotbook::audit_genesis_hash);
///     e.hash = slotbook::audit_hash(e);
std::string audit_hash(const audit_entry& e);

/// What is wrong with an audit log, at the first place it goes wrong.
enum class audit_problem : std::uint8_t {
  none,           ///< the chain is intact
  missing_entry,  ///< a sequence number is skipped: an entry was deleted
  edited,         ///< the entry's hash does not match its contents: it was changed
  out_of_order,   ///< the entry is intact but does not follow its predecessor: reordered (or
                  ///< entries before it were deleted and the rest renumbered)
  head_mismatch,  ///< the log ends before, or differs at, a head recorded earlier: truncated
};

/// `"none"`, `"missing_entry"`, `"edited"`, `"out_of_order"`, `"head_mismatch"`.
constexpr std::string_view to_string(audit_problem p) noexcept {
  switch (p) {
    case audit_problem::none:
      return "none";
    case audit_problem::missing_entry:
      return "missing_entry";
    case audit_problem::edited:
      return "edited";
    case audit_problem::out_of_order:
      return "out_of_order";
    case audit_problem::head_mismatch:
      return "head_mismatch";
  }
  return "unknown";
}

/// The result of checking an audit log.
struct audit_verification {
  audit_problem problem{audit_problem::none};
  std::int64_t sequence{0};  ///< where the problem is (the first bad or missing sequence)
  std::int64_t checked{0};   ///< entries checked
  std::string message{};     ///< says what is wrong, for a human

  /// True when nothing is wrong.
  bool ok() const noexcept { return problem == audit_problem::none; }
};

/// The last entry of a log (sequence and hash). Deleting entries at the end of a log leaves a
/// shorter chain that is still valid; a host that keeps the head somewhere else (another system,
/// a printed report) can pass it to `verify_audit` to catch that.
struct audit_head {
  std::int64_t sequence{0};
  std::string hash{audit_genesis_hash};

  friend bool operator==(const audit_head&, const audit_head&) = default;
};

/// Checks entries one at a time, in the order they are stored: the engine behind
/// `booking_service::verify_audit`, usable on an exported log.
///
///     slotbook::audit_verifier v;
///     for (const auto& e : exported) if (!v.next(e)) break;
///     v.finish().ok();
class audit_verifier {
 public:
  /// With `expected`, the log must also reach that head (see `audit_head`); a negative expected
  /// sequence is `errc::invalid_argument`.
  explicit audit_verifier(std::optional<audit_head> expected = std::nullopt);
  /// Checks `e` against the entries seen so far; false once a problem is found (then `result()`
  /// says which, and later entries are ignored).
  bool next(const audit_entry& e);
  /// Call after the last entry: checks the end of the log against the expected head.
  const audit_verification& finish();
  /// The outcome so far.
  const audit_verification& result() const noexcept { return result_; }
  /// The last good entry seen (sequence 0 and the genesis hash before the first).
  const audit_head& head() const noexcept { return head_; }

 private:
  bool fail(audit_problem p, std::int64_t sequence, std::string message);

  std::optional<audit_head> expected_{};
  audit_verification result_{};
  audit_head head_{};
};

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

/// The booking service. Holds references to a store and a clock (both must outlive it) and its
/// options. See the file comment and docs/service.md.
class booking_service {
 public:
  /// Throws `errc::invalid_argument` for invalid options.
  booking_service(store& db, clock& time, service_options options = {});
  ~booking_service();
  booking_service(const booking_service&) = delete;
  booking_service& operator=(const booking_service&) = delete;

  /// The options it was built with.
  const service_options& options() const noexcept;

  // --- providers ------------------------------------------------------------------------------
  /// Creates or replaces a provider's profile (hours, slot rules, price, active). Admin and system
  /// for any provider; a provider for their own profile. The schedule and rules are validated.
  ///
  ///     service.put_provider(slotbook::actor::admin(slotbook::admin_id{1}), profile);
  void put_provider(const actor& who, const provider_profile& profile);
  /// Creates a provider's profile, checked as `put_provider` does; a provider with that id
  /// already is `errc::conflict`, decided inside the write transaction, so of two concurrent
  /// creations exactly one succeeds and neither replaces the other's profile.
  ///
  ///     service.add_provider(slotbook::actor::admin(slotbook::admin_id{1}), profile);
  void add_provider(const actor& who, const provider_profile& profile);
  /// The profile; anyone may read it (it is what a booking page shows). `not_found` if unknown.
  provider_profile provider(provider_id id);

  // --- booking --------------------------------------------------------------------------------
  /// Books a session; see docs/service.md for the checks, in order. A client books for
  /// themselves, a provider into their own calendar, an admin or the system for anyone.
  ///
  ///     auto b = service.book(slotbook::actor::client(r.client), r);
  ///     if (b.payment_required) start_checkout(b.booking_reference, b.amount);
  booking_confirmation book(const actor& who, const booking_request& request);

  /// Records a payment on a pending_payment session (admin or system: the payment webhook). In
  /// time, the session becomes scheduled and its reminders are queued. After the hold expired
  /// (or was let go) the session stays (or becomes) cancelled and the payment is refunded in full
  /// (`refunded_late`). The same transaction confirmed twice is `already_confirmed`.
  ///
  ///     // in the M-Pesa callback:
  ///     auto p = service.confirm_payment(slotbook::actor::system(), id, "mpesa", "QK7H2XYZ");
  payment_result confirm_payment(const actor& who, session_id id, std::string_view method,
                                 std::string_view transaction_id);

  /// Moves a session to another status under the lifecycle rules (`transition`); a move to
  /// cancelled is `cancel` with an empty reason.
  ///
  ///     service.update_status(slotbook::actor::provider(p), id,
  ///                           {slotbook::session_status::in_progress});
  status_result update_status(const actor& who, session_id id, const status_change& change);

  /// Cancels a session under the cancellation policy; reminders are dropped, and a refund is
  /// recorded in the transaction and then paid through the gateway (see payment.hpp).
  ///
  ///     auto c = service.cancel(slotbook::actor::client(c7), id, "travelling");
  ///     if (c.refund.state == slotbook::refund_state::failed) alert_finance(c.refund.error);
  cancellation_result cancel(const actor& who, session_id id, std::string_view reason = {});

  /// Moves a scheduled or confirmed session to `new_start`: the reschedule policy, then
  /// `check_bookable` with the old session left out of the busy times, then the client's other
  /// sessions. The old session is cancelled (reason "rescheduled", no refund: the payment moves)
  /// and the replacement gets a new reference and the reminders.
  ///
  ///     auto r = service.reschedule(who, id, slotbook::parse_instant("2026-01-16T07:00:00Z"));
  ///     r.replacement.booking_reference;  // the new reference
  reschedule_confirmation reschedule(const actor& who, session_id id, instant new_start);

  // --- series ---------------------------------------------------------------------------------
  /// Books a recurring series (docs/design.md, "Series"): expands `request.rule` from
  /// `request.first_start` in the provider's zone, then judges every occurrence by `book`'s checks
  /// (availability and slot rules, the provider's and the client's existing sessions, and the
  /// occurrences of this series before it), all in one write transaction. The request itself is
  /// checked first, as for `book` (fields, who may book, the provider, the client's no-show
  /// block); a rule without COUNT or UNTIL, with more than `max_series_occurrences` occurrences
  /// or reaching `max_series_span` or more past the first, or whose first occurrence is not
  /// `first_start`, is `invalid_argument` naming `rule` or `first_start`.
  /// - `all_or_nothing`: when any occurrence fails, nothing is booked and the error (the first
  ///   failing occurrence's class) lists every failing occurrence with its reason;
  /// - `free_ones`: the others are booked; the skipped ones come back with their reasons. When
  ///   none can be booked it is an error as in `all_or_nothing`.
  /// Booked occurrences share a new series id; each is a session like `book`'s (reference,
  /// status, reminders, a `book` audit entry and a `booked` event), and one `book_series` audit
  /// entry sums the series up. The series' record (`series_record`: the canonical rule, the first
  /// occurrence's wall-clock start in the provider's zone, the length, the type) is stored in the
  /// same transaction, so the series can be exported as one calendar event (`series_info`).
  ///
  ///     auto b = service.book_series(slotbook::actor::client(r.client), r);
  ///     for (const auto& o : b.skipped()) show(o.local_start, o.reason);
  series_booking book_series(const actor& who, const series_request& request);

  /// What `book_series` would do now, without booking anything (a read transaction; not
  /// audited): every occurrence with `booked` set (its reference left empty) or its reason. The
  /// same request errors as `book_series`.
  ///
  ///     auto p = service.preview_series(who, r);
  ///     if (p.booked_count() < p.occurrences.size()) ask_which_to_keep(p.skipped());
  series_booking preview_series(const actor& who, const series_request& request);

  /// Every session of `series`, by start: who may see them (its client, its provider, admin,
  /// system). `not_found` for a series with no sessions.
  std::vector<session> series_sessions(const actor& who, series_id series);

  /// The series' record and every session of it, by start, in one read transaction: who may see
  /// them as for `series_sessions` (its client, its provider, admin, system). `not_found` for a
  /// series with neither. A series booked before slotbook stored series records has sessions
  /// but no record: `calendar_of_series` then exports its live sessions one by one.
  ///
  ///     auto info = service.series_info(slotbook::actor::client(c), id);
  ///     auto cal = slotbook::calendar_of_series(info.record, info.sessions, details);
  ///     std::string ics = slotbook::export_calendar(cal.sessions, cal.series, options, now);
  series_details series_info(const actor& who, series_id series);

  /// Cancels occurrences of the series `occurrence` belongs to: that one, it and every later one,
  /// or the whole series, in one write transaction. Each is judged by the cancellation policy as
  /// `cancel` judges a session (its own notice, its own refund, paid through the gateway after
  /// commit); ones already over are `skipped` and ones the policy refuses are `refused`, both
  /// left as they were. `not_found` for an unknown session, `invalid_argument` for a session
  /// that belongs to no series, `forbidden` for an actor who may not cancel it. Audit: a
  /// `cancel` entry per cancelled occurrence and one `cancel_series` entry.
  ///
  ///     auto c = service.cancel_series(who, id, slotbook::series_scope::this_and_following);
  ///     for (const auto& o : c.occurrences) report(o.occurrence.id, o.outcome, o.refund);
  series_cancellation cancel_series(const actor& who, session_id occurrence, series_scope scope,
                                    std::string_view reason = {});

  // --- group sessions -------------------------------------------------------------------------
  /// Opens a group session (docs/design.md, "Group sessions"): one session of type `group`, with
  /// no client and `capacity` seats, which holds the provider's time as `book` would (the same
  /// availability, slot-rule and overlap checks, in one write transaction). Seats cost the
  /// provider's price each. The provider themselves, admin or system; `invalid_argument` for a
  /// capacity outside 1 to `max_group_capacity`. Audit `open_group`; a `booked` event.
  ///
  ///     auto g = service.open_group(slotbook::actor::provider(p), request);
  booking_confirmation open_group(const actor& who, const group_request& request);

  /// Books `client` a seat in the group session `group`: in one write transaction, the group
  /// must be scheduled or confirmed and not yet started, the client must hold no seat in it, must
  /// not be blocked for no-shows, and must have no session or seat that occupies time then
  /// (`conflict`, `client_busy`), and a seat must be free (`conflict`, `group_full`). The seat is
  /// held at once; its payment is recorded with `confirm_seat_payment`. The client themselves,
  /// admin or system. Audit `book_seat`; a `booked` event naming the client.
  ///
  ///     auto s = service.book_seat(slotbook::actor::client(c), g.session, c);
  seat_confirmation book_seat(const actor& who, session_id group, client_id client);

  /// Gives up `client`'s seat in `group` under the cancellation policy, judged as a session of
  /// the client's at the group's time (`seat_view`): its own notice, its own refund of what was
  /// paid for the seat, paid through the gateway after commit. The seat is free again. The
  /// client, the group's provider, admin or system. Audit `cancel_seat`; a `cancelled` event.
  ///
  ///     auto c = service.cancel_seat(slotbook::actor::client(c7), group, c7, "travelling");
  seat_cancellation cancel_seat(const actor& who, session_id group, client_id client,
                                std::string_view reason = {});

  /// Records the payment of `client`'s seat in `group` (a payment webhook): admin or system. A
  /// repeated notification with the same transaction id changes nothing; a cancelled seat is
  /// `conflict`. Audit `confirm_seat_payment`.
  seat confirm_seat_payment(const actor& who, session_id group, client_id client,
                            std::string_view method, std::string_view transaction_id);

  /// Every seat of `group`, held or cancelled, by id: the group's provider, admin, system, or a
  /// client who holds a seat in it (who sees only their own seats).
  std::vector<seat> group_seats(const actor& who, session_id group);

  // --- waitlist -------------------------------------------------------------------------------
  /// Puts `request.client` in line for `request.provider` (docs/design.md, "Waitlist"): the
  /// client themselves, admin or system; the provider must exist and be active. Nothing is
  /// offered now (a slot free now is booked with `book`): offers follow freed time. Audit
  /// `join_waitlist`.
  ///
  ///     auto e = service.join_waitlist(slotbook::actor::client(c), request);
  waitlist_entry join_waitlist(const actor& who, const waitlist_request& request);

  /// Takes the entry out of line (`withdrawn`); declining an offer is the same. A live offer's
  /// slot is offered to the next in line in the same transaction. The entry's client, admin or
  /// system; `conflict` for an entry no longer open. Audit `leave_waitlist`.
  waitlist_entry leave_waitlist(const actor& who, std::int64_t entry);

  /// Books the offered slot for the entry's client, as `book` would (the provider's rules, the
  /// client's own conflicts and no-show standing; the slot held for this offer counts as free for
  /// it), in one write transaction; the entry becomes `booked`. `conflict` when the entry holds
  /// no offer or the offer has lapsed. The entry's client, admin or system. Audit
  /// `accept_offer` and `book`; a `booked` event.
  ///
  ///     auto booked = service.accept_offer(slotbook::actor::client(c), entry.id);
  booking_confirmation accept_offer(const actor& who, std::int64_t entry);

  /// Lets offers whose deadline has passed lapse (as the system), at most `limit` per call,
  /// earliest deadline first, and offers each slot to the next in line, in one transaction;
  /// returns how many lapsed. `expire_holds` does the same in its transaction.
  std::size_t expire_offers(std::size_t limit = 1000);

  /// A client's waitlist entries, open or not, by id: the client themselves, admin, system.
  std::vector<waitlist_entry> waitlist(const actor& who, client_id client);

  // --- external calendars ---------------------------------------------------------------------
  /// Stores `busy` (from `import_busy_times`, ical.hpp) as the provider's busy time from the
  /// external calendar `source`, replacing that source's blocks overlapping `window`, in one write
  /// transaction (docs/calendar.md). Each interval is clipped to `window` (an import owns its
  /// window) and cut into pieces of at most 366 days. From then on they block slots, bookings,
  /// reschedules, series, group sessions and waitlist offers like sessions do. Time a replaced
  /// block no longer covers is offered to the waitlist. Event titles are not stored. The
  /// provider themselves, admin or system; the provider must exist. `invalid_argument` for a
  /// `source` that is empty, over 200 bytes or has control characters, a window that is empty or
  /// over `max_busy_window`, more than `max_busy_import` intervals, an interval that does not
  /// overlap the window, or a UID over 1000 bytes. Audit `import_busy` (counts, never titles).
  ///
  ///     auto found = slotbook::import_busy_times(ics_text, options);
  ///     auto done = service.import_busy(slotbook::actor::provider(p), p, "google:work",
  ///                                     options.window, found.busy);
  ///     for (const slotbook::session& s : done.clashes) warn(s);
  busy_import import_busy(const actor& who, provider_id provider, std::string_view source,
                          interval window, std::span<const busy_time> busy);

  /// The provider's stored external busy time (every source) overlapping `range`, by begin: the
  /// provider themselves, admin or system. `range` at most 366 days. Audit `busy_blocks`.
  std::vector<busy_block> busy_blocks(const actor& who, provider_id provider, interval range);

  /// Cancels unpaid holds whose time ran out (as the system), at most `limit` per call, oldest
  /// first, in one transaction; returns how many. The unpaid seats of priced group sessions are
  /// holds too (reason `hold_expired`; docs/design.md, "Group sessions").
  ///
  ///     every_minute([&] { service.expire_holds(); });
  std::size_t expire_holds(std::size_t limit = 1000);

  // --- reading --------------------------------------------------------------------------------
  /// One session, if `who` may see it (its client, its provider, admin, system; for a group
  /// session also a client who holds or held a seat in it).
  session get_session(const actor& who, session_id id);
  /// The same, by booking reference.
  session find_by_reference(const actor& who, std::string_view reference);
  /// A client's own sessions overlapping `range`, by start (the seed's my-sessions). `who` must
  /// be a client.
  std::vector<session> my_sessions(const actor& who, interval range);
  /// A provider's own sessions overlapping `range`, by start (the seed's assigned). `who` must be
  /// a provider.
  std::vector<session> assigned_sessions(const actor& who, interval range);
  /// Any client's sessions: the client themselves, admin, system.
  std::vector<session> client_sessions(const actor& who, client_id client, interval range);
  /// Any provider's sessions: the provider themselves, admin, system.
  std::vector<session> provider_sessions(const actor& who, provider_id provider, interval range);
  /// The provider's slots starting in `range`, each available or with its reason (`generate_slots`
  /// over the sessions that occupy time now). Public: no actor. An inactive provider has none.
  std::vector<slot> slots(provider_id provider, interval range);
  /// `analyze_sessions` over the provider's sessions scheduled in `range`, revenue in the
  /// provider's currency: the provider themselves, admin, system.
  session_analytics analytics(const actor& who, provider_id provider, interval range);

  // --- intake forms ---------------------------------------------------------------------------
  // Steps are sealed with `options().keys`; see docs/security.md and docs/service.md.

  /// Starts an empty intake form for `client`, optionally for one of their sessions, under a new
  /// data key. The client themselves, admin or system. Audit `create_intake`.
  ///
  ///     auto form = service.create_intake(slotbook::actor::client(c), c, booked.session);
  intake_summary create_intake(const actor& who, client_id client, session_id session = {});

  /// Validates one wizard step and seals it into the form, replacing an earlier save of that
  /// step (a partial form is fine). An invalid step is `invalid_argument` naming the field
  /// (`mental_health.severity_level: 11 is outside 1-10`) and changes nothing. The form's client,
  /// admin or system; audit `save_intake` (which step, never its content).
  ///
  ///     service.save_intake_step(who, form.id, personal_info);
  intake_summary save_intake_step(const actor& who, intake_id form, const personal_info_step& step);
  /// \copydoc save_intake_step(const actor&, intake_id, const personal_info_step&)
  intake_summary save_intake_step(const actor& who, intake_id form, const mental_health_step& step);
  /// \copydoc save_intake_step(const actor&, intake_id, const personal_info_step&)
  intake_summary save_intake_step(const actor& who, intake_id form, const goals_step& step);
  /// Records the consents (plaintext, no key needed); withdrawing one makes the form incomplete.
  intake_summary save_intake_step(const actor& who, intake_id form, const consent_step& step);

  /// The form, decrypted. Its client; a provider with whom the client has a session that is not
  /// cancelled; admin; system. Every read, and every refused one, is appended to the audit chain
  /// (`read_intake`: who, when, which form) before the plaintext is returned. A deleted form is
  /// `not_found`; a missing key version or a tampered or swapped ciphertext is `crypto`.
  ///
  ///     auto form = service.read_intake(slotbook::actor::provider(p), id);
  intake_form read_intake(const actor& who, intake_id form);

  /// The client's forms without their content, deleted ones included, by id: who may read them
  /// (as `read_intake`). Not audited: nothing is decrypted.
  std::vector<intake_summary> client_intakes(const actor& who, client_id client);

  /// Crypto-shreds a form: its wrapped data key, sealed steps and consents are destroyed in one
  /// transaction, so nothing can open it again; the ids, dates and `reason` stay until
  /// `purge_expired`. The form's client, admin or system. `reason` is a short category (1 to 200
  /// bytes, e.g. "client request"), recorded in the audit entry: never health data.
  ///
  ///     service.delete_intake(who, id, "client request");
  erasure_result delete_intake(const actor& who, intake_id form, std::string_view reason);

  /// Re-wraps every live form's data key under the keyring's newest version, `batch_size` forms
  /// per write transaction (each with its audit entry), without decrypting any step. A form is
  /// always readable with the old or the new version, so an interrupted run (a crash, a throwing
  /// `progress`) is finished by running it again; once it returns, the older versions can be
  /// removed from the keyring. A form that does not unwrap stops the run with `crypto` naming it
  /// (its batch is not written). As the system.
  ///
  ///     ring.add(2, new_key);                  // then, between operations:
  ///     service.rotate_intake_keys(500);
  ///     ring.remove(1);
  rotation_report rotate_intake_keys(std::size_t batch_size = 100,
                                     const rotation_callback& progress = {});

  // --- privacy --------------------------------------------------------------------------------
  /// The seed's secure delete: redacts a completed, cancelled or no-show session's notes,
  /// special requests and free-text cancellation reason (to `redacted_text`) and marks it deleted
  /// with `reason`; `purge_expired` removes it `deleted_retention` later. An active session is
  /// `conflict` (cancel it first), as is one already deleted. Its client, admin or system; audit
  /// `secure_delete`. Intake forms are separate: `delete_intake`.
  erasure_result secure_delete_session(const actor& who, session_id id, std::string_view reason);

  /// Removes for good, as the system, up to `limit` sessions and up to `limit` intake forms that
  /// were deleted more than `deleted_retention` ago (strictly before `now - deleted_retention`),
  /// with the sessions' reminders, in one transaction (audit `purge` when anything went), then
  /// scrubs the store's files. Run it daily.
  purge_report purge_expired(std::size_t limit = 1000);

  /// Everything slotbook holds about `client`, intake forms decrypted, for a subject-access
  /// request: the client themselves, admin or system. Audited (`export_client_data`, naming the
  /// forms decrypted). `to_json` turns it into text.
  client_data_export export_client_data(const actor& who, client_id client);

  // --- reminders ------------------------------------------------------------------------------
  /// Claims up to `limit` due reminders for this worker until `now + retry.lease`, in one write
  /// transaction: no other worker gets them while the lease runs. Reminders whose session no
  /// longer gets reminders are closed as failed instead of being returned.
  ///
  ///     for (const auto& c : service.due_reminders(20)) {
  ///       auto d = notifier.send(c.message);
  ///       d.delivered ? service.mark_sent(c.queued) : (void)service.mark_failed(c.queued,
  ///       d.error);
  ///     }
  std::vector<claimed_reminder> due_reminders(std::size_t limit = 100);
  /// Records that a claimed reminder was delivered. `conflict` if the claim is no longer this
  /// worker's (the lease expired and another worker claimed it, or it was already marked);
  /// `not_found` if the reminder was dropped (its session was cancelled meanwhile).
  void mark_sent(const queued_reminder& claimed);
  /// Records a failed delivery: retried after `first_backoff * 2^(attempts - 1)` (capped at
  /// `max_backoff`), or `failed` for good after `max_attempts`. Same errors as `mark_sent`.
  /// Returns true when it will be retried.
  bool mark_failed(const queued_reminder& claimed, std::string_view error);
  /// One worker pass: claim, send through `n`, mark. Exceptions from `n` count as failures.
  reminder_run run_reminders(notifier& n, std::size_t limit = 100);
  /// The same through `options().notifications`; `invalid_argument` when that is null.
  reminder_run run_reminders(std::size_t limit = 100);

  // --- audit, health, events ------------------------------------------------------------------
  /// Walks the whole audit log and reports the first entry that was edited, deleted or reordered
  /// (as a value; it never throws for a bad log, only `storage` when the log cannot be read). With
  /// `expected`, also checks the log still reaches that head.
  ///
  ///     auto v = service.verify_audit();
  ///     if (!v.ok()) alert(v.message);  // e.g. "audit entry 5 was edited: ..."
  audit_verification verify_audit(const std::optional<audit_head>& expected = std::nullopt);
  /// The current last entry, to keep elsewhere for `verify_audit`.
  audit_head current_audit_head();

  /// Storage reachability and the reminder backlog. Never throws.
  ///
  ///     auto h = service.health();
  ///     return {slotbook::to_string(h.status), h.reminders_due};
  health_report health() noexcept;

  /// Subscribes `callback` to change events (events.hpp has the delivery contract).
  ///
  ///     auto sub = service.subscribe([&](const slotbook::change_event& e) { ws.push(e); });
  [[nodiscard]] subscription subscribe(change_callback callback);

 private:
  struct state;  // the store, clock, options and event hub; defined in src/booking_service.cpp
  friend struct service_ops;  // the operations' shared steps, in src/booking_service.cpp
  std::unique_ptr<state> state_;
};

}  // namespace slotbook
