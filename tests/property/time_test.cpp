// Properties of the time vocabulary, each against an independent statement of the rule.
#include "slotbook/time.hpp"

#include <array>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

using namespace std::chrono_literals;
using slotbook::instant;

namespace {

constexpr std::array zones{"America/New_York", "Europe/London",     "Australia/Lord_Howe",
                           "Africa/Nairobi",   "America/Mexico_City", "America/Santiago",
                           "Asia/Tehran",      "Pacific/Apia",      "Asia/Kolkata",
                           "UTC"};

// Instants from 1970 to 2100, so every tzdata era (old and future rules) is visited.
rc::Gen<instant> any_instant() {
  return rc::gen::map(rc::gen::inRange<std::int64_t>(0, 4'102'444'800),
                      [](std::int64_t s) { return instant{std::chrono::seconds{s}}; });
}

// Years 0000-9999, the whole range ISO-8601 text can spell with four digits.
rc::Gen<instant> any_iso_instant() {
  return rc::gen::map(rc::gen::inRange<std::int64_t>(-62'167'219'200, 253'402'300'800),
                      [](std::int64_t s) { return instant{std::chrono::seconds{s}}; });
}

}  // namespace

TEST_CASE("formatting then parsing an instant gives it back") {
  rc::prop("parse_instant(format_instant(t)) == t", [] {
    const instant t = *any_iso_instant();
    RC_ASSERT(slotbook::parse_instant(slotbook::format_instant(t)) == t);
  });
  rc::prop("parse_instant(format_instant(t, zone)) == t", [] {
    const instant t = *any_instant();
    const auto& zone = slotbook::find_zone(*rc::gen::elementOf(zones));
    RC_ASSERT(slotbook::parse_instant(slotbook::format_instant(t, zone)) == t);
  });
}

TEST_CASE("a wall-clock time read off an instant converts back to that time, earlier if repeated") {
  rc::prop("to_local(to_instant(to_local(t))) == to_local(t) and to_instant(to_local(t)) <= t", [] {
    const instant t = *any_instant();
    const auto& zone = slotbook::find_zone(*rc::gen::elementOf(zones));
    const auto local = slotbook::to_local(t, zone);
    const instant back = slotbook::to_instant(local, zone);
    RC_ASSERT(slotbook::to_local(back, zone) == local);
    RC_ASSERT(back <= t);
    // Only a repeated (fall-back) wall-clock time may map to an earlier instant.
    if (back != t) RC_ASSERT(zone.get_info(local).result == date::local_info::ambiguous);
  });
}

TEST_CASE("a wall-clock time in a gap lands exactly one gap-length later on the wall clock") {
  rc::prop("to_local(to_instant(l)) - l is zero, or the gap length when l does not exist", [] {
    const instant t = *any_instant();
    const auto& zone = slotbook::find_zone(*rc::gen::elementOf(zones));
    // A wall-clock time near t, possibly inside a gap.
    const auto local = slotbook::to_local(t, zone) + std::chrono::minutes{*rc::gen::inRange(-90, 90)};
    const auto info = zone.get_info(local);
    const auto shift = slotbook::to_local(slotbook::to_instant(local, zone), zone) - local;
    if (info.result == date::local_info::nonexistent) {
      RC_ASSERT(shift == info.second.offset - info.first.offset);
    } else {
      RC_ASSERT(shift == 0s);
    }
  });
}

TEST_CASE("interval overlap agrees with a second-by-second definition") {
  rc::prop("overlaps(a, b) iff some second lies in both", [] {
    const auto a0 = *rc::gen::inRange(0, 20), a1 = *rc::gen::inRange(0, 20);
    const auto b0 = *rc::gen::inRange(0, 20), b1 = *rc::gen::inRange(0, 20);
    const auto at = [](int s) { return instant{std::chrono::seconds{s}}; };
    const slotbook::interval a{at(a0), at(a1)}, b{at(b0), at(b1)};
    bool shared = false;
    for (int s = 0; s < 20; ++s) shared = shared || (a.contains(at(s)) && b.contains(at(s)));
    RC_ASSERT(a.overlaps(b) == shared);
    RC_ASSERT(a.intersection(b).ok() == shared);
  });
}
