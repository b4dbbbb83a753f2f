// A host application's wiring: what a C++ server embedding slotbook writes once at start-up.
//
// slotbook decides (is this time bookable? may this client cancel? what is refunded? which
// reminders are due?) and keeps the data; the host supplies the outside world through three small
// interfaces:
//   - slotbook::clock            where "now" comes from (production: slotbook::system_clock);
//   - slotbook::notifier         how a reminder reaches a client (email, SMS);
//   - slotbook::payment_gateway  how money goes back (M-Pesa, a card processor).
// This example implements all three, wires them into a booking_service over a sqlite_store, and
// plays one morning of traffic: a booking, a payment webhook, a change feed for browsers, a
// cancellation with a refund, reminders with one failed SMS retried, the audit check and the health
// probe. It checks its own results and exits non-zero if any is wrong (ctest runs it).

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "slotbook/booking_service.hpp"
#include "slotbook/clock.hpp"
#include "slotbook/notifier.hpp"
#include "slotbook/payment.hpp"
#include "slotbook/sqlite_store.hpp"

namespace {

using namespace std::chrono_literals;

// --- the host's clock ----------------------------------------------------------------------------
// A host replaying recorded traffic (or running its integration tests) drives time itself.
// Thread-safe, as the interface requires: request threads read it while the replay advances it.
class replay_clock final : public slotbook::clock {
 public:
  explicit replay_clock(slotbook::instant start) : seconds_(start.time_since_epoch().count()) {}
  slotbook::instant now() override { return slotbook::instant{std::chrono::seconds{seconds_}}; }
  void advance(std::chrono::seconds by) { seconds_ += by.count(); }

 private:
  std::atomic<std::int64_t> seconds_;
};

// --- the host's notifier -------------------------------------------------------------------------
// Emails always go through; the SMS provider rejects every first attempt (as a flaky upstream
// would), so the service's retry with backoff is visible. Messages carry ids, never notes or
// intake data: the host looks up the client's address itself.
class outbox_notifier final : public slotbook::notifier {
 public:
  slotbook::delivery send(const slotbook::reminder_message& m) override {
    const std::lock_guard lock{mutex_};
    if (m.channel == slotbook::reminder_channel::sms && m.attempt == 1) {
      ++failures;
      return slotbook::delivery::failed("SMS provider: 503 service unavailable");
    }
    sent.push_back(fmt::format("{} to client {}: your session {} with {} starts in {} (attempt {})",
                               slotbook::to_string(m.channel), m.client.value, m.booking_reference,
                               m.provider_name, slotbook::reminder_label(m.before), m.attempt));
    return slotbook::delivery::ok();
  }

  std::vector<std::string> sent;
  int failures = 0;

 private:
  std::mutex mutex_;
};

// --- the host's payment gateway ------------------------------------------------------------------
// Honours the idempotency key, as payment.hpp requires: a refund asked for twice (after a crash
// between the service's commit and the gateway's answer) is paid once.
class ledger_gateway final : public slotbook::payment_gateway {
 public:
  slotbook::refund_result refund(const slotbook::refund_request& r) override {
    const std::lock_guard lock{mutex_};
    if (const auto done = by_key_.find(r.idempotency_key); done != by_key_.end()) {
      return slotbook::refund_result::ok(done->second);
    }
    const std::string reference = fmt::format("RF-{:05}", by_key_.size() + 1);
    by_key_.emplace(r.idempotency_key, reference);
    paid_back_minor += r.amount.minor_units();
    return slotbook::refund_result::ok(reference);
  }

  std::int64_t paid_back_minor = 0;

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> by_key_;
};

int failures = 0;

void expect(bool ok, const std::string& what) {
  fmt::print("  [{}] {}\n", ok ? "ok" : "FAILED", what);
  if (!ok) ++failures;
}

}  // namespace

int main() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("slotbook-host-app-{}", ::getpid());
  fs::create_directories(dir);
  try {
    // Wiring: the store, the host's three implementations, the service. The store and the clock
    // must outlive the service; one service object serves every request thread.
    slotbook::sqlite_store store{(dir / "clinic.db").string()};
    replay_clock clock{slotbook::parse_instant("2026-01-10T08:00:00Z")};
    outbox_notifier notifier;
    ledger_gateway gateway;
    slotbook::service_options options;
    options.notifications = &notifier;
    options.payments = &gateway;
    options.preferences = [](slotbook::client_id) {  // from the host's user settings
      slotbook::reminder_preferences p;
      p.sms = true;
      return p;
    };
    slotbook::booking_service service{store, clock, options};

    // The change feed a host pushes to browsers over a WebSocket.
    std::vector<std::string> feed;
    const auto subscription = service.subscribe([&](const slotbook::change_event& e) {
      feed.push_back(fmt::format("{} {}", slotbook::to_string(e.kind), e.booking_reference));
    });

    // An admin sets up a provider: weekdays 09:00-17:00 in Nairobi, KES 1500.00 a session.
    slotbook::provider_profile kamau;
    kamau.id = slotbook::provider_id{42};
    kamau.name = "Dr. Wanjiru Kamau";
    kamau.hours.zone = "Africa/Nairobi";
    for (unsigned d = 1; d <= 5; ++d) kamau.hours.windows.push_back({date::weekday{d}, 9h, 17h});
    kamau.price = slotbook::money::kes(150000);
    service.put_provider(slotbook::actor::admin(slotbook::admin_id{1}), kamau);

    fmt::print("POST /api/sessions/book (client 7, Monday 10:00 EAT)\n");
    slotbook::booking_request request;
    request.provider = kamau.id;
    request.client = slotbook::client_id{7};
    request.scheduled_at = slotbook::parse_instant("2026-01-12T10:00:00+03:00");
    const auto booked = service.book(slotbook::actor::client(request.client), request);
    expect(booked.booking_reference == "BK-2026-000001", "the first reference of 2026");
    expect(booked.status == slotbook::session_status::pending_payment && booked.payment_required,
           "a priced session is held until paid");

    fmt::print("M-Pesa callback: paid\n");
    const auto paid =
        service.confirm_payment(slotbook::actor::system(), booked.session, "mpesa", "QK7H2XYZ");
    expect(paid.outcome == slotbook::payment_outcome::scheduled, "the payment schedules it");

    fmt::print("POST /api/sessions/book (client 8, the same time)\n");
    try {
      request.client = slotbook::client_id{8};
      (void)service.book(slotbook::actor::client(request.client), request);
      expect(false, "the taken time is refused");
    } catch (const slotbook::error& e) {
      expect(e.code() == slotbook::errc::conflict, fmt::format("409: {}", e.what()));
    }

    fmt::print("Client 8 books Tuesday 10:00 instead, pays, then cancels days ahead\n");
    request.scheduled_at = slotbook::parse_instant("2026-01-13T10:00:00+03:00");
    const auto second = service.book(slotbook::actor::client(request.client), request);
    (void)service.confirm_payment(slotbook::actor::system(), second.session, "card", "CH-1");
    clock.advance(1h);
    const auto cancelled =
        service.cancel(slotbook::actor::client(request.client), second.session, "travelling");
    expect(cancelled.refund.state == slotbook::refund_state::refunded &&
               gateway.paid_back_minor == 150000,
           fmt::format("refunded {} through the gateway ({})",
                       slotbook::to_string(cancelled.refund.amount),
                       cancelled.refund.gateway_reference));

    fmt::print("The reminder worker runs on Sunday at 08:00Z, and again a minute later\n");
    clock.advance(23h);  // 2026-01-11T08:00:00Z: the 24 h reminders fell due an hour ago
    const auto first_run = service.run_reminders();
    clock.advance(1min);  // the failed SMS is retried after one minute
    const auto second_run = service.run_reminders();
    for (const std::string& line : notifier.sent) fmt::print("  sent: {}\n", line);
    expect(first_run.claimed == 2 && first_run.sent == 1 && first_run.retrying == 1,
           "the 24 h email went out, the SMS failed and waits for a retry");
    expect(second_run.sent == 1 && notifier.failures == 1, "the retried SMS went out");

    fmt::print("Change feed: ");
    for (const std::string& e : feed) fmt::print("[{}] ", e);
    fmt::print("\n");
    expect(!feed.empty() && feed.front() == "booked BK-2026-000001",
           "browsers hear about the booking first");

    const auto audit = service.verify_audit();
    expect(audit.ok(), fmt::format("audit chain intact ({} entries)", audit.checked));
    const auto health = service.health();
    expect(health.status == slotbook::health_status::healthy, "GET /api/sessions/health: healthy");
  } catch (const std::exception& e) {
    fmt::print("unexpected error: {}\n", e.what());
    ++failures;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (failures != 0) {
    fmt::print("host_app: {} check(s) failed\n", failures);
    return 1;
  }
  fmt::print("host_app: all good\n");
  return 0;
}
