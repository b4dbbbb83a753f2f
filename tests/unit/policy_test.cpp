// Cancellation, rescheduling and no-show policies: decisions as values, refunds in minor units.
#include "slotbook/policy.hpp"

#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::cancellation_policy;
using slotbook::cancellation_reason;
using slotbook::errc;
using slotbook::instant;
using slotbook::late_cancellation;
using slotbook::money;
using slotbook::payment_status;
using slotbook::percent;
using slotbook::reschedule_reason;
using slotbook::session;
using slotbook::session_status;
using slotbook::session_type;

using slotbook::testing::at;
using slotbook::testing::expect_error;

namespace {

const instant start = at("2026-01-15T10:00:00Z");
const actor client = actor::client(slotbook::client_id{7});
const actor provider = actor::provider(slotbook::provider_id{42});
const actor admin = actor::admin(slotbook::admin_id{1});

// A paid (KES 1,500.00), scheduled session of client 7 with provider 42 at `start`.
session paid_session(session_status status = session_status::scheduled) {
  session s;
  s.id = slotbook::session_id{1};
  s.client = slotbook::client_id{7};
  s.provider = slotbook::provider_id{42};
  s.scheduled_at = start;
  s.duration = 60min;
  s.status = status;
  s.booking_reference = "BK-2026-001234";
  s.amount = money::kes(150000);
  s.payment = payment_status::paid;
  s.payment_method = "mpesa";
  s.transaction_id = "QK7H2XYZ";
  s.created_at = s.updated_at = at("2026-01-10T08:00:00Z");
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------------------------

TEST_CASE("by default a client with exactly 24 hours notice cancels with a full refund") {
  const auto d = slotbook::decide_cancellation(paid_session(), client, start - 24h);
  CHECK(d.allowed);
  CHECK(d.reason == cancellation_reason::notice_tier);
  CHECK(d.tier == 0u);
  CHECK(d.share == percent(100));
  CHECK(d.refund == money::kes(150000));
  CHECK(d.notice == 24h);
  CHECK_FALSE(d.emergency_schedule);
}

TEST_CASE("by default a client one second short of 24 hours notice is refused, as in the seed") {
  CHECK(cancellation_policy{} == cancellation_policy::seed());
  const auto d = slotbook::decide_cancellation(paid_session(), client, start - 24h + 1s);
  CHECK_FALSE(d.allowed);
  CHECK(d.reason == cancellation_reason::refused_late);
  CHECK(d.refund == money::kes(0));
  CHECK_FALSE(d.tier.has_value());
}

TEST_CASE("the tiered preset refunds 100 % from 24 h, 50 % from 2 h and nothing later") {
  const auto policy = cancellation_policy::tiered();
  const session s = paid_session();

  auto d = slotbook::decide_cancellation(s, client, start - 24h, policy);
  CHECK((d.allowed && d.tier == 0u && d.refund == money::kes(150000)));

  d = slotbook::decide_cancellation(s, client, start - 24h + 1s, policy);
  CHECK((d.allowed && d.tier == 1u && d.share == percent(50)));
  CHECK(d.refund == money::kes(75000));

  d = slotbook::decide_cancellation(s, client, start - 2h, policy);
  CHECK((d.allowed && d.tier == 1u && d.refund == money::kes(75000)));

  d = slotbook::decide_cancellation(s, client, start - 2h + 1s, policy);
  CHECK(d.allowed);
  CHECK(d.reason == cancellation_reason::late_without_refund);
  CHECK(d.refund == money::kes(0));
  CHECK(d.share == percent(0));
  CHECK_FALSE(d.tier.has_value());
}

TEST_CASE("a partial refund is rounded down to a whole minor unit") {
  session s = paid_session();
  s.amount = money::kes(150001);  // KES 1,500.01: half is 75000.5 cents
  const auto d =
      slotbook::decide_cancellation(s, client, start - 3h, cancellation_policy::tiered());
  CHECK(d.refund == money::kes(75000));
}

TEST_CASE("a client can never cancel at or after the start: that is a no-show") {
  const auto policy = cancellation_policy::tiered();
  for (const instant now : {start, start + 1s, start + 2h}) {
    const auto d = slotbook::decide_cancellation(paid_session(), client, now, policy);
    CHECK_FALSE(d.allowed);
    CHECK(d.reason == cancellation_reason::refused_started);
  }
}

TEST_CASE("the provider may cancel at any time and the client gets everything back") {
  for (const instant now : {start - 48h, start - 1min, start + 10min}) {
    const auto d = slotbook::decide_cancellation(paid_session(), provider, now);
    CHECK(d.allowed);
    CHECK(d.reason == cancellation_reason::by_provider);
    CHECK(d.share == percent(100));
    CHECK(d.refund == money::kes(150000));
  }
}

TEST_CASE("an admin or the system may cancel at any time with a full refund") {
  auto d = slotbook::decide_cancellation(paid_session(), admin, start - 1min);
  CHECK((d.allowed && d.reason == cancellation_reason::by_admin));
  CHECK(d.refund == money::kes(150000));
  d = slotbook::decide_cancellation(paid_session(), actor::system(), start - 1min);
  CHECK((d.allowed && d.reason == cancellation_reason::by_system));
  CHECK(d.refund == money::kes(150000));
}

TEST_CASE("another client or provider may not cancel someone else's session") {
  auto d = slotbook::decide_cancellation(paid_session(), actor::client(slotbook::client_id{8}),
                                         start - 48h);
  CHECK_FALSE(d.allowed);
  CHECK(d.reason == cancellation_reason::refused_not_a_party);
  d = slotbook::decide_cancellation(paid_session(), actor::provider(slotbook::provider_id{43}),
                                    start - 48h);
  CHECK(d.reason == cancellation_reason::refused_not_a_party);
}

TEST_CASE("a session in progress or over cannot be cancelled by anyone") {
  session s = paid_session(session_status::in_progress);
  s.joined_at = start;
  CHECK(slotbook::decide_cancellation(s, admin, start + 5min).reason ==
        cancellation_reason::refused_status);
  for (auto status : {session_status::cancelled, session_status::no_show}) {
    s = paid_session(status);
    s.cancelled_at = start - 48h;
    CHECK(slotbook::decide_cancellation(s, provider, start - 24h).reason ==
          cancellation_reason::refused_status);
  }
}

TEST_CASE("nothing is refunded unless the payment is paid") {
  session s = paid_session();
  s.payment = payment_status::pending;
  auto d = slotbook::decide_cancellation(s, client, start - 48h);
  CHECK(d.allowed);
  CHECK(d.share == percent(100));
  CHECK(d.refund == money::kes(0));

  s.payment = payment_status::refunded;
  s.refunded_minor = 50000;
  d = slotbook::decide_cancellation(s, provider, start - 48h);
  CHECK(d.allowed);
  CHECK(d.refund == money::kes(0));
}

TEST_CASE("the refund is in the session's currency") {
  session s = paid_session();
  s.amount = money{4000, slotbook::currency::parse("USD")};
  auto d = slotbook::decide_cancellation(s, client, start - 3h, cancellation_policy::tiered());
  CHECK(d.refund == money{2000, slotbook::currency::parse("USD")});
  d = slotbook::decide_cancellation(s, client, start - 1h);  // refused
  CHECK(d.refund == money{0, slotbook::currency::parse("USD")});
}

TEST_CASE("a client may always let go of an unpaid hold, whatever the notice") {
  session s = paid_session(session_status::pending_payment);
  s.payment = payment_status::pending;
  const auto d = slotbook::decide_cancellation(s, client, start - 1h);  // seed policy
  CHECK(d.allowed);
  CHECK(d.reason == cancellation_reason::releases_hold);
  CHECK(d.refund == money::kes(0));
}

TEST_CASE("emergency sessions follow their own schedule when the policy has one") {
  session s = paid_session();
  s.type = session_type::emergency;
  const auto policy = cancellation_policy::tiered();  // emergency: full refund until the start
  auto d = slotbook::decide_cancellation(s, client, start - 30min, policy);
  CHECK(d.allowed);
  CHECK(d.emergency_schedule);
  CHECK(d.tier == 0u);
  CHECK(d.refund == money::kes(150000));
  // The same notice on an ordinary session is below every tier.
  d = slotbook::decide_cancellation(paid_session(), client, start - 30min, policy);
  CHECK(d.reason == cancellation_reason::late_without_refund);
  CHECK_FALSE(d.emergency_schedule);
}

TEST_CASE("without an emergency schedule emergency sessions follow the standard one") {
  session s = paid_session();
  s.type = session_type::emergency;
  const auto d = slotbook::decide_cancellation(s, client, start - 30min);  // seed
  CHECK(d.reason == cancellation_reason::refused_late);
  CHECK_FALSE(d.emergency_schedule);
}

TEST_CASE("a schedule with no tiers refuses or allows late cancellations without refund") {
  cancellation_policy p;
  p.standard = {{}, late_cancellation::refuse};
  CHECK(slotbook::decide_cancellation(paid_session(), client, start - 72h, p).reason ==
        cancellation_reason::refused_late);
  p.standard.below_last_tier = late_cancellation::allow_without_refund;
  const auto d = slotbook::decide_cancellation(paid_session(), client, start - 72h, p);
  CHECK(d.reason == cancellation_reason::late_without_refund);
  CHECK(d.refund == money::kes(0));
}

TEST_CASE("a malformed cancellation policy is invalid_argument naming the tier") {
  cancellation_policy p;
  p.standard.tiers = {{2h, percent(50)}, {24h, percent(100)}};
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument,
               {"cancellation_policy.standard.tiers[1].min_notice:", "1440 min"});
  p.standard.tiers = {{24h, percent(50)}, {2h, percent(100)}};
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument,
               {"cancellation_policy.standard.tiers[1].refund:", "10000"});
  p.standard.tiers = {{-1min, percent(50)}};
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument,
               {"tiers[0].min_notice:", "-1 min"});
  p.standard.tiers = {{24h, slotbook::basis_points{10001}}};
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument,
               {"tiers[0].refund:", "10001"});
  p = cancellation_policy{};
  p.emergency = slotbook::notice_schedule{{{1h, percent(100)}, {1h, percent(50)}}, {}};
  expect_error([&] { (void)slotbook::decide_cancellation(paid_session(), client, start, p); },
               errc::invalid_argument, {"cancellation_policy.emergency.tiers[1].min_notice:"});
}

TEST_CASE("cancellation reasons print as their names") {
  CHECK(slotbook::to_string(cancellation_reason::notice_tier) == "notice_tier");
  CHECK(slotbook::to_string(cancellation_reason::refused_late) == "refused_late");
  CHECK(slotbook::to_string(cancellation_reason::releases_hold) == "releases_hold");
}

// ---------------------------------------------------------------------------------------------
// Rescheduling
// ---------------------------------------------------------------------------------------------

TEST_CASE("a client with 24 hours notice may reschedule and has one left of two") {
  const auto d = slotbook::decide_reschedule(paid_session(), client, start - 24h);
  CHECK(d.allowed);
  CHECK(d.reason == reschedule_reason::allowed);
  CHECK(d.remaining == 1);
  CHECK(d.notice == 24h);
}

TEST_CASE("a client with less than 24 hours notice may not reschedule") {
  const auto d = slotbook::decide_reschedule(paid_session(), client, start - 24h + 1s);
  CHECK_FALSE(d.allowed);
  CHECK(d.reason == reschedule_reason::refused_notice);
}

TEST_CASE("the provider may reschedule at short notice") {
  const auto d = slotbook::decide_reschedule(paid_session(), provider, start - 1min);
  CHECK(d.allowed);
}

TEST_CASE("after the maximum number of reschedules clients and providers are refused") {
  session s = paid_session();
  s.reschedule_count = 2;
  CHECK(slotbook::decide_reschedule(s, client, start - 72h).reason ==
        reschedule_reason::refused_limit);
  CHECK(slotbook::decide_reschedule(s, provider, start - 72h).reason ==
        reschedule_reason::refused_limit);
  s.reschedule_count = 1;
  const auto d = slotbook::decide_reschedule(s, client, start - 72h);
  CHECK(d.allowed);
  CHECK(d.remaining == 0);
}

TEST_CASE("admins and the system are not bound by the reschedule limit") {
  session s = paid_session();
  s.reschedule_count = 5;
  CHECK(slotbook::decide_reschedule(s, admin, start - 1h).allowed);
  CHECK(slotbook::decide_reschedule(s, actor::system(), start - 1h).allowed);
}

TEST_CASE("nobody may reschedule a session at or after its start") {
  for (const actor& who : {client, provider, admin, actor::system()}) {
    CHECK(slotbook::decide_reschedule(paid_session(), who, start).reason ==
          reschedule_reason::refused_started);
  }
}

TEST_CASE("only scheduled or confirmed sessions may be rescheduled") {
  CHECK(slotbook::decide_reschedule(paid_session(session_status::confirmed), client, start - 48h)
            .allowed);
  session hold = paid_session(session_status::pending_payment);
  CHECK(slotbook::decide_reschedule(hold, client, start - 48h).reason ==
        reschedule_reason::refused_status);
  session done = paid_session(session_status::cancelled);
  done.cancelled_at = start - 72h;
  CHECK(slotbook::decide_reschedule(done, admin, start - 48h).reason ==
        reschedule_reason::refused_status);
}

TEST_CASE("another client may not reschedule someone else's session") {
  CHECK(slotbook::decide_reschedule(paid_session(), actor::client(slotbook::client_id{8}),
                                    start - 48h)
            .reason == reschedule_reason::refused_not_a_party);
}

TEST_CASE("the reschedule policy's notice and limit are configurable") {
  slotbook::reschedule_policy p;
  p.client_notice = 2h;
  p.max_reschedules = 0;
  CHECK(slotbook::decide_reschedule(paid_session(), client, start - 3h, p).reason ==
        reschedule_reason::refused_limit);
  p.max_reschedules = 3;
  const auto d = slotbook::decide_reschedule(paid_session(), client, start - 3h, p);
  CHECK(d.allowed);
  CHECK(d.remaining == 2);
  p.client_notice = -1min;
  expect_error([&] { (void)slotbook::decide_reschedule(paid_session(), client, start, p); },
               errc::invalid_argument, {"reschedule_policy.client_notice:"});
}

TEST_CASE("a reschedule cancels the old session and moves its payment to the new one") {
  session old = paid_session(session_status::confirmed);
  old.notes = "prefers video";
  old.special_requests = "quiet room";
  const instant now = start - 48h;
  const instant new_start = at("2026-01-16T14:00:00Z");
  const auto r =
      slotbook::reschedule(old, slotbook::session_id{99}, "BK-2026-001240", new_start, client, now);
  REQUIRE(r.decision.allowed);
  REQUIRE(r.replaced);
  REQUIRE(r.replacement);

  const session& was = *r.replaced;
  CHECK(was.status == session_status::cancelled);
  CHECK(was.cancellation_reason == "rescheduled");
  CHECK(was.cancelled_at == now);
  CHECK(was.updated_at == now);
  CHECK(was.cancelled_by == slotbook::role::client);
  CHECK(was.cancelled_from == session_status::confirmed);
  CHECK(was.rescheduled_to == slotbook::session_id{99});
  CHECK(was.payment == payment_status::paid);  // no refund round trip
  CHECK(was.refunded_minor == 0);
  CHECK(was.scheduled_at == start);

  const session& now_s = *r.replacement;
  CHECK(now_s.id == slotbook::session_id{99});
  CHECK(now_s.booking_reference == "BK-2026-001240");
  CHECK(now_s.scheduled_at == new_start);
  CHECK(now_s.duration == 60min);
  CHECK(now_s.status == session_status::scheduled);  // attendance is confirmed afresh
  CHECK(now_s.rescheduled_from == slotbook::session_id{1});
  CHECK_FALSE(now_s.rescheduled_to.ok());
  CHECK(now_s.reschedule_count == 1);
  CHECK(now_s.client == old.client);
  CHECK(now_s.provider == old.provider);
  CHECK(now_s.amount == money::kes(150000));
  CHECK(now_s.payment == payment_status::paid);
  CHECK(now_s.payment_method == "mpesa");
  CHECK(now_s.transaction_id == "QK7H2XYZ");
  CHECK(now_s.notes == "prefers video");
  CHECK(now_s.special_requests == "quiet room");
  CHECK(now_s.created_at == now);
  CHECK(now_s.updated_at == now);
  CHECK_FALSE(now_s.cancelled_at.has_value());
  CHECK_FALSE(now_s.cancelled_by.has_value());
  CHECK(now_s.cancellation_reason.empty());
  CHECK_NOTHROW(slotbook::validate(was));
  CHECK_NOTHROW(slotbook::validate(now_s));
}

TEST_CASE("a refused reschedule builds no sessions") {
  const auto r = slotbook::reschedule(paid_session(), slotbook::session_id{99}, "BK-2026-001240",
                                      start + 24h, client, start - 1h);
  CHECK_FALSE(r.decision.allowed);
  CHECK(r.decision.reason == reschedule_reason::refused_notice);
  CHECK_FALSE(r.replaced.has_value());
  CHECK_FALSE(r.replacement.has_value());
}

TEST_CASE("a reschedule needs a fresh id and a valid reference for the replacement") {
  const session s = paid_session();
  expect_error([&] { (void)slotbook::reschedule(s, {}, "BK-2026-001240", start, client, start); },
               errc::invalid_argument, {"new_id:"});
  expect_error([&] { (void)slotbook::reschedule(s, s.id, "BK-2026-001240", start, client, start); },
               errc::invalid_argument, {"new_id:", "session 1"});
  expect_error(
      [&] {
        (void)slotbook::reschedule(s, slotbook::session_id{2}, "BK-2026-1", start, client, start);
      },
      errc::invalid_argument, {"new_reference:", "\"BK-2026-1\""});
  session unsaved = s;
  unsaved.id = {};
  expect_error(
      [&] {
        (void)slotbook::reschedule(unsaved, slotbook::session_id{2}, "BK-2026-001240", start,
                                   client, start);
      },
      errc::invalid_argument, {"id:"});
}

// ---------------------------------------------------------------------------------------------
// No-shows
// ---------------------------------------------------------------------------------------------

TEST_CASE("by default a no-show keeps the whole payment") {
  const auto c = slotbook::charge_no_show(paid_session());
  CHECK(c.kept == money::kes(150000));
  CHECK(c.refund == money::kes(0));
}

TEST_CASE("a no-show fee keeps its share and refunds the rest rounded down") {
  slotbook::no_show_policy p;
  p.fee = percent(50);
  session s = paid_session();
  s.amount = money::kes(150001);
  const auto c = slotbook::charge_no_show(s, p);
  // Half of 150001 cents is 75000.5: the refund rounds down, the fee keeps the extra cent.
  CHECK(c.refund == money::kes(75000));
  CHECK(c.kept == money::kes(75001));
  p.fee = percent(0);
  CHECK(slotbook::charge_no_show(s, p).refund == money::kes(150001));
}

TEST_CASE("an unpaid no-show neither keeps nor refunds anything") {
  session s = paid_session();
  s.payment = payment_status::pending;
  const auto c = slotbook::charge_no_show(s);
  CHECK(c.kept == money::kes(0));
  CHECK(c.refund == money::kes(0));
}

TEST_CASE("no-shows are counted for one client over the window before now") {
  const instant now = at("2026-06-01T00:00:00Z");
  std::vector<session> sessions;
  const auto add = [&](instant when, session_status status, std::uint64_t client_id) {
    session s = paid_session(status);
    s.id = slotbook::session_id{sessions.size() + 1};
    s.client = slotbook::client_id{client_id};
    s.scheduled_at = when;
    sessions.push_back(s);
  };
  add(now - 90 * 24h, session_status::no_show, 7);       // the window's first second: counts
  add(now - 90 * 24h - 1s, session_status::no_show, 7);  // just before it: does not
  add(now - 24h, session_status::no_show, 7);            // counts
  add(now - 24h, session_status::no_show, 8);            // another client
  add(now - 48h, session_status::completed, 7);          // not a no-show
  const auto r = slotbook::assess_no_shows(sessions, slotbook::client_id{7}, now);
  CHECK(r.no_shows == 2);
  CHECK(r.standing == slotbook::client_standing::prepayment_required);
  const auto other = slotbook::assess_no_shows(sessions, slotbook::client_id{8}, now);
  CHECK(other.no_shows == 1);
  CHECK(other.standing == slotbook::client_standing::good);
}

TEST_CASE("enough no-shows block a client when the policy blocks, and blocking wins") {
  const instant now = at("2026-06-01T00:00:00Z");
  std::vector<session> sessions;
  for (int i = 1; i <= 3; ++i) {
    session s = paid_session(session_status::no_show);
    s.scheduled_at = now - i * 24h;
    sessions.push_back(s);
  }
  slotbook::no_show_policy p;
  p.block_after = 3;
  CHECK(slotbook::assess_no_shows(sessions, slotbook::client_id{7}, now, p).standing ==
        slotbook::client_standing::blocked);
  p.block_after.reset();
  p.prepay_after.reset();
  const auto r = slotbook::assess_no_shows(sessions, slotbook::client_id{7}, now, p);
  CHECK(r.no_shows == 3);
  CHECK(r.standing == slotbook::client_standing::good);
}

TEST_CASE("a malformed no-show policy is invalid_argument naming the field") {
  slotbook::no_show_policy p;
  p.fee = slotbook::basis_points{10001};
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument, {"no_show_policy.fee:"});
  p = {};
  p.grace = -1min;
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument, {"no_show_policy.grace:"});
  p = {};
  p.window = std::chrono::days{0};
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument, {"no_show_policy.window:"});
  p = {};
  p.prepay_after = 0;
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument,
               {"no_show_policy.prepay_after:"});
  p = {};
  p.block_after = -2;
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument,
               {"no_show_policy.block_after:"});
}

TEST_CASE("notices past a year and a no-show window past ten years are invalid_argument") {
  cancellation_policy p;
  p.standard.tiers = {{std::chrono::days{366}, percent(100)}};
  expect_error([&] { slotbook::validate(p); }, errc::invalid_argument,
               {"cancellation_policy.standard.tiers[0].min_notice:", "527040 min"});
  slotbook::reschedule_policy r;
  r.client_notice = std::chrono::days{366};
  expect_error([&] { slotbook::validate(r); }, errc::invalid_argument,
               {"reschedule_policy.client_notice:"});
  slotbook::no_show_policy n;
  n.window = std::chrono::days{3651};
  expect_error([&] { slotbook::validate(n); }, errc::invalid_argument,
               {"no_show_policy.window:", "3651 days"});
}

TEST_CASE("a now or a new start outside years 1 to 9999 is invalid_argument") {
  const instant far{std::chrono::seconds{std::numeric_limits<std::int64_t>::min()}};
  expect_error([&] { (void)slotbook::decide_cancellation(paid_session(), client, far); },
               errc::invalid_argument, {"now:"});
  expect_error([&] { (void)slotbook::decide_reschedule(paid_session(), client, far); },
               errc::invalid_argument, {"now:"});
  expect_error(
      [&] {
        (void)slotbook::reschedule(paid_session(), slotbook::session_id{2}, "BK-2026-001240", far,
                                   admin, start - 1h);
      },
      errc::invalid_argument, {"new_start:"});
}

TEST_CASE("a session rescheduled as often as a 32-bit count allows cannot be moved again") {
  session s = paid_session();
  s.reschedule_count = std::numeric_limits<std::int32_t>::max();
  expect_error(
      [&] {
        (void)slotbook::reschedule(s, slotbook::session_id{2}, "BK-2026-001240", start + 24h, admin,
                                   start - 1h);
      },
      errc::invalid_argument, {"reschedule_count:"});
}
