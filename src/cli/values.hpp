#pragma once
/// \file values.hpp
/// "What does this argument mean?": reading ids, counts, times, date ranges and prices typed on
/// the command line. Bad values are `errc::invalid_argument` naming the option and quoting the
/// text, like every other slotbook input error.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <date/tz.h>

#include "slotbook/ids.hpp"
#include "slotbook/money.hpp"
#include "slotbook/time.hpp"

namespace slotbook::cli {

/// A decimal id from 1 to 2^63 - 1 (what SQLite's integer keys hold).
///
///     parse_id_value("42", "provider");  // 42
std::uint64_t parse_id_value(std::string_view text, std::string_view field);

/// A strong id read with `parse_id_value`.
///
///     auto p = parse_id<provider_id>("42", "PROVIDER");
template <class Id>
Id parse_id(std::string_view text, std::string_view field) {
  return Id{parse_id_value(text, field)};
}

/// A whole number from `low` to `high`.
///
///     parse_count("20", "--limit", 1, 10000);  // 20
std::size_t parse_count(std::string_view text, std::string_view field, std::size_t low,
                        std::size_t high);

/// An instant: ISO-8601 with `Z` or an offset (`2026-01-15T10:00:00Z`), or a wall-clock time
/// without one (`2026-01-15T10:00` or `2026-01-15T10:00:00`), read in `zone` with slotbook's DST
/// rule (`to_instant`).
///
///     parse_when("2026-01-15T13:00", nairobi, "--at");  // 2026-01-15T10:00:00Z
instant parse_when(std::string_view text, const date::time_zone& zone, std::string_view field);

/// The wall-clock time of a `parse_when` text without a zone designator (`2026-01-15T10:00` or
/// `2026-01-15T10:00:00`), not yet placed in any zone; unset for an instant with `Z` or an offset.
/// A malformed wall-clock text is `errc::invalid_argument` naming `field`.
///
///     parse_wall_clock("2026-03-02T09:00", "--at");  // local 2026-03-02 09:00
std::optional<date::local_seconds> parse_wall_clock(std::string_view text, std::string_view field);

/// A range from two command-line bounds, each a date (`2026-01-12`: whole local days in `zone`,
/// both bounds included) or an instant as `parse_when` reads it (the upper bound then excluded).
/// An empty or inverted range is `errc::invalid_argument`.
///
///     parse_range("2026-01-12", "2026-01-18", nairobi);  // [12th 00:00 EAT, 19th 00:00 EAT)
interval parse_range(std::string_view from, std::string_view to, const date::time_zone& zone);

/// A price: a non-negative decimal amount with at most the currency's minor digits
/// (`1500`, `1500.5`, `1500.50` in KES), in the currency `code`.
///
///     parse_price("1500.00", "KES");  // money::kes(150000)
money parse_price(std::string_view amount, std::string_view code);

/// `amount` as typed by `parse_price` (no currency): `1500.00`.
std::string format_amount(const money& m);

}  // namespace slotbook::cli
