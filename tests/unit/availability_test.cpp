// Weekly hours, exceptions, effective dates and validation (availability.hpp). DST behaviour is in
// dst_test.cpp; expected instants here are worked out by hand from the zones' fixed offsets.

#include "slotbook/availability.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace {

using namespace std::chrono_literals;
using slotbook::interval;

slotbook::instant at(std::string_view text) { return slotbook::parse_instant(text); }

interval span_of(std::string_view begin, std::string_view end) { return {at(begin), at(end)}; }

// 2026-01-05 is a Monday.
constexpr date::year_month_day jan(unsigned d) { return date::year{2026} / 1 / date::day{d}; }

slotbook::schedule nairobi_weekdays() {
  slotbook::schedule s;
  s.zone = "Africa/Nairobi";  // UTC+3 all year
  for (unsigned d = 1; d <= 5; ++d) s.windows.push_back({date::weekday{d}, 9h, 17h});
  return s;
}

std::string message_of(const slotbook::schedule& s) {
  try {
    slotbook::validate(s);
  } catch (const slotbook::error& e) {
    CHECK(e.code() == slotbook::errc::invalid_argument);
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a weekly window expands to the same local hours every week") {
  const auto out =
      slotbook::expand(nairobi_weekdays(), span_of("2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-05T06:00:00Z", "2026-01-05T14:00:00Z")});
  const auto later =
      slotbook::expand(nairobi_weekdays(), span_of("2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z"));
  REQUIRE(later == std::vector<interval>{span_of("2026-06-01T06:00:00Z", "2026-06-01T14:00:00Z")});
}

TEST_CASE("expand lists one interval per working day in order and none on days off") {
  // Saturday 2026-01-03 to Tuesday 2026-01-06: Monday and Tuesday only.
  const auto out =
      slotbook::expand(nairobi_weekdays(), span_of("2026-01-03T00:00:00Z", "2026-01-07T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-05T06:00:00Z", "2026-01-05T14:00:00Z"),
                                       span_of("2026-01-06T06:00:00Z", "2026-01-06T14:00:00Z")});
}

TEST_CASE("touching windows on one day merge into one interval") {
  slotbook::schedule s;
  s.zone = "UTC";
  s.windows = {{date::Monday, 12h, 17h}, {date::Monday, 9h, 12h}};
  const auto out = slotbook::expand(s, span_of("2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-05T09:00:00Z", "2026-01-05T17:00:00Z")});
}

TEST_CASE("separate windows on one day stay separate intervals") {
  slotbook::schedule s;
  s.zone = "UTC";
  s.windows = {{date::Monday, 9h, 12h}, {date::Monday, 13h, 17h}};
  const auto out = slotbook::expand(s, span_of("2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-05T09:00:00Z", "2026-01-05T12:00:00Z"),
                                       span_of("2026-01-05T13:00:00Z", "2026-01-05T17:00:00Z")});
}

TEST_CASE("a window ending at 24:00 touches the next day's 00:00 window and they merge") {
  slotbook::schedule s;
  s.zone = "Asia/Tokyo";  // UTC+9, no DST: Monday 20:00 local is Monday 11:00Z
  s.windows = {{date::Monday, 20h, 24h}, {date::Tuesday, 0h, 4h}};
  const auto out = slotbook::expand(s, span_of("2026-01-04T00:00:00Z", "2026-01-08T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-05T11:00:00Z", "2026-01-05T19:00:00Z")});
}

TEST_CASE("expand clips intervals to the range") {
  const auto out =
      slotbook::expand(nairobi_weekdays(), span_of("2026-01-05T10:00:00Z", "2026-01-06T07:30:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-05T10:00:00Z", "2026-01-05T14:00:00Z"),
                                       span_of("2026-01-06T06:00:00Z", "2026-01-06T07:30:00Z")});
}

TEST_CASE("a window on the previous local date reaches into a range that starts later in UTC") {
  // Pacific/Kiritimati is UTC+14: Monday 20:00-24:00 local is Monday 06:00Z to 10:00Z, while the
  // local Tuesday already began at Monday 10:00Z.
  slotbook::schedule s;
  s.zone = "Pacific/Kiritimati";
  s.windows = {{date::Monday, 20h, 24h}};
  const auto out = slotbook::expand(s, span_of("2026-01-05T08:00:00Z", "2026-01-05T12:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-05T08:00:00Z", "2026-01-05T10:00:00Z")});
}

TEST_CASE("a closed date exception removes that day's hours") {
  auto s = nairobi_weekdays();
  s.exceptions = {slotbook::date_exception::closed(jan(6), "conference")};
  const auto out = slotbook::expand(s, span_of("2026-01-05T00:00:00Z", "2026-01-08T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-05T06:00:00Z", "2026-01-05T14:00:00Z"),
                                       span_of("2026-01-07T06:00:00Z", "2026-01-07T14:00:00Z")});
}

TEST_CASE("custom hours replace that day's weekly windows") {
  auto s = nairobi_weekdays();
  s.exceptions = {slotbook::date_exception::custom(jan(6), {{14h, 16h}, {7h, 8h}})};
  const auto out = slotbook::expand(s, span_of("2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-06T04:00:00Z", "2026-01-06T05:00:00Z"),
                                       span_of("2026-01-06T11:00:00Z", "2026-01-06T13:00:00Z")});
}

TEST_CASE("custom hours open a day that has no weekly windows") {
  auto s = nairobi_weekdays();
  s.exceptions = {slotbook::date_exception::custom(date::year{2026} / 1 / 10, {{10h, 12h}})};
  const auto out = slotbook::expand(s, span_of("2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-10T07:00:00Z", "2026-01-10T09:00:00Z")});
}

TEST_CASE("effective dates are inclusive at both ends") {
  auto s = nairobi_weekdays();
  s.effective_from = jan(6);
  s.effective_until = jan(7);
  const auto out = slotbook::expand(s, span_of("2026-01-05T00:00:00Z", "2026-01-09T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-06T06:00:00Z", "2026-01-06T14:00:00Z"),
                                       span_of("2026-01-07T06:00:00Z", "2026-01-07T14:00:00Z")});
}

TEST_CASE("date exceptions apply outside the effective dates") {
  auto s = nairobi_weekdays();
  s.effective_from = jan(12);
  s.exceptions = {slotbook::date_exception::custom(jan(8), {{9h, 10h}})};
  const auto out = slotbook::expand(s, span_of("2026-01-05T00:00:00Z", "2026-01-10T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-08T06:00:00Z", "2026-01-08T07:00:00Z")});
}

TEST_CASE("an inactive schedule has no hours, not even custom exception hours") {
  auto s = nairobi_weekdays();
  s.active = false;
  s.exceptions = {slotbook::date_exception::custom(jan(8), {{9h, 10h}})};
  REQUIRE(slotbook::expand(s, span_of("2026-01-05T00:00:00Z", "2026-01-10T00:00:00Z")).empty());
  const slotbook::availability hours{s};
  REQUIRE(hours.hours_on(jan(8)).empty());
  REQUIRE_FALSE(hours.active());
}

TEST_CASE("weekly hours ignore exceptions while actual hours apply them") {
  auto s = nairobi_weekdays();
  s.exceptions = {slotbook::date_exception::closed(jan(6), "holiday")};
  const slotbook::availability hours{s};
  REQUIRE(hours.hours_on(jan(6)).empty());
  REQUIRE(hours.weekly_hours_on(jan(6)).size() == 1);
  REQUIRE(hours.weekly_hours_on(jan(6))[0] == slotbook::local_window{9h, 17h});
  REQUIRE(hours.exception_on(jan(6)) != nullptr);
  REQUIRE(hours.exception_on(jan(6))->reason == "holiday");
  REQUIRE(hours.exception_on(jan(7)) == nullptr);
  const auto range = span_of("2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z");
  REQUIRE(slotbook::expand(hours, range).empty());
  REQUIRE(slotbook::expand(hours, range, slotbook::hours_kind::weekly) ==
          std::vector<interval>{span_of("2026-01-06T06:00:00Z", "2026-01-06T14:00:00Z")});
}

TEST_CASE("hours_on lists a day's windows sorted by start") {
  slotbook::schedule s;
  s.zone = "UTC";
  s.windows = {{date::Monday, 13h, 17h}, {date::Monday, 9h, 12h}};
  const slotbook::availability hours{s};
  const auto monday = hours.hours_on(jan(5));
  REQUIRE(monday.size() == 2);
  REQUIRE(monday[0] == slotbook::local_window{9h, 12h});
  REQUIRE(monday[1] == slotbook::local_window{13h, 17h});
  REQUIRE(hours.zone_name() == "UTC");
}

TEST_CASE("expand refuses an empty, inverted, out-of-years or over-long range") {
  const auto s = nairobi_weekdays();
  const auto t = at("2026-01-05T00:00:00Z");
  CHECK_THROWS_WITH(slotbook::expand(s, {t, t}), Catch::Contains("range: end"));
  CHECK_THROWS_WITH(slotbook::expand(s, {t, t - 1h}), Catch::Contains("is not after begin"));
  CHECK_THROWS_WITH(slotbook::expand(s, span_of("1850-01-01T00:00:00Z", "1850-01-02T00:00:00Z")),
                    Catch::Contains("range.begin: 1850-01-01T00:00:00Z is outside"));
  CHECK_THROWS_WITH(slotbook::expand(s, {t, t + date::days{3661}}),
                    Catch::Contains("longer than the 3660 days"));
  try {
    (void)slotbook::expand(s, {t, t});
    FAIL("no error");
  } catch (const slotbook::error& e) {
    CHECK(e.code() == slotbook::errc::invalid_argument);
  }
}

// --- validation --------------------------------------------------------------------------------

TEST_CASE("a window ending before its start is refused naming the window, times and weekday") {
  auto s = nairobi_weekdays();
  s.windows.push_back({date::Monday, 10h, 9h});
  REQUIRE(message_of(s) == "windows[5].end: 09:00 is not after start 10:00 on monday");
}

TEST_CASE("an empty window is refused") {
  auto s = nairobi_weekdays();
  s.windows[0].end = s.windows[0].start;
  REQUIRE(message_of(s) == "windows[0].end: 09:00 is not after start 09:00 on monday");
}

TEST_CASE("overlapping windows on one weekday are refused naming both") {
  auto s = nairobi_weekdays();
  s.windows.push_back({date::Wednesday, 16h, 18h});
  REQUIRE(message_of(s) == "windows[5]: 16:00-18:00 overlaps windows[2] 09:00-17:00 on wednesday");
}

TEST_CASE("the same hours on different weekdays do not overlap") {
  auto s = nairobi_weekdays();
  s.windows.push_back({date::Saturday, 9h, 17h});
  REQUIRE(message_of(s) == "(no error)");
}

TEST_CASE("an unknown zone is refused") {
  auto s = nairobi_weekdays();
  s.zone = "Mars/Olympus_Mons";
  REQUIRE(message_of(s) ==
          "zone: \"Mars/Olympus_Mons\" is not a time zone in the system tz database");
  s.zone = "";
  REQUIRE(message_of(s) == "zone: \"\" is not a time zone name");
}

TEST_CASE("a weekday outside 0 to 6 is refused") {
  auto s = nairobi_weekdays();
  s.windows[1].day = date::weekday{9u};
  REQUIRE(message_of(s) == "windows[1].day: 9 is not a weekday (0 = sunday to 6 = saturday)");
}

TEST_CASE("times of day outside 00:00 to 24:00 are refused") {
  auto s = nairobi_weekdays();
  s.windows[0] = {date::Monday, -5min, 9h};
  REQUIRE(message_of(s) ==
          "windows[0].start: -5 min is not a time of day from 00:00 to 23:59 "
          "on monday");
  s.windows[0] = {date::Monday, 24h, 25h};
  REQUIRE(message_of(s) ==
          "windows[0].start: 24:00 is not a time of day from 00:00 to 23:59 "
          "on monday");
  s.windows[0] = {date::Monday, 23h, 25h};
  REQUIRE(message_of(s) == "windows[0].end: 1500 min is after 24:00 on monday");
}

TEST_CASE("effective_until before effective_from is refused") {
  auto s = nairobi_weekdays();
  s.effective_from = date::year{2026} / 2 / 1;
  s.effective_until = jan(1);
  REQUIRE(message_of(s) == "effective_until: 2026-01-01 is before effective_from 2026-02-01");
}

TEST_CASE("two exceptions on one date are refused") {
  auto s = nairobi_weekdays();
  s.exceptions = {slotbook::date_exception::closed(jan(6)),
                  slotbook::date_exception::closed(jan(9)),
                  slotbook::date_exception::custom(jan(6), {{9h, 10h}})};
  REQUIRE(message_of(s) == "exceptions[2].date: 2026-01-06 repeats exceptions[0]");
}

TEST_CASE("an exception marked unavailable with custom hours is refused") {
  auto s = nairobi_weekdays();
  s.exceptions = {{jan(6), false, {{9h, 10h}}, "?"}};
  REQUIRE(message_of(s) ==
          "exceptions[0]: 2026-01-06 is marked unavailable but has 1 custom hours window(s)");
}

TEST_CASE("an exception marked available without hours is refused") {
  auto s = nairobi_weekdays();
  s.exceptions = {{jan(6), true, {}, ""}};
  REQUIRE(message_of(s) ==
          "exceptions[0]: 2026-01-06 is marked available but has no custom "
          "hours (leave the date out to keep the weekly hours)");
}

TEST_CASE("bad custom hours are refused naming the exception's window and date") {
  auto s = nairobi_weekdays();
  s.exceptions = {slotbook::date_exception::custom(jan(6), {{9h, 12h}, {11h, 13h}})};
  REQUIRE(message_of(s) ==
          "exceptions[0].hours[1]: 11:00-13:00 overlaps exceptions[0].hours[0] "
          "09:00-12:00 on 2026-01-06");
  s.exceptions = {slotbook::date_exception::custom(jan(6), {{12h, 11h}})};
  REQUIRE(message_of(s) ==
          "exceptions[0].hours[0].end: 11:00 is not after start 12:00 on 2026-01-06");
}

TEST_CASE("an invalid or out-of-range date is refused") {
  auto s = nairobi_weekdays();
  s.exceptions = {slotbook::date_exception::closed(date::year{2026} / 2 / 30)};
  REQUIRE(message_of(s) == "exceptions[0].date: 2026-02-30 is not a valid date");
  s.exceptions = {slotbook::date_exception::closed(date::year{1800} / 1 / 1)};
  REQUIRE(message_of(s) ==
          "exceptions[0].date: 1800-01-01 is outside the supported years 1900 to 2999");
  s.exceptions.clear();
  s.effective_from = date::year{2026} / 13 / 1;
  REQUIRE(message_of(s) == "effective_from: 2026-13-01 is not a valid date");
}

TEST_CASE("building availability from an invalid schedule throws the validation error") {
  auto s = nairobi_weekdays();
  s.windows.push_back({date::Monday, 10h, 9h});
  REQUIRE_THROWS_WITH(slotbook::availability{s}, Catch::Contains("windows[5].end"));
  REQUIRE_THROWS_AS(slotbook::expand(s, span_of("2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z")),
                    slotbook::error);
}

// --- the seed's shape --------------------------------------------------------------------------

TEST_CASE("a schedule built from seed records keeps active windows and exceptions") {
  const std::vector<slotbook::seed_window> windows{
      {1, "09:00", "12:00", true}, {1, "13:00", "17:00", true}, {2, "09:00", "17:00", false}};
  const std::vector<slotbook::seed_exception> exceptions{
      {"2026-01-12", false, "", "", "holiday"},
      {"2026-01-19", true, "10:00", "11:00", "short day"},
      {"2026-01-19", true, "15:00", "16:00", ""}};
  const auto s = slotbook::schedule_from_seed("Africa/Nairobi", windows, exceptions);
  REQUIRE(s.zone == "Africa/Nairobi");
  REQUIRE(s.windows.size() == 2);  // Tuesday's inactive window is left out
  REQUIRE(s.windows[1].day == date::Monday);
  REQUIRE(s.windows[1].start == 13h);
  REQUIRE(s.exceptions.size() == 2);
  REQUIRE_FALSE(s.exceptions[0].available);
  REQUIRE(s.exceptions[0].reason == "holiday");
  REQUIRE(s.exceptions[1].hours ==
          std::vector<slotbook::local_window>{{10h, 11h}, {15h, 16h}});  // merged entries
  const auto out = slotbook::expand(s, span_of("2026-01-19T00:00:00Z", "2026-01-20T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-01-19T07:00:00Z", "2026-01-19T08:00:00Z"),
                                       span_of("2026-01-19T12:00:00Z", "2026-01-19T13:00:00Z")});
}

TEST_CASE("seed records with bad values are refused naming the seed field") {
  const auto fails = [](std::vector<slotbook::seed_window> w,
                        std::vector<slotbook::seed_exception> x) {
    try {
      (void)slotbook::schedule_from_seed("UTC", w, x);
    } catch (const slotbook::error& e) {
      CHECK(e.code() == slotbook::errc::invalid_argument);
      return std::string{e.what()};
    }
    return std::string{"(no error)"};
  };
  CHECK(fails({{7, "09:00", "10:00"}}, {}) ==
        "windows[0].dayOfWeek: 7 is not a weekday (0 = sunday to 6 = saturday)");
  CHECK(fails({{-1, "09:00", "10:00"}}, {}) ==
        "windows[0].dayOfWeek: -1 is not a weekday (0 = sunday to 6 = saturday)");
  CHECK_THAT(fails({{1, "9:00", "10:00"}}, {}),
             Catch::StartsWith("windows[0].startTime: \"9:00\" is not a time of day"));
  CHECK(fails({{1, "10:00", "09:00"}}, {}) ==
        "windows[0].end: 09:00 is not after start 10:00 on monday");
  CHECK(fails({{1, "09:00", "12:00"}, {1, "11:00", "13:00"}}, {}) ==
        "windows[1]: 11:00-13:00 overlaps windows[0] 09:00-12:00 on monday");
  CHECK(fails({}, {{"2026-01-12", false, "09:00", "10:00", ""}}) ==
        "exceptions[0]: 2026-01-12 has isAvailable false but custom hours 09:00-10:00");
  CHECK(fails({}, {{"2026-01-12", true, "", "", ""}}) ==
        "exceptions[0]: 2026-01-12 has isAvailable true but no custom hours (leave the date out "
        "to keep the weekly hours)");
  CHECK(fails({}, {{"2026-01-12", true, "09:00", "", ""}}) ==
        "exceptions[0].customEndTime: missing; custom hours need both customStartTime and "
        "customEndTime");
  CHECK(
      fails({}, {{"2026-01-12", false, "", "", ""}, {"2026-01-12", true, "09:00", "10:00", ""}}) ==
      "exceptions[1].date: 2026-01-12 repeats an earlier entry and one of them closes the day");
  CHECK_THAT(fails({}, {{"12/01/2026", false, "", "", ""}}),
             Catch::StartsWith("exceptions[0].date: \"12/01/2026\" is not a date"));
}

TEST_CASE("schedules compare equal field by field") {
  auto a = nairobi_weekdays();
  a.exceptions = {slotbook::date_exception::closed(jan(6), "conference")};
  auto b = a;
  REQUIRE(a == b);
  b.exceptions[0].reason = "holiday";
  REQUIRE_FALSE(a == b);
  b = a;
  b.windows[4].end = 16h;
  REQUIRE_FALSE(a == b);
  b = a;
  b.effective_until = jan(31);
  REQUIRE_FALSE(a == b);
}
