// The `_slotbook` extension module: registration of the Python classes, the exception
// translation, and the bindings of each area (bind_*.cpp).

#include <array>
#include <string>
#include <vector>

#include "bind.hpp"

namespace slotbook::python {

namespace {

// The `slotbook.Error` subclass of each error class, by errc value.
std::array<PyObject*, 16> error_classes{};

template <class E>
bool register_enum(const std::string& name, const py::object& cls) {
  if (name != enum_info<E>::name) return false;
  registered<E>::cls = cls.inc_ref().ptr();
  auto& members = enum_members<E>::members;
  for (std::size_t i = 0; i < std::size(enum_info<E>::values); ++i) {
    const auto text = enum_info<E>::text(enum_info<E>::values[i]);
    members[i] = cls(py::str(text.data(), text.size())).release().ptr();
  }
  return true;
}

template <class T>
bool register_record(const std::string& name, const py::object& cls) {
  if (name != record_info<T>::name) return false;
  registered<T>::cls = cls.inc_ref().ptr();
  return true;
}

template <class... E>
bool register_any_enum(type_list<E...>, const std::string& name, const py::object& cls) {
  return (register_enum<E>(name, cls) || ...);
}
template <class... T>
bool register_any_record(type_list<T...>, const std::string& name, const py::object& cls) {
  return (register_record<T>(name, cls) || ...);
}

template <class... E>
void missing_enums(type_list<E...>, std::vector<std::string>& out) {
  ((registered<E>::cls == nullptr ? void(out.emplace_back(enum_info<E>::name)) : void()), ...);
}
template <class... T>
void missing_records(type_list<T...>, std::vector<std::string>& out) {
  ((registered<T>::cls == nullptr ? void(out.emplace_back(record_info<T>::name)) : void()), ...);
}

void register_class(const std::string& name, const py::object& cls) {
  namespace d = py::detail;
  if (name == "Weekday") {
    for (int i = 0; i < 7; ++i)
      d::type_caster<date::weekday>::members[static_cast<std::size_t>(i)] = cls(i).release().ptr();
    return;
  }
  if (name == "Actor") {
    d::type_caster<actor>::cls = cls.inc_ref().ptr();
    return;
  }
  if (name == "RecordRef") {
    d::type_caster<record_ref>::cls = cls.inc_ref().ptr();
    return;
  }
  if (register_any_enum(all_enums{}, name, cls)) return;
  if (register_any_record(all_records{}, name, cls)) return;
  throw py::value_error("_register: no C++ type is called " + name);
}

std::vector<std::string> missing() {
  std::vector<std::string> out;
  missing_enums(all_enums{}, out);
  missing_records(all_records{}, out);
  if (py::detail::type_caster<date::weekday>::members[0] == nullptr) out.emplace_back("Weekday");
  if (py::detail::type_caster<actor>::cls == nullptr) out.emplace_back("Actor");
  if (py::detail::type_caster<record_ref>::cls == nullptr) out.emplace_back("RecordRef");
  for (const errc e : enum_info<errc>::values) {
    if (error_classes[static_cast<std::size_t>(e)] == nullptr) {
      out.push_back("error class for " + std::string{to_string(e)});
    }
  }
  return out;
}

}  // namespace

std::string zone_name(py::handle zone, std::string_view field) {
  if (PyUnicode_Check(zone.ptr())) return zone.cast<std::string>();
  if (py::hasattr(zone, "key")) {
    const py::object key = zone.attr("key");
    if (PyUnicode_Check(key.ptr())) return key.cast<std::string>();
  }
  throw py::type_error(
      fmt::format("{}: expected an IANA zone name (str) or a zoneinfo.ZoneInfo, got {}", field,
                  short_repr(zone)));
}

}  // namespace slotbook::python

namespace py = pybind11;
using namespace pybind11::literals;

PYBIND11_MODULE(_slotbook, m) {
  namespace sp = slotbook::python;
  sp::init_datetime();
  m.doc() =
      "slotbook's C++ core. Import the `slotbook` package instead: it defines the value types and "
      "enums this module converts to and from.";

  m.def("_register", &sp::register_class, "name"_a, "cls"_a,
        "Registers the Python class that stands for the C++ type called `name`.");
  m.def("_missing", &sp::missing,
        "Names of the classes not registered yet (empty once the package has imported).");
  m.def(
      "_register_error",
      [](slotbook::errc code, const py::object& cls) {
        sp::error_classes[static_cast<std::size_t>(code)] = cls.inc_ref().ptr();
      },
      "code"_a, "cls"_a, "Registers the exception class raised for `code`.");

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const slotbook::error& e) {
      PyObject* cls = sp::error_classes[static_cast<std::size_t>(e.code())];
      if (cls == nullptr) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
        return;
      }
      const py::object code = py::cast(e.code());
      const py::object exc = py::reinterpret_borrow<py::object>(cls)(e.what(), code, e.transient());
      PyErr_SetObject(cls, exc.ptr());
    }
  });

  m.def(
      "_defaults",
      [] {
        // The C++ default of every value type whose Python class defaults every field, so the
        // tests can check that the two agree.
        py::dict d;
        d["SlotRules"] = py::cast(slotbook::slot_rules{});
        d["HoldRules"] = py::cast(slotbook::hold_rules{});
        d["NoticeSchedule"] = py::cast(slotbook::notice_schedule{});
        d["CancellationPolicy"] = py::cast(slotbook::cancellation_policy{});
        d["NoShowPolicy"] = py::cast(slotbook::no_show_policy{});
        d["LifecycleRules"] = py::cast(slotbook::lifecycle_rules{});
        d["ReschedulePolicy"] = py::cast(slotbook::reschedule_policy{});
        d["RescheduleDecision"] = py::cast(slotbook::reschedule_decision{});
        d["CancellationDecision"] = py::cast(slotbook::cancellation_decision{});
        d["TransitionResult"] = py::cast(slotbook::transition_result{});
        d["NoShowCharge"] = py::cast(slotbook::no_show_charge{});
        d["NoShowRecord"] = py::cast(slotbook::no_show_record{});
        d["ReminderPlan"] = py::cast(slotbook::reminder_plan{});
        d["ReminderPreferences"] = py::cast(slotbook::reminder_preferences{});
        d["ReminderChanges"] = py::cast(slotbook::reminder_changes{});
        d["ReminderRetry"] = py::cast(slotbook::reminder_retry{});
        d["ReminderBacklog"] = py::cast(slotbook::reminder_backlog{});
        d["ReminderRun"] = py::cast(slotbook::reminder_run{});
        d["Rate"] = py::cast(slotbook::rate{});
        d["SessionAnalytics"] = py::cast(slotbook::session_analytics{});
        d["Money"] = py::cast(slotbook::money{});
        d["Session"] = py::cast(slotbook::session{});
        d["SlotDecision"] = py::cast(slotbook::slot_decision{});
        d["StatusChange"] = py::cast(slotbook::status_change{});
        d["RefundOutcome"] = py::cast(slotbook::refund_outcome{});
        d["BookingConfirmation"] = py::cast(slotbook::booking_confirmation{});
        d["SeriesBooking"] = py::cast(slotbook::series_booking{});
        d["HealthReport"] = py::cast(slotbook::health_report{});
        d["AuditVerification"] = py::cast(slotbook::audit_verification{});
        d["AuditHead"] = py::cast(slotbook::audit_head{});
        d["AuditEntry"] = py::cast(slotbook::audit_entry{});
        d["ChangeEvent"] = py::cast(slotbook::change_event{});
        d["Delivery"] = py::cast(slotbook::delivery{});
        d["RefundResult"] = py::cast(slotbook::refund_result{});
        d["RefundRequest"] = py::cast(slotbook::refund_request{});
        d["ReminderMessage"] = py::cast(slotbook::reminder_message{});
        d["SqliteSettings"] = py::cast(slotbook::sqlite_settings{});
        d["ServiceOptions"] = py::cast(slotbook::service_options{});
        d["IntakeForm"] = py::cast(slotbook::intake_form{});
        d["SealedIntake"] = py::cast(slotbook::sealed_intake{});
        d["PersonalInfoStep"] = py::cast(slotbook::personal_info_step{});
        d["MentalHealthStep"] = py::cast(slotbook::mental_health_step{});
        d["GoalsStep"] = py::cast(slotbook::goals_step{});
        d["ConsentStep"] = py::cast(slotbook::consent_step{});
        d["WrappedKey"] = py::cast(slotbook::wrapped_key{});
        d["SealedField"] = py::cast(slotbook::sealed_field{});
        d["SessionDeletion"] = py::cast(slotbook::session_deletion{});
        d["IntakeSummary"] = py::cast(slotbook::intake_summary{});
        d["ErasureResult"] = py::cast(slotbook::erasure_result{});
        d["RotationProgress"] = py::cast(slotbook::rotation_progress{});
        d["RotationReport"] = py::cast(slotbook::rotation_report{});
        d["PurgeReport"] = py::cast(slotbook::purge_report{});
        d["ClientDataExport"] = py::cast(slotbook::client_data_export{});
        d["StoredIntake"] = py::cast(slotbook::stored_intake{});
        d["Seat"] = py::cast(slotbook::seat{});
        d["SeatConfirmation"] = py::cast(slotbook::seat_confirmation{});
        d["SeatCancellation"] = py::cast(slotbook::seat_cancellation{});
        d["WaitlistEntry"] = py::cast(slotbook::waitlist_entry{});
        return d;
      },
      "The C++ default of each value type (for the tests).");

  m.def("version", &slotbook::version, "The version of the linked C++ library, e.g. '0.1.0'.");

  sp::bind_core(m);
  sp::bind_policy(m);
  sp::bind_slots(m);
  sp::bind_index(m);
  sp::bind_store(m);
  sp::bind_service(m);
  sp::bind_crypto(m);
}
