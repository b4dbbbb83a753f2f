#pragma once
/// \file time.hpp
/// "When, exactly?": UTC instants, half-open intervals, civil time in IANA zones, ISO-8601 text.
///
/// Every instant slotbook stores or compares is a `std::chrono::sys_seconds` (UTC, whole seconds).
/// Civil (wall-clock) time exists only at the edges: a provider's weekly hours are written in their
/// zone and converted here, with one documented rule for DST gaps and overlaps (see `to_instant`).
/// Zones come from the system IANA tz database through Howard Hinnant's `date/tz.h`, so rules that
/// changed in the past (Mexico dropped DST in 2022) are applied for the year asked about.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "slotbook/detail/posix_tz.hpp"
#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"

namespace slotbook {

/// A UTC instant with whole-second precision.
using instant = std::chrono::sys_seconds;

/// A half-open UTC interval `[begin, end)`: a session ending at 10:00 and one starting at 10:00 do
/// not overlap. A default or inverted interval is representable (check `ok()`); use
/// `make_interval` to build one from untrusted input.
///
///     slotbook::interval s{t, t + std::chrono::minutes{60}};
///     if (s.overlaps(other)) { ... }
struct interval {
  instant begin{};
  instant end{};

  /// True when the interval is non-empty (`begin < end`).
  constexpr bool ok() const noexcept { return begin < end; }
  /// `end - begin`; negative for an inverted interval.
  constexpr std::chrono::seconds duration() const noexcept { return end - begin; }
  /// True when both are non-empty and share at least one second.
  constexpr bool overlaps(const interval& other) const noexcept {
    return ok() && other.ok() && begin < other.end && other.begin < end;
  }
  /// True when `t` lies in `[begin, end)`.
  constexpr bool contains(instant t) const noexcept { return begin <= t && t < end; }
  /// True when `other` is non-empty and lies entirely inside this interval.
  constexpr bool contains(const interval& other) const noexcept {
    return other.ok() && begin <= other.begin && other.end <= end;
  }
  /// The common part; `!ok()` when they do not overlap.
  constexpr interval intersection(const interval& other) const noexcept {
    return {std::max(begin, other.begin), std::min(end, other.end)};
  }

  friend constexpr bool operator==(const interval&, const interval&) noexcept = default;
  /// Orders by begin, then end.
  friend constexpr auto operator<=>(const interval&, const interval&) noexcept = default;
};

/// `2026-01-15T10:00:00Z`.
inline std::string format_instant(instant t) { return date::format("%FT%TZ", t); }

/// `[2026-01-15T10:00:00Z, 2026-01-15T11:00:00Z)`.
inline std::string to_string(const interval& i) {
  return fmt::format("[{}, {})", format_instant(i.begin), format_instant(i.end));
}

/// A checked interval: throws `errc::invalid_argument` naming both ends when `end <= begin`.
inline interval make_interval(instant begin, instant end) {
  if (!(begin < end)) {
    throw error(errc::invalid_argument,
                fmt::format("interval: end {} is not after begin {}", format_instant(end),
                            format_instant(begin)));
  }
  return {begin, end};
}

/// A checked interval of `length` from `begin`; a zero or negative length is `invalid_argument`.
inline interval make_interval(instant begin, std::chrono::seconds length) {
  if (length <= std::chrono::seconds::zero()) {
    throw error(errc::invalid_argument,
                fmt::format("interval: duration {}s starting at {} is not positive", length.count(),
                            format_instant(begin)));
  }
  return {begin, begin + length};
}

// ---------------------------------------------------------------------------------------------
// Zones and civil time
// ---------------------------------------------------------------------------------------------

/// The IANA zone called `name` (e.g. "Africa/Nairobi"), from the system tz database. The reference
/// stays valid for the life of the process. Unknown names are `errc::invalid_argument`.
inline const date::time_zone& find_zone(std::string_view name, std::string_view field = "zone") {
  if (name.empty() || name.size() > 128) {
    throw error(errc::invalid_argument,
                fmt::format("{}: {} is not a time zone name", field, detail::quote(name)));
  }
  try {
    return *date::locate_zone(name);
  } catch (const std::exception&) {
    throw error(errc::invalid_argument,
                fmt::format("{}: {} is not a time zone in the system tz database", field,
                            detail::quote(name)));
  }
}

/// The UTC instant of a local wall-clock time in `zone`, with slotbook's one rule for DST edges:
/// - a time inside a spring-forward gap moves forward by the gap's length: it is converted with the
///   offset in force *before* the gap (New York, 2026-03-08 02:30 becomes 07:30Z, i.e. 03:30 EDT);
/// - an ambiguous fall-back time takes the earlier instant (New York, 2026-11-01 01:30 becomes
///   05:30Z, i.e. 01:30 EDT).
/// Unlike `date::choose::earliest/latest`, which map every gap time to the transition instant, this
/// keeps the length of a window that starts in a gap.
inline instant to_instant(date::local_seconds local, const date::time_zone& zone) {
  const date::local_info info = detail::zone_local_info(zone, local);
  // In all three cases the offset wanted is `first`'s: the only one (unique), the one before the
  // gap (nonexistent), or the earlier period's (ambiguous).
  return instant{local.time_since_epoch() - info.first.offset};
}

/// The UTC instant of `time_of_day` (0 to 24 h; 24:00 is the next local midnight) on local date
/// `day` in `zone`, with the DST rule of `to_instant(date::local_seconds, ...)`.
inline instant to_instant(date::year_month_day day, std::chrono::minutes time_of_day,
                          const date::time_zone& zone) {
  return to_instant(date::local_seconds{date::local_days{day}} + time_of_day, zone);
}

/// Wall-clock time in `zone` at `t`.
inline date::local_seconds to_local(instant t, const date::time_zone& zone) {
  return date::local_seconds{t.time_since_epoch() + detail::zone_info(zone, t).offset};
}

/// A UTC instant seen on a wall clock in one zone.
struct civil_time {
  date::year_month_day date;         ///< local calendar date
  date::weekday weekday;             ///< local weekday
  std::chrono::seconds time_of_day;  ///< since local midnight, 0 to 86399 s
  std::chrono::seconds utc_offset;   ///< local minus UTC (e.g. +3 h in Nairobi)
  std::string abbreviation;          ///< e.g. "EAT", "EDT"
};

/// The local date, weekday, time of day and offset of `t` in `zone`.
inline civil_time to_civil(instant t, const date::time_zone& zone) {
  const date::sys_info info = detail::zone_info(zone, t);
  const date::local_seconds local{t.time_since_epoch() + info.offset};
  const date::local_days day = date::floor<date::days>(local);
  return civil_time{date::year_month_day{day}, date::weekday{day}, local - day, info.offset,
                    info.abbrev};
}

// ---------------------------------------------------------------------------------------------
// ISO-8601 text
// ---------------------------------------------------------------------------------------------

namespace detail {

// Reads exactly `width` ASCII digits at `pos`; false when any is not a digit or text is short.
inline bool read_digits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
  if (pos > text.size() || text.size() - pos < width) return false;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

[[noreturn]] inline void bad_text(std::string_view field, std::string_view text,
                                  std::string_view what, std::string_view why) {
  throw error(errc::invalid_argument,
              fmt::format("{}: {} is not {}: {}", field, quote(text), what, why));
}

// Parses YYYY-MM-DD at `pos`; advances `pos`.
inline date::year_month_day read_date(std::string_view text, std::size_t& pos,
                                      std::string_view field, std::string_view what) {
  int y = 0, m = 0, d = 0;
  if (!read_digits(text, pos, 4, y) || pos + 4 >= text.size() || text[pos + 4] != '-' ||
      !read_digits(text, pos + 5, 2, m) || pos + 7 >= text.size() || text[pos + 7] != '-' ||
      !read_digits(text, pos + 8, 2, d)) {
    bad_text(field, text, what, "expected a date as YYYY-MM-DD");
  }
  pos += 10;
  if (m < 1 || m > 12) bad_text(field, text, what, fmt::format("month {} out of range", m));
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) {
    bad_text(field, text, what, fmt::format("day {} does not exist in {:04}-{:02}", d, y, m));
  }
  return ymd;
}

}  // namespace detail

/// Parses an ISO-8601 / RFC 3339 instant: `2026-01-15T10:00:00Z`, `2026-01-15T10:00:00.000Z`
/// (fraction digits must be zero: instants are whole seconds) or with an offset,
/// `2026-01-15T13:00:00+03:00`. Anything else (a bad month, 25:00, a leap second, trailing text,
/// no zone designator, empty) is `errc::invalid_argument` naming `field` and the text.
inline instant parse_instant(std::string_view text, std::string_view field = "instant") {
  constexpr std::string_view what = "an ISO-8601 instant like 2026-01-15T10:00:00Z";
  std::size_t pos = 0;
  const date::year_month_day ymd = detail::read_date(text, pos, field, what);
  int hh = 0, mm = 0, ss = 0;
  if (pos >= text.size() || text[pos] != 'T' || !detail::read_digits(text, pos + 1, 2, hh) ||
      pos + 3 >= text.size() || text[pos + 3] != ':' ||
      !detail::read_digits(text, pos + 4, 2, mm) || pos + 6 >= text.size() ||
      text[pos + 6] != ':' || !detail::read_digits(text, pos + 7, 2, ss)) {
    detail::bad_text(field, text, what, "expected 'T' and a time as HH:MM:SS after the date");
  }
  pos += 9;
  if (hh > 23) detail::bad_text(field, text, what, fmt::format("hour {} out of range", hh));
  if (mm > 59) detail::bad_text(field, text, what, fmt::format("minute {} out of range", mm));
  if (ss > 59) detail::bad_text(field, text, what, fmt::format("second {} out of range", ss));
  if (pos < text.size() && text[pos] == '.') {
    std::size_t digits = 0;
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (text[pos] != '0') {
        detail::bad_text(field, text, what, "sub-second precision is not supported");
      }
      ++pos;
      ++digits;
    }
    if (digits == 0 || digits > 9) {
      detail::bad_text(field, text, what, "expected 1 to 9 fraction digits after '.'");
    }
  }
  std::chrono::minutes offset{0};
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const bool negative = text[pos] == '-';
    int oh = 0, om = 0;
    if (!detail::read_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() ||
        text[pos + 3] != ':' || !detail::read_digits(text, pos + 4, 2, om)) {
      detail::bad_text(field, text, what, "expected an offset as +HH:MM or -HH:MM");
    }
    if (oh > 23 || om > 59) {
      detail::bad_text(field, text, what, "offset out of range");
    }
    pos += 6;
    offset = std::chrono::hours{oh} + std::chrono::minutes{om};
    if (negative) offset = -offset;
  } else {
    detail::bad_text(field, text, what, "expected 'Z' or an offset like +03:00 after the time");
  }
  if (pos != text.size()) {
    detail::bad_text(field, text, what, "unexpected text after the zone designator");
  }
  const auto local = date::sys_days{ymd} + std::chrono::hours{hh} + std::chrono::minutes{mm} +
                     std::chrono::seconds{ss};
  return instant{local - offset};
}

/// `t` on the wall clock of `zone`, with its offset: `2026-01-15T13:00:00+03:00`.
inline std::string format_instant(instant t, const date::time_zone& zone) {
  const date::sys_info info = detail::zone_info(zone, t);
  const auto local = t + info.offset;
  const auto off = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
  const auto abs_off = off < 0 ? -off : off;
  return date::format("%FT%T", local) +
         fmt::format("{}{:02}:{:02}", off < 0 ? '-' : '+', abs_off / 60, abs_off % 60);
}

/// Parses a civil date `YYYY-MM-DD`; anything else is `errc::invalid_argument` naming `field`.
inline date::year_month_day parse_date(std::string_view text, std::string_view field = "date") {
  constexpr std::string_view what = "a date like 2026-01-15";
  std::size_t pos = 0;
  const date::year_month_day ymd = detail::read_date(text, pos, field, what);
  if (pos != text.size()) detail::bad_text(field, text, what, "unexpected text after the date");
  return ymd;
}

/// `2026-01-15`.
inline std::string format_date(date::year_month_day day) { return date::format("%F", day); }

/// Parses a wall-clock time of day `HH:MM` from `00:00` to `24:00` (the end of the day) into
/// minutes since local midnight; anything else is `errc::invalid_argument` naming `field`.
inline std::chrono::minutes parse_time_of_day(std::string_view text,
                                              std::string_view field = "time") {
  constexpr std::string_view what = "a time of day like 09:30";
  int hh = 0, mm = 0;
  if (text.size() != 5 || !detail::read_digits(text, 0, 2, hh) || text[2] != ':' ||
      !detail::read_digits(text, 3, 2, mm)) {
    detail::bad_text(field, text, what, "expected HH:MM");
  }
  if (mm > 59 || hh > 24 || (hh == 24 && mm != 0)) {
    detail::bad_text(field, text, what, "must be between 00:00 and 24:00");
  }
  return std::chrono::hours{hh} + std::chrono::minutes{mm};
}

/// `09:30`; 1440 minutes formats as `24:00`.
inline std::string format_time_of_day(std::chrono::minutes time_of_day) {
  const auto m = time_of_day.count();
  return fmt::format("{:02}:{:02}", m / 60, m % 60);
}

}  // namespace slotbook
