// The commands that touch health data and its keys: intake set, intake show, intake list,
// rotate-keys, purge. Keys come from $SLOTBOOK_KEYS (`1:<base64>,2:<base64>`, crypto.hpp), never
// from the command line (which other users of the machine can read in the process list).

#include <algorithm>
#include <cstdio>
#include <initializer_list>

#include <fmt/format.h>

#include "cli.hpp"
#include "json_convert.hpp"
#include "output.hpp"
#include "slotbook/detail/quote.hpp"
#include "values.hpp"

namespace slotbook::cli {

namespace {

// --- reading an intake file ----------------------------------------------------------------------
// Messages name the field but never repeat a value: this is health data, and messages end up in
// terminals, logs and bug reports.

[[noreturn]] void bad_form(const std::string& field, std::string_view expected) {
  throw error(errc::invalid_argument, fmt::format("{}: expected {}", field, expected));
}

void check_keys(const json& j, const std::string& path,
                std::initializer_list<std::string_view> keys) {
  if (!j.is_object()) bad_form(path.empty() ? "the document" : path, "an object");
  for (const auto& [key, value] : j.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      throw error(errc::invalid_argument, fmt::format("{}{}: unknown key (expected one of {})",
                                                      path.empty() ? "" : path + ".",
                                                      detail::quote(key), fmt::join(keys, ", ")));
    }
  }
}

const json* member(const json& j, std::string_view key) {
  const auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::string text_of(const json& j, const std::string& field) {
  if (!j.is_string()) bad_form(field, "a string");
  return j.get<std::string>();
}

std::vector<std::string> list_of(const json& j, const std::string& field) {
  if (!j.is_array()) bad_form(field, "an array of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    out.push_back(text_of(j[i], fmt::format("{}[{}]", field, i)));
  }
  return out;
}

bool flag_of(const json& j, const std::string& field) {
  if (!j.is_boolean()) bad_form(field, "true or false");
  return j.get<bool>();
}

// The steps a file gives; absent ones are not saved (a partial form is fine).
struct intake_file {
  std::optional<personal_info_step> personal_info;
  std::optional<mental_health_step> mental_health;
  std::optional<goals_step> goals;
  std::optional<consent_step> consent;
};

// The library names fields as the service does (`mental_health.severity_level`); the file uses
// the platform's original keys (`mentalHealthInfo.severityLevel`): say it the file's way.
std::string file_field_names(std::string message) {
  static const std::pair<std::string_view, std::string_view> names[] = {
      {"personal_info.emergency_contact", "personalInfo.emergencyContact"},
      {"personal_info.medical_history", "personalInfo.medicalHistory"},
      {"personal_info.current_medications", "personalInfo.currentMedications"},
      {"personal_info.allergies", "personalInfo.allergies"},
      {"mental_health.previous_therapy", "mentalHealthInfo.previousTherapy"},
      {"mental_health.current_symptoms", "mentalHealthInfo.currentSymptoms"},
      {"mental_health.severity_level", "mentalHealthInfo.severityLevel"},
      {"mental_health.trigger_factors", "mentalHealthInfo.triggerFactors"},
      {"mental_health.coping_mechanisms", "mentalHealthInfo.copingMechanisms"},
      {"goals.therapy_goals", "therapyGoals"},
      {"goals.expectations", "expectations"},
      {"goals.preferred_approach", "preferredApproach"},
  };
  for (const auto& [from, to] : names) {
    if (message.rfind(from, 0) == 0) return std::string{to} + message.substr(from.size());
  }
  return message;
}

template <class Step>
void validate_step(const Step& step, std::string_view source) {
  try {
    validate(step);
  } catch (const error& e) {
    throw error(e.code(), fmt::format("{}: {}", source, file_field_names(e.what())));
  }
}

intake_file read_intake_file(const json& doc, std::string_view source) {
  intake_file f;
  try {
    check_keys(
        doc, "",
        {"personalInfo", "mentalHealthInfo", "therapyGoals", "expectations", "preferredApproach",
         "consentToTreatment", "confidentialityAgreement", "dataProcessingConsent"});
    if (const json* p = member(doc, "personalInfo")) {
      check_keys(*p, "personalInfo",
                 {"emergencyContact", "medicalHistory", "currentMedications", "allergies"});
      personal_info_step step;
      if (const json* v = member(*p, "emergencyContact")) {
        step.emergency_contact = text_of(*v, "personalInfo.emergencyContact");
      }
      if (const json* v = member(*p, "medicalHistory")) {
        step.medical_history = text_of(*v, "personalInfo.medicalHistory");
      }
      if (const json* v = member(*p, "currentMedications")) {
        step.current_medications = text_of(*v, "personalInfo.currentMedications");
      }
      if (const json* v = member(*p, "allergies")) {
        step.allergies = text_of(*v, "personalInfo.allergies");
      }
      f.personal_info = std::move(step);
    }
    if (const json* m = member(doc, "mentalHealthInfo")) {
      check_keys(*m, "mentalHealthInfo",
                 {"previousTherapy", "currentSymptoms", "severityLevel", "triggerFactors",
                  "copingMechanisms"});
      mental_health_step step;
      if (const json* v = member(*m, "previousTherapy")) {
        step.previous_therapy = flag_of(*v, "mentalHealthInfo.previousTherapy");
      }
      if (const json* v = member(*m, "currentSymptoms")) {
        step.current_symptoms = list_of(*v, "mentalHealthInfo.currentSymptoms");
      }
      if (const json* v = member(*m, "severityLevel")) {
        // Any whole number reaches validation, which names an out-of-range level itself.
        if (!v->is_number_integer() ||
            (v->is_number_unsigned() && v->get<std::uint64_t>() > 1000) ||
            v->get<std::int64_t>() < -1000 || v->get<std::int64_t>() > 1000) {
          bad_form("mentalHealthInfo.severityLevel", "a whole number from 1 to 10");
        }
        step.severity_level = static_cast<int>(v->get<std::int64_t>());
      }
      if (const json* v = member(*m, "triggerFactors")) {
        step.trigger_factors = list_of(*v, "mentalHealthInfo.triggerFactors");
      }
      if (const json* v = member(*m, "copingMechanisms")) {
        step.coping_mechanisms = list_of(*v, "mentalHealthInfo.copingMechanisms");
      }
      f.mental_health = std::move(step);
    }
    const json* goals = member(doc, "therapyGoals");
    const json* expectations = member(doc, "expectations");
    const json* approach = member(doc, "preferredApproach");
    if (goals != nullptr || expectations != nullptr || approach != nullptr) {
      goals_step step;
      if (goals != nullptr) step.therapy_goals = list_of(*goals, "therapyGoals");
      if (expectations != nullptr) step.expectations = text_of(*expectations, "expectations");
      if (approach != nullptr) step.preferred_approach = text_of(*approach, "preferredApproach");
      f.goals = std::move(step);
    }
    const json* treatment = member(doc, "consentToTreatment");
    const json* confidentiality = member(doc, "confidentialityAgreement");
    const json* processing = member(doc, "dataProcessingConsent");
    if (treatment != nullptr || confidentiality != nullptr || processing != nullptr) {
      consent_step step;
      if (treatment != nullptr) {
        step.consent_to_treatment = flag_of(*treatment, "consentToTreatment");
      }
      if (confidentiality != nullptr) {
        step.confidentiality_agreement = flag_of(*confidentiality, "confidentialityAgreement");
      }
      if (processing != nullptr) {
        step.data_processing_consent = flag_of(*processing, "dataProcessingConsent");
      }
      f.consent = step;
    }
  } catch (const error& e) {
    throw error(e.code(), fmt::format("{}: {}", source, e.what()));
  }
  if (f.personal_info) validate_step(*f.personal_info, source);
  if (f.mental_health) validate_step(*f.mental_health, source);
  if (f.goals) validate_step(*f.goals, source);
  if (!f.personal_info && !f.mental_health && !f.goals && !f.consent) {
    throw error(errc::invalid_argument, fmt::format("{}: the form has no step to save", source));
  }
  return f;
}

// --- output --------------------------------------------------------------------------------------

json strings_json(const std::vector<std::string>& items) {
  json out = json::array();
  for (const std::string& s : items) out.push_back(s);
  return out;
}

json consent_json(const consent_step& c) {
  return json{{"consentToTreatment", c.consent_to_treatment},
              {"confidentialityAgreement", c.confidentiality_agreement},
              {"dataProcessingConsent", c.data_processing_consent}};
}

json summary_json(const intake_summary& s) {
  json j{{"id", s.id.value},
         {"client", s.client.value},
         {"session", s.session.ok() ? json(s.session.value) : json(nullptr)},
         {"personalInfo", s.personal_info},
         {"mentalHealthInfo", s.mental_health},
         {"goals", s.goals},
         {"consent", consent_json(s.consent)},
         {"complete", s.complete},
         {"completedAt", s.completed_at ? instant_json(*s.completed_at) : json(nullptr)},
         {"missing", strings_json(s.missing)},
         {"keyVersion", s.key_version},
         {"createdAt", instant_json(s.created_at)},
         {"updatedAt", instant_json(s.updated_at)},
         {"deletedAt", s.deleted_at ? instant_json(*s.deleted_at) : json(nullptr)}};
  return j;
}

// The form in the file's own shape, so `intake show --json | jq .form` can be edited and saved
// again with `intake set --form`.
json form_json(const intake_form& f) {
  json form = json::object();
  if (f.personal_info) {
    const personal_info_step& p = *f.personal_info;
    form["personalInfo"] = json{{"emergencyContact", p.emergency_contact},
                                {"medicalHistory", p.medical_history},
                                {"currentMedications", p.current_medications},
                                {"allergies", p.allergies}};
  }
  if (f.mental_health) {
    const mental_health_step& m = *f.mental_health;
    form["mentalHealthInfo"] =
        json{{"previousTherapy", m.previous_therapy ? json(*m.previous_therapy) : json(nullptr)},
             {"currentSymptoms", strings_json(m.current_symptoms)},
             {"severityLevel", m.severity_level ? json(*m.severity_level) : json(nullptr)},
             {"triggerFactors", strings_json(m.trigger_factors)},
             {"copingMechanisms", strings_json(m.coping_mechanisms)}};
  }
  if (f.goals) {
    form["therapyGoals"] = strings_json(f.goals->therapy_goals);
    form["expectations"] = f.goals->expectations;
    form["preferredApproach"] = f.goals->preferred_approach;
  }
  const json consents = consent_json(f.consent);
  for (const auto& [key, value] : consents.items()) form[key] = value;
  return json{{"id", f.id.value},
              {"client", f.client.value},
              {"session", f.session.ok() ? json(f.session.value) : json(nullptr)},
              {"completedAt", f.completed_at ? instant_json(*f.completed_at) : json(nullptr)},
              {"form", std::move(form)}};
}

void print_summary(const intake_summary& s) {
  fmt::print("Intake form {} of client {}{}: {}{}\n", s.id.value, s.client.value,
             s.session.ok() ? fmt::format(" (session {})", s.session.value) : std::string{},
             s.deleted_at ? "deleted"
             : s.complete ? "complete"
                          : "incomplete",
             s.deleted_at || s.complete || s.missing.empty()
                 ? std::string{}
                 : fmt::format(", missing {}", fmt::join(s.missing, ", ")));
}

void print_list(std::string_view label, const std::vector<std::string>& items) {
  fmt::print(
      "  {}: {}\n", label,
      items.empty() ? std::string{"-"} : printable(fmt::format("{}", fmt::join(items, "; "))));
}

void print_form(const intake_form& f) {
  fmt::print("Intake form {} of client {}{}{}\n", f.id.value, f.client.value,
             f.session.ok() ? fmt::format(" (session {})", f.session.value) : std::string{},
             f.completed_at ? ", complete since " + format_instant(*f.completed_at) : "");
  if (f.personal_info) {
    const personal_info_step& p = *f.personal_info;
    fmt::print(
        "Personal information\n  emergency contact: {}\n  medical history: {}\n"
        "  current medications: {}\n  allergies: {}\n",
        printable(p.emergency_contact), printable(p.medical_history),
        printable(p.current_medications), printable(p.allergies));
  }
  if (f.mental_health) {
    const mental_health_step& m = *f.mental_health;
    fmt::print("Mental health\n  previous therapy: {}\n",
               m.previous_therapy ? (*m.previous_therapy ? "yes" : "no") : "-");
    print_list("current symptoms", m.current_symptoms);
    fmt::print("  severity: {}\n", m.severity_level ? std::to_string(*m.severity_level) : "-");
    print_list("trigger factors", m.trigger_factors);
    print_list("coping mechanisms", m.coping_mechanisms);
  }
  if (f.goals) {
    fmt::print("Goals\n");
    print_list("therapy goals", f.goals->therapy_goals);
    fmt::print("  expectations: {}\n  preferred approach: {}\n", printable(f.goals->expectations),
               printable(f.goals->preferred_approach));
  }
  fmt::print("Consent: treatment {}, confidentiality {}, data processing {}\n",
             f.consent.consent_to_treatment ? "yes" : "no",
             f.consent.confidentiality_agreement ? "yes" : "no",
             f.consent.data_processing_consent ? "yes" : "no");
}

// Progress of a long job, for the operator watching it; quiet with --json, whose stderr is
// reserved for the one error document.
template <class... Args>
void progress(const context& ctx, fmt::format_string<Args...> format, Args&&... args) {
  if (ctx.json) return;
  fmt::print(stderr, "{}\n", fmt::format(format, std::forward<Args>(args)...));
  std::fflush(stderr);
}

// --- commands ------------------------------------------------------------------------------------

int run_intake_set(const context& ctx, const parsed_args& args) {
  const auto client = parse_id<client_id>(args.positional[0], "CLIENT");
  if (args.has("--form") && args.has("--session")) {
    throw usage_error("intake set",
                      "--session is for a new form; an existing --form keeps its own");
  }
  const std::string path = *args.get("--file");
  // The whole file is read and validated before the keys or the database are touched.
  const intake_file f =
      read_intake_file(parse_json_text(read_text_file(path, "--file"), path), path);
  workspace w{ctx, {.keys = true}};
  booking_service& service = w.service();
  intake_id form{};
  if (const auto id = args.get("--form")) {
    form = parse_id<intake_id>(*id, "--form");
    const auto forms = service.client_intakes(ctx.who, client);
    if (std::none_of(forms.begin(), forms.end(),
                     [&](const intake_summary& s) { return s.id == form; })) {
      throw error(errc::not_found,
                  fmt::format("--form: client {} has no intake form {}", client.value, form.value));
    }
  } else {
    session_id session{};
    if (const auto s = args.get("--session")) session = parse_id<session_id>(*s, "--session");
    form = service.create_intake(ctx.who, client, session).id;
  }
  // One step per transaction, in wizard order. Validation already passed, so only a storage or
  // key failure can stop it half way; the steps saved so far stay saved (a partial form is valid).
  intake_summary summary;
  if (f.personal_info) summary = service.save_intake_step(ctx.who, form, *f.personal_info);
  if (f.mental_health) summary = service.save_intake_step(ctx.who, form, *f.mental_health);
  if (f.goals) summary = service.save_intake_step(ctx.who, form, *f.goals);
  if (f.consent) summary = service.save_intake_step(ctx.who, form, *f.consent);
  emit(ctx, summary_json(summary), [&] {
    fmt::print("Saved (sealed under key version {}). ", summary.key_version);
    print_summary(summary);
  });
  return exit_ok;
}

int run_intake_show(const context& ctx, const parsed_args& args) {
  const auto form = parse_id<intake_id>(args.positional[0], "FORM");
  workspace w{ctx, {.keys = true}};
  const intake_form f = w.service().read_intake(ctx.who, form);
  emit(ctx, form_json(f), [&] { print_form(f); });
  return exit_ok;
}

int run_intake_list(const context& ctx, const parsed_args& args) {
  const auto client = parse_id<client_id>(args.positional[0], "CLIENT");
  workspace w{ctx};
  const std::vector<intake_summary> forms = w.service().client_intakes(ctx.who, client);
  json list = json::array();
  for (const intake_summary& s : forms) list.push_back(summary_json(s));
  emit(ctx, json{{"forms", std::move(list)}}, [&] {
    if (forms.empty()) fmt::print("Client {} has no intake forms.\n", client.value);
    for (const intake_summary& s : forms) print_summary(s);
  });
  return exit_ok;
}

int run_rotate_keys(const context& ctx, const parsed_args& args) {
  const std::size_t batch =
      args.has("--batch") ? parse_count(*args.get("--batch"), "--batch", 1, 100000) : 100;
  workspace w{ctx, {.keys = true}};
  progress(ctx, "rotate-keys: re-wrapping every intake form's data key, {} forms per batch", batch);
  const rotation_report report =
      w.service().rotate_intake_keys(batch, [&](const rotation_progress& p) {
        progress(ctx, "rotate-keys: batch {} committed: {} form{} on key version {} so far",
                 p.batches, p.rewrapped, p.rewrapped == 1 ? "" : "s", p.to_version);
      });
  const json j{{"toVersion", report.to_version},
               {"batches", report.batches},
               {"rewrapped", report.rewrapped}};
  emit(ctx, j, [&] {
    fmt::print(
        "Every intake form is on key version {} ({} re-wrapped in {} batch{}); older "
        "versions can now leave SLOTBOOK_KEYS.\n",
        report.to_version, report.rewrapped, report.batches, report.batches == 1 ? "" : "es");
  });
  return exit_ok;
}

int run_purge(const context& ctx, const parsed_args& args) {
  const std::size_t limit =
      args.has("--limit") ? parse_count(*args.get("--limit"), "--limit", 1, 100000) : 1000;
  workspace w{ctx};
  progress(ctx, "purge: removing records deleted more than the retention period ago, {} per pass",
           limit);
  purge_report total;
  bool scrubbed = true;
  for (std::size_t pass = 1;; ++pass) {
    const purge_report r = w.service().purge_expired(limit);
    total.cutoff = r.cutoff;
    total.sessions.insert(total.sessions.end(), r.sessions.begin(), r.sessions.end());
    total.intakes.insert(total.intakes.end(), r.intakes.begin(), r.intakes.end());
    scrubbed = scrubbed && r.scrubbed;
    progress(ctx, "purge: pass {}: {} session{} and {} intake form{} removed", pass,
             r.sessions.size(), r.sessions.size() == 1 ? "" : "s", r.intakes.size(),
             r.intakes.size() == 1 ? "" : "s");
    // A pass that did not fill its limit found everything there was.
    if (r.sessions.size() < limit && r.intakes.size() < limit) break;
  }
  json sessions = json::array();
  for (const session_id id : total.sessions) sessions.push_back(id.value);
  json intakes = json::array();
  for (const intake_id id : total.intakes) intakes.push_back(id.value);
  const json j{{"cutoff", instant_json(total.cutoff)},
               {"sessions", std::move(sessions)},
               {"intakes", std::move(intakes)},
               {"scrubbed", scrubbed}};
  emit(ctx, j, [&] {
    fmt::print("Removed for good: {} session{} and {} intake form{} deleted before {}{}.\n",
               total.sessions.size(), total.sessions.size() == 1 ? "" : "s", total.intakes.size(),
               total.intakes.size() == 1 ? "" : "s", format_instant(total.cutoff),
               scrubbed ? "" : " (the files could not all be scrubbed yet: run purge again later)");
  });
  return exit_ok;
}

}  // namespace

std::vector<command> privacy_commands() {
  return {
      {"intake set",
       "CLIENT --file FILE [--session SESSION | --form ID]",
       "save a client's intake form (sealed with $SLOTBOOK_KEYS)",
       "FILE is the platform's intake form as JSON: personalInfo, mentalHealthInfo,\n"
       "therapyGoals, expectations, preferredApproach and the three consents (docs/cli.md).\n"
       "Steps left out are not saved; a partial form is fine. The whole file is validated\n"
       "before anything is written, and messages never repeat what it says. Without --form a\n"
       "new form is started (for --session, if given); with --form the steps in the file\n"
       "replace those of that form. Keys come from SLOTBOOK_KEYS (`1:<base64>,2:<base64>`).",
       {{"--file", "FILE", "the intake form", true},
        {"--session", "SESSION", "the session a new form is for"},
        {"--form", "ID", "save into this existing form"}},
       1,
       1,
       run_intake_set},
      {"intake show",
       "FORM",
       "decrypt and show an intake form (audited)",
       "Every read is written to the audit log before the form is shown. Needs the key\n"
       "version the form is sealed under in SLOTBOOK_KEYS (crypto error otherwise). With\n"
       "--json, `form` is in the same shape `intake set` reads.",
       {},
       1,
       1,
       run_intake_show},
      {"intake list",
       "CLIENT",
       "a client's intake forms, without their content",
       "Which steps are saved, the consents, what is missing, the key version. Needs no key.",
       {},
       1,
       1,
       run_intake_list},
      {"rotate-keys",
       "[--batch N]",
       "re-wrap every intake form's key under the newest key",
       "Add the new key version to SLOTBOOK_KEYS (keeping the old ones), run this, then drop\n"
       "the old versions. Forms are moved N per transaction (default 100) without decrypting\n"
       "any answer; an interrupted run is finished by running it again. Progress on stderr.",
       {{"--batch", "N", "forms per transaction (default 100)"}},
       0,
       0,
       run_rotate_keys},
      {"purge",
       "[--limit N]",
       "remove deleted sessions and intake forms for good",
       "Removes what was securely deleted or crypto-shredded longer ago than the retention\n"
       "period (30 days), N of each per pass (default 1000), pass after pass until none is\n"
       "left, then scrubs the database files. Run it daily. Progress on stderr.",
       {{"--limit", "N", "records of each kind per pass (default 1000)"}},
       0,
       0,
       run_purge},
  };
}

}  // namespace slotbook::cli
