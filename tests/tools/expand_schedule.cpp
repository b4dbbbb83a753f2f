// tool_expand_schedule: reads schedules and ranges as lines on stdin and prints the expanded UTC
// intervals, for tests/oracle/availability_zoneinfo_test.py to compare with Python's zoneinfo.
//
// Input, one directive per line (blank lines and lines starting with '#' are ignored):
//   zone America/New_York                      the schedule's zone
//   window 1 09:00 17:00                       weekly window: weekday (0 = Sunday) start end
//   closed 2026-12-25                          date exception: closed all day
//   custom 2026-12-24 09:00 12:00              date exception: custom window (repeat for more)
//   from 2026-01-01 / until 2026-12-31         effective dates (inclusive)
//   inactive                                   the schedule is switched off
//   expand 2026-03-01T00:00:00Z 2026-04-01T00:00:00Z
//                                              prints "ok N" then N lines "BEGIN END"
//                                              (or "error CODE MESSAGE"); the schedule is kept
//   reset                                      starts a new, empty schedule
// Exit status: 0 after the last line, 2 on a line it cannot read.

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "slotbook/availability.hpp"
#include "slotbook/time.hpp"

namespace {

[[noreturn]] void bad_line(std::size_t number, const std::string& line) {
  std::cerr << "tool_expand_schedule: cannot read line " << number << ": " << line << "\n";
  std::exit(2);
}

slotbook::date_exception& exception_for(slotbook::schedule& s, date::year_month_day day) {
  for (slotbook::date_exception& x : s.exceptions) {
    if (date::sys_days{x.date} == date::sys_days{day}) return x;
  }
  s.exceptions.push_back({day, false, {}, {}});
  return s.exceptions.back();
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  slotbook::schedule s;
  std::string line;
  std::size_t number = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in{line};
    std::string verb;
    in >> verb;
    try {
      if (verb == "zone") {
        in >> s.zone;
      } else if (verb == "window") {
        unsigned day = 0;
        std::string start, end;
        if (!(in >> day >> start >> end)) bad_line(number, line);
        s.windows.push_back({date::weekday{day}, slotbook::parse_time_of_day(start),
                             slotbook::parse_time_of_day(end)});
      } else if (verb == "closed") {
        std::string day;
        if (!(in >> day)) bad_line(number, line);
        exception_for(s, slotbook::parse_date(day)).available = false;
      } else if (verb == "custom") {
        std::string day, start, end;
        if (!(in >> day >> start >> end)) bad_line(number, line);
        slotbook::date_exception& x = exception_for(s, slotbook::parse_date(day));
        x.available = true;
        x.hours.push_back({slotbook::parse_time_of_day(start), slotbook::parse_time_of_day(end)});
      } else if (verb == "from" || verb == "until") {
        std::string day;
        if (!(in >> day)) bad_line(number, line);
        (verb == "from" ? s.effective_from : s.effective_until) = slotbook::parse_date(day);
      } else if (verb == "inactive") {
        s.active = false;
      } else if (verb == "reset") {
        s = {};
      } else if (verb == "expand") {
        std::string begin, end;
        if (!(in >> begin >> end)) bad_line(number, line);
        const slotbook::interval range{slotbook::parse_instant(begin),
                                       slotbook::parse_instant(end)};
        try {
          const std::vector<slotbook::interval> out = slotbook::expand(s, range);
          std::cout << "ok " << out.size() << "\n";
          for (const slotbook::interval& i : out) {
            std::cout << slotbook::format_instant(i.begin) << " " << slotbook::format_instant(i.end)
                      << "\n";
          }
        } catch (const slotbook::error& e) {
          std::cout << "error " << slotbook::to_string(e.code()) << " " << e.what() << "\n";
        }
      } else {
        bad_line(number, line);
      }
    } catch (const slotbook::error& e) {
      std::cerr << "tool_expand_schedule: line " << number << ": " << e.what() << "\n";
      return 2;
    }
  }
  std::cout.flush();
  return 0;
}
