#pragma once
/// \file ical.hpp
/// "What do other calendars see, and when is the provider busy in theirs?": RFC 5545 iCalendar
/// export of sessions and recurring series, and import of busy times from an external .ics feed.
///
/// Export writes VCALENDAR text (VERSION 2.0, PRODID, CALSCALE) with one VEVENT per session or
/// series: a stable UID from the id and a host-given domain, DTSTAMP from `now`, SEQUENCE, STATUS,
/// DTSTART/DTEND (UTC by default; with `TZID` and a generated VTIMEZONE when asked for a zone),
/// RRULE and EXDATE for series, VALARMs for the reminder plan, escaped TEXT, lines folded at 75
/// octets without splitting a UTF-8 sequence, CRLF line ends.
///
/// Import reads VEVENTs into busy intervals in UTC within a window: DTSTART with DTEND, DURATION
/// or neither; UTC, TZID (IANA names, or the host's aliases) and floating times (floating means
/// the provider's zone); all-day events blocking whole local days in the provider's zone; RRULE in
/// the subset of recurrence.hpp with RFC 5545's DTSTART rule, EXDATE, RDATE and RECURRENCE-ID
/// overrides; TRANSP:TRANSPARENT and STATUS:CANCELLED events block nothing. Malformed input is an
/// `errc::invalid_argument` naming the line number and its (quoted) content; limits on size,
/// lines, events and results keep hostile input cheap. See docs/calendar.md.
///
///     slotbook::ical_export_options out;
///     out.uid_domain = "clinic.example";
///     std::string ics = slotbook::export_session(s, {"Therapy session", "", "", {}}, out, now);
///
///     slotbook::ical_import_options in;
///     in.zone = "Africa/Nairobi";
///     in.window = {now, now + date::days{60}};
///     for (const slotbook::busy_time& b : slotbook::import_busy_times(text, in).busy) { ... }

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/recurrence.hpp"
#include "slotbook/reminders.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

// =============================================================================================
// Export
// =============================================================================================

/// How a single session's DTSTART and DTEND are written.
enum class ical_times {
  utc,   ///< `DTSTART:20260115T070000Z`: exact, needs no VTIMEZONE (the default)
  zone,  ///< `DTSTART;TZID=Africa/Nairobi:20260115T100000` plus a generated VTIMEZONE
};

/// Export settings shared by every event of a calendar.
///
///     slotbook::ical_export_options o;
///     o.uid_domain = "clinic.example";        // UIDs like "session-42@clinic.example"
///     o.times = slotbook::ical_times::zone;   // wall-clock times in the provider's zone
///     o.zone = "Africa/Nairobi";
struct ical_export_options {
  /// Right-hand side of every UID; letters, digits, '.' and '-' only. Required: a UID must be
  /// globally unique, so it has to name the host.
  std::string uid_domain;
  std::string product_id = "-//slotbook//slotbook//EN";  ///< PRODID
  ical_times times = ical_times::utc;
  std::string zone;  ///< IANA zone for `ical_times::zone`
  /// VALARM offsets (scheduled and confirmed events only, as reminders.hpp plans reminders);
  /// clear `alarms.offsets` for none.
  reminder_plan alarms;
  /// How far past `now` (or an open-ended series' first occurrence, if later) the generated
  /// VTIMEZONE lists the zone's transitions.
  std::chrono::days vtimezone_horizon{3660};
};

/// The text of one event: what the calendar shows. `sequence`, when set, replaces the default
/// SEQUENCE (a session's reschedule count; a series' own `sequence`).
struct event_details {
  std::string summary;
  std::string description;
  std::string location;
  std::optional<std::int32_t> sequence;

  friend bool operator==(const event_details&, const event_details&) = default;
};

/// A session and how to show it.
struct session_event {
  session booked;
  event_details details;
};

/// A recurring series as one VEVENT: `rule` expanded from `start` (nominal wall-clock time in
/// `start.zone`), each occurrence `duration` long; `cancelled` lists the UTC starts of cancelled
/// occurrences, written as EXDATE. The first occurrence becomes DTSTART (RFC 5545 makes DTSTART
/// an occurrence whatever the rule says, so a DTSTART that does not match is not written).
struct series_event {
  series_id id{};
  recurrence_rule rule;
  recurrence_start start;
  std::chrono::minutes duration{};  ///< 1 minute to 24 hours, like a session
  std::vector<instant> cancelled;   ///< each must be an occurrence's UTC start
  session_status status = session_status::scheduled;
  std::int32_t sequence = 0;
  event_details details;
};

/// STATUS for a session status: pending_payment is TENTATIVE, cancelled is CANCELLED, the rest
/// (scheduled, confirmed, in_progress, completed, no_show: the time was booked) CONFIRMED.
constexpr std::string_view ical_status(session_status s) noexcept {
  switch (s) {
    case session_status::pending_payment:
      return "TENTATIVE";
    case session_status::cancelled:
      return "CANCELLED";
    case session_status::scheduled:
    case session_status::confirmed:
    case session_status::in_progress:
    case session_status::completed:
    case session_status::no_show:
      return "CONFIRMED";
  }
  return "CONFIRMED";
}

namespace detail {

inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes one UTF-8 sequence at `pos` into `cp` and returns its length, or returns 0 and sets
// `bad` to the length of the invalid "maximal subpart" there (Unicode's recommended practice, as
// Python's and the WHATWG decoders apply it: one U+FFFD per broken sequence, not per byte).
inline std::size_t utf8_sequence(std::string_view s, std::size_t pos, std::uint32_t& cp,
                                 std::size_t& bad) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(pos);
  bad = 1;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing beyond U+10FFFF
  } else {
    return 0;
  }
  cp = b0 & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
  for (std::size_t i = 1; i < n; ++i) {
    if (pos + i >= s.size()) {
      bad = i;
      return 0;
    }
    const unsigned char b = byte(pos + i);
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) {
      bad = i;
      return 0;
    }
    cp = (cp << 6) | (b & 0x3Fu);
  }
  return n;
}

// RFC 5545 TEXT: backslash, semicolon and comma escaped, line breaks (CRLF, CR or LF) as "\n".
// Invalid UTF-8 becomes U+FFFD and other control characters (TEXT does not allow them) are
// dropped, so the output is always valid, foldable UTF-8.
inline std::string ical_text(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    std::size_t bad = 1;
    const std::size_t n = utf8_sequence(s, i, cp, bad);
    if (n == 0) {
      append_utf8(out, 0xFFFD);
      i += bad;
      continue;
    }
    i += n;
    switch (cp) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        if (i < s.size() && s[i] == '\n') ++i;
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out.push_back('\t');
        break;
      default:
        if (cp < 0x20 || cp == 0x7F) break;
        append_utf8(out, cp);
    }
  }
  return out;
}

// Appends `line` folded at 75 octets (continuation lines start with a space and carry at most
// 74 more), never inside a UTF-8 sequence, with CRLF line ends.
inline void fold_line(std::string& out, std::string_view line) {
  std::size_t limit = 75;
  while (line.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    if (cut == 0) cut = limit;  // not UTF-8 at all (callers never pass such text): still progress
    out.append(line.substr(0, cut));
    out.append("\r\n ");
    line.remove_prefix(cut);
    limit = 74;
  }
  out.append(line);
  out.append("\r\n");
}

inline std::string ical_utc(instant t) { return date::format("%Y%m%dT%H%M%SZ", t); }
inline std::string ical_local(date::local_seconds t) { return date::format("%Y%m%dT%H%M%S", t); }

// A DURATION/TRIGGER value: P1D, PT2H, PT1H30M, P1DT2H; `negative` puts a '-' first.
inline std::string ical_duration(std::chrono::seconds d, bool negative) {
  std::int64_t s = d.count();
  std::string out = negative ? "-P" : "P";
  const std::int64_t days = s / 86400;
  s %= 86400;
  if (days > 0) out += fmt::format("{}D", days);
  if (s > 0 || days == 0) {
    out += 'T';
    if (s / 3600 > 0) out += fmt::format("{}H", s / 3600);
    if (s % 3600 / 60 > 0) out += fmt::format("{}M", s % 3600 / 60);
    if (s % 60 > 0 || s == 0) out += fmt::format("{}S", s % 60);
  }
  return out;
}

// A UTC offset as iCalendar writes it: +0300, -0430, +054500 (seconds only when not zero).
inline std::string ical_offset(std::chrono::seconds offset) {
  const std::int64_t s = offset.count() < 0 ? -offset.count() : offset.count();
  std::string out =
      fmt::format("{}{:02}{:02}", offset.count() < 0 ? '-' : '+', s / 3600, s % 3600 / 60);
  if (s % 60 != 0) out += fmt::format("{:02}", s % 60);
  return out;
}

inline void check_uid_domain(std::string_view domain) {
  bool ok = !domain.empty() && domain.size() <= 253;
  for (char c : domain) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-');
  }
  if (!ok) {
    throw error(errc::invalid_argument,
                fmt::format("uid_domain: {} is not a domain name (letters, digits, '.', '-')",
                            quote(domain)));
  }
}

// The instants during which one zone's events happen, to cover with a VTIMEZONE.
struct zone_span {
  const date::time_zone* zone = nullptr;
  instant begin{};
  instant end{};
};

inline void cover(std::vector<zone_span>& spans, const date::time_zone& zone, instant begin,
                  instant end) {
  for (zone_span& s : spans) {
    if (s.zone == &zone) {
      s.begin = std::min(s.begin, begin);
      s.end = std::max(s.end, end);
      return;
    }
  }
  spans.push_back({&zone, begin, end});
}

// A VTIMEZONE listing every offset change of `span.zone` in the span (a day either side), each
// as its own STANDARD or DAYLIGHT observance with an explicit DTSTART: exact for the years
// covered, with no RRULE for a consumer to extrapolate wrongly.
inline void write_vtimezone(std::string& out, const zone_span& span) {
  const date::time_zone& zone = *span.zone;
  const instant from = span.begin - date::days{1};
  const instant to = span.end + date::days{1};
  fold_line(out, "BEGIN:VTIMEZONE");
  fold_line(out, "TZID:" + ical_text(zone.name()));
  date::sys_info info = zone_info(zone, from);
  const auto observance = [&](const date::sys_info& i, std::chrono::seconds before,
                              date::local_seconds onset) {
    const std::string_view kind = i.save != std::chrono::minutes::zero() ? "DAYLIGHT" : "STANDARD";
    fold_line(out, fmt::format("BEGIN:{}", kind));
    fold_line(out, "DTSTART:" + ical_local(onset));
    fold_line(out, "TZOFFSETFROM:" + ical_offset(before));
    fold_line(out, "TZOFFSETTO:" + ical_offset(i.offset));
    fold_line(out, "TZNAME:" + ical_text(i.abbrev));
    fold_line(out, fmt::format("END:{}", kind));
  };
  // The offset in force when the span starts, from the change that brought it in (or from the
  // span's start for a zone's first period, which has no change before it).
  if (info.begin < detail::earliest_instant) {
    observance(info, info.offset, date::local_seconds{from.time_since_epoch() + info.offset});
  } else {
    const std::chrono::seconds before =
        zone_info(zone, info.begin - std::chrono::seconds{1}).offset;
    observance(info, before, date::local_seconds{info.begin.time_since_epoch() + before});
  }
  for (int guard = 0; info.end <= to && guard < 10000; ++guard) {
    const std::chrono::seconds before = info.offset;
    const instant change = info.end;
    info = zone_info(zone, change);
    observance(info, before, date::local_seconds{change.time_since_epoch() + before});
  }
  fold_line(out, "END:VTIMEZONE");
}

// `NAME:20260115T070000Z`, or `NAME;TZID=zone:20260115T100000` when a zone is given and the
// wall-clock time there is unambiguous. RFC 5545 resolves an ambiguous local time to its first
// occurrence, but readers differ (pytz-based ones take the second), so such a time keeps the
// exact UTC form.
inline std::string ical_date_time(std::string_view name, instant t, const date::time_zone* zone) {
  if (zone != nullptr) {
    const date::local_seconds local = to_local(t, *zone);
    if (zone_local_info(*zone, local).result == date::local_info::unique) {
      return fmt::format("{};TZID={}:{}", name, zone->name(), ical_local(local));
    }
  }
  return fmt::format("{}:{}", name, ical_utc(t));
}

inline void write_alarms(std::string& out, const reminder_plan& plan, session_status status,
                         std::string_view summary) {
  if (!gets_reminders(status)) return;
  std::vector<std::chrono::minutes> offsets = plan.offsets;
  std::sort(offsets.begin(), offsets.end(), std::greater<>{});
  for (const std::chrono::minutes offset : offsets) {
    fold_line(out, "BEGIN:VALARM");
    fold_line(out, "ACTION:DISPLAY");
    const std::string text = ical_text(summary);
    fold_line(out, "DESCRIPTION:" + (text.empty() ? std::string("Reminder") : text));
    fold_line(out, "TRIGGER:" + ical_duration(offset, true));
    fold_line(out, "END:VALARM");
  }
}

// SUMMARY, DESCRIPTION and LOCATION, each left out when it has no text to show.
inline void write_details(std::string& out, const event_details& d) {
  for (const auto& [name, value] :
       {std::pair{"SUMMARY:", &d.summary}, std::pair{"DESCRIPTION:", &d.description},
        std::pair{"LOCATION:", &d.location}}) {
    const std::string text = ical_text(*value);
    if (!text.empty()) fold_line(out, name + text);
  }
}

inline void check_sequence(std::int32_t sequence, std::string_view field) {
  if (sequence < 0) {
    throw error(errc::invalid_argument,
                fmt::format("{}: SEQUENCE {} is negative", field, sequence));
  }
}

}  // namespace detail

/// A VCALENDAR with one VEVENT per session (in the order given) and then one per series. `now`
/// is DTSTAMP. Throws `errc::invalid_argument` for a missing or bad `uid_domain`, an unknown
/// zone, an invalid session, series or reminder plan, a session without an id, or a cancelled
/// instant that is not an occurrence of its series.
///
///     std::string ics = slotbook::export_calendar(sessions, series, options, now);
inline std::string export_calendar(std::span<const session_event> sessions,
                                   std::span<const series_event> series,
                                   const ical_export_options& options, instant now) {
  detail::check_uid_domain(options.uid_domain);
  detail::check_session_instant(now, "now");
  validate(options.alarms);
  if (options.product_id.empty()) {
    throw error(errc::invalid_argument, "product_id: is empty");
  }
  if (options.vtimezone_horizon < date::days{0} || options.vtimezone_horizon > date::days{36600}) {
    throw error(errc::invalid_argument,
                fmt::format("vtimezone_horizon: {} days is not 0 to 36600 days",
                            options.vtimezone_horizon.count()));
  }
  const date::time_zone* session_zone = nullptr;
  if (options.times == ical_times::zone) session_zone = &find_zone(options.zone, "zone");

  std::string body;
  std::vector<detail::zone_span> spans;
  const std::string stamp = "DTSTAMP:" + detail::ical_utc(now);

  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const session& s = sessions[i].booked;
    const event_details& d = sessions[i].details;
    validate(s);
    if (!s.id.ok()) {
      throw error(errc::invalid_argument, fmt::format("sessions[{}].id: the session has no id", i));
    }
    const std::int32_t sequence = d.sequence.value_or(s.reschedule_count);
    detail::check_sequence(sequence, fmt::format("sessions[{}].details.sequence", i));
    const interval when = session_interval(s);
    if (session_zone != nullptr) detail::cover(spans, *session_zone, when.begin, when.end);
    detail::fold_line(body, "BEGIN:VEVENT");
    detail::fold_line(body, fmt::format("UID:session-{}@{}", s.id.value, options.uid_domain));
    detail::fold_line(body, stamp);
    detail::fold_line(body, "CREATED:" + detail::ical_utc(s.created_at));
    detail::fold_line(body, "LAST-MODIFIED:" + detail::ical_utc(s.updated_at));
    detail::fold_line(body, fmt::format("SEQUENCE:{}", sequence));
    detail::fold_line(body, fmt::format("STATUS:{}", ical_status(s.status)));
    detail::fold_line(body, detail::ical_date_time("DTSTART", when.begin, session_zone));
    detail::fold_line(body, detail::ical_date_time("DTEND", when.end, session_zone));
    detail::write_details(body, d);
    detail::write_alarms(body, options.alarms, s.status, d.summary);
    detail::fold_line(body, "END:VEVENT");
  }

  for (std::size_t i = 0; i < series.size(); ++i) {
    const series_event& x = series[i];
    const std::string field = fmt::format("series[{}]", i);
    if (!x.id.ok()) throw error(errc::invalid_argument, field + ".id: the series has no id");
    validate(x.rule, field + ".rule");
    validate(x.start, field + ".start");
    detail::check_rule_minutes(x.duration, std::chrono::minutes{1}, std::chrono::hours{24},
                               field + ".duration");
    const std::int32_t sequence = x.details.sequence.value_or(x.sequence);
    detail::check_sequence(sequence, field + ".sequence");
    const date::time_zone& zone = find_zone(x.start.zone, field + ".start.zone");
    const interval all{detail::earliest_instant, detail::latest_instant};
    expand_options first_only;
    first_only.max_occurrences = 1;
    const expansion first = expand(x.rule, x.start, x.duration, all, first_only);
    if (first.occurrences.empty()) {
      throw error(errc::invalid_argument,
                  fmt::format("{}.rule: {} has no occurrence from {} {}", field,
                              detail::quote(format_rrule(x.rule)), date::format("%F", x.start.date),
                              x.start.zone));
    }
    const occurrence& head = first.occurrences.front();
    // EXDATE carries the nominal local start of each cancelled occurrence.
    std::vector<date::local_seconds> excluded;
    for (std::size_t j = 0; j < x.cancelled.size(); ++j) {
      const instant c = x.cancelled[j];
      detail::check_session_instant(c, fmt::format("{}.cancelled[{}]", field, j));
      const auto hit = expand(x.rule, x.start, std::chrono::seconds{1},
                              {c, c + std::chrono::seconds{1}}, first_only);
      if (hit.occurrences.empty() || hit.occurrences.front().utc.begin != c) {
        throw error(errc::invalid_argument,
                    fmt::format("{}.cancelled[{}]: {} is not an occurrence of the series", field, j,
                                format_instant(c)));
      }
      excluded.push_back(hit.occurrences.front().local_start);
    }
    std::sort(excluded.begin(), excluded.end());
    excluded.erase(std::unique(excluded.begin(), excluded.end()), excluded.end());

    instant until = std::max(now, head.utc.begin) + options.vtimezone_horizon;
    if (x.rule.until) {
      if (const auto* t = std::get_if<instant>(&*x.rule.until)) {
        until = std::min(until, *t);
      } else if (const auto* d = std::get_if<date::year_month_day>(&*x.rule.until)) {
        until = std::min(until, instant{date::sys_days{*d} + date::days{2}});
      } else {
        const auto l = std::get<date::local_seconds>(*x.rule.until);
        until = std::min(until, instant{l.time_since_epoch() + date::days{1}});
      }
    }
    if (x.rule.count) {
      // A counted series usually ends long before the horizon: cover only up to its last one.
      expand_options upto;
      upto.max_occurrences = static_cast<std::size_t>(std::min(*x.rule.count, 10'000));
      const expansion span = expand(x.rule, x.start, x.duration, {head.utc.begin, until}, upto);
      if (!span.truncated && !span.occurrences.empty()) {
        until = std::min(until, span.occurrences.back().utc.end);
      }
    }
    detail::cover(spans, zone, head.utc.begin, std::max(head.utc.end, until));

    detail::fold_line(body, "BEGIN:VEVENT");
    detail::fold_line(body, fmt::format("UID:series-{}@{}", x.id.value, options.uid_domain));
    detail::fold_line(body, stamp);
    detail::fold_line(body, fmt::format("SEQUENCE:{}", sequence));
    detail::fold_line(body, fmt::format("STATUS:{}", ical_status(x.status)));
    detail::fold_line(
        body, fmt::format("DTSTART;TZID={}:{}", zone.name(), detail::ical_local(head.local_start)));
    detail::fold_line(body, "DURATION:" + detail::ical_duration(x.duration, false));
    detail::fold_line(body, "RRULE:" + format_rrule(x.rule));
    if (!excluded.empty()) {
      std::string line = fmt::format("EXDATE;TZID={}:", zone.name());
      for (std::size_t j = 0; j < excluded.size(); ++j) {
        line += (j == 0 ? "" : ",") + detail::ical_local(excluded[j]);
      }
      detail::fold_line(body, line);
    }
    detail::write_details(body, x.details);
    detail::write_alarms(body, options.alarms, x.status, x.details.summary);
    detail::fold_line(body, "END:VEVENT");
  }

  std::string out;
  detail::fold_line(out, "BEGIN:VCALENDAR");
  detail::fold_line(out, "VERSION:2.0");
  detail::fold_line(out, "PRODID:" + detail::ical_text(options.product_id));
  detail::fold_line(out, "CALSCALE:GREGORIAN");
  for (const detail::zone_span& span : spans) detail::write_vtimezone(out, span);
  out += body;
  detail::fold_line(out, "END:VCALENDAR");
  return out;
}

/// One session as a calendar (e.g. an attachment to a confirmation email).
///
///     auto ics = slotbook::export_session(s, {"Session with Dr. Achieng", "", "", {}}, o, now);
inline std::string export_session(const session& s, const event_details& details,
                                  const ical_export_options& options, instant now) {
  const session_event one{s, details};
  return export_calendar(std::span<const session_event>{&one, 1}, {}, options, now);
}

/// One recurring series as a calendar.
///
///     auto ics = slotbook::export_series(weekly, o, now);
inline std::string export_series(const series_event& series, const ical_export_options& options,
                                 instant now) {
  return export_calendar({}, std::span<const series_event>{&series, 1}, options, now);
}

/// A provider's schedule (a list of sessions) as a calendar, e.g. for a subscription feed.
///
///     auto ics = slotbook::export_schedule(week, o, now);
inline std::string export_schedule(std::span<const session_event> sessions,
                                   const ical_export_options& options, instant now) {
  return export_calendar(sessions, {}, options, now);
}

// =============================================================================================
// Import
// =============================================================================================

/// One busy interval from an external calendar. `uid` and `summary` are for display.
struct busy_time {
  interval utc;
  std::string uid;
  std::string summary;
  bool all_day = false;

  friend bool operator==(const busy_time&, const busy_time&) = default;
};

/// An event left out under `ical_unsupported::skip`, and why.
struct skipped_event {
  std::size_t line = 0;  ///< of its BEGIN:VEVENT
  std::string uid;
  std::string reason;

  friend bool operator==(const skipped_event&, const skipped_event&) = default;
};

/// What an import found: busy intervals ordered by begin, then end, then uid.
struct ical_busy {
  std::vector<busy_time> busy;
  std::vector<skipped_event> skipped;
};

/// What to do with a valid event slotbook cannot read exactly (an RRULE outside the subset such
/// as FREQ=YEARLY, EXRULE, several RRULEs, RDATE periods, RANGE=THISANDFUTURE, a TZID that is
/// neither an IANA name nor an alias, a COUNT series starting over 100 years before the window).
enum class ical_unsupported {
  reject,  ///< throw: missing busy time would let the provider be double-booked (default)
  skip,    ///< leave the event out and list it in `ical_busy::skipped`
};

/// Import settings. `zone` and `window` are required.
///
///     slotbook::ical_import_options o;
///     o.zone = "Europe/London";                        // floating and all-day events
///     o.window = {now, now + date::days{90}};          // at most 3660 days
///     o.zone_aliases["GMT Standard Time"] = "Europe/London";
struct ical_import_options {
  std::string zone;  ///< the provider's IANA zone
  interval window{};
  ical_unsupported unsupported = ical_unsupported::reject;
  /// TZID values that are not IANA names (e.g. Windows names) mapped to IANA names.
  std::map<std::string, std::string, std::less<>> zone_aliases;
  std::size_t max_bytes = std::size_t{8} << 20;
  std::size_t max_lines = 200'000;       ///< physical lines
  std::size_t max_line_octets = 16'384;  ///< one unfolded content line
  std::size_t max_events = 20'000;       ///< VEVENTs
  std::size_t max_busy = 50'000;         ///< busy intervals in the result
};

namespace detail {

struct ical_param {
  std::string name;  // upper case
  std::vector<std::string> values;
};

struct ical_line {
  std::size_t number = 0;  // physical line where it starts
  std::string text;        // unfolded
  std::string name;        // upper case
  std::vector<ical_param> params;
  std::string value;

  const ical_param* param(std::string_view wanted) const {
    for (const ical_param& p : params) {
      if (p.name == wanted) return &p;
    }
    return nullptr;
  }
};

[[noreturn]] inline void bad_ics_line(std::size_t number, std::string_view text,
                                      std::string_view why) {
  throw error(errc::invalid_argument, fmt::format("ics line {}: {}: {}", number, quote(text), why));
}

inline bool ical_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// name *(";" param) ":" value, RFC 5545 section 3.1.
inline void parse_content_line(ical_line& line) {
  const std::string_view s = line.text;
  std::size_t pos = 0;
  while (pos < s.size() && ical_name_char(s[pos])) ++pos;
  if (pos == 0) bad_ics_line(line.number, s, "expected a property name");
  line.name = ascii_upper(s.substr(0, pos));
  while (pos < s.size() && s[pos] == ';') {
    const std::size_t start = ++pos;
    while (pos < s.size() && ical_name_char(s[pos])) ++pos;
    if (pos == start || pos >= s.size() || s[pos] != '=') {
      bad_ics_line(line.number, s, "expected a parameter as NAME=VALUE after ';'");
    }
    ical_param p{ascii_upper(s.substr(start, pos - start)), {}};
    do {
      ++pos;  // past '=' or ','
      if (pos < s.size() && s[pos] == '"') {
        const std::size_t close = s.find('"', pos + 1);
        if (close == std::string_view::npos) {
          bad_ics_line(line.number, s, "a quoted parameter value has no closing '\"'");
        }
        p.values.emplace_back(s.substr(pos + 1, close - pos - 1));
        pos = close + 1;
      } else {
        const std::size_t start_value = pos;
        while (pos < s.size() && s[pos] != ';' && s[pos] != ':' && s[pos] != ',' && s[pos] != '"') {
          ++pos;
        }
        p.values.emplace_back(s.substr(start_value, pos - start_value));
      }
    } while (pos < s.size() && s[pos] == ',');
    line.params.push_back(std::move(p));
  }
  if (pos >= s.size() || s[pos] != ':') bad_ics_line(line.number, s, "expected ':' and a value");
  line.value = std::string(s.substr(pos + 1));
}

// TEXT unescaping: \\ \; \, \: \" and \n or \N.
inline std::string ical_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      out.push_back(s[i] == 'n' || s[i] == 'N' ? '\n' : s[i]);
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// A DATE or DATE-TIME value: a date (all-day, the provider's local day), a UTC instant, or a
// wall-clock time in `zone` (a TZID's zone, or the provider's for a floating time). `local` is the
// nominal wall-clock time in `zone` (for UTC values, `zone` is UTC) and `utc` the instant it
// starts, kept apart because a nominal time in a DST gap starts later than it reads.
struct ical_time {
  bool is_date = false;
  bool is_utc = false;
  date::local_seconds local{};
  instant utc{};
  const date::time_zone* zone = nullptr;

  instant begin() const { return utc; }
  date::local_days day() const { return date::floor<date::days>(local); }
};

// An RFC 5545 DURATION split into nominal days (D and W, wall-clock days) and exact seconds.
struct ical_length {
  int days = 0;
  std::chrono::seconds exact{};
};

// Thrown internally for valid input outside what slotbook reads (see ical_unsupported).
struct ical_unsupported_error {
  std::size_t line;
  std::string text;
  std::string why;
};

struct ical_context {
  const ical_import_options& options;
  const date::time_zone& provider;
  const date::time_zone& utc;
};

inline std::vector<ical_time> read_times(const ical_line& line, const ical_context& ctx,
                                         bool allow_list) {
  std::optional<bool> want_date;
  if (const ical_param* v = line.param("VALUE")) {
    const std::string kind = v->values.empty() ? std::string{} : ascii_upper(v->values.front());
    if (kind == "DATE") {
      want_date = true;
    } else if (kind == "DATE-TIME") {
      want_date = false;
    } else if (kind == "PERIOD" && line.name == "RDATE") {
      throw ical_unsupported_error{line.number, line.text, "RDATE periods are not supported"};
    } else {
      bad_ics_line(line.number, line.text,
                   fmt::format("VALUE={} is not DATE or DATE-TIME", quote(kind)));
    }
  }
  const date::time_zone* zone = &ctx.provider;
  if (const ical_param* tz = line.param("TZID")) {
    std::string name = tz->values.empty() ? std::string{} : tz->values.front();
    if (const auto alias = ctx.options.zone_aliases.find(name);
        alias != ctx.options.zone_aliases.end()) {
      name = alias->second;
    }
    try {
      zone = &find_zone(name, "TZID");
    } catch (const error&) {
      // "/America/New_York" (a globally unique TZID prefix) names the same IANA zone.
      const std::size_t slash = name.find_first_not_of('/');
      if (slash == 0 || slash == std::string::npos) {
        throw ical_unsupported_error{
            line.number, line.text,
            fmt::format("TZID {} is not an IANA time zone (map it with zone_aliases)",
                        quote(name))};
      }
      try {
        zone = &find_zone(std::string_view{name}.substr(slash), "TZID");
      } catch (const error&) {
        throw ical_unsupported_error{
            line.number, line.text,
            fmt::format("TZID {} is not an IANA time zone (map it with zone_aliases)",
                        quote(name))};
      }
    }
  }
  std::vector<ical_time> out;
  std::size_t at = 0;
  const std::string_view value = line.value;
  while (at <= value.size()) {
    const std::size_t comma = std::min(value.find(',', at), value.size());
    const std::string_view item = value.substr(at, comma - at);
    at = comma + 1;
    std::string why;
    const auto parsed = read_ical_date_time(ascii_upper(item), why);
    if (!parsed) bad_ics_line(line.number, line.text, fmt::format("{}: {}", quote(item), why));
    ical_time t;
    if (const auto* d = std::get_if<date::year_month_day>(&*parsed)) {
      t.is_date = true;
      t.local = date::local_seconds{date::local_days{*d}};
      t.zone = &ctx.provider;  // all-day: the provider's local days
      t.utc = to_instant(t.local, *t.zone);
    } else if (const auto* u = std::get_if<instant>(&*parsed)) {
      t.is_utc = true;
      t.utc = *u;
      t.local = date::local_seconds{u->time_since_epoch()};
      t.zone = &ctx.utc;
    } else {
      t.local = std::get<date::local_seconds>(*parsed);
      t.zone = zone;
      t.utc = to_instant(t.local, *t.zone);
    }
    if (want_date && *want_date != t.is_date) {
      bad_ics_line(line.number, line.text,
                   *want_date ? "VALUE=DATE needs a date like 20260115"
                              : "VALUE=DATE-TIME needs a date-time like 20260115T090000");
    }
    out.push_back(t);
    if (!allow_list && at <= value.size()) {
      bad_ics_line(line.number, line.text, "expected one value, not a list");
    }
  }
  return out;
}

// Longer events are refused; it also keeps every length within what `expand` accepts.
inline constexpr date::days max_event_length{3650};

inline ical_length read_duration(const ical_line& line) {
  const std::string v = ascii_upper(line.value);
  std::size_t pos = 0;
  if (pos < v.size() && (v[pos] == '+' || v[pos] == '-')) {
    if (v[pos] == '-') bad_ics_line(line.number, line.text, "a negative DURATION is not allowed");
    ++pos;
  }
  if (pos >= v.size() || v[pos] != 'P') {
    bad_ics_line(line.number, line.text, "expected a duration like PT50M, P1D or P1W");
  }
  ++pos;
  ical_length out;
  bool in_time = false, any = false;
  std::int64_t days = 0, seconds = 0;
  char last_unit = 0;
  const std::string_view order_date = "WD", order_time = "HMS";
  while (pos < v.size()) {
    if (v[pos] == 'T') {
      if (in_time) bad_ics_line(line.number, line.text, "'T' appears twice in the duration");
      in_time = true;
      last_unit = 0;
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    while (pos < v.size() && v[pos] >= '0' && v[pos] <= '9') ++pos;
    int n = 0;
    if (pos == start || pos >= v.size() ||
        !read_count(std::string_view{v}.substr(start, pos - start), n)) {
      bad_ics_line(line.number, line.text, "expected a number and a unit (W, D, H, M, S)");
    }
    const char unit = v[pos++];
    const std::string_view order = in_time ? order_time : order_date;
    const std::size_t rank = order.find(unit);
    if (rank == std::string_view::npos || (last_unit != 0 && rank <= order.find(last_unit))) {
      bad_ics_line(line.number, line.text,
                   fmt::format("unit '{}' is out of place in the duration", unit));
    }
    last_unit = unit;
    any = true;
    switch (unit) {
      case 'W':
        days += 7 * std::int64_t{n};
        break;
      case 'D':
        days += n;
        break;
      case 'H':
        seconds += 3600 * std::int64_t{n};
        break;
      case 'M':
        seconds += 60 * std::int64_t{n};
        break;
      default:
        seconds += n;
    }
  }
  if (!any) bad_ics_line(line.number, line.text, "the duration has no number");
  if (days > max_event_length.count() || seconds > max_event_length.count() * std::int64_t{86400}) {
    bad_ics_line(line.number, line.text,
                 fmt::format("the event is longer than {} days", max_event_length.count()));
  }
  out.days = static_cast<int>(days);
  out.exact = std::chrono::seconds{seconds};
  return out;
}

struct raw_event {
  std::size_t line = 0;
  std::string uid;
  std::string summary;
  std::optional<ical_line> dtstart, dtend, duration, recurrence_id, rrule;
  std::vector<ical_line> exdates, rdates;
  std::size_t rrule_count = 0;
  std::optional<std::size_t> exrule_line;
  std::string status, transp;
};

// Physical lines -> unfolded content lines (RFC 5545 section 3.1), with limits.
inline std::vector<ical_line> unfold(std::string_view text, const ical_import_options& o) {
  if (text.size() > o.max_bytes) {
    throw error(errc::invalid_argument,
                fmt::format("ics: {} bytes is more than max_bytes ({})", text.size(), o.max_bytes));
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  std::vector<ical_line> out;
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = std::min(text.find('\n', pos), text.size());
    std::string_view physical = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++number;
    if (number > o.max_lines) {
      throw error(errc::invalid_argument,
                  fmt::format("ics: more than max_lines ({}) lines", o.max_lines));
    }
    if (!physical.empty() && physical.back() == '\r') physical.remove_suffix(1);
    if (physical.empty()) continue;
    if (physical[0] == ' ' || physical[0] == '\t') {
      if (out.empty()) bad_ics_line(number, physical, "a continuation line with nothing before it");
      out.back().text.append(physical.substr(1));
    } else {
      out.push_back({number, std::string(physical), {}, {}, {}});
    }
    if (out.back().text.size() > o.max_line_octets) {
      bad_ics_line(
          out.back().number, out.back().text,
          fmt::format("the unfolded line is longer than max_line_octets ({})", o.max_line_octets));
    }
  }
  return out;
}

inline void set_once(std::optional<ical_line>& slot, const ical_line& line) {
  if (slot) {
    bad_ics_line(
        line.number, line.text,
        fmt::format("{} appears twice in one VEVENT (first on line {})", line.name, slot->number));
  }
  slot = line;
}

// The components of the text: VEVENT properties collected, everything else checked for nesting
// and skipped.
inline std::vector<raw_event> read_events(const std::vector<ical_line>& lines,
                                          const ical_import_options& o) {
  std::vector<raw_event> events;
  std::vector<std::pair<std::string, std::size_t>> stack;  // component name, BEGIN line index
  bool any_calendar = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ical_line line = lines[i];
    parse_content_line(line);
    if (line.name == "BEGIN" || line.name == "END") {
      const std::string component = ascii_upper(line.value);
      if (component.empty() || !std::all_of(component.begin(), component.end(), ical_name_char)) {
        bad_ics_line(line.number, line.text, "expected a component name");
      }
      if (line.name == "BEGIN") {
        if (stack.empty() && component != "VCALENDAR") {
          bad_ics_line(line.number, line.text, "expected BEGIN:VCALENDAR first");
        }
        if (component == "VCALENDAR" && !stack.empty()) {
          bad_ics_line(line.number, line.text, "a VCALENDAR inside another component");
        }
        if (component == "VEVENT" && stack.back().first != "VCALENDAR") {
          bad_ics_line(line.number, line.text,
                       fmt::format("a VEVENT inside {}", stack.back().first));
        }
        if (stack.size() >= 16) bad_ics_line(line.number, line.text, "components nest too deep");
        if (component == "VCALENDAR") any_calendar = true;
        if (component == "VEVENT") {
          if (events.size() >= o.max_events) {
            bad_ics_line(line.number, line.text,
                         fmt::format("more than max_events ({}) events", o.max_events));
          }
          events.push_back({});
          events.back().line = line.number;
        }
        stack.emplace_back(component, i);
      } else {
        if (stack.empty() || stack.back().first != component) {
          bad_ics_line(line.number, line.text,
                       stack.empty() ? std::string("END without a BEGIN")
                                     : fmt::format("expected END:{}", stack.back().first));
        }
        stack.pop_back();
      }
      continue;
    }
    if (stack.empty()) bad_ics_line(line.number, line.text, "content outside BEGIN:VCALENDAR");
    if (stack.back().first != "VEVENT") continue;
    raw_event& e = events.back();
    if (line.name == "DTSTART") {
      set_once(e.dtstart, line);
    } else if (line.name == "DTEND") {
      set_once(e.dtend, line);
    } else if (line.name == "DURATION") {
      set_once(e.duration, line);
    } else if (line.name == "RECURRENCE-ID") {
      set_once(e.recurrence_id, line);
    } else if (line.name == "RRULE") {
      if (++e.rrule_count == 1) e.rrule = line;
    } else if (line.name == "EXRULE") {
      e.exrule_line = line.number;
    } else if (line.name == "EXDATE") {
      e.exdates.push_back(line);
    } else if (line.name == "RDATE") {
      e.rdates.push_back(line);
    } else if (line.name == "UID") {
      e.uid = line.value;
    } else if (line.name == "SUMMARY") {
      e.summary = ical_unescape(line.value);
    } else if (line.name == "STATUS") {
      e.status = ascii_upper(line.value);
    } else if (line.name == "TRANSP") {
      e.transp = ascii_upper(line.value);
    }
  }
  if (!stack.empty()) {
    const ical_line& open = lines[stack.back().second];
    bad_ics_line(open.number, open.text,
                 fmt::format("BEGIN:{} is never closed", stack.back().first));
  }
  if (!any_calendar) throw error(errc::invalid_argument, "ics: no BEGIN:VCALENDAR found");
  return events;
}

// What an occurrence that starts at `start` (nominal local time in `start.zone`) blocks.
inline interval busy_interval(const ical_time& start, bool has_end_instant,
                              std::chrono::seconds exact_span, const ical_length& length) {
  const instant begin = start.begin();
  if (has_end_instant) return {begin, begin + exact_span};
  const instant nominal_end =
      length.days == 0 ? begin : to_instant(start.local + date::days{length.days}, *start.zone);
  return {begin, nominal_end + length.exact};
}

// EXDATE and RECURRENCE-ID values: date-times match an occurrence's start instant, dates its
// local date.
struct exclusions {
  std::set<instant> instants;
  std::set<date::local_days> days;

  bool excludes(const ical_time& t) const {
    return instants.count(t.begin()) != 0 || days.count(t.day()) != 0;
  }
  void add(const ical_time& t) {
    if (t.is_date) {
      days.insert(t.day());
    } else {
      instants.insert(t.begin());
    }
  }
};

inline void add_busy(ical_busy& out, const ical_import_options& o, const raw_event& e,
                     interval when, bool all_day) {
  if (!when.ok() || !when.overlaps(o.window)) return;
  if (out.busy.size() >= o.max_busy) {
    throw error(errc::invalid_argument,
                fmt::format("ics: more than max_busy ({}) busy times in the window; narrow the "
                            "window or raise the limit",
                            o.max_busy));
  }
  out.busy.push_back({when, e.uid, e.summary, all_day});
}

inline void import_event(ical_busy& out, const raw_event& e, const exclusions& overridden,
                         const ical_context& ctx) {
  const ical_import_options& o = ctx.options;
  if (!e.dtstart) {
    bad_ics_line(
        e.line, "BEGIN:VEVENT",
        fmt::format("the VEVENT{} has no DTSTART", e.uid.empty() ? "" : " " + quote(e.uid)));
  }
  if (e.dtend && e.duration) {
    bad_ics_line(e.duration->number, e.duration->text,
                 "a VEVENT may have DTEND or DURATION, not both");
  }
  const ical_time start = read_times(*e.dtstart, ctx, false).front();
  // Length: an exact span from DTEND (DATE-TIME), else nominal days plus exact seconds.
  bool exact_end = false;
  std::chrono::seconds exact_span{};
  ical_length length;
  if (e.dtend) {
    const ical_time end = read_times(*e.dtend, ctx, false).front();
    if (end.is_date != start.is_date) {
      bad_ics_line(e.dtend->number, e.dtend->text,
                   "DTEND and DTSTART must both be dates or both be date-times");
    }
    if (start.is_date) {
      length.days = static_cast<int>((end.day() - start.day()).count());
    } else {
      exact_end = true;
      exact_span = end.begin() - start.begin();
    }
    if ((start.is_date && length.days < 0) || exact_span < std::chrono::seconds::zero()) {
      bad_ics_line(e.dtend->number, e.dtend->text, "DTEND is before DTSTART");
    }
  } else if (e.duration) {
    length = read_duration(*e.duration);
  } else if (start.is_date) {
    length.days = 1;  // RFC 5545: an all-day event without an end lasts that one day
  }
  if (std::chrono::seconds{date::days{length.days}} + length.exact + exact_span >
      max_event_length) {
    const ical_line& end_line = e.dtend ? *e.dtend : e.duration ? *e.duration : *e.dtstart;
    bad_ics_line(end_line.number, end_line.text,
                 fmt::format("the event is longer than {} days", max_event_length.count()));
  }
  // Which statuses block time: everything but CANCELLED, unless marked transparent.
  const bool blocks = e.status != "CANCELLED" && e.transp != "TRANSPARENT";
  if (!blocks || e.recurrence_id) {
    // An override (RECURRENCE-ID) is one instance on its own; its master leaves that slot out.
    if (blocks) {
      add_busy(out, o, e, busy_interval(start, exact_end, exact_span, length), start.is_date);
    }
    return;
  }
  if (e.rrule_count > 1) {
    throw ical_unsupported_error{e.rrule->number, e.rrule->text, "several RRULEs in one VEVENT"};
  }
  if (e.exrule_line) {
    throw ical_unsupported_error{*e.exrule_line, "EXRULE", "EXRULE (deprecated) is not supported"};
  }
  exclusions excluded = overridden;
  for (const ical_line& x : e.exdates) {
    for (const ical_time& t : read_times(x, ctx, true)) excluded.add(t);
  }
  std::vector<ical_time> starts;
  if (e.rrule) {
    auto parsed = read_rrule(e.rrule->value, "RRULE");
    if (auto* problem = std::get_if<rrule_problem>(&parsed)) {
      if (problem->unsupported) {
        throw ical_unsupported_error{e.rrule->number, e.rrule->text, problem->message};
      }
      bad_ics_line(e.rrule->number, e.rrule->text, problem->message);
    }
    const recurrence_rule& rule = std::get<recurrence_rule>(parsed);
    if (rule.count && start.begin() + date::days{36525} < o.window.begin) {
      throw ical_unsupported_error{e.rrule->number, e.rrule->text,
                                   "a COUNT series starting over 100 years before the window"};
    }
    const date::local_days day = start.day();
    const recurrence_start rs{date::year_month_day{day}, start.local - day, start.zone->name()};
    // Generous length for the window test (nominal days may be an hour or two longer);
    // busy_interval computes the exact one.
    const auto reach = std::chrono::seconds{date::days{length.days}} + length.exact + exact_span +
                       std::chrono::hours{3};
    // Enough candidates that a cut-off expansion really means more than max_busy busy times:
    // what is still allowed, plus what EXDATE may remove, plus the (at most two) candidates that
    // only the generous `reach` brings into the window.
    expand_options eo;
    eo.start = dtstart_rule::always;
    eo.max_occurrences =
        o.max_busy - out.busy.size() + excluded.instants.size() + excluded.days.size() + 3;
    const expansion ex = expand(rule, rs, reach, o.window, eo);
    if (ex.truncated) {
      throw error(errc::invalid_argument,
                  fmt::format("ics line {}: the RRULE has more than max_busy ({}) occurrences in "
                              "the window",
                              e.rrule->number, o.max_busy));
    }
    for (const occurrence& oc : ex.occurrences) {
      ical_time t = start;
      t.local = oc.local_start;
      t.utc = oc.utc.begin;
      starts.push_back(t);
    }
  } else {
    starts.push_back(start);
  }
  for (const ical_line& r : e.rdates) {
    for (ical_time t : read_times(r, ctx, true)) {
      if (t.is_date != start.is_date) {
        bad_ics_line(r.number, r.text, "RDATE and DTSTART must both be dates or both date-times");
      }
      if (!t.is_date && t.zone != start.zone) {
        // The same instant, read on the event's own wall clock (for DURATION's nominal days).
        t = ical_time{false, start.is_utc, to_local(t.utc, *start.zone), t.utc, start.zone};
      }
      starts.push_back(t);
    }
  }
  std::set<instant> seen;
  for (const ical_time& t : starts) {
    if (excluded.excludes(t) || !seen.insert(t.begin()).second) continue;
    add_busy(out, o, e, busy_interval(t, exact_end, exact_span, length), start.is_date);
  }
}

}  // namespace detail

/// The busy intervals of an external calendar's events that overlap `options.window`, in UTC
/// (whole intervals, not clipped to the window). See the file comment and docs/calendar.md for
/// the rules. Malformed text is `errc::invalid_argument` naming the line number and content
/// (`ics line 12: "DTSTART:2026-01-15" ...`); so is exceeding a limit, and, unless
/// `options.unsupported` is `skip`, an event slotbook cannot read exactly.
///
///     auto found = slotbook::import_busy_times(ics_text, options);
///     for (const slotbook::busy_time& b : found.busy) block(b.utc);
inline ical_busy import_busy_times(std::string_view ics, const ical_import_options& options) {
  const detail::ical_context ctx{options, find_zone(options.zone, "zone"), find_zone("UTC")};
  if (!options.window.ok() || options.window.duration() > date::days{3660}) {
    throw error(errc::invalid_argument,
                fmt::format("window: {} is not a non-empty window of at most 3660 days",
                            to_string(options.window)));
  }
  if (!detail::in_supported_years(options.window.begin) ||
      !detail::in_supported_years(options.window.end)) {
    throw error(errc::invalid_argument, fmt::format("window: {} is outside the years 1 to 9999",
                                                    to_string(options.window)));
  }
  const std::vector<detail::ical_line> lines = detail::unfold(ics, options);
  const std::vector<detail::raw_event> events = detail::read_events(lines, options);

  ical_busy out;
  const auto skip_or_throw = [&](const detail::raw_event& e,
                                 const detail::ical_unsupported_error& u) {
    if (options.unsupported == ical_unsupported::skip) {
      out.skipped.push_back({e.line, e.uid, u.why});
      return;
    }
    throw error(errc::invalid_argument,
                fmt::format("ics line {}: {}: {} (set ical_unsupported::skip to leave such events "
                            "out)",
                            u.line, detail::quote(u.text), u.why));
  };

  // RECURRENCE-ID overrides, by UID: their masters leave those instances out.
  std::map<std::string, detail::exclusions, std::less<>> overridden;
  std::vector<bool> skipped(events.size(), false);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const detail::raw_event& e = events[i];
    if (!e.recurrence_id) continue;
    try {
      if (const detail::ical_param* range = e.recurrence_id->param("RANGE");
          range != nullptr && !range->values.empty() &&
          detail::ascii_upper(range->values.front()) == "THISANDFUTURE") {
        throw detail::ical_unsupported_error{e.recurrence_id->number, e.recurrence_id->text,
                                             "RANGE=THISANDFUTURE is not supported"};
      }
      for (const detail::ical_time& t : detail::read_times(*e.recurrence_id, ctx, false)) {
        overridden[e.uid].add(t);
      }
    } catch (const detail::ical_unsupported_error& u) {
      skip_or_throw(e, u);
      skipped[i] = true;
    }
  }
  const detail::exclusions none;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (skipped[i]) continue;
    const detail::raw_event& e = events[i];
    const auto o = overridden.find(e.uid);
    const auto before = static_cast<std::ptrdiff_t>(out.busy.size());
    try {
      detail::import_event(out, e, o == overridden.end() ? none : o->second, ctx);
    } catch (const detail::ical_unsupported_error& u) {
      out.busy.erase(out.busy.begin() + before, out.busy.end());
      skip_or_throw(e, u);
    }
  }
  std::sort(out.busy.begin(), out.busy.end(), [](const busy_time& a, const busy_time& b) {
    if (a.utc != b.utc) return a.utc < b.utc;
    return a.uid < b.uid;
  });
  return out;
}

}  // namespace slotbook
