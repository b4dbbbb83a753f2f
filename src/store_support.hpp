#pragma once
// What both store backends (memory_store.cpp, sqlite_store.cpp) share: the record of which
// transactions are open on the calling thread, and the checks a record passes before it is
// stored. Internal to the compiled library; not installed.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "slotbook/availability.hpp"
#include "slotbook/error.hpp"
#include "slotbook/session.hpp"
#include "slotbook/slots.hpp"
#include "slotbook/store.hpp"

namespace slotbook::detail {

/// A transaction open on this thread: on which store, in which mode, and the backend's
/// per-transaction state (the SQLite connection; unused by memory_store).
struct open_transaction {
  const store* owner = nullptr;
  access mode = access::read;
  void* context = nullptr;
};

// Per thread, because the interface promises "only inside a transaction on the same store,
// opened on the calling thread": a data method finds its transaction here, and a call outside one
// is an error instead of a silent unguarded access. A thread rarely has more than one entry.
inline thread_local std::vector<open_transaction> open_transactions;

inline open_transaction* find_open_transaction(const store* owner) noexcept {
  for (open_transaction& t : open_transactions) {
    if (t.owner == owner) return &t;
  }
  return nullptr;
}

/// Throws when this thread already has a transaction on `owner` (they do not nest: the second
/// would wait for the first forever), and reserves room so that `add_open_transaction` cannot
/// throw once the backend holds its locks.
inline void prepare_open_transaction(const store* owner, std::string_view backend) {
  if (find_open_transaction(owner) != nullptr) {
    throw error(errc::storage,
                fmt::format("{}: this thread already has a transaction open on this store; "
                            "transactions do not nest",
                            backend));
  }
  open_transactions.reserve(open_transactions.size() + 1);
}

inline void add_open_transaction(const store* owner, access mode, void* context) noexcept {
  open_transactions.push_back({owner, mode, context});  // capacity reserved: does not throw
}

inline void remove_open_transaction(const store* owner) noexcept {
  std::erase_if(open_transactions, [owner](const open_transaction& t) { return t.owner == owner; });
}

/// The transaction `what` runs in; `errc::storage` outside one, or for a write in a read
/// transaction.
inline open_transaction& require_transaction(const store* owner, access needed,
                                             std::string_view backend, std::string_view what) {
  open_transaction* t = find_open_transaction(owner);
  if (t == nullptr) {
    throw error(errc::storage,
                fmt::format("{}: {} called outside a transaction (open a slotbook::transaction on "
                            "this thread first)",
                            backend, what));
  }
  if (needed == access::write && t->mode != access::write) {
    throw error(errc::storage,
                fmt::format("{}: {} writes, but the transaction is read-only", backend, what));
  }
  return *t;
}

/// A session the stores accept: exactly what `validate(s)` accepts. It bounds the duration (at
/// most 24 h) and every instant (years 1 to 9999), so `scheduled_at + duration` cannot overflow in
/// either store, and the longest duration bounds how far back an overlap query looks.
inline void check_storable(const session& s) { validate(s); }

/// A provider the stores accept: a real id, a valid schedule and slot rules, a price that is not
/// negative. Checked before storing so that what a store returns can always be used.
inline void check_storable(const provider_profile& p) {
  if (!p.id.ok()) {
    throw error(errc::invalid_argument, "provider.id: 0 is not a provider id (ids start at 1)");
  }
  validate(p.hours);
  validate(p.rules);
  if (p.price.is_negative()) {
    throw error(errc::invalid_argument, fmt::format("price: {} is negative", to_string(p.price)));
  }
}

/// A reminder the stores accept: it names a session and is for a client.
inline void check_storable(const reminder& r, client_id client) {
  if (!r.session.ok()) {
    throw error(errc::invalid_argument, "reminder.session: 0 is not a session id");
  }
  if (!client.ok()) {
    throw error(errc::invalid_argument, "reminder client: 0 is not a client id");
  }
}

/// An intake form the stores accept (see `store::put_intake`). Only the data key's header is
/// read, never any key: a store cannot check more without the keyring.
inline void check_storable(const stored_intake& f) {
  const sealed_intake& s = f.form;
  if (!s.id.ok() ||
      s.id.value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw error(errc::invalid_argument,
                fmt::format("intake.id: {} is not an intake id (1 to 2^63 - 1)", s.id.value));
  }
  if (!s.client.ok()) {
    throw error(errc::invalid_argument,
                fmt::format("intake.client: intake_form {} has no client id", s.id.value));
  }
  if (f.deleted()) {
    if (!s.data_key.bytes.empty() || s.personal_info || s.mental_health || s.goals ||
        s.consent != consent_step{} || s.completed_at) {
      throw error(errc::invalid_argument,
                  fmt::format("intake.deleted_at: intake_form {} is deleted but still holds its "
                              "data key, a sealed step, a consent or completed_at",
                              s.id.value));
    }
    return;
  }
  try {
    (void)key_version(s.data_key);
  } catch (const error&) {
    throw error(errc::invalid_argument,
                fmt::format("intake.data_key: intake_form {} has no wrapped data key ({} bytes)",
                            s.id.value, s.data_key.bytes.size()));
  }
}

/// True when a reminder can be claimed at `now`: pending, due, and past any retry time; or
/// claimed with a lease that has run out (or that was never set).
inline bool claimable(const queued_reminder& r, instant now) noexcept {
  if (r.state == reminder_state::pending) {
    return r.what.due <= now && (!r.next_attempt || *r.next_attempt <= now);
  }
  if (r.state == reminder_state::claimed) return !r.lease_until || *r.lease_until <= now;
  return false;
}

/// `begin - longest`, saturating at the earliest instant instead of overflowing.
inline std::int64_t seconds_before(instant begin, std::chrono::minutes longest) noexcept {
  const std::int64_t b = begin.time_since_epoch().count();
  const std::int64_t back = longest.count() * 60;  // longest <= 24 h (validate): no overflow
  if (b < std::numeric_limits<std::int64_t>::min() + back) {
    return std::numeric_limits<std::int64_t>::min();
  }
  return b - back;
}

constexpr bool is_active(session_status s) noexcept { return !is_terminal(s); }

}  // namespace slotbook::detail
