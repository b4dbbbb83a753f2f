// The calendar commands: export-ics writes a session or a provider's schedule as RFC 5545 text
// (ical.hpp) for other calendars to show.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "cli.hpp"
#include "json_convert.hpp"
#include "output.hpp"
#include "slotbook/detail/quote.hpp"
#include "slotbook/ical.hpp"
#include "values.hpp"

namespace slotbook::cli {

namespace {

/// The environment variable naming the UID domain when `--domain` is not given.
constexpr std::string_view domain_variable = "SLOTBOOK_ICS_DOMAIN";

std::string uid_domain(const parsed_args& args) {
  if (const auto d = args.get("--domain")) return *d;
  if (const char* env = std::getenv(std::string(domain_variable).c_str());
      env != nullptr && *env != '\0') {
    return env;
  }
  return "localhost";
}

// What other calendars show for a session: who it is with and its reference. The notes and the
// special requests stay out: a calendar is shared far more widely than the booking.
event_details details_of(const session& s, const provider_profile& p) {
  event_details d;
  d.summary = fmt::format("Session with {}", p.name);
  d.description = fmt::format("Booking {} ({}, {} minutes)", s.booking_reference, to_string(s.type),
                              s.duration.count());
  return d;
}

// Writes `text` to `path` whole or not at all: a temporary file beside it, then a rename.
void write_file_atomically(const std::string& path, const std::string& text) {
  if (path.empty()) throw error(errc::invalid_argument, "--out: the path is empty");
  const std::string temp = fmt::format("{}.tmp-{}", path, ::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      throw error(errc::storage, fmt::format("--out: cannot write {}", detail::quote(path, 256)));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw error(errc::storage,
                fmt::format("--out: cannot write {}: {}", detail::quote(path, 256), ec.message()));
  }
}

int run_export_ics(const context& ctx, const parsed_args& args) {
  const bool one = !args.positional.empty();
  if (one == args.has("--provider")) {
    throw usage_error("export-ics", "give either a SESSION or --provider ID");
  }
  if (one && (args.has("--from") || args.has("--to"))) {
    throw usage_error("export-ics", "--from and --to go with --provider");
  }
  if (args.has("--from") != args.has("--to")) {
    throw usage_error("export-ics", "give both --from and --to, or neither");
  }
  ical_export_options options;
  options.uid_domain = uid_domain(args);
  try {
    detail::check_uid_domain(options.uid_domain);
  } catch (const error&) {
    throw error(errc::invalid_argument,
                fmt::format("--domain: {} is not a domain name (letters, digits, '.', '-')",
                            detail::quote(options.uid_domain, 100)));
  }
  if (const auto tz = args.get("--tz")) {
    options.zone = find_zone(*tz, "--tz").name();
    options.times = ical_times::zone;
  }
  if (args.has("--no-alarms")) options.alarms.offsets.clear();

  workspace w{ctx};
  const instant now = w.now();
  std::vector<session_event> events;
  interval range{};
  if (one) {
    const auto id = parse_id<session_id>(args.positional[0], "SESSION");
    const session s = w.service().get_session(ctx.who, id);
    events.push_back({s, details_of(s, provider_or_placeholder(w.service(), s.provider))});
  } else {
    const auto id = parse_id<provider_id>(*args.get("--provider"), "--provider");
    const provider_profile p = w.service().provider(id);
    if (args.has("--from")) {
      range = parse_range(*args.get("--from"), *args.get("--to"), zone_option(args, p.hours.zone));
    } else {
      range = {now - date::days{31}, now + date::days{366}};
    }
    for (const session& s : w.service().provider_sessions(ctx.who, id, range)) {
      events.push_back({s, details_of(s, p)});
    }
  }
  const std::string ics = export_schedule(events, options, now);

  const auto out = args.get("--out");
  if (out) write_file_atomically(*out, ics);
  json j{{"events", events.size()}};
  if (!one) {
    j["from"] = instant_json(range.begin);
    j["to"] = instant_json(range.end);
  }
  if (out) {
    j["file"] = *out;
  } else {
    j["ics"] = ics;
  }
  emit(ctx, j, [&] {
    if (out) {
      fmt::print("Wrote {} event{} to {}.\n", events.size(), events.size() == 1 ? "" : "s", *out);
    } else {
      fmt::print("{}", ics);
    }
  });
  return exit_ok;
}

}  // namespace

std::vector<command> calendar_commands() {
  return {
      {"export-ics",
       "SESSION | --provider ID [--from DATE --to DATE] [--tz ZONE] [--out FILE]",
       "a session or a provider's schedule as iCalendar (.ics) text",
       "Writes RFC 5545 text: one VEVENT per session with a stable UID (session-ID@DOMAIN),\n"
       "SEQUENCE counting reschedules, STATUS (CANCELLED for cancelled sessions) and alarms for\n"
       "the reminder plan. Times are UTC unless --tz, which writes wall-clock times with TZID\n"
       "and a VTIMEZONE. Without --from/--to, --provider exports a month back and a year ahead.\n"
       "Notes and special requests are never exported. The UID domain is --domain, else\n"
       "$SLOTBOOK_ICS_DOMAIN, else localhost. The text goes to stdout (or, with --json, into\n"
       "the document's \"ics\" field) unless --out FILE, which is written whole or not at all.",
       {{"--provider", "ID", "export this provider's sessions"},
        {"--from", "DATE", "first day (or an instant), in the provider's zone unless --tz"},
        {"--to", "DATE", "last day, included (or an instant, excluded)"},
        {"--tz", "ZONE", "write wall-clock times in ZONE (TZID and VTIMEZONE)"},
        {"--domain", "DOMAIN", "the right-hand side of every UID"},
        {"--no-alarms", "", "leave out the VALARM reminders"},
        {"--out", "FILE", "write the calendar to FILE instead of stdout"}},
       0,
       1,
       run_export_ics},
  };
}

}  // namespace slotbook::cli
