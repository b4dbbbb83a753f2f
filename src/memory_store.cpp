// memory_store: Boost.MultiIndex containers behind a reader-writer gate, with an undo log for
// rollback. The locking and the overlap-query choice are explained in memory_store.hpp.

#include "slotbook/memory_store.hpp"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <boost/multi_index/composite_key.hpp>
#include <boost/multi_index/member.hpp>
#include <boost/multi_index/ordered_index.hpp>
#include <boost/multi_index_container.hpp>

#include "slotbook/detail/quote.hpp"
#include "store_support.hpp"

namespace slotbook {

namespace {

namespace mi = boost::multi_index;

constexpr std::string_view backend = "memory_store";

// --- the reader-writer gate -------------------------------------------------------------------

// std::shared_mutex on glibc prefers readers, so a steady stream of read transactions could keep
// a booking waiting until it times out. This gate lets a waiting writer hold back new readers.
class rw_gate {
 public:
  bool lock_exclusive_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    ++writers_waiting_;
    const bool got = changed_.wait_for(lock, timeout, [&] { return !writer_ && readers_ == 0; });
    --writers_waiting_;
    if (got) {
      writer_ = true;
    } else {
      changed_.notify_all();  // readers held back by this writer may go now
    }
    return got;
  }

  bool lock_shared_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    const bool got =
        changed_.wait_for(lock, timeout, [&] { return !writer_ && writers_waiting_ == 0; });
    if (got) ++readers_;
    return got;
  }

  void unlock_exclusive() noexcept {
    {
      const std::lock_guard lock(mutex_);
      writer_ = false;
    }
    changed_.notify_all();
  }

  void unlock_shared() noexcept {
    bool last = false;
    {
      const std::lock_guard lock(mutex_);
      last = --readers_ == 0;
    }
    if (last) changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t readers_ = 0;
  std::size_t writers_waiting_ = 0;
  bool writer_ = false;
};

// --- containers -------------------------------------------------------------------------------

struct by_id {};
struct by_reference {};
struct by_provider {};
struct by_client {};
struct by_hold {};
struct by_series {};

using session_set = mi::multi_index_container<
    session,
    mi::indexed_by<
        mi::ordered_unique<mi::tag<by_id>, mi::member<session, session_id, &session::id>>,
        // Unique for non-empty references; checked by hand because many sessions have none.
        mi::ordered_non_unique<mi::tag<by_reference>,
                               mi::member<session, std::string, &session::booking_reference>>,
        mi::ordered_unique<
            mi::tag<by_provider>,
            mi::composite_key<session, mi::member<session, provider_id, &session::provider>,
                              mi::member<session, instant, &session::scheduled_at>,
                              mi::member<session, session_id, &session::id>>>,
        mi::ordered_unique<
            mi::tag<by_client>,
            mi::composite_key<session, mi::member<session, client_id, &session::client>,
                              mi::member<session, instant, &session::scheduled_at>,
                              mi::member<session, session_id, &session::id>>>,
        mi::ordered_unique<
            mi::tag<by_hold>,
            mi::composite_key<session, mi::member<session, session_status, &session::status>,
                              mi::member<session, instant, &session::created_at>,
                              mi::member<session, session_id, &session::id>>>,
        mi::ordered_unique<
            mi::tag<by_series>,
            mi::composite_key<session, mi::member<session, series_id, &session::series>,
                              mi::member<session, instant, &session::scheduled_at>,
                              mi::member<session, session_id, &session::id>>>>>;

struct reminder_session_key {
  using result_type = session_id;
  session_id operator()(const queued_reminder& r) const noexcept { return r.what.session; }
};
struct reminder_due_key {
  using result_type = instant;
  instant operator()(const queued_reminder& r) const noexcept { return r.what.due; }
};

struct by_session {};
struct by_state {};

using reminder_set = mi::multi_index_container<
    queued_reminder,
    mi::indexed_by<
        mi::ordered_unique<mi::tag<by_id>,
                           mi::member<queued_reminder, std::int64_t, &queued_reminder::id>>,
        mi::ordered_unique<
            mi::tag<by_session>,
            mi::composite_key<queued_reminder, reminder_session_key, reminder_due_key,
                              mi::member<queued_reminder, std::int64_t, &queued_reminder::id>>>,
        mi::ordered_unique<
            mi::tag<by_state>,
            mi::composite_key<queued_reminder,
                              mi::member<queued_reminder, reminder_state, &queued_reminder::state>,
                              reminder_due_key,
                              mi::member<queued_reminder, std::int64_t, &queued_reminder::id>>>>>;

constexpr auto earliest = instant::min();

}  // namespace

struct memory_store::impl {
  explicit impl(memory_store_options o) : options(o) {}

  memory_store_options options;
  rw_gate gate;

  session_set sessions;
  reminder_set reminders;
  std::map<provider_id, provider_profile> providers;
  std::map<int, std::uint64_t> sequences;
  std::vector<audit_entry> audit;
  std::map<intake_id, stored_intake> intakes;
  std::set<std::pair<client_id, intake_id>> intakes_by_client;
  std::map<session_id, session_deletion> deletions;
  std::uint64_t last_intake_id = 0;           // the highest id next_intake_id handed out
  std::uint64_t last_series_id = 0;           // the highest id next_series_id handed out
  std::map<series_id, series_record> series;  // by id
  std::map<std::int64_t, seat> seats;         // by id
  std::int64_t next_seat_id = 1;
  std::map<std::int64_t, waitlist_entry> waitlist;  // by id
  std::int64_t next_waitlist_id = 1;
  std::map<provider_id, std::vector<busy_block>> busy;  // per provider, in busy_block_before order

  std::uint64_t next_session_id = 1;
  std::int64_t next_reminder_id = 1;
  // Longest duration ever stored: how far before a range a session overlapping it can start.
  std::chrono::minutes longest{0};

  // The write transaction's undo log and the counters as they were at its start. Each step is
  // logged before its change is made and undoing a change that never happened is harmless, so a
  // change that throws half-way is still rolled back.
  std::vector<std::function<void()>> undo;
  std::uint64_t saved_next_session_id = 0;
  std::int64_t saved_next_reminder_id = 0;
  std::chrono::minutes saved_longest{0};
  std::size_t saved_audit_size = 0;
  std::uint64_t saved_last_intake_id = 0;
  std::uint64_t saved_last_series_id = 0;
  std::int64_t saved_next_seat_id = 0;
  std::int64_t saved_next_waitlist_id = 0;

  // Puts `value` (or, when empty, nothing) under `id`, keeping the client index in step. Used by
  // put, purge and their undo steps alike.
  void set_intake(intake_id id, const std::optional<stored_intake>& value) {
    if (const auto it = intakes.find(id); it != intakes.end()) {
      intakes_by_client.erase({it->second.form.client, id});
      intakes.erase(it);
    }
    if (value) {
      intakes.emplace(id, *value);
      intakes_by_client.emplace(value->form.client, id);
    }
  }

  std::optional<stored_intake> intake(intake_id id) const {
    const auto it = intakes.find(id);
    if (it == intakes.end()) return std::nullopt;
    return it->second;
  }

  template <class Tag, class Key>
  std::vector<session> overlapping(Key key, interval range, bool active_only) const {
    std::vector<session> out;
    if (!range.ok()) return out;
    const auto& index = sessions.get<Tag>();
    const instant from{std::chrono::seconds{detail::seconds_before(range.begin, longest)}};
    auto it = index.lower_bound(std::make_tuple(key, from));
    const auto last = index.lower_bound(std::make_tuple(key, range.end));
    for (; it != last; ++it) {
      if (active_only && !detail::is_active(it->status)) continue;
      if (session_interval(*it).end > range.begin) out.push_back(*it);
    }
    return out;
  }

  void check_reference_free(const session& s) const {
    if (s.booking_reference.empty()) return;
    const auto& index = sessions.get<by_reference>();
    for (auto [it, end] = index.equal_range(s.booking_reference); it != end; ++it) {
      if (it->id != s.id) {
        throw error(errc::conflict,
                    fmt::format("booking_reference: {} is already used by session {}",
                                detail::quote(s.booking_reference), to_string(it->id)));
      }
    }
  }
};

memory_store::memory_store(memory_store_options options) : impl_(std::make_unique<impl>(options)) {}

memory_store::~memory_store() = default;

// --- transactions -------------------------------------------------------------------------------

void memory_store::begin(access mode) {
  detail::prepare_open_transaction(this, backend);
  const bool got = mode == access::write
                       ? impl_->gate.lock_exclusive_for(impl_->options.lock_timeout)
                       : impl_->gate.lock_shared_for(impl_->options.lock_timeout);
  if (!got) {
    throw error(errc::storage,
                fmt::format("{}: waited {} ms for the store's lock (another transaction holds it)",
                            backend, impl_->options.lock_timeout.count()));
  }
  if (mode == access::write) {
    impl_->undo.clear();
    impl_->saved_next_session_id = impl_->next_session_id;
    impl_->saved_next_reminder_id = impl_->next_reminder_id;
    impl_->saved_longest = impl_->longest;
    impl_->saved_audit_size = impl_->audit.size();
    impl_->saved_last_intake_id = impl_->last_intake_id;
    impl_->saved_last_series_id = impl_->last_series_id;
    impl_->saved_next_seat_id = impl_->next_seat_id;
    impl_->saved_next_waitlist_id = impl_->next_waitlist_id;
  }
  detail::add_open_transaction(this, mode, nullptr);
}

void memory_store::commit() {
  detail::open_transaction* t = detail::find_open_transaction(this);
  if (t == nullptr) {
    throw error(errc::storage, fmt::format("{}: commit without an open transaction", backend));
  }
  const access mode = t->mode;
  detail::remove_open_transaction(this);
  if (mode == access::write) {
    impl_->undo.clear();
    impl_->gate.unlock_exclusive();
  } else {
    impl_->gate.unlock_shared();
  }
}

void memory_store::rollback() noexcept {
  detail::open_transaction* t = detail::find_open_transaction(this);
  if (t == nullptr) return;  // already committed or never begun
  const access mode = t->mode;
  detail::remove_open_transaction(this);
  if (mode == access::read) {
    impl_->gate.unlock_shared();
    return;
  }
  for (auto step = impl_->undo.rbegin(); step != impl_->undo.rend(); ++step) (*step)();
  impl_->undo.clear();
  impl_->next_session_id = impl_->saved_next_session_id;
  impl_->next_reminder_id = impl_->saved_next_reminder_id;
  impl_->longest = impl_->saved_longest;
  impl_->audit.resize(impl_->saved_audit_size);
  impl_->last_intake_id = impl_->saved_last_intake_id;
  impl_->last_series_id = impl_->saved_last_series_id;
  impl_->next_seat_id = impl_->saved_next_seat_id;
  impl_->next_waitlist_id = impl_->saved_next_waitlist_id;
  impl_->gate.unlock_exclusive();
}

// --- sessions -----------------------------------------------------------------------------------

std::optional<session> memory_store::find_session(session_id id) {
  detail::require_transaction(this, access::read, backend, "find_session");
  const auto& index = impl_->sessions.get<by_id>();
  const auto it = index.find(id);
  if (it == index.end()) return std::nullopt;
  return *it;
}

std::optional<session> memory_store::find_session_by_reference(std::string_view reference) {
  detail::require_transaction(this, access::read, backend, "find_session_by_reference");
  if (reference.empty()) return std::nullopt;
  const auto& index = impl_->sessions.get<by_reference>();
  const auto it = index.find(std::string(reference));
  if (it == index.end()) return std::nullopt;
  return *it;
}

std::vector<session> memory_store::provider_sessions(provider_id provider, interval range) {
  detail::require_transaction(this, access::read, backend, "provider_sessions");
  return impl_->overlapping<by_provider>(provider, range, false);
}

std::vector<session> memory_store::client_sessions(client_id client, interval range) {
  detail::require_transaction(this, access::read, backend, "client_sessions");
  return impl_->overlapping<by_client>(client, range, false);
}

std::vector<session> memory_store::active_provider_sessions(provider_id provider, interval range) {
  detail::require_transaction(this, access::read, backend, "active_provider_sessions");
  return impl_->overlapping<by_provider>(provider, range, true);
}

std::vector<session> memory_store::active_client_sessions(client_id client, interval range) {
  detail::require_transaction(this, access::read, backend, "active_client_sessions");
  return impl_->overlapping<by_client>(client, range, true);
}

std::vector<session> memory_store::pending_holds(instant created_by, std::size_t limit) {
  detail::require_transaction(this, access::read, backend, "pending_holds");
  std::vector<session> out;
  const auto& index = impl_->sessions.get<by_hold>();
  auto it = index.lower_bound(std::make_tuple(session_status::pending_payment, earliest));
  for (; it != index.end() && out.size() < limit; ++it) {
    if (it->status != session_status::pending_payment || it->created_at > created_by) break;
    out.push_back(*it);
  }
  return out;
}

session_id memory_store::insert_session(const session& s) {
  detail::require_transaction(this, access::write, backend, "insert_session");
  detail::check_storable(s);
  session stored = s;
  auto& by_ids = impl_->sessions.get<by_id>();
  if (!stored.id.ok()) {
    stored.id = session_id{impl_->next_session_id};
    if (!stored.id.ok() || by_ids.count(stored.id) != 0) {
      throw error(errc::storage, fmt::format("{}: no session id left to assign", backend));
    }
  } else if (by_ids.count(stored.id) != 0) {
    throw error(errc::conflict, fmt::format("id: session {} already exists", to_string(stored.id)));
  }
  impl_->check_reference_free(stored);
  const session_id id = stored.id;
  impl_->undo.emplace_back([this, id] { impl_->sessions.get<by_id>().erase(id); });
  impl_->sessions.insert(std::move(stored));
  if (id.value >= impl_->next_session_id && id.value != std::numeric_limits<std::uint64_t>::max()) {
    impl_->next_session_id = id.value + 1;
  }
  impl_->longest = std::max(impl_->longest, s.duration);
  return id;
}

void memory_store::update_session(const session& s) {
  detail::require_transaction(this, access::write, backend, "update_session");
  auto& index = impl_->sessions.get<by_id>();
  const auto it = index.find(s.id);
  if (it == index.end()) {
    throw error(errc::not_found, fmt::format("session {} does not exist", to_string(s.id)));
  }
  detail::check_storable(s);
  impl_->check_reference_free(s);
  impl_->undo.emplace_back([this, old = *it] {
    auto& ids = impl_->sessions.get<by_id>();
    ids.replace(ids.find(old.id), old);
  });
  index.replace(it, s);  // cannot collide: every unique key contains the (unchanged) id
  impl_->longest = std::max(impl_->longest, s.duration);
}

std::uint64_t memory_store::next_reference_sequence(int year) {
  detail::require_transaction(this, access::write, backend, "next_reference_sequence");
  const auto found = impl_->sequences.find(year);
  const std::optional<std::uint64_t> before =
      found == impl_->sequences.end() ? std::nullopt : std::optional{found->second};
  impl_->undo.emplace_back([this, year, before] {
    if (before) {
      impl_->sequences[year] = *before;
    } else {
      impl_->sequences.erase(year);
    }
  });
  return ++impl_->sequences[year];
}

// --- providers ----------------------------------------------------------------------------------

void memory_store::put_provider(const provider_profile& p) {
  detail::require_transaction(this, access::write, backend, "put_provider");
  detail::check_storable(p);
  std::optional<provider_profile> before;
  if (auto it = impl_->providers.find(p.id); it != impl_->providers.end()) before = it->second;
  impl_->undo.emplace_back([this, id = p.id, before = std::move(before)] {
    if (before) {
      impl_->providers.insert_or_assign(id, *before);
    } else {
      impl_->providers.erase(id);
    }
  });
  impl_->providers.insert_or_assign(p.id, p);
}

std::optional<provider_profile> memory_store::find_provider(provider_id id) {
  detail::require_transaction(this, access::read, backend, "find_provider");
  const auto it = impl_->providers.find(id);
  if (it == impl_->providers.end()) return std::nullopt;
  return it->second;
}

std::vector<provider_id> memory_store::provider_ids() {
  detail::require_transaction(this, access::read, backend, "provider_ids");
  std::vector<provider_id> out;
  out.reserve(impl_->providers.size());
  for (const auto& entry : impl_->providers) out.push_back(entry.first);
  return out;
}

// --- reminder queue -----------------------------------------------------------------------------

std::vector<std::int64_t> memory_store::enqueue_reminders(std::span<const reminder> reminders,
                                                          client_id client) {
  detail::require_transaction(this, access::write, backend, "enqueue_reminders");
  for (const reminder& r : reminders) detail::check_storable(r, client);
  std::vector<std::int64_t> ids;
  ids.reserve(reminders.size());
  for (const reminder& r : reminders) {
    queued_reminder q;
    q.id = impl_->next_reminder_id++;
    q.what = r;
    q.client = client;
    impl_->undo.emplace_back([this, id = q.id] { impl_->reminders.get<by_id>().erase(id); });
    impl_->reminders.insert(q);
    ids.push_back(q.id);
  }
  return ids;
}

std::size_t memory_store::remove_reminders(session_id session) {
  detail::require_transaction(this, access::write, backend, "remove_reminders");
  auto& index = impl_->reminders.get<by_session>();
  auto [it, end] = index.equal_range(session);
  std::size_t removed = 0;
  while (it != end) {
    if (it->state == reminder_state::pending || it->state == reminder_state::claimed) {
      impl_->undo.emplace_back([this, old = *it] { impl_->reminders.insert(old); });
      it = index.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

std::vector<queued_reminder> memory_store::claim_due_reminders(instant now, std::size_t limit,
                                                               instant lease_until) {
  detail::require_transaction(this, access::write, backend, "claim_due_reminders");
  std::vector<queued_reminder> candidates;
  const auto& by_states = impl_->reminders.get<by_state>();
  // Pending ones due by `now`, in due order; then every claimed one (few: in flight).
  auto it = by_states.lower_bound(std::make_tuple(reminder_state::pending, earliest));
  const auto pending_end = by_states.upper_bound(std::make_tuple(reminder_state::pending, now));
  for (; it != pending_end; ++it) {
    if (detail::claimable(*it, now)) candidates.push_back(*it);
  }
  for (auto [c, end] = by_states.equal_range(reminder_state::claimed); c != end; ++c) {
    if (detail::claimable(*c, now)) candidates.push_back(*c);
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const queued_reminder& a, const queued_reminder& b) {
              return std::tie(a.what.due, a.id) < std::tie(b.what.due, b.id);
            });
  if (candidates.size() > limit) candidates.resize(limit);

  auto& ids = impl_->reminders.get<by_id>();
  for (queued_reminder& r : candidates) {
    const queued_reminder old = r;
    r.state = reminder_state::claimed;
    r.lease_until = lease_until;
    if (r.attempts < std::numeric_limits<std::int32_t>::max()) ++r.attempts;
    impl_->undo.emplace_back([this, old] {
      auto& by_ids = impl_->reminders.get<by_id>();
      by_ids.replace(by_ids.find(old.id), old);
    });
    ids.replace(ids.find(r.id), r);
  }
  return candidates;
}

void memory_store::update_reminder(const queued_reminder& r) {
  detail::require_transaction(this, access::write, backend, "update_reminder");
  auto& ids = impl_->reminders.get<by_id>();
  const auto it = ids.find(r.id);
  if (it == ids.end()) {
    throw error(errc::not_found, fmt::format("reminder {} does not exist", r.id));
  }
  const queued_reminder old = *it;
  queued_reminder updated = old;  // only the state fields change
  updated.state = r.state;
  updated.attempts = r.attempts;
  updated.lease_until = r.lease_until;
  updated.next_attempt = r.next_attempt;
  updated.sent_at = r.sent_at;
  updated.last_error = r.last_error;
  impl_->undo.emplace_back([this, old] {
    auto& by_ids = impl_->reminders.get<by_id>();
    by_ids.replace(by_ids.find(old.id), old);
  });
  ids.replace(it, updated);
}

std::optional<queued_reminder> memory_store::find_reminder(std::int64_t id) {
  detail::require_transaction(this, access::read, backend, "find_reminder");
  const auto& ids = impl_->reminders.get<by_id>();
  const auto it = ids.find(id);
  if (it == ids.end()) return std::nullopt;
  return *it;
}

std::vector<queued_reminder> memory_store::session_reminders(session_id session) {
  detail::require_transaction(this, access::read, backend, "session_reminders");
  const auto& index = impl_->reminders.get<by_session>();
  auto [it, end] = index.equal_range(session);
  return std::vector<queued_reminder>(it, end);
}

reminder_backlog memory_store::backlog(instant now) {
  detail::require_transaction(this, access::read, backend, "backlog");
  reminder_backlog out;
  const auto& by_states = impl_->reminders.get<by_state>();
  const auto count = [&](reminder_state state) {
    for (auto [it, end] = by_states.equal_range(state); it != end; ++it) {
      if (detail::claimable(*it, now)) {
        ++out.due;
        if (!out.oldest_due || it->what.due < *out.oldest_due) out.oldest_due = it->what.due;
      } else if (state == reminder_state::pending) {
        ++out.waiting;
      }
    }
  };
  count(reminder_state::pending);
  count(reminder_state::claimed);
  return out;
}

// --- audit log ----------------------------------------------------------------------------------

std::int64_t memory_store::append_audit(const audit_entry& e) {
  detail::require_transaction(this, access::write, backend, "append_audit");
  audit_entry stored = e;
  stored.sequence = static_cast<std::int64_t>(impl_->audit.size()) + 1;
  impl_->audit.push_back(std::move(stored));  // rollback truncates to the size at begin
  return impl_->audit.back().sequence;
}

std::optional<audit_entry> memory_store::last_audit() {
  detail::require_transaction(this, access::read, backend, "last_audit");
  if (impl_->audit.empty()) return std::nullopt;
  return impl_->audit.back();
}

std::vector<audit_entry> memory_store::audit_entries(std::int64_t after, std::size_t limit) {
  detail::require_transaction(this, access::read, backend, "audit_entries");
  const auto& log = impl_->audit;
  // Entry k (0-based) has sequence k + 1, so entries after `after` start at index `after`.
  const std::size_t first = after <= 0 ? 0 : std::min(static_cast<std::size_t>(after), log.size());
  const std::size_t count = std::min(limit, log.size() - first);
  const auto start = log.begin() + static_cast<std::ptrdiff_t>(first);
  return std::vector<audit_entry>(start, start + static_cast<std::ptrdiff_t>(count));
}

// --- series -------------------------------------------------------------------------------------

series_id memory_store::next_series_id() {
  detail::require_transaction(this, access::write, backend, "next_series_id");
  std::uint64_t top = impl_->last_series_id;
  const auto& index = impl_->sessions.get<by_series>();
  if (!index.empty()) top = std::max(top, index.rbegin()->series.value);
  if (!impl_->series.empty()) top = std::max(top, impl_->series.rbegin()->first.value);
  // The SQL backends store ids as signed 64-bit integers: stay where all three agree.
  if (top >= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw error(errc::storage, fmt::format("{}: no series id left to assign", backend));
  }
  impl_->last_series_id = top + 1;  // rollback restores the value saved at begin
  return series_id{top + 1};
}

std::vector<session> memory_store::series_sessions(series_id series) {
  detail::require_transaction(this, access::read, backend, "series_sessions");
  std::vector<session> out;
  if (!series.ok()) return out;
  const auto& index = impl_->sessions.get<by_series>();
  auto [it, end] = index.equal_range(std::make_tuple(series));
  for (; it != end; ++it) out.push_back(*it);
  return out;
}

void memory_store::put_series(const series_record& r) {
  detail::require_transaction(this, access::write, backend, "put_series");
  validate(r);
  if (impl_->series.count(r.id) != 0) {
    throw error(errc::conflict, fmt::format("id: series {} already exists", to_string(r.id)));
  }
  const series_id id = r.id;
  impl_->undo.emplace_back([this, id] { impl_->series.erase(id); });
  impl_->series.emplace(id, r);
}

std::optional<series_record> memory_store::find_series(series_id series) {
  detail::require_transaction(this, access::read, backend, "find_series");
  const auto it = impl_->series.find(series);
  if (it == impl_->series.end()) return std::nullopt;
  return it->second;
}

// --- intake forms -------------------------------------------------------------------------------

intake_id memory_store::next_intake_id() {
  detail::require_transaction(this, access::write, backend, "next_intake_id");
  std::uint64_t top = impl_->last_intake_id;
  if (!impl_->intakes.empty()) top = std::max(top, impl_->intakes.rbegin()->first.value);
  if (top >= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw error(errc::storage, fmt::format("{}: no intake id left to assign", backend));
  }
  impl_->last_intake_id = top + 1;  // rollback restores the value saved at begin
  return intake_id{top + 1};
}

void memory_store::put_intake(const stored_intake& f) {
  detail::require_transaction(this, access::write, backend, "put_intake");
  detail::check_storable(f);
  const intake_id id = f.form.id;
  impl_->undo.emplace_back(
      [this, id, before = impl_->intake(id)] { impl_->set_intake(id, before); });
  impl_->set_intake(id, f);
}

std::optional<stored_intake> memory_store::find_intake(intake_id id) {
  detail::require_transaction(this, access::read, backend, "find_intake");
  return impl_->intake(id);
}

std::vector<stored_intake> memory_store::client_intakes(client_id client) {
  detail::require_transaction(this, access::read, backend, "client_intakes");
  std::vector<stored_intake> out;
  const auto& index = impl_->intakes_by_client;
  for (auto it = index.lower_bound({client, intake_id{}}); it != index.end() && it->first == client;
       ++it) {
    out.push_back(impl_->intakes.at(it->second));
  }
  return out;
}

std::vector<stored_intake> memory_store::intakes_to_rotate(std::uint32_t version, intake_id after,
                                                           std::size_t limit) {
  detail::require_transaction(this, access::read, backend, "intakes_to_rotate");
  std::vector<stored_intake> out;
  for (auto it = impl_->intakes.upper_bound(after);
       it != impl_->intakes.end() && out.size() < limit; ++it) {
    if (!it->second.deleted() && key_version(it->second.form.data_key) != version) {
      out.push_back(it->second);
    }
  }
  return out;
}

std::vector<intake_id> memory_store::purge_intakes(instant deleted_before, std::size_t limit) {
  detail::require_transaction(this, access::write, backend, "purge_intakes");
  std::vector<std::pair<instant, intake_id>> due;
  for (const auto& [id, f] : impl_->intakes) {
    if (f.deleted_at && *f.deleted_at < deleted_before) due.emplace_back(*f.deleted_at, id);
  }
  std::sort(due.begin(), due.end());
  if (due.size() > limit) due.resize(limit);
  std::vector<intake_id> out;
  out.reserve(due.size());
  for (const auto& [when, id] : due) {
    impl_->undo.emplace_back(
        [this, id = id, before = impl_->intake(id)] { impl_->set_intake(id, before); });
    impl_->set_intake(id, std::nullopt);
    out.push_back(id);
  }
  return out;
}

// --- secure deletion of sessions -----------------------------------------------------------------

void memory_store::mark_session_deleted(const session_deletion& d) {
  detail::require_transaction(this, access::write, backend, "mark_session_deleted");
  if (impl_->sessions.get<by_id>().count(d.session) == 0) {
    throw error(errc::not_found, fmt::format("session {} does not exist", to_string(d.session)));
  }
  std::optional<session_deletion> before;
  if (const auto it = impl_->deletions.find(d.session); it != impl_->deletions.end()) {
    before = it->second;
  }
  impl_->undo.emplace_back([this, id = d.session, before = std::move(before)] {
    if (before) {
      impl_->deletions.insert_or_assign(id, *before);
    } else {
      impl_->deletions.erase(id);
    }
  });
  impl_->deletions.insert_or_assign(d.session, d);
}

std::optional<session_deletion> memory_store::find_session_deletion(session_id id) {
  detail::require_transaction(this, access::read, backend, "find_session_deletion");
  const auto it = impl_->deletions.find(id);
  if (it == impl_->deletions.end()) return std::nullopt;
  return it->second;
}

std::vector<session_id> memory_store::purge_sessions(instant deleted_before, std::size_t limit) {
  detail::require_transaction(this, access::write, backend, "purge_sessions");
  std::vector<std::pair<instant, session_id>> due;
  for (const auto& [id, d] : impl_->deletions) {
    if (d.deleted_at < deleted_before) due.emplace_back(d.deleted_at, id);
  }
  std::sort(due.begin(), due.end());
  if (due.size() > limit) due.resize(limit);
  std::vector<session_id> out;
  out.reserve(due.size());
  auto& sessions = impl_->sessions.get<by_id>();
  auto& reminders = impl_->reminders.get<by_session>();
  for (const auto& [when, id] : due) {
    impl_->undo.emplace_back([this, mark = impl_->deletions.at(id)] {
      impl_->deletions.insert_or_assign(mark.session, mark);
    });
    impl_->deletions.erase(id);
    if (const auto it = sessions.find(id); it != sessions.end()) {
      impl_->undo.emplace_back([this, old = *it] { impl_->sessions.insert(old); });
      sessions.erase(it);
    }
    for (auto [it, end] = reminders.equal_range(id); it != end;) {
      impl_->undo.emplace_back([this, old = *it] { impl_->reminders.insert(old); });
      it = reminders.erase(it);
    }
    for (auto it = impl_->seats.begin(); it != impl_->seats.end();) {
      if (it->second.session != id) {
        ++it;
        continue;
      }
      impl_->undo.emplace_back(
          [this, old = it->second] { impl_->seats.insert_or_assign(old.id, old); });
      it = impl_->seats.erase(it);
    }
    out.push_back(id);
  }
  return out;
}

// --- group sessions -----------------------------------------------------------------------------

namespace {

// The checks insert_seat and update_seat share: a valid seat of a stored group session, and no
// second active seat of its client there (`self` is the seat being replaced, if any).
void check_seat(const std::map<std::int64_t, seat>& seats, const session_set& sessions,
                const seat& s, std::int64_t self) {
  validate(s);
  const auto& ids = sessions.get<by_id>();
  const auto group = ids.find(s.session);
  if (group == ids.end() || !is_group(*group)) {
    throw error(errc::not_found,
                fmt::format("session: {} is not a group session", to_string(s.session)));
  }
  if (!is_active(s)) return;
  for (const auto& [id, other] : seats) {
    if (id != self && other.session == s.session && other.client == s.client && is_active(other)) {
      throw error(errc::conflict,
                  fmt::format("client: client {} already holds seat {} in session {}",
                              to_string(s.client), id, to_string(s.session)));
    }
  }
}

}  // namespace

std::int64_t memory_store::insert_seat(const seat& s) {
  detail::require_transaction(this, access::write, backend, "insert_seat");
  check_seat(impl_->seats, impl_->sessions, s, 0);
  seat stored = s;
  stored.id = impl_->next_seat_id++;  // rollback restores the counter saved at begin
  const std::int64_t id = stored.id;
  impl_->undo.emplace_back([this, id] { impl_->seats.erase(id); });
  impl_->seats.emplace(id, std::move(stored));
  return id;
}

void memory_store::update_seat(const seat& s) {
  detail::require_transaction(this, access::write, backend, "update_seat");
  const auto it = impl_->seats.find(s.id);
  if (it == impl_->seats.end()) {
    throw error(errc::not_found, fmt::format("seat {} does not exist", s.id));
  }
  if (it->second.session != s.session || it->second.client != s.client) {
    throw error(errc::invalid_argument,
                fmt::format("seat: seat {} belongs to client {} in session {}; they cannot change",
                            s.id, to_string(it->second.client), to_string(it->second.session)));
  }
  check_seat(impl_->seats, impl_->sessions, s, s.id);
  impl_->undo.emplace_back(
      [this, old = it->second] { impl_->seats.insert_or_assign(old.id, old); });
  it->second = s;
}

std::vector<seat> memory_store::session_seats(session_id session) {
  detail::require_transaction(this, access::read, backend, "session_seats");
  std::vector<seat> out;
  for (const auto& [id, s] : impl_->seats) {
    if (s.session == session) out.push_back(s);
  }
  return out;
}

std::vector<session> memory_store::active_client_group_sessions(client_id client, interval range) {
  detail::require_transaction(this, access::read, backend, "active_client_group_sessions");
  std::vector<session> out;
  if (!range.ok()) return out;
  const auto& ids = impl_->sessions.get<by_id>();
  std::set<session_id> seen;
  for (const auto& [id, s] : impl_->seats) {
    if (s.client != client || !is_active(s) || !seen.insert(s.session).second) continue;
    const auto g = ids.find(s.session);
    if (g == ids.end() || !detail::is_active(g->status)) continue;
    if (session_interval(*g).overlaps(range)) out.push_back(*g);
  }
  std::sort(out.begin(), out.end(), [](const session& a, const session& b) {
    return std::tie(a.scheduled_at, a.id) < std::tie(b.scheduled_at, b.id);
  });
  return out;
}

// --- waitlist -----------------------------------------------------------------------------------

std::int64_t memory_store::insert_waitlist_entry(const waitlist_entry& e) {
  detail::require_transaction(this, access::write, backend, "insert_waitlist_entry");
  validate(e);
  waitlist_entry stored = e;
  stored.id = impl_->next_waitlist_id++;  // rollback restores the counter saved at begin
  const std::int64_t id = stored.id;
  impl_->undo.emplace_back([this, id] { impl_->waitlist.erase(id); });
  impl_->waitlist.emplace(id, std::move(stored));
  return id;
}

void memory_store::update_waitlist_entry(const waitlist_entry& e) {
  detail::require_transaction(this, access::write, backend, "update_waitlist_entry");
  const auto it = impl_->waitlist.find(e.id);
  if (it == impl_->waitlist.end()) {
    throw error(errc::not_found, fmt::format("waitlist entry {} does not exist", e.id));
  }
  if (it->second.provider != e.provider || it->second.client != e.client) {
    throw error(errc::invalid_argument,
                fmt::format("waitlist: entry {} belongs to client {} with provider {}; they "
                            "cannot change",
                            e.id, to_string(it->second.client), to_string(it->second.provider)));
  }
  validate(e);
  impl_->undo.emplace_back(
      [this, old = it->second] { impl_->waitlist.insert_or_assign(old.id, old); });
  it->second = e;
}

std::optional<waitlist_entry> memory_store::find_waitlist_entry(std::int64_t id) {
  detail::require_transaction(this, access::read, backend, "find_waitlist_entry");
  const auto it = impl_->waitlist.find(id);
  if (it == impl_->waitlist.end()) return std::nullopt;
  return it->second;
}

std::vector<waitlist_entry> memory_store::open_waitlist_entries(provider_id provider,
                                                                interval range) {
  detail::require_transaction(this, access::read, backend, "open_waitlist_entries");
  std::vector<waitlist_entry> out;
  if (!range.ok()) return out;
  for (const auto& [id, e] : impl_->waitlist) {
    if (e.provider == provider && is_open(e) && e.range.overlaps(range)) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const waitlist_entry& a, const waitlist_entry& b) {
    return std::tie(a.joined_at, a.id) < std::tie(b.joined_at, b.id);
  });
  return out;
}

std::vector<waitlist_entry> memory_store::due_offers(instant now, std::size_t limit) {
  detail::require_transaction(this, access::read, backend, "due_offers");
  std::vector<waitlist_entry> out;
  for (const auto& [id, e] : impl_->waitlist) {
    if (e.state == waitlist_state::offered && e.offer_expires && *e.offer_expires <= now) {
      out.push_back(e);
    }
  }
  std::sort(out.begin(), out.end(), [](const waitlist_entry& a, const waitlist_entry& b) {
    return std::tie(*a.offer_expires, a.id) < std::tie(*b.offer_expires, b.id);
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::vector<waitlist_entry> memory_store::client_waitlist(client_id client) {
  detail::require_transaction(this, access::read, backend, "client_waitlist");
  std::vector<waitlist_entry> out;
  for (const auto& [id, e] : impl_->waitlist) {
    if (e.client == client) out.push_back(e);
  }
  return out;
}

std::vector<seat> memory_store::unpaid_seats(instant created_by, std::size_t limit) {
  detail::require_transaction(this, access::read, backend, "unpaid_seats");
  std::vector<seat> out;
  for (const auto& [id, s] : impl_->seats) {
    if (is_active(s) && s.payment == payment_status::pending && s.amount.minor_units() > 0 &&
        s.created_at <= created_by) {
      out.push_back(s);
    }
  }
  std::sort(out.begin(), out.end(), [](const seat& a, const seat& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

// --- external busy time
// --------------------------------------------------------------------------

std::size_t memory_store::replace_busy_blocks(provider_id provider, std::string_view source,
                                              interval window, std::span<const busy_block> blocks) {
  detail::require_transaction(this, access::write, backend, "replace_busy_blocks");
  detail::check_busy_replacement(provider, source, window, blocks);
  std::vector<busy_block>& mine = impl_->busy[provider];
  std::vector<busy_block> next;
  next.reserve(mine.size() + blocks.size());
  std::size_t removed = 0;
  for (const busy_block& b : mine) {
    if (b.source == source && b.time.overlaps(window)) {
      ++removed;
    } else {
      next.push_back(b);
    }
  }
  next.insert(next.end(), blocks.begin(), blocks.end());
  std::sort(next.begin(), next.end(), busy_block_before);
  impl_->undo.emplace_back([this, provider, old = mine] { impl_->busy[provider] = old; });
  mine = std::move(next);
  return removed;
}

std::vector<busy_block> memory_store::busy_blocks(provider_id provider, interval range) {
  detail::require_transaction(this, access::read, backend, "busy_blocks");
  std::vector<busy_block> out;
  const auto it = impl_->busy.find(provider);
  if (it == impl_->busy.end() || !range.ok()) return out;
  for (const busy_block& b : it->second) {
    if (b.time.begin >= range.end) break;  // sorted by begin
    if (b.time.overlaps(range)) out.push_back(b);
  }
  return out;
}

bool memory_store::reachable() noexcept { return true; }

bool memory_store::scrub() {
  if (detail::find_open_transaction(this) != nullptr) {
    throw error(errc::storage,
                fmt::format("{}: scrub inside a transaction on this thread", backend));
  }
  return true;
}

}  // namespace slotbook
