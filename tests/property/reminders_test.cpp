// Properties of reminder planning: every reminder falls strictly between now and the start, and
// the plan is exactly what a brute-force reading of the plan and preferences gives.
#include "slotbook/reminders.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using slotbook::instant;
using slotbook::reminder;
using slotbook::reminder_channel;
using slotbook::session;
using slotbook::session_status;

namespace {

const instant start = slotbook::parse_instant("2026-01-15T10:00:00Z");

session any_session() {
  session s;
  s.id = slotbook::session_id{1};
  s.client = slotbook::client_id{7};
  s.provider = slotbook::provider_id{42};
  s.scheduled_at = start;
  s.duration = 60min;
  s.status = *rc::gen::weightedElement<session_status>({{4, session_status::scheduled},
                                                        {4, session_status::confirmed},
                                                        {1, session_status::pending_payment},
                                                        {1, session_status::no_show}});
  s.amount = slotbook::money::kes(150000);
  s.payment = slotbook::payment_status::paid;
  s.created_at = s.updated_at = start - 30 * 24h;
  return s;
}

// One to six distinct offsets of 1 minute to 7 days.
slotbook::reminder_plan any_plan() {
  slotbook::reminder_plan plan;
  plan.offsets.clear();
  const auto minutes = *rc::gen::unique<std::vector<int>>(rc::gen::inRange(1, 7 * 24 * 60 + 1));
  for (std::size_t i = 0; i < minutes.size() && i < 6; ++i) {
    plan.offsets.push_back(std::chrono::minutes{minutes[i]});
  }
  if (plan.offsets.empty()) plan.offsets.push_back(15min);
  return plan;
}

// Random channels, and maybe a choice of offsets: some from the plan, some not in it.
slotbook::reminder_preferences any_preferences(const slotbook::reminder_plan& plan) {
  slotbook::reminder_preferences p;
  p.email = *rc::gen::arbitrary<bool>();
  p.sms = *rc::gen::arbitrary<bool>();
  if (*rc::gen::arbitrary<bool>()) {
    std::vector<std::chrono::minutes> chosen;
    for (const auto offset : plan.offsets) {
      if (*rc::gen::arbitrary<bool>()) chosen.push_back(offset);
    }
    if (*rc::gen::arbitrary<bool>())
      chosen.push_back(std::chrono::minutes{*rc::gen::inRange(1, 20000)});
    p.offsets = chosen;
  }
  return p;
}

}  // namespace

TEST_CASE("every planned reminder is due strictly after now and strictly before the start") {
  rc::prop("now < due < start", [] {
    const session s = any_session();
    const auto plan = any_plan();
    const instant now = start - std::chrono::seconds{*rc::gen::inRange(-86400, 9 * 86400)};
    for (const reminder& r : slotbook::plan_reminders(s, now, any_preferences(plan), plan)) {
      RC_ASSERT(now < r.due);
      RC_ASSERT(r.due < start);
      RC_ASSERT(r.due == start - r.before);
      RC_ASSERT(r.session == s.id);
    }
  });
}

TEST_CASE("the planned reminders are exactly the plan's offsets the client keeps, not yet due") {
  rc::prop("plan_reminders equals a brute-force enumeration, ordered by due time", [] {
    const session s = any_session();
    const auto plan = any_plan();
    const auto prefs = any_preferences(plan);
    // On a whole minute sometimes, so a reminder due exactly now is exercised.
    const instant now = *rc::gen::arbitrary<bool>()
                            ? start - std::chrono::minutes{*rc::gen::elementOf(plan.offsets)}
                            : start - std::chrono::seconds{*rc::gen::inRange(-86400, 9 * 86400)};
    const auto planned = slotbook::plan_reminders(s, now, prefs, plan);

    std::set<std::tuple<instant, reminder_channel, std::chrono::minutes>> expected;
    const bool active =
        s.status == session_status::scheduled || s.status == session_status::confirmed;
    for (const auto offset : plan.offsets) {
      const bool kept =
          !prefs.offsets || std::count(prefs.offsets->begin(), prefs.offsets->end(), offset) > 0;
      if (!active || !kept || !(start - offset > now)) continue;
      if (prefs.email) expected.insert({start - offset, reminder_channel::email, offset});
      if (prefs.sms) expected.insert({start - offset, reminder_channel::sms, offset});
    }
    std::vector<std::tuple<instant, reminder_channel, std::chrono::minutes>> got;
    for (const reminder& r : planned) got.emplace_back(r.due, r.channel, r.before);
    // The set is ordered by (due, channel), the order plan_reminders promises.
    RC_ASSERT(got == std::vector(expected.begin(), expected.end()));
  });
}
