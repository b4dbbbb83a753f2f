#pragma once
// The parts of the `_slotbook` module, one function per area (module.cpp calls them in order).

#include <string>

#include "records.hpp"

namespace slotbook::python {

void bind_core(py::module_& m);     // time, interval, money, actor, reference, session
void bind_policy(py::module_& m);   // lifecycle, policy, reminders, analytics
void bind_slots(py::module_& m);    // availability, slots, team queries
void bind_index(py::module_& m);    // interval_index, provider_index
void bind_store(py::module_& m);    // store, memory_store, sqlite_store, transactions
void bind_service(py::module_& m);  // clock, notifier, payment gateway, booking_service, audit
void bind_crypto(py::module_& m);   // keyring, sealed fields, intake forms

/// The zone name of a `str` or a `zoneinfo.ZoneInfo` (its `key`); anything else is TypeError.
std::string zone_name(py::handle zone, std::string_view field);

}  // namespace slotbook::python
