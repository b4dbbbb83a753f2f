#pragma once
/// \file availability.hpp
/// "When is this provider working?": weekly hours in the provider's own time zone, date
/// exceptions, and their expansion into UTC intervals.
///
/// A `schedule` is plain data a host stores and edits: an IANA zone, weekly windows written in that
/// zone's wall-clock time, optional effective dates, an active flag and date exceptions (a civil
/// date closed, or given custom hours that replace that day's weekly windows). `availability` is
/// the validated, ready-to-query form of a schedule (zone looked up once, windows sorted by
/// weekday, exceptions indexed by date); build it once and reuse it for many queries.
///
/// Each civil date's windows are placed on that date in the provider's zone, so on a DST day a
/// 09:00-17:00 window stays 09:00-17:00 on the wall clock (and the day is 23 or 25 hours long).
/// Local times in a spring-forward gap or a fall-back overlap follow `slotbook::to_instant`: a gap
/// time moves forward by the gap's length, an ambiguous time takes the earlier instant, and a
/// window whose converted end is not after its start is dropped.
///
///     slotbook::schedule s;
///     s.zone = "Europe/London";
///     s.windows = {{date::Monday, 9h, 12h}, {date::Monday, 13h, 17h}};
///     s.exceptions = {slotbook::date_exception::closed(date::year{2026} / 12 / 28, "holiday")};
///     const slotbook::availability hours{s};            // validates; throws slotbook::error
///     for (slotbook::interval i : slotbook::expand(hours, week)) { ... }   // UTC, merged

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "slotbook/detail/availability_convert.hpp"
#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// Hours on one local day: `[start, end)` in minutes since local midnight, `start` from 00:00 to
/// 23:59 and `end` up to 24:00 (1440, the next local midnight).
///
///     slotbook::local_window morning{9h, 12h};
struct local_window {
  std::chrono::minutes start{};
  std::chrono::minutes end{};

  friend constexpr bool operator==(const local_window&, const local_window&) noexcept = default;
};

/// Recurring hours: every `day` (local weekday in the schedule's zone) from `start` to `end`.
/// Several windows may share a day; they must not overlap (touching is fine and merges).
///
///     slotbook::weekly_window w{date::Monday, 9h, 17h};
struct weekly_window {
  date::weekday day{};  ///< Sunday = `date::weekday{0}` ... Saturday = `date::weekday{6}`
  std::chrono::minutes start{};
  std::chrono::minutes end{};

  friend bool operator==(const weekly_window&, const weekly_window&) = default;
};

/// A change to one civil date in the schedule's zone: either closed all day (`available` false,
/// no hours) or open with custom `hours` that replace that day's weekly windows (`available`
/// true, at least one window). Exceptions apply even outside the effective dates, so "also open on
/// this Saturday" works before a schedule starts or after it ends.
///
///     auto xmas = slotbook::date_exception::closed(date::year{2026} / 12 / 25, "holiday");
///     auto eve = slotbook::date_exception::custom(date::year{2026} / 12 / 24, {{9h, 12h}});
struct date_exception {
  date::year_month_day date{};
  bool available = false;
  std::vector<local_window> hours;
  std::string reason;  ///< free text for the host's display; not interpreted

  /// The date is closed all day.
  static date_exception closed(date::year_month_day day, std::string why = {}) {
    return {day, false, {}, std::move(why)};
  }
  /// The date is open only during `custom_hours`.
  static date_exception custom(date::year_month_day day, std::vector<local_window> custom_hours,
                               std::string why = {}) {
    return {day, true, std::move(custom_hours), std::move(why)};
  }

  friend bool operator==(const date_exception&, const date_exception&) = default;
};

/// A provider's working hours as stored by the host. Check it with `validate` or by building an
/// `availability` from it.
struct schedule {
  std::string zone;                        ///< IANA zone name, e.g. "Africa/Nairobi"
  std::vector<weekly_window> windows;      ///< weekly hours, any order
  std::vector<date_exception> exceptions;  ///< at most one per date, any order
  /// First civil date on which the weekly windows apply (inclusive); none = always did.
  std::optional<date::year_month_day> effective_from;
  /// Last civil date on which the weekly windows apply (inclusive); none = open-ended.
  std::optional<date::year_month_day> effective_until;
  /// An inactive schedule offers nothing at all, exceptions included.
  bool active = true;

  friend bool operator==(const schedule&, const schedule&) = default;
};

/// Which hours of a day to read: `actual` applies date exceptions; `weekly` is the regular weekly
/// pattern alone (within the effective dates), used to tell "closed by an exception" apart from
/// "never open".
enum class hours_kind { actual, weekly };

namespace detail {

inline constexpr std::array<std::string_view, 7> weekday_names{
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

/// Civil dates and instants slotbook accepts: years 1900 to 2999. Outside that, arithmetic on
/// offsets and days could overflow and the tz database says nothing useful.
inline constexpr date::year earliest_year{1900};
inline constexpr date::year latest_year{2999};
inline constexpr date::sys_days earliest_day{earliest_year / 1 / 1};
inline constexpr date::sys_days end_of_latest_year{date::year{3000} / 1 / 1};

inline std::string describe_date(date::year_month_day day) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()),
                     static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
}

inline std::string describe_time_of_day(std::chrono::minutes m) {
  if (m >= std::chrono::minutes{0} && m <= std::chrono::minutes{1440}) {
    return format_time_of_day(m);
  }
  return fmt::format("{} min", m.count());
}

inline void check_civil_date(date::year_month_day day, std::string_view field) {
  if (!day.ok()) {
    throw error(errc::invalid_argument,
                fmt::format("{}: {} is not a valid date", field, describe_date(day)));
  }
  if (day.year() < earliest_year || day.year() > latest_year) {
    throw error(errc::invalid_argument,
                fmt::format("{}: {} is outside the supported years 1900 to 2999", field,
                            describe_date(day)));
  }
}

inline bool supported(instant t) noexcept { return t >= earliest_day && t < end_of_latest_year; }

[[noreturn]] inline void unsupported_instant(instant t, std::string_view field) {
  throw error(
      errc::invalid_argument,
      fmt::format("{}: {} is outside the supported years 1900 to 2999", field, format_instant(t)));
}

inline void check_instant(instant t, std::string_view field) {
  if (!supported(t)) unsupported_instant(t, field);
}

/// A query range: non-empty, inside the supported years, at most `max_days` long.
inline void check_range(const interval& range, std::string_view field, int max_days) {
  if (!supported(range.begin)) unsupported_instant(range.begin, fmt::format("{}.begin", field));
  if (!supported(range.end)) unsupported_instant(range.end, fmt::format("{}.end", field));
  if (!range.ok()) {
    throw error(errc::invalid_argument,
                fmt::format("{}: end {} is not after begin {}", field, format_instant(range.end),
                            format_instant(range.begin)));
  }
  if (range.duration() > date::days{max_days}) {
    throw error(errc::invalid_argument,
                fmt::format("{}: {} is longer than the {} days one query may span", field,
                            to_string(range), max_days));
  }
}

// One window's own bounds; `where` is e.g. "on monday" or "on 2026-12-24".
inline void check_window_bounds(std::string_view field, std::chrono::minutes start,
                                std::chrono::minutes end, std::string_view where) {
  using std::chrono::minutes;
  if (start < minutes{0} || start >= minutes{1440}) {
    throw error(errc::invalid_argument,
                fmt::format("{}.start: {} is not a time of day from 00:00 to 23:59 {}", field,
                            describe_time_of_day(start), where));
  }
  if (end > minutes{1440}) {
    throw error(errc::invalid_argument, fmt::format("{}.end: {} is after 24:00 {}", field,
                                                    describe_time_of_day(end), where));
  }
  if (end <= start) {
    throw error(errc::invalid_argument,
                fmt::format("{}.end: {} is not after start {} {}", field, describe_time_of_day(end),
                            format_time_of_day(start), where));
  }
}

struct labelled_window {
  local_window hours;
  std::string label;  // e.g. "windows[3]"
};

// Windows of one day must not overlap (touching is fine).
inline void check_no_overlap(std::vector<labelled_window>& day, std::string_view where) {
  std::sort(day.begin(), day.end(), [](const labelled_window& a, const labelled_window& b) {
    return a.hours.start < b.hours.start;
  });
  for (std::size_t i = 1; i < day.size(); ++i) {
    const labelled_window& before = day[i - 1];
    const labelled_window& after = day[i];
    if (after.hours.start < before.hours.end) {
      throw error(
          errc::invalid_argument,
          fmt::format("{}: {}-{} overlaps {} {}-{} {}", after.label,
                      format_time_of_day(after.hours.start), format_time_of_day(after.hours.end),
                      before.label, format_time_of_day(before.hours.start),
                      format_time_of_day(before.hours.end), where));
    }
  }
}

// True when sorted, non-overlapping windows cover 00:00 to 24:00 with no hole.
inline bool covers_whole_day(std::span<const local_window> sorted) {
  std::chrono::minutes reached{0};
  for (const local_window& w : sorted) {
    if (w.start > reached) return false;
    reached = std::max(reached, w.end);
  }
  return reached == std::chrono::minutes{1440};
}

}  // namespace detail

/// Checks a schedule and throws `errc::invalid_argument` naming the first bad field: unknown zone,
/// a weekday outside 0-6, a window outside 00:00-24:00 or ending at or before its start, windows
/// overlapping on one weekday, an invalid or out-of-range date, effective dates in the wrong order,
/// two exceptions on one date, an exception marked unavailable that has custom hours, or one marked
/// available without any.
///
///     slotbook::validate(s);  // e.g. "windows[3].end: 09:00 is not after start 10:00 on monday"
inline void validate(const schedule& s) {
  (void)find_zone(s.zone, "zone");

  std::array<std::vector<detail::labelled_window>, 7> by_day;
  for (std::size_t i = 0; i < s.windows.size(); ++i) {
    const weekly_window& w = s.windows[i];
    const std::string label = fmt::format("windows[{}]", i);
    if (!w.day.ok()) {
      throw error(errc::invalid_argument,
                  fmt::format("{}.day: {} is not a weekday (0 = sunday to 6 = saturday)", label,
                              w.day.c_encoding()));
    }
    const std::string where = fmt::format("on {}", detail::weekday_names[w.day.c_encoding()]);
    detail::check_window_bounds(label, w.start, w.end, where);
    by_day[w.day.c_encoding()].push_back({{w.start, w.end}, label});
  }
  for (std::size_t d = 0; d < by_day.size(); ++d) {
    detail::check_no_overlap(by_day[d], fmt::format("on {}", detail::weekday_names[d]));
  }

  if (s.effective_from) detail::check_civil_date(*s.effective_from, "effective_from");
  if (s.effective_until) detail::check_civil_date(*s.effective_until, "effective_until");
  if (s.effective_from && s.effective_until &&
      date::sys_days{*s.effective_until} < date::sys_days{*s.effective_from}) {
    throw error(errc::invalid_argument,
                fmt::format("effective_until: {} is before effective_from {}",
                            format_date(*s.effective_until), format_date(*s.effective_from)));
  }

  std::vector<std::pair<date::sys_days, std::size_t>> dates;
  dates.reserve(s.exceptions.size());
  for (std::size_t i = 0; i < s.exceptions.size(); ++i) {
    const date_exception& x = s.exceptions[i];
    const std::string label = fmt::format("exceptions[{}]", i);
    detail::check_civil_date(x.date, label + ".date");
    const std::string day = format_date(x.date);
    if (!x.available && !x.hours.empty()) {
      throw error(errc::invalid_argument,
                  fmt::format("{}: {} is marked unavailable but has {} custom hours window(s)",
                              label, day, x.hours.size()));
    }
    if (x.available && x.hours.empty()) {
      throw error(errc::invalid_argument,
                  fmt::format("{}: {} is marked available but has no custom hours (leave the "
                              "date out to keep the weekly hours)",
                              label, day));
    }
    const std::string where = "on " + day;
    std::vector<detail::labelled_window> hours;
    for (std::size_t j = 0; j < x.hours.size(); ++j) {
      const std::string hours_label = fmt::format("{}.hours[{}]", label, j);
      detail::check_window_bounds(hours_label, x.hours[j].start, x.hours[j].end, where);
      hours.push_back({x.hours[j], hours_label});
    }
    detail::check_no_overlap(hours, where);
    dates.emplace_back(date::sys_days{x.date}, i);
  }
  std::sort(dates.begin(), dates.end());
  for (std::size_t k = 1; k < dates.size(); ++k) {
    if (dates[k].first == dates[k - 1].first) {
      throw error(
          errc::invalid_argument,
          fmt::format("exceptions[{}].date: {} repeats exceptions[{}]", dates[k].second,
                      format_date(date::year_month_day{dates[k].first}), dates[k - 1].second));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The seed's shape
// ---------------------------------------------------------------------------------------------

/// One record of the seed's availability model: `dayOfWeek` 0-6 (Sunday-Saturday), `"HH:MM"`
/// times, `isActive`.
struct seed_window {
  int day_of_week = 0;
  std::string start_time;
  std::string end_time;
  bool is_active = true;

  friend bool operator==(const seed_window&, const seed_window&) = default;
};

/// One entry of the seed's `exceptions` array. `date` is a civil date `YYYY-MM-DD` in the
/// provider's zone (the seed's JavaScript `Date` is an instant, which is how overrides end up on
/// the wrong day; hosts must send the date the provider meant). Custom times are empty when absent.
struct seed_exception {
  std::string date;
  bool is_available = false;
  std::string custom_start_time;
  std::string custom_end_time;
  std::string reason;

  friend bool operator==(const seed_exception&, const seed_exception&) = default;
};

/// Builds and validates a schedule from the seed's records. Inactive windows are left out.
/// Several available entries for one date become one exception with several custom windows (the
/// seed can only give one window per entry); an unavailable entry must be the only one for its
/// date. Bad values throw `errc::invalid_argument` naming the seed field, e.g.
/// `windows[2].dayOfWeek: 7 is not a weekday (0 = sunday to 6 = saturday)`.
///
///     std::vector<slotbook::seed_window> rows{{1, "09:00", "17:00", true}};
///     auto s = slotbook::schedule_from_seed("America/New_York", rows, {});
inline schedule schedule_from_seed(std::string_view zone, std::span<const seed_window> windows,
                                   std::span<const seed_exception> exceptions) {
  schedule s;
  s.zone = std::string{zone};
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const seed_window& w = windows[i];
    const std::string label = fmt::format("windows[{}]", i);
    if (w.day_of_week < 0 || w.day_of_week > 6) {
      throw error(errc::invalid_argument,
                  fmt::format("{}.dayOfWeek: {} is not a weekday (0 = sunday to 6 = saturday)",
                              label, w.day_of_week));
    }
    const auto start = parse_time_of_day(w.start_time, label + ".startTime");
    const auto end = parse_time_of_day(w.end_time, label + ".endTime");
    if (!w.is_active) continue;
    s.windows.push_back({date::weekday{static_cast<unsigned>(w.day_of_week)}, start, end});
  }
  std::vector<std::pair<date::sys_days, std::size_t>> seen;  // date -> first entry index
  for (std::size_t i = 0; i < exceptions.size(); ++i) {
    const seed_exception& x = exceptions[i];
    const std::string label = fmt::format("exceptions[{}]", i);
    const date::year_month_day day = parse_date(x.date, label + ".date");
    const bool has_start = !x.custom_start_time.empty();
    const bool has_end = !x.custom_end_time.empty();
    if (has_start != has_end) {
      throw error(errc::invalid_argument,
                  fmt::format("{}.{}: missing; custom hours need both customStartTime and "
                              "customEndTime",
                              label, has_start ? "customEndTime" : "customStartTime"));
    }
    std::optional<local_window> hours;
    if (has_start) {
      hours = local_window{parse_time_of_day(x.custom_start_time, label + ".customStartTime"),
                           parse_time_of_day(x.custom_end_time, label + ".customEndTime")};
    }
    if (!x.is_available && hours) {
      throw error(errc::invalid_argument,
                  fmt::format("{}: {} has isAvailable false but custom hours {}-{}", label, x.date,
                              x.custom_start_time, x.custom_end_time));
    }
    if (x.is_available && !hours) {
      throw error(errc::invalid_argument,
                  fmt::format("{}: {} has isAvailable true but no custom hours (leave the date "
                              "out to keep the weekly hours)",
                              label, x.date));
    }
    const date::sys_days key{day};
    const auto prior = std::find_if(seen.begin(), seen.end(),
                                    [&](const auto& entry) { return entry.first == key; });
    if (prior != seen.end()) {
      date_exception& merged = s.exceptions[prior->second];
      if (!merged.available || !x.is_available) {
        throw error(errc::invalid_argument,
                    fmt::format("{}.date: {} repeats an earlier entry and one of them closes the "
                                "day",
                                label, x.date));
      }
      merged.hours.push_back(*hours);
      if (merged.reason.empty()) merged.reason = x.reason;
      continue;
    }
    seen.emplace_back(key, s.exceptions.size());
    s.exceptions.push_back(x.is_available ? date_exception::custom(day, {*hours}, x.reason)
                                          : date_exception::closed(day, x.reason));
  }
  validate(s);
  return s;
}

// ---------------------------------------------------------------------------------------------
// availability: a validated schedule, ready to query
// ---------------------------------------------------------------------------------------------

/// A validated schedule with its zone resolved and its windows indexed, ready for many queries.
/// Immutable after construction, so one instance may be shared between threads.
///
///     const slotbook::availability hours{s};   // throws slotbook::error if `s` is invalid
///     auto open = hours.hours_on(date::year{2026} / 3 / 8);   // local windows on that date
class availability {
 public:
  /// Validates `s` (see `validate`) and indexes it.
  explicit availability(const schedule& s) : zone_name_(s.zone), active_(s.active) {
    validate(s);
    zone_ = &find_zone(s.zone, "zone");
    // All weekly windows in one block, weekday by weekday: a query touches one or two cache
    // lines of it, which matters when a team query visits thousands of providers.
    std::array<std::vector<local_window>, 7> by_day;
    for (const weekly_window& w : s.windows) by_day[w.day.c_encoding()].push_back({w.start, w.end});
    all_weekdays_full_ = true;
    weekly_.reserve(s.windows.size());
    for (std::size_t d = 0; d < by_day.size(); ++d) {
      std::sort(by_day[d].begin(), by_day[d].end(),
                [](const local_window& a, const local_window& b) { return a.start < b.start; });
      weekly_full_[d] = detail::covers_whole_day(by_day[d]);
      all_weekdays_full_ = all_weekdays_full_ && weekly_full_[d];
      weekly_begin_[d] = static_cast<std::uint32_t>(weekly_.size());
      weekly_.insert(weekly_.end(), by_day[d].begin(), by_day[d].end());
    }
    weekly_begin_[7] = static_cast<std::uint32_t>(weekly_.size());
    if (s.effective_from) from_ = date::local_days{*s.effective_from};
    if (s.effective_until) until_ = date::local_days{*s.effective_until};
    exceptions_ = s.exceptions;
    std::sort(exceptions_.begin(), exceptions_.end(),
              [](const date_exception& a, const date_exception& b) {
                return date::sys_days{a.date} < date::sys_days{b.date};
              });
    exception_days_.reserve(exceptions_.size());
    exception_full_.reserve(exceptions_.size());
    for (date_exception& x : exceptions_) {
      std::sort(x.hours.begin(), x.hours.end(),
                [](const local_window& a, const local_window& b) { return a.start < b.start; });
      exception_days_.push_back(date::local_days{x.date});
      exception_full_.push_back(detail::covers_whole_day(x.hours));
    }
  }

  /// The provider's zone.
  const date::time_zone& zone() const noexcept { return *zone_; }
  /// The zone's IANA name as given.
  const std::string& zone_name() const noexcept { return zone_name_; }
  /// False when the schedule is switched off: no hours at all.
  bool active() const noexcept { return active_; }

  /// The local windows open on `day` (sorted), after date exceptions; empty when closed.
  std::span<const local_window> hours_on(date::year_month_day day) const {
    return hours_on(date::local_days{day}, hours_kind::actual);
  }
  /// The regular weekly windows of `day` (sorted), ignoring date exceptions; empty outside the
  /// effective dates or when inactive.
  std::span<const local_window> weekly_hours_on(date::year_month_day day) const {
    return hours_on(date::local_days{day}, hours_kind::weekly);
  }
  /// The exception for `day`, or null.
  const date_exception* exception_on(date::year_month_day day) const {
    const std::size_t i = exception_index(date::local_days{day});
    return i == npos ? nullptr : &exceptions_[i];
  }

  /// `hours_on` / `weekly_hours_on` by local day number.
  std::span<const local_window> hours_on(date::local_days day, hours_kind kind) const {
    if (!active_) return {};
    if (kind == hours_kind::actual) {
      const std::size_t i = exception_index(day);
      if (i != npos) return exceptions_[i].hours;
    }
    if (!in_effect(day)) return {};
    const unsigned d = date::weekday{day}.c_encoding();
    return std::span<const local_window>{weekly_}.subspan(weekly_begin_[d],
                                                          weekly_begin_[d + 1] - weekly_begin_[d]);
  }

  /// True when the hours of `day` cover 00:00 to 24:00 without a hole.
  bool covers_whole_day(date::local_days day, hours_kind kind) const {
    if (!active_) return false;
    if (kind == hours_kind::actual) {
      const std::size_t i = exception_index(day);
      if (i != npos) return exception_full_[i];
    }
    return in_effect(day) && weekly_full_[date::weekday{day}.c_encoding()];
  }

  /// The latest day before `day` whose hours do not cover the whole day, or none when every day
  /// back to 1900 is fully covered. Skips long fully-covered stretches in one step, so a provider
  /// open around the clock costs no more than one working nine to five.
  std::optional<date::local_days> latest_partial_day_before(date::local_days day,
                                                            hours_kind kind) const {
    const date::local_days oldest{detail::earliest_day.time_since_epoch()};
    date::local_days d = day - date::days{1};
    while (d >= oldest) {
      if (!covers_whole_day(d, kind)) return d;
      const bool plain = kind == hours_kind::weekly || exception_index(d) == npos;
      if (plain && all_weekdays_full_) {
        // Every day between the previous exception (or the day before the schedule took effect)
        // and `d` is fully covered too.
        std::optional<date::local_days> next;
        if (from_) next = *from_ - date::days{1};
        if (kind == hours_kind::actual) {
          const auto it = std::lower_bound(exception_days_.begin(), exception_days_.end(), d);
          if (it != exception_days_.begin()) {
            const date::local_days previous = *std::prev(it);
            if (!next || previous > *next) next = previous;
          }
        }
        if (!next) return std::nullopt;
        d = *next;
      } else {
        d -= date::days{1};
      }
    }
    return std::nullopt;
  }

  /// True when some exception falls on a day in `[first, last]`.
  bool has_exception_between(date::local_days first, date::local_days last) const {
    const auto it = std::lower_bound(exception_days_.begin(), exception_days_.end(), first);
    return it != exception_days_.end() && *it <= last;
  }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  bool in_effect(date::local_days day) const {
    return (!from_ || day >= *from_) && (!until_ || day <= *until_);
  }

  std::size_t exception_index(date::local_days day) const {
    const auto it = std::lower_bound(exception_days_.begin(), exception_days_.end(), day);
    if (it == exception_days_.end() || *it != day) return npos;
    return static_cast<std::size_t>(it - exception_days_.begin());
  }

  std::string zone_name_;
  const date::time_zone* zone_ = nullptr;
  bool active_ = true;
  std::vector<local_window> weekly_;             // sorted windows, Sunday's first
  std::array<std::uint32_t, 8> weekly_begin_{};  // weekday d is [weekly_begin_[d], [d + 1])
  std::array<bool, 7> weekly_full_{};
  bool all_weekdays_full_ = false;
  std::optional<date::local_days> from_;
  std::optional<date::local_days> until_;
  std::vector<date_exception> exceptions_;  // sorted by date, hours sorted
  std::vector<date::local_days> exception_days_;
  std::vector<bool> exception_full_;
};

namespace detail {

/// The longest range `expand` accepts, in days (about ten years).
inline constexpr int max_expand_days = 3660;

/// Every instant a local day contributes lies within this far of that day's midnight read as UTC
/// (local times are converted with real UTC offsets, all within +-16 h since 1900; a day is 24 h).
inline constexpr std::chrono::hours day_reach_before{16};
inline constexpr std::chrono::hours day_reach_after{40};

/// The local day numbers whose windows can reach instants in `[from, until)`.
inline std::pair<date::local_days, date::local_days> days_reaching(instant from, instant until) {
  const auto first = date::floor<date::days>(from - day_reach_after);
  const auto last = date::floor<date::days>(until + day_reach_before);
  return {date::local_days{first.time_since_epoch()}, date::local_days{last.time_since_epoch()}};
}

/// Appends the UTC intervals of `day`'s windows (empty ones dropped), in window order.
inline void append_day(const availability& hours, date::local_days day, hours_kind kind,
                       local_converter& convert, std::vector<interval>& out) {
  const date::local_seconds midnight{day};
  for (const local_window& w : hours.hours_on(day, kind)) {
    const instant begin = convert.to_instant(midnight + w.start);
    const instant end = convert.to_instant(midnight + w.end);
    if (begin < end) out.push_back({begin, end});
  }
}

/// Sorts `v` and merges overlapping and touching intervals in place.
inline void merge_touching(std::vector<interval>& v) {
  // Days are appended in order, so the input is almost always sorted already; only DST-gap days
  // (where a window can be moved past the next one) need the sort.
  if (!std::is_sorted(v.begin(), v.end())) std::sort(v.begin(), v.end());
  std::size_t out = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && v[i].begin <= v[out - 1].end) {
      v[out - 1].end = std::max(v[out - 1].end, v[i].end);
    } else {
      v[out++] = v[i];
    }
  }
  v.resize(out);
}

/// The merged availability of local days `[first, last]`.
inline void collect_days(const availability& hours, hours_kind kind, date::local_days first,
                         date::local_days last, local_converter& convert,
                         std::vector<interval>& out) {
  out.clear();
  for (date::local_days d = first; d <= last; d += date::days{1}) {
    append_day(hours, d, kind, convert, out);
  }
  merge_touching(out);
}

}  // namespace detail

/// The provider's open time within `range`, as sorted, merged (no two touch), non-empty UTC
/// intervals clipped to `range`. Throws `errc::invalid_argument` for an empty or inverted range,
/// one outside the years 1900-2999, or one longer than about ten years (3660 days).
///
///     auto open = slotbook::expand(hours, slotbook::make_interval(monday, date::days{7}));
inline std::vector<interval> expand(const availability& hours, const interval& range,
                                    hours_kind kind = hours_kind::actual) {
  detail::check_range(range, "range", detail::max_expand_days);
  detail::local_converter convert{hours.zone()};
  const auto [first, last] = detail::days_reaching(range.begin, range.end);
  std::vector<interval> out;
  detail::collect_days(hours, kind, first, last, convert, out);
  std::vector<interval> clipped;
  clipped.reserve(out.size());
  for (const interval& i : out) {
    const interval part = i.intersection(range);
    if (part.ok()) clipped.push_back(part);
  }
  return clipped;
}

/// `expand` for a schedule that has not been indexed yet (validates it first).
inline std::vector<interval> expand(const schedule& s, const interval& range,
                                    hours_kind kind = hours_kind::actual) {
  return expand(availability{s}, range, kind);
}

}  // namespace slotbook
