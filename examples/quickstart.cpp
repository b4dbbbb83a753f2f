// Quickstart: one psychologist's week of bookings in an interval_index, a few conflict checks, and
// the free time left on one day. The psychologist works in Nairobi: times are written and printed
// in local time (EAT, UTC+3), while slotbook itself stores and compares UTC instants.

#include <array>
#include <chrono>
#include <string>

#include <fmt/format.h>

#include "slotbook/interval_index.hpp"

namespace {

const date::time_zone& nairobi() { return slotbook::find_zone("Africa/Nairobi"); }

// "10:30" in Nairobi.
std::string clock(slotbook::instant t) {
  const auto local = slotbook::to_civil(t, nairobi());
  return slotbook::format_time_of_day(
      std::chrono::duration_cast<std::chrono::minutes>(local.time_of_day));
}

// "10:30–11:30 EAT on Tue 2026-01-13".
std::string describe(slotbook::interval s) {
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const auto local = slotbook::to_civil(s.begin, nairobi());
  return fmt::format("{}–{} {} on {} {}", clock(s.begin), clock(s.end), local.abbreviation,
                     days[local.weekday.c_encoding()], slotbook::format_date(local.date));
}

// A span from a local date and start time to an end time that day, in Nairobi:
// between("2026-01-13T10:00", "11:00") is 10:00-11:00 EAT on Tuesday 13 January 2026.
slotbook::interval between(const std::string& day_and_start, const std::string& end_time) {
  const std::string day = day_and_start.substr(0, 10);
  return slotbook::make_interval(slotbook::parse_instant(day_and_start + ":00+03:00"),
                                 slotbook::parse_instant(day + "T" + end_time + ":00+03:00"));
}

}  // namespace

int main() {
  slotbook::interval_index week;
  week.insert(slotbook::session_id{1}, between("2026-01-12T09:00", "10:00"));  // Monday
  week.insert(slotbook::session_id{2}, between("2026-01-13T10:00", "11:00"));  // Tuesday
  week.insert(slotbook::session_id{3}, between("2026-01-13T14:00", "15:30"));  // 90-min intake
  week.insert(slotbook::session_id{4}, between("2026-01-13T16:00", "17:00"));
  week.insert(slotbook::session_id{5}, between("2026-01-15T11:00", "12:00"));  // Thursday

  fmt::print("The week's bookings:\n");
  for (const slotbook::index_entry& e : week.entries()) {
    fmt::print("  session {}: {} to {}\n", slotbook::to_string(e.id),
               slotbook::format_instant(e.span.begin, nairobi()),
               slotbook::format_instant(e.span.end, nairobi()));
  }

  // Is the time free? first_overlap answers "no, because of this session" in one search.
  const auto check = [&week](slotbook::interval wanted, const char* remark) {
    if (const auto other = week.first_overlap(wanted)) {
      fmt::print("  {}: conflicts with session {} ({}–{}){}\n", describe(wanted),
                 slotbook::to_string(other->id), clock(other->span.begin), clock(other->span.end),
                 remark);
    } else {
      fmt::print("  {}: free{}\n", describe(wanted), remark);
    }
  };
  fmt::print("\nCan a client book...\n");
  check(between("2026-01-13T10:30", "11:30"), " — it began earlier; the old platform missed this");
  check(between("2026-01-13T11:00", "12:00"), " — back-to-back with session 2 is allowed");
  check(between("2026-01-13T15:00", "16:00"), "");
  check(between("2026-01-13T15:30", "16:00"), " — it fits exactly between sessions 3 and 4");

  fmt::print("\nFree time on Tuesday between 08:00 and 18:00:\n");
  for (const slotbook::interval& gap : week.free_gaps(between("2026-01-13T08:00", "18:00"))) {
    fmt::print("  {}\n", describe(gap));
  }

  // Inserting an overlapping booking is refused; the message is in UTC and names both sessions.
  try {
    week.insert(slotbook::session_id{6}, between("2026-01-13T16:30", "17:30"));
  } catch (const slotbook::error& e) {
    fmt::print("\nRefused ({}): {}\n", slotbook::to_string(e.code()), e.what());
  }
  return 0;
}
