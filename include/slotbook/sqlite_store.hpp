#pragma once
/// \file sqlite_store.hpp
/// "Where do sessions live durably?": `sqlite_store`, the `store` on one SQLite database file,
/// safe for several threads and several processes at once. See docs/storage.md for the schema.
///
/// **Durability.** Every connection runs with `journal_mode=WAL`, `synchronous=FULL` and
/// `foreign_keys=ON`: a write transaction is on disk (the WAL is synced) before `commit` returns,
/// so an acknowledged booking survives a crash or a power cut. `WAL` + `NORMAL` would not.
///
/// **Deleted bytes.** Every connection also runs with `secure_delete=ON`, so SQLite overwrites
/// deleted and replaced content with zeros in the pages it writes; `scrub()` then checkpoints the
/// WAL and truncates it, so no earlier version of those pages is left in the `-wal` file either.
///
/// **Transactions.** A write transaction is `BEGIN IMMEDIATE`: it takes the database's write lock
/// up front, so the availability and conflict checks and the insert see one database that nobody
/// else changes in between, in this process or another. A read transaction is a deferred `BEGIN`:
/// in WAL mode it reads one consistent snapshot and never blocks, nor is blocked by, a writer.
///
/// **Threads.** The store keeps a small pool of connections. `begin` takes one for the calling
/// thread and gives it back at commit or rollback, so read transactions on different threads run
/// in parallel. Write transactions of one process also queue on a process-local mutex before
/// `BEGIN IMMEDIATE`: SQLite's busy handler retries by sleeping, which is fine between processes
/// but wasteful and unfair between threads that can simply wait their turn.
///
/// **Waiting.** `begin` waits up to `busy_timeout` for the process-local writer mutex (or a free
/// connection), and up to `busy_timeout` again for SQLite's write lock held by another process;
/// then it throws `errc::storage` saying the database is busy. As for every store, transactions do
/// not nest, and a data method outside a transaction (or a write in a read transaction) is
/// `errc::storage`.
///
/// **Schema.** Versioned with `PRAGMA user_version` and marked with `PRAGMA application_id`.
/// Opening a file of an older version upgrades it in one transaction; a newer version, a file of
/// another application, or a corrupt file is `errc::storage` naming the path. The file belongs to
/// slotbook: keep the host's own tables in another file.
///
///     slotbook::sqlite_store store{"/var/lib/myapp/slotbook.db"};
///     slotbook::transaction tx(store, slotbook::access::write);
///     const auto id = store.insert_session(s);
///     tx.commit();  // durable from here on

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "slotbook/store.hpp"

namespace slotbook {

/// The schema version this slotbook writes (`PRAGMA user_version`).
inline constexpr int sqlite_schema_version = 7;

/// The `PRAGMA application_id` of a slotbook database: "SLBT" in ASCII.
inline constexpr std::int32_t sqlite_application_id = 0x534c4254;

/// The schema's migration steps as SQL: step `i` (0-based) upgrades version `i` to `i + 1`. The
/// store runs them itself; they are public for tools, documentation and upgrade tests. A step is
/// never edited once released: a change is a new step.
///
///     auto steps = slotbook::sqlite_schema_steps();  // steps.size() == sqlite_schema_version
std::span<const std::string_view> sqlite_schema_steps() noexcept;

/// How a `sqlite_store` opens its file.
///
///     slotbook::sqlite_store_options o;
///     o.busy_timeout = std::chrono::seconds{2};
struct sqlite_store_options {
  /// How long `begin` waits for the write lock (see "Waiting" in the file comment).
  std::chrono::milliseconds busy_timeout{5000};
  /// Open without write access: write transactions are `errc::storage`, and a file of an older
  /// schema version is refused instead of upgraded.
  bool read_only = false;
  /// Most connections open at once (at least 1). Only this many transactions run at the same
  /// time; more wait as for the write lock. An in-memory database (`":memory:"` or `""`) always
  /// has exactly one connection, since each connection would otherwise see its own database.
  std::size_t max_connections = 8;
};

/// The settings a connection actually runs with, as SQLite reports them.
struct sqlite_settings {
  std::string journal_mode;  ///< "wal" for a file; "memory" for an in-memory database
  int synchronous = 0;       ///< 2 = FULL
  bool foreign_keys = false;
  std::chrono::milliseconds busy_timeout{0};
  int schema_version = 0;  ///< `PRAGMA user_version`
  std::int32_t application_id = 0;
  bool secure_delete = false;  ///< `PRAGMA secure_delete`: removed content is overwritten
};

/// A `store` on a SQLite database file. Thread-safe and multi-process-safe as described in the
/// file comment.
///
///     slotbook::sqlite_store store{"bookings.db"};
///     slotbook::transaction tx(store, slotbook::access::read);
///     auto ids = store.provider_ids();
class sqlite_store final : public store {
 public:
  /// Opens or creates the database at `path` (UTF-8; `":memory:"` for a private in-memory
  /// database), sets the pragmas and brings the schema up to `sqlite_schema_version`. Throws
  /// `errc::storage` naming the path when the file cannot be opened, is not a slotbook database,
  /// is corrupt, or has a newer schema; `errc::invalid_argument` for `max_connections` 0.
  explicit sqlite_store(std::string path, sqlite_store_options options = {});
  ~sqlite_store() override;

  /// The path the store was opened with.
  const std::string& path() const noexcept;

  /// What a connection of this store runs with (outside a transaction, or inside one on this
  /// thread). `errc::storage` when the database does not answer.
  sqlite_settings settings();

  /// `PRAGMA integrity_check`: `"ok"`, or SQLite's list of problems, one a line. Outside a
  /// transaction on this thread.
  std::string integrity_check();

  std::optional<session> find_session(session_id id) override;
  std::optional<session> find_session_by_reference(std::string_view reference) override;
  std::vector<session> provider_sessions(provider_id provider, interval range) override;
  std::vector<session> client_sessions(client_id client, interval range) override;
  std::vector<session> active_provider_sessions(provider_id provider, interval range) override;
  std::vector<session> active_client_sessions(client_id client, interval range) override;
  std::vector<session> pending_holds(instant created_by, std::size_t limit) override;
  /// Also `errc::invalid_argument` for a session failing `validate(const session&)`, and
  /// `errc::conflict` for an id or a booking reference already stored.
  session_id insert_session(const session& s) override;
  /// Also `errc::invalid_argument` and `errc::conflict` as `insert_session`.
  void update_session(const session& s) override;
  std::uint64_t next_reference_sequence(int year) override;

  /// Also `errc::invalid_argument` for a zero id, an invalid schedule or slot rules, or a negative
  /// price: what is stored can always be used.
  void put_provider(const provider_profile& p) override;
  std::optional<provider_profile> find_provider(provider_id id) override;
  std::vector<provider_id> provider_ids() override;

  std::vector<std::int64_t> enqueue_reminders(std::span<const reminder> reminders,
                                              client_id client) override;
  std::size_t remove_reminders(session_id session) override;
  std::vector<queued_reminder> claim_due_reminders(instant now, std::size_t limit,
                                                   instant lease_until) override;
  void update_reminder(const queued_reminder& r) override;
  std::optional<queued_reminder> find_reminder(std::int64_t id) override;
  std::vector<queued_reminder> session_reminders(session_id session) override;
  reminder_backlog backlog(instant now) override;

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
  void put_intake(const stored_intake& f) override;
  std::optional<stored_intake> find_intake(intake_id id) override;
  std::vector<stored_intake> client_intakes(client_id client) override;
  std::vector<stored_intake> intakes_to_rotate(std::uint32_t version, intake_id after,
                                               std::size_t limit) override;
  std::vector<intake_id> purge_intakes(instant deleted_before, std::size_t limit) override;

  void mark_session_deleted(const session_deletion& d) override;
  std::optional<session_deletion> find_session_deletion(session_id id) override;
  std::vector<session_id> purge_sessions(instant deleted_before, std::size_t limit) override;

  /// True when a connection answers a query within `busy_timeout`. Never throws.
  bool reachable() noexcept override;
  /// `PRAGMA wal_checkpoint(TRUNCATE)` on a pooled connection: every committed page is copied
  /// into the database file (where `secure_delete` zeroed what was removed) and the WAL is cut to
  /// zero bytes. False when a reader still needed the WAL after `busy_timeout`. An in-memory
  /// database has no files: true. Outside a transaction on this thread.
  bool scrub() override;

 protected:
  void begin(access mode) override;
  void commit() override;
  void rollback() noexcept override;

 private:
  struct impl;
  struct connection;
  connection& current(access needed, std::string_view what);
  std::unique_ptr<impl> impl_;
};

}  // namespace slotbook
