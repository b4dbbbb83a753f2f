// libFuzzer target: parse_instant never crashes, only accepts what it can format back, and a
// rejected input is always a slotbook::error with errc::invalid_argument.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "slotbook/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const slotbook::instant t = slotbook::parse_instant(text, "fuzz");
    // Anything accepted round-trips through the canonical form.
    if (slotbook::parse_instant(slotbook::format_instant(t)) != t) std::abort();
  } catch (const slotbook::error& e) {
    if (e.code() != slotbook::errc::invalid_argument) std::abort();
  }
  try {
    (void)slotbook::parse_date(text);
  } catch (const slotbook::error& e) {
    if (e.code() != slotbook::errc::invalid_argument) std::abort();
  }
  try {
    const auto m = slotbook::parse_time_of_day(text);
    if (m.count() < 0 || m.count() > 1440) std::abort();
  } catch (const slotbook::error& e) {
    if (e.code() != slotbook::errc::invalid_argument) std::abort();
  }
  return 0;
}
