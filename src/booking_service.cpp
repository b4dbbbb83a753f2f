// The booking service: one storage transaction per operation over the pure core. The contract
// each function keeps (checks in order, what one transaction contains, access, audit, events) is
// written down in docs/service.md; change both together.
#include "slotbook/booking_service.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>

#include "slotbook/availability.hpp"
#include "slotbook/detail/quote.hpp"
#include "slotbook/reference.hpp"

namespace slotbook {

// =============================================================================================
// Events: ordered, after-commit delivery
// =============================================================================================

namespace detail {

// Delivers batches of events in the order their transactions committed. A write operation takes a
// ticket while it still holds the store's write lock (so ticket order is commit order), commits,
// then hands its batch to `publish` with that ticket (an empty batch when the commit failed).
// Whichever thread finds nobody delivering becomes the deliverer and drains every batch whose turn
// has come, calling the callbacks with no lock held; the others enqueue and return.
class event_hub {
 public:
  subscription subscribe(std::shared_ptr<event_hub> self, change_callback callback) {
    const std::lock_guard lock(mutex_);
    const std::uint64_t id = next_listener_++;
    listeners_.push_back(std::make_shared<listener>(listener{id, std::move(callback)}));
    return subscription{std::move(self), id};
  }

  void unsubscribe(std::uint64_t id) noexcept {
    std::unique_lock lock(mutex_);
    std::erase_if(listeners_, [&](const std::shared_ptr<listener>& l) { return l->id == id; });
    // Wait out a call in progress on another thread; from inside the callback itself, just
    // return (it will not be called again: it is no longer listed).
    idle_.wait(lock, [&] { return calling_ != id || deliverer_ == std::this_thread::get_id(); });
  }

  std::uint64_t reserve() noexcept { return next_ticket_.fetch_add(1); }

  void publish(std::uint64_t ticket, std::vector<change_event> batch) noexcept {
    std::unique_lock lock(mutex_);
    ready_.emplace(ticket, std::move(batch));
    if (delivering_) return;
    delivering_ = true;
    deliverer_ = std::this_thread::get_id();
    for (auto it = ready_.find(next_to_deliver_); it != ready_.end();
         it = ready_.find(next_to_deliver_)) {
      std::vector<change_event> events = std::move(it->second);
      ready_.erase(it);
      ++next_to_deliver_;
      for (change_event& e : events) {
        e.sequence = ++delivered_;
        const std::vector<std::shared_ptr<listener>> targets = listeners_;
        for (const std::shared_ptr<listener>& l : targets) {
          if (std::find(listeners_.begin(), listeners_.end(), l) == listeners_.end()) continue;
          calling_ = l->id;
          lock.unlock();
          try {
            l->callback(e);
          } catch (...) {
            // A subscriber's failure must not undo or block a commit that already happened.
          }
          lock.lock();
          calling_ = 0;
          idle_.notify_all();
        }
      }
    }
    delivering_ = false;
    deliverer_ = std::thread::id{};
    idle_.notify_all();
  }

 private:
  struct listener {
    std::uint64_t id;
    change_callback callback;
  };

  std::mutex mutex_;
  std::condition_variable idle_;
  std::vector<std::shared_ptr<listener>> listeners_;
  std::uint64_t next_listener_{1};
  std::atomic<std::uint64_t> next_ticket_{1};
  std::uint64_t next_to_deliver_{1};
  std::map<std::uint64_t, std::vector<change_event>> ready_;
  bool delivering_{false};
  std::thread::id deliverer_{};
  std::uint64_t calling_{0};
  std::uint64_t delivered_{0};
};

}  // namespace detail

subscription::subscription(subscription&& other) noexcept
    : hub_(std::move(other.hub_)), id_(std::exchange(other.id_, 0)) {}

subscription& subscription::operator=(subscription&& other) noexcept {
  if (this != &other) {
    reset();
    hub_ = std::move(other.hub_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

subscription::~subscription() { reset(); }

void subscription::reset() noexcept {
  if (id_ == 0) return;
  if (const std::shared_ptr<detail::event_hub> hub = hub_.lock()) hub->unsubscribe(id_);
  hub_.reset();
  id_ = 0;
}

// =============================================================================================
// Options
// =============================================================================================

void validate(const service_options& o) {
  validate(o.lifecycle);
  validate(o.reschedule);
  validate(o.reminders);
  const auto bad = [](std::string_view field, const std::string& why) {
    throw error(errc::invalid_argument, fmt::format("service_options.retry.{}: {}", field, why));
  };
  const reminder_retry& r = o.retry;
  if (r.lease <= std::chrono::seconds::zero()) {
    bad("lease", fmt::format("{}s is not positive", r.lease.count()));
  }
  if (r.first_backoff <= std::chrono::seconds::zero()) {
    bad("first_backoff", fmt::format("{}s is not positive", r.first_backoff.count()));
  }
  if (r.max_backoff < r.first_backoff) {
    bad("max_backoff", fmt::format("{}s is less than first_backoff {}s", r.max_backoff.count(),
                                   r.first_backoff.count()));
  }
  if (r.max_attempts < 1) bad("max_attempts", fmt::format("{} is less than 1", r.max_attempts));
  if (o.transient_attempts < 1 || o.transient_attempts > 100) {
    throw error(errc::invalid_argument,
                fmt::format("service_options.transient_attempts: {} is outside 1 to 100",
                            o.transient_attempts));
  }
  if (o.waitlist_offer_hold < std::chrono::minutes{1} ||
      o.waitlist_offer_hold > std::chrono::days{7}) {
    throw error(
        errc::invalid_argument,
        fmt::format("service_options.waitlist_offer_hold: {} min is outside 1 min to 7 days",
                    o.waitlist_offer_hold.count()));
  }
  // Bounded so that `now - deleted_retention` cannot overflow.
  constexpr std::chrono::seconds longest_retention{std::chrono::hours{24 * 36600}};
  if (o.deleted_retention < std::chrono::seconds::zero() ||
      o.deleted_retention > longest_retention) {
    throw error(errc::invalid_argument,
                fmt::format("service_options.deleted_retention: {}s is outside 0 to 100 years",
                            o.deleted_retention.count()));
  }
}

// =============================================================================================
// Helpers
// =============================================================================================

struct booking_service::state {
  store& db;
  clock& time;
  service_options options;
  std::shared_ptr<detail::event_hub> hub = std::make_shared<detail::event_hub>();
};

namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Busy times are read this far around the interval asked about: enough for the provider's whole
// local day (for `max_per_day`; local days reach 40 h past their UTC midnight) and the buffers
// (at most 24 h each side).
constexpr date::days busy_margin{3};

// Transactions the service committed on this thread. `service_ops::audited` runs an operation
// again after a transient failure only when no transaction of the failed attempt committed:
// then the attempt left nothing behind.
thread_local std::uint64_t commits_on_thread = 0;

void commit_counted(transaction& tx) {
  tx.commit();
  ++commits_on_thread;
}

// The longest range one read may span (about ten years).
constexpr int max_read_days = 3660;

// How much of a refusal's message goes into its audit entry.
constexpr std::size_t max_detail_bytes = 400;

std::uint64_t actor_id(const actor& who) noexcept {
  if (const auto c = who.as_client()) return c->value;
  if (const auto p = who.as_provider()) return p->value;
  if (const auto a = who.as_admin()) return a->value;
  return 0;
}

std::string clip(std::string text, std::size_t limit = max_detail_bytes) {
  if (text.size() > limit) {
    text.resize(limit - 3);
    text += "...";
  }
  return text;
}

void check_text(std::string_view field, std::string_view text) {
  if (text.size() > max_text_bytes) {
    throw error(errc::invalid_argument, fmt::format("{}: {} bytes is longer than the {} allowed",
                                                    field, text.size(), max_text_bytes));
  }
}

void check_range(const interval& range) { detail::check_range(range, "range", max_read_days); }

[[noreturn]] void forbid(const actor& who, std::string_view what) {
  throw error(errc::forbidden, fmt::format("actor: {} may not {}", to_string(who), what));
}

void require_party(const actor& who, const session& s, std::string_view what) {
  if (!acts_for(who, s)) forbid(who, fmt::format("{} session {}", what, to_string(s.id)));
}

// Provider-level data (the profile, the calendar, the analytics): the provider themselves, admin
// and system; never a client, never another provider.
// Who may book `client` into `provider`'s calendar: the client themselves, the provider into their
// own calendar, admins and the system (book and book_series).
void require_may_book(const actor& who, client_id client, provider_id provider) {
  switch (who.kind()) {
    case role::client:
      if (who.as_client() != client) {
        forbid(who, fmt::format("book for client {}", to_string(client)));
      }
      break;
    case role::provider:
      if (who.as_provider() != provider) {
        forbid(who, fmt::format("book into the calendar of provider {}", to_string(provider)));
      }
      break;
    case role::admin:
    case role::system:
      break;
  }
}

// The session types a booking request may ask for.
void check_bookable_type(session_type type) {
  if (type == session_type::group) {
    throw error(errc::invalid_argument,
                "session_type: \"group\" sessions are opened with open_group, not booked");
  }
  if (type != session_type::initial && type != session_type::follow_up &&
      type != session_type::emergency) {
    throw error(errc::invalid_argument,
                fmt::format("session_type: {} is not a session type", static_cast<int>(type)));
  }
}

void require_provider_access(const actor& who, provider_id provider, std::string_view what) {
  if (who.kind() == role::client ||
      (who.kind() == role::provider && who.as_provider() != provider)) {
    forbid(who, fmt::format("{} provider {}", what, to_string(provider)));
  }
}

// A client's own records (their sessions, their intake forms as an author, their data export):
// the client themselves, admin and system; never a provider, never another client.
void require_client_access(const actor& who, client_id client, std::string_view what) {
  if (who.kind() == role::provider || (who.kind() == role::client && who.as_client() != client)) {
    forbid(who, fmt::format("{} client {}", what, to_string(client)));
  }
}

// The error class of a refused transition. Refusals that depend only on the session's current
// status are `conflict` (the caller's view is stale); the role table is `forbidden`; the rules'
// timing and payment conditions are `policy_denied`.
errc errc_of(transition_reason r) noexcept {
  switch (r) {
    case transition_reason::already_terminal:
    case transition_reason::same_status:
    case transition_reason::not_an_edge:
      return errc::conflict;
    case transition_reason::role_not_permitted:
    case transition_reason::not_a_party:
      return errc::forbidden;
    case transition_reason::allowed:
    case transition_reason::payment_not_received:
    case transition_reason::hold_expired:
    case transition_reason::hold_not_expired:
    case transition_reason::session_started:
    case transition_reason::too_early_to_start:
    case transition_reason::too_late_to_start:
    case transition_reason::too_early_for_no_show:
    case transition_reason::ended_before_joined:
    case transition_reason::cancellation_refused:
      return errc::policy_denied;
  }
  return errc::policy_denied;
}

errc errc_of(reschedule_reason r) noexcept {
  switch (r) {
    case reschedule_reason::refused_not_a_party:
      return errc::forbidden;
    case reschedule_reason::refused_status:
      return errc::conflict;
    case reschedule_reason::allowed:
    case reschedule_reason::refused_started:
    case reschedule_reason::refused_limit:
    case reschedule_reason::refused_notice:
      return errc::policy_denied;
  }
  return errc::policy_denied;
}

int year_of(instant t) {
  return static_cast<int>(date::year_month_day{date::floor<date::days>(t)}.year());
}

session load_session(store& db, session_id id) {
  if (!id.ok()) throw error(errc::invalid_argument, "session: 0 is not a session id");
  std::optional<session> s = db.find_session(id);
  if (!s) throw error(errc::not_found, fmt::format("session: no session {}", to_string(id)));
  return std::move(*s);
}

provider_profile load_provider(store& db, provider_id id) {
  std::optional<provider_profile> p = db.find_provider(id);
  if (!p) throw error(errc::not_found, fmt::format("provider: no provider {}", to_string(id)));
  return std::move(*p);
}

interval widened(const interval& i, std::chrono::seconds extra_after = {}) {
  return {i.begin - busy_margin, i.end + busy_margin + extra_after};
}

// The intervals of the sessions that make their provider or client busy at `now` (an expired
// hold does not), leaving out `skip` (the session being rescheduled).
std::vector<interval> busy_times(const std::vector<session>& sessions, instant now,
                                 const hold_rules& hold, session_id skip = {}) {
  std::vector<interval> out;
  out.reserve(sessions.size());
  for (const session& s : sessions) {
    if (s.id != skip && occupies_time(s, now, hold)) out.push_back(session_interval(s));
  }
  return out;
}

// What makes `provider` busy in `range` at `now`: the sessions that occupy time (leaving out
// `skip`) and the slots held for live waitlist offers (leaving out entry `skip_offer`).
std::vector<interval> provider_busy(store& db, provider_id provider, const interval& range,
                                    instant now, const hold_rules& hold, session_id skip = {},
                                    std::int64_t skip_offer = 0) {
  std::vector<interval> busy =
      busy_times(db.active_provider_sessions(provider, range), now, hold, skip);
  for (const waitlist_entry& e : db.open_waitlist_entries(provider, range)) {
    if (e.id != skip_offer && offer_live(e, now)) busy.push_back(*e.offer);
  }
  for (const busy_block& b : db.busy_blocks(provider, range)) busy.push_back(b.time);
  return busy;
}

// " (busy in the external calendar \"work\")" when `reason` is `booked` and a stored external
// block overlaps `proposed`, so a refusal says which calendar is in the way; else empty.
std::string external_note(store& db, provider_id provider, const interval& proposed,
                          slot_reason reason) {
  if (reason != slot_reason::booked) return {};
  const std::vector<busy_block> blocks = db.busy_blocks(provider, proposed);
  if (blocks.empty()) return {};
  return fmt::format(" (busy in the external calendar {})", detail::quote(blocks.front().source));
}

// Refuses `proposed` for the provider with `check_bookable`'s reason and error class.
void check_provider_time(store& db, const provider_profile& profile, const interval& proposed,
                         instant now, const hold_rules& hold, session_id skip,
                         std::string_view field, std::int64_t skip_offer = 0) {
  if (!profile.active) {
    throw error(errc::outside_availability,
                fmt::format("provider: provider {} is not active", to_string(profile.id)));
  }
  const availability hours{profile.hours};
  const std::vector<interval> busy =
      provider_busy(db, profile.id, widened(proposed), now, hold, skip, skip_offer);
  const slot_decision d = check_bookable(hours, busy, profile.rules, proposed, now);
  if (!d) {
    const std::string external = external_note(db, profile.id, proposed, d.reason);
    throw error(to_errc(d.reason), fmt::format("{}: {} with provider {} cannot be booked: {}{}",
                                               field, to_string(proposed), to_string(profile.id),
                                               to_string(d.reason), external));
  }
}

// The non-terminal sessions that may make `client` busy in `range`: their own sessions and the
// group sessions in which they hold a seat.
std::vector<session> client_commitments(store& db, client_id client, const interval& range) {
  std::vector<session> out = db.active_client_sessions(client, range);
  std::vector<session> groups = db.active_client_group_sessions(client, range);
  out.insert(out.end(), std::make_move_iterator(groups.begin()),
             std::make_move_iterator(groups.end()));
  return out;
}

// Refuses `proposed` when the client already has a session (or a seat in a group session) that
// occupies time then.
void check_client_time(store& db, client_id client, const interval& proposed, instant now,
                       const hold_rules& hold, session_id skip) {
  for (const session& s : client_commitments(db, client, proposed)) {
    if (s.id == skip || !occupies_time(s, now, hold)) continue;
    if (session_interval(s).overlaps(proposed)) {
      throw error(errc::conflict,
                  fmt::format("client: client {} already has session {} at {}: client_busy",
                              to_string(client), to_string(s.id), to_string(session_interval(s))));
    }
  }
}

change_event event_of(change_kind kind, const session& s, instant now, const actor& who) {
  change_event e;
  e.kind = kind;
  e.at = now;
  e.session = s.id;
  e.booking_reference = s.booking_reference;
  e.provider = s.provider;
  e.client = s.client;
  e.time = session_interval(s);
  e.to = s.status;
  e.by = who.kind();
  return e;
}

// A `slot_freed` event when `before` held its time (it was not over yet) and `after` no longer
// does: the part of the session from `now` on (the past cannot be booked). An expired hold that
// `expire_holds` closes counts: browsers learn of the free time then.
void add_slot_freed(std::vector<change_event>& events, const session& before, const session& after,
                    instant now, const hold_rules& hold, const actor& who) {
  if (is_terminal(before.status)) return;
  if (after.id == before.id && occupies_time(after, now, hold)) return;
  const interval freed = session_interval(before).intersection({now, instant::max()});
  if (!freed.ok()) return;
  change_event e = event_of(change_kind::slot_freed, before, now, who);
  e.time = freed;
  e.from = before.status;
  e.to = after.status;
  events.push_back(std::move(e));
}

std::chrono::seconds backoff(const reminder_retry& r, std::int32_t attempts) {
  seconds delay = r.first_backoff;
  for (std::int32_t i = 1; i < attempts && delay < r.max_backoff; ++i) delay *= 2;
  return std::min(delay, r.max_backoff);
}

// --- intake forms and privacy ------------------------------------------------------------------

// Every instant a session can start at (validate bounds them), as one range: all of a client's
// sessions.
const interval all_time{detail::earliest_instant, detail::latest_instant + std::chrono::hours{24}};

// The longest deletion reason, in bytes: a category, not an explanation.
constexpr std::size_t max_reason_bytes = 200;

void check_reason(std::string_view reason) {
  if (reason.empty()) {
    throw error(errc::invalid_argument,
                "reason: \"\" is empty (give a short category, e.g. \"client request\")");
  }
  if (reason.size() > max_reason_bytes) {
    throw error(errc::invalid_argument,
                fmt::format("reason: {} bytes is longer than the {} allowed", reason.size(),
                            max_reason_bytes));
  }
}

std::string_view step_name(const personal_info_step&) {
  return to_string(intake_step::personal_info);
}
std::string_view step_name(const mental_health_step&) {
  return to_string(intake_step::mental_health);
}
std::string_view step_name(const goals_step&) { return to_string(intake_step::goals); }
std::string_view step_name(const consent_step&) { return to_string(intake_step::consent); }

const keyring& keys_of(const service_options& o) {
  if (o.keys == nullptr) {
    throw error(errc::crypto,
                "service_options.keys: no keyring is configured, so intake forms can be neither "
                "sealed nor opened");
  }
  return *o.keys;
}

stored_intake load_intake(store& db, intake_id id) {
  if (!id.ok()) throw error(errc::invalid_argument, "intake: 0 is not an intake form id");
  std::optional<stored_intake> f = db.find_intake(id);
  if (!f) throw error(errc::not_found, fmt::format("intake: no intake_form {}", id.value));
  return std::move(*f);
}

// A form that has not been crypto-shredded: for a deleted one there is nothing left to read or
// fill in.
stored_intake load_live_intake(store& db, intake_id id) {
  stored_intake f = load_intake(db, id);
  if (f.deleted()) {
    throw error(errc::not_found, fmt::format("intake: intake_form {} was deleted at {}", id.value,
                                             format_instant(*f.deleted_at)));
  }
  return f;
}

// `intake_form 5 of client 7, session 3`: ids only, for messages and audit entries.
std::string describe(const stored_intake& f) {
  std::string out =
      fmt::format("intake_form {} of client {}", f.form.id.value, to_string(f.form.client));
  if (f.form.session.ok()) out += fmt::format(", session {}", to_string(f.form.session));
  return out;
}

intake_summary summarize(const stored_intake& f) {
  const sealed_intake& s = f.form;
  intake_summary out;
  out.id = s.id;
  out.client = s.client;
  out.session = s.session;
  out.personal_info = s.personal_info.has_value();
  out.mental_health = s.mental_health.has_value();
  out.goals = s.goals.has_value();
  out.consent = s.consent;
  out.complete = !f.deleted() && is_complete(s);
  out.completed_at = s.completed_at;
  out.missing = missing(s);
  out.key_version = f.deleted() ? 0 : key_version(s.data_key);
  out.created_at = f.created_at;
  out.updated_at = f.updated_at;
  out.deleted_at = f.deleted_at;
  return out;
}

// A provider may read a client's intake forms while the client has a session with them that was
// not cancelled (held, scheduled, confirmed, in progress, completed or a no-show): a client who
// cancelled their only booking with a provider does not leave their health data with them.
bool has_session_with(store& db, client_id client, provider_id provider) {
  for (const session& s : db.client_sessions(client, all_time)) {
    if (s.provider == provider && s.status != session_status::cancelled) return true;
  }
  return false;
}

// Who may read (or list) a client's intake forms: the client, a provider they have a session
// with (see has_session_with), admin and system.
void require_intake_reader(store& db, const actor& who, client_id client, std::string_view what) {
  switch (who.kind()) {
    case role::client:
      if (who.as_client() != client)
        forbid(who, fmt::format("{} client {}", what, to_string(client)));
      return;
    case role::provider:
      if (!has_session_with(db, client, *who.as_provider())) {
        forbid(who, fmt::format("{} client {}: the client has no session with them", what,
                                to_string(client)));
      }
      return;
    case role::admin:
    case role::system:
      return;
  }
}

// Refuses to let `s` become `to` (scheduled by payment, confirmed, in_progress) while its
// provider requires an intake form and the client has no complete one. Any complete, live form
// of the client counts: forms belong to the client, and a provider who treats them may read it.
void require_intake(store& db, const session& s, session_status to) {
  // A group session has no client of its own; its clients' forms are not checked (docs/design.md,
  // "Group sessions").
  if (is_group(s)) return;
  const provider_profile profile = load_provider(db, s.provider);
  if (!profile.requires_intake) return;
  const std::vector<stored_intake> forms = db.client_intakes(s.client);
  const stored_intake* latest = nullptr;
  for (const stored_intake& f : forms) {
    if (f.deleted()) continue;
    if (is_complete(f.form)) return;
    latest = &f;
  }
  const std::string state =
      latest == nullptr
          ? fmt::format("client {} has no intake form", to_string(s.client))
          : fmt::format("intake_form {} of client {} is missing {}", latest->form.id.value,
                        to_string(s.client), fmt::join(missing(latest->form), ", "));
  throw error(errc::policy_denied,
              fmt::format("intake: session {} cannot become {}: provider {} requires a complete "
                          "intake form, and {}",
                          to_string(s.id), to_string(to), to_string(s.provider), state));
}

// Free text a secure delete overwrites. The cancellation reasons slotbook writes itself are codes,
// not text, and stay.
void redact(session& s) {
  if (!s.notes.empty()) s.notes = std::string(redacted_text);
  if (!s.special_requests.empty()) s.special_requests = std::string(redacted_text);
  if (!s.cancellation_reason.empty() && s.cancellation_reason != "rescheduled" &&
      s.cancellation_reason != "hold_expired") {
    s.cancellation_reason = std::string(redacted_text);
  }
}

// `3, 4, 9` — at most `shown` ids, then how many more.
template <class Id>
std::string list_ids(const std::vector<Id>& ids, std::size_t shown = 20) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < shown; ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(ids[i].value);
  }
  if (ids.size() > shown) out += fmt::format(" and {} more", ids.size() - shown);
  return out;
}

}  // namespace

// The pieces every operation shares. A friend in all but name: it reaches `state` through the
// service's own pointer and is used only in this file.
struct service_ops {
  booking_service::state& st;

  // A batch of events for one write transaction: the ticket is taken before commit, while the
  // write lock is held; `publish` after commit; the destructor publishes nothing (keeping the
  // ticket sequence whole) when the commit did not happen.
  class pending_events {
   public:
    pending_events(detail::event_hub& hub, std::vector<change_event> events)
        : hub_(&hub), ticket_(hub.reserve()), events_(std::move(events)) {}
    pending_events(const pending_events&) = delete;
    pending_events& operator=(const pending_events&) = delete;
    ~pending_events() {
      if (hub_ != nullptr) hub_->publish(ticket_, {});
    }
    void publish() noexcept {
      detail::event_hub* hub = std::exchange(hub_, nullptr);
      hub->publish(ticket_, std::move(events_));
    }

   private:
    detail::event_hub* hub_;
    std::uint64_t ticket_;
    std::vector<change_event> events_;
  };

  // Commits `tx` and then delivers `events`, in commit order with other operations. Time the
  // events say was freed is first offered to the waitlist, in the same transaction.
  void commit(transaction& tx, std::vector<change_event> events) {
    offer_freed_time(events);
    pending_events pending{*st.hub, std::move(events)};
    commit_counted(tx);
    pending.publish();
  }

  // What a refusal's audit entry needs to know about the session, filled in as the operation
  // learns it.
  struct refusal_context {
    session_id session{};
    std::optional<session_status> before;
  };

  // Runs `body`; when it throws a slotbook::error (other than `storage`), appends a `refused` or
  // `denied` entry in a transaction of its own and rethrows. The body's transaction has been
  // rolled back by then (its scope has unwound), so the entry is the refusal's only trace.
  //
  // A transient failure (error::transient(): the backend rolled the transaction back to settle a
  // race, e.g. PostgreSQL's serialization failure) runs the body again, up to
  // `options.transient_attempts` attempts in all, unless the attempt had already committed a
  // transaction: then running it again could repeat what that one did.
  template <class Body>
  auto audited(const actor& who, std::string_view action, refusal_context& ctx, Body&& body) {
    const refusal_context initial = ctx;
    for (std::size_t attempt = 1;; ++attempt) {
      const std::uint64_t commits_before = commits_on_thread;
      try {
        return body();
      } catch (const error& e) {
        if (e.transient() && commits_on_thread == commits_before &&
            attempt < st.options.transient_attempts) {
          ctx = initial;
          continue;
        }
        if (e.code() != errc::storage) record_refusal(who, action, ctx, e);
        throw;
      }
    }
  }

  void record_refusal(const actor& who, std::string_view action, const refusal_context& ctx,
                      const error& e) noexcept {
    try {
      const instant now = st.time.now();
      transaction tx(st.db, access::write);
      append_audit(who, now, e.code() == errc::forbidden ? "denied" : "refused", ctx.session,
                   ctx.before, std::nullopt,
                   fmt::format("{}: {}: {}", action, to_string(e.code()), e.what()));
      commit_counted(tx);
    } catch (...) {
      // The refusal itself is what the caller must hear about; a log that cannot be written
      // shows up in `health()` and in the next write.
    }
  }

  std::int64_t append_audit(const actor& who, instant at, std::string_view action, session_id sid,
                            std::optional<session_status> before,
                            std::optional<session_status> after, std::string text) {
    audit_entry e;
    e.at = at;
    e.who_role = who.kind();
    e.who_id = actor_id(who);
    e.action = std::string(action);
    e.session = sid;
    e.before = before;
    e.after = after;
    e.detail = clip(std::move(text));
    const std::optional<audit_entry> last = st.db.last_audit();
    e.sequence = last ? last->sequence + 1 : 1;
    e.previous_hash = last ? last->hash : std::string(audit_genesis_hash);
    e.hash = audit_hash(e);
    const std::int64_t sequence = st.db.append_audit(e);
    if (sequence != e.sequence) {
      throw error(errc::storage,
                  fmt::format("audit: the store numbered entry {} as {}", e.sequence, sequence));
    }
    return sequence;
  }

  reminder_preferences preferences_for(client_id c) const {
    return st.options.preferences ? st.options.preferences(c) : reminder_preferences{};
  }

  void apply_reminders(const reminder_changes& changes, client_id client) {
    for (const session_id s : changes.remove) st.db.remove_reminders(s);
    if (!changes.add.empty()) st.db.enqueue_reminders(changes.add, client);
  }

  // Pays a decided refund through the gateway, after the deciding transaction committed, and
  // records the answer in the audit log. Never throws: the refund was decided and committed, and
  // the caller must get the outcome whatever the gateway or the log does.
  //
  // `key_scope` tells apart refunds that share a booking reference (the seats of one group
  // session) in the gateway's idempotency key.
  refund_outcome pay_refund(const actor& who, const session& s, const money& amount,
                            std::string_view key_scope = {}) noexcept {
    refund_outcome out;
    out.amount = amount;
    if (amount.is_zero()) return out;
    std::string action;
    std::string text;
    if (st.options.payments == nullptr) {
      out.state = refund_state::not_configured;
      action = "refund_pending";
      text = fmt::format("{} to refund: no payment gateway is configured", to_string(amount));
    } else {
      refund_request r;
      r.transaction_id = s.transaction_id;
      r.amount = amount;
      r.session = s.id;
      r.booking_reference = s.booking_reference;
      r.idempotency_key =
          fmt::format("{}{}/refund/{}", s.booking_reference, key_scope, s.refunded_minor);
      refund_result result;
      try {
        result = st.options.payments->refund(r);
      } catch (const std::exception& e) {
        result = refund_result::failed(e.what());
      } catch (...) {
        result = refund_result::failed("the payment gateway threw an unknown exception");
      }
      if (result.refunded) {
        out.state = refund_state::refunded;
        out.gateway_reference = result.gateway_reference;
        action = "refund";
        text = fmt::format("{} refunded, gateway reference {}", to_string(amount),
                           detail::quote(result.gateway_reference));
      } else {
        out.state = refund_state::failed;
        out.error = result.error;
        action = "refund_failed";
        text =
            fmt::format("{} not refunded: {}", to_string(amount), detail::quote(result.error, 200));
      }
    }
    try {
      const instant now = st.time.now();
      transaction tx(st.db, access::write);
      append_audit(who, now, action, s.id, s.status, s.status, std::move(text));
      commit_counted(tx);
    } catch (...) {
      // Reconciliation finds the decision without its outcome (docs/service.md).
    }
    return out;
  }

  // --- waitlist offers -------------------------------------------------------------------------
  // docs/design.md, "Waitlist". For every `slot_freed` event of the transaction, the provider's
  // slots overlapping the freed time are offered, one at a time, to the first open entry in line
  // (joined_at, id) that is waiting, wants one of them (inside its range, within its local times)
  // and whose client is free then: the earliest such slot. A slot offered is held (it counts as
  // busy for every booking and every further offer), so no slot is offered twice at once. An
  // offer's own event is appended to `events`.
  void offer_freed_time(std::vector<change_event>& events) {
    std::vector<std::pair<provider_id, interval>> freed;
    instant now{};
    for (const change_event& e : events) {
      if (e.kind == change_kind::slot_freed) {
        freed.emplace_back(e.provider, e.time);
        now = e.at;
      }
    }
    for (const auto& [provider, time] : freed) offer_slots(provider, time, now, events);
  }

  void offer_slots(provider_id provider, const interval& time, instant now,
                   std::vector<change_event>& events) {
    store& db = st.db;
    const std::optional<provider_profile> profile = db.find_provider(provider);
    if (!profile || !profile->active) return;
    const hold_rules& hold = st.options.lifecycle.hold;
    const availability hours{profile->hours};
    const date::time_zone* zone = &hours.zone();
    // Slots overlapping the freed time start less than one session length before it.
    const interval starts{time.begin - profile->rules.duration + std::chrono::seconds{1}, time.end};
    // Each round makes at most one offer; a round that makes none ends the search.
    for (int round = 0; round < 1000; ++round) {
      const std::vector<waitlist_entry> line = db.open_waitlist_entries(provider, widened(time));
      if (std::none_of(line.begin(), line.end(), [](const waitlist_entry& e) {
            return e.state == waitlist_state::waiting;
          })) {
        return;
      }
      const std::vector<interval> busy = provider_busy(db, provider, widened(time), now, hold);
      std::vector<slot> free;
      for (const slot& s : generate_slots(hours, busy, profile->rules, starts, now)) {
        if (s.available && s.time.overlaps(time)) free.push_back(s);
      }
      if (free.empty()) return;
      bool offered = false;
      for (const waitlist_entry& e : line) {
        if (e.state != waitlist_state::waiting) continue;
        for (const slot& s : free) {
          if (!wants(e, s.time, zone) || client_busy(e.client, s.time, now)) continue;
          make_offer(e, s.time, now, events);
          offered = true;
          break;
        }
        if (offered) break;
      }
      if (!offered) return;
    }
  }

  bool client_busy(client_id client, const interval& time, instant now) {
    for (const session& s : client_commitments(st.db, client, time)) {
      if (occupies_time(s, now, st.options.lifecycle.hold) && session_interval(s).overlaps(time)) {
        return true;
      }
    }
    return false;
  }

  void make_offer(const waitlist_entry& before, const interval& slot_time, instant now,
                  std::vector<change_event>& events) {
    waitlist_entry e = before;
    e.state = waitlist_state::offered;
    e.offer = slot_time;
    e.offer_expires = now + st.options.waitlist_offer_hold;
    e.updated_at = now;
    st.db.update_waitlist_entry(e);
    const actor system = actor::system();
    append_audit(system, now, "waitlist_offer", session_id{}, std::nullopt, std::nullopt,
                 fmt::format("entry {}: {} with provider {} offered to client {} until {}", e.id,
                             to_string(slot_time), to_string(e.provider), to_string(e.client),
                             format_instant(*e.offer_expires)));
    change_event ev;
    ev.kind = change_kind::waitlist_offered;
    ev.at = now;
    ev.provider = e.provider;
    ev.client = e.client;
    ev.time = slot_time;
    ev.by = role::system;
    ev.waitlist_entry = e.id;
    events.push_back(std::move(ev));
  }

  // Ends a live or lapsed offer (the entry becomes `state`) and frees its slot for the next in
  // line: a `slot_freed` event, which `commit` turns into the next offer.
  waitlist_entry end_offer(waitlist_entry e, waitlist_state state, instant now, const actor& who,
                           std::vector<change_event>& events) {
    const bool held = e.state == waitlist_state::offered && e.offer.has_value();
    e.state = state;
    e.updated_at = now;
    st.db.update_waitlist_entry(e);
    if (!held) return e;
    const interval freed = e.offer->intersection({now, instant::max()});
    if (!freed.ok()) return e;
    change_event ev;
    ev.kind = change_kind::slot_freed;
    ev.at = now;
    ev.provider = e.provider;
    ev.client = e.client;
    ev.time = freed;
    ev.by = who.kind();
    ev.waitlist_entry = e.id;
    events.push_back(std::move(ev));
    return e;
  }

  // Lets offers past their deadline lapse; returns how many.
  std::size_t lapse_offers(instant now, std::size_t limit, std::vector<change_event>& events) {
    std::size_t lapsed = 0;
    const actor system = actor::system();
    for (const waitlist_entry& e : st.db.due_offers(now, limit)) {
      end_offer(e, waitlist_state::lapsed, now, system, events);
      append_audit(system, now, "offer_lapsed", session_id{}, std::nullopt, std::nullopt,
                   fmt::format("entry {} of client {}: offer of {} lapsed", e.id,
                               to_string(e.client), to_string(*e.offer)));
      ++lapsed;
    }
    return lapsed;
  }

  // --- cancel (shared by cancel and update_status) ----------------------------------------------
  cancellation_result cancel(const actor& who, session_id id, std::string_view reason,
                             std::optional<session_status> expected,
                             std::optional<std::string> notes, refusal_context& ctx) {
    check_text("reason", reason);
    if (notes) check_text("notes", *notes);
    const instant now = st.time.now();
    const lifecycle_rules& rules = st.options.lifecycle;
    transaction tx(st.db, access::write);
    const session before = load_session(st.db, id);
    ctx.session = before.id;
    ctx.before = before.status;
    require_party(who, before, "cancel");
    if (expected && *expected != before.status) {
      throw error(errc::conflict,
                  fmt::format("status: session {} is {}, not the expected {}", to_string(id),
                              to_string(before.status), to_string(*expected)));
    }
    if (is_group(before) && !is_terminal(before.status)) {
      const std::vector<seat> seats = st.db.session_seats(before.id);
      const auto held =
          std::count_if(seats.begin(), seats.end(), [](const seat& t) { return is_active(t); });
      if (held > 0) {
        throw error(errc::conflict,
                    fmt::format("status: group session {} still has {} held seat(s): cancel them "
                                "first (cancel_seat), each under the cancellation policy",
                                to_string(id), held));
      }
    }
    const transition_result r = slotbook::cancel(before, who, now, std::string(reason), rules);
    if (!r.allowed()) {
      std::string why{to_string(r.reason)};
      if (r.cancellation) why = fmt::format("{} ({})", why, to_string(r.cancellation->reason));
      throw error(errc_of(r.reason),
                  fmt::format("status: session {} ({}) cannot be cancelled by "
                              "{}: {}",
                              to_string(id), to_string(before.status), to_string(who), why));
    }
    session after = *r.next;
    if (notes) after.notes = *notes;
    st.db.update_session(after);
    apply_reminders(reminders_on_cancel(before), before.client);
    append_audit(
        who, now, "cancel", id, before.status, after.status,
        fmt::format("{}; refund {}", to_string(r.cancellation->reason), to_string(r.refund)));
    std::vector<change_event> events;
    change_event e = event_of(change_kind::cancelled, after, now, who);
    e.from = before.status;
    events.push_back(std::move(e));
    add_slot_freed(events, before, after, now, rules.hold, who);
    commit(tx, std::move(events));
    cancellation_result out;
    out.cancelled = after;
    out.decision = *r.cancellation;
    out.refund = pay_refund(who, after, r.refund);
    return out;
  }

  // Scrubs the store's files after a deletion committed. Never throws: the deletion happened,
  // and a scrub that fails now is repeated by the next purge_expired.
  bool scrub() noexcept {
    try {
      return st.db.scrub();
    } catch (...) {
      return false;
    }
  }

  // --- save_intake_step (one per step type) ---------------------------------------------------
  template <class Step>
  intake_summary save_intake_step(const actor& who, intake_id id, const Step& step) {
    refusal_context ctx;
    return audited(who, "save_intake", ctx, [&] {
      validate(step);  // before anything is read: an invalid step changes nothing
      const instant now = st.time.now();
      transaction tx(st.db, access::write);
      stored_intake f = load_live_intake(st.db, id);
      ctx.session = f.form.session;
      require_client_access(who, f.form.client, fmt::format("fill in intake_form {} of", id.value));
      if constexpr (std::is_same_v<Step, consent_step>) {
        slotbook::save_step(f.form, step, now);
      } else {
        slotbook::save_step(f.form, step, keys_of(st.options), now);
      }
      f.updated_at = now;
      st.db.put_intake(f);
      append_audit(who, now, "save_intake", f.form.session, std::nullopt, std::nullopt,
                   fmt::format("{}: step {} saved; {}", describe(f), step_name(step),
                               is_complete(f.form) ? "complete" : "incomplete"));
      commit_counted(tx);
      return summarize(f);
    });
  }
};

// =============================================================================================
// The service
// =============================================================================================

booking_service::booking_service(store& db, clock& time, service_options options)
    : state_(std::make_unique<state>(state{db, time, std::move(options)})) {
  validate(state_->options);
}

booking_service::~booking_service() = default;

const service_options& booking_service::options() const noexcept { return state_->options; }

// --- providers ---------------------------------------------------------------------------------

namespace {

// Whether storing a profile may replace one with the same id.
enum class provider_write { create_or_replace, create_only };

// put_provider and add_provider: validation, access, the existence rule and the audit entry.
void store_provider(service_ops& ops, const actor& who, const provider_profile& profile,
                    provider_write mode) {
  auto& st = ops.st;
  service_ops::refusal_context ctx;
  const std::string_view action =
      mode == provider_write::create_only ? "add_provider" : "put_provider";
  ops.audited(who, action, ctx, [&] {
    if (!profile.id.ok()) throw error(errc::invalid_argument, "id: 0 is not a provider id");
    require_provider_access(who, profile.id, "change the profile of");
    check_text("name", profile.name);
    validate(profile.hours);
    validate(profile.rules);
    if (profile.price.is_negative()) {
      throw error(errc::invalid_argument,
                  fmt::format("price: {} is negative", to_string(profile.price)));
    }
    const instant now = st.time.now();
    transaction tx(st.db, access::write);
    const bool existed = st.db.find_provider(profile.id).has_value();
    if (existed && mode == provider_write::create_only) {
      throw error(errc::conflict, fmt::format("id: provider {} already exists", profile.id.value));
    }
    st.db.put_provider(profile);
    ops.append_audit(who, now, action, session_id{}, std::nullopt, std::nullopt,
                     fmt::format("provider {} {}; price {}; {}", to_string(profile.id),
                                 existed ? "updated" : "created", to_string(profile.price),
                                 profile.active ? "active" : "inactive"));
    commit_counted(tx);
  });
}

}  // namespace

void booking_service::put_provider(const actor& who, const provider_profile& profile) {
  service_ops ops{*state_};
  store_provider(ops, who, profile, provider_write::create_or_replace);
}

void booking_service::add_provider(const actor& who, const provider_profile& profile) {
  service_ops ops{*state_};
  store_provider(ops, who, profile, provider_write::create_only);
}

provider_profile booking_service::provider(provider_id id) {
  if (!id.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
  transaction tx(state_->db, access::read);
  provider_profile p = load_provider(state_->db, id);
  commit_counted(tx);
  return p;
}

// --- booking -----------------------------------------------------------------------------------

booking_confirmation booking_service::book(const actor& who, const booking_request& request) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "book", ctx, [&] {
    const booking_request& r = request;
    if (!r.provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
    if (!r.client.ok()) throw error(errc::invalid_argument, "client: 0 is not a client id");
    if (r.duration <= minutes::zero() || r.duration > date::days{7}) {
      throw error(errc::invalid_argument,
                  fmt::format("duration: {} min is outside 1 min to 7 days", r.duration.count()));
    }
    detail::check_instant(r.scheduled_at, "scheduled_at");
    check_bookable_type(r.type);
    check_text("special_requests", r.special_requests);
    check_text("notes", r.notes);
    require_may_book(who, r.client, r.provider);

    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    const provider_profile profile = load_provider(db, r.provider);

    // A client blocked by their no-shows may not book at all.
    const std::vector<session> history =
        db.client_sessions(r.client, {now - rules.no_show.window, now});
    const no_show_record record = assess_no_shows(history, r.client, now, rules.no_show);
    if (record.standing == client_standing::blocked) {
      throw error(errc::policy_denied,
                  fmt::format("client: client {} may not book after {} no-shows in {} days: "
                              "blocked",
                              to_string(r.client), record.no_shows, rules.no_show.window.count()));
    }

    const interval proposed{r.scheduled_at, r.scheduled_at + r.duration};
    check_provider_time(db, profile, proposed, now, rules.hold, {}, "scheduled_at");
    check_client_time(db, r.client, proposed, now, rules.hold, {});

    const int year = year_of(now);
    session s;
    s.client = r.client;
    s.provider = r.provider;
    s.scheduled_at = r.scheduled_at;
    s.duration = r.duration;
    s.type = r.type;
    s.special_requests = r.special_requests;
    s.notes = r.notes;
    s.amount = profile.price;
    s.payment = payment_status::pending;
    s.status =
        profile.price.is_zero() ? session_status::scheduled : session_status::pending_payment;
    s.created_at = now;
    s.updated_at = now;
    s.booking_reference = format_reference(year, db.next_reference_sequence(year));
    validate(s);
    s.id = db.insert_session(s);
    ctx.session = s.id;
    ops.apply_reminders(
        {{}, plan_reminders(s, now, ops.preferences_for(s.client), state_->options.reminders)},
        s.client);
    ops.append_audit(who, now, "book", s.id, std::nullopt, s.status,
                     fmt::format("{} {} {} min, provider {}, client {}, {}", s.booking_reference,
                                 format_instant(s.scheduled_at), s.duration.count(),
                                 to_string(s.provider), to_string(s.client), to_string(s.amount)));
    ops.commit(tx, {event_of(change_kind::booked, s, now, who)});

    booking_confirmation out;
    out.session = s.id;
    out.booking_reference = s.booking_reference;
    out.scheduled_at = s.scheduled_at;
    out.payment_required = s.status == session_status::pending_payment;
    out.amount = s.amount;
    out.status = s.status;
    return out;
  });
}

payment_result booking_service::confirm_payment(const actor& who, session_id id,
                                                std::string_view method,
                                                std::string_view transaction_id) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = id;
  return ops.audited(who, "confirm_payment", ctx, [&] {
    check_text("method", method);
    check_text("transaction_id", transaction_id);
    if (transaction_id.empty()) {
      throw error(errc::invalid_argument, "transaction_id: \"\" is empty");
    }
    if (who.kind() == role::client || who.kind() == role::provider) {
      forbid(who, "confirm payments");
    }
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    const session before = load_session(db, id);
    ctx.before = before.status;

    payment_result out;
    if (before.payment == payment_status::paid && before.transaction_id == transaction_id &&
        before.status != session_status::pending_payment) {
      // A payment webhook delivered twice: the first one did the work.
      ops.append_audit(who, now, "confirm_payment", id, before.status, before.status,
                       "repeated notification: already confirmed");
      commit_counted(tx);
      out.updated = before;
      out.outcome = payment_outcome::already_confirmed;
      return out;
    }

    const bool expired =
        before.status == session_status::pending_payment && hold_expired(before, now, rules.hold);
    const bool released = before.status == session_status::cancelled &&
                          before.cancelled_from == session_status::pending_payment &&
                          before.payment == payment_status::pending && !before.amount.is_zero();
    if (expired || released) {
      // The money arrived after the slot was let go: keep the session cancelled (expiring the
      // hold now if nobody has yet) and give all of it back.
      session after = before;
      std::vector<change_event> events;
      if (expired) {
        const transition_result x = expire_hold(before, now, rules);
        after = *x.next;
        change_event e = event_of(change_kind::hold_expired, after, now, actor::system());
        e.from = before.status;
        events.push_back(std::move(e));
        add_slot_freed(events, before, after, now, rules.hold, actor::system());
      }
      after.payment_method = std::string(method);
      after.transaction_id = std::string(transaction_id);
      after.payment = payment_status::refunded;
      after.refunded_minor = after.amount.minor_units();
      after.updated_at = now;
      validate(after);
      db.update_session(after);
      ops.append_audit(
          who, now, "confirm_payment", id, before.status, after.status,
          fmt::format("late payment ({}); refund {}", expired ? "hold expired" : "hold released",
                      to_string(after.amount)));
      ops.commit(tx, std::move(events));
      out.updated = after;
      out.outcome = payment_outcome::refunded_late;
      out.refund = ops.pay_refund(who, after, after.amount);
      return out;
    }

    const transition_result r = slotbook::confirm_payment(
        before, std::string(method), std::string(transaction_id), who, now, rules);
    if (!r.allowed()) {
      throw error(errc_of(r.reason),
                  fmt::format("status: the payment of session {} ({}) cannot be confirmed: {}",
                              to_string(id), to_string(before.status), to_string(r.reason)));
    }
    require_intake(db, before, r.next->status);
    const session& after = *r.next;
    db.update_session(after);
    ops.apply_reminders(reminders_on_change(before, after, now, ops.preferences_for(after.client),
                                            state_->options.reminders),
                        after.client);
    ops.append_audit(who, now, "confirm_payment", id, before.status, after.status,
                     fmt::format("paid {}", to_string(after.amount)));
    std::vector<change_event> events;
    events.push_back(event_of(change_kind::payment_confirmed, after, now, who));
    change_event e = event_of(change_kind::status_changed, after, now, who);
    e.from = before.status;
    events.push_back(std::move(e));
    ops.commit(tx, std::move(events));
    out.updated = after;
    out.outcome = payment_outcome::scheduled;
    return out;
  });
}

status_result booking_service::update_status(const actor& who, session_id id,
                                             const status_change& change) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = id;
  return ops.audited(who, "update_status", ctx, [&] {
    if (change.to == session_status::cancelled) {
      cancellation_result c = ops.cancel(who, id, {}, change.expected, change.notes, ctx);
      return status_result{std::move(c.cancelled), std::move(c.refund)};
    }
    if (change.notes) check_text("notes", *change.notes);
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    const session before = load_session(db, id);
    ctx.before = before.status;
    require_party(who, before, "change the status of");
    if (change.expected && *change.expected != before.status) {
      throw error(errc::conflict,
                  fmt::format("status: session {} is {}, not the expected {}", to_string(id),
                              to_string(before.status), to_string(*change.expected)));
    }
    if (is_group(before) && change.to == session_status::no_show) {
      throw error(errc::conflict,
                  fmt::format("status: group session {} has no single client to be a no_show",
                              to_string(id)));
    }
    const transition_result r = transition(before, change.to, who, now, rules);
    if (!r.allowed()) {
      throw error(errc_of(r.reason),
                  fmt::format("status: session {} cannot go from {} to {}: {}", to_string(id),
                              to_string(before.status), to_string(change.to), to_string(r.reason)));
    }
    if (change.to == session_status::confirmed || change.to == session_status::in_progress) {
      require_intake(db, before, change.to);
    }
    session after = *r.next;
    if (change.notes) after.notes = *change.notes;
    db.update_session(after);
    ops.apply_reminders(reminders_on_change(before, after, now, ops.preferences_for(after.client),
                                            state_->options.reminders),
                        after.client);
    ops.append_audit(
        who, now, "update_status", id, before.status, after.status,
        r.refund.is_zero() ? std::string{} : fmt::format("refund {}", to_string(r.refund)));
    std::vector<change_event> events;
    change_event e = event_of(change_kind::status_changed, after, now, who);
    e.from = before.status;
    events.push_back(std::move(e));
    add_slot_freed(events, before, after, now, rules.hold, who);
    ops.commit(tx, std::move(events));
    status_result out;
    out.updated = after;
    out.refund = ops.pay_refund(who, after, r.refund);
    return out;
  });
}

cancellation_result booking_service::cancel(const actor& who, session_id id,
                                            std::string_view reason) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = id;
  return ops.audited(who, "cancel", ctx,
                     [&] { return ops.cancel(who, id, reason, std::nullopt, std::nullopt, ctx); });
}

reschedule_confirmation booking_service::reschedule(const actor& who, session_id id,
                                                    instant new_start) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = id;
  return ops.audited(who, "reschedule", ctx, [&] {
    detail::check_instant(new_start, "new_start");
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    const reschedule_policy& policy = state_->options.reschedule;
    store& db = state_->db;
    transaction tx(db, access::write);
    const session old = load_session(db, id);
    ctx.before = old.status;
    require_party(who, old, "reschedule");
    if (is_group(old)) {
      throw error(errc::conflict,
                  fmt::format("status: group session {} cannot be rescheduled: its seats were "
                              "booked for its time",
                              to_string(id)));
    }
    const reschedule_decision d = decide_reschedule(old, who, now, policy);
    if (!d.allowed) {
      throw error(
          errc_of(d.reason),
          fmt::format("status: session {} ({}) cannot be rescheduled by {}: {}", to_string(id),
                      to_string(old.status), to_string(who), to_string(d.reason)));
    }
    const provider_profile profile = load_provider(db, old.provider);
    const interval proposed{new_start, new_start + old.duration};
    check_provider_time(db, profile, proposed, now, rules.hold, old.id, "new_start");
    check_client_time(db, old.client, proposed, now, rules.hold, old.id);

    const int year = year_of(now);
    std::string reference = format_reference(year, db.next_reference_sequence(year));
    // `reschedule` links the two sessions by id, but the store assigns the replacement's id only
    // when it is inserted: build with a stand-in id, insert, then put the real id in both links.
    const session_id stand_in{
        old.id.value == std::numeric_limits<std::uint64_t>::max() ? 1 : old.id.value + 1};
    reschedule_result rr =
        slotbook::reschedule(old, stand_in, std::move(reference), new_start, who, now, policy);
    session replacement = std::move(*rr.replacement);
    session replaced = std::move(*rr.replaced);
    replacement.id = session_id{};
    replacement.id = db.insert_session(replacement);
    replaced.rescheduled_to = replacement.id;
    db.update_session(replaced);
    ops.apply_reminders(
        reminders_on_reschedule(replaced, replacement, now, ops.preferences_for(old.client),
                                state_->options.reminders),
        old.client);
    ops.append_audit(
        who, now, "reschedule", old.id, old.status, replaced.status,
        fmt::format("to session {} {} at {}", to_string(replacement.id),
                    replacement.booking_reference, format_instant(replacement.scheduled_at)));
    ops.append_audit(
        who, now, "book", replacement.id, std::nullopt, replacement.status,
        fmt::format("{} {} {} min, rescheduled from session {} {}", replacement.booking_reference,
                    format_instant(replacement.scheduled_at), replacement.duration.count(),
                    to_string(old.id), old.booking_reference));
    std::vector<change_event> events;
    change_event moved = event_of(change_kind::rescheduled, replaced, now, who);
    moved.from = old.status;
    moved.related = replacement.id;
    events.push_back(std::move(moved));
    add_slot_freed(events, old, replaced, now, rules.hold, who);
    events.push_back(event_of(change_kind::booked, replacement, now, who));
    ops.commit(tx, std::move(events));

    reschedule_confirmation out;
    out.replaced = std::move(replaced);
    out.replacement = std::move(replacement);
    out.decision = rr.decision;
    return out;
  });
}

std::size_t booking_service::expire_holds(std::size_t limit) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  const actor system = actor::system();
  return ops.audited(system, "expire_holds", ctx, [&] {
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    std::size_t expired = 0;
    std::vector<change_event> events;
    for (const session& before : db.pending_holds(now - rules.hold.hold, limit)) {
      const transition_result r = expire_hold(before, now, rules);
      if (!r.allowed()) continue;  // paid meanwhile, or not yet due: nothing to do
      const session& after = *r.next;
      db.update_session(after);
      ops.apply_reminders(reminders_on_change(before, after, now, {}, state_->options.reminders),
                          after.client);
      ops.append_audit(system, now, "expire_hold", after.id, before.status, after.status,
                       after.booking_reference);
      change_event e = event_of(change_kind::hold_expired, after, now, system);
      e.from = before.status;
      events.push_back(std::move(e));
      add_slot_freed(events, before, after, now, rules.hold, system);
      ++expired;
    }
    // Unpaid seats of priced groups are holds too: a seat nobody paid for within the hold time
    // gives its place back.
    const std::size_t seat_limit = limit - std::min(limit, expired);
    for (const seat& before : db.unpaid_seats(now - rules.hold.hold, seat_limit)) {
      const session g = load_session(db, before.session);
      seat after = before;
      after.status = session_status::cancelled;
      after.updated_at = now;
      after.cancelled_at = now;
      after.cancelled_by = role::system;
      after.cancellation_reason = "hold_expired";
      db.update_seat(after);
      ops.append_audit(system, now, "expire_seat_hold", g.id, g.status, g.status,
                       fmt::format("seat {} of client {}: unpaid after {} min", after.id,
                                   to_string(after.client), rules.hold.hold.count()));
      change_event e = event_of(change_kind::hold_expired, g, now, system);
      e.client = after.client;
      e.from = g.status;
      e.to = g.status;
      events.push_back(std::move(e));
      ++expired;
    }
    ops.lapse_offers(now, limit, events);
    ops.commit(tx, std::move(events));
    return expired;
  });
}

// --- group sessions ----------------------------------------------------------------------------
// open_group, book_seat, cancel_seat, confirm_seat_payment, group_seats: docs/design.md, "Group
// sessions".

namespace {

session load_group(store& db, session_id id) {
  session g = load_session(db, id);
  if (!is_group(g)) {
    throw error(errc::invalid_argument,
                fmt::format("session: session {} is a {} session, not a group session",
                            to_string(id), to_string(g.type)));
  }
  return g;
}

std::int32_t held_seats(const std::vector<seat>& seats) {
  return static_cast<std::int32_t>(
      std::count_if(seats.begin(), seats.end(), [](const seat& t) { return is_active(t); }));
}

const seat* held_seat_of(const std::vector<seat>& seats, client_id client) {
  const auto it = std::find_if(seats.begin(), seats.end(),
                               [&](const seat& t) { return t.client == client && is_active(t); });
  return it == seats.end() ? nullptr : &*it;
}

// `require_party` for reading one session, where a client may also read a group session in
// which they hold or held a seat. Inside the caller's transaction.
void require_may_see(store& db, const actor& who, const session& s) {
  if (is_group(s) && who.kind() == role::client) {
    for (const seat& t : db.session_seats(s.id)) {
      if (t.client == who.as_client()) return;
    }
  }
  require_party(who, s, "see");
}

void check_seat_client(client_id client) {
  if (!client.ok()) throw error(errc::invalid_argument, "client: 0 is not a client id");
}

}  // namespace

booking_confirmation booking_service::open_group(const actor& who, const group_request& request) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "open_group", ctx, [&] {
    const group_request& r = request;
    if (!r.provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
    if (r.duration <= minutes::zero() || r.duration > date::days{1}) {
      throw error(errc::invalid_argument,
                  fmt::format("duration: {} min is outside 1 min to 24 h", r.duration.count()));
    }
    detail::check_instant(r.scheduled_at, "scheduled_at");
    if (r.capacity < 1 || r.capacity > max_group_capacity) {
      throw error(errc::invalid_argument,
                  fmt::format("capacity: {} is outside 1 to {}", r.capacity, max_group_capacity));
    }
    check_text("notes", r.notes);
    require_provider_access(who, r.provider, "open a group session for");
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    const provider_profile profile = load_provider(db, r.provider);
    const interval proposed{r.scheduled_at, r.scheduled_at + r.duration};
    check_provider_time(db, profile, proposed, now, rules.hold, {}, "scheduled_at");

    const int year = year_of(now);
    session g;
    g.provider = r.provider;
    g.scheduled_at = r.scheduled_at;
    g.duration = r.duration;
    g.type = session_type::group;
    g.capacity = r.capacity;
    g.notes = r.notes;
    g.amount = profile.price;  // per seat; the group record itself is never paid
    g.payment = payment_status::pending;
    g.status = session_status::scheduled;
    g.created_at = now;
    g.updated_at = now;
    g.booking_reference = format_reference(year, db.next_reference_sequence(year));
    validate(g);
    g.id = db.insert_session(g);
    ctx.session = g.id;
    ops.append_audit(
        who, now, "open_group", g.id, std::nullopt, g.status,
        fmt::format("{} {} {} min, provider {}, {} seats at {} each", g.booking_reference,
                    format_instant(g.scheduled_at), g.duration.count(), to_string(g.provider),
                    g.capacity, to_string(g.amount)));
    ops.commit(tx, {event_of(change_kind::booked, g, now, who)});

    booking_confirmation out;
    out.session = g.id;
    out.booking_reference = g.booking_reference;
    out.scheduled_at = g.scheduled_at;
    out.payment_required = false;
    out.amount = g.amount;
    out.status = g.status;
    return out;
  });
}

seat_confirmation booking_service::book_seat(const actor& who, session_id group, client_id client) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = group;
  return ops.audited(who, "book_seat", ctx, [&] {
    check_seat_client(client);
    require_client_access(who, client, "book a seat for");
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    const session g = load_group(db, group);
    ctx.before = g.status;
    if (g.status != session_status::scheduled && g.status != session_status::confirmed) {
      throw error(errc::conflict,
                  fmt::format("status: group session {} is {}: no seats are booked in it now",
                              to_string(group), to_string(g.status)));
    }
    if (g.scheduled_at <= now) {
      throw error(errc::policy_denied,
                  fmt::format("scheduled_at: group session {} started at {}: too late for a seat",
                              to_string(group), format_instant(g.scheduled_at)));
    }
    const no_show_record record = assess_no_shows(
        db.client_sessions(client, {now - rules.no_show.window, now}), client, now, rules.no_show);
    if (record.standing == client_standing::blocked) {
      throw error(errc::policy_denied,
                  fmt::format("client: client {} may not book after {} no-shows in {} days: "
                              "blocked",
                              to_string(client), record.no_shows, rules.no_show.window.count()));
    }
    const std::vector<seat> seats = db.session_seats(g.id);
    if (const seat* mine = held_seat_of(seats, client)) {
      throw error(errc::conflict,
                  fmt::format("client: client {} already holds seat {} in group session {}",
                              to_string(client), mine->id, to_string(group)));
    }
    check_client_time(db, client, session_interval(g), now, rules.hold, {});
    const std::int32_t held = held_seats(seats);
    if (held >= g.capacity) {
      throw error(errc::conflict,
                  fmt::format("capacity: group session {} has {} of {} seats held: group_full",
                              to_string(group), held, g.capacity));
    }

    seat t;
    t.session = g.id;
    t.client = client;
    t.status = session_status::scheduled;
    t.amount = g.amount;
    t.payment = payment_status::pending;
    t.created_at = now;
    t.updated_at = now;
    validate(t);
    t.id = db.insert_seat(t);
    // The seat's client gets the reminders a session of their own would (seat_view).
    ops.apply_reminders({{},
                         plan_reminders(seat_view(g, t), now, ops.preferences_for(client),
                                        state_->options.reminders)},
                        client);
    ops.append_audit(who, now, "book_seat", g.id, g.status, g.status,
                     fmt::format("seat {} for client {}: {} of {} seats held; {}", t.id,
                                 to_string(client), held + 1, g.capacity, to_string(t.amount)));
    change_event e = event_of(change_kind::booked, g, now, who);
    e.client = client;
    ops.commit(tx, {std::move(e)});

    seat_confirmation out;
    out.booked = t;
    out.booking_reference = g.booking_reference;
    out.time = session_interval(g);
    out.seats_taken = held + 1;
    out.capacity = g.capacity;
    return out;
  });
}

seat_cancellation booking_service::cancel_seat(const actor& who, session_id group, client_id client,
                                               std::string_view reason) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = group;
  return ops.audited(who, "cancel_seat", ctx, [&] {
    check_seat_client(client);
    check_text("reason", reason);
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    const session g = load_group(db, group);
    ctx.before = g.status;
    const std::vector<seat> seats = db.session_seats(g.id);
    const seat* held = held_seat_of(seats, client);
    if (held == nullptr) {
      throw error(errc::not_found, fmt::format("seat: client {} holds no seat in group session {}",
                                               to_string(client), to_string(group)));
    }
    const seat before = *held;
    const session view = seat_view(g, before);
    require_party(who, view, "cancel a seat in");
    const transition_result r = slotbook::cancel(view, who, now, std::string(reason), rules);
    if (!r.allowed()) {
      std::string why{to_string(r.reason)};
      if (r.cancellation) why = fmt::format("{} ({})", why, to_string(r.cancellation->reason));
      throw error(errc_of(r.reason),
                  fmt::format("status: seat {} of client {} in group session {} ({}) cannot be "
                              "cancelled by {}: {}",
                              before.id, to_string(client), to_string(group), to_string(g.status),
                              to_string(who), why));
    }
    seat after = before;
    after.status = session_status::cancelled;
    after.updated_at = now;
    after.cancelled_at = now;
    after.cancelled_by = who.kind();
    after.cancellation_reason = std::string(reason);
    after.payment = r.next->payment;
    after.refunded_minor = r.next->refunded_minor;
    validate(after);
    db.update_seat(after);
    ops.append_audit(who, now, "cancel_seat", g.id, g.status, g.status,
                     fmt::format("seat {} of client {}: {}; refund {}", after.id, to_string(client),
                                 to_string(r.cancellation->reason), to_string(r.refund)));
    change_event e = event_of(change_kind::cancelled, g, now, who);
    e.client = client;
    e.from = g.status;
    e.to = session_status::cancelled;
    ops.commit(tx, {std::move(e)});

    seat_cancellation out;
    out.cancelled = after;
    out.decision = *r.cancellation;
    out.refund =
        ops.pay_refund(who, seat_view(g, after), r.refund, fmt::format("/seat/{}", after.id));
    return out;
  });
}

seat booking_service::confirm_seat_payment(const actor& who, session_id group, client_id client,
                                           std::string_view method,
                                           std::string_view transaction_id) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = group;
  return ops.audited(who, "confirm_seat_payment", ctx, [&] {
    check_seat_client(client);
    check_text("method", method);
    check_text("transaction_id", transaction_id);
    if (transaction_id.empty()) {
      throw error(errc::invalid_argument, "transaction_id: \"\" is empty");
    }
    if (who.kind() == role::client || who.kind() == role::provider) {
      forbid(who, "confirm payments");
    }
    const instant now = state_->time.now();
    store& db = state_->db;
    transaction tx(db, access::write);
    const session g = load_group(db, group);
    ctx.before = g.status;
    const std::vector<seat> seats = db.session_seats(g.id);
    const seat* held = held_seat_of(seats, client);
    if (held == nullptr) {
      throw error(errc::conflict,
                  fmt::format("seat: client {} holds no seat in group session {} (none, or it "
                              "was cancelled): refund the payment",
                              to_string(client), to_string(group)));
    }
    seat t = *held;
    if (t.payment == payment_status::paid && t.transaction_id == transaction_id) {
      ops.append_audit(who, now, "confirm_seat_payment", g.id, g.status, g.status,
                       fmt::format("seat {}: repeated notification: already confirmed", t.id));
      commit_counted(tx);
      return t;
    }
    if (t.payment != payment_status::pending) {
      throw error(errc::conflict,
                  fmt::format("payment: seat {} is already {}", t.id, to_string(t.payment)));
    }
    t.payment = payment_status::paid;
    t.payment_method = std::string(method);
    t.transaction_id = std::string(transaction_id);
    t.updated_at = now;
    validate(t);
    db.update_seat(t);
    ops.append_audit(
        who, now, "confirm_seat_payment", g.id, g.status, g.status,
        fmt::format("seat {} of client {}: paid {}", t.id, to_string(client), to_string(t.amount)));
    change_event e = event_of(change_kind::payment_confirmed, g, now, who);
    e.client = client;
    ops.commit(tx, {std::move(e)});
    return t;
  });
}

std::vector<seat> booking_service::group_seats(const actor& who, session_id group) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = group;
  return ops.audited(who, "group_seats", ctx, [&] {
    transaction tx(state_->db, access::read);
    const session g = load_group(state_->db, group);
    ctx.before = g.status;
    std::vector<seat> seats = state_->db.session_seats(g.id);
    commit_counted(tx);
    if (who.kind() == role::client) {
      std::erase_if(seats, [&](const seat& t) { return t.client != who.as_client(); });
      if (seats.empty()) {
        forbid(who, fmt::format("see the seats of group session {}", to_string(group)));
      }
      return seats;
    }
    require_party(who, g, "see the seats of");
    return seats;
  });
}

// --- waitlist ----------------------------------------------------------------------------------
// join_waitlist, leave_waitlist, accept_offer, expire_offers, waitlist: docs/design.md,
// "Waitlist".

namespace {

waitlist_entry load_entry(store& db, std::int64_t id) {
  std::optional<waitlist_entry> e = db.find_waitlist_entry(id);
  if (!e) throw error(errc::not_found, fmt::format("waitlist: no entry {}", id));
  return std::move(*e);
}

}  // namespace

waitlist_entry booking_service::join_waitlist(const actor& who, const waitlist_request& request) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "join_waitlist", ctx, [&] {
    const waitlist_request& r = request;
    if (!r.provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
    if (!r.client.ok()) throw error(errc::invalid_argument, "client: 0 is not a client id");
    detail::check_range(r.range, "range", static_cast<int>(max_waitlist_range.count()));
    if (r.type == session_type::group) {
      throw error(errc::invalid_argument,
                  "session_type: \"group\" sessions are not booked from a waitlist (book_seat)");
    }
    if (r.type != session_type::initial && r.type != session_type::follow_up &&
        r.type != session_type::emergency) {
      throw error(errc::invalid_argument,
                  fmt::format("session_type: {} is not a session type", static_cast<int>(r.type)));
    }
    require_client_access(who, r.client, "put on a waitlist");
    const instant now = state_->time.now();
    if (r.range.end <= now) {
      throw error(errc::invalid_argument, fmt::format("range: {} is over", to_string(r.range)));
    }
    store& db = state_->db;
    transaction tx(db, access::write);
    const provider_profile profile = load_provider(db, r.provider);
    if (!profile.active) {
      throw error(errc::outside_availability,
                  fmt::format("provider: provider {} is not active", to_string(profile.id)));
    }
    waitlist_entry e;
    e.provider = r.provider;
    e.client = r.client;
    e.range = r.range;
    e.type = r.type;
    e.earliest_local = r.earliest_local;
    e.latest_local = r.latest_local;
    e.state = waitlist_state::waiting;
    e.joined_at = now;
    e.updated_at = now;
    validate(e);
    e.id = db.insert_waitlist_entry(e);
    ops.append_audit(who, now, "join_waitlist", session_id{}, std::nullopt, std::nullopt,
                     fmt::format("entry {}: client {} for provider {} in {}", e.id,
                                 to_string(e.client), to_string(e.provider), to_string(e.range)));
    commit_counted(tx);
    return e;
  });
}

waitlist_entry booking_service::leave_waitlist(const actor& who, std::int64_t entry) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "leave_waitlist", ctx, [&] {
    const instant now = state_->time.now();
    store& db = state_->db;
    transaction tx(db, access::write);
    waitlist_entry e = load_entry(db, entry);
    require_client_access(who, e.client, fmt::format("change waitlist entry {} of", entry));
    if (!is_open(e)) {
      throw error(errc::conflict,
                  fmt::format("state: waitlist entry {} is {}", entry, to_string(e.state)));
    }
    const bool had_offer = e.state == waitlist_state::offered;
    std::vector<change_event> events;
    const waitlist_entry after = ops.end_offer(e, waitlist_state::withdrawn, now, who, events);
    ops.append_audit(who, now, "leave_waitlist", session_id{}, std::nullopt, std::nullopt,
                     fmt::format("entry {} of client {}{}", entry, to_string(e.client),
                                 had_offer ? ": offer declined" : ""));
    ops.commit(tx, std::move(events));
    return after;
  });
}

booking_confirmation booking_service::accept_offer(const actor& who, std::int64_t entry) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "accept_offer", ctx, [&] {
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    waitlist_entry e = load_entry(db, entry);
    require_client_access(who, e.client, fmt::format("accept waitlist entry {} of", entry));
    if (e.state != waitlist_state::offered) {
      throw error(errc::conflict, fmt::format("state: waitlist entry {} is {}, not offered", entry,
                                              to_string(e.state)));
    }
    if (!offer_live(e, now)) {
      throw error(errc::conflict,
                  fmt::format("offer_expires: the offer to waitlist entry {} lapsed at {}", entry,
                              format_instant(*e.offer_expires)));
    }
    const provider_profile profile = load_provider(db, e.provider);
    const no_show_record record =
        assess_no_shows(db.client_sessions(e.client, {now - rules.no_show.window, now}), e.client,
                        now, rules.no_show);
    if (record.standing == client_standing::blocked) {
      throw error(errc::policy_denied,
                  fmt::format("client: client {} may not book after {} no-shows in {} days: "
                              "blocked",
                              to_string(e.client), record.no_shows, rules.no_show.window.count()));
    }
    const interval proposed = *e.offer;
    check_provider_time(db, profile, proposed, now, rules.hold, {}, "offer", e.id);
    check_client_time(db, e.client, proposed, now, rules.hold, {});

    const int year = year_of(now);
    session s;
    s.client = e.client;
    s.provider = e.provider;
    s.scheduled_at = proposed.begin;
    s.duration = std::chrono::duration_cast<minutes>(proposed.end - proposed.begin);
    s.type = e.type;
    s.amount = profile.price;
    s.payment = payment_status::pending;
    s.status =
        profile.price.is_zero() ? session_status::scheduled : session_status::pending_payment;
    s.created_at = now;
    s.updated_at = now;
    s.booking_reference = format_reference(year, db.next_reference_sequence(year));
    validate(s);
    s.id = db.insert_session(s);
    ctx.session = s.id;
    e.state = waitlist_state::booked;
    e.booked = s.id;
    e.updated_at = now;
    db.update_waitlist_entry(e);
    ops.apply_reminders(
        {{}, plan_reminders(s, now, ops.preferences_for(s.client), state_->options.reminders)},
        s.client);
    ops.append_audit(who, now, "accept_offer", s.id, std::nullopt, s.status,
                     fmt::format("entry {} of client {}", entry, to_string(e.client)));
    ops.append_audit(
        who, now, "book", s.id, std::nullopt, s.status,
        fmt::format("{} {} {} min, provider {}, client {}, {}, from waitlist entry {}",
                    s.booking_reference, format_instant(s.scheduled_at), s.duration.count(),
                    to_string(s.provider), to_string(s.client), to_string(s.amount), entry));
    ops.commit(tx, {event_of(change_kind::booked, s, now, who)});

    booking_confirmation out;
    out.session = s.id;
    out.booking_reference = s.booking_reference;
    out.scheduled_at = s.scheduled_at;
    out.payment_required = s.status == session_status::pending_payment;
    out.amount = s.amount;
    out.status = s.status;
    return out;
  });
}

std::size_t booking_service::expire_offers(std::size_t limit) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  const actor system = actor::system();
  return ops.audited(system, "expire_offers", ctx, [&] {
    const instant now = state_->time.now();
    transaction tx(state_->db, access::write);
    std::vector<change_event> events;
    const std::size_t lapsed = ops.lapse_offers(now, limit, events);
    ops.commit(tx, std::move(events));
    return lapsed;
  });
}

std::vector<waitlist_entry> booking_service::waitlist(const actor& who, client_id client) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "waitlist", ctx, [&] {
    if (!client.ok()) throw error(errc::invalid_argument, "client: 0 is not a client id");
    require_client_access(who, client, "see the waitlist entries of");
    transaction tx(state_->db, access::read);
    std::vector<waitlist_entry> out = state_->db.client_waitlist(client);
    commit_counted(tx);
    return out;
  });
}

// --- external calendars ------------------------------------------------------------------------

busy_import booking_service::import_busy(const actor& who, provider_id provider,
                                         std::string_view source, interval window,
                                         std::span<const busy_time> busy) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "import_busy", ctx, [&] {
    if (!provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
    detail::check_busy_source(source);
    detail::check_range(window, "window", static_cast<int>(max_busy_window.count()));
    if (busy.size() > max_busy_import) {
      throw error(errc::invalid_argument, fmt::format("busy: {} intervals is over the limit of {}",
                                                      busy.size(), max_busy_import));
    }
    require_provider_access(who, provider, "import the external busy time of");
    const instant now = state_->time.now();
    std::vector<busy_block> blocks;
    blocks.reserve(busy.size());
    for (std::size_t i = 0; i < busy.size(); ++i) {
      const busy_time& b = busy[i];
      if (!b.utc.ok() || !b.utc.overlaps(window)) {
        throw error(errc::invalid_argument,
                    fmt::format("busy[{}]: {} (uid {}) does not overlap the window {}", i,
                                to_string(b.utc), detail::quote(b.uid), to_string(window)));
      }
      // Each import owns its window: a block is clipped to it, and cut into pieces of at most
      // 366 days (a store's longest block) when an event is longer.
      const interval inside = b.utc.intersection(window);
      for (instant begin = inside.begin; begin < inside.end;) {
        const instant end = std::min<instant>(inside.end, begin + date::days{366});
        busy_block block{provider, std::string{source}, b.uid, {begin, end}, b.all_day, now};
        validate(block);
        blocks.push_back(std::move(block));
        begin = end;
      }
    }
    std::sort(blocks.begin(), blocks.end(), busy_block_before);

    store& db = state_->db;
    transaction tx(db, access::write);
    const provider_profile profile = load_provider(db, provider);
    // The source's blocks as they were, to find the time the import frees.
    std::vector<interval> before;
    for (const busy_block& b : db.busy_blocks(provider, window)) {
      if (b.source == source) before.push_back(b.time);
    }
    busy_import out;
    out.removed = db.replace_busy_blocks(provider, source, window, blocks);
    out.stored = blocks.size();
    for (const busy_block& b : blocks) {
      for (session& s : db.active_provider_sessions(provider, b.time)) {
        if (!occupies_time(s, now, state_->options.lifecycle.hold)) continue;
        const bool seen = std::any_of(out.clashes.begin(), out.clashes.end(),
                                      [&](const session& c) { return c.id == s.id; });
        if (!seen) out.clashes.push_back(std::move(s));
      }
    }
    std::sort(out.clashes.begin(), out.clashes.end(), [](const session& a, const session& b) {
      return a.scheduled_at != b.scheduled_at ? a.scheduled_at < b.scheduled_at : a.id < b.id;
    });
    ops.append_audit(who, now, "import_busy", session_id{}, std::nullopt, std::nullopt,
                     fmt::format("provider {} source {} window {}: {} stored, {} replaced, {} "
                                 "clashing sessions",
                                 to_string(provider), detail::quote(source), to_string(window),
                                 out.stored, out.removed, out.clashes.size()));
    // Time a replaced block covered and no block covers now goes to the waitlist.
    std::vector<change_event> events;
    if (profile.active) {
      for (const interval& freed : before) {
        const bool still = std::any_of(blocks.begin(), blocks.end(), [&](const busy_block& b) {
          return b.time.begin <= freed.begin && freed.end <= b.time.end;
        });
        if (!still) ops.offer_slots(provider, freed, now, events);
      }
    }
    ops.commit(tx, std::move(events));
    return out;
  });
}

std::vector<busy_block> booking_service::busy_blocks(const actor& who, provider_id provider,
                                                     interval range) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "busy_blocks", ctx, [&] {
    if (!provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
    check_range(range);
    require_provider_access(who, provider, "see the external busy time of");
    transaction tx(state_->db, access::read);
    std::vector<busy_block> out = state_->db.busy_blocks(provider, range);
    commit_counted(tx);
    return out;
  });
}

// --- series ------------------------------------------------------------------------------------
// book_series, preview_series, series_sessions and cancel_series: docs/design.md, "Series".

std::size_t series_booking::booked_count() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(occurrences.begin(), occurrences.end(),
                    [](const series_occurrence& o) { return o.booked.has_value(); }));
}

std::vector<series_occurrence> series_booking::skipped() const {
  std::vector<series_occurrence> out;
  for (const series_occurrence& o : occurrences) {
    if (!o.booked) out.push_back(o);
  }
  return out;
}

std::size_t series_cancellation::cancelled_count() const noexcept {
  return static_cast<std::size_t>(std::count_if(
      occurrences.begin(), occurrences.end(),
      [](const occurrence_cancellation& o) { return o.outcome == occurrence_outcome::cancelled; }));
}

namespace {

// `2026-03-16 09:00 Europe/Berlin`: an occurrence's nominal wall-clock start, for messages.
std::string describe_local(date::local_seconds t, std::string_view zone) {
  return fmt::format("{} {}", date::format("%F %H:%M", t), zone);
}

// The checks `book` makes on its request before opening the transaction, for a series request.
void check_series_request(const actor& who, const series_request& r) {
  if (!r.provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
  if (!r.client.ok()) throw error(errc::invalid_argument, "client: 0 is not a client id");
  if (r.duration <= minutes::zero() || r.duration > date::days{1}) {
    throw error(errc::invalid_argument,
                fmt::format("duration: {} min is outside 1 min to 24 h", r.duration.count()));
  }
  if (const instant* t = std::get_if<instant>(&r.first_start)) {
    detail::check_instant(*t, "first_start");
  } else {
    detail::check_instant(instant{std::get<date::local_seconds>(r.first_start).time_since_epoch()},
                          "first_start");
  }
  check_bookable_type(r.type);
  if (r.mode != series_mode::all_or_nothing && r.mode != series_mode::free_ones) {
    throw error(errc::invalid_argument,
                fmt::format("mode: {} is not a series mode", static_cast<int>(r.mode)));
  }
  check_text("special_requests", r.special_requests);
  check_text("notes", r.notes);
  require_may_book(who, r.client, r.provider);
}

recurrence_rule rule_of(const series_request& r) {
  if (const std::string* text = std::get_if<std::string>(&r.rule))
    return parse_rrule(*text, "rule");
  const recurrence_rule& rule = std::get<recurrence_rule>(r.rule);
  validate(rule, "rule");
  return rule;
}

// The series' occurrences in the provider's zone, refusing a rule that does not end within
// max_series_occurrences and max_series_span, and a first start the rule does not produce.
std::vector<occurrence> expand_series(const recurrence_rule& rule, const std::string& text,
                                      const series_request& r, const std::string& zone_name) {
  const date::time_zone& zone = find_zone(zone_name, "provider.hours.zone");
  if (!rule.count && !rule.until) {
    throw error(errc::invalid_argument,
                fmt::format("rule: {} never ends: give COUNT or UNTIL (a series has at most {} "
                            "occurrences within {} days)",
                            detail::quote(text), max_series_occurrences, max_series_span.count()));
  }
  date::local_seconds first_local{};
  if (const instant* t = std::get_if<instant>(&r.first_start)) {
    first_local = to_local(*t, zone);
    // The second pass through a fall-back hour: its wall-clock time means the first pass.
    if (to_instant(first_local, zone) != *t) {
      throw error(errc::invalid_argument,
                  fmt::format("first_start: {} is the second {} of a fall-back hour in {}; a "
                              "series keeps wall-clock times, which mean the first one ({})",
                              format_instant(*t), date::format("%H:%M", first_local), zone_name,
                              format_instant(to_instant(first_local, zone))));
    }
  } else {
    first_local = std::get<date::local_seconds>(r.first_start);
  }
  const date::local_days first_day = date::floor<date::days>(first_local);
  const recurrence_start start{date::year_month_day{first_day}, first_local - first_day, zone_name};
  validate(start, "first_start");
  const instant first = to_instant(first_local, zone);
  const instant reach = first + max_series_span;

  expand_options limits;
  limits.max_occurrences = max_series_occurrences + 1;
  expansion e = expand(rule, start, r.duration, {first, reach}, limits);
  if (e.occurrences.empty() || e.occurrences.front().local_start != first_local) {
    throw error(errc::invalid_argument,
                fmt::format("first_start: {} ({}) is not an occurrence of rule {}; start the "
                            "series on a day the rule produces",
                            describe_local(first_local, zone_name), date::format("%A", first_local),
                            detail::quote(text)));
  }
  if (e.truncated || e.occurrences.size() > max_series_occurrences) {
    throw error(errc::invalid_argument, fmt::format("rule: {} has more than {} occurrences",
                                                    detail::quote(text), max_series_occurrences));
  }
  if (reach < detail::latest_instant) {
    expand_options one_more;
    one_more.max_occurrences = 2;
    const expansion later =
        expand(rule, start, r.duration, {reach, detail::latest_instant}, one_more);
    for (const occurrence& o : later.occurrences) {
      if (o.utc.begin < reach) continue;
      throw error(errc::invalid_argument,
                  fmt::format("rule: {} still has an occurrence at {}, {} days or more after the "
                              "first one (a series may reach at most {} days)",
                              detail::quote(text), describe_local(o.local_start, zone_name),
                              max_series_span.count(), max_series_span.count()));
    }
  }
  return std::move(e.occurrences);
}

// A series judged occurrence by occurrence, inside the caller's transaction.
struct series_plan {
  provider_profile profile;
  std::string rule;  // canonical text
  std::vector<series_occurrence> occurrences;
  std::size_t passing = 0;
};

// Everything `book` checks, for every occurrence: the request, the provider, the client's no-show
// standing, then per occurrence `check_bookable` and the client's sessions, with the earlier
// passing occurrences of the series counted as booked (as they would be, booked one by one).
series_plan plan_series(store& db, const actor& who, const series_request& r, instant now,
                        const lifecycle_rules& rules) {
  check_series_request(who, r);
  const recurrence_rule rule = rule_of(r);
  series_plan plan;
  plan.rule = format_rrule(rule);
  plan.profile = load_provider(db, r.provider);
  const provider_profile& profile = plan.profile;
  const std::vector<occurrence> expanded = expand_series(rule, plan.rule, r, profile.hours.zone);

  const std::vector<session> history =
      db.client_sessions(r.client, {now - rules.no_show.window, now});
  const no_show_record record = assess_no_shows(history, r.client, now, rules.no_show);
  if (record.standing == client_standing::blocked) {
    throw error(errc::policy_denied,
                fmt::format("client: client {} may not book after {} no-shows in {} days: "
                            "blocked",
                            to_string(r.client), record.no_shows, rules.no_show.window.count()));
  }
  if (!profile.active) {
    throw error(errc::outside_availability,
                fmt::format("provider: provider {} is not active", to_string(profile.id)));
  }

  const availability hours{profile.hours};
  std::vector<interval> accepted;  // earlier occurrences of this series that pass
  plan.occurrences.reserve(expanded.size());
  for (std::size_t i = 0; i < expanded.size(); ++i) {
    const interval proposed = expanded[i].utc;
    series_occurrence o;
    o.index = i;
    o.local_start = expanded[i].local_start;
    o.time = proposed;
    const std::string where =
        fmt::format("occurrence {} ({})", i + 1, describe_local(o.local_start, profile.hours.zone));

    std::vector<interval> busy = provider_busy(db, profile.id, widened(proposed), now, rules.hold);
    busy.insert(busy.end(), accepted.begin(), accepted.end());
    const slot_decision d = check_bookable(hours, busy, profile.rules, proposed, now);
    if (!d) {
      o.refused = to_errc(d.reason);
      o.reason = std::string(to_string(d.reason));
      o.message = fmt::format("{}: {} with provider {} cannot be booked: {}{}", where,
                              to_string(proposed), to_string(profile.id), o.reason,
                              external_note(db, profile.id, proposed, d.reason));
    } else {
      for (const session& s : client_commitments(db, r.client, proposed)) {
        if (!occupies_time(s, now, rules.hold) || !session_interval(s).overlaps(proposed)) continue;
        o.refused = errc::conflict;
        o.reason = "client_busy";
        o.message =
            fmt::format("{}: client {} already has session {} at {}: client_busy", where,
                        to_string(r.client), to_string(s.id), to_string(session_interval(s)));
        break;
      }
    }
    if (!o.refused) {
      accepted.push_back(proposed);
      ++plan.passing;
      booking_confirmation c;
      c.scheduled_at = proposed.begin;
      c.payment_required = !profile.price.is_zero();
      c.amount = profile.price;
      c.status = c.payment_required ? session_status::pending_payment : session_status::scheduled;
      o.booked = c;
    }
    plan.occurrences.push_back(std::move(o));
  }
  return plan;
}

// The refusal of a whole series: the first failing occurrence's class, every failure listed.
[[noreturn]] void refuse_series(const series_plan& plan, const series_request& r) {
  const series_occurrence* first_failure = nullptr;
  std::string list;
  for (const series_occurrence& o : plan.occurrences) {
    if (!o.refused) continue;
    if (first_failure == nullptr) first_failure = &o;
    list += fmt::format("; {}", o.message);
  }
  const std::size_t failing = plan.occurrences.size() - plan.passing;
  throw error(
      first_failure != nullptr ? *first_failure->refused : errc::conflict,
      fmt::format("series: {} of {} occurrences of rule {} cannot be booked ({}), so nothing was "
                  "booked{}",
                  failing, plan.occurrences.size(), detail::quote(plan.rule), to_string(r.mode),
                  list));
}

}  // namespace

series_booking booking_service::book_series(const actor& who, const series_request& request) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "book_series", ctx, [&] {
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    series_plan plan = plan_series(db, who, request, now, rules);
    if (plan.passing == 0 ||
        (request.mode == series_mode::all_or_nothing && plan.passing < plan.occurrences.size())) {
      refuse_series(plan, request);
    }

    const provider_profile& profile = plan.profile;
    const series_id series = db.next_series_id();
    {
      // What was expanded, kept so the series can be exported as one RRULE event later. The
      // first occurrence is the rule's first even when it was skipped (`free_ones`).
      const date::local_seconds first = plan.occurrences.front().local_start;
      const date::local_days first_day = date::floor<date::days>(first);
      series_record record;
      record.id = series;
      record.provider = request.provider;
      record.client = request.client;
      record.rule = plan.rule;
      record.start = {date::year_month_day{first_day}, first - first_day, profile.hours.zone};
      record.duration = request.duration;
      record.type = request.type;
      record.created_at = now;
      db.put_series(record);
    }
    const int year = year_of(now);
    const reminder_preferences preferences = ops.preferences_for(request.client);
    std::vector<change_event> events;
    std::vector<session_id> booked;
    for (series_occurrence& o : plan.occurrences) {
      if (!o.booked) continue;
      session s;
      s.client = request.client;
      s.provider = request.provider;
      s.scheduled_at = o.time.begin;
      s.duration = request.duration;
      s.type = request.type;
      s.special_requests = request.special_requests;
      s.notes = request.notes;
      s.amount = profile.price;
      s.payment = payment_status::pending;
      s.status = o.booked->status;
      s.created_at = now;
      s.updated_at = now;
      s.series = series;
      s.booking_reference = format_reference(year, db.next_reference_sequence(year));
      validate(s);
      s.id = db.insert_session(s);
      if (!ctx.session.ok()) ctx.session = s.id;
      ops.apply_reminders({{}, plan_reminders(s, now, preferences, state_->options.reminders)},
                          s.client);
      ops.append_audit(who, now, "book", s.id, std::nullopt, s.status,
                       fmt::format("{} {} {} min, provider {}, client {}, {}; series {} "
                                   "occurrence {}",
                                   s.booking_reference, format_instant(s.scheduled_at),
                                   s.duration.count(), to_string(s.provider), to_string(s.client),
                                   to_string(s.amount), to_string(series), o.index + 1));
      events.push_back(event_of(change_kind::booked, s, now, who));
      o.booked->session = s.id;
      o.booked->booking_reference = s.booking_reference;
      booked.push_back(s.id);
    }
    std::string skipped;
    for (const series_occurrence& o : plan.occurrences) {
      if (!o.refused) continue;
      skipped += fmt::format("{}{} {}", skipped.empty() ? "" : ", ", o.index + 1, o.reason);
    }
    ops.append_audit(
        who, now, "book_series", booked.front(), std::nullopt, std::nullopt,
        fmt::format("series {} {} from {}, {}: {} of {} booked (sessions {}){}", to_string(series),
                    plan.rule,
                    describe_local(plan.occurrences.front().local_start, profile.hours.zone),
                    to_string(request.mode), booked.size(), plan.occurrences.size(),
                    list_ids(booked), skipped.empty() ? std::string{} : "; skipped " + skipped));
    ops.commit(tx, std::move(events));

    series_booking out;
    out.series = series;
    out.rule = std::move(plan.rule);
    out.mode = request.mode;
    out.occurrences = std::move(plan.occurrences);
    return out;
  });
}

series_booking booking_service::preview_series(const actor& who, const series_request& request) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "preview_series", ctx, [&] {
    const instant now = state_->time.now();
    transaction tx(state_->db, access::read);
    series_plan plan = plan_series(state_->db, who, request, now, state_->options.lifecycle);
    commit_counted(tx);
    series_booking out;
    out.rule = std::move(plan.rule);
    out.mode = request.mode;
    out.occurrences = std::move(plan.occurrences);
    return out;
  });
}

std::vector<session> booking_service::series_sessions(const actor& who, series_id series) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "series_sessions", ctx, [&] {
    if (!series.ok()) throw error(errc::invalid_argument, "series: 0 is not a series id");
    transaction tx(state_->db, access::read);
    std::vector<session> out = state_->db.series_sessions(series);
    commit_counted(tx);
    if (out.empty()) {
      throw error(errc::not_found, fmt::format("series: no series {}", to_string(series)));
    }
    // Every occurrence has the series' client and provider (a reschedule keeps both).
    require_party(who, out.front(), fmt::format("see series {} with", to_string(series)));
    return out;
  });
}

series_details booking_service::series_info(const actor& who, series_id series) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "series_info", ctx, [&] {
    if (!series.ok()) throw error(errc::invalid_argument, "series: 0 is not a series id");
    transaction tx(state_->db, access::read);
    series_details out;
    out.record = state_->db.find_series(series);
    out.sessions = state_->db.series_sessions(series);
    commit_counted(tx);
    const std::string what = fmt::format("see series {} with", to_string(series));
    if (out.record) {
      // The record names the series' client and provider, even once its sessions are purged.
      session party;
      party.client = out.record->client;
      party.provider = out.record->provider;
      if (!acts_for(who, party)) forbid(who, fmt::format("see series {}", to_string(series)));
    } else if (out.sessions.empty()) {
      throw error(errc::not_found, fmt::format("series: no series {}", to_string(series)));
    } else {
      // Every occurrence has the series' client and provider (a reschedule keeps both).
      require_party(who, out.sessions.front(), what);
    }
    return out;
  });
}

series_cancellation booking_service::cancel_series(const actor& who, session_id id,
                                                   series_scope scope, std::string_view reason) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = id;
  return ops.audited(who, "cancel_series", ctx, [&] {
    check_text("reason", reason);
    if (scope != series_scope::this_one && scope != series_scope::this_and_following &&
        scope != series_scope::whole_series) {
      throw error(errc::invalid_argument,
                  fmt::format("scope: {} is not a series scope", static_cast<int>(scope)));
    }
    const instant now = state_->time.now();
    const lifecycle_rules& rules = state_->options.lifecycle;
    store& db = state_->db;
    transaction tx(db, access::write);
    const session named = load_session(db, id);
    ctx.before = named.status;
    require_party(who, named, "cancel");
    if (!named.series.ok()) {
      throw error(errc::invalid_argument,
                  fmt::format("session: session {} belongs to no series (cancel it with cancel)",
                              to_string(id)));
    }
    std::vector<session> in_scope;
    if (scope == series_scope::this_one) {
      in_scope.push_back(named);
    } else {
      for (session& s : db.series_sessions(named.series)) {
        if (scope == series_scope::whole_series || s.scheduled_at >= named.scheduled_at) {
          in_scope.push_back(std::move(s));
        }
      }
    }

    series_cancellation out;
    out.series = named.series;
    out.scope = scope;
    std::vector<money> refunds;
    std::vector<change_event> events;
    std::vector<session_id> cancelled;
    std::vector<session_id> skipped;
    std::vector<session_id> refused;
    for (const session& before : in_scope) {
      require_party(who, before, "cancel");
      occurrence_cancellation item;
      item.occurrence = before;
      if (is_terminal(before.status)) {
        item.outcome = occurrence_outcome::skipped;
        item.reason = std::string(to_string(before.status));
        skipped.push_back(before.id);
      } else {
        const transition_result r = slotbook::cancel(before, who, now, std::string(reason), rules);
        if (!r.allowed()) {
          if (errc_of(r.reason) == errc::forbidden) {
            forbid(who,
                   fmt::format("cancel session {}: {}", to_string(before.id), to_string(r.reason)));
          }
          item.outcome = occurrence_outcome::refused;
          item.decision = r.cancellation;
          item.reason = r.cancellation ? std::string(to_string(r.cancellation->reason))
                                       : std::string(to_string(r.reason));
          refused.push_back(before.id);
        } else {
          const session& after = *r.next;
          db.update_session(after);
          ops.apply_reminders(reminders_on_cancel(before), before.client);
          ops.append_audit(
              who, now, "cancel", before.id, before.status, after.status,
              fmt::format("{}; refund {}; series {} {}", to_string(r.cancellation->reason),
                          to_string(r.refund), to_string(named.series), to_string(scope)));
          change_event e = event_of(change_kind::cancelled, after, now, who);
          e.from = before.status;
          events.push_back(std::move(e));
          add_slot_freed(events, before, after, now, rules.hold, who);
          item.outcome = occurrence_outcome::cancelled;
          item.occurrence = after;
          item.decision = r.cancellation;
          refunds.push_back(r.refund);
          cancelled.push_back(before.id);
        }
      }
      out.occurrences.push_back(std::move(item));
    }
    ops.append_audit(
        who, now, "cancel_series", named.id, named.status, std::nullopt,
        fmt::format("series {} {}: cancelled {} [{}], skipped {} [{}], refused {} [{}]",
                    to_string(named.series), to_string(scope), cancelled.size(),
                    list_ids(cancelled), skipped.size(), list_ids(skipped), refused.size(),
                    list_ids(refused)));
    ops.commit(tx, std::move(events));

    std::size_t next_refund = 0;
    for (occurrence_cancellation& item : out.occurrences) {
      if (item.outcome != occurrence_outcome::cancelled) continue;
      item.refund = ops.pay_refund(who, item.occurrence, refunds[next_refund++]);
    }
    return out;
  });
}

// --- reading -----------------------------------------------------------------------------------

session booking_service::get_session(const actor& who, session_id id) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = id;
  return ops.audited(who, "get_session", ctx, [&] {
    transaction tx(state_->db, access::read);
    session s = load_session(state_->db, id);
    ctx.before = s.status;
    require_may_see(state_->db, who, s);
    commit_counted(tx);
    return s;
  });
}

session booking_service::find_by_reference(const actor& who, std::string_view reference) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "find_by_reference", ctx, [&] {
    parse_reference(reference, "reference");
    transaction tx(state_->db, access::read);
    std::optional<session> s = state_->db.find_session_by_reference(reference);
    if (!s) {
      throw error(errc::not_found,
                  fmt::format("reference: no session {}", detail::quote(reference)));
    }
    ctx.session = s->id;
    ctx.before = s->status;
    require_may_see(state_->db, who, *s);
    commit_counted(tx);
    return std::move(*s);
  });
}

std::vector<session> booking_service::my_sessions(const actor& who, interval range) {
  const std::optional<client_id> c = who.as_client();
  if (!c) {
    service_ops ops{*state_};
    service_ops::refusal_context ctx;
    return ops.audited(who, "my_sessions", ctx, [&]() -> std::vector<session> {
      forbid(who, "list a client's own sessions: not a client");
    });
  }
  return client_sessions(who, *c, range);
}

std::vector<session> booking_service::assigned_sessions(const actor& who, interval range) {
  const std::optional<provider_id> p = who.as_provider();
  if (!p) {
    service_ops ops{*state_};
    service_ops::refusal_context ctx;
    return ops.audited(who, "assigned_sessions", ctx, [&]() -> std::vector<session> {
      forbid(who, "list a provider's assigned sessions: not a provider");
    });
  }
  return provider_sessions(who, *p, range);
}

std::vector<session> booking_service::client_sessions(const actor& who, client_id client,
                                                      interval range) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "client_sessions", ctx, [&] {
    if (!client.ok()) throw error(errc::invalid_argument, "client: 0 is not a client id");
    check_range(range);
    require_client_access(who, client, "list the sessions of");
    transaction tx(state_->db, access::read);
    std::vector<session> out = state_->db.client_sessions(client, range);
    commit_counted(tx);
    return out;
  });
}

std::vector<session> booking_service::provider_sessions(const actor& who, provider_id provider,
                                                        interval range) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "provider_sessions", ctx, [&] {
    if (!provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
    check_range(range);
    require_provider_access(who, provider, "list the sessions of");
    transaction tx(state_->db, access::read);
    std::vector<session> out = state_->db.provider_sessions(provider, range);
    commit_counted(tx);
    return out;
  });
}

std::vector<slot> booking_service::slots(provider_id provider, interval range) {
  if (!provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
  detail::check_range(range, "range", detail::max_slot_query_days);
  const instant now = state_->time.now();
  store& db = state_->db;
  transaction tx(db, access::read);
  const provider_profile profile = load_provider(db, provider);
  if (!profile.active) return {};
  const std::vector<interval> busy = provider_busy(
      db, provider, widened(range, profile.rules.duration), now, state_->options.lifecycle.hold);
  commit_counted(tx);
  return generate_slots(availability{profile.hours}, busy, profile.rules, range, now);
}

session_analytics booking_service::analytics(const actor& who, provider_id provider,
                                             interval range) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "analytics", ctx, [&] {
    if (!provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
    check_range(range);
    require_provider_access(who, provider, "see the analytics of");
    transaction tx(state_->db, access::read);
    const provider_profile profile = load_provider(state_->db, provider);
    const std::vector<session> sessions = state_->db.provider_sessions(provider, range);
    std::vector<seat> seats;
    for (const session& s : sessions) {
      if (!is_group(s)) continue;
      std::vector<seat> some = state_->db.session_seats(s.id);
      seats.insert(seats.end(), some.begin(), some.end());
    }
    commit_counted(tx);
    return analyze_sessions(sessions, provider, range, profile.price.currency_code(), seats);
  });
}

// --- intake forms ------------------------------------------------------------------------------

intake_summary booking_service::create_intake(const actor& who, client_id client,
                                              session_id session) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = session;
  return ops.audited(who, "create_intake", ctx, [&] {
    if (!client.ok()) throw error(errc::invalid_argument, "client: 0 is not a client id");
    require_client_access(who, client, "start an intake form for");
    const keyring& ring = keys_of(state_->options);
    const instant now = state_->time.now();
    store& db = state_->db;
    transaction tx(db, access::write);
    if (session.ok()) {
      const slotbook::session s = load_session(db, session);
      ctx.before = s.status;
      if (s.client != client) {
        throw error(errc::invalid_argument,
                    fmt::format("session: session {} is not a session of client {}",
                                to_string(session), to_string(client)));
      }
    }
    intake_form form;
    form.id = db.next_intake_id();
    form.client = client;
    form.session = session;
    stored_intake f;
    f.form = seal_intake(form, ring);  // an empty form: a data key and no steps yet
    f.created_at = now;
    f.updated_at = now;
    db.put_intake(f);
    ops.append_audit(
        who, now, "create_intake", session, std::nullopt, std::nullopt,
        fmt::format("{}: created, key version {}", describe(f), key_version(f.form.data_key)));
    commit_counted(tx);
    return summarize(f);
  });
}

intake_summary booking_service::save_intake_step(const actor& who, intake_id form,
                                                 const personal_info_step& step) {
  return service_ops{*state_}.save_intake_step(who, form, step);
}

intake_summary booking_service::save_intake_step(const actor& who, intake_id form,
                                                 const mental_health_step& step) {
  return service_ops{*state_}.save_intake_step(who, form, step);
}

intake_summary booking_service::save_intake_step(const actor& who, intake_id form,
                                                 const goals_step& step) {
  return service_ops{*state_}.save_intake_step(who, form, step);
}

intake_summary booking_service::save_intake_step(const actor& who, intake_id form,
                                                 const consent_step& step) {
  return service_ops{*state_}.save_intake_step(who, form, step);
}

intake_form booking_service::read_intake(const actor& who, intake_id id) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "read_intake", ctx, [&] {
    const keyring& ring = keys_of(state_->options);
    const instant now = state_->time.now();
    store& db = state_->db;
    // A write transaction, although nothing but the audit log changes: the read is recorded in
    // the same commit that precedes handing out the plaintext, so no read goes unrecorded.
    transaction tx(db, access::write);
    const stored_intake f = load_live_intake(db, id);
    ctx.session = f.form.session;
    require_intake_reader(db, who, f.form.client, fmt::format("read intake_form {} of", id.value));
    intake_form form = open_intake(f.form, ring);
    ops.append_audit(
        who, now, "read_intake", f.form.session, std::nullopt, std::nullopt,
        fmt::format("{}: decrypted, key version {}", describe(f), key_version(f.form.data_key)));
    commit_counted(tx);
    return form;
  });
}

std::vector<intake_summary> booking_service::client_intakes(const actor& who, client_id client) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "client_intakes", ctx, [&] {
    if (!client.ok()) throw error(errc::invalid_argument, "client: 0 is not a client id");
    transaction tx(state_->db, access::read);
    require_intake_reader(state_->db, who, client, "list the intake forms of");
    std::vector<intake_summary> out;
    for (const stored_intake& f : state_->db.client_intakes(client)) out.push_back(summarize(f));
    commit_counted(tx);
    return out;
  });
}

erasure_result booking_service::delete_intake(const actor& who, intake_id id,
                                              std::string_view reason) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "delete_intake", ctx, [&] {
    check_reason(reason);
    const instant now = state_->time.now();
    store& db = state_->db;
    transaction tx(db, access::write);
    stored_intake f = load_intake(db, id);
    ctx.session = f.form.session;
    require_client_access(who, f.form.client, fmt::format("delete intake_form {} of", id.value));
    if (f.deleted()) {
      throw error(errc::conflict, fmt::format("intake: intake_form {} was already deleted at {}",
                                              id.value, format_instant(*f.deleted_at)));
    }
    // Crypto-shredding: the wrapped data key was the only way to the steps, and it goes together
    // with the steps themselves and the consents. What stays is what the audit log names anyway.
    f.form.data_key = {};
    f.form.personal_info.reset();
    f.form.mental_health.reset();
    f.form.goals.reset();
    f.form.consent = {};
    f.form.completed_at.reset();
    f.deleted_at = now;
    f.deletion_reason = std::string(reason);
    f.updated_at = now;
    db.put_intake(f);
    ops.append_audit(who, now, "delete_intake", f.form.session, std::nullopt, std::nullopt,
                     fmt::format("{}: crypto-shredded (data key and sealed steps destroyed); "
                                 "reason {}",
                                 describe(f), detail::quote(reason)));
    commit_counted(tx);
    return erasure_result{now, ops.scrub()};
  });
}

rotation_report booking_service::rotate_intake_keys(std::size_t batch_size,
                                                    const rotation_callback& progress) {
  service_ops ops{*state_};
  const actor system = actor::system();
  rotation_report report;
  {
    service_ops::refusal_context ctx;
    ops.audited(system, "rotate_intake_keys", ctx, [&] {
      if (batch_size == 0) throw error(errc::invalid_argument, "batch_size: 0 forms per batch");
      report.to_version = keys_of(state_->options).current_version();
    });
  }
  const keyring& ring = *state_->options.keys;
  intake_id after{};
  for (;;) {
    service_ops::refusal_context ctx;
    // One batch: read the next forms not yet on `to_version`, re-wrap each one's data key (the
    // sealed steps are not touched and no step is decrypted), write them back, audit, commit.
    // Until the commit every form of the batch still has its old, readable key.
    const std::vector<intake_id> moved = ops.audited(system, "rotate_intake_keys", ctx, [&] {
      const instant now = state_->time.now();
      store& db = state_->db;
      transaction tx(db, access::write);
      std::vector<intake_id> ids;
      std::map<std::uint32_t, std::size_t> from;
      for (stored_intake& f : db.intakes_to_rotate(report.to_version, after, batch_size)) {
        ++from[key_version(f.form.data_key)];
        f.form = reseal(f.form, ring);
        db.put_intake(f);
        ids.push_back(f.form.id);
      }
      if (ids.empty()) return ids;
      std::string versions;
      for (const auto& [version, count] : from) {
        versions +=
            fmt::format("{}{} from version {}", versions.empty() ? "" : ", ", count, version);
      }
      ops.append_audit(system, now, "rotate_intake_keys", session_id{}, std::nullopt, std::nullopt,
                       fmt::format("batch {}: {} intake forms re-wrapped to key version {} ({}); "
                                   "intake_form {} to {}",
                                   report.batches + 1, ids.size(), report.to_version, versions,
                                   ids.front().value, ids.back().value));
      commit_counted(tx);
      return ids;
    });
    if (moved.empty()) break;
    ++report.batches;
    report.rewrapped += moved.size();
    after = moved.back();
    if (progress)
      progress(rotation_progress{report.to_version, report.batches, report.rewrapped, after});
    if (moved.size() < batch_size) break;  // that was the last of them
  }
  return report;
}

// --- privacy -----------------------------------------------------------------------------------

erasure_result booking_service::secure_delete_session(const actor& who, session_id id,
                                                      std::string_view reason) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = id;
  return ops.audited(who, "secure_delete", ctx, [&] {
    check_reason(reason);
    const instant now = state_->time.now();
    store& db = state_->db;
    transaction tx(db, access::write);
    const session before = load_session(db, id);
    ctx.before = before.status;
    require_client_access(who, before.client, fmt::format("delete session {} of", to_string(id)));
    if (!is_terminal(before.status)) {
      throw error(errc::conflict,
                  fmt::format("status: session {} is {}: only a completed, cancelled or no-show "
                              "session can be deleted (cancel it first)",
                              to_string(id), to_string(before.status)));
    }
    if (const std::optional<session_deletion> d = db.find_session_deletion(id)) {
      throw error(errc::conflict, fmt::format("session: session {} was already deleted at {}",
                                              to_string(id), format_instant(d->deleted_at)));
    }
    session after = before;
    redact(after);
    after.updated_at = now;
    db.update_session(after);
    db.mark_session_deleted(session_deletion{id, now, std::string(reason)});
    db.remove_reminders(id);
    ops.append_audit(who, now, "secure_delete", id, before.status, after.status,
                     fmt::format("{} of client {}: free text redacted, purge after {}; reason {}",
                                 before.booking_reference, to_string(before.client),
                                 format_instant(now + state_->options.deleted_retention),
                                 detail::quote(reason)));
    commit_counted(tx);
    return erasure_result{now, ops.scrub()};
  });
}

purge_report booking_service::purge_expired(std::size_t limit) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  const actor system = actor::system();
  purge_report report = ops.audited(system, "purge_expired", ctx, [&] {
    const instant now = state_->time.now();
    store& db = state_->db;
    purge_report out;
    out.cutoff = now - state_->options.deleted_retention;
    transaction tx(db, access::write);
    out.sessions = db.purge_sessions(out.cutoff, limit);
    out.intakes = db.purge_intakes(out.cutoff, limit);
    if (!out.sessions.empty() || !out.intakes.empty()) {
      ops.append_audit(
          system, now, "purge", session_id{}, std::nullopt, std::nullopt,
          fmt::format("deleted before {}, removed for good: {} sessions ({}), {} "
                      "intake forms ({})",
                      format_instant(out.cutoff), out.sessions.size(), list_ids(out.sessions),
                      out.intakes.size(), list_ids(out.intakes)));
    }
    commit_counted(tx);
    return out;
  });
  report.scrubbed = ops.scrub();
  return report;
}

client_data_export booking_service::export_client_data(const actor& who, client_id client) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "export_client_data", ctx, [&] {
    if (!client.ok()) throw error(errc::invalid_argument, "client: 0 is not a client id");
    require_client_access(who, client, "export the data of");
    const instant now = state_->time.now();
    store& db = state_->db;
    client_data_export out;
    out.client = client;
    out.exported_at = now;
    transaction tx(db, access::write);
    out.sessions = db.client_sessions(client, all_time);
    for (const session& s : out.sessions) {
      if (std::optional<session_deletion> d = db.find_session_deletion(s.id)) {
        out.deleted_sessions.push_back(std::move(*d));
      }
    }
    std::vector<intake_id> opened;
    for (const stored_intake& f : db.client_intakes(client)) {
      if (f.deleted()) {
        out.deleted_intakes.push_back(summarize(f));
      } else {
        out.intake_forms.push_back(open_intake(f.form, keys_of(state_->options)));
        opened.push_back(f.form.id);
      }
    }
    ops.append_audit(
        who, now, "export_client_data", session_id{}, std::nullopt, std::nullopt,
        fmt::format("client {}: {} sessions, {} intake forms decrypted ({})", to_string(client),
                    out.sessions.size(), opened.size(), list_ids(opened)));
    commit_counted(tx);
    return out;
  });
}

// --- reminders ---------------------------------------------------------------------------------

std::vector<claimed_reminder> booking_service::due_reminders(std::size_t limit) {
  std::vector<claimed_reminder> out;
  if (limit == 0) return out;
  const instant now = state_->time.now();
  store& db = state_->db;
  transaction tx(db, access::write);
  std::unordered_map<provider_id, std::string> names;
  for (queued_reminder& q : db.claim_due_reminders(now, limit, now + state_->options.retry.lease)) {
    const std::optional<session> s = db.find_session(q.what.session);
    // A seat's reminder stays queued when the seat is cancelled (or its hold expires) and is
    // closed here instead: the seat must still be held when the reminder goes out.
    const bool seat_gone = s && is_group(*s) && gets_reminders(s->status) &&
                           held_seat_of(db.session_seats(s->id), q.client) == nullptr;
    if (!s || !gets_reminders(s->status) || seat_gone) {
      // Cancelling or starting a session drops its queued reminders in the same transaction, so
      // this is a reminder queued by something else: close it rather than send it.
      q.state = reminder_state::failed;
      q.lease_until.reset();
      if (!s) {
        q.last_error = fmt::format("session {} does not exist", to_string(q.what.session));
      } else if (seat_gone) {
        q.last_error = fmt::format("client {} holds no seat in group session {}",
                                   to_string(q.client), to_string(s->id));
      } else {
        q.last_error = fmt::format("session {} is {}", to_string(s->id), to_string(s->status));
      }
      db.update_reminder(q);
      continue;
    }
    auto name = names.find(s->provider);
    if (name == names.end()) {
      const std::optional<provider_profile> p = db.find_provider(s->provider);
      name = names.emplace(s->provider, p ? p->name : std::string{}).first;
    }
    claimed_reminder c;
    c.queued = q;
    reminder_message& m = c.message;
    m.reminder = q.id;
    m.attempt = q.attempts;
    m.channel = q.what.channel;
    m.before = q.what.before;
    m.due = q.what.due;
    m.session = s->id;
    m.booking_reference = s->booking_reference;
    m.client = is_group(*s) ? q.client : s->client;  // a group's seat holder
    m.provider = s->provider;
    m.provider_name = name->second;
    m.scheduled_at = s->scheduled_at;
    m.duration = s->duration;
    out.push_back(std::move(c));
  }
  commit_counted(tx);
  return out;
}

namespace {

// The stored reminder, if it is still the claim `claimed` describes.
queued_reminder current_claim(store& db, const queued_reminder& claimed) {
  std::optional<queued_reminder> cur = db.find_reminder(claimed.id);
  if (!cur) {
    throw error(errc::not_found, fmt::format("reminder: no reminder {} (its session was cancelled "
                                             "or moved)",
                                             claimed.id));
  }
  if (cur->state != reminder_state::claimed || cur->attempts != claimed.attempts) {
    throw error(errc::conflict,
                fmt::format("reminder: reminder {} is no longer this worker's claim (it is {} "
                            "after {} attempts)",
                            claimed.id, to_string(cur->state), cur->attempts));
  }
  return std::move(*cur);
}

}  // namespace

void booking_service::mark_sent(const queued_reminder& claimed) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = claimed.what.session;
  const actor system = actor::system();
  ops.audited(system, "mark_sent", ctx, [&] {
    const instant now = state_->time.now();
    transaction tx(state_->db, access::write);
    queued_reminder cur = current_claim(state_->db, claimed);
    cur.state = reminder_state::sent;
    cur.sent_at = now;
    cur.lease_until.reset();
    cur.next_attempt.reset();
    cur.last_error.clear();
    state_->db.update_reminder(cur);
    ops.append_audit(
        system, now, "reminder_sent", cur.what.session, std::nullopt, std::nullopt,
        fmt::format("reminder {} {} {} attempt {}", cur.id, to_string(cur.what.channel),
                    reminder_label(cur.what.before), cur.attempts));
    commit_counted(tx);
  });
}

bool booking_service::mark_failed(const queued_reminder& claimed, std::string_view why) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ctx.session = claimed.what.session;
  const actor system = actor::system();
  return ops.audited(system, "mark_failed", ctx, [&] {
    const instant now = state_->time.now();
    const reminder_retry& retry = state_->options.retry;
    transaction tx(state_->db, access::write);
    queued_reminder cur = current_claim(state_->db, claimed);
    const bool again = cur.attempts < retry.max_attempts;
    cur.state = again ? reminder_state::pending : reminder_state::failed;
    cur.lease_until.reset();
    cur.last_error = clip(std::string(why), 500);
    if (again) cur.next_attempt = now + backoff(retry, cur.attempts);
    state_->db.update_reminder(cur);
    ops.append_audit(
        system, now, "reminder_failed", cur.what.session, std::nullopt, std::nullopt,
        fmt::format(
            "reminder {} {} {} attempt {}: {}", cur.id, to_string(cur.what.channel),
            reminder_label(cur.what.before), cur.attempts,
            again ? "retry at " + format_instant(*cur.next_attempt) : std::string("given up")));
    commit_counted(tx);
    return again;
  });
}

reminder_run booking_service::run_reminders(notifier& n, std::size_t limit) {
  reminder_run run;
  for (const claimed_reminder& c : due_reminders(limit)) {
    ++run.claimed;
    delivery d;
    try {
      d = n.send(c.message);
    } catch (const std::exception& e) {
      d = delivery::failed(e.what());
    } catch (...) {
      d = delivery::failed("the notifier threw an unknown exception");
    }
    try {
      if (d.delivered) {
        mark_sent(c.queued);
        ++run.sent;
      } else if (mark_failed(c.queued, d.error)) {
        ++run.retrying;
      } else {
        ++run.given_up;
      }
    } catch (const error& e) {
      // Lost the claim (lease expired and another worker took it) or the session went away:
      // nothing of ours to record.
      if (e.code() != errc::conflict && e.code() != errc::not_found) throw;
    }
  }
  return run;
}

reminder_run booking_service::run_reminders(std::size_t limit) {
  if (state_->options.notifications == nullptr) {
    throw error(errc::invalid_argument, "service_options.notifications: no notifier configured");
  }
  return run_reminders(*state_->options.notifications, limit);
}

// --- audit, health, events ---------------------------------------------------------------------

audit_verification booking_service::verify_audit(const std::optional<audit_head>& expected) {
  audit_verifier v{expected};
  constexpr std::size_t page = 1000;
  std::int64_t after = 0;
  for (;;) {
    std::vector<audit_entry> entries;
    {
      // One short read transaction per page: the log is append-only, so pages never shift, and
      // writers are not held up for the whole walk.
      transaction tx(state_->db, access::read);
      entries = state_->db.audit_entries(after, page);
      commit_counted(tx);
    }
    for (const audit_entry& e : entries) {
      if (!v.next(e)) return v.result();
    }
    if (entries.size() < page) break;
    after = entries.back().sequence;
  }
  return v.finish();
}

audit_head booking_service::current_audit_head() {
  transaction tx(state_->db, access::read);
  const std::optional<audit_entry> last = state_->db.last_audit();
  commit_counted(tx);
  if (!last) return audit_head{};
  return audit_head{last->sequence, last->hash};
}

health_report booking_service::health() noexcept {
  health_report h;
  try {
    h.at = state_->time.now();
    h.storage_reachable = state_->db.reachable();
    if (!h.storage_reachable) {
      h.status = health_status::unhealthy;
      h.error = "storage does not answer";
      return h;
    }
    reminder_backlog b;
    {
      transaction tx(state_->db, access::read);
      b = state_->db.backlog(h.at);
      commit_counted(tx);
    }
    h.reminders_due = b.due;
    h.reminders_waiting = b.waiting;
    if (b.oldest_due) h.oldest_due_age = std::max(seconds::zero(), h.at - *b.oldest_due);
    h.status = b.due >= state_->options.degraded_backlog ? health_status::degraded
                                                         : health_status::healthy;
  } catch (const std::exception& e) {
    h.status = health_status::unhealthy;
    h.error = clip(e.what());
  } catch (...) {
    h.status = health_status::unhealthy;
    h.error = "unknown failure";
  }
  return h;
}

subscription booking_service::subscribe(change_callback callback) {
  if (!callback) throw error(errc::invalid_argument, "callback: empty");
  return state_->hub->subscribe(state_->hub, std::move(callback));
}

// =============================================================================================
// The subject-access export as JSON
// =============================================================================================

namespace {

// A small JSON writer for `to_json`: objects and arrays are written in order, commas handled by
// the writer. Strings are escaped per RFC 8259; bytes that are not UTF-8 (a host may have stored
// anything in a session's notes) become U+FFFD, so the output is always valid JSON.
class json_writer {
 public:
  std::string take() { return std::move(out_); }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    comma();
    string_value(k);
    out_ += ':';
    after_key_ = true;
  }

  void value(std::string_view s) {
    comma();
    string_value(s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(bool b) {
    comma();
    out_ += b ? "true" : "false";
  }
  void value(std::int64_t n) {
    comma();
    out_ += std::to_string(n);
  }
  void value(std::uint64_t n) {
    comma();
    out_ += std::to_string(n);
  }
  void value(instant t) { value(std::string_view(format_instant(t))); }
  void null() {
    comma();
    out_ += "null";
  }
  template <class T>
  void value(const std::optional<T>& v) {
    if (v) {
      value(*v);
    } else {
      null();
    }
  }
  template <class Tag>
  void id(strong_id<Tag> i) {
    if (i.ok()) {
      value(i.value);
    } else {
      null();
    }
  }
  void strings(const std::vector<std::string>& items) {
    begin_array();
    for (const std::string& item : items) value(std::string_view(item));
    end_array();
  }

 private:
  void open(char c) {
    comma();
    out_ += c;
    first_ = true;
  }
  void close(char c) {
    out_ += c;
    first_ = false;
  }
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }
  void string_value(std::string_view s) {
    out_ += '"';
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
      const std::size_t len = detail::utf8_decode(s, i, cp);
      if (len == 0) {
        out_ += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
        ++i;
        continue;
      }
      if (cp == U'"') {
        out_ += "\\\"";
      } else if (cp == U'\\') {
        out_ += "\\\\";
      } else if (cp == U'\n') {
        out_ += "\\n";
      } else if (cp == U'\r') {
        out_ += "\\r";
      } else if (cp == U'\t') {
        out_ += "\\t";
      } else if (cp < 0x20) {
        out_ += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(cp));
      } else {
        out_.append(s.substr(i, len));
      }
      i += len;
    }
    out_ += '"';
  }

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

void write_money(json_writer& w, const money& m) {
  w.begin_object();
  w.key("minor");
  w.value(static_cast<std::int64_t>(m.minor_units()));
  w.key("currency");
  w.value(m.currency_code().code());
  w.end_object();
}

void write_session(json_writer& w, const session& s) {
  w.begin_object();
  w.key("id");
  w.id(s.id);
  w.key("booking_reference");
  w.value(std::string_view(s.booking_reference));
  w.key("provider");
  w.id(s.provider);
  w.key("scheduled_at");
  w.value(s.scheduled_at);
  w.key("duration_minutes");
  w.value(static_cast<std::int64_t>(s.duration.count()));
  w.key("status");
  w.value(to_string(s.status));
  w.key("type");
  w.value(to_string(s.type));
  w.key("notes");
  w.value(std::string_view(s.notes));
  w.key("special_requests");
  w.value(std::string_view(s.special_requests));
  w.key("amount");
  write_money(w, s.amount);
  w.key("payment_status");
  w.value(to_string(s.payment));
  w.key("payment_method");
  w.value(std::string_view(s.payment_method));
  w.key("transaction_id");
  w.value(std::string_view(s.transaction_id));
  w.key("refunded_minor");
  w.value(static_cast<std::int64_t>(s.refunded_minor));
  w.key("joined_at");
  w.value(s.joined_at);
  w.key("ended_at");
  w.value(s.ended_at);
  w.key("created_at");
  w.value(s.created_at);
  w.key("updated_at");
  w.value(s.updated_at);
  w.key("cancelled_at");
  w.value(s.cancelled_at);
  w.key("cancellation_reason");
  w.value(std::string_view(s.cancellation_reason));
  w.key("cancelled_by");
  if (s.cancelled_by) {
    w.value(to_string(*s.cancelled_by));
  } else {
    w.null();
  }
  w.key("rescheduled_from");
  w.id(s.rescheduled_from);
  w.key("rescheduled_to");
  w.id(s.rescheduled_to);
  w.end_object();
}

void write_intake(json_writer& w, const intake_form& f) {
  w.begin_object();
  w.key("id");
  w.id(f.id);
  w.key("session");
  w.id(f.session);
  w.key("personal_info");
  if (const auto& p = f.personal_info) {
    w.begin_object();
    w.key("emergency_contact");
    w.value(std::string_view(p->emergency_contact));
    w.key("medical_history");
    w.value(std::string_view(p->medical_history));
    w.key("current_medications");
    w.value(std::string_view(p->current_medications));
    w.key("allergies");
    w.value(std::string_view(p->allergies));
    w.end_object();
  } else {
    w.null();
  }
  w.key("mental_health");
  if (const auto& m = f.mental_health) {
    w.begin_object();
    w.key("previous_therapy");
    w.value(m->previous_therapy);
    w.key("current_symptoms");
    w.strings(m->current_symptoms);
    w.key("severity_level");
    if (m->severity_level) {
      w.value(static_cast<std::int64_t>(*m->severity_level));
    } else {
      w.null();
    }
    w.key("trigger_factors");
    w.strings(m->trigger_factors);
    w.key("coping_mechanisms");
    w.strings(m->coping_mechanisms);
    w.end_object();
  } else {
    w.null();
  }
  w.key("goals");
  if (const auto& g = f.goals) {
    w.begin_object();
    w.key("therapy_goals");
    w.strings(g->therapy_goals);
    w.key("expectations");
    w.value(std::string_view(g->expectations));
    w.key("preferred_approach");
    w.value(std::string_view(g->preferred_approach));
    w.end_object();
  } else {
    w.null();
  }
  w.key("consent");
  w.begin_object();
  w.key("consent_to_treatment");
  w.value(f.consent.consent_to_treatment);
  w.key("confidentiality_agreement");
  w.value(f.consent.confidentiality_agreement);
  w.key("data_processing_consent");
  w.value(f.consent.data_processing_consent);
  w.end_object();
  w.key("completed_at");
  w.value(f.completed_at);
  w.end_object();
}

}  // namespace

std::string to_json(const client_data_export& e) {
  json_writer w;
  w.begin_object();
  w.key("client");
  w.id(e.client);
  w.key("exported_at");
  w.value(e.exported_at);
  w.key("sessions");
  w.begin_array();
  for (const session& s : e.sessions) write_session(w, s);
  w.end_array();
  w.key("deleted_sessions");
  w.begin_array();
  for (const session_deletion& d : e.deleted_sessions) {
    w.begin_object();
    w.key("session");
    w.id(d.session);
    w.key("deleted_at");
    w.value(d.deleted_at);
    w.key("reason");
    w.value(std::string_view(d.reason));
    w.end_object();
  }
  w.end_array();
  w.key("intake_forms");
  w.begin_array();
  for (const intake_form& f : e.intake_forms) write_intake(w, f);
  w.end_array();
  w.key("deleted_intakes");
  w.begin_array();
  for (const intake_summary& d : e.deleted_intakes) {
    w.begin_object();
    w.key("id");
    w.id(d.id);
    w.key("session");
    w.id(d.session);
    w.key("created_at");
    w.value(d.created_at);
    w.key("deleted_at");
    w.value(d.deleted_at);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

}  // namespace slotbook
