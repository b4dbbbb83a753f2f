#pragma once
// One block of slotbook::interval_index: up to `capacity` bookings of one provider, sorted by
// begin, stored as struct-of-arrays in one cache-line-aligned allocation:
//
//   [begins: slots] [ids: slots] [lengths: slots]
//
// `slots` is the capacity rounded up to a power of two, at least 8. Begins past `size` hold
// INT64_MAX, so a search never needs the size. The block is read as 8 groups of `slots / 8`
// entries (32 for the default capacity of 256); the first begin of each group is the block's
// summary, which the index keeps in its directory (index_directory.hpp). A search finds the
// group there and then reads only that group: 4 lines of begins and 2 of lengths, fetched at
// once. Lengths are 32-bit seconds (136 years), which is what keeps a booking at 20 bytes in a
// full block.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <utility>

namespace slotbook::detail {

/// Padding value of unused key slots: no begin equals it, since a begin is less than its end.
inline constexpr std::int64_t index_key_max = std::numeric_limits<std::int64_t>::max();

/// Asks the CPU to start loading the cache line holding `p` (a hint; a no-op where unsupported).
inline void index_prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

/// How many of the `n` sorted keys at `first` are less than `key`, for `n` a power of two.
///
/// Branch-free with a trip count fixed by `n`: each step adds 0 or the step (written as a multiply,
/// which compilers keep branch-free where they turn a `?:` into a jump), so the search never
/// mispredicts and the CPU can start the next one while this one waits for memory.
inline std::size_t index_count_below_pow2(const std::int64_t* first, std::size_t n,
                                          std::int64_t key) noexcept {
  std::size_t pos = 0;
  for (std::size_t step = n / 2; step > 0; step /= 2) {
    pos += static_cast<std::size_t>(first[pos + step - 1] < key) * step;
  }
  return pos + static_cast<std::size_t>(first[pos] < key);
}

/// The index of the last of the `N` sorted keys at `first` that is less than `key`, or 0 when none
/// is (`max(count below, 1) - 1`), for `N` a power of two: which line of the level below to read
/// next. One step fewer than counting, since "none" and "only the first" lead to the same line.
/// The multiply keeps compilers from turning a step into a branch.
template <std::size_t N>
inline std::size_t index_last_below(const std::int64_t* first, std::int64_t key) noexcept {
  static_assert(std::has_single_bit(N));
  std::size_t pos = 0;
  for (std::size_t step = N / 2; step > 0; step /= 2) {
    pos += static_cast<std::size_t>(first[pos + step] < key) * step;
  }
  return pos;
}

/// A sorted run of entries with its own capacity (grown by doubling up to the index's block
/// capacity, so a provider with three bookings does not pay for 256). Positions and sizes are
/// 32-bit: a block never holds more than 65536 entries. The block does not check order or overlap;
/// `interval_index` does.
class index_block {
 public:
  /// Groups per block, and so keys per summary: one 64-byte line of begins.
  static constexpr std::uint32_t group_count = 8;

  index_block() noexcept = default;
  explicit index_block(std::uint32_t capacity) { reserve(capacity); }

  index_block(const index_block& other) {
    reserve(other.capacity_);
    append_from(other, 0, other.size_);
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
  ~index_block() { release(data_); }

  void swap(index_block& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    std::swap(slots_, other.slots_);
    std::swap(group_shift_, other.group_shift_);
  }

  std::uint32_t size() const noexcept { return size_; }
  std::uint32_t capacity() const noexcept { return capacity_; }

  std::int64_t begin_at(std::uint32_t i) const noexcept { return begins()[i]; }
  std::uint32_t length_at(std::uint32_t i) const noexcept { return lengths()[i]; }
  // begin + length cannot overflow: it is the end of an interval that was representable.
  std::int64_t end_at(std::uint32_t i) const noexcept {
    return begins()[i] + static_cast<std::int64_t>(lengths()[i]);
  }
  std::uint64_t id_at(std::uint32_t i) const noexcept { return ids()[i]; }

  /// Where a search finds a block's arrays without reading the block object: the address of its
  /// allocation with log2(slots) in the low 6 bits (the allocation is 64-byte aligned). It lives
  /// in the directory, in the one summary slot a search never compares (see `summarize`), and is
  /// valid until the block reallocates (`reserve`) or is destroyed.
  std::int64_t token() const noexcept {
    const std::uintptr_t address = reinterpret_cast<std::uintptr_t>(data_);
    return static_cast<std::int64_t>(address |
                                     static_cast<std::uintptr_t>(std::countr_zero(slots_)));
  }

  /// A block's arrays as a search reads them, decoded from its token.
  struct view {
    const std::int64_t* begins;
    const std::uint32_t* lengths;
    std::uint32_t group_shift;  // log2(group size)

    explicit view(std::int64_t token) noexcept {
      const auto bits = static_cast<std::uintptr_t>(token);
      const auto* data = reinterpret_cast<const std::byte*>(bits & ~std::uintptr_t{63});
      const auto log_slots = static_cast<std::uint32_t>(bits & 63);
      begins = reinterpret_cast<const std::int64_t*>(data);
      lengths = reinterpret_cast<const std::uint32_t*>(
          data + (std::size_t{1} << log_slots) * (sizeof(std::int64_t) + sizeof(std::uint64_t)));
      group_shift = log_slots - 3;  // 8 groups
    }

    std::int64_t end_at(std::uint32_t i) const noexcept {
      return begins[i] + static_cast<std::int64_t>(lengths[i]);
    }

    /// Entries whose begin is `< key`, given `group`: the last group whose first begin is `< key`
    /// (or 0), as the summary tells. Reads that group only, and starts loading its lengths too,
    /// since every caller reads the length just before the position it returns.
    std::uint32_t count_below(std::int64_t key, std::uint32_t group) const noexcept {
      const std::uint32_t from = group << group_shift;
      const std::int64_t* first = begins + from;
      const std::uint32_t* length = lengths + from;
      if (group_shift == 5) {  // the default capacity of 256: 4 lines of begins, 2 of lengths
        index_prefetch(first);
        index_prefetch(first + 8);
        index_prefetch(first + 16);
        index_prefetch(first + 24);
        index_prefetch(length);
        index_prefetch(length + 16);
        return from + static_cast<std::uint32_t>(index_count_below_pow2(first, 32, key));
      }
      // Smaller groups fit a line or two; in a larger one (capacities above 256) the binary
      // search reads only a few of its lines, so those are left to it.
      index_prefetch(first);
      index_prefetch(length);
      return from + static_cast<std::uint32_t>(
                        index_count_below_pow2(first, std::size_t{1} << group_shift, key));
    }
  };

  /// Writes the block's summary line to `out[0..8)`: its token, then the first begin of groups 1
  /// to 7 (index_key_max for a group past the size). Group 0's first begin is the block's first
  /// begin, which the directory keeps on the level above; a search of a summary line never
  /// compares slot 0 (`index_last_below`), which is what frees it for the token.
  void summarize(std::int64_t* out) const noexcept {
    out[0] = token();
    for (std::uint32_t g = 1; g < group_count; ++g) out[g] = begins()[g << group_shift_];
  }

  /// Grows the arrays to hold `capacity` entries; never shrinks. Strong guarantee on bad_alloc.
  void reserve(std::uint32_t capacity) {
    if (capacity <= capacity_) return;
    const std::uint32_t slots = std::max<std::uint32_t>(group_count, std::bit_ceil(capacity));
    if (slots != slots_) {
      index_block grown;
      grown.data_ = allocate(slots);
      grown.slots_ = slots;
      grown.group_shift_ = static_cast<std::uint32_t>(std::countr_zero(slots / group_count));
      std::fill_n(grown.begins(), slots, index_key_max);
      grown.capacity_ = capacity;
      grown.append_from(*this, 0, size_);
      swap(grown);
    }
    capacity_ = capacity;
  }

  /// Inserts at `pos` (0 to size), shifting the tail right. Requires `size() < capacity()`.
  void insert_at(std::uint32_t pos, std::int64_t begin, std::uint32_t length,
                 std::uint64_t id) noexcept {
    std::copy_backward(begins() + pos, begins() + size_, begins() + size_ + 1);
    std::copy_backward(lengths() + pos, lengths() + size_, lengths() + size_ + 1);
    std::copy_backward(ids() + pos, ids() + size_, ids() + size_ + 1);
    begins()[pos] = begin;
    lengths()[pos] = length;
    ids()[pos] = id;
    ++size_;
  }

  /// Removes the entry at `pos` (0 to size - 1), shifting the tail left.
  void erase_at(std::uint32_t pos) noexcept {
    std::copy(begins() + pos + 1, begins() + size_, begins() + pos);
    std::copy(lengths() + pos + 1, lengths() + size_, lengths() + pos);
    std::copy(ids() + pos + 1, ids() + size_, ids() + pos);
    --size_;
    begins()[size_] = index_key_max;
  }

  /// Appends the entries `[from, from + count)` of `source` to this block (which must have room)
  /// and leaves `source` untouched.
  void append_from(const index_block& source, std::uint32_t from, std::uint32_t count) noexcept {
    if (count == 0) return;
    std::copy_n(source.begins() + from, count, begins() + size_);
    std::copy_n(source.lengths() + from, count, lengths() + size_);
    std::copy_n(source.ids() + from, count, ids() + size_);
    size_ += count;
  }

  /// Drops the entries from `new_size` on.
  void truncate(std::uint32_t new_size) noexcept {
    if (new_size >= size_) return;
    std::fill(begins() + new_size, begins() + size_, index_key_max);
    size_ = new_size;
  }

  /// Checks what the index cannot see: the padding past the size. For tests; O(capacity).
  bool padding_holds() const noexcept {
    if (data_ == nullptr) return size_ == 0 && capacity_ == 0;
    if (size_ > capacity_ || capacity_ > slots_) return false;
    return std::all_of(begins() + size_, begins() + slots_,
                       [](std::int64_t b) { return b == index_key_max; });
  }

  /// Heap bytes held by the allocation.
  std::size_t heap_bytes() const noexcept { return data_ == nullptr ? 0 : bytes_for(slots_); }

 private:
  static constexpr std::align_val_t alignment{64};

  // Every array starts on a cache line: slots is a multiple of 8.
  std::size_t ids_offset() const noexcept { return std::size_t{slots_} * sizeof(std::int64_t); }
  std::size_t lengths_offset() const noexcept {
    return ids_offset() + std::size_t{slots_} * sizeof(std::uint64_t);
  }
  static std::size_t bytes_for(std::uint32_t slots) noexcept {
    return std::size_t{slots} *
           (sizeof(std::int64_t) + sizeof(std::uint64_t) + sizeof(std::uint32_t));
  }
  static std::byte* allocate(std::uint32_t slots) {
    return static_cast<std::byte*>(::operator new(bytes_for(slots), alignment));
  }
  static void release(std::byte* data) noexcept {
    if (data != nullptr) ::operator delete(data, alignment);
  }

  // The allocation holds implicitly created arrays of each type ([intro.object]/10 in C++20).
  std::int64_t* begins() noexcept { return reinterpret_cast<std::int64_t*>(data_); }
  const std::int64_t* begins() const noexcept {
    return reinterpret_cast<const std::int64_t*>(data_);
  }
  std::uint64_t* ids() noexcept { return reinterpret_cast<std::uint64_t*>(data_ + ids_offset()); }
  const std::uint64_t* ids() const noexcept {
    return reinterpret_cast<const std::uint64_t*>(data_ + ids_offset());
  }
  std::uint32_t* lengths() noexcept {
    return reinterpret_cast<std::uint32_t*>(data_ + lengths_offset());
  }
  const std::uint32_t* lengths() const noexcept {
    return reinterpret_cast<const std::uint32_t*>(data_ + lengths_offset());
  }

  std::byte* data_ = nullptr;  // see the file comment; null until the first reserve
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;     // most entries, as the index asked for
  std::uint32_t slots_ = 0;        // capacity rounded up to a power of two, at least 8
  std::uint32_t group_shift_ = 0;  // log2(slots / 8)
};

}  // namespace slotbook::detail
