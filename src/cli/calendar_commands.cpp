// The calendar commands: export-ics writes a session, a provider's schedule or a recurring series
// as RFC 5545 text (ical.hpp, series_record.hpp) for other calendars to show; import-ics stores a
// provider's busy time from an external calendar so that it blocks slots; busy lists what is
// stored.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#include "cli.hpp"
#include "json_convert.hpp"
#include "output.hpp"
#include "slotbook/detail/quote.hpp"
#include "slotbook/ical.hpp"
#include "slotbook/series_record.hpp"
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

// What other calendars show for a whole series: as for one session, with the series id.
event_details details_of_series(const series_details& info, const provider_profile& p) {
  event_details d;
  d.summary = fmt::format("Session with {}", p.name);
  if (info.record) {
    d.description = fmt::format("Series {} ({}, {} minutes)", to_string(info.record->id),
                                to_string(info.record->type), info.record->duration.count());
  }
  return d;
}

int run_export_ics(const context& ctx, const parsed_args& args) {
  const bool one = !args.positional.empty();
  const bool series = args.has("--series");
  if (static_cast<int>(one) + static_cast<int>(args.has("--provider")) + static_cast<int>(series) !=
      1) {
    throw usage_error("export-ics", "give either a SESSION, --provider ID or --series ID");
  }
  if (!args.has("--provider") && (args.has("--from") || args.has("--to"))) {
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
  std::vector<series_event> recurring;
  interval range{};
  if (series) {
    // One VEVENT with RRULE and EXDATE (series_record.hpp, calendar_of_series); an occurrence a
    // reschedule moved is its own VEVENT, and a series booked before series records were stored
    // comes out as one VEVENT per live session.
    const auto id = parse_id<series_id>(*args.get("--series"), "--series");
    const series_details info = w.service().series_info(ctx.who, id);
    const provider_id who_gives =
        info.record ? info.record->provider : info.sessions.front().provider;
    const provider_profile p = provider_or_placeholder(w.service(), who_gives);
    series_calendar c = calendar_of_series(info.record, info.sessions, details_of_series(info, p));
    for (session_event& e : c.sessions) e.details = details_of(e.booked, p);
    events = std::move(c.sessions);
    recurring = std::move(c.series);
  } else if (one) {
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
  const std::string ics = export_calendar(events, recurring, options, now);
  const std::size_t count = events.size() + recurring.size();

  const auto out = args.get("--out");
  if (out) write_file_atomically(*out, ics);
  json j{{"events", count}};
  if (series) {
    j["series"] = parse_id<series_id>(*args.get("--series"), "--series").value;
    j["recurring"] = !recurring.empty();
    j["excluded"] = recurring.empty() ? 0 : recurring.front().cancelled.size();
  } else if (!one) {
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
      fmt::print("Wrote {} event{} to {}.\n", count, count == 1 ? "" : "s", *out);
    } else {
      fmt::print("{}", ics);
    }
  });
  return exit_ok;
}

// The text of an .ics file (or of stdin for "-"), at most `limit` bytes.
std::string read_ics(const std::string& path, std::size_t limit) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      throw error(errc::invalid_argument,
                  fmt::format("FILE: cannot open {}", detail::quote(path, 256)));
    }
    in = &file;
  }
  std::string text;
  char buffer[65536];
  while (in->read(buffer, sizeof buffer) || in->gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in->gcount()));
    if (text.size() > limit) {
      throw error(errc::invalid_argument,
                  fmt::format("FILE: {} is larger than {} bytes", detail::quote(path, 256), limit));
    }
  }
  if (in->bad()) {
    throw error(errc::invalid_argument,
                fmt::format("FILE: cannot read {}", detail::quote(path, 256)));
  }
  return text;
}

// "file:NAME" for a file, "stdin" for "-": the default source of an import.
std::string default_source(const std::string& path) {
  if (path == "-") return "stdin";
  std::string name = std::filesystem::path(path).filename().string();
  if (name.empty()) name = path;
  return "file:" + name.substr(0, max_busy_source_bytes - 5);
}

json block_json(const busy_block& b) {
  return json{{"source", b.source},
              {"uid", b.uid},
              {"begin", instant_json(b.time.begin)},
              {"end", instant_json(b.time.end)},
              {"allDay", b.all_day},
              {"importedAt", instant_json(b.imported_at)}};
}

int run_import_ics(const context& ctx, const parsed_args& args) {
  const auto id = parse_id<provider_id>(args.positional[0], "PROVIDER");
  const std::string path = args.positional[1];
  if (args.has("--from") != args.has("--to")) {
    throw usage_error("import-ics", "give both --from and --to, or neither");
  }
  ical_import_options options;
  if (args.has("--skip-unsupported")) options.unsupported = ical_unsupported::skip;
  const std::string source = args.get("--source") ? *args.get("--source") : default_source(path);
  detail::check_busy_source(source, "--source");
  // Read and parse before the database changes: a bad file leaves it as it was.
  const std::string text = read_ics(path, options.max_bytes);
  const bool chatty = !ctx.json && text.size() > (std::size_t{1} << 20);
  if (chatty) fmt::print(stderr, "Read {} bytes from {}; parsing...\n", text.size(), path);

  workspace w{ctx};
  const instant now = w.now();
  const provider_profile p = w.service().provider(id);
  options.zone = p.hours.zone;
  if (args.has("--from")) {
    options.window =
        parse_range(*args.get("--from"), *args.get("--to"), zone_option(args, p.hours.zone));
  } else {
    options.window = {now - date::days{1}, now + date::days{366}};
  }
  const ical_busy found = import_busy_times(text, options);
  if (chatty) fmt::print(stderr, "Found {} busy intervals; storing...\n", found.busy.size());
  const busy_import done = w.service().import_busy(ctx.who, id, source, options.window, found.busy);

  json skipped = json::array();
  for (const skipped_event& e : found.skipped) {
    skipped.push_back(json{{"line", e.line}, {"uid", e.uid}, {"reason", e.reason}});
  }
  json clashes = json::array();
  for (const session& s : done.clashes) clashes.push_back(session_json(s));
  const json j{{"provider", id.value},
               {"source", source},
               {"from", instant_json(options.window.begin)},
               {"to", instant_json(options.window.end)},
               {"stored", done.stored},
               {"removed", done.removed},
               {"skipped", skipped},
               {"clashes", clashes}};
  emit(ctx, j, [&] {
    fmt::print("Stored {} busy block{} for provider {} from {} ({} to {}), replacing {}.\n",
               done.stored, done.stored == 1 ? "" : "s", to_string(id), detail::quote(source, 200),
               format_instant(options.window.begin), format_instant(options.window.end),
               done.removed);
    for (const skipped_event& e : found.skipped) {
      fmt::print("Skipped the event at line {} ({}): {}\n", e.line, detail::quote(e.uid, 100),
                 e.reason);
    }
    for (const session& s : done.clashes) {
      fmt::print("Clash: session {} ({}) at {} is already booked in this busy time.\n",
                 to_string(s.id), s.booking_reference, to_string(session_interval(s)));
    }
  });
  return exit_ok;
}

int run_busy(const context& ctx, const parsed_args& args) {
  const auto id = parse_id<provider_id>(args.positional[0], "PROVIDER");
  if (args.has("--from") != args.has("--to")) {
    throw usage_error("busy", "give both --from and --to, or neither");
  }
  workspace w{ctx};
  const instant now = w.now();
  const provider_profile p = w.service().provider(id);
  interval range{now, now + date::days{31}};
  if (args.has("--from")) {
    range = parse_range(*args.get("--from"), *args.get("--to"), zone_option(args, p.hours.zone));
  }
  const std::vector<busy_block> blocks = w.service().busy_blocks(ctx.who, id, range);
  json list = json::array();
  for (const busy_block& b : blocks) list.push_back(block_json(b));
  const json j{{"provider", id.value},
               {"from", instant_json(range.begin)},
               {"to", instant_json(range.end)},
               {"blocks", list}};
  emit(ctx, j, [&] {
    if (blocks.empty()) fmt::print("No external busy time for provider {}.\n", to_string(id));
    for (const busy_block& b : blocks) {
      fmt::print("{}  {}{}  {}\n", to_string(b.time), detail::quote(b.source, 200),
                 b.all_day ? "  all day" : "", detail::quote(b.uid, 100));
    }
  });
  return exit_ok;
}

}  // namespace

std::vector<command> calendar_commands() {
  return {
      {"export-ics",
       "SESSION | --provider ID [--from DATE --to DATE] | --series ID [--tz ZONE] [--out FILE]",
       "a session, a provider's schedule or a recurring series as iCalendar (.ics) text",
       "Writes RFC 5545 text: one VEVENT per session with a stable UID (session-ID@DOMAIN),\n"
       "SEQUENCE counting reschedules, STATUS (CANCELLED for cancelled sessions) and alarms for\n"
       "the reminder plan. Times are UTC unless --tz, which writes wall-clock times with TZID\n"
       "and a VTIMEZONE. Without --from/--to, --provider exports a month back and a year ahead.\n"
       "--series writes the series as one VEVENT (UID series-ID@DOMAIN) with its RRULE in the\n"
       "provider's zone and an EXDATE for every occurrence not booked now (cancelled, skipped,\n"
       "or moved by a reschedule: a moved one is its own VEVENT); a series booked before\n"
       "series rules were stored comes out as one VEVENT per session not cancelled.\n"
       "Notes and special requests are never exported. The UID domain is --domain, else\n"
       "$SLOTBOOK_ICS_DOMAIN, else localhost. The text goes to stdout (or, with --json, into\n"
       "the document's \"ics\" field) unless --out FILE, which is written whole or not at all.",
       {{"--provider", "ID", "export this provider's sessions"},
        {"--series", "ID", "export this recurring series as one event"},
        {"--from", "DATE", "first day (or an instant), in the provider's zone unless --tz"},
        {"--to", "DATE", "last day, included (or an instant, excluded)"},
        {"--tz", "ZONE", "write wall-clock times in ZONE (TZID and VTIMEZONE)"},
        {"--domain", "DOMAIN", "the right-hand side of every UID"},
        {"--no-alarms", "", "leave out the VALARM reminders"},
        {"--out", "FILE", "write the calendar to FILE instead of stdout"}},
       0,
       1,
       run_export_ics},
      {"import-ics",
       "PROVIDER FILE [--source NAME] [--from DATE --to DATE] [--skip-unsupported]",
       "store a provider's busy time from an external calendar (.ics) so that it blocks slots",
       "Reads FILE (\"-\" for stdin) as RFC 5545 text: VEVENTs with DTSTART/DTEND or DURATION,\n"
       "TZID, all-day dates, RRULE/RDATE/EXDATE and overridden instances; TRANSP:TRANSPARENT and\n"
       "cancelled events block nothing. The busy intervals overlapping the window (default: a day\n"
       "back to a year ahead; --from/--to in the provider's zone unless --tz) replace what was\n"
       "stored before from the same --source (default file:NAME) in that window, in one\n"
       "transaction; from then on they block slots and bookings. Event titles are never stored.\n"
       "Sessions already booked in the new busy time are listed as clashes and stay booked.\n"
       "A malformed file is an error naming its line, and nothing changes; an event slotbook\n"
       "cannot read exactly (e.g. FREQ=YEARLY) is an error too, unless --skip-unsupported.",
       {{"--source", "NAME", "which external calendar this is (default file:NAME of FILE)"},
        {"--from", "DATE", "first day of the window (or an instant)"},
        {"--to", "DATE", "last day of the window, included (or an instant, excluded)"},
        {"--tz", "ZONE", "read --from and --to in ZONE"},
        {"--skip-unsupported", "", "leave out (and list) events outside the supported subset"}},
       2,
       2,
       run_import_ics},
      {"busy",
       "PROVIDER [--from DATE --to DATE] [--tz ZONE]",
       "list a provider's stored external busy time",
       "Lists the busy blocks imported with import-ics that overlap the range (default: now and\n"
       "the next 31 days), by begin: interval, source, all-day flag and UID.",
       {{"--from", "DATE", "first day (or an instant), in the provider's zone unless --tz"},
        {"--to", "DATE", "last day, included (or an instant, excluded)"},
        {"--tz", "ZONE", "read --from and --to in ZONE"}},
       1,
       1,
       run_busy},
  };
}

}  // namespace slotbook::cli
