// Builds against the installed headers and library; exits non-zero if anything is off.
#include <slotbook/slotbook.hpp>

#include <cstdio>

int main() {
  using namespace std::chrono_literals;
  const auto start = slotbook::parse_instant("2026-01-15T10:00:00.000Z", "scheduled_at");
  slotbook::interval_index index;
  index.insert(slotbook::session_id{1}, {start, start + 60min});
  const bool clash = !index.is_free({start + 30min, start + 90min});
  const bool next_free = index.is_free({start + 60min, start + 120min});
  std::printf("slotbook %s: clash=%d back_to_back_free=%d\n", slotbook::version(), clash,
              next_free);
  return clash && next_free ? 0 : 1;
}
