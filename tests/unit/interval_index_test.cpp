// interval_index and provider_index: overlap, free/busy and free gaps on half-open intervals.
// Expected answers are worked out by hand from the hours in each test.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "slotbook/interval_index.hpp"

using namespace std::chrono_literals;
using slotbook::errc;
using slotbook::index_entry;
using slotbook::instant;
using slotbook::interval;
using slotbook::interval_index;
using slotbook::provider_id;
using slotbook::provider_index;
using slotbook::session_id;

namespace {

// "10:30" on Tuesday 2026-01-13, UTC.
instant at(const std::string& hh_mm) {
  return slotbook::parse_instant("2026-01-13T" + hh_mm + ":00Z");
}
interval span(const std::string& from, const std::string& to) { return {at(from), at(to)}; }
index_entry entry(std::uint64_t id, const std::string& from, const std::string& to) {
  return {span(from, to), session_id{id}};
}

// Session 1 09:00-10:00, session 2 10:00-11:00 (touching 1), session 3 13:00-14:00.
interval_index morning_index(std::size_t block_capacity = interval_index::default_block_capacity) {
  interval_index idx{block_capacity};
  idx.insert(session_id{1}, span("09:00", "10:00"));
  idx.insert(session_id{2}, span("10:00", "11:00"));
  idx.insert(session_id{3}, span("13:00", "14:00"));
  return idx;
}

errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const slotbook::error& e) {
    return e.code();
  }
  FAIL("no slotbook::error thrown");
  return errc::storage;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const slotbook::error& e) {
    return e.what();
  }
  FAIL("no slotbook::error thrown");
  return {};
}

instant from_epoch(std::int64_t s) { return instant{std::chrono::seconds{s}}; }

}  // namespace

TEST_CASE("a session ending when another starts is not a conflict") {
  interval_index idx;
  idx.insert(session_id{1}, span("09:00", "10:00"));
  CHECK(idx.is_free(span("10:00", "11:00")));
  CHECK(idx.is_free(span("08:00", "09:00")));
  CHECK_FALSE(idx.first_overlap(span("10:00", "11:00")));
  CHECK(idx.overlapping(span("10:00", "11:00")).empty());
}

TEST_CASE(
    "a booking that starts earlier and runs into the query is a conflict (the seed misses it)") {
  interval_index idx;
  idx.insert(session_id{1}, span("09:30", "10:30"));
  CHECK_FALSE(idx.is_free(span("10:00", "11:00")));
  CHECK(idx.first_overlap(span("10:00", "11:00")) == entry(1, "09:30", "10:30"));
}

TEST_CASE("a booking that starts inside the query is a conflict") {
  interval_index idx;
  idx.insert(session_id{1}, span("10:30", "11:30"));
  CHECK_FALSE(idx.is_free(span("10:00", "11:00")));
  CHECK(idx.first_overlap(span("10:00", "11:00")) == entry(1, "10:30", "11:30"));
}

TEST_CASE("a booking that covers the whole query, or lies inside it, is a conflict") {
  interval_index idx;
  idx.insert(session_id{1}, span("09:00", "12:00"));
  idx.insert(session_id{2}, span("14:15", "14:45"));
  CHECK_FALSE(idx.is_free(span("10:00", "11:00")));
  CHECK_FALSE(idx.is_free(span("14:00", "15:00")));
  CHECK_FALSE(idx.is_free(span("14:15", "14:45")));
  CHECK(idx.first_overlap(span("14:00", "15:00")) == entry(2, "14:15", "14:45"));
}

TEST_CASE("a one-second overlap at either end is a conflict") {
  interval_index idx;
  idx.insert(session_id{1}, span("10:00", "11:00"));
  CHECK_FALSE(idx.is_free({at("09:00"), at("10:00") + 1s}));
  CHECK_FALSE(idx.is_free({at("11:00") - 1s, at("12:00")}));
}

TEST_CASE("a booking starting exactly when the query ends is not a conflict") {
  interval_index idx;
  idx.insert(session_id{1}, span("11:00", "12:00"));
  CHECK(idx.is_free(span("10:00", "11:00")));
  CHECK_FALSE(idx.first_overlap(span("10:00", "11:00")));
}

TEST_CASE("an empty index is free everywhere and has no entries") {
  const interval_index idx;
  CHECK(idx.empty());
  CHECK(idx.size() == 0);
  CHECK(idx.is_free(span("00:00", "23:59")));
  CHECK_FALSE(idx.first_overlap(span("00:00", "23:59")));
  CHECK(idx.overlapping(span("00:00", "23:59")).empty());
  CHECK(idx.entries().empty());
  CHECK_FALSE(idx.find(session_id{1}, at("10:00")));
  CHECK(idx.free_gaps(span("08:00", "18:00")) == std::vector<interval>{span("08:00", "18:00")});
}

TEST_CASE("an empty or inverted query is free and overlaps nothing") {
  const interval_index idx = morning_index();
  const interval empty{at("09:30"), at("09:30")};
  const interval inverted{at("10:30"), at("09:30")};
  CHECK(idx.is_free(empty));
  CHECK(idx.is_free(inverted));
  CHECK_FALSE(idx.first_overlap(empty));
  CHECK_FALSE(idx.first_overlap(inverted));
  CHECK(idx.overlapping(inverted).empty());
  CHECK(idx.free_gaps(inverted).empty());
  CHECK(idx.free_gaps(empty).empty());
}

TEST_CASE("a query before every booking or after every booking is free") {
  const interval_index idx = morning_index();
  CHECK(idx.is_free(span("07:00", "09:00")));
  CHECK(idx.is_free(span("14:00", "18:00")));
  CHECK(idx.is_free(span("11:00", "13:00")));
  CHECK_FALSE(idx.is_free(span("07:00", "09:01")));
  CHECK_FALSE(idx.is_free(span("13:59", "18:00")));
}

TEST_CASE(
    "inserting an overlapping booking is refused with errc::conflict naming the other session") {
  interval_index idx = morning_index();
  const auto before = idx.entries();
  const auto insert = [&] { idx.insert(session_id{7}, span("10:30", "11:30")); };
  CHECK(code_of(insert) == errc::conflict);
  const std::string message = message_of(insert);
  CHECK_THAT(message, Catch::Contains("session 2"));
  CHECK_THAT(message, Catch::Contains("session 7"));
  CHECK_THAT(message, Catch::Contains(slotbook::to_string(span("10:00", "11:00"))));
  CHECK_THAT(message, Catch::Contains(slotbook::to_string(span("10:30", "11:30"))));
  CHECK(idx.entries() == before);
}

TEST_CASE("a refused booking overlapping two others names the earlier one") {
  interval_index idx = morning_index();
  CHECK_THAT(message_of([&] { idx.insert(session_id{7}, span("09:30", "10:30")); }),
             Catch::Contains("overlaps session 1 "));
}

TEST_CASE("try_insert returns the conflicting booking instead of throwing") {
  interval_index idx = morning_index();
  CHECK(idx.try_insert(session_id{7}, span("12:30", "13:30")) == entry(3, "13:00", "14:00"));
  CHECK(idx.size() == 3);
  CHECK_FALSE(idx.try_insert(session_id{8}, span("11:00", "13:00")));
  CHECK(idx.size() == 4);
  CHECK(idx.find(session_id{8}, at("11:00")) == entry(8, "11:00", "13:00"));
}

TEST_CASE("inserting a booking touching neighbours on both sides is accepted") {
  interval_index idx = morning_index();
  idx.insert(session_id{4}, span("11:00", "13:00"));
  CHECK(idx.size() == 4);
  CHECK(idx.entries() ==
        std::vector<index_entry>{entry(1, "09:00", "10:00"), entry(2, "10:00", "11:00"),
                                 entry(4, "11:00", "13:00"), entry(3, "13:00", "14:00")});
  CHECK(idx.free_gaps(span("09:00", "14:00")).empty());
}

TEST_CASE("inserting an empty or inverted span is refused with errc::invalid_argument") {
  interval_index idx;
  CHECK(code_of([&] { idx.insert(session_id{1}, span("10:00", "10:00")); }) ==
        errc::invalid_argument);
  CHECK(code_of([&] { idx.insert(session_id{1}, span("11:00", "10:00")); }) ==
        errc::invalid_argument);
  CHECK(code_of([&] { (void)idx.try_insert(session_id{1}, span("11:00", "10:00")); }) ==
        errc::invalid_argument);
  CHECK_THAT(message_of([&] { idx.insert(session_id{1}, span("11:00", "10:00")); }),
             Catch::Contains(slotbook::to_string(span("11:00", "10:00"))));
  CHECK(idx.empty());
}

TEST_CASE("inserting with session id zero is refused with errc::invalid_argument") {
  interval_index idx;
  CHECK(code_of([&] { idx.insert(session_id{}, span("10:00", "11:00")); }) ==
        errc::invalid_argument);
  CHECK(idx.empty());
}

TEST_CASE("a booking may last up to 2^32 - 1 seconds and no longer") {
  interval_index idx;
  const instant b = at("10:00");
  const auto longest = std::chrono::seconds{std::numeric_limits<std::uint32_t>::max()};
  idx.insert(session_id{1}, {b, b + longest});
  CHECK(idx.entries() == std::vector<index_entry>{{{b, b + longest}, session_id{1}}});
  CHECK_FALSE(idx.is_free({b + longest - 1s, b + longest}));
  CHECK(idx.is_free({b + longest, b + longest + 1s}));
  const instant later = b + longest + 1h;
  CHECK(code_of([&] {
          idx.insert(session_id{2}, {later, later + longest + 1s});
        }) == errc::invalid_argument);
  // The widest int64 span: its length does not fit int64 either, and must not overflow.
  const interval widest{from_epoch(std::numeric_limits<std::int64_t>::min()),
                        from_epoch(std::numeric_limits<std::int64_t>::max())};
  CHECK(code_of([&] { idx.insert(session_id{3}, widest); }) == errc::invalid_argument);
  CHECK(idx.size() == 1);
}

TEST_CASE("bookings at the far ends of the instant range are found") {
  interval_index idx;
  const std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  const std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  idx.insert(session_id{1}, {from_epoch(lo), from_epoch(lo + 10)});
  idx.insert(session_id{2}, {from_epoch(hi - 10), from_epoch(hi)});
  const interval everything{from_epoch(lo), from_epoch(hi)};
  CHECK_FALSE(idx.is_free(everything));
  CHECK(idx.overlapping(everything).size() == 2);
  CHECK(idx.is_free({from_epoch(lo + 10), from_epoch(hi - 10)}));
  CHECK(idx.free_gaps(everything) ==
        std::vector<interval>{{from_epoch(lo + 10), from_epoch(hi - 10)}});
  CHECK(idx.find(session_id{2}, from_epoch(hi - 10)));
  CHECK_FALSE(idx.find(session_id{2}, from_epoch(hi)));
  CHECK(idx.erase(session_id{2}, {from_epoch(hi - 10), from_epoch(hi)}));
  CHECK(idx.erase(session_id{1}, {from_epoch(lo), from_epoch(lo + 10)}));
  CHECK(idx.empty());
}

TEST_CASE("erasing frees the time") {
  interval_index idx = morning_index();
  CHECK(idx.erase(session_id{2}, span("10:00", "11:00")));
  CHECK(idx.size() == 2);
  CHECK(idx.is_free(span("10:00", "11:00")));
  CHECK_FALSE(idx.find(session_id{2}, at("10:00")));
  idx.insert(session_id{5}, span("10:00", "11:00"));
  CHECK(idx.find(session_id{5}, at("10:00")) == entry(5, "10:00", "11:00"));
}

TEST_CASE("erasing needs the exact id and span, and reports false otherwise") {
  interval_index idx = morning_index();
  CHECK_FALSE(idx.erase(session_id{3}, span("10:00", "11:00")));  // wrong id
  CHECK_FALSE(idx.erase(session_id{2}, span("10:00", "10:30")));  // wrong end
  CHECK_FALSE(idx.erase(session_id{2}, span("10:05", "11:00")));  // wrong begin
  CHECK_FALSE(idx.erase(session_id{9}, span("15:00", "16:00")));  // nothing there
  CHECK_FALSE(idx.erase(session_id{2}, span("11:00", "10:00")));  // inverted
  CHECK_FALSE(idx.erase(session_id{}, span("10:00", "11:00")));   // zero id
  CHECK(idx.size() == 3);
  CHECK(idx.erase(session_id{2}, span("10:00", "11:00")));
  CHECK_FALSE(idx.erase(session_id{2}, span("10:00", "11:00")));  // already gone
}

TEST_CASE("first_overlap returns the earliest overlapping booking") {
  const interval_index idx = morning_index();
  CHECK(idx.first_overlap(span("09:59", "13:30")) == entry(1, "09:00", "10:00"));
  CHECK(idx.first_overlap(span("10:00", "13:30")) == entry(2, "10:00", "11:00"));
  CHECK(idx.first_overlap(span("11:00", "13:30")) == entry(3, "13:00", "14:00"));
  CHECK_FALSE(idx.first_overlap(span("11:00", "13:00")));
}

TEST_CASE("overlapping lists every overlapping booking in begin order") {
  const interval_index idx = morning_index();
  CHECK(idx.overlapping(span("09:30", "13:01")) ==
        std::vector<index_entry>{entry(1, "09:00", "10:00"), entry(2, "10:00", "11:00"),
                                 entry(3, "13:00", "14:00")});
  CHECK(idx.overlapping(span("10:00", "13:00")) ==
        std::vector<index_entry>{entry(2, "10:00", "11:00")});
}

TEST_CASE("for_each_overlapping visits the overlapping bookings in begin order") {
  const interval_index idx = morning_index();
  std::vector<std::uint64_t> ids;
  idx.for_each_overlapping(span("08:00", "20:00"),
                           [&](const index_entry& e) { ids.push_back(e.id.value); });
  CHECK(ids == std::vector<std::uint64_t>{1, 2, 3});
}

TEST_CASE("free gaps between bookings inside a range") {
  const interval_index idx = morning_index();
  CHECK(idx.free_gaps(span("08:00", "18:00")) == std::vector<interval>{span("08:00", "09:00"),
                                                                       span("11:00", "13:00"),
                                                                       span("14:00", "18:00")});
}

TEST_CASE("free gaps are clipped to the range and skip touching bookings") {
  const interval_index idx = morning_index();
  // The range starts and ends inside bookings: the gap between 1 and 2 is empty (they touch).
  CHECK(idx.free_gaps(span("09:30", "13:30")) == std::vector<interval>{span("11:00", "13:00")});
  CHECK(idx.free_gaps(span("09:15", "10:45")).empty());
  CHECK(idx.free_gaps(span("11:30", "12:30")) == std::vector<interval>{span("11:30", "12:30")});
}

TEST_CASE("find returns the booking with that id that begins then") {
  const interval_index idx = morning_index();
  CHECK(idx.find(session_id{3}, at("13:00")) == entry(3, "13:00", "14:00"));
  CHECK_FALSE(idx.find(session_id{2}, at("13:00")));
  CHECK_FALSE(idx.find(session_id{3}, at("13:30")));
}

TEST_CASE("entries come back in begin order whatever the insertion order") {
  interval_index idx{2};
  idx.insert(session_id{3}, span("13:00", "14:00"));
  idx.insert(session_id{1}, span("09:00", "10:00"));
  idx.insert(session_id{4}, span("15:00", "16:00"));
  idx.insert(session_id{2}, span("10:00", "11:00"));
  CHECK(idx.entries() ==
        std::vector<index_entry>{entry(1, "09:00", "10:00"), entry(2, "10:00", "11:00"),
                                 entry(3, "13:00", "14:00"), entry(4, "15:00", "16:00")});
  CHECK(idx.invariants_hold());
}

TEST_CASE("inserting and erasing thousands of bookings splits blocks and empties them again") {
  for (const std::size_t capacity : {std::size_t{2}, std::size_t{3}, std::size_t{4},
                                     std::size_t{16}, interval_index::default_block_capacity}) {
    CAPTURE(capacity);
    // 5000 one-hour bookings with a 30-minute break after each, inserted in a shuffled order.
    constexpr int count = 5000;
    std::vector<int> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937 rng(12345);
    std::shuffle(order.begin(), order.end(), rng);
    const auto booking = [&](int i) {
      const instant b = at("00:00") + std::chrono::minutes{90 * i};
      return index_entry{{b, b + 1h}, session_id{static_cast<std::uint64_t>(i + 1)}};
    };
    interval_index idx{capacity};
    for (const int i : order) idx.insert(booking(i).id, booking(i).span);
    REQUIRE(idx.invariants_hold());
    CHECK(idx.size() == count);
    CHECK(idx.block_count() >= count / capacity);
    const auto all = idx.entries();
    REQUIRE(all.size() == count);
    for (int i = 0; i < count; ++i) CHECK(all[static_cast<std::size_t>(i)] == booking(i));
    // Every break is free, every booking is busy, across all block boundaries.
    for (int i = 0; i < count; ++i) {
      const index_entry e = booking(i);
      REQUIRE_FALSE(idx.is_free({e.span.end - 1s, e.span.end + 1s}));
      REQUIRE(idx.is_free({e.span.end, e.span.end + 30min}));
      REQUIRE(idx.first_overlap({e.span.begin - 30min, e.span.begin + 1s}) == e);
    }
    // Erase in another order, checking the layout as blocks merge and disappear.
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t k = 0; k < order.size(); ++k) {
      REQUIRE(idx.erase(booking(order[k]).id, booking(order[k]).span));
      if (k % 97 == 0) REQUIRE(idx.invariants_hold());
    }
    CHECK(idx.empty());
    CHECK(idx.block_count() == 0);
    CHECK(idx.invariants_hold());
    CHECK(idx.is_free(span("00:00", "23:00")));
  }
}

TEST_CASE("conflicts are found across block boundaries on either side") {
  // Blocks of 2: bookings of 1 h starting every 2 h, so every other gap lies between two blocks.
  interval_index idx{2};
  constexpr int count = 12;
  for (int i = 0; i < count; ++i) {
    const instant b = at("00:00") + std::chrono::hours{2 * i};
    idx.insert(session_id{static_cast<std::uint64_t>(i + 1)}, {b, b + 1h});
  }
  REQUIRE(idx.block_count() > 1);
  std::uint64_t next = 100;
  for (int i = 0; i + 1 < count; ++i) {
    const instant gap_begin = at("00:00") + std::chrono::hours{2 * i + 1};
    const instant gap_end = gap_begin + 1h;
    const auto left = session_id{static_cast<std::uint64_t>(i + 1)};
    const auto right = session_id{static_cast<std::uint64_t>(i + 2)};
    CHECK(idx.try_insert(session_id{next++}, {gap_begin - 1s, gap_end})->id == left);
    CHECK(idx.try_insert(session_id{next++}, {gap_begin, gap_end + 1s})->id == right);
    CHECK(idx.try_insert(session_id{next++}, {gap_begin - 1s, gap_end + 1s})->id == left);
  }
  CHECK(idx.size() == count);
  for (int i = 0; i + 1 < count; ++i) {
    const instant gap_begin = at("00:00") + std::chrono::hours{2 * i + 1};
    CHECK_FALSE(idx.try_insert(session_id{next++}, {gap_begin, gap_begin + 1h}));
  }
  CHECK(idx.size() == 2 * count - 1);
  CHECK(idx.free_gaps({at("00:00"), at("00:00") + std::chrono::hours{2 * count}}) ==
        std::vector<interval>{{at("00:00") + std::chrono::hours{2 * count - 1},
                               at("00:00") + std::chrono::hours{2 * count}}});
  CHECK(idx.invariants_hold());
}

TEST_CASE("bookings inserted in time order, forwards or backwards, fill whole blocks") {
  // With 10,000 bookings and 256 per block, full blocks mean 39 full ones plus one of 16.
  for (const bool backwards : {false, true}) {
    CAPTURE(backwards);
    interval_index idx;
    for (int k = 0; k < 10000; ++k) {
      const int i = backwards ? 9999 - k : k;
      const instant b = at("00:00") + std::chrono::hours{i};
      idx.insert(session_id{static_cast<std::uint64_t>(i + 1)}, {b, b + 1h});
    }
    CHECK(idx.invariants_hold());
    CHECK(idx.block_count() == 40);
  }
}

TEST_CASE("a large index costs between 20 and 32 bytes per booking") {
  // 20 bytes is the payload of one booking (8 begin + 4 length + 8 id); a full block passes an
  // entry to a neighbour with room before it splits, so blocks stay well over 70% full even when
  // bookings arrive in random order, and the directory adds well under a byte per booking.
  for (const bool shuffled : {false, true}) {
    CAPTURE(shuffled);
    constexpr int count = 100000;
    std::vector<int> order(count);
    std::iota(order.begin(), order.end(), 0);
    if (shuffled) std::shuffle(order.begin(), order.end(), std::mt19937(7));
    interval_index idx;
    for (const int i : order) {
      const instant b = at("00:00") + std::chrono::hours{2 * i};
      idx.insert(session_id{static_cast<std::uint64_t>(i + 1)}, {b, b + 1h});
    }
    const double per_booking = static_cast<double>(idx.memory_bytes()) / count;
    CHECK(per_booking >= 20.0);
    CHECK(per_booking <= 32.0);
  }
}

TEST_CASE("a full block passes its last entry to the next block when that has room") {
  // Blocks of 4; bookings of 30 minutes on the hour. 00-03 fill block 0, 10 starts block 1.
  interval_index idx{4};
  for (const int h : {0, 1, 2, 3, 10}) {
    const instant b = at("00:00") + std::chrono::hours{h};
    idx.insert(session_id{static_cast<std::uint64_t>(h + 1)}, {b, b + 30min});
  }
  REQUIRE(idx.block_count() == 2);
  // 01:30 belongs inside full block 0; 03:00 moves to block 1 instead of block 0 splitting.
  idx.insert(session_id{100}, span("01:30", "02:00"));
  CHECK(idx.block_count() == 2);
  CHECK(idx.invariants_hold());
  CHECK(idx.entries() ==
        std::vector<index_entry>{entry(1, "00:00", "00:30"), entry(2, "01:00", "01:30"),
                                 entry(100, "01:30", "02:00"), entry(3, "02:00", "02:30"),
                                 entry(4, "03:00", "03:30"), entry(11, "10:00", "10:30")});
  CHECK_FALSE(idx.is_free(span("03:10", "03:20")));
  CHECK(idx.find(session_id{4}, at("03:00")) == entry(4, "03:00", "03:30"));
}

TEST_CASE("a full block passes its first entry to the previous block when that has room") {
  // Blocks of 4: 00-03 fill block 0, 10-13 fill block 1; erasing 03 leaves room in block 0.
  interval_index idx{4};
  for (const int h : {0, 1, 2, 3, 10, 11, 12, 13}) {
    const instant b = at("00:00") + std::chrono::hours{h};
    idx.insert(session_id{static_cast<std::uint64_t>(h + 1)}, {b, b + 30min});
  }
  REQUIRE(idx.block_count() == 2);
  REQUIRE(idx.erase(session_id{4}, span("03:00", "03:30")));
  // 11:30 belongs inside full block 1, the last; 10:00 moves back to block 0.
  idx.insert(session_id{100}, span("11:30", "12:00"));
  CHECK(idx.block_count() == 2);
  CHECK(idx.invariants_hold());
  CHECK_FALSE(idx.is_free(span("10:10", "10:20")));
  CHECK(idx.first_overlap(span("09:00", "11:45")) == entry(11, "10:00", "10:30"));
  CHECK(idx.entries().size() == 8);
}

TEST_CASE("the last block splits at a new entry in its upper half, so time order keeps it full") {
  // Blocks of 4 holding 00-03. 02:30 goes after three of the four, so block 0 keeps 00-02:30 and
  // the new block starts at 03:00; 04 to 06 then fill that one: two blocks in all. (Halves would
  // leave 00-01 behind and need a third block for 06.)
  interval_index idx{4};
  for (const int h : {0, 1, 2, 3}) {
    const instant b = at("00:00") + std::chrono::hours{h};
    idx.insert(session_id{static_cast<std::uint64_t>(h + 1)}, {b, b + 30min});
  }
  idx.insert(session_id{100}, span("02:30", "03:00"));
  CHECK(idx.block_count() == 2);
  for (const int h : {4, 5, 6}) {
    const instant b = at("00:00") + std::chrono::hours{h};
    idx.insert(session_id{static_cast<std::uint64_t>(h + 1)}, {b, b + 30min});
  }
  CHECK(idx.block_count() == 2);
  CHECK(idx.invariants_hold());
  CHECK(idx.size() == 8);
  CHECK_FALSE(idx.is_free(span("02:45", "02:50")));
  CHECK(idx.is_free(span("03:30", "04:00")));
}

TEST_CASE("every key is found at every fill of a block, across its groups and capacities") {
  // Blocks of each capacity filled one booking at a time (10-second bookings every 20 seconds,
  // so the index holds begins 0, 20, 40, ...); after each insert, every second around the
  // bookings is checked against what the times say: t is busy exactly when t mod 20 < 10.
  for (const std::size_t capacity : {std::size_t{2}, std::size_t{3}, std::size_t{8},
                                     std::size_t{100}, std::size_t{256}, std::size_t{1024}}) {
    CAPTURE(capacity);
    interval_index idx{capacity};
    const std::int64_t count = static_cast<std::int64_t>(std::min<std::size_t>(3 * capacity, 600));
    for (std::int64_t i = 0; i < count; ++i) {
      idx.insert(session_id{static_cast<std::uint64_t>(i + 1)},
                 {from_epoch(20 * i), from_epoch(20 * i + 10)});
      REQUIRE(idx.invariants_hold());
      if (i % 7 != 0 && i + 1 != count) continue;  // the full sweep every few inserts
      for (std::int64_t t = -5; t < 20 * (i + 1) + 5; ++t) {
        const bool busy = t >= 0 && t < 20 * (i + 1) && t % 20 < 10;
        REQUIRE(idx.is_free({from_epoch(t), from_epoch(t + 1)}) == !busy);
        const auto found =
            idx.find(session_id{static_cast<std::uint64_t>(t / 20 + 1)}, from_epoch(t));
        REQUIRE(found.has_value() == (t >= 0 && t < 20 * (i + 1) && t % 20 == 0));
      }
    }
  }
}

TEST_CASE("the directory above the blocks grows and shrinks through several levels") {
  // Blocks of 2 and 3,000 bookings: over 1,000 blocks, so the directory needs four levels of 8
  // above the blocks; erasing all but a few takes it back down to one. Every answer is checked
  // against the times: bookings of 10 s every 20 s.
  interval_index idx{2};
  constexpr std::int64_t count = 3000;
  std::vector<std::int64_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(99));
  for (const std::int64_t i : order) {
    idx.insert(session_id{static_cast<std::uint64_t>(i + 1)},
               {from_epoch(20 * i), from_epoch(20 * i + 10)});
  }
  REQUIRE(idx.invariants_hold());
  CHECK(idx.block_count() > 512);
  for (std::int64_t t = -20; t < 20 * count + 20; t += 5) {
    const bool busy = t >= 0 && t < 20 * count && t % 20 < 10;
    REQUIRE(idx.is_free({from_epoch(t), from_epoch(t + 1)}) == !busy);
  }
  std::shuffle(order.begin(), order.end(), std::mt19937(100));
  std::vector<bool> kept(count, true);
  for (std::size_t k = 0; k + 5 < order.size(); ++k) {
    const std::int64_t i = order[k];
    REQUIRE(idx.erase(session_id{static_cast<std::uint64_t>(i + 1)},
                      {from_epoch(20 * i), from_epoch(20 * i + 10)}));
    kept[static_cast<std::size_t>(i)] = false;
    if (k % 101 == 0) REQUIRE(idx.invariants_hold());
  }
  REQUIRE(idx.invariants_hold());
  CHECK(idx.size() == 5);
  CHECK(idx.block_count() <= 5);
  for (std::int64_t t = -20; t < 20 * count + 20; t += 5) {
    const bool busy =
        t >= 0 && t < 20 * count && t % 20 < 10 && kept[static_cast<std::size_t>(t / 20)];
    REQUIRE(idx.is_free({from_epoch(t), from_epoch(t + 1)}) == !busy);
  }
}

TEST_CASE("the branch-free searches count like std::lower_bound") {
  // Sorted keys with repeats and padding, every key from below the first to above the last.
  std::mt19937 rng(4);
  for (const std::size_t n : std::vector<std::size_t>{1, 2, 4, 8, 16, 32, 64, 128}) {
    for (int round = 0; round < 20; ++round) {
      std::vector<std::int64_t> keys(n);
      for (auto& k : keys) k = static_cast<std::int64_t>(rng() % 40) - 20;
      std::sort(keys.begin(), keys.end());
      if (round % 3 == 0) keys.back() = slotbook::detail::index_key_max;
      for (std::int64_t key = -22; key <= 22; ++key) {
        const auto expected = static_cast<std::size_t>(
            std::lower_bound(keys.begin(), keys.end(), key) - keys.begin());
        REQUIRE(slotbook::detail::index_count_below_pow2(keys.data(), n, key) == expected);
        if (n == 8) {
          REQUIRE(slotbook::detail::index_last_below<8>(keys.data(), key) ==
                  (expected == 0 ? 0 : expected - 1));
        }
      }
    }
  }
}

TEST_CASE("a block's summary line holds its token and the first begin of groups 1 to 7") {
  // Capacity 256: 8 groups of 32. With 100 entries (begins 0, 10, 20, ...) groups 1 to 3 start
  // at entries 32, 64 and 96 and the other four are past the end.
  using slotbook::detail::index_block;
  index_block blk{256};
  for (std::uint32_t i = 0; i < 100; ++i) blk.insert_at(i, 10 * std::int64_t{i}, 5, i + 1);
  std::array<std::int64_t, 8> line{};
  blk.summarize(line.data());
  const std::int64_t none = slotbook::detail::index_key_max;
  CHECK(
      std::array<std::int64_t, 7>{line[1], line[2], line[3], line[4], line[5], line[6], line[7]} ==
      std::array<std::int64_t, 7>{320, 640, 960, none, none, none, none});
  CHECK(line[0] == blk.token());
  // The token leads to the same arrays: entry 99 is [990, 995), groups of 32.
  const index_block::view view{line[0]};
  CHECK(view.group_shift == 5);
  CHECK(view.begins[99] == 990);
  CHECK(view.end_at(99) == 995);
  CHECK(view.count_below(991, 3) == 100);
  CHECK(view.count_below(990, 3) == 99);
  CHECK(view.count_below(325, 1) == 33);
  CHECK(blk.padding_holds());
  // A block of 8 is 8 groups of one entry each; growing it to 64 regroups them by 8 and moves
  // its arrays, so its token changes.
  index_block small{8};
  for (std::uint32_t i = 0; i < 3; ++i) small.insert_at(i, 7 * std::int64_t{i}, 5, i + 1);
  small.summarize(line.data());
  CHECK(line[1] == 7);
  CHECK(line[2] == 14);
  CHECK(line[3] == none);
  CHECK(index_block::view{line[0]}.group_shift == 0);
  small.reserve(64);
  small.summarize(line.data());
  CHECK(line[1] == none);
  CHECK(index_block::view{line[0]}.group_shift == 3);
  CHECK(index_block::view{line[0]}.end_at(2) == 19);
  CHECK(small.size() == 3);
  CHECK(small.padding_holds());
}

TEST_CASE("a block capacity outside 2 to 65536 is refused") {
  CHECK(code_of([] { interval_index idx{1}; }) == errc::invalid_argument);
  CHECK(code_of([] { interval_index idx{65537}; }) == errc::invalid_argument);
  CHECK(code_of([] { provider_index idx{0}; }) == errc::invalid_argument);
  CHECK(interval_index{2}.block_capacity() == 2);
  CHECK(interval_index{65536}.block_capacity() == 65536);
}

TEST_CASE("copying an index copies its bookings and moving leaves the source empty") {
  interval_index original = morning_index(2);
  interval_index copy = original;
  copy.insert(session_id{9}, span("15:00", "16:00"));
  CHECK(original.size() == 3);
  CHECK(copy.size() == 4);
  CHECK(copy.invariants_hold());
  {
    // A copy searches its own blocks: it answers the same after the original is gone.
    interval_index doomed = morning_index(2);
    const interval_index survivor = doomed;
    doomed.clear();
    CHECK(survivor.first_overlap(span("13:30", "15:00")) == entry(3, "13:00", "14:00"));
    CHECK_FALSE(survivor.is_free(span("09:30", "09:45")));
    CHECK(survivor.find(session_id{2}, at("10:00")) == entry(2, "10:00", "11:00"));
    CHECK(survivor.invariants_hold());
  }
  interval_index moved = std::move(copy);
  CHECK(moved.size() == 4);
  CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): documented to be empty
  CHECK(copy.invariants_hold());
  copy = original;
  CHECK(copy.entries() == original.entries());
}

TEST_CASE("clear removes every booking and releases the memory") {
  interval_index idx = morning_index();
  CHECK(idx.memory_bytes() > 0);
  idx.clear();
  CHECK(idx.empty());
  CHECK(idx.memory_bytes() == 0);
  CHECK(idx.is_free(span("09:00", "14:00")));
  idx.insert(session_id{1}, span("09:00", "10:00"));
  CHECK(idx.size() == 1);
}

// ---------------------------------------------------------------------------------------------
// provider_index
// ---------------------------------------------------------------------------------------------

TEST_CASE("providers do not share bookings: the same hour is free for another provider") {
  provider_index idx;
  idx.insert(provider_id{1}, session_id{1}, span("10:00", "11:00"));
  idx.insert(provider_id{2}, session_id{2}, span("10:00", "11:00"));
  CHECK_FALSE(idx.is_free(provider_id{1}, span("10:30", "11:30")));
  CHECK_FALSE(idx.is_free(provider_id{2}, span("10:30", "11:30")));
  CHECK(idx.is_free(provider_id{3}, span("10:30", "11:30")));
  CHECK(idx.first_overlap(provider_id{2}, span("09:00", "12:00")) == entry(2, "10:00", "11:00"));
  CHECK(idx.size() == 2);
  CHECK(idx.provider_count() == 2);
}

TEST_CASE("an unknown provider has no bookings: free, nothing overlapping, one whole gap") {
  const provider_index idx;
  CHECK(idx.is_free(provider_id{7}, span("09:00", "10:00")));
  CHECK_FALSE(idx.first_overlap(provider_id{7}, span("09:00", "10:00")));
  CHECK(idx.overlapping(provider_id{7}, span("09:00", "10:00")).empty());
  CHECK(idx.free_gaps(provider_id{7}, span("09:00", "10:00")) ==
        std::vector<interval>{span("09:00", "10:00")});
  CHECK(idx.free_gaps(provider_id{7}, span("10:00", "09:00")).empty());
  CHECK_FALSE(idx.find(provider_id{7}, session_id{1}, at("09:00")));
  CHECK(idx.bookings_of(provider_id{7}) == nullptr);
  CHECK(idx.empty());
}

TEST_CASE("provider_index refuses an overlap with errc::conflict naming the provider and session") {
  provider_index idx;
  idx.insert(provider_id{42}, session_id{1}, span("10:00", "11:00"));
  const auto insert = [&] { idx.insert(provider_id{42}, session_id{2}, span("09:30", "10:30")); };
  CHECK(code_of(insert) == errc::conflict);
  const std::string message = message_of(insert);
  CHECK_THAT(message, Catch::Contains("provider 42"));
  CHECK_THAT(message, Catch::Contains("session 1"));
  CHECK_THAT(message, Catch::Contains(slotbook::to_string(span("10:00", "11:00"))));
  CHECK_THAT(message, Catch::Contains(slotbook::to_string(span("09:30", "10:30"))));
  CHECK(idx.size() == 1);
  CHECK(idx.try_insert(provider_id{42}, session_id{2}, span("09:30", "10:30")) ==
        entry(1, "10:00", "11:00"));
}

TEST_CASE("provider_index refuses provider id zero and bad spans with errc::invalid_argument") {
  provider_index idx;
  CHECK(code_of([&] { idx.insert(provider_id{}, session_id{1}, span("10:00", "11:00")); }) ==
        errc::invalid_argument);
  CHECK(code_of([&] { idx.insert(provider_id{1}, session_id{1}, span("11:00", "10:00")); }) ==
        errc::invalid_argument);
  CHECK(code_of([&] { idx.insert(provider_id{1}, session_id{}, span("10:00", "11:00")); }) ==
        errc::invalid_argument);
  CHECK(idx.empty());
  CHECK(idx.provider_count() == 0);  // a refused first booking leaves no empty provider behind
}

TEST_CASE("provider_index forgets a provider whose last booking is erased") {
  provider_index idx;
  idx.insert(provider_id{1}, session_id{1}, span("09:00", "10:00"));
  idx.insert(provider_id{1}, session_id{2}, span("10:00", "11:00"));
  idx.insert(provider_id{2}, session_id{3}, span("09:00", "10:00"));
  CHECK(idx.provider_count() == 2);
  CHECK_FALSE(idx.erase(provider_id{2}, session_id{1}, span("09:00", "10:00")));  // wrong provider
  CHECK_FALSE(idx.erase(provider_id{9}, session_id{1}, span("09:00", "10:00")));  // unknown one
  CHECK(idx.erase(provider_id{1}, session_id{1}, span("09:00", "10:00")));
  CHECK(idx.provider_count() == 2);
  CHECK(idx.erase(provider_id{2}, session_id{3}, span("09:00", "10:00")));
  CHECK(idx.provider_count() == 1);
  CHECK(idx.size() == 1);
  CHECK(idx.bookings_of(provider_id{2}) == nullptr);
  CHECK(idx.is_free(provider_id{1}, span("09:00", "10:00")));
  CHECK_FALSE(idx.is_free(provider_id{1}, span("09:00", "10:01")));
}

TEST_CASE("provider_index answers overlapping, free gaps and find per provider") {
  provider_index idx{4};
  idx.insert(provider_id{1}, session_id{1}, span("09:00", "10:00"));
  idx.insert(provider_id{1}, session_id{2}, span("11:00", "12:00"));
  idx.insert(provider_id{2}, session_id{3}, span("10:00", "11:00"));
  CHECK(idx.overlapping(provider_id{1}, span("08:00", "18:00")) ==
        std::vector<index_entry>{entry(1, "09:00", "10:00"), entry(2, "11:00", "12:00")});
  CHECK(idx.free_gaps(provider_id{1}, span("08:00", "13:00")) ==
        std::vector<interval>{span("08:00", "09:00"), span("10:00", "11:00"),
                              span("12:00", "13:00")});
  CHECK(idx.free_gaps(provider_id{2}, span("08:00", "13:00")) ==
        std::vector<interval>{span("08:00", "10:00"), span("11:00", "13:00")});
  CHECK(idx.find(provider_id{2}, session_id{3}, at("10:00")) == entry(3, "10:00", "11:00"));
  CHECK_FALSE(idx.find(provider_id{1}, session_id{3}, at("10:00")));
  std::vector<std::uint64_t> seen;
  idx.for_each_overlapping(provider_id{1}, span("09:30", "11:30"),
                           [&](const index_entry& e) { seen.push_back(e.id.value); });
  CHECK(seen == std::vector<std::uint64_t>{1, 2});
  REQUIRE(idx.bookings_of(provider_id{1}) != nullptr);
  CHECK(idx.bookings_of(provider_id{1})->block_capacity() == 4);
  CHECK(idx.memory_bytes() > 0);
}

TEST_CASE("provider_index clear and move leave no bookings behind") {
  provider_index idx;
  idx.insert(provider_id{1}, session_id{1}, span("09:00", "10:00"));
  provider_index moved = std::move(idx);
  CHECK(moved.size() == 1);
  CHECK(idx.empty());  // NOLINT(bugprone-use-after-move): documented to be empty
  CHECK(idx.provider_count() == 0);
  moved.clear();
  CHECK(moved.empty());
  CHECK(moved.provider_count() == 0);
  CHECK(moved.is_free(provider_id{1}, span("09:00", "10:00")));
}
