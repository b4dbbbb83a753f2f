#pragma once
/// \file busy_block.hpp
/// Busy time a provider has in an external calendar, as stored: it blocks slots and bookings like
/// a session does. The host reads the external calendar (`import_busy_times` in ical.hpp) and hands
/// the result to `booking_service::import_busy`, which replaces what was stored for that calendar.
///
///     slotbook::busy_block b;
///     b.provider = slotbook::provider_id{42};
///     b.source = "google:work";
///     b.uid = "a1b2@example.com";
///     b.time = {begin, end};
///     slotbook::validate(b);

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/session.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// The longest `busy_block::source`, in bytes.
inline constexpr std::size_t max_busy_source_bytes = 200;
/// The longest `busy_block::uid`, in bytes (RFC 5545 sets no limit; real UIDs are well below it).
inline constexpr std::size_t max_busy_uid_bytes = 1000;

/// One busy interval of a provider's external calendar.
///
/// Only what blocking needs is kept: the event's title, description and attendees are never
/// stored, because a therapist's own calendar may name clients or health matters.
struct busy_block {
  provider_id provider{};
  /// Which external calendar it came from, in the host's words (`"google:work"`, a file name):
  /// an import replaces the blocks of one source and leaves the others alone.
  std::string source;
  /// The event's UID (with `RECURRENCE-ID` or occurrence start for a recurring event's instance,
  /// as the importer gives it); for display and matching, not unique.
  std::string uid;
  interval time{};  ///< [begin, end) in UTC
  bool all_day = false;
  instant imported_at{};  ///< the import that stored it

  friend bool operator==(const busy_block&, const busy_block&) = default;
};

namespace detail {

/// `errc::invalid_argument` unless `source` is 1 to max_busy_source_bytes bytes of printable
/// text (no control characters): it is shown in listings and audit details.
inline void check_busy_source(std::string_view source, std::string_view field = "source") {
  if (source.empty() || source.size() > max_busy_source_bytes) {
    throw error(errc::invalid_argument, fmt::format("{}: {} is not 1 to {} bytes", field,
                                                    detail::quote(source), max_busy_source_bytes));
  }
  for (const char ch : source) {
    const auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f) {
      throw error(errc::invalid_argument,
                  fmt::format("{}: {} contains a control character", field, detail::quote(source)));
    }
  }
}

}  // namespace detail

/// Throws `errc::invalid_argument`, naming the field, unless `b` is storable: a provider id, a
/// valid source (1 to 200 bytes, no control characters), a uid of at most 1000 bytes without
/// control characters, a non-empty `time` of at most 366 days inside the supported years, and a
/// valid `imported_at`.
///
///     slotbook::validate(block);  // before storing it
inline void validate(const busy_block& b) {
  if (!b.provider.ok()) {
    throw error(errc::invalid_argument, "provider: a busy block needs a provider id");
  }
  detail::check_busy_source(b.source);
  if (b.uid.size() > max_busy_uid_bytes) {
    throw error(errc::invalid_argument, fmt::format("uid: {} bytes is over the limit of {}",
                                                    b.uid.size(), max_busy_uid_bytes));
  }
  for (const char ch : b.uid) {
    const auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f) {
      throw error(errc::invalid_argument,
                  fmt::format("uid: {} contains a control character", detail::quote(b.uid)));
    }
  }
  detail::check_session_instant(b.time.begin, "time.begin");
  detail::check_session_instant(b.time.end, "time.end");
  if (!b.time.ok() || b.time.duration() > date::days{366}) {
    throw error(errc::invalid_argument,
                fmt::format("time: {} is not a non-empty interval of at most 366 days (uid {})",
                            to_string(b.time), detail::quote(b.uid)));
  }
  detail::check_session_instant(b.imported_at, "imported_at");
}

/// The order stores list blocks in: by begin, then end, source, uid.
inline bool busy_block_before(const busy_block& a, const busy_block& b) noexcept {
  if (a.time.begin != b.time.begin) return a.time.begin < b.time.begin;
  if (a.time.end != b.time.end) return a.time.end < b.time.end;
  if (a.source != b.source) return a.source < b.source;
  return a.uid < b.uid;
}

namespace detail {

/// The checks every store's `replace_busy_blocks` makes before changing anything: a provider id,
/// a valid source, a non-empty window in the supported years, and blocks that are valid and of
/// that provider and source.
inline void check_busy_replacement(provider_id provider, std::string_view source,
                                   const interval& window, std::span<const busy_block> blocks) {
  if (!provider.ok()) {
    throw error(errc::invalid_argument, "provider: busy blocks need a provider id");
  }
  check_busy_source(source);
  check_session_instant(window.begin, "window.begin");
  check_session_instant(window.end, "window.end");
  if (!window.ok()) {
    throw error(errc::invalid_argument, fmt::format("window: {} is empty", to_string(window)));
  }
  for (const busy_block& b : blocks) {
    validate(b);
    if (b.provider != provider || b.source != source) {
      throw error(errc::invalid_argument,
                  fmt::format("blocks: block {} belongs to provider {} and source {}, not to "
                              "provider {} and source {}",
                              detail::quote(b.uid), to_string(b.provider), detail::quote(b.source),
                              to_string(provider), detail::quote(source)));
    }
  }
}

}  // namespace detail

}  // namespace slotbook
