#pragma once
/// \file store.hpp
/// "Where do sessions live?": the storage interface the booking service reads and writes through.
///
/// A `store` is deliberately small and shaped by what `booking_service` needs, not a generic ORM.
/// Every call happens inside a `transaction`; a write transaction is the unit of "check, then
/// write" that makes double booking impossible:
/// - `memory_store` serialises write transactions with one lock per store;
/// - `sqlite_store` opens write transactions with `BEGIN IMMEDIATE`, so the availability and
///   conflict checks and the insert see one consistent database even across processes.
/// Conformance: tests/integration/store_conformance_test.cpp runs one suite against every backend.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "slotbook/actor.hpp"
#include "slotbook/availability.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/money.hpp"
#include "slotbook/reminders.hpp"
#include "slotbook/session.hpp"
#include "slotbook/slots.hpp"
#include "slotbook/time.hpp"

namespace slotbook {

/// A provider as the service needs them: working hours, slot rules and the price of a session.
///
///     slotbook::provider_profile p;
///     p.id = slotbook::provider_id{42};
///     p.name = "Dr. Wanjiru";
///     p.hours.zone = "Africa/Nairobi";
///     p.hours.windows = {{date::Monday, 9h, 17h}};
///     p.price = slotbook::money::kes(150000);
struct provider_profile {
  provider_id id{};
  std::string name;  ///< display name; not interpreted
  schedule hours;    ///< zone, weekly windows, date exceptions
  slot_rules rules;  ///< duration, step, buffers, notice, horizon, per-day limit
  money price{};     ///< price of one session; zero means no payment is required
  bool active = true;

  friend bool operator==(const provider_profile&, const provider_profile&) = default;
};

/// Where a queued reminder stands.
enum class reminder_state : std::uint8_t {
  pending,  ///< waiting for its due time (or for a retry)
  claimed,  ///< handed to a worker until `lease_until`; unclaimed again after that
  sent,     ///< delivered (terminal)
  failed,   ///< gave up after the last retry (terminal)
};

/// `"pending"`, `"claimed"`, `"sent"`, `"failed"`.
constexpr std::string_view to_string(reminder_state s) noexcept {
  switch (s) {
    case reminder_state::pending: return "pending";
    case reminder_state::claimed: return "claimed";
    case reminder_state::sent: return "sent";
    case reminder_state::failed: return "failed";
  }
  return "unknown";
}

/// A reminder in the store's queue.
struct queued_reminder {
  std::int64_t id{};      ///< assigned by the store
  reminder what{};        ///< session, due time, channel, offset
  client_id client{};     ///< who receives it
  reminder_state state{reminder_state::pending};
  std::int32_t attempts{0};             ///< claims so far
  std::optional<instant> lease_until;   ///< while claimed
  std::optional<instant> next_attempt;  ///< for a retry: not claimed before this
  std::optional<instant> sent_at;
  std::string last_error;  ///< from the notifier; never health data

  friend bool operator==(const queued_reminder&, const queued_reminder&) = default;
};

/// The reminder queue's health, as the seed's health check reports it.
struct reminder_backlog {
  std::size_t due{0};                 ///< pending (or lease-expired) and due at `now`
  std::size_t waiting{0};             ///< pending, due later
  std::optional<instant> oldest_due;  ///< due time of the oldest due reminder
};

/// One line of the append-only audit log. `hash` = SHA-256 over `previous_hash` and the entry's
/// canonical text (see `booking_service::verify_audit`); the store keeps what it is given.
struct audit_entry {
  std::int64_t sequence{};  ///< 1, 2, 3, ...: assigned by the store on append
  instant at{};
  role who_role{role::system};
  std::uint64_t who_id{0};  ///< the actor's id; 0 for the system
  std::string action;       ///< "book", "cancel", "status", "denied", ...
  session_id session{};     ///< zero when the action concerns no session
  std::optional<session_status> before;
  std::optional<session_status> after;
  std::string detail;         ///< short, never health data or key material
  std::string previous_hash;  ///< 64 hex digits; all zeros for the first entry
  std::string hash;           ///< 64 hex digits

  friend bool operator==(const audit_entry&, const audit_entry&) = default;
};

/// What a transaction may do.
enum class access : std::uint8_t { read, write };

/// The storage interface. Implementations: `memory_store`, `sqlite_store`.
///
/// Thread safety: every method may be called from any thread, but only inside a `transaction` on
/// the same store, opened on the calling thread. Errors are `slotbook::error`: `storage` for I/O
/// and corruption, `not_found` when updating a record that is not there, `conflict` for a
/// duplicate booking reference.
class store {
 public:
  virtual ~store() = default;
  store() = default;
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  // --- sessions -------------------------------------------------------------------------------
  /// The session with this id.
  virtual std::optional<session> find_session(session_id id) = 0;
  /// The session with this booking reference (`BK-2026-001234`).
  virtual std::optional<session> find_session_by_reference(std::string_view reference) = 0;
  /// Sessions of `provider` whose booked time overlaps `range`, any status, by start time.
  virtual std::vector<session> provider_sessions(provider_id provider, interval range) = 0;
  /// Sessions of `client` whose booked time overlaps `range`, any status, by start time.
  virtual std::vector<session> client_sessions(client_id client, interval range) = 0;
  /// Non-terminal sessions (pending_payment, scheduled, confirmed, in_progress) of `provider`
  /// overlapping `range`, by start time. The service decides which of them occupy time (an
  /// expired hold does not).
  virtual std::vector<session> active_provider_sessions(provider_id provider, interval range) = 0;
  /// The same for `client`.
  virtual std::vector<session> active_client_sessions(client_id client, interval range) = 0;
  /// pending_payment sessions created at or before `created_by`, oldest first, at most `limit`.
  virtual std::vector<session> pending_holds(instant created_by, std::size_t limit) = 0;
  /// Stores a new session and returns its id (the store assigns one when `s.id` is zero).
  virtual session_id insert_session(const session& s) = 0;
  /// Replaces the stored session with the same id; `not_found` when there is none.
  virtual void update_session(const session& s) = 0;
  /// The next booking-reference sequence for `year`: 1, 2, 3, ... without gaps in committed
  /// transactions.
  virtual std::uint64_t next_reference_sequence(int year) = 0;

  // --- providers ------------------------------------------------------------------------------
  /// Creates or replaces a provider's profile.
  virtual void put_provider(const provider_profile& p) = 0;
  virtual std::optional<provider_profile> find_provider(provider_id id) = 0;
  /// Every provider id, ascending.
  virtual std::vector<provider_id> provider_ids() = 0;

  // --- reminder queue -------------------------------------------------------------------------
  /// Queues reminders for `client`; returns the new queue ids.
  virtual std::vector<std::int64_t> enqueue_reminders(std::span<const reminder> reminders,
                                                      client_id client) = 0;
  /// Drops a session's reminders that are still pending or claimed; returns how many.
  virtual std::size_t remove_reminders(session_id session) = 0;
  /// Claims up to `limit` reminders due at `now` (pending, past any retry time, or claimed with
  /// an expired lease), oldest due first, and marks them claimed until `lease_until`. In one
  /// write transaction, so two workers never claim the same reminder.
  virtual std::vector<queued_reminder> claim_due_reminders(instant now, std::size_t limit,
                                                           instant lease_until) = 0;
  /// Replaces a queued reminder's state fields; `not_found` when there is none.
  virtual void update_reminder(const queued_reminder& r) = 0;
  virtual std::optional<queued_reminder> find_reminder(std::int64_t id) = 0;
  /// Every queued reminder of a session, by due time.
  virtual std::vector<queued_reminder> session_reminders(session_id session) = 0;
  virtual reminder_backlog backlog(instant now) = 0;

  // --- audit log ------------------------------------------------------------------------------
  /// Appends an entry and returns its sequence number.
  virtual std::int64_t append_audit(const audit_entry& e) = 0;
  /// The entry with the highest sequence.
  virtual std::optional<audit_entry> last_audit() = 0;
  /// Entries with sequence > `after`, ascending, at most `limit`.
  virtual std::vector<audit_entry> audit_entries(std::int64_t after, std::size_t limit) = 0;

  // --- health ---------------------------------------------------------------------------------
  /// True when the backing storage answers a trivial query. Never throws.
  virtual bool reachable() noexcept = 0;

 protected:
  friend class transaction;
  /// Starts a transaction on the calling thread; blocks (up to the backend's timeout) while
  /// another writer holds the store, then `errc::storage`.
  virtual void begin(access mode) = 0;
  virtual void commit() = 0;
  /// Undoes everything since `begin`. Never throws.
  virtual void rollback() noexcept = 0;
};

/// An RAII transaction scope: commits only when told to, rolls back in its destructor otherwise
/// (an exception on the way out leaves the store as it was), never throws from the destructor.
///
///     slotbook::transaction tx(store, slotbook::access::write);
///     auto id = store.insert_session(s);
///     tx.commit();
class transaction {
 public:
  transaction(store& s, access mode) : store_(&s) { store_->begin(mode); }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  ~transaction() {
    if (store_ != nullptr) store_->rollback();
  }

  /// Makes the changes durable. After a failed commit the transaction is rolled back.
  void commit() {
    store* s = store_;
    store_ = nullptr;
    try {
      s->commit();
    } catch (...) {
      s->rollback();
      throw;
    }
  }

 private:
  store* store_;
};

}  // namespace slotbook
