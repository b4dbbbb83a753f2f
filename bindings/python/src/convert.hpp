#pragma once
// How slotbook's C++ values cross into Python and back.
//
// The Python package defines the value types (frozen dataclasses) and the enums (enum.Enum
// subclasses); at import it registers each class with this module (`_register`). The type casters
// here then convert by field name:
// - `instant` <-> an aware `datetime.datetime` (any tzinfo in, `timezone.utc` out). A naive one,
//   or one with microseconds, is `invalid_argument` naming the argument or field;
// - durations <-> `datetime.timedelta` (whole units of the C++ duration, else `invalid_argument`);
// - civil dates <-> `datetime.date` (a `datetime.datetime` is refused: it would lose its time);
// - strong ids <-> non-negative `int`;
// - enums <-> the registered Python enum (its member, or the member's value as text);
// - structs <-> the registered dataclass, field by field (`record_info<T>` lists the fields).
// A caster answers "not this type" by returning false (pybind11 then raises TypeError or tries the
// next overload) and "this type, but a bad value" by throwing `slotbook::error`, which the module
// translates into the matching `slotbook.Error` subclass.
//
// `named<T, "now">` is a function argument of type T whose conversion errors name it: a naive
// `now` is reported as `now: 2026-01-15 10:00:00 is a naive datetime ...`.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/format.h>

#include "slotbook/slotbook.hpp"

namespace slotbook::python {

namespace py = pybind11;

// ---------------------------------------------------------------------------------------------
// Plain conversions (convert.cpp: the datetime C API is set up once there)
// ---------------------------------------------------------------------------------------------

/// Sets up the datetime C API; call once from the module init.
void init_datetime();

/// True when `o` is a `datetime.datetime`.
bool is_datetime(py::handle o) noexcept;
/// True when `o` is a `datetime.date` but not a `datetime.datetime`.
bool is_plain_date(py::handle o) noexcept;
/// True when `o` is a `datetime.date` or a subclass (datetimes included).
bool is_date_like(py::handle o) noexcept;
/// True when `o` is a `datetime.time`.
bool is_time(py::handle o) noexcept;
/// True when `o` is a `datetime.timedelta`.
bool is_timedelta(py::handle o) noexcept;

/// The instant of an aware datetime. Naive, or with microseconds (unless `floor_subseconds`):
/// `errc::invalid_argument`.
instant to_instant(py::handle datetime, bool floor_subseconds = false);
/// A `timezone.utc` datetime; an instant outside years 1 to 9999 is `errc::invalid_argument`.
py::object from_instant(instant t);

/// True when `o` is a `datetime.datetime` without a tzinfo.
bool is_naive_datetime(py::handle o) noexcept;
/// The wall-clock time of a naive datetime (whole seconds; a tzinfo or microseconds are
/// `errc::invalid_argument`).
date::local_seconds to_local_seconds(py::handle datetime);
/// A naive datetime showing the wall-clock time `t`; outside years 1 to 9999 is
/// `errc::invalid_argument`.
py::object from_local_seconds(date::local_seconds t);

/// `timedelta` as whole seconds and leftover microseconds.
struct timedelta_parts {
  std::int64_t seconds;
  std::int64_t microseconds;
};
timedelta_parts to_timedelta_parts(py::handle td);
py::object from_seconds(std::int64_t seconds);
py::object from_microseconds(std::int64_t microseconds);

date::year_month_day to_date(py::handle d);
py::object from_date(date::year_month_day d);

/// A `datetime.time` as seconds since midnight (no tzinfo allowed).
std::int64_t to_time_seconds(py::handle t);
py::object from_time_seconds(std::int64_t seconds);

/// `repr(o)` cut to a readable length, for messages.
std::string short_repr(py::handle o);
/// The Python type name of `o`.
std::string type_name(py::handle o);

[[noreturn]] void throw_invalid(std::string message);

// ---------------------------------------------------------------------------------------------
// Small wrapper types with their own Python shape
// ---------------------------------------------------------------------------------------------

/// A local time of day in whole minutes (0 to 1439) <-> `datetime.time`.
struct time_of_day {
  std::chrono::minutes value{};
};
/// The end of a window, 1 to 1440 minutes <-> `datetime.time`, where `time(0, 0)` is 24:00 (the
/// next local midnight): an end is after its start, so midnight as an end can only mean that.
struct time_of_day_end {
  std::chrono::minutes value{};
};
/// Seconds since local midnight (0 to 86399) <-> `datetime.time` with seconds.
struct clock_time {
  std::chrono::seconds value{};
};

/// A wall-clock time in some zone (the provider's) <-> a naive `datetime.datetime`.
struct wall_clock {
  date::local_seconds value{};
};

/// Compile-time text, for argument names.
template <std::size_t N>
struct fixed_string {
  char text[N]{};
  constexpr fixed_string(const char (&s)[N]) {  // NOLINT: implicit on purpose
    for (std::size_t i = 0; i < N; ++i) text[i] = s[i];
  }
  constexpr std::string_view view() const { return {text, N - 1}; }
};

/// A function argument whose conversion errors are prefixed with its name.
template <class T, fixed_string Name>
struct named {
  T value{};
  const T& operator*() const noexcept { return value; }
  const T* operator->() const noexcept { return &value; }
};

// ---------------------------------------------------------------------------------------------
// Registered Python classes
// ---------------------------------------------------------------------------------------------

/// The Python class registered for C++ type T (an enum or a record), or null before registration.
template <class T>
struct registered {
  static inline PyObject* cls = nullptr;
};

/// Enums: the Python name and every value with its text (the Python member's `.value`).
template <class E>
struct enum_info;

#define SLOTBOOK_ENUM(type, pyname, ...)                                   \
  template <>                                                              \
  struct enum_info<type> {                                                 \
    static constexpr const char* name = pyname;                            \
    static constexpr auto descr = py::detail::const_name(pyname);          \
    static constexpr type values[] = {__VA_ARGS__};                        \
    static std::string_view text(type v) noexcept { return to_string(v); } \
  }

/// The Python member of each C++ enumerator, by position in `enum_info<E>::values`.
template <class E>
struct enum_members {
  static inline std::array<PyObject*, std::size(enum_info<E>::values)> members{};
};

template <class E>
std::size_t enum_position(E v) {
  const auto& values = enum_info<E>::values;
  for (std::size_t i = 0; i < std::size(values); ++i) {
    if (values[i] == v) return i;
  }
  throw_invalid(
      fmt::format("{}: {} is not a known value", enum_info<E>::name, static_cast<long long>(v)));
}

/// Records: the Python name and the fields.
template <class T>
struct record_info;

/// A struct member as a field.
template <class T, class M>
struct member_field {
  using value_type = M;
  const char* name;
  M T::*ptr;
  const M& get(const T& t) const { return t.*ptr; }
  void set(T& t, M&& v) const { t.*ptr = std::move(v); }
};

template <class T, class M>
constexpr member_field<T, M> field(const char* name, M T::*ptr) {
  return {name, ptr};
}

/// A field converted through another C++ type `V` (a wrapper such as `time_of_day`).
template <class T, class V, class Get, class Set>
struct custom_field {
  using value_type = V;
  const char* name;
  Get getter;
  Set setter;
  V get(const T& t) const { return getter(t); }
  void set(T& t, V&& v) const { setter(t, std::move(v)); }
};

template <class T, class V, class Get, class Set>
constexpr custom_field<T, V, Get, Set> field_as(const char* name, Get get, Set set) {
  return {name, get, set};
}

/// Interned attribute names, created once and kept for the life of the process.
PyObject* interned(const char* name);

/// Creates an instance of the dataclass `cls` without running `__init__` (C++ values are already
/// normalised), then sets each field with `object.__setattr__` semantics.
py::object new_record(PyObject* cls);
void set_record_field(py::handle obj, const char* name, py::handle value);

}  // namespace slotbook::python

// ---------------------------------------------------------------------------------------------
// Type casters
// ---------------------------------------------------------------------------------------------

namespace pybind11::detail {

namespace sp = slotbook::python;

template <>
struct type_caster<slotbook::instant> {
  PYBIND11_TYPE_CASTER(slotbook::instant, const_name("datetime.datetime"));
  bool load(handle src, bool) {
    if (!sp::is_datetime(src)) return false;
    value = sp::to_instant(src);
    return true;
  }
  static handle cast(slotbook::instant t, return_value_policy, handle) {
    return sp::from_instant(t).release();
  }
};

template <class Rep, class Period>
struct type_caster<std::chrono::duration<Rep, Period>> {
  using type = std::chrono::duration<Rep, Period>;
  // One unit in microseconds (timedelta's resolution).
  static constexpr std::int64_t unit_us = Period::num * 1000000 / Period::den;
  static_assert(Period::num * 1000000 % Period::den == 0, "unit finer than a microsecond");
  PYBIND11_TYPE_CASTER(type, const_name("datetime.timedelta"));

  static constexpr std::string_view unit() {
    if constexpr (unit_us == 1000) return "milliseconds";
    if constexpr (unit_us == 1000000) return "seconds";
    if constexpr (unit_us == 60000000) return "minutes";
    if constexpr (unit_us == 86400000000) return "days";
    return "units";
  }

  bool load(handle src, bool) {
    if (!sp::is_timedelta(src)) return false;
    const sp::timedelta_parts parts = sp::to_timedelta_parts(src);
    // A timedelta reaches 8.6e13 s, whose microseconds do not fit in 64 bits: refuse anything
    // beyond 9e12 s (285,000 years) before multiplying.
    constexpr std::int64_t max_seconds = 9'000'000'000'000;
    if (parts.seconds > max_seconds || parts.seconds < -max_seconds) {
      sp::throw_invalid(fmt::format("{} is out of range", sp::short_repr(src)));
    }
    const std::int64_t total_us = parts.seconds * 1000000 + parts.microseconds;
    if (total_us % unit_us != 0) {
      sp::throw_invalid(fmt::format("{} is not a whole number of {}", sp::short_repr(src), unit()));
    }
    const std::int64_t units = total_us / unit_us;
    if (units < static_cast<std::int64_t>(std::numeric_limits<Rep>::min()) ||
        units > static_cast<std::int64_t>(std::numeric_limits<Rep>::max())) {
      sp::throw_invalid(fmt::format("{} is out of range", sp::short_repr(src)));
    }
    value = type{static_cast<Rep>(units)};
    return true;
  }
  static handle cast(type d, return_value_policy, handle) {
    const std::int64_t us = static_cast<std::int64_t>(d.count()) * unit_us;
    return sp::from_microseconds(us).release();
  }
};

template <>
struct type_caster<date::year_month_day> {
  PYBIND11_TYPE_CASTER(date::year_month_day, const_name("datetime.date"));
  bool load(handle src, bool) {
    if (!sp::is_date_like(src)) return false;
    if (!sp::is_plain_date(src)) {
      sp::throw_invalid(
          fmt::format("{} is a datetime; pass its .date() (a civil date)", sp::short_repr(src)));
    }
    value = sp::to_date(src);
    return true;
  }
  static handle cast(date::year_month_day d, return_value_policy, handle) {
    return sp::from_date(d).release();
  }
};

template <>
struct type_caster<sp::time_of_day> {
  PYBIND11_TYPE_CASTER(sp::time_of_day, const_name("datetime.time"));
  bool load(handle src, bool) {
    if (!sp::is_time(src)) return false;
    const std::int64_t s = sp::to_time_seconds(src);
    if (s % 60 != 0) {
      sp::throw_invalid(fmt::format("{} is not a whole minute", sp::short_repr(src)));
    }
    value.value = std::chrono::minutes{s / 60};
    return true;
  }
  static handle cast(sp::time_of_day t, return_value_policy, handle) {
    const auto m = t.value.count();
    if (m < 0 || m >= 1440) {
      sp::throw_invalid(fmt::format("{} min is not a time of day from 00:00 to 23:59", m));
    }
    return sp::from_time_seconds(m * 60).release();
  }
};

template <>
struct type_caster<sp::time_of_day_end> {
  PYBIND11_TYPE_CASTER(sp::time_of_day_end, const_name("datetime.time"));
  bool load(handle src, bool) {
    if (!sp::is_time(src)) return false;
    const std::int64_t s = sp::to_time_seconds(src);
    if (s % 60 != 0) {
      sp::throw_invalid(fmt::format("{} is not a whole minute", sp::short_repr(src)));
    }
    value.value = std::chrono::minutes{s == 0 ? 1440 : s / 60};
    return true;
  }
  static handle cast(sp::time_of_day_end t, return_value_policy, handle) {
    const auto m = t.value.count();
    if (m < 0 || m > 1440) {
      sp::throw_invalid(fmt::format("{} min is not a time of day from 00:00 to 24:00", m));
    }
    return sp::from_time_seconds(m == 1440 ? 0 : m * 60).release();
  }
};

template <>
struct type_caster<sp::clock_time> {
  PYBIND11_TYPE_CASTER(sp::clock_time, const_name("datetime.time"));
  bool load(handle src, bool) {
    if (!sp::is_time(src)) return false;
    value.value = std::chrono::seconds{sp::to_time_seconds(src)};
    return true;
  }
  static handle cast(sp::clock_time t, return_value_policy, handle) {
    return sp::from_time_seconds(t.value.count()).release();
  }
};

template <>
struct type_caster<sp::wall_clock> {
  PYBIND11_TYPE_CASTER(sp::wall_clock, const_name("datetime.datetime"));
  bool load(handle src, bool) {
    if (!sp::is_datetime(src)) return false;
    value.value = sp::to_local_seconds(src);
    return true;
  }
  static handle cast(sp::wall_clock t, return_value_policy, handle) {
    return sp::from_local_seconds(t.value).release();
  }
};

template <class Tag>
struct type_caster<slotbook::strong_id<Tag>> {
  PYBIND11_TYPE_CASTER(slotbook::strong_id<Tag>, const_name("int"));
  bool load(handle src, bool) {
    if (PyBool_Check(src.ptr()) || !PyLong_Check(src.ptr())) return false;
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(src.ptr(), &overflow);
    if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(src.ptr());
      if (PyErr_Occurred()) {
        PyErr_Clear();
        sp::throw_invalid(fmt::format("{} is not an id (ids fit in 64 bits)", sp::short_repr(src)));
      }
      value = slotbook::strong_id<Tag>{u};
      return true;
    }
    if (overflow < 0 || v < 0) {
      sp::throw_invalid(fmt::format("{} is not an id (ids are not negative)", sp::short_repr(src)));
    }
    value = slotbook::strong_id<Tag>{static_cast<std::uint64_t>(v)};
    return true;
  }
  static handle cast(slotbook::strong_id<Tag> id, return_value_policy, handle) {
    return PyLong_FromUnsignedLongLong(id.value);
  }
};

template <class T, sp::fixed_string Name>
struct type_caster<sp::named<T, Name>> {
  using inner = make_caster<T>;
  using named_type = sp::named<T, Name>;
  PYBIND11_TYPE_CASTER(named_type, inner::name);
  bool load(handle src, bool convert) {
    inner c;
    try {
      if (!c.load(src, convert)) return false;
    } catch (const slotbook::error& e) {
      throw slotbook::error(e.code(), fmt::format("{}: {}", Name.view(), e.what()));
    }
    value.value = cast_op<T&&>(std::move(c));
    return true;
  }
  static handle cast(const sp::named<T, Name>& v, return_value_policy policy, handle parent) {
    return inner::cast(v.value, policy, parent);
  }
};

/// Enums registered from Python.
template <class E>
struct enum_caster {
  using info = sp::enum_info<E>;
  PYBIND11_TYPE_CASTER(E, info::descr);

  bool load(handle src, bool convert) {
    PyObject* cls = sp::registered<E>::cls;
    if (cls == nullptr) return false;
    const auto& members = sp::enum_members<E>::members;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (members[i] == src.ptr()) {
        value = info::values[i];
        return true;
      }
    }
    if (!convert || !PyUnicode_Check(src.ptr())) return false;
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(src.ptr(), &size);
    if (data == nullptr) throw error_already_set();
    const std::string_view text{data, static_cast<std::size_t>(size)};
    std::string names;
    for (std::size_t i = 0; i < std::size(info::values); ++i) {
      if (info::text(info::values[i]) == text) {
        value = info::values[i];
        return true;
      }
      names += names.empty() ? "" : ", ";
      names += fmt::format("'{}'", info::text(info::values[i]));
    }
    sp::throw_invalid(
        fmt::format("{} is not a {} (one of {})", sp::short_repr(src), info::name, names));
  }
  static handle cast(E v, return_value_policy, handle) {
    PyObject* member = sp::enum_members<E>::members[sp::enum_position(v)];
    if (member == nullptr) throw type_error(std::string("enum not registered: ") + info::name);
    return handle(member).inc_ref();
  }
};

#define SLOTBOOK_ENUM_CASTER(type) \
  template <>                      \
  struct type_caster<type> : enum_caster<type> {}

/// Structs registered from Python (dataclasses), converted field by field.
template <class T>
struct record_caster {
  using info = sp::record_info<T>;
  PYBIND11_TYPE_CASTER(T, info::descr);

  bool load(handle src, bool) {
    PyObject* cls = sp::registered<T>::cls;
    if (cls == nullptr) return false;
    const int is = PyObject_IsInstance(src.ptr(), cls);
    if (is < 0) throw error_already_set();
    if (is == 0) return false;
    T out = info::make();
    std::apply([&](const auto&... f) { (load_field(src, out, f), ...); }, info::fields());
    value = std::move(out);
    return true;
  }

  static handle cast(const T& v, return_value_policy, handle) {
    PyObject* cls = sp::registered<T>::cls;
    if (cls == nullptr) throw type_error(std::string("record not registered: ") + info::name);
    object obj = sp::new_record(cls);
    std::apply([&](const auto&... f) { (cast_field(obj, v, f), ...); }, info::fields());
    return obj.release();
  }

 private:
  template <class F>
  static void load_field(handle src, T& out, const F& f) {
    using V = typename F::value_type;
    PyObject* raw = PyObject_GetAttr(src.ptr(), sp::interned(f.name));
    if (raw == nullptr) throw error_already_set();
    const object attr = reinterpret_steal<object>(raw);
    make_caster<V> c;
    bool ok = false;
    try {
      ok = c.load(attr, true);
    } catch (const slotbook::error& e) {
      throw slotbook::error(e.code(), fmt::format("{}.{}: {}", info::name, f.name, e.what()));
    }
    if (!ok) {
      throw type_error(fmt::format("{}.{}: expected {}, got {} {}", info::name, f.name,
                                   make_caster<V>::name.text, sp::type_name(attr),
                                   sp::short_repr(attr)));
    }
    try {
      f.set(out, cast_op<V&&>(std::move(c)));
    } catch (const slotbook::error& e) {
      // Setters that validate name the field themselves ("Money.currency: ...").
      const std::string prefix = fmt::format("{}.{}: ", info::name, f.name);
      if (std::string_view{e.what()}.substr(0, prefix.size()) == prefix) throw;
      throw slotbook::error(e.code(), prefix + e.what());
    }
  }

  template <class F>
  static void cast_field(const object& obj, const T& v, const F& f) {
    using V = typename F::value_type;
    object item = reinterpret_steal<object>(
        make_caster<V>::cast(f.get(v), return_value_policy::move, handle()));
    if (!item) throw error_already_set();
    // Sequences become tuples: the dataclasses are frozen and hashable.
    if (PyList_Check(item.ptr())) {
      item = reinterpret_steal<object>(PyList_AsTuple(item.ptr()));
      if (!item) throw error_already_set();
    }
    sp::set_record_field(obj, f.name, item);
  }
};

#define SLOTBOOK_RECORD_CASTER(type) \
  template <>                        \
  struct type_caster<type> : record_caster<type> {}

}  // namespace pybind11::detail
