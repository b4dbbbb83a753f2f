// tool_rrule_expand: expands RRULEs read from stdin and prints the occurrences, for
// tests/oracle/rrule_test.py to compare with python-dateutil's rrule.
//
// Input: one case per line (blank lines and lines starting with '#' are ignored), fields separated
// by single spaces:
//   ZONE DTSTART DURATION_S WINDOW_BEGIN WINDOW_END MAX START_RULE RULE
//   America/New_York 2026-03-02T09:00:00 3000 2026-01-01T00:00:00Z 2027-01-01T00:00:00Z 100 m
//       FREQ=WEEKLY;COUNT=10            (on the same line)
// DTSTART is the local wall-clock start; START_RULE is `m` (dtstart_rule::matching_only) or `a`
// (dtstart_rule::always); RULE is the RRULE text, with or without "RRULE:", no spaces.
// Output per case: "ok N TRUNCATED CANONICAL" (TRUNCATED 0 or 1, CANONICAL = format_rrule) and N
// lines "LOCAL_START UTC_BEGIN UTC_END", or one line "error CODE MESSAGE".
// Exit status: 0 after the last line, 2 on a line it cannot read.

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "slotbook/recurrence.hpp"
#include "slotbook/time.hpp"

namespace {

[[noreturn]] void bad_line(std::size_t number, const std::string& line) {
  std::cerr << "tool_rrule_expand: cannot read line " << number << ": " << line << "\n";
  std::exit(2);
}

// `YYYY-MM-DDTHH:MM:SS` as a date and seconds since midnight.
bool read_local(const std::string& text, slotbook::recurrence_start& start) {
  if (text.size() != 19 || text[10] != 'T') return false;
  start.date = slotbook::parse_date(text.substr(0, 10), "dtstart");
  const auto hm = slotbook::parse_time_of_day(text.substr(11, 5), "dtstart");
  if (text[16] != ':' || text[17] < '0' || text[17] > '5' || text[18] < '0' || text[18] > '9') {
    return false;
  }
  start.time_of_day = hm + std::chrono::seconds{(text[17] - '0') * 10 + (text[18] - '0')};
  return true;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  std::size_t number = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in{line};
    std::string zone, dtstart, begin, end, start_rule, rule;
    long long duration = 0;
    std::size_t max = 0;
    if (!(in >> zone >> dtstart >> duration >> begin >> end >> max >> start_rule >> rule)) {
      bad_line(number, line);
    }
    try {
      slotbook::recurrence_start start;
      start.zone = zone;
      if (!read_local(dtstart, start)) bad_line(number, line);
      slotbook::expand_options options;
      options.max_occurrences = max;
      options.start = start_rule == "a" ? slotbook::dtstart_rule::always
                                        : slotbook::dtstart_rule::matching_only;
      const slotbook::recurrence_rule r = slotbook::parse_rrule(rule);
      const slotbook::expansion e =
          slotbook::expand(r, start, std::chrono::seconds{duration},
                           {slotbook::parse_instant(begin), slotbook::parse_instant(end)}, options);
      std::cout << "ok " << e.occurrences.size() << ' ' << (e.truncated ? 1 : 0) << ' '
                << slotbook::format_rrule(r) << '\n';
      for (const slotbook::occurrence& o : e.occurrences) {
        std::cout << date::format("%FT%T", o.local_start) << ' '
                  << slotbook::format_instant(o.utc.begin) << ' '
                  << slotbook::format_instant(o.utc.end) << '\n';
      }
    } catch (const slotbook::error& e) {
      std::string message = e.what();
      for (char& c : message) {
        if (c == '\n') c = ' ';
      }
      std::cout << "error " << slotbook::to_string(e.code()) << ' ' << message << '\n';
    }
  }
  return 0;
}
