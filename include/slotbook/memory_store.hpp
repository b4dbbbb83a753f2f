#pragma once
/// \file memory_store.hpp
/// "Where do sessions live when nothing needs to survive the process?": `memory_store`, the fast
/// embedded `store` for tests and single-process hosts.
///
/// Sessions sit in one Boost.MultiIndex container indexed by id, by booking reference, by
/// (provider, start), by (client, start) and by (status, created_at) for unpaid holds; reminders in
/// another indexed by id, by (session, due) and by (state, due). See docs/storage.md.
///
/// **Overlap queries.** Sessions of one provider may overlap in the store (an expired hold that is
/// still `pending_payment`, a cancelled session and its replacement), so the non-overlapping
/// `interval_index` does not fit here: it is the service's occupancy structure, not the store's.
/// A range query walks the (provider, start) index from `range.begin - longest` to `range.end`,
/// where `longest` is the longest duration ever stored (at most 24 h, as `validate` allows), and
/// keeps the sessions that end after `range.begin`. A session that starts before the range and runs
/// into it is found; one that ends exactly at `range.begin` is not (half-open intervals).
///
/// **Locking.** One reader-writer gate per store. A write transaction holds it exclusively from
/// `begin` to commit or rollback, so "check, then write" is atomic and write transactions never
/// interleave; a read transaction holds it shared, so readers run in parallel and always see
/// committed data. Waiting writers block new readers (writers are not starved by a stream of
/// reads). `begin` waits at most `lock_timeout`, then throws `errc::storage`. Transactions do not
/// nest: a second transaction on the same store on the same thread is `errc::storage`, as is a
/// data method called outside a transaction (or a write in a read transaction).
///
/// **Rollback.** A write transaction keeps an undo log (the previous value of each record it
/// replaced, the ids it inserted, the counters it moved), so a rolled-back transaction leaves no
/// trace: not in sessions, reminders, audit, reference sequences or the ids handed out next.
/// Undoing re-inserts the reminders a transaction removed; running out of memory at that moment
/// terminates the process (rollback must not throw).
///
///     slotbook::memory_store store;
///     {
///       slotbook::transaction tx(store, slotbook::access::write);
///       const auto id = store.insert_session(s);
///       tx.commit();
///     }

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "slotbook/store.hpp"

namespace slotbook {

/// How a `memory_store` behaves.
///
///     slotbook::memory_store_options o;
///     o.lock_timeout = std::chrono::seconds{1};
struct memory_store_options {
  /// How long `begin` waits for the store's lock before `errc::storage`.
  std::chrono::milliseconds lock_timeout{5000};
};

/// A `store` held in process memory. Thread-safe as described in the file comment; nothing
/// survives the object.
///
///     slotbook::memory_store store;
///     slotbook::transaction tx(store, slotbook::access::read);
///     auto s = store.find_session(slotbook::session_id{1});  // std::nullopt
class memory_store final : public store {
 public:
  explicit memory_store(memory_store_options options = {});
  ~memory_store() override;

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

  /// Always true: memory does not go away.
  bool reachable() noexcept override;
  /// Nothing to scrub: removed records are gone with their memory (the allocator may keep the
  /// bytes until they are reused; a process dump is outside slotbook's reach). Returns true.
  bool scrub() override;

 protected:
  void begin(access mode) override;
  void commit() override;
  void rollback() noexcept override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace slotbook
