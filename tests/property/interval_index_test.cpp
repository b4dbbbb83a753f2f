// interval_index and provider_index against a brute-force oracle: after any sequence of inserts
// (refused overlapping ones included), erases and queries, every answer equals a scan over a plain
// std::vector of the bookings accepted so far, including after the index is copied (the source then
// freed or changed) or moved out and back mid-sequence. Times are dense (a few hundred seconds,
// lengths up to a few dozen) so conflicts, touching neighbours and block splits and merges all
// happen; block capacities as small as 2 make a few dozen bookings span many blocks.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

#include "slotbook/interval_index.hpp"

using slotbook::index_entry;
using slotbook::instant;
using slotbook::interval;
using slotbook::interval_index;
using slotbook::provider_id;
using slotbook::provider_index;
using slotbook::session_id;

namespace {

constexpr std::int64_t epoch_2026 = 1'767'225'600;  // 2026-01-01T00:00:00Z

instant at(std::int64_t s) { return instant{std::chrono::seconds{epoch_2026 + s}}; }

// One step of a generated scenario. Raw numbers are turned into times by `scenario`, so the same
// op means "near the start" or "somewhere in the middle" whatever the density chosen.
struct op {
  int kind = 0;             // what the step does: see the switch in each property
  std::uint32_t begin = 0;  // reduced modulo the scenario's time range
  std::uint32_t length = 0;
  std::uint32_t pick = 0;  // which accepted booking (erase), which provider
};

rc::Gen<op> any_op() {
  return rc::gen::build<op>(rc::gen::set(&op::kind, rc::gen::inRange(0, 10)),
                            rc::gen::set(&op::begin, rc::gen::arbitrary<std::uint32_t>()),
                            rc::gen::set(&op::length, rc::gen::arbitrary<std::uint32_t>()),
                            rc::gen::set(&op::pick, rc::gen::arbitrary<std::uint32_t>()));
}

struct scenario {
  std::size_t block_capacity;
  std::int64_t range;       // begins fall in [0, range) seconds
  std::int64_t max_length;  // lengths in [1, max_length]
  std::vector<op> ops;
};

constexpr std::array<std::size_t, 8> capacities{2, 3, 4, 8, 64, 100, 256, 1024};
constexpr std::array<std::int64_t, 3> ranges{30, 300, 3000};
constexpr std::array<std::int64_t, 3> max_lengths{1, 5, 40};

rc::Gen<scenario> any_scenario(std::size_t max_ops) {
  return rc::gen::exec([max_ops] {
    scenario s{*rc::gen::elementOf(capacities),
               *rc::gen::elementOf(ranges),
               *rc::gen::elementOf(max_lengths),
               {}};
    s.ops =
        *rc::gen::container<std::vector<op>>(*rc::gen::inRange<std::size_t>(0, max_ops), any_op());
    return s;
  });
}

// --- the oracle: plain scans, written without the index's ordering tricks ----------------------

bool overlaps(const interval& a, const interval& b) {
  return a.begin < a.end && b.begin < b.end && a.begin < b.end && b.begin < a.end;
}

std::vector<index_entry> oracle_overlapping(const std::vector<index_entry>& all, interval q) {
  std::vector<index_entry> out;
  for (const auto& e : all) {
    if (overlaps(e.span, q)) out.push_back(e);
  }
  std::sort(out.begin(), out.end(),
            [](const index_entry& a, const index_entry& b) { return a.span.begin < b.span.begin; });
  return out;
}

std::optional<index_entry> oracle_first(const std::vector<index_entry>& all, interval q) {
  const auto found = oracle_overlapping(all, q);
  if (found.empty()) return std::nullopt;
  return found.front();
}

// Free gaps second by second: mark every covered second of the range, then collect the runs.
std::vector<interval> oracle_gaps(const std::vector<index_entry>& all, interval range) {
  std::vector<interval> gaps;
  if (!(range.begin < range.end)) return gaps;
  const auto n = static_cast<std::size_t>((range.end - range.begin).count());
  std::vector<bool> busy(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    const instant t = range.begin + std::chrono::seconds{i};
    for (const auto& e : all) {
      if (e.span.begin <= t && t < e.span.end) busy[i] = true;
    }
  }
  for (std::size_t i = 0; i < n;) {
    if (busy[i]) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < n && !busy[j]) ++j;
    gaps.push_back({range.begin + std::chrono::seconds{i}, range.begin + std::chrono::seconds{j}});
    i = j;
  }
  return gaps;
}

std::vector<index_entry> sorted(std::vector<index_entry> all) {
  std::sort(all.begin(), all.end(),
            [](const index_entry& a, const index_entry& b) { return a.span.begin < b.span.begin; });
  return all;
}

interval span_of(const scenario& s, const op& o) {
  const std::int64_t b = static_cast<std::int64_t>(o.begin) % s.range;
  const std::int64_t len = 1 + static_cast<std::int64_t>(o.length) % s.max_length;
  return {at(b), at(b + len)};
}

// A query may be empty or inverted (length -2 to max_length + 10) and may reach outside the range.
interval query_of(const scenario& s, const op& o) {
  const std::int64_t b = static_cast<std::int64_t>(o.begin) % (s.range + 20) - 10;
  const std::int64_t len = static_cast<std::int64_t>(o.length) % (s.max_length + 13) - 2;
  return {at(b), at(b + len)};
}

// Runs every query of the index API on `q` and asserts each equals the oracle.
void check_queries(const interval_index& idx, const std::vector<index_entry>& model, interval q) {
  const auto expected = oracle_overlapping(model, q);
  RC_ASSERT(idx.is_free(q) == expected.empty());
  RC_ASSERT(idx.first_overlap(q) == oracle_first(model, q));
  RC_ASSERT(idx.overlapping(q) == expected);
  std::vector<index_entry> visited;
  idx.for_each_overlapping(q, [&](const index_entry& e) { visited.push_back(e); });
  RC_ASSERT(visited == expected);
  RC_ASSERT(idx.free_gaps(q) == oracle_gaps(model, q));
}

}  // namespace

TEST_CASE("interval_index answers like a brute-force scan after any inserts, erases and queries") {
  rc::prop("every answer equals the oracle's", [] {
    const scenario s = *any_scenario(400);
    interval_index idx{s.block_capacity};
    std::vector<index_entry> model;
    std::uint64_t next_id = 1;
    for (const op& o : s.ops) {
      switch (o.kind) {
        case 0:
        case 1:
        case 2: {  // insert a new booking, refused when it overlaps
          const interval span = span_of(s, o);
          const session_id id{next_id++};
          const auto expected = oracle_first(model, span);
          if (o.kind == 2) {
            bool refused = false;
            try {
              idx.insert(id, span);
            } catch (const slotbook::error& e) {
              refused = true;
              RC_ASSERT(e.code() == slotbook::errc::conflict);
              RC_ASSERT(expected.has_value());
              const std::string message = e.what();
              RC_ASSERT(message.find("session " + slotbook::to_string(expected->id) + " ") !=
                        std::string::npos);
            }
            RC_ASSERT(refused == expected.has_value());
          } else {
            RC_ASSERT(idx.try_insert(id, span) == expected);
          }
          if (!expected) model.push_back({span, id});
          break;
        }
        case 3: {  // erase a booking that is there
          if (model.empty()) break;
          const std::size_t i = o.pick % model.size();
          RC_ASSERT(idx.erase(model[i].id, model[i].span));
          model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
        case 4: {  // erase with a made-up id, and a made-up span or one of a booking's spans:
                   // true only if exactly that booking exists
          const bool real_span = !model.empty() && o.length % 2 == 0;
          const interval span = real_span ? model[o.begin % model.size()].span : span_of(s, o);
          const session_id id{1 + o.pick % (next_id + 1)};
          const auto it = std::find(model.begin(), model.end(), index_entry{span, id});
          RC_ASSERT(idx.erase(id, span) == (it != model.end()));
          if (it != model.end()) model.erase(it);
          break;
        }
        case 5: {  // find by id and begin
          const interval span = span_of(s, o);
          std::optional<index_entry> expected;
          for (const auto& e : model) {
            if (e.span.begin == span.begin && e.id.value == 1 + o.pick % next_id) expected = e;
          }
          RC_ASSERT(idx.find(session_id{1 + o.pick % next_id}, span.begin) == expected);
          break;
        }
        case 8: {  // copy, then go on with the copy while the source's memory is freed or reused
          const interval q = query_of(s, o);
          if (o.pick % 2 == 0) {
            interval_index copy = idx;
            idx.clear();
            RC_ASSERT(copy.invariants_hold());
            RC_ASSERT(copy.block_capacity() == s.block_capacity);
            RC_ASSERT(copy.entries() == sorted(model));
            check_queries(copy, model, q);
            idx = std::move(copy);
          } else {
            // Copy-assign over an index holding other bookings, then change the source.
            interval_index copy{s.block_capacity};
            for (std::int64_t i = 0; i < static_cast<std::int64_t>(o.length % 50); ++i) {
              copy.insert(session_id{1000000 + static_cast<std::uint64_t>(i)},
                          {at(-1000 - 2 * i), at(-999 - 2 * i)});
            }
            copy = idx;
            const session_id extra{next_id++};
            idx.insert(extra, {at(s.range + 100), at(s.range + 101)});
            RC_ASSERT(copy.invariants_hold());
            RC_ASSERT(copy.entries() == sorted(model));
            check_queries(copy, model, q);
            RC_ASSERT(idx.erase(extra, {at(s.range + 100), at(s.range + 101)}));
            idx = copy;
          }
          break;
        }
        case 9: {  // move out and back; the moved-from index is empty and still usable
          interval_index moved = std::move(idx);
          RC_ASSERT(idx.empty());  // NOLINT(bugprone-use-after-move): documented to be empty
          RC_ASSERT(idx.invariants_hold());
          RC_ASSERT(idx.is_free({at(-10), at(s.range + 10)}));
          const session_id extra{next_id++};
          idx.insert(extra, {at(0), at(1)});
          RC_ASSERT(idx.size() == 1);
          RC_ASSERT(moved.invariants_hold());
          RC_ASSERT(moved.entries() == sorted(model));
          check_queries(moved, model, query_of(s, o));
          idx = std::move(moved);
          RC_ASSERT(moved.empty());  // NOLINT(bugprone-use-after-move)
          break;
        }
        default:
          check_queries(idx, model, query_of(s, o));
      }
      RC_ASSERT(idx.size() == model.size());
      RC_ASSERT(idx.empty() == model.empty());
      RC_ASSERT(idx.entries() == sorted(model));
      RC_ASSERT(idx.invariants_hold());
    }
    RC_TAG(idx.block_count() > 1 ? "several blocks" : "one block or none");
  });
}

TEST_CASE("interval_index keeps its layout valid and its contents right through long runs") {
  // Long scenarios on the larger block capacities: hundreds of bookings, so blocks of 64 and 256
  // split and then merge as bookings are erased.
  rc::prop("through many inserts then many erases the index answers like the model", [] {
    const std::size_t capacity = *rc::gen::elementOf(std::array<std::size_t, 3>{4, 64, 256});
    const auto inserts = *rc::gen::container<std::vector<std::uint32_t>>(
        *rc::gen::inRange<std::size_t>(0, 1500), rc::gen::arbitrary<std::uint32_t>());
    const auto erase_picks = *rc::gen::container<std::vector<std::uint32_t>>(
        *rc::gen::inRange<std::size_t>(0, 1500), rc::gen::arbitrary<std::uint32_t>());
    interval_index idx{capacity};
    std::vector<index_entry> model;
    std::uint64_t next_id = 1;
    for (const std::uint32_t raw : inserts) {
      const std::int64_t b = raw % 20000;
      const interval span{at(b), at(b + 1 + (raw >> 16) % 30)};
      const auto expected = oracle_first(model, span);
      RC_ASSERT(idx.try_insert(session_id{next_id}, span) == expected);
      if (!expected) model.push_back({span, session_id{next_id}});
      ++next_id;
    }
    RC_ASSERT(idx.invariants_hold());
    RC_ASSERT(idx.entries() == sorted(model));
    RC_TAG(idx.block_count() > 1 ? "several blocks before erasing" : "one block or none");
    for (const std::uint32_t raw : erase_picks) {
      if (model.empty()) break;
      const std::size_t i = raw % model.size();
      RC_ASSERT(idx.erase(model[i].id, model[i].span));
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
      const interval q{at(raw % 20000), at(raw % 20000 + 45)};
      RC_ASSERT(idx.is_free(q) == oracle_overlapping(model, q).empty());
      RC_ASSERT(idx.first_overlap(q) == oracle_first(model, q));
    }
    RC_ASSERT(idx.invariants_hold());
    RC_ASSERT(idx.entries() == sorted(model));
    RC_ASSERT(idx.size() == model.size());
  });
}

TEST_CASE("interval_index answers like a brute-force scan when bookings arrive nearly in order") {
  // Bookings come in time order with a little shuffling (as people book days ahead), which is
  // what the append, neighbour-spill and last-block-split paths are for. Sizes cross several
  // block boundaries; some bookings are then cancelled and the queries rechecked.
  rc::prop("entries, layout and every query equal the oracle's", [] {
    const std::size_t capacity = *rc::gen::elementOf(std::array<std::size_t, 4>{2, 4, 8, 32});
    const std::size_t count = *rc::gen::inRange<std::size_t>(0, 40 * capacity);
    const std::size_t window = *rc::gen::inRange<std::size_t>(1, 12);
    // Booking i: [30 i, 30 i + 1 + (i % 20)) seconds, so neighbours may touch but never overlap.
    std::vector<index_entry> order;
    for (std::size_t i = 0; i < count; ++i) {
      const auto b = static_cast<std::int64_t>(30 * i);
      order.push_back({{at(b), at(b + 1 + static_cast<std::int64_t>(i % 20))}, session_id{i + 1}});
    }
    for (std::size_t i = 0; i < count; i += window) {
      const auto seed = *rc::gen::arbitrary<std::uint32_t>();
      const auto first = order.begin() + static_cast<std::ptrdiff_t>(i);
      std::shuffle(first, first + static_cast<std::ptrdiff_t>(std::min(window, count - i)),
                   std::mt19937(seed));
    }
    interval_index idx{capacity};
    std::vector<index_entry> model;
    for (const index_entry& e : order) {
      RC_ASSERT(!idx.try_insert(e.id, e.span));
      model.push_back(e);
    }
    RC_ASSERT(idx.invariants_hold());
    RC_ASSERT(idx.entries() == sorted(model));
    RC_TAG(idx.block_count() > 8 ? "more than one directory line" : "one directory line");
    const std::int64_t end = static_cast<std::int64_t>(30 * count) + 30;
    const auto probes =
        *rc::gen::container<std::vector<std::uint32_t>>(60, rc::gen::arbitrary<std::uint32_t>());
    for (const std::uint32_t raw : probes) {
      const std::int64_t b = static_cast<std::int64_t>(raw % static_cast<std::uint32_t>(end)) - 15;
      check_queries(idx, model, {at(b), at(b + 1 + static_cast<std::int64_t>(raw >> 24) % 40)});
    }
    const auto cancels = *rc::gen::container<std::vector<std::uint32_t>>(
        *rc::gen::inRange<std::size_t>(0, count + 1), rc::gen::arbitrary<std::uint32_t>());
    for (const std::uint32_t raw : cancels) {
      if (model.empty()) break;
      const std::size_t i = raw % model.size();
      RC_ASSERT(idx.erase(model[i].id, model[i].span));
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
    }
    RC_ASSERT(idx.invariants_hold());
    RC_ASSERT(idx.entries() == sorted(model));
    for (const std::uint32_t raw : probes) {
      const std::int64_t b = static_cast<std::int64_t>(raw % static_cast<std::uint32_t>(end)) - 15;
      const interval q{at(b), at(b + 1 + static_cast<std::int64_t>(raw >> 24) % 40)};
      RC_ASSERT(idx.is_free(q) == oracle_overlapping(model, q).empty());
      RC_ASSERT(idx.first_overlap(q) == oracle_first(model, q));
    }
  });
}

TEST_CASE("provider_index keeps every provider's bookings as many providers come and go") {
  // Up to 200 providers with scattered ids, so the provider table grows several times, probe
  // sequences collide, and dropping a provider (its last booking erased) shifts others back.
  rc::prop("bookings_of, provider_count and is_free match a map of vectors", [] {
    const auto ids = *rc::gen::container<std::vector<std::uint64_t>>(
        *rc::gen::inRange<std::size_t>(1, 200), rc::gen::inRange<std::uint64_t>(1, 100000));
    const auto steps = *rc::gen::container<std::vector<std::uint32_t>>(
        *rc::gen::inRange<std::size_t>(0, 1500), rc::gen::arbitrary<std::uint32_t>());
    provider_index idx{*rc::gen::elementOf(std::array<std::size_t, 3>{2, 8, 256})};
    std::map<std::uint64_t, std::vector<index_entry>> model;
    std::uint64_t next_id = 1;
    for (const std::uint32_t raw : steps) {
      const std::uint64_t p = ids[raw % ids.size()];
      auto& mine = model[p];
      if ((raw >> 8) % 3 != 0 || mine.empty()) {  // book hour (raw >> 12) % 64 of provider p
        const std::int64_t h = (raw >> 12) % 64;
        const interval span{at(3600 * h), at(3600 * h + 3600)};
        const auto expected = oracle_first(mine, span);
        RC_ASSERT(idx.try_insert(provider_id{p}, session_id{next_id}, span) == expected);
        if (!expected) mine.push_back({span, session_id{next_id}});
        ++next_id;
      } else {  // cancel one of p's bookings
        const std::size_t i = (raw >> 12) % mine.size();
        RC_ASSERT(idx.erase(provider_id{p}, mine[i].id, mine[i].span));
        mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    std::size_t total = 0;
    std::size_t with_bookings = 0;
    for (const std::uint64_t p : ids) {
      const auto found = model.find(p);
      const bool has = found != model.end() && !found->second.empty();
      const interval_index* bookings = idx.bookings_of(provider_id{p});
      RC_ASSERT((bookings != nullptr) == has);
      if (has) RC_ASSERT(bookings->entries() == sorted(found->second));
      const interval q{at(3600 * static_cast<std::int64_t>(p % 64) + 1800),
                       at(3600 * static_cast<std::int64_t>(p % 64) + 5400)};
      RC_ASSERT(idx.is_free(provider_id{p}, q) ==
                (!has || oracle_overlapping(found->second, q).empty()));
    }
    for (const auto& [p, mine] : model) {
      total += mine.size();
      if (!mine.empty()) ++with_bookings;
    }
    RC_ASSERT(idx.size() == total);
    RC_ASSERT(idx.provider_count() == with_bookings);
    RC_ASSERT(idx.bookings_of(provider_id{100001}) == nullptr);
    RC_ASSERT(idx.is_free(provider_id{100001}, {at(0), at(3600 * 64)}));
    RC_TAG(with_bookings > 64 ? "over 64 providers" : "64 providers or fewer");
  });
}

TEST_CASE("the block directory finds every key's block and group like a scan") {
  // The directory on its own, against a vector of summaries: blocks are inserted, erased and
  // re-summarised at random, and after each step keys near every summary key are looked up.
  // Block k begins at base_k and its groups 1 to 7 at base_k + 1, base_k + 2, ... (0 to 7 of them,
  // the rest index_key_max), with bases 100 apart or more, so any summary fits between its
  // neighbours; slot 0 holds a made-up token the search must hand back untouched. Hundreds of
  // blocks make the directory three and four levels tall, and erasing takes it back down.
  using slotbook::detail::index_directory;
  using slotbook::detail::index_key_max;
  using summary = std::array<std::int64_t, 8>;
  const auto make = [](std::int64_t base, std::size_t groups) {
    summary s{};
    s.fill(index_key_max);
    s[0] = -base;  // the "token"
    for (std::size_t g = 1; g < groups; ++g) s[g] = base + static_cast<std::int64_t>(g);
    return s;
  };
  rc::prop("rank(key) is (last block beginning before key, last group beginning before key)", [&] {
    const auto steps = *rc::gen::container<std::vector<std::uint32_t>>(
        *rc::gen::inRange<std::size_t>(0, 1200), rc::gen::arbitrary<std::uint32_t>());
    index_directory dir;
    std::vector<summary> model;  // by block, ascending
    std::vector<std::int64_t> bases;
    const auto check = [&](std::int64_t key) {
      // The last block whose first key is below `key` (or 0), by the standard library's
      // partition_point over the model rather than by the directory's levels.
      const auto after = std::partition_point(bases.begin(), bases.end(),
                                              [&](std::int64_t base) { return base < key; });
      const auto block =
          after == bases.begin() ? 0 : static_cast<std::size_t>(after - bases.begin()) - 1;
      std::uint32_t group = 0;
      for (std::uint32_t g = 1; g < 8; ++g) {
        if (model[block][g] < key) group = g;
      }
      const auto r = dir.rank(key);
      RC_ASSERT(r.block == block);
      RC_ASSERT(r.group == group);
      RC_ASSERT(r.token == model[block][0]);
    };
    for (std::size_t step = 0; step < steps.size(); ++step) {
      const std::uint32_t raw = steps[step];
      const std::size_t keys = 1 + (raw >> 8) % 8;
      if (raw % 4 != 0 || model.empty()) {  // insert a block with a fresh base
        const std::int64_t base = 1000 * static_cast<std::int64_t>(raw >> 12) + 100 * (raw % 7);
        if (std::find(bases.begin(), bases.end(), base) != bases.end()) continue;
        const auto at_k = static_cast<std::size_t>(
            std::lower_bound(bases.begin(), bases.end(), base) - bases.begin());
        dir.reserve(dir.size() + 1);
        dir.insert(at_k, base, make(base, keys).data());
        model.insert(model.begin() + static_cast<std::ptrdiff_t>(at_k), make(base, keys));
        bases.insert(bases.begin() + static_cast<std::ptrdiff_t>(at_k), base);
      } else if (raw % 8 == 0) {  // erase one
        const std::size_t k = (raw >> 3) % model.size();
        dir.erase(k);
        model.erase(model.begin() + static_cast<std::ptrdiff_t>(k));
        bases.erase(bases.begin() + static_cast<std::ptrdiff_t>(k));
      } else {  // re-summarise one: other key count, first key moved by up to 50 either way
        const std::size_t k = (raw >> 3) % model.size();
        const std::int64_t base = bases[k] + static_cast<std::int64_t>((raw >> 20) % 101) - 50;
        const bool fits = (k == 0 || base > bases[k - 1] + 8) &&
                          (k + 1 == bases.size() || base + 8 < bases[k + 1]);
        if (!fits) continue;
        bases[k] = base;
        model[k] = make(base, keys);
        dir.update(k, base, model[k].data());
      }
      RC_ASSERT(dir.size() == model.size());
      RC_ASSERT(dir.invariants_hold());
      if (model.empty()) continue;
      if (step % 50 == 0 || step + 1 == steps.size()) {
        for (const std::int64_t base : bases) {
          for (std::int64_t d = -2; d <= 9; ++d) check(base + d);
        }
        check(std::numeric_limits<std::int64_t>::min());
        check(index_key_max);
      } else {
        check(bases[raw % bases.size()] + static_cast<std::int64_t>(raw % 11) - 1);
      }
    }
    RC_TAG(model.size() > 64 ? "three levels or more" : "fewer than three levels");
  });
}

TEST_CASE("provider_index answers like a brute-force scan per provider") {
  rc::prop("every answer for every provider equals the oracle's", [] {
    const scenario s = *any_scenario(400);
    constexpr std::uint64_t providers = 4;  // ids 1 to 4; 5 is never used
    provider_index idx{s.block_capacity};
    std::array<std::vector<index_entry>, providers + 1> model;  // by provider id; [0] unused
    std::uint64_t next_id = 1;
    const auto total = [&] {
      std::size_t n = 0;
      for (const auto& m : model) n += m.size();
      return n;
    };
    for (const op& o : s.ops) {
      const std::uint64_t p = 1 + o.pick % (providers + 1);
      auto& mine = model[p == providers + 1 ? 0 : p];
      switch (o.kind) {
        case 0:
        case 1:
        case 2: {
          if (p == providers + 1) break;
          const interval span = span_of(s, o);
          const session_id id{next_id++};
          const auto expected = oracle_first(mine, span);
          if (o.kind == 2) {
            bool refused = false;
            try {
              idx.insert(provider_id{p}, id, span);
            } catch (const slotbook::error& e) {
              refused = true;
              RC_ASSERT(e.code() == slotbook::errc::conflict);
              RC_ASSERT(std::string(e.what()).find("provider " + std::to_string(p)) !=
                        std::string::npos);
            }
            RC_ASSERT(refused == expected.has_value());
          } else {
            RC_ASSERT(idx.try_insert(provider_id{p}, id, span) == expected);
          }
          if (!expected) mine.push_back({span, id});
          break;
        }
        case 3:
        case 4: {  // erase one of this provider's bookings, or try it under the wrong provider
          if (mine.empty()) break;
          const std::size_t i = o.length % mine.size();
          if (o.kind == 4) {
            const std::uint64_t other = p % providers + 1;
            const bool there =
                std::find(model[other].begin(), model[other].end(), mine[i]) != model[other].end();
            RC_ASSERT(idx.erase(provider_id{other}, mine[i].id, mine[i].span) == there);
            if (there) std::erase(model[other], mine[i]);
            break;
          }
          RC_ASSERT(idx.erase(provider_id{p}, mine[i].id, mine[i].span));
          mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
        case 8: {  // copy, free the source, go on with the copy
          provider_index copy = idx;
          idx.clear();
          RC_ASSERT(idx.empty());
          for (std::uint64_t q = 1; q <= providers; ++q) {
            const auto* bookings = copy.bookings_of(provider_id{q});
            RC_ASSERT((bookings == nullptr) == model[q].empty());
            if (bookings != nullptr) {
              RC_ASSERT(bookings->invariants_hold());
              RC_ASSERT(bookings->entries() == sorted(model[q]));
            }
          }
          if (o.length % 2 == 0) {
            idx = copy;  // copy assignment; the copy is destroyed at the end of the step
          } else {
            idx = std::move(copy);
          }
          break;
        }
        case 9: {  // move out and back; the moved-from index is empty
          provider_index moved = std::move(idx);
          RC_ASSERT(idx.empty());  // NOLINT(bugprone-use-after-move): documented to be empty
          RC_ASSERT(idx.provider_count() == 0);
          RC_ASSERT(idx.is_free(provider_id{p}, {at(-10), at(s.range + 10)}));
          idx = std::move(moved);
          break;
        }
        default: {
          const interval q = query_of(s, o);
          const provider_id who{p};
          const auto expected = oracle_overlapping(mine, q);
          RC_ASSERT(idx.is_free(who, q) == expected.empty());
          RC_ASSERT(idx.first_overlap(who, q) == oracle_first(mine, q));
          RC_ASSERT(idx.overlapping(who, q) == expected);
          RC_ASSERT(idx.free_gaps(who, q) == oracle_gaps(mine, q));
        }
      }
      RC_ASSERT(idx.size() == total());
      std::size_t with_bookings = 0;
      for (std::uint64_t q = 1; q <= providers; ++q)
        if (!model[q].empty()) ++with_bookings;
      RC_ASSERT(idx.provider_count() == with_bookings);
    }
    for (std::uint64_t q = 1; q <= providers + 1; ++q) {
      const auto* bookings = idx.bookings_of(provider_id{q});
      const auto& mine = model[q == providers + 1 ? 0 : q];
      RC_ASSERT((bookings == nullptr) == mine.empty());
      if (bookings != nullptr) {
        RC_ASSERT(bookings->entries() == sorted(mine));
        RC_ASSERT(bookings->invariants_hold());
      }
    }
  });
}
