// The commands that set up providers and book, move and cancel sessions: init, provider,
// availability, slots, book, book-series, confirm-payment, status, cancel, reschedule, sessions,
// analytics.

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli.hpp"
#include "json_convert.hpp"
#include "output.hpp"
#include "slotbook/detail/quote.hpp"
#include "values.hpp"

namespace slotbook::cli {

namespace {

// --- shared helpers ------------------------------------------------------------------------------

// The file's own name on every message about its contents.
schedule_file read_schedule_option(const std::string& path) {
  const std::string text = read_text_file(path, "--file");
  const json doc = parse_json_text(text, path);
  try {
    return read_schedule_file(doc);
  } catch (const error& e) {
    throw error(e.code(), fmt::format("{}: {}", path, e.what()));
  }
}

// "10:00-11:00 EAT", or "23:30-00:30+1d EAT" for a slot that ends the next local day.
std::string clock_span(const interval& i, const date::time_zone& zone) {
  const civil_time b = to_civil(i.begin, zone);
  const civil_time e = to_civil(i.end, zone);
  const auto hm = [](const civil_time& c) {
    return format_time_of_day(std::chrono::duration_cast<std::chrono::minutes>(c.time_of_day));
  };
  const auto days = (date::sys_days{e.date} - date::sys_days{b.date}).count();
  return fmt::format("{}-{}{} {}", hm(b), hm(e), days > 0 ? fmt::format("+{}d", days) : "",
                     b.abbreviation);
}

std::string percent_text(const rate& r) {
  const std::int64_t bp = r.basis_points();
  return fmt::format("{}.{:02} %", bp / 100, bp % 100);
}

bool parse_yes_no(std::string_view text, std::string_view field) {
  if (text == "yes") return true;
  if (text == "no") return false;
  throw error(errc::invalid_argument,
              fmt::format("{}: {} is not yes or no", field, detail::quote(text)));
}

// "24 h", "30 days", "90 min".
std::string duration_text(std::chrono::minutes m) {
  const auto n = m.count();
  if (n != 0 && n % 1440 == 0) return fmt::format("{} day{}", n / 1440, n == 1440 ? "" : "s");
  if (n != 0 && n % 60 == 0) return fmt::format("{} h", n / 60);
  return fmt::format("{} min", n);
}

void print_schedule(const provider_profile& p) {
  const schedule& h = p.hours;
  fmt::print("{} (provider {}), {}, {}{}\n", printable(p.name), p.id.value, h.zone,
             p.active ? "active" : "inactive", h.active ? "" : ", hours switched off");
  static constexpr std::array<const char*, 7> days{"sunday",   "monday", "tuesday", "wednesday",
                                                   "thursday", "friday", "saturday"};
  fmt::print("Weekly hours:\n");
  bool any = false;
  for (unsigned d = 0; d < 7; ++d) {
    std::vector<std::string> spans;
    for (const weekly_window& w : h.windows) {
      if (w.day.c_encoding() == d) {
        spans.push_back(format_time_of_day(w.start) + "-" + format_time_of_day(w.end));
      }
    }
    if (spans.empty()) continue;
    any = true;
    std::sort(spans.begin(), spans.end());
    fmt::print("  {:<10} {}\n", days[d], fmt::join(spans, ", "));
  }
  if (!any) fmt::print("  none\n");
  if (!h.exceptions.empty()) {
    fmt::print("Exceptions:\n");
    for (const date_exception& x : h.exceptions) {
      std::vector<std::string> spans;
      for (const local_window& w : x.hours) {
        spans.push_back(format_time_of_day(w.start) + "-" + format_time_of_day(w.end));
      }
      fmt::print("  {}  {}{}\n", format_date(x.date),
                 x.available ? fmt::format("open {}", fmt::join(spans, ", ")) : "closed",
                 x.reason.empty() ? "" : " (" + printable(x.reason) + ")");
    }
  }
  if (h.effective_from || h.effective_until) {
    fmt::print("Effective {}{}\n",
               h.effective_from ? "from " + format_date(*h.effective_from) : std::string{},
               h.effective_until ? " until " + format_date(*h.effective_until) : std::string{});
  }
  const slot_rules& r = p.rules;
  fmt::print("Slots: {} min every {} min ({}), buffers {} min before and {} min after,\n",
             r.duration.count(), r.effective_step().count(),
             r.alignment == slot_alignment::fixed_grid ? "fixed grid" : "from the start of hours",
             r.buffer_before.count(), r.buffer_after.count());
  fmt::print("  booked at least {} and at most {} ahead, {}\n", duration_text(r.minimum_notice),
             duration_text(r.maximum_advance),
             r.max_per_day ? fmt::format("at most {} a day", *r.max_per_day)
                           : std::string{"no daily limit"});
  fmt::print("Price: {}{}\n", to_string(p.price),
             p.requires_intake ? "; a complete intake form is required" : "");
}

// --- init ----------------------------------------------------------------------------------------

int run_init(const context& ctx, const parsed_args&) {
  std::error_code ec;
  const bool existed = ctx.db_path != ":memory:" && std::filesystem::exists(ctx.db_path, ec);
  workspace w{ctx, {.create = true}};
  const sqlite_settings settings = w.store().settings();
  const json j{{"database", ctx.db_path},
               {"created", !existed},
               {"schemaVersion", settings.schema_version},
               {"journalMode", settings.journal_mode},
               {"synchronous", settings.synchronous}};
  emit(ctx, j, [&] {
    if (existed) {
      fmt::print("{} is a slotbook database (schema version {}); nothing to do.\n", ctx.db_path,
                 settings.schema_version);
    } else {
      fmt::print("Created {} (schema version {}, journal {}, synchronous={}).\n", ctx.db_path,
                 settings.schema_version, settings.journal_mode,
                 settings.synchronous == 2 ? "FULL" : std::to_string(settings.synchronous));
    }
  });
  return exit_ok;
}

// --- provider ------------------------------------------------------------------------------------

int run_provider_add(const context& ctx, const parsed_args& args) {
  const auto id = parse_id<provider_id>(args.positional[0], "ID");
  if (args.has("--file") && args.has("--zone")) {
    throw usage_error("provider add",
                      "--zone and --file cannot be combined (the file names the zone)");
  }
  provider_profile p;
  p.id = id;
  p.name = *args.get("--name");
  if (p.name.empty()) throw error(errc::invalid_argument, "--name: the name is empty");
  p.price = parse_price(args.get("--price").value_or("0"), args.get("--currency").value_or("KES"));
  p.active = !args.has("--inactive");
  if (const auto r = args.get("--requires-intake"))
    p.requires_intake = parse_yes_no(*r, "--requires-intake");
  if (const auto file = args.get("--file")) {
    schedule_file f = read_schedule_option(*file);
    p.hours = std::move(f.hours);
    p.rules = f.rules;
  } else {
    p.hours.zone = args.get("--zone").value_or("UTC");
    (void)find_zone(p.hours.zone, "--zone");
  }
  workspace w{ctx};
  try {
    w.service().add_provider(ctx.who, p);
  } catch (const error& e) {
    if (e.code() != errc::conflict) throw;
    throw error(errc::conflict,
                fmt::format("provider {} already exists (change it with `provider update` or "
                            "`availability set`)",
                            id.value));
  }
  emit(ctx, provider_json(p), [&] {
    fmt::print("Added provider {}: {} ({}, {}{}).\n", id.value, printable(p.name), p.hours.zone,
               to_string(p.price), p.active ? "" : ", inactive");
    if (p.hours.windows.empty() && p.hours.exceptions.empty()) {
      fmt::print(
          "No hours yet: set them with `slotbook availability set {} --file "
          "schedule.json`.\n",
          id.value);
    }
  });
  return exit_ok;
}

int run_provider_update(const context& ctx, const parsed_args& args) {
  const auto id = parse_id<provider_id>(args.positional[0], "ID");
  if (args.has("--active") && args.has("--inactive")) {
    throw usage_error("provider update", "--active and --inactive cannot be combined");
  }
  if (args.has("--currency") && !args.has("--price")) {
    throw usage_error("provider update", "--currency needs --price");
  }
  workspace w{ctx};
  provider_profile p = w.service().provider(id);
  if (const auto name = args.get("--name")) {
    if (name->empty()) throw error(errc::invalid_argument, "--name: the name is empty");
    p.name = *name;
  }
  if (const auto price = args.get("--price")) {
    p.price = parse_price(
        *price, args.get("--currency").value_or(std::string{p.price.currency_code().code()}));
  }
  if (const auto r = args.get("--requires-intake"))
    p.requires_intake = parse_yes_no(*r, "--requires-intake");
  if (args.has("--active")) p.active = true;
  if (args.has("--inactive")) p.active = false;
  w.service().put_provider(ctx.who, p);
  emit(ctx, provider_json(p), [&] {
    fmt::print("Updated provider {}: {} ({}, {}).\n", id.value, printable(p.name),
               to_string(p.price), p.active ? "active" : "inactive");
  });
  return exit_ok;
}

int run_provider_list(const context& ctx, const parsed_args&) {
  workspace w{ctx};
  std::vector<provider_id> ids;
  {
    transaction tx{w.store(), access::read};
    ids = w.store().provider_ids();
    tx.commit();
  }
  std::vector<provider_profile> providers;
  providers.reserve(ids.size());
  for (const provider_id id : ids) providers.push_back(w.service().provider(id));
  json list = json::array();
  for (const provider_profile& p : providers) list.push_back(provider_json(p));
  emit(ctx, json{{"providers", std::move(list)}}, [&] {
    if (providers.empty()) {
      fmt::print("No providers yet: add one with `slotbook provider add ID --name NAME`.\n");
    }
    for (const provider_profile& p : providers) {
      fmt::print("{:>6}  {:<28} {:<22} {:<14} {}\n", p.id.value, printable(p.name), p.hours.zone,
                 to_string(p.price), p.active ? "active" : "inactive");
    }
  });
  return exit_ok;
}

int run_provider_show(const context& ctx, const parsed_args& args) {
  const auto id = parse_id<provider_id>(args.positional[0], "ID");
  workspace w{ctx};
  const provider_profile p = w.service().provider(id);
  emit(ctx, provider_json(p), [&] { print_schedule(p); });
  return exit_ok;
}

// --- availability --------------------------------------------------------------------------------

int run_availability_set(const context& ctx, const parsed_args& args) {
  const auto id = parse_id<provider_id>(args.positional[0], "PROVIDER");
  // The file is read and checked in full before the database is opened: a bad file changes
  // nothing, not even the audit log.
  schedule_file f = read_schedule_option(*args.get("--file"));
  workspace w{ctx};
  provider_profile p = w.service().provider(id);
  p.hours = std::move(f.hours);
  p.rules = f.rules;
  w.service().put_provider(ctx.who, p);
  emit(ctx, provider_json(p), [&] {
    fmt::print(
        "Saved the hours of {} (provider {}): {} weekly window{}, {} exception{}, zone {}.\n",
        printable(p.name), id.value, p.hours.windows.size(), p.hours.windows.size() == 1 ? "" : "s",
        p.hours.exceptions.size(), p.hours.exceptions.size() == 1 ? "" : "s", p.hours.zone);
  });
  return exit_ok;
}

int run_availability_show(const context& ctx, const parsed_args& args) {
  const auto id = parse_id<provider_id>(args.positional[0], "PROVIDER");
  workspace w{ctx};
  const provider_profile p = w.service().provider(id);
  // Exactly the file format, so `--json availability show 42 > hours.json` can be edited and
  // stored again with `availability set 42 --file hours.json`.
  emit(ctx, schedule_file_json(p.hours, p.rules), [&] { print_schedule(p); });
  return exit_ok;
}

// --- slots ---------------------------------------------------------------------------------------

int run_slots(const context& ctx, const parsed_args& args) {
  const auto id = parse_id<provider_id>(args.positional[0], "PROVIDER");
  workspace w{ctx};
  const provider_profile p = w.service().provider(id);
  const date::time_zone& zone = zone_option(args, p.hours.zone);
  const interval range = parse_range(*args.get("--from"), *args.get("--to"), zone);
  const std::vector<slot> slots = w.service().slots(id, range);
  json list = json::array();
  for (const slot& s : slots) list.push_back(slot_json(s, zone));
  const json j{{"provider", id.value},
               {"name", p.name},
               {"zone", std::string{zone.name()}},
               {"from", instant_json(range.begin)},
               {"to", instant_json(range.end)},
               {"availableSlots", std::move(list)}};
  emit(ctx, j, [&] {
    fmt::print("Slots of {} (provider {}), {} to {}, times in {}:\n", printable(p.name), id.value,
               local_time(range.begin, zone), local_time(range.end, zone), zone.name());
    if (slots.empty()) {
      fmt::print("  none{}\n", p.active ? "" : " (the provider is inactive)");
      return;
    }
    std::optional<date::year_month_day> day;
    std::size_t open = 0;
    for (const slot& s : slots) {
      const civil_time c = to_civil(s.time.begin, zone);
      if (day != c.date) {
        day = c.date;
        fmt::print("{}\n", local_time(s.time.begin, zone).substr(0, 14));
      }
      fmt::print("  {}  {}\n", clock_span(s.time, zone),
                 s.available ? "available" : std::string{to_string(s.reason)});
      open += s.available ? 1 : 0;
    }
    fmt::print("{} of {} slot{} available.\n", open, slots.size(), slots.size() == 1 ? "" : "s");
  });
  return exit_ok;
}

// --- book and change ----------------------------------------------------------------------------

int run_book(const context& ctx, const parsed_args& args) {
  const auto provider = parse_id<provider_id>(args.positional[0], "PROVIDER");
  booking_request r;
  r.provider = provider;
  r.client = parse_id<client_id>(*args.get("--client"), "--client");
  if (const auto t = args.get("--type")) r.type = parse_session_type(*t, "--type");
  if (const auto n = args.get("--notes")) r.notes = *n;
  if (const auto q = args.get("--requests")) r.special_requests = *q;
  workspace w{ctx};
  const provider_profile p = w.service().provider(provider);
  const date::time_zone& zone = zone_option(args, p.hours.zone);
  r.scheduled_at = parse_when(*args.get("--at"), zone, "--at");
  r.duration = p.rules.duration;
  if (const auto d = args.get("--duration")) {
    r.duration = std::chrono::minutes{
        static_cast<std::int64_t>(parse_count(*d, "--duration", 1, 7 * 24 * 60))};
  }
  const booking_confirmation b = w.service().book(ctx.who, r);
  emit(ctx, booking_json(b), [&] {
    fmt::print("Booked {} (session {}): {} with client {}, {}.\n", b.booking_reference,
               b.session.value, printable(p.name), r.client.value,
               local_span({b.scheduled_at, b.scheduled_at + r.duration}, zone));
    if (b.payment_required) {
      fmt::print("Payment of {} is required: the time is held ({}) until it is paid.\n",
                 to_string(b.amount), to_string(b.status));
    } else {
      fmt::print("No payment is required: the session is {}.\n", to_string(b.status));
    }
  });
  return exit_ok;
}

series_mode parse_series_mode(std::string_view text) {
  if (text == "all" || text == "all_or_nothing") return series_mode::all_or_nothing;
  if (text == "free" || text == "free_ones") return series_mode::free_ones;
  throw error(errc::invalid_argument,
              fmt::format("--mode: {} is not all or free", detail::quote(text)));
}

int run_book_series(const context& ctx, const parsed_args& args) {
  const auto provider = parse_id<provider_id>(args.positional[0], "PROVIDER");
  series_request r;
  r.provider = provider;
  r.client = parse_id<client_id>(*args.get("--client"), "--client");
  r.rule = *args.get("--rule");
  if (const auto m = args.get("--mode")) r.mode = parse_series_mode(*m);
  if (const auto t = args.get("--type")) r.type = parse_session_type(*t, "--type");
  if (const auto n = args.get("--notes")) r.notes = *n;
  if (const auto q = args.get("--requests")) r.special_requests = *q;
  const bool preview = args.has("--preview");
  workspace w{ctx};
  const provider_profile p = w.service().provider(provider);
  const date::time_zone& provider_zone = find_zone(p.hours.zone);
  const std::string at = *args.get("--at");
  // A wall-clock --at in the provider's own zone goes to the service as a local time, so the
  // series keeps that wall-clock time even when it falls in a DST gap on the first day; with
  // --tz (or an offset) it is an instant whose wall-clock time in the provider's zone is kept.
  const auto local = parse_wall_clock(at, "--at");
  if (local && !args.has("--tz")) {
    r.first_start = *local;
  } else {
    r.first_start = parse_when(at, zone_option(args, p.hours.zone), "--at");
  }
  r.duration = p.rules.duration;
  if (const auto d = args.get("--duration")) {
    r.duration = std::chrono::minutes{
        static_cast<std::int64_t>(parse_count(*d, "--duration", 1, 7 * 24 * 60))};
  }
  const series_booking b =
      preview ? w.service().preview_series(ctx.who, r) : w.service().book_series(ctx.who, r);
  emit(ctx, series_booking_json(b, provider_zone, preview), [&] {
    const std::size_t booked = b.booked_count();
    if (preview) {
      fmt::print(
          "Preview (nothing was booked): {} of {} occurrence{} of {} with {} for client {} can "
          "be booked, {} mode; times in {}:\n",
          booked, b.occurrences.size(), b.occurrences.size() == 1 ? "" : "s", printable(b.rule),
          printable(p.name), r.client.value, to_string(b.mode), provider_zone.name());
    } else {
      fmt::print(
          "Booked series {}: {} of {} occurrence{} of {} with {} for client {}; times in {}:\n",
          b.series.value, booked, b.occurrences.size(), b.occurrences.size() == 1 ? "" : "s",
          printable(b.rule), printable(p.name), r.client.value, provider_zone.name());
    }
    for (const series_occurrence& o : b.occurrences) {
      std::string what;
      if (!o.booked) {
        what = fmt::format("refused: {} ({})", o.reason,
                           to_string(o.refused.value_or(errc::conflict)));
      } else if (preview) {
        what = "can be booked";
      } else {
        what = fmt::format("{} (session {}), {}", o.booked->booking_reference,
                           o.booked->session.value, to_string(o.booked->status));
      }
      fmt::print("  {:>3}  {}  {}\n", o.index + 1, local_span(o.time, provider_zone), what);
    }
    if (!preview && booked > 0 && !p.price.is_zero()) {
      fmt::print(
          "Each occurrence costs {} and is held ({}) until it is paid with `confirm-payment`.\n",
          to_string(p.price), to_string(session_status::pending_payment));
    }
  });
  return exit_ok;
}

int run_confirm_payment(const context& ctx, const parsed_args& args) {
  workspace w{ctx};
  const session_id id = resolve_session(w.service(), ctx.who, args.positional[0]);
  const payment_result r =
      w.service().confirm_payment(ctx.who, id, *args.get("--method"), *args.get("--transaction"));
  const json j{{"outcome", to_string(r.outcome)},
               {"session", session_json(r.updated)},
               {"refund", refund_json(r.refund)}};
  emit(ctx, j, [&] {
    switch (r.outcome) {
      case payment_outcome::scheduled:
        fmt::print("Payment recorded: {} is now {} and its reminders are queued.\n",
                   r.updated.booking_reference, to_string(r.updated.status));
        break;
      case payment_outcome::already_confirmed:
        fmt::print("This payment was already recorded for {}; nothing changed.\n",
                   r.updated.booking_reference);
        break;
      case payment_outcome::refunded_late:
        fmt::print("The hold on {} had expired before the payment arrived: {}.\n",
                   r.updated.booking_reference, refund_sentence(r.refund));
        break;
    }
  });
  return exit_ok;
}

int run_status(const context& ctx, const parsed_args& args) {
  if (!args.has("--set") && (args.has("--expect") || args.has("--notes"))) {
    throw usage_error("status", "--expect and --notes need --set");
  }
  workspace w{ctx};
  const session_id id = resolve_session(w.service(), ctx.who, args.positional[0]);
  if (const auto to = args.get("--set")) {
    status_change change;
    change.to = parse_session_status(*to, "--set");
    if (const auto e = args.get("--expect")) change.expected = parse_session_status(*e, "--expect");
    if (const auto n = args.get("--notes")) change.notes = *n;
    const status_result r = w.service().update_status(ctx.who, id, change);
    const json j{{"session", session_json(r.updated)}, {"refund", refund_json(r.refund)}};
    emit(ctx, j, [&] {
      fmt::print("{} is now {}.\n", r.updated.booking_reference, to_string(r.updated.status));
      if (r.refund.state != refund_state::none) fmt::print("{}.\n", refund_sentence(r.refund));
    });
    return exit_ok;
  }
  const session s = w.service().get_session(ctx.who, id);
  emit(ctx, json{{"session", session_json(s)}}, [&] { print_session(w.service(), s); });
  return exit_ok;
}

series_scope parse_series_scope(std::string_view text) {
  if (text == "one" || text == "this_one") return series_scope::this_one;
  if (text == "following" || text == "this_and_following") return series_scope::this_and_following;
  if (text == "series" || text == "whole_series") return series_scope::whole_series;
  throw error(errc::invalid_argument,
              fmt::format("--scope: {} is not one, following or series", detail::quote(text)));
}

int run_cancel_series(const context& ctx, const parsed_args& args, series_scope scope) {
  workspace w{ctx};
  const session_id id = resolve_session(w.service(), ctx.who, args.positional[0]);
  const series_cancellation c =
      w.service().cancel_series(ctx.who, id, scope, args.get("--reason").value_or(std::string{}));
  emit(ctx, series_cancellation_json(c), [&] {
    fmt::print("Cancelled {} of {} occurrence{} of series {} ({}):\n", c.cancelled_count(),
               c.occurrences.size(), c.occurrences.size() == 1 ? "" : "s", c.series.value,
               to_string(c.scope));
    std::map<provider_id, std::string> zones;
    for (const occurrence_cancellation& o : c.occurrences) {
      const session& s = o.occurrence;
      auto it = zones.find(s.provider);
      if (it == zones.end()) {
        it = zones.emplace(s.provider, provider_or_placeholder(w.service(), s.provider).hours.zone)
                 .first;
      }
      std::string what;
      if (o.outcome == occurrence_outcome::cancelled) {
        what = fmt::format("cancelled ({}, {}); {}",
                           o.decision ? to_string(o.decision->reason) : std::string_view{"?"},
                           o.decision ? notice_text(o.decision->notice) : std::string{"?"},
                           refund_sentence(o.refund));
      } else {
        what = fmt::format("{}: {}", to_string(o.outcome), printable(o.reason));
      }
      fmt::print("  {}  {}  {}\n", s.booking_reference,
                 local_span(session_interval(s), find_zone(it->second)), what);
    }
  });
  return exit_ok;
}

int run_cancel(const context& ctx, const parsed_args& args) {
  if (const auto scope = args.get("--scope")) {
    const series_scope chosen = parse_series_scope(*scope);
    // `one` is the plain cancellation, for a session in a series or not.
    if (chosen != series_scope::this_one) return run_cancel_series(ctx, args, chosen);
  }
  workspace w{ctx};
  const session_id id = resolve_session(w.service(), ctx.who, args.positional[0]);
  const cancellation_result r =
      w.service().cancel(ctx.who, id, args.get("--reason").value_or(std::string{}));
  const json j{{"session", session_json(r.cancelled)},
               {"decision", cancellation_json(r.decision)},
               {"refund", refund_json(r.refund)}};
  emit(ctx, j, [&] {
    fmt::print("Cancelled {} ({}, {}); {}.\n", r.cancelled.booking_reference,
               to_string(r.decision.reason), notice_text(r.decision.notice),
               refund_sentence(r.refund));
  });
  return exit_ok;
}

int run_reschedule(const context& ctx, const parsed_args& args) {
  workspace w{ctx};
  const session_id id = resolve_session(w.service(), ctx.who, args.positional[0]);
  const session current = w.service().get_session(ctx.who, id);
  const provider_profile p = provider_or_placeholder(w.service(), current.provider);
  const date::time_zone& zone = zone_option(args, p.hours.zone);
  const instant to = parse_when(*args.get("--at"), zone, "--at");
  const reschedule_confirmation r = w.service().reschedule(ctx.who, id, to);
  const json j{{"replaced", session_json(r.replaced)},
               {"replacement", session_json(r.replacement)},
               {"decision", reschedule_json(r.decision)}};
  emit(ctx, j, [&] {
    fmt::print("Moved {} to {}: the new booking is {} (session {}), {}.\n",
               r.replaced.booking_reference, local_span(session_interval(r.replacement), zone),
               r.replacement.booking_reference, r.replacement.id.value,
               to_string(r.replacement.status));
  });
  return exit_ok;
}

// --- reading -------------------------------------------------------------------------------------

// Every session of a series, by start; each in its provider's zone unless --tz.
int run_series_sessions(const context& ctx, const parsed_args& args) {
  if (args.has("--from")) {
    throw usage_error("sessions", "--series lists the whole series: leave out --from and --to");
  }
  const auto id = parse_id<series_id>(*args.get("--series"), "--series");
  workspace w{ctx};
  const std::vector<session> found = w.service().series_sessions(ctx.who, id);
  json list = json::array();
  for (const session& s : found) list.push_back(session_json(s));
  const json j{{"series", id.value}, {"sessions", std::move(list)}};
  emit(ctx, j, [&] {
    fmt::print("Series {}: {} session{}\n", id.value, found.size(), found.size() == 1 ? "" : "s");
    std::map<provider_id, std::string> zones;
    for (const session& s : found) {
      auto it = zones.find(s.provider);
      if (it == zones.end()) {
        it = zones.emplace(s.provider, provider_or_placeholder(w.service(), s.provider).hours.zone)
                 .first;
      }
      fmt::print("{}\n", session_line(s, zone_option(args, it->second)));
    }
  });
  return exit_ok;
}

int run_sessions(const context& ctx, const parsed_args& args) {
  const int given = (args.has("--client") ? 1 : 0) + (args.has("--provider") ? 1 : 0) +
                    (args.has("--series") ? 1 : 0);
  if (given != 1) {
    throw usage_error("sessions", "give exactly one of --client ID, --provider ID and --series ID");
  }
  if (args.has("--from") != args.has("--to")) {
    throw usage_error("sessions", "give both --from and --to, or neither");
  }
  if (args.has("--series")) return run_series_sessions(ctx, args);
  workspace w{ctx};
  std::string zone_name = "UTC";
  std::optional<provider_id> provider;
  std::optional<client_id> client;
  if (const auto p = args.get("--provider")) {
    provider = parse_id<provider_id>(*p, "--provider");
    zone_name = w.service().provider(*provider).hours.zone;
  } else {
    client = parse_id<client_id>(*args.get("--client"), "--client");
  }
  const date::time_zone& zone = zone_option(args, zone_name);
  interval range{};
  if (args.has("--from")) {
    range = parse_range(*args.get("--from"), *args.get("--to"), zone);
  } else {
    const instant now = w.now();
    range = {now - date::days{366}, now + date::days{366}};
  }
  const std::vector<session> found = provider
                                         ? w.service().provider_sessions(ctx.who, *provider, range)
                                         : w.service().client_sessions(ctx.who, *client, range);
  json list = json::array();
  for (const session& s : found) list.push_back(session_json(s));
  const json j{{"from", instant_json(range.begin)},
               {"to", instant_json(range.end)},
               {"sessions", std::move(list)}};
  emit(ctx, j, [&] {
    if (found.empty())
      fmt::print("No sessions between {} and {}.\n", local_time(range.begin, zone),
                 local_time(range.end, zone));
    std::map<provider_id, std::string> zones;  // each provider's own zone, unless --tz
    for (const session& s : found) {
      std::string shown = zone_name;
      if (!args.has("--tz")) {
        auto it = zones.find(s.provider);
        if (it == zones.end()) {
          it =
              zones.emplace(s.provider, provider_or_placeholder(w.service(), s.provider).hours.zone)
                  .first;
        }
        shown = it->second;
      }
      fmt::print("{}\n", session_line(s, args.has("--tz") ? zone : find_zone(shown)));
    }
  });
  return exit_ok;
}

int run_analytics(const context& ctx, const parsed_args& args) {
  const auto id = parse_id<provider_id>(args.positional[0], "PROVIDER");
  workspace w{ctx};
  const provider_profile p = w.service().provider(id);
  const date::time_zone& zone = zone_option(args, p.hours.zone);
  const interval range = parse_range(*args.get("--from"), *args.get("--to"), zone);
  const session_analytics a = w.service().analytics(ctx.who, id, range);
  json j{
      {"provider", id.value}, {"from", instant_json(range.begin)}, {"to", instant_json(range.end)}};
  const json metrics = analytics_json(a);
  for (const auto& [key, value] : metrics.items()) j[key] = value;
  emit(ctx, j, [&] {
    fmt::print("{} (provider {}), {} to {}:\n", printable(p.name), id.value,
               local_time(range.begin, zone), local_time(range.end, zone));
    fmt::print("  bookings: {} (open {}, completed {}, cancelled {}, no-show {})\n", a.total,
               a.open, a.completed, a.cancelled, a.no_show);
    fmt::print("  completion rate {}, cancellation rate {}, no-show rate {}\n",
               percent_text(a.completion_rate), percent_text(a.cancellation_rate),
               percent_text(a.no_show_rate));
    fmt::print("  revenue {}\n", to_string(a.revenue));
    fmt::print("  average actual duration {} min over {} timed session{}\n",
               a.average_actual_duration.count() / 60, a.timed_sessions,
               a.timed_sessions == 1 ? "" : "s");
    fmt::print("  not counted: {} pending hold{}, {} abandoned hold{}, {} rescheduled\n",
               a.pending_holds, a.pending_holds == 1 ? "" : "s", a.abandoned_holds,
               a.abandoned_holds == 1 ? "" : "s", a.rescheduled);
    if (a.group_sessions > 0) {
      fmt::print("  group sessions: {} (counted once each above), {} seat{} held, {} cancelled\n",
                 a.group_sessions, a.seats, a.seats == 1 ? "" : "s", a.cancelled_seats);
    }
  });
  return exit_ok;
}

}  // namespace

std::vector<command> booking_commands() {
  return {
      {"init",
       "",
       "create the database (or upgrade an older one)",
       "Creates the SQLite database named by --db (default slotbook.db), or brings an existing\n"
       "slotbook database up to the current schema. Running it twice is harmless.",
       {},
       0,
       0,
       run_init},
      {"provider add",
       "ID --name NAME [--price AMOUNT] [--currency CODE] [--zone ZONE | --file FILE] "
       "[--inactive] [--requires-intake yes|no]",
       "add a provider (psychologist)",
       "Adds provider ID. Without --file the provider has no hours yet (set them with\n"
       "`availability set`); with --file, FILE is a schedule file (see `availability set`).\n"
       "A provider that already exists is a conflict.",
       {{"--name", "NAME", "display name", true},
        {"--price", "AMOUNT", "price of one session, e.g. 1500.00 (default 0: no payment)"},
        {"--currency", "CODE", "ISO-4217 currency of the price (default KES)"},
        {"--zone", "ZONE", "IANA time zone of the provider's hours (default UTC)"},
        {"--file", "FILE", "a schedule file: zone, weekly windows, exceptions, slot rules"},
        {"--inactive", "", "add the provider switched off (no slots)"},
        {"--requires-intake", "yes|no",
         "sessions need the client's complete intake form before payment or confirmation "
         "(default no)"}},
       1,
       1,
       run_provider_add},
      {"provider update",
       "ID [--name NAME] [--price AMOUNT [--currency CODE]] [--active|--inactive] "
       "[--requires-intake yes|no]",
       "change a provider's name, price, active flag or intake requirement",
       "Changes only what is given.",
       {{"--name", "NAME", "new display name"},
        {"--price", "AMOUNT", "new price of one session"},
        {"--currency", "CODE", "currency of --price (default: the current one)"},
        {"--active", "", "offer slots again"},
        {"--inactive", "", "stop offering slots (existing sessions stay)"},
        {"--requires-intake", "yes|no", "whether sessions need a complete intake form"}},
       1,
       1,
       run_provider_update},
      {"provider list", "", "list the providers", "", {}, 0, 0, run_provider_list},
      {"provider show",
       "ID",
       "show one provider's profile and hours",
       "",
       {},
       1,
       1,
       run_provider_show},
      {"availability set",
       "PROVIDER --file FILE",
       "replace a provider's hours and slot rules",
       "FILE is JSON: the zone, the seed's weekly windows and date exceptions, effective dates\n"
       "and slot rules (docs/cli.md has the format and an example). The whole file is checked\n"
       "before anything is written: invalid JSON, an unknown key or zone, overlapping windows or\n"
       "bad rules are refused and the database is left as it was.",
       {{"--file", "FILE", "the schedule file", true}},
       1,
       1,
       run_availability_set},
      {"availability show",
       "PROVIDER",
       "show a provider's hours (with --json: as a schedule file)",
       "With --json the output is exactly the schedule file format, ready to edit and store\n"
       "again with `availability set`.",
       {},
       1,
       1,
       run_availability_show},
      {"slots",
       "PROVIDER --from DATE --to DATE [--tz ZONE]",
       "list a provider's slots, each available or with the reason it is not",
       "Dates are whole days in the provider's zone (or --tz), both included; an ISO-8601\n"
       "instant is taken as it is. Reasons: booked, buffer, too_soon, too_far, day_full,\n"
       "exception, outside_hours.",
       {{"--from", "DATE", "first day (or an instant)", true},
        {"--to", "DATE", "last day, included (or an instant, excluded)", true},
        {"--tz", "ZONE", "read the dates and show the times in ZONE"}},
       1,
       1,
       run_slots},
      {"book",
       "PROVIDER --client ID --at TIME [--type TYPE] [--notes TEXT] [--requests TEXT]",
       "book a session",
       "TIME is an ISO-8601 instant (2026-01-15T10:00:00Z, or with an offset) or a wall-clock\n"
       "time in the provider's zone (2026-01-15T13:00). A provider with a price gets a held\n"
       "session (pending_payment) until `confirm-payment`; a free one is scheduled at once.",
       {{"--client", "ID", "the client who books", true},
        {"--at", "TIME", "start of the session", true},
        {"--type", "TYPE", "initial (default), follow_up or emergency"},
        {"--duration", "MIN", "length in minutes (default and only accepted: the provider's)"},
        {"--notes", "TEXT", "notes"},
        {"--requests", "TEXT", "special requests"},
        {"--tz", "ZONE", "read a wall-clock --at in ZONE instead of the provider's zone"}},
       1,
       1,
       run_book},
      {"book-series",
       "PROVIDER --client ID --at TIME --rule RRULE [--mode all|free] [--type TYPE] [--tz ZONE] "
       "[--preview]",
       "book a recurring series of sessions (weekly therapy, ...)",
       "Books one session per occurrence of RRULE (FREQ=DAILY|WEEKLY|MONTHLY with INTERVAL,\n"
       "COUNT or UNTIL, BYDAY, BYMONTHDAY, WKST), starting at TIME, which must itself be an\n"
       "occurrence. The rule is expanded in the provider's zone, so every occurrence keeps TIME's\n"
       "wall-clock time across DST changes. A series must end (COUNT or UNTIL) within 366\n"
       "occurrences and two years. Each occurrence is checked as `book` checks a session.\n"
       "--mode all (the default) books every occurrence or none: a refusal lists each failing\n"
       "occurrence and why, and writes nothing. --mode free books the ones that can be booked and\n"
       "lists the others. --preview answers the same question without writing anything.",
       {{"--client", "ID", "the client who books", true},
        {"--at", "TIME", "the first occurrence's start (as for `book`)", true},
        {"--rule", "RRULE", "the recurrence rule, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10", true},
        {"--mode", "all|free", "all or nothing (default), or book the free occurrences"},
        {"--type", "TYPE", "initial (default), follow_up or emergency"},
        {"--duration", "MIN", "length in minutes (default and only accepted: the provider's)"},
        {"--notes", "TEXT", "notes, copied to every occurrence"},
        {"--requests", "TEXT", "special requests, copied to every occurrence"},
        {"--tz", "ZONE", "read a wall-clock --at in ZONE instead of the provider's zone"},
        {"--preview", "", "only show what would be booked; write nothing"}},
       1,
       1,
       run_book_series},
      {"confirm-payment",
       "SESSION --method METHOD --transaction ID",
       "record the payment of a held session (what a payment webhook does)",
       "SESSION is a session id or a booking reference. Repeating the same transaction is\n"
       "harmless (already_confirmed); a payment for a hold that expired is refunded.\n"
       "Needs an admin or the system (--as system).",
       {{"--method", "METHOD", "e.g. mpesa, card", true},
        {"--transaction", "ID", "the payment provider's transaction id", true}},
       1,
       1,
       run_confirm_payment},
      {"status",
       "SESSION [--set STATUS [--expect STATUS] [--notes TEXT]]",
       "show a session, or move it to another status",
       "Without --set, shows the session. With --set: confirmed, in_progress, completed,\n"
       "no_show (cancelled is the `cancel` command). --expect refuses the change (conflict)\n"
       "when the session no longer has that status.",
       {{"--set", "STATUS", "the new status"},
        {"--expect", "STATUS", "the status the session must still have"},
        {"--notes", "TEXT", "replace the session's notes"}},
       1,
       1,
       run_status},
      {"cancel",
       "SESSION [--reason TEXT] [--scope one|following|series]",
       "cancel a session (or occurrences of its series) under the cancellation policy",
       "A client needs 24 h notice and then gets a full refund; with less it is refused\n"
       "(policy_denied). A provider, an admin or the system may cancel any time before the\n"
       "start, with a full refund. Refunds are recorded; the CLI has no payment gateway.\n"
       "For a session of a series, --scope following cancels it and every later occurrence, and\n"
       "--scope series the whole series, in one transaction: each occurrence is judged by the\n"
       "policy with its own notice; those already over are skipped and those the policy refuses\n"
       "are left as they were, and both are listed.",
       {{"--reason", "TEXT", "why (kept with the session, never in the audit log)"},
        {"--scope", "one|following|series",
         "this session only (default), it and the later occurrences, or the whole series"}},
       1,
       1,
       run_cancel},
      {"reschedule",
       "SESSION --at TIME",
       "move a session to another time",
       "The old session is cancelled as rescheduled and a new one (with a new reference) takes\n"
       "its payment. TIME as for `book`, wall-clock times in the provider's zone.",
       {{"--at", "TIME", "the new start", true},
        {"--tz", "ZONE", "read a wall-clock --at in ZONE"}},
       1,
       1,
       run_reschedule},
      {"sessions",
       "--client ID | --provider ID [--from DATE --to DATE] | --series ID [--tz ZONE]",
       "list a client's or a provider's sessions, or a series",
       "Without --from/--to: a year back and a year ahead. Dates are days in the provider's\n"
       "zone (for --provider) or UTC (for --client), unless --tz. --series lists every session\n"
       "of a series (any status), by start.",
       {{"--client", "ID", "the client"},
        {"--provider", "ID", "the provider"},
        {"--series", "ID", "the series (see `book-series`)"},
        {"--from", "DATE", "first day (or an instant)"},
        {"--to", "DATE", "last day, included (or an instant, excluded)"},
        {"--tz", "ZONE", "read the dates and show the times in ZONE"}},
       0,
       0,
       run_sessions},
      {"analytics",
       "PROVIDER --from DATE --to DATE [--tz ZONE]",
       "a provider's bookings, rates, revenue and session lengths",
       "Counts the sessions scheduled in the range (docs/lifecycle.md says what counts as what).",
       {{"--from", "DATE", "first day (or an instant)", true},
        {"--to", "DATE", "last day, included (or an instant, excluded)", true},
        {"--tz", "ZONE", "read the dates in ZONE"}},
       1,
       1,
       run_analytics},
  };
}

}  // namespace slotbook::cli
