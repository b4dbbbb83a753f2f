#pragma once
/// \file intake.hpp
/// "What did the client tell us before the first session, and is it complete?": the intake form,
/// its four wizard steps with per-step validation, a byte serialisation of the sensitive steps,
/// and the sealed form as stored.
///
/// The form follows the platform's wizard: (1) personal information, (2) mental-health assessment,
/// (3) therapy goals, (4) consents. Each step is saved on its own (`save_step`), so a form may be
/// partial; saving validates that step only. The form is complete when steps 1-3 are saved and
/// valid and all three consents are given; `completed_at` is set at that moment and cleared if a
/// consent is withdrawn.
///
/// Validation messages name the field and the problem but never repeat what the client wrote
/// (only an out-of-range severity number, which is not a real answer): this is health data, and
/// error messages end up in logs. Limits (characters are Unicode code points; text must be valid
/// UTF-8; control characters are U+0000-U+001F, U+007F and U+0080-U+009F):
/// - one-line text (emergency contact, preferred approach, each list item): at most 200
///   characters, no control characters at all;
/// - long text (medical history, current medications, allergies, expectations): at most 4000
///   characters; tab, line feed and carriage return allowed, no other control characters;
/// - lists (symptoms, triggers, coping mechanisms, goals): at most 20 items, none blank;
/// - severity: 1 to 10. Required: emergency contact, previous therapy (yes/no), severity, at least
///   one therapy goal.
///
/// The model and validation are pure (no I/O, no clock). Sealing (`seal_intake`, `open_intake`,
/// `save_step` on a `sealed_intake`, `reseal`) uses crypto.hpp and needs `slotbook::slotbook`.
/// What is sealed and what stays plaintext is in docs/security.md.
///
///     slotbook::intake_form form{.id = slotbook::intake_id{7}, .client = slotbook::client_id{3}};
///     slotbook::personal_info_step p;
///     p.emergency_contact = "Amina Odhiambo (sister), +254 700 000 000";
///     slotbook::save_step(form, p, now);                // validates step 1 only
///     slotbook::next_step(form);                        // intake_step::mental_health

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "slotbook/crypto.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// An intake form (assigned by the store). Declared here until ids.hpp carries it; a second,
/// identical alias there is harmless.
using intake_id = strong_id<struct intake_tag>;

/// Step 1: personal information.
struct personal_info_step {
  std::string emergency_contact{};    ///< required, one line: name, relation, phone
  std::string medical_history{};      ///< long text, may be empty
  std::string current_medications{};  ///< long text, may be empty
  std::string allergies{};            ///< long text, may be empty
  friend bool operator==(const personal_info_step&, const personal_info_step&) = default;
};

/// Step 2: mental-health assessment.
struct mental_health_step {
  std::optional<bool> previous_therapy{};        ///< required: has the client had therapy before?
  std::vector<std::string> current_symptoms{};   ///< list, may be empty
  std::optional<int> severity_level{};           ///< required, 1 (mild) to 10 (severe)
  std::vector<std::string> trigger_factors{};    ///< list, may be empty
  std::vector<std::string> coping_mechanisms{};  ///< list, may be empty
  friend bool operator==(const mental_health_step&, const mental_health_step&) = default;
};

/// Step 3: therapy goals and expectations.
struct goals_step {
  std::vector<std::string> therapy_goals{};  ///< list, at least one
  std::string expectations{};                ///< long text (outcomes, timeline), may be empty
  std::string preferred_approach{};          ///< one line, may be empty (e.g. "CBT")
  friend bool operator==(const goals_step&, const goals_step&) = default;
};

/// Step 4: the three consents. All three are needed for a complete form.
struct consent_step {
  bool consent_to_treatment = false;
  bool confidentiality_agreement = false;
  bool data_processing_consent = false;
  friend bool operator==(const consent_step&, const consent_step&) = default;
};

/// An intake form in the clear. Steps 1-3 are absent until saved.
struct intake_form {
  intake_id id{};  ///< the store's id; needed before sealing (it is bound into the ciphertext)
  session_id session{};  ///< the session it was filled in for, if any
  client_id client{};    ///< whose form it is
  std::optional<personal_info_step> personal_info{};
  std::optional<mental_health_step> mental_health{};
  std::optional<goals_step> goals{};
  consent_step consent{};
  std::optional<instant> completed_at{};  ///< set when the form became complete
  friend bool operator==(const intake_form&, const intake_form&) = default;
};

/// The wizard's steps, in order.
enum class intake_step : std::uint8_t { personal_info = 1, mental_health, goals, consent };

/// `"personal_info"`, `"mental_health"`, `"goals"`, `"consent"`: also the field-name prefixes in
/// validation messages and the field names the steps are sealed under.
constexpr std::string_view to_string(intake_step step) noexcept {
  switch (step) {
    case intake_step::personal_info:
      return "personal_info";
    case intake_step::mental_health:
      return "mental_health";
    case intake_step::goals:
      return "goals";
    case intake_step::consent:
      return "consent";
  }
  return "unknown";
}

/// The validation limits listed at the top of this header.
struct intake_limits {
  static constexpr std::size_t one_line_chars = 200;
  static constexpr std::size_t long_text_chars = 4000;
  static constexpr std::size_t list_items = 20;
  static constexpr int min_severity = 1;
  static constexpr int max_severity = 10;
};

/// One validation problem: the field's path (e.g. `mental_health.severity_level`,
/// `goals.therapy_goals[2]`) and what is wrong with it.
struct field_problem {
  std::string field;
  std::string reason;
  friend bool operator==(const field_problem&, const field_problem&) = default;
};

/// `field: reason`, e.g. `mental_health.severity_level: 11 is outside 1-10`.
inline std::string to_string(const field_problem& p) { return p.field + ": " + p.reason; }

namespace detail {

// The scalar value at s[i] and its length in bytes, or length 0 when the bytes there are not UTF-8
// (a stray continuation byte, an overlong form, a surrogate, a value above U+10FFFF, a truncated
// sequence).
inline std::size_t utf8_decode(std::string_view s, std::size_t i, char32_t& cp) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  char32_t min = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
    min = 0x80;
    cp = b0 & 0x1fu;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    min = 0x800;
    cp = b0 & 0x0fu;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    min = 0x10000;
    cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3fu);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

/// True when `s` is well-formed UTF-8.
inline bool is_utf8(std::string_view s) noexcept {
  char32_t cp = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_decode(s, i, cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

inline bool is_blank(std::string_view s) noexcept {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

enum class text_kind { one_line, long_text };

// A field's path, e.g. `goals.therapy_goals` or, with an index, `goals.therapy_goals[2]`; spelled
// out only when there is a problem to report, so validating a valid form allocates nothing for it.
struct field_path {
  std::string_view name;
  std::size_t index = std::string_view::npos;
  std::string str() const {
    return index == std::string_view::npos ? std::string(name) : fmt::format("{}[{}]", name, index);
  }
};

// Appends at most one problem for `text`: not UTF-8, a forbidden control character, or too long.
inline void check_text(std::string_view text, field_path path, text_kind kind,
                       std::size_t max_chars, std::vector<field_problem>& out) {
  std::size_t chars = 0;
  char32_t cp = 0;
  for (std::size_t i = 0; i < text.size(); ++chars) {
    const std::size_t len = utf8_decode(text, i, cp);
    if (len == 0) {
      out.push_back({path.str(), fmt::format("is not valid UTF-8 (at byte {})", i)});
      return;
    }
    const bool line_break_or_tab = cp == U'\n' || cp == U'\r' || cp == U'\t';
    const bool control = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
    if (control && !(kind == text_kind::long_text && line_break_or_tab)) {
      out.push_back(
          {path.str(), fmt::format("control character U+{:04X} at character {} is not allowed{}",
                                   static_cast<std::uint32_t>(cp), chars,
                                   line_break_or_tab ? " in a one-line field" : "")});
      return;
    }
    i += len;
  }
  if (chars > max_chars) {
    out.push_back(
        {path.str(), fmt::format("{} characters is over the limit of {}", chars, max_chars)});
  }
}

inline void check_required_line(std::string_view text, field_path path,
                                std::vector<field_problem>& out) {
  if (is_blank(text)) {
    out.push_back({path.str(), "is required"});
    return;
  }
  check_text(text, path, text_kind::one_line, intake_limits::one_line_chars, out);
}

inline void check_list(const std::vector<std::string>& items, std::string_view path,
                       std::vector<field_problem>& out) {
  if (items.size() > intake_limits::list_items) {
    out.push_back({std::string(path), fmt::format("{} items is over the limit of {}", items.size(),
                                                  intake_limits::list_items)});
    return;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const field_path item_path{path, i};
    if (is_blank(items[i])) {
      out.push_back({item_path.str(), "is empty"});
    } else {
      check_text(items[i], item_path, text_kind::one_line, intake_limits::one_line_chars, out);
    }
  }
}

[[noreturn]] inline void throw_problems(const std::vector<field_problem>& problems) {
  std::string message = to_string(problems.front());
  if (problems.size() > 1) message += fmt::format(" (and {} more problems)", problems.size() - 1);
  throw error(errc::invalid_argument, message);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// Everything wrong with step 1, at most one problem per field, in field order.
///
///     slotbook::problems(slotbook::personal_info_step{});
///     // {{"personal_info.emergency_contact", "is required"}}
inline std::vector<field_problem> problems(const personal_info_step& step) {
  using detail::text_kind;
  std::vector<field_problem> out;
  detail::check_required_line(step.emergency_contact, {"personal_info.emergency_contact"}, out);
  detail::check_text(step.medical_history, {"personal_info.medical_history"}, text_kind::long_text,
                     intake_limits::long_text_chars, out);
  detail::check_text(step.current_medications, {"personal_info.current_medications"},
                     text_kind::long_text, intake_limits::long_text_chars, out);
  detail::check_text(step.allergies, {"personal_info.allergies"}, text_kind::long_text,
                     intake_limits::long_text_chars, out);
  return out;
}

/// Everything wrong with step 2, e.g. `{"mental_health.severity_level", "11 is outside 1-10"}`.
inline std::vector<field_problem> problems(const mental_health_step& step) {
  std::vector<field_problem> out;
  if (!step.previous_therapy) out.push_back({"mental_health.previous_therapy", "is required"});
  detail::check_list(step.current_symptoms, "mental_health.current_symptoms", out);
  if (!step.severity_level) {
    out.push_back({"mental_health.severity_level", "is required (1-10)"});
  } else if (*step.severity_level < intake_limits::min_severity ||
             *step.severity_level > intake_limits::max_severity) {
    out.push_back({"mental_health.severity_level",
                   fmt::format("{} is outside {}-{}", *step.severity_level,
                               intake_limits::min_severity, intake_limits::max_severity)});
  }
  detail::check_list(step.trigger_factors, "mental_health.trigger_factors", out);
  detail::check_list(step.coping_mechanisms, "mental_health.coping_mechanisms", out);
  return out;
}

/// Everything wrong with step 3, e.g. `{"goals.therapy_goals", "at least one goal is required"}`.
inline std::vector<field_problem> problems(const goals_step& step) {
  std::vector<field_problem> out;
  if (step.therapy_goals.empty()) {
    out.push_back({"goals.therapy_goals", "at least one goal is required"});
  } else {
    detail::check_list(step.therapy_goals, "goals.therapy_goals", out);
  }
  detail::check_text(step.expectations, {"goals.expectations"}, detail::text_kind::long_text,
                     intake_limits::long_text_chars, out);
  detail::check_text(step.preferred_approach, {"goals.preferred_approach"},
                     detail::text_kind::one_line, intake_limits::one_line_chars, out);
  return out;
}

/// Step 4 can be saved with any combination of consents (a consent may be withdrawn); missing
/// consents only keep the form from being complete (see `missing`).
inline std::vector<field_problem> problems(const consent_step&) { return {}; }

/// Throws `errc::invalid_argument` with the first problem of `step` (and how many more), e.g.
/// `mental_health.severity_level: 11 is outside 1-10`.
template <class Step>
void validate(const Step& step) {
  const std::vector<field_problem> found = problems(step);
  if (!found.empty()) detail::throw_problems(found);
}

/// What a form still needs to be complete, in wizard order: the steps not saved yet
/// (`"personal_info"`, `"mental_health"`, `"goals"`) and the consents not given
/// (`"consent.consent_to_treatment"`, ...). Says nothing about the validity of saved steps.
inline std::vector<std::string> missing(const intake_form& form) {
  std::vector<std::string> out;
  if (!form.personal_info) out.emplace_back("personal_info");
  if (!form.mental_health) out.emplace_back("mental_health");
  if (!form.goals) out.emplace_back("goals");
  if (!form.consent.consent_to_treatment) out.emplace_back("consent.consent_to_treatment");
  if (!form.consent.confidentiality_agreement) {
    out.emplace_back("consent.confidentiality_agreement");
  }
  if (!form.consent.data_processing_consent) out.emplace_back("consent.data_processing_consent");
  return out;
}

namespace detail {
inline std::vector<field_problem> step_problems(const intake_form& form) {
  std::vector<field_problem> out;
  auto append = [&out](std::vector<field_problem> more) {
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  };
  if (form.personal_info) append(problems(*form.personal_info));
  if (form.mental_health) append(problems(*form.mental_health));
  if (form.goals) append(problems(*form.goals));
  return out;
}
}  // namespace detail

/// True when steps 1-3 are saved and valid and all three consents are given.
inline bool is_complete(const intake_form& form) {
  return missing(form).empty() && detail::step_problems(form).empty();
}

/// Everything wrong with the saved parts of a (possibly partial) form, plus a `completed_at` set on
/// a form that is not complete. A partial form with valid saved steps has no problems.
inline std::vector<field_problem> problems(const intake_form& form) {
  std::vector<field_problem> out = detail::step_problems(form);
  if (form.completed_at && !(out.empty() && missing(form).empty())) {  // i.e. !is_complete(form)
    out.push_back({"completed_at", "is set, but the form is not complete"});
  }
  return out;
}

/// The first step, in wizard order, that is not saved or not valid (the consent step counts when
/// a consent is missing); `std::nullopt` for a complete form.
inline std::optional<intake_step> next_step(const intake_form& form) {
  if (!form.personal_info || !problems(*form.personal_info).empty()) {
    return intake_step::personal_info;
  }
  if (!form.mental_health || !problems(*form.mental_health).empty()) {
    return intake_step::mental_health;
  }
  if (!form.goals || !problems(*form.goals).empty()) return intake_step::goals;
  if (!missing(form).empty()) return intake_step::consent;
  return std::nullopt;
}

namespace detail {
// Sets completed_at when the form has just become complete; clears it when it no longer is.
inline void update_completion(intake_form& form, instant now) {
  if (!is_complete(form)) {
    form.completed_at.reset();
  } else if (!form.completed_at) {
    form.completed_at = now;
  }
}
}  // namespace detail

/// Validates `step` and stores it in `form`, replacing an earlier save; when that makes the form
/// complete, `completed_at` becomes `now`; withdrawing a consent clears it. An invalid step is
/// `errc::invalid_argument` naming the field, and leaves `form` unchanged.
///
///     slotbook::save_step(form, slotbook::consent_step{true, true, true}, now);
inline void save_step(intake_form& form, personal_info_step step, instant now) {
  validate(step);
  form.personal_info = std::move(step);
  detail::update_completion(form, now);
}
/// \copydoc save_step(intake_form&, personal_info_step, instant)
inline void save_step(intake_form& form, mental_health_step step, instant now) {
  validate(step);
  form.mental_health = std::move(step);
  detail::update_completion(form, now);
}
/// \copydoc save_step(intake_form&, personal_info_step, instant)
inline void save_step(intake_form& form, goals_step step, instant now) {
  validate(step);
  form.goals = std::move(step);
  detail::update_completion(form, now);
}
/// \copydoc save_step(intake_form&, personal_info_step, instant)
inline void save_step(intake_form& form, consent_step step, instant now) {
  form.consent = step;
  detail::update_completion(form, now);
}

// ---------------------------------------------------------------------------------------------
// Serialisation of the sensitive steps
// ---------------------------------------------------------------------------------------------
//
// Deterministic, length-prefixed bytes (one encoding per value, so equal steps serialise equally):
//   byte 0      serialisation version, 1
//   byte 1      step: 1 personal_info, 2 mental_health, 3 goals
//   then the step's fields in declaration order:
//     text      u32 big-endian byte length, then the bytes (not required to be UTF-8)
//     list      u32 big-endian item count, then each item as text
//     yes/no    one byte: 0 not answered, 1 no, 2 yes
//     severity  one byte 0 (not given), or 1 followed by the value as i32 big-endian
// Parsing is strict: anything else (a short read, an unknown byte, trailing bytes) is
// `errc::invalid_argument`, so serialise(parse(b)) == b whenever parse(b) succeeds.

namespace detail {

inline constexpr std::uint8_t intake_serial_version = 1;

struct intake_writer {
  std::string out;
  void byte(std::uint8_t b) { out.push_back(static_cast<char>(b)); }
  void u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) byte(static_cast<std::uint8_t>(v >> shift));
  }
  void text(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out.append(s);
  }
  void list(const std::vector<std::string>& items) {
    u32(static_cast<std::uint32_t>(items.size()));
    for (const auto& item : items) text(item);
  }
};

struct intake_reader {
  std::string_view in;
  std::size_t pos = 0;

  [[noreturn]] void fail(std::string_view what) const {
    throw error(errc::invalid_argument,
                fmt::format("intake serialisation: {} at byte {}", what, pos));
  }
  std::uint8_t byte() {
    if (pos >= in.size()) fail("truncated");
    return static_cast<std::uint8_t>(in[pos++]);
  }
  std::uint32_t u32() {
    if (in.size() - pos < 4) fail("truncated");
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v = (v << 8) | static_cast<std::uint8_t>(in[pos++]);
    return v;
  }
  std::string text() {
    const std::uint32_t n = u32();
    if (in.size() - pos < n) fail("text longer than the rest of the input");
    std::string s(in.substr(pos, n));
    pos += n;
    return s;
  }
  std::vector<std::string> list() {
    const std::uint32_t n = u32();
    // Each item takes at least its 4-byte length: refuse counts the input cannot hold before
    // allocating for them.
    if ((in.size() - pos) / 4 < n) fail("list longer than the rest of the input");
    std::vector<std::string> items;
    items.reserve(n);
    for (std::uint32_t k = 0; k < n; ++k) items.push_back(text());
    return items;
  }
  void header(std::uint8_t step) {
    if (byte() != intake_serial_version) fail("unknown serialisation version");
    if (byte() != step) fail("not the expected step");
  }
  // The end of the encoding: nothing after it, or (`padded`) only the zero padding `pad` adds.
  void finish(bool padded) {
    const std::string_view rest = in.substr(pos);
    if (!padded && !rest.empty()) fail("trailing bytes");
    if (padded && (rest.size() >= 256 || in.size() % 256 != 0 ||
                   rest.find_first_not_of('\0') != std::string_view::npos)) {
      fail("bad padding");
    }
  }
};

inline personal_info_step parse_personal_info(std::string_view bytes, bool padded) {
  intake_reader r{bytes};
  r.header(static_cast<std::uint8_t>(intake_step::personal_info));
  personal_info_step step;
  step.emergency_contact = r.text();
  step.medical_history = r.text();
  step.current_medications = r.text();
  step.allergies = r.text();
  r.finish(padded);
  return step;
}

inline mental_health_step parse_mental_health(std::string_view bytes, bool padded) {
  intake_reader r{bytes};
  r.header(static_cast<std::uint8_t>(intake_step::mental_health));
  mental_health_step step;
  switch (r.byte()) {
    case 0:
      break;
    case 1:
      step.previous_therapy = false;
      break;
    case 2:
      step.previous_therapy = true;
      break;
    default:
      r.fail("bad previous_therapy byte");
  }
  step.current_symptoms = r.list();
  switch (r.byte()) {
    case 0:
      break;
    case 1:
      step.severity_level = static_cast<std::int32_t>(r.u32());
      break;
    default:
      r.fail("bad severity_level byte");
  }
  step.trigger_factors = r.list();
  step.coping_mechanisms = r.list();
  r.finish(padded);
  return step;
}

inline goals_step parse_goals(std::string_view bytes, bool padded) {
  intake_reader r{bytes};
  r.header(static_cast<std::uint8_t>(intake_step::goals));
  goals_step step;
  step.therapy_goals = r.list();
  step.expectations = r.text();
  step.preferred_approach = r.text();
  r.finish(padded);
  return step;
}

// Zero bytes up to the next multiple of 256, so a sealed step's length tells only its size class.
inline std::string pad(std::string bytes) {
  bytes.resize((bytes.size() + 255) / 256 * 256, '\0');
  return bytes;
}

}  // namespace detail

/// Step 1 as bytes (layout above).
///
///     auto bytes = slotbook::serialize(step);
///     assert(slotbook::parse_personal_info(bytes) == step);
inline std::string serialize(const personal_info_step& step) {
  detail::intake_writer w;
  w.byte(detail::intake_serial_version);
  w.byte(static_cast<std::uint8_t>(intake_step::personal_info));
  w.text(step.emergency_contact);
  w.text(step.medical_history);
  w.text(step.current_medications);
  w.text(step.allergies);
  return std::move(w.out);
}

/// Step 2 as bytes (layout above).
inline std::string serialize(const mental_health_step& step) {
  detail::intake_writer w;
  w.byte(detail::intake_serial_version);
  w.byte(static_cast<std::uint8_t>(intake_step::mental_health));
  w.byte(static_cast<std::uint8_t>(!step.previous_therapy ? 0 : (*step.previous_therapy ? 2 : 1)));
  w.list(step.current_symptoms);
  if (step.severity_level) {
    w.byte(1);
    w.u32(static_cast<std::uint32_t>(*step.severity_level));
  } else {
    w.byte(0);
  }
  w.list(step.trigger_factors);
  w.list(step.coping_mechanisms);
  return std::move(w.out);
}

/// Step 3 as bytes (layout above).
inline std::string serialize(const goals_step& step) {
  detail::intake_writer w;
  w.byte(detail::intake_serial_version);
  w.byte(static_cast<std::uint8_t>(intake_step::goals));
  w.list(step.therapy_goals);
  w.text(step.expectations);
  w.text(step.preferred_approach);
  return std::move(w.out);
}

/// Parses what `serialize(personal_info_step)` wrote; anything else is `errc::invalid_argument`.
inline personal_info_step parse_personal_info(std::string_view bytes) {
  return detail::parse_personal_info(bytes, false);
}
/// Parses what `serialize(mental_health_step)` wrote; anything else is `errc::invalid_argument`.
inline mental_health_step parse_mental_health(std::string_view bytes) {
  return detail::parse_mental_health(bytes, false);
}
/// Parses what `serialize(goals_step)` wrote; anything else is `errc::invalid_argument`.
inline goals_step parse_goals(std::string_view bytes) { return detail::parse_goals(bytes, false); }

// ---------------------------------------------------------------------------------------------
// The sealed form, as stored
// ---------------------------------------------------------------------------------------------

/// The record kind intake forms are sealed under (bound into every ciphertext).
inline constexpr std::string_view intake_record_kind = "intake_form";

/// The crypto record of intake form `id`.
constexpr record_ref intake_record(intake_id id) noexcept { return {intake_record_kind, id.value}; }

/// An intake form as stored: steps 1-3 sealed under the form's own data key, which is stored
/// wrapped under the keyring; ids, consents and `completed_at` in plaintext so the store can index
/// them and a booking can check completeness without any key. Every sealed step was valid when
/// it was sealed. Deleting `data_key` crypto-shreds the form.
struct sealed_intake {
  intake_id id{};
  session_id session{};
  client_id client{};
  wrapped_key data_key{};                       ///< the form's data key, wrapped by the keyring
  std::optional<sealed_field> personal_info{};  ///< field "personal_info"
  std::optional<sealed_field> mental_health{};  ///< field "mental_health"
  std::optional<sealed_field> goals{};          ///< field "goals"
  consent_step consent{};                       ///< plaintext: not health data
  std::optional<instant> completed_at{};        ///< plaintext
  friend bool operator==(const sealed_intake&, const sealed_intake&) = default;
};

/// The keyring version the form's data key is wrapped under (the seed's `encryptionVersion`; the
/// blob format version is the first byte of every blob). `errc::crypto` if there is no data key.
inline std::uint32_t key_version(const sealed_intake& sealed) {
  return key_version(sealed.data_key);
}

/// True when steps 1-3 are sealed and all three consents are given; needs no key.
inline bool is_complete(const sealed_intake& sealed) {
  return sealed.personal_info && sealed.mental_health && sealed.goals &&
         sealed.consent.consent_to_treatment && sealed.consent.confidentiality_agreement &&
         sealed.consent.data_processing_consent;
}

/// What a sealed form still needs to be complete, named as `missing(const intake_form&)` names
/// it (`"personal_info"`, ..., `"consent.data_processing_consent"`); needs no key.
///
///     slotbook::missing(stored);  // {"goals", "consent.consent_to_treatment"}
inline std::vector<std::string> missing(const sealed_intake& sealed) {
  std::vector<std::string> out;
  if (!sealed.personal_info) out.emplace_back("personal_info");
  if (!sealed.mental_health) out.emplace_back("mental_health");
  if (!sealed.goals) out.emplace_back("goals");
  if (!sealed.consent.consent_to_treatment) out.emplace_back("consent.consent_to_treatment");
  if (!sealed.consent.confidentiality_agreement) {
    out.emplace_back("consent.confidentiality_agreement");
  }
  if (!sealed.consent.data_processing_consent) out.emplace_back("consent.data_processing_consent");
  return out;
}

/// Seals `form` under a fresh data key wrapped with the keyring's current version. The form
/// needs an id (`errc::invalid_argument`), and its saved steps must be valid (`validate`); a
/// partial form is fine. An empty keyring is `errc::crypto`.
///
///     auto sealed = slotbook::seal_intake(form, ring);   // store it
///     auto back = slotbook::open_intake(sealed, ring);   // == form
inline sealed_intake seal_intake(const intake_form& form, const keyring& ring) {
  if (!form.id.ok()) {
    throw error(errc::invalid_argument,
                "intake_form.id: 0 is not an id (the store assigns the id before sealing)");
  }
  const std::vector<field_problem> found = problems(form);
  if (!found.empty()) detail::throw_problems(found);
  const record_ref record = intake_record(form.id);
  const record_key key = record_key::generate();
  sealed_intake out;
  out.id = form.id;
  out.session = form.session;
  out.client = form.client;
  out.data_key = wrap(ring, record, key);
  if (form.personal_info) {
    out.personal_info =
        seal(key, record, "personal_info", detail::pad(serialize(*form.personal_info)));
  }
  if (form.mental_health) {
    out.mental_health =
        seal(key, record, "mental_health", detail::pad(serialize(*form.mental_health)));
  }
  if (form.goals) out.goals = seal(key, record, "goals", detail::pad(serialize(*form.goals)));
  out.consent = form.consent;
  out.completed_at = form.completed_at;
  return out;
}

/// The form back in the clear. A missing key version, a shredded form (no data key), or any blob
/// that was tampered with or moved from another form or step is `errc::crypto`. Opened steps are
/// not re-validated, so forms sealed under older limits still open.
inline intake_form open_intake(const sealed_intake& sealed, const keyring& ring) {
  const record_ref record = intake_record(sealed.id);
  const record_key key = unwrap(ring, record, sealed.data_key);
  intake_form form;
  form.id = sealed.id;
  form.session = sealed.session;
  form.client = sealed.client;
  try {
    if (sealed.personal_info) {
      form.personal_info = detail::parse_personal_info(
          open(key, record, "personal_info", *sealed.personal_info), true);
    }
    if (sealed.mental_health) {
      form.mental_health = detail::parse_mental_health(
          open(key, record, "mental_health", *sealed.mental_health), true);
    }
    if (sealed.goals) {
      form.goals = detail::parse_goals(open(key, record, "goals", *sealed.goals), true);
    }
  } catch (const error& e) {
    if (e.code() == errc::crypto) throw;
    // Authenticated bytes that do not parse were sealed by something else holding the key.
    throw error(errc::crypto,
                fmt::format("intake_form {}: opened, but {}", sealed.id.value, e.what()));
  }
  form.consent = sealed.consent;
  form.completed_at = sealed.completed_at;
  return form;
}

namespace detail {
// Unwraps the form's key (moving it to the newest keyring version while the key is at hand),
// seals `bytes` as `field`, and updates completion.
inline void save_sealed_step(sealed_intake& sealed, std::optional<sealed_field>& slot,
                             std::string_view field, const std::string& bytes, const keyring& ring,
                             instant now) {
  const record_ref record = intake_record(sealed.id);
  const record_key key = unwrap(ring, record, sealed.data_key);
  sealed_field blob = seal(key, record, field, pad(bytes));
  if (key_version(sealed.data_key) != ring.current_version()) {
    sealed.data_key = wrap(ring, record, key);
  }
  slot = std::move(blob);
  if (!is_complete(sealed)) {
    sealed.completed_at.reset();
  } else if (!sealed.completed_at) {
    sealed.completed_at = now;
  }
}
}  // namespace detail

/// Validates `step` and seals it into `sealed` under the form's existing data key, replacing an
/// earlier save; `completed_at` follows the same rule as for `intake_form`. While the key is
/// unwrapped, a data key wrapped under an older keyring version is re-wrapped under the current
/// one. Errors: `errc::invalid_argument` for an invalid step (nothing changes), `errc::crypto` for
/// a key that does not unwrap.
inline void save_step(sealed_intake& sealed, const personal_info_step& step, const keyring& ring,
                      instant now) {
  validate(step);
  detail::save_sealed_step(sealed, sealed.personal_info, "personal_info", serialize(step), ring,
                           now);
}
/// \copydoc save_step(sealed_intake&, const personal_info_step&, const keyring&, instant)
inline void save_step(sealed_intake& sealed, const mental_health_step& step, const keyring& ring,
                      instant now) {
  validate(step);
  detail::save_sealed_step(sealed, sealed.mental_health, "mental_health", serialize(step), ring,
                           now);
}
/// \copydoc save_step(sealed_intake&, const personal_info_step&, const keyring&, instant)
inline void save_step(sealed_intake& sealed, const goals_step& step, const keyring& ring,
                      instant now) {
  validate(step);
  detail::save_sealed_step(sealed, sealed.goals, "goals", serialize(step), ring, now);
}
/// Records the consents (plaintext; no key needed) and updates `completed_at`.
inline void save_step(sealed_intake& sealed, consent_step step, instant now) {
  sealed.consent = step;
  if (!is_complete(sealed)) {
    sealed.completed_at.reset();
  } else if (!sealed.completed_at) {
    sealed.completed_at = now;
  }
}

/// The same form with its data key re-wrapped under the keyring's current version; the sealed
/// steps are untouched and no plaintext of them is produced. A form already there is returned
/// unchanged (a resumed rotation redoes nothing). Errors as `unwrap`.
///
///     ring.add(3, new_key);
///     stored = slotbook::reseal(stored, ring);   // for each form, in batches
///     // once no form has key_version < 3: ring.remove(1); ring.remove(2);
inline sealed_intake reseal(const sealed_intake& sealed, const keyring& ring) {
  sealed_intake out = sealed;
  out.data_key = rewrap(ring, intake_record(sealed.id), sealed.data_key);
  return out;
}

}  // namespace slotbook
