#pragma once
/// \file series_record.hpp
/// "What was a recurring series booked as, and how does it show in a calendar?": the record
/// `booking_service::book_series` stores for every series it books (the rule, the nominal first
/// start in the provider's zone, the length), and the pure function that turns that record and
/// the series' sessions as they stand now into RFC 5545 events for ical.hpp's `export_calendar`.
///
/// The sessions are the truth about what is booked; the record only says what rule they came
/// from, so that a calendar can show the series as one VEVENT with RRULE and EXDATE instead of
/// one VEVENT per session. `calendar_of_series` says what is exported for what; docs/cli.md
/// (export-ics) shows it from the command line.
///
///     const slotbook::series_calendar c = slotbook::calendar_of_series(record, sessions, details);
///     std::string ics = slotbook::export_calendar(c.sessions, c.series, options, now);

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ical.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/recurrence.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// A booked recurring series as stored: what `book_series` expanded, not what became of each
/// occurrence (that is on the sessions, which carry the series id). Written once, when the
/// series is booked, and never changed: a cancellation or a reschedule changes sessions only.
///
///     slotbook::series_record r;
///     r.id = slotbook::series_id{3};
///     r.provider = slotbook::provider_id{42};
///     r.client = slotbook::client_id{7};
///     r.rule = "FREQ=WEEKLY;COUNT=10";  // canonical: slotbook::format_rrule
///     r.start = {date::year{2026} / 3 / 2, std::chrono::hours{9}, "Africa/Nairobi"};
///     r.duration = std::chrono::minutes{50};
///     r.created_at = now;
///     slotbook::validate(r);
struct series_record {
  series_id id{};
  provider_id provider{};
  client_id client{};
  /// The rule in canonical RRULE text (`format_rrule`; no `RRULE:` prefix). It ends (COUNT or
  /// UNTIL): `book_series` refuses a rule that does not.
  std::string rule;
  /// The nominal first occurrence: a date and wall-clock time in `start.zone`, the provider's
  /// zone when the series was booked. Every occurrence keeps that wall-clock time.
  recurrence_start start;
  std::chrono::minutes duration{};  ///< every occurrence's booked length, 1 minute to 24 hours
  session_type type{session_type::initial};
  instant created_at{};  ///< when it was booked

  friend bool operator==(const series_record&, const series_record&) = default;
};

/// Throws `errc::invalid_argument` naming the field and value: a zero id, provider or client; a
/// rule that does not parse or is not in canonical text (`format_rrule` of itself); an invalid
/// start (`validate(const recurrence_start&)`); a duration outside 1 minute to 24 hours; a type
/// that is not `initial`, `follow_up` or `emergency` (a series never holds group sessions); a
/// `created_at` outside the years 1 to 9999.
///
///     slotbook::validate(record);  // throws slotbook::error
inline void validate(const series_record& r) {
  if (!r.id.ok()) throw error(errc::invalid_argument, "series.id: 0 is not a series id");
  if (!r.provider.ok())
    throw error(errc::invalid_argument, "series.provider: 0 is not a provider id");
  if (!r.client.ok()) throw error(errc::invalid_argument, "series.client: 0 is not a client id");
  const recurrence_rule rule = parse_rrule(r.rule, "series.rule");
  if (const std::string canonical = format_rrule(rule); canonical != r.rule) {
    throw error(errc::invalid_argument,
                fmt::format("series.rule: {} is not in canonical form (it would be {})",
                            detail::quote(r.rule), detail::quote(canonical)));
  }
  validate(r.start, "series.start");
  if (r.duration < std::chrono::minutes{1} || r.duration > std::chrono::hours{24}) {
    throw error(
        errc::invalid_argument,
        fmt::format("series.duration: {} min is outside 1 min to 24 h", r.duration.count()));
  }
  if (r.type != session_type::initial && r.type != session_type::follow_up &&
      r.type != session_type::emergency) {
    throw error(errc::invalid_argument,
                fmt::format("series.type: {} is not a session type a series can have",
                            static_cast<int>(r.type)));
  }
  if (r.created_at < detail::earliest_instant || r.created_at > detail::latest_instant) {
    throw error(errc::invalid_argument,
                fmt::format("series.created_at: {} s is outside the years 1 to 9999",
                            r.created_at.time_since_epoch().count()));
  }
}

/// The most occurrences `calendar_of_series` expands a record's rule to. `book_series` books at
/// most 366; a record whose rule runs on past this (a host's own) cannot be exported as one event.
inline constexpr std::size_t max_exported_occurrences = 10'000;

/// A series as calendar events, ready for `export_calendar(sessions, series, ...)`.
struct series_calendar {
  /// The series as one VEVENT (RRULE, EXDATE for every occurrence not booked now), or empty for a
  /// series without a record.
  std::vector<series_event> series;
  /// Live sessions the series event does not cover, by start: occurrences moved off the rule by
  /// a reschedule, or, for a series without a record, every live session.
  std::vector<session_event> sessions;
};

/// Turns a stored series into calendar events (pure; `sessions` as `store::series_sessions`
/// returns them, any status, any order).
///
/// With a record, the series is one event: its rule from its first start, each occurrence
/// `record.duration` long, with every occurrence that no live session (one not cancelled) holds
/// at its start as EXDATE: cancelled ones, ones `book_series` skipped (`free_ones`), ones whose
/// session was purged, and ones a reschedule moved away. A moved occurrence's live session is
/// its own event (UID `session-<id>`, SEQUENCE its reschedule count), since ical.hpp writes no
/// RECURRENCE-ID overrides: a calendar sees the series without that date plus the session at
/// its new time. The series' SEQUENCE counts the occurrences that were booked and are no longer
/// (each such change added an EXDATE). STATUS is CANCELLED when no occurrence is left, TENTATIVE
/// when every one left awaits payment, CONFIRMED otherwise. `details` (summary, description,
/// location, and `sequence` if the caller overrides it) go on every event; on session events the
/// sequence is left to the session.
///
/// Without a record (a series booked before slotbook stored them), every live session is its
/// own event and `series` is empty: the calendar shows the same times, only not as one series.
///
/// `errc::invalid_argument` for an invalid record, a session of another series (or of none),
/// or a rule with more than `max_exported_occurrences` occurrences.
///
///     auto c = slotbook::calendar_of_series(record, sessions, {"Therapy", "", "", {}});
///     auto ics = slotbook::export_calendar(c.sessions, c.series, options, now);
inline series_calendar calendar_of_series(const std::optional<series_record>& record,
                                          std::span<const session> sessions,
                                          const event_details& details) {
  std::vector<const session*> live;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const session& s = sessions[i];
    if (record && s.series != record->id) {
      throw error(errc::invalid_argument,
                  fmt::format("sessions[{}].series: session {} belongs to series {}, not {}", i,
                              to_string(s.id), to_string(s.series), to_string(record->id)));
    }
    if (!record && (!s.series.ok() || s.series != sessions.front().series)) {
      throw error(
          errc::invalid_argument,
          fmt::format("sessions[{}].series: session {} belongs to series {}, not {}", i,
                      to_string(s.id), to_string(s.series), to_string(sessions.front().series)));
    }
    if (s.status != session_status::cancelled) live.push_back(&s);
  }
  std::stable_sort(live.begin(), live.end(), [](const session* a, const session* b) {
    return a->scheduled_at != b->scheduled_at ? a->scheduled_at < b->scheduled_at : a->id < b->id;
  });
  event_details session_details = details;
  session_details.sequence.reset();

  series_calendar out;
  if (!record) {
    for (const session* s : live) out.sessions.push_back({*s, session_details});
    return out;
  }

  validate(*record);
  series_event x;
  x.id = record->id;
  x.rule = parse_rrule(record->rule, "series.rule");
  x.start = record->start;
  x.duration = record->duration;
  x.details = details;
  expand_options limits;
  limits.max_occurrences = max_exported_occurrences;
  const expansion all = expand(x.rule, x.start, x.duration,
                               {detail::earliest_instant, detail::latest_instant}, limits);
  if (all.truncated) {
    throw error(errc::invalid_argument,
                fmt::format("series.rule: {} has more than {} occurrences",
                            detail::quote(record->rule), max_exported_occurrences));
  }

  // Which live session holds each occurrence: one at its start with the series' length.
  std::map<instant, const session*> holder;
  std::vector<const session*> moved;
  for (const session* s : live) {
    const auto at =
        std::lower_bound(all.occurrences.begin(), all.occurrences.end(), s->scheduled_at,
                         [](const occurrence& o, instant t) { return o.utc.begin < t; });
    const bool fits = s->duration == record->duration && at != all.occurrences.end() &&
                      at->utc.begin == s->scheduled_at;
    if (fits && holder.emplace(s->scheduled_at, s).second) continue;
    moved.push_back(s);
  }
  std::set<instant> was_booked;  // starts of cancelled sessions of the series
  for (const session& s : sessions) {
    if (s.status == session_status::cancelled) was_booked.insert(s.scheduled_at);
  }

  std::int32_t dropped = 0;
  bool all_pending = !holder.empty();
  for (const occurrence& o : all.occurrences) {
    const auto held = holder.find(o.utc.begin);
    if (held != holder.end()) {
      if (held->second->status != session_status::pending_payment) all_pending = false;
      continue;
    }
    x.cancelled.push_back(o.utc.begin);
    if (was_booked.count(o.utc.begin) != 0) ++dropped;
  }
  x.sequence = dropped;
  x.status = holder.empty() ? session_status::cancelled
             : all_pending  ? session_status::pending_payment
                            : session_status::scheduled;
  out.series.push_back(std::move(x));
  for (const session* s : moved) out.sessions.push_back({*s, session_details});
  return out;
}

}  // namespace slotbook
