#pragma once
// One block of slotbook::interval_index: up to `capacity` bookings of one provider, sorted by
// begin, stored as struct-of-arrays. A search reads only the begins (8 per cache line) and then
// touches the length, and maybe the id, of the one entry it lands on. Lengths are 32-bit seconds
// (136 years), which is what keeps a booking at 20 bytes in a full block.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace slotbook::detail {

/// How many of the sorted values `[first, first + n)` are less than `key` (the offset
/// `std::lower_bound` returns), or, with `OrEqual`, less than or equal to it (`std::upper_bound`).
///
/// Branch-free: each halving step is a conditional move, so a search over a block never mispredicts
/// and independent searches overlap their cache misses.
template <bool OrEqual = false>
inline std::size_t index_count_below(const std::int64_t* first, std::size_t n,
                                     std::int64_t key) noexcept {
  if (n == 0) return 0;
  const std::int64_t* base = first;
  while (n > 1) {
    const std::size_t half = n / 2;
    const bool right = OrEqual ? base[half] <= key : base[half] < key;
    base = right ? base + half : base;
    n -= half;
  }
  const bool last = OrEqual ? *base <= key : *base < key;
  return static_cast<std::size_t>(base - first) + (last ? 1U : 0U);
}

/// A sorted run of entries with its own capacity (grown by doubling up to the index's block
/// capacity, so a provider with three bookings does not pay for 256). Positions and sizes are
/// 32-bit: a block never holds more than 65536 entries. The block does not check order or overlap;
/// `interval_index` does.
class index_block {
 public:
  index_block() noexcept = default;
  explicit index_block(std::uint32_t capacity) { reserve(capacity); }

  index_block(const index_block& other) : size_(0), capacity_(0) {
    reserve(other.capacity_);
    std::copy_n(other.begins_.get(), other.size_, begins_.get());
    std::copy_n(other.lengths_.get(), other.size_, lengths_.get());
    std::copy_n(other.ids_.get(), other.size_, ids_.get());
    size_ = other.size_;
  }
  index_block& operator=(const index_block& other) {
    if (this != &other) {
      index_block copy(other);
      swap(copy);
    }
    return *this;
  }
  index_block(index_block&& other) noexcept { swap(other); }
  index_block& operator=(index_block&& other) noexcept {
    index_block moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~index_block() = default;

  void swap(index_block& other) noexcept {
    std::swap(begins_, other.begins_);
    std::swap(lengths_, other.lengths_);
    std::swap(ids_, other.ids_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

  std::uint32_t size() const noexcept { return size_; }
  std::uint32_t capacity() const noexcept { return capacity_; }

  std::int64_t begin_at(std::uint32_t i) const noexcept { return begins_[i]; }
  std::uint32_t length_at(std::uint32_t i) const noexcept { return lengths_[i]; }
  // begin + length cannot overflow: it is the end of an interval that was representable.
  std::int64_t end_at(std::uint32_t i) const noexcept {
    return begins_[i] + static_cast<std::int64_t>(lengths_[i]);
  }
  std::uint64_t id_at(std::uint32_t i) const noexcept { return ids_[i]; }
  std::int64_t last_end() const noexcept { return end_at(size_ - 1); }

  /// Entries whose begin is `< key` (or `<= key` with `OrEqual`).
  template <bool OrEqual = false>
  std::uint32_t count_below(std::int64_t key) const noexcept {
    return static_cast<std::uint32_t>(index_count_below<OrEqual>(begins_.get(), size_, key));
  }

  /// Grows the arrays to hold `capacity` entries; never shrinks. Strong guarantee on bad_alloc.
  void reserve(std::uint32_t capacity) {
    if (capacity <= capacity_) return;
    auto begins = std::make_unique_for_overwrite<std::int64_t[]>(capacity);
    auto lengths = std::make_unique_for_overwrite<std::uint32_t[]>(capacity);
    auto ids = std::make_unique_for_overwrite<std::uint64_t[]>(capacity);
    if (size_ > 0) {
      std::copy_n(begins_.get(), size_, begins.get());
      std::copy_n(lengths_.get(), size_, lengths.get());
      std::copy_n(ids_.get(), size_, ids.get());
    }
    begins_ = std::move(begins);
    lengths_ = std::move(lengths);
    ids_ = std::move(ids);
    capacity_ = capacity;
  }

  /// Inserts at `pos` (0 to size), shifting the tail right. Requires `size() < capacity()`.
  void insert_at(std::uint32_t pos, std::int64_t begin, std::uint32_t length,
                 std::uint64_t id) noexcept {
    std::copy_backward(begins_.get() + pos, begins_.get() + size_, begins_.get() + size_ + 1);
    std::copy_backward(lengths_.get() + pos, lengths_.get() + size_, lengths_.get() + size_ + 1);
    std::copy_backward(ids_.get() + pos, ids_.get() + size_, ids_.get() + size_ + 1);
    begins_[pos] = begin;
    lengths_[pos] = length;
    ids_[pos] = id;
    ++size_;
  }

  /// Removes the entry at `pos` (0 to size - 1), shifting the tail left.
  void erase_at(std::uint32_t pos) noexcept {
    std::copy(begins_.get() + pos + 1, begins_.get() + size_, begins_.get() + pos);
    std::copy(lengths_.get() + pos + 1, lengths_.get() + size_, lengths_.get() + pos);
    std::copy(ids_.get() + pos + 1, ids_.get() + size_, ids_.get() + pos);
    --size_;
  }

  /// Appends the entries `[from, from + count)` of `source` to this block (which must have room)
  /// and leaves `source` untouched.
  void append_from(const index_block& source, std::uint32_t from, std::uint32_t count) noexcept {
    std::copy_n(source.begins_.get() + from, count, begins_.get() + size_);
    std::copy_n(source.lengths_.get() + from, count, lengths_.get() + size_);
    std::copy_n(source.ids_.get() + from, count, ids_.get() + size_);
    size_ += count;
  }

  /// Drops the entries from `new_size` on.
  void truncate(std::uint32_t new_size) noexcept { size_ = std::min(size_, new_size); }

  /// Heap bytes held by the three arrays.
  std::size_t heap_bytes() const noexcept {
    return std::size_t{capacity_} *
           (sizeof(std::int64_t) + sizeof(std::uint32_t) + sizeof(std::uint64_t));
  }

 private:
  std::unique_ptr<std::int64_t[]> begins_;    // seconds since the epoch (UTC), ascending
  std::unique_ptr<std::uint32_t[]> lengths_;  // end - begin, seconds, > 0
  std::unique_ptr<std::uint64_t[]> ids_;      // session ids
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;
};

}  // namespace slotbook::detail
