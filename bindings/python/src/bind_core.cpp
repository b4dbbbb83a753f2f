// Time vocabulary, intervals, money, actors, booking references and the session record.

#include "bind.hpp"

namespace slotbook::python {

namespace {

// A time of day given as `datetime.time` or as a `timedelta` since midnight (0 to 24 h).
std::chrono::seconds time_of_day_seconds(py::handle tod, std::string_view field) {
  if (is_time(tod)) return std::chrono::seconds{to_time_seconds(tod)};
  if (is_timedelta(tod)) {
    const timedelta_parts parts = to_timedelta_parts(tod);
    if (parts.microseconds != 0 || parts.seconds < 0 || parts.seconds > 86400) {
      throw_invalid(fmt::format("{}: {} is not a time of day from 0 to 24 h in whole seconds",
                                field, short_repr(tod)));
    }
    return std::chrono::seconds{parts.seconds};
  }
  throw py::type_error(fmt::format("{}: expected datetime.time or datetime.timedelta, got {}",
                                   field, short_repr(tod)));
}

}  // namespace

void bind_core(py::module_& m) {
  using namespace pybind11::literals;

  // --- iCalendar import ------------------------------------------------------------------------
  m.def(
      "import_busy_times",
      [](std::string_view text, const py::object& zone, const interval& window,
         bool skip_unsupported, const std::map<std::string, std::string>& zone_aliases) {
        ical_import_options o;
        o.zone = zone_name(zone, "zone");
        o.window = window;
        o.unsupported = skip_unsupported ? ical_unsupported::skip : ical_unsupported::reject;
        o.zone_aliases.insert(zone_aliases.begin(), zone_aliases.end());
        py::gil_scoped_release unlocked;
        return slotbook::import_busy_times(text, o);
      },
      "text"_a, "zone"_a, "window"_a, "skip_unsupported"_a = false,
      "zone_aliases"_a = std::map<std::string, std::string>{},
      "Reads an iCalendar (.ics) text's busy time overlapping `window` as an IcalBusy: the busy\n"
      "intervals (BusyTime, whole, by start) of its VEVENTs (DTSTART/DTEND or DURATION, TZID,\n"
      "all-day dates, RRULE/RDATE/EXDATE, overridden instances; transparent and cancelled events\n"
      "block nothing), with floating and all-day times read in `zone` (the provider's zone, a str\n"
      "or ZoneInfo). Malformed text is InvalidArgumentError naming the line; an event outside the\n"
      "supported subset (e.g. FREQ=YEARLY) too, unless skip_unsupported, which lists it in\n"
      "`skipped`. `zone_aliases` maps non-IANA TZIDs (e.g. Windows names) to IANA names.\n\n"
      "    found = import_busy_times(open('work.ics').read(), 'Europe/Berlin', week)\n"
      "    service.import_busy(Actor.provider(42), 42, 'work', week, found.busy)");

  // --- time ------------------------------------------------------------------------------------
  m.def(
      "find_zone",
      [](const py::object& zone, std::string_view field) {
        const std::string name = zone_name(zone, field);
        return std::string{slotbook::find_zone(name, field).name()};
      },
      "zone"_a, "field"_a = "zone",
      "The IANA name of `zone` (a str or a zoneinfo.ZoneInfo) as the system tz database knows "
      "it.\n\nRaises InvalidArgumentError naming `field` for an unknown zone.\n\n"
      "    find_zone('Africa/Nairobi')  # 'Africa/Nairobi'");
  m.def(
      "parse_instant",
      [](std::string_view text, std::string_view field) {
        return slotbook::parse_instant(text, field);
      },
      "text"_a, "field"_a = "instant",
      "Parses an ISO-8601 / RFC 3339 instant ('2026-01-15T10:00:00Z', '...+03:00') into a UTC "
      "datetime.\n\nAnything else is InvalidArgumentError naming `field` and the text.");
  m.def(
      "format_instant",
      [](named<instant, "t"> t, const py::object& zone) {
        if (zone.is_none()) return slotbook::format_instant(*t);
        return slotbook::format_instant(*t, slotbook::find_zone(zone_name(zone, "zone"), "zone"));
      },
      "t"_a, "zone"_a = py::none(),
      "`t` as ISO-8601 text: '2026-01-15T10:00:00Z', or on the wall clock of `zone` with its "
      "offset, '2026-01-15T13:00:00+03:00'.");
  m.def(
      "to_instant",
      [](named<date::year_month_day, "day"> day, const py::object& time_of_day,
         const py::object& zone) {
        const auto tod = time_of_day_seconds(time_of_day, "time_of_day");
        const date::time_zone& z = slotbook::find_zone(zone_name(zone, "zone"), "zone");
        return slotbook::to_instant(date::local_seconds{date::local_days{*day}} + tod, z);
      },
      "day"_a, "time_of_day"_a, "zone"_a,
      "The UTC instant of local wall-clock time `time_of_day` (a datetime.time, or a timedelta "
      "since midnight up to 24 h) on civil date `day` in `zone`.\n\n"
      "slotbook's one DST rule: a time in a spring-forward gap moves forward by the gap's length "
      "(New York 2026-03-08 02:30 -> 07:30Z = 03:30 EDT); an ambiguous fall-back time takes the "
      "earlier instant (2026-11-01 01:30 -> 05:30Z, EDT).");
  m.def(
      "to_civil",
      [](named<instant, "t"> t, const py::object& zone) {
        return slotbook::to_civil(*t, slotbook::find_zone(zone_name(zone, "zone"), "zone"));
      },
      "t"_a, "zone"_a,
      "The local date, weekday, time of day, UTC offset and abbreviation of `t` in `zone`.");
  m.def(
      "parse_date",
      [](std::string_view text, std::string_view field) {
        return slotbook::parse_date(text, field);
      },
      "text"_a, "field"_a = "date",
      "Parses a civil date 'YYYY-MM-DD'; anything else is InvalidArgumentError naming `field`.");
  m.def(
      "format_date", [](named<date::year_month_day, "day"> day) { return format_date(*day); },
      "day"_a, "'2026-01-15'.");
  m.def(
      "parse_time_of_day",
      [](std::string_view text, std::string_view field) {
        return std::chrono::seconds{slotbook::parse_time_of_day(text, field)};
      },
      "text"_a, "field"_a = "time",
      "Parses 'HH:MM' from '00:00' to '24:00' into a timedelta since local midnight.");
  m.def(
      "format_time_of_day",
      [](const py::object& tod) {
        const auto s = time_of_day_seconds(tod, "time_of_day");
        if (s.count() % 60 != 0) throw_invalid("time_of_day: not a whole minute");
        return slotbook::format_time_of_day(std::chrono::duration_cast<std::chrono::minutes>(s));
      },
      "time_of_day"_a,
      "'09:30' for a datetime.time or a timedelta since midnight; timedelta(hours=24) is '24:00'.");

  // --- intervals -------------------------------------------------------------------------------
  m.def(
      "make_interval",
      [](named<instant, "begin"> begin, named<instant, "end"> end) {
        return slotbook::make_interval(*begin, *end);
      },
      "begin"_a, "end"_a,
      "A checked Interval [begin, end): InvalidArgumentError when end is not after begin.");
  m.def(
      "make_interval",
      [](named<instant, "begin"> begin, named<std::chrono::seconds, "length"> length) {
        return slotbook::make_interval(*begin, *length);
      },
      "begin"_a, "length"_a,
      "A checked Interval of `length` (a timedelta) from `begin`; a length that is not positive "
      "is InvalidArgumentError.");
  m.def(
      "_interval_str", [](const interval& i) { return to_string(i); }, "span"_a);

  // --- money -----------------------------------------------------------------------------------
  m.def(
      "parse_currency",
      [](std::string_view code, std::string_view field) {
        return std::string{currency::parse(code, field).code()};
      },
      "code"_a, "field"_a = "currency",
      "Checks an ISO-4217 code (three uppercase letters) and returns it; anything else is "
      "InvalidArgumentError naming `field`.");
  m.def(
      "minor_digits",
      [](std::string_view code) { return currency::parse(code, "code").minor_digits(); }, "code"_a,
      "How many decimal digits the currency's minor unit has (ISO 4217): 2 for KES, 0 for UGX, 3 "
      "for KWD.");
  m.def(
      "_money_add", [](const money& a, const money& b) { return a + b; }, "a"_a, "b"_a);
  m.def(
      "_money_sub", [](const money& a, const money& b) { return a - b; }, "a"_a, "b"_a);
  m.def(
      "_money_neg", [](const money& a) { return -a; }, "a"_a);
  m.def(
      "_money_str", [](const money& a) { return to_string(a); }, "a"_a);
  m.def(
      "portion",
      [](const money& amount, std::int32_t share) {
        return slotbook::portion(amount, basis_points{share});
      },
      "amount"_a, "share"_a,
      "`share` basis points (10000 = 100 %) of `amount`, rounded toward zero to a whole minor "
      "unit: portion(Money.kes(15), 5000) is KES 0.07.");
  m.def(
      "percent", [](std::int32_t p) { return slotbook::percent(p).value; }, "p"_a,
      "`p` percent in basis points: percent(50) == 5000 (-1, which every share check refuses, "
      "outside 0 to 100).");

  // --- actors ----------------------------------------------------------------------------------
  m.def(
      "parse_role",
      [](std::string_view text, std::string_view field) {
        return slotbook::parse_role(text, field);
      },
      "text"_a, "field"_a = "role", "Reads 'client', 'provider', 'admin' or 'system'.");
  m.def(
      "_actor_check", [](const actor& a) { return a; }, "who"_a);
  m.def(
      "_actor_str", [](const actor& a) { return to_string(a); }, "who"_a);

  // --- references ------------------------------------------------------------------------------
  m.def(
      "format_reference",
      [](std::int32_t year, std::uint64_t sequence) { return format_reference(year, sequence); },
      "year"_a, "sequence"_a,
      "'BK-2026-001234'; past 999999 the sequence grows unpadded ('BK-2026-1000000').");
  m.def(
      "parse_reference",
      [](std::string_view text, std::string_view field) {
        return slotbook::parse_reference(text, field);
      },
      "text"_a, "field"_a = "booking_reference",
      "Reads a booking reference back into a BookingReference(year, sequence); anything but the "
      "canonical text is InvalidArgumentError.");

  // --- sessions --------------------------------------------------------------------------------
  m.def(
      "parse_session_status",
      [](std::string_view text, std::string_view field) {
        return slotbook::parse_session_status(text, field);
      },
      "text"_a, "field"_a = "status", "Reads a SessionStatus from its lowercase name.");
  m.def(
      "parse_session_type",
      [](std::string_view text, std::string_view field) {
        return slotbook::parse_session_type(text, field);
      },
      "text"_a, "field"_a = "session_type", "Reads a SessionType from its lowercase name.");
  m.def(
      "parse_payment_status",
      [](std::string_view text, std::string_view field) {
        return slotbook::parse_payment_status(text, field);
      },
      "text"_a, "field"_a = "payment_status", "Reads a PaymentStatus from its lowercase name.");
  m.def("is_terminal", &slotbook::is_terminal, "status"_a,
        "True for the statuses nothing leaves: completed, cancelled, no_show.");
  m.def(
      "validate", [](const session& s) { slotbook::validate(s); }, "session"_a,
      "Checks the invariants every stored Session keeps; InvalidArgumentError naming the field.");
  m.attr("MAX_GROUP_CAPACITY") = max_group_capacity;
  m.def(
      "validate", [](const seat& s) { slotbook::validate(s); }, "seat"_a,
      "Checks the invariants every stored Seat keeps (session and client set, status scheduled or "
      "cancelled, the money rules of a Session); InvalidArgumentError naming the field.");
  m.def(
      "validate", [](const waitlist_entry& e) { slotbook::validate(e); }, "entry"_a,
      "Checks the invariants every stored WaitlistEntry keeps (a non-empty range, a type other "
      "than GROUP, local times 00:00 to 23:59 with earliest <= latest, an offer inside the "
      "range); InvalidArgumentError naming the field.");
  m.def(
      "parse_waitlist_state",
      [](std::string_view text, std::string_view field) {
        return slotbook::parse_waitlist_state(text, field);
      },
      "text"_a, "field"_a = "state", "Reads a WaitlistState from its lowercase name.");
  m.def("seat_view", &slotbook::seat_view, "group"_a, "seat"_a,
        "The Seat as a one-client Session at its group's time (the group's id, provider, time and "
        "reference, the seat's client and money; cancelled when the seat is), as the cancellation "
        "policy judges it. InvalidArgumentError when `group` is not the seat's group session.");
  m.def("session_interval", &slotbook::session_interval, "session"_a,
        "The booked time [scheduled_at, scheduled_at + duration).");
  m.def("refunded_amount", &slotbook::refunded_amount, "session"_a,
        "What has been refunded, as Money in the session's currency.");
  m.def("acts_for", &slotbook::acts_for, "who"_a, "session"_a,
        "True when `who` may act on the session at all: its own client or provider, any admin, "
        "the system.");
}

}  // namespace slotbook::python
