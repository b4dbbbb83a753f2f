#pragma once
/// \file json_convert.hpp
/// "What does it look like as JSON?": the tool's JSON input (schedule files) and output (sessions,
/// slots, decisions, reports). Keys are camelCase, as in the platform's original API; instants
/// are ISO-8601 UTC (`2026-01-15T10:00:00Z`); money is `{"currency", "minorUnits", "text"}` so no
/// amount ever passes through floating point.
///
/// Reading is strict: an unknown key, a value of the wrong type or a repeated key is
/// `errc::invalid_argument` naming the field, because a misspelt `"dayofWeek"` silently ignored
/// would publish the wrong hours.

#include <string>
#include <string_view>

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "slotbook/analytics.hpp"
#include "slotbook/availability.hpp"
#include "slotbook/booking_service.hpp"
#include "slotbook/events.hpp"
#include "slotbook/money.hpp"
#include "slotbook/notifier.hpp"
#include "slotbook/seat.hpp"
#include "slotbook/session.hpp"
#include "slotbook/slots.hpp"
#include "slotbook/store.hpp"
#include "slotbook/waitlist.hpp"

namespace slotbook::cli {

/// Objects keep their keys in the order written, so output reads top-down.
using json = nlohmann::ordered_json;

/// The most bytes `read_text_file` reads: far more than any schedule needs, little enough that a
/// wrong path (a log file, a device) fails fast.
inline constexpr std::size_t max_input_bytes = 1 << 20;

/// The contents of `path`; `errc::invalid_argument` naming `field` when it cannot be read or is
/// larger than `max_input_bytes`.
///
///     read_text_file("schedule.json", "--file");
std::string read_text_file(const std::string& path, std::string_view field);

/// Parses JSON text, refusing repeated keys; errors are `errc::invalid_argument` and start with
/// `source` (e.g. the file name).
///
///     parse_json_text(R"({"zone": "Africa/Nairobi"})", "schedule.json");
json parse_json_text(std::string_view text, std::string_view source);

/// A provider's hours and slot rules: what `availability set --file` reads.
struct schedule_file {
  schedule hours;
  slot_rules rules;
};

/// Reads the schedule file format (docs/cli.md): `zone`, the seed's `windows` and `exceptions`,
/// `effectiveFrom`, `effectiveUntil`, `isActive` and `rules`. The result is validated (the same
/// checks `booking_service::put_provider` makes), so a file that reads is a file that stores.
///
///     auto f = read_schedule_file(parse_json_text(text, "schedule.json"));
schedule_file read_schedule_file(const json& doc);

/// The schedule file for `hours` and `rules`; `read_schedule_file` reads it back to the same
/// schedule (inactive weekly windows are never stored, so they do not appear).
json schedule_file_json(const schedule& hours, const slot_rules& rules);

/// `2026-01-15T10:00:00Z`.
json instant_json(instant t);
/// `{"currency": "KES", "minorUnits": 150000, "text": "KES 1500.00"}`.
json money_json(const money& m);
/// Every field of a session; absent optional fields and zero ids are `null`.
json session_json(const session& s);
/// The provider's id, name, price, active flag, and hours as a schedule file.
json provider_json(const provider_profile& p);
/// A slot as the seed's API shows it, plus UTC instants: `date`, `startTime`, `endTime` in
/// `zone`, `start`, `end`, `available`, and `reason` when not available.
json slot_json(const slot& s, const date::time_zone& zone);
/// What `book` answers: `sessionId`, `bookingReference`, `scheduledAt`, `paymentRequired`,
/// `amount`, `status` (a preview's occurrence has a null `sessionId` and an empty reference).
json booking_json(const booking_confirmation& b);
/// A series booking or preview: `series` (null when nothing was booked), `preview`, `rule`,
/// `mode`, `zone`, `booked`, `skipped` and every occurrence with its number (from 1, as in
/// error messages), `localStart` (wall-clock time in `zone`, the provider's), `start`, `end`,
/// `booked`, `booking`, and for a refused one `refused` (the error class), `reason`, `message`.
json series_booking_json(const series_booking& b, const date::time_zone& zone, bool preview);
/// What `cancel --scope following|series` did: `series`, `scope`, `cancelled` and each
/// occurrence in the scope with its `outcome`, `decision`, `refund` and `reason`.
json series_cancellation_json(const series_cancellation& c);
json cancellation_json(const cancellation_decision& d);
json reschedule_json(const reschedule_decision& d);
json refund_json(const refund_outcome& r);
/// The reminder as `reminders run --exec` hands it to the command on stdin.
json reminder_json(const reminder_message& m);
/// The dashboard metrics, group sessions and seats included (`groupSessions`, `seats`,
/// `cancelledSeats`).
json analytics_json(const session_analytics& a);
/// A seat in a group session: `id`, `session`, `client`, `status`, `amount`, `paymentStatus`,
/// `paymentMethod`, `transactionId`, `refunded`, `createdAt`, `updatedAt`, `cancelledAt`,
/// `cancellationReason`, `cancelledBy`.
json seat_json(const seat& t);
/// A waitlist entry: `id`, `provider`, `client`, `from`, `to`, `sessionType`, `earliest` and
/// `latest` (`"HH:MM"` in the provider's zone, or null), `state`, `joinedAt`, `updatedAt`,
/// `offer` (`{"start", "end"}` or null), `offerExpires`, `booked` (the session, or null).
json waitlist_entry_json(const waitlist_entry& e);
/// A change event (events.hpp): `sequence`, `kind`, `at`, `session`, `bookingReference`,
/// `provider`, `client`, `start`, `end`, `from`, `to`, `related`, `by`, `waitlistEntry`.
json change_event_json(const change_event& e);
json audit_json(const audit_verification& v, const audit_head& head);
json health_json(const health_report& h);

/// One JSON document as text (indented, invalid UTF-8 in user text replaced, not thrown).
std::string dump(const json& j);

}  // namespace slotbook::cli
