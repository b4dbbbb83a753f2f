#pragma once
// The block directory of slotbook::interval_index: where in which block a begin falls, found by
// reading one cache line per level of a static B+ tree ("S+ tree" in Algorithmica's terms) that is
// kept up to date as blocks change.
//
// Levels, bottom up, each in one contiguous 64-byte-aligned array:
// - the summaries: one line per block, block k's in line k: the first begin of each of its groups
//   1 to 7 (see index_block.hpp), and in slot 0, which a search never compares, the block's
//   token (the address of its arrays), so a search goes from here straight to the bookings;
// - level 1: each block's first begin (its summary's first key);
// - level j + 1: every 8th key of level j, up to a top level of at most 8.
// Levels 1 and up are padded with INT64_MAX to whole lines of 8. Rank r on level j + 1 means the
// answer on level j lies in line max(r, 1) - 1, so a search reads one line per level and ends on
// a block and a group: with 10^6 bookings (about 5,000 blocks) six lines (five levels and the
// summary), all from about 360 KB of contiguous memory that stays in the L2 cache, where binary
// searches over the block firsts and then inside a block read thirteen lines and then five more
// scattered over 20 MB.
//
// Summaries and level 1 are edited in place; the upper levels (an eighth of the size) are
// rewritten from the changed position on. Inserting or removing a block costs O(blocks after
// it), like the vector this replaces; changing one block's summary costs O(levels).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <utility>

#include "slotbook/detail/index_block.hpp"

namespace slotbook::detail {

/// Where a key falls: the last block whose first begin is less than the key, and in it the last
/// group whose first begin is (block 0 and group 0 when there is none), with that block's token.
struct index_rank {
  std::size_t block;
  std::uint32_t group;
  std::int64_t token;
};

/// The directory: per-block summaries and the levels above them. Capacity is reserved up front,
/// so `insert` never allocates (the index's strong exception guarantee relies on it).
class index_directory {
 public:
  /// Keys per line on every level.
  static constexpr std::size_t fanout = index_block::group_count;
  /// Most blocks a directory holds (so that its offsets fit 32 bits).
  static constexpr std::size_t max_blocks = std::size_t{1} << 28;

  index_directory() noexcept = default;
  index_directory(const index_directory& other) {
    reserve(other.size_);
    std::copy_n(other.summaries(), other.size_ * fanout, summaries());
    std::copy_n(other.level(1), other.size_, level(1));
    size_ = other.size_;
    rebuild_upper(0);
  }
  index_directory& operator=(const index_directory& other) {
    if (this != &other) {
      index_directory copy(other);
      swap(copy);
    }
    return *this;
  }
  index_directory(index_directory&& other) noexcept { swap(other); }
  index_directory& operator=(index_directory&& other) noexcept {
    index_directory moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~index_directory() { release(data_); }

  void swap(index_directory& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    std::swap(levels_, other.levels_);
    std::swap(offsets_, other.offsets_);
  }

  /// Number of blocks.
  std::size_t size() const noexcept { return size_; }
  /// Block `k`'s first begin.
  std::int64_t first(std::size_t k) const noexcept { return level(1)[k]; }
  /// Block `k`'s summary (8 keys).
  const std::int64_t* summary(std::size_t k) const noexcept { return summaries() + k * fanout; }

  /// Where `key` falls. Requires a block.
  index_rank rank(std::int64_t key) const noexcept {
    std::size_t j = levels_;
    std::size_t line = index_last_below<fanout>(level(j), key);
    while (--j > 0) line = line * fanout + index_last_below<fanout>(level(j) + line * fanout, key);
    const std::int64_t* groups = summary(line);
    return {line, static_cast<std::uint32_t>(index_last_below<fanout>(groups, key)), groups[0]};
  }

  /// Room for `capacity` blocks (grown at least twofold, so repeated growth costs amortised O(1)
  /// per block). Strong guarantee on bad_alloc, and `std::length_error` past `max_blocks`.
  void reserve(std::size_t capacity) {
    if (capacity <= capacity_) return;
    if (capacity > max_blocks) {
      throw std::length_error("interval_index: more than 2^28 blocks of bookings");
    }
    index_directory grown;
    grown.capacity_ = static_cast<std::uint32_t>(std::min<std::size_t>(
        std::max<std::size_t>(capacity, 2 * std::size_t{capacity_}), max_blocks));
    // offsets_[0]: summaries; offsets_[j]: level j; offsets_[j + 1] - offsets_[j]: its slots.
    // Every offset fits 32 bits: 2^28 blocks take 8 * 2^28 + 2^28 * 8 / 7 + 88 slots.
    std::size_t total = std::size_t{grown.capacity_} * fanout;
    grown.offsets_[1] = static_cast<std::uint32_t>(total);
    for (std::size_t j = 1, n = grown.capacity_;; ++j) {
      total += whole_lines(n);
      grown.offsets_[j + 1] = static_cast<std::uint32_t>(total);
      if (n <= fanout) break;
      n = (n + fanout - 1) / fanout;
    }
    grown.data_ = static_cast<std::int64_t*>(
        ::operator new (total * sizeof(std::int64_t), std::align_val_t{64}));
    std::fill_n(grown.data_, total, index_key_max);
    std::copy_n(summaries(), size_ * fanout, grown.summaries());
    std::copy_n(level(1), size_, grown.level(1));
    grown.size_ = size_;
    grown.rebuild_upper(0);
    swap(grown);
  }

  /// Inserts block `k` (0 to size) beginning at `first`, with the summary line `keys[0..8)`
  /// (index_block::summarize). Requires room (`reserve`); the caller keeps the blocks sorted.
  void insert(std::size_t k, std::int64_t first, const std::int64_t* keys) noexcept {
    std::copy_backward(summaries() + k * fanout, summaries() + size_ * fanout,
                       summaries() + (size_ + 1) * fanout);
    std::copy_n(keys, fanout, summaries() + k * fanout);
    std::int64_t* firsts = level(1);
    std::copy_backward(firsts + k, firsts + size_, firsts + size_ + 1);
    firsts[k] = first;
    ++size_;
    rebuild_upper(k);
  }

  /// Removes block `k` (0 to size - 1).
  void erase(std::size_t k) noexcept {
    std::copy(summaries() + (k + 1) * fanout, summaries() + size_ * fanout,
              summaries() + k * fanout);
    std::int64_t* firsts = level(1);
    std::copy(firsts + k + 1, firsts + size_, firsts + k);
    --size_;
    firsts[size_] = index_key_max;
    rebuild_upper(k);
  }

  /// Replaces block `k`'s first begin and summary line; the caller keeps the blocks sorted.
  void update(std::size_t k, std::int64_t first, const std::int64_t* keys) noexcept {
    std::copy_n(keys, fanout, summaries() + k * fanout);
    if (level(1)[k] == first) return;
    level(1)[k] = first;
    for (std::size_t j = 2; j <= levels_ && k % fanout == 0; ++j) {
      k /= fanout;
      level(j)[k] = first;
    }
  }

  /// Removes every block and releases the memory.
  void clear() noexcept {
    index_directory empty;
    swap(empty);
  }

  /// Checks the layout: firsts ascending, each summary's group keys (slots 1 to 7) ascending and
  /// after its block's first, every upper level in use sampling the one below, the right number
  /// of levels, and index_key_max in every slot past each level's end. For tests; O(n).
  bool invariants_hold() const noexcept {
    if (size_ > capacity_) return false;
    if (data_ == nullptr) return size_ == 0;
    for (std::size_t k = 0; k < size_; ++k) {
      const std::int64_t* keys = summary(k);
      if (keys[1] <= first(k) || !std::is_sorted(keys + 1, keys + fanout)) return false;
    }
    std::size_t n = size_;
    for (std::size_t j = 1;; ++j) {
      const std::int64_t* here = level(j);
      for (std::size_t i = 0; i < n; ++i) {
        if (here[i] == index_key_max || (i > 0 && here[i - 1] >= here[i])) return false;
        if (j > 1 && here[i] != level(j - 1)[i * fanout]) return false;
      }
      for (std::size_t i = n; i < offsets_[j + 1] - offsets_[j]; ++i) {
        if (here[i] != index_key_max) return false;
      }
      if (n <= fanout) return levels_ == j;
      n = (n + fanout - 1) / fanout;
    }
  }

  /// Heap bytes held.
  std::size_t memory_bytes() const noexcept {
    return data_ == nullptr ? 0 : offsets_[top_slot_level() + 1] * sizeof(std::int64_t);
  }

 private:
  // 2^28 blocks (10^10 bookings and more) need 10 levels above the summaries.
  static constexpr std::size_t max_levels = 10;

  static std::size_t whole_lines(std::size_t n) noexcept {
    return std::max<std::size_t>(1, (n + fanout - 1) / fanout) * fanout;
  }
  static void release(std::int64_t* data) noexcept {
    if (data != nullptr) ::operator delete (data, std::align_val_t{64});
  }

  std::int64_t* summaries() noexcept { return data_; }
  const std::int64_t* summaries() const noexcept { return data_; }
  std::int64_t* level(std::size_t j) noexcept { return data_ + offsets_[j]; }
  const std::int64_t* level(std::size_t j) const noexcept { return data_ + offsets_[j]; }

  // The highest level the allocation has room for.
  std::size_t top_slot_level() const noexcept {
    std::size_t j = 1;
    for (std::size_t n = capacity_; n > fanout; n = (n + fanout - 1) / fanout) ++j;
    return j;
  }

  // Rewrites levels 2 and up from the lines covering block `from` on (a level coming back into
  // use is rewritten whole: it was not kept up to date while unused), and recounts the levels in
  // use. Removing one block shortens each level by at most one, so restoring the one slot past
  // its new end keeps the padding index_key_max.
  void rebuild_upper(std::size_t from) noexcept {
    std::size_t n = size_;  // keys on the level below
    std::size_t j = 2;
    for (; n > fanout; ++j) {
      const std::size_t above = (n + fanout - 1) / fanout;
      from /= fanout;
      const std::int64_t* below = level(j - 1);
      std::int64_t* here = level(j);
      for (std::size_t i = j <= levels_ ? from : 0; i < above; ++i) here[i] = below[i * fanout];
      if (above < offsets_[j + 1] - offsets_[j]) here[above] = index_key_max;
      n = above;
    }
    levels_ = static_cast<std::uint32_t>(j - 1);
  }

  std::int64_t* data_ = nullptr;  // summaries, then levels 1, 2, ...; each 64-byte aligned
  std::uint32_t size_ = 0;        // blocks
  std::uint32_t capacity_ = 0;    // blocks there is room for
  std::uint32_t levels_ = 0;      // levels above the summaries in use (1 when size_ <= 8)
  std::array<std::uint32_t, max_levels + 2> offsets_{};  // in slots of 8 bytes, from data_
};

}  // namespace slotbook::detail
