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
#include "slotbook/busy_block.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/intake.hpp"
#include "slotbook/money.hpp"
#include "slotbook/reminders.hpp"
#include "slotbook/seat.hpp"
#include "slotbook/series_record.hpp"
#include "slotbook/session.hpp"
#include "slotbook/slots.hpp"
#include "slotbook/time.hpp"
#include "slotbook/waitlist.hpp"

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
  /// The provider's sessions need the client's complete intake form before they are confirmed:
  /// `booking_service` refuses payment confirmation, `confirmed` and `in_progress` until the
  /// client has one (docs/service.md, "Intake forms").
  bool requires_intake = false;

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
    case reminder_state::pending:
      return "pending";
    case reminder_state::claimed:
      return "claimed";
    case reminder_state::sent:
      return "sent";
    case reminder_state::failed:
      return "failed";
  }
  return "unknown";
}

/// A reminder in the store's queue.
struct queued_reminder {
  std::int64_t id{};   ///< assigned by the store
  reminder what{};     ///< session, due time, channel, offset
  client_id client{};  ///< who receives it
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

/// An intake form as a store keeps it: the sealed form (ciphertext, the wrapped data key and
/// non-sensitive metadata only; the store never sees a key or a plaintext step) and its
/// bookkeeping. A deleted form is crypto-shredded: its data key and sealed steps are gone and
/// only the ids, the dates and the reason are left until `purge_intakes` removes the record.
///
///     slotbook::stored_intake f;
///     f.form = slotbook::seal_intake(form, ring);
///     f.created_at = f.updated_at = now;
///     store.put_intake(f);
struct stored_intake {
  sealed_intake form{};
  instant created_at{};
  instant updated_at{};
  std::optional<instant> deleted_at{};  ///< when it was crypto-shredded
  std::string deletion_reason{};        ///< a short category from the host; never health data

  /// True once crypto-shredded.
  bool deleted() const noexcept { return deleted_at.has_value(); }

  friend bool operator==(const stored_intake&, const stored_intake&) = default;
};

/// The mark a secure delete leaves on a session (whose notes and special requests it redacted)
/// until `purge_sessions` removes the session for good.
struct session_deletion {
  session_id session{};
  instant deleted_at{};
  std::string reason{};  ///< a short category from the host; never health data

  friend bool operator==(const session_deletion&, const session_deletion&) = default;
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

  // --- series ---------------------------------------------------------------------------------
  // Like the intake and secure-deletion methods below, these default to throwing `errc::storage`
  // so that a backend written before them still compiles; every shipped backend overrides them.

  /// A new series id: 1, 2, 3, ..., above every series id stored on a session or in a series
  /// record, or handed out before in a committed transaction, so a series id is never reused.
  ///
  ///     const slotbook::series_id id = store.next_series_id();  // inside a write transaction
  virtual series_id next_series_id() { unsupported("next_series_id"); }
  /// Every session of `series` (any status), by start time, then id. Empty for a zero id.
  ///
  ///     for (const slotbook::session& s : store.series_sessions(id)) show(s);
  virtual std::vector<session> series_sessions(series_id series) {
    (void)series;
    unsupported("series_sessions");
  }
  /// Stores a new series record (series_record.hpp). `errc::invalid_argument` for a record
  /// failing `validate(const series_record&)`, `conflict` when a record with its id exists.
  /// Records are never replaced: what happens to the occurrences is on their sessions.
  ///
  ///     store.put_series(record);  // inside the write transaction that books the series
  virtual void put_series(const series_record& r) {
    (void)r;
    unsupported("put_series");
  }
  /// The record of `series`; empty when there is none (a zero id, an unknown id, or a series
  /// booked before records were stored).
  ///
  ///     if (auto r = store.find_series(id)) show(r->rule);
  virtual std::optional<series_record> find_series(series_id series) {
    (void)series;
    unsupported("find_series");
  }

  // --- group sessions -------------------------------------------------------------------------
  // Seats of group sessions (seat.hpp; docs/design.md, "Group sessions"). Defaults throw
  // `errc::storage` like the series methods; every shipped backend overrides them.

  /// Stores a new seat and returns its id (1, 2, 3, ...; the store assigns it, ignoring `s.id`).
  /// `errc::invalid_argument` for a seat failing `validate(const seat&)`, `not_found` when
  /// `s.session` is not a stored group session, `conflict` when `s` is active and its client
  /// already holds an active seat in that session.
  ///
  ///     const std::int64_t id = store.insert_seat(s);  // inside a write transaction
  virtual std::int64_t insert_seat(const seat& s) {
    (void)s;
    unsupported("insert_seat");
  }
  /// Replaces the stored seat with the same id (its session and client must stay the same);
  /// `not_found` when there is none, `invalid_argument` and `conflict` as `insert_seat`.
  virtual void update_seat(const seat& s) {
    (void)s;
    unsupported("update_seat");
  }
  /// Every seat of `session`, active or not, by id. Empty for a session with none.
  ///
  ///     for (const slotbook::seat& s : store.session_seats(group.id)) show(s.client);
  virtual std::vector<seat> session_seats(session_id session) {
    (void)session;
    unsupported("session_seats");
  }
  /// Active seats with a price (amount above zero) that are still unpaid (payment `pending`) and
  /// were created at or before `created_by`, oldest first (then id), at most `limit`: the seat
  /// holds that may have run out.
  ///
  ///     for (const slotbook::seat& s : store.unpaid_seats(now - hold, 100)) expire(s);
  virtual std::vector<seat> unpaid_seats(instant created_by, std::size_t limit) {
    (void)created_by, (void)limit;
    unsupported("unpaid_seats");
  }
  /// Non-terminal group sessions (as `active_client_sessions`) overlapping `range` in which
  /// `client` holds an active seat, by start time, then id: the client's own conflicts.
  virtual std::vector<session> active_client_group_sessions(client_id client, interval range) {
    (void)client, (void)range;
    unsupported("active_client_group_sessions");
  }

  // --- waitlist -------------------------------------------------------------------------------
  // Waitlist entries (waitlist.hpp; docs/design.md, "Waitlist"). Defaults throw `errc::storage`
  // like the series methods; every shipped backend overrides them.

  /// Stores a new entry and returns its id (1, 2, 3, ...; the store assigns it, ignoring `e.id`).
  /// `errc::invalid_argument` for an entry failing `validate(const waitlist_entry&)`.
  ///
  ///     const std::int64_t id = store.insert_waitlist_entry(e);  // inside a write transaction
  virtual std::int64_t insert_waitlist_entry(const waitlist_entry& e) {
    (void)e;
    unsupported("insert_waitlist_entry");
  }
  /// Replaces the stored entry with the same id (its provider and client must stay the same);
  /// `not_found` when there is none, `invalid_argument` as `insert_waitlist_entry`.
  virtual void update_waitlist_entry(const waitlist_entry& e) {
    (void)e;
    unsupported("update_waitlist_entry");
  }
  /// The entry with this id.
  virtual std::optional<waitlist_entry> find_waitlist_entry(std::int64_t id) {
    (void)id;
    unsupported("find_waitlist_entry");
  }
  /// The open entries (waiting or offered) of `provider` whose range overlaps `range`, in line
  /// order: by `joined_at`, then id. Every live offer overlapping `range` is among them (an offer
  /// lies inside its entry's range).
  virtual std::vector<waitlist_entry> open_waitlist_entries(provider_id provider, interval range) {
    (void)provider, (void)range;
    unsupported("open_waitlist_entries");
  }
  /// Offered entries whose `offer_expires` is at or before `now`, earliest deadline first (then
  /// id), at most `limit`.
  virtual std::vector<waitlist_entry> due_offers(instant now, std::size_t limit) {
    (void)now, (void)limit;
    unsupported("due_offers");
  }
  /// Every entry of `client`, open or not, by id.
  virtual std::vector<waitlist_entry> client_waitlist(client_id client) {
    (void)client;
    unsupported("client_waitlist");
  }

  // --- external busy time ---------------------------------------------------------------------
  // A provider's busy time in external calendars (busy_block.hpp; docs/calendar.md). Defaults
  // throw `errc::storage` like the series methods; every shipped backend overrides them.

  /// Replaces `provider`'s blocks from `source` that overlap `window` with `blocks` (each of that
  /// provider and source, each failing `validate(const busy_block&)` is `invalid_argument` and
  /// nothing changes) and returns how many were removed. Blocks of other sources, and of this
  /// source outside the window, stay.
  ///
  ///     store.replace_busy_blocks(p, "google:work", window, blocks);  // in a write transaction
  virtual std::size_t replace_busy_blocks(provider_id provider, std::string_view source,
                                          interval window, std::span<const busy_block> blocks) {
    (void)provider, (void)source, (void)window, (void)blocks;
    unsupported("replace_busy_blocks");
  }
  /// `provider`'s blocks (every source) overlapping `range`, by begin, then end, source, uid.
  ///
  ///     for (const slotbook::busy_block& b : store.busy_blocks(p, month)) show(b.time);
  virtual std::vector<busy_block> busy_blocks(provider_id provider, interval range) {
    (void)provider, (void)range;
    unsupported("busy_blocks");
  }

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

  // --- intake forms ---------------------------------------------------------------------------
  // Sealed forms only: the service seals before `put_intake` and opens after `find_intake`.
  // These and the secure-deletion methods below have default implementations that throw
  // `errc::storage` ("does not support ..."), so that a backend written before them still
  // compiles; every shipped backend overrides all of them and passes the conformance suite.

  /// A new intake form id: 1, 2, 3, ..., above every id stored or handed out before in a
  /// committed transaction (so an id is never reused, not even after a purge). Forms are sealed
  /// under their id, so the id comes first and `put_intake` follows in the same transaction.
  virtual intake_id next_intake_id() { unsupported("next_intake_id"); }
  /// Creates or replaces the form with id `f.form.id`. `errc::invalid_argument` for a zero id or
  /// one above 2^63 - 1, a zero client id, a live form whose data key is not a wrapped key, or a
  /// deleted form that still holds a data key, a sealed step, a consent or `completed_at`.
  virtual void put_intake(const stored_intake& f) {
    (void)f;
    unsupported("put_intake");
  }
  /// The form with this id, deleted or not.
  virtual std::optional<stored_intake> find_intake(intake_id id) {
    (void)id;
    unsupported("find_intake");
  }
  /// Every form of `client`, deleted ones included, by id.
  virtual std::vector<stored_intake> client_intakes(client_id client) {
    (void)client;
    unsupported("client_intakes");
  }
  /// Live forms whose data key is wrapped under a keyring version other than `version`, with an
  /// id above `after`, by id, at most `limit`: the next batch of a key rotation.
  virtual std::vector<stored_intake> intakes_to_rotate(std::uint32_t version, intake_id after,
                                                       std::size_t limit) {
    (void)version, (void)after, (void)limit;
    unsupported("intakes_to_rotate");
  }
  /// Removes, for good, up to `limit` deleted forms whose `deleted_at` is before `deleted_before`
  /// (the oldest deletions first); returns their ids, ascending.
  virtual std::vector<intake_id> purge_intakes(instant deleted_before, std::size_t limit) {
    (void)deleted_before, (void)limit;
    unsupported("purge_intakes");
  }

  // --- secure deletion of sessions -------------------------------------------------------------
  /// Marks a session deleted (the caller redacts it with `update_session`); replaces an earlier
  /// mark. `not_found` when there is no such session.
  virtual void mark_session_deleted(const session_deletion& d) {
    (void)d;
    unsupported("mark_session_deleted");
  }
  /// The deletion mark of a session, if it has one.
  virtual std::optional<session_deletion> find_session_deletion(session_id id) {
    (void)id;
    unsupported("find_session_deletion");
  }
  /// Removes, for good, up to `limit` sessions marked deleted before `deleted_before` (oldest
  /// mark first), with their marks, every reminder they had and, for a group session, its seats;
  /// returns their ids in that order.
  virtual std::vector<session_id> purge_sessions(instant deleted_before, std::size_t limit) {
    (void)deleted_before, (void)limit;
    unsupported("purge_sessions");
  }

  // --- health ---------------------------------------------------------------------------------
  /// True when the backing storage answers a trivial query. Never throws.
  virtual bool reachable() noexcept = 0;

  /// Makes bytes that committed transactions removed or overwrote unrecoverable from the
  /// backend's own files, as far as the backend can: `sqlite_store` (which runs with
  /// `secure_delete`) checkpoints and truncates its WAL; `memory_store` has nothing to do.
  /// Called outside any transaction on this thread (`errc::storage` inside one). Returns false
  /// when it could not finish (e.g. a long reader kept the WAL); a later call finishes the job.
  /// The default, for a backend that knows no way to scrub, returns false.
  virtual bool scrub() { return false; }

 protected:
  [[noreturn]] static void unsupported(std::string_view what) {
    throw error(
        errc::storage,
        std::string("store: this backend does not support ") + std::string(what) +
            " (intake forms, series and secure deletion need a backend that implements them)");
  }

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
