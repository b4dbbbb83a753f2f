// sqlite_store: the store on a SQLite file through SQLiteCpp. Locking, durability and the pool of
// connections are explained in sqlite_store.hpp; the schema is in sqlite_schema.cpp.

#include "slotbook/sqlite_store.hpp"

#include <algorithm>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include "slotbook/detail/quote.hpp"
#include "store_support.hpp"

namespace slotbook {

namespace {

constexpr std::string_view backend = "sqlite_store";

// --- SQL
// ------------------------------------------------------------------------------------------ Every
// statement is a named constant: its address keys the per-connection statement cache.

#define SLOTBOOK_SESSION_COLUMNS                                                         \
  "id, client_id, provider_id, scheduled_at, duration_minutes, status, session_type, "   \
  "booking_reference, notes, special_requests, amount_minor, currency, payment_status, " \
  "payment_method, transaction_id, refunded_minor, joined_at, ended_at, "                \
  "actual_duration_seconds, created_at, updated_at, cancelled_at, cancellation_reason, " \
  "cancelled_by, cancelled_from, rescheduled_from, rescheduled_to, reschedule_count, "   \
  "series_id, capacity"
#define SLOTBOOK_ACTIVE "status IN ('pending_payment', 'scheduled', 'confirmed', 'in_progress')"
#define SLOTBOOK_REMINDER_COLUMNS                                                              \
  "id, session_id, client_id, due_at, channel, before_minutes, state, attempts, lease_until, " \
  "next_attempt, sent_at, last_error"
#define SLOTBOOK_AUDIT_COLUMNS                                                                \
  "sequence, at, who_role, who_id, action, session_id, before_status, after_status, detail, " \
  "previous_hash, hash"
#define SLOTBOOK_CLAIMABLE                                                                     \
  "((state = 'pending' AND due_at <= ?1 AND (next_attempt IS NULL OR next_attempt <= ?1)) OR " \
  "(state = 'claimed' AND (lease_until IS NULL OR lease_until <= ?1)))"

constexpr char find_session_sql[] =
    "SELECT " SLOTBOOK_SESSION_COLUMNS " FROM sessions WHERE id = ?1";
constexpr char find_reference_sql[] =
    "SELECT " SLOTBOOK_SESSION_COLUMNS " FROM sessions WHERE booking_reference = ?1";
constexpr char longest_sql[] = "SELECT coalesce(max(duration_minutes), 0) FROM sessions";
// ?2 = range.begin - longest duration, ?3 = range.end, ?4 = range.begin.
constexpr char provider_range_sql[] =
    "SELECT " SLOTBOOK_SESSION_COLUMNS
    " FROM sessions WHERE provider_id = ?1 AND scheduled_at >= ?2 AND scheduled_at < ?3"
    " AND scheduled_at + 60 * duration_minutes > ?4 ORDER BY scheduled_at, id";
constexpr char client_range_sql[] =
    "SELECT " SLOTBOOK_SESSION_COLUMNS
    " FROM sessions WHERE client_id = ?1 AND scheduled_at >= ?2 AND scheduled_at < ?3"
    " AND scheduled_at + 60 * duration_minutes > ?4 ORDER BY scheduled_at, id";
// The status test repeats the partial indexes' WHERE clause word for word, so SQLite uses them.
constexpr char active_provider_range_sql[] =
    "SELECT " SLOTBOOK_SESSION_COLUMNS " FROM sessions WHERE " SLOTBOOK_ACTIVE
    " AND provider_id = ?1 AND scheduled_at >= ?2 AND scheduled_at < ?3"
    " AND scheduled_at + 60 * duration_minutes > ?4 ORDER BY scheduled_at, id";
constexpr char active_client_range_sql[] =
    "SELECT " SLOTBOOK_SESSION_COLUMNS " FROM sessions WHERE " SLOTBOOK_ACTIVE
    " AND client_id = ?1 AND scheduled_at >= ?2 AND scheduled_at < ?3"
    " AND scheduled_at + 60 * duration_minutes > ?4 ORDER BY scheduled_at, id";
constexpr char pending_holds_sql[] =
    "SELECT " SLOTBOOK_SESSION_COLUMNS
    " FROM sessions WHERE status = 'pending_payment' AND created_at <= ?1"
    " ORDER BY created_at, id LIMIT ?2";
constexpr char insert_session_sql[] =
    "INSERT INTO sessions (" SLOTBOOK_SESSION_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)";
constexpr char update_session_sql[] =
    "UPDATE sessions SET client_id = ?2, provider_id = ?3, scheduled_at = ?4,"
    " duration_minutes = ?5, status = ?6, session_type = ?7, booking_reference = ?8, notes = ?9,"
    " special_requests = ?10, amount_minor = ?11, currency = ?12, payment_status = ?13,"
    " payment_method = ?14, transaction_id = ?15, refunded_minor = ?16, joined_at = ?17,"
    " ended_at = ?18, actual_duration_seconds = ?19, created_at = ?20, updated_at = ?21,"
    " cancelled_at = ?22, cancellation_reason = ?23, cancelled_by = ?24, cancelled_from = ?25,"
    " rescheduled_from = ?26, rescheduled_to = ?27, reschedule_count = ?28, series_id = ?29,"
    " capacity = ?30 WHERE id = ?1";
constexpr char session_exists_sql[] = "SELECT 1 FROM sessions WHERE id = ?1";
// The WHERE clause implies the partial index's condition (series_id IS NOT NULL).
constexpr char series_sessions_sql[] =
    "SELECT " SLOTBOOK_SESSION_COLUMNS
    " FROM sessions WHERE series_id = ?1 ORDER BY scheduled_at, id";
// Above both the last id handed out and every series id stored on a session or in a series record
// (a host may insert sessions with series ids it chose).
#define SLOTBOOK_TOP_SERIES                                                     \
  "max((SELECT coalesce(max(series_id), 0) FROM sessions WHERE series_id > 0)," \
  " (SELECT coalesce(max(id), 0) FROM series WHERE id > 0))"
constexpr char next_series_id_sql[] =
    "INSERT INTO id_sequences (name, last_id) VALUES ('series', " SLOTBOOK_TOP_SERIES
    " + 1)"
    " ON CONFLICT (name) DO UPDATE SET last_id = max(last_id, " SLOTBOOK_TOP_SERIES
    ") + 1"
    " RETURNING last_id";
#undef SLOTBOOK_TOP_SERIES
#define SLOTBOOK_SERIES_COLUMNS                                                          \
  "id, provider_id, client_id, rule, first_date, first_second, zone, duration_minutes, " \
  "session_type, created_at"
constexpr char insert_series_sql[] = "INSERT INTO series (" SLOTBOOK_SERIES_COLUMNS
                                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr char find_series_sql[] = "SELECT " SLOTBOOK_SERIES_COLUMNS " FROM series WHERE id = ?1";
#define SLOTBOOK_SEAT_COLUMNS                                                                   \
  "id, session_id, client_id, status, amount_minor, currency, payment_status, payment_method, " \
  "transaction_id, refunded_minor, created_at, updated_at, cancelled_at, cancellation_reason, " \
  "cancelled_by"
constexpr char insert_seat_sql[] =
    "INSERT INTO session_seats (" SLOTBOOK_SEAT_COLUMNS
    ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) RETURNING id";
constexpr char update_seat_sql[] =
    "UPDATE session_seats SET status = ?4, amount_minor = ?5, currency = ?6,"
    " payment_status = ?7, payment_method = ?8, transaction_id = ?9, refunded_minor = ?10,"
    " created_at = ?11, updated_at = ?12, cancelled_at = ?13, cancellation_reason = ?14,"
    " cancelled_by = ?15 WHERE id = ?1 AND session_id = ?2 AND client_id = ?3";
constexpr char find_seat_sql[] = "SELECT session_id, client_id FROM session_seats WHERE id = ?1";
constexpr char group_exists_sql[] =
    "SELECT 1 FROM sessions WHERE id = ?1 AND session_type = 'group'";
constexpr char active_seat_sql[] =
    "SELECT id FROM session_seats WHERE session_id = ?1 AND client_id = ?2"
    " AND status = 'scheduled' AND id IS NOT ?3";
constexpr char session_seats_sql[] =
    "SELECT " SLOTBOOK_SEAT_COLUMNS " FROM session_seats WHERE session_id = ?1 ORDER BY id";
// ?2 = range.end, ?3 = range.begin. Few seats per client: no time index is needed.
constexpr char client_group_sessions_sql[] =
    "SELECT " SLOTBOOK_SESSION_COLUMNS " FROM sessions WHERE " SLOTBOOK_ACTIVE
    " AND id IN (SELECT session_id FROM session_seats WHERE client_id = ?1"
    " AND status = 'scheduled') AND scheduled_at < ?2"
    " AND scheduled_at + 60 * duration_minutes > ?3 ORDER BY scheduled_at, id";
// The status, payment and amount tests repeat the partial index's WHERE clause.
constexpr char unpaid_seats_sql[] =
    "SELECT " SLOTBOOK_SEAT_COLUMNS
    " FROM session_seats WHERE status = 'scheduled'"
    " AND payment_status = 'pending' AND amount_minor > 0 AND created_at <= ?1"
    " ORDER BY created_at, id LIMIT ?2";
constexpr char purge_session_seats_sql[] = "DELETE FROM session_seats WHERE session_id = ?1";
#define SLOTBOOK_WAITLIST_COLUMNS                                                        \
  "id, provider_id, client_id, range_begin, range_end, session_type, earliest_minute, "  \
  "latest_minute, state, joined_at, updated_at, offer_begin, offer_end, offer_expires, " \
  "booked_session"
constexpr char insert_waitlist_sql[] = "INSERT INTO waitlist (" SLOTBOOK_WAITLIST_COLUMNS
                                       ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7,"
                                       " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) RETURNING id";
constexpr char update_waitlist_sql[] =
    "UPDATE waitlist SET range_begin = ?4, range_end = ?5, session_type = ?6,"
    " earliest_minute = ?7, latest_minute = ?8, state = ?9, joined_at = ?10, updated_at = ?11,"
    " offer_begin = ?12, offer_end = ?13, offer_expires = ?14, booked_session = ?15"
    " WHERE id = ?1 AND provider_id = ?2 AND client_id = ?3";
constexpr char find_waitlist_sql[] =
    "SELECT " SLOTBOOK_WAITLIST_COLUMNS " FROM waitlist WHERE id = ?1";
// The state test repeats the partial index's WHERE clause, so SQLite uses it.
constexpr char open_waitlist_sql[] =
    "SELECT " SLOTBOOK_WAITLIST_COLUMNS
    " FROM waitlist WHERE state IN ('waiting', 'offered')"
    " AND provider_id = ?1 AND range_begin < ?2 AND range_end > ?3 ORDER BY joined_at, id";
constexpr char due_offers_sql[] = "SELECT " SLOTBOOK_WAITLIST_COLUMNS
                                  " FROM waitlist WHERE state = 'offered'"
                                  " AND offer_expires <= ?1 ORDER BY offer_expires, id LIMIT ?2";
constexpr char client_waitlist_sql[] =
    "SELECT " SLOTBOOK_WAITLIST_COLUMNS " FROM waitlist WHERE client_id = ?1 ORDER BY id";
#define SLOTBOOK_BUSY_COLUMNS "provider_id, source, uid, begin_at, end_at, all_day, imported_at"
constexpr char insert_busy_sql[] =
    "INSERT INTO busy_blocks (" SLOTBOOK_BUSY_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
// ?2 = window.end, ?3 = window.begin.
constexpr char remove_busy_sql[] =
    "DELETE FROM busy_blocks WHERE provider_id = ?1 AND source = ?4 AND begin_at < ?2"
    " AND end_at > ?3 AND begin_at > ?3 - 366 * 86400";
// ?2 = range.end, ?3 = range.begin; a block lasts at most 366 days, which bounds the index scan.
constexpr char busy_blocks_sql[] =
    "SELECT " SLOTBOOK_BUSY_COLUMNS
    " FROM busy_blocks WHERE provider_id = ?1 AND begin_at < ?2"
    " AND end_at > ?3 AND begin_at > ?3 - 366 * 86400 ORDER BY begin_at, end_at, source, uid";
constexpr char reference_owner_sql[] = "SELECT id FROM sessions WHERE booking_reference = ?1";
constexpr char next_sequence_sql[] =
    "INSERT INTO reference_sequences (year, last_sequence) VALUES (?1, 1)"
    " ON CONFLICT (year) DO UPDATE SET last_sequence = last_sequence + 1 RETURNING last_sequence";

constexpr char put_provider_sql[] =
    "INSERT INTO providers (id, name, active, price_minor, currency, zone, schedule_active,"
    " effective_from, effective_until, slot_minutes, step_minutes, buffer_before_minutes,"
    " buffer_after_minutes, minimum_notice_minutes, maximum_advance_minutes, max_per_day,"
    " alignment, requires_intake) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
    " ?14, ?15, ?16, ?17, ?18) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
    " active = excluded.active,"
    " price_minor = excluded.price_minor, currency = excluded.currency, zone = excluded.zone,"
    " schedule_active = excluded.schedule_active, effective_from = excluded.effective_from,"
    " effective_until = excluded.effective_until, slot_minutes = excluded.slot_minutes,"
    " step_minutes = excluded.step_minutes,"
    " buffer_before_minutes = excluded.buffer_before_minutes,"
    " buffer_after_minutes = excluded.buffer_after_minutes,"
    " minimum_notice_minutes = excluded.minimum_notice_minutes,"
    " maximum_advance_minutes = excluded.maximum_advance_minutes,"
    " max_per_day = excluded.max_per_day, alignment = excluded.alignment,"
    " requires_intake = excluded.requires_intake";
constexpr char delete_windows_sql[] = "DELETE FROM provider_windows WHERE provider_id = ?1";
// Cascades to provider_exception_hours.
constexpr char delete_exceptions_sql[] = "DELETE FROM provider_exceptions WHERE provider_id = ?1";
constexpr char insert_window_sql[] =
    "INSERT INTO provider_windows (provider_id, position, weekday, start_minute, end_minute)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char insert_exception_sql[] =
    "INSERT INTO provider_exceptions (provider_id, position, day, available, reason)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char insert_exception_hours_sql[] =
    "INSERT INTO provider_exception_hours (provider_id, exception_position, position,"
    " start_minute, end_minute) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char find_provider_sql[] =
    "SELECT id, name, active, price_minor, currency, zone, schedule_active, effective_from,"
    " effective_until, slot_minutes, step_minutes, buffer_before_minutes, buffer_after_minutes,"
    " minimum_notice_minutes, maximum_advance_minutes, max_per_day, alignment, requires_intake"
    " FROM providers WHERE id = ?1";
constexpr char find_windows_sql[] =
    "SELECT weekday, start_minute, end_minute FROM provider_windows WHERE provider_id = ?1"
    " ORDER BY position";
constexpr char find_exceptions_sql[] =
    "SELECT position, day, available, reason FROM provider_exceptions WHERE provider_id = ?1"
    " ORDER BY position";
constexpr char find_exception_hours_sql[] =
    "SELECT exception_position, start_minute, end_minute FROM provider_exception_hours"
    " WHERE provider_id = ?1 ORDER BY exception_position, position";
constexpr char provider_ids_sql[] = "SELECT id FROM providers";

constexpr char enqueue_reminder_sql[] =
    "INSERT INTO reminder_queue (session_id, client_id, due_at, channel, before_minutes, state)"
    " VALUES (?1, ?2, ?3, ?4, ?5, 'pending')";
constexpr char remove_reminders_sql[] =
    "DELETE FROM reminder_queue WHERE session_id = ?1 AND state IN ('pending', 'claimed')";
constexpr char claim_reminders_sql[] =
    "UPDATE reminder_queue SET state = 'claimed', lease_until = ?2,"
    " attempts = min(attempts + 1, 2147483647)"
    " WHERE id IN (SELECT id FROM reminder_queue WHERE " SLOTBOOK_CLAIMABLE
    " ORDER BY due_at, id LIMIT ?3) RETURNING " SLOTBOOK_REMINDER_COLUMNS;
constexpr char update_reminder_sql[] =
    "UPDATE reminder_queue SET state = ?2, attempts = ?3, lease_until = ?4, next_attempt = ?5,"
    " sent_at = ?6, last_error = ?7 WHERE id = ?1";
constexpr char find_reminder_sql[] =
    "SELECT " SLOTBOOK_REMINDER_COLUMNS " FROM reminder_queue WHERE id = ?1";
constexpr char session_reminders_sql[] =
    "SELECT " SLOTBOOK_REMINDER_COLUMNS
    " FROM reminder_queue WHERE session_id = ?1 ORDER BY due_at, id";
constexpr char backlog_due_sql[] =
    "SELECT count(*), min(due_at) FROM reminder_queue WHERE " SLOTBOOK_CLAIMABLE;
constexpr char backlog_waiting_sql[] =
    "SELECT count(*) FROM reminder_queue WHERE state = 'pending'"
    " AND NOT (due_at <= ?1 AND (next_attempt IS NULL OR next_attempt <= ?1))";

constexpr char append_audit_sql[] =
    "INSERT INTO audit_log (at, who_role, who_id, action, session_id, before_status,"
    " after_status, detail, previous_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr char last_audit_sql[] =
    "SELECT " SLOTBOOK_AUDIT_COLUMNS " FROM audit_log ORDER BY sequence DESC LIMIT 1";
constexpr char audit_entries_sql[] =
    "SELECT " SLOTBOOK_AUDIT_COLUMNS
    " FROM audit_log WHERE sequence > ?1 ORDER BY sequence LIMIT ?2";

#define SLOTBOOK_INTAKE_COLUMNS                                                              \
  "id, client_id, session_id, data_key, key_version, personal_info, mental_health, goals, "  \
  "consent_to_treatment, confidentiality_agreement, data_processing_consent, completed_at, " \
  "created_at, updated_at, deleted_at, deletion_reason"

// The next id is above both the last one handed out and every id stored (put_intake may store a
// form under an id it chose).
constexpr char next_intake_id_sql[] =
    "INSERT INTO id_sequences (name, last_id) VALUES ('intake_forms',"
    " (SELECT coalesce(max(id), 0) + 1 FROM intake_forms)) ON CONFLICT (name) DO UPDATE"
    " SET last_id = max(last_id, (SELECT coalesce(max(id), 0) FROM intake_forms)) + 1"
    " RETURNING last_id";
constexpr char put_intake_sql[] =
    "INSERT INTO intake_forms (" SLOTBOOK_INTAKE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    " ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id,"
    " session_id = excluded.session_id, data_key = excluded.data_key,"
    " key_version = excluded.key_version, personal_info = excluded.personal_info,"
    " mental_health = excluded.mental_health, goals = excluded.goals,"
    " consent_to_treatment = excluded.consent_to_treatment,"
    " confidentiality_agreement = excluded.confidentiality_agreement,"
    " data_processing_consent = excluded.data_processing_consent,"
    " completed_at = excluded.completed_at, created_at = excluded.created_at,"
    " updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,"
    " deletion_reason = excluded.deletion_reason";
constexpr char find_intake_sql[] =
    "SELECT " SLOTBOOK_INTAKE_COLUMNS " FROM intake_forms WHERE id = ?1";
constexpr char client_intakes_sql[] =
    "SELECT " SLOTBOOK_INTAKE_COLUMNS " FROM intake_forms WHERE client_id = ?1 ORDER BY id";
constexpr char intakes_to_rotate_sql[] =
    "SELECT " SLOTBOOK_INTAKE_COLUMNS
    " FROM intake_forms"
    " WHERE id > ?2 AND data_key IS NOT NULL AND key_version <> ?1 ORDER BY id LIMIT ?3";
// The WHERE clause repeats the partial index's condition, so SQLite uses it.
constexpr char purge_intakes_sql[] =
    "DELETE FROM intake_forms WHERE id IN (SELECT id FROM intake_forms"
    " WHERE deleted_at IS NOT NULL AND deleted_at < ?1 ORDER BY deleted_at, id LIMIT ?2)"
    " RETURNING id";
constexpr char mark_deleted_sql[] =
    "INSERT INTO session_deletions (session_id, deleted_at, reason) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (session_id) DO UPDATE SET deleted_at = excluded.deleted_at,"
    " reason = excluded.reason";
constexpr char find_deletion_sql[] =
    "SELECT session_id, deleted_at, reason FROM session_deletions WHERE session_id = ?1";
constexpr char deleted_sessions_sql[] =
    "SELECT session_id FROM session_deletions WHERE deleted_at < ?1"
    " ORDER BY deleted_at, session_id LIMIT ?2";
constexpr char purge_session_reminders_sql[] = "DELETE FROM reminder_queue WHERE session_id = ?1";
// Cascades to session_deletions.
constexpr char purge_session_sql[] = "DELETE FROM sessions WHERE id = ?1";

#undef SLOTBOOK_INTAKE_COLUMNS
#undef SLOTBOOK_SESSION_COLUMNS

#undef SLOTBOOK_ACTIVE
#undef SLOTBOOK_REMINDER_COLUMNS
#undef SLOTBOOK_AUDIT_COLUMNS
#undef SLOTBOOK_CLAIMABLE

// --- values in and out
// ----------------------------------------------------------------------------

// Ids are unsigned 64-bit; SQLite integers are signed. Stored bit for bit: an id above 2^63 - 1
// reads back exactly but sorts before the small ones in SQL, so C++ sorts where order matters.
std::int64_t as_sql(std::uint64_t id) noexcept { return static_cast<std::int64_t>(id); }
std::int64_t as_sql(instant t) noexcept {
  return static_cast<std::int64_t>(t.time_since_epoch().count());
}
std::int64_t sql_limit(std::size_t limit) noexcept {
  return limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::int64_t>::max()
             : static_cast<std::int64_t>(limit);
}

void bind_text(SQLite::Statement& st, int index, std::string_view text) {
  st.bind(index, std::string(text));
}
void bind_optional(SQLite::Statement& st, int index, const std::optional<instant>& t) {
  if (t) {
    st.bind(index, as_sql(*t));
  } else {
    st.bind(index);
  }
}
void bind_id_or_null(SQLite::Statement& st, int index, std::uint64_t id) {
  if (id != 0) {
    st.bind(index, as_sql(id));
  } else {
    st.bind(index);
  }
}

std::uint64_t read_id(const SQLite::Column& c) { return static_cast<std::uint64_t>(c.getInt64()); }
instant read_instant(const SQLite::Column& c) {
  return instant{std::chrono::seconds{c.getInt64()}};
}
std::optional<instant> read_optional_instant(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return read_instant(c);
}

// A value in the file that slotbook cannot read: the CHECK constraints make this a sign of a
// corrupt file or of SQL that bypassed them.
[[noreturn]] void unreadable(std::string_view column, std::string_view text) {
  throw error(errc::storage, fmt::format("{}: column {} holds {}, which slotbook cannot read",
                                         backend, column, detail::quote(text)));
}

template <class Parse>
auto read_enum(const SQLite::Column& c, std::string_view column, Parse parse) {
  const std::string text = c.getString();
  try {
    return parse(text);
  } catch (const error&) {
    unreadable(column, text);
  }
}

std::string_view to_sql(slot_alignment a) {
  return a == slot_alignment::fixed_grid ? "fixed_grid" : "run_start";
}
slot_alignment read_alignment(const SQLite::Column& c) {
  const std::string text = c.getString();
  if (text == "run_start") return slot_alignment::run_start;
  if (text == "fixed_grid") return slot_alignment::fixed_grid;
  unreadable("alignment", text);
}

reminder_state read_reminder_state(const SQLite::Column& c) {
  const std::string text = c.getString();
  for (reminder_state s : {reminder_state::pending, reminder_state::claimed, reminder_state::sent,
                           reminder_state::failed}) {
    if (text == to_string(s)) return s;
  }
  unreadable("state", text);
}

date::year_month_day read_date(const SQLite::Column& c, std::string_view column) {
  const std::string text = c.getString();
  try {
    return parse_date(text);
  } catch (const error&) {
    unreadable(column, text);
  }
}

std::int32_t read_int32(const SQLite::Column& c, std::string_view column) {
  const std::int64_t v = c.getInt64();
  if (v < std::numeric_limits<std::int32_t>::min() ||
      v > std::numeric_limits<std::int32_t>::max()) {
    unreadable(column, std::to_string(v));
  }
  return static_cast<std::int32_t>(v);
}

void bind_session(SQLite::Statement& st, const session& s) {
  bind_id_or_null(st, 1, s.id.value);
  st.bind(2, as_sql(s.client.value));
  st.bind(3, as_sql(s.provider.value));
  st.bind(4, as_sql(s.scheduled_at));
  st.bind(5, static_cast<std::int64_t>(s.duration.count()));
  bind_text(st, 6, to_string(s.status));
  bind_text(st, 7, to_string(s.type));
  if (s.booking_reference.empty()) {
    st.bind(8);
  } else {
    bind_text(st, 8, s.booking_reference);
  }
  bind_text(st, 9, s.notes);
  bind_text(st, 10, s.special_requests);
  st.bind(11, static_cast<std::int64_t>(s.amount.minor_units()));
  bind_text(st, 12, s.amount.currency_code().code());
  bind_text(st, 13, to_string(s.payment));
  bind_text(st, 14, s.payment_method);
  bind_text(st, 15, s.transaction_id);
  st.bind(16, static_cast<std::int64_t>(s.refunded_minor));
  bind_optional(st, 17, s.joined_at);
  bind_optional(st, 18, s.ended_at);
  if (s.actual_duration) {
    st.bind(19, static_cast<std::int64_t>(s.actual_duration->count()));
  } else {
    st.bind(19);
  }
  st.bind(20, as_sql(s.created_at));
  st.bind(21, as_sql(s.updated_at));
  bind_optional(st, 22, s.cancelled_at);
  bind_text(st, 23, s.cancellation_reason);
  if (s.cancelled_by) {
    bind_text(st, 24, to_string(*s.cancelled_by));
  } else {
    st.bind(24);
  }
  if (s.cancelled_from) {
    bind_text(st, 25, to_string(*s.cancelled_from));
  } else {
    st.bind(25);
  }
  bind_id_or_null(st, 26, s.rescheduled_from.value);
  bind_id_or_null(st, 27, s.rescheduled_to.value);
  st.bind(28, static_cast<std::int64_t>(s.reschedule_count));
  bind_id_or_null(st, 29, s.series.value);
  st.bind(30, static_cast<std::int64_t>(s.capacity));
}

session read_session(const SQLite::Statement& st) {
  session s;
  s.id = session_id{read_id(st.getColumn(0))};
  s.client = client_id{read_id(st.getColumn(1))};
  s.provider = provider_id{read_id(st.getColumn(2))};
  s.scheduled_at = read_instant(st.getColumn(3));
  s.duration = std::chrono::minutes{st.getColumn(4).getInt64()};
  s.status = read_enum(st.getColumn(5), "status",
                       [](std::string_view t) { return parse_session_status(t); });
  s.type = read_enum(st.getColumn(6), "session_type",
                     [](std::string_view t) { return parse_session_type(t); });
  if (!st.getColumn(7).isNull()) s.booking_reference = st.getColumn(7).getString();
  s.notes = st.getColumn(8).getString();
  s.special_requests = st.getColumn(9).getString();
  const currency code = read_enum(st.getColumn(11), "currency",
                                  [](std::string_view t) { return currency::parse(t); });
  s.amount = money{st.getColumn(10).getInt64(), code};
  s.payment = read_enum(st.getColumn(12), "payment_status",
                        [](std::string_view t) { return parse_payment_status(t); });
  s.payment_method = st.getColumn(13).getString();
  s.transaction_id = st.getColumn(14).getString();
  s.refunded_minor = st.getColumn(15).getInt64();
  s.joined_at = read_optional_instant(st.getColumn(16));
  s.ended_at = read_optional_instant(st.getColumn(17));
  if (!st.getColumn(18).isNull()) {
    s.actual_duration = std::chrono::seconds{st.getColumn(18).getInt64()};
  }
  s.created_at = read_instant(st.getColumn(19));
  s.updated_at = read_instant(st.getColumn(20));
  s.cancelled_at = read_optional_instant(st.getColumn(21));
  s.cancellation_reason = st.getColumn(22).getString();
  if (!st.getColumn(23).isNull()) {
    s.cancelled_by = read_enum(st.getColumn(23), "cancelled_by",
                               [](std::string_view t) { return parse_role(t); });
  }
  if (!st.getColumn(24).isNull()) {
    s.cancelled_from = read_enum(st.getColumn(24), "cancelled_from",
                                 [](std::string_view t) { return parse_session_status(t); });
  }
  if (!st.getColumn(25).isNull()) s.rescheduled_from = session_id{read_id(st.getColumn(25))};
  if (!st.getColumn(26).isNull()) s.rescheduled_to = session_id{read_id(st.getColumn(26))};
  s.reschedule_count = read_int32(st.getColumn(27), "reschedule_count");
  if (!st.getColumn(28).isNull()) s.series = series_id{read_id(st.getColumn(28))};
  s.capacity = read_int32(st.getColumn(29), "capacity");
  return s;
}

void bind_seat(SQLite::Statement& st, const seat& s) {
  st.bind(1, static_cast<std::int64_t>(s.id));
  st.bind(2, as_sql(s.session.value));
  st.bind(3, as_sql(s.client.value));
  bind_text(st, 4, to_string(s.status));
  st.bind(5, static_cast<std::int64_t>(s.amount.minor_units()));
  bind_text(st, 6, s.amount.currency_code().code());
  bind_text(st, 7, to_string(s.payment));
  bind_text(st, 8, s.payment_method);
  bind_text(st, 9, s.transaction_id);
  st.bind(10, static_cast<std::int64_t>(s.refunded_minor));
  st.bind(11, as_sql(s.created_at));
  st.bind(12, as_sql(s.updated_at));
  bind_optional(st, 13, s.cancelled_at);
  bind_text(st, 14, s.cancellation_reason);
  if (s.cancelled_by) {
    bind_text(st, 15, to_string(*s.cancelled_by));
  } else {
    st.bind(15);
  }
}

seat read_seat(const SQLite::Statement& st) {
  seat s;
  s.id = st.getColumn(0).getInt64();
  s.session = session_id{read_id(st.getColumn(1))};
  s.client = client_id{read_id(st.getColumn(2))};
  s.status = read_enum(st.getColumn(3), "status",
                       [](std::string_view t) { return parse_session_status(t); });
  const currency code =
      read_enum(st.getColumn(5), "currency", [](std::string_view t) { return currency::parse(t); });
  s.amount = money{st.getColumn(4).getInt64(), code};
  s.payment = read_enum(st.getColumn(6), "payment_status",
                        [](std::string_view t) { return parse_payment_status(t); });
  s.payment_method = st.getColumn(7).getString();
  s.transaction_id = st.getColumn(8).getString();
  s.refunded_minor = st.getColumn(9).getInt64();
  s.created_at = read_instant(st.getColumn(10));
  s.updated_at = read_instant(st.getColumn(11));
  s.cancelled_at = read_optional_instant(st.getColumn(12));
  s.cancellation_reason = st.getColumn(13).getString();
  if (!st.getColumn(14).isNull()) {
    s.cancelled_by = read_enum(st.getColumn(14), "cancelled_by",
                               [](std::string_view t) { return parse_role(t); });
  }
  return s;
}

void bind_waitlist(SQLite::Statement& st, const waitlist_entry& e) {
  st.bind(1, static_cast<std::int64_t>(e.id));
  st.bind(2, as_sql(e.provider.value));
  st.bind(3, as_sql(e.client.value));
  st.bind(4, as_sql(e.range.begin));
  st.bind(5, as_sql(e.range.end));
  bind_text(st, 6, to_string(e.type));
  for (const auto& [index, t] : {std::pair{7, e.earliest_local}, std::pair{8, e.latest_local}}) {
    if (t) {
      st.bind(index, static_cast<std::int64_t>(t->count()));
    } else {
      st.bind(index);
    }
  }
  bind_text(st, 9, to_string(e.state));
  st.bind(10, as_sql(e.joined_at));
  st.bind(11, as_sql(e.updated_at));
  if (e.offer) {
    st.bind(12, as_sql(e.offer->begin));
    st.bind(13, as_sql(e.offer->end));
  } else {
    st.bind(12);
    st.bind(13);
  }
  bind_optional(st, 14, e.offer_expires);
  bind_id_or_null(st, 15, e.booked.value);
}

waitlist_entry read_waitlist(const SQLite::Statement& st) {
  waitlist_entry e;
  e.id = st.getColumn(0).getInt64();
  e.provider = provider_id{read_id(st.getColumn(1))};
  e.client = client_id{read_id(st.getColumn(2))};
  e.range = {read_instant(st.getColumn(3)), read_instant(st.getColumn(4))};
  e.type = read_enum(st.getColumn(5), "session_type",
                     [](std::string_view t) { return parse_session_type(t); });
  if (!st.getColumn(6).isNull())
    e.earliest_local = std::chrono::minutes{st.getColumn(6).getInt64()};
  if (!st.getColumn(7).isNull()) e.latest_local = std::chrono::minutes{st.getColumn(7).getInt64()};
  e.state = read_enum(st.getColumn(8), "state",
                      [](std::string_view t) { return parse_waitlist_state(t); });
  e.joined_at = read_instant(st.getColumn(9));
  e.updated_at = read_instant(st.getColumn(10));
  if (!st.getColumn(11).isNull()) {
    e.offer = interval{read_instant(st.getColumn(11)), read_instant(st.getColumn(12))};
  }
  e.offer_expires = read_optional_instant(st.getColumn(13));
  if (!st.getColumn(14).isNull()) e.booked = session_id{read_id(st.getColumn(14))};
  return e;
}

queued_reminder read_reminder(const SQLite::Statement& st) {
  queued_reminder r;
  r.id = st.getColumn(0).getInt64();
  r.what.session = session_id{read_id(st.getColumn(1))};
  r.client = client_id{read_id(st.getColumn(2))};
  r.what.due = read_instant(st.getColumn(3));
  r.what.channel = read_enum(st.getColumn(4), "channel",
                             [](std::string_view t) { return parse_reminder_channel(t); });
  r.what.before = std::chrono::minutes{st.getColumn(5).getInt64()};
  r.state = read_reminder_state(st.getColumn(6));
  r.attempts = read_int32(st.getColumn(7), "attempts");
  r.lease_until = read_optional_instant(st.getColumn(8));
  r.next_attempt = read_optional_instant(st.getColumn(9));
  r.sent_at = read_optional_instant(st.getColumn(10));
  r.last_error = st.getColumn(11).getString();
  return r;
}

audit_entry read_audit(const SQLite::Statement& st) {
  audit_entry e;
  e.sequence = st.getColumn(0).getInt64();
  e.at = read_instant(st.getColumn(1));
  e.who_role =
      read_enum(st.getColumn(2), "who_role", [](std::string_view t) { return parse_role(t); });
  e.who_id = read_id(st.getColumn(3));
  e.action = st.getColumn(4).getString();
  e.session = session_id{read_id(st.getColumn(5))};
  if (!st.getColumn(6).isNull()) {
    e.before = read_enum(st.getColumn(6), "before_status",
                         [](std::string_view t) { return parse_session_status(t); });
  }
  if (!st.getColumn(7).isNull()) {
    e.after = read_enum(st.getColumn(7), "after_status",
                        [](std::string_view t) { return parse_session_status(t); });
  }
  e.detail = st.getColumn(8).getString();
  e.previous_hash = st.getColumn(9).getString();
  e.hash = st.getColumn(10).getString();
  return e;
}

void bind_blob(SQLite::Statement& st, int index, const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty()) {
    st.bind(index);
  } else {
    st.bind(index, bytes.data(), static_cast<int>(bytes.size()));
  }
}

void bind_blob(SQLite::Statement& st, int index, const std::optional<sealed_field>& field) {
  if (field) {
    bind_blob(st, index, field->bytes);
  } else {
    st.bind(index);
  }
}

std::vector<std::uint8_t> read_blob(const SQLite::Column& c) {
  const auto* p = static_cast<const std::uint8_t*>(c.getBlob());
  const int n = c.getBytes();
  if (p == nullptr || n <= 0) return {};
  return std::vector<std::uint8_t>(p, p + n);
}

std::optional<sealed_field> read_sealed(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return sealed_field{read_blob(c)};
}

void bind_intake(SQLite::Statement& st, const stored_intake& f) {
  const sealed_intake& s = f.form;
  st.bind(1, as_sql(s.id.value));
  st.bind(2, as_sql(s.client.value));
  bind_id_or_null(st, 3, s.session.value);
  bind_blob(st, 4, s.data_key.bytes);
  if (f.deleted()) {
    st.bind(5);
  } else {
    st.bind(5, static_cast<std::int64_t>(key_version(s.data_key)));
  }
  bind_blob(st, 6, s.personal_info);
  bind_blob(st, 7, s.mental_health);
  bind_blob(st, 8, s.goals);
  st.bind(9, s.consent.consent_to_treatment ? 1 : 0);
  st.bind(10, s.consent.confidentiality_agreement ? 1 : 0);
  st.bind(11, s.consent.data_processing_consent ? 1 : 0);
  bind_optional(st, 12, s.completed_at);
  st.bind(13, as_sql(f.created_at));
  st.bind(14, as_sql(f.updated_at));
  bind_optional(st, 15, f.deleted_at);
  bind_text(st, 16, f.deletion_reason);
}

stored_intake read_intake(const SQLite::Statement& st) {
  stored_intake f;
  sealed_intake& s = f.form;
  s.id = intake_id{read_id(st.getColumn(0))};
  s.client = client_id{read_id(st.getColumn(1))};
  if (!st.getColumn(2).isNull()) s.session = session_id{read_id(st.getColumn(2))};
  s.data_key.bytes = read_blob(st.getColumn(3));
  // Column 4 (key_version) repeats the data key's header for SQL; the header is what counts.
  s.personal_info = read_sealed(st.getColumn(5));
  s.mental_health = read_sealed(st.getColumn(6));
  s.goals = read_sealed(st.getColumn(7));
  s.consent.consent_to_treatment = st.getColumn(8).getInt64() != 0;
  s.consent.confidentiality_agreement = st.getColumn(9).getInt64() != 0;
  s.consent.data_processing_consent = st.getColumn(10).getInt64() != 0;
  s.completed_at = read_optional_instant(st.getColumn(11));
  f.created_at = read_instant(st.getColumn(12));
  f.updated_at = read_instant(st.getColumn(13));
  f.deleted_at = read_optional_instant(st.getColumn(14));
  f.deletion_reason = st.getColumn(15).getString();
  return f;
}

// Resets a cached statement when a call is done with it, even on an exception, so that no
// statement stays active across commit or rollback.
class statement_use {
 public:
  explicit statement_use(SQLite::Statement& st) noexcept : st_(st) {}
  statement_use(const statement_use&) = delete;
  statement_use& operator=(const statement_use&) = delete;
  ~statement_use() { st_.tryReset(); }
  SQLite::Statement& operator*() const noexcept { return st_; }
  SQLite::Statement* operator->() const noexcept { return &st_; }

 private:
  SQLite::Statement& st_;
};

int timeout_ms(std::chrono::milliseconds t) {
  if (t.count() <= 0) return 0;
  if (t.count() > std::numeric_limits<int>::max()) return std::numeric_limits<int>::max();
  return static_cast<int>(t.count());
}

bool is_in_memory(const std::string& path) { return path.empty() || path == ":memory:"; }

}  // namespace

// --- connections and the pool --------------------------------------------------------------------

struct sqlite_store::connection {
  connection(const std::string& path, int flags, int busy_ms) : db(path, flags, busy_ms) {}

  /// The cached prepared statement for `sql` (one of the constants above), reset and unbound.
  statement_use use(const char* sql) {
    auto& cached = statements[sql];
    if (!cached) {
      cached = std::make_unique<SQLite::Statement>(db, sql);
    } else {
      cached->tryReset();
      cached->clearBindings();
    }
    return statement_use(*cached);
  }

  bool in_transaction() const noexcept { return sqlite3_get_autocommit(db.getHandle()) == 0; }

  /// Sessions of one provider or client (`sql` decides) overlapping `range`, by start. Starts
  /// are searched from `range.begin` minus the longest duration stored, which is the earliest a
  /// session running into the range can start.
  std::vector<session> sessions_in(const char* sql, std::uint64_t who, interval range) {
    std::vector<session> out;
    if (!range.ok()) return out;
    std::chrono::minutes longest{0};
    {
      auto st = use(longest_sql);
      st->executeStep();
      longest = std::chrono::minutes{st->getColumn(0).getInt64()};
    }
    auto st = use(sql);
    st->bind(1, as_sql(who));
    st->bind(2, detail::seconds_before(range.begin, longest));
    st->bind(3, as_sql(range.end));
    st->bind(4, as_sql(range.begin));
    while (st->executeStep()) out.push_back(read_session(*st));
    return out;
  }

  SQLite::Database db;
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> statements;
};

struct sqlite_store::impl {
  impl(std::string p, sqlite_store_options o)
      : path(std::move(p)),
        options(o),
        in_memory(is_in_memory(path)),
        capacity(in_memory ? 1 : std::max<std::size_t>(o.max_connections, 1)) {}

  std::string path;
  sqlite_store_options options;
  bool in_memory;
  std::size_t capacity;

  // Writers of this process take turns here before BEGIN IMMEDIATE. A flag under a mutex rather
  // than a std::timed_mutex: the turn is taken in begin() and given back in commit() or
  // rollback(), and a condition variable says plainly who waits for what.
  std::mutex turn_mutex;
  std::condition_variable turn_free;
  bool writing = false;

  bool take_writer_turn(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(turn_mutex);
    if (!turn_free.wait_until(lock, deadline, [&] { return !writing; })) return false;
    writing = true;
    return true;
  }

  void give_back_writer_turn() noexcept {
    {
      const std::lock_guard lock(turn_mutex);
      writing = false;
    }
    turn_free.notify_one();
  }

  std::mutex pool_mutex;
  std::condition_variable pool_changed;
  std::vector<std::unique_ptr<connection>> all;  // every open connection
  std::vector<connection*> idle;                 // capacity >= all.size(): push_back never throws

  std::string where() const { return fmt::format("{} {}", backend, detail::quote(path, 4096)); }

  [[noreturn]] void fail(std::string_view what, const SQLite::Exception& e) const {
    const int code = e.getErrorCode();
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      throw error(errc::storage,
                  fmt::format("{}: {}: the database is busy: another connection held it for "
                              "more than the busy_timeout of {} ms ({})",
                              where(), what, options.busy_timeout.count(), e.what()));
    }
    throw error(errc::storage, fmt::format("{}: {}: {}", where(), what, e.what()));
  }

  [[noreturn]] void busy(std::string_view what) const {
    throw error(errc::storage,
                fmt::format("{}: {}: the database is busy: waited the busy_timeout of {} ms for "
                            "another transaction of this process",
                            where(), what, options.busy_timeout.count()));
  }

  /// A configured connection. `wal` false leaves the journal mode alone: the first connection
  /// checks the file is slotbook's before changing anything in it.
  std::unique_ptr<connection> open_connection(bool wal = true) const {
    const int flags =
        options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    auto c = std::make_unique<connection>(path, flags | SQLite::OPEN_NOMUTEX,
                                          timeout_ms(options.busy_timeout));
    // A corrupt or foreign file fails here, on the first statement that reads it.
    c->db.exec("PRAGMA foreign_keys = ON");
    c->db.exec("PRAGMA synchronous = FULL");
    // Removed and replaced content is overwritten with zeros in the pages SQLite writes, so a
    // crypto-shredded key or a redacted note is not left in free space (scrub() deals with the
    // WAL). Per connection, like the pragmas above.
    c->db.exec("PRAGMA secure_delete = ON");
    if (wal) use_wal(*c);
    return c;
  }

  void use_wal(connection& c) const {
    if (!in_memory && !options.read_only) {
      const std::string mode = c.db.execAndGet("PRAGMA journal_mode = WAL").getString();
      if (mode != "wal") {
        throw error(errc::storage, fmt::format("{}: cannot switch to WAL (journal_mode stays {})",
                                               where(), detail::quote(mode)));
      }
    }
  }

  void adopt(std::unique_ptr<connection> c) {
    idle.reserve(all.size() + 1);
    all.push_back(std::move(c));
    idle.push_back(all.back().get());
  }

  /// A connection for one transaction: an idle one, a new one while under capacity, or the next
  /// one given back before `deadline`.
  connection* acquire(std::chrono::steady_clock::time_point deadline, std::string_view what) {
    std::unique_lock lock(pool_mutex);
    for (;;) {
      if (!idle.empty()) {
        connection* c = idle.back();
        idle.pop_back();
        return c;
      }
      if (all.size() < capacity) {
        all.reserve(all.size() + 1);
        idle.reserve(all.size() + 1);
        all.push_back(open_connection());
        return all.back().get();
      }
      if (pool_changed.wait_until(lock, deadline) == std::cv_status::timeout && idle.empty()) {
        busy(what);
      }
    }
  }

  void release(connection* c) noexcept {
    {
      const std::lock_guard lock(pool_mutex);
      idle.push_back(c);
    }
    pool_changed.notify_one();
  }

  /// Closes a connection whose transaction could not be ended, instead of reusing it.
  void discard(connection* c) noexcept {
    {
      const std::lock_guard lock(pool_mutex);
      std::erase_if(all, [c](const std::unique_ptr<connection>& p) { return p.get() == c; });
    }
    pool_changed.notify_one();
  }

  /// Refuses a file that is not slotbook's or whose schema is newer; returns its version.
  int check_identity(SQLite::Database& db) const {
    const int latest = sqlite_schema_version;
    const auto app = static_cast<std::int32_t>(db.execAndGet("PRAGMA application_id").getInt());
    const int version = db.execAndGet("PRAGMA user_version").getInt();
    const std::int64_t objects = db.execAndGet("SELECT count(*) FROM sqlite_master").getInt64();
    const bool fresh = app == 0 && version == 0 && objects == 0;
    if (!fresh && app != sqlite_application_id) {
      throw error(errc::storage,
                  fmt::format("{}: is not a slotbook database (application_id {}, user_version "
                              "{}, {} schema objects); slotbook keeps its own file",
                              where(), app, version, objects));
    }
    if (version > latest) {
      throw error(errc::storage,
                  fmt::format("{}: schema version {} is newer than this slotbook ({})", where(),
                              version, latest));
    }
    return version;
  }

  void migrate(connection& c) const {
    SQLite::Database& db = c.db;
    const auto steps = sqlite_schema_steps();
    const int latest = static_cast<int>(steps.size());
    const bool writable = !options.read_only;
    // IMMEDIATE: two processes opening a new file at once migrate it one after the other, and
    // the second sees the first's work when it checks again here.
    db.exec(writable ? "BEGIN IMMEDIATE" : "BEGIN");
    try {
      const int version = check_identity(db);
      if (version < latest) {
        if (!writable) {
          throw error(errc::storage,
                      fmt::format("{}: schema version {} is older than this slotbook ({}); open "
                                  "it read-write once to upgrade it",
                                  where(), version, latest));
        }
        for (int v = version; v < latest; ++v) {
          try {
            db.exec(std::string(steps[static_cast<std::size_t>(v)]));
          } catch (const SQLite::Exception& e) {
            throw error(errc::storage, fmt::format("{}: upgrading the schema to version {}: {}",
                                                   where(), v + 1, e.what()));
          }
        }
        db.exec(fmt::format("PRAGMA user_version = {}", latest));
      }
      db.exec("COMMIT");
    } catch (...) {
      db.tryExec("ROLLBACK");
      throw;
    }
  }
};

sqlite_store::sqlite_store(std::string path, sqlite_store_options options)
    : impl_(std::make_unique<impl>(std::move(path), options)) {
  if (options.max_connections == 0) {
    throw error(errc::invalid_argument, "sqlite_store_options.max_connections: 0 is not allowed");
  }
  try {
    // Checked before switching the file to WAL, so a file that is not ours is not changed.
    auto c = impl_->open_connection(false);
    impl_->check_identity(c->db);
    impl_->use_wal(*c);
    impl_->migrate(*c);
    impl_->adopt(std::move(c));
  } catch (const SQLite::Exception& e) {
    throw error(errc::storage, fmt::format("{}: cannot open: {}", impl_->where(), e.what()));
  }
}

sqlite_store::~sqlite_store() = default;

const std::string& sqlite_store::path() const noexcept { return impl_->path; }

// --- transactions
// ---------------------------------------------------------------------------------

void sqlite_store::begin(access mode) {
  detail::prepare_open_transaction(this, backend);
  if (mode == access::write && impl_->options.read_only) {
    throw error(errc::storage,
                fmt::format("{}: a write transaction on a store opened read-only", impl_->where()));
  }
  const auto deadline = std::chrono::steady_clock::now() + impl_->options.busy_timeout;
  const bool writer = mode == access::write;
  if (writer && !impl_->take_writer_turn(deadline)) impl_->busy("begin");
  connection* c = nullptr;
  try {
    c = impl_->acquire(deadline, "begin");
  } catch (const SQLite::Exception& e) {
    if (writer) impl_->give_back_writer_turn();
    impl_->fail("begin: opening a connection", e);
  } catch (...) {
    if (writer) impl_->give_back_writer_turn();
    throw;
  }
  try {
    c->db.exec(writer ? "BEGIN IMMEDIATE" : "BEGIN");
  } catch (const SQLite::Exception& e) {
    impl_->release(c);
    if (writer) impl_->give_back_writer_turn();
    impl_->fail(writer ? "BEGIN IMMEDIATE" : "BEGIN", e);
  }
  detail::add_open_transaction(this, mode, c);  // the turn is held until commit or rollback
}

void sqlite_store::commit() {
  detail::open_transaction* t = detail::find_open_transaction(this);
  if (t == nullptr) {
    throw error(errc::storage,
                fmt::format("{}: commit without an open transaction", impl_->where()));
  }
  auto* c = static_cast<connection*>(t->context);
  const access mode = t->mode;
  try {
    c->db.exec("COMMIT");
  } catch (const SQLite::Exception& e) {
    impl_->fail("COMMIT", e);  // the caller's rollback() ends the transaction
  }
  detail::remove_open_transaction(this);
  impl_->release(c);
  if (mode == access::write) impl_->give_back_writer_turn();
}

void sqlite_store::rollback() noexcept {
  detail::open_transaction* t = detail::find_open_transaction(this);
  if (t == nullptr) return;
  auto* c = static_cast<connection*>(t->context);
  const access mode = t->mode;
  detail::remove_open_transaction(this);
  if (c->in_transaction()) c->db.tryExec("ROLLBACK");
  if (c->in_transaction()) {
    impl_->discard(c);
  } else {
    impl_->release(c);
  }
  if (mode == access::write) impl_->give_back_writer_turn();
}

sqlite_store::connection& sqlite_store::current(access needed, std::string_view what) {
  auto& t = detail::require_transaction(this, needed, backend, what);
  return *static_cast<connection*>(t.context);
}

// Runs `body` and turns SQLite's exceptions into slotbook::error naming the path and the call.
#define SLOTBOOK_GUARD(what, ...)                   \
  try {                                             \
    __VA_ARGS__                                     \
  } catch (const SQLite::Exception& sqlite_error) { \
    impl_->fail(what, sqlite_error);                \
  }

// --- sessions
// -------------------------------------------------------------------------------------

std::optional<session> sqlite_store::find_session(session_id id) {
  connection& c = current(access::read, "find_session");
  SLOTBOOK_GUARD("find_session", {
    auto st = c.use(find_session_sql);
    st->bind(1, as_sql(id.value));
    if (!st->executeStep()) return std::nullopt;
    return read_session(*st);
  })
}

std::optional<session> sqlite_store::find_session_by_reference(std::string_view reference) {
  connection& c = current(access::read, "find_session_by_reference");
  if (reference.empty()) return std::nullopt;
  SLOTBOOK_GUARD("find_session_by_reference", {
    auto st = c.use(find_reference_sql);
    bind_text(*st, 1, reference);
    if (!st->executeStep()) return std::nullopt;
    return read_session(*st);
  })
}

std::vector<session> sqlite_store::provider_sessions(provider_id provider, interval range) {
  connection& c = current(access::read, "provider_sessions");
  SLOTBOOK_GUARD("provider_sessions",
                 { return c.sessions_in(provider_range_sql, provider.value, range); })
}

std::vector<session> sqlite_store::client_sessions(client_id client, interval range) {
  connection& c = current(access::read, "client_sessions");
  SLOTBOOK_GUARD("client_sessions",
                 { return c.sessions_in(client_range_sql, client.value, range); })
}

std::vector<session> sqlite_store::active_provider_sessions(provider_id provider, interval range) {
  connection& c = current(access::read, "active_provider_sessions");
  SLOTBOOK_GUARD("active_provider_sessions",
                 { return c.sessions_in(active_provider_range_sql, provider.value, range); })
}

std::vector<session> sqlite_store::active_client_sessions(client_id client, interval range) {
  connection& c = current(access::read, "active_client_sessions");
  SLOTBOOK_GUARD("active_client_sessions",
                 { return c.sessions_in(active_client_range_sql, client.value, range); })
}

std::vector<session> sqlite_store::pending_holds(instant created_by, std::size_t limit) {
  connection& c = current(access::read, "pending_holds");
  SLOTBOOK_GUARD("pending_holds", {
    std::vector<session> out;
    auto st = c.use(pending_holds_sql);
    st->bind(1, as_sql(created_by));
    st->bind(2, sql_limit(limit));
    while (st->executeStep()) out.push_back(read_session(*st));
    return out;
  })
}

session_id sqlite_store::insert_session(const session& s) {
  connection& c = current(access::write, "insert_session");
  detail::check_storable(s);
  SLOTBOOK_GUARD("insert_session", {
    // Checked before the INSERT so the error names what collided (the constraints would catch
    // it too, with SQLite's wording).
    if (s.id.ok()) {
      auto exists = c.use(session_exists_sql);
      exists->bind(1, as_sql(s.id.value));
      if (exists->executeStep()) {
        throw error(errc::conflict, fmt::format("id: session {} already exists", to_string(s.id)));
      }
    }
    if (!s.booking_reference.empty()) {
      auto owner = c.use(reference_owner_sql);
      bind_text(*owner, 1, s.booking_reference);
      if (owner->executeStep()) {
        throw error(errc::conflict,
                    fmt::format("booking_reference: {} is already used by session {}",
                                detail::quote(s.booking_reference), read_id(owner->getColumn(0))));
      }
    }
    auto st = c.use(insert_session_sql);
    bind_session(*st, s);
    st->exec();
    return session_id{static_cast<std::uint64_t>(c.db.getLastInsertRowid())};
  })
}

void sqlite_store::update_session(const session& s) {
  connection& c = current(access::write, "update_session");
  SLOTBOOK_GUARD("update_session", {
    {
      auto exists = c.use(session_exists_sql);
      exists->bind(1, as_sql(s.id.value));
      if (!exists->executeStep()) {
        throw error(errc::not_found, fmt::format("session {} does not exist", to_string(s.id)));
      }
    }
    detail::check_storable(s);
    if (!s.booking_reference.empty()) {
      auto owner = c.use(reference_owner_sql);
      bind_text(*owner, 1, s.booking_reference);
      if (owner->executeStep() && read_id(owner->getColumn(0)) != s.id.value) {
        throw error(errc::conflict,
                    fmt::format("booking_reference: {} is already used by session {}",
                                detail::quote(s.booking_reference), read_id(owner->getColumn(0))));
      }
    }
    auto st = c.use(update_session_sql);
    bind_session(*st, s);
    st->exec();
  })
}

std::uint64_t sqlite_store::next_reference_sequence(int year) {
  connection& c = current(access::write, "next_reference_sequence");
  SLOTBOOK_GUARD("next_reference_sequence", {
    auto st = c.use(next_sequence_sql);
    st->bind(1, year);
    st->executeStep();
    return static_cast<std::uint64_t>(st->getColumn(0).getInt64());
  })
}

// --- providers
// ------------------------------------------------------------------------------------

void sqlite_store::put_provider(const provider_profile& p) {
  connection& c = current(access::write, "put_provider");
  detail::check_storable(p);
  SLOTBOOK_GUARD("put_provider", {
    const std::int64_t id = as_sql(p.id.value);
    {
      auto st = c.use(put_provider_sql);
      st->bind(1, id);
      bind_text(*st, 2, p.name);
      st->bind(3, p.active ? 1 : 0);
      st->bind(4, static_cast<std::int64_t>(p.price.minor_units()));
      bind_text(*st, 5, p.price.currency_code().code());
      bind_text(*st, 6, p.hours.zone);
      st->bind(7, p.hours.active ? 1 : 0);
      if (p.hours.effective_from) {
        bind_text(*st, 8, format_date(*p.hours.effective_from));
      } else {
        st->bind(8);
      }
      if (p.hours.effective_until) {
        bind_text(*st, 9, format_date(*p.hours.effective_until));
      } else {
        st->bind(9);
      }
      st->bind(10, static_cast<std::int64_t>(p.rules.duration.count()));
      if (p.rules.step) {
        st->bind(11, static_cast<std::int64_t>(p.rules.step->count()));
      } else {
        st->bind(11);
      }
      st->bind(12, static_cast<std::int64_t>(p.rules.buffer_before.count()));
      st->bind(13, static_cast<std::int64_t>(p.rules.buffer_after.count()));
      st->bind(14, static_cast<std::int64_t>(p.rules.minimum_notice.count()));
      st->bind(15, static_cast<std::int64_t>(p.rules.maximum_advance.count()));
      if (p.rules.max_per_day) {
        st->bind(16, static_cast<std::int64_t>(*p.rules.max_per_day));
      } else {
        st->bind(16);
      }
      bind_text(*st, 17, to_sql(p.rules.alignment));
      st->bind(18, p.requires_intake ? 1 : 0);
      st->exec();
    }
    for (const char* sql : {delete_windows_sql, delete_exceptions_sql}) {
      auto st = c.use(sql);
      st->bind(1, id);
      st->exec();
    }
    for (std::size_t i = 0; i < p.hours.windows.size(); ++i) {
      const weekly_window& w = p.hours.windows[i];
      auto st = c.use(insert_window_sql);
      st->bind(1, id);
      st->bind(2, static_cast<std::int64_t>(i));
      st->bind(3, static_cast<std::int64_t>(w.day.c_encoding()));
      st->bind(4, static_cast<std::int64_t>(w.start.count()));
      st->bind(5, static_cast<std::int64_t>(w.end.count()));
      st->exec();
    }
    for (std::size_t i = 0; i < p.hours.exceptions.size(); ++i) {
      const date_exception& x = p.hours.exceptions[i];
      {
        auto st = c.use(insert_exception_sql);
        st->bind(1, id);
        st->bind(2, static_cast<std::int64_t>(i));
        bind_text(*st, 3, format_date(x.date));
        st->bind(4, x.available ? 1 : 0);
        bind_text(*st, 5, x.reason);
        st->exec();
      }
      for (std::size_t j = 0; j < x.hours.size(); ++j) {
        auto st = c.use(insert_exception_hours_sql);
        st->bind(1, id);
        st->bind(2, static_cast<std::int64_t>(i));
        st->bind(3, static_cast<std::int64_t>(j));
        st->bind(4, static_cast<std::int64_t>(x.hours[j].start.count()));
        st->bind(5, static_cast<std::int64_t>(x.hours[j].end.count()));
        st->exec();
      }
    }
  })
}

std::optional<provider_profile> sqlite_store::find_provider(provider_id id) {
  connection& c = current(access::read, "find_provider");
  SLOTBOOK_GUARD("find_provider", {
    provider_profile p;
    {
      auto st = c.use(find_provider_sql);
      st->bind(1, as_sql(id.value));
      if (!st->executeStep()) return std::nullopt;
      p.id = provider_id{read_id(st->getColumn(0))};
      p.name = st->getColumn(1).getString();
      p.active = st->getColumn(2).getInt64() != 0;
      const currency code = read_enum(st->getColumn(4), "currency",
                                      [](std::string_view t) { return currency::parse(t); });
      p.price = money{st->getColumn(3).getInt64(), code};
      p.hours.zone = st->getColumn(5).getString();
      p.hours.active = st->getColumn(6).getInt64() != 0;
      if (!st->getColumn(7).isNull()) {
        p.hours.effective_from = read_date(st->getColumn(7), "effective_from");
      }
      if (!st->getColumn(8).isNull()) {
        p.hours.effective_until = read_date(st->getColumn(8), "effective_until");
      }
      p.rules.duration = std::chrono::minutes{st->getColumn(9).getInt64()};
      if (!st->getColumn(10).isNull()) {
        p.rules.step = std::chrono::minutes{st->getColumn(10).getInt64()};
      }
      p.rules.buffer_before = std::chrono::minutes{st->getColumn(11).getInt64()};
      p.rules.buffer_after = std::chrono::minutes{st->getColumn(12).getInt64()};
      p.rules.minimum_notice = std::chrono::minutes{st->getColumn(13).getInt64()};
      p.rules.maximum_advance = std::chrono::minutes{st->getColumn(14).getInt64()};
      if (!st->getColumn(15).isNull()) {
        const std::int64_t n = st->getColumn(15).getInt64();
        if (n < 0 || n > std::numeric_limits<unsigned>::max()) {
          unreadable("max_per_day", std::to_string(n));
        }
        p.rules.max_per_day = static_cast<unsigned>(n);
      }
      p.rules.alignment = read_alignment(st->getColumn(16));
      p.requires_intake = st->getColumn(17).getInt64() != 0;
    }
    {
      auto st = c.use(find_windows_sql);
      st->bind(1, as_sql(id.value));
      while (st->executeStep()) {
        p.hours.windows.push_back(
            {date::weekday{static_cast<unsigned>(st->getColumn(0).getInt64())},
             std::chrono::minutes{st->getColumn(1).getInt64()},
             std::chrono::minutes{st->getColumn(2).getInt64()}});
      }
    }
    std::vector<std::int64_t> positions;  // exception position -> index in p.hours.exceptions
    {
      auto st = c.use(find_exceptions_sql);
      st->bind(1, as_sql(id.value));
      while (st->executeStep()) {
        positions.push_back(st->getColumn(0).getInt64());
        date_exception x;
        x.date = read_date(st->getColumn(1), "day");
        x.available = st->getColumn(2).getInt64() != 0;
        x.reason = st->getColumn(3).getString();
        p.hours.exceptions.push_back(std::move(x));
      }
    }
    {
      auto st = c.use(find_exception_hours_sql);
      st->bind(1, as_sql(id.value));
      while (st->executeStep()) {
        const std::int64_t position = st->getColumn(0).getInt64();
        const auto at = std::find(positions.begin(), positions.end(), position);
        if (at == positions.end()) unreadable("exception_position", std::to_string(position));
        p.hours.exceptions[static_cast<std::size_t>(at - positions.begin())].hours.push_back(
            {std::chrono::minutes{st->getColumn(1).getInt64()},
             std::chrono::minutes{st->getColumn(2).getInt64()}});
      }
    }
    return p;
  })
}

std::vector<provider_id> sqlite_store::provider_ids() {
  connection& c = current(access::read, "provider_ids");
  SLOTBOOK_GUARD("provider_ids", {
    std::vector<provider_id> out;
    auto st = c.use(provider_ids_sql);
    while (st->executeStep()) out.push_back(provider_id{read_id(st->getColumn(0))});
    std::sort(out.begin(), out.end());  // as unsigned ids, whatever SQL's signed order
    return out;
  })
}

// --- reminder queue
// -------------------------------------------------------------------------------

std::vector<std::int64_t> sqlite_store::enqueue_reminders(std::span<const reminder> reminders,
                                                          client_id client) {
  connection& c = current(access::write, "enqueue_reminders");
  for (const reminder& r : reminders) detail::check_storable(r, client);
  SLOTBOOK_GUARD("enqueue_reminders", {
    std::vector<std::int64_t> ids;
    ids.reserve(reminders.size());
    for (const reminder& r : reminders) {
      auto st = c.use(enqueue_reminder_sql);
      st->bind(1, as_sql(r.session.value));
      st->bind(2, as_sql(client.value));
      st->bind(3, as_sql(r.due));
      bind_text(*st, 4, to_string(r.channel));
      st->bind(5, static_cast<std::int64_t>(r.before.count()));
      st->exec();
      ids.push_back(c.db.getLastInsertRowid());
    }
    return ids;
  })
}

std::size_t sqlite_store::remove_reminders(session_id session) {
  connection& c = current(access::write, "remove_reminders");
  SLOTBOOK_GUARD("remove_reminders", {
    auto st = c.use(remove_reminders_sql);
    st->bind(1, as_sql(session.value));
    return static_cast<std::size_t>(st->exec());
  })
}

std::vector<queued_reminder> sqlite_store::claim_due_reminders(instant now, std::size_t limit,
                                                               instant lease_until) {
  connection& c = current(access::write, "claim_due_reminders");
  SLOTBOOK_GUARD("claim_due_reminders", {
    std::vector<queued_reminder> out;
    auto st = c.use(claim_reminders_sql);
    st->bind(1, as_sql(now));
    st->bind(2, as_sql(lease_until));
    st->bind(3, sql_limit(limit));
    while (st->executeStep()) out.push_back(read_reminder(*st));
    // RETURNING gives rows in no particular order.
    std::sort(out.begin(), out.end(), [](const queued_reminder& a, const queued_reminder& b) {
      return std::tie(a.what.due, a.id) < std::tie(b.what.due, b.id);
    });
    return out;
  })
}

void sqlite_store::update_reminder(const queued_reminder& r) {
  connection& c = current(access::write, "update_reminder");
  SLOTBOOK_GUARD("update_reminder", {
    auto st = c.use(update_reminder_sql);
    st->bind(1, r.id);
    bind_text(*st, 2, to_string(r.state));
    st->bind(3, static_cast<std::int64_t>(r.attempts));
    bind_optional(*st, 4, r.lease_until);
    bind_optional(*st, 5, r.next_attempt);
    bind_optional(*st, 6, r.sent_at);
    bind_text(*st, 7, r.last_error);
    if (st->exec() == 0) {
      throw error(errc::not_found, fmt::format("reminder {} does not exist", r.id));
    }
  })
}

std::optional<queued_reminder> sqlite_store::find_reminder(std::int64_t id) {
  connection& c = current(access::read, "find_reminder");
  SLOTBOOK_GUARD("find_reminder", {
    auto st = c.use(find_reminder_sql);
    st->bind(1, id);
    if (!st->executeStep()) return std::nullopt;
    return read_reminder(*st);
  })
}

std::vector<queued_reminder> sqlite_store::session_reminders(session_id session) {
  connection& c = current(access::read, "session_reminders");
  SLOTBOOK_GUARD("session_reminders", {
    std::vector<queued_reminder> out;
    auto st = c.use(session_reminders_sql);
    st->bind(1, as_sql(session.value));
    while (st->executeStep()) out.push_back(read_reminder(*st));
    return out;
  })
}

reminder_backlog sqlite_store::backlog(instant now) {
  connection& c = current(access::read, "backlog");
  SLOTBOOK_GUARD("backlog", {
    reminder_backlog out;
    {
      auto st = c.use(backlog_due_sql);
      st->bind(1, as_sql(now));
      st->executeStep();
      out.due = static_cast<std::size_t>(st->getColumn(0).getInt64());
      out.oldest_due = read_optional_instant(st->getColumn(1));
    }
    {
      auto st = c.use(backlog_waiting_sql);
      st->bind(1, as_sql(now));
      st->executeStep();
      out.waiting = static_cast<std::size_t>(st->getColumn(0).getInt64());
    }
    return out;
  })
}

// --- audit log
// ------------------------------------------------------------------------------------

std::int64_t sqlite_store::append_audit(const audit_entry& e) {
  connection& c = current(access::write, "append_audit");
  SLOTBOOK_GUARD("append_audit", {
    auto st = c.use(append_audit_sql);
    st->bind(1, as_sql(e.at));
    bind_text(*st, 2, to_string(e.who_role));
    st->bind(3, as_sql(e.who_id));
    bind_text(*st, 4, e.action);
    st->bind(5, as_sql(e.session.value));
    if (e.before) {
      bind_text(*st, 6, to_string(*e.before));
    } else {
      st->bind(6);
    }
    if (e.after) {
      bind_text(*st, 7, to_string(*e.after));
    } else {
      st->bind(7);
    }
    bind_text(*st, 8, e.detail);
    bind_text(*st, 9, e.previous_hash);
    bind_text(*st, 10, e.hash);
    st->exec();
    return c.db.getLastInsertRowid();
  })
}

std::optional<audit_entry> sqlite_store::last_audit() {
  connection& c = current(access::read, "last_audit");
  SLOTBOOK_GUARD("last_audit", {
    auto st = c.use(last_audit_sql);
    if (!st->executeStep()) return std::nullopt;
    return read_audit(*st);
  })
}

std::vector<audit_entry> sqlite_store::audit_entries(std::int64_t after, std::size_t limit) {
  connection& c = current(access::read, "audit_entries");
  SLOTBOOK_GUARD("audit_entries", {
    std::vector<audit_entry> out;
    auto st = c.use(audit_entries_sql);
    st->bind(1, after);
    st->bind(2, sql_limit(limit));
    while (st->executeStep()) out.push_back(read_audit(*st));
    return out;
  })
}

// --- health and diagnostics
// -----------------------------------------------------------------------

sqlite_settings sqlite_store::settings() {
  const auto read = [](connection& c) {
    sqlite_settings s;
    s.journal_mode = c.db.execAndGet("PRAGMA journal_mode").getString();
    s.synchronous = c.db.execAndGet("PRAGMA synchronous").getInt();
    s.foreign_keys = c.db.execAndGet("PRAGMA foreign_keys").getInt() != 0;
    s.busy_timeout = std::chrono::milliseconds{c.db.execAndGet("PRAGMA busy_timeout").getInt()};
    s.schema_version = c.db.execAndGet("PRAGMA user_version").getInt();
    s.secure_delete = c.db.execAndGet("PRAGMA secure_delete").getInt() != 0;
    s.application_id = c.db.execAndGet("PRAGMA application_id").getInt();
    return s;
  };
  SLOTBOOK_GUARD("settings", {
    if (auto* t = detail::find_open_transaction(this))
      return read(*static_cast<connection*>(t->context));
    connection* c =
        impl_->acquire(std::chrono::steady_clock::now() + impl_->options.busy_timeout, "settings");
    try {
      auto s = read(*c);
      impl_->release(c);
      return s;
    } catch (...) {
      impl_->release(c);
      throw;
    }
  })
}

std::string sqlite_store::integrity_check() {
  if (detail::find_open_transaction(this) != nullptr) {
    throw error(
        errc::storage,
        fmt::format("{}: integrity_check inside a transaction on this thread", impl_->where()));
  }
  SLOTBOOK_GUARD("integrity_check", {
    connection* c = impl_->acquire(std::chrono::steady_clock::now() + impl_->options.busy_timeout,
                                   "integrity_check");
    try {
      std::string out;
      SQLite::Statement st(c->db, "PRAGMA integrity_check");
      while (st.executeStep()) {
        if (!out.empty()) out += '\n';
        out += st.getColumn(0).getString();
      }
      impl_->release(c);
      return out;
    } catch (...) {
      impl_->release(c);
      throw;
    }
  })
}

// --- series
// ---------------------------------------------------------------------------------------

series_id sqlite_store::next_series_id() {
  connection& c = current(access::write, "next_series_id");
  SLOTBOOK_GUARD("next_series_id", {
    auto st = c.use(next_series_id_sql);
    st->executeStep();
    return series_id{read_id(st->getColumn(0))};
  })
}

std::vector<session> sqlite_store::series_sessions(series_id series) {
  connection& c = current(access::read, "series_sessions");
  std::vector<session> out;
  if (!series.ok()) return out;
  SLOTBOOK_GUARD("series_sessions", {
    auto st = c.use(series_sessions_sql);
    st->bind(1, as_sql(series.value));
    while (st->executeStep()) out.push_back(read_session(*st));
    return out;
  })
}

void sqlite_store::put_series(const series_record& r) {
  connection& c = current(access::write, "put_series");
  validate(r);
  SLOTBOOK_GUARD("put_series", {
    {
      auto exists = c.use(find_series_sql);
      exists->bind(1, as_sql(r.id.value));
      if (exists->executeStep()) {
        throw error(errc::conflict, fmt::format("id: series {} already exists", to_string(r.id)));
      }
    }
    auto st = c.use(insert_series_sql);
    st->bind(1, as_sql(r.id.value));
    st->bind(2, as_sql(r.provider.value));
    st->bind(3, as_sql(r.client.value));
    bind_text(*st, 4, r.rule);
    bind_text(*st, 5, format_date(r.start.date));
    st->bind(6, static_cast<std::int64_t>(r.start.time_of_day.count()));
    bind_text(*st, 7, r.start.zone);
    st->bind(8, static_cast<std::int64_t>(r.duration.count()));
    bind_text(*st, 9, to_string(r.type));
    st->bind(10, as_sql(r.created_at));
    st->exec();
  })
}

std::optional<series_record> sqlite_store::find_series(series_id series) {
  connection& c = current(access::read, "find_series");
  if (!series.ok()) return std::nullopt;
  SLOTBOOK_GUARD("find_series", {
    auto st = c.use(find_series_sql);
    st->bind(1, as_sql(series.value));
    if (!st->executeStep()) return std::optional<series_record>{};
    series_record r;
    r.id = series_id{read_id(st->getColumn(0))};
    r.provider = provider_id{read_id(st->getColumn(1))};
    r.client = client_id{read_id(st->getColumn(2))};
    r.rule = st->getColumn(3).getString();
    r.start.date = read_date(st->getColumn(4), "first_date");
    r.start.time_of_day = std::chrono::seconds{st->getColumn(5).getInt64()};
    r.start.zone = st->getColumn(6).getString();
    r.duration = std::chrono::minutes{st->getColumn(7).getInt64()};
    r.type = read_enum(st->getColumn(8), "session_type",
                       [](std::string_view t) { return parse_session_type(t); });
    r.created_at = read_instant(st->getColumn(9));
    return std::optional<series_record>{std::move(r)};
  })
}

// --- group sessions
// ------------------------------------------------------------------------------

namespace {

// insert_seat and update_seat: the seat's group session exists and its client holds no other
// active seat there (`self`: the seat being replaced, 0 for a new one). A template: the
// connection type is private to sqlite_store.
template <class Connection>
void check_seat(Connection& c, const seat& s, std::int64_t self) {
  validate(s);
  {
    auto st = c.use(group_exists_sql);
    st->bind(1, as_sql(s.session.value));
    if (!st->executeStep()) {
      throw error(errc::not_found,
                  fmt::format("session: {} is not a group session", to_string(s.session)));
    }
  }
  if (!is_active(s)) return;
  auto st = c.use(active_seat_sql);
  st->bind(1, as_sql(s.session.value));
  st->bind(2, as_sql(s.client.value));
  st->bind(3, self);
  if (st->executeStep()) {
    throw error(errc::conflict, fmt::format("client: client {} already holds seat {} in session {}",
                                            to_string(s.client), st->getColumn(0).getInt64(),
                                            to_string(s.session)));
  }
}

}  // namespace

std::int64_t sqlite_store::insert_seat(const seat& s) {
  connection& c = current(access::write, "insert_seat");
  SLOTBOOK_GUARD("insert_seat", {
    check_seat(c, s, 0);
    auto st = c.use(insert_seat_sql);
    bind_seat(*st, s);
    st->executeStep();
    return st->getColumn(0).getInt64();
  })
}

void sqlite_store::update_seat(const seat& s) {
  connection& c = current(access::write, "update_seat");
  SLOTBOOK_GUARD("update_seat", {
    {
      auto st = c.use(find_seat_sql);
      st->bind(1, static_cast<std::int64_t>(s.id));
      if (!st->executeStep()) {
        throw error(errc::not_found, fmt::format("seat {} does not exist", s.id));
      }
      const session_id session{read_id(st->getColumn(0))};
      const client_id client{read_id(st->getColumn(1))};
      if (session != s.session || client != s.client) {
        throw error(errc::invalid_argument,
                    fmt::format("seat: seat {} belongs to client {} in session {}; they cannot "
                                "change",
                                s.id, to_string(client), to_string(session)));
      }
    }
    check_seat(c, s, s.id);
    auto st = c.use(update_seat_sql);
    bind_seat(*st, s);
    st->exec();
  })
}

std::vector<seat> sqlite_store::session_seats(session_id session) {
  connection& c = current(access::read, "session_seats");
  std::vector<seat> out;
  SLOTBOOK_GUARD("session_seats", {
    auto st = c.use(session_seats_sql);
    st->bind(1, as_sql(session.value));
    while (st->executeStep()) out.push_back(read_seat(*st));
    return out;
  })
}

std::vector<seat> sqlite_store::unpaid_seats(instant created_by, std::size_t limit) {
  connection& c = current(access::read, "unpaid_seats");
  std::vector<seat> out;
  SLOTBOOK_GUARD("unpaid_seats", {
    auto st = c.use(unpaid_seats_sql);
    st->bind(1, as_sql(created_by));
    st->bind(2, sql_limit(limit));
    while (st->executeStep()) out.push_back(read_seat(*st));
    return out;
  })
}

std::vector<session> sqlite_store::active_client_group_sessions(client_id client, interval range) {
  connection& c = current(access::read, "active_client_group_sessions");
  std::vector<session> out;
  if (!range.ok()) return out;
  SLOTBOOK_GUARD("active_client_group_sessions", {
    auto st = c.use(client_group_sessions_sql);
    st->bind(1, as_sql(client.value));
    st->bind(2, as_sql(range.end));
    st->bind(3, as_sql(range.begin));
    while (st->executeStep()) out.push_back(read_session(*st));
    return out;
  })
}

// --- waitlist
// ------------------------------------------------------------------------------------

std::int64_t sqlite_store::insert_waitlist_entry(const waitlist_entry& e) {
  connection& c = current(access::write, "insert_waitlist_entry");
  validate(e);
  SLOTBOOK_GUARD("insert_waitlist_entry", {
    auto st = c.use(insert_waitlist_sql);
    bind_waitlist(*st, e);
    st->executeStep();
    return st->getColumn(0).getInt64();
  })
}

void sqlite_store::update_waitlist_entry(const waitlist_entry& e) {
  connection& c = current(access::write, "update_waitlist_entry");
  SLOTBOOK_GUARD("update_waitlist_entry", {
    {
      auto st = c.use(find_waitlist_sql);
      st->bind(1, static_cast<std::int64_t>(e.id));
      if (!st->executeStep()) {
        throw error(errc::not_found, fmt::format("waitlist entry {} does not exist", e.id));
      }
      const waitlist_entry old = read_waitlist(*st);
      if (old.provider != e.provider || old.client != e.client) {
        throw error(errc::invalid_argument,
                    fmt::format("waitlist: entry {} belongs to client {} with provider {}; they "
                                "cannot change",
                                e.id, to_string(old.client), to_string(old.provider)));
      }
    }
    validate(e);
    auto st = c.use(update_waitlist_sql);
    bind_waitlist(*st, e);
    st->exec();
  })
}

std::optional<waitlist_entry> sqlite_store::find_waitlist_entry(std::int64_t id) {
  connection& c = current(access::read, "find_waitlist_entry");
  SLOTBOOK_GUARD("find_waitlist_entry", {
    auto st = c.use(find_waitlist_sql);
    st->bind(1, id);
    if (!st->executeStep()) return std::optional<waitlist_entry>{};
    return std::optional<waitlist_entry>{read_waitlist(*st)};
  })
}

std::vector<waitlist_entry> sqlite_store::open_waitlist_entries(provider_id provider,
                                                                interval range) {
  connection& c = current(access::read, "open_waitlist_entries");
  std::vector<waitlist_entry> out;
  if (!range.ok()) return out;
  SLOTBOOK_GUARD("open_waitlist_entries", {
    auto st = c.use(open_waitlist_sql);
    st->bind(1, as_sql(provider.value));
    st->bind(2, as_sql(range.end));
    st->bind(3, as_sql(range.begin));
    while (st->executeStep()) out.push_back(read_waitlist(*st));
    return out;
  })
}

std::vector<waitlist_entry> sqlite_store::due_offers(instant now, std::size_t limit) {
  connection& c = current(access::read, "due_offers");
  std::vector<waitlist_entry> out;
  SLOTBOOK_GUARD("due_offers", {
    auto st = c.use(due_offers_sql);
    st->bind(1, as_sql(now));
    st->bind(2, sql_limit(limit));
    while (st->executeStep()) out.push_back(read_waitlist(*st));
    return out;
  })
}

std::vector<waitlist_entry> sqlite_store::client_waitlist(client_id client) {
  connection& c = current(access::read, "client_waitlist");
  std::vector<waitlist_entry> out;
  SLOTBOOK_GUARD("client_waitlist", {
    auto st = c.use(client_waitlist_sql);
    st->bind(1, as_sql(client.value));
    while (st->executeStep()) out.push_back(read_waitlist(*st));
    return out;
  })
}

// --- external busy time
// --------------------------------------------------------------------------

std::size_t sqlite_store::replace_busy_blocks(provider_id provider, std::string_view source,
                                              interval window, std::span<const busy_block> blocks) {
  connection& c = current(access::write, "replace_busy_blocks");
  detail::check_busy_replacement(provider, source, window, blocks);
  SLOTBOOK_GUARD("replace_busy_blocks", {
    std::size_t removed = 0;
    {
      auto st = c.use(remove_busy_sql);
      st->bind(1, as_sql(provider.value));
      st->bind(2, as_sql(window.end));
      st->bind(3, as_sql(window.begin));
      bind_text(*st, 4, source);
      removed = static_cast<std::size_t>(st->exec());
    }
    for (const busy_block& b : blocks) {
      auto st = c.use(insert_busy_sql);
      st->bind(1, as_sql(b.provider.value));
      bind_text(*st, 2, b.source);
      bind_text(*st, 3, b.uid);
      st->bind(4, as_sql(b.time.begin));
      st->bind(5, as_sql(b.time.end));
      st->bind(6, b.all_day ? 1 : 0);
      st->bind(7, as_sql(b.imported_at));
      st->exec();
    }
    return removed;
  })
}

std::vector<busy_block> sqlite_store::busy_blocks(provider_id provider, interval range) {
  connection& c = current(access::read, "busy_blocks");
  std::vector<busy_block> out;
  if (!range.ok()) return out;
  SLOTBOOK_GUARD("busy_blocks", {
    auto st = c.use(busy_blocks_sql);
    st->bind(1, as_sql(provider.value));
    st->bind(2, as_sql(range.end));
    st->bind(3, as_sql(range.begin));
    while (st->executeStep()) {
      busy_block b;
      b.provider = provider_id{read_id(st->getColumn(0))};
      b.source = st->getColumn(1).getString();
      b.uid = st->getColumn(2).getString();
      b.time = {read_instant(st->getColumn(3)), read_instant(st->getColumn(4))};
      b.all_day = st->getColumn(5).getInt64() != 0;
      b.imported_at = read_instant(st->getColumn(6));
      out.push_back(std::move(b));
    }
    return out;
  })
}

// --- intake forms
// ---------------------------------------------------------------------------------

intake_id sqlite_store::next_intake_id() {
  connection& c = current(access::write, "next_intake_id");
  SLOTBOOK_GUARD("next_intake_id", {
    auto st = c.use(next_intake_id_sql);
    st->executeStep();
    return intake_id{read_id(st->getColumn(0))};
  })
}

void sqlite_store::put_intake(const stored_intake& f) {
  connection& c = current(access::write, "put_intake");
  detail::check_storable(f);
  SLOTBOOK_GUARD("put_intake", {
    auto st = c.use(put_intake_sql);
    bind_intake(*st, f);
    st->exec();
  })
}

std::optional<stored_intake> sqlite_store::find_intake(intake_id id) {
  connection& c = current(access::read, "find_intake");
  SLOTBOOK_GUARD("find_intake", {
    auto st = c.use(find_intake_sql);
    st->bind(1, as_sql(id.value));
    if (!st->executeStep()) return std::nullopt;
    return read_intake(*st);
  })
}

std::vector<stored_intake> sqlite_store::client_intakes(client_id client) {
  connection& c = current(access::read, "client_intakes");
  SLOTBOOK_GUARD("client_intakes", {
    std::vector<stored_intake> out;
    auto st = c.use(client_intakes_sql);
    st->bind(1, as_sql(client.value));
    while (st->executeStep()) out.push_back(read_intake(*st));
    return out;
  })
}

std::vector<stored_intake> sqlite_store::intakes_to_rotate(std::uint32_t version, intake_id after,
                                                           std::size_t limit) {
  connection& c = current(access::read, "intakes_to_rotate");
  std::vector<stored_intake> out;
  // Ids are at most 2^63 - 1 (put_intake checks), so nothing comes after a larger cursor.
  if (after.value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return out;
  }
  SLOTBOOK_GUARD("intakes_to_rotate", {
    auto st = c.use(intakes_to_rotate_sql);
    st->bind(1, static_cast<std::int64_t>(version));
    st->bind(2, as_sql(after.value));
    st->bind(3, sql_limit(limit));
    while (st->executeStep()) out.push_back(read_intake(*st));
    return out;
  })
}

std::vector<intake_id> sqlite_store::purge_intakes(instant deleted_before, std::size_t limit) {
  connection& c = current(access::write, "purge_intakes");
  SLOTBOOK_GUARD("purge_intakes", {
    std::vector<intake_id> out;
    auto st = c.use(purge_intakes_sql);
    st->bind(1, as_sql(deleted_before));
    st->bind(2, sql_limit(limit));
    while (st->executeStep()) out.push_back(intake_id{read_id(st->getColumn(0))});
    std::sort(out.begin(), out.end());  // RETURNING gives rows in no particular order
    return out;
  })
}

// --- secure deletion of sessions
// ------------------------------------------------------------------

void sqlite_store::mark_session_deleted(const session_deletion& d) {
  connection& c = current(access::write, "mark_session_deleted");
  SLOTBOOK_GUARD("mark_session_deleted", {
    {
      auto exists = c.use(session_exists_sql);
      exists->bind(1, as_sql(d.session.value));
      if (!exists->executeStep()) {
        throw error(errc::not_found,
                    fmt::format("session {} does not exist", to_string(d.session)));
      }
    }
    auto st = c.use(mark_deleted_sql);
    st->bind(1, as_sql(d.session.value));
    st->bind(2, as_sql(d.deleted_at));
    bind_text(*st, 3, d.reason);
    st->exec();
  })
}

std::optional<session_deletion> sqlite_store::find_session_deletion(session_id id) {
  connection& c = current(access::read, "find_session_deletion");
  SLOTBOOK_GUARD("find_session_deletion", {
    auto st = c.use(find_deletion_sql);
    st->bind(1, as_sql(id.value));
    if (!st->executeStep()) return std::nullopt;
    session_deletion d;
    d.session = session_id{read_id(st->getColumn(0))};
    d.deleted_at = read_instant(st->getColumn(1));
    d.reason = st->getColumn(2).getString();
    return d;
  })
}

std::vector<session_id> sqlite_store::purge_sessions(instant deleted_before, std::size_t limit) {
  connection& c = current(access::write, "purge_sessions");
  SLOTBOOK_GUARD("purge_sessions", {
    std::vector<session_id> out;
    {
      auto st = c.use(deleted_sessions_sql);
      st->bind(1, as_sql(deleted_before));
      st->bind(2, sql_limit(limit));
      while (st->executeStep()) out.push_back(session_id{read_id(st->getColumn(0))});
    }
    for (const session_id id : out) {
      for (const char* sql :
           {purge_session_reminders_sql, purge_session_seats_sql, purge_session_sql}) {
        auto st = c.use(sql);
        st->bind(1, as_sql(id.value));
        st->exec();
      }
    }
    return out;
  })
}

bool sqlite_store::reachable() noexcept {
  try {
    if (auto* t = detail::find_open_transaction(this)) {
      auto* c = static_cast<connection*>(t->context);
      return c->db.execAndGet("SELECT count(*) FROM sqlite_master").getInt64() >= 0;
    }
    connection* c =
        impl_->acquire(std::chrono::steady_clock::now() + impl_->options.busy_timeout, "reachable");
    bool ok = false;
    try {
      ok = c->db.execAndGet("SELECT count(*) FROM sqlite_master").getInt64() >= 0;
    } catch (...) {
      ok = false;
    }
    impl_->release(c);
    return ok;
  } catch (...) {
    return false;
  }
}

bool sqlite_store::scrub() {
  if (detail::find_open_transaction(this) != nullptr) {
    throw error(errc::storage,
                fmt::format("{}: scrub inside a transaction on this thread", impl_->where()));
  }
  if (impl_->in_memory) return true;
  SLOTBOOK_GUARD("scrub", {
    connection* c =
        impl_->acquire(std::chrono::steady_clock::now() + impl_->options.busy_timeout, "scrub");
    try {
      // One row: busy (1 when it could not finish), WAL frames, frames checkpointed. TRUNCATE
      // waits (busy handler) for a writer and for readers of older snapshots, then empties the
      // WAL file.
      bool done = false;
      {
        SQLite::Statement st(c->db, "PRAGMA wal_checkpoint(TRUNCATE)");
        done = st.executeStep() && st.getColumn(0).getInt() == 0;
      }  // finalised before the connection goes back to the pool
      impl_->release(c);
      return done;
    } catch (...) {
      impl_->release(c);
      throw;
    }
  })
}

#undef SLOTBOOK_GUARD

}  // namespace slotbook
