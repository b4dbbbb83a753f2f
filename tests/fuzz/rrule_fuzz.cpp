// libFuzzer target: parse_rrule never crashes and refuses only with errc::invalid_argument; what it
// accepts formats back to text that parses to the same rule; expanding it stays bounded and
// ordered. Input: 4 header bytes (zone, start time in quarter hours, start day offset from
// 2026-01-01 as two bytes) and then the rule text; shorter inputs are parsed as text only.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "slotbook/recurrence.hpp"

namespace {

constexpr std::array<const char*, 6> zones{
    "UTC",          "America/New_York",    "Europe/London",
    "Pacific/Apia", "Australia/Lord_Howe", "America/Santiago"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono_literals;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  slotbook::recurrence_start start{date::year{2026} / 1 / 1, 9h, "UTC"};
  const bool expand = size >= 4;
  if (expand) {
    start.zone = zones[data[0] % zones.size()];
    start.time_of_day = std::chrono::minutes{15 * (data[1] % 96)};
    start.date = date::year_month_day{date::sys_days{start.date} +
                                      date::days{(data[2] << 8 | data[3]) % 3000 - 1500}};
    text.remove_prefix(4);
  }
  slotbook::recurrence_rule rule;
  try {
    rule = slotbook::parse_rrule(text, "fuzz");
  } catch (const slotbook::error& e) {
    if (e.code() != slotbook::errc::invalid_argument) std::abort();
    return 0;
  }
  if (slotbook::parse_rrule(slotbook::format_rrule(rule)) != rule) std::abort();
  if (!expand) return 0;

  const slotbook::instant from = slotbook::parse_instant("2025-06-01T00:00:00Z");
  const slotbook::interval window{from, from + date::days{800}};
  slotbook::expand_options options;
  options.max_occurrences = 500;
  options.start =
      data[0] & 0x80 ? slotbook::dtstart_rule::always : slotbook::dtstart_rule::matching_only;
  const auto e = slotbook::expand(rule, start, 50min, window, options);
  if (e.occurrences.size() > options.max_occurrences) std::abort();
  if (rule.count && e.occurrences.size() > static_cast<std::size_t>(*rule.count)) std::abort();
  for (std::size_t i = 0; i < e.occurrences.size(); ++i) {
    const auto& o = e.occurrences[i];
    if (!o.utc.overlaps(window) || o.utc.duration() != 50min) std::abort();
    if (i > 0 && !(e.occurrences[i - 1].utc.begin < o.utc.begin)) std::abort();
  }
  return 0;
}
