// libFuzzer target for the iCalendar importer (and the exporter's text handling): any input either
// imports or is refused with errc::invalid_argument, never a crash; what it returns is sorted,
// non-empty intervals overlapping the window. The same bytes used as a SUMMARY always export to
// CRLF lines of at most 75 octets, each valid UTF-8 on its own.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "slotbook/ical.hpp"

namespace {

void check_import(std::string_view text, slotbook::ical_unsupported mode) {
  slotbook::ical_import_options o;
  o.zone = "America/New_York";
  o.window = {slotbook::parse_instant("2026-01-01T00:00:00Z"),
              slotbook::parse_instant("2027-01-01T00:00:00Z")};
  o.unsupported = mode;
  o.max_lines = 5000;
  o.max_events = 200;
  o.max_busy = 2000;
  try {
    const slotbook::ical_busy found = slotbook::import_busy_times(text, o);
    if (found.busy.size() > o.max_busy) std::abort();
    for (std::size_t i = 0; i < found.busy.size(); ++i) {
      const slotbook::busy_time& b = found.busy[i];
      if (!b.utc.ok() || !b.utc.overlaps(o.window)) std::abort();
      if (i > 0 && b.utc < found.busy[i - 1].utc) std::abort();
    }
    if (mode == slotbook::ical_unsupported::reject && !found.skipped.empty()) std::abort();
  } catch (const slotbook::error& e) {
    if (e.code() != slotbook::errc::invalid_argument) std::abort();
  }
}

void check_export(std::string_view text) {
  slotbook::session s;
  s.id = slotbook::session_id{1};
  s.client = slotbook::client_id{2};
  s.provider = slotbook::provider_id{3};
  s.scheduled_at = slotbook::parse_instant("2026-01-15T07:00:00Z");
  s.duration = std::chrono::minutes{50};
  s.status = slotbook::session_status::confirmed;
  slotbook::ical_export_options o;
  o.uid_domain = "fuzz.example";
  slotbook::event_details d;
  d.summary = std::string(text);
  d.description = std::string(text.substr(text.size() / 2));
  const std::string ics = slotbook::export_session(s, d, o, s.scheduled_at);
  std::size_t at = 0;
  while (at < ics.size()) {
    const std::size_t crlf = ics.find("\r\n", at);
    if (crlf == std::string::npos || crlf - at > 75) std::abort();
    const std::string_view line = std::string_view{ics}.substr(at, crlf - at);
    if (line.find_first_of("\r\n") != std::string_view::npos) std::abort();
    for (std::size_t i = 0; i < line.size();) {
      std::uint32_t cp = 0;
      std::size_t bad = 0;
      const std::size_t n = slotbook::detail::utf8_sequence(line, i, cp, bad);
      if (n == 0) std::abort();
      i += n;
    }
    at = crlf + 2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_import(text, slotbook::ical_unsupported::reject);
  check_import(text, slotbook::ical_unsupported::skip);
  if (size < 4096) check_export(text);
  return 0;
}
