#pragma once
/// \file money.hpp
/// "How much, in what?": an amount in integer minor units of one ISO-4217 currency.
///
/// Money never touches floating point: KES 1,500.00 is `money{150000, currency::kes()}` (the
/// shilling has 100 cents). Adding or subtracting two amounts of different currencies, or past the
/// range of a 64-bit integer, throws `errc::invalid_argument` instead of giving a wrong number.
/// Shares of an amount (refunds, fees) are `basis_points` (10000 = 100 %) and `portion` rounds
/// toward zero, so a share of a paid amount is never more than that share of it.

#include <array>
#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"

namespace slotbook {

/// An ISO-4217 alphabetic currency code such as `KES`. Default-constructed it is `KES`, the
/// currency the platform charges in.
///
///     const slotbook::currency usd = slotbook::currency::parse("USD");
///     usd.code();          // "USD"
///     usd.minor_digits();  // 2
class currency {
 public:
  /// `KES`, the platform's currency.
  constexpr currency() noexcept = default;

  /// Kenyan shilling, `KES` (2 minor digits).
  static constexpr currency kes() noexcept { return currency{}; }

  /// Reads a code of exactly three uppercase ASCII letters. slotbook does not check that the code
  /// is currently assigned by ISO (the list changes); anything else is `errc::invalid_argument`
  /// naming `field` and the text.
  static currency parse(std::string_view code, std::string_view field = "currency") {
    bool good = code.size() == 3;
    for (std::size_t i = 0; good && i < 3; ++i) good = code[i] >= 'A' && code[i] <= 'Z';
    if (!good) {
      throw error(errc::invalid_argument,
                  fmt::format("{}: {} is not an ISO-4217 currency code (three uppercase letters "
                              "like KES)",
                              field, detail::quote(code)));
    }
    currency c;
    c.code_ = {code[0], code[1], code[2]};
    return c;
  }

  /// The three-letter code, e.g. `"KES"`. The view points into this object.
  constexpr std::string_view code() const noexcept { return {code_.data(), code_.size()}; }

  /// How many decimal digits the minor unit has, from ISO 4217: 0 for JPY, UGX, RWF, ...; 3 for
  /// BHD, KWD, ...; 4 for CLF and UYW; 2 for every other code. Codes without a minor unit (XAU,
  /// XDR, ...) count as 0: their amounts are whole units. Used only for display.
  ///
  ///     slotbook::currency::parse("UGX").minor_digits();  // 0
  constexpr int minor_digits() const noexcept {
    constexpr std::string_view zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
                                         "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
                                         "XPF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR",
                                         "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"};
    constexpr std::string_view three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    constexpr std::string_view four[] = {"CLF", "UYW"};
    for (auto c : zero) {
      if (c == code()) return 0;
    }
    for (auto c : three) {
      if (c == code()) return 3;
    }
    for (auto c : four) {
      if (c == code()) return 4;
    }
    return 2;
  }

  friend constexpr bool operator==(const currency&, const currency&) noexcept = default;
  /// Alphabetical, so currencies can key an ordered map.
  friend constexpr auto operator<=>(const currency&, const currency&) noexcept = default;

 private:
  std::array<char, 3> code_{'K', 'E', 'S'};
};

/// A share of an amount: 10000 basis points are 100 %, 5000 are 50 %, 1 is 0.01 %. Valid values
/// are 0 to 10000 (`ok()`).
///
///     slotbook::basis_points half = slotbook::percent(50);  // {5000}
struct basis_points {
  std::int32_t value{};

  /// True for 0 to 10000.
  constexpr bool ok() const noexcept { return value >= 0 && value <= 10000; }

  friend constexpr bool operator==(basis_points, basis_points) noexcept = default;
  friend constexpr auto operator<=>(basis_points, basis_points) noexcept = default;
};

/// `p` percent as basis points: `percent(50)` is `{5000}`. A `p` outside 0 to 100 gives a value
/// that is not `ok()` (and that every function taking a share rejects).
constexpr basis_points percent(std::int32_t p) noexcept {
  return basis_points{p < 0 || p > 100 ? -1 : p * 100};
}

/// An amount of money: a signed 64-bit count of minor units and a currency. A default `money` is
/// KES 0.00.
///
///     const slotbook::money fee{150000, slotbook::currency::kes()};  // KES 1,500.00
///     const slotbook::money half = slotbook::portion(fee, slotbook::percent(50));  // KES 750.00
///     fee + half;                                     // KES 2,250.00
///     // fee + slotbook::money{1, slotbook::currency::parse("USD")};  // throws invalid_argument
class money {
 public:
  /// KES 0.00.
  constexpr money() noexcept = default;
  /// `minor` minor units of `code` (cents for KES: `money{150000, kes}` is KES 1,500.00).
  constexpr money(std::int64_t minor, currency code) noexcept : minor_(minor), currency_(code) {}

  /// `minor` minor units of KES.
  static constexpr money kes(std::int64_t minor) noexcept { return money{minor, currency::kes()}; }
  /// Zero in `code`.
  static constexpr money zero(currency code) noexcept { return money{0, code}; }

  /// The amount in minor units (cents for KES).
  constexpr std::int64_t minor_units() const noexcept { return minor_; }
  /// The currency.
  constexpr currency currency_code() const noexcept { return currency_; }
  /// True for an amount of zero.
  constexpr bool is_zero() const noexcept { return minor_ == 0; }
  /// True for an amount below zero.
  constexpr bool is_negative() const noexcept { return minor_ < 0; }

  /// Sum; different currencies or a result outside 64 bits is `errc::invalid_argument`.
  friend money operator+(const money& a, const money& b) {
    same_currency(a, b, "+");
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a.minor_, b.minor_, &sum)) overflow(a, b, "+");
    return money{sum, a.currency_};
  }
  /// Difference; different currencies or a result outside 64 bits is `errc::invalid_argument`.
  friend money operator-(const money& a, const money& b) {
    same_currency(a, b, "-");
    std::int64_t difference = 0;
    if (__builtin_sub_overflow(a.minor_, b.minor_, &difference)) overflow(a, b, "-");
    return money{difference, a.currency_};
  }
  /// Negation; the most negative amount has no negation and is `errc::invalid_argument`.
  friend money operator-(const money& a) { return zero(a.currency_) - a; }
  money& operator+=(const money& other) { return *this = *this + other; }
  money& operator-=(const money& other) { return *this = *this - other; }

  /// Equal when both the amount and the currency are.
  friend constexpr bool operator==(const money&, const money&) noexcept = default;
  /// Amounts of one currency are ordered; amounts of different currencies are `unordered`, so
  /// `<`, `<=`, `>`, `>=` between them are all false.
  friend constexpr std::partial_ordering operator<=>(const money& a, const money& b) noexcept {
    if (a.currency_ != b.currency_) return std::partial_ordering::unordered;
    return a.minor_ <=> b.minor_;
  }

 private:
  static void same_currency(const money& a, const money& b, std::string_view op);
  [[noreturn]] static void overflow(const money& a, const money& b, std::string_view op);

  std::int64_t minor_{0};
  currency currency_{};
};

/// `KES 1500.00`, `KES -0.50`, `JPY 1200`: the code, then the amount with the currency's minor
/// digits.
inline std::string to_string(const money& m) {
  const int digits = m.currency_code().minor_digits();
  // The magnitude as unsigned, so the most negative amount does not overflow when negated.
  const std::uint64_t magnitude = m.is_negative() ? 0 - static_cast<std::uint64_t>(m.minor_units())
                                                  : static_cast<std::uint64_t>(m.minor_units());
  std::uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  const char* sign = m.is_negative() ? "-" : "";
  if (digits == 0) return fmt::format("{} {}{}", m.currency_code().code(), sign, magnitude);
  return fmt::format("{} {}{}.{:0{}}", m.currency_code().code(), sign, magnitude / scale,
                     magnitude % scale, digits);
}

inline void money::same_currency(const money& a, const money& b, std::string_view op) {
  if (a.currency_ != b.currency_) {
    throw error(errc::invalid_argument,
                fmt::format("money: cannot compute {} {} {}: the currencies differ", to_string(a),
                            op, to_string(b)));
  }
}

inline void money::overflow(const money& a, const money& b, std::string_view op) {
  throw error(errc::invalid_argument,
              fmt::format("money: {} {} {} does not fit in 64-bit minor units", to_string(a), op,
                          to_string(b)));
}

/// `share` of `amount`, rounded toward zero to a whole minor unit (down for a non-negative
/// amount), so it never exceeds the exact share: 50 % of KES 0.15 is KES 0.07. A share outside
/// 0 to 10000 basis points is `errc::invalid_argument`.
///
///     slotbook::portion(slotbook::money::kes(150000), slotbook::percent(50));  // KES 750.00
inline money portion(const money& amount, basis_points share) {
  if (!share.ok()) {
    throw error(errc::invalid_argument,
                fmt::format("share: {} basis points is outside 0 to 10000", share.value));
  }
  // amount = q * 10000 + r with |r| < 10000, so amount * bp / 10000 = q * bp + r * bp / 10000
  // exactly, and neither product can overflow (|q * bp| <= |amount|, |r * bp| < 10^8). C++
  // division truncates toward zero, and so does the result.
  const std::int64_t bp = share.value;
  const std::int64_t q = amount.minor_units() / 10000;
  const std::int64_t r = amount.minor_units() % 10000;
  return money{q * bp + r * bp / 10000, amount.currency_code()};
}

}  // namespace slotbook
