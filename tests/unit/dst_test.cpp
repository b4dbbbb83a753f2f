// Daylight-saving and time-zone scenarios for availability and slots. Expected instants are worked
// out from the 2026 tz rules:
//   America/New_York  EST -05 / EDT -04; spring 2026-03-08 02:00 -> 03:00, fall 2026-11-01 02:00 ->
//   01:00 Europe/London     GMT +00 / BST +01; spring 2026-03-29 01:00 -> 02:00, fall 2026-10-25
//   02:00 -> 01:00 Australia/Lord_Howe +11 / +10:30; 2026-04-05 02:00 -> 01:30, 2026-10-04 02:00 ->
//   02:30 America/Santiago  -04 / -03; spring 2026-09-06 00:00 -> 01:00 (local midnight does not
//   exist) Africa/Nairobi +03 all year; America/Mexico_City -06 all year since 2022 (-05 in summer
//   before)
// The rule under test (DESIGN.md "local times"): a gap time moves forward by the gap's length, an
// ambiguous time takes the earlier instant, a window whose end is not after its start is dropped.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "slotbook/availability.hpp"
#include "slotbook/slots.hpp"

namespace {

using namespace std::chrono_literals;
using slotbook::interval;

slotbook::instant at(std::string_view text) { return slotbook::parse_instant(text); }

interval span_of(std::string_view begin, std::string_view end) { return {at(begin), at(end)}; }

slotbook::schedule every_day(std::string zone, std::chrono::minutes start,
                             std::chrono::minutes end) {
  slotbook::schedule s;
  s.zone = std::move(zone);
  for (unsigned d = 0; d < 7; ++d) s.windows.push_back({date::weekday{d}, start, end});
  return s;
}

slotbook::schedule on(std::string zone, date::weekday day, std::chrono::minutes start,
                      std::chrono::minutes end) {
  slotbook::schedule s;
  s.zone = std::move(zone);
  s.windows = {{day, start, end}};
  return s;
}

slotbook::slot_rules open_rules(std::chrono::minutes duration = 60min) {
  slotbook::slot_rules r;
  r.duration = duration;
  r.minimum_notice = 0min;
  r.maximum_advance = date::days{365};
  return r;
}

const slotbook::instant new_year = at("2026-01-01T00:00:00Z");

std::vector<std::string> starts_of(const std::vector<interval>& slots) {
  std::vector<std::string> out;
  for (const interval& i : slots) out.push_back(slotbook::format_instant(i.begin));
  return out;
}

std::vector<std::string> local_starts(const std::vector<interval>& slots, std::string_view zone) {
  std::vector<std::string> out;
  for (const interval& i : slots) {
    out.push_back(slotbook::format_instant(i.begin, slotbook::find_zone(zone)));
  }
  return out;
}

}  // namespace

// --- 23- and 25-hour days keep their wall-clock hours --------------------------------------------

TEST_CASE("09:00-17:00 in New York stays 09:00-17:00 local across the spring change") {
  const auto out = slotbook::expand(every_day("America/New_York", 9h, 17h),
                                    span_of("2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{
                     span_of("2026-03-07T14:00:00Z", "2026-03-07T22:00:00Z"),    // Sat, EST
                     span_of("2026-03-08T13:00:00Z", "2026-03-08T21:00:00Z"),    // Sun, EDT
                     span_of("2026-03-09T13:00:00Z", "2026-03-09T21:00:00Z")});  // Mon, EDT
}

TEST_CASE("09:00-17:00 in New York stays 09:00-17:00 local across the fall change") {
  const auto out = slotbook::expand(every_day("America/New_York", 9h, 17h),
                                    span_of("2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{
                     span_of("2026-10-31T13:00:00Z", "2026-10-31T21:00:00Z"),    // Sat, EDT
                     span_of("2026-11-01T14:00:00Z", "2026-11-01T22:00:00Z"),    // Sun, EST
                     span_of("2026-11-02T14:00:00Z", "2026-11-02T22:00:00Z")});  // Mon, EST
}

TEST_CASE("09:00-17:00 in London stays 09:00-17:00 local across both changes") {
  const auto s = every_day("Europe/London", 9h, 17h);
  REQUIRE(slotbook::expand(s, span_of("2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z")) ==
          std::vector<interval>{span_of("2026-03-28T09:00:00Z", "2026-03-28T17:00:00Z"),
                                span_of("2026-03-29T08:00:00Z", "2026-03-29T16:00:00Z")});
  REQUIRE(slotbook::expand(s, span_of("2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z")) ==
          std::vector<interval>{span_of("2026-10-24T08:00:00Z", "2026-10-24T16:00:00Z"),
                                span_of("2026-10-25T09:00:00Z", "2026-10-25T17:00:00Z")});
}

TEST_CASE("hourly slots on the New York spring day start at the usual local hours") {
  const auto slots =
      slotbook::free_slots(every_day("America/New_York", 9h, 12h), {}, open_rules(),
                           span_of("2026-03-07T00:00:00Z", "2026-03-09T00:00:00Z"), new_year);
  REQUIRE(local_starts(slots, "America/New_York") ==
          std::vector<std::string>{"2026-03-07T09:00:00-05:00", "2026-03-07T10:00:00-05:00",
                                   "2026-03-07T11:00:00-05:00", "2026-03-08T09:00:00-04:00",
                                   "2026-03-08T10:00:00-04:00", "2026-03-08T11:00:00-04:00"});
  REQUIRE(starts_of(slots) ==
          std::vector<std::string>{"2026-03-07T14:00:00Z", "2026-03-07T15:00:00Z",
                                   "2026-03-07T16:00:00Z", "2026-03-08T13:00:00Z",
                                   "2026-03-08T14:00:00Z", "2026-03-08T15:00:00Z"});
}

TEST_CASE("a whole-day window has 23 hourly slots on a spring day and 25 on a fall day") {
  const auto count = [](std::string zone, std::string_view from, std::string_view to) {
    return slotbook::free_slots(on(std::move(zone), date::Sunday, 0h, 24h), {}, open_rules(),
                                span_of(from, to), new_year);
  };
  // New York 2026-03-08 runs from 05:00Z to 04:00Z next day: 23 hours.
  const auto ny_spring = count("America/New_York", "2026-03-07T00:00:00Z", "2026-03-11T00:00:00Z");
  REQUIRE(ny_spring.size() == 23);
  REQUIRE(ny_spring.front() == span_of("2026-03-08T05:00:00Z", "2026-03-08T06:00:00Z"));
  REQUIRE(ny_spring.back() == span_of("2026-03-09T03:00:00Z", "2026-03-09T04:00:00Z"));
  // New York 2026-11-01 runs from 04:00Z to 05:00Z next day: 25 hours.
  const auto ny_fall = count("America/New_York", "2026-10-31T00:00:00Z", "2026-11-04T00:00:00Z");
  REQUIRE(ny_fall.size() == 25);
  REQUIRE(ny_fall.front().begin == at("2026-11-01T04:00:00Z"));
  REQUIRE(ny_fall.back().end == at("2026-11-02T05:00:00Z"));
  // London 2026-03-29: 00:00Z to 23:00Z. 2026-10-25: 2026-10-24 23:00Z to 2026-10-26 00:00Z.
  const auto uk_spring = count("Europe/London", "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z");
  REQUIRE(uk_spring.size() == 23);
  REQUIRE(uk_spring.back().end == at("2026-03-29T23:00:00Z"));
  const auto uk_fall = count("Europe/London", "2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z");
  REQUIRE(uk_fall.size() == 25);
  REQUIRE(uk_fall.front().begin == at("2026-10-24T23:00:00Z"));
}

// --- the spring-forward gap --------------------------------------------------------------------

TEST_CASE("a 01:00-04:00 window on the New York spring day is two real hours") {
  const auto s = on("America/New_York", date::Sunday, 1h, 4h);
  const auto day = span_of("2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z");
  // 01:00 EST = 06:00Z; 04:00 EDT = 08:00Z.
  REQUIRE(slotbook::expand(s, day) ==
          std::vector<interval>{span_of("2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z")});
  REQUIRE(
      local_starts(slotbook::free_slots(s, {}, open_rules(), day, new_year), "America/New_York") ==
      std::vector<std::string>{"2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00"});
}

TEST_CASE("a window wholly inside the New York gap moves forward by the gap's length") {
  // 02:15 and 02:45 do not exist; with the offset before the gap (EST) they are 07:15Z and
  // 07:45Z, i.e. 03:15-03:45 EDT.
  const auto out = slotbook::expand(on("America/New_York", date::Sunday, 2h + 15min, 2h + 45min),
                                    span_of("2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"));
  REQUIRE(out == std::vector<interval>{span_of("2026-03-08T07:15:00Z", "2026-03-08T07:45:00Z")});
}

TEST_CASE("a window whose gap-shifted start is not before its end is dropped") {
  const auto day = span_of("2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z");
  // 02:00 (gap) -> 07:00Z and 03:00 EDT -> 07:00Z: empty.
  REQUIRE(slotbook::expand(on("America/New_York", date::Sunday, 2h, 3h), day).empty());
  // 02:30 (gap) -> 07:30Z and 03:30 EDT -> 07:30Z: empty.
  REQUIRE(
      slotbook::expand(on("America/New_York", date::Sunday, 2h + 30min, 3h + 30min), day).empty());
}

TEST_CASE("a window starting in the gap is shortened to the time after it") {
  // 02:30 (gap) -> 07:30Z = 03:30 EDT; 04:00 EDT = 08:00Z: half an hour.
  REQUIRE(slotbook::expand(on("America/New_York", date::Sunday, 2h + 30min, 4h),
                           span_of("2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z")) ==
          std::vector<interval>{span_of("2026-03-08T07:30:00Z", "2026-03-08T08:00:00Z")});
}

TEST_CASE("local midnight inside Santiago's gap starts the day at 01:00 and joins Saturday") {
  // Saturday 20:00-24:00 -04 is 2026-09-06 00:00Z-04:00Z; Sunday 00:00 (gap, -04) is 04:00Z and
  // 08:00 -03 is 11:00Z: one run of 11 hours.
  slotbook::schedule s;
  s.zone = "America/Santiago";
  s.windows = {{date::Saturday, 20h, 24h}, {date::Sunday, 0h, 8h}};
  const auto range = span_of("2026-09-05T00:00:00Z", "2026-09-07T00:00:00Z");
  REQUIRE(slotbook::expand(s, range) ==
          std::vector<interval>{span_of("2026-09-06T00:00:00Z", "2026-09-06T11:00:00Z")});
  REQUIRE(slotbook::free_slots(s, {}, open_rules(), range, new_year).size() == 11);
}

// --- the fall-back overlap ---------------------------------------------------------------------

TEST_CASE("a 01:00-03:00 window on the New York fall day is three real hours") {
  const auto s = on("America/New_York", date::Sunday, 1h, 3h);
  const auto day = span_of("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z");
  // 01:00 is ambiguous: the earlier, EDT, is 05:00Z; 03:00 EST is 08:00Z.
  REQUIRE(slotbook::expand(s, day) ==
          std::vector<interval>{span_of("2026-11-01T05:00:00Z", "2026-11-01T08:00:00Z")});
  const auto slots = slotbook::free_slots(s, {}, open_rules(), day, new_year);
  REQUIRE(local_starts(slots, "America/New_York") ==
          std::vector<std::string>{"2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00",
                                   "2026-11-01T02:00:00-05:00"});
  for (const interval& slot : slots) {
    CHECK(slotbook::check_bookable(s, {}, open_rules(), slot, new_year).allowed);
  }
}

TEST_CASE("an ambiguous end time takes the earlier instant") {
  // 00:00 EDT = 04:00Z; 01:30 is ambiguous, earlier = 01:30 EDT = 05:30Z.
  REQUIRE(slotbook::expand(on("America/New_York", date::Sunday, 0h, 1h + 30min),
                           span_of("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z")) ==
          std::vector<interval>{span_of("2026-11-01T04:00:00Z", "2026-11-01T05:30:00Z")});
  // 01:30 EDT = 05:30Z to 02:30 EST = 07:30Z: two real hours for one on the wall clock.
  REQUIRE(slotbook::expand(on("America/New_York", date::Sunday, 1h + 30min, 2h + 30min),
                           span_of("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z")) ==
          std::vector<interval>{span_of("2026-11-01T05:30:00Z", "2026-11-01T07:30:00Z")});
}

// --- Lord Howe's half-hour shift ---------------------------------------------------------------

TEST_CASE("Lord Howe's April change makes 01:00-03:00 two and a half real hours") {
  // 01:00 +11 = 2026-04-04 14:00Z; 03:00 +10:30 = 2026-04-04 16:30Z.
  REQUIRE(slotbook::expand(on("Australia/Lord_Howe", date::Sunday, 1h, 3h),
                           span_of("2026-04-04T00:00:00Z", "2026-04-06T00:00:00Z")) ==
          std::vector<interval>{span_of("2026-04-04T14:00:00Z", "2026-04-04T16:30:00Z")});
}

TEST_CASE("Lord Howe's October change makes 01:00-03:00 one and a half real hours") {
  // 01:00 +10:30 = 2026-10-03 14:30Z; 03:00 +11 = 2026-10-03 16:00Z.
  REQUIRE(slotbook::expand(on("Australia/Lord_Howe", date::Sunday, 1h, 3h),
                           span_of("2026-10-03T00:00:00Z", "2026-10-05T00:00:00Z")) ==
          std::vector<interval>{span_of("2026-10-03T14:30:00Z", "2026-10-03T16:00:00Z")});
}

TEST_CASE("a window inside Lord Howe's half-hour gap moves forward by half an hour") {
  // 02:10 and 02:20 do not exist; with +10:30 they are 15:40Z and 15:50Z (02:40-02:50 at +11).
  REQUIRE(slotbook::expand(on("Australia/Lord_Howe", date::Sunday, 2h + 10min, 2h + 20min),
                           span_of("2026-10-03T00:00:00Z", "2026-10-05T00:00:00Z")) ==
          std::vector<interval>{span_of("2026-10-03T15:40:00Z", "2026-10-03T15:50:00Z")});
}

TEST_CASE("Lord Howe's change days hold 49 and 47 half-hour slots") {
  const auto rules = open_rules(30min);
  // 2026-04-05: 00:00 +11 = 04-04 13:00Z to 24:00 +10:30 = 04-05 13:30Z, 24.5 hours.
  REQUIRE(slotbook::free_slots(on("Australia/Lord_Howe", date::Sunday, 0h, 24h), {}, rules,
                               span_of("2026-04-03T00:00:00Z", "2026-04-07T00:00:00Z"), new_year)
              .size() == 49);
  // 2026-10-04: 00:00 +10:30 = 10-03 13:30Z to 24:00 +11 = 10-04 13:00Z, 23.5 hours.
  REQUIRE(slotbook::free_slots(on("Australia/Lord_Howe", date::Sunday, 0h, 24h), {}, rules,
                               span_of("2026-10-02T00:00:00Z", "2026-10-06T00:00:00Z"), new_year)
              .size() == 47);
}

// --- providers and clients in different zones --------------------------------------------------

TEST_CASE("a Nairobi provider's slots are the same instants for a client in Los Angeles") {
  // Nairobi Monday 09:00-12:00 (+03) is 06:00-09:00Z every Monday. Los Angeles moved from PST
  // (-08) to PDT (-07) on 2026-03-08, so the client sees the slots an hour later on their clock
  // while the provider's hours do not move.
  const auto s = on("Africa/Nairobi", date::Monday, 9h, 12h);
  const auto rules = open_rules();
  const auto before = slotbook::free_slots(
      s, {}, rules, span_of("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"), new_year);
  const auto after = slotbook::free_slots(
      s, {}, rules, span_of("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z"), new_year);
  REQUIRE(starts_of(before) == std::vector<std::string>{"2026-03-02T06:00:00Z",
                                                        "2026-03-02T07:00:00Z",
                                                        "2026-03-02T08:00:00Z"});
  REQUIRE(starts_of(after) == std::vector<std::string>{"2026-03-09T06:00:00Z",
                                                       "2026-03-09T07:00:00Z",
                                                       "2026-03-09T08:00:00Z"});
  REQUIRE(local_starts(before, "America/Los_Angeles") ==
          std::vector<std::string>{"2026-03-01T22:00:00-08:00", "2026-03-01T23:00:00-08:00",
                                   "2026-03-02T00:00:00-08:00"});
  REQUIRE(local_starts(after, "America/Los_Angeles") ==
          std::vector<std::string>{"2026-03-08T23:00:00-07:00", "2026-03-09T00:00:00-07:00",
                                   "2026-03-09T01:00:00-07:00"});
  REQUIRE(local_starts(after, "Africa/Nairobi") ==
          std::vector<std::string>{"2026-03-09T09:00:00+03:00", "2026-03-09T10:00:00+03:00",
                                   "2026-03-09T11:00:00+03:00"});
  // The client books the instant they were shown; "Monday 09:00" on their own clock is 16:00Z,
  // outside the provider's hours.
  REQUIRE(slotbook::check_bookable(s, {}, rules, after[0], new_year).allowed);
  REQUIRE(slotbook::check_bookable(
              s, {}, rules, span_of("2026-03-09T16:00:00Z", "2026-03-09T17:00:00Z"), new_year)
              .reason == slotbook::slot_reason::outside_hours);
}

TEST_CASE("Mexico City is UTC-6 in July 2026, having dropped DST in 2022") {
  const auto s = on("America/Mexico_City", date::Wednesday, 9h, 17h);
  REQUIRE(slotbook::expand(s, span_of("2026-07-15T00:00:00Z", "2026-07-16T00:00:00Z")) ==
          std::vector<interval>{span_of("2026-07-15T15:00:00Z", "2026-07-15T23:00:00Z")});
  // In July 2021 the same hours were CDT, UTC-5.
  REQUIRE(slotbook::expand(s, span_of("2021-07-14T00:00:00Z", "2021-07-15T00:00:00Z")) ==
          std::vector<interval>{span_of("2021-07-14T14:00:00Z", "2021-07-14T22:00:00Z")});
}

TEST_CASE("a fixed hourly grid follows the local hour across a DST change") {
  // New York 00:00-24:00 on 2026-03-08 with a fixed hourly grid: local 00:00, 01:00, then 03:00
  // (02:00 does not exist and lands on 03:00), ..., 23:00: 23 grid times, all available.
  auto rules = open_rules();
  rules.alignment = slotbook::slot_alignment::fixed_grid;
  const auto slots =
      slotbook::generate_slots(on("America/New_York", date::Sunday, 0h, 24h), {}, rules,
                               span_of("2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"), new_year);
  REQUIRE(slots.size() == 23);
  for (const auto& slot : slots) CHECK(slot.available);
  REQUIRE(slots[2].time.begin == at("2026-03-08T07:00:00Z"));  // 03:00 EDT
  // On the fall day the hour 01:00 appears once on the grid (the earlier one), so 24 grid times
  // cover the 25-hour day and the second 01:00 (06:00Z) is not a grid time.
  const auto fall =
      slotbook::generate_slots(on("America/New_York", date::Sunday, 0h, 24h), {}, rules,
                               span_of("2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z"), new_year);
  REQUIRE(fall.size() == 24);
  REQUIRE(fall[1].time.begin == at("2026-11-01T05:00:00Z"));
  REQUIRE(fall[2].time.begin == at("2026-11-01T07:00:00Z"));
  REQUIRE(slotbook::check_bookable(on("America/New_York", date::Sunday, 0h, 24h), {}, rules,
                                   span_of("2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"),
                                   new_year)
              .reason == slotbook::slot_reason::not_on_grid);
}
