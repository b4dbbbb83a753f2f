#include "values.hpp"

#include <limits>

#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"

namespace slotbook::cli {

namespace {

// Decimal digits only, no sign, no spaces; false on overflow past `high`.
bool read_unsigned(std::string_view text, std::uint64_t high, std::uint64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (high - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

bool is_plain_date(std::string_view text) { return text.size() == 10; }

}  // namespace

std::uint64_t parse_id_value(std::string_view text, std::string_view field) {
  constexpr auto high = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t value = 0;
  if (!read_unsigned(text, high, value) || value == 0) {
    throw error(errc::invalid_argument, fmt::format("{}: {} is not an id (a whole number from 1)",
                                                    field, detail::quote(text)));
  }
  return value;
}

std::size_t parse_count(std::string_view text, std::string_view field, std::size_t low,
                        std::size_t high) {
  std::uint64_t value = 0;
  if (!read_unsigned(text, high, value) || value < low) {
    throw error(errc::invalid_argument, fmt::format("{}: {} is not a whole number from {} to {}",
                                                    field, detail::quote(text), low, high));
  }
  return static_cast<std::size_t>(value);
}

std::optional<date::local_seconds> parse_wall_clock(std::string_view text, std::string_view field) {
  // Wall-clock forms have no zone designator: 16 or 19 characters with a 'T' after the date.
  const bool local_form = (text.size() == 16 || text.size() == 19) && text[10] == 'T';
  if (!local_form) return std::nullopt;
  const date::year_month_day day = parse_date(text.substr(0, 10), field);
  const std::chrono::minutes hm = parse_time_of_day(text.substr(11, 5), field);
  if (hm >= std::chrono::hours{24}) {
    throw error(
        errc::invalid_argument,
        fmt::format("{}: {} is not a time: the hour must be 00 to 23", field, detail::quote(text)));
  }
  std::chrono::seconds seconds{0};
  if (text.size() == 19) {
    std::uint64_t s = 0;
    if (text[16] != ':' || !read_unsigned(text.substr(17, 2), 59, s)) {
      throw error(errc::invalid_argument,
                  fmt::format("{}: {} is not a time: expected seconds :00 to :59 after HH:MM",
                              field, detail::quote(text)));
    }
    seconds = std::chrono::seconds{static_cast<std::int64_t>(s)};
  }
  return date::local_seconds{date::local_days{day}} + hm + seconds;
}

instant parse_when(std::string_view text, const date::time_zone& zone, std::string_view field) {
  if (const auto local = parse_wall_clock(text, field)) return to_instant(*local, zone);
  return parse_instant(text, field);
}

interval parse_range(std::string_view from, std::string_view to, const date::time_zone& zone) {
  const instant begin = is_plain_date(from)
                            ? to_instant(parse_date(from, "--from"), std::chrono::minutes{0}, zone)
                            : parse_when(from, zone, "--from");
  instant end{};
  if (is_plain_date(to)) {
    const date::year_month_day last = parse_date(to, "--to");
    end = to_instant(date::year_month_day{date::sys_days{last} + date::days{1}},
                     std::chrono::minutes{0}, zone);
  } else {
    end = parse_when(to, zone, "--to");
  }
  if (!(begin < end)) {
    throw error(errc::invalid_argument, fmt::format("--to: {} is not after --from {}",
                                                    detail::quote(to), detail::quote(from)));
  }
  return {begin, end};
}

money parse_price(std::string_view amount, std::string_view code) {
  const currency cur = currency::parse(code, "--currency");
  const auto digits = static_cast<std::size_t>(cur.minor_digits());
  const auto bad = [&](std::string_view why) {
    return error(errc::invalid_argument, fmt::format("--price: {} is not an amount of {}: {}",
                                                     detail::quote(amount), cur.code(), why));
  };
  const std::size_t dot = amount.find('.');
  const std::string_view whole = amount.substr(0, dot);
  std::string_view fraction;
  if (dot != std::string_view::npos) {
    fraction = amount.substr(dot + 1);
    if (fraction.empty()) throw bad("expected digits after '.'");
    if (fraction.size() > digits) {
      throw bad(fmt::format("{} has {} minor digit{}", cur.code(), digits, digits == 1 ? "" : "s"));
    }
  }
  constexpr auto high = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t units = 0;
  if (!read_unsigned(whole, high, units)) {
    throw bad("expected a non-negative decimal number like 1500.00");
  }
  std::uint64_t minor = units;
  for (std::size_t i = 0; i < digits; ++i) {
    const std::uint64_t digit =
        i < fraction.size() ? static_cast<std::uint64_t>(fraction[i] - '0') : 0;
    if (i < fraction.size() && (fraction[i] < '0' || fraction[i] > '9')) {
      throw bad("expected a non-negative decimal number like 1500.00");
    }
    if (minor > (high - digit) / 10) throw bad("too large");
    minor = minor * 10 + digit;
  }
  return money{static_cast<std::int64_t>(minor), cur};
}

std::string format_amount(const money& m) {
  const std::string text = to_string(m);  // "KES 1500.00"
  return text.substr(text.find(' ') + 1);
}

}  // namespace slotbook::cli
