// Properties of booking references: format and parse are inverse, the text has the documented
// shape, and only canonical texts parse.
#include "slotbook/reference.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

using slotbook::booking_reference;

namespace {

// Years 1-9999; sequences mostly around the 6-digit boundary, sometimes anywhere in 64 bits.
booking_reference any_reference() {
  const auto year = *rc::gen::inRange<std::int32_t>(1, 10000);
  const auto sequence = *rc::gen::weightedElement<rc::Gen<std::uint64_t>>(
      {{3, rc::gen::inRange<std::uint64_t>(1, 1'000'000)},
       {2, rc::gen::inRange<std::uint64_t>(990'000, 1'010'000)},
       {1, rc::gen::inRange<std::uint64_t>(1, std::numeric_limits<std::uint64_t>::max())}});
  return {year, *sequence};
}

bool all_digits(const std::string& s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

TEST_CASE("formatting then parsing a reference gives back its year and sequence") {
  rc::prop("parse_reference(format_reference(y, n)) == {y, n}", [] {
    const booking_reference r = any_reference();
    RC_ASSERT(slotbook::parse_reference(slotbook::format_reference(r.year, r.sequence)) == r);
  });
}

TEST_CASE("a reference is BK-, four year digits, -, and the sequence in at least six digits") {
  rc::prop("the text's shape", [] {
    const booking_reference r = any_reference();
    const std::string text = slotbook::format_reference(r.year, r.sequence);
    const std::string plain = std::to_string(r.sequence);
    const std::size_t width = plain.size() < 6 ? 6 : plain.size();
    RC_ASSERT(text.size() == 8 + width);
    RC_ASSERT(text.substr(0, 3) == "BK-");
    RC_ASSERT(text.substr(3, 4) ==
              std::string(4 - std::to_string(r.year).size(), '0') + std::to_string(r.year));
    RC_ASSERT(text[7] == '-');
    const std::string digits = text.substr(8);
    RC_ASSERT(all_digits(digits));
    RC_ASSERT(digits == std::string(width - plain.size(), '0') + plain);
    if (r.sequence <= 999'999) RC_ASSERT(text.size() == 14u);
  });
}

TEST_CASE("different bookings get different references") {
  rc::prop("(y1, n1) != (y2, n2) implies different texts", [] {
    const booking_reference a = any_reference();
    const booking_reference b = any_reference();
    RC_PRE(a != b);
    RC_ASSERT(slotbook::format_reference(a.year, a.sequence) !=
              slotbook::format_reference(b.year, b.sequence));
  });
}

TEST_CASE("a text parses exactly when it is the canonical spelling of a valid reference") {
  rc::prop("parse succeeds iff the oracle accepts, and then formats back to the same text", [] {
    // BK-<four chars>-<0 to 22 chars>, the characters mostly digits.
    const auto digit_or_not = rc::gen::weightedElement<char>(
        {{20, '0'}, {20, '1'}, {10, '5'}, {10, '9'}, {1, 'a'}, {1, ' '}, {1, '-'}});
    const auto year = *rc::gen::container<std::string>(4, digit_or_not);
    const auto seq =
        *rc::gen::container<std::string>(*rc::gen::inRange<std::size_t>(0, 23), digit_or_not);
    const std::string text = "BK-" + year + "-" + seq;

    // The rule, restated: a non-zero four-digit year; a sequence of digits, at least six, no
    // leading zero beyond six, not zero, at most 2^64 - 1.
    const std::string max = std::to_string(std::numeric_limits<std::uint64_t>::max());
    std::string significant = seq.substr(std::min(seq.find_first_not_of('0'), seq.size()));
    const bool fits =
        significant.size() < max.size() || (significant.size() == max.size() && significant <= max);
    const bool valid = all_digits(year) && year != "0000" && all_digits(seq) && seq.size() >= 6 &&
                       (seq.size() == 6 || seq[0] != '0') && !significant.empty() && fits;
    try {
      const booking_reference r = slotbook::parse_reference(text);
      RC_ASSERT(valid);
      RC_ASSERT(slotbook::format_reference(r.year, r.sequence) == text);
    } catch (const slotbook::error& e) {
      RC_ASSERT(!valid);
      RC_ASSERT(e.code() == slotbook::errc::invalid_argument);
    }
  });
}
