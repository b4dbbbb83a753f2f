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
#include <unordered_map>
#include <utility>

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

// Refuses `proposed` for the provider with `check_bookable`'s reason and error class.
void check_provider_time(store& db, const provider_profile& profile, const interval& proposed,
                         instant now, const hold_rules& hold, session_id skip,
                         std::string_view field) {
  if (!profile.active) {
    throw error(errc::outside_availability,
                fmt::format("provider: provider {} is not active", to_string(profile.id)));
  }
  const availability hours{profile.hours};
  const std::vector<interval> busy =
      busy_times(db.active_provider_sessions(profile.id, widened(proposed)), now, hold, skip);
  const slot_decision d = check_bookable(hours, busy, profile.rules, proposed, now);
  if (!d) {
    throw error(to_errc(d.reason),
                fmt::format("{}: {} with provider {} cannot be booked: {}", field,
                            to_string(proposed), to_string(profile.id), to_string(d.reason)));
  }
}

// Refuses `proposed` when the client already has a session that occupies time then.
void check_client_time(store& db, client_id client, const interval& proposed, instant now,
                       const hold_rules& hold, session_id skip) {
  for (const session& s : db.active_client_sessions(client, proposed)) {
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

  // Commits `tx` and then delivers `events`, in commit order with other operations.
  void commit(transaction& tx, std::vector<change_event> events) {
    pending_events pending{*st.hub, std::move(events)};
    tx.commit();
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
  template <class Body>
  auto audited(const actor& who, std::string_view action, refusal_context& ctx, Body&& body) {
    try {
      return body();
    } catch (const error& e) {
      if (e.code() != errc::storage) record_refusal(who, action, ctx, e);
      throw;
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
      tx.commit();
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
  refund_outcome pay_refund(const actor& who, const session& s, const money& amount) noexcept {
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
      r.idempotency_key = fmt::format("{}/refund/{}", s.booking_reference, s.refunded_minor);
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
      tx.commit();
    } catch (...) {
      // Reconciliation finds the decision without its outcome (docs/service.md).
    }
    return out;
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

void booking_service::put_provider(const actor& who, const provider_profile& profile) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  ops.audited(who, "put_provider", ctx, [&] {
    if (!profile.id.ok()) throw error(errc::invalid_argument, "id: 0 is not a provider id");
    if (const auto p = who.as_provider(); who.kind() == role::client || (p && *p != profile.id)) {
      forbid(who, fmt::format("change the profile of provider {}", to_string(profile.id)));
    }
    check_text("name", profile.name);
    validate(profile.hours);
    validate(profile.rules);
    if (profile.price.is_negative()) {
      throw error(errc::invalid_argument,
                  fmt::format("price: {} is negative", to_string(profile.price)));
    }
    const instant now = state_->time.now();
    transaction tx(state_->db, access::write);
    const bool existed = state_->db.find_provider(profile.id).has_value();
    state_->db.put_provider(profile);
    ops.append_audit(who, now, "put_provider", session_id{}, std::nullopt, std::nullopt,
                     fmt::format("provider {} {}; price {}; {}", to_string(profile.id),
                                 existed ? "updated" : "created", to_string(profile.price),
                                 profile.active ? "active" : "inactive"));
    tx.commit();
  });
}

provider_profile booking_service::provider(provider_id id) {
  if (!id.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
  transaction tx(state_->db, access::read);
  provider_profile p = load_provider(state_->db, id);
  tx.commit();
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
    if (r.type != session_type::initial && r.type != session_type::follow_up &&
        r.type != session_type::emergency) {
      throw error(errc::invalid_argument,
                  fmt::format("session_type: {} is not a session type", static_cast<int>(r.type)));
    }
    check_text("special_requests", r.special_requests);
    check_text("notes", r.notes);
    switch (who.kind()) {
      case role::client:
        if (who.as_client() != r.client) {
          forbid(who, fmt::format("book for client {}", to_string(r.client)));
        }
        break;
      case role::provider:
        if (who.as_provider() != r.provider) {
          forbid(who, fmt::format("book into the calendar of provider {}", to_string(r.provider)));
        }
        break;
      case role::admin:
      case role::system:
        break;
    }

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
      tx.commit();
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
    const transition_result r = transition(before, change.to, who, now, rules);
    if (!r.allowed()) {
      throw error(errc_of(r.reason),
                  fmt::format("status: session {} cannot go from {} to {}: {}", to_string(id),
                              to_string(before.status), to_string(change.to), to_string(r.reason)));
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
    ops.commit(tx, std::move(events));
    return expired;
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
    tx.commit();
    require_party(who, s, "see");
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
    tx.commit();
    if (!s) {
      throw error(errc::not_found,
                  fmt::format("reference: no session {}", detail::quote(reference)));
    }
    ctx.session = s->id;
    ctx.before = s->status;
    require_party(who, *s, "see");
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
    if (who.kind() == role::provider || (who.kind() == role::client && who.as_client() != client)) {
      forbid(who, fmt::format("list the sessions of client {}", to_string(client)));
    }
    transaction tx(state_->db, access::read);
    std::vector<session> out = state_->db.client_sessions(client, range);
    tx.commit();
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
    if (who.kind() == role::client ||
        (who.kind() == role::provider && who.as_provider() != provider)) {
      forbid(who, fmt::format("list the sessions of provider {}", to_string(provider)));
    }
    transaction tx(state_->db, access::read);
    std::vector<session> out = state_->db.provider_sessions(provider, range);
    tx.commit();
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
  const std::vector<interval> busy =
      busy_times(db.active_provider_sessions(provider, widened(range, profile.rules.duration)), now,
                 state_->options.lifecycle.hold);
  tx.commit();
  return generate_slots(availability{profile.hours}, busy, profile.rules, range, now);
}

session_analytics booking_service::analytics(const actor& who, provider_id provider,
                                             interval range) {
  service_ops ops{*state_};
  service_ops::refusal_context ctx;
  return ops.audited(who, "analytics", ctx, [&] {
    if (!provider.ok()) throw error(errc::invalid_argument, "provider: 0 is not a provider id");
    check_range(range);
    if (who.kind() == role::client ||
        (who.kind() == role::provider && who.as_provider() != provider)) {
      forbid(who, fmt::format("see the analytics of provider {}", to_string(provider)));
    }
    transaction tx(state_->db, access::read);
    const provider_profile profile = load_provider(state_->db, provider);
    const std::vector<session> sessions = state_->db.provider_sessions(provider, range);
    tx.commit();
    return analyze_sessions(sessions, provider, range, profile.price.currency_code());
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
    if (!s || !gets_reminders(s->status)) {
      // Cancelling or starting a session drops its queued reminders in the same transaction, so
      // this is a reminder queued by something else: close it rather than send it.
      q.state = reminder_state::failed;
      q.lease_until.reset();
      q.last_error = s ? fmt::format("session {} is {}", to_string(s->id), to_string(s->status))
                       : fmt::format("session {} does not exist", to_string(q.what.session));
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
    m.client = s->client;
    m.provider = s->provider;
    m.provider_name = name->second;
    m.scheduled_at = s->scheduled_at;
    m.duration = s->duration;
    out.push_back(std::move(c));
  }
  tx.commit();
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
    tx.commit();
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
    tx.commit();
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
      tx.commit();
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
  tx.commit();
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
      tx.commit();
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

}  // namespace slotbook
