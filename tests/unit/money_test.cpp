// Money: integer minor units of one currency, checked arithmetic, shares in basis points.
#include "slotbook/money.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using slotbook::basis_points;
using slotbook::currency;
using slotbook::errc;
using slotbook::money;
using slotbook::percent;

using slotbook::testing::expect_error;

namespace {

constexpr std::int64_t max64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t min64 = std::numeric_limits<std::int64_t>::min();

const currency usd = currency::parse("USD");

}  // namespace

TEST_CASE("the default money is zero Kenyan shillings") {
  const money m;
  CHECK(m.minor_units() == 0);
  CHECK(m.currency_code() == currency::kes());
  CHECK(m.currency_code().code() == "KES");
  CHECK(m == money::kes(0));
}

TEST_CASE("amounts of one currency add and subtract in minor units") {
  // KES 1,500.00 + KES 0.50 = KES 1,500.50 = 150050 cents.
  CHECK((money::kes(150000) + money::kes(50)).minor_units() == 150050);
  CHECK((money::kes(150000) - money::kes(150050)).minor_units() == -50);
  CHECK((-money::kes(25)).minor_units() == -25);
  money m = money::kes(10);
  m += money::kes(5);
  m -= money::kes(20);
  CHECK(m == money::kes(-5));
}

TEST_CASE("adding or subtracting different currencies throws and names both amounts") {
  expect_error(
      [] {
        (void)(money::kes(150000) + money{100, usd});
      },
      errc::invalid_argument, {"money:", "KES 1500.00", "USD 1.00", "currencies differ"});
  expect_error(
      [] {
        (void)(money::kes(1) - money{1, usd});
      },
      errc::invalid_argument, {"KES 0.01", "USD 0.01"});
}

TEST_CASE("a sum or difference outside 64 bits throws instead of wrapping") {
  expect_error([] { (void)(money::kes(max64) + money::kes(1)); }, errc::invalid_argument,
               {"does not fit"});
  expect_error([] { (void)(money::kes(min64) - money::kes(1)); }, errc::invalid_argument,
               {"does not fit"});
  expect_error([] { (void)(-money::kes(min64)); }, errc::invalid_argument, {"does not fit"});
  // The largest sums that do fit are exact.
  CHECK((money::kes(max64 - 1) + money::kes(1)).minor_units() == max64);
  CHECK((money::kes(min64 + 1) - money::kes(1)).minor_units() == min64);
}

TEST_CASE("a currency code is exactly three uppercase ASCII letters") {
  CHECK(currency::parse("USD").code() == "USD");
  CHECK(currency::parse("KES") == currency::kes());
  for (const char* bad : {"usd", "US", "USDX", "U$D", "", "KE S", "ÄBC"}) {
    INFO(bad);
    expect_error([&] { (void)currency::parse(bad, "amount.currency"); }, errc::invalid_argument,
                 {"amount.currency:", "is not an ISO-4217 currency code"});
  }
  expect_error([] { (void)currency::parse("kes"); }, errc::invalid_argument,
               {"currency:", "\"kes\""});
}

TEST_CASE("amounts of one currency are ordered by value") {
  CHECK(money::kes(1) < money::kes(2));
  CHECK(money::kes(-3) < money::kes(0));
  CHECK(money::kes(2) >= money::kes(2));
  CHECK(money::kes(2) != money::kes(3));
}

TEST_CASE("amounts of different currencies are unordered and unequal") {
  const money a = money::kes(100);
  const money b{100, usd};
  CHECK(a != b);
  CHECK_FALSE(a < b);
  CHECK_FALSE(a > b);
  CHECK_FALSE(a <= b);
  CHECK_FALSE(a >= b);
  CHECK((a <=> b) == std::partial_ordering::unordered);
}

TEST_CASE("to_string shows the code and the amount with the currency's minor digits") {
  CHECK(slotbook::to_string(money::kes(150000)) == "KES 1500.00");
  CHECK(slotbook::to_string(money::kes(5)) == "KES 0.05");
  CHECK(slotbook::to_string(money::kes(-50)) == "KES -0.50");
  CHECK(slotbook::to_string(money{1200, currency::parse("JPY")}) == "JPY 1200");
  CHECK(slotbook::to_string(money{1234, currency::parse("KWD")}) == "KWD 1.234");
  CHECK(slotbook::to_string(money{12345, currency::parse("CLF")}) == "CLF 1.2345");
  // -9223372036854775808 cents: the magnitude is printed without overflowing.
  CHECK(slotbook::to_string(money::kes(min64)) == "KES -92233720368547758.08");
}

TEST_CASE("minor digits follow ISO 4217, two unless the code is listed otherwise") {
  CHECK(currency::kes().minor_digits() == 2);
  CHECK(usd.minor_digits() == 2);
  CHECK(currency::parse("UGX").minor_digits() == 0);
  CHECK(currency::parse("RWF").minor_digits() == 0);
  CHECK(currency::parse("BHD").minor_digits() == 3);
  CHECK(currency::parse("UYW").minor_digits() == 4);
  CHECK(currency::parse("XAU").minor_digits() == 0);
}

TEST_CASE("percent converts to basis points and rejects values outside 0 to 100") {
  CHECK(percent(50) == basis_points{5000});
  CHECK(percent(100) == basis_points{10000});
  CHECK(percent(0) == basis_points{0});
  CHECK(percent(100).ok());
  CHECK_FALSE(percent(101).ok());
  CHECK_FALSE(percent(-1).ok());
  CHECK_FALSE(basis_points{10001}.ok());
}

TEST_CASE("a portion is rounded toward zero to a whole minor unit") {
  // 50 % of 15 cents is 7.5 cents: 7.
  CHECK(slotbook::portion(money::kes(15), percent(50)) == money::kes(7));
  CHECK(slotbook::portion(money::kes(-15), percent(50)) == money::kes(-7));
  // 33.33 % of KES 1.00 is 33.33 cents: 33.
  CHECK(slotbook::portion(money::kes(100), basis_points{3333}) == money::kes(33));
  // 50 % of KES 1,500.00 is exact.
  CHECK(slotbook::portion(money::kes(150000), percent(50)) == money::kes(75000));
  CHECK(slotbook::portion(money::kes(150000), percent(0)) == money::kes(0));
  CHECK(slotbook::portion(money{7, usd}, percent(100)) == money{7, usd});
}

TEST_CASE("a portion of the largest amount does not overflow") {
  CHECK(slotbook::portion(money::kes(max64), percent(100)) == money::kes(max64));
  // 9223372036854775807 / 10000 = 922337203685477.5807, rounded down.
  CHECK(slotbook::portion(money::kes(max64), basis_points{1}) == money::kes(922337203685477));
  // 9223372036854775807 * 9999 / 10000 = 9223372036854775807 - 922337203685477.5807
  //   = 9222449699651090329.4193, rounded down.
  CHECK(slotbook::portion(money::kes(max64), basis_points{9999}) ==
        money::kes(9222449699651090329));
  CHECK(slotbook::portion(money::kes(min64), percent(100)) == money::kes(min64));
}

TEST_CASE("a portion outside 0 to 10000 basis points throws") {
  expect_error([] { (void)slotbook::portion(money::kes(100), basis_points{10001}); },
               errc::invalid_argument, {"share:", "10001"});
  expect_error([] { (void)slotbook::portion(money::kes(100), basis_points{-1}); },
               errc::invalid_argument, {"share:", "-1"});
  expect_error([] { (void)slotbook::portion(money::kes(100), percent(150)); },
               errc::invalid_argument, {"share:"});
}
