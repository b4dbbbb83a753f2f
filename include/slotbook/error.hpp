#pragma once
/// \file error.hpp
/// What went wrong, as a value a caller can branch on: `slotbook::error` carries an `errc`.
///
/// Domain decisions (is this slot bookable? may this client cancel?) are returned as values with a
/// reason code; `error` is thrown only for failures: bad input, a missing record, a conflict found
/// while writing, storage or crypto trouble. Every message names the offending field and value, e.g.
/// `scheduled_at: "2026-13-01T10:00:00Z" is not a valid ISO-8601 instant (month 13 out of range)`.

#include <stdexcept>
#include <string>
#include <string_view>

namespace slotbook {

/// Error classes. They map 1:1 onto Python exception classes and HTTP statuses.
enum class errc {
  invalid_argument = 1,  ///< malformed or out-of-range input (HTTP 400)
  not_found,             ///< no such session, provider, form, ... (HTTP 404)
  conflict,              ///< the time is taken, or the record changed underneath (HTTP 409)
  outside_availability,  ///< the provider does not work then (HTTP 422)
  policy_denied,         ///< a policy refuses it: notice, horizon, reschedule limit (HTTP 422)
  forbidden,             ///< the actor may not do this (HTTP 403)
  storage,               ///< the store failed: I/O, corruption, schema too new (HTTP 503)
  crypto,                ///< a key is missing or a ciphertext does not authenticate (HTTP 500)
};

/// The lowercase name of an error class, e.g. `"invalid_argument"`.
constexpr std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument: return "invalid_argument";
    case errc::not_found: return "not_found";
    case errc::conflict: return "conflict";
    case errc::outside_availability: return "outside_availability";
    case errc::policy_denied: return "policy_denied";
    case errc::forbidden: return "forbidden";
    case errc::storage: return "storage";
    case errc::crypto: return "crypto";
  }
  return "unknown";
}

/// The one exception type slotbook throws.
///
///     try { auto t = slotbook::parse_instant(text); }
///     catch (const slotbook::error& e) { if (e.code() == slotbook::errc::invalid_argument) ... }
class error : public std::runtime_error {
 public:
  /// Whether running the whole operation again may succeed.
  enum class recovery {
    none,   ///< the same call fails the same way
    retry,  ///< the backend rolled the transaction back to settle a race with another one
  };

  error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  /// An error with an explicit recovery hint, e.g. PostgreSQL's serialization failure:
  ///
  ///     throw slotbook::error(errc::storage, "...", slotbook::error::recovery::retry);
  error(errc code, const std::string& message, recovery r)
      : std::runtime_error(message), code_(code), recovery_(r) {}

  /// The error class.
  errc code() const noexcept { return code_; }

  /// True when nothing was changed and the operation may succeed if run again from the start
  /// (`booking_service` does so itself, up to `service_options::transient_attempts` times).
  bool transient() const noexcept { return recovery_ == recovery::retry; }

 private:
  errc code_;
  recovery recovery_ = recovery::none;
};

}  // namespace slotbook
