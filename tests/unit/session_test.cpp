// The session record: enum names, the invariants validate() enforces, who acts for a session.
#include "slotbook/session.hpp"

#include <limits>
#include <string>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::errc;
using slotbook::instant;
using slotbook::money;
using slotbook::payment_status;
using slotbook::session;
using slotbook::session_status;
using slotbook::session_type;

using slotbook::testing::at;
using slotbook::testing::expect_error;

namespace {

// A paid, scheduled session of client 7 with provider 42, Jan 15 2026 10:00-11:00 UTC.
session paid_session() {
  session s;
  s.id = slotbook::session_id{1};
  s.client = slotbook::client_id{7};
  s.provider = slotbook::provider_id{42};
  s.scheduled_at = at("2026-01-15T10:00:00Z");
  s.duration = 60min;
  s.status = session_status::scheduled;
  s.booking_reference = "BK-2026-001234";
  s.amount = money::kes(150000);
  s.payment = payment_status::paid;
  s.created_at = s.updated_at = at("2026-01-10T08:00:00Z");
  return s;
}

}  // namespace

TEST_CASE("statuses print as the original API's lowercase names and parse back") {
  using enum session_status;
  const std::pair<session_status, std::string_view> names[] = {{pending_payment, "pending_payment"},
                                                               {scheduled, "scheduled"},
                                                               {confirmed, "confirmed"},
                                                               {in_progress, "in_progress"},
                                                               {completed, "completed"},
                                                               {cancelled, "cancelled"},
                                                               {no_show, "no_show"}};
  for (const auto& [status, name] : names) {
    CHECK(slotbook::to_string(status) == name);
    CHECK(slotbook::parse_session_status(name) == status);
  }
}

TEST_CASE("session types print as initial, follow_up and emergency and parse back") {
  using enum session_type;
  const std::pair<session_type, std::string_view> names[] = {
      {initial, "initial"}, {follow_up, "follow_up"}, {emergency, "emergency"}};
  for (const auto& [type, name] : names) {
    CHECK(slotbook::to_string(type) == name);
    CHECK(slotbook::parse_session_type(name) == type);
  }
}

TEST_CASE("payment statuses print as pending, paid and refunded and parse back") {
  using enum payment_status;
  const std::pair<payment_status, std::string_view> names[] = {
      {pending, "pending"}, {paid, "paid"}, {refunded, "refunded"}};
  for (const auto& [payment, name] : names) {
    CHECK(slotbook::to_string(payment) == name);
    CHECK(slotbook::parse_payment_status(name) == payment);
  }
}

TEST_CASE("an unknown enum name is invalid_argument naming the field, the text and the choices") {
  expect_error(
      [] { (void)slotbook::parse_session_status("Scheduled", "status"); }, errc::invalid_argument,
      {"status:", "\"Scheduled\"", "is not a session status", "pending_payment", "no_show"});
  expect_error([] { (void)slotbook::parse_session_status(" scheduled"); }, errc::invalid_argument,
               {"status:", "\" scheduled\""});
  expect_error([] { (void)slotbook::parse_session_type("workshop", "sessionType"); },
               errc::invalid_argument, {"sessionType:", "\"workshop\"", "follow_up", "group"});
  expect_error([] { (void)slotbook::parse_payment_status("", "paymentStatus"); },
               errc::invalid_argument, {"paymentStatus:", "\"\"", "refunded"});
}

TEST_CASE("completed, cancelled and no_show are the terminal statuses") {
  using enum session_status;
  CHECK(slotbook::is_terminal(completed));
  CHECK(slotbook::is_terminal(cancelled));
  CHECK(slotbook::is_terminal(no_show));
  CHECK_FALSE(slotbook::is_terminal(pending_payment));
  CHECK_FALSE(slotbook::is_terminal(scheduled));
  CHECK_FALSE(slotbook::is_terminal(confirmed));
  CHECK_FALSE(slotbook::is_terminal(in_progress));
}

TEST_CASE("a session occupies the half-open interval from its start for its duration") {
  const session s = paid_session();
  const slotbook::interval i = slotbook::session_interval(s);
  CHECK(i.begin == at("2026-01-15T10:00:00Z"));
  CHECK(i.end == at("2026-01-15T11:00:00Z"));
}

TEST_CASE("the refunded amount is money in the session's currency") {
  session s = paid_session();
  s.amount = money{5000, slotbook::currency::parse("USD")};
  s.refunded_minor = 2500;
  s.payment = payment_status::refunded;
  CHECK(slotbook::refunded_amount(s) == money{2500, slotbook::currency::parse("USD")});
}

TEST_CASE("the session's own client and provider, any admin and the system act for it") {
  const session s = paid_session();
  CHECK(slotbook::acts_for(actor::client(slotbook::client_id{7}), s));
  CHECK(slotbook::acts_for(actor::provider(slotbook::provider_id{42}), s));
  CHECK(slotbook::acts_for(actor::admin(slotbook::admin_id{1}), s));
  CHECK(slotbook::acts_for(actor::system(), s));
}

TEST_CASE("another client or provider does not act for a session") {
  const session s = paid_session();
  CHECK_FALSE(slotbook::acts_for(actor::client(slotbook::client_id{8}), s));
  CHECK_FALSE(slotbook::acts_for(actor::provider(slotbook::provider_id{43}), s));
  // Client 42 is not provider 42, even though the numbers match.
  CHECK_FALSE(slotbook::acts_for(actor::client(slotbook::client_id{42}), s));
}

TEST_CASE("a well-formed session passes validation") {
  CHECK_NOTHROW(slotbook::validate(paid_session()));
  session completed = paid_session();
  completed.status = session_status::completed;
  completed.joined_at = at("2026-01-15T10:01:00Z");
  completed.ended_at = at("2026-01-15T10:55:00Z");
  completed.actual_duration = 54min;
  CHECK_NOTHROW(slotbook::validate(completed));
}

TEST_CASE("a session without client, provider or positive duration is invalid") {
  session s = paid_session();
  s.client = {};
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument,
               {"client:", "session 1", "no client id"});
  s = paid_session();
  s.provider = {};
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"provider:"});
  s = paid_session();
  s.duration = 0min;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"duration:", "0 min"});
  s.duration = -30min;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"duration:", "-30 min"});
}

TEST_CASE("a negative amount or a refund outside zero to the amount is invalid") {
  session s = paid_session();
  s.amount = money::kes(-1);
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"amount:", "KES -0.01"});
  s = paid_session();
  s.payment = payment_status::refunded;
  s.refunded_minor = 150001;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument,
               {"refunded_minor:", "KES 1500.01", "KES 1500.00"});
  s.refunded_minor = -1;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"refunded_minor:"});
}

TEST_CASE("payment is refunded exactly when something was refunded") {
  session s = paid_session();
  s.refunded_minor = 100;  // but payment says paid
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"payment:", "paid"});
  s = paid_session();
  s.payment = payment_status::refunded;  // but nothing refunded
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"payment:", "refunded"});
}

TEST_CASE("a malformed booking reference is invalid, an empty one is not yet assigned") {
  session s = paid_session();
  s.booking_reference = "BK-2026-12";
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument,
               {"booking_reference:", "\"BK-2026-12\""});
  s.booking_reference.clear();
  CHECK_NOTHROW(slotbook::validate(s));
}

TEST_CASE("status and timestamps must agree") {
  session s = paid_session();
  s.status = session_status::in_progress;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"joined_at:"});

  s = paid_session();
  s.status = session_status::completed;
  s.joined_at = at("2026-01-15T10:00:00Z");
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"ended_at:"});

  s.ended_at = at("2026-01-15T09:59:00Z");
  s.actual_duration = -60s;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument,
               {"ended_at:", "before it was joined"});

  s.ended_at = at("2026-01-15T11:00:00Z");
  s.actual_duration = 59min;  // but it ran 60
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument,
               {"actual_duration:", "3540s"});

  s = paid_session();
  s.status = session_status::cancelled;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"cancelled_at:"});
}

TEST_CASE("a session rescheduled from or to itself is invalid") {
  session s = paid_session();
  s.rescheduled_from = s.id;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"rescheduled_from:"});
  s = paid_session();
  s.rescheduled_to = s.id;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"rescheduled_from:"});
}

TEST_CASE("a negative reschedule count is invalid") {
  session s = paid_session();
  s.reschedule_count = -1;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"reschedule_count:"});
}

TEST_CASE("a session longer than a day or at an instant outside years 1 to 9999 is invalid") {
  session s = paid_session();
  s.duration = 24h;
  CHECK_NOTHROW(slotbook::validate(s));
  s.duration = 24h + 1min;
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"duration:", "1441 min"});
  s = paid_session();
  s.scheduled_at = instant{std::chrono::seconds{253'402'300'800}};  // 10000-01-01T00:00:00Z
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument,
               {"scheduled_at:", "253402300800", "years 1 to 9999"});
  s = paid_session();
  s.joined_at = instant{std::chrono::seconds{std::numeric_limits<std::int64_t>::min()}};
  expect_error([&] { slotbook::validate(s); }, errc::invalid_argument, {"joined_at:"});
}
