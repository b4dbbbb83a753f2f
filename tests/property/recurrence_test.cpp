// Properties of recurrence rules: text round-trips, and expand() agrees with a brute-force oracle
// that walks every calendar day from DTSTART and decides each one on its own (is it in a period
// the INTERVAL keeps? does it pass BYDAY/BYMONTHDAY, found by counting weekdays in its month?),
// then applies COUNT, UNTIL, the gap/overlap rule, the skipped-day rule and the window.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

#include "slotbook/recurrence.hpp"

namespace {

using namespace std::chrono_literals;
using slotbook::interval;

const std::vector<std::string> zones{"UTC",
                                     "America/New_York",
                                     "Europe/London",
                                     "Australia/Lord_Howe",
                                     "America/Santiago",
                                     "Asia/Tehran",
                                     "Pacific/Chatham",
                                     "America/St_Johns",
                                     "Africa/Casablanca",
                                     "Pacific/Apia"};

const std::vector<date::weekday> all_days{date::Sunday,    date::Monday,   date::Tuesday,
                                          date::Wednesday, date::Thursday, date::Friday,
                                          date::Saturday};

date::year_month_day any_date(int first_year, int years) {
  const date::sys_days base{date::year{first_year} / 1 / 1};
  return date::year_month_day{base + date::days{*rc::gen::inRange(0, years * 365)}};
}

// A valid rule; `small` keeps intervals and bounds where a brute-force walk stays cheap.
slotbook::recurrence_rule any_rule(bool small, date::year_month_day near) {
  slotbook::recurrence_rule r;
  r.freq = *rc::gen::element(slotbook::frequency::daily, slotbook::frequency::weekly,
                             slotbook::frequency::monthly);
  r.interval = small ? *rc::gen::inRange(1, 5)
                     : *rc::gen::oneOf(rc::gen::inRange(1, 5), rc::gen::inRange(1, 10000));
  const int bound = *rc::gen::inRange(0, 3);
  if (bound == 1) r.count = small ? *rc::gen::inRange(1, 40) : *rc::gen::inRange(1, 1'000'000);
  if (bound == 2) {
    const auto day = date::sys_days{near} + date::days{*rc::gen::inRange(-5, 700)};
    const auto tod = std::chrono::seconds{*rc::gen::inRange(0, 86400)};
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        r.until = slotbook::instant{day + tod};
        break;
      case 1:
        r.until = date::year_month_day{day};
        break;
      default:
        r.until = date::local_seconds{date::local_days{day.time_since_epoch()} + tod};
    }
  }
  const bool monthly = r.freq == slotbook::frequency::monthly;
  for (const date::weekday d : all_days) {
    if (*rc::gen::inRange(0, 5) == 0) r.by_day.push_back({d, 0});
    if (monthly && *rc::gen::inRange(0, 8) == 0) {
      r.by_day.push_back({d, *rc::gen::element(1, 2, 3, 4, 5, -1, -2, -5)});
    }
  }
  if (r.freq != slotbook::frequency::weekly && *rc::gen::inRange(0, 3) == 0) {
    const int n = *rc::gen::inRange(1, 4);
    for (int i = 0; i < n; ++i) {
      const int d = *rc::gen::oneOf(rc::gen::inRange(1, 32), rc::gen::inRange(-31, 0));
      if (std::find(r.by_month_day.begin(), r.by_month_day.end(), d) == r.by_month_day.end()) {
        r.by_month_day.push_back(d);
      }
    }
  }
  r.week_start = *rc::gen::elementOf(all_days);
  return r;
}

// ---- the brute-force oracle -------------------------------------------------------------------

unsigned days_in_month(date::year_month_day d) {
  unsigned n = 28;
  while (date::year_month_day{d.year(), d.month(), date::day{n + 1}}.ok()) ++n;
  return n;
}

bool in_kept_period(const slotbook::recurrence_rule& r, date::sys_days d0, date::sys_days day) {
  switch (r.freq) {
    case slotbook::frequency::daily:
      return (day - d0).count() % r.interval == 0;
    case slotbook::frequency::weekly: {
      // The week of a day starts on the latest WKST on or before it.
      auto week_of = [&](date::sys_days x) {
        while (date::weekday{x} != r.week_start) x -= date::days{1};
        return x;
      };
      return ((week_of(day) - week_of(d0)).count() / 7) % r.interval == 0;
    }
    case slotbook::frequency::monthly: {
      const date::year_month_day a{d0}, b{day};
      const int months = (static_cast<int>(b.year()) - static_cast<int>(a.year())) * 12 +
                         static_cast<int>(static_cast<unsigned>(b.month())) -
                         static_cast<int>(static_cast<unsigned>(a.month()));
      return months % r.interval == 0;
    }
  }
  return false;
}

bool passes_filters(const slotbook::recurrence_rule& r, date::sys_days d0, date::sys_days day) {
  const date::year_month_day ymd{day};
  const date::weekday wd{day};
  std::vector<slotbook::rule_weekday> by_day = r.by_day;
  std::vector<int> by_month_day = r.by_month_day;
  if (r.freq == slotbook::frequency::weekly && by_day.empty()) by_day = {{date::weekday{d0}, 0}};
  if (r.freq == slotbook::frequency::monthly && by_day.empty() && by_month_day.empty()) {
    by_month_day = {static_cast<int>(static_cast<unsigned>(date::year_month_day{d0}.day()))};
  }
  if (!by_day.empty()) {
    // Which same-weekday of the month this is, counted from the start and from the end.
    int from_start = 0, from_end = 0;
    for (unsigned d = 1; d <= days_in_month(ymd); ++d) {
      const date::sys_days other{ymd.year() / ymd.month() / date::day{d}};
      if (date::weekday{other} != wd) continue;
      if (other <= day) ++from_start;
      if (other >= day) ++from_end;
    }
    bool any = false;
    for (const auto& w : by_day) {
      if (w.day != wd) continue;
      if (w.nth == 0 || w.nth == from_start || w.nth == -from_end) any = true;
    }
    if (!any) return false;
  }
  if (!by_month_day.empty()) {
    const int d = static_cast<int>(static_cast<unsigned>(ymd.day()));
    const int last = static_cast<int>(days_in_month(ymd));
    bool any = false;
    for (int n : by_month_day) any = any || n == d || (n < 0 && last + 1 + n == d);
    if (!any) return false;
  }
  return true;
}

std::vector<slotbook::occurrence> brute_force(const slotbook::recurrence_rule& r,
                                              const slotbook::recurrence_start& s,
                                              std::chrono::seconds duration, interval window) {
  const date::time_zone& zone = *date::locate_zone(s.zone);
  const date::sys_days d0{s.date};
  const date::sys_days last_day = date::floor<date::days>(window.end) + date::days{2};
  std::vector<slotbook::occurrence> out;
  int counted = 0;
  std::optional<slotbook::instant> previous;
  for (date::sys_days day = d0; day <= last_day; day += date::days{1}) {
    if (!in_kept_period(r, d0, day) || !passes_filters(r, d0, day)) continue;
    const date::local_seconds local{date::local_days{day.time_since_epoch()} + s.time_of_day};
    const slotbook::instant begin = slotbook::to_instant(local, zone);
    if (r.until) {
      if (auto* t = std::get_if<slotbook::instant>(&*r.until); t && begin > *t) break;
      if (auto* d = std::get_if<date::year_month_day>(&*r.until); d && day > date::sys_days{*d}) {
        break;
      }
      if (auto* l = std::get_if<date::local_seconds>(&*r.until); l && local > *l) break;
    }
    if (r.count && ++counted > *r.count) break;
    if (previous && begin <= *previous) continue;
    previous = begin;
    const interval utc{begin, begin + duration};
    if (utc.overlaps(window)) out.push_back({local, utc});
  }
  return out;
}

}  // namespace

TEST_CASE("format then parse gives back every valid rule") {
  rc::prop("parse_rrule(format_rrule(r)) == r", [] {
    const auto r = any_rule(false, any_date(1, 9990));
    const std::string text = slotbook::format_rrule(r);
    RC_ASSERT(slotbook::parse_rrule(text) == r);
    RC_ASSERT(slotbook::parse_rrule("RRULE:" + text) == r);
    RC_ASSERT(slotbook::format_rrule(slotbook::parse_rrule(text)) == text);
  });
}

TEST_CASE("a rule spelled with shuffled parts and lower case parses to the same rule") {
  rc::prop("part order and case do not matter", [] {
    const auto r = any_rule(false, any_date(1900, 200));
    const std::string text = slotbook::format_rrule(r);
    std::vector<std::string> parts;
    for (std::size_t at = 0; at <= text.size();) {
      const std::size_t semi = std::min(text.find(';', at), text.size());
      parts.push_back(text.substr(at, semi - at));
      at = semi + 1;
    }
    const auto order = *rc::gen::unique<std::vector<std::size_t>>(
        parts.size(), rc::gen::inRange<std::size_t>(0, parts.size()));
    std::string respelled;
    for (std::size_t i : order) {
      respelled += (respelled.empty() ? "" : ";") + parts[i];
    }
    if (*rc::gen::arbitrary<bool>()) {
      for (char& c : respelled) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
    }
    RC_ASSERT(slotbook::parse_rrule(respelled) == r);
  });
}

TEST_CASE("parse_rrule on arbitrary token soup either refuses it or gives a canonical rule") {
  rc::prop("never crashes; what it accepts round-trips", [] {
    const auto pieces = *rc::gen::container<std::vector<std::string>>(rc::gen::element<std::string>(
        "FREQ=", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", ";", ",", "=",
        "INTERVAL=", "COUNT=", "UNTIL=", "BYDAY=", "MO", "-1", "5", "FR", "+2", "BYMONTHDAY=", "31",
        "-31", "WKST=", "SU", "20261231", "T090000", "Z", "0", "BYSETPOS=", "x", " "));
    std::string text;
    for (const auto& p : pieces) text += p;
    try {
      const auto r = slotbook::parse_rrule(text);
      RC_ASSERT(slotbook::parse_rrule(slotbook::format_rrule(r)) == r);
    } catch (const slotbook::error& e) {
      RC_ASSERT(e.code() == slotbook::errc::invalid_argument);
    }
  });
}

TEST_CASE("expand agrees with a day-by-day brute force and keeps its invariants") {
  rc::prop("expand == brute force; ordered, matching, bounded", [] {
    const slotbook::recurrence_start start{
        any_date(2020, 10),
        std::chrono::seconds{*rc::gen::oneOf(rc::gen::inRange(0, 96 * 900),
                                             rc::gen::element(0, 1800, 5400, 9000, 86399))},
        *rc::gen::elementOf(zones)};
    const auto r = any_rule(true, start.date);
    const auto duration = std::chrono::seconds{*rc::gen::element(60, 3000, 3600, 86400 + 1)};
    const slotbook::instant near =
        slotbook::to_instant(date::local_days{start.date}, *date::locate_zone(start.zone));
    const slotbook::instant begin =
        near + std::chrono::hours{*rc::gen::inRange(-24 * 20, 24 * 400)};
    const interval window{begin, begin + std::chrono::hours{*rc::gen::inRange(1, 24 * 300)}};
    slotbook::expand_options options;
    options.max_occurrences = 100'000;

    const auto got = slotbook::expand(r, start, duration, window, options);
    const auto want = brute_force(r, start, duration, window);
    RC_ASSERT(got.occurrences == want);
    RC_ASSERT(!got.truncated);

    // The invariants, stated on their own.
    const date::sys_days d0{start.date};
    for (std::size_t i = 0; i < got.occurrences.size(); ++i) {
      const slotbook::occurrence& o = got.occurrences[i];
      const auto day = date::floor<date::days>(o.local_start);
      const date::sys_days sday{day.time_since_epoch()};
      RC_ASSERT(o.local_start - day == start.time_of_day);
      RC_ASSERT(sday >= d0);
      RC_ASSERT(passes_filters(r, d0, sday));
      RC_ASSERT(o.utc.duration() == duration);
      RC_ASSERT(o.utc.overlaps(window));
      if (i > 0) RC_ASSERT(got.occurrences[i - 1].utc.begin < o.utc.begin);
      if (r.until) {
        if (auto* t = std::get_if<slotbook::instant>(&*r.until)) RC_ASSERT(o.utc.begin <= *t);
        if (auto* d = std::get_if<date::year_month_day>(&*r.until)) {
          RC_ASSERT(sday <= date::sys_days{*d});
        }
        if (auto* l = std::get_if<date::local_seconds>(&*r.until)) RC_ASSERT(o.local_start <= *l);
      }
    }
    if (r.count) RC_ASSERT(got.occurrences.size() <= static_cast<std::size_t>(*r.count));
  });
}

TEST_CASE("a capped expansion is the uncapped one cut short, flagged as truncated") {
  rc::prop("max_occurrences keeps a prefix and sets truncated exactly when it cut", [] {
    const slotbook::recurrence_start start{any_date(2020, 10), 9h, *rc::gen::elementOf(zones)};
    const auto r = any_rule(true, start.date);
    const slotbook::instant begin = slotbook::instant{date::sys_days{start.date}} +
                                    std::chrono::hours{*rc::gen::inRange(-24 * 20, 24 * 100)};
    const interval window{begin, begin + std::chrono::hours{*rc::gen::inRange(1, 24 * 200)}};
    slotbook::expand_options all;
    all.max_occurrences = 100'000;
    const auto full = slotbook::expand(r, start, 1h, window, all);
    slotbook::expand_options capped;
    capped.max_occurrences = *rc::gen::inRange<std::size_t>(0, 8);
    const auto cut = slotbook::expand(r, start, 1h, window, capped);
    const std::size_t n = std::min(full.occurrences.size(), capped.max_occurrences);
    RC_ASSERT(cut.occurrences ==
              std::vector<slotbook::occurrence>(full.occurrences.begin(),
                                                full.occurrences.begin() + static_cast<long>(n)));
    RC_ASSERT(cut.truncated == (full.occurrences.size() > capped.max_occurrences));
  });
}
