#pragma once
/// \file slots.hpp
/// "Which times can a client book?": slot lists, the booking check, and team queries.
///
/// A slot is `[start, start + duration)` in UTC. Slot starts step from the start of each run of
/// availability (touching windows merge, across midnight too), found before the range asked for is
/// applied, so the same slot is offered whichever range the client looks at. Each listed slot says
/// whether it can be booked and, if not, why (`slot_reason`). `check_bookable` is the one function
/// the booking path uses, and it agrees with the list: a listed slot is available exactly when
/// `check_bookable` accepts it (with the same reason when not), and a time the list never offers is
/// refused.
///
/// Reasons, when several apply, are reported in this order (the first one wins):
/// 1. `wrong_duration` (check_bookable only): the interval is not `rules.duration` long;
/// 2. where the provider works: `exception` (a date exception closed it), `outside_hours` (not in
///    the provider's hours), `not_on_grid` (check_bookable only: inside the hours, off the grid);
/// 3. when the client may book: `too_soon` (starts before `now + minimum_notice`), `too_far`
///    (starts after `now + maximum_advance`);
/// 4. the provider's calendar: `booked` (the slot overlaps a busy interval), `buffer` (only the
///    slot widened by the buffers does), `day_full` (the provider's local day already holds
///    `max_per_day` bookings).
///
///     slotbook::slot_rules rules;              // 60 min, 24 h notice, 30 days ahead
///     for (const slotbook::slot& s : slotbook::generate_slots(hours, busy, rules, week, now)) {
///       if (s.available) offer(s.time); else grey_out(s.time, slotbook::to_string(s.reason));
///     }
///     auto d = slotbook::check_bookable(hours, busy, rules, chosen, now);  // booking path

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include "slotbook/availability.hpp"
#include "slotbook/detail/availability_convert.hpp"
#include "slotbook/detail/availability_runs.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// Why a slot cannot be booked (`none` when it can).
enum class slot_reason : std::uint8_t {
  none = 0,        ///< bookable
  booked,          ///< overlaps a busy interval (a booking, including held pending-payment ones)
  buffer,          ///< only the buffers around it overlap a busy interval
  too_soon,        ///< starts before `now + minimum_notice` (or in the past)
  too_far,         ///< starts after `now + maximum_advance`
  day_full,        ///< the provider's local day already has `max_per_day` bookings
  exception,       ///< inside the weekly hours, but a date exception closed that time
  outside_hours,   ///< not inside the provider's hours (fixed grid, or check_bookable)
  not_on_grid,     ///< check_bookable: inside the hours but not a start the slot grid offers
  wrong_duration,  ///< check_bookable: not `rules.duration` long
};

/// The seed's reason strings: `"booked"`, `"too_soon"`, ...; `""` for `none`.
constexpr std::string_view to_string(slot_reason reason) noexcept {
  switch (reason) {
    case slot_reason::none:
      return "";
    case slot_reason::booked:
      return "booked";
    case slot_reason::buffer:
      return "buffer";
    case slot_reason::too_soon:
      return "too_soon";
    case slot_reason::too_far:
      return "too_far";
    case slot_reason::day_full:
      return "day_full";
    case slot_reason::exception:
      return "exception";
    case slot_reason::outside_hours:
      return "outside_hours";
    case slot_reason::not_on_grid:
      return "not_on_grid";
    case slot_reason::wrong_duration:
      return "wrong_duration";
  }
  return "unknown";
}

/// The error class a refused booking maps to: `booked`/`buffer` are `conflict`; `too_soon`,
/// `too_far` and `day_full` are `policy_denied`; `exception`, `outside_hours` and `not_on_grid` are
/// `outside_availability`; `wrong_duration` is `invalid_argument`. (`none` is not a refusal and
/// maps to `invalid_argument`.)
constexpr errc to_errc(slot_reason reason) noexcept {
  switch (reason) {
    case slot_reason::booked:
    case slot_reason::buffer:
      return errc::conflict;
    case slot_reason::too_soon:
    case slot_reason::too_far:
    case slot_reason::day_full:
      return errc::policy_denied;
    case slot_reason::exception:
    case slot_reason::outside_hours:
    case slot_reason::not_on_grid:
      return errc::outside_availability;
    case slot_reason::none:
    case slot_reason::wrong_duration:
      return errc::invalid_argument;
  }
  return errc::invalid_argument;
}

/// Where slot starts come from.
enum class slot_alignment : std::uint8_t {
  /// From the start of each run of availability, every `step` (a 09:30-12:00 window with 60-minute
  /// slots offers 09:30 and 10:30). Only times inside the hours are listed.
  run_start,
  /// A fixed local wall-clock grid: every `step` from each local midnight (60 minutes = on the
  /// hour), converted with the DST rule of `to_instant` (a grid time in a gap moves forward and
  /// merges with the one it lands on; on a fall-back day only the first of two equal wall-clock
  /// times is a grid time). Every grid time in the range is listed; those not inside the hours say
  /// `outside_hours` or `exception`. A step that does not divide 24 h restarts at each midnight.
  fixed_grid,
};

/// How slots are cut and which ones may be booked. Defaults are the seed's: 60-minute sessions,
/// one after another, at least 24 h and at most 30 days ahead.
///
///     slotbook::slot_rules rules;
///     rules.step = std::chrono::minutes{15};     // a 60-minute session may start every 15 min
///     rules.buffer_after = std::chrono::minutes{10};
struct slot_rules {
  std::chrono::minutes duration{60};         ///< session length, 1 min to 7 days
  std::optional<std::chrono::minutes> step;  ///< between slot starts; none = `duration`
  std::chrono::minutes buffer_before{0};     ///< free time needed before a session, up to 24 h
  std::chrono::minutes buffer_after{0};      ///< free time needed after a session, up to 24 h
  std::chrono::minutes minimum_notice{std::chrono::hours{24}};  ///< earliest start is now + this
  std::chrono::minutes maximum_advance{date::days{30}};         ///< latest start is now + this
  /// Most bookings on one of the provider's local calendar days (counted as the busy intervals
  /// starting that day); none = no limit.
  std::optional<unsigned> max_per_day;
  slot_alignment alignment = slot_alignment::run_start;

  /// `step`, or `duration` when unset.
  std::chrono::minutes effective_step() const noexcept { return step.value_or(duration); }

  friend bool operator==(const slot_rules&, const slot_rules&) = default;
};

/// Throws `errc::invalid_argument` naming the field for rules out of range: a duration or step
/// below 1 minute or above 7 days, a negative buffer or one over 24 h, a negative notice or
/// advance or one over 3660 days, an unknown alignment.
inline void validate(const slot_rules& rules) {
  using std::chrono::minutes;
  const auto check = [](std::string_view field, minutes value, minutes low, minutes high) {
    if (value < low || value > high) {
      throw error(errc::invalid_argument,
                  fmt::format("rules.{}: {} min is outside {} to {} min", field, value.count(),
                              low.count(), high.count()));
    }
  };
  constexpr minutes week{date::days{7}};
  check("duration", rules.duration, minutes{1}, week);
  if (rules.step) check("step", *rules.step, minutes{1}, week);
  check("buffer_before", rules.buffer_before, minutes{0}, std::chrono::hours{24});
  check("buffer_after", rules.buffer_after, minutes{0}, std::chrono::hours{24});
  check("minimum_notice", rules.minimum_notice, minutes{0}, date::days{3660});
  check("maximum_advance", rules.maximum_advance, minutes{0}, date::days{3660});
  if (rules.alignment != slot_alignment::run_start &&
      rules.alignment != slot_alignment::fixed_grid) {
    throw error(errc::invalid_argument, fmt::format("rules.alignment: {} is not a slot alignment",
                                                    static_cast<unsigned>(rules.alignment)));
  }
}

/// One candidate slot: `[start, start + duration)` in UTC, whether it can be booked, and why not.
struct slot {
  interval time;
  bool available = false;
  slot_reason reason = slot_reason::none;  ///< `none` exactly when `available`

  friend constexpr bool operator==(const slot&, const slot&) noexcept = default;
};

/// The answer of `check_bookable`.
///
///     if (auto d = slotbook::check_bookable(...); !d) throw slotbook::error(to_errc(d.reason),
///     ...);
struct slot_decision {
  bool allowed = false;
  slot_reason reason = slot_reason::none;  ///< `none` exactly when `allowed`

  explicit constexpr operator bool() const noexcept { return allowed; }
  friend constexpr bool operator==(const slot_decision&, const slot_decision&) noexcept = default;
};

namespace detail {

/// The longest range one slot query may span, in days.
inline constexpr int max_slot_query_days = 400;

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) noexcept { return -floor_div(-a, b); }

/// Reusable buffers for slot computations, so a team query over thousands of providers allocates
/// once rather than per provider.
struct slot_scratch {
  /// One converter per zone, shared by every provider in that zone: its cached offset period
  /// saves a tz database search per provider.
  local_converter& converter(const date::time_zone& zone) {
    return converters.try_emplace(&zone, zone).first->second;
  }

  std::unordered_map<const date::time_zone*, local_converter> converters;
  std::vector<interval> days;
  std::vector<availability_run> actual;
  std::vector<availability_run> weekly;
  std::vector<instant> starts;
  std::vector<interval> busy_sorted;
  std::vector<instant> busy_max_end;
  std::vector<date::local_days> busy_days;
};

/// Busy intervals ready for overlap and per-day questions. Accepts any order and overlapping
/// intervals. Short lists are scanned; a long one is indexed on first use (in place when sorted,
/// which is the usual case).
class busy_index {
 public:
  busy_index(std::span<const interval> busy, slot_scratch& scratch)
      : busy_(busy), scratch_(&scratch) {
    for (std::size_t i = 0; i < busy.size(); ++i) {
      const interval& b = busy[i];
      // Messages are formatted only on failure: this loop runs for every booking of every query.
      if (!supported(b.begin)) unsupported_instant(b.begin, fmt::format("busy[{}].begin", i));
      if (!supported(b.end)) unsupported_instant(b.end, fmt::format("busy[{}].end", i));
      if (!b.ok()) {
        throw error(errc::invalid_argument,
                    fmt::format("busy[{}]: end {} is not after begin {}", i, format_instant(b.end),
                                format_instant(b.begin)));
      }
      if (i > 0) {
        sorted_ = sorted_ && busy[i - 1].begin <= b.begin;
        ends_sorted_ = ends_sorted_ && busy[i - 1].end <= b.end;
      }
    }
  }
  busy_index(const busy_index&) = delete;
  busy_index& operator=(const busy_index&) = delete;

  /// True when some busy interval shares time with `x`.
  bool overlaps(const interval& x) {
    if (busy_.size() <= scan_limit) {
      return std::any_of(busy_.begin(), busy_.end(),
                         [&](const interval& b) { return b.begin < x.end && x.begin < b.end; });
    }
    index();
    const auto it = std::partition_point(view_.begin(), view_.end(),
                                         [&](const interval& b) { return b.begin < x.end; });
    if (it == view_.begin()) return false;
    const auto last = static_cast<std::size_t>(it - view_.begin()) - 1;
    const instant furthest = max_end_ == nullptr ? view_[last].end : (*max_end_)[last];
    return furthest > x.begin;
  }

  /// How many busy intervals start on local day `day`.
  std::size_t starting_on(date::local_days day, local_converter& convert) {
    if (busy_.size() <= scan_limit) {
      return static_cast<std::size_t>(
          std::count_if(busy_.begin(), busy_.end(),
                        [&](const interval& b) { return convert.local_day(b.begin) == day; }));
    }
    std::vector<date::local_days>& days = scratch_->busy_days;
    if (!days_ready_) {
      days.clear();
      for (const interval& b : busy_) days.push_back(convert.local_day(b.begin));
      std::sort(days.begin(), days.end());
      days_ready_ = true;
    }
    const auto [lo, hi] = std::equal_range(days.begin(), days.end(), day);
    return static_cast<std::size_t>(hi - lo);
  }

 private:
  static constexpr std::size_t scan_limit = 16;

  void index() {
    if (indexed_) return;
    indexed_ = true;
    view_ = busy_;
    if (sorted_ && ends_sorted_) return;  // the running maximum of the ends is the last end
    if (!sorted_) {
      scratch_->busy_sorted.assign(busy_.begin(), busy_.end());
      std::sort(scratch_->busy_sorted.begin(), scratch_->busy_sorted.end());
      view_ = scratch_->busy_sorted;
    }
    std::vector<instant>& max_end = scratch_->busy_max_end;
    max_end.clear();
    for (const interval& b : view_) {
      max_end.push_back(max_end.empty() ? b.end : std::max(max_end.back(), b.end));
    }
    max_end_ = &max_end;
  }

  std::span<const interval> busy_;
  slot_scratch* scratch_;
  bool sorted_ = true;       // begins ascending
  bool ends_sorted_ = true;  // ends ascending too
  bool indexed_ = false;
  bool days_ready_ = false;
  std::span<const interval> view_;
  const std::vector<instant>* max_end_ = nullptr;
};

/// The run containing `x` entirely, or null.
inline const availability_run* run_containing(const std::vector<availability_run>& runs,
                                              const interval& x) {
  const auto it = std::partition_point(
      runs.begin(), runs.end(), [&](const availability_run& r) { return r.time.end <= x.begin; });
  if (it == runs.end() || !(it->time.begin <= x.begin && x.end <= it->time.end)) return nullptr;
  return &*it;
}

/// True when some run shares time with `x`.
inline bool runs_overlap(const std::vector<availability_run>& runs, const interval& x) {
  const auto it = std::partition_point(
      runs.begin(), runs.end(), [&](const availability_run& r) { return r.time.end <= x.begin; });
  return it != runs.end() && it->time.begin < x.end;
}

/// One provider's slot computation for one `now`: the shared machinery of `generate_slots`,
/// `free_slots`, `check_bookable` and the team queries, so they cannot disagree.
class slot_engine {
 public:
  slot_engine(const availability& hours, std::span<const interval> busy, const slot_rules& rules,
              instant now, slot_scratch& scratch)
      : hours_(&hours),
        rules_(checked(rules)),
        now_(checked_now(now)),
        busy_(busy, scratch),
        convert_(scratch.converter(hours.zone())),
        duration_(rules.duration),
        step_(rules.effective_step()),
        scratch_(scratch.days),
        actual_(scratch.actual),
        weekly_(scratch.weekly),
        starts_(scratch.starts) {}

  const slot_rules& rules() const noexcept { return rules_; }

  /// Every listed slot starting in `range`, in order. Without `with_closed`, only slots inside
  /// the hours (bookable or not); with it, also those an exception closed and, on a fixed grid,
  /// those outside the hours.
  void list(const interval& range, bool with_closed, std::vector<slot>& out) {
    out.clear();
    const instant until = range.end + duration_;
    runs_after(*hours_, hours_kind::actual, range.begin, until, convert_, scratch_, actual_);
    const bool weekly = with_closed && weekly_differs(range.begin, until);
    if (weekly) {
      runs_after(*hours_, hours_kind::weekly, range.begin, until, convert_, scratch_, weekly_);
    }
    if (rules_.alignment == slot_alignment::run_start) {
      for (const availability_run& run : actual_) {
        for_each_start(run, range, [&](const interval& c) {
          out.push_back(evaluate(c));
          return true;
        });
      }
      if (weekly) {
        const auto listed = static_cast<std::ptrdiff_t>(out.size());
        for (const availability_run& run : weekly_) {
          for_each_start(run, range, [&](const interval& c) {
            if (!runs_overlap(actual_, c)) out.push_back({c, false, slot_reason::exception});
            return true;
          });
        }
        std::inplace_merge(out.begin(), out.begin() + listed, out.end(),
                           [](const slot& a, const slot& b) { return a.time < b.time; });
      }
      return;
    }
    fixed_grid_starts(range, starts_);
    for (const instant start : starts_) {
      const interval c{start, start + duration_};
      if (run_containing(actual_, c) != nullptr) {
        out.push_back(evaluate(c));
      } else if (with_closed) {
        const bool closed =
            weekly && !runs_overlap(actual_, c) && run_containing(weekly_, c) != nullptr;
        out.push_back({c, false, closed ? slot_reason::exception : slot_reason::outside_hours});
      }
    }
  }

  /// The first bookable slot starting in `range`, if any.
  std::optional<interval> first_available(const interval& range) {
    const instant until = range.end + duration_;
    runs_after(*hours_, hours_kind::actual, range.begin, until, convert_, scratch_, actual_);
    if (rules_.alignment == slot_alignment::run_start) {
      for (const availability_run& run : actual_) {
        std::optional<interval> found;
        for_each_start(run, range, [&](const interval& c) {
          if (policy(c) == slot_reason::none) found = c;
          return !found;
        });
        if (found) return found;
      }
      return std::nullopt;
    }
    fixed_grid_starts(range, starts_);
    for (const instant start : starts_) {
      const interval c{start, start + duration_};
      if (run_containing(actual_, c) != nullptr && policy(c) == slot_reason::none) return c;
    }
    return std::nullopt;
  }

  /// The booking check (see `check_bookable`).
  slot_decision check(const interval& proposed) {
    if (proposed.duration() != duration_) return {false, slot_reason::wrong_duration};
    runs_after(*hours_, hours_kind::actual, proposed.begin, proposed.end, convert_, scratch_,
               actual_);
    const availability_run* run = run_containing(actual_, proposed);
    const bool fixed = rules_.alignment == slot_alignment::fixed_grid;
    const bool on_grid = fixed ? is_fixed_grid_start(proposed.begin)
                               : run != nullptr && is_run_start(*run, proposed);
    if (on_grid && run != nullptr) return decide(policy(proposed));

    const bool weekly = weekly_differs(proposed.begin, proposed.end);
    if (weekly) {
      runs_after(*hours_, hours_kind::weekly, proposed.begin, proposed.end, convert_, scratch_,
                 weekly_);
    }
    const availability_run* weekly_run = weekly ? run_containing(weekly_, proposed) : nullptr;
    const bool touches_hours = runs_overlap(actual_, proposed);
    // Mirrors `list`: a slot the weekly grid (or the fixed grid) offers, wholly in the weekly hours
    // and wholly outside the actual hours, is listed as closed by an exception.
    const bool listed_as_exception = weekly_run != nullptr && !touches_hours &&
                                     (fixed ? on_grid : is_run_start(*weekly_run, proposed));
    if (listed_as_exception) return {false, slot_reason::exception};
    if (fixed && on_grid) return {false, slot_reason::outside_hours};
    if (run != nullptr) return {false, slot_reason::not_on_grid};
    if (weekly_run != nullptr) return {false, slot_reason::exception};
    return {false, slot_reason::outside_hours};
  }

 private:
  static const slot_rules& checked(const slot_rules& rules) {
    validate(rules);
    return rules;
  }
  static instant checked_now(instant now) {
    check_instant(now, "now");
    return now;
  }
  static slot_decision decide(slot_reason reason) { return {reason == slot_reason::none, reason}; }

  // Whether the weekly hours can differ from the actual ones around `[from, until)`: only on
  // exception days.
  bool weekly_differs(instant from, instant until) const {
    const auto [first, last] = days_reaching(from, until);
    return hours_->has_exception_between(first, last);
  }

  // The grid anchor of a run: its start, or the Unix epoch for a run that never started.
  static instant anchor_of(const availability_run& run) {
    return run.open_start ? instant{} : run.time.begin;
  }

  bool is_run_start(const availability_run& run, const interval& x) const {
    const auto since = (x.begin - anchor_of(run)).count();
    const auto step = std::chrono::seconds{step_}.count();
    return x.begin >= run.time.begin && floor_div(since, step) * step == since;
  }

  // Calls `emit(slot)` for each grid slot of `run` starting in `range`, in order, while it
  // returns true.
  template <class F>
  void for_each_start(const availability_run& run, const interval& range, F&& emit) const {
    const instant anchor = anchor_of(run);
    const std::chrono::seconds step{step_};
    const instant lowest = std::max(range.begin, run.time.begin);
    const auto k = ceil_div((lowest - anchor).count(), step.count());
    for (instant t = anchor + step * k; t < range.end && t + duration_ <= run.time.end; t += step) {
      if (!emit(interval{t, t + duration_})) return;
    }
  }

  // Fixed-grid starts in `range`, sorted and without duplicates (a grid time in a DST gap can
  // land on another one).
  void fixed_grid_starts(const interval& range, std::vector<instant>& out) {
    out.clear();
    const auto [first, last] = days_reaching(range.begin, range.end);
    for (date::local_days d = first; d <= last; d += date::days{1}) {
      const date::local_seconds midnight{d};
      for (std::chrono::minutes m{0}; m < std::chrono::hours{24}; m += step_) {
        const instant t = convert_.to_instant(midnight + m);
        if (range.contains(t)) out.push_back(t);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }

  // True when `t` is a fixed-grid time: `to_instant(L)` of a local grid time L. Such an L is `t`
  // read with the offset in force at `t` (the usual and the ambiguous case) or with the offset
  // just before `t`'s period began (a gap time moved forward).
  bool is_fixed_grid_start(instant t) const {
    const date::time_zone& zone = hours_->zone();
    const date::sys_info info = detail::zone_info(zone, t);
    const std::chrono::seconds offsets[] = {
        info.offset, detail::zone_info(zone, info.begin - std::chrono::seconds{1}).offset};
    for (const std::chrono::seconds offset : offsets) {
      const date::local_seconds local{t.time_since_epoch() + offset};
      const auto since_midnight = local - date::floor<date::days>(local);
      const auto step = std::chrono::seconds{step_}.count();
      if (since_midnight.count() % step == 0 && slotbook::to_instant(local, zone) == t) {
        return true;
      }
    }
    return false;
  }

  slot evaluate(const interval& c) {
    const slot_reason reason = policy(c);
    return {c, reason == slot_reason::none, reason};
  }

  // The reasons that depend on `now` and the calendar, for a slot inside the hours and on the
  // grid, in the documented order.
  slot_reason policy(const interval& c) {
    if (c.begin < now_ + rules_.minimum_notice) return slot_reason::too_soon;
    if (c.begin > now_ + rules_.maximum_advance) return slot_reason::too_far;
    if (busy_.overlaps(c)) return slot_reason::booked;
    if (busy_.overlaps({c.begin - rules_.buffer_before, c.end + rules_.buffer_after})) {
      return slot_reason::buffer;
    }
    if (rules_.max_per_day &&
        busy_.starting_on(convert_.local_day(c.begin), convert_) >= *rules_.max_per_day) {
      return slot_reason::day_full;
    }
    return slot_reason::none;
  }

  const availability* hours_;
  slot_rules rules_;
  instant now_;
  busy_index busy_;
  local_converter& convert_;
  std::chrono::minutes duration_;
  std::chrono::minutes step_;
  std::vector<interval>& scratch_;
  std::vector<availability_run>& actual_;
  std::vector<availability_run>& weekly_;
  std::vector<instant>& starts_;
};

}  // namespace detail

/// Every candidate slot starting in `range` (UTC, half-open), in order, each with `available` and
/// a `reason` when not. With `run_start` alignment (the default) the candidates are the slot grid
/// of the provider's hours plus, on days a date exception changed, the weekly grid's slots that lie
/// wholly outside the remaining hours (reason `exception`); with `fixed_grid`, every grid time.
/// `busy` holds the provider's existing bookings, held pending-payment ones included, one interval
/// per booking (any order; overlaps allowed); they are taken as given (buffers are added around the
/// candidate slot, not around them). `now` is the caller's clock.
///
/// Throws `errc::invalid_argument` for invalid rules, a range that is empty, outside 1900-2999 or
/// longer than 400 days, a bad busy interval, or `now` outside 1900-2999.
///
///     auto day = slotbook::make_interval(slotbook::parse_instant("2026-01-15T00:00:00Z"),
///                                        date::days{1});
///     auto slots = slotbook::generate_slots(hours, busy, rules, day, now);
inline std::vector<slot> generate_slots(const availability& hours, std::span<const interval> busy,
                                        const slot_rules& rules, const interval& range,
                                        instant now) {
  detail::check_range(range, "range", detail::max_slot_query_days);
  detail::slot_scratch scratch;
  detail::slot_engine engine{hours, busy, rules, now, scratch};
  std::vector<slot> out;
  engine.list(range, true, out);
  return out;
}

/// `generate_slots` for a schedule that has not been indexed yet (validates it first).
inline std::vector<slot> generate_slots(const schedule& s, std::span<const interval> busy,
                                        const slot_rules& rules, const interval& range,
                                        instant now) {
  return generate_slots(availability{s}, busy, rules, range, now);
}

/// Only the bookable slots of `generate_slots`, as intervals in order.
///
///     for (slotbook::interval i : slotbook::free_slots(hours, busy, rules, week, now)) { ... }
inline std::vector<interval> free_slots(const availability& hours, std::span<const interval> busy,
                                        const slot_rules& rules, const interval& range,
                                        instant now) {
  detail::check_range(range, "range", detail::max_slot_query_days);
  detail::slot_scratch scratch;
  detail::slot_engine engine{hours, busy, rules, now, scratch};
  std::vector<slot> all;
  engine.list(range, false, all);
  std::vector<interval> out;
  out.reserve(all.size());
  for (const slot& s : all) {
    if (s.available) out.push_back(s.time);
  }
  return out;
}

/// `free_slots` for a schedule that has not been indexed yet (validates it first).
inline std::vector<interval> free_slots(const schedule& s, std::span<const interval> busy,
                                        const slot_rules& rules, const interval& range,
                                        instant now) {
  return free_slots(availability{s}, busy, rules, range, now);
}

/// May `proposed` be booked now? This is the booking path's check, and it agrees with
/// `generate_slots`: for a listed slot, `allowed` equals `available` and the reasons are equal. An
/// interval the list never offers is refused: `wrong_duration` when it is not `rules.duration`
/// long, `not_on_grid` when it is inside the hours but does not start on the slot grid,
/// `exception` when it is in the weekly hours but a date exception closed it, otherwise
/// `outside_hours`. Off-grid starts are refused on purpose: a client can only book what a slot list
/// could show, so every booking keeps the grid intact for the next client.
///
/// The caller passes the provider's current bookings as `busy` (without the one being
/// rescheduled). Throws `errc::invalid_argument` for invalid rules, an empty `proposed`, instants
/// outside 1900-2999, or a bad busy interval.
///
///     auto d = slotbook::check_bookable(hours, busy, rules, {start, start + 60min}, now);
///     if (!d) return refuse(slotbook::to_errc(d.reason), slotbook::to_string(d.reason));
inline slot_decision check_bookable(const availability& hours, std::span<const interval> busy,
                                    const slot_rules& rules, const interval& proposed,
                                    instant now) {
  detail::check_instant(proposed.begin, "proposed.begin");
  detail::check_instant(proposed.end, "proposed.end");
  if (!proposed.ok()) {
    throw error(errc::invalid_argument,
                fmt::format("proposed: end {} is not after begin {}", format_instant(proposed.end),
                            format_instant(proposed.begin)));
  }
  detail::slot_scratch scratch;
  detail::slot_engine engine{hours, busy, rules, now, scratch};
  return engine.check(proposed);
}

/// `check_bookable` for a schedule that has not been indexed yet (validates it first).
inline slot_decision check_bookable(const schedule& s, std::span<const interval> busy,
                                    const slot_rules& rules, const interval& proposed,
                                    instant now) {
  return check_bookable(availability{s}, busy, rules, proposed, now);
}

// ---------------------------------------------------------------------------------------------
// Team queries
// ---------------------------------------------------------------------------------------------

/// One provider in a team query. A view: `hours`, `busy` and `rules` are not owned and must
/// outlive the call.
struct team_member {
  provider_id provider;
  const availability* hours = nullptr;
  std::span<const interval> busy;
  const slot_rules* rules = nullptr;
};

/// A slot offered by one provider of a team.
struct team_slot {
  provider_id provider;
  interval time;

  friend constexpr bool operator==(const team_slot&, const team_slot&) noexcept = default;
};

namespace detail {

inline void check_member(const team_member& m, std::size_t i) {
  if (m.hours == nullptr || m.rules == nullptr) {
    throw error(errc::invalid_argument,
                fmt::format("team[{}].{}: is null", i, m.hours == nullptr ? "hours" : "rules"));
  }
}

}  // namespace detail

/// The providers (in team order) who could be booked for a session starting at `start`, each for
/// their own `rules.duration`: exactly those for whom `check_bookable` allows it. Costs one
/// `check_bookable` per provider; no slot lists are built.
///
///     auto who = slotbook::providers_free_at(team, parse_instant("2026-03-10T14:00:00Z"), now);
inline std::vector<provider_id> providers_free_at(std::span<const team_member> team, instant start,
                                                  instant now) {
  detail::check_instant(start, "start");
  std::vector<provider_id> out;
  detail::slot_scratch scratch;
  for (std::size_t i = 0; i < team.size(); ++i) {
    const team_member& m = team[i];
    detail::check_member(m, i);
    detail::slot_engine engine{*m.hours, m.busy, *m.rules, now, scratch};
    if (engine.check({start, start + m.rules->duration}).allowed) out.push_back(m.provider);
  }
  return out;
}

/// The earliest bookable slot any provider of the team has starting at or after `from` (and within
/// each provider's own notice and horizon), or none. Ties go to the provider earlier in `team`.
/// The search goes forward in growing chunks (1, 2, 4, ... days) and, once one provider has a slot,
/// asks the others only about the time before it, so a team of thousands costs little more than a
/// short look at each provider.
///
///     if (auto s = slotbook::earliest_team_slot(team, now, now)) offer(s->provider, s->time);
inline std::optional<team_slot> earliest_team_slot(std::span<const team_member> team, instant from,
                                                   instant now) {
  detail::check_instant(from, "from");
  detail::check_instant(now, "now");
  struct window {
    instant lowest;     // earliest start the provider accepts
    instant past_last;  // just after the latest start
  };
  std::vector<window> windows;
  windows.reserve(team.size());
  instant search_end = from;
  for (std::size_t i = 0; i < team.size(); ++i) {
    detail::check_member(team[i], i);
    validate(*team[i].rules);
    const slot_rules& r = *team[i].rules;
    const window w{std::max(from, now + r.minimum_notice),
                   now + r.maximum_advance + std::chrono::seconds{1}};
    windows.push_back(w);
    search_end = std::max(search_end, w.past_last);
  }
  std::optional<team_slot> best;
  detail::slot_scratch scratch;
  date::days chunk{1};
  for (instant chunk_begin = from; chunk_begin < search_end;) {
    const instant chunk_end = std::min(search_end, chunk_begin + chunk);
    for (std::size_t i = 0; i < team.size(); ++i) {
      const instant lo = std::max(chunk_begin, windows[i].lowest);
      instant hi = std::min(chunk_end, windows[i].past_last);
      if (best) hi = std::min(hi, best->time.begin);
      if (lo >= hi) continue;
      detail::slot_engine engine{*team[i].hours, team[i].busy, *team[i].rules, now, scratch};
      if (const auto found = engine.first_available({lo, hi})) {
        best = team_slot{team[i].provider, *found};
      }
    }
    if (best) return best;
    chunk_begin = chunk_end;
    chunk *= 2;
  }
  return std::nullopt;
}

}  // namespace slotbook
