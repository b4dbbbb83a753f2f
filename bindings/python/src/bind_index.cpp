// The conflict indexes: `IntervalIndex` (one provider) and `ProviderIndex` (many), with batch
// queries over int64 epoch seconds.
//
// Thread safety: the C++ indexes are plain containers, so each Python object carries a
// reader-writer lock. Queries take it shared, changes exclusive. Calls that do real work (batch
// checks and inserts, lists of entries or gaps, copies) release the GIL first, so Python threads
// run them in parallel while others go on. A single O(log n) check or change keeps the GIL: it
// takes tens of nanoseconds, less than handing the GIL over and taking it back, and holding the
// GIL while waiting for the lock cannot deadlock because no lock holder ever needs the GIL.

#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "bind.hpp"

namespace slotbook::python {

namespace {

using seconds_vector = std::vector<std::int64_t>;

instant at(std::int64_t s) { return instant{std::chrono::seconds{s}}; }

/// int64 values from a buffer (array('q'), memoryview, bytes of int64, ...) or a sequence of ints.
seconds_vector read_int64s(const py::handle& src, std::string_view field) {
  if (PyObject_CheckBuffer(src.ptr()) && !PyUnicode_Check(src.ptr())) {
    const py::buffer buf = py::reinterpret_borrow<py::buffer>(src);
    const py::buffer_info info = buf.request();
    const std::string& f = info.format;
    const bool int64 = info.itemsize == 8 && (f == "q" || f == "l" || f == "<q" || f == "=q" ||
                                              f == "<l" || f == "=l" || f == "@q" || f == "@l");
    if (!int64 || info.ndim != 1) {
      throw py::type_error(fmt::format(
          "{}: expected a one-dimensional buffer of int64 (format 'q'), got format '{}' with {} "
          "dimension(s)",
          field, f, info.ndim));
    }
    const auto n = static_cast<std::size_t>(info.shape[0]);
    seconds_vector out(n);
    const auto* base = static_cast<const char*>(info.ptr);
    for (std::size_t i = 0; i < n; ++i) {
      std::memcpy(&out[i], base + static_cast<std::ptrdiff_t>(i) * info.strides[0], 8);
    }
    return out;
  }
  const py::object fast = py::reinterpret_steal<py::object>(
      PySequence_Fast(src.ptr(), "expected a sequence of int epoch seconds or an int64 buffer"));
  if (!fast) throw py::error_already_set();
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
  PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
  seconds_vector out(static_cast<std::size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    const long long v = PyLong_AsLongLong(items[i]);
    if (v == -1 && PyErr_Occurred()) {
      PyErr_Clear();
      throw py::type_error(fmt::format("{}[{}]: expected an int (epoch seconds), got {}", field, i,
                                       short_repr(items[i])));
    }
    out[static_cast<std::size_t>(i)] = v;
  }
  return out;
}

void same_length(std::size_t a, std::size_t b, std::string_view what) {
  if (a != b) throw_invalid(fmt::format("{}: lengths differ ({} and {})", what, a, b));
}

py::list bools(const std::vector<std::uint8_t>& flags) {
  py::list out(flags.size());
  for (std::size_t i = 0; i < flags.size(); ++i) {
    PyObject* b = flags[i] != 0 ? Py_True : Py_False;
    Py_INCREF(b);
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), b);
  }
  return out;
}

struct py_interval_index {
  py_interval_index() = default;
  explicit py_interval_index(std::size_t capacity) : idx(capacity) {}
  py_interval_index(const py_interval_index& other) {
    std::shared_lock lock(other.mu);
    idx = other.idx;
  }
  interval_index idx;
  mutable std::shared_mutex mu;
};

struct py_provider_index {
  py_provider_index() = default;
  explicit py_provider_index(std::size_t capacity) : idx(capacity) {}
  py_provider_index(const py_provider_index& other) {
    std::shared_lock lock(other.mu);
    idx = other.idx;
  }
  provider_index idx;
  mutable std::shared_mutex mu;
};

// Runs `f` on the index under the lock, keeping the GIL (for O(log n) calls).
template <class Index, class F>
auto shared_quick(const Index& self, F&& f) {
  std::shared_lock lock(self.mu);
  return f(self.idx);
}
template <class Index, class F>
auto exclusive_quick(Index& self, F&& f) {
  std::unique_lock lock(self.mu);
  return f(self.idx);
}

// Runs `f` on the index under the lock, without the GIL.
template <class Index, class F>
auto shared(const Index& self, F&& f) {
  py::gil_scoped_release release;
  std::shared_lock lock(self.mu);
  return f(self.idx);
}
template <class Index, class F>
auto exclusive(Index& self, F&& f) {
  py::gil_scoped_release release;
  std::unique_lock lock(self.mu);
  return f(self.idx);
}

}  // namespace

void bind_index(py::module_& m) {
  using namespace pybind11::literals;
  using II = py_interval_index;
  using PI = py_provider_index;

  py::class_<II>(m, "IntervalIndex", R"doc(
The bookings of one provider, which never overlap one another: the conflict check every booking
makes ("is [b, e) free?") in two binary searches. Half-open: back-to-back bookings do not conflict.

    idx = IntervalIndex()
    idx.insert(1, Interval(nine, ten))
    idx.is_free(Interval(ten, eleven))                  # True
    idx.first_overlap(Interval(nine_thirty, ten_thirty)).id   # 1
    idx.overlaps_many(array('q', begins), array('q', ends))  # batch, int64 epoch seconds

Thread-safe: queries run in parallel, changes one at a time; batch calls run without the GIL.
)doc")
      .def(py::init<>())
      .def(py::init<std::size_t>(), "block_capacity"_a,
           "An empty index whose blocks hold up to `block_capacity` bookings (2 to 65536).")
      .def(
          "insert",
          [](II& self, session_id id, const interval& span) {
            exclusive_quick(self, [&](interval_index& i) { i.insert(id, span); });
          },
          "id"_a, "span"_a,
          "Adds booking `id` over `span`. ConflictError naming both sessions when it overlaps a "
          "booking already there; InvalidArgumentError for an empty span or id 0. On any error "
          "the index is unchanged.")
      .def(
          "try_insert",
          [](II& self, session_id id, const interval& span) {
            return exclusive_quick(self, [&](interval_index& i) { return i.try_insert(id, span); });
          },
          "id"_a, "span"_a,
          "Like insert, but a conflict is a value: the first overlapping IndexEntry (nothing "
          "inserted), or None after inserting.")
      .def(
          "erase",
          [](II& self, session_id id, const interval& span) {
            return exclusive_quick(self, [&](interval_index& i) { return i.erase(id, span); });
          },
          "id"_a, "span"_a, "Removes booking `id` over exactly `span`; False when there is none.")
      .def(
          "is_free",
          [](const II& self, const interval& q) {
            return shared_quick(self, [&](const interval_index& i) { return i.is_free(q); });
          },
          "span"_a, "True when no booking overlaps `span` (an empty span is free).")
      .def(
          "first_overlap",
          [](const II& self, const interval& q) {
            return shared_quick(self, [&](const interval_index& i) { return i.first_overlap(q); });
          },
          "span"_a, "The earliest booking overlapping `span` (an IndexEntry), or None.")
      .def(
          "overlapping",
          [](const II& self, const interval& q) {
            return shared(self, [&](const interval_index& i) { return i.overlapping(q); });
          },
          "span"_a, "The bookings overlapping `span`, in begin order.")
      .def(
          "free_gaps",
          [](const II& self, const interval& range) {
            return shared(self, [&](const interval_index& i) { return i.free_gaps(range); });
          },
          "range"_a, "The maximal parts of `range` no booking covers, in order.")
      .def(
          "find",
          [](const II& self, session_id id, named<instant, "begin"> begin) {
            return shared_quick(self, [&](const interval_index& i) { return i.find(id, *begin); });
          },
          "id"_a, "begin"_a, "The booking `id` that begins at `begin`, or None.")
      .def(
          "entries",
          [](const II& self) {
            return shared(self, [](const interval_index& i) { return i.entries(); });
          },
          "Every booking (IndexEntry), in begin order.")
      .def(
          "overlaps_many",
          [](const II& self, const py::object& begins, const py::object& ends) {
            const seconds_vector b = read_int64s(begins, "begins");
            const seconds_vector e = read_int64s(ends, "ends");
            same_length(b.size(), e.size(), "overlaps_many: begins and ends");
            std::vector<std::uint8_t> out(b.size());
            shared(self, [&](const interval_index& i) {
              for (std::size_t k = 0; k < b.size(); ++k) {
                out[k] = i.is_free({at(b[k]), at(e[k])}) ? 0 : 1;
              }
              return 0;
            });
            return bools(out);
          },
          "begins"_a, "ends"_a,
          "Batch conflict check: for each k, does any booking overlap [begins[k], ends[k])? "
          "`begins` and `ends` are int epoch seconds, as sequences of int or as int64 buffers "
          "(array('q'), memoryview): no numpy needed. Returns a list of bool. Runs without the "
          "GIL, under one read lock.")
      .def(
          "insert_many",
          [](II& self, const py::object& ids, const py::object& begins, const py::object& ends) {
            const seconds_vector idv = read_int64s(ids, "ids");
            const seconds_vector b = read_int64s(begins, "begins");
            const seconds_vector e = read_int64s(ends, "ends");
            same_length(idv.size(), b.size(), "insert_many: ids and begins");
            same_length(b.size(), e.size(), "insert_many: begins and ends");
            for (std::size_t k = 0; k < idv.size(); ++k) {
              if (idv[k] <= 0) throw_invalid(fmt::format("ids[{}]: {} is not an id", k, idv[k]));
            }
            exclusive(self, [&](interval_index& i) {
              std::size_t k = 0;
              try {
                for (; k < idv.size(); ++k) {
                  i.insert(session_id{static_cast<std::uint64_t>(idv[k])}, {at(b[k]), at(e[k])});
                }
              } catch (...) {
                // All or nothing: take back what this call inserted.
                for (std::size_t j = 0; j < k; ++j) {
                  i.erase(session_id{static_cast<std::uint64_t>(idv[j])}, {at(b[j]), at(e[j])});
                }
                throw;
              }
              return 0;
            });
          },
          "ids"_a, "begins"_a, "ends"_a,
          "Inserts many bookings (ids and int epoch seconds, as sequences or int64 buffers), all "
          "or nothing: on the first error (a conflict, an empty span, id 0) the ones inserted by "
          "this call are removed again and the error is raised.")
      .def(
          "clear",
          [](II& self) {
            exclusive(self, [](interval_index& i) {
              i.clear();
              return 0;
            });
          },
          "Removes every booking.")
      .def("__len__",
           [](const II& self) {
             return shared(self, [](const interval_index& i) { return i.size(); });
           })
      .def_property_readonly(
          "empty",
          [](const II& self) {
            return shared(self, [](const interval_index& i) { return i.empty(); });
          },
          "True when there are no bookings.")
      .def(
          "memory_bytes",
          [](const II& self) {
            return shared(self, [](const interval_index& i) { return i.memory_bytes(); });
          },
          "Heap bytes held.")
      .def_property_readonly(
          "block_capacity", [](const II& self) { return self.idx.block_capacity(); },
          "The most bookings one block holds.")
      .def_property_readonly(
          "block_count",
          [](const II& self) {
            return shared(self, [](const interval_index& i) { return i.block_count(); });
          },
          "Number of blocks in use.")
      .def(
          "invariants_hold",
          [](const II& self) {
            return shared(self, [](const interval_index& i) { return i.invariants_hold(); });
          },
          "Checks the layout (for tests; O(n)).")
      .def("__copy__", [](const II& self) { return II(self); })
      .def(
          "__deepcopy__", [](const II& self, const py::dict&) { return II(self); }, "memo"_a)
      .def("__repr__",
           [](const II& self) {
             return fmt::format("IntervalIndex(size={}, block_capacity={})",
                                shared(self, [](const interval_index& i) { return i.size(); }),
                                self.idx.block_capacity());
           })
      .def(py::pickle(
          [](const II& self) {
            const auto entries = shared(self, [](const interval_index& i) { return i.entries(); });
            py::list ids, begins, ends;
            for (const index_entry& e : entries) {
              ids.append(e.id.value);
              begins.append(e.span.begin.time_since_epoch().count());
              ends.append(e.span.end.time_since_epoch().count());
            }
            return py::make_tuple(self.idx.block_capacity(), ids, begins, ends);
          },
          [](const py::tuple& t) {
            II out(t[0].cast<std::size_t>());
            const auto ids = t[1].cast<std::vector<std::uint64_t>>();
            const auto begins = t[2].cast<std::vector<std::int64_t>>();
            const auto ends = t[3].cast<std::vector<std::int64_t>>();
            for (std::size_t k = 0; k < ids.size(); ++k) {
              out.idx.insert(session_id{ids[k]}, {at(begins[k]), at(ends[k])});
            }
            return out;
          }));

  py::class_<PI>(m, "ProviderIndex", R"doc(
The bookings of many providers: one IntervalIndex per provider, found by provider id. An unknown
provider has no bookings. Same thread-safety rules as IntervalIndex.

    idx = ProviderIndex()
    idx.insert(5, 1, Interval(nine, ten))
    idx.is_free(5, Interval(nine_thirty, ten_thirty))   # False
    idx.is_free(6, Interval(nine_thirty, ten_thirty))   # True
)doc")
      .def(py::init<>())
      .def(py::init<std::size_t>(), "block_capacity"_a,
           "An empty index whose per-provider indexes use blocks of `block_capacity`.")
      .def(
          "insert",
          [](PI& self, provider_id p, session_id id, const interval& span) {
            exclusive_quick(self, [&](provider_index& i) {
              i.insert(p, id, span);
              return 0;
            });
          },
          "provider"_a, "id"_a, "span"_a,
          "Adds booking `id` over `span` for `provider`; ConflictError on an overlap, "
          "InvalidArgumentError for provider 0, id 0 or an empty span.")
      .def(
          "try_insert",
          [](PI& self, provider_id p, session_id id, const interval& span) {
            return exclusive_quick(self,
                                   [&](provider_index& i) { return i.try_insert(p, id, span); });
          },
          "provider"_a, "id"_a, "span"_a,
          "Like insert, but a conflict is a value (the overlapping IndexEntry, nothing inserted).")
      .def(
          "erase",
          [](PI& self, provider_id p, session_id id, const interval& span) {
            return exclusive_quick(self, [&](provider_index& i) { return i.erase(p, id, span); });
          },
          "provider"_a, "id"_a, "span"_a, "Removes a booking; False when absent.")
      .def(
          "is_free",
          [](const PI& self, provider_id p, const interval& q) {
            return shared_quick(self, [&](const provider_index& i) { return i.is_free(p, q); });
          },
          "provider"_a, "span"_a, "True when no booking of `provider` overlaps `span`.")
      .def(
          "first_overlap",
          [](const PI& self, provider_id p, const interval& q) {
            return shared_quick(self,
                                [&](const provider_index& i) { return i.first_overlap(p, q); });
          },
          "provider"_a, "span"_a, "The earliest booking of `provider` overlapping `span`, or None.")
      .def(
          "overlapping",
          [](const PI& self, provider_id p, const interval& q) {
            return shared(self, [&](const provider_index& i) { return i.overlapping(p, q); });
          },
          "provider"_a, "span"_a, "The bookings of `provider` overlapping `span`, in order.")
      .def(
          "free_gaps",
          [](const PI& self, provider_id p, const interval& range) {
            return shared(self, [&](const provider_index& i) { return i.free_gaps(p, range); });
          },
          "provider"_a, "range"_a, "The parts of `range` no booking of `provider` covers.")
      .def(
          "find",
          [](const PI& self, provider_id p, session_id id, named<instant, "begin"> begin) {
            return shared_quick(self,
                                [&](const provider_index& i) { return i.find(p, id, *begin); });
          },
          "provider"_a, "id"_a, "begin"_a, "The booking `id` of `provider` beginning at `begin`.")
      .def(
          "bookings_of",
          [](const PI& self, provider_id p) -> std::optional<II> {
            py::gil_scoped_release release;
            std::shared_lock lock(self.mu);
            const interval_index* b = self.idx.bookings_of(p);
            if (b == nullptr) return std::nullopt;
            std::optional<II> out(std::in_place);
            out->idx = *b;
            return out;
          },
          "provider"_a, "A copy of `provider`'s IntervalIndex, or None when they have no bookings.")
      .def(
          "overlaps_many",
          [](const PI& self, const py::object& providers, const py::object& begins,
             const py::object& ends) {
            const seconds_vector p = read_int64s(providers, "providers");
            const seconds_vector b = read_int64s(begins, "begins");
            const seconds_vector e = read_int64s(ends, "ends");
            same_length(p.size(), b.size(), "overlaps_many: providers and begins");
            same_length(b.size(), e.size(), "overlaps_many: begins and ends");
            std::vector<std::uint8_t> out(b.size());
            shared(self, [&](const provider_index& i) {
              for (std::size_t k = 0; k < b.size(); ++k) {
                out[k] =
                    i.is_free(provider_id{static_cast<std::uint64_t>(p[k])}, {at(b[k]), at(e[k])})
                        ? 0
                        : 1;
              }
              return 0;
            });
            return bools(out);
          },
          "providers"_a, "begins"_a, "ends"_a,
          "Batch conflict check over (provider, [begin, end)) triples given as int sequences or "
          "int64 buffers; a list of bool.")
      .def(
          "clear",
          [](PI& self) {
            exclusive(self, [](provider_index& i) {
              i.clear();
              return 0;
            });
          },
          "Removes every booking.")
      .def("__len__",
           [](const PI& self) {
             return shared(self, [](const provider_index& i) { return i.size(); });
           })
      .def_property_readonly(
          "empty",
          [](const PI& self) {
            return shared(self, [](const provider_index& i) { return i.empty(); });
          },
          "True when there are no bookings.")
      .def_property_readonly(
          "provider_count",
          [](const PI& self) {
            return shared(self, [](const provider_index& i) { return i.provider_count(); });
          },
          "Number of providers with at least one booking.")
      .def(
          "memory_bytes",
          [](const PI& self) {
            return shared(self, [](const provider_index& i) { return i.memory_bytes(); });
          },
          "Heap bytes held.")
      .def("__copy__", [](const PI& self) { return PI(self); })
      .def(
          "__deepcopy__", [](const PI& self, const py::dict&) { return PI(self); }, "memo"_a)
      .def("__repr__", [](const PI& self) {
        return shared(self, [](const provider_index& i) {
          return fmt::format("ProviderIndex(size={}, providers={})", i.size(), i.provider_count());
        });
      });
}

}  // namespace slotbook::python
