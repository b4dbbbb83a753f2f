// The intake form: per-step validation with field-named errors, completeness, the byte
// serialisation of the sensitive steps, and the sealed form.
#include "slotbook/intake.hpp"

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using namespace std::chrono_literals;
using namespace date::literals;
using slotbook::consent_step;
using slotbook::errc;
using slotbook::field_problem;
using slotbook::goals_step;
using slotbook::instant;
using slotbook::intake_form;
using slotbook::intake_id;
using slotbook::intake_step;
using slotbook::key_material;
using slotbook::keyring;
using slotbook::mental_health_step;
using slotbook::personal_info_step;
using slotbook::sealed_intake;

using slotbook::testing::expect_error;
namespace {

const instant t0 = date::sys_days{2026_y / 1 / 15} + 10h;

personal_info_step valid_personal() {
  personal_info_step p;
  p.emergency_contact = "Amina Odhiambo (sister), +254 700 000 000";
  p.medical_history = "Asthma since childhood.\nAppendectomy 2019.";
  p.current_medications = "Salbutamol inhaler as needed";
  p.allergies = "Penicillin";
  return p;
}

mental_health_step valid_mental_health() {
  mental_health_step m;
  m.previous_therapy = false;
  m.current_symptoms = {"trouble sleeping", "low mood"};
  m.severity_level = 6;
  m.trigger_factors = {"work deadlines"};
  m.coping_mechanisms = {"running", "journaling"};
  return m;
}

goals_step valid_goals() {
  goals_step g;
  g.therapy_goals = {"sleep through the night", "manage stress at work"};
  g.expectations = "Some improvement within three months.";
  g.preferred_approach = "CBT";
  return g;
}

constexpr consent_step all_consents{true, true, true};

intake_form complete_form() {
  intake_form form;
  form.id = intake_id{42};
  form.session = slotbook::session_id{7};
  form.client = slotbook::client_id{3};
  form.personal_info = valid_personal();
  form.mental_health = valid_mental_health();
  form.goals = valid_goals();
  form.consent = all_consents;
  form.completed_at = t0;
  return form;
}

keyring ring_of(std::initializer_list<std::pair<std::uint32_t, std::uint8_t>> keys) {
  keyring ring;
  for (const auto& [version, byte] : keys) {
    ring.add(version, key_material(std::vector<std::uint8_t>(32, byte)));
  }
  return ring;
}

template <class Step>
std::vector<std::string> messages(const Step& step) {
  std::vector<std::string> out;
  for (const auto& p : slotbook::problems(step)) out.push_back(slotbook::to_string(p));
  return out;
}

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (int b : list) out.push_back(static_cast<char>(b));
  return out;
}

}  // namespace

// --- completeness -----------------------------------------------------------------------------

TEST_CASE("a form with steps 1-3 saved and valid and all three consents is complete") {
  const auto form = complete_form();
  CHECK(slotbook::is_complete(form));
  CHECK(slotbook::missing(form).empty());
  CHECK(slotbook::problems(form).empty());
  CHECK_FALSE(slotbook::next_step(form));
}

TEST_CASE("a form missing any one of steps 1-3 is not complete and missing() names the step") {
  auto a = complete_form();
  a.personal_info.reset();
  auto b = complete_form();
  b.mental_health.reset();
  auto c = complete_form();
  c.goals.reset();
  for (const auto& [form, name] :
       {std::pair{a, "personal_info"}, std::pair{b, "mental_health"}, std::pair{c, "goals"}}) {
    INFO(name);
    CHECK_FALSE(slotbook::is_complete(form));
    CHECK(slotbook::missing(form) == std::vector<std::string>{name});
  }
}

TEST_CASE("a form without any one of the three consents is not complete and names it") {
  auto a = complete_form();
  a.consent.consent_to_treatment = false;
  auto b = complete_form();
  b.consent.confidentiality_agreement = false;
  auto c = complete_form();
  c.consent.data_processing_consent = false;
  for (const auto& [form, name] : {std::pair{a, "consent.consent_to_treatment"},
                                   std::pair{b, "consent.confidentiality_agreement"},
                                   std::pair{c, "consent.data_processing_consent"}}) {
    INFO(name);
    CHECK_FALSE(slotbook::is_complete(form));
    CHECK(slotbook::missing(form) == std::vector<std::string>{name});
    CHECK(slotbook::next_step(form) == intake_step::consent);
  }
}

TEST_CASE("a form whose saved step is invalid is not complete") {
  auto form = complete_form();
  form.mental_health->severity_level = 11;
  CHECK(slotbook::missing(form).empty());
  CHECK_FALSE(slotbook::is_complete(form));
  CHECK(slotbook::next_step(form) == intake_step::mental_health);
}

TEST_CASE("next_step follows the wizard order") {
  intake_form form;
  CHECK(slotbook::next_step(form) == intake_step::personal_info);
  form.personal_info = valid_personal();
  CHECK(slotbook::next_step(form) == intake_step::mental_health);
  form.goals = valid_goals();  // saving out of order does not skip step 2
  CHECK(slotbook::next_step(form) == intake_step::mental_health);
  form.mental_health = valid_mental_health();
  CHECK(slotbook::next_step(form) == intake_step::consent);
  form.consent = all_consents;
  CHECK_FALSE(slotbook::next_step(form));
}

TEST_CASE("each wizard step is named by its field prefix") {
  CHECK(slotbook::to_string(intake_step::personal_info) == "personal_info");
  CHECK(slotbook::to_string(intake_step::mental_health) == "mental_health");
  CHECK(slotbook::to_string(intake_step::goals) == "goals");
  CHECK(slotbook::to_string(intake_step::consent) == "consent");
}

TEST_CASE("a completed_at on an incomplete form is a problem") {
  intake_form form;
  form.completed_at = t0;
  CHECK(slotbook::problems(form) ==
        std::vector<field_problem>{{"completed_at", "is set, but the form is not complete"}});
  form.completed_at.reset();
  CHECK(slotbook::problems(form).empty());  // a partial form is fine
}

// --- saving steps -----------------------------------------------------------------------------

TEST_CASE("the save that completes a form sets completed_at; withdrawing a consent clears it") {
  intake_form form;
  form.id = intake_id{1};
  slotbook::save_step(form, valid_personal(), t0);
  slotbook::save_step(form, all_consents, t0 + 1min);
  slotbook::save_step(form, valid_mental_health(), t0 + 2min);
  CHECK_FALSE(form.completed_at);
  slotbook::save_step(form, valid_goals(), t0 + 3min);
  CHECK(form.completed_at == t0 + 3min);
  auto edited = valid_personal();
  edited.allergies = "none";
  slotbook::save_step(form, edited, t0 + 4min);
  CHECK(form.completed_at == t0 + 3min);  // still complete: the moment stays
  slotbook::save_step(form, consent_step{true, true, false}, t0 + 5min);
  CHECK_FALSE(form.completed_at);
  slotbook::save_step(form, all_consents, t0 + 6min);
  CHECK(form.completed_at == t0 + 6min);
}

TEST_CASE("saving an invalid step throws naming the field and leaves the form unchanged") {
  intake_form form;
  slotbook::save_step(form, valid_personal(), t0);
  const intake_form before = form;
  auto bad = valid_personal();
  bad.emergency_contact.clear();
  expect_error([&] { slotbook::save_step(form, bad, t0 + 1min); }, errc::invalid_argument,
               {"personal_info.emergency_contact: is required"});
  CHECK(form == before);
}

// --- step validation --------------------------------------------------------------------------

TEST_CASE("a severity outside 1-10 is refused naming mental_health.severity_level and the value") {
  for (const int severity : {0, 11, -3, INT_MIN, INT_MAX}) {
    auto m = valid_mental_health();
    m.severity_level = severity;
    const std::string expected =
        "mental_health.severity_level: " + std::to_string(severity) + " is outside 1-10";
    CHECK(messages(m) == std::vector<std::string>{expected});
    expect_error([&] { slotbook::validate(m); }, errc::invalid_argument, {expected});
  }
  for (const int severity : {1, 10}) {
    auto m = valid_mental_health();
    m.severity_level = severity;
    CHECK(slotbook::problems(m).empty());
  }
}

TEST_CASE("an unanswered previous-therapy question or a missing severity is refused") {
  mental_health_step m;
  CHECK(messages(m) ==
        std::vector<std::string>{"mental_health.previous_therapy: is required",
                                 "mental_health.severity_level: is required (1-10)"});
  m.previous_therapy = true;
  m.severity_level = 1;
  CHECK(slotbook::problems(m).empty());  // the lists may be empty
}

TEST_CASE("a missing or blank emergency contact is refused") {
  for (const std::string contact : {"", " ", " \t\r\n "}) {
    auto p = valid_personal();
    p.emergency_contact = contact;
    CHECK(messages(p) == std::vector<std::string>{"personal_info.emergency_contact: is required"});
  }
  personal_info_step only_contact;
  only_contact.emergency_contact = "Dad, 0700 000 000";
  CHECK(slotbook::problems(only_contact).empty());
}

TEST_CASE("a goals step needs at least one goal") {
  goals_step g;
  CHECK(messages(g) ==
        std::vector<std::string>{"goals.therapy_goals: at least one goal is required"});
  g.therapy_goals = {"feel calmer"};
  CHECK(slotbook::problems(g).empty());
}

TEST_CASE("text over its limit is refused naming the field and the limit, counted in characters") {
  auto p = valid_personal();
  p.medical_history = std::string(4000, 'a');
  CHECK(slotbook::problems(p).empty());
  p.medical_history = std::string(4001, 'a');
  CHECK(messages(p) ==
        std::vector<std::string>{
            "personal_info.medical_history: 4001 characters is over the limit of 4000"});
  // 4000 two-byte characters are 8000 bytes but within the limit.
  std::string accents;
  for (int i = 0; i < 4000; ++i) accents += "\xc3\xa9";  // é
  p.medical_history = accents;
  CHECK(slotbook::problems(p).empty());

  p = valid_personal();
  p.emergency_contact = std::string(200, 'c');
  CHECK(slotbook::problems(p).empty());
  p.emergency_contact = std::string(201, 'c');
  CHECK(messages(p) ==
        std::vector<std::string>{
            "personal_info.emergency_contact: 201 characters is over the limit of 200"});

  auto g = valid_goals();
  g.preferred_approach = std::string(201, 'x');
  g.expectations = std::string(4001, 'y');
  CHECK(messages(g) == std::vector<std::string>{
                           "goals.expectations: 4001 characters is over the limit of 4000",
                           "goals.preferred_approach: 201 characters is over the limit of 200"});
}

TEST_CASE("more than 20 list items is refused naming the list") {
  auto m = valid_mental_health();
  m.current_symptoms.assign(20, "symptom");
  CHECK(slotbook::problems(m).empty());
  m.current_symptoms.assign(21, "symptom");
  CHECK(messages(m) == std::vector<std::string>{
                           "mental_health.current_symptoms: 21 items is over the limit of 20"});
  auto g = valid_goals();
  g.therapy_goals.assign(21, "goal");
  CHECK(messages(g) ==
        std::vector<std::string>{"goals.therapy_goals: 21 items is over the limit of 20"});
}

TEST_CASE("a blank or too long list item is refused naming its index") {
  auto m = valid_mental_health();
  m.trigger_factors = {"stress", " ", "crowds", std::string(201, 'z')};
  CHECK(messages(m) ==
        std::vector<std::string>{
            "mental_health.trigger_factors[1]: is empty",
            "mental_health.trigger_factors[3]: 201 characters is over the limit of 200"});
}

TEST_CASE("invalid UTF-8 is refused naming the field and the byte where it goes wrong") {
  struct bad {
    std::string text;
    std::size_t byte;
  };
  const std::vector<bad> cases{
      {"ab\xff", 2},                 // never valid in UTF-8
      {"\x80", 0},                   // stray continuation byte
      {"x\xc0\xaf", 1},              // overlong '/'
      {"\xe0\x80\xaf", 0},           // overlong, three bytes
      {"ok \xed\xa0\x80", 3},        // UTF-16 surrogate U+D800
      {"\xf4\x90\x80\x80", 0},       // above U+10FFFF
      {"abc\xe2\x82", 3},            // truncated euro sign
      {"\xe2\x82\xac\xe2(\xa1", 3},  // second sequence broken by '('
  };
  for (const auto& c : cases) {
    auto p = valid_personal();
    p.allergies = c.text;
    CHECK(messages(p) ==
          std::vector<std::string>{"personal_info.allergies: is not valid UTF-8 (at byte " +
                                   std::to_string(c.byte) + ")"});
  }
  auto p = valid_personal();
  p.allergies =
      "\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd \xf4\x8f\xbf\xbf";  // € 😀 U+FFFD U+10FFFF
  CHECK(slotbook::problems(p).empty());
}

TEST_CASE("control characters are refused; long text may hold line breaks and tabs") {
  auto p = valid_personal();
  p.emergency_contact = "Mum\n0700";
  CHECK(messages(p) ==
        std::vector<std::string>{"personal_info.emergency_contact: control character U+000A at "
                                 "character 3 is not allowed in a one-line field"});
  p = valid_personal();
  p.medical_history = "line one\r\nline two\n\tindented";
  CHECK(slotbook::problems(p).empty());
  const std::vector<std::pair<std::string, std::string>> controls{
      {std::string("a\0b", 3), "U+0000 at character 1"},
      {"\x07", "U+0007 at character 0"},
      {"\xc3\xa9\x1b[31m", "U+001B at character 1"},  // é then an ANSI escape
      {"x\x7f", "U+007F at character 1"},
      {"x\xc2\x85", "U+0085 at character 1"},  // NEL, a C1 control
  };
  for (const auto& [text, fragment] : controls) {
    p = valid_personal();
    p.medical_history = text;
    CHECK(messages(p) ==
          std::vector<std::string>{"personal_info.medical_history: control character " + fragment +
                                   " is not allowed"});
  }
}

TEST_CASE("every problem of a step is reported, at most one per field, in field order") {
  personal_info_step p;
  p.medical_history = "\xff";
  p.current_medications = std::string(4001, 'm') + "\x01";
  p.allergies = "fine";
  CHECK(slotbook::problems(p) ==
        std::vector<field_problem>{
            {"personal_info.emergency_contact", "is required"},
            {"personal_info.medical_history", "is not valid UTF-8 (at byte 0)"},
            {"personal_info.current_medications",
             "control character U+0001 at character 4001 is not allowed"},
        });
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument,
               {"personal_info.emergency_contact: is required (and 2 more problems)"});
}

TEST_CASE("validation messages never repeat what the client wrote") {
  auto p = valid_personal();
  p.emergency_contact = "MARKER-contact\n";
  p.medical_history = "MARKER-history\xff";
  p.allergies = "MARKER-allergy" + std::string(4000, 'a');
  auto m = valid_mental_health();
  m.current_symptoms = {"MARKER-symptom" + std::string(200, 's')};
  for (const auto& message : messages(p)) CHECK(message.find("MARKER") == std::string::npos);
  for (const auto& message : messages(m)) CHECK(message.find("MARKER") == std::string::npos);
  CHECK(slotbook::problems(p).size() == 3);
  CHECK(slotbook::problems(m).size() == 1);
}

// --- serialisation ----------------------------------------------------------------------------

TEST_CASE("a personal-info step serialises to the documented bytes") {
  personal_info_step p;
  p.emergency_contact = "Ann";
  p.current_medications = "x";
  const std::string expected = bytes({1, 1,                       // version, step 1
                                      0, 0, 0, 3, 'A', 'n', 'n',  // emergency_contact
                                      0, 0, 0, 0,                 // medical_history
                                      0, 0, 0, 1, 'x',            // current_medications
                                      0, 0, 0, 0});               // allergies
  CHECK(slotbook::serialize(p) == expected);
  CHECK(slotbook::parse_personal_info(expected) == p);
}

TEST_CASE("a mental-health step serialises to the documented bytes") {
  mental_health_step m;
  m.previous_therapy = true;
  m.current_symptoms = {"a"};
  m.severity_level = 7;
  m.coping_mechanisms = {"b", "cd"};
  const std::string expected = bytes({1, 2,                         // version, step 2
                                      2,                            // yes
                                      0, 0, 0, 1, 0, 0, 0, 1, 'a',  // symptoms
                                      1, 0, 0, 0, 7,                // severity 7
                                      0, 0, 0, 0,                   // no triggers
                                      0, 0, 0, 2, 0, 0, 0, 1, 'b', 0, 0, 0, 2, 'c', 'd'});
  CHECK(slotbook::serialize(m) == expected);
  CHECK(slotbook::parse_mental_health(expected) == m);

  mental_health_step unanswered;  // no answer, no severity: one byte each
  CHECK(slotbook::serialize(unanswered) == bytes({1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  mental_health_step negative;
  negative.previous_therapy = false;
  negative.severity_level = -2;  // invalid, but the serialisation keeps whatever it is given
  CHECK(slotbook::serialize(negative) ==
        bytes({1, 2, 1, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0}));
  CHECK(slotbook::parse_mental_health(slotbook::serialize(negative)) == negative);
}

TEST_CASE("a goals step serialises to the documented bytes") {
  goals_step g;
  g.therapy_goals = {"calm"};
  g.preferred_approach = "CBT";
  const std::string expected = bytes({1, 3, 0, 0, 0,   1,   0,  0, 0, 4, 'c', 'a', 'l', 'm',  //
                                      0, 0, 0, 0,                                             //
                                      0, 0, 0, 3, 'C', 'B', 'T'});
  CHECK(slotbook::serialize(g) == expected);
  CHECK(slotbook::parse_goals(expected) == g);
}

TEST_CASE("parsing refuses short input, trailing bytes, unknown bytes and another step") {
  const std::string good = slotbook::serialize(valid_mental_health());
  for (std::size_t n = 0; n < good.size(); ++n) {
    INFO("first " << n << " bytes");
    expect_error([&] { (void)slotbook::parse_mental_health(good.substr(0, n)); },
                 errc::invalid_argument, {"intake serialisation"});
  }
  expect_error([&] { (void)slotbook::parse_mental_health(good + '\0'); }, errc::invalid_argument,
               {"trailing bytes"});
  auto bad_version = good;
  bad_version[0] = 2;
  expect_error([&] { (void)slotbook::parse_mental_health(bad_version); }, errc::invalid_argument,
               {"version"});
  auto bad_answer = good;
  bad_answer[2] = 3;
  expect_error([&] { (void)slotbook::parse_mental_health(bad_answer); }, errc::invalid_argument,
               {"previous_therapy"});
  expect_error([&] { (void)slotbook::parse_personal_info(good); }, errc::invalid_argument,
               {"not the expected step"});
  // A list count far beyond the input is refused before anything is allocated for it.
  expect_error(
      [&] {
        (void)slotbook::parse_goals(bytes({1, 3, 0xff, 0xff, 0xff, 0xff}));
      },
      errc::invalid_argument, {"list longer than the rest"});
  expect_error(
      [&] {
        (void)slotbook::parse_goals(bytes({1, 3, 0, 0, 0, 1, 0x7f, 0, 0, 0}));
      },
      errc::invalid_argument, {"text longer than the rest"});
}

// --- the sealed form --------------------------------------------------------------------------

TEST_CASE("a sealed intake opens back to the same form") {
  const auto ring = ring_of({{1, 0x11}});
  const auto form = complete_form();
  const sealed_intake sealed = slotbook::seal_intake(form, ring);
  CHECK(sealed.id == form.id);
  CHECK(sealed.session == form.session);
  CHECK(sealed.client == form.client);
  CHECK(sealed.consent == all_consents);
  CHECK(sealed.completed_at == t0);
  CHECK(slotbook::key_version(sealed) == 1);
  CHECK(slotbook::open_intake(sealed, ring) == form);
}

TEST_CASE("no stored byte of a sealed intake contains any of the client's text") {
  const auto ring = ring_of({{1, 0x11}});
  auto form = complete_form();
  form.personal_info->emergency_contact = "MARKER01 contact";
  form.personal_info->medical_history = "MARKER02 history";
  form.personal_info->current_medications = "MARKER03 meds";
  form.personal_info->allergies = "MARKER04 allergy";
  form.mental_health->current_symptoms = {"MARKER05 symptom"};
  form.mental_health->trigger_factors = {"MARKER06 trigger"};
  form.mental_health->coping_mechanisms = {"MARKER07 coping"};
  form.goals->therapy_goals = {"MARKER08 goal"};
  form.goals->expectations = "MARKER09 expectations";
  form.goals->preferred_approach = "MARKER10 approach";
  const auto sealed = slotbook::seal_intake(form, ring);
  std::string stored(sealed.data_key.bytes.begin(), sealed.data_key.bytes.end());
  for (const auto* blob : {&*sealed.personal_info, &*sealed.mental_health, &*sealed.goals}) {
    stored.append(blob->bytes.begin(), blob->bytes.end());
  }
  CHECK(stored.find("MARKER") == std::string::npos);
  CHECK(stored.find("contact") == std::string::npos);
  CHECK(slotbook::open_intake(sealed, ring) == form);
}

TEST_CASE("a sealed step's length reveals only its 256-byte size class") {
  const auto ring = ring_of({{1, 0x11}});
  auto short_form = complete_form();
  short_form.personal_info->allergies = "";
  auto longer_form = complete_form();
  longer_form.personal_info->allergies = "penicillin, latex, peanuts, shellfish";
  const auto a = slotbook::seal_intake(short_form, ring);
  const auto b = slotbook::seal_intake(longer_form, ring);
  CHECK(a.personal_info->bytes.size() == 30 + 256);
  CHECK(b.personal_info->bytes.size() == 30 + 256);
  longer_form.personal_info->medical_history = std::string(300, 'h');
  CHECK(slotbook::seal_intake(longer_form, ring).personal_info->bytes.size() == 30 + 512);
}

TEST_CASE("sealing needs an intake id and valid saved steps") {
  const auto ring = ring_of({{1, 0x11}});
  auto no_id = complete_form();
  no_id.id = intake_id{};
  expect_error([&] { (void)slotbook::seal_intake(no_id, ring); }, errc::invalid_argument,
               {"intake_form.id"});
  auto invalid = complete_form();
  invalid.mental_health->severity_level = 0;
  expect_error([&] { (void)slotbook::seal_intake(invalid, ring); }, errc::invalid_argument,
               {"mental_health.severity_level: 0 is outside 1-10"});
  expect_error([&] { (void)slotbook::seal_intake(complete_form(), keyring{}); }, errc::crypto,
               {"keyring is empty"});
}

TEST_CASE("steps saved one at a time into a sealed intake open to the same form as in the clear") {
  const auto ring = ring_of({{1, 0x11}});
  intake_form form;
  form.id = intake_id{9};
  form.client = slotbook::client_id{4};
  sealed_intake sealed = slotbook::seal_intake(form, ring);
  CHECK_FALSE(sealed.personal_info);
  CHECK(slotbook::open_intake(sealed, ring) == form);

  slotbook::save_step(form, valid_mental_health(), t0);
  slotbook::save_step(sealed, valid_mental_health(), ring, t0);
  CHECK(slotbook::open_intake(sealed, ring) == form);
  slotbook::save_step(form, all_consents, t0 + 1min);
  slotbook::save_step(sealed, all_consents, t0 + 1min);
  slotbook::save_step(form, valid_personal(), t0 + 2min);
  slotbook::save_step(sealed, valid_personal(), ring, t0 + 2min);
  CHECK_FALSE(slotbook::is_complete(sealed));
  slotbook::save_step(form, valid_goals(), t0 + 3min);
  slotbook::save_step(sealed, valid_goals(), ring, t0 + 3min);
  CHECK(slotbook::is_complete(sealed));
  CHECK(sealed.completed_at == t0 + 3min);
  CHECK(slotbook::open_intake(sealed, ring) == form);
  slotbook::save_step(sealed, consent_step{false, true, true}, t0 + 4min);
  CHECK_FALSE(slotbook::is_complete(sealed));
  CHECK_FALSE(sealed.completed_at);
}

TEST_CASE("saving an invalid step into a sealed intake throws and changes nothing") {
  const auto ring = ring_of({{1, 0x11}});
  sealed_intake sealed = slotbook::seal_intake(complete_form(), ring);
  const sealed_intake before = sealed;
  auto bad = valid_goals();
  bad.therapy_goals.clear();
  expect_error([&] { slotbook::save_step(sealed, bad, ring, t0); }, errc::invalid_argument,
               {"goals.therapy_goals"});
  CHECK(sealed == before);
}

TEST_CASE("a sealed step moved to another step or into another intake fails to open") {
  const auto ring = ring_of({{1, 0x11}});
  const auto a = slotbook::seal_intake(complete_form(), ring);
  auto swapped = a;
  swapped.mental_health = a.personal_info;
  expect_error([&] { (void)slotbook::open_intake(swapped, ring); }, errc::crypto,
               {"intake_form 42, field mental_health"});

  auto other_form = complete_form();
  other_form.id = intake_id{43};
  auto b = slotbook::seal_intake(other_form, ring);
  b.goals = a.goals;  // another form's step, under another data key
  expect_error([&] { (void)slotbook::open_intake(b, ring); }, errc::crypto,
               {"intake_form 43, field goals"});
  auto relabelled = a;  // a whole row copied under another id
  relabelled.id = intake_id{43};
  expect_error([&] { (void)slotbook::open_intake(relabelled, ring); }, errc::crypto,
               {"intake_form 43"});
}

TEST_CASE("changing any byte of a sealed step fails open_intake with errc::crypto") {
  const auto ring = ring_of({{1, 0x11}});
  const auto sealed = slotbook::seal_intake(complete_form(), ring);
  for (std::size_t i = 0; i < sealed.goals->bytes.size(); ++i) {
    auto tampered = sealed;
    tampered.goals->bytes[i] ^= 0x20;
    INFO("byte " << i);
    expect_error([&] { (void)slotbook::open_intake(tampered, ring); }, errc::crypto, {});
  }
}

TEST_CASE("is_complete of a sealed intake needs no key and agrees with the form") {
  const auto ring = ring_of({{1, 0x11}});
  auto form = complete_form();
  CHECK(slotbook::is_complete(slotbook::seal_intake(form, ring)));
  form.completed_at.reset();
  form.consent.data_processing_consent = false;
  CHECK_FALSE(slotbook::is_complete(slotbook::seal_intake(form, ring)));
  form.consent.data_processing_consent = true;
  form.goals.reset();
  CHECK_FALSE(slotbook::is_complete(slotbook::seal_intake(form, ring)));
}

TEST_CASE("reseal moves the data key to the newest version and the form opens without the old") {
  auto ring = ring_of({{1, 0x11}});
  const auto form = complete_form();
  const auto v1 = slotbook::seal_intake(form, ring);
  ring.add(2, key_material(std::vector<std::uint8_t>(32, 0x22)));
  const auto v2 = slotbook::reseal(v1, ring);
  CHECK(slotbook::key_version(v2) == 2);
  CHECK(v2.personal_info == v1.personal_info);  // only the data key changes
  CHECK(v2.mental_health == v1.mental_health);
  CHECK(v2.goals == v1.goals);
  CHECK(slotbook::reseal(v2, ring) == v2);  // a resumed rotation does nothing more
  ring.remove(1);
  CHECK(slotbook::open_intake(v2, ring) == form);
  expect_error([&] { (void)slotbook::open_intake(v1, ring); }, errc::crypto, {"key version 1"});
}

TEST_CASE("saving a step re-wraps a data key still under an older key version") {
  auto ring = ring_of({{1, 0x11}});
  auto sealed = slotbook::seal_intake(complete_form(), ring);
  ring.add(2, key_material(std::vector<std::uint8_t>(32, 0x22)));
  auto edited = valid_personal();
  edited.allergies = "none";
  slotbook::save_step(sealed, edited, ring, t0);
  CHECK(slotbook::key_version(sealed) == 2);
  ring.remove(1);
  CHECK(slotbook::open_intake(sealed, ring).personal_info == edited);
}

TEST_CASE("an intake sealed under a key version the keyring lacks fails naming the version") {
  const auto sealed = slotbook::seal_intake(complete_form(), ring_of({{5, 0x55}}));
  expect_error(
      [&] {
        (void)slotbook::open_intake(sealed, ring_of({{1, 0x11}, {2, 0x22}}));
      },
      errc::crypto, {"key version 5", "not in the keyring"});
}

TEST_CASE("a shredded intake, its data key deleted, cannot be opened") {
  const auto ring = ring_of({{1, 0x11}});
  auto sealed = slotbook::seal_intake(complete_form(), ring);
  sealed.data_key = {};
  expect_error([&] { (void)slotbook::open_intake(sealed, ring); }, errc::crypto,
               {"wrapped key of intake_form 42"});
  // Neither does a fresh data key for the same form: the old one existed only wrapped.
  auto fresh = slotbook::seal_intake(intake_form{.id = intake_id{42}}, ring);
  fresh.personal_info = sealed.personal_info;
  expect_error([&] { (void)slotbook::open_intake(fresh, ring); }, errc::crypto,
               {"does not authenticate"});
}
