#include "output.hpp"

#include <array>

#include "values.hpp"

namespace slotbook::cli {

namespace {

constexpr std::array<const char*, 7> day_names{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

std::string hm(const civil_time& c) {
  return format_time_of_day(std::chrono::duration_cast<std::chrono::minutes>(c.time_of_day));
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out{text};
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

std::string local_time(instant t, const date::time_zone& zone) {
  const civil_time c = to_civil(t, zone);
  return fmt::format("{} {} {} {}", day_names[c.weekday.c_encoding()], format_date(c.date), hm(c),
                     c.abbreviation);
}

std::string local_span(const interval& i, const date::time_zone& zone) {
  const civil_time b = to_civil(i.begin, zone);
  const civil_time e = to_civil(i.end, zone);
  if (b.date == e.date || (e.time_of_day.count() == 0 &&
                           date::sys_days{e.date} == date::sys_days{b.date} + date::days{1})) {
    const std::string end_text = e.time_of_day.count() == 0 && b.date != e.date ? "24:00" : hm(e);
    const std::string abbrev =
        b.abbreviation == e.abbreviation ? b.abbreviation : b.abbreviation + "/" + e.abbreviation;
    return fmt::format("{} {} {}-{} {}", day_names[b.weekday.c_encoding()], format_date(b.date),
                       hm(b), end_text, abbrev);
  }
  return fmt::format("{} to {}", local_time(i.begin, zone), local_time(i.end, zone));
}

provider_profile provider_or_placeholder(booking_service& service, provider_id id) {
  try {
    return service.provider(id);
  } catch (const error& e) {
    if (e.code() != errc::not_found) throw;
    provider_profile p;
    p.id = id;
    p.name = fmt::format("provider {}", id.value);
    p.hours.zone = "UTC";
    return p;
  }
}

std::string session_line(const session& s, const date::time_zone& zone) {
  // A group session has no client of its own (client 0 would read as a person).
  const std::string who =
      is_group(s) ? fmt::format("group of {} seat{}", s.capacity, s.capacity == 1 ? "" : "s")
                  : fmt::format("client {}", s.client.value);
  return fmt::format("{}  (session {})  {}  {}  {}  provider {}", s.booking_reference, s.id.value,
                     local_span(session_interval(s), zone), to_string(s.status), who,
                     s.provider.value);
}

session_id resolve_session(booking_service& service, const actor& who, std::string_view text) {
  if (text.rfind("BK-", 0) == 0) return service.find_by_reference(who, text).id;
  return parse_id<session_id>(text, "SESSION");
}

std::string notice_text(std::chrono::seconds notice) {
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(notice).count();
  if (minutes < 0) return fmt::format("{} min after the start", -minutes);
  if (minutes % 60 == 0) return fmt::format("{} h notice", minutes / 60);
  return fmt::format("{} h {} min notice", minutes / 60, minutes % 60);
}

std::string refund_sentence(const refund_outcome& r) {
  switch (r.state) {
    case refund_state::none:
      return "nothing to refund";
    case refund_state::not_configured:
      return fmt::format(
          "refund of {} recorded; the CLI has no payment gateway, so pay it out through your own "
          "system (the audit log marks it refund_pending)",
          to_string(r.amount));
    case refund_state::refunded:
      return fmt::format("{} refunded ({})", to_string(r.amount), printable(r.gateway_reference));
    case refund_state::failed:
      return fmt::format("refund of {} failed: {}", to_string(r.amount), printable(r.error));
  }
  return "unknown refund state";
}

void print_session(booking_service& service, const session& s) {
  const provider_profile p = provider_or_placeholder(service, s.provider);
  const date::time_zone& zone = find_zone(p.hours.zone);
  fmt::print("{} (session {}): {}\n", s.booking_reference, s.id.value, to_string(s.status));
  if (is_group(s)) {
    fmt::print("  {} (provider {}), a group session of {} seat{} (see `group seats {}`)\n",
               printable(p.name), s.provider.value, s.capacity, s.capacity == 1 ? "" : "s",
               s.id.value);
  } else {
    fmt::print("  {} (provider {}) with client {}\n", printable(p.name), s.provider.value,
               s.client.value);
  }
  fmt::print("  {}  (UTC {} to {})\n", local_span(session_interval(s), zone),
             format_instant(s.scheduled_at), format_instant(s.scheduled_at + s.duration));
  // A group record is never paid itself: its amount is each seat's price.
  std::string payment = is_group(s)
                            ? fmt::format("{}, {} a seat", to_string(s.type), to_string(s.amount))
                            : fmt::format("{}, {}, payment {}", to_string(s.type),
                                          to_string(s.amount), to_string(s.payment));
  if (!s.payment_method.empty()) {
    payment += fmt::format(" ({} {})", printable(s.payment_method), printable(s.transaction_id));
  }
  if (s.refunded_minor > 0) payment += fmt::format(", {} refunded", to_string(refunded_amount(s)));
  fmt::print("  {}\n", payment);
  if (s.cancelled_at) {
    fmt::print("  cancelled {} by {}{}\n", local_time(*s.cancelled_at, zone),
               s.cancelled_by ? to_string(*s.cancelled_by) : "unknown",
               s.cancellation_reason.empty() ? "" : ": " + printable(s.cancellation_reason));
  }
  if (s.rescheduled_from.ok()) fmt::print("  replaces session {}\n", s.rescheduled_from.value);
  if (s.rescheduled_to.ok()) fmt::print("  moved to session {}\n", s.rescheduled_to.value);
  if (!s.notes.empty()) fmt::print("  notes: {}\n", printable(s.notes));
  if (!s.special_requests.empty())
    fmt::print("  special requests: {}\n", printable(s.special_requests));
}

}  // namespace slotbook::cli
