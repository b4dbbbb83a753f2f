// Availability (weekly hours, exceptions, zones) and slots: lists, the booking check, team
// queries. The computations run without the GIL.

#include <deque>

#include "bind.hpp"

namespace slotbook::python {

namespace {

/// A validated schedule and the schedule it came from (kept for `.schedule` and pickling).
/// Immutable after construction, so it may be shared between threads.
struct availability_handle {
  explicit availability_handle(schedule s) : source(std::move(s)), hours(source) {}
  schedule source;
  slotbook::availability hours;
};

/// The members of a Python team list, converted and owned for the duration of a call.
struct team_input {
  std::deque<slotbook::availability> built;  // for members given a Schedule
  std::deque<std::vector<interval>> busy;
  std::deque<slot_rules> rules;
  std::vector<team_member> members;
  std::vector<py::object> keep;  // Availability objects referenced by pointer
};

team_input read_team(const py::sequence& team) {
  team_input in;
  for (std::size_t i = 0; i < py::len(team); ++i) {
    const py::object m = team[i];
    const auto where = [i](const char* f) { return fmt::format("team[{}].{}", i, f); };
    const auto load = [&]<class T>(const char* f) -> T {
      py::detail::make_caster<T> c;
      const py::object attr = m.attr(f);
      try {
        if (!c.load(attr, true)) {
          throw py::type_error(fmt::format("{}: expected {}, got {}", where(f),
                                           py::detail::make_caster<T>::name.text,
                                           short_repr(attr)));
        }
      } catch (const slotbook::error& e) {
        throw slotbook::error(e.code(), fmt::format("{}: {}", where(f), e.what()));
      }
      return py::detail::cast_op<T&&>(std::move(c));
    };
    team_member member;
    member.provider = load.operator()<provider_id>("provider");
    const py::object hours = m.attr("hours");
    if (py::isinstance<availability_handle>(hours)) {
      member.hours = &hours.cast<const availability_handle&>().hours;
      in.keep.push_back(hours);
    } else {
      in.built.emplace_back(load.operator()<schedule>("hours"));
      member.hours = &in.built.back();
    }
    in.busy.push_back(load.operator()<std::vector<interval>>("busy"));
    member.busy = in.busy.back();
    in.rules.push_back(load.operator()<slot_rules>("rules"));
    member.rules = &in.rules.back();
    in.members.push_back(member);
  }
  return in;
}

std::vector<local_window> windows(std::span<const local_window> s) { return {s.begin(), s.end()}; }

}  // namespace

void bind_slots(py::module_& m) {
  using namespace pybind11::literals;
  using no_gil = py::call_guard<py::gil_scoped_release>;

  // --- availability ----------------------------------------------------------------------------
  m.def(
      "validate", [](const schedule& s) { slotbook::validate(s); }, "schedule"_a,
      "Checks a Schedule and raises InvalidArgumentError naming the first bad field (unknown "
      "zone, a window outside 00:00-24:00 or ending before it starts, overlapping windows, "
      "repeated exception dates, ...).");
  m.def(
      "schedule_from_seed",
      [](const py::object& zone, const std::vector<seed_window>& windows,
         const std::vector<seed_exception>& exceptions) {
        return slotbook::schedule_from_seed(zone_name(zone, "zone"), windows, exceptions);
      },
      "zone"_a, "windows"_a, "exceptions"_a = std::vector<seed_exception>{},
      "Builds and validates a Schedule from the platform's original records (inactive windows "
      "are left out); errors name the seed field, e.g. 'windows[2].dayOfWeek: 7 is not a "
      "weekday'.");

  py::class_<availability_handle>(m, "Availability", R"doc(
A validated Schedule, indexed for many queries (zone looked up once, windows sorted, exceptions
indexed). Immutable: one instance may be shared between threads.

    hours = Availability(Schedule("Africa/Nairobi", [WeeklyWindow(Weekday.MONDAY, "09:00", "17:00")]))
    hours.hours_on(date(2026, 1, 12))   # (LocalWindow(start=09:00, end=17:00),)
)doc")
      .def(py::init<schedule>(), "schedule"_a,
           "Validates `schedule` (see validate) and indexes it; InvalidArgumentError if invalid.")
      .def_property_readonly(
          "schedule", [](const availability_handle& a) { return a.source; },
          "The schedule it was built from.")
      .def_property_readonly(
          "zone_name", [](const availability_handle& a) { return a.hours.zone_name(); },
          "The IANA zone name.")
      .def_property_readonly(
          "active", [](const availability_handle& a) { return a.hours.active(); },
          "False when the schedule is switched off: no hours at all.")
      .def(
          "hours_on",
          [](const availability_handle& a, named<date::year_month_day, "day"> day) {
            return windows(a.hours.hours_on(*day));
          },
          "day"_a,
          "The local windows open on `day` after date exceptions, sorted; empty when closed.")
      .def(
          "weekly_hours_on",
          [](const availability_handle& a, named<date::year_month_day, "day"> day) {
            return windows(a.hours.weekly_hours_on(*day));
          },
          "day"_a, "The regular weekly windows of `day`, ignoring date exceptions.")
      .def(
          "exception_on",
          [](const availability_handle& a,
             named<date::year_month_day, "day"> day) -> std::optional<date_exception> {
            const date_exception* x = a.hours.exception_on(*day);
            if (x == nullptr) return std::nullopt;
            return *x;
          },
          "day"_a, "The DateException for `day`, or None.")
      .def(
          "covers_whole_day",
          [](const availability_handle& a, named<date::year_month_day, "day"> day,
             std::optional<hours_kind> kind) {
            return a.hours.covers_whole_day(date::local_days{*day},
                                            kind.value_or(hours_kind::actual));
          },
          "day"_a, "kind"_a = py::none(),
          "True when the hours of `day` cover 00:00 to 24:00 without a hole.")
      .def(
          "latest_partial_day_before",
          [](const availability_handle& a, named<date::year_month_day, "day"> day,
             std::optional<hours_kind> kind) -> std::optional<date::year_month_day> {
            const auto d = a.hours.latest_partial_day_before(date::local_days{*day},
                                                             kind.value_or(hours_kind::actual));
            if (!d) return std::nullopt;
            return date::year_month_day{*d};
          },
          "day"_a, "kind"_a = py::none(),
          "The latest day before `day` whose hours do not cover the whole day, or None.")
      .def(
          "has_exception_between",
          [](const availability_handle& a, named<date::year_month_day, "first"> first,
             named<date::year_month_day, "last"> last) {
            return a.hours.has_exception_between(date::local_days{*first}, date::local_days{*last});
          },
          "first"_a, "last"_a, "True when some date exception falls in [first, last].")
      .def("__repr__",
           [](const availability_handle& a) {
             return fmt::format("Availability(zone='{}', active={})", a.hours.zone_name(),
                                a.hours.active() ? "True" : "False");
           })
      .def(py::pickle(
          [](const availability_handle& a) { return py::make_tuple(a.source); },
          [](const py::tuple& t) { return availability_handle{t[0].cast<schedule>()}; }));

  m.def(
      "expand",
      [](const availability_handle& a, const interval& range, std::optional<hours_kind> kind) {
        return slotbook::expand(a.hours, range, kind.value_or(hours_kind::actual));
      },
      "hours"_a, "range"_a, "kind"_a = py::none(), no_gil(),
      "The provider's open time within `range`: sorted, merged, non-empty UTC Intervals clipped "
      "to `range` (at most 3660 days).");
  m.def(
      "expand",
      [](const schedule& s, const interval& range, std::optional<hours_kind> kind) {
        py::gil_scoped_release r;
        return slotbook::expand(s, range, kind.value_or(hours_kind::actual));
      },
      "hours"_a, "range"_a, "kind"_a = py::none(),
      "`expand` for a Schedule that has not been indexed yet (validates it first).");

  // --- slots -----------------------------------------------------------------------------------
  m.def(
      "validate", [](const slot_rules& r) { slotbook::validate(r); }, "rules"_a,
      "Checks SlotRules: duration and step 1 min to 7 days, buffers 0 to 24 h, notice and advance "
      "0 to 3660 days.");
  m.def(
      "slot_reason_error_code", [](slot_reason r) { return to_errc(r); }, "reason"_a,
      "The error class a booking refused for `reason` maps to (BOOKED -> CONFLICT, TOO_SOON -> "
      "POLICY_DENIED, OUTSIDE_HOURS -> OUTSIDE_AVAILABILITY, ...).");

  const char* generate_doc =
      "Every candidate slot starting in `range` (UTC, at most 400 days), in order, each with "
      "`available` and, when not, a `reason`. `busy` holds the provider's existing bookings "
      "(Intervals, any order); `now` is the caller's clock.\n\n"
      "    slots = generate_slots(hours, busy, SlotRules(), make_interval(day, timedelta(days=1)), "
      "now)";
  m.def(
      "generate_slots",
      [](const availability_handle& a, const std::vector<interval>& busy, const slot_rules& rules,
         named<interval, "range"> range, named<instant, "now"> now) {
        py::gil_scoped_release r;
        return slotbook::generate_slots(a.hours, busy, rules, *range, *now);
      },
      "hours"_a, "busy"_a, "rules"_a, "range"_a, "now"_a, generate_doc);
  m.def(
      "generate_slots",
      [](const schedule& s, const std::vector<interval>& busy, const slot_rules& rules,
         named<interval, "range"> range, named<instant, "now"> now) {
        py::gil_scoped_release r;
        return slotbook::generate_slots(s, busy, rules, *range, *now);
      },
      "hours"_a, "busy"_a, "rules"_a, "range"_a, "now"_a, generate_doc);
  const char* free_doc = "Only the bookable slots of generate_slots, as Intervals in order.";
  m.def(
      "free_slots",
      [](const availability_handle& a, const std::vector<interval>& busy, const slot_rules& rules,
         named<interval, "range"> range, named<instant, "now"> now) {
        py::gil_scoped_release r;
        return slotbook::free_slots(a.hours, busy, rules, *range, *now);
      },
      "hours"_a, "busy"_a, "rules"_a, "range"_a, "now"_a, free_doc);
  m.def(
      "free_slots",
      [](const schedule& s, const std::vector<interval>& busy, const slot_rules& rules,
         named<interval, "range"> range, named<instant, "now"> now) {
        py::gil_scoped_release r;
        return slotbook::free_slots(s, busy, rules, *range, *now);
      },
      "hours"_a, "busy"_a, "rules"_a, "range"_a, "now"_a, free_doc);
  const char* check_doc =
      "May `proposed` be booked now? The booking path's check; it agrees with generate_slots (a "
      "listed slot is allowed exactly when available, with the same reason) and refuses any time "
      "the list never offers (WRONG_DURATION, NOT_ON_GRID, EXCEPTION, OUTSIDE_HOURS). `busy` "
      "leaves out the session being rescheduled.";
  m.def(
      "check_bookable",
      [](const availability_handle& a, const std::vector<interval>& busy, const slot_rules& rules,
         named<interval, "proposed"> proposed, named<instant, "now"> now) {
        py::gil_scoped_release r;
        return slotbook::check_bookable(a.hours, busy, rules, *proposed, *now);
      },
      "hours"_a, "busy"_a, "rules"_a, "proposed"_a, "now"_a, check_doc);
  m.def(
      "check_bookable",
      [](const schedule& s, const std::vector<interval>& busy, const slot_rules& rules,
         named<interval, "proposed"> proposed, named<instant, "now"> now) {
        py::gil_scoped_release r;
        return slotbook::check_bookable(s, busy, rules, *proposed, *now);
      },
      "hours"_a, "busy"_a, "rules"_a, "proposed"_a, "now"_a, check_doc);

  // --- team queries ----------------------------------------------------------------------------
  m.def(
      "providers_free_at",
      [](const py::sequence& team, named<instant, "start"> start, named<instant, "now"> now) {
        const team_input in = read_team(team);
        py::gil_scoped_release r;
        return slotbook::providers_free_at(in.members, *start, *now);
      },
      "team"_a, "start"_a, "now"_a,
      "The provider ids (in team order) that could be booked for a session starting at `start`, "
      "each for their own rules.duration: exactly those check_bookable allows. `team` is a "
      "sequence of TeamMember.");
  m.def(
      "earliest_team_slot",
      [](const py::sequence& team, named<instant, "from_"> from, named<instant, "now"> now) {
        const team_input in = read_team(team);
        py::gil_scoped_release r;
        return slotbook::earliest_team_slot(in.members, *from, *now);
      },
      "team"_a, "from_"_a, "now"_a,
      "The earliest bookable slot any provider of the team has starting at or after `from_`, as "
      "a TeamSlot, or None. Ties go to the provider earlier in `team`.");
}

}  // namespace slotbook::python
