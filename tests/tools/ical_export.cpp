// tool_ical_export: builds calendars from directives on stdin, prints slotbook's iCalendar export
// and the busy times slotbook imports back from it (or from given text), for
// tests/oracle/ical_test.py to check with python3-icalendar and dateutil.
//
// Input, one directive per line, fields as key=value separated by spaces; free text is hex-encoded
// bytes (so it may hold any byte, newlines and invalid UTF-8 included):
//   options domain=clinic.example times=utc|zone zone=Africa/Nairobi alarms=1440,120,15
//           now=2026-03-01T00:00:00Z
//   session id=42 start=2026-03-08T07:30:00Z minutes=50 status=confirmed reschedules=2
//           created=... updated=... summary=HEX description=HEX location=HEX [sequence=N]
//   series id=5 rule=FREQ=WEEKLY;COUNT=6 date=2026-03-02 time=09:00:00 zone=America/New_York
//          minutes=50 status=scheduled sequence=1 cancelled=INSTANT,INSTANT summary=HEX ...
//   export                prints "ok N", a newline and the N bytes of the calendar, then a newline;
//                         or "error CODE MESSAGE". The sessions and series are then cleared.
//   import zone=Z begin=INSTANT end=INSTANT [text=HEX]
//                         imports `text` (default: the last export) and prints "ok N" and N lines
//                         "BEGIN END ALL_DAY UID_HEX", or "error CODE MESSAGE".
// Exit status: 0 after the last line, 2 on a line it cannot read.

#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "slotbook/ical.hpp"

namespace {

[[noreturn]] void bad_line(std::size_t number, const std::string& line) {
  std::cerr << "tool_ical_export: cannot read line " << number << ": " << line << "\n";
  std::exit(2);
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string to_hex(const std::string& text) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t next = std::min(text.find(sep, at), text.size());
    out.push_back(text.substr(at, next - at));
    at = next + 1;
  }
  return out;
}

slotbook::event_details details_of(std::map<std::string, std::string>& f) {
  slotbook::event_details d;
  d.summary = unhex(f["summary"]);
  d.description = unhex(f["description"]);
  d.location = unhex(f["location"]);
  if (f.count("sequence") && f.count("rule") == 0) d.sequence = std::stoi(f["sequence"]);
  return d;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  slotbook::ical_export_options options;
  slotbook::instant now{};
  std::vector<slotbook::session_event> sessions;
  std::vector<slotbook::series_event> series;
  std::string last;
  std::string line;
  std::size_t number = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in{line};
    std::string verb, token;
    in >> verb;
    std::map<std::string, std::string> f;
    while (in >> token) {
      const std::size_t eq = token.find('=');
      if (eq == std::string::npos) bad_line(number, line);
      f[token.substr(0, eq)] = token.substr(eq + 1);
    }
    try {
      if (verb == "options") {
        options = {};
        options.uid_domain = f["domain"];
        options.times =
            f["times"] == "zone" ? slotbook::ical_times::zone : slotbook::ical_times::utc;
        options.zone = f["zone"];
        options.alarms.offsets.clear();
        for (const std::string& m : split(f["alarms"], ',')) {
          options.alarms.offsets.push_back(std::chrono::minutes{std::stoi(m)});
        }
        now = slotbook::parse_instant(f["now"]);
      } else if (verb == "session") {
        slotbook::session s;
        s.id = slotbook::session_id{std::stoull(f["id"])};
        s.client = slotbook::client_id{1};
        s.provider = slotbook::provider_id{2};
        s.scheduled_at = slotbook::parse_instant(f["start"]);
        s.duration = std::chrono::minutes{std::stoi(f["minutes"])};
        s.status = slotbook::parse_session_status(f["status"]);
        s.reschedule_count = std::stoi(f["reschedules"]);
        s.created_at = slotbook::parse_instant(f["created"]);
        s.updated_at = slotbook::parse_instant(f["updated"]);
        // What validate() asks of each status.
        if (s.status == slotbook::session_status::in_progress ||
            s.status == slotbook::session_status::completed) {
          s.joined_at = s.scheduled_at;
        }
        if (s.status == slotbook::session_status::completed) {
          s.ended_at = s.scheduled_at + s.duration;
          s.actual_duration = s.duration;
        }
        if (s.status == slotbook::session_status::cancelled) s.cancelled_at = s.updated_at;
        sessions.push_back({s, details_of(f)});
      } else if (verb == "series") {
        slotbook::series_event x;
        x.id = slotbook::series_id{std::stoull(f["id"])};
        x.rule = slotbook::parse_rrule(f["rule"]);
        x.start.date = slotbook::parse_date(f["date"]);
        const std::string& t = f["time"];
        if (t.size() != 8) bad_line(number, line);
        x.start.time_of_day = slotbook::parse_time_of_day(t.substr(0, 5)) +
                              std::chrono::seconds{std::stoi(t.substr(6, 2))};
        x.start.zone = f["zone"];
        x.duration = std::chrono::minutes{std::stoi(f["minutes"])};
        x.status = slotbook::parse_session_status(f["status"]);
        x.sequence = std::stoi(f["sequence"]);
        for (const std::string& c : split(f["cancelled"], ',')) {
          x.cancelled.push_back(slotbook::parse_instant(c));
        }
        x.details = details_of(f);
        series.push_back(std::move(x));
      } else if (verb == "export") {
        const auto s = std::move(sessions);
        const auto x = std::move(series);
        sessions.clear();
        series.clear();
        last = slotbook::export_calendar(s, x, options, now);
        std::cout << "ok " << last.size() << '\n' << last << '\n';
      } else if (verb == "import") {
        slotbook::ical_import_options io;
        io.zone = f["zone"];
        io.window = {slotbook::parse_instant(f["begin"]), slotbook::parse_instant(f["end"])};
        const std::string text = f.count("text") ? unhex(f["text"]) : last;
        const slotbook::ical_busy found = slotbook::import_busy_times(text, io);
        std::cout << "ok " << found.busy.size() << '\n';
        for (const slotbook::busy_time& b : found.busy) {
          std::cout << slotbook::format_instant(b.utc.begin) << ' '
                    << slotbook::format_instant(b.utc.end) << ' ' << (b.all_day ? 1 : 0) << ' '
                    << to_hex(b.uid) << '\n';
        }
      } else {
        bad_line(number, line);
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
