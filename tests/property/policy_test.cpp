// Properties of the cancellation policy: refunds never exceed what was paid, never grow as notice
// shrinks, and equal a brute-force reading of the tiers.
#include "slotbook/policy.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::basis_points;
using slotbook::cancellation_policy;
using slotbook::instant;
using slotbook::late_cancellation;
using slotbook::money;
using slotbook::notice_schedule;
using slotbook::payment_status;
using slotbook::refund_tier;
using slotbook::session;
using slotbook::session_status;
using slotbook::session_type;

namespace {

const instant start = slotbook::parse_instant("2026-01-15T10:00:00Z");

// A valid schedule: up to four tiers with distinct thresholds (0 to 30 days), most notice first,
// refunds that never grow down the list.
notice_schedule any_schedule() {
  auto thresholds = *rc::gen::container<std::vector<std::int64_t>>(
      *rc::gen::inRange<std::size_t>(0, 5), rc::gen::inRange<std::int64_t>(0, 30 * 24 * 60));
  std::sort(thresholds.begin(), thresholds.end(), std::greater<>());
  thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
  auto refunds = *rc::gen::container<std::vector<std::int32_t>>(
      thresholds.size(), rc::gen::inRange<std::int32_t>(0, 10001));
  std::sort(refunds.begin(), refunds.end(), std::greater<>());
  notice_schedule s;
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    s.tiers.push_back({std::chrono::minutes{thresholds[i]}, basis_points{refunds[i]}});
  }
  s.below_last_tier =
      *rc::gen::element(late_cancellation::refuse, late_cancellation::allow_without_refund);
  return s;
}

cancellation_policy any_policy() {
  cancellation_policy p;
  p.standard = any_schedule();
  if (*rc::gen::arbitrary<bool>()) p.emergency = any_schedule();
  return p;
}

// A scheduled or confirmed session of client 7 with provider 42 at `start`, amount up to
// KES 10 billion, paid, unpaid or already partly refunded.
session any_session() {
  session s;
  s.id = slotbook::session_id{1};
  s.client = slotbook::client_id{7};
  s.provider = slotbook::provider_id{42};
  s.scheduled_at = start;
  s.duration = 60min;
  s.status = *rc::gen::element(session_status::scheduled, session_status::confirmed);
  s.type =
      *rc::gen::element(session_type::initial, session_type::follow_up, session_type::emergency);
  s.amount = money::kes(*rc::gen::inRange<std::int64_t>(0, 1'000'000'000'000));
  s.payment =
      *rc::gen::element(payment_status::pending, payment_status::paid, payment_status::refunded);
  if (s.payment == payment_status::refunded) {
    if (s.amount.is_zero()) {
      s.payment = payment_status::paid;
    } else {
      s.refunded_minor = *rc::gen::inRange<std::int64_t>(1, s.amount.minor_units() + 1);
    }
  }
  s.created_at = s.updated_at = start - 60 * 24h;
  return s;
}

// Notice from 3 days after the start to 60 days before it, in seconds; a third of the time a
// second either side of (or exactly at) a tier's threshold or the start, where rules change.
std::chrono::seconds any_notice(const cancellation_policy& p) {
  std::vector<std::chrono::seconds> edges{0s};
  for (const auto& t : p.standard.tiers) edges.push_back(t.min_notice);
  if (p.emergency) {
    for (const auto& t : p.emergency->tiers) edges.push_back(t.min_notice);
  }
  if (*rc::gen::inRange(0, 3) == 0) {
    return *rc::gen::elementOf(edges) + std::chrono::seconds{*rc::gen::inRange(-1, 2)};
  }
  return std::chrono::seconds{*rc::gen::inRange<std::int64_t>(-3 * 86400, 60 * 86400)};
}

// The client's refund as the rule states it, independently: nothing at or after the start; else
// the largest share among the tiers whose threshold the notice reaches; refused or nothing below
// every tier; paid sessions only; amount * share / 10000 rounded down (exact in 64 bits here,
// since amount < 10^12 and share <= 10^4).
struct oracle_answer {
  bool allowed;
  std::int64_t refund;
};
oracle_answer oracle(const session& s, std::chrono::seconds notice, const cancellation_policy& p) {
  if (notice <= 0s) return {false, 0};
  const notice_schedule& schedule =
      s.type == session_type::emergency && p.emergency ? *p.emergency : p.standard;
  std::int64_t best = -1;
  for (const refund_tier& t : schedule.tiers) {
    if (notice >= t.min_notice) best = std::max<std::int64_t>(best, t.refund.value);
  }
  if (best < 0) return {schedule.below_last_tier == late_cancellation::allow_without_refund, 0};
  if (s.payment != payment_status::paid) return {true, 0};
  return {true, s.amount.minor_units() * best / 10000};
}

}  // namespace

TEST_CASE("a refund never exceeds the amount paid, and nothing unpaid is refunded") {
  rc::prop("0 <= refund <= amount if paid, refund == 0 otherwise", [] {
    const session s = any_session();
    const cancellation_policy p = any_policy();
    const actor who = *rc::gen::element(actor::client(s.client), actor::provider(s.provider),
                                        actor::admin(slotbook::admin_id{1}), actor::system());
    const auto d = slotbook::decide_cancellation(s, who, start - any_notice(p), p);
    RC_ASSERT(d.refund.currency_code() == s.amount.currency_code());
    RC_ASSERT(d.refund >= money::kes(0));
    RC_ASSERT(d.refund <= s.amount);
    if (s.payment != payment_status::paid || !d.allowed) RC_ASSERT(d.refund.is_zero());
  });
}

TEST_CASE("a client's refund never grows as the notice shrinks") {
  rc::prop("notice a >= notice b implies refund(a) >= refund(b), a refusal refunding 0", [] {
    const session s = any_session();
    const cancellation_policy p = any_policy();
    auto a = any_notice(p);
    auto b = any_notice(p);
    if (a < b) std::swap(a, b);
    const actor who = actor::client(s.client);
    const auto more = slotbook::decide_cancellation(s, who, start - a, p);
    const auto less = slotbook::decide_cancellation(s, who, start - b, p);
    RC_ASSERT(more.refund >= less.refund);
  });
}

TEST_CASE("a client's cancellation decision matches a brute-force reading of the tiers") {
  rc::prop("allowed and refund equal the oracle's", [] {
    const session s = any_session();
    const cancellation_policy p = any_policy();
    const auto notice = any_notice(p);
    const auto d = slotbook::decide_cancellation(s, actor::client(s.client), start - notice, p);
    const oracle_answer expected = oracle(s, notice, p);
    RC_ASSERT(d.allowed == expected.allowed);
    RC_ASSERT(d.refund.minor_units() == expected.refund);
  });
}

TEST_CASE("a partial refund is the exact share rounded down to a whole minor unit") {
  rc::prop("refund * 10000 <= amount * share < (refund + 1) * 10000", [] {
    session s = any_session();
    s.payment = payment_status::paid;
    s.refunded_minor = 0;
    const cancellation_policy p = any_policy();
    const auto d =
        slotbook::decide_cancellation(s, actor::client(s.client), start - any_notice(p), p);
    if (!d.allowed) return;
    const std::int64_t exact = s.amount.minor_units() * d.share.value;  // < 10^16
    RC_ASSERT(d.refund.minor_units() * 10000 <= exact);
    RC_ASSERT(exact < (d.refund.minor_units() + 1) * 10000);
  });
}

TEST_CASE("a provider, admin or the system may always cancel with a full refund of what was paid") {
  rc::prop("allowed, share 100 %, refund == amount when paid", [] {
    const session s = any_session();
    const actor who = *rc::gen::element(actor::provider(s.provider),
                                        actor::admin(slotbook::admin_id{1}), actor::system());
    const cancellation_policy p = any_policy();
    const auto d = slotbook::decide_cancellation(s, who, start - any_notice(p), p);
    RC_ASSERT(d.allowed);
    RC_ASSERT(d.share == slotbook::percent(100));
    RC_ASSERT(d.refund == (s.payment == payment_status::paid ? s.amount : money::kes(0)));
  });
}
