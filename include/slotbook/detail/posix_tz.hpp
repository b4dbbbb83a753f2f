#pragma once
// The POSIX TZ rule at the end of a TZif file, for instants after the file's last transition.
//
// Debian's TZif files list explicit transitions up to 2037 and describe every later year with a
// POSIX TZ string in the footer (`EST5EDT,M3.2.0,M11.1.0`). date/tz reads the transitions but
// not the footer, so on its own it keeps the last listed offset forever: New York in July 2038
// would read EST. This header parses the footer and answers for the years after the table, so
// slotbook's conversions (time.hpp) are right through year 2999.
//
// Only the forms tzdata writes are accepted: names plain or in angle brackets, offsets
// `[+-]hh[:mm[:ss]]`, and `Mm.w.d[/time]` rules with RFC 8536's extended times (-167 to 167
// hours). Anything else parses as "no rule", and the caller keeps date/tz's answer.

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>

namespace slotbook::detail {

/// One end of a DST period: the `w`th (5 = last) weekday `d` of month `m`, at local time `time`.
struct posix_date_rule {
  unsigned month{1};
  unsigned week{1};
  unsigned weekday{0};  ///< 0 = Sunday
  std::chrono::seconds time{std::chrono::hours{2}};
};

/// A parsed POSIX TZ string. Offsets are local minus UTC (the string's sign is the opposite).
struct posix_rule {
  std::string std_abbrev;
  std::chrono::seconds std_offset{};
  bool has_dst = false;
  std::string dst_abbrev;
  std::chrono::seconds dst_offset{};
  posix_date_rule start{};  ///< DST begins (local standard time)
  posix_date_rule end{};    ///< DST ends (local daylight time)

  /// The offset period containing `t` (its begin and end are the rule's transitions).
  date::sys_info info(date::sys_seconds t) const {
    if (!has_dst) {
      return date::sys_info{date::sys_days{date::year::min() / 1 / 1},
                            date::sys_days{date::year::max() / 12 / 31}, std_offset,
                            std::chrono::minutes{0}, std_abbrev};
    }
    // Transitions of the years around t, in order; the period containing t starts at the last
    // one not after t. A southern-hemisphere DST period spans the new year, hence three years.
    const int y = static_cast<int>(date::year_month_day{date::floor<date::days>(t)}.year());
    std::array<std::pair<date::sys_seconds, bool>, 8> marks{};  // (instant, dst after it)
    std::size_t n = 0;
    for (int year = y - 2; year <= y + 1; ++year) {
      marks[n++] = {transition(year, start, std_offset), true};
      marks[n++] = {transition(year, end, dst_offset), false};
    }
    std::sort(marks.begin(), marks.end());
    std::size_t i = 1;
    while (i + 1 < n && marks[i + 1].first <= t) ++i;
    const bool dst = marks[i].second;
    return date::sys_info{marks[i].first, marks[i + 1].first, dst ? dst_offset : std_offset,
                          dst ? std::chrono::minutes{60} : std::chrono::minutes{0},
                          dst ? dst_abbrev : std_abbrev};
  }

  /// The `date::local_info` of a local time: unique, nonexistent (in a gap) or ambiguous.
  date::local_info local(date::local_seconds l) const {
    const date::sys_seconds as_sys{l.time_since_epoch()};
    const date::sys_info a = info(as_sys - std::max(std_offset, dst_offset));
    const date::sys_info b = info(as_sys - std::min(std_offset, dst_offset));
    const auto contains = [&](const date::sys_info& p) {
      return as_sys - p.offset >= p.begin && as_sys - p.offset < p.end;
    };
    date::local_info out{date::local_info::unique, a, {}};
    if (a.begin == b.begin) {
      if (!contains(a)) out.result = date::local_info::nonexistent;  // cannot happen
      return out;
    }
    const bool in_a = contains(a);
    const bool in_b = contains(b);
    if (in_a && in_b) {
      out.result = date::local_info::ambiguous;
      out.second = b;
    } else if (!in_a && !in_b) {
      out.result = date::local_info::nonexistent;
      out.second = b;
    } else {
      out.first = in_a ? a : b;
    }
    return out;
  }

 private:
  static date::sys_seconds transition(int year, const posix_date_rule& r,
                                      std::chrono::seconds offset_before) {
    using namespace date;
    const year_month ym{date::year{year}, month{r.month}};
    const weekday wd{r.weekday};
    local_days day{};
    if (r.week == 5) {
      day = local_days{ym / wd[last]};
    } else {
      day = local_days{ym / wd[r.week]};
    }
    return sys_seconds{(day + r.time).time_since_epoch() - offset_before};
  }
};

/// Parses a POSIX TZ string of the forms tzdata writes; `std::nullopt` for anything else.
inline std::optional<posix_rule> parse_posix_rule(std::string_view s) {
  std::size_t i = 0;
  const auto name = [&](std::string& out) {
    if (i < s.size() && s[i] == '<') {
      const std::size_t close = s.find('>', i);
      if (close == std::string_view::npos) return false;
      out = std::string{s.substr(i + 1, close - i - 1)};
      i = close + 1;
      return out.size() >= 3;
    }
    const std::size_t from = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])) != 0) ++i;
    out = std::string{s.substr(from, i - from)};
    return out.size() >= 3;
  };
  const auto number = [&](long max, long& out) {
    const std::size_t from = i;
    out = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0 && i - from < 4) {
      out = out * 10 + (s[i] - '0');
      ++i;
    }
    return i > from && out <= max;
  };
  // [+-]hh[:mm[:ss]] as seconds, with the sign as written.
  const auto hms = [&](long max_hours, std::chrono::seconds& out) {
    long sign = 1;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
    long h = 0;
    long m = 0;
    long sec = 0;
    if (!number(max_hours, h)) return false;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!number(59, m)) return false;
      if (i < s.size() && s[i] == ':') {
        ++i;
        if (!number(59, sec)) return false;
      }
    }
    out = std::chrono::seconds{sign * (h * 3600 + m * 60 + sec)};
    return true;
  };
  const auto date_rule = [&](posix_date_rule& r) {
    if (i >= s.size() || s[i] != 'M') return false;
    ++i;
    long m = 0;
    long w = 0;
    long d = 0;
    if (!number(12, m) || m < 1 || i >= s.size() || s[i++] != '.') return false;
    if (!number(5, w) || w < 1 || i >= s.size() || s[i++] != '.') return false;
    if (!number(6, d)) return false;
    r.month = static_cast<unsigned>(m);
    r.week = static_cast<unsigned>(w);
    r.weekday = static_cast<unsigned>(d);
    r.time = std::chrono::hours{2};
    if (i < s.size() && s[i] == '/') {
      ++i;
      if (!hms(167, r.time)) return false;
    }
    return true;
  };

  posix_rule r;
  std::chrono::seconds west{};
  if (!name(r.std_abbrev) || !hms(24, west)) return std::nullopt;
  r.std_offset = -west;
  if (i == s.size()) return r;
  r.has_dst = true;
  if (!name(r.dst_abbrev)) return std::nullopt;
  r.dst_offset = r.std_offset + std::chrono::hours{1};
  if (i < s.size() && s[i] != ',') {
    if (!hms(24, west)) return std::nullopt;
    r.dst_offset = -west;
  }
  if (i >= s.size() || s[i++] != ',' || !date_rule(r.start)) return std::nullopt;
  if (i >= s.size() || s[i++] != ',' || !date_rule(r.end)) return std::nullopt;
  if (i != s.size()) return std::nullopt;
  return r;
}

/// The footer of a TZif (version 2 or later) file's bytes: the text between its last two
/// newlines. Empty when the file has none.
inline std::string tzif_footer(std::string_view bytes) {
  if (bytes.size() < 6 || bytes.substr(0, 4) != "TZif" || bytes[4] < '2') return {};
  if (bytes.back() != '\n') return {};
  const std::size_t open = bytes.rfind('\n', bytes.size() - 2);
  if (open == std::string_view::npos) return {};
  return std::string{bytes.substr(open + 1, bytes.size() - open - 2)};
}

/// Where date/tz lists no more transitions: its last period runs to year 32767.
inline bool is_last_listed_period(const date::sys_info& info) {
  return info.end >= date::sys_days{date::year{30000} / 1 / 1};
}

/// The footer rule of `zone`, read once from the system tz database and kept for the life of the
/// process (zones live as long as date's tzdb). `nullptr` when the zone has no DST rule after
/// its table, or the rule does not reproduce the table's last period (then date/tz's answer is
/// kept rather than guessed).
inline const posix_rule* footer_rule(const date::time_zone& zone) {
  static std::mutex mutex;
  static std::map<const date::time_zone*, std::optional<posix_rule>> rules;
  const std::lock_guard<std::mutex> lock{mutex};
  auto found = rules.find(&zone);
  if (found == rules.end()) {
    std::optional<posix_rule> rule;
    const char* dir = std::getenv("TZDIR");
    std::ifstream file{std::string{dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo"} +
                           "/" + std::string{zone.name()},
                       std::ios::binary};
    if (file) {
      const std::string bytes{std::istreambuf_iterator<char>{file}, {}};
      rule = parse_posix_rule(tzif_footer(bytes));
    }
    if (rule && rule->has_dst) {
      // The table's last period must be where the rule says it is, or the two disagree.
      const date::sys_info last = zone.get_info(date::sys_days{date::year{9999} / 1 / 1});
      const date::sys_info check = rule->info(last.begin);
      if (check.begin != last.begin || check.offset != last.offset) rule.reset();
    } else {
      rule.reset();
    }
    found = rules.emplace(&zone, std::move(rule)).first;
  }
  return found->second ? &*found->second : nullptr;
}

/// `zone.get_info(t)`, continued past the zone's table by its footer rule.
inline date::sys_info zone_info(const date::time_zone& zone, date::sys_seconds t) {
  date::sys_info info = zone.get_info(t);
  if (!is_last_listed_period(info)) return info;
  const posix_rule* rule = footer_rule(zone);
  if (rule == nullptr) return info;
  date::sys_info p = rule->info(t);
  if (p.begin < info.begin) p.begin = info.begin;
  return p;
}

/// `zone.get_info(local)`, continued past the zone's table by its footer rule.
inline date::local_info zone_local_info(const date::time_zone& zone, date::local_seconds local) {
  date::local_info info = zone.get_info(local);
  const date::sys_info& latest = info.result == date::local_info::unique ? info.first : info.second;
  if (!is_last_listed_period(latest)) return info;
  const posix_rule* rule = footer_rule(zone);
  if (rule == nullptr) return info;
  // Within a day of the table's last transition, the table's own answer is complete: the rule's
  // next transition is months away.
  if (local.time_since_epoch() - latest.offset <
      latest.begin.time_since_epoch() + std::chrono::hours{48}) {
    return info;
  }
  date::local_info p = rule->local(local);
  if (p.first.begin < latest.begin) p.first.begin = latest.begin;
  return p;
}

}  // namespace slotbook::detail
