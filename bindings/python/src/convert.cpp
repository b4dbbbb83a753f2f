// The datetime conversions and the registry of Python classes (see convert.hpp).

#include "convert.hpp"

#include <datetime.h>

#include <mutex>
#include <unordered_map>

#include "records.hpp"

// The datetime C API is a set of macros built on C casts.
#pragma GCC diagnostic ignored "-Wold-style-cast"

namespace slotbook::python {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Whole seconds in a timedelta; microseconds separately.
timedelta_parts parts_of(PyObject* td) {
  const std::int64_t days = PyDateTime_DELTA_GET_DAYS(td);
  const std::int64_t seconds = PyDateTime_DELTA_GET_SECONDS(td);
  const std::int64_t micro = PyDateTime_DELTA_GET_MICROSECONDS(td);
  return {days * 86400 + seconds, micro};
}

}  // namespace

void init_datetime() {
  PyDateTime_IMPORT;
  if (PyDateTimeAPI == nullptr) throw py::error_already_set();
}

bool is_datetime(py::handle o) noexcept { return PyDateTime_Check(o.ptr()); }
bool is_plain_date(py::handle o) noexcept {
  return PyDate_Check(o.ptr()) && !PyDateTime_Check(o.ptr());
}
bool is_date_like(py::handle o) noexcept { return PyDate_Check(o.ptr()); }
bool is_time(py::handle o) noexcept { return PyTime_Check(o.ptr()); }
bool is_timedelta(py::handle o) noexcept { return PyDelta_Check(o.ptr()); }

void throw_invalid(std::string message) { throw error(errc::invalid_argument, std::move(message)); }

std::string short_repr(py::handle o) {
  std::string text;
  try {
    text = py::repr(o).cast<std::string>();
  } catch (const py::error_already_set&) {
    text = "<unprintable>";
  }
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

std::string type_name(py::handle o) { return Py_TYPE(o.ptr())->tp_name; }

instant to_instant(py::handle datetime, bool floor_subseconds) {
  PyObject* o = datetime.ptr();
  PyObject* tz = PyDateTime_DATE_GET_TZINFO(o);
  const auto naive = [&] {
    throw_invalid(
        fmt::format("{} is a naive datetime; pass an aware one (tzinfo=datetime.timezone.utc or a "
                    "zoneinfo.ZoneInfo)",
                    short_repr(datetime)));
  };
  if (tz == Py_None) naive();
  const int micro = PyDateTime_DATE_GET_MICROSECOND(o);
  if (micro != 0 && !floor_subseconds) {
    throw_invalid(fmt::format(
        "{} has {} microseconds; slotbook instants are whole seconds (use .replace(microsecond=0))",
        short_repr(datetime), micro));
  }
  std::int64_t seconds =
      days_from_civil(PyDateTime_GET_YEAR(o), static_cast<unsigned>(PyDateTime_GET_MONTH(o)),
                      static_cast<unsigned>(PyDateTime_GET_DAY(o))) *
          86400 +
      PyDateTime_DATE_GET_HOUR(o) * 3600 + PyDateTime_DATE_GET_MINUTE(o) * 60 +
      PyDateTime_DATE_GET_SECOND(o);
  if (tz != PyDateTime_TimeZone_UTC) {
    // Any other tzinfo (a fixed offset, zoneinfo.ZoneInfo, dateutil, ...): ask it, exactly as
    // Python's own arithmetic does; `fold` picks the side of an ambiguous wall-clock time.
    const py::object offset = datetime.attr("utcoffset")();
    if (offset.is_none()) naive();
    const timedelta_parts off = parts_of(offset.ptr());
    if (off.microseconds != 0) {
      throw_invalid(fmt::format("{} has a UTC offset with microseconds", short_repr(datetime)));
    }
    seconds -= off.seconds;
  }
  return instant{std::chrono::seconds{seconds}};
}

py::object from_instant(instant t) {
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const int year = static_cast<int>(ymd.year());
  if (year < 1 || year > 9999) {
    throw_invalid(
        fmt::format("{} seconds since 1970 is outside the years 1 to 9999 that "
                    "datetime.datetime can hold",
                    t.time_since_epoch().count()));
  }
  const auto since_midnight = (t - day).count();
  PyObject* dt = PyDateTimeAPI->DateTime_FromDateAndTime(
      year, static_cast<int>(static_cast<unsigned>(ymd.month())),
      static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(since_midnight / 3600),
      static_cast<int>(since_midnight / 60 % 60), static_cast<int>(since_midnight % 60), 0,
      PyDateTime_TimeZone_UTC, PyDateTimeAPI->DateTimeType);
  if (dt == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(dt);
}

bool is_naive_datetime(py::handle o) noexcept {
  return is_datetime(o) && PyDateTime_DATE_GET_TZINFO(o.ptr()) == Py_None;
}

date::local_seconds to_local_seconds(py::handle datetime) {
  PyObject* o = datetime.ptr();
  if (PyDateTime_DATE_GET_TZINFO(o) != Py_None) {
    throw_invalid(fmt::format(
        "{} has a tzinfo; a wall-clock time is a naive datetime (in the provider's zone)",
        short_repr(datetime)));
  }
  const int micro = PyDateTime_DATE_GET_MICROSECOND(o);
  if (micro != 0) {
    throw_invalid(fmt::format(
        "{} has {} microseconds; slotbook times are whole seconds (use .replace(microsecond=0))",
        short_repr(datetime), micro));
  }
  const std::int64_t seconds =
      days_from_civil(PyDateTime_GET_YEAR(o), static_cast<unsigned>(PyDateTime_GET_MONTH(o)),
                      static_cast<unsigned>(PyDateTime_GET_DAY(o))) *
          86400 +
      PyDateTime_DATE_GET_HOUR(o) * 3600 + PyDateTime_DATE_GET_MINUTE(o) * 60 +
      PyDateTime_DATE_GET_SECOND(o);
  return date::local_seconds{std::chrono::seconds{seconds}};
}

py::object from_local_seconds(date::local_seconds t) {
  // The same calendar arithmetic as an instant, without a tzinfo.
  const py::object utc = from_instant(instant{t.time_since_epoch()});
  return utc.attr("replace")(py::arg("tzinfo") = py::none());
}

timedelta_parts to_timedelta_parts(py::handle td) { return parts_of(td.ptr()); }

py::object from_seconds(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    days -= 1;
  }
  if (days > 999999999 || days < -999999999) {
    throw_invalid(fmt::format("{} s does not fit in a datetime.timedelta", seconds));
  }
  PyObject* td = PyDateTimeAPI->Delta_FromDelta(static_cast<int>(days), static_cast<int>(rest), 0,
                                                1, PyDateTimeAPI->DeltaType);
  if (td == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(td);
}

py::object from_microseconds(std::int64_t microseconds) {
  std::int64_t seconds = microseconds / 1000000;
  std::int64_t micro = microseconds % 1000000;
  if (micro < 0) {
    micro += 1000000;
    seconds -= 1;
  }
  py::object td = from_seconds(seconds);
  if (micro == 0) return td;
  PyObject* out = PyDateTimeAPI->Delta_FromDelta(
      PyDateTime_DELTA_GET_DAYS(td.ptr()), PyDateTime_DELTA_GET_SECONDS(td.ptr()),
      static_cast<int>(micro), 1, PyDateTimeAPI->DeltaType);
  if (out == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(out);
}

date::year_month_day to_date(py::handle d) {
  PyObject* o = d.ptr();
  return date::year_month_day{date::year{PyDateTime_GET_YEAR(o)},
                              date::month{static_cast<unsigned>(PyDateTime_GET_MONTH(o))},
                              date::day{static_cast<unsigned>(PyDateTime_GET_DAY(o))}};
}

py::object from_date(date::year_month_day d) {
  const int year = static_cast<int>(d.year());
  if (!d.ok() || year < 1 || year > 9999) {
    throw_invalid(fmt::format("{:04}-{:02}-{:02} is not a date datetime.date can hold", year,
                              static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day())));
  }
  PyObject* out = PyDateTimeAPI->Date_FromDate(
      year, static_cast<int>(static_cast<unsigned>(d.month())),
      static_cast<int>(static_cast<unsigned>(d.day())), PyDateTimeAPI->DateType);
  if (out == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(out);
}

std::int64_t to_time_seconds(py::handle t) {
  PyObject* o = t.ptr();
  if (PyDateTime_TIME_GET_TZINFO(o) != Py_None) {
    throw_invalid(
        fmt::format("{} has a tzinfo; a local time of day is wall-clock time in the "
                    "schedule's zone and takes none",
                    short_repr(t)));
  }
  if (PyDateTime_TIME_GET_MICROSECOND(o) != 0) {
    throw_invalid(
        fmt::format("{} has microseconds; times of day are whole seconds", short_repr(t)));
  }
  return PyDateTime_TIME_GET_HOUR(o) * 3600 + PyDateTime_TIME_GET_MINUTE(o) * 60 +
         PyDateTime_TIME_GET_SECOND(o);
}

py::object from_time_seconds(std::int64_t seconds) {
  if (seconds < 0 || seconds >= 86400) {
    throw_invalid(fmt::format("{} s is not a time of day", seconds));
  }
  PyObject* out = PyDateTimeAPI->Time_FromTime(
      static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
      static_cast<int>(seconds % 60), 0, Py_None, PyDateTimeAPI->TimeType);
  if (out == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(out);
}

PyObject* interned(const char* name) {
  // Called with the GIL held; the map only grows, and its strings live as long as the process.
  static std::unordered_map<const char*, PyObject*> names;
  const auto found = names.find(name);
  if (found != names.end()) return found->second;
  PyObject* s = PyUnicode_InternFromString(name);
  if (s == nullptr) throw py::error_already_set();
  names.emplace(name, s);
  return s;
}

py::object new_record(PyObject* cls) {
  auto* type = reinterpret_cast<PyTypeObject*>(cls);
  static PyObject* empty = PyTuple_New(0);
  PyObject* obj = type->tp_new(type, empty, nullptr);
  if (obj == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(obj);
}

void set_record_field(py::handle obj, const char* name, py::handle value) {
  // object.__setattr__: the dataclasses are frozen, and their own __setattr__ refuses.
  if (PyObject_GenericSetAttr(obj.ptr(), interned(name), value.ptr()) != 0) {
    throw py::error_already_set();
  }
}

}  // namespace slotbook::python

namespace pybind11::detail {

bool type_caster<slotbook::actor>::load(handle src, bool) {
  if (cls == nullptr) return false;
  const int is = PyObject_IsInstance(src.ptr(), cls);
  if (is < 0) throw error_already_set();
  if (is == 0) return false;
  make_caster<slotbook::role> role_caster;
  const object role = src.attr("role");
  bool ok = false;
  try {
    ok = role_caster.load(role, true);
  } catch (const slotbook::error& e) {
    throw slotbook::error(e.code(), fmt::format("Actor.role: {}", e.what()));
  }
  if (!ok) throw type_error("Actor.role: expected Role, got " + sp::short_repr(role));
  const object id_object = src.attr("id");
  if (PyBool_Check(id_object.ptr()) || !PyLong_Check(id_object.ptr())) {
    throw type_error("Actor.id: expected int, got " + sp::short_repr(id_object));
  }
  const unsigned long long id = PyLong_AsUnsignedLongLong(id_object.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    sp::throw_invalid(fmt::format("Actor.id: {} is not an id", sp::short_repr(id_object)));
  }
  switch (cast_op<slotbook::role>(role_caster)) {
    case slotbook::role::client:
      value = slotbook::actor::client(slotbook::client_id{id});
      break;
    case slotbook::role::provider:
      value = slotbook::actor::provider(slotbook::provider_id{id});
      break;
    case slotbook::role::admin:
      value = slotbook::actor::admin(slotbook::admin_id{id});
      break;
    case slotbook::role::system:
      if (id != 0) sp::throw_invalid(fmt::format("Actor.id: the system has no id, got {}", id));
      value = slotbook::actor::system();
      break;
  }
  return true;
}

handle type_caster<slotbook::actor>::cast(const slotbook::actor& a, return_value_policy, handle) {
  if (cls == nullptr) throw type_error("Actor is not registered");
  std::uint64_t id = 0;
  if (const auto c = a.as_client()) id = c->value;
  if (const auto p = a.as_provider()) id = p->value;
  if (const auto d = a.as_admin()) id = d->value;
  object obj = sp::new_record(cls);
  sp::set_record_field(obj, "role",
                       reinterpret_steal<object>(make_caster<slotbook::role>::cast(
                           a.kind(), return_value_policy::move, handle())));
  sp::set_record_field(obj, "id", reinterpret_steal<object>(PyLong_FromUnsignedLongLong(id)));
  return obj.release();
}

bool type_caster<slotbook::record_ref>::load(handle src, bool) {
  if (cls == nullptr) return false;
  const int is = PyObject_IsInstance(src.ptr(), cls);
  if (is < 0) throw error_already_set();
  if (is == 0) return false;
  const object k = src.attr("kind");
  const object i = src.attr("id");
  if (!PyUnicode_Check(k.ptr())) throw type_error("RecordRef.kind: expected str");
  if (PyBool_Check(i.ptr()) || !PyLong_Check(i.ptr()))
    throw type_error("RecordRef.id: expected int");
  kind = k.cast<std::string>();
  const unsigned long long id = PyLong_AsUnsignedLongLong(i.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    sp::throw_invalid(fmt::format("RecordRef.id: {} is not an id", sp::short_repr(i)));
  }
  value = slotbook::record_ref{kind, id};
  return true;
}

handle type_caster<slotbook::record_ref>::cast(const slotbook::record_ref& r, return_value_policy,
                                               handle) {
  if (cls == nullptr) throw type_error("RecordRef is not registered");
  object obj = sp::new_record(cls);
  sp::set_record_field(obj, "kind", str(std::string(r.kind)));
  sp::set_record_field(obj, "id", reinterpret_steal<object>(PyLong_FromUnsignedLongLong(r.id)));
  return obj.release();
}

}  // namespace pybind11::detail
