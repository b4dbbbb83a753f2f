// Slot lists, reasons and their order, check_bookable, team queries (slots.hpp). Most cases use
// UTC so the expected instants can be read straight off the windows; DST cases are in dst_test.cpp.
// 2026-01-15 is a Thursday.

#include "slotbook/slots.hpp"

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

namespace {

using namespace std::chrono_literals;
using slotbook::interval;
using slotbook::slot_reason;

slotbook::instant at(std::string_view text) { return slotbook::parse_instant(text); }

interval span_of(std::string_view begin, std::string_view end) { return {at(begin), at(end)}; }

const interval thursday = span_of("2026-01-15T00:00:00Z", "2026-01-16T00:00:00Z");
const slotbook::instant new_year = at("2026-01-01T00:00:00Z");

slotbook::schedule in_utc(std::vector<slotbook::weekly_window> windows) {
  slotbook::schedule s;
  s.zone = "UTC";
  s.windows = std::move(windows);
  return s;
}

// No notice and a long horizon, so only the rule under test decides.
slotbook::slot_rules open_rules() {
  slotbook::slot_rules r;
  r.minimum_notice = 0min;
  r.maximum_advance = date::days{365};
  return r;
}

using listing = std::vector<std::pair<std::string, slot_reason>>;

// Each slot as (start, reason); `none` marks an available one.
listing list_of(const std::vector<slotbook::slot>& slots) {
  listing out;
  for (const slotbook::slot& s : slots) {
    CHECK(s.time.duration() > 0s);
    CHECK(s.available == (s.reason == slot_reason::none));
    out.emplace_back(slotbook::format_instant(s.time.begin), s.reason);
  }
  return out;
}

listing slots_of(const slotbook::schedule& s, const std::vector<interval>& busy,
                 const slotbook::slot_rules& rules, const interval& range,
                 slotbook::instant now = new_year) {
  return list_of(slotbook::generate_slots(s, busy, rules, range, now));
}

std::vector<std::string> starts_of(const std::vector<interval>& slots) {
  std::vector<std::string> out;
  for (const interval& i : slots) out.push_back(slotbook::format_instant(i.begin));
  return out;
}

constexpr slot_reason ok = slot_reason::none;

}  // namespace

// --- the slot grid -----------------------------------------------------------------------------

TEST_CASE("slots follow one another by the session duration from the window start") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  REQUIRE(slots_of(s, {}, open_rules(), thursday) == listing{{"2026-01-15T09:00:00Z", ok},
                                                             {"2026-01-15T10:00:00Z", ok},
                                                             {"2026-01-15T11:00:00Z", ok}});
}

TEST_CASE("every slot lasts the session duration") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  auto rules = open_rules();
  rules.duration = 50min;
  for (const auto& slot : slotbook::generate_slots(s, {}, rules, thursday, new_year)) {
    CHECK(slot.time.duration() == 50min);
  }
}

TEST_CASE("a shorter step offers overlapping candidate starts") {
  const auto s = in_utc({{date::Thursday, 9h, 11h}});
  auto rules = open_rules();
  rules.step = 15min;
  REQUIRE(slots_of(s, {}, rules, thursday) == listing{{"2026-01-15T09:00:00Z", ok},
                                                      {"2026-01-15T09:15:00Z", ok},
                                                      {"2026-01-15T09:30:00Z", ok},
                                                      {"2026-01-15T09:45:00Z", ok},
                                                      {"2026-01-15T10:00:00Z", ok}});
}

TEST_CASE("a window that is not a whole number of sessions leaves the remainder unused") {
  const auto s = in_utc({{date::Thursday, 9h, 11h + 30min}});
  REQUIRE(slots_of(s, {}, open_rules(), thursday) ==
          listing{{"2026-01-15T09:00:00Z", ok}, {"2026-01-15T10:00:00Z", ok}});
}

TEST_CASE("slot starts align to the window start, not to the hour") {
  const auto s = in_utc({{date::Thursday, 9h + 30min, 12h}});
  REQUIRE(slots_of(s, {}, open_rules(), thursday) ==
          listing{{"2026-01-15T09:30:00Z", ok}, {"2026-01-15T10:30:00Z", ok}});
}

TEST_CASE("touching windows form one run, so a slot may cross the join") {
  const auto s = in_utc({{date::Thursday, 9h, 10h + 30min}, {date::Thursday, 10h + 30min, 12h}});
  REQUIRE(slots_of(s, {}, open_rules(), thursday) == listing{{"2026-01-15T09:00:00Z", ok},
                                                             {"2026-01-15T10:00:00Z", ok},
                                                             {"2026-01-15T11:00:00Z", ok}});
}

TEST_CASE("a run across midnight offers a slot that crosses midnight") {
  const auto s = in_utc({{date::Thursday, 22h, 24h}, {date::Friday, 0h, 2h}});
  auto rules = open_rules();
  rules.duration = 90min;
  REQUIRE(slots_of(s, {}, rules, span_of("2026-01-15T00:00:00Z", "2026-01-17T00:00:00Z")) ==
          listing{{"2026-01-15T22:00:00Z", ok}, {"2026-01-15T23:30:00Z", ok}});
}

TEST_CASE("the slot grid does not depend on the range asked for") {
  // One run from Thursday 22:00 to Friday 02:00; 60-minute sessions every 90 minutes start at
  // 22:00, 23:30 and 01:00, whichever day the client looks at.
  const auto s = in_utc({{date::Thursday, 22h, 24h}, {date::Friday, 0h, 2h}});
  auto rules = open_rules();
  rules.step = 90min;
  const interval friday = span_of("2026-01-16T00:00:00Z", "2026-01-17T00:00:00Z");
  REQUIRE(slots_of(s, {}, rules, friday) == listing{{"2026-01-16T01:00:00Z", ok}});
  REQUIRE(slots_of(s, {}, rules, thursday) ==
          listing{{"2026-01-15T22:00:00Z", ok}, {"2026-01-15T23:30:00Z", ok}});
  REQUIRE(slots_of(s, {}, rules, span_of("2026-01-16T00:30:00Z", "2026-01-16T01:30:00Z")) ==
          listing{{"2026-01-16T01:00:00Z", ok}});
}

TEST_CASE("a slot starting in the range is listed even if it ends after the range") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  REQUIRE(slots_of(s, {}, open_rules(), span_of("2026-01-15T08:00:00Z", "2026-01-15T10:30:00Z")) ==
          listing{{"2026-01-15T09:00:00Z", ok}, {"2026-01-15T10:00:00Z", ok}});
}

TEST_CASE("a slot starting before the range is not listed even if it ends inside it") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  REQUIRE(slots_of(s, {}, open_rules(), span_of("2026-01-15T09:30:00Z", "2026-01-15T12:00:00Z")) ==
          listing{{"2026-01-15T10:00:00Z", ok}, {"2026-01-15T11:00:00Z", ok}});
}

TEST_CASE("a provider open around the clock gets a grid anchored at the Unix epoch") {
  // 2026-01-15 00:00Z is 20468 days after the epoch; 20468 * 1440 = 50k + 20 minutes, so 50-minute
  // slots start 30 minutes after midnight.
  slotbook::schedule s;
  s.zone = "UTC";
  for (unsigned d = 0; d < 7; ++d) s.windows.push_back({date::weekday{d}, 0h, 24h});
  auto rules = open_rules();
  rules.duration = 50min;
  const auto early = span_of("2026-01-15T00:00:00Z", "2026-01-15T03:00:00Z");
  REQUIRE(slots_of(s, {}, rules, early) == listing{{"2026-01-15T00:30:00Z", ok},
                                                   {"2026-01-15T01:20:00Z", ok},
                                                   {"2026-01-15T02:10:00Z", ok}});
  REQUIRE(slots_of(s, {}, rules, span_of("2026-01-15T01:00:00Z", "2026-01-15T03:00:00Z")) ==
          listing{{"2026-01-15T01:20:00Z", ok}, {"2026-01-15T02:10:00Z", ok}});

  SECTION("an effective date starts the run, and the grid, there") {
    // 14 days = 20160 minutes = 403 * 50 + 10: the grid point before midnight was 23:50.
    s.effective_from = date::year{2026} / 1 / 1;
    REQUIRE(slots_of(s, {}, rules, early) == listing{{"2026-01-15T00:40:00Z", ok},
                                                     {"2026-01-15T01:30:00Z", ok},
                                                     {"2026-01-15T02:20:00Z", ok}});
  }
  SECTION("a date exception with a gap starts a new run after the gap") {
    // Open again from 2026-01-10 01:00: 4 days 23 hours = 7140 minutes = 142 * 50 + 40 before
    // 2026-01-15 00:00, so the grid resumes at 00:10.
    s.exceptions = {slotbook::date_exception::custom(date::year{2026} / 1 / 10, {{1h, 24h}})};
    REQUIRE(slots_of(s, {}, rules, early) == listing{{"2026-01-15T00:10:00Z", ok},
                                                     {"2026-01-15T01:00:00Z", ok},
                                                     {"2026-01-15T01:50:00Z", ok},
                                                     {"2026-01-15T02:40:00Z", ok}});
  }
}

// --- each reason -------------------------------------------------------------------------------

TEST_CASE("a slot overlapping a busy interval is booked") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  REQUIRE(slots_of(s, {span_of("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z")}, open_rules(),
                   thursday) == listing{{"2026-01-15T09:00:00Z", ok},
                                        {"2026-01-15T10:00:00Z", slot_reason::booked},
                                        {"2026-01-15T11:00:00Z", ok}});
}

TEST_CASE("a booking that starts before a slot and runs into it makes the slot booked") {
  // The seed only looked for sessions starting inside the new one and missed this.
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  REQUIRE(slots_of(s, {span_of("2026-01-15T08:30:00Z", "2026-01-15T09:15:00Z")}, open_rules(),
                   thursday) == listing{{"2026-01-15T09:00:00Z", slot_reason::booked},
                                        {"2026-01-15T10:00:00Z", ok},
                                        {"2026-01-15T11:00:00Z", ok}});
}

TEST_CASE("bookings ending when a slot starts or starting when it ends do not block it") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  REQUIRE(slots_of(s,
                   {span_of("2026-01-15T08:00:00Z", "2026-01-15T09:00:00Z"),
                    span_of("2026-01-15T12:00:00Z", "2026-01-15T13:00:00Z")},
                   open_rules(), thursday) == listing{{"2026-01-15T09:00:00Z", ok},
                                                      {"2026-01-15T10:00:00Z", ok},
                                                      {"2026-01-15T11:00:00Z", ok}});
}

TEST_CASE("a slot whose buffer after overlaps a booking is refused for the buffer") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  auto rules = open_rules();
  rules.buffer_after = 15min;
  REQUIRE(slots_of(s, {span_of("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z")}, rules, thursday) ==
          listing{{"2026-01-15T09:00:00Z", slot_reason::buffer},
                  {"2026-01-15T10:00:00Z", slot_reason::booked},
                  {"2026-01-15T11:00:00Z", ok}});
}

TEST_CASE("a slot whose buffer before overlaps a booking is refused for the buffer") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  auto rules = open_rules();
  rules.buffer_before = 15min;
  REQUIRE(slots_of(s, {span_of("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z")}, rules, thursday) ==
          listing{{"2026-01-15T09:00:00Z", ok},
                  {"2026-01-15T10:00:00Z", slot_reason::booked},
                  {"2026-01-15T11:00:00Z", slot_reason::buffer}});
}

TEST_CASE("a slot starting before now plus the minimum notice is too soon") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  slotbook::slot_rules rules;  // 24 h notice
  REQUIRE(slots_of(s, {}, rules, thursday, at("2026-01-14T10:00:00Z")) ==
          listing{{"2026-01-15T09:00:00Z", slot_reason::too_soon},
                  {"2026-01-15T10:00:00Z", ok},  // exactly 24 h ahead is allowed
                  {"2026-01-15T11:00:00Z", ok}});
}

TEST_CASE("a slot already begun or past is too soon even without notice") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  REQUIRE(slots_of(s, {}, open_rules(), thursday, at("2026-01-15T10:30:00Z")) ==
          listing{{"2026-01-15T09:00:00Z", slot_reason::too_soon},
                  {"2026-01-15T10:00:00Z", slot_reason::too_soon},
                  {"2026-01-15T11:00:00Z", ok}});
}

TEST_CASE("a slot starting after now plus the maximum advance is too far") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  slotbook::slot_rules rules;  // 30 days ahead at most
  REQUIRE(slots_of(s, {}, rules, thursday, at("2025-12-16T10:00:00Z")) ==
          listing{{"2026-01-15T09:00:00Z", ok},
                  {"2026-01-15T10:00:00Z", ok},  // exactly 30 days ahead is allowed
                  {"2026-01-15T11:00:00Z", slot_reason::too_far}});
}

TEST_CASE("a day with max_per_day bookings is full, and the next day is not") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}, {date::Friday, 9h, 12h}});
  auto rules = open_rules();
  rules.max_per_day = 2;
  const std::vector<interval> busy{span_of("2026-01-15T13:00:00Z", "2026-01-15T14:00:00Z"),
                                   span_of("2026-01-15T14:00:00Z", "2026-01-15T15:00:00Z")};
  const auto both_days = span_of("2026-01-15T00:00:00Z", "2026-01-17T00:00:00Z");
  REQUIRE(slots_of(s, busy, rules, both_days) ==
          listing{{"2026-01-15T09:00:00Z", slot_reason::day_full},
                  {"2026-01-15T10:00:00Z", slot_reason::day_full},
                  {"2026-01-15T11:00:00Z", slot_reason::day_full},
                  {"2026-01-16T09:00:00Z", ok},
                  {"2026-01-16T10:00:00Z", ok},
                  {"2026-01-16T11:00:00Z", ok}});
  rules.max_per_day = 3;
  for (const auto& [start, reason] : slots_of(s, busy, rules, both_days)) CHECK(reason == ok);
}

TEST_CASE("bookings count toward the provider's local day, not the UTC day") {
  // Asia/Tokyo is UTC+9: Thursday 09:00-12:00 local is Thursday 00:00-03:00Z.
  slotbook::schedule s;
  s.zone = "Asia/Tokyo";
  s.windows = {{date::Thursday, 9h, 12h}};
  auto rules = open_rules();
  rules.max_per_day = 1;
  const auto range = span_of("2026-01-14T15:00:00Z", "2026-01-15T15:00:00Z");  // Thursday, JST
  // 2026-01-15 15:00Z is Friday 00:00 in Tokyo: it does not fill Thursday.
  const std::vector<interval> friday_jst{span_of("2026-01-15T15:00:00Z", "2026-01-15T16:00:00Z")};
  REQUIRE(slots_of(s, friday_jst, rules, range) == listing{{"2026-01-15T00:00:00Z", ok},
                                                           {"2026-01-15T01:00:00Z", ok},
                                                           {"2026-01-15T02:00:00Z", ok}});
  // 2026-01-14 16:00Z is a Wednesday in UTC but Thursday 01:00 in Tokyo: it fills Thursday.
  const std::vector<interval> thursday_jst{span_of("2026-01-14T16:00:00Z", "2026-01-14T17:00:00Z")};
  REQUIRE(slots_of(s, thursday_jst, rules, range) ==
          listing{{"2026-01-15T00:00:00Z", slot_reason::day_full},
                  {"2026-01-15T01:00:00Z", slot_reason::day_full},
                  {"2026-01-15T02:00:00Z", slot_reason::day_full}});
}

TEST_CASE("slots of a date closed by an exception are listed as exception") {
  auto s = in_utc({{date::Thursday, 9h, 12h}});
  s.exceptions = {slotbook::date_exception::closed(date::year{2026} / 1 / 15, "holiday")};
  REQUIRE(slots_of(s, {}, open_rules(), thursday) ==
          listing{{"2026-01-15T09:00:00Z", slot_reason::exception},
                  {"2026-01-15T10:00:00Z", slot_reason::exception},
                  {"2026-01-15T11:00:00Z", slot_reason::exception}});
  REQUIRE(slotbook::free_slots(s, {}, open_rules(), thursday, new_year).empty());
}

TEST_CASE(
    "custom hours offer their own grid and list weekly slots wholly outside them as "
    "exception") {
  // Weekly 09:00-17:00; on 2026-01-15 only 09:30-12:00. Weekly slots that overlap the custom hours
  // (09:00, 10:00, 11:00) are simply not offered; 12:00 to 16:00 were closed by the exception.
  auto s = in_utc({{date::Thursday, 9h, 17h}});
  s.exceptions = {slotbook::date_exception::custom(date::year{2026} / 1 / 15, {{9h + 30min, 12h}})};
  REQUIRE(slots_of(s, {}, open_rules(), thursday) ==
          listing{{"2026-01-15T09:30:00Z", ok},
                  {"2026-01-15T10:30:00Z", ok},
                  {"2026-01-15T12:00:00Z", slot_reason::exception},
                  {"2026-01-15T13:00:00Z", slot_reason::exception},
                  {"2026-01-15T14:00:00Z", slot_reason::exception},
                  {"2026-01-15T15:00:00Z", slot_reason::exception},
                  {"2026-01-15T16:00:00Z", slot_reason::exception}});
}

TEST_CASE("a fixed grid lists every grid time and marks those outside the hours") {
  auto s = in_utc({{date::Thursday, 9h + 30min, 12h}});
  auto rules = open_rules();
  rules.alignment = slotbook::slot_alignment::fixed_grid;
  const auto all = slots_of(s, {}, rules, thursday);
  REQUIRE(all.size() == 24);
  for (std::size_t h = 0; h < 24; ++h) {
    INFO("hour " << h);
    CHECK(all[h].first == fmt::format("2026-01-15T{:02}:00:00Z", h));
    CHECK(all[h].second == (h == 10 || h == 11 ? ok : slot_reason::outside_hours));
  }
}

TEST_CASE("a fixed grid marks the hours an exception closed as exception") {
  auto s = in_utc({{date::Thursday, 9h, 12h}});
  s.exceptions = {slotbook::date_exception::closed(date::year{2026} / 1 / 15)};
  auto rules = open_rules();
  rules.alignment = slotbook::slot_alignment::fixed_grid;
  const auto all = slots_of(s, {}, rules, thursday);
  REQUIRE(all.size() == 24);
  for (std::size_t h = 0; h < 24; ++h) {
    INFO("hour " << h);
    CHECK(all[h].second ==
          (h >= 9 && h <= 11 ? slot_reason::exception : slot_reason::outside_hours));
  }
}

TEST_CASE("a fixed hourly grid is on the provider's local hour") {
  // Asia/Kolkata is UTC+05:30. Hours 09:15-12:00 local = 03:45-06:30Z.
  slotbook::schedule s;
  s.zone = "Asia/Kolkata";
  s.windows = {{date::Thursday, 9h + 15min, 12h}};
  auto rules = open_rules();
  const auto range = span_of("2026-01-15T03:00:00Z", "2026-01-15T07:00:00Z");
  REQUIRE(slotbook::free_slots(s, {}, rules, range, new_year) ==
          std::vector<interval>{span_of("2026-01-15T03:45:00Z", "2026-01-15T04:45:00Z"),
                                span_of("2026-01-15T04:45:00Z", "2026-01-15T05:45:00Z")});
  rules.alignment = slotbook::slot_alignment::fixed_grid;
  // 10:00 and 11:00 IST.
  REQUIRE(slotbook::free_slots(s, {}, rules, range, new_year) ==
          std::vector<interval>{span_of("2026-01-15T04:30:00Z", "2026-01-15T05:30:00Z"),
                                span_of("2026-01-15T05:30:00Z", "2026-01-15T06:30:00Z")});
}

// --- which reason wins -------------------------------------------------------------------------

TEST_CASE("too soon is reported before booked") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  const auto slots = slots_of(s, {span_of("2026-01-15T09:00:00Z", "2026-01-15T10:00:00Z")},
                              slotbook::slot_rules{}, thursday, at("2026-01-14T12:00:00Z"));
  REQUIRE(slots.front() == std::pair{std::string{"2026-01-15T09:00:00Z"}, slot_reason::too_soon});
}

TEST_CASE("too far is reported before booked") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  const auto slots = slots_of(s, {span_of("2026-01-15T11:00:00Z", "2026-01-15T12:00:00Z")},
                              slotbook::slot_rules{}, thursday, at("2025-12-16T10:00:00Z"));
  REQUIRE(slots.back() == std::pair{std::string{"2026-01-15T11:00:00Z"}, slot_reason::too_far});
}

TEST_CASE("booked is reported before buffer and day full") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  auto rules = open_rules();
  rules.buffer_before = rules.buffer_after = 30min;
  rules.max_per_day = 1;
  const auto slots =
      slots_of(s, {span_of("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z")}, rules, thursday);
  REQUIRE(slots[1] == std::pair{std::string{"2026-01-15T10:00:00Z"}, slot_reason::booked});
}

TEST_CASE("buffer is reported before day full") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  auto rules = open_rules();
  rules.buffer_after = 60min;
  rules.max_per_day = 1;
  REQUIRE(slots_of(s, {span_of("2026-01-15T12:00:00Z", "2026-01-15T13:00:00Z")}, rules, thursday) ==
          listing{{"2026-01-15T09:00:00Z", slot_reason::day_full},
                  {"2026-01-15T10:00:00Z", slot_reason::day_full},
                  {"2026-01-15T11:00:00Z", slot_reason::buffer}});
}

TEST_CASE("exception and outside hours are reported before too soon") {
  auto s = in_utc({{date::Thursday, 9h, 12h}});
  s.exceptions = {slotbook::date_exception::closed(date::year{2026} / 1 / 15)};
  const auto late = at("2026-01-20T00:00:00Z");
  REQUIRE(slots_of(s, {}, slotbook::slot_rules{}, thursday, late).front().second ==
          slot_reason::exception);
  auto rules = slotbook::slot_rules{};
  rules.alignment = slotbook::slot_alignment::fixed_grid;
  REQUIRE(slots_of(s, {}, rules, thursday, late).front().second == slot_reason::outside_hours);
}

// --- free_slots and busy input -----------------------------------------------------------------

TEST_CASE("free_slots returns exactly the available slots in order") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}, {date::Friday, 9h, 12h}});
  const std::vector<interval> busy{span_of("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z")};
  const auto range = span_of("2026-01-15T00:00:00Z", "2026-01-17T00:00:00Z");
  REQUIRE(starts_of(slotbook::free_slots(s, busy, open_rules(), range, new_year)) ==
          std::vector<std::string>{"2026-01-15T09:00:00Z", "2026-01-15T11:00:00Z",
                                   "2026-01-16T09:00:00Z", "2026-01-16T10:00:00Z",
                                   "2026-01-16T11:00:00Z"});
}

TEST_CASE("busy intervals may come in any order and may overlap") {
  const auto s = in_utc({{date::Thursday, 8h, 14h}});
  auto rules = open_rules();
  rules.buffer_after = 10min;
  const std::vector<interval> sorted{span_of("2026-01-15T08:00:00Z", "2026-01-15T11:30:00Z"),
                                     span_of("2026-01-15T09:00:00Z", "2026-01-15T09:30:00Z"),
                                     span_of("2026-01-15T13:05:00Z", "2026-01-15T13:20:00Z")};
  const std::vector<interval> shuffled{sorted[2], sorted[1], sorted[0]};
  const auto expected = listing{
      {"2026-01-15T08:00:00Z", slot_reason::booked}, {"2026-01-15T09:00:00Z", slot_reason::booked},
      {"2026-01-15T10:00:00Z", slot_reason::booked}, {"2026-01-15T11:00:00Z", slot_reason::booked},
      {"2026-01-15T12:00:00Z", slot_reason::buffer}, {"2026-01-15T13:00:00Z", slot_reason::booked}};
  REQUIRE(slots_of(s, sorted, rules, thursday) == expected);
  REQUIRE(slots_of(s, shuffled, rules, thursday) == expected);
}

// --- check_bookable ----------------------------------------------------------------------------

TEST_CASE("check_bookable accepts a slot the list offers and refuses one it marks") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  const std::vector<interval> busy{span_of("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z")};
  const auto check = [&](std::string_view begin, std::string_view end) {
    return slotbook::check_bookable(s, busy, open_rules(), span_of(begin, end), new_year);
  };
  REQUIRE(check("2026-01-15T09:00:00Z", "2026-01-15T10:00:00Z") ==
          slotbook::slot_decision{true, ok});
  REQUIRE(check("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z") ==
          slotbook::slot_decision{false, slot_reason::booked});
  REQUIRE(static_cast<bool>(check("2026-01-15T11:00:00Z", "2026-01-15T12:00:00Z")));
}

TEST_CASE("check_bookable refuses a start inside the hours but off the slot grid") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  REQUIRE(slotbook::check_bookable(
              s, {}, open_rules(), span_of("2026-01-15T09:30:00Z", "2026-01-15T10:30:00Z"),
              new_year) == slotbook::slot_decision{false, slot_reason::not_on_grid});
}

TEST_CASE("check_bookable refuses an interval that is not one session long") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  REQUIRE(slotbook::check_bookable(s, {}, open_rules(),
                                   span_of("2026-01-15T09:00:00Z", "2026-01-15T09:30:00Z"),
                                   new_year)
              .reason == slot_reason::wrong_duration);
}

TEST_CASE("check_bookable refuses time outside the hours, even partly outside") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  for (const auto& [begin, end] : std::vector<std::pair<std::string, std::string>>{
           {"2026-01-15T13:00:00Z", "2026-01-15T14:00:00Z"},
           {"2026-01-15T11:30:00Z", "2026-01-15T12:30:00Z"},
           {"2026-01-15T08:30:00Z", "2026-01-15T09:30:00Z"}}) {
    INFO(begin);
    CHECK(slotbook::check_bookable(s, {}, open_rules(), span_of(begin, end), new_year) ==
          slotbook::slot_decision{false, slot_reason::outside_hours});
  }
}

TEST_CASE("check_bookable refuses weekly hours a date exception closed as exception") {
  auto s = in_utc({{date::Thursday, 9h, 17h}});
  s.exceptions = {slotbook::date_exception::custom(date::year{2026} / 1 / 15, {{9h + 30min, 12h}})};
  const auto check = [&](std::string_view begin, std::string_view end) {
    return slotbook::check_bookable(s, {}, open_rules(), span_of(begin, end), new_year);
  };
  REQUIRE(check("2026-01-15T13:00:00Z", "2026-01-15T14:00:00Z").reason == slot_reason::exception);
  // On the weekly grid but overlapping the custom hours: not offered, and refused.
  REQUIRE(check("2026-01-15T09:00:00Z", "2026-01-15T10:00:00Z").reason == slot_reason::exception);
  REQUIRE(check("2026-01-15T09:30:00Z", "2026-01-15T10:30:00Z").allowed);
  REQUIRE(check("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z").reason == slot_reason::not_on_grid);
}

TEST_CASE("check_bookable on a fixed grid accepts grid times and refuses the others") {
  const auto s = in_utc({{date::Thursday, 9h + 30min, 12h}});
  auto rules = open_rules();
  rules.alignment = slotbook::slot_alignment::fixed_grid;
  const auto check = [&](std::string_view begin, std::string_view end) {
    return slotbook::check_bookable(s, {}, rules, span_of(begin, end), new_year);
  };
  REQUIRE(check("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z").allowed);
  REQUIRE(check("2026-01-15T09:00:00Z", "2026-01-15T10:00:00Z").reason ==
          slot_reason::outside_hours);
  REQUIRE(check("2026-01-15T09:30:00Z", "2026-01-15T10:30:00Z").reason == slot_reason::not_on_grid);
}

TEST_CASE("check_bookable gives the same answer as the list for every listed slot") {
  auto s = in_utc({{date::Thursday, 8h, 18h}, {date::Friday, 8h, 12h}});
  s.exceptions = {slotbook::date_exception::custom(date::year{2026} / 1 / 16, {{10h, 11h}})};
  slotbook::slot_rules rules;
  rules.step = 30min;
  rules.buffer_after = 15min;
  rules.max_per_day = 3;
  const auto now = at("2026-01-14T09:10:00Z");
  const std::vector<interval> busy{span_of("2026-01-15T12:00:00Z", "2026-01-15T13:00:00Z"),
                                   span_of("2026-01-15T15:00:00Z", "2026-01-15T16:00:00Z")};
  const auto range = span_of("2026-01-15T00:00:00Z", "2026-01-17T00:00:00Z");
  const auto slots = slotbook::generate_slots(s, busy, rules, range, now);
  REQUIRE(slots.size() > 20);
  for (const slotbook::slot& slot : slots) {
    INFO(slotbook::to_string(slot.time));
    CHECK(slotbook::check_bookable(s, busy, rules, slot.time, now) ==
          slotbook::slot_decision{slot.available, slot.reason});
  }
}

TEST_CASE("refusal reasons map to error classes") {
  CHECK(slotbook::to_errc(slot_reason::booked) == slotbook::errc::conflict);
  CHECK(slotbook::to_errc(slot_reason::buffer) == slotbook::errc::conflict);
  CHECK(slotbook::to_errc(slot_reason::too_soon) == slotbook::errc::policy_denied);
  CHECK(slotbook::to_errc(slot_reason::too_far) == slotbook::errc::policy_denied);
  CHECK(slotbook::to_errc(slot_reason::day_full) == slotbook::errc::policy_denied);
  CHECK(slotbook::to_errc(slot_reason::exception) == slotbook::errc::outside_availability);
  CHECK(slotbook::to_errc(slot_reason::outside_hours) == slotbook::errc::outside_availability);
  CHECK(slotbook::to_errc(slot_reason::not_on_grid) == slotbook::errc::outside_availability);
  CHECK(slotbook::to_errc(slot_reason::wrong_duration) == slotbook::errc::invalid_argument);
  CHECK(slotbook::to_string(slot_reason::booked) == "booked");
  CHECK(slotbook::to_string(slot_reason::day_full) == "day_full");
  CHECK(slotbook::to_string(slot_reason::none).empty());
}

// --- bad input ---------------------------------------------------------------------------------

TEST_CASE("rules out of range are refused naming the field") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  const auto fails = [&](slotbook::slot_rules rules) {
    try {
      (void)slotbook::generate_slots(s, {}, rules, thursday, new_year);
    } catch (const slotbook::error& e) {
      CHECK(e.code() == slotbook::errc::invalid_argument);
      return std::string{e.what()};
    }
    return std::string{"(no error)"};
  };
  auto r = open_rules();
  r.duration = 0min;
  CHECK(fails(r) == "rules.duration: 0 min is outside 1 to 10080 min");
  r = open_rules();
  r.step = -15min;
  CHECK(fails(r) == "rules.step: -15 min is outside 1 to 10080 min");
  r = open_rules();
  r.buffer_after = -1min;
  CHECK(fails(r) == "rules.buffer_after: -1 min is outside 0 to 1440 min");
  r = open_rules();
  r.minimum_notice = -1min;
  CHECK(fails(r) == "rules.minimum_notice: -1 min is outside 0 to 5270400 min");
  r = open_rules();
  r.alignment = static_cast<slotbook::slot_alignment>(7);
  CHECK(fails(r) == "rules.alignment: 7 is not a slot alignment");
}

TEST_CASE("bad ranges, busy intervals, proposals and clocks are refused") {
  const auto s = in_utc({{date::Thursday, 9h, 12h}});
  const auto t = at("2026-01-15T09:00:00Z");
  CHECK_THROWS_WITH(slotbook::generate_slots(s, {}, open_rules(), {t, t}, new_year),
                    "range: end 2026-01-15T09:00:00Z is not after begin 2026-01-15T09:00:00Z");
  CHECK_THROWS_WITH(slotbook::free_slots(s, {}, open_rules(), {t, t + date::days{401}}, new_year),
                    Catch::Contains("longer than the 400 days"));
  const std::vector<interval> inverted{{t, t}, {t + 1h, t}};
  CHECK_THROWS_WITH(slotbook::generate_slots(s, inverted, open_rules(), thursday, new_year),
                    "busy[0]: end 2026-01-15T09:00:00Z is not after begin 2026-01-15T09:00:00Z");
  CHECK_THROWS_WITH(slotbook::check_bookable(s, {}, open_rules(), {t, t - 1h}, new_year),
                    Catch::StartsWith("proposed: end"));
  CHECK_THROWS_WITH(
      slotbook::check_bookable(s, {}, open_rules(), {t, t + 1h},
                               slotbook::instant{date::sys_days{date::year{3001} / 1 / 1}}),
      "now: 3001-01-01T00:00:00Z is outside the supported years 1900 to 2999");
}

// --- team queries ------------------------------------------------------------------------------

namespace {

struct team_fixture {
  slotbook::availability a{in_utc({{date::Thursday, 9h, 12h}})};
  slotbook::availability b{in_utc({{date::Thursday, 10h, 12h}})};
  slotbook::availability c{in_utc({{date::Thursday, 9h, 10h + 30min}})};
  std::vector<interval> a_busy{span_of("2026-01-15T09:00:00Z", "2026-01-15T10:00:00Z")};
  slotbook::slot_rules hour = open_rules();
  slotbook::slot_rules half_hour = [] {
    auto r = open_rules();
    r.duration = 30min;
    return r;
  }();
  std::vector<slotbook::team_member> team{
      {slotbook::provider_id{1}, &a, a_busy, &hour},
      {slotbook::provider_id{2}, &b, {}, &hour},
      {slotbook::provider_id{3}, &c, {}, &half_hour},
  };
};

}  // namespace

TEST_CASE("providers_free_at lists the providers who could take a session starting then") {
  team_fixture f;
  using ids = std::vector<slotbook::provider_id>;
  REQUIRE(slotbook::providers_free_at(f.team, at("2026-01-15T09:00:00Z"), new_year) ==
          ids{slotbook::provider_id{3}});  // 1 is booked, 2 starts at 10:00
  REQUIRE(slotbook::providers_free_at(f.team, at("2026-01-15T10:00:00Z"), new_year) ==
          ids{slotbook::provider_id{1}, slotbook::provider_id{2}, slotbook::provider_id{3}});
  REQUIRE(slotbook::providers_free_at(f.team, at("2026-01-15T10:15:00Z"), new_year).empty());
}

TEST_CASE("earliest_team_slot finds the earliest slot of any provider") {
  team_fixture f;
  REQUIRE(slotbook::earliest_team_slot(f.team, at("2026-01-15T00:00:00Z"), new_year) ==
          slotbook::team_slot{slotbook::provider_id{3},
                              span_of("2026-01-15T09:00:00Z", "2026-01-15T09:30:00Z")});
}

TEST_CASE("earliest_team_slot gives a tie to the provider listed first") {
  team_fixture f;
  f.team.pop_back();  // on 2026-01-15, providers 1 and 2 both first have 10:00
  const auto from = at("2026-01-15T00:00:00Z");
  const auto ten = span_of("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z");
  REQUIRE(slotbook::earliest_team_slot(f.team, from, new_year) ==
          slotbook::team_slot{slotbook::provider_id{1}, ten});
  std::swap(f.team[0], f.team[1]);
  REQUIRE(slotbook::earliest_team_slot(f.team, from, new_year) ==
          slotbook::team_slot{slotbook::provider_id{2}, ten});
}

TEST_CASE("earliest_team_slot applies each provider's own notice") {
  team_fixture f;
  f.half_hour.minimum_notice = 48h;  // provider 3's Thursday is too soon
  f.hour.minimum_notice = 24h;       // 1 and 2 may start from 2026-01-15 09:30
  const auto now = at("2026-01-14T09:30:00Z");
  REQUIRE(slotbook::earliest_team_slot(f.team, now, now) ==
          slotbook::team_slot{slotbook::provider_id{1},
                              span_of("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z")});
}

TEST_CASE("earliest_team_slot looks beyond the first days") {
  team_fixture f;
  // From Friday, the next Thursday is 2026-01-22, when providers 1 and 3 both start at 09:00.
  const auto found = slotbook::earliest_team_slot(f.team, at("2026-01-16T00:00:00Z"), new_year);
  REQUIRE(found.has_value());
  REQUIRE(slotbook::format_instant(found->time.begin) == "2026-01-22T09:00:00Z");
  REQUIRE(found->provider == slotbook::provider_id{1});
  f.team.erase(f.team.begin());
  REQUIRE(slotbook::earliest_team_slot(f.team, at("2026-01-16T00:00:00Z"), new_year) ==
          slotbook::team_slot{slotbook::provider_id{3},
                              span_of("2026-01-22T09:00:00Z", "2026-01-22T09:30:00Z")});
}

TEST_CASE("earliest_team_slot finds nothing beyond every provider's horizon") {
  team_fixture f;
  f.hour.maximum_advance = f.half_hour.maximum_advance = date::days{3};
  REQUIRE_FALSE(
      slotbook::earliest_team_slot(f.team, at("2026-01-16T00:00:00Z"), at("2026-01-15T12:00:00Z"))
          .has_value());
  REQUIRE_FALSE(slotbook::earliest_team_slot({}, new_year, new_year).has_value());
}

TEST_CASE("a team member without hours or rules is refused") {
  team_fixture f;
  f.team[1].rules = nullptr;
  REQUIRE_THROWS_WITH(slotbook::providers_free_at(f.team, new_year, new_year),
                      "team[1].rules: is null");
  REQUIRE_THROWS_AS(slotbook::earliest_team_slot(f.team, new_year, new_year), slotbook::error);
}

TEST_CASE("slot rules compare equal field by field") {
  slotbook::slot_rules a, b;
  REQUIRE(a == b);
  b.step = 60min;  // the same grid, but a different setting
  REQUIRE_FALSE(a == b);
  b = a;
  b.max_per_day = 4;
  REQUIRE_FALSE(a == b);
}
