// Dashboard analytics over a provider's sessions in a time range.
#include "slotbook/analytics.hpp"

#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using namespace std::chrono_literals;
using slotbook::analyze_sessions;
using slotbook::currency;
using slotbook::errc;
using slotbook::instant;
using slotbook::interval;
using slotbook::money;
using slotbook::payment_status;
using slotbook::provider_id;
using slotbook::rate;
using slotbook::session;
using slotbook::session_status;

using slotbook::testing::at;
using slotbook::testing::expect_error;

namespace {

const provider_id dr{42};
const interval january{at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z")};

// A session of provider 42 at `when` with `status`, paid `amount` cents (unpaid if 0).
session make(std::uint64_t id, instant when, session_status status, std::int64_t amount) {
  session s;
  s.id = slotbook::session_id{id};
  s.client = slotbook::client_id{7};
  s.provider = dr;
  s.scheduled_at = when;
  s.duration = 60min;
  s.status = status;
  s.amount = money::kes(amount);
  s.payment = amount > 0 ? payment_status::paid : payment_status::pending;
  s.created_at = s.updated_at = when - 72h;
  if (status == session_status::cancelled) {
    s.cancelled_at = when - 48h;
    s.cancelled_from = session_status::scheduled;
  }
  return s;
}

session completed(std::uint64_t id, instant when, std::int64_t amount,
                  std::chrono::seconds lasted) {
  session s = make(id, when, session_status::completed, amount);
  s.joined_at = when;
  s.ended_at = when + lasted;
  s.actual_duration = lasted;
  return s;
}

}  // namespace

TEST_CASE("no sessions give zero counts, zero rates, zero revenue and zero duration") {
  const auto a = analyze_sessions({}, dr, january);
  slotbook::session_analytics zero;
  zero.revenue = money::kes(0);
  CHECK(a == zero);
  CHECK(a.total == 0);
  CHECK(a.completion_rate.basis_points() == 0);
  CHECK(a.cancellation_rate.basis_points() == 0);
  CHECK(a.no_show_rate.basis_points() == 0);
  CHECK(a.average_actual_duration == 0s);
}

TEST_CASE("the dashboard counts bookings by outcome and sets holds and reschedules apart") {
  std::vector<session> s;
  const instant d = at("2026-01-15T10:00:00Z");
  s.push_back(completed(1, d, 150000, 3000s));
  s.push_back(completed(2, d + 24h, 100000, 3001s));
  session refunded_half = make(3, d + 48h, session_status::cancelled, 100000);
  refunded_half.payment = payment_status::refunded;
  refunded_half.refunded_minor = 50000;
  s.push_back(refunded_half);
  s.push_back(make(4, d + 72h, session_status::no_show, 100000));
  s.push_back(make(5, d + 96h, session_status::scheduled, 120000));
  s.push_back(make(6, d + 120h, session_status::pending_payment, 0));
  session expired = make(7, d + 144h, session_status::cancelled, 0);
  expired.cancelled_from = session_status::pending_payment;
  s.push_back(expired);
  session moved = make(8, d + 168h, session_status::cancelled, 150000);
  moved.rescheduled_to = slotbook::session_id{20};
  s.push_back(moved);
  session elsewhere = completed(9, d, 150000, 3600s);
  elsewhere.provider = provider_id{43};
  s.push_back(elsewhere);
  s.push_back(make(10, january.end, session_status::confirmed, 80000));    // end: excluded
  s.push_back(make(11, january.begin, session_status::confirmed, 80000));  // begin: included

  const auto a = analyze_sessions(s, dr, january);
  CHECK(a.open == 2);  // 5 and 11
  CHECK(a.completed == 2);
  CHECK(a.cancelled == 1);
  CHECK(a.no_show == 1);
  CHECK(a.total == 6);
  CHECK(a.pending_holds == 1);
  CHECK(a.abandoned_holds == 1);
  CHECK(a.rescheduled == 1);
  CHECK(a.completion_rate == rate{2, 6});
  CHECK(a.completion_rate.basis_points() == 3333);
  CHECK(a.cancellation_rate == rate{1, 6});
  CHECK(a.cancellation_rate.basis_points() == 1666);
  CHECK(a.no_show_rate == rate{1, 6});
  // 1500 + 1000 + (1000 - 500) + 1000 + 1200 + 800 shillings; the moved session's payment went
  // with it, the other provider's and the excluded one are not counted.
  CHECK(a.revenue == money::kes(600000));
  CHECK(a.timed_sessions == 2);
  CHECK(a.total_actual_duration == 6001s);
  CHECK(a.average_actual_duration == 3000s);  // 3000.5 rounded down
}

TEST_CASE("revenue is paid minus refunded and unpaid sessions add nothing") {
  std::vector<session> s;
  const instant d = at("2026-01-15T10:00:00Z");
  session full_refund = make(1, d, session_status::cancelled, 150000);
  full_refund.payment = payment_status::refunded;
  full_refund.refunded_minor = 150000;
  s.push_back(full_refund);
  session unpaid = make(2, d, session_status::scheduled, 0);
  unpaid.amount = money::kes(150000);  // priced but not paid
  s.push_back(unpaid);
  s.push_back(make(3, d, session_status::no_show, 90000));
  CHECK(analyze_sessions(s, dr, january).revenue == money::kes(90000));
}

TEST_CASE("revenue is reported in the currency asked for") {
  const currency usd = currency::parse("USD");
  session s = completed(1, at("2026-01-15T10:00:00Z"), 0, 3000s);
  s.amount = money{4500, usd};
  s.payment = payment_status::paid;
  const std::vector<session> sessions{s};
  CHECK(analyze_sessions(sessions, dr, january, usd).revenue == money{4500, usd});
}

TEST_CASE("a counted session in another currency is invalid_argument naming it") {
  std::vector<session> s{completed(1, at("2026-01-15T10:00:00Z"), 150000, 3000s)};
  session usd = make(5, at("2026-01-16T10:00:00Z"), session_status::scheduled, 0);
  usd.amount = money{0, currency::parse("USD")};
  s.push_back(usd);
  expect_error([&] { (void)analyze_sessions(s, dr, january); }, errc::invalid_argument,
               {"amount:", "session 5", "USD", "KES"});
  // The same session for another provider is not counted and does not matter.
  s.back().provider = provider_id{43};
  CHECK(analyze_sessions(s, dr, january).revenue == money::kes(150000));
}

TEST_CASE("an empty or inverted range is invalid_argument") {
  expect_error(
      [] {
        (void)analyze_sessions({}, dr, {january.end, january.begin});
      },
      errc::invalid_argument, {"range:"});
  expect_error(
      [] {
        (void)analyze_sessions({}, dr, {january.begin, january.begin});
      },
      errc::invalid_argument, {"range:"});
}

TEST_CASE("a corrupt counted session is invalid_argument") {
  session s = make(1, at("2026-01-15T10:00:00Z"), session_status::scheduled, 100);
  s.duration = 0min;
  const std::vector<session> sessions{s};
  expect_error([&] { (void)analyze_sessions(sessions, dr, january); }, errc::invalid_argument,
               {"duration:"});
}

TEST_CASE("a rate reads as basis points rounded down and zero over nothing") {
  CHECK(rate{2, 3}.basis_points() == 6666);
  CHECK(rate{1, 1}.basis_points() == 10000);
  CHECK(rate{1, 8}.basis_points() == 1250);
  CHECK(rate{0, 5}.basis_points() == 0);
  CHECK(rate{0, 0}.basis_points() == 0);
  // Large totals do not overflow: 10^15 / (3 * 10^15) is 33.33 %.
  CHECK(rate{1'000'000'000'000'000, 3'000'000'000'000'000}.basis_points() == 3333);
}

TEST_CASE("a rate whose count lies outside 0 to its total is clamped, not overflowed") {
  CHECK(rate{7, 5}.basis_points() == 10000);
  CHECK(rate{-3, 5}.basis_points() == 0);
  CHECK(rate{5, -1}.basis_points() == 0);
  CHECK(rate{std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()}
            .basis_points() == 10000);
}
