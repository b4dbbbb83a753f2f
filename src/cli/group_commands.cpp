// The commands for group sessions and the waitlist: group open, seat, cancel-seat,
// confirm-payment, seats; waitlist join, leave, accept, list, expire. Each is one call of the
// booking service (docs/design.md, "Group sessions" and "Waitlist"), so its checks, its single
// transaction and its audit entry are the service's own.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
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

// The group session as stored, for showing its time in its provider's zone and its capacity.
// Read from the store rather than through `get_session`, which would audit a second read for a
// display detail. Called only after the service has answered for the same session, so access
// was already decided.
std::optional<session> stored_session(workspace& w, session_id id) {
  transaction tx{w.store(), access::read};
  std::optional<session> s = w.store().find_session(id);
  tx.commit();
  return s;
}

// Seats held in a group: every client's, whoever asks (a booking page shows "2 seats left").
std::int32_t held_seats(workspace& w, session_id id) {
  transaction tx{w.store(), access::read};
  const std::vector<seat> seats = w.store().session_seats(id);
  tx.commit();
  return static_cast<std::int32_t>(
      std::count_if(seats.begin(), seats.end(), [](const seat& t) { return is_active(t); }));
}

const date::time_zone& provider_zone(workspace& w, provider_id id) {
  return find_zone(provider_or_placeholder(w.service(), id).hours.zone);
}

// A waitlist entry's id: a positive whole number (the store's key).
std::int64_t parse_entry(std::string_view text) {
  return static_cast<std::int64_t>(parse_id_value(text, "ENTRY"));
}

// A local start time of day for the waitlist: 00:00 to 23:59 (24:00 starts nothing).
std::chrono::minutes parse_start_of_day(std::string_view text, std::string_view field) {
  const std::chrono::minutes m = parse_time_of_day(text, field);
  if (m >= std::chrono::hours{24}) {
    throw error(
        errc::invalid_argument,
        fmt::format("{}: {} is not a start time from 00:00 to 23:59", field, detail::quote(text)));
  }
  return m;
}

std::string plural(std::int64_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// "09:00 to 12:00", "from 09:00", "until 12:00", "any time".
std::string local_window_text(const waitlist_entry& e) {
  if (e.earliest_local && e.latest_local) {
    return fmt::format("starting {} to {}", format_time_of_day(*e.earliest_local),
                       format_time_of_day(*e.latest_local));
  }
  if (e.earliest_local)
    return fmt::format("starting {} or later", format_time_of_day(*e.earliest_local));
  if (e.latest_local)
    return fmt::format("starting {} or earlier", format_time_of_day(*e.latest_local));
  return "starting any time";
}

std::string entry_line(const waitlist_entry& e, const date::time_zone& zone) {
  std::string state{to_string(e.state)};
  if (e.state == waitlist_state::offered && e.offer && e.offer_expires) {
    state = fmt::format("offered {}, held until {}", local_span(*e.offer, zone),
                        local_time(*e.offer_expires, zone));
  } else if (e.state == waitlist_state::booked) {
    state = fmt::format("booked (session {})", e.booked.value);
  } else if (e.state == waitlist_state::lapsed && e.offer) {
    state = fmt::format("lapsed (was offered {})", local_span(*e.offer, zone));
  }
  return fmt::format("entry {}  client {}  provider {}  {} to {}  {} {}  {}", e.id, e.client.value,
                     e.provider.value, local_time(e.range.begin, zone),
                     local_time(e.range.end, zone), to_string(e.type), local_window_text(e), state);
}

std::string seat_line(const seat& t) {
  std::string line = fmt::format("seat {}  client {}  {}  {}, payment {}", t.id, t.client.value,
                                 to_string(t.status), to_string(t.amount), to_string(t.payment));
  if (!t.payment_method.empty()) {
    line += fmt::format(" ({} {})", printable(t.payment_method), printable(t.transaction_id));
  }
  if (t.refunded_minor > 0) {
    line +=
        fmt::format(", {} refunded", to_string(money{t.refunded_minor, t.amount.currency_code()}));
  }
  if (!is_active(t) && !t.cancellation_reason.empty()) {
    line += fmt::format(" ({})", printable(t.cancellation_reason));
  }
  return line;
}

// --- group sessions ------------------------------------------------------------------------------

int run_group_open(const context& ctx, const parsed_args& args) {
  const auto provider = parse_id<provider_id>(args.positional[0], "PROVIDER");
  group_request r;
  r.provider = provider;
  r.capacity = static_cast<std::int32_t>(parse_count(*args.get("--capacity"), "--capacity", 1,
                                                     static_cast<std::size_t>(max_group_capacity)));
  if (const auto n = args.get("--notes")) r.notes = *n;
  workspace w{ctx};
  const provider_profile p = w.service().provider(provider);
  const date::time_zone& zone = zone_option(args, p.hours.zone);
  r.scheduled_at = parse_when(*args.get("--at"), zone, "--at");
  r.duration = p.rules.duration;
  if (const auto d = args.get("--duration")) {
    r.duration = std::chrono::minutes{
        static_cast<std::int64_t>(parse_count(*d, "--duration", 1, 7 * 24 * 60))};
  }
  const booking_confirmation b = w.service().open_group(ctx.who, r);
  json j = booking_json(b);
  j["capacity"] = r.capacity;
  emit(ctx, j, [&] {
    fmt::print("Opened group session {} (session {}): {}, {}, {}.\n", b.booking_reference,
               b.session.value, printable(p.name),
               local_span({b.scheduled_at, b.scheduled_at + r.duration}, zone),
               plural(r.capacity, "seat"));
    if (b.amount.is_zero()) {
      fmt::print("Seats are free. Book them with `group seat {} --client ID`.\n", b.session.value);
    } else {
      fmt::print("Each seat costs {}. Book them with `group seat {} --client ID`.\n",
                 to_string(b.amount), b.session.value);
    }
  });
  return exit_ok;
}

int run_group_seat(const context& ctx, const parsed_args& args) {
  const auto client = parse_id<client_id>(*args.get("--client"), "--client");
  workspace w{ctx};
  const session_id id = resolve_session(w.service(), ctx.who, args.positional[0]);
  const seat_confirmation c = w.service().book_seat(ctx.who, id, client);
  const json j{{"seat", seat_json(c.booked)},
               {"bookingReference", c.booking_reference},
               {"scheduledAt", instant_json(c.time.begin)},
               {"endsAt", instant_json(c.time.end)},
               {"seatsTaken", c.seats_taken},
               {"capacity", c.capacity}};
  emit(ctx, j, [&] {
    const std::optional<session> g = stored_session(w, id);
    const date::time_zone& zone = g ? provider_zone(w, g->provider) : find_zone("UTC");
    fmt::print("Client {} has seat {} in group session {} (session {}), {}: {} of {} held.\n",
               client.value, c.booked.id, c.booking_reference, id.value, local_span(c.time, zone),
               plural(c.seats_taken, "seat"), c.capacity);
    if (!c.booked.amount.is_zero()) {
      fmt::print("The seat costs {}; record its payment with `group confirm-payment`.\n",
                 to_string(c.booked.amount));
    }
  });
  return exit_ok;
}

int run_group_cancel_seat(const context& ctx, const parsed_args& args) {
  const auto client = parse_id<client_id>(*args.get("--client"), "--client");
  workspace w{ctx};
  const session_id id = resolve_session(w.service(), ctx.who, args.positional[0]);
  const seat_cancellation c =
      w.service().cancel_seat(ctx.who, id, client, args.get("--reason").value_or(std::string{}));
  const json j{{"seat", seat_json(c.cancelled)},
               {"decision", cancellation_json(c.decision)},
               {"refund", refund_json(c.refund)}};
  emit(ctx, j, [&] {
    fmt::print("Cancelled seat {} of client {} in group session {} ({}, {}); {}.\n", c.cancelled.id,
               client.value, id.value, to_string(c.decision.reason), notice_text(c.decision.notice),
               refund_sentence(c.refund));
    const std::optional<session> g = stored_session(w, id);
    fmt::print("The seat is free again: {} of {} held.\n", plural(held_seats(w, id), "seat"),
               g ? g->capacity : 0);
  });
  return exit_ok;
}

int run_group_confirm_payment(const context& ctx, const parsed_args& args) {
  const auto client = parse_id<client_id>(*args.get("--client"), "--client");
  workspace w{ctx};
  const session_id id = resolve_session(w.service(), ctx.who, args.positional[0]);
  const seat t = w.service().confirm_seat_payment(ctx.who, id, client, *args.get("--method"),
                                                  *args.get("--transaction"));
  emit(ctx, json{{"seat", seat_json(t)}}, [&] {
    fmt::print("Payment of {} recorded for seat {} of client {} in group session {}: {} ({} {}).\n",
               to_string(t.amount), t.id, client.value, id.value, to_string(t.payment),
               printable(t.payment_method), printable(t.transaction_id));
  });
  return exit_ok;
}

int run_group_seats(const context& ctx, const parsed_args& args) {
  workspace w{ctx};
  const session_id id = resolve_session(w.service(), ctx.who, args.positional[0]);
  const std::vector<seat> seats = w.service().group_seats(ctx.who, id);
  // The service has decided `ctx.who` may see this group's seats (all, or their own).
  const std::optional<session> g = stored_session(w, id);
  const std::int32_t held = held_seats(w, id);
  json list = json::array();
  for (const seat& t : seats) list.push_back(seat_json(t));
  const json j{{"session", id.value},
               {"bookingReference", g ? json(g->booking_reference) : json(nullptr)},
               {"scheduledAt", g ? instant_json(g->scheduled_at) : json(nullptr)},
               {"endsAt", g ? instant_json(g->scheduled_at + g->duration) : json(nullptr)},
               {"status", g ? json(to_string(g->status)) : json(nullptr)},
               {"capacity", g ? json(g->capacity) : json(nullptr)},
               {"held", held},
               {"seats", std::move(list)}};
  emit(ctx, j, [&] {
    if (g) {
      fmt::print("Group session {} (session {}), {}, {}: {} of {} held.\n", g->booking_reference,
                 id.value, local_span(session_interval(*g), provider_zone(w, g->provider)),
                 to_string(g->status), plural(held, "seat"), g->capacity);
    }
    if (seats.empty()) fmt::print("  no seats yet\n");
    for (const seat& t : seats) fmt::print("  {}\n", seat_line(t));
  });
  return exit_ok;
}

// --- the waitlist --------------------------------------------------------------------------------

int run_waitlist_join(const context& ctx, const parsed_args& args) {
  const auto provider = parse_id<provider_id>(args.positional[0], "PROVIDER");
  waitlist_request r;
  r.provider = provider;
  r.client = parse_id<client_id>(*args.get("--client"), "--client");
  if (const auto t = args.get("--type")) {
    r.type = parse_session_type(*t, "--type");
    if (r.type == session_type::group) {
      throw error(errc::invalid_argument,
                  fmt::format("--type: {} sessions are not booked from a waitlist (take a seat "
                              "with `group seat`)",
                              detail::quote(*t)));
    }
  }
  if (const auto e = args.get("--earliest"))
    r.earliest_local = parse_start_of_day(*e, "--earliest");
  if (const auto l = args.get("--latest")) r.latest_local = parse_start_of_day(*l, "--latest");
  if (r.earliest_local && r.latest_local && *r.latest_local < *r.earliest_local) {
    throw error(errc::invalid_argument, fmt::format("--latest: {} is before --earliest {}",
                                                    detail::quote(*args.get("--latest")),
                                                    detail::quote(*args.get("--earliest"))));
  }
  workspace w{ctx};
  const provider_profile p = w.service().provider(provider);
  const date::time_zone& zone = zone_option(args, p.hours.zone);
  r.range = parse_range(*args.get("--from"), *args.get("--to"), zone);
  const waitlist_entry e = w.service().join_waitlist(ctx.who, r);
  emit(ctx, json{{"entry", waitlist_entry_json(e)}}, [&] {
    const date::time_zone& own = find_zone(p.hours.zone);
    fmt::print("Client {} is on the waitlist of {} (provider {}) as entry {}:\n", r.client.value,
               printable(p.name), provider.value, e.id);
    fmt::print("  {} sessions {} ({}), {} to {}.\n", to_string(e.type), local_window_text(e),
               own.name(), local_time(e.range.begin, zone), local_time(e.range.end, zone));
    fmt::print(
        "Time freed later that fits goes to the first in line, held for {} min; see `waitlist "
        "list --client {}`.\n",
        w.service().options().waitlist_offer_hold.count(), r.client.value);
  });
  return exit_ok;
}

int run_waitlist_leave(const context& ctx, const parsed_args& args) {
  const std::int64_t id = parse_entry(args.positional[0]);
  workspace w{ctx};
  const waitlist_entry e = w.service().leave_waitlist(ctx.who, id);
  emit(ctx, json{{"entry", waitlist_entry_json(e)}}, [&] {
    fmt::print("Entry {} of client {} left the waitlist ({}).\n", e.id, e.client.value,
               to_string(e.state));
    if (e.offer && e.offer_expires) {
      fmt::print("Its offer of {} was declined and goes to the next in line.\n",
                 local_span(*e.offer, provider_zone(w, e.provider)));
    }
  });
  return exit_ok;
}

int run_waitlist_accept(const context& ctx, const parsed_args& args) {
  const std::int64_t id = parse_entry(args.positional[0]);
  workspace w{ctx};
  const booking_confirmation b = w.service().accept_offer(ctx.who, id);
  json j = booking_json(b);
  j["entry"] = id;
  emit(ctx, j, [&] {
    // The entry names the provider and the slot it booked; the caller may act on it.
    std::optional<waitlist_entry> e;
    {
      transaction tx{w.store(), access::read};
      e = w.store().find_waitlist_entry(id);
      tx.commit();
    }
    const date::time_zone& zone = e ? provider_zone(w, e->provider) : find_zone("UTC");
    const interval time = e && e->offer ? *e->offer : interval{b.scheduled_at, b.scheduled_at};
    fmt::print("Entry {} accepted its offer: booked {} (session {}), {}.\n", id,
               b.booking_reference, b.session.value, local_span(time, zone));
    if (b.payment_required) {
      fmt::print("Payment of {} is required: the time is held ({}) until it is paid.\n",
                 to_string(b.amount), to_string(b.status));
    } else {
      fmt::print("No payment is required: the session is {}.\n", to_string(b.status));
    }
  });
  return exit_ok;
}

int run_waitlist_list(const context& ctx, const parsed_args& args) {
  const auto client = parse_id<client_id>(*args.get("--client"), "--client");
  workspace w{ctx};
  const std::vector<waitlist_entry> entries = w.service().waitlist(ctx.who, client);
  json list = json::array();
  for (const waitlist_entry& e : entries) list.push_back(waitlist_entry_json(e));
  emit(ctx, json{{"client", client.value}, {"entries", std::move(list)}}, [&] {
    if (entries.empty()) fmt::print("Client {} is on no waitlist.\n", client.value);
    for (const waitlist_entry& e : entries) {
      fmt::print(
          "{}\n",
          entry_line(
              e, zone_option(args, provider_or_placeholder(w.service(), e.provider).hours.zone)));
    }
  });
  return exit_ok;
}

int run_waitlist_expire(const context& ctx, const parsed_args& args) {
  const std::size_t limit =
      args.has("--limit") ? parse_count(*args.get("--limit"), "--limit", 1, 100000) : 1000;
  workspace w{ctx};
  const std::size_t lapsed = w.service().expire_offers(limit);
  emit(ctx, json{{"lapsed", lapsed}}, [&] {
    fmt::print("{} waitlist offer{} lapsed{}.\n", lapsed, lapsed == 1 ? "" : "s",
               lapsed == 0 ? "" : "; each freed time was offered to the next in line");
  });
  return exit_ok;
}

}  // namespace

std::vector<command> group_commands() {
  return {
      {"group open",
       "PROVIDER --at TIME --capacity N [--duration MIN] [--notes TEXT] [--tz ZONE]",
       "open a group session with N seats",
       "Holds the provider's time once, as `book` would (the same hours, slot rules and overlap\n"
       "checks), for a session of type group with N seats (1 to 1000) and no client of its own.\n"
       "Each seat costs the provider's price. TIME as for `book`. The provider themselves, an\n"
       "admin or the system.",
       {{"--at", "TIME", "start of the session", true},
        {"--capacity", "N", "how many seats, 1 to 1000", true},
        {"--duration", "MIN", "length in minutes (default and only accepted: the provider's)"},
        {"--notes", "TEXT", "notes"},
        {"--tz", "ZONE", "read a wall-clock --at in ZONE instead of the provider's zone"}},
       1,
       1,
       run_group_open},
      {"group seat",
       "SESSION --client ID",
       "book a client a seat in a group session",
       "The group must be scheduled or confirmed and not yet started. A client already seated,\n"
       "busy then with another session or seat (client_busy), or a full group (group_full) is a\n"
       "conflict. The seat is held at once; record its payment with `group confirm-payment`.\n"
       "The client themselves, an admin or the system.",
       {{"--client", "ID", "the client who takes the seat", true}},
       1,
       1,
       run_group_seat},
      {"group cancel-seat",
       "SESSION --client ID [--reason TEXT]",
       "give up a client's seat under the cancellation policy",
       "The seat is judged as a session of the client's at the group's time: a client needs\n"
       "24 h notice, a provider, admin or the system may cancel any time before the start. What\n"
       "was paid for the seat is refunded (recorded: the CLI has no payment gateway). The seat\n"
       "is free again at once.",
       {{"--client", "ID", "whose seat", true},
        {"--reason", "TEXT", "why (kept with the seat, never in the audit log)"}},
       1,
       1,
       run_group_cancel_seat},
      {"group confirm-payment",
       "SESSION --client ID --method METHOD --transaction ID",
       "record the payment of a client's seat (what a payment webhook does)",
       "Repeating the same transaction is harmless; a cancelled seat is a conflict (refund the\n"
       "payment). Needs an admin or the system (--as system).",
       {{"--client", "ID", "whose seat", true},
        {"--method", "METHOD", "e.g. mpesa, card", true},
        {"--transaction", "ID", "the payment provider's transaction id", true}},
       1,
       1,
       run_group_confirm_payment},
      {"group seats",
       "SESSION",
       "list the seats of a group session, held and cancelled",
       "The group's provider, an admin or the system see every seat; a client who holds a seat\n"
       "sees their own. The count of held seats covers every client.",
       {},
       1,
       1,
       run_group_seats},
      {"waitlist join",
       "PROVIDER --client ID --from TIME --to TIME [--type TYPE] [--earliest HH:MM] "
       "[--latest HH:MM] [--tz ZONE]",
       "put a client on a provider's waitlist",
       "When time of the provider is freed later (a cancellation, a reschedule, an expired hold,\n"
       "a declined or lapsed offer), the first entry in line that wants it is offered the slot,\n"
       "held for 60 minutes: accept it with `waitlist accept`, decline it with `waitlist leave`.\n"
       "The offered session lies between --from and --to (dates are whole days in the provider's\n"
       "zone, both included, or instants) and starts between --earliest and --latest, local time\n"
       "of day in the provider's zone. Time that is free now is not offered: book it.",
       {{"--client", "ID", "the client who waits", true},
        {"--from", "TIME", "first day (or an instant)", true},
        {"--to", "TIME", "last day, included (or an instant, excluded)", true},
        {"--type", "TYPE", "the session to book: initial (default), follow_up or emergency"},
        {"--earliest", "HH:MM", "the session starts at this local time or later"},
        {"--latest", "HH:MM", "the session starts at this local time or earlier"},
        {"--tz", "ZONE", "read --from and --to in ZONE instead of the provider's zone"}},
       1,
       1,
       run_waitlist_join},
      {"waitlist leave",
       "ENTRY",
       "take an entry off the waitlist (also declines its offer)",
       "An offer the entry holds goes to the next in line at once. An entry no longer waiting or\n"
       "offered is a conflict. The entry's client, an admin or the system.",
       {},
       1,
       1,
       run_waitlist_leave},
      {"waitlist accept",
       "ENTRY",
       "book the slot a waitlist entry is offered",
       "Books the offered slot as `book` would (a priced provider's session is held until it is\n"
       "paid with `confirm-payment`). An entry without a live offer (none, or it lapsed) is a\n"
       "conflict. The entry's client, an admin or the system.",
       {},
       1,
       1,
       run_waitlist_accept},
      {"waitlist list",
       "--client ID [--tz ZONE]",
       "list a client's waitlist entries, open or not",
       "Each entry with its range, preferences and state: waiting, offered (with the slot and\n"
       "its deadline), booked, withdrawn or lapsed. Times in each provider's zone unless --tz.",
       {{"--client", "ID", "the client", true}, {"--tz", "ZONE", "show the times in ZONE"}},
       0,
       0,
       run_waitlist_list},
      {"waitlist expire",
       "[--limit N]",
       "let waitlist offers past their deadline lapse and pass them on",
       "Lapses up to N (default 1000) offers whose deadline passed, as the system, and offers\n"
       "each slot to the next in line. `holds expire` does this too, in its own transaction.",
       {{"--limit", "N", "lapse at most N offers (default 1000)"}},
       0,
       0,
       run_waitlist_expire},
  };
}

}  // namespace slotbook::cli
