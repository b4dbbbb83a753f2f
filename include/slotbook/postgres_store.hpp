#pragma once
/// \file postgres_store.hpp
/// "Where do sessions live when one machine is not enough?": `postgres_store`, the `store` on a
/// PostgreSQL database, shared by every thread, process and machine that connects to it. Built
/// only with the CMake option `SLOTBOOK_WITH_POSTGRES` (then `SLOTBOOK_WITH_POSTGRES` is defined
/// to 1 for the library and its consumers). See docs/postgres.md for setup, the schema and
/// sharding.
///
/// **The database refuses double booking.** Besides the service's own checks, the `sessions`
/// table carries two exclusion constraints (`EXCLUDE USING gist (provider_id WITH =, during WITH
/// &&)`, and the same for `client_id`) over the sessions that certainly occupy their time
/// (`scheduled`, `confirmed`, `in_progress`), so even SQL that bypasses slotbook cannot store two
/// of them for one provider or one client at once. They are checked at commit (`DEFERRABLE
/// INITIALLY DEFERRED`), because a reschedule inserts the replacement before it cancels the
/// original; a violation makes `commit` throw `errc::conflict` naming the provider or client and
/// both intervals. Unpaid holds (`pending_payment`) are left out: whether a hold still occupies
/// its time depends on `now` and the host's hold rules, which an index predicate cannot know (the
/// service checks them); paying a hold that lost its time fails at the constraint.
///
/// **Transactions.** A write transaction is `BEGIN ISOLATION LEVEL REPEATABLE READ` followed by
/// `LOCK TABLE writer_turn IN EXCLUSIVE MODE` before its first query, so its snapshot is taken
/// after the previous writer committed: write transactions of every process on every machine run
/// one after the other, exactly as `BEGIN IMMEDIATE` makes them in SQLite, and "check, then
/// write" is atomic. (They would conflict anyway: every write appends to the one audit chain.)
/// A read transaction is `REPEATABLE READ READ ONLY`: one consistent snapshot that never waits
/// for a writer. Why not SERIALIZABLE without the lock: docs/postgres.md.
///
/// **Threads.** One store object may be shared by all threads of a process. It keeps a pool of
/// connections; `begin` takes one for the calling thread and gives it back at commit or rollback,
/// so transactions on different threads run on different connections (reads in parallel). Write
/// transactions of one process also take turns on a process-local mutex before they ask the
/// server for the writer lock, as `sqlite_store`'s do before `BEGIN IMMEDIATE`: handing the turn
/// to a waiting thread is much faster than waking a backend that waits on a PostgreSQL lock
/// (docs/postgres.md measures it), and a waiting writer holds no connection. As for every store,
/// transactions do not nest, and a data method outside a transaction (or a write in a read
/// transaction) is `errc::storage`.
///
/// **Waiting.** `begin` waits up to `busy_timeout` for the process-local writer turn and a free
/// connection, and the server waits up to `busy_timeout` again (`lock_timeout`) for the writer
/// lock held by another process, or for a row lock; then `errc::storage` says the database is
/// busy.
///
/// **Races with SQL that bypasses slotbook** (and does not take the writer lock) can make
/// PostgreSQL abort a transaction with a serialization failure (SQLSTATE 40001) or a deadlock
/// (40P01): that is a `postgres_transient_error` (`errc::storage`, `transient()`); the
/// transaction is rolled back, and `booking_service` runs the whole operation again
/// (`service_options::transient_attempts`).
///
/// **Text.** PostgreSQL text is UTF-8 without NUL bytes: a session, provider or audit text that is
/// not valid UTF-8 or contains a NUL byte is `errc::invalid_argument` naming the field (SQLite
/// would store the bytes as they are).
///
///     slotbook::postgres_store store{"host=db.internal dbname=therapy user=slotbook"};
///     slotbook::transaction tx(store, slotbook::access::write);
///     const auto id = store.insert_session(s);
///     tx.commit();  // durable (as the server's synchronous_commit) from here on

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "slotbook/error.hpp"
#include "slotbook/store.hpp"

namespace slotbook {

/// The schema version this slotbook writes (the `schema_version` table).
inline constexpr int postgres_schema_version = 6;

/// The schema's migration steps as SQL: step `i` (0-based) upgrades version `i` to `i + 1`. They
/// run with `search_path` set to the store's schema. The store runs them itself; they are public
/// for tools, documentation and DBAs who review what will run. A released step is never edited:
/// a change is a new step.
///
///     auto steps = slotbook::postgres_schema_steps();  // steps.size() == postgres_schema_version
std::span<const std::string_view> postgres_schema_steps() noexcept;

/// How a `postgres_store` connects and waits.
///
///     slotbook::postgres_store_options o;
///     o.schema = "booking";
///     o.max_connections = 16;
struct postgres_store_options {
  /// The PostgreSQL schema (namespace) holding slotbook's tables; created when missing. Several
  /// stores may share one database under different schemas. It must be empty or slotbook's.
  std::string schema = "slotbook";
  /// How long `begin` waits for a free connection, and the server for a lock.
  std::chrono::milliseconds busy_timeout{5000};
  /// Most connections open at once (at least 1): only this many transactions of this store run
  /// at the same time; more wait as for a lock.
  std::size_t max_connections = 8;
};

/// A transaction PostgreSQL aborted to resolve a race with another transaction: a serialization
/// failure (SQLSTATE 40001) or a deadlock (40P01). Its `code()` is `errc::storage`; the
/// transaction has been rolled back and `transient()` is true: running the whole operation again
/// from the start may succeed, and `booking_service` does so by itself. slotbook's own write
/// transactions never race each other (they take turns); this comes from SQL that writes the
/// same rows without taking the writer lock.
///
///     try { store.update_session(s); tx.commit(); }
///     catch (const slotbook::postgres_transient_error& e) { /* e.sqlstate() == "40001" */ }
class postgres_transient_error : public error {
 public:
  postgres_transient_error(std::string sqlstate, const std::string& message)
      : error(errc::storage, message, recovery::retry), sqlstate_(std::move(sqlstate)) {}

  /// `"40001"` or `"40P01"`.
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// A `store` on a PostgreSQL database. Thread-safe and safe across processes and machines as
/// described in the file comment.
///
///     slotbook::postgres_store store{"host=127.0.0.1 port=5432 dbname=slotbook user=slotbook"};
///     slotbook::transaction tx(store, slotbook::access::read);
///     auto ids = store.provider_ids();
class postgres_store final : public store {
 public:
  /// Connects with the libpq connection string `connection` (`"host=... dbname=..."` or a
  /// `postgresql://` URI), creates the schema when missing, checks it is slotbook's and brings it
  /// up to `postgres_schema_version` in one transaction (creating the `btree_gist` extension in
  /// `public` if the database lacks it). Throws `errc::storage` when the server cannot be
  /// reached, the schema belongs to something else or has a newer version, or a migration step
  /// fails; `errc::invalid_argument` for `max_connections` 0 or an empty schema name. Error
  /// messages name the host, port, database and schema, never the password.
  explicit postgres_store(std::string connection, postgres_store_options options = {});
  ~postgres_store() override;

  /// The schema the store works in.
  const std::string& schema() const noexcept;

  /// The version recorded in the schema's `schema_version` table, read from the database
  /// (outside a transaction on this thread, or inside one).
  int schema_version();

  std::optional<session> find_session(session_id id) override;
  std::optional<session> find_session_by_reference(std::string_view reference) override;
  std::vector<session> provider_sessions(provider_id provider, interval range) override;
  std::vector<session> client_sessions(client_id client, interval range) override;
  std::vector<session> active_provider_sessions(provider_id provider, interval range) override;
  std::vector<session> active_client_sessions(client_id client, interval range) override;
  std::vector<session> pending_holds(instant created_by, std::size_t limit) override;
  /// Also `errc::invalid_argument` for a session failing `validate(const session&)` or with text
  /// that is not UTF-8, and `errc::conflict` for an id or a booking reference already stored.
  /// An overlap with an occupying session of the same provider or client is found at commit.
  session_id insert_session(const session& s) override;
  /// Also `errc::invalid_argument` and `errc::conflict` as `insert_session`.
  void update_session(const session& s) override;
  std::uint64_t next_reference_sequence(int year) override;

  /// Also `errc::invalid_argument` for a zero id, an invalid schedule or slot rules, a negative
  /// price, or text that is not UTF-8: what is stored can always be used.
  void put_provider(const provider_profile& p) override;
  std::optional<provider_profile> find_provider(provider_id id) override;
  std::vector<provider_id> provider_ids() override;

  std::vector<std::int64_t> enqueue_reminders(std::span<const reminder> reminders,
                                              client_id client) override;
  std::size_t remove_reminders(session_id session) override;
  std::vector<queued_reminder> claim_due_reminders(instant now, std::size_t limit,
                                                   instant lease_until) override;
  /// Also `errc::invalid_argument` for a `last_error` that is not UTF-8.
  void update_reminder(const queued_reminder& r) override;
  std::optional<queued_reminder> find_reminder(std::int64_t id) override;
  std::vector<queued_reminder> session_reminders(session_id session) override;
  reminder_backlog backlog(instant now) override;

  /// Also `errc::invalid_argument` for text that is not UTF-8.
  std::int64_t append_audit(const audit_entry& e) override;
  std::optional<audit_entry> last_audit() override;
  std::vector<audit_entry> audit_entries(std::int64_t after, std::size_t limit) override;

  series_id next_series_id() override;
  std::vector<session> series_sessions(series_id series) override;
  void put_series(const series_record& r) override;
  std::optional<series_record> find_series(series_id series) override;
  std::int64_t insert_seat(const seat& s) override;
  void update_seat(const seat& s) override;
  std::vector<seat> session_seats(session_id session) override;
  std::vector<seat> unpaid_seats(instant created_by, std::size_t limit) override;
  std::vector<session> active_client_group_sessions(client_id client, interval range) override;
  std::int64_t insert_waitlist_entry(const waitlist_entry& e) override;
  void update_waitlist_entry(const waitlist_entry& e) override;
  std::optional<waitlist_entry> find_waitlist_entry(std::int64_t id) override;
  std::vector<waitlist_entry> open_waitlist_entries(provider_id provider, interval range) override;
  std::vector<waitlist_entry> due_offers(instant now, std::size_t limit) override;
  std::vector<waitlist_entry> client_waitlist(client_id client) override;
  std::size_t replace_busy_blocks(provider_id provider, std::string_view source, interval window,
                                  std::span<const busy_block> blocks) override;
  std::vector<busy_block> busy_blocks(provider_id provider, interval range) override;

  intake_id next_intake_id() override;
  /// Also `errc::invalid_argument` for a `deletion_reason` that is not UTF-8.
  void put_intake(const stored_intake& f) override;
  std::optional<stored_intake> find_intake(intake_id id) override;
  std::vector<stored_intake> client_intakes(client_id client) override;
  std::vector<stored_intake> intakes_to_rotate(std::uint32_t version, intake_id after,
                                               std::size_t limit) override;
  std::vector<intake_id> purge_intakes(instant deleted_before, std::size_t limit) override;

  /// Also `errc::invalid_argument` for a `reason` that is not UTF-8.
  void mark_session_deleted(const session_deletion& d) override;
  std::optional<session_deletion> find_session_deletion(session_id id) override;
  std::vector<session_id> purge_sessions(instant deleted_before, std::size_t limit) override;

  /// True when a connection answers `SELECT 1` (waiting at most `busy_timeout` for one). Never
  /// throws.
  bool reachable() noexcept override;
  /// `VACUUM` of the tables deletions touch (sessions, their deletion marks, reminders, intake
  /// forms), on a pooled connection: the row versions committed transactions removed or replaced
  /// are cleared from the tables and their indexes, so no SQL can reach them. What PostgreSQL
  /// cannot promise is said in docs/postgres.md ("Deleted bytes"): old bytes may stay in free
  /// space of data pages, in WAL segments, on replicas and in backups until they are overwritten;
  /// crypto-shredding is what makes a deleted intake form unreadable. False when a lock was not
  /// granted within `busy_timeout` (a later call finishes the job). Outside a transaction on this
  /// thread (`errc::storage` inside one).
  bool scrub() override;

 protected:
  void begin(access mode) override;
  /// Also `errc::conflict` when an exclusion constraint refuses the transaction's sessions.
  void commit() override;
  void rollback() noexcept override;

 private:
  struct impl;
  struct connection;
  connection& current(access needed, std::string_view what);
  std::unique_ptr<impl> impl_;
};

}  // namespace slotbook
