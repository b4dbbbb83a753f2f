#pragma once
/// \file recurrence.hpp
/// "When does this series repeat?": the RFC 5545 RRULE subset clinics book, parsed, validated,
/// formatted back and expanded into UTC occurrences in the provider's zone.
///
/// The subset: `FREQ=DAILY|WEEKLY|MONTHLY`, `INTERVAL`, `COUNT`, `UNTIL` (UTC `...Z`, date, or
/// local date-time), `BYDAY` (plain days; ordinals like `1MO`/`-1FR` only with MONTHLY),
/// `BYMONTHDAY` (1 to 31 and -1 to -31; not with WEEKLY) and `WKST`. Anything else (YEARLY,
/// BYSETPOS, BYHOUR, ...) is refused with an error naming the part, never silently ignored.
///
/// Expansion follows python-dateutil's `rrule` (the differential test's oracle), which is RFC 5545
/// except for one documented point: DTSTART is an occurrence only when it matches the rule
/// (`dtstart_rule::matching_only`, the default). RFC 5545 makes DTSTART the first instance
/// whatever the rule says; `dtstart_rule::always` gives that (the iCalendar importer uses it).
/// The series keeps its wall-clock time across DST changes: a weekly 09:00 America/New_York
/// series is at 09:00 EST in winter and 09:00 EDT in summer, so its UTC times move by an hour. A
/// wall-clock time that does not exist or is ambiguous on some day follows `slotbook::to_instant`
/// (a gap time moves forward by the gap's length; an ambiguous time takes the earlier instant),
/// which is also RFC 5545's rule (section 3.3.5). See docs/calendar.md.
///
///     auto rule = slotbook::parse_rrule("RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12");
///     slotbook::recurrence_start start{date::year{2026} / 3 / 2, 9h, "America/New_York"};
///     auto series = slotbook::expand(rule, start, 50min, window);
///     for (const slotbook::occurrence& o : series.occurrences) book(o.utc);

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// How often a rule's periods come round (RFC 5545 `FREQ`).
enum class frequency {
  daily,    ///< every day (times `INTERVAL`)
  weekly,   ///< every week, weeks starting on `WKST`
  monthly,  ///< every calendar month
};

/// `"DAILY"`, `"WEEKLY"`, `"MONTHLY"`, as RRULE text spells them.
constexpr std::string_view to_string(frequency f) noexcept {
  switch (f) {
    case frequency::daily:
      return "DAILY";
    case frequency::weekly:
      return "WEEKLY";
    case frequency::monthly:
      return "MONTHLY";
  }
  return "unknown";
}

/// One `BYDAY` entry: a weekday, optionally the `nth` of it in the month (1 to 5 from the start,
/// -1 to -5 from the end; only MONTHLY rules may have an ordinal). `nth == 0` means every such
/// weekday in the period.
///
///     slotbook::rule_weekday last_friday{date::Friday, -1};  // -1FR
struct rule_weekday {
  date::weekday day{};
  int nth = 0;

  friend bool operator==(const rule_weekday&, const rule_weekday&) = default;
};

/// `UNTIL`: a UTC instant (`20261231T170000Z`), a civil date (`20261231`: through the end of that
/// local day in the series' zone), or a local date-time without `Z` (`20261231T170000`: wall-clock
/// time in the series' zone, what "floating" iCalendar events use). Inclusive in every form.
using rule_until = std::variant<instant, date::year_month_day, date::local_seconds>;

/// A recurrence rule in the supported RRULE subset. Plain data: build it directly and `validate`
/// it, or `parse_rrule` text. Lists keep the order they were given in; `format_rrule` writes them
/// in that order, so `parse_rrule(format_rrule(r)) == r` for every valid `r`.
///
///     slotbook::recurrence_rule r;  // every other week on Monday and Thursday, 10 times
///     r.freq = slotbook::frequency::weekly;
///     r.interval = 2;
///     r.count = 10;
///     r.by_day = {{date::Monday}, {date::Thursday}};
struct recurrence_rule {
  frequency freq = frequency::weekly;
  int interval = 1;                         ///< 1 to 9999
  std::optional<int> count;                 ///< at least 1; never together with `until`
  std::optional<rule_until> until;          ///< inclusive
  std::vector<rule_weekday> by_day;         ///< BYDAY; empty = not given
  std::vector<int> by_month_day;            ///< BYMONTHDAY, 1..31 or -31..-1; empty = not given
  date::weekday week_start = date::Monday;  ///< WKST; matters for WEEKLY with INTERVAL > 1

  friend bool operator==(const recurrence_rule&, const recurrence_rule&) = default;
};

namespace detail {

inline constexpr std::array<std::string_view, 7> rrule_day_codes{"SU", "MO", "TU", "WE",
                                                                 "TH", "FR", "SA"};
inline constexpr std::size_t rrule_max_text = 1024;
inline constexpr int rrule_max_interval = 9999;

// Why a rule was refused: `unsupported` for valid RFC 5545 outside the subset (an importer may
// choose to skip such an event), otherwise malformed.
struct rrule_problem {
  bool unsupported = false;
  std::string message;
};

inline std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// 1 to 9 ASCII digits, nothing else.
inline bool read_count(std::string_view text, int& out) {
  if (text.empty() || text.size() > 9) return false;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

// An optionally signed 1 to 9 digit integer.
inline bool read_signed(std::string_view text, int& out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (!read_count(text, out)) return false;
  if (negative) out = -out;
  return true;
}

inline std::optional<date::weekday> read_day_code(std::string_view upper) {
  for (unsigned i = 0; i < rrule_day_codes.size(); ++i) {
    if (upper == rrule_day_codes[i]) return date::weekday{i};
  }
  return std::nullopt;
}

inline std::string_view day_code(date::weekday d) {
  return d.ok() ? rrule_day_codes[d.c_encoding()] : std::string_view{"??"};
}

inline bool in_supported_years(instant t) {
  constexpr instant first{std::chrono::seconds{-62'135'596'800}};  // 0001-01-01T00:00:00Z
  constexpr instant last{std::chrono::seconds{253'402'300'799}};   // 9999-12-31T23:59:59Z
  return first <= t && t <= last;
}

inline bool in_supported_years(date::year_month_day d) {
  return d.ok() && d.year() >= date::year{1} && d.year() <= date::year{9999};
}

// `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ` (the iCalendar DATE / DATE-TIME forms).
// Fills `why` and returns nullopt when the text is none of them.
inline std::optional<rule_until> read_ical_date_time(std::string_view text, std::string& why) {
  int y = 0, m = 0, d = 0;
  if ((text.size() != 8 && text.size() != 15 && text.size() != 16) || !read_digits(text, 0, 4, y) ||
      !read_digits(text, 4, 2, m) || !read_digits(text, 6, 2, d)) {
    why = "expected YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ";
    return std::nullopt;
  }
  if (m < 1 || m > 12) {
    why = fmt::format("month {} out of range", m);
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1) {
    why = fmt::format("day {:04}-{:02}-{:02} does not exist", y, m, d);
    return std::nullopt;
  }
  if (text.size() == 8) return rule_until{ymd};
  int hh = 0, mm = 0, ss = 0;
  if (text[8] != 'T' || !read_digits(text, 9, 2, hh) || !read_digits(text, 11, 2, mm) ||
      !read_digits(text, 13, 2, ss) || (text.size() == 16 && text[15] != 'Z')) {
    why = "expected YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ";
    return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 59) {
    why = fmt::format("time {:02}:{:02}:{:02} out of range (leap seconds are not supported)", hh,
                      mm, ss);
    return std::nullopt;
  }
  const auto since_midnight =
      std::chrono::hours{hh} + std::chrono::minutes{mm} + std::chrono::seconds{ss};
  if (text.size() == 16) return rule_until{instant{date::sys_days{ymd} + since_midnight}};
  return rule_until{date::local_seconds{date::local_days{ymd} + since_midnight}};
}

inline std::string format_until(const rule_until& until) {
  if (const auto* t = std::get_if<instant>(&until)) return date::format("%Y%m%dT%H%M%SZ", *t);
  if (const auto* d = std::get_if<date::year_month_day>(&until)) {
    return date::format("%Y%m%d", *d);
  }
  return date::format("%Y%m%dT%H%M%S", std::get<date::local_seconds>(until));
}

inline std::string format_rule_weekday(const rule_weekday& w) {
  return w.nth == 0 ? std::string(day_code(w.day)) : fmt::format("{}{}", w.nth, day_code(w.day));
}

// The first invariant `r` breaks, or nothing.
inline std::optional<rrule_problem> check_rule(const recurrence_rule& r, std::string_view field) {
  const auto malformed = [&](std::string what) {
    return rrule_problem{false, fmt::format("{}: {}", field, what)};
  };
  if (r.freq != frequency::daily && r.freq != frequency::weekly && r.freq != frequency::monthly) {
    return malformed(
        fmt::format("FREQ {} is not a frequency", static_cast<int>(r.freq)));  // cast enum
  }
  if (r.interval < 1 || r.interval > rrule_max_interval) {
    return malformed(fmt::format("INTERVAL \"{}\" is not an integer from 1 to {}", r.interval,
                                 rrule_max_interval));
  }
  if (r.count && *r.count < 1) {
    return malformed(fmt::format("COUNT \"{}\" is not a positive integer", *r.count));
  }
  if (r.count && r.until) {
    return malformed(
        fmt::format("COUNT \"{}\" and UNTIL \"{}\" are both given; RFC 5545 allows "
                    "at most one of them",
                    *r.count, format_until(*r.until)));
  }
  if (r.until) {
    bool ok = true;
    if (const auto* t = std::get_if<instant>(&*r.until)) ok = in_supported_years(*t);
    if (const auto* d = std::get_if<date::year_month_day>(&*r.until)) ok = in_supported_years(*d);
    if (const auto* l = std::get_if<date::local_seconds>(&*r.until)) {
      ok = in_supported_years(instant{l->time_since_epoch()});
    }
    if (!ok) return malformed("UNTIL is not a valid date-time in the years 1 to 9999");
  }
  for (std::size_t i = 0; i < r.by_day.size(); ++i) {
    const rule_weekday& w = r.by_day[i];
    if (!w.day.ok()) return malformed(fmt::format("BYDAY[{}] is not a weekday", i));
    const std::string text = format_rule_weekday(w);
    if (w.nth != 0 && r.freq != frequency::monthly) {
      return malformed(
          fmt::format("BYDAY \"{}\" has an ordinal, which only FREQ=MONTHLY allows "
                      "(FREQ is {})",
                      text, to_string(r.freq)));
    }
    if (w.nth < -5 || w.nth > 5) {
      return rrule_problem{true, fmt::format("{}: BYDAY \"{}\" is not supported: a month has at "
                                             "most 5 of each weekday (ordinals 1 to 5, -1 to -5)",
                                             field, text)};
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (r.by_day[j] == w) return malformed(fmt::format("BYDAY \"{}\" repeats", text));
    }
  }
  if (!r.by_month_day.empty() && r.freq == frequency::weekly) {
    return malformed("BYMONTHDAY is not allowed with FREQ=WEEKLY (RFC 5545)");
  }
  for (std::size_t i = 0; i < r.by_month_day.size(); ++i) {
    const int d = r.by_month_day[i];
    if (d == 0 || d < -31 || d > 31) {
      return malformed(
          fmt::format("BYMONTHDAY \"{}\" is not a day of the month (1 to 31 or -31 to -1)", d));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (r.by_month_day[j] == d) return malformed(fmt::format("BYMONTHDAY \"{}\" repeats", d));
    }
  }
  if (!r.week_start.ok()) return malformed("WKST is not a weekday");
  return std::nullopt;
}

// Parses RRULE text into a rule or the reason it was refused (no exceptions: the importer needs
// to tell "unsupported" from "malformed").
inline std::variant<recurrence_rule, rrule_problem> read_rrule(std::string_view text,
                                                               std::string_view field) {
  const auto malformed = [&](std::string what) {
    return rrule_problem{false, fmt::format("{}: {}", field, what)};
  };
  const auto unsupported = [&](std::string what) {
    return rrule_problem{true, fmt::format("{}: {}", field, what)};
  };
  if (text.size() > rrule_max_text) {
    return malformed(fmt::format("{} is longer than {} characters", quote(text), rrule_max_text));
  }
  if (text.size() >= 6 && ascii_upper(text.substr(0, 6)) == "RRULE:") text.remove_prefix(6);
  if (text.empty()) return malformed("the rule is empty; expected e.g. \"FREQ=WEEKLY;BYDAY=MO\"");

  recurrence_rule r;
  bool has_freq = false;
  std::vector<std::string> seen;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t semi = std::min(text.find(';', pos), text.size());
    const std::string_view part = text.substr(pos, semi - pos);
    pos = semi + 1;
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return malformed(fmt::format("part {} is not NAME=VALUE", quote(part)));
    }
    const std::string name = ascii_upper(part.substr(0, eq));
    const std::string_view raw = part.substr(eq + 1);
    const std::string value = ascii_upper(raw);
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return malformed(fmt::format("part {} repeats", quote(name)));
    }
    seen.push_back(name);
    if (value.empty()) return malformed(fmt::format("{} has an empty value", quote(name)));

    if (name == "FREQ") {
      has_freq = true;
      if (value == "DAILY") {
        r.freq = frequency::daily;
      } else if (value == "WEEKLY") {
        r.freq = frequency::weekly;
      } else if (value == "MONTHLY") {
        r.freq = frequency::monthly;
      } else if (value == "YEARLY" || value == "HOURLY" || value == "MINUTELY" ||
                 value == "SECONDLY") {
        return unsupported(
            fmt::format("FREQ {} is not supported (supported: DAILY, WEEKLY, "
                        "MONTHLY)",
                        quote(raw)));
      } else {
        return malformed(fmt::format("FREQ {} is not a frequency", quote(raw)));
      }
    } else if (name == "INTERVAL") {
      if (!read_count(value, r.interval) || r.interval < 1 || r.interval > rrule_max_interval) {
        return malformed(fmt::format("INTERVAL {} is not an integer from 1 to {}", quote(raw),
                                     rrule_max_interval));
      }
    } else if (name == "COUNT") {
      int n = 0;
      if (!read_count(value, n) || n < 1) {
        return malformed(fmt::format("COUNT {} is not a positive integer below 10^9", quote(raw)));
      }
      r.count = n;
    } else if (name == "UNTIL") {
      std::string why;
      r.until = read_ical_date_time(value, why);
      if (!r.until)
        return malformed(fmt::format("UNTIL {} is not a date-time: {}", quote(raw), why));
    } else if (name == "BYDAY") {
      std::size_t at = 0;
      while (at <= value.size()) {
        const std::size_t comma = std::min(value.find(',', at), value.size());
        const std::string_view item = std::string_view{value}.substr(at, comma - at);
        at = comma + 1;
        if (item.size() < 2)
          return malformed(fmt::format("BYDAY {} is not a weekday", quote(item)));
        const auto day = read_day_code(item.substr(item.size() - 2));
        int nth = 0;
        const std::string_view ordinal = item.substr(0, item.size() - 2);
        if (!day ||
            (!ordinal.empty() && (!read_signed(ordinal, nth) || nth == 0 || ordinal.size() > 3))) {
          return malformed(
              fmt::format("BYDAY {} is not a weekday like MO, 1MO or -1FR", quote(item)));
        }
        r.by_day.push_back({*day, nth});
      }
    } else if (name == "BYMONTHDAY") {
      std::size_t at = 0;
      while (at <= value.size()) {
        const std::size_t comma = std::min(value.find(',', at), value.size());
        const std::string_view item = std::string_view{value}.substr(at, comma - at);
        at = comma + 1;
        int d = 0;
        if (!read_signed(item, d) || d == 0 || d < -31 || d > 31) {
          return malformed(
              fmt::format("BYMONTHDAY {} is not a day of the month (1 to 31 or -31 "
                          "to -1)",
                          quote(item)));
        }
        r.by_month_day.push_back(d);
      }
    } else if (name == "WKST") {
      const auto day = read_day_code(value);
      if (!day) return malformed(fmt::format("WKST {} is not a weekday like MO", quote(raw)));
      r.week_start = *day;
    } else if (name == "BYSECOND" || name == "BYMINUTE" || name == "BYHOUR" ||
               name == "BYYEARDAY" || name == "BYWEEKNO" || name == "BYMONTH" ||
               name == "BYSETPOS") {
      return unsupported(
          fmt::format("{}={} is not supported (supported parts: FREQ, INTERVAL, "
                      "COUNT, UNTIL, BYDAY, BYMONTHDAY, WKST)",
                      name, quote(raw)));
    } else {
      return malformed(fmt::format("{} is not an RRULE part", quote(part.substr(0, eq))));
    }
  }
  if (!has_freq) return malformed("FREQ is missing");
  if (auto problem = check_rule(r, field)) return *problem;
  return r;
}

}  // namespace detail

/// Checks a rule built in code: throws `errc::invalid_argument` naming the part and value of the
/// first problem (INTERVAL outside 1 to 9999, COUNT below 1, COUNT with UNTIL, an ordinal BYDAY
/// outside MONTHLY, BYMONTHDAY with WEEKLY or outside +-1..31, a repeated list entry, ...).
///
///     slotbook::validate(rule);  // throws slotbook::error
inline void validate(const recurrence_rule& rule, std::string_view field = "rrule") {
  if (auto problem = detail::check_rule(rule, field)) {
    throw error(errc::invalid_argument, problem->message);
  }
}

/// Parses RRULE text, with or without the `RRULE:` prefix; names and values are case-insensitive.
/// Anything malformed or outside the supported subset is `errc::invalid_argument` naming `field`,
/// the part and its value, e.g. `rrule: FREQ "YEARLY" is not supported (...)`.
///
///     auto r = slotbook::parse_rrule("FREQ=MONTHLY;BYDAY=-1FR;COUNT=6");  // last Fridays
inline recurrence_rule parse_rrule(std::string_view text, std::string_view field = "rrule") {
  auto parsed = detail::read_rrule(text, field);
  if (auto* problem = std::get_if<detail::rrule_problem>(&parsed)) {
    throw error(errc::invalid_argument, problem->message);
  }
  return std::get<recurrence_rule>(std::move(parsed));
}

/// The canonical text (without the `RRULE:` prefix): parts in the order FREQ, INTERVAL, COUNT,
/// UNTIL, BYDAY, BYMONTHDAY, WKST; INTERVAL=1 and WKST=MO (the defaults) are left out. An invalid
/// rule is `errc::invalid_argument`.
///
///     slotbook::format_rrule(slotbook::parse_rrule("byday=mo;freq=weekly;interval=1"));
///     // "FREQ=WEEKLY;BYDAY=MO"
inline std::string format_rrule(const recurrence_rule& rule) {
  validate(rule);
  std::string out = fmt::format("FREQ={}", to_string(rule.freq));
  if (rule.interval != 1) out += fmt::format(";INTERVAL={}", rule.interval);
  if (rule.count) out += fmt::format(";COUNT={}", *rule.count);
  if (rule.until) out += ";UNTIL=" + detail::format_until(*rule.until);
  for (std::size_t i = 0; i < rule.by_day.size(); ++i) {
    out += i == 0 ? ";BYDAY=" : ",";
    out += detail::format_rule_weekday(rule.by_day[i]);
  }
  for (std::size_t i = 0; i < rule.by_month_day.size(); ++i) {
    out += fmt::format("{}{}", i == 0 ? ";BYMONTHDAY=" : ",", rule.by_month_day[i]);
  }
  if (rule.week_start != date::Monday) {
    out += fmt::format(";WKST={}", detail::day_code(rule.week_start));
  }
  return out;
}

/// Where a series starts (RFC 5545 `DTSTART` with `TZID`): a civil date and wall-clock time in an
/// IANA zone. Every occurrence keeps this wall-clock time.
///
///     slotbook::recurrence_start start{date::year{2026} / 3 / 2, 9h, "America/New_York"};
struct recurrence_start {
  date::year_month_day date{};
  std::chrono::seconds time_of_day{};  ///< since local midnight, 0 to 86399 s
  std::string zone;                    ///< IANA name, e.g. "Africa/Nairobi"

  friend bool operator==(const recurrence_start&, const recurrence_start&) = default;
};

/// Throws `errc::invalid_argument` naming `field` when the date is not a real date in the years
/// 1 to 9999, the time of day is outside 0 to 86399 s, or the zone is unknown.
inline void validate(const recurrence_start& start, std::string_view field = "start") {
  if (!detail::in_supported_years(start.date)) {
    throw error(
        errc::invalid_argument,
        fmt::format("{}.date: {:04}-{:02}-{:02} is not a date in the years 1 to 9999", field,
                    static_cast<int>(start.date.year()), static_cast<unsigned>(start.date.month()),
                    static_cast<unsigned>(start.date.day())));
  }
  if (start.time_of_day < std::chrono::seconds::zero() ||
      start.time_of_day >= std::chrono::days{1}) {
    throw error(errc::invalid_argument,
                fmt::format("{}.time_of_day: {} s is not within a day (0 to 86399 s)", field,
                            start.time_of_day.count()));
  }
  (void)find_zone(start.zone, fmt::format("{}.zone", field));
}

/// One occurrence of a series: its nominal wall-clock start in the series' zone (the rule's date
/// and the start's time of day, even when that time falls in a DST gap and the real start is
/// later) and its UTC interval.
struct occurrence {
  date::local_seconds local_start;
  interval utc;

  friend bool operator==(const occurrence&, const occurrence&) = default;
};

/// Whether DTSTART is an occurrence even when it does not match the rule.
enum class dtstart_rule {
  matching_only,  ///< python-dateutil: only when it matches (the default)
  always,         ///< RFC 5545: always the first one, counting towards COUNT, even past UNTIL
};

/// Limits and choices for `expand`.
struct expand_options {
  /// At most this many occurrences are returned; `expansion::truncated` says more were due.
  std::size_t max_occurrences = 1000;
  dtstart_rule start = dtstart_rule::matching_only;
};

/// What `expand` found: occurrences in strictly increasing UTC order, and whether it stopped at
/// `max_occurrences` with more still due in the window.
struct expansion {
  std::vector<occurrence> occurrences;
  bool truncated = false;
};

namespace detail {

// Which days of a period a rule keeps (BYDAY and BYMONTHDAY, with the RFC defaults filled in).
struct day_filter {
  std::array<bool, 7> every{};                // plain BYDAY, by c_encoding
  std::array<std::array<bool, 11>, 7> nth{};  // ordinal BYDAY, [weekday][nth + 5]
  std::array<bool, 32> from_start{};          // BYMONTHDAY n > 0, [n]
  std::array<bool, 32> from_end{};            // BYMONTHDAY n < 0, [-n]
  bool any_weekday = false;
  bool any_ordinal = false;
  bool any_month_day = false;

  // BYDAY entries are alternatives (RFC 5545: each one expands); BYMONTHDAY must hold as well.
  bool matches(date::year_month_day ymd) const {
    const unsigned day = static_cast<unsigned>(ymd.day());
    const unsigned last = static_cast<unsigned>((ymd.year() / ymd.month() / date::last).day());
    const unsigned wd = date::weekday{date::sys_days{ymd}}.c_encoding();
    if (any_weekday || any_ordinal) {
      bool ok = any_weekday && every[wd];
      if (!ok && any_ordinal) {
        const auto forward = static_cast<std::size_t>((day - 1) / 7 + 1 + 5);
        const auto backward = static_cast<std::size_t>(5 - static_cast<int>((last - day) / 7 + 1));
        ok = nth[wd][forward] || nth[wd][backward];
      }
      if (!ok) return false;
    }
    return !any_month_day || from_start[day] || from_end[last + 1 - day];
  }
};

inline day_filter make_day_filter(const recurrence_rule& r, date::year_month_day first) {
  day_filter f;
  for (const rule_weekday& w : r.by_day) {
    if (w.nth == 0) {
      f.every[w.day.c_encoding()] = true;
      f.any_weekday = true;
    } else {
      f.nth[w.day.c_encoding()][static_cast<std::size_t>(w.nth + 5)] = true;
      f.any_ordinal = true;
    }
  }
  for (int d : r.by_month_day) {
    (d > 0 ? f.from_start : f.from_end)[static_cast<std::size_t>(d > 0 ? d : -d)] = true;
    f.any_month_day = true;
  }
  // RFC 5545 defaults (as dateutil applies them): WEEKLY without BYDAY repeats DTSTART's weekday,
  // MONTHLY without BYDAY and BYMONTHDAY repeats DTSTART's day of the month.
  if (r.freq == frequency::weekly && r.by_day.empty()) {
    f.every[date::weekday{date::sys_days{first}}.c_encoding()] = true;
    f.any_weekday = true;
  }
  if (r.freq == frequency::monthly && r.by_day.empty() && r.by_month_day.empty()) {
    f.from_start[static_cast<unsigned>(first.day())] = true;
    f.any_month_day = true;
  }
  return f;
}

// UTC offsets ever used are within +-16 h (LMT included); 26 h leaves room for a skipped day.
inline constexpr std::chrono::seconds max_zone_slack = std::chrono::hours{26};

}  // namespace detail

/// The occurrences of `rule` from `start` whose UTC interval `[begin, begin + duration)` overlaps
/// `window`, in increasing order. Semantics (see docs/calendar.md):
/// - periods are DTSTART's day, week (starting on WKST) or month, then every INTERVAL-th one;
///   BYDAY entries are alternatives, BYMONTHDAY must also hold; WEEKLY without BYDAY uses
///   DTSTART's weekday, MONTHLY without BYDAY/BYMONTHDAY DTSTART's day of the month, and a
///   month without that day (BYMONTHDAY=31 in April) is skipped, never clamped;
/// - nothing before DTSTART; DTSTART itself only if it matches (see `dtstart_rule`);
/// - COUNT counts occurrences from DTSTART on, including those before the window; UNTIL is
///   inclusive (a UTC UNTIL compares with the UTC start, a date UNTIL with the local date);
/// - each occurrence is the start's wall-clock time on its date, converted with `to_instant`
///   (gap: moved forward by the gap; ambiguous: earlier instant). When a zone skips a whole
///   calendar day (Samoa, 2011-12-30) two dates can land on one instant; the later one is
///   dropped (it still counts towards COUNT), so starts are strictly increasing.
/// Bad input (invalid rule or start, duration not in 1 s to 3660 days, a window whose end is
/// before its begin) is `errc::invalid_argument`. Work is bounded by the window: a rule that can
/// never match simply yields nothing.
///
///     auto r = slotbook::parse_rrule("FREQ=WEEKLY;COUNT=3");
///     slotbook::recurrence_start s{date::year{2026} / 3 / 2, 9h, "America/New_York"};
///     slotbook::expand(r, s, 50min, {t0, t1}).occurrences;
///     // 2026-03-02T14:00Z (EST), 2026-03-09T13:00Z and 2026-03-16T13:00Z (EDT)
inline expansion expand(const recurrence_rule& rule, const recurrence_start& start,
                        std::chrono::seconds duration, interval window,
                        const expand_options& options = {}) {
  using std::chrono::seconds;
  validate(rule);
  validate(start);
  if (duration <= seconds::zero() || duration > std::chrono::days{3660}) {
    throw error(errc::invalid_argument,
                fmt::format("duration: {} s is not between 1 s and 3660 days", duration.count()));
  }
  if (window.end < window.begin) {
    throw error(errc::invalid_argument,
                fmt::format("window: end {} is before begin {}", format_instant(window.end),
                            format_instant(window.begin)));
  }
  const date::time_zone& zone = find_zone(start.zone, "start.zone");
  // Keep every date computed below inside date's range: clip to the years 1 to 9999.
  window.begin = std::max(window.begin, instant{seconds{-62'135'596'800}});
  window.end = std::min(window.end, instant{seconds{253'402'300'800}});
  expansion out;
  if (!window.ok()) return out;

  const auto as_local = [](instant t) { return date::local_seconds{t.time_since_epoch()}; };
  const date::local_seconds window_begin = as_local(window.begin);
  const date::local_seconds window_end = as_local(window.end);
  const detail::day_filter filter = detail::make_day_filter(rule, start.date);
  const date::sys_days first_day{start.date};

  std::int64_t counted = 0;
  std::optional<instant> previous;
  enum class step { go_on, stop };
  // One candidate occurrence at local wall-clock time `local`, already known to match the rule.
  const auto consider = [&](date::local_seconds local, bool bounded_by_until) -> step {
    if (bounded_by_until && rule.until) {
      if (const auto* d = std::get_if<date::year_month_day>(&*rule.until)) {
        if (date::floor<date::days>(local) > date::local_days{*d}) return step::stop;
      } else if (const auto* l = std::get_if<date::local_seconds>(&*rule.until)) {
        if (local > *l) return step::stop;
      }
    }
    if (rule.count && ++counted > *rule.count) return step::stop;
    // Cheap bounds first (no zone lookup): whatever the offset, this one ends before the window
    // or starts after it. UTC starts only grow, so "after" ends the expansion.
    if (local + detail::max_zone_slack + duration <= window_begin) return step::go_on;
    if (local - detail::max_zone_slack >= window_end) return step::stop;
    const instant begin = to_instant(local, zone);
    if (bounded_by_until && rule.until) {
      if (const auto* t = std::get_if<instant>(&*rule.until); t && begin > *t) return step::stop;
    }
    if (previous && begin <= *previous) return step::go_on;
    previous = begin;
    const interval utc{begin, begin + duration};
    if (!utc.overlaps(window)) return begin >= window.end ? step::stop : step::go_on;
    if (out.occurrences.size() >= options.max_occurrences) {
      out.truncated = true;
      return step::stop;
    }
    out.occurrences.push_back({local, utc});
    return step::go_on;
  };

  // RFC 5545 mode: DTSTART first, whatever the rule says; the walk below then skips its day.
  const bool start_always = options.start == dtstart_rule::always;
  if (start_always) {
    const date::local_seconds local{date::local_days{start.date} + start.time_of_day};
    if (consider(local, false) == step::stop) return out;
  }

  // Period k starts at `period_first(k)` and lasts `period_days(k)` days.
  const std::int64_t interval_n = rule.interval;
  const date::sys_days week0 =
      first_day - (date::weekday{first_day} - rule.week_start);  // WKST on or before DTSTART
  const date::year_month month0 = start.date.year() / start.date.month();
  const auto period_first = [&](std::int64_t k) -> date::sys_days {
    switch (rule.freq) {
      case frequency::daily:
        return first_day + date::days{static_cast<int>(k * interval_n)};
      case frequency::weekly:
        return week0 + date::days{static_cast<int>(7 * k * interval_n)};
      case frequency::monthly:
        break;
    }
    return date::sys_days{(month0 + date::months{static_cast<int>(k * interval_n)}) / 1};
  };
  const auto period_days = [&](date::sys_days first) -> std::int64_t {
    switch (rule.freq) {
      case frequency::daily:
        return 1;
      case frequency::weekly:
        return 7;
      case frequency::monthly:
        break;
    }
    const date::year_month_day ymd{first};
    return static_cast<unsigned>((ymd.year() / ymd.month() / date::last).day());
  };

  // Without COUNT nothing before the window matters, so start at the last period that begins
  // before it instead of walking from DTSTART.
  std::int64_t k = 0;
  if (!rule.count) {
    const date::sys_days target{
        date::floor<date::days>(window_begin - detail::max_zone_slack - duration)
            .time_since_epoch()};
    std::int64_t elapsed = 0;
    std::int64_t per = interval_n;
    switch (rule.freq) {
      case frequency::daily:
        elapsed = (target - first_day).count();
        break;
      case frequency::weekly:
        elapsed = (target - week0).count();
        per = 7 * interval_n;
        break;
      case frequency::monthly: {
        const date::year_month_day t{target};
        elapsed = ((t.year() / t.month()) - month0).count();
        break;
      }
    }
    if (elapsed > 0) k = elapsed / per;
  }

  for (;; ++k) {
    const date::sys_days first = period_first(k);
    const date::local_seconds first_local{date::local_days{first.time_since_epoch()}};
    if (first_local - detail::max_zone_slack >= window_end) break;
    const std::int64_t days = period_days(first);
    for (std::int64_t i = 0; i < days; ++i) {
      const date::sys_days day = first + date::days{static_cast<int>(i)};
      if (day < first_day || (start_always && day == first_day)) continue;
      const date::year_month_day ymd{day};
      if (!filter.matches(ymd)) continue;
      const date::local_seconds local{date::local_days{day.time_since_epoch()} + start.time_of_day};
      if (consider(local, true) == step::stop) return out;
    }
  }
  return out;
}

}  // namespace slotbook
