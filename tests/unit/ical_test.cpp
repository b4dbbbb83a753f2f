// iCalendar export and busy-time import. Expected instants are worked out from the 2026 rules:
//   America/New_York EST -05 until 2026-03-08 02:00 -> 03:00 EDT -04; back 2026-11-01 02:00 ->
//   01:00 Africa/Nairobi +03 all year. 2026-03-02 is a Monday, 2026-01-15 a Thursday.

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "slotbook/ical.hpp"
#include "support/checks.hpp"

namespace {

using namespace std::chrono_literals;
using slotbook::interval;

using slotbook::testing::at;

const slotbook::instant now = at("2026-01-10T08:00:00Z");

slotbook::session a_session(std::uint64_t id = 42, std::string_view start = "2026-01-15T07:00:00Z",
                            slotbook::session_status status = slotbook::session_status::confirmed) {
  slotbook::session s;
  s.id = slotbook::session_id{id};
  s.client = slotbook::client_id{7};
  s.provider = slotbook::provider_id{9};
  s.scheduled_at = at(start);
  s.duration = 50min;
  s.status = status;
  s.created_at = at("2026-01-02T10:00:00Z");
  s.updated_at = at("2026-01-03T11:30:00Z");
  if (status == slotbook::session_status::cancelled) s.cancelled_at = s.updated_at;
  return s;
}

slotbook::ical_export_options options() {
  slotbook::ical_export_options o;
  o.uid_domain = "clinic.example";
  return o;
}

slotbook::event_details titled(std::string summary) {
  slotbook::event_details d;
  d.summary = std::move(summary);
  return d;
}

// The physical lines (CRLF removed); fails when a line does not end in CRLF.
std::vector<std::string> physical_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t crlf = text.find("\r\n", at);
    REQUIRE(crlf != std::string::npos);
    out.push_back(text.substr(at, crlf - at));
    REQUIRE(out.back().find('\n') == std::string::npos);
    at = crlf + 2;
  }
  return out;
}

// Content lines after unfolding (RFC 5545 section 3.1).
std::vector<std::string> content_lines(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& line : physical_lines(text)) {
    if (!line.empty() && line[0] == ' ') {
      REQUIRE(!out.empty());
      out.back() += line.substr(1);
    } else {
      out.push_back(line);
    }
  }
  return out;
}

bool has_line(const std::string& text, std::string_view wanted) {
  for (const std::string& line : content_lines(text)) {
    if (line == wanted) return true;
  }
  return false;
}

std::size_t count_lines(const std::string& text, std::string_view wanted) {
  std::size_t n = 0;
  for (const std::string& line : content_lines(text)) {
    if (line == wanted) ++n;
  }
  return n;
}

// A calendar from lines joined with CRLF.
std::string calendar(std::initializer_list<std::string_view> lines) {
  std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n";
  for (std::string_view l : lines) {
    out += l;
    out += "\r\n";
  }
  return out + "END:VCALENDAR\r\n";
}

slotbook::ical_import_options import_options(std::string zone = "America/New_York") {
  slotbook::ical_import_options o;
  o.zone = std::move(zone);
  o.window = {at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")};
  return o;
}

std::vector<std::string> busy_of(const std::string& text,
                                 const slotbook::ical_import_options& o = import_options()) {
  std::vector<std::string> out;
  for (const slotbook::busy_time& b : slotbook::import_busy_times(text, o).busy) {
    out.push_back(slotbook::to_string(b.utc));
  }
  return out;
}

std::string import_error(const std::string& text,
                         const slotbook::ical_import_options& o = import_options()) {
  try {
    (void)slotbook::import_busy_times(text, o);
  } catch (const slotbook::error& e) {
    CHECK(e.code() == slotbook::errc::invalid_argument);
    return e.what();
  }
  FAIL("the import was accepted");
  return {};
}

std::string span(std::string_view begin, std::string_view end) {
  return slotbook::to_string(interval{at(begin), at(end)});
}

slotbook::series_event weekly_tuesdays() {
  slotbook::series_event x;
  x.id = slotbook::series_id{5};
  x.rule = slotbook::parse_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=6");
  x.start = {date::year{2026} / 3 / 2, 9h, "America/New_York"};
  x.duration = 50min;
  x.details.summary = "Weekly session";
  return x;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

TEST_CASE("an exported session is a VCALENDAR with CRLF lines and the required properties") {
  auto s = a_session();
  s.reschedule_count = 2;
  const std::string ics = slotbook::export_session(s, titled("Therapy"), options(), now);
  const auto lines = content_lines(ics);
  REQUIRE(lines.size() > 10);
  CHECK(lines.front() == "BEGIN:VCALENDAR");
  CHECK(lines.back() == "END:VCALENDAR");
  for (std::string_view l :
       {"VERSION:2.0", "PRODID:-//slotbook//slotbook//EN", "BEGIN:VEVENT",
        "UID:session-42@clinic.example", "DTSTAMP:20260110T080000Z", "CREATED:20260102T100000Z",
        "LAST-MODIFIED:20260103T113000Z", "SEQUENCE:2", "STATUS:CONFIRMED",
        "DTSTART:20260115T070000Z", "DTEND:20260115T075000Z", "SUMMARY:Therapy", "END:VEVENT"}) {
    CHECK(has_line(ics, l));
  }
  CHECK_FALSE(has_line(ics, "BEGIN:VTIMEZONE"));  // UTC times need none
}

TEST_CASE("STATUS is TENTATIVE for an unpaid hold, CANCELLED when cancelled, else CONFIRMED") {
  using st = slotbook::session_status;
  const auto status_of = [](st status) {
    return slotbook::export_session(a_session(42, "2026-01-15T07:00:00Z", status), {}, options(),
                                    now);
  };
  CHECK(has_line(status_of(st::pending_payment), "STATUS:TENTATIVE"));
  CHECK(has_line(status_of(st::cancelled), "STATUS:CANCELLED"));
  CHECK(has_line(status_of(st::scheduled), "STATUS:CONFIRMED"));
}

TEST_CASE("SEQUENCE is the reschedule count unless the details set it") {
  auto s = a_session();
  s.reschedule_count = 3;
  CHECK(has_line(slotbook::export_session(s, {}, options(), now), "SEQUENCE:3"));
  slotbook::event_details d;
  d.sequence = 11;
  CHECK(has_line(slotbook::export_session(s, d, options(), now), "SEQUENCE:11"));
}

TEST_CASE("text escapes backslash, semicolon and comma, and writes line breaks as \\n") {
  slotbook::event_details d;
  d.summary = "a;b,c\\d";
  d.description = "one\r\ntwo\nthree\rfour";
  const std::string ics = slotbook::export_session(a_session(), d, options(), now);
  CHECK(has_line(ics, "SUMMARY:a\\;b\\,c\\\\d"));
  CHECK(has_line(ics, "DESCRIPTION:one\\ntwo\\nthree\\nfour"));
}

TEST_CASE("control characters are dropped and invalid UTF-8 becomes U+FFFD") {
  slotbook::event_details d;
  d.summary = std::string(
                  "a\x07"
                  "b\tc\x7f") +
              "\xff" + "d" + "\xe2\x82" + "e";
  // \xe2\x82 is one broken sequence: one replacement character, as Python's decoder does.
  CHECK(has_line(slotbook::export_session(a_session(), d, options(), now),
                 "SUMMARY:ab\tc\xef\xbf\xbd"
                 "d\xef\xbf\xbd"
                 "e"));
  d.summary = "\x01\x02";  // nothing left to show: no SUMMARY at all
  CHECK_FALSE(has_line(slotbook::export_session(a_session(), d, options(), now), "SUMMARY:"));
}

TEST_CASE("long lines fold at 75 octets and never inside a UTF-8 sequence") {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "\xc3\xa9";  // "é", two octets each
  const std::string ics = slotbook::export_session(a_session(), titled(text), options(), now);
  const auto lines = physical_lines(ics);
  bool folded = false;
  for (const std::string& line : lines) {
    CHECK(line.size() <= 75);
    if (!line.empty() && line[0] == ' ') {
      folded = true;
      // After the fold's space comes a whole character, never a continuation byte.
      REQUIRE(line.size() > 1);
      CHECK((static_cast<unsigned char>(line[1]) & 0xC0) != 0x80);
    }
  }
  CHECK(folded);
  // "SUMMARY:" is 8 octets; 8 + 67 would split the 34th "é", so the first line stops at 74.
  const auto first = std::find_if(lines.begin(), lines.end(),
                                  [](const std::string& l) { return l.rfind("SUMMARY:", 0) == 0; });
  REQUIRE(first != lines.end());
  CHECK(first->size() == 74);
  CHECK(has_line(ics, "SUMMARY:" + text));  // unfolding restores it
}

TEST_CASE("VALARMs follow the reminder plan, for scheduled and confirmed sessions only") {
  const std::string ics = slotbook::export_session(a_session(), titled("T"), options(), now);
  CHECK(count_lines(ics, "BEGIN:VALARM") == 3);
  CHECK(has_line(ics, "TRIGGER:-P1D"));
  CHECK(has_line(ics, "TRIGGER:-PT2H"));
  CHECK(has_line(ics, "TRIGGER:-PT15M"));
  CHECK(count_lines(ics, "ACTION:DISPLAY") == 3);
  auto o = options();
  o.alarms.offsets = {90min};
  CHECK(has_line(slotbook::export_session(a_session(), {}, o, now), "TRIGGER:-PT1H30M"));
  const auto pending =
      a_session(42, "2026-01-15T07:00:00Z", slotbook::session_status::pending_payment);
  CHECK(count_lines(slotbook::export_session(pending, {}, options(), now), "BEGIN:VALARM") == 0);
}

TEST_CASE("zone mode writes TZID wall-clock times and a VTIMEZONE for the zone") {
  auto o = options();
  o.times = slotbook::ical_times::zone;
  o.zone = "Africa/Nairobi";
  const std::string ics = slotbook::export_session(a_session(), {}, o, now);
  CHECK(has_line(ics, "DTSTART;TZID=Africa/Nairobi:20260115T100000"));
  CHECK(has_line(ics, "DTEND;TZID=Africa/Nairobi:20260115T105000"));
  CHECK(has_line(ics, "BEGIN:VTIMEZONE"));
  CHECK(has_line(ics, "TZID:Africa/Nairobi"));
  CHECK(has_line(ics, "TZOFFSETTO:+0300"));
  CHECK(has_line(ics, "TZNAME:EAT"));
}

TEST_CASE("the VTIMEZONE lists each DST change in the span with its offsets") {
  auto o = options();
  o.times = slotbook::ical_times::zone;
  o.zone = "America/New_York";
  const std::string ics =
      slotbook::export_session(a_session(42, "2026-03-09T13:00:00Z"), {}, o, now);
  // The change at 2026-03-08 02:00 EST lies within a day of the session.
  CHECK(has_line(ics, "BEGIN:DAYLIGHT"));
  CHECK(has_line(ics, "DTSTART:20260308T020000"));
  CHECK(has_line(ics, "TZOFFSETFROM:-0500"));
  CHECK(has_line(ics, "TZOFFSETTO:-0400"));
  CHECK(has_line(ics, "TZNAME:EDT"));
}

TEST_CASE("zone mode keeps UTC for a session at an ambiguous local time") {
  auto o = options();
  o.times = slotbook::ical_times::zone;
  o.zone = "America/New_York";
  // 05:30Z and 06:30Z on 2026-11-01 are both 01:30 on New York clocks.
  const std::string ics =
      slotbook::export_session(a_session(42, "2026-11-01T06:30:00Z"), {}, o, now);
  CHECK(has_line(ics, "DTSTART:20261101T063000Z"));
  CHECK(has_line(ics, "DTEND;TZID=America/New_York:20261101T022000"));  // 07:20Z, unambiguous
}

TEST_CASE("a series is one VEVENT with RRULE, DURATION and EXDATE for cancelled occurrences") {
  auto x = weekly_tuesdays();
  x.sequence = 4;
  x.cancelled = {at("2026-03-10T13:00:00Z")};  // Tuesday 10 March, 09:00 EDT
  const std::string ics = slotbook::export_series(x, options(), now);
  CHECK(has_line(ics, "UID:series-5@clinic.example"));
  CHECK(has_line(ics, "SEQUENCE:4"));
  // DTSTART (Monday 2 March) does not match BYDAY=TU: the first occurrence is written instead.
  CHECK(has_line(ics, "DTSTART;TZID=America/New_York:20260303T090000"));
  CHECK(has_line(ics, "DURATION:PT50M"));
  CHECK(has_line(ics, "RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU"));
  CHECK(has_line(ics, "EXDATE;TZID=America/New_York:20260310T090000"));
  CHECK(has_line(ics, "TZID:America/New_York"));
  CHECK(has_line(ics, "SUMMARY:Weekly session"));
}

TEST_CASE("a cancelled time that is not an occurrence of the series is refused") {
  auto x = weekly_tuesdays();
  x.cancelled = {at("2026-03-10T13:05:00Z")};
  CHECK_THROWS_WITH(
      slotbook::export_series(x, options(), now),
      Catch::Contains("series[0].cancelled[0]") && Catch::Contains("is not an occurrence"));
}

TEST_CASE("a series without any occurrence is refused") {
  auto x = weekly_tuesdays();
  x.rule = slotbook::parse_rrule("FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1");
  CHECK_THROWS_WITH(slotbook::export_series(x, options(), now),
                    Catch::Contains("has no occurrence"));
}

TEST_CASE("a missing or malformed UID domain and a session without an id are refused") {
  auto o = options();
  o.uid_domain = "";
  CHECK_THROWS_WITH(slotbook::export_session(a_session(), {}, o, now),
                    Catch::Contains("uid_domain"));
  o.uid_domain = "clinic example";
  CHECK_THROWS_WITH(slotbook::export_session(a_session(), {}, o, now),
                    Catch::Contains("\"clinic example\""));
  CHECK_THROWS_WITH(slotbook::export_session(a_session(0), {}, options(), now),
                    Catch::Contains("sessions[0].id"));
}

TEST_CASE("a schedule export lists every session in order") {
  const std::vector<slotbook::session_event> week{
      {a_session(1, "2026-01-15T07:00:00Z"), titled("first")},
      {a_session(2, "2026-01-16T07:00:00Z"), titled("second")}};
  const std::string ics = slotbook::export_schedule(week, options(), now);
  CHECK(count_lines(ics, "BEGIN:VEVENT") == 2);
  const auto lines = content_lines(ics);
  const auto one = std::find(lines.begin(), lines.end(), "UID:session-1@clinic.example");
  const auto two = std::find(lines.begin(), lines.end(), "UID:session-2@clinic.example");
  CHECK(one < two);
  CHECK(two != lines.end());
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

TEST_CASE("a UTC event becomes one busy interval with its UID and summary") {
  const auto found = slotbook::import_busy_times(
      calendar({"BEGIN:VEVENT", "UID:abc@example.org", "SUMMARY:Dentist\\, downtown",
                "DTSTART:20260115T140000Z", "DTEND:20260115T150000Z", "END:VEVENT"}),
      import_options());
  REQUIRE(found.busy.size() == 1);
  CHECK(found.busy[0].utc == interval{at("2026-01-15T14:00:00Z"), at("2026-01-15T15:00:00Z")});
  CHECK(found.busy[0].uid == "abc@example.org");
  CHECK(found.busy[0].summary == "Dentist, downtown");
  CHECK_FALSE(found.busy[0].all_day);
}

TEST_CASE("TZID times are read in that zone and floating times in the provider's zone") {
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART;TZID=America/New_York:20260115T090000",
                          "DTEND;TZID=America/New_York:20260115T100000", "END:VEVENT"}),
                import_options("Africa/Nairobi")) ==
        std::vector<std::string>{span("2026-01-15T14:00:00Z", "2026-01-15T15:00:00Z")});
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000", "DTEND:20260115T100000",
                          "END:VEVENT"}),
                import_options("Africa/Nairobi")) ==
        std::vector<std::string>{span("2026-01-15T06:00:00Z", "2026-01-15T07:00:00Z")});
}

TEST_CASE("an all-day event blocks the whole local day, 23 hours on a spring-forward day") {
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20260308",
                          "DTEND;VALUE=DATE:20260309", "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z")});
  // Without DTEND an all-day event lasts its one day; with DURATION:P2D two local days.
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20260115", "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-01-15T05:00:00Z", "2026-01-16T05:00:00Z")});
  const auto found = slotbook::import_busy_times(
      calendar({"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20260115", "DURATION:P2D", "END:VEVENT"}),
      import_options());
  REQUIRE(found.busy.size() == 1);
  CHECK(found.busy[0].all_day);
  CHECK(found.busy[0].utc == interval{at("2026-01-15T05:00:00Z"), at("2026-01-17T05:00:00Z")});
}

TEST_CASE("a DURATION in days is nominal and its time part exact") {
  // 12:00 EST on 7 March to 12:00 EDT on 8 March is 23 hours.
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART;TZID=America/New_York:20260307T120000",
                          "DURATION:P1D", "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-03-07T17:00:00Z", "2026-03-08T16:00:00Z")});
  CHECK(busy_of(calendar(
            {"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:PT1H30M", "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-01-15T09:00:00Z", "2026-01-15T10:30:00Z")});
  CHECK(busy_of(
            calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:P1W", "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-01-15T09:00:00Z", "2026-01-22T09:00:00Z")});
}

TEST_CASE("a date-time event without DTEND or DURATION blocks nothing") {
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "END:VEVENT"})).empty());
}

TEST_CASE("a weekly RRULE is expanded in its zone within the window, minus EXDATE") {
  const auto busy =
      busy_of(calendar({"BEGIN:VEVENT", "DTSTART;TZID=America/New_York:20260302T090000",
                        "DTEND;TZID=America/New_York:20260302T095000", "RRULE:FREQ=WEEKLY;COUNT=4",
                        "EXDATE;TZID=America/New_York:20260309T090000", "END:VEVENT"}));
  CHECK(busy == std::vector<std::string>{span("2026-03-02T14:00:00Z", "2026-03-02T14:50:00Z"),
                                         span("2026-03-16T13:00:00Z", "2026-03-16T13:50:00Z"),
                                         span("2026-03-23T13:00:00Z", "2026-03-23T13:50:00Z")});
}

TEST_CASE("an all-day weekly series blocks each local day, and a date EXDATE removes one") {
  const auto busy = busy_of(
      calendar({"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=WEEKLY;UNTIL=20260119",
                "EXDATE;VALUE=DATE:20260112", "END:VEVENT"}));
  CHECK(busy == std::vector<std::string>{span("2026-01-05T05:00:00Z", "2026-01-06T05:00:00Z"),
                                         span("2026-01-19T05:00:00Z", "2026-01-20T05:00:00Z")});
}

TEST_CASE("a DTSTART that does not match its RRULE still blocks time and counts, per RFC 5545") {
  // Monday 2 March; the rule wants Tuesdays, twice: DTSTART and one Tuesday.
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART:20260302T090000Z", "DURATION:PT1H",
                          "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=2", "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
                                 span("2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z")});
}

TEST_CASE("RDATE adds occurrences and duplicates of rule occurrences count once") {
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART:20260302T090000Z", "DURATION:PT1H",
                          "RRULE:FREQ=DAILY;COUNT=2", "RDATE:20260303T090000Z,20260310T090000Z",
                          "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
                                 span("2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"),
                                 span("2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")});
}

TEST_CASE("TRANSP:TRANSPARENT and STATUS:CANCELLED events block nothing") {
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:PT1H",
                          "TRANSP:TRANSPARENT", "END:VEVENT", "BEGIN:VEVENT",
                          "DTSTART:20260116T090000Z", "DURATION:PT1H", "STATUS:CANCELLED",
                          "END:VEVENT", "BEGIN:VEVENT", "DTSTART:20260117T090000Z", "DURATION:PT1H",
                          "STATUS:TENTATIVE", "TRANSP:OPAQUE", "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-01-17T09:00:00Z", "2026-01-17T10:00:00Z")});
}

TEST_CASE("a RECURRENCE-ID override moves one occurrence and a cancelled override removes one") {
  const auto busy = busy_of(
      calendar({"BEGIN:VEVENT", "UID:s1", "DTSTART:20260302T090000Z", "DURATION:PT1H",
                "RRULE:FREQ=DAILY;COUNT=3", "END:VEVENT",
                // the second occurrence moved to the afternoon
                "BEGIN:VEVENT", "UID:s1", "RECURRENCE-ID:20260303T090000Z",
                "DTSTART:20260303T150000Z", "DURATION:PT1H", "END:VEVENT",
                // the third one cancelled
                "BEGIN:VEVENT", "UID:s1", "RECURRENCE-ID:20260304T090000Z",
                "DTSTART:20260304T090000Z", "DURATION:PT1H", "STATUS:CANCELLED", "END:VEVENT"}));
  CHECK(busy == std::vector<std::string>{span("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
                                         span("2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z")});
}

TEST_CASE("folded lines are unfolded, names are case-insensitive and LF line ends work") {
  const std::string text =
      "BEGIN:VCALENDAR\nbegin:vevent\nDTST\n ART;TZID=America/New_Yo\n\trk:20260115T090000\n"
      "dtend;tzid=America/New_York:20260115T100000\nSUMMARY:a very long sum\r\n mary\nEND:VEVENT\n"
      "END:VCALENDAR\n";
  const auto found = slotbook::import_busy_times(text, import_options());
  REQUIRE(found.busy.size() == 1);
  CHECK(found.busy[0].utc == interval{at("2026-01-15T14:00:00Z"), at("2026-01-15T15:00:00Z")});
  CHECK(found.busy[0].summary == "a very long summary");
}

TEST_CASE("properties of a VALARM inside an event do not change the event") {
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DTEND:20260115T100000Z",
                          "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-PT15M",
                          "DURATION:PT5M", "REPEAT:2", "END:VALARM", "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-01-15T09:00:00Z", "2026-01-15T10:00:00Z")});
}

TEST_CASE("only events overlapping the window are returned, whole and ordered by start") {
  auto o = import_options();
  o.window = {at("2026-01-15T09:30:00Z"), at("2026-01-16T00:00:00Z")};
  CHECK(busy_of(
            calendar({"BEGIN:VEVENT", "DTSTART:20260115T120000Z", "DURATION:PT1H", "END:VEVENT",
                      "BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:PT1H", "END:VEVENT",
                      "BEGIN:VEVENT", "DTSTART:20260115T080000Z", "DURATION:PT1H30M", "END:VEVENT",
                      "BEGIN:VEVENT", "DTSTART:20260116T000000Z", "DURATION:PT1H", "END:VEVENT"}),
            o) == std::vector<std::string>{span("2026-01-15T09:00:00Z", "2026-01-15T10:00:00Z"),
                                           span("2026-01-15T12:00:00Z", "2026-01-15T13:00:00Z")});
}

TEST_CASE("malformed input names the line number and its content") {
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "DTSTART:2026-01-15", "END:VEVENT"})),
             Catch::Contains("ics line 5: \"DTSTART:2026-01-15\"") &&
                 Catch::Contains("expected YYYYMMDD"));
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "DTSTART 20260115T090000Z", "END:VEVENT"})),
             Catch::Contains("ics line 5") && Catch::Contains("expected ':'"));
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "END:VTODO"})),
             Catch::Contains("ics line 6: \"END:VTODO\"") && Catch::Contains("END:VEVENT"));
  CHECK_THAT(import_error("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260115T090000Z\r\n"),
             Catch::Contains("ics line 2") && Catch::Contains("never closed"));
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z",
                                    "DTEND:20260115T080000Z", "END:VEVENT"})),
             Catch::Contains("ics line 6") && Catch::Contains("DTEND is before DTSTART"));
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z",
                                    "DTEND:20260115T100000Z", "DURATION:PT1H", "END:VEVENT"})),
             Catch::Contains("ics line 7") && Catch::Contains("not both"));
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "SUMMARY:x", "END:VEVENT"})),
             Catch::Contains("ics line 4") && Catch::Contains("has no DTSTART"));
  CHECK_THAT(import_error(calendar(
                 {"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:-PT1H", "END:VEVENT"})),
             Catch::Contains("negative DURATION"));
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z",
                                    "DTSTART:20260115T100000Z", "END:VEVENT"})),
             Catch::Contains("appears twice"));
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z",
                                    "RRULE:FREQ=WEEKLY;INTERVAL=0", "END:VEVENT"})),
             Catch::Contains("ics line 6") && Catch::Contains("INTERVAL \"0\""));
  CHECK_THAT(import_error("SUMMARY:x\r\n"), Catch::Contains("ics line 1"));
  CHECK_THAT(import_error(" folded\r\n"), Catch::Contains("continuation line"));
  CHECK_THAT(import_error(""), Catch::Contains("no BEGIN:VCALENDAR"));
}

TEST_CASE("an unsupported RRULE is refused by default and skipped on request") {
  const std::string text =
      calendar({"BEGIN:VEVENT", "UID:birthday", "DTSTART;VALUE=DATE:20260115", "RRULE:FREQ=YEARLY",
                "END:VEVENT", "BEGIN:VEVENT", "UID:meeting", "DTSTART:20260115T090000Z",
                "DURATION:PT1H", "END:VEVENT"});
  CHECK_THAT(import_error(text), Catch::Contains("ics line 7: \"RRULE:FREQ=YEARLY\"") &&
                                     Catch::Contains("not supported") &&
                                     Catch::Contains("ical_unsupported::skip"));
  auto o = import_options();
  o.unsupported = slotbook::ical_unsupported::skip;
  const auto found = slotbook::import_busy_times(text, o);
  REQUIRE(found.busy.size() == 1);
  CHECK(found.busy[0].uid == "meeting");
  REQUIRE(found.skipped.size() == 1);
  CHECK(found.skipped[0].uid == "birthday");
  CHECK(found.skipped[0].line == 4);
  CHECK_THAT(found.skipped[0].reason, Catch::Contains("YEARLY"));
}

TEST_CASE("EXRULE, RDATE periods, THISANDFUTURE and a far-back COUNT series are unsupported") {
  auto skip = import_options();
  skip.unsupported = slotbook::ical_unsupported::skip;
  const auto reasons = [&](const std::string& text) {
    std::vector<std::string> out;
    for (const auto& s : slotbook::import_busy_times(text, skip).skipped) out.push_back(s.reason);
    return out;
  };
  const std::string exrule =
      calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:PT1H",
                "RRULE:FREQ=DAILY;COUNT=5", "EXRULE:FREQ=WEEKLY", "END:VEVENT"});
  CHECK_THAT(import_error(exrule), Catch::Contains("EXRULE"));
  CHECK(reasons(exrule).size() == 1);
  const std::string period = calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:PT1H",
                                       "RDATE;VALUE=PERIOD:20260116T090000Z/PT1H", "END:VEVENT"});
  CHECK_THAT(import_error(period),
             Catch::Contains("ics line 7") && Catch::Contains("RDATE periods are not supported"));
  const std::string future =
      calendar({"BEGIN:VEVENT", "UID:u", "DTSTART:20260115T090000Z", "DURATION:PT1H",
                "RRULE:FREQ=DAILY;COUNT=5", "END:VEVENT", "BEGIN:VEVENT", "UID:u",
                "RECURRENCE-ID;RANGE=THISANDFUTURE:20260117T090000Z", "DTSTART:20260117T150000Z",
                "DURATION:PT1H", "END:VEVENT"});
  CHECK_THAT(import_error(future), Catch::Contains("THISANDFUTURE"));
  CHECK(reasons(future) == std::vector<std::string>{"RANGE=THISANDFUTURE is not supported"});
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "DTSTART:18000101T090000Z", "DURATION:PT1H",
                                    "RRULE:FREQ=DAILY;COUNT=99999999", "END:VEVENT"})),
             Catch::Contains("over 100 years before the window"));
  CHECK_THAT(import_error(
                 calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:PT1H",
                           "RRULE:FREQ=DAILY;COUNT=2", "RRULE:FREQ=WEEKLY;COUNT=2", "END:VEVENT"})),
             Catch::Contains("several RRULEs"));
}

TEST_CASE("a TZID that is not an IANA name is unsupported unless mapped in zone_aliases") {
  const std::string text =
      calendar({"BEGIN:VEVENT", "DTSTART;TZID=\"Eastern Standard Time\":20260115T090000",
                "DURATION:PT1H", "END:VEVENT"});
  CHECK_THAT(import_error(text), Catch::Contains("\"Eastern Standard Time\" is not an IANA"));
  auto o = import_options("UTC");
  o.zone_aliases["Eastern Standard Time"] = "America/New_York";
  CHECK(busy_of(text, o) ==
        std::vector<std::string>{span("2026-01-15T14:00:00Z", "2026-01-15T15:00:00Z")});
  // A globally unique TZID ("/America/New_York") names the IANA zone after the slashes.
  CHECK(busy_of(calendar({"BEGIN:VEVENT", "DTSTART;TZID=/America/New_York:20260115T090000",
                          "DURATION:PT1H", "END:VEVENT"})) ==
        std::vector<std::string>{span("2026-01-15T14:00:00Z", "2026-01-15T15:00:00Z")});
}

TEST_CASE("limits on bytes, lines, events and busy times are enforced") {
  const std::string three =
      calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:PT1H", "END:VEVENT",
                "BEGIN:VEVENT", "DTSTART:20260116T090000Z", "DURATION:PT1H", "END:VEVENT",
                "BEGIN:VEVENT", "DTSTART:20260117T090000Z", "DURATION:PT1H", "END:VEVENT"});
  auto o = import_options();
  o.max_events = 2;
  CHECK_THAT(import_error(three, o), Catch::Contains("max_events"));
  o = import_options();
  o.max_lines = 10;
  CHECK_THAT(import_error(three, o), Catch::Contains("max_lines"));
  o = import_options();
  o.max_busy = 2;
  CHECK_THAT(import_error(three, o), Catch::Contains("max_busy"));
  o = import_options();
  o.max_bytes = 100;
  CHECK_THAT(import_error(three, o), Catch::Contains("max_bytes"));
  o = import_options();
  o.max_line_octets = 20;
  CHECK_THAT(import_error(three, o), Catch::Contains("max_line_octets"));
  o = import_options();
  o.max_busy = 10;
  CHECK_THAT(import_error(calendar({"BEGIN:VEVENT", "DTSTART:20260115T090000Z", "DURATION:PT1H",
                                    "RRULE:FREQ=DAILY", "END:VEVENT"}),
                          o),
             Catch::Contains("max_busy"));
  o = import_options();
  o.window = {at("2026-01-01T00:00:00Z"), at("2040-01-01T00:00:00Z")};
  CHECK_THAT(import_error(three, o), Catch::Contains("window"));
}

TEST_CASE("exporting a schedule and importing it back gives the same busy intervals") {
  auto o = options();
  o.times = slotbook::ical_times::zone;
  o.zone = "America/New_York";
  auto x = weekly_tuesdays();
  x.cancelled = {at("2026-03-17T13:00:00Z")};
  const std::vector<slotbook::session_event> sessions{
      {a_session(1, "2026-03-08T07:30:00Z"), titled("in the gap's hour")},
      {a_session(2, "2026-11-01T06:30:00Z"), titled("the second 01:30")},
      {a_session(3, "2026-04-01T12:00:00Z", slotbook::session_status::cancelled), {}},
      {a_session(4, "2026-04-02T12:00:00Z", slotbook::session_status::pending_payment), {}}};
  const std::string ics =
      slotbook::export_calendar(sessions, std::vector<slotbook::series_event>{x}, o, now);
  auto in = import_options("Africa/Nairobi");
  const auto found = slotbook::import_busy_times(ics, in);
  std::vector<std::string> got;
  for (const auto& b : found.busy) got.push_back(slotbook::to_string(b.utc) + " " + b.uid);
  const auto with = [](std::string_view b, std::string_view e, std::string_view uid) {
    return span(b, e) + " " + std::string(uid);
  };
  CHECK(got ==
        std::vector<std::string>{
            with("2026-03-03T14:00:00Z", "2026-03-03T14:50:00Z", "series-5@clinic.example"),
            with("2026-03-08T07:30:00Z", "2026-03-08T08:20:00Z", "session-1@clinic.example"),
            with("2026-03-10T13:00:00Z", "2026-03-10T13:50:00Z", "series-5@clinic.example"),
            with("2026-03-24T13:00:00Z", "2026-03-24T13:50:00Z", "series-5@clinic.example"),
            with("2026-03-31T13:00:00Z", "2026-03-31T13:50:00Z", "series-5@clinic.example"),
            with("2026-04-02T12:00:00Z", "2026-04-02T12:50:00Z", "session-4@clinic.example"),
            with("2026-04-07T13:00:00Z", "2026-04-07T13:50:00Z", "series-5@clinic.example"),
            with("2026-11-01T06:30:00Z", "2026-11-01T07:20:00Z", "session-2@clinic.example")});
  CHECK(found.skipped.empty());
}
