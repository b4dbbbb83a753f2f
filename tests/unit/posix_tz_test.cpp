// Time zones after the last transition listed in the TZif files (2037): slotbook continues each
// zone with the POSIX rule in the file's footer. Expected values are worked out from the rules:
//   America/New_York   EST5EDT,M3.2.0,M11.1.0: DST from the 2nd Sunday of March 02:00 local to the
//                      1st Sunday of November 02:00 local; in 2038 that is Mar 14 and Nov 7.
//   Australia/Sydney   AEST-10AEDT,M10.1.0,M4.1.0/3: DST from the 1st Sunday of October 02:00 to
//                      the 1st Sunday of April 03:00 (daylight time); across the new year.
//   Asia/Jerusalem     IST-2IDT,M3.4.4/26,M10.5.0: DST starts on the Friday before the last Sunday
//                      of March at 02:00, written as "Thursday of the 4th week at 26:00".
//   Europe/Dublin      IST-1GMT0,M10.5.0,M3.5.0/1: "negative DST"; GMT in winter, IST in summer.

#include <string>

#include <catch2/catch.hpp>

#include "slotbook/availability.hpp"
#include "slotbook/detail/posix_tz.hpp"
#include "slotbook/slots.hpp"
#include "slotbook/time.hpp"

namespace {

using namespace std::chrono_literals;
using slotbook::detail::parse_posix_rule;

slotbook::instant at(std::string_view text) { return slotbook::parse_instant(text); }

std::string local(std::string_view utc, std::string_view zone) {
  return slotbook::format_instant(at(utc), slotbook::find_zone(zone));
}

}  // namespace

TEST_CASE("a footer rule is parsed into offsets, names and transition dates") {
  const auto rule = parse_posix_rule("EST5EDT,M3.2.0,M11.1.0");
  REQUIRE(rule.has_value());
  CHECK(rule->std_abbrev == "EST");
  CHECK(rule->std_offset == -5h);
  CHECK(rule->has_dst);
  CHECK(rule->dst_abbrev == "EDT");
  CHECK(rule->dst_offset == -4h);
  CHECK(rule->start.month == 3);
  CHECK(rule->start.week == 2);
  CHECK(rule->start.weekday == 0);
  CHECK(rule->start.time == 2h);
  CHECK(rule->end.month == 11);
  CHECK(rule->end.week == 1);
}

TEST_CASE("bracketed names, minute offsets and extended transition times are parsed") {
  const auto lord_howe = parse_posix_rule("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  REQUIRE(lord_howe.has_value());
  CHECK(lord_howe->std_abbrev == "+1030");
  CHECK(lord_howe->std_offset == 10h + 30min);
  CHECK(lord_howe->dst_offset == 11h);
  const auto jerusalem = parse_posix_rule("IST-2IDT,M3.4.4/26,M10.5.0");
  REQUIRE(jerusalem.has_value());
  CHECK(jerusalem->start.time == 26h);
  const auto chatham = parse_posix_rule("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45");
  REQUIRE(chatham.has_value());
  CHECK(chatham->dst_offset == 13h + 45min);
  CHECK(chatham->start.time == 2h + 45min);
}

TEST_CASE("a rule without daylight time has one offset forever") {
  const auto nairobi = parse_posix_rule("EAT-3");
  REQUIRE(nairobi.has_value());
  CHECK_FALSE(nairobi->has_dst);
  CHECK(nairobi->info(at("2500-07-01T00:00:00Z")).offset == 3h);
}

TEST_CASE("rule text tzdata never writes is not guessed at") {
  CHECK_FALSE(parse_posix_rule("").has_value());
  CHECK_FALSE(parse_posix_rule("EST").has_value());                      // no offset
  CHECK_FALSE(parse_posix_rule("EST5EDT").has_value());                  // DST without dates
  CHECK_FALSE(parse_posix_rule("EST5EDT,J60,J300").has_value());         // Julian form
  CHECK_FALSE(parse_posix_rule("EST5EDT,M13.1.0,M11.1.0").has_value());  // month 13
  CHECK_FALSE(parse_posix_rule("EST5EDT,M3.6.0,M11.1.0").has_value());   // week 6
  CHECK_FALSE(parse_posix_rule("EST5EDT,M3.2.7,M11.1.0").has_value());   // weekday 7
  CHECK_FALSE(parse_posix_rule("EST5EDT,M3.2.0,M11.1.0x").has_value());  // trailing text
  CHECK_FALSE(parse_posix_rule("<+03-3").has_value());                   // unclosed bracket
}

TEST_CASE("the footer is the text between a TZif file's last two newlines") {
  using slotbook::detail::tzif_footer;
  CHECK(tzif_footer(std::string_view{"TZif2....\nEST5EDT,M3.2.0,M11.1.0\n"}) ==
        "EST5EDT,M3.2.0,M11.1.0");
  CHECK(tzif_footer(std::string_view{"TZif\0....", 9}).empty());  // version 1: no footer
  CHECK(tzif_footer("not a tzif file\nEST5\n").empty());
}

TEST_CASE("New York is on daylight time in July 2038, after the table ends") {
  CHECK(local("2038-07-01T16:00:00Z", "America/New_York") == "2038-07-01T12:00:00-04:00");
  CHECK(local("2038-01-15T17:00:00Z", "America/New_York") == "2038-01-15T12:00:00-05:00");
}

TEST_CASE("New York changes clocks on the rule's Sundays in 2038 and in 2999") {
  // 2038: second Sunday of March is the 14th; first Sunday of November is the 7th.
  CHECK(local("2038-03-14T06:59:59Z", "America/New_York") == "2038-03-14T01:59:59-05:00");
  CHECK(local("2038-03-14T07:00:00Z", "America/New_York") == "2038-03-14T03:00:00-04:00");
  CHECK(local("2038-11-07T05:59:59Z", "America/New_York") == "2038-11-07T01:59:59-04:00");
  CHECK(local("2038-11-07T06:00:00Z", "America/New_York") == "2038-11-07T01:00:00-05:00");
  // 2999-03-01 is a Friday (2999-01-01 is a Tuesday), so the second Sunday is March 10.
  CHECK(local("2999-03-10T07:00:00Z", "America/New_York") == "2999-03-10T03:00:00-04:00");
  CHECK(local("2999-03-10T06:00:00Z", "America/New_York") == "2999-03-10T01:00:00-05:00");
}

TEST_CASE("Sydney's daylight period spans the new year after the table ends") {
  CHECK(local("2040-01-01T00:00:00Z", "Australia/Sydney") == "2040-01-01T11:00:00+11:00");
  CHECK(local("2040-07-01T00:00:00Z", "Australia/Sydney") == "2040-07-01T10:00:00+10:00");
}

TEST_CASE("Jerusalem's 26:00 rule starts daylight time on the Friday before the last Sunday") {
  // In 2040 the last Sunday of March is the 25th, so DST starts Friday the 23rd at 02:00 IST
  // (00:00 UTC).
  CHECK(local("2040-03-22T23:59:59Z", "Asia/Jerusalem") == "2040-03-23T01:59:59+02:00");
  CHECK(local("2040-03-23T00:00:00Z", "Asia/Jerusalem") == "2040-03-23T03:00:00+03:00");
}

TEST_CASE("Dublin's negative daylight rule still reads +01:00 in summer and +00:00 in winter") {
  CHECK(local("2045-07-01T12:00:00Z", "Europe/Dublin") == "2045-07-01T13:00:00+01:00");
  CHECK(local("2045-12-01T12:00:00Z", "Europe/Dublin") == "2045-12-01T12:00:00+00:00");
}

TEST_CASE("a local time in a gap after 2037 moves forward by the gap's length") {
  // 2038-03-14 02:30 does not exist in New York; the rule converts it with EST: 07:30Z.
  const auto& ny = slotbook::find_zone("America/New_York");
  CHECK(slotbook::to_instant(date::year{2038} / 3 / 14, 150min, ny) == at("2038-03-14T07:30:00Z"));
}

TEST_CASE("an ambiguous local time after 2037 takes the earlier instant") {
  // 2038-11-07 01:30 happens twice in New York; the earlier is EDT: 05:30Z.
  const auto& ny = slotbook::find_zone("America/New_York");
  CHECK(slotbook::to_instant(date::year{2038} / 11 / 7, 90min, ny) == at("2038-11-07T05:30:00Z"));
  CHECK(slotbook::to_instant(date::year{2038} / 11 / 8, 90min, ny) == at("2038-11-08T06:30:00Z"));
}

TEST_CASE("09:00 New York availability in summer 2040 is 13:00 UTC") {
  slotbook::schedule s;
  s.zone = "America/New_York";
  s.windows = {{date::Monday, 9h, 10h}};
  const slotbook::availability hours{s};
  // 2040-07-02 is a Monday.
  const auto open =
      slotbook::expand(hours, {at("2040-07-02T00:00:00Z"), at("2040-07-03T00:00:00Z")});
  REQUIRE(open.size() == 1);
  CHECK(open[0].begin == at("2040-07-02T13:00:00Z"));
  CHECK(open[0].end == at("2040-07-02T14:00:00Z"));
}
