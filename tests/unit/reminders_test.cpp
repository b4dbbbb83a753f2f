// Reminder planning: which reminders, when, through which channel; what changes on reschedule,
// cancellation and other transitions.
#include "slotbook/reminders.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using namespace std::chrono_literals;
using slotbook::errc;
using slotbook::instant;
using slotbook::reminder;
using slotbook::reminder_channel;
using slotbook::reminder_preferences;
using slotbook::session;
using slotbook::session_id;
using slotbook::session_status;

using slotbook::testing::at;
using slotbook::testing::expect_error;

namespace {

const instant start = at("2026-01-15T10:00:00Z");
constexpr auto email = reminder_channel::email;
constexpr auto sms = reminder_channel::sms;
const session_id one{1};

session booked(session_status status = session_status::scheduled, instant when = start) {
  session s;
  s.id = one;
  s.client = slotbook::client_id{7};
  s.provider = slotbook::provider_id{42};
  s.scheduled_at = when;
  s.duration = 60min;
  s.status = status;
  s.amount = slotbook::money::kes(150000);
  s.payment = slotbook::payment_status::paid;
  s.created_at = s.updated_at = at("2026-01-10T08:00:00Z");
  if (status == session_status::in_progress || status == session_status::completed) {
    s.joined_at = when;
  }
  if (status == session_status::completed) {
    s.ended_at = when + 50min;
    s.actual_duration = 50min;
  }
  if (status == session_status::cancelled) s.cancelled_at = when - 48h;
  return s;
}

reminder_preferences both_channels() {
  reminder_preferences p;
  p.sms = true;
  return p;
}

}  // namespace

TEST_CASE("a booking three hours ahead gets only the 2 h and 15 min reminders") {
  const auto r = slotbook::plan_reminders(booked(), start - 3h);
  const std::vector<reminder> expected = {{one, start - 2h, email, 120min},
                                          {one, start - 15min, email, 15min}};
  CHECK(r == expected);
}

TEST_CASE("a booking two days ahead gets all three reminders on every chosen channel") {
  const auto r = slotbook::plan_reminders(booked(), start - 48h, both_channels());
  const std::vector<reminder> expected = {
      {one, start - 24h, email, 1440min}, {one, start - 24h, sms, 1440min},
      {one, start - 2h, email, 120min},   {one, start - 2h, sms, 120min},
      {one, start - 15min, email, 15min}, {one, start - 15min, sms, 15min}};
  CHECK(r == expected);
}

TEST_CASE("a reminder due exactly now is not planned") {
  const auto r = slotbook::plan_reminders(booked(), start - 2h);
  const std::vector<reminder> expected = {{one, start - 15min, email, 15min}};
  CHECK(r == expected);
  CHECK(slotbook::plan_reminders(booked(), start - 15min).empty());
  CHECK(slotbook::plan_reminders(booked(), start + 1h).empty());
}

TEST_CASE("preferences choose which of the plan's reminders a client gets") {
  reminder_preferences p;
  p.offsets = std::vector<std::chrono::minutes>{24h};
  const std::vector<reminder> expected = {{one, start - 24h, email, 1440min}};
  CHECK(slotbook::plan_reminders(booked(), start - 48h, p) == expected);
}

TEST_CASE("preferred offsets the plan does not have are ignored") {
  reminder_preferences p;
  p.offsets = std::vector<std::chrono::minutes>{45min, 15min};
  const std::vector<reminder> expected = {{one, start - 15min, email, 15min}};
  CHECK(slotbook::plan_reminders(booked(), start - 48h, p) == expected);
  p.offsets = std::vector<std::chrono::minutes>{};
  CHECK(slotbook::plan_reminders(booked(), start - 48h, p).empty());
}

TEST_CASE("a client with every channel off gets no reminders") {
  reminder_preferences p;
  p.email = false;
  CHECK(slotbook::plan_reminders(booked(), start - 48h, p).empty());
}

TEST_CASE("only scheduled and confirmed sessions get reminders") {
  CHECK(slotbook::plan_reminders(booked(session_status::confirmed), start - 3h).size() == 2);
  for (auto status :
       {session_status::pending_payment, session_status::in_progress, session_status::completed,
        session_status::cancelled, session_status::no_show}) {
    INFO(slotbook::to_string(status));
    CHECK(slotbook::plan_reminders(booked(status), start - 48h).empty());
  }
}

TEST_CASE("a custom plan's offsets may come in any order; reminders come out by due time") {
  slotbook::reminder_plan plan;
  plan.offsets = {15min, 1h, 3 * 24h};
  const auto r = slotbook::plan_reminders(booked(), start - 5 * 24h, {}, plan);
  const std::vector<reminder> expected = {{one, start - 72h, email, 4320min},
                                          {one, start - 1h, email, 60min},
                                          {one, start - 15min, email, 15min}};
  CHECK(r == expected);
}

TEST_CASE("a plan with a non-positive or repeated offset is invalid_argument") {
  slotbook::reminder_plan plan;
  plan.offsets = {2h, 0min};
  expect_error([&] { slotbook::validate(plan); }, errc::invalid_argument,
               {"reminder_plan.offsets[1]:", "0 min"});
  plan.offsets = {-15min};
  expect_error([&] { (void)slotbook::plan_reminders(booked(), start - 48h, {}, plan); },
               errc::invalid_argument, {"reminder_plan.offsets[0]:"});
  plan.offsets = {std::chrono::days{365} + 1min};
  expect_error([&] { slotbook::validate(plan); }, errc::invalid_argument,
               {"reminder_plan.offsets[0]:", "525601 min"});
  plan.offsets = {2h, 15min, 120min};
  expect_error([&] { slotbook::validate(plan); }, errc::invalid_argument,
               {"reminder_plan.offsets[2]:", "repeats offsets[0]"});
}

TEST_CASE("reminder kinds have short labels") {
  CHECK(slotbook::reminder_label(24h) == "24h");
  CHECK(slotbook::reminder_label(2h) == "2h");
  CHECK(slotbook::reminder_label(15min) == "15m");
  CHECK(slotbook::reminder_label(90min) == "90m");
}

TEST_CASE("channels print and parse as email and sms") {
  CHECK(slotbook::to_string(email) == "email");
  CHECK(slotbook::to_string(sms) == "sms");
  CHECK(slotbook::parse_reminder_channel("sms") == sms);
  CHECK(slotbook::parse_reminder_channel("email") == email);
  expect_error([] { (void)slotbook::parse_reminder_channel("SMS", "prefs.channel"); },
               errc::invalid_argument, {"prefs.channel:", "\"SMS\"", "email, sms"});
}

TEST_CASE("cancelling removes every reminder of the session") {
  const auto c = slotbook::reminders_on_cancel(booked());
  CHECK(c.remove == std::vector<session_id>{one});
  CHECK(c.add.empty());
}

TEST_CASE("rescheduling replaces the old session's reminders with the new one's") {
  const session old = booked(session_status::cancelled);
  session replacement = booked(session_status::scheduled, start + 24h);
  replacement.id = session_id{2};
  const instant now = start - 1h;
  const auto c = slotbook::reminders_on_reschedule(old, replacement, now);
  CHECK(c.remove == std::vector<session_id>{one});
  // The new start is 25 h away: all three reminders are still ahead.
  const std::vector<reminder> expected = {{session_id{2}, start, email, 1440min},
                                          {session_id{2}, start + 22h, email, 120min},
                                          {session_id{2}, start + 24h - 15min, email, 15min}};
  CHECK(c.add == expected);
}

TEST_CASE("confirming a scheduled session leaves its reminders alone") {
  const auto c = slotbook::reminders_on_change(booked(session_status::scheduled),
                                               booked(session_status::confirmed), start - 3h);
  CHECK(c.remove.empty());
  CHECK(c.add.empty());
}

TEST_CASE("paying a hold plans its reminders") {
  const auto c = slotbook::reminders_on_change(booked(session_status::pending_payment),
                                               booked(session_status::scheduled), start - 3h);
  CHECK(c.remove.empty());
  CHECK(c.add == slotbook::plan_reminders(booked(), start - 3h));
  CHECK(c.add.size() == 2);
}

TEST_CASE("starting, finishing or cancelling a session removes its reminders") {
  for (auto status :
       {session_status::in_progress, session_status::no_show, session_status::cancelled}) {
    const auto c = slotbook::reminders_on_change(booked(session_status::confirmed), booked(status),
                                                 start - 10min);
    CHECK(c.remove == std::vector<session_id>{one});
    CHECK(c.add.empty());
  }
}

TEST_CASE("an expired hold never had reminders, so nothing changes") {
  const auto c = slotbook::reminders_on_change(booked(session_status::pending_payment),
                                               booked(session_status::cancelled), start - 48h);
  CHECK(c.remove.empty());
  CHECK(c.add.empty());
}

TEST_CASE("moving a session in place replaces its reminders") {
  const auto c = slotbook::reminders_on_change(
      booked(), booked(session_status::scheduled, start + 1h), start - 2h);
  CHECK(c.remove == std::vector<session_id>{one});
  const std::vector<reminder> expected = {{one, start - 1h, email, 120min},
                                          {one, start + 45min, email, 15min}};
  CHECK(c.add == expected);
}
