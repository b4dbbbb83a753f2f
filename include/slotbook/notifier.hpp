#pragma once
/// \file notifier.hpp
/// "How does a reminder reach the client?": the interface the host implements to send reminder
/// emails and SMS.
///
/// slotbook decides *when* a reminder is due and makes sure two workers never send the same one
/// (see `booking_service::due_reminders`); the host decides *how* it is worded and delivered. A
/// `notifier` gets one `reminder_message` at a time and answers delivered or failed with a short
/// error text; a failed reminder is retried with exponential backoff until the service's
/// `reminder_retry.max_attempts`, then given up.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "slotbook/ids.hpp"
#include "slotbook/reminders.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// Everything a reminder template needs, and nothing more: no notes, no intake data.
struct reminder_message {
  std::int64_t reminder{};        ///< the queue id (stable across retries: use it to deduplicate)
  std::int32_t attempt{};         ///< 1 for the first try, 2 for the first retry, ...
  reminder_channel channel{};     ///< email or SMS
  std::chrono::minutes before{};  ///< the plan offset: "your session starts in 2 hours"
  instant due{};                  ///< when it was due
  session_id session{};
  std::string booking_reference{};  ///< `BK-2026-001234`
  client_id client{};               ///< who receives it (the host looks up the address)
  provider_id provider{};
  std::string provider_name{};      ///< the provider's display name
  instant scheduled_at{};           ///< the session's start (UTC)
  std::chrono::minutes duration{};  ///< the session's length
};

/// What the notifier answers.
///
///     return slotbook::delivery::failed("SMTP 451: try again later");
struct delivery {
  bool delivered{false};
  std::string error{};  ///< why not; short, never health data (it is stored with the reminder)

  /// Sent.
  static delivery ok() { return {true, {}}; }
  /// Not sent, because of `why`.
  static delivery failed(std::string why) { return {false, std::move(why)}; }
};

/// Sends reminders. Implemented by the host.
///
/// `send` is called by `booking_service::run_reminders` outside any storage transaction, on the
/// caller's thread. It may block (an SMTP round trip) and may throw: an exception counts as a
/// failure with its `what()` as the error text. Keep `send` within the service's
/// `reminder_retry.lease` (default 5 minutes): after that the reminder may be claimed again by
/// another worker.
///
///     struct smtp_notifier final : slotbook::notifier {
///       slotbook::delivery send(const slotbook::reminder_message& m) override {
///         return mailer.send(address_of(m.client), render(m)) ? slotbook::delivery::ok()
///                                                             :
///                                                             slotbook::delivery::failed("smtp");
///       }
///     };
class notifier {
 public:
  virtual ~notifier() = default;
  /// Delivers one reminder, or says why not.
  virtual delivery send(const reminder_message& message) = 0;

 protected:
  notifier() = default;
  notifier(const notifier&) = default;
  notifier& operator=(const notifier&) = default;
};

}  // namespace slotbook
