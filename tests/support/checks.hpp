#pragma once
// Helpers every test file would otherwise write again: parse an instant literal, and expect a
// `slotbook::error` with a given code whose message names the given fragments.

#include <initializer_list>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "slotbook/error.hpp"
#include "slotbook/time.hpp"

namespace slotbook::testing {

/// An instant from an ISO-8601 literal, e.g. `at("2026-01-15T10:00:00Z")`.
inline instant at(std::string_view text) { return parse_instant(text); }

/// Runs `f` and checks it throws `slotbook::error` with `code` and a message containing every
/// fragment (the field name, the offending value, ...). Anything else fails the test. Returns the
/// message, for further checks.
template <class F>
std::string expect_error(F&& f, errc code, std::initializer_list<std::string_view> fragments) {
  try {
    f();
    FAIL("no slotbook::error thrown");
  } catch (const error& e) {
    const std::string message = e.what();
    INFO("message: " << message);
    CHECK(e.code() == code);
    for (const std::string_view fragment : fragments) {
      CHECK(message.find(fragment) != std::string::npos);
    }
    return message;
  }
  return {};
}

}  // namespace slotbook::testing
