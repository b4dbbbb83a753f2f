// A store that forwards every call to another store: the base for test stores that change one
// behaviour of a real backend (a tampered audit log, a failing commit) and keep the rest real.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "slotbook/store.hpp"

namespace slotbook::testing {

class forwarding_store : public store {
 public:
  explicit forwarding_store(store& inner) : inner_(inner) {}

  std::optional<session> find_session(session_id id) override { return inner_.find_session(id); }
  std::optional<session> find_session_by_reference(std::string_view r) override {
    return inner_.find_session_by_reference(r);
  }
  std::vector<session> provider_sessions(provider_id p, interval r) override {
    return inner_.provider_sessions(p, r);
  }
  std::vector<session> client_sessions(client_id c, interval r) override {
    return inner_.client_sessions(c, r);
  }
  std::vector<session> active_provider_sessions(provider_id p, interval r) override {
    return inner_.active_provider_sessions(p, r);
  }
  std::vector<session> active_client_sessions(client_id c, interval r) override {
    return inner_.active_client_sessions(c, r);
  }
  std::vector<session> pending_holds(instant by, std::size_t limit) override {
    return inner_.pending_holds(by, limit);
  }
  series_id next_series_id() override { return inner_.next_series_id(); }
  std::vector<session> series_sessions(series_id series) override {
    return inner_.series_sessions(series);
  }
  void put_series(const series_record& r) override { inner_.put_series(r); }
  std::optional<series_record> find_series(series_id series) override {
    return inner_.find_series(series);
  }
  std::int64_t insert_seat(const seat& s) override { return inner_.insert_seat(s); }
  void update_seat(const seat& s) override { inner_.update_seat(s); }
  std::vector<seat> session_seats(session_id s) override { return inner_.session_seats(s); }
  std::vector<session> active_client_group_sessions(client_id c, interval r) override {
    return inner_.active_client_group_sessions(c, r);
  }
  std::int64_t insert_waitlist_entry(const waitlist_entry& e) override {
    return inner_.insert_waitlist_entry(e);
  }
  void update_waitlist_entry(const waitlist_entry& e) override { inner_.update_waitlist_entry(e); }
  std::optional<waitlist_entry> find_waitlist_entry(std::int64_t id) override {
    return inner_.find_waitlist_entry(id);
  }
  std::vector<waitlist_entry> open_waitlist_entries(provider_id p, interval r) override {
    return inner_.open_waitlist_entries(p, r);
  }
  std::vector<waitlist_entry> due_offers(instant now, std::size_t limit) override {
    return inner_.due_offers(now, limit);
  }
  std::vector<waitlist_entry> client_waitlist(client_id c) override {
    return inner_.client_waitlist(c);
  }
  std::vector<seat> unpaid_seats(instant created_by, std::size_t limit) override {
    return inner_.unpaid_seats(created_by, limit);
  }
  std::size_t replace_busy_blocks(provider_id p, std::string_view source, interval window,
                                  std::span<const busy_block> blocks) override {
    return inner_.replace_busy_blocks(p, source, window, blocks);
  }
  std::vector<busy_block> busy_blocks(provider_id p, interval r) override {
    return inner_.busy_blocks(p, r);
  }
  session_id insert_session(const session& s) override { return inner_.insert_session(s); }
  void update_session(const session& s) override { inner_.update_session(s); }
  std::uint64_t next_reference_sequence(int year) override {
    return inner_.next_reference_sequence(year);
  }
  void put_provider(const provider_profile& p) override { inner_.put_provider(p); }
  std::optional<provider_profile> find_provider(provider_id id) override {
    return inner_.find_provider(id);
  }
  std::vector<provider_id> provider_ids() override { return inner_.provider_ids(); }
  std::vector<std::int64_t> enqueue_reminders(std::span<const reminder> r, client_id c) override {
    return inner_.enqueue_reminders(r, c);
  }
  std::size_t remove_reminders(session_id s) override { return inner_.remove_reminders(s); }
  std::vector<queued_reminder> claim_due_reminders(instant now, std::size_t limit,
                                                   instant lease) override {
    return inner_.claim_due_reminders(now, limit, lease);
  }
  void update_reminder(const queued_reminder& r) override { inner_.update_reminder(r); }
  std::optional<queued_reminder> find_reminder(std::int64_t id) override {
    return inner_.find_reminder(id);
  }
  std::vector<queued_reminder> session_reminders(session_id s) override {
    return inner_.session_reminders(s);
  }
  reminder_backlog backlog(instant now) override { return inner_.backlog(now); }
  std::int64_t append_audit(const audit_entry& e) override { return inner_.append_audit(e); }
  std::optional<audit_entry> last_audit() override { return inner_.last_audit(); }
  std::vector<audit_entry> audit_entries(std::int64_t after, std::size_t limit) override {
    return inner_.audit_entries(after, limit);
  }
  intake_id next_intake_id() override { return inner_.next_intake_id(); }
  void put_intake(const stored_intake& f) override { inner_.put_intake(f); }
  std::optional<stored_intake> find_intake(intake_id id) override { return inner_.find_intake(id); }
  std::vector<stored_intake> client_intakes(client_id c) override {
    return inner_.client_intakes(c);
  }
  std::vector<stored_intake> intakes_to_rotate(std::uint32_t version, intake_id after,
                                               std::size_t limit) override {
    return inner_.intakes_to_rotate(version, after, limit);
  }
  std::vector<intake_id> purge_intakes(instant before, std::size_t limit) override {
    return inner_.purge_intakes(before, limit);
  }
  void mark_session_deleted(const session_deletion& d) override { inner_.mark_session_deleted(d); }
  std::optional<session_deletion> find_session_deletion(session_id id) override {
    return inner_.find_session_deletion(id);
  }
  std::vector<session_id> purge_sessions(instant before, std::size_t limit) override {
    return inner_.purge_sessions(before, limit);
  }
  bool reachable() noexcept override { return inner_.reachable(); }
  bool scrub() override { return inner_.scrub(); }

 protected:
  void begin(access mode) override { tx_.emplace(inner_, mode); }
  void commit() override {
    tx_->commit();
    tx_.reset();
  }
  void rollback() noexcept override { tx_.reset(); }

  store& inner() noexcept { return inner_; }

 private:
  store& inner_;
  std::optional<transaction> tx_;
};

}  // namespace slotbook::testing
