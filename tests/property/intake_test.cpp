// Properties of the intake form: the serialisation round-trips and is canonical, text validation
// agrees with an independent UTF-8 oracle, sealed forms open to what was sealed, and completion
// follows a simple model of the wizard.
#include "slotbook/intake.hpp"

#include <string>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using slotbook::consent_step;
using slotbook::errc;
using slotbook::goals_step;
using slotbook::instant;
using slotbook::intake_form;
using slotbook::intake_id;
using slotbook::key_material;
using slotbook::keyring;
using slotbook::mental_health_step;
using slotbook::personal_info_step;
using slotbook::sealed_intake;

namespace {

// A uniform choice in [lo, hi), whatever the current test size (rc::gen::inRange narrows its range
// at small sizes, which would leave most choices untried in the first runs).
template <class T>
T uniform(T lo, T hi) {
  return *rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

// --- arbitrary steps (any bytes, any ints): for the serialisation ------------------------------

rc::Gen<std::string> any_bytes() {
  return rc::gen::map(
      rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>()),
      [](const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); });
}

template <class T>
std::optional<T> maybe(const rc::Gen<T>& gen) {
  if (*rc::gen::arbitrary<bool>()) return *gen;
  return std::nullopt;
}

std::vector<std::string> any_list() {
  return *rc::gen::container<std::vector<std::string>>(any_bytes());
}

personal_info_step any_personal() {
  return {*any_bytes(), *any_bytes(), *any_bytes(), *any_bytes()};
}

mental_health_step any_mental_health() {
  mental_health_step m;
  m.previous_therapy = maybe(rc::gen::arbitrary<bool>());
  m.current_symptoms = any_list();
  m.severity_level = maybe(rc::gen::arbitrary<int>());
  m.trigger_factors = any_list();
  m.coping_mechanisms = any_list();
  return m;
}

goals_step any_goals() { return {any_list(), *any_bytes(), *any_bytes()}; }

// --- valid steps: for sealing and the wizard ----------------------------------------------------

// One code point each (but "\r\n"), from several scripts and all UTF-8 lengths.
const std::vector<std::string> line_pieces{"a",
                                           "Z",
                                           "0",
                                           " ",
                                           "-",
                                           "'",
                                           ",",
                                           "\xc3\xa9",
                                           "\xc3\x9f",
                                           "\xd0\xb6",
                                           "\xe4\xb8\xad",
                                           "\xf0\x9f\x98\x80",
                                           "\xef\xbf\xbd"};

rc::Gen<std::string> valid_line(bool may_be_empty) {
  return rc::gen::exec([may_be_empty] {
    const auto n = *rc::gen::inRange<std::size_t>(0, 60);
    std::string s = may_be_empty && n == 0 ? "" : "x";  // never blank unless allowed
    for (std::size_t i = 0; i < n; ++i) s += *rc::gen::elementOf(line_pieces);
    return s;
  });
}

rc::Gen<std::string> valid_long_text() {
  return rc::gen::exec([] {
    const auto n = *rc::gen::inRange<std::size_t>(0, 120);
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
      s += *rc::gen::weightedOneOf<std::string>(
          {{8, rc::gen::elementOf(line_pieces)},
           {1, rc::gen::element<std::string>("\n", "\t", "\r\n")}});
    }
    return s;
  });
}

std::vector<std::string> valid_list(std::size_t min) {
  const auto n = *rc::gen::inRange<std::size_t>(min, 21);
  return *rc::gen::container<std::vector<std::string>>(n, valid_line(false));
}

personal_info_step valid_personal() {
  return {*valid_line(false), *valid_long_text(), *valid_long_text(), *valid_long_text()};
}

mental_health_step valid_mental_health() {
  mental_health_step m;
  m.previous_therapy = *rc::gen::arbitrary<bool>();
  m.current_symptoms = valid_list(0);
  m.severity_level = uniform(1, 11);
  m.trigger_factors = valid_list(0);
  m.coping_mechanisms = valid_list(0);
  return m;
}

goals_step valid_goals() { return {valid_list(1), *valid_long_text(), *valid_line(true)}; }

consent_step any_consents() {
  return {*rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>()};
}

keyring test_ring() {
  keyring ring;
  ring.add(1, key_material::generate());
  return ring;
}

// --- an independent UTF-8 oracle ---------------------------------------------------------------

// The standard (shortest-form) encoding of a code point.
std::string encode(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return out;
}

bool is_scalar(char32_t cp) { return cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff); }

// Decodes by definition: a sequence of L bytes is a character when its payload bits, read as a
// code point, are a Unicode scalar value whose standard encoding is exactly those bytes. No range
// tables: overlong forms fail the re-encoding, surrogates and values above U+10FFFF fail
// is_scalar. Returns the code points, or nullopt when some position matches no length.
std::optional<std::vector<char32_t>> oracle_decode(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    bool found = false;
    for (std::size_t len = 1; len <= 4 && i + len <= s.size() && !found; ++len) {
      const std::string_view candidate = s.substr(i, len);
      const auto lead = static_cast<unsigned char>(candidate[0]);
      const unsigned lead_payload_bits = len == 1 ? 7 : static_cast<unsigned>(7 - len);
      char32_t cp = lead & ((1u << lead_payload_bits) - 1);
      for (std::size_t k = 1; k < len; ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(candidate[k]) & 0x3fu);
      }
      if (is_scalar(cp) && encode(cp) == candidate) {
        out.push_back(cp);
        i += len;
        found = true;
      }
    }
    if (!found) return std::nullopt;
  }
  return out;
}

// Code points at the edges of UTF-8's and our rules: C0/C1 controls, encoding-length changes,
// surrogates, the last scalar value and the first values beyond it.
const std::vector<char32_t> edges{
    0x00,   0x1f,   0x20,   0x7e,   0x7f,   0x80,   0x9f,   0xa0,    0x7ff,    0x800,    0xd7ff,
    0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff, 0x110000, 0x1fffff};

// `cp` (below U+0800) in a longer encoding than it needs: never valid UTF-8.
std::string overlong(char32_t cp) {
  if (cp < 0x80) {
    return {static_cast<char>(0xc0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3f))};
  }
  return {static_cast<char>(0xe0), static_cast<char>(0x80 | (cp >> 6)),
          static_cast<char>(0x80 | (cp & 0x3f))};
}

// Bytes that are often, but not always, UTF-8.
rc::Gen<std::string> utf8ish() {
  return rc::gen::exec([] {
    const auto n = *rc::gen::inRange<std::size_t>(0, 40);
    std::string s;
    if (uniform(0, 4) == 0) s.assign(uniform<std::size_t>(190, 205), 'a');
    for (std::size_t i = 0; i < n; ++i) {
      switch (uniform(0, 7)) {
        case 0:
          s += static_cast<char>(uniform(0x20, 0x7f));
          break;
        case 1:
          s += static_cast<char>(uniform(0, 0x20));
          break;
        case 2:
          s += static_cast<char>(uniform(0x80, 0x100));
          break;
        case 3:
          s += encode(uniform<char32_t>(0x80, 0x800));
          break;
        case 4:
          s += encode(*rc::gen::elementOf(edges));
          break;
        case 5:
          s += overlong(uniform<char32_t>(0, 0x800));
          break;
        default:
          s += encode(uniform<char32_t>(0, 0x200000));
          break;  // any 21-bit value
      }
    }
    if (uniform(0, 4) == 0 && !s.empty()) s.pop_back();  // maybe cut a sequence short
    return s;
  });
}

}  // namespace

// --- serialisation ------------------------------------------------------------------------------

TEST_CASE("serialising any step and parsing it back gives the step") {
  rc::prop("parse_personal_info(serialize(p)) == p", [] {
    const auto p = any_personal();
    RC_ASSERT(slotbook::parse_personal_info(slotbook::serialize(p)) == p);
  });
  rc::prop("parse_mental_health(serialize(m)) == m", [] {
    const auto m = any_mental_health();
    RC_ASSERT(slotbook::parse_mental_health(slotbook::serialize(m)) == m);
  });
  rc::prop("parse_goals(serialize(g)) == g", [] {
    const auto g = any_goals();
    RC_ASSERT(slotbook::parse_goals(slotbook::serialize(g)) == g);
  });
}

TEST_CASE("equal steps serialise alike and different steps differently") {
  rc::prop("serialize(a) == serialize(b) exactly when a == b", [] {
    const auto a = any_mental_health();
    const auto b = *rc::gen::oneOf(rc::gen::just(a), rc::gen::exec(any_mental_health));
    RC_ASSERT((slotbook::serialize(a) == slotbook::serialize(b)) == (a == b));
  });
}

TEST_CASE("the parser accepts only canonical bytes") {
  rc::prop("for any bytes b, parse(b) throws invalid_argument or serialize(parse(b)) == b", [] {
    std::string b = *rc::gen::oneOf(
        any_bytes(), rc::gen::exec([] { return slotbook::serialize(any_mental_health()); }));
    if (!b.empty() && *rc::gen::arbitrary<bool>()) {  // damage one byte of it
      const auto at = uniform<std::size_t>(0, b.size());
      b[at] = static_cast<char>(b[at] ^ uniform(1, 256));
    }
    try {
      RC_ASSERT(slotbook::serialize(slotbook::parse_mental_health(b)) == b);
    } catch (const slotbook::error& e) {
      RC_ASSERT(e.code() == errc::invalid_argument);
    }
  });
}

// --- text validation ----------------------------------------------------------------------------

TEST_CASE("the UTF-8 check agrees with decoding by definition") {
  rc::prop("detail::is_utf8(s) == oracle_decode(s).has_value()", [] {
    const std::string s = *utf8ish();
    RC_ASSERT(slotbook::detail::is_utf8(s) == oracle_decode(s).has_value());
  });
}

TEST_CASE("a one-line field is accepted exactly when the rules say so") {
  rc::prop(
      "problems(emergency_contact = s) is empty iff s is UTF-8, not blank, has no control "
      "character and at most 200 characters",
      [] {
        const std::string s = *utf8ish();
        const auto decoded = oracle_decode(s);
        bool ok = decoded.has_value() && s.find_first_not_of(" \t\r\n") != std::string::npos;
        if (ok) {
          for (const char32_t cp : *decoded) {
            if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) ok = false;
          }
          ok = ok && decoded->size() <= 200;
        }
        personal_info_step p;
        p.emergency_contact = s;
        const auto found = slotbook::problems(p);
        RC_ASSERT(found.empty() == ok);
        for (const auto& problem : found) {
          RC_ASSERT(problem.field == "personal_info.emergency_contact");
        }
      });
}

TEST_CASE("a long-text field is accepted exactly when the rules say so") {
  rc::prop(
      "problems(medical_history = s) is empty iff s is UTF-8 with no control character "
      "but tab, CR and LF",
      [] {
        const std::string s = *utf8ish();
        const auto decoded = oracle_decode(s);
        bool ok = decoded.has_value();
        if (ok) {
          for (const char32_t cp : *decoded) {
            const bool allowed = cp == U'\t' || cp == U'\n' || cp == U'\r';
            if (!allowed && (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))) ok = false;
          }
        }
        personal_info_step p;
        p.emergency_contact = "someone";
        p.medical_history = s;
        const auto found = slotbook::problems(p);
        RC_ASSERT(found.empty() == ok);  // under 4000 characters here, so never too long
        for (const auto& problem : found) {
          RC_ASSERT(problem.field == "personal_info.medical_history");
        }
      });
}

// --- sealing ------------------------------------------------------------------------------------

TEST_CASE("any valid form seals and opens back to itself") {
  const keyring ring = test_ring();
  rc::prop("open_intake(seal_intake(form)) == form", [&] {
    intake_form form;
    form.id = intake_id{*rc::gen::inRange<std::uint64_t>(1, UINT64_MAX)};
    form.session = slotbook::session_id{*rc::gen::arbitrary<std::uint64_t>()};
    form.client = slotbook::client_id{*rc::gen::arbitrary<std::uint64_t>()};
    if (*rc::gen::arbitrary<bool>()) form.personal_info = valid_personal();
    if (*rc::gen::arbitrary<bool>()) form.mental_health = valid_mental_health();
    if (*rc::gen::arbitrary<bool>()) form.goals = valid_goals();
    form.consent = any_consents();
    if (slotbook::is_complete(form)) form.completed_at = instant{1'700'000'000s};
    RC_ASSERT(slotbook::problems(form).empty());
    const sealed_intake sealed = slotbook::seal_intake(form, ring);
    RC_ASSERT(slotbook::is_complete(sealed) == slotbook::is_complete(form));
    RC_ASSERT(slotbook::open_intake(sealed, ring) == form);
  });
}

TEST_CASE("saving steps in any order keeps the form, its sealed copy and a model in step") {
  const keyring ring = test_ring();
  rc::prop("after every save: completed_at matches the model and the sealed copy opens to the form",
           [&] {
             intake_form form;
             form.id = intake_id{*rc::gen::inRange<std::uint64_t>(1, 1000)};
             sealed_intake sealed = slotbook::seal_intake(form, ring);
             // The model: which steps hold a valid save, the consents, and completion time.
             bool saved[3] = {false, false, false};
             consent_step consents;
             std::optional<instant> completed;
             instant now{1'700'000'000s};
             const int operations = *rc::gen::inRange(1, 12);
             for (int op = 0; op < operations; ++op) {
               now += 1min;
               const int which = uniform(0, 4);
               const bool make_invalid = which < 3 && uniform(0, 5) == 0;
               bool threw = false;
               try {
                 if (which == 0) {
                   auto step = valid_personal();
                   if (make_invalid) step.emergency_contact = " ";
                   slotbook::save_step(form, step, now);
                   slotbook::save_step(sealed, step, ring, now);
                 } else if (which == 1) {
                   auto step = valid_mental_health();
                   if (make_invalid) step.severity_level = 11;
                   slotbook::save_step(form, step, now);
                   slotbook::save_step(sealed, step, ring, now);
                 } else if (which == 2) {
                   auto step = valid_goals();
                   if (make_invalid) step.therapy_goals.clear();
                   slotbook::save_step(form, step, now);
                   slotbook::save_step(sealed, step, ring, now);
                 } else {
                   consents = any_consents();
                   slotbook::save_step(form, consents, now);
                   slotbook::save_step(sealed, consents, now);
                 }
               } catch (const slotbook::error& e) {
                 RC_ASSERT(e.code() == errc::invalid_argument);
                 threw = true;
               }
               RC_ASSERT(threw == make_invalid);
               if (which < 3 && !make_invalid) saved[which] = true;
               const bool complete =
                   saved[0] && saved[1] && saved[2] && consents.consent_to_treatment &&
                   consents.confidentiality_agreement && consents.data_processing_consent;
               if (!complete) {
                 completed.reset();
               } else if (!completed) {
                 completed = now;
               }
               RC_ASSERT(slotbook::is_complete(form) == complete);
               RC_ASSERT(slotbook::is_complete(sealed) == complete);
               RC_ASSERT(form.completed_at == completed);
               RC_ASSERT(sealed.completed_at == completed);
               RC_ASSERT(slotbook::open_intake(sealed, ring) == form);
             }
           });
}
