#pragma once
/// \file reference.hpp
/// "Which booking is BK-2026-001234?": booking references, made from a year and a per-year sequence
/// and read back.
///
/// A reference is `BK-`, a four-digit year, `-`, and the sequence number padded with zeros to six
/// digits: `BK-2026-001234` (14 characters). The store keeps one counter per year and hands the
/// next number to `format_reference`; which year to use (usually the year the booking is made) is
/// the caller's choice.
///
/// **Past 999999.** A year's 1,000,000th booking does not wrap or fail: the sequence field simply
/// grows, unpadded, to as many digits as it needs (`BK-2026-1000000`, 15 characters). Every
/// (year, sequence) pair thus has exactly one text and every text one pair, so references stay
/// unique. `parse_reference` accepts six digits (leading zeros allowed) or more than six digits
/// without a leading zero; `BK-2026-0999999` is rejected because it would be a second spelling of
/// `BK-2026-999999`.

#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"

namespace slotbook {

/// A booking reference's parts. Valid years are 1 to 9999, valid sequences 1 and up (`ok()`).
///
///     slotbook::booking_reference r{2026, 1234};
///     slotbook::to_string(r);  // "BK-2026-001234"
struct booking_reference {
  std::int32_t year{};
  std::uint64_t sequence{};

  /// True for a year of 1 to 9999 and a sequence of at least 1.
  constexpr bool ok() const noexcept { return year >= 1 && year <= 9999 && sequence >= 1; }

  friend constexpr bool operator==(const booking_reference&,
                                   const booking_reference&) noexcept = default;
  /// Orders by year, then sequence: the order the bookings were numbered in.
  friend constexpr auto operator<=>(const booking_reference&,
                                    const booking_reference&) noexcept = default;
};

/// The text of a reference: `BK-2026-001234`, or `BK-2026-1000000` past 999999 (see the file
/// comment). A year outside 1 to 9999 or a sequence of 0 is `errc::invalid_argument`.
///
///     slotbook::format_reference(2026, 1234);     // "BK-2026-001234"
///     slotbook::format_reference(2026, 1000000);  // "BK-2026-1000000"
inline std::string format_reference(std::int32_t year, std::uint64_t sequence) {
  if (year < 1 || year > 9999) {
    throw error(errc::invalid_argument,
                fmt::format("booking_reference: year {} is outside 1 to 9999", year));
  }
  if (sequence == 0) {
    throw error(errc::invalid_argument,
                "booking_reference: sequence 0 is not valid (sequences "
                "start at 1)");
  }
  return fmt::format("BK-{:04}-{:06}", year, sequence);
}

/// `format_reference(r.year, r.sequence)`.
inline std::string to_string(const booking_reference& r) {
  return format_reference(r.year, r.sequence);
}

namespace detail {

[[noreturn]] inline void bad_reference(std::string_view text, std::string_view field,
                                       std::string_view why) {
  throw error(errc::invalid_argument,
              fmt::format("{}: {} is not a booking reference like BK-2026-001234: {}", field,
                          quote(text), why));
}

}  // namespace detail

/// Reads a reference back. Anything but the canonical text `format_reference` makes (wrong prefix,
/// lowercase, a year not of four digits or 0000, fewer than six sequence digits, a leading zero in
/// a sequence longer than six digits, sequence 0, a sequence beyond 2^64 - 1, spaces, trailing
/// text) is `errc::invalid_argument` naming `field` and the text.
///
///     const auto r = slotbook::parse_reference("BK-2026-001234");  // {2026, 1234}
inline booking_reference parse_reference(std::string_view text,
                                         std::string_view field = "booking_reference") {
  const auto bad = [&](std::string_view why) { detail::bad_reference(text, field, why); };
  if (text.size() < 8 || text.substr(0, 3) != "BK-" || text[7] != '-') {
    bad("expected BK-<four-digit year>-<sequence>");
  }
  std::int32_t year = 0;
  for (std::size_t i = 3; i < 7; ++i) {
    if (text[i] < '0' || text[i] > '9') bad("the year must be four digits");
    year = year * 10 + (text[i] - '0');
  }
  if (year == 0) bad("year 0000 is not valid");
  const std::string_view digits = text.substr(8);
  if (digits.size() < 6) bad("the sequence must have at least six digits");
  if (digits.size() > 6 && digits[0] == '0') {
    bad("a sequence longer than six digits has no leading zeros");
  }
  std::uint64_t sequence = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') bad("the sequence must be digits only");
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (sequence > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
      bad("the sequence is too large");
    sequence = sequence * 10 + digit;
  }
  if (sequence == 0) bad("sequence 0 is not valid (sequences start at 1)");
  return booking_reference{year, sequence};
}

}  // namespace slotbook
