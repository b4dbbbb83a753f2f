// The time vocabulary: intervals, zones, the DST rule of DESIGN.md, ISO-8601 text.
#include "slotbook/time.hpp"

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using namespace std::chrono_literals;
using namespace date::literals;
using slotbook::errc;
using slotbook::instant;
using slotbook::interval;

using slotbook::testing::expect_error;

namespace {

instant utc(date::year_month_day d, std::chrono::seconds since_midnight = 0s) {
  return instant{date::sys_days{d}.time_since_epoch() + since_midnight};
}

// Runs `f`, expects a slotbook::error with `code` whose message contains every fragment.
}  // namespace

TEST_CASE("a session ending when another starts does not overlap it") {
  const instant t = utc(2026_y / 1 / 15, 10h);
  const interval first{t, t + 1h};
  const interval second{t + 1h, t + 2h};
  CHECK_FALSE(first.overlaps(second));
  CHECK_FALSE(second.overlaps(first));
}

TEST_CASE("a session starting earlier and running into another overlaps it") {
  const instant t = utc(2026_y / 1 / 15, 10h);
  const interval earlier{t - 30min, t + 30min};
  const interval later{t, t + 1h};
  CHECK(earlier.overlaps(later));
  CHECK(later.overlaps(earlier));
}

TEST_CASE("an empty interval overlaps nothing, not even an interval around it") {
  const instant t = utc(2026_y / 1 / 15, 10h);
  const interval empty{t + 10min, t + 10min};
  CHECK_FALSE(empty.ok());
  CHECK_FALSE(empty.overlaps({t, t + 1h}));
  CHECK_FALSE(interval{t, t + 1h}.overlaps(empty));
}

TEST_CASE("an interval contains its begin but not its end") {
  const instant t = utc(2026_y / 1 / 15, 10h);
  const interval i{t, t + 1h};
  CHECK(i.contains(t));
  CHECK(i.contains(t + 59min + 59s));
  CHECK_FALSE(i.contains(t + 1h));
  CHECK(i.contains(interval{t + 15min, t + 1h}));
  CHECK_FALSE(i.contains(interval{t + 15min, t + 61min}));
  CHECK(i.duration() == 3600s);
}

TEST_CASE("the intersection of overlapping intervals is their common part") {
  const instant t = utc(2026_y / 1 / 15, 10h);
  CHECK(interval{t, t + 2h}.intersection({t + 1h, t + 3h}) == interval{t + 1h, t + 2h});
  CHECK_FALSE(interval{t, t + 1h}.intersection({t + 1h, t + 2h}).ok());
}

TEST_CASE("make_interval refuses an inverted or empty interval and names both ends") {
  const instant t = utc(2026_y / 1 / 15, 10h);
  expect_error([&] { (void)slotbook::make_interval(t, t - 1h); }, errc::invalid_argument,
               {"interval", "2026-01-15T09:00:00Z", "2026-01-15T10:00:00Z"});
  expect_error([&] { (void)slotbook::make_interval(t, t); }, errc::invalid_argument,
               {"2026-01-15T10:00:00Z"});
  expect_error([&] { (void)slotbook::make_interval(t, -60s); }, errc::invalid_argument,
               {"duration", "-60s"});
  CHECK(slotbook::make_interval(t, 3600s) == interval{t, t + 1h});
}

TEST_CASE("an unknown zone name is an invalid_argument naming the field and the name") {
  expect_error([] { (void)slotbook::find_zone("Mars/Olympus_Mons", "provider.zone"); },
               errc::invalid_argument, {"provider.zone", "\"Mars/Olympus_Mons\""});
  expect_error([] { (void)slotbook::find_zone(""); }, errc::invalid_argument, {"zone"});
  CHECK(slotbook::find_zone("Africa/Nairobi").name() == "Africa/Nairobi");
}

TEST_CASE("Nairobi is three hours ahead of UTC all year") {
  const auto& nairobi = slotbook::find_zone("Africa/Nairobi");
  CHECK(slotbook::to_instant(2026_y / 1 / 15, 13h, nairobi) == utc(2026_y / 1 / 15, 10h));
  CHECK(slotbook::to_instant(2026_y / 7 / 15, 13h, nairobi) == utc(2026_y / 7 / 15, 10h));
  const auto civil = slotbook::to_civil(utc(2026_y / 1 / 15, 22h), nairobi);
  CHECK(civil.date == 2026_y / 1 / 16);  // 22:00Z is 01:00 the next day in Nairobi
  CHECK(civil.weekday == date::Friday);
  CHECK(civil.time_of_day == 1h);
  CHECK(civil.utc_offset == 3h);
  CHECK(civil.abbreviation == "EAT");
}

TEST_CASE("a New York time in the spring-forward gap moves forward by the gap's length") {
  // 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT. 02:30 does not exist; with the offset
  // before the gap (-5 h) it is 07:30Z, which reads 03:30 EDT.
  const auto& ny = slotbook::find_zone("America/New_York");
  const instant t = slotbook::to_instant(2026_y / 3 / 8, 2h + 30min, ny);
  CHECK(t == utc(2026_y / 3 / 8, 7h + 30min));
  const auto civil = slotbook::to_civil(t, ny);
  CHECK(civil.time_of_day == 3h + 30min);
  CHECK(civil.utc_offset == -4h);
  // The instants either side of the gap are unaffected.
  CHECK(slotbook::to_instant(2026_y / 3 / 8, 1h + 59min, ny) == utc(2026_y / 3 / 8, 6h + 59min));
  CHECK(slotbook::to_instant(2026_y / 3 / 8, 3h, ny) == utc(2026_y / 3 / 8, 7h));
}

TEST_CASE("an ambiguous New York fall-back time takes the earlier instant") {
  // 2026-11-01: 02:00 EDT falls back to 01:00 EST, so 01:30 happens twice; the first is EDT.
  const auto& ny = slotbook::find_zone("America/New_York");
  CHECK(slotbook::to_instant(2026_y / 11 / 1, 1h + 30min, ny) == utc(2026_y / 11 / 1, 5h + 30min));
  CHECK(slotbook::to_instant(2026_y / 11 / 1, 2h, ny) == utc(2026_y / 11 / 1, 7h));
  // The New York day of 2026-11-01 is 25 hours long.
  const auto midnight = slotbook::to_instant(2026_y / 11 / 1, 0min, ny);
  const auto end_of_day = slotbook::to_instant(2026_y / 11 / 1, 24h, ny);
  CHECK(end_of_day - midnight == 25h);
}

TEST_CASE("24:00 is the next local midnight, and the New York spring day is 23 hours long") {
  const auto& ny = slotbook::find_zone("America/New_York");
  CHECK(slotbook::to_instant(2026_y / 3 / 7, 24h, ny) ==
        slotbook::to_instant(2026_y / 3 / 8, 0h, ny));
  CHECK(slotbook::to_instant(2026_y / 3 / 8, 24h, ny) -
            slotbook::to_instant(2026_y / 3 / 8, 0h, ny) ==
        23h);
}

TEST_CASE("London's gap and overlap follow the same rule") {
  // BST starts 2026-03-29 at 01:00 GMT; ends 2026-10-25 at 02:00 BST (01:00 UTC).
  const auto& london = slotbook::find_zone("Europe/London");
  CHECK(slotbook::to_instant(2026_y / 3 / 29, 1h + 30min, london) ==
        utc(2026_y / 3 / 29, 1h + 30min));
  CHECK(slotbook::to_instant(2026_y / 10 / 25, 1h + 30min, london) == utc(2026_y / 10 / 25, 30min));
  CHECK(slotbook::to_civil(utc(2026_y / 7 / 1, 12h), london).abbreviation == "BST");
}

TEST_CASE("Lord Howe's thirty-minute DST shift is honoured both ways") {
  // DST (+11:00) ends 2026-04-05 at 02:00 local -> 01:30 (+10:30): 01:30-02:00 happens twice.
  // DST starts 2026-10-04 at 02:00 local (+10:30) -> 02:30 (+11:00): 02:00-02:30 does not exist.
  const auto& lord_howe = slotbook::find_zone("Australia/Lord_Howe");
  CHECK(slotbook::to_instant(2026_y / 4 / 5, 1h + 45min, lord_howe) ==
        utc(2026_y / 4 / 4, 14h + 45min));
  const instant in_gap = slotbook::to_instant(2026_y / 10 / 4, 2h + 15min, lord_howe);
  CHECK(in_gap == utc(2026_y / 10 / 3, 15h + 45min));
  const auto civil = slotbook::to_civil(in_gap, lord_howe);
  CHECK(civil.time_of_day == 2h + 45min);
  CHECK(civil.utc_offset == 11h);
  CHECK(slotbook::to_instant(2026_y / 10 / 4, 24h, lord_howe) -
            slotbook::to_instant(2026_y / 10 / 4, 0h, lord_howe) ==
        23h + 30min);
}

TEST_CASE("Mexico City keeps UTC-6 in July 2026 because Mexico abolished DST in 2022") {
  const auto& mexico = slotbook::find_zone("America/Mexico_City");
  CHECK(slotbook::to_instant(2026_y / 7 / 1, 12h, mexico) == utc(2026_y / 7 / 1, 18h));
  CHECK(slotbook::to_civil(utc(2026_y / 7 / 1, 18h), mexico).utc_offset == -6h);
  // ...while in July 2021 it still observed DST (UTC-5).
  CHECK(slotbook::to_instant(2021_y / 7 / 1, 12h, mexico) == utc(2021_y / 7 / 1, 17h));
}

TEST_CASE("ISO-8601 instants parse in the Z, millisecond and offset forms") {
  const instant expected = utc(2026_y / 1 / 15, 10h);
  CHECK(slotbook::parse_instant("2026-01-15T10:00:00Z") == expected);
  CHECK(slotbook::parse_instant("2026-01-15T10:00:00.000Z") == expected);
  CHECK(slotbook::parse_instant("2026-01-15T13:00:00+03:00") == expected);
  CHECK(slotbook::parse_instant("2026-01-15T05:00:00-05:00") == expected);
  CHECK(slotbook::parse_instant("2026-01-16T00:30:00+14:30") == expected);
  CHECK(slotbook::parse_instant("2024-02-29T00:00:00Z") == utc(2024_y / 2 / 29));
}

TEST_CASE("formatting an instant gives the canonical Z form and a zone's offset form") {
  const instant t = utc(2026_y / 1 / 15, 10h);
  CHECK(slotbook::format_instant(t) == "2026-01-15T10:00:00Z");
  CHECK(slotbook::format_instant(t, slotbook::find_zone("Africa/Nairobi")) ==
        "2026-01-15T13:00:00+03:00");
  CHECK(slotbook::format_instant(t, slotbook::find_zone("America/St_Johns")) ==
        "2026-01-15T06:30:00-03:30");
  CHECK(slotbook::to_string(interval{t, t + 1h}) == "[2026-01-15T10:00:00Z, 2026-01-15T11:00:00Z)");
}

TEST_CASE("malformed ISO-8601 text is an invalid_argument naming the field and the value") {
  const auto bad = [](std::string_view text, std::string_view why) {
    INFO("input: " << text);
    expect_error([&] { (void)slotbook::parse_instant(text, "scheduled_at"); },
                 errc::invalid_argument, {"scheduled_at", why});
  };
  bad("", "expected a date");
  bad("2026-13-01T10:00:00Z", "month 13 out of range");
  bad("2026-00-01T10:00:00Z", "month 0 out of range");
  bad("2026-02-29T10:00:00Z", "day 29 does not exist in 2026-02");
  bad("2026-04-31T10:00:00Z", "day 31 does not exist");
  bad("2026-01-15T25:00:00Z", "hour 25 out of range");
  bad("2026-01-15T10:60:00Z", "minute 60");
  bad("2026-01-15T23:59:60Z", "second 60");
  bad("2026-01-15T10:00:00", "expected 'Z' or an offset");
  bad("2026-01-15T10:00:00Zjunk", "unexpected text");
  bad("2026-01-15T10:00:00.Z", "fraction digits");
  bad("2026-01-15T10:00:00.5Z", "sub-second");
  bad("2026-01-15T10:00:00+3:00", "offset");
  bad("2026-01-15T10:00:00+24:00", "offset out of range");
  bad("2026-01-15 10:00:00Z", "expected 'T'");
  bad("26-01-15T10:00:00Z", "expected a date");
  bad("2026-1-15T10:00:00Z", "expected a date");
}

TEST_CASE("control bytes in bad input are escaped in the error message") {
  try {
    (void)slotbook::parse_instant(std::string_view("2026\n\x01", 6), "scheduled_at");
    FAIL("accepted");
  } catch (const slotbook::error& e) {
    const std::string message = e.what();
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.find("\\x0a") != std::string::npos);
  }
}

TEST_CASE("civil dates and times of day parse and format, with 24:00 as the end of the day") {
  CHECK(slotbook::parse_date("2026-01-15") == 2026_y / 1 / 15);
  CHECK(slotbook::format_date(2026_y / 1 / 5) == "2026-01-05");
  CHECK(slotbook::parse_time_of_day("09:30") == 9h + 30min);
  CHECK(slotbook::parse_time_of_day("00:00") == 0min);
  CHECK(slotbook::parse_time_of_day("24:00") == 24h);
  CHECK(slotbook::format_time_of_day(24h) == "24:00");
  CHECK(slotbook::format_time_of_day(9h + 5min) == "09:05");
  expect_error([] { (void)slotbook::parse_time_of_day("24:01", "windows[0].end"); },
               errc::invalid_argument, {"windows[0].end", "\"24:01\""});
  expect_error([] { (void)slotbook::parse_time_of_day("9:00", "start"); }, errc::invalid_argument,
               {"start", "HH:MM"});
  expect_error([] { (void)slotbook::parse_date("2026-02-30", "exceptions[1].date"); },
               errc::invalid_argument, {"exceptions[1].date", "day 30"});
  expect_error([] { (void)slotbook::parse_date("2026-01-15x"); }, errc::invalid_argument,
               {"unexpected text"});
}
