// Booking references: BK-<year>-<sequence>, made and read back.
#include "slotbook/reference.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using slotbook::booking_reference;
using slotbook::errc;
using slotbook::format_reference;
using slotbook::parse_reference;

using slotbook::testing::expect_error;

namespace {}  // namespace

TEST_CASE("a reference is BK, the year and the sequence padded to six digits, 14 characters") {
  const std::string r = format_reference(2026, 1234);
  CHECK(r == "BK-2026-001234");
  CHECK(r.size() == 14);
  CHECK(format_reference(2026, 1) == "BK-2026-000001");
  CHECK(format_reference(2026, 999999) == "BK-2026-999999");
}

TEST_CASE("a year before 1000 is padded to four digits") {
  CHECK(format_reference(987, 5) == "BK-0987-000005");
  CHECK(format_reference(1, 1) == "BK-0001-000001");
}

TEST_CASE("a sequence past 999999 widens instead of wrapping") {
  CHECK(format_reference(2026, 1000000) == "BK-2026-1000000");
  CHECK(format_reference(2026, 12345678) == "BK-2026-12345678");
  CHECK(format_reference(2026, std::numeric_limits<std::uint64_t>::max()) ==
        "BK-2026-18446744073709551615");
}

TEST_CASE("a reference prints through to_string") {
  CHECK(slotbook::to_string(booking_reference{2026, 1234}) == "BK-2026-001234");
}

TEST_CASE("formatting a year outside 1 to 9999 or sequence 0 is invalid_argument") {
  expect_error([] { (void)format_reference(0, 1); }, errc::invalid_argument,
               {"booking_reference:", "year 0"});
  expect_error([] { (void)format_reference(10000, 1); }, errc::invalid_argument, {"year 10000"});
  expect_error([] { (void)format_reference(-5, 1); }, errc::invalid_argument, {"year -5"});
  expect_error([] { (void)format_reference(2026, 0); }, errc::invalid_argument, {"sequence 0"});
}

TEST_CASE("a reference parses back to its year and sequence") {
  CHECK(parse_reference("BK-2026-001234") == booking_reference{2026, 1234});
  CHECK(parse_reference("BK-2026-999999") == booking_reference{2026, 999999});
  CHECK(parse_reference("BK-2026-1000000") == booking_reference{2026, 1000000});
  CHECK(parse_reference("BK-0001-000001") == booking_reference{1, 1});
  CHECK(parse_reference("BK-2026-18446744073709551615") ==
        booking_reference{2026, std::numeric_limits<std::uint64_t>::max()});
}

TEST_CASE("a second spelling of a reference is rejected, so each has exactly one text") {
  // Seven digits with a leading zero would spell BK-2026-999999 a second way.
  expect_error([] { (void)parse_reference("BK-2026-0999999"); }, errc::invalid_argument,
               {"no leading zeros"});
  expect_error([] { (void)parse_reference("BK-2026-00001234"); }, errc::invalid_argument,
               {"no leading zeros"});
}

TEST_CASE("malformed references are invalid_argument naming the field and the text") {
  const char* bad[] = {"",
                       "BK",
                       "BK-2026-",
                       "BK-2026-01234",                 // five digits
                       "bk-2026-001234",                // lowercase
                       "BK-26-001234",                  // two-digit year
                       "BK-20a6-001234",                // not a year
                       "BK-2026_001234",                // wrong separator
                       "BK-2026-00123a",                // not a sequence
                       "BK-2026-001234 ",               // trailing space
                       " BK-2026-001234",               // leading space
                       "BK-2026-+01234",                // sign
                       "BK-0000-000001",                // year 0
                       "BK-2026-000000",                // sequence 0
                       "BK-2026-18446744073709551616",  // 2^64
                       "BK-2026-99999999999999999999"};
  for (const char* text : bad) {
    INFO(text);
    expect_error([&] { (void)parse_reference(text, "session.booking_reference"); },
                 errc::invalid_argument,
                 {"session.booking_reference:", "is not a booking reference"});
  }
  expect_error([] { (void)parse_reference("BK-2026-1"); }, errc::invalid_argument,
               {"booking_reference:", "\"BK-2026-1\"", "at least six digits"});
}

TEST_CASE("references order by year, then sequence") {
  CHECK(booking_reference{2025, 999999} < booking_reference{2026, 1});
  CHECK(booking_reference{2026, 1} < booking_reference{2026, 2});
  CHECK(booking_reference{2026, 999999} < booking_reference{2026, 1000000});
}

TEST_CASE("ok() accepts years 1 to 9999 and sequences from 1") {
  CHECK(booking_reference{2026, 1}.ok());
  CHECK(booking_reference{9999, 1}.ok());
  CHECK_FALSE(booking_reference{0, 1}.ok());
  CHECK_FALSE(booking_reference{10000, 1}.ok());
  CHECK_FALSE(booking_reference{2026, 0}.ok());
}
