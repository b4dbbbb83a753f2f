#pragma once
/// \file ids.hpp
/// "Whose is this?": strong id types, so a client id cannot be passed where a provider id is wanted.
///
/// Ids are 64-bit integers. Session ids are assigned by the store; provider and client ids are the
/// host's own (a host whose users have string or UUID keys keeps a mapping table). Zero means "no id".

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace slotbook {

/// A 64-bit id that only compares with ids of the same `Tag`.
///
///     slotbook::provider_id p{42};
///     slotbook::client_id c{42};
///     // p == c;  // does not compile
template <class Tag>
struct strong_id {
  std::uint64_t value{};

  constexpr strong_id() noexcept = default;
  constexpr explicit strong_id(std::uint64_t v) noexcept : value(v) {}

  /// True for any id but the zero "no id".
  constexpr bool ok() const noexcept { return value != 0; }

  friend constexpr bool operator==(strong_id, strong_id) noexcept = default;
  friend constexpr auto operator<=>(strong_id, strong_id) noexcept = default;
};

using session_id = strong_id<struct session_tag>;    ///< a booked session (one booking)
using provider_id = strong_id<struct provider_tag>;  ///< a psychologist or other provider
using client_id = strong_id<struct client_tag>;      ///< a client who books
using series_id = strong_id<struct series_tag>;      ///< a recurring series of sessions

/// The decimal id, for messages and logs.
template <class Tag>
std::string to_string(strong_id<Tag> id) {
  return std::to_string(id.value);
}

}  // namespace slotbook

template <class Tag>
struct std::hash<slotbook::strong_id<Tag>> {
  std::size_t operator()(slotbook::strong_id<Tag> id) const noexcept {
    // splitmix64 finaliser: sequential ids spread over all buckets.
    std::uint64_t z = id.value + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<std::size_t>(z ^ (z >> 31));
  }
};
