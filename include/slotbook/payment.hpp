#pragma once
/// \file payment.hpp
/// "How does money go back?": the payment-gateway interface the host implements for refunds.
///
/// The booking service never holds a storage transaction open while it talks to a gateway: it
/// first records the refund decision (the session's `refunded_minor`, an audit entry) and commits,
/// then asks the gateway, then records the gateway's answer in the audit log. A crash between the
/// commit and the answer leaves a `cancel` (or `status`) audit entry with a refund and no `refund`
/// or `refund_failed` entry after it: that is the reconciliation signal (docs/service.md).
/// Because a refund may therefore be asked for again, every request carries an idempotency key the
/// gateway must honour.

#include <string>
#include <utility>

#include "slotbook/ids.hpp"
#include "slotbook/money.hpp"

namespace slotbook {

/// One refund to make.
struct refund_request {
  std::string transaction_id{};     ///< the payment provider's id of the original payment
  money amount{};                   ///< how much to pay back (> 0)
  session_id session{};             ///< which booking
  std::string booking_reference{};  ///< `BK-2026-001234`, for the gateway's records
  /// `<booking reference>/refund/<refunded_minor after this refund>`: the same refund asked for
  /// twice has the same key, a later partial refund a different one.
  std::string idempotency_key{};
};

/// The gateway's answer.
///
///     return slotbook::refund_result::ok("RF-8812");
struct refund_result {
  bool refunded{false};
  std::string gateway_reference{};  ///< the gateway's id of the refund, when made
  std::string error{};              ///< why not; short text for the audit log

  /// Made, with the gateway's own reference.
  static refund_result ok(std::string reference) { return {true, std::move(reference), {}}; }
  /// Not made, because of `why`.
  static refund_result failed(std::string why) { return {false, {}, std::move(why)}; }
};

/// Makes refunds. Implemented by the host (M-Pesa, a card processor, ...).
///
/// `refund` is called after the storage transaction that decided the refund has committed, on the
/// thread of the operation that decided it, never while a store lock is held. It may block and may
/// throw: an exception counts as a failure with its `what()` as the error text.
///
///     struct mpesa_gateway final : slotbook::payment_gateway {
///       slotbook::refund_result refund(const slotbook::refund_request& r) override {
///         auto id = mpesa.reverse(r.transaction_id, r.amount.minor_units(), r.idempotency_key);
///         return id ? slotbook::refund_result::ok(*id) : slotbook::refund_result::failed("b2c");
///       }
///     };
class payment_gateway {
 public:
  virtual ~payment_gateway() = default;
  /// Pays `request.amount` back on `request.transaction_id`, or says why not.
  virtual refund_result refund(const refund_request& request) = 0;

 protected:
  payment_gateway() = default;
  payment_gateway(const payment_gateway&) = default;
  payment_gateway& operator=(const payment_gateway&) = default;
};

}  // namespace slotbook
