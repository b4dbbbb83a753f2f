#pragma once
/// \file clock.hpp
/// "What time is it?": the one place the booking service learns the current instant.
///
/// The pure core never reads a clock; it takes `now` as an argument. `booking_service` asks a
/// `clock` once at the start of every operation and passes that instant to every rule it applies
/// within the operation, so one operation never sees two different "nows". Hosts use
/// `system_clock`; tests and simulations use `settable_clock` to place every operation at a chosen
/// instant.

#include <atomic>
#include <chrono>

#include "slotbook/time.hpp"

namespace slotbook {

/// The source of the current instant. Implementations must be safe to call from several threads
/// at once (the service calls `now()` from whichever thread runs an operation).
///
///     struct frozen_clock final : slotbook::clock {
///       slotbook::instant now() override { return slotbook::parse_instant("2026-01-15T08:00:00Z");
///       }
///     };
class clock {
 public:
  virtual ~clock() = default;
  /// The current UTC instant, in whole seconds.
  virtual instant now() = 0;

 protected:
  clock() = default;
  clock(const clock&) = default;
  clock& operator=(const clock&) = default;
};

/// The operating system's real-time clock (`std::chrono::system_clock`), truncated to whole
/// seconds. Stateless and thread-safe.
///
///     slotbook::system_clock wall;
///     slotbook::booking_service service(store, wall);
class system_clock final : public clock {
 public:
  instant now() override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

/// A clock that says whatever it was last set to: for tests, simulations and replays. Thread-safe
/// (the instant is an atomic), so one thread may advance it while others run operations.
///
///     slotbook::settable_clock at{slotbook::parse_instant("2026-01-14T08:00:00Z")};
///     at.advance(std::chrono::hours{2});   // now 2026-01-14T10:00:00Z
class settable_clock final : public clock {
 public:
  /// Starts at `start`.
  explicit settable_clock(instant start) noexcept : seconds_(start.time_since_epoch().count()) {}

  instant now() override { return instant{std::chrono::seconds{seconds_.load()}}; }
  /// Moves the clock to `t` (backwards too: a test may replay a moment).
  void set(instant t) noexcept { seconds_.store(t.time_since_epoch().count()); }
  /// Moves the clock forward by `d` (backward for a negative `d`).
  void advance(std::chrono::seconds d) noexcept { seconds_.fetch_add(d.count()); }

 private:
  std::atomic<std::chrono::seconds::rep> seconds_;
};

}  // namespace slotbook
