// Recurrence rules: parsing, validation, canonical text and expansion. Expected dates come from
// RFC 5545's own examples (section 3.8.5.3, DTSTART 1997 in America/New_York, where EDT ended on
// 1997-10-26) or are worked out by hand from the calendar:
//   2026-01-01 is a Thursday; 2026-03-02 and 2026-10-26 are Mondays.
//   America/New_York 2026: EST -05 until 2026-03-08 02:00 -> 03:00 EDT -04; back 2026-11-01 02:00
//   -> 01:00 EST. Pacific/Apia skipped 2011-12-30 (-10 until 2011-12-30T10:00Z, then +14).

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "slotbook/recurrence.hpp"
#include "support/checks.hpp"

namespace {

using namespace std::chrono_literals;
using slotbook::interval;

using slotbook::testing::at;

const interval everything{at("1990-01-01T00:00:00Z"), at("2040-01-01T00:00:00Z")};

slotbook::expansion run(std::string_view rule, std::string zone, date::year_month_day day,
                        std::chrono::seconds time_of_day, interval window = everything,
                        slotbook::expand_options options = {}, std::chrono::seconds duration = 1h) {
  return slotbook::expand(slotbook::parse_rrule(rule),
                          slotbook::recurrence_start{day, time_of_day, std::move(zone)}, duration,
                          window, options);
}

// Local starts as "YYYY-MM-DD HH:MM".
std::vector<std::string> local_starts(const slotbook::expansion& e) {
  std::vector<std::string> out;
  for (const slotbook::occurrence& o : e.occurrences) {
    out.push_back(date::format("%F %R", o.local_start));
  }
  return out;
}

std::vector<std::string> local_dates(const slotbook::expansion& e) {
  std::vector<std::string> out;
  for (const slotbook::occurrence& o : e.occurrences) {
    out.push_back(date::format("%F", o.local_start));
  }
  return out;
}

std::vector<std::string> utc_starts(const slotbook::expansion& e) {
  std::vector<std::string> out;
  for (const slotbook::occurrence& o : e.occurrences) {
    out.push_back(slotbook::format_instant(o.utc.begin));
  }
  return out;
}

std::string message_of(std::string_view rule) {
  try {
    (void)slotbook::parse_rrule(rule);
  } catch (const slotbook::error& e) {
    CHECK(e.code() == slotbook::errc::invalid_argument);
    return e.what();
  }
  FAIL("parse_rrule accepted " << rule);
  return {};
}

const auto new_york = "America/New_York";
constexpr auto y1997 = date::year{1997};
constexpr auto y2026 = date::year{2026};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parsing and canonical text
// ---------------------------------------------------------------------------------------------

TEST_CASE("a rule parses with or without the RRULE: prefix and in any letter case") {
  const auto plain = slotbook::parse_rrule("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12");
  CHECK(slotbook::parse_rrule("RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12") == plain);
  CHECK(slotbook::parse_rrule("rrule:freq=weekly;byday=mo,th;count=12") == plain);
  CHECK(plain.freq == slotbook::frequency::weekly);
  CHECK(plain.count == 12);
  REQUIRE(plain.by_day.size() == 2);
  CHECK(plain.by_day[0] == slotbook::rule_weekday{date::Monday, 0});
  CHECK(plain.by_day[1] == slotbook::rule_weekday{date::Thursday, 0});
}

TEST_CASE("format_rrule writes parts in canonical order and leaves out INTERVAL=1 and WKST=MO") {
  CHECK(slotbook::format_rrule(
            slotbook::parse_rrule("WKST=MO;BYDAY=+1MO,-1FR;COUNT=6;INTERVAL=1;FREQ=MONTHLY")) ==
        "FREQ=MONTHLY;COUNT=6;BYDAY=1MO,-1FR");
  CHECK(slotbook::format_rrule(slotbook::parse_rrule(
            "BYMONTHDAY=-1,15;UNTIL=20261231;INTERVAL=02;FREQ=MONTHLY;WKST=SU")) ==
        "FREQ=MONTHLY;INTERVAL=2;UNTIL=20261231;BYMONTHDAY=-1,15;WKST=SU");
}

TEST_CASE("a rule with every supported part survives format and parse unchanged") {
  slotbook::recurrence_rule r;
  r.freq = slotbook::frequency::monthly;
  r.interval = 3;
  r.until = at("2027-06-30T21:00:00Z");
  r.by_day = {{date::Friday, -1}, {date::Monday, 2}, {date::Sunday, 0}};
  r.by_month_day = {13, -2};
  r.week_start = date::Sunday;
  const std::string text = slotbook::format_rrule(r);
  CHECK(text ==
        "FREQ=MONTHLY;INTERVAL=3;UNTIL=20270630T210000Z;BYDAY=-1FR,2MO,SU;BYMONTHDAY=13,-2;"
        "WKST=SU");
  CHECK(slotbook::parse_rrule(text) == r);
}

TEST_CASE("UNTIL reads the UTC, the date and the local date-time forms") {
  const auto utc = slotbook::parse_rrule("FREQ=DAILY;UNTIL=20261231T170000Z").until;
  REQUIRE(utc);
  CHECK(std::get<slotbook::instant>(*utc) == at("2026-12-31T17:00:00Z"));
  const auto day = slotbook::parse_rrule("FREQ=DAILY;UNTIL=20261231").until;
  REQUIRE(day);
  CHECK(std::get<date::year_month_day>(*day) == y2026 / 12 / 31);
  const auto local = slotbook::parse_rrule("FREQ=DAILY;UNTIL=20261231T170000").until;
  REQUIRE(local);
  CHECK(std::get<date::local_seconds>(*local) ==
        date::local_days{y2026 / 12 / 31} + std::chrono::hours{17});
}

TEST_CASE("FREQ=YEARLY is refused as unsupported, naming the part and the value") {
  const std::string m = message_of("FREQ=YEARLY;BYMONTH=1");
  CHECK_THAT(m, Catch::Contains("FREQ") && Catch::Contains("\"YEARLY\"") &&
                    Catch::Contains("not supported"));
  CHECK_THAT(message_of("FREQ=HOURLY"), Catch::Contains("\"HOURLY\" is not supported"));
}

TEST_CASE("BYSETPOS, BYHOUR and the other parts outside the subset are refused by name") {
  CHECK_THAT(message_of("FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1"),
             Catch::Contains("BYSETPOS=\"-1\" is not supported"));
  CHECK_THAT(message_of("FREQ=DAILY;BYHOUR=9,17"),
             Catch::Contains("BYHOUR=\"9,17\" is not supported"));
  for (const char* part :
       {"BYSECOND=0", "BYMINUTE=30", "BYYEARDAY=1", "BYWEEKNO=20", "BYMONTH=3"}) {
    CHECK_THAT(message_of(std::string("FREQ=DAILY;") + part), Catch::Contains("not supported"));
  }
}

TEST_CASE("INTERVAL=0 and other intervals outside 1 to 9999 are refused") {
  CHECK_THAT(message_of("FREQ=WEEKLY;INTERVAL=0"),
             Catch::Contains("INTERVAL \"0\" is not an integer from 1 to 9999"));
  CHECK_THAT(message_of("FREQ=WEEKLY;INTERVAL=10000"), Catch::Contains("INTERVAL \"10000\""));
  CHECK_THAT(message_of("FREQ=WEEKLY;INTERVAL=-2"), Catch::Contains("INTERVAL \"-2\""));
  CHECK_THAT(message_of("FREQ=WEEKLY;INTERVAL=two"), Catch::Contains("INTERVAL \"two\""));
}

TEST_CASE("COUNT and UNTIL together are refused") {
  CHECK_THAT(message_of("FREQ=WEEKLY;COUNT=3;UNTIL=20261231T000000Z"),
             Catch::Contains("COUNT \"3\" and UNTIL \"20261231T000000Z\" are both given"));
}

TEST_CASE("a part given twice is refused") {
  CHECK_THAT(message_of("FREQ=WEEKLY;BYDAY=MO;byday=TU"),
             Catch::Contains("part \"BYDAY\" repeats"));
  CHECK_THAT(message_of("FREQ=WEEKLY;FREQ=DAILY"), Catch::Contains("part \"FREQ\" repeats"));
}

TEST_CASE("an ordinal BYDAY is refused unless the rule is MONTHLY") {
  CHECK_THAT(message_of("FREQ=WEEKLY;BYDAY=1MO"),
             Catch::Contains("BYDAY \"1MO\" has an ordinal, which only FREQ=MONTHLY allows"));
  CHECK_THAT(message_of("FREQ=DAILY;BYDAY=-1FR"), Catch::Contains("BYDAY \"-1FR\""));
  CHECK_NOTHROW(slotbook::parse_rrule("FREQ=MONTHLY;BYDAY=1MO,-1FR"));
}

TEST_CASE("an ordinal beyond the fifth weekday of a month is refused") {
  CHECK_THAT(message_of("FREQ=MONTHLY;BYDAY=6MO"), Catch::Contains("BYDAY \"6MO\""));
  CHECK_THAT(message_of("FREQ=MONTHLY;BYDAY=0MO"), Catch::Contains("BYDAY \"0MO\""));
}

TEST_CASE("BYMONTHDAY is refused with WEEKLY, and outside 1 to 31 and -31 to -1") {
  CHECK_THAT(message_of("FREQ=WEEKLY;BYMONTHDAY=1"),
             Catch::Contains("BYMONTHDAY is not allowed with FREQ=WEEKLY"));
  CHECK_THAT(message_of("FREQ=MONTHLY;BYMONTHDAY=0"), Catch::Contains("BYMONTHDAY \"0\""));
  CHECK_THAT(message_of("FREQ=MONTHLY;BYMONTHDAY=32"), Catch::Contains("BYMONTHDAY \"32\""));
  CHECK_THAT(message_of("FREQ=MONTHLY;BYMONTHDAY=-32"), Catch::Contains("BYMONTHDAY \"-32\""));
  CHECK_NOTHROW(slotbook::parse_rrule("FREQ=MONTHLY;BYMONTHDAY=-31,31"));
}

TEST_CASE("a value repeated inside BYDAY or BYMONTHDAY is refused") {
  CHECK_THAT(message_of("FREQ=WEEKLY;BYDAY=MO,TU,MO"), Catch::Contains("BYDAY \"MO\" repeats"));
  CHECK_THAT(message_of("FREQ=MONTHLY;BYMONTHDAY=1,+1"),
             Catch::Contains("BYMONTHDAY \"1\" repeats"));
  // The same weekday with different ordinals is two entries, not a repeat.
  CHECK_NOTHROW(slotbook::parse_rrule("FREQ=MONTHLY;BYDAY=1SU,-1SU"));
}

TEST_CASE("malformed rule text is refused with a message naming the problem") {
  CHECK_THAT(message_of(""), Catch::Contains("empty"));
  CHECK_THAT(message_of("RRULE:"), Catch::Contains("empty"));
  CHECK_THAT(message_of("BYDAY=MO"), Catch::Contains("FREQ is missing"));
  CHECK_THAT(message_of("FREQ=WEEKLY;"), Catch::Contains("part \"\" is not NAME=VALUE"));
  CHECK_THAT(message_of("FREQ=WEEKLY;COUNT"), Catch::Contains("part \"COUNT\" is not NAME=VALUE"));
  CHECK_THAT(message_of("FREQ=WEEKLY;COUNT="), Catch::Contains("\"COUNT\" has an empty value"));
  CHECK_THAT(message_of("FREQ=FORTNIGHTLY"), Catch::Contains("FREQ \"FORTNIGHTLY\" is not a"));
  CHECK_THAT(message_of("FREQ=WEEKLY;COUNT=0"), Catch::Contains("COUNT \"0\""));
  CHECK_THAT(message_of("FREQ=WEEKLY;COUNT=1e3"), Catch::Contains("COUNT \"1e3\""));
  CHECK_THAT(message_of("FREQ=WEEKLY;UNTIL=2026-12-31"),
             Catch::Contains("UNTIL \"2026-12-31\" is not a date-time"));
  CHECK_THAT(message_of("FREQ=WEEKLY;UNTIL=20260230"), Catch::Contains("does not exist"));
  CHECK_THAT(message_of("FREQ=WEEKLY;UNTIL=20261231T235960Z"), Catch::Contains("leap seconds"));
  CHECK_THAT(message_of("FREQ=WEEKLY;BYDAY=MON"), Catch::Contains("BYDAY \"MON\""));
  CHECK_THAT(message_of("FREQ=WEEKLY;WKST=XX"), Catch::Contains("WKST \"XX\""));
  CHECK_THAT(message_of("FREQ=WEEKLY;X-FOO=1"), Catch::Contains("\"X-FOO\" is not an RRULE part"));
  CHECK_THAT(message_of(std::string(2000, 'A')), Catch::Contains("longer than 1024"));
}

TEST_CASE("user text inside an error message is quoted and escaped") {
  CHECK_THAT(message_of("FREQ=WEEKLY;BYDAY=M\nO"), Catch::Contains("\"M\\x0aO\""));
}

TEST_CASE("validate refuses a rule built in code that breaks an invariant") {
  slotbook::recurrence_rule r;
  r.interval = 0;
  CHECK_THROWS_AS(slotbook::validate(r), slotbook::error);
  CHECK_THROWS_AS(slotbook::format_rrule(r), slotbook::error);
  r = {};
  r.count = 2;
  r.until = date::year_month_day{y2026 / 1 / 1};
  CHECK_THROWS_AS(slotbook::validate(r), slotbook::error);
  r = {};
  r.by_day = {{date::weekday{9}, 0}};
  CHECK_THROWS_AS(slotbook::validate(r), slotbook::error);
  r = {};
  r.until = slotbook::instant{std::chrono::seconds{300'000'000'000}};  // year 11476
  CHECK_THROWS_AS(slotbook::validate(r), slotbook::error);
  CHECK_NOTHROW(slotbook::validate(slotbook::recurrence_rule{}));
}

// ---------------------------------------------------------------------------------------------
// Expansion: DST
// ---------------------------------------------------------------------------------------------

TEST_CASE("a weekly 09:00 New York series stays at 09:00 local across the March change") {
  const auto e = run("FREQ=WEEKLY;COUNT=3", new_york, y2026 / 3 / 2, 9h);
  CHECK(local_starts(e) ==
        std::vector<std::string>{"2026-03-02 09:00", "2026-03-09 09:00", "2026-03-16 09:00"});
  // 09:00 EST is 14:00Z; after 2026-03-08 09:00 EDT is 13:00Z.
  CHECK(utc_starts(e) == std::vector<std::string>{"2026-03-02T14:00:00Z", "2026-03-09T13:00:00Z",
                                                  "2026-03-16T13:00:00Z"});
  CHECK(e.occurrences[1].utc.duration() == 1h);
}

TEST_CASE("a weekly 09:00 New York series stays at 09:00 local across the November change") {
  const auto e = run("FREQ=WEEKLY;COUNT=3", new_york, y2026 / 10 / 26, 9h);
  CHECK(local_dates(e) == std::vector<std::string>{"2026-10-26", "2026-11-02", "2026-11-09"});
  CHECK(utc_starts(e) == std::vector<std::string>{"2026-10-26T13:00:00Z", "2026-11-02T14:00:00Z",
                                                  "2026-11-09T14:00:00Z"});
}

TEST_CASE("an occurrence in the spring-forward gap moves forward by the gap's length") {
  const auto e = run("FREQ=DAILY;COUNT=3", new_york, y2026 / 3 / 7, 2h + 30min);
  // The nominal local start stays 02:30; on 2026-03-08 that is 03:30 EDT = 07:30Z.
  CHECK(local_starts(e) ==
        std::vector<std::string>{"2026-03-07 02:30", "2026-03-08 02:30", "2026-03-09 02:30"});
  CHECK(utc_starts(e) == std::vector<std::string>{"2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z",
                                                  "2026-03-09T06:30:00Z"});
}

TEST_CASE("an ambiguous fall-back time takes the earlier instant") {
  const auto e = run("FREQ=DAILY;COUNT=3", new_york, y2026 / 10 / 31, 1h + 30min);
  CHECK(utc_starts(e) == std::vector<std::string>{"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z",
                                                  "2026-11-02T06:30:00Z"});
}

TEST_CASE("Samoa's skipped day does not give two occurrences at one instant") {
  // 2011-12-30 10:00 does not exist: with the offset before the gap (-10) it is 20:00Z, the
  // same instant as 2011-12-31 10:00 (+14), which is dropped but still counts.
  const auto e = run("FREQ=DAILY;COUNT=5", "Pacific/Apia", date::year{2011} / 12 / 28, 10h);
  CHECK(local_dates(e) ==
        std::vector<std::string>{"2011-12-28", "2011-12-29", "2011-12-30", "2012-01-01"});
  CHECK(utc_starts(e) == std::vector<std::string>{"2011-12-28T20:00:00Z", "2011-12-29T20:00:00Z",
                                                  "2011-12-30T20:00:00Z", "2011-12-31T20:00:00Z"});
}

// ---------------------------------------------------------------------------------------------
// Expansion: monthly rules
// ---------------------------------------------------------------------------------------------

TEST_CASE("BYDAY=-1FR gives the last Friday of each month") {
  const auto e = run("FREQ=MONTHLY;BYDAY=-1FR;COUNT=6", "Europe/London", y2026 / 1 / 1, 10h);
  CHECK(local_dates(e) == std::vector<std::string>{"2026-01-30", "2026-02-27", "2026-03-27",
                                                   "2026-04-24", "2026-05-29", "2026-06-26"});
  // London is on GMT until 2026-03-29, then BST.
  CHECK(utc_starts(e)[2] == "2026-03-27T10:00:00Z");
  CHECK(utc_starts(e)[3] == "2026-04-24T09:00:00Z");
}

TEST_CASE("BYMONTHDAY=-1 is the last day of every month, 29 February in a leap year") {
  const auto e = run("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4", "UTC", date::year{2028} / 1 / 15, 9h);
  CHECK(local_dates(e) ==
        std::vector<std::string>{"2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"});
}

TEST_CASE("a monthly series on the 31st skips months without a 31st instead of clamping") {
  const auto e = run("FREQ=MONTHLY;COUNT=4", "UTC", y2026 / 1 / 31, 9h);
  CHECK(local_dates(e) ==
        std::vector<std::string>{"2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31"});
}

TEST_CASE("RFC 5545: monthly on the first Friday for 10 occurrences") {
  const auto e = run("FREQ=MONTHLY;COUNT=10;BYDAY=1FR", new_york, y1997 / 9 / 5, 9h);
  CHECK(local_dates(e) == std::vector<std::string>{"1997-09-05", "1997-10-03", "1997-11-07",
                                                   "1997-12-05", "1998-01-02", "1998-02-06",
                                                   "1998-03-06", "1998-04-03", "1998-05-01",
                                                   "1998-06-05"});
}

TEST_CASE("RFC 5545: every other month on the first and last Sunday for 10 occurrences") {
  const auto e =
      run("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", new_york, y1997 / 9 / 7, 9h);
  CHECK(local_dates(e) == std::vector<std::string>{"1997-09-07", "1997-09-28", "1997-11-02",
                                                   "1997-11-30", "1998-01-04", "1998-01-25",
                                                   "1998-03-01", "1998-03-29", "1998-05-03",
                                                   "1998-05-31"});
}

TEST_CASE("RFC 5545: monthly on the first and last day of the month for 10 occurrences") {
  const auto e = run("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", new_york, y1997 / 9 / 30, 9h);
  CHECK(local_dates(e) == std::vector<std::string>{"1997-09-30", "1997-10-01", "1997-10-31",
                                                   "1997-11-01", "1997-11-30", "1997-12-01",
                                                   "1997-12-31", "1998-01-01", "1998-01-31",
                                                   "1998-02-01"});
}

TEST_CASE("RFC 5545: every Friday the 13th") {
  const auto e = run("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", new_york, y1997 / 9 / 2, 9h,
                     {at("1997-01-01T00:00:00Z"), at("2001-01-01T00:00:00Z")});
  // The RFC lists these after excluding DTSTART (a Tuesday) with EXDATE; under the dateutil rule
  // DTSTART is not an occurrence because it does not match.
  CHECK(local_dates(e) == std::vector<std::string>{"1998-02-13", "1998-03-13", "1998-11-13",
                                                   "1999-08-13", "2000-10-13"});
}

TEST_CASE("MONTHLY BYDAY mixing plain and ordinal days takes the union, as RFC 5545 says") {
  // Every Monday and the first Friday; dateutil would intersect them and yield nothing.
  const auto e = run("FREQ=MONTHLY;BYDAY=MO,1FR;COUNT=6", "UTC", y2026 / 1 / 1, 9h);
  CHECK(local_dates(e) == std::vector<std::string>{"2026-01-02", "2026-01-05", "2026-01-12",
                                                   "2026-01-19", "2026-01-26", "2026-02-02"});
}

TEST_CASE("a rule that can never match yields nothing") {
  // The fifth Monday is never the first of the month.
  const auto e = run("FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1", "UTC", y2026 / 1 / 1, 9h,
                     {at("2026-01-01T00:00:00Z"), at("9999-01-01T00:00:00Z")});
  CHECK(e.occurrences.empty());
  CHECK_FALSE(e.truncated);
}

// ---------------------------------------------------------------------------------------------
// Expansion: weekly and daily rules
// ---------------------------------------------------------------------------------------------

TEST_CASE("every other week, WKST=MO and WKST=SU give RFC 5545's two different results") {
  // DTSTART Tuesday 1997-08-05. With weeks starting Monday, Sunday 10 August is in DTSTART's
  // week; with weeks starting Sunday it begins the skipped week.
  const auto mo =
      run("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", new_york, y1997 / 8 / 5, 9h);
  CHECK(local_dates(mo) ==
        std::vector<std::string>{"1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"});
  const auto su =
      run("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", new_york, y1997 / 8 / 5, 9h);
  CHECK(local_dates(su) ==
        std::vector<std::string>{"1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"});
}

TEST_CASE("RFC 5545: every other week on Monday, Wednesday and Friday until 24 December 1997") {
  const auto e = run("FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
                     new_york, y1997 / 9 / 1, 9h);
  CHECK(local_dates(e) ==
        std::vector<std::string>{
            "1997-09-01", "1997-09-03", "1997-09-05", "1997-09-15", "1997-09-17",
            "1997-09-19", "1997-09-29", "1997-10-01", "1997-10-03", "1997-10-13",
            "1997-10-15", "1997-10-17", "1997-10-27", "1997-10-29", "1997-10-31",
            "1997-11-10", "1997-11-12", "1997-11-14", "1997-11-24", "1997-11-26",
            "1997-11-28", "1997-12-08", "1997-12-10", "1997-12-12", "1997-12-22"});
  // 09:00 EDT until 1997-10-26, 09:00 EST after.
  CHECK(utc_starts(e)[11] == "1997-10-17T13:00:00Z");
  CHECK(utc_starts(e)[12] == "1997-10-27T14:00:00Z");
}

TEST_CASE("RFC 5545: weekly on Tuesday and Thursday for five weeks") {
  const auto e = run("FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", new_york, y1997 / 9 / 2, 9h);
  CHECK(local_dates(e) == std::vector<std::string>{"1997-09-02", "1997-09-04", "1997-09-09",
                                                   "1997-09-11", "1997-09-16", "1997-09-18",
                                                   "1997-09-23", "1997-09-25", "1997-09-30",
                                                   "1997-10-02"});
}

TEST_CASE("RFC 5545: every 10 days, 5 occurrences") {
  const auto e = run("FREQ=DAILY;INTERVAL=10;COUNT=5", new_york, y1997 / 9 / 2, 9h);
  CHECK(local_dates(e) == std::vector<std::string>{"1997-09-02", "1997-09-12", "1997-09-22",
                                                   "1997-10-02", "1997-10-12"});
}

TEST_CASE("a daily rule with BYDAY keeps only those weekdays") {
  const auto e = run("FREQ=DAILY;BYDAY=MO,WE,FR;COUNT=4", "UTC", y2026 / 1 / 1, 9h);
  CHECK(local_dates(e) ==
        std::vector<std::string>{"2026-01-02", "2026-01-05", "2026-01-07", "2026-01-09"});
}

// ---------------------------------------------------------------------------------------------
// DTSTART, COUNT, UNTIL, window and limits
// ---------------------------------------------------------------------------------------------

TEST_CASE("a DTSTART that does not match the rule is not an occurrence by default") {
  // DTSTART is Monday 2026-03-02; the rule wants Tuesdays.
  const auto e = run("FREQ=WEEKLY;BYDAY=TU;COUNT=2", "UTC", y2026 / 3 / 2, 9h);
  CHECK(local_dates(e) == std::vector<std::string>{"2026-03-03", "2026-03-10"});
}

TEST_CASE("with dtstart_rule::always DTSTART is the first occurrence and counts, as in RFC 5545") {
  slotbook::expand_options rfc;
  rfc.start = slotbook::dtstart_rule::always;
  const auto e = run("FREQ=WEEKLY;BYDAY=TU;COUNT=2", "UTC", y2026 / 3 / 2, 9h, everything, rfc);
  CHECK(local_dates(e) == std::vector<std::string>{"2026-03-02", "2026-03-03"});
  // A matching DTSTART is not doubled.
  const auto m = run("FREQ=WEEKLY;COUNT=2", "UTC", y2026 / 3 / 2, 9h, everything, rfc);
  CHECK(local_dates(m) == std::vector<std::string>{"2026-03-02", "2026-03-09"});
}

TEST_CASE("UNTIL is inclusive: an occurrence starting exactly at UNTIL is kept") {
  CHECK(run("FREQ=DAILY;UNTIL=20260103T090000Z", "UTC", y2026 / 1 / 1, 9h).occurrences.size() == 3);
  CHECK(run("FREQ=DAILY;UNTIL=20260103T085959Z", "UTC", y2026 / 1 / 1, 9h).occurrences.size() == 2);
}

TEST_CASE("a date UNTIL keeps every occurrence on that local date") {
  // 23:00 in New York is 04:00Z the next day: the comparison is by local date, not UTC date.
  const auto e = run("FREQ=DAILY;UNTIL=20260103", new_york, y2026 / 1 / 1, 23h);
  CHECK(local_dates(e) == std::vector<std::string>{"2026-01-01", "2026-01-02", "2026-01-03"});
}

TEST_CASE("a local UNTIL compares wall-clock times in the series' zone") {
  CHECK(run("FREQ=DAILY;UNTIL=20260103T230000", new_york, y2026 / 1 / 1, 23h).occurrences.size() ==
        3);
  CHECK(run("FREQ=DAILY;UNTIL=20260103T225959", new_york, y2026 / 1 / 1, 23h).occurrences.size() ==
        2);
}

TEST_CASE("only occurrences overlapping the window are returned, and COUNT counts earlier ones") {
  // Daily 09:00-10:00Z, five times from 2026-01-01. The window starts inside the 3 January one
  // and ends exactly when the 4 January one begins (half-open).
  const auto e = run("FREQ=DAILY;COUNT=5", "UTC", y2026 / 1 / 1, 9h,
                     {at("2026-01-03T09:30:00Z"), at("2026-01-04T09:00:00Z")});
  CHECK(utc_starts(e) == std::vector<std::string>{"2026-01-03T09:00:00Z"});
  // After the fifth occurrence nothing is left, however long the window.
  CHECK(run("FREQ=DAILY;COUNT=5", "UTC", y2026 / 1 / 1, 9h,
            {at("2026-01-05T10:00:00Z"), at("2030-01-01T00:00:00Z")})
            .occurrences.empty());
}

TEST_CASE("a window long after DTSTART gives the same occurrences as walking from DTSTART") {
  // Every third day from 2026-01-01: day 363 (30 December) and days 366 and 369 qualify.
  const auto e = run("FREQ=DAILY;INTERVAL=3", "UTC", y2026 / 1 / 1, 9h,
                     {at("2026-12-30T00:00:00Z"), at("2027-01-06T00:00:00Z")});
  CHECK(local_dates(e) == std::vector<std::string>{"2026-12-30", "2027-01-02", "2027-01-05"});
}

TEST_CASE("max_occurrences stops the expansion and says that more were due") {
  slotbook::expand_options three;
  three.max_occurrences = 3;
  const interval ten_days{at("2026-01-01T00:00:00Z"), at("2026-01-11T00:00:00Z")};
  const auto cut = run("FREQ=DAILY", "UTC", y2026 / 1 / 1, 9h, ten_days, three);
  CHECK(cut.occurrences.size() == 3);
  CHECK(cut.truncated);
  slotbook::expand_options ten;
  ten.max_occurrences = 10;
  const auto all = run("FREQ=DAILY", "UTC", y2026 / 1 / 1, 9h, ten_days, ten);
  CHECK(all.occurrences.size() == 10);
  CHECK_FALSE(all.truncated);
}

TEST_CASE("WEEKLY without BYDAY repeats DTSTART's weekday and MONTHLY its day of the month") {
  CHECK(local_dates(run("FREQ=WEEKLY;INTERVAL=2;COUNT=2", "UTC", y2026 / 1 / 1, 9h)) ==
        std::vector<std::string>{"2026-01-01", "2026-01-15"});
  CHECK(local_dates(run("FREQ=MONTHLY;COUNT=2", "UTC", y2026 / 1 / 15, 9h)) ==
        std::vector<std::string>{"2026-01-15", "2026-02-15"});
}

TEST_CASE("an invalid start, duration or window is refused") {
  const auto rule = slotbook::parse_rrule("FREQ=DAILY");
  const auto ok_start = slotbook::recurrence_start{y2026 / 1 / 1, 9h, "UTC"};
  auto bad = ok_start;
  bad.zone = "Mars/Olympus_Mons";
  CHECK_THROWS_WITH(slotbook::expand(rule, bad, 1h, everything),
                    Catch::Contains("start.zone") && Catch::Contains("Mars/Olympus_Mons"));
  bad = ok_start;
  bad.time_of_day = 24h;
  CHECK_THROWS_WITH(slotbook::expand(rule, bad, 1h, everything),
                    Catch::Contains("start.time_of_day"));
  bad = ok_start;
  bad.date = y2026 / 2 / 30;
  CHECK_THROWS_WITH(slotbook::expand(rule, bad, 1h, everything), Catch::Contains("start.date"));
  CHECK_THROWS_WITH(slotbook::expand(rule, ok_start, 0s, everything), Catch::Contains("duration"));
  CHECK_THROWS_WITH(slotbook::expand(rule, ok_start, 1h, {everything.end, everything.begin}),
                    Catch::Contains("window"));
}
