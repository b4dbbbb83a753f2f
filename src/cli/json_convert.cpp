#include "json_convert.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"
#include "slotbook/reminders.hpp"

namespace slotbook::cli {

namespace {

[[noreturn]] void bad_input(const std::string& message) {
  throw error(errc::invalid_argument, message);
}

// A value for a message: strings quoted, anything else as compact JSON, both cut short.
std::string describe(const json& j) {
  if (j.is_string()) return detail::quote(j.get_ref<const std::string&>());
  const std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 64 ? text.substr(0, 64) + "..." : text;
}

std::string type_name(const json& j) {
  if (j.is_number_integer()) return "a whole number";
  if (j.is_number()) return "a number";
  return std::string{"a JSON "} + j.type_name();
}

// Reads one JSON object whose keys must all be among `keys`. Unknown keys are refused before
// anything else, so a misspelt key is reported as such rather than as the missing one.
class object_reader {
 public:
  object_reader(const json& j, std::string path, std::initializer_list<std::string_view> keys)
      : json_(&j), path_(std::move(path)), keys_(keys) {
    if (!j.is_object()) {
      bad_input(fmt::format("{}: {} is {}, not an object", name(), describe(j), type_name(j)));
    }
    for (const auto& [key, value] : j.items()) {
      if (std::find(keys_.begin(), keys_.end(), key) == keys_.end()) {
        bad_input(fmt::format("{}: unknown key (expected one of {})", field(key),
                              fmt::join(keys_, ", ")));
      }
    }
  }

  const json* optional(std::string_view key) {
    const auto it = json_->find(key);
    if (it == json_->end() || it->is_null()) return nullptr;
    return &*it;
  }

  const json& required(std::string_view key) {
    const json* j = optional(key);
    if (j == nullptr) bad_input(fmt::format("{}: missing", field(key)));
    return *j;
  }

  std::string field(std::string_view key) const {
    return path_.empty() ? std::string{key} : fmt::format("{}.{}", path_, key);
  }

 private:
  std::string name() const { return path_.empty() ? "the document" : path_; }

  const json* json_;
  std::string path_;
  std::vector<std::string_view> keys_;
};

std::string read_string(const json& j, const std::string& field) {
  if (!j.is_string()) {
    bad_input(fmt::format("{}: {} is {}, not a string", field, describe(j), type_name(j)));
  }
  return j.get<std::string>();
}

bool read_bool(const json& j, const std::string& field) {
  if (!j.is_boolean()) {
    bad_input(fmt::format("{}: {} is {}, not true or false", field, describe(j), type_name(j)));
  }
  return j.get<bool>();
}

std::int64_t read_integer(const json& j, const std::string& field) {
  if (!j.is_number_integer()) {
    bad_input(fmt::format("{}: {} is {}, not a whole number", field, describe(j), type_name(j)));
  }
  if (j.is_number_unsigned() &&
      j.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    bad_input(fmt::format("{}: {} is too large", field, describe(j)));
  }
  return j.get<std::int64_t>();
}

std::chrono::minutes read_minutes(const json& j, const std::string& field) {
  // slot_rules validation bounds every duration to at most ten years of minutes, so any int64
  // that reaches it is safe to hold.
  return std::chrono::minutes{read_integer(j, field)};
}

slot_rules read_rules(const json& j) {
  object_reader r{j,
                  "rules",
                  {"durationMinutes", "stepMinutes", "bufferBeforeMinutes", "bufferAfterMinutes",
                   "minimumNoticeMinutes", "maximumAdvanceMinutes", "maxPerDay", "alignment"}};
  slot_rules rules;
  if (const json* v = r.optional("durationMinutes")) {
    rules.duration = read_minutes(*v, r.field("durationMinutes"));
  }
  if (const json* v = r.optional("stepMinutes")) {
    rules.step = read_minutes(*v, r.field("stepMinutes"));
  }
  if (const json* v = r.optional("bufferBeforeMinutes")) {
    rules.buffer_before = read_minutes(*v, r.field("bufferBeforeMinutes"));
  }
  if (const json* v = r.optional("bufferAfterMinutes")) {
    rules.buffer_after = read_minutes(*v, r.field("bufferAfterMinutes"));
  }
  if (const json* v = r.optional("minimumNoticeMinutes")) {
    rules.minimum_notice = read_minutes(*v, r.field("minimumNoticeMinutes"));
  }
  if (const json* v = r.optional("maximumAdvanceMinutes")) {
    rules.maximum_advance = read_minutes(*v, r.field("maximumAdvanceMinutes"));
  }
  if (const json* v = r.optional("maxPerDay")) {
    const std::int64_t n = read_integer(*v, r.field("maxPerDay"));
    if (n < 1 || n > 100000) {
      bad_input(
          fmt::format("rules.maxPerDay: {} is outside 1 to 100000 (leave it out or null "
                      "for no limit)",
                      n));
    }
    rules.max_per_day = static_cast<unsigned>(n);
  }
  if (const json* v = r.optional("alignment")) {
    const std::string a = read_string(*v, "rules.alignment");
    if (a == "run_start") {
      rules.alignment = slot_alignment::run_start;
    } else if (a == "fixed_grid") {
      rules.alignment = slot_alignment::fixed_grid;
    } else {
      bad_input(
          fmt::format("rules.alignment: {} is not run_start or fixed_grid", detail::quote(a)));
    }
  }
  // The rule checks name fields as `rules.duration`; say which key of the file that is.
  try {
    validate(rules);
  } catch (const error& e) {
    std::string message = e.what();
    for (const auto& [from, to] :
         {std::pair{"rules.duration:", "rules.durationMinutes:"},
          std::pair{"rules.step:", "rules.stepMinutes:"},
          std::pair{"rules.buffer_before:", "rules.bufferBeforeMinutes:"},
          std::pair{"rules.buffer_after:", "rules.bufferAfterMinutes:"},
          std::pair{"rules.minimum_notice:", "rules.minimumNoticeMinutes:"},
          std::pair{"rules.maximum_advance:", "rules.maximumAdvanceMinutes:"}}) {
      if (message.rfind(from, 0) == 0) message = to + message.substr(std::string_view{from}.size());
    }
    throw error(e.code(), message);
  }
  return rules;
}

std::optional<date::year_month_day> read_optional_date(object_reader& r, std::string_view key) {
  const json* v = r.optional(key);
  if (v == nullptr) return std::nullopt;
  const std::string field = r.field(key);
  return parse_date(read_string(*v, field), field);
}

json optional_instant(const std::optional<instant>& t) {
  return t ? instant_json(*t) : json(nullptr);
}

template <class Tag>
json id_json(strong_id<Tag> id) {
  return id.ok() ? json(id.value) : json(nullptr);
}

json rate_json(const rate& r) {
  return json{{"count", r.count}, {"of", r.of}, {"basisPoints", r.basis_points()}};
}

}  // namespace

std::string read_text_file(const std::string& path, std::string_view field) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    throw error(errc::invalid_argument,
                fmt::format("{}: cannot open {}", field, detail::quote(path, 256)));
  }
  std::string text;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_input_bytes) {
      throw error(errc::invalid_argument, fmt::format("{}: {} is larger than {} bytes", field,
                                                      detail::quote(path, 256), max_input_bytes));
    }
  }
  if (in.bad()) {
    throw error(errc::invalid_argument,
                fmt::format("{}: cannot read {}", field, detail::quote(path, 256)));
  }
  return text;
}

json parse_json_text(std::string_view text, std::string_view source) {
  // One set of keys per open object: nlohmann keeps the last of two equal keys silently.
  std::vector<std::set<std::string>> open;
  std::string repeated;
  const json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open.empty()) open.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open.empty() && !open.back().insert(parsed.get<std::string>()).second &&
            repeated.empty()) {
          repeated = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(), check);
  } catch (const json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." without the tag.
    std::string message = e.what();
    const auto tag_end = message.find("] ");
    if (tag_end != std::string::npos) message = message.substr(tag_end + 2);
    throw error(errc::invalid_argument, fmt::format("{}: not valid JSON: {}", source, message));
  }
  if (!repeated.empty()) {
    throw error(errc::invalid_argument, fmt::format("{}: key {} appears twice in one object",
                                                    source, detail::quote(repeated)));
  }
  return doc;
}

schedule_file read_schedule_file(const json& doc) {
  object_reader top{
      doc,
      "",
      {"zone", "windows", "exceptions", "effectiveFrom", "effectiveUntil", "isActive", "rules"}};
  const std::string zone = read_string(top.required("zone"), "zone");

  std::vector<seed_window> windows;
  if (const json* list = top.optional("windows")) {
    if (!list->is_array()) {
      bad_input(fmt::format("windows: {} is {}, not an array", describe(*list), type_name(*list)));
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      object_reader w{(*list)[i],
                      fmt::format("windows[{}]", i),
                      {"dayOfWeek", "startTime", "endTime", "isActive"}};
      seed_window sw;
      const std::int64_t day = read_integer(w.required("dayOfWeek"), w.field("dayOfWeek"));
      if (day < 0 || day > 6) {
        bad_input(fmt::format("{}: {} is not a weekday (0 = sunday to 6 = saturday)",
                              w.field("dayOfWeek"), day));
      }
      sw.day_of_week = static_cast<int>(day);
      sw.start_time = read_string(w.required("startTime"), w.field("startTime"));
      sw.end_time = read_string(w.required("endTime"), w.field("endTime"));
      if (const json* v = w.optional("isActive")) sw.is_active = read_bool(*v, w.field("isActive"));
      windows.push_back(std::move(sw));
    }
  }

  std::vector<seed_exception> exceptions;
  if (const json* list = top.optional("exceptions")) {
    if (!list->is_array()) {
      bad_input(
          fmt::format("exceptions: {} is {}, not an array", describe(*list), type_name(*list)));
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      object_reader x{(*list)[i],
                      fmt::format("exceptions[{}]", i),
                      {"date", "isAvailable", "customStartTime", "customEndTime", "reason"}};
      seed_exception sx;
      sx.date = read_string(x.required("date"), x.field("date"));
      sx.is_available = read_bool(x.required("isAvailable"), x.field("isAvailable"));
      if (const json* v = x.optional("customStartTime")) {
        sx.custom_start_time = read_string(*v, x.field("customStartTime"));
      }
      if (const json* v = x.optional("customEndTime")) {
        sx.custom_end_time = read_string(*v, x.field("customEndTime"));
      }
      if (const json* v = x.optional("reason")) sx.reason = read_string(*v, x.field("reason"));
      exceptions.push_back(std::move(sx));
    }
  }

  const auto from = read_optional_date(top, "effectiveFrom");
  const auto until = read_optional_date(top, "effectiveUntil");
  bool active = true;
  if (const json* v = top.optional("isActive")) active = read_bool(*v, "isActive");
  slot_rules rules;
  if (const json* v = top.optional("rules")) rules = read_rules(*v);

  schedule_file out;
  out.hours = schedule_from_seed(zone, windows, exceptions);
  out.hours.effective_from = from;
  out.hours.effective_until = until;
  out.hours.active = active;
  validate(out.hours);
  out.rules = rules;
  return out;
}

json schedule_file_json(const schedule& hours, const slot_rules& rules) {
  json windows = json::array();
  for (const weekly_window& w : hours.windows) {
    windows.push_back(json{{"dayOfWeek", w.day.c_encoding()},
                           {"startTime", format_time_of_day(w.start)},
                           {"endTime", format_time_of_day(w.end)},
                           {"isActive", true}});
  }
  json exceptions = json::array();
  for (const date_exception& x : hours.exceptions) {
    if (!x.available) {
      json e{{"date", format_date(x.date)}, {"isAvailable", false}};
      if (!x.reason.empty()) e["reason"] = x.reason;
      exceptions.push_back(std::move(e));
      continue;
    }
    // The seed's shape holds one window per entry: several custom windows are several entries
    // for one date (read back as one exception), the reason on the first.
    for (std::size_t i = 0; i < x.hours.size(); ++i) {
      json e{{"date", format_date(x.date)},
             {"isAvailable", true},
             {"customStartTime", format_time_of_day(x.hours[i].start)},
             {"customEndTime", format_time_of_day(x.hours[i].end)}};
      if (i == 0 && !x.reason.empty()) e["reason"] = x.reason;
      exceptions.push_back(std::move(e));
    }
  }
  json r{{"durationMinutes", rules.duration.count()},
         {"stepMinutes", rules.step ? json(rules.step->count()) : json(nullptr)},
         {"bufferBeforeMinutes", rules.buffer_before.count()},
         {"bufferAfterMinutes", rules.buffer_after.count()},
         {"minimumNoticeMinutes", rules.minimum_notice.count()},
         {"maximumAdvanceMinutes", rules.maximum_advance.count()},
         {"maxPerDay", rules.max_per_day ? json(*rules.max_per_day) : json(nullptr)},
         {"alignment", rules.alignment == slot_alignment::fixed_grid ? "fixed_grid" : "run_start"}};
  return json{
      {"zone", hours.zone},
      {"windows", std::move(windows)},
      {"exceptions", std::move(exceptions)},
      {"effectiveFrom",
       hours.effective_from ? json(format_date(*hours.effective_from)) : json(nullptr)},
      {"effectiveUntil",
       hours.effective_until ? json(format_date(*hours.effective_until)) : json(nullptr)},
      {"isActive", hours.active},
      {"rules", std::move(r)},
  };
}

json instant_json(instant t) { return format_instant(t); }

json money_json(const money& m) {
  return json{{"currency", std::string{m.currency_code().code()}},
              {"minorUnits", m.minor_units()},
              {"text", to_string(m)}};
}

json session_json(const session& s) {
  return json{
      {"id", id_json(s.id)},
      {"bookingReference", s.booking_reference},
      {"client", id_json(s.client)},
      {"provider", id_json(s.provider)},
      {"scheduledAt", instant_json(s.scheduled_at)},
      {"endsAt", instant_json(s.scheduled_at + s.duration)},
      {"duration", s.duration.count()},
      {"status", to_string(s.status)},
      {"sessionType", to_string(s.type)},
      {"amount", money_json(s.amount)},
      {"paymentStatus", to_string(s.payment)},
      {"paymentMethod", s.payment_method},
      {"transactionId", s.transaction_id},
      {"refunded", money_json(refunded_amount(s))},
      {"notes", s.notes},
      {"specialRequests", s.special_requests},
      {"joinedAt", optional_instant(s.joined_at)},
      {"endedAt", optional_instant(s.ended_at)},
      {"actualDuration", s.actual_duration ? json(s.actual_duration->count()) : json(nullptr)},
      {"createdAt", instant_json(s.created_at)},
      {"updatedAt", instant_json(s.updated_at)},
      {"cancelledAt", optional_instant(s.cancelled_at)},
      {"cancellationReason", s.cancellation_reason},
      {"cancelledBy", s.cancelled_by ? json(to_string(*s.cancelled_by)) : json(nullptr)},
      {"cancelledFrom", s.cancelled_from ? json(to_string(*s.cancelled_from)) : json(nullptr)},
      {"rescheduledFrom", id_json(s.rescheduled_from)},
      {"rescheduledTo", id_json(s.rescheduled_to)},
      {"rescheduleCount", s.reschedule_count},
      {"series", id_json(s.series)},
      {"capacity", s.capacity},
  };
}

json booking_json(const booking_confirmation& b) {
  return json{{"sessionId", id_json(b.session)},
              {"bookingReference", b.booking_reference},
              {"scheduledAt", instant_json(b.scheduled_at)},
              {"paymentRequired", b.payment_required},
              {"amount", money_json(b.amount)},
              {"status", to_string(b.status)}};
}

json series_booking_json(const series_booking& b, const date::time_zone& zone, bool preview) {
  json list = json::array();
  for (const series_occurrence& o : b.occurrences) {
    json j{{"occurrence", o.index + 1},
           {"localStart", date::format("%FT%T", o.local_start)},
           {"start", instant_json(o.time.begin)},
           {"end", instant_json(o.time.end)},
           {"booked", o.booked.has_value()}};
    // A preview has no session yet: its booking says what `book-series` would create.
    j["booking"] = o.booked ? booking_json(*o.booked) : json(nullptr);
    j["refused"] = o.refused ? json(to_string(*o.refused)) : json(nullptr);
    j["reason"] = o.refused ? json(o.reason) : json(nullptr);
    j["message"] = o.refused ? json(o.message) : json(nullptr);
    list.push_back(std::move(j));
  }
  return json{{"series", id_json(b.series)},
              {"preview", preview},
              {"rule", b.rule},
              {"mode", to_string(b.mode)},
              {"zone", std::string{zone.name()}},
              {"booked", b.booked_count()},
              {"skipped", b.occurrences.size() - b.booked_count()},
              {"occurrences", std::move(list)}};
}

json series_cancellation_json(const series_cancellation& c) {
  json list = json::array();
  for (const occurrence_cancellation& o : c.occurrences) {
    list.push_back(json{{"session", session_json(o.occurrence)},
                        {"outcome", to_string(o.outcome)},
                        {"decision", o.decision ? cancellation_json(*o.decision) : json(nullptr)},
                        {"refund", refund_json(o.refund)},
                        {"reason", o.reason}});
  }
  return json{{"series", id_json(c.series)},
              {"scope", to_string(c.scope)},
              {"cancelled", c.cancelled_count()},
              {"occurrences", std::move(list)}};
}

json provider_json(const provider_profile& p) {
  return json{{"id", p.id.value},
              {"name", p.name},
              {"active", p.active},
              {"price", money_json(p.price)},
              {"requiresIntake", p.requires_intake},
              {"schedule", schedule_file_json(p.hours, p.rules)}};
}

json slot_json(const slot& s, const date::time_zone& zone) {
  const civil_time start = to_civil(s.time.begin, zone);
  const civil_time end = to_civil(s.time.end, zone);
  const auto hm = [](const civil_time& c) {
    return format_time_of_day(std::chrono::duration_cast<std::chrono::minutes>(c.time_of_day));
  };
  json j{{"date", format_date(start.date)},
         {"startTime", hm(start)},
         {"endTime", hm(end)},
         {"start", instant_json(s.time.begin)},
         {"end", instant_json(s.time.end)},
         {"available", s.available}};
  if (!s.available) j["reason"] = to_string(s.reason);
  return j;
}

json cancellation_json(const cancellation_decision& d) {
  return json{{"allowed", d.allowed},
              {"reason", to_string(d.reason)},
              {"refund", money_json(d.refund)},
              {"shareBasisPoints", d.share.value},
              {"tier", d.tier ? json(*d.tier) : json(nullptr)},
              {"emergencySchedule", d.emergency_schedule},
              {"noticeSeconds", d.notice.count()}};
}

json reschedule_json(const reschedule_decision& d) {
  return json{{"allowed", d.allowed},
              {"reason", to_string(d.reason)},
              {"noticeSeconds", d.notice.count()},
              {"remaining", d.remaining}};
}

json refund_json(const refund_outcome& r) {
  return json{{"state", to_string(r.state)},
              {"amount", money_json(r.amount)},
              {"gatewayReference", r.gateway_reference},
              {"error", r.error}};
}

json reminder_json(const reminder_message& m) {
  return json{{"reminder", m.reminder},
              {"attempt", m.attempt},
              {"channel", to_string(m.channel)},
              {"before", reminder_label(m.before)},
              {"beforeMinutes", m.before.count()},
              {"due", instant_json(m.due)},
              {"session", id_json(m.session)},
              {"bookingReference", m.booking_reference},
              {"client", id_json(m.client)},
              {"provider", id_json(m.provider)},
              {"providerName", m.provider_name},
              {"scheduledAt", instant_json(m.scheduled_at)},
              {"duration", m.duration.count()}};
}

json analytics_json(const session_analytics& a) {
  return json{{"total", a.total},
              {"open", a.open},
              {"completed", a.completed},
              {"cancelled", a.cancelled},
              {"noShow", a.no_show},
              {"pendingHolds", a.pending_holds},
              {"abandonedHolds", a.abandoned_holds},
              {"rescheduled", a.rescheduled},
              {"completionRate", rate_json(a.completion_rate)},
              {"cancellationRate", rate_json(a.cancellation_rate)},
              {"noShowRate", rate_json(a.no_show_rate)},
              {"revenue", money_json(a.revenue)},
              {"timedSessions", a.timed_sessions},
              {"totalActualDuration", a.total_actual_duration.count()},
              {"averageActualDuration", a.average_actual_duration.count()},
              {"groupSessions", a.group_sessions},
              {"seats", a.seats},
              {"cancelledSeats", a.cancelled_seats}};
}

json seat_json(const seat& t) {
  return json{{"id", t.id},
              {"session", id_json(t.session)},
              {"client", id_json(t.client)},
              {"status", to_string(t.status)},
              {"amount", money_json(t.amount)},
              {"paymentStatus", to_string(t.payment)},
              {"paymentMethod", t.payment_method},
              {"transactionId", t.transaction_id},
              {"refunded", money_json(money{t.refunded_minor, t.amount.currency_code()})},
              {"createdAt", instant_json(t.created_at)},
              {"updatedAt", instant_json(t.updated_at)},
              {"cancelledAt", optional_instant(t.cancelled_at)},
              {"cancellationReason", t.cancellation_reason},
              {"cancelledBy", t.cancelled_by ? json(to_string(*t.cancelled_by)) : json(nullptr)}};
}

json waitlist_entry_json(const waitlist_entry& e) {
  const auto local = [](const std::optional<std::chrono::minutes>& m) {
    return m ? json(format_time_of_day(*m)) : json(nullptr);
  };
  return json{{"id", e.id},
              {"provider", id_json(e.provider)},
              {"client", id_json(e.client)},
              {"from", instant_json(e.range.begin)},
              {"to", instant_json(e.range.end)},
              {"sessionType", to_string(e.type)},
              {"earliest", local(e.earliest_local)},
              {"latest", local(e.latest_local)},
              {"state", to_string(e.state)},
              {"joinedAt", instant_json(e.joined_at)},
              {"updatedAt", instant_json(e.updated_at)},
              {"offer", e.offer ? json{{"start", instant_json(e.offer->begin)},
                                       {"end", instant_json(e.offer->end)}}
                                : json(nullptr)},
              {"offerExpires", optional_instant(e.offer_expires)},
              {"booked", id_json(e.booked)}};
}

json change_event_json(const change_event& e) {
  return json{{"sequence", e.sequence},
              {"kind", to_string(e.kind)},
              {"at", instant_json(e.at)},
              {"session", id_json(e.session)},
              {"bookingReference", e.booking_reference},
              {"provider", id_json(e.provider)},
              {"client", id_json(e.client)},
              {"start", instant_json(e.time.begin)},
              {"end", instant_json(e.time.end)},
              {"from", e.from ? json(to_string(*e.from)) : json(nullptr)},
              {"to", e.to ? json(to_string(*e.to)) : json(nullptr)},
              {"related", id_json(e.related)},
              {"by", to_string(e.by)},
              {"waitlistEntry", e.waitlist_entry != 0 ? json(e.waitlist_entry) : json(nullptr)}};
}

json audit_json(const audit_verification& v, const audit_head& head) {
  return json{
      {"ok", v.ok()},           {"problem", to_string(v.problem)},
      {"sequence", v.sequence}, {"checked", v.checked},
      {"message", v.message},   {"head", json{{"sequence", head.sequence}, {"hash", head.hash}}}};
}

json health_json(const health_report& h) {
  return json{{"status", to_string(h.status)},
              {"at", instant_json(h.at)},
              {"storageReachable", h.storage_reachable},
              {"remindersDue", h.reminders_due},
              {"remindersWaiting", h.reminders_waiting},
              {"oldestDueAge", h.oldest_due_age ? json(h.oldest_due_age->count()) : json(nullptr)},
              {"error", h.error}};
}

std::string dump(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace); }

}  // namespace slotbook::cli
