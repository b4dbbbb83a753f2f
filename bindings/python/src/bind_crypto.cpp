// Sealed values (AES-256/GCM via Botan), versioned keyrings, per-record data keys, and intake
// forms: the wizard's steps, validation, serialisation and sealing.

#include "bind.hpp"

namespace slotbook::python {

namespace {

std::string_view bytes_view(const py::bytes& b) {
  char* data = nullptr;
  Py_ssize_t size = 0;
  if (PyBytes_AsStringAndSize(b.ptr(), &data, &size) != 0) throw py::error_already_set();
  return {data, static_cast<std::size_t>(size)};
}

// save_step(form, step, now) for each plain step type: one overload per type, as the C++ API has.
template <typename... Step>
void def_save_step(py::module_& m, const char* doc) {
  using namespace pybind11::literals;
  (m.def(
       "save_step",
       [](intake_form form, const Step& step, named<instant, "now"> now) {
         slotbook::save_step(form, step, *now);
         return form;
       },
       "form"_a, "step"_a, "now"_a, doc),
   ...);
}

// save_step(sealed, step, ring, now) for each step that is sealed under the form's data key.
template <typename... Step>
void def_sealed_save_step(py::module_& m, const char* doc) {
  using namespace pybind11::literals;
  (m.def(
       "save_step",
       [](sealed_intake sealed, const Step& step, const keyring& ring, named<instant, "now"> now) {
         py::gil_scoped_release r;
         slotbook::save_step(sealed, step, ring, *now);
         return sealed;
       },
       "sealed"_a, "step"_a, "ring"_a, "now"_a, doc),
   ...);
}

}  // namespace

void bind_crypto(py::module_& m) {
  using namespace pybind11::literals;
  using no_gil = py::call_guard<py::gil_scoped_release>;
  const auto none = py::none();

  m.attr("SEALED_FORMAT_VERSION") = sealed_format_version;

  py::class_<key_material>(m, "KeyMaterial", R"doc(
256 bits of secret key material (an AES-256 key). Never printed by slotbook; the C++ copy is wiped
when the object is collected.

    k = KeyMaterial.generate()
    same = KeyMaterial.from_base64(k.to_base64(), "my_key")
)doc")
      .def(py::init([](const py::bytes& raw) {
             const std::string_view s = bytes_view(raw);
             return key_material{std::span<const std::uint8_t>(
                 reinterpret_cast<const std::uint8_t*>(s.data()), s.size())};
           }),
           "raw"_a, "Exactly 32 bytes; any other length is InvalidArgumentError.")
      .def_static("from_base64", &key_material::from_base64, "text"_a, "field"_a = "key",
                  "Standard base64 of exactly 32 bytes; a bad value is InvalidArgumentError "
                  "naming `field` (the message never repeats the value).")
      .def_static("generate", &key_material::generate, "32 bytes from the system's RNG.")
      .def("to_base64", &key_material::to_base64,
           "The key as standard base64 (keep it short-lived).")
      .def(
          "raw",
          [](const key_material& k) {
            const auto b = k.bytes();
            return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
          },
          "The 32 raw key bytes.")
      .def("__repr__", [](const key_material&) { return std::string{"KeyMaterial(<secret>)"}; });

  py::class_<keyring>(m, "Keyring", R"doc(
The host's master keys, by version (1 to 4294967295). wrap uses the newest version, unwrap the one
recorded in the wrapped key. Keys come from the host: from_env ("1:<base64>,2:<base64>"),
from_source (a callback into a KMS), or add.

    ring = Keyring.from_env("SLOTBOOK_KEYS")
    ring.current_version    # 2
)doc")
      .def(py::init<>(), "An empty keyring: it can neither wrap nor unwrap until keys are added.")
      .def_static("parse", &keyring::parse, "text"_a, "source"_a = "keyring",
                  "Parses '1:<base64>,2:<base64>,...'; malformed text, a duplicate version or an "
                  "empty list is InvalidArgumentError naming `source` and the entry.")
      .def_static("from_env", &keyring::from_env, "variable"_a = "SLOTBOOK_KEYS",
                  "parse() of an environment variable; an unset variable is CryptoError.")
      .def_static(
          "from_source",
          [](const std::vector<std::uint32_t>& versions, const keyring::key_source& source) {
            return keyring::from_source(versions, source);
          },
          "versions"_a, "source"_a,
          "Asks `source(version) -> KeyMaterial | None` for each version once, now; a version "
          "without a key is CryptoError.")
      .def("add", &keyring::add, "version"_a, "key"_a,
           "Adds `key` as `version`; version 0 or one already present is InvalidArgumentError.")
      .def("remove", &keyring::remove, "version"_a, "Removes `version`; False when absent.")
      .def_property_readonly("empty", &keyring::empty, "True when it holds no key.")
      .def("__contains__", &keyring::contains, "version"_a)
      .def("contains", &keyring::contains, "version"_a, "True when `version` is held.")
      .def_property_readonly("versions", &keyring::versions, "The versions held, ascending.")
      .def_property_readonly("current_version", &keyring::current_version,
                             "The newest version (the one wrap uses); CryptoError when empty.")
      .def("key", &keyring::key, "version"_a, py::return_value_policy::copy,
           "The key of `version`; CryptoError when not held.")
      .def("__repr__", [](const keyring& r) {
        return fmt::format("Keyring(versions=[{}])", fmt::join(r.versions(), ", "));
      });

  py::class_<record_key>(m, "RecordKey", R"doc(
One record's own data key (random, 256 bits); at rest it is always a WrappedKey.

    key = RecordKey.generate()
)doc")
      .def_static("generate", &record_key::generate, "A fresh random key.")
      .def("__repr__", [](const record_key&) { return std::string{"RecordKey(<secret>)"}; });

  m.def("wrap", &slotbook::wrap, "ring"_a, "record"_a, "key"_a, no_gil(),
        "Wraps a RecordKey for `record` (a RecordRef) under the keyring's current version.");
  m.def("unwrap", &slotbook::unwrap, "ring"_a, "record"_a, "wrapped"_a, no_gil(),
        "Unwraps `record`'s key; a missing version, tampering or another record's blob is "
        "CryptoError.");
  m.def("rewrap", &slotbook::rewrap, "ring"_a, "record"_a, "wrapped"_a, no_gil(),
        "The same key wrapped under the current version (rotation without plaintext).");
  m.def(
      "key_version", [](const wrapped_key& w) { return slotbook::key_version(w); }, "wrapped"_a,
      "The keyring version a WrappedKey was wrapped under (read from its header).");
  m.def(
      "key_version", [](const sealed_intake& s) { return slotbook::key_version(s); }, "sealed"_a,
      "The keyring version a SealedIntake's data key is wrapped under.");
  m.def(
      "seal",
      [](const record_key& key, const record_ref& record, std::string_view field,
         const py::object& plaintext) {
        std::string text =
            PyBytes_Check(plaintext.ptr())
                ? std::string(bytes_view(py::reinterpret_borrow<py::bytes>(plaintext)))
                : plaintext.cast<std::string>();
        py::gil_scoped_release r;
        return slotbook::seal(key, record, field, text);
      },
      "key"_a, "record"_a, "field"_a, "plaintext"_a,
      "Seals `plaintext` (str or bytes) as `field` of `record` under the record's key, with a "
      "fresh random nonce; returns a SealedField.");
  m.def(
      "open",
      [](const record_key& key, const record_ref& record, std::string_view field,
         const sealed_field& sealed) {
        std::string out;
        {
          py::gil_scoped_release r;
          out = slotbook::open(key, record, field, sealed);
        }
        return py::bytes(out);
      },
      "key"_a, "record"_a, "field"_a, "sealed"_a,
      "Opens what seal() sealed for the same record and field, as bytes; anything else is "
      "CryptoError (garbage is never returned). Not exported by `from slotbook import *` (it would "
      "shadow the built-in open).");

  // --- intake forms ----------------------------------------------------------------------------
  m.def(
      "intake_record", [](intake_id id) { return slotbook::intake_record(id); }, "id"_a,
      "The RecordRef of intake form `id` (kind 'intake_form').");
  m.def(
      "problems", [](const personal_info_step& s) { return slotbook::problems(s); }, "step"_a,
      "Everything wrong with intake step 1 (FieldProblem values; never the client's words).");
  m.def(
      "problems", [](const mental_health_step& s) { return slotbook::problems(s); }, "step"_a,
      "Everything wrong with intake step 2.");
  m.def(
      "problems", [](const goals_step& s) { return slotbook::problems(s); }, "step"_a,
      "Everything wrong with intake step 3.");
  m.def(
      "problems", [](const consent_step& s) { return slotbook::problems(s); }, "step"_a,
      "Step 4 has no problems (a consent may be withdrawn).");
  m.def(
      "problems", [](const intake_form& f) { return slotbook::problems(f); }, "form"_a,
      "Everything wrong with the saved parts of a form, plus a completed_at on an incomplete one.");
  m.def(
      "validate", [](const personal_info_step& s) { slotbook::validate(s); }, "step"_a,
      "InvalidArgumentError with the first problem of the step.");
  m.def(
      "validate", [](const mental_health_step& s) { slotbook::validate(s); }, "step"_a);
  m.def(
      "validate", [](const goals_step& s) { slotbook::validate(s); }, "step"_a);
  m.def(
      "validate", [](const consent_step& s) { slotbook::validate(s); }, "step"_a);
  m.def(
      "missing", [](const intake_form& f) { return slotbook::missing(f); }, "form"_a,
      "What a form still needs to be complete: steps not saved and consents not given.");
  m.def(
      "missing", [](const sealed_intake& s) { return slotbook::missing(s); }, "sealed"_a,
      "What a sealed form still needs to be complete (needs no key).");
  m.def(
      "is_complete", [](const intake_form& f) { return slotbook::is_complete(f); }, "form"_a,
      "True when steps 1-3 are saved and valid and all three consents are given.");
  m.def(
      "is_complete", [](const sealed_intake& s) { return slotbook::is_complete(s); }, "sealed"_a,
      "True when steps 1-3 are sealed and all consents given (needs no key).");
  m.def("next_step", &slotbook::next_step, "form"_a,
        "The first step not saved or not valid (IntakeStep), or None for a complete form.");

  const char* save_doc =
      "Validates `step` and returns the form with it saved (the form itself is immutable); "
      "completed_at becomes `now` when that completes the form and is cleared when a consent is "
      "withdrawn. An invalid step is InvalidArgumentError naming the field.";
  def_save_step<personal_info_step, mental_health_step, goals_step, consent_step>(m, save_doc);
  const char* sealed_save_doc =
      "Validates `step` and returns the sealed form with it sealed under the form's data key "
      "(re-wrapped under the current keyring version on the way). InvalidArgumentError for an "
      "invalid step, CryptoError for a key that does not unwrap.";
  def_sealed_save_step<personal_info_step, mental_health_step, goals_step>(m, sealed_save_doc);
  m.def(
      "save_step",
      [](sealed_intake sealed, const consent_step& step, named<instant, "now"> now) {
        slotbook::save_step(sealed, step, *now);
        return sealed;
      },
      "sealed"_a, "step"_a, "now"_a,
      "Records the consents on a sealed form (plaintext; no key needed).");
  m.def(
      "serialize", [](const personal_info_step& s) { return py::bytes(slotbook::serialize(s)); },
      "step"_a, "Intake step 1 as deterministic, length-prefixed bytes.");
  m.def(
      "serialize", [](const mental_health_step& s) { return py::bytes(slotbook::serialize(s)); },
      "step"_a, "Intake step 2 as bytes.");
  m.def(
      "serialize", [](const goals_step& s) { return py::bytes(slotbook::serialize(s)); }, "step"_a,
      "Intake step 3 as bytes.");
  m.def(
      "parse_personal_info",
      [](const py::bytes& b) { return slotbook::parse_personal_info(bytes_view(b)); }, "data"_a,
      "Parses what serialize(PersonalInfoStep) wrote; anything else is InvalidArgumentError.");
  m.def(
      "parse_mental_health",
      [](const py::bytes& b) { return slotbook::parse_mental_health(bytes_view(b)); }, "data"_a,
      "Parses what serialize(MentalHealthStep) wrote.");
  m.def(
      "parse_goals", [](const py::bytes& b) { return slotbook::parse_goals(bytes_view(b)); },
      "data"_a, "Parses what serialize(GoalsStep) wrote.");
  m.def("seal_intake", &slotbook::seal_intake, "form"_a, "ring"_a, no_gil(),
        "Seals a form (it needs an id; saved steps must be valid) under a fresh data key wrapped "
        "with the keyring's current version: a SealedIntake to store.");
  m.def("open_intake", &slotbook::open_intake, "sealed"_a, "ring"_a, no_gil(),
        "The form back in the clear; a missing key, a shredded form or any tampering is "
        "CryptoError.");
  m.def("reseal", &slotbook::reseal, "sealed"_a, "ring"_a, no_gil(),
        "The same form with its data key re-wrapped under the current keyring version.");
}

}  // namespace slotbook::python
