// postgres_store: the store on a PostgreSQL database through libpqxx 6. Transactions, the writer
// lock and the pool of connections are explained in postgres_store.hpp; the schema is in
// postgres_schema.cpp; docs/postgres.md says why.

#include "slotbook/postgres_store.hpp"

#include <algorithm>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <regex>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "slotbook/detail/quote.hpp"
#include "store_support.hpp"

namespace slotbook {

namespace {

constexpr std::string_view backend = "postgres_store";

// --- SQL -----------------------------------------------------------------------------------------
// Every statement is prepared once per connection under its name (lazily, on first use).

struct statement {
  const char* name;
  const char* sql;
};

#define SLOTBOOK_SESSION_COLUMNS                                                         \
  "id, client_id, provider_id, scheduled_at, duration_minutes, status, session_type, "   \
  "booking_reference, notes, special_requests, amount_minor, currency, payment_status, " \
  "payment_method, transaction_id, refunded_minor, joined_at, ended_at, "                \
  "actual_duration_seconds, created_at, updated_at, cancelled_at, cancellation_reason, " \
  "cancelled_by, cancelled_from, rescheduled_from, rescheduled_to, reschedule_count, "   \
  "series_id, capacity"
#define SLOTBOOK_ACTIVE "status IN ('pending_payment', 'scheduled', 'confirmed', 'in_progress')"
#define SLOTBOOK_DURING \
  "during && tstzrange(to_timestamp($2::bigint), to_timestamp($3::bigint), '[)')"
#define SLOTBOOK_REMINDER_COLUMNS                                                              \
  "id, session_id, client_id, due_at, channel, before_minutes, state, attempts, lease_until, " \
  "next_attempt, sent_at, last_error"
#define SLOTBOOK_AUDIT_COLUMNS                                                                \
  "sequence, at, who_role, who_id, action, session_id, before_status, after_status, detail, " \
  "previous_hash, hash"
#define SLOTBOOK_CLAIMABLE                                                                     \
  "((state = 'pending' AND due_at <= $1 AND (next_attempt IS NULL OR next_attempt <= $1)) OR " \
  "(state = 'claimed' AND (lease_until IS NULL OR lease_until <= $1)))"
// The next id after the largest positive one (ids above 2^63 - 1 are stored as negative
// numbers): SQLite's rowid rule, so ids a host gave never collide with later ones. Writers take
// turns, so no two transactions compute the same one.
#define SLOTBOOK_NEXT_ID(column, table) \
  "(SELECT coalesce(max(" column "), 0) + 1 FROM " table " WHERE " column " > 0)"

constexpr statement find_session_sql{
    "find_session", "SELECT " SLOTBOOK_SESSION_COLUMNS " FROM sessions WHERE id = $1"};
constexpr statement find_reference_sql{"find_reference",
                                       "SELECT " SLOTBOOK_SESSION_COLUMNS
                                       " FROM sessions WHERE booking_reference = $1"};
constexpr statement provider_range_sql{"provider_range",
                                       "SELECT " SLOTBOOK_SESSION_COLUMNS
                                       " FROM sessions WHERE provider_id = $1 AND " SLOTBOOK_DURING
                                       " ORDER BY scheduled_at, id"};
constexpr statement client_range_sql{"client_range",
                                     "SELECT " SLOTBOOK_SESSION_COLUMNS
                                     " FROM sessions WHERE client_id = $1 AND " SLOTBOOK_DURING
                                     " ORDER BY scheduled_at, id"};
constexpr statement active_provider_range_sql{
    "active_provider_range",
    "SELECT " SLOTBOOK_SESSION_COLUMNS " FROM sessions WHERE provider_id = $1 AND " SLOTBOOK_DURING
    " AND " SLOTBOOK_ACTIVE " ORDER BY scheduled_at, id"};
constexpr statement active_client_range_sql{
    "active_client_range",
    "SELECT " SLOTBOOK_SESSION_COLUMNS " FROM sessions WHERE client_id = $1 AND " SLOTBOOK_DURING
    " AND " SLOTBOOK_ACTIVE " ORDER BY scheduled_at, id"};
constexpr statement pending_holds_sql{
    "pending_holds", "SELECT " SLOTBOOK_SESSION_COLUMNS
                     " FROM sessions WHERE status = 'pending_payment' AND created_at <= $1"
                     " ORDER BY created_at, id LIMIT $2"};
constexpr statement insert_session_sql{
    "insert_session",
    "INSERT INTO sessions (" SLOTBOOK_SESSION_COLUMNS
    ") VALUES (coalesce($1::bigint, " SLOTBOOK_NEXT_ID("id", "sessions") "), $2, $3, $4, $5, $6,"
    " $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,"
    " $26, $27, $28, $29, $30) RETURNING id"};
constexpr statement update_session_sql{
    "update_session",
    "UPDATE sessions SET client_id = $2, provider_id = $3, scheduled_at = $4,"
    " duration_minutes = $5, status = $6, session_type = $7, booking_reference = $8, notes = $9,"
    " special_requests = $10, amount_minor = $11, currency = $12, payment_status = $13,"
    " payment_method = $14, transaction_id = $15, refunded_minor = $16, joined_at = $17,"
    " ended_at = $18, actual_duration_seconds = $19, created_at = $20, updated_at = $21,"
    " cancelled_at = $22, cancellation_reason = $23, cancelled_by = $24, cancelled_from = $25,"
    " rescheduled_from = $26, rescheduled_to = $27, reschedule_count = $28, series_id = $29,"
    " capacity = $30 WHERE id = $1"};
constexpr statement session_exists_sql{"session_exists", "SELECT 1 FROM sessions WHERE id = $1"};
constexpr statement series_sessions_sql{"series_sessions", "SELECT " SLOTBOOK_SESSION_COLUMNS
                                                           " FROM sessions WHERE series_id = $1"
                                                           " ORDER BY scheduled_at, id"};
// Above both the last id handed out and every series id stored (a host may insert sessions with
// series ids it chose). Writers take turns, so no two transactions get the same one.
// Series records count too (a host may store one under an id of its choosing).
#define SLOTBOOK_TOP_SERIES                                                          \
  "greatest((SELECT coalesce(max(series_id), 0) FROM sessions WHERE series_id > 0)," \
  " (SELECT coalesce(max(id), 0) FROM series WHERE id > 0))"
constexpr statement next_series_id_sql{
    "next_series_id",
    "INSERT INTO id_sequences (name, last_id) VALUES ('series', " SLOTBOOK_TOP_SERIES
    " + 1)"
    " ON CONFLICT (name) DO UPDATE SET last_id = "
    "greatest(id_sequences.last_id, " SLOTBOOK_TOP_SERIES ") + 1 RETURNING last_id"};
#undef SLOTBOOK_TOP_SERIES
#define SLOTBOOK_SERIES_COLUMNS                                                          \
  "id, provider_id, client_id, rule, first_date, first_second, zone, duration_minutes, " \
  "session_type, created_at"
constexpr statement insert_series_sql{"insert_series",
                                      "INSERT INTO series (" SLOTBOOK_SERIES_COLUMNS
                                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
constexpr statement find_series_sql{"find_series",
                                    "SELECT " SLOTBOOK_SERIES_COLUMNS " FROM series WHERE id = $1"};
#undef SLOTBOOK_SERIES_COLUMNS
#define SLOTBOOK_SEAT_COLUMNS                                                                   \
  "id, session_id, client_id, status, amount_minor, currency, payment_status, payment_method, " \
  "transaction_id, refunded_minor, created_at, updated_at, cancelled_at, cancellation_reason, " \
  "cancelled_by"
constexpr statement insert_seat_sql{
    "insert_seat",
    "INSERT INTO session_seats (" SLOTBOOK_SEAT_COLUMNS ") VALUES (" SLOTBOOK_NEXT_ID(
        "id", "session_seats") ", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                               " RETURNING id"};
constexpr statement update_seat_sql{
    "update_seat",
    "UPDATE session_seats SET status = $4, amount_minor = $5, currency = $6,"
    " payment_status = $7, payment_method = $8, transaction_id = $9, refunded_minor = $10,"
    " created_at = $11, updated_at = $12, cancelled_at = $13, cancellation_reason = $14,"
    " cancelled_by = $15 WHERE id = $1 AND session_id = $2 AND client_id = $3"};
constexpr statement find_seat_sql{"find_seat",
                                  "SELECT session_id, client_id FROM session_seats WHERE id = $1"};
constexpr statement group_exists_sql{
    "group_exists", "SELECT 1 FROM sessions WHERE id = $1 AND session_type = 'group'"};
constexpr statement active_seat_sql{
    "active_seat",
    "SELECT id FROM session_seats WHERE session_id = $1 AND client_id = $2"
    " AND status = 'scheduled' AND id <> $3"};
constexpr statement session_seats_sql{"session_seats",
                                      "SELECT " SLOTBOOK_SEAT_COLUMNS
                                      " FROM session_seats WHERE session_id = $1 ORDER BY id"};
constexpr statement unpaid_seats_sql{
    "unpaid_seats", "SELECT " SLOTBOOK_SEAT_COLUMNS
                    " FROM session_seats WHERE status = 'scheduled'"
                    " AND payment_status = 'pending' AND amount_minor > 0 AND created_at <= $1"
                    " ORDER BY created_at, id LIMIT $2"};
constexpr statement client_group_sessions_sql{
    "client_group_sessions",
    "SELECT " SLOTBOOK_SESSION_COLUMNS " FROM sessions WHERE " SLOTBOOK_DURING
    " AND " SLOTBOOK_ACTIVE
    " AND id IN (SELECT session_id FROM session_seats"
    " WHERE client_id = $1 AND status = 'scheduled') ORDER BY scheduled_at, id"};
#define SLOTBOOK_WAITLIST_COLUMNS                                                        \
  "id, provider_id, client_id, range_begin, range_end, session_type, earliest_minute, "  \
  "latest_minute, state, joined_at, updated_at, offer_begin, offer_end, offer_expires, " \
  "booked_session"
constexpr statement insert_waitlist_sql{
    "insert_waitlist",
    "INSERT INTO waitlist (" SLOTBOOK_WAITLIST_COLUMNS ") VALUES (" SLOTBOOK_NEXT_ID(
        "id", "waitlist") ", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                          " RETURNING id"};
constexpr statement update_waitlist_sql{
    "update_waitlist",
    "UPDATE waitlist SET range_begin = $4, range_end = $5, session_type = $6,"
    " earliest_minute = $7, latest_minute = $8, state = $9, joined_at = $10, updated_at = $11,"
    " offer_begin = $12, offer_end = $13, offer_expires = $14, booked_session = $15"
    " WHERE id = $1 AND provider_id = $2 AND client_id = $3"};
constexpr statement find_waitlist_sql{
    "find_waitlist", "SELECT " SLOTBOOK_WAITLIST_COLUMNS " FROM waitlist WHERE id = $1"};
constexpr statement open_waitlist_sql{
    "open_waitlist",
    "SELECT " SLOTBOOK_WAITLIST_COLUMNS
    " FROM waitlist WHERE state IN ('waiting', 'offered')"
    " AND provider_id = $1 AND range_begin < $2 AND range_end > $3 ORDER BY joined_at, id"};
constexpr statement due_offers_sql{"due_offers",
                                   "SELECT " SLOTBOOK_WAITLIST_COLUMNS
                                   " FROM waitlist WHERE state = 'offered'"
                                   " AND offer_expires <= $1 ORDER BY offer_expires, id LIMIT $2"};
constexpr statement client_waitlist_sql{"client_waitlist",
                                        "SELECT " SLOTBOOK_WAITLIST_COLUMNS
                                        " FROM waitlist WHERE client_id = $1 ORDER BY id"};
#define SLOTBOOK_BUSY_COLUMNS "provider_id, source, uid, begin_at, end_at, all_day, imported_at"
constexpr statement insert_busy_sql{"insert_busy", "INSERT INTO busy_blocks (" SLOTBOOK_BUSY_COLUMNS
                                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7)"};
// $2 = window.end, $3 = window.begin; a block lasts at most 366 days, which bounds the scan.
constexpr statement remove_busy_sql{
    "remove_busy",
    "DELETE FROM busy_blocks WHERE provider_id = $1 AND source = $4 AND begin_at < $2"
    " AND end_at > $3 AND begin_at > $3 - 366 * 86400"};
// Byte order for the text columns, as the other stores sort.
constexpr statement busy_blocks_sql{
    "busy_blocks", "SELECT " SLOTBOOK_BUSY_COLUMNS
                   " FROM busy_blocks WHERE provider_id = $1 AND begin_at < $2"
                   " AND end_at > $3 AND begin_at > $3 - 366 * 86400"
                   " ORDER BY begin_at, end_at, source COLLATE \"C\", uid COLLATE \"C\""};
constexpr statement reference_owner_sql{"reference_owner",
                                        "SELECT id FROM sessions WHERE booking_reference = $1"};
constexpr statement next_sequence_sql{
    "next_sequence",
    "INSERT INTO reference_sequences (year, last_sequence) VALUES ($1, 1) ON CONFLICT (year)"
    " DO UPDATE SET last_sequence = reference_sequences.last_sequence + 1"
    " RETURNING last_sequence"};

constexpr statement put_provider_sql{
    "put_provider",
    "INSERT INTO providers (id, name, active, price_minor, currency, zone, schedule_active,"
    " effective_from, effective_until, slot_minutes, step_minutes, buffer_before_minutes,"
    " buffer_after_minutes, minimum_notice_minutes, maximum_advance_minutes, max_per_day,"
    " alignment, requires_intake) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
    " $13, $14, $15, $16, $17, $18) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
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
    " requires_intake = excluded.requires_intake"};
constexpr statement delete_windows_sql{"delete_windows",
                                       "DELETE FROM provider_windows WHERE provider_id = $1"};
// Cascades to provider_exception_hours.
constexpr statement delete_exceptions_sql{"delete_exceptions",
                                          "DELETE FROM provider_exceptions WHERE provider_id = $1"};
// Rows come as parallel arrays: one statement however many windows or hours there are.
constexpr statement insert_windows_sql{
    "insert_windows",
    "INSERT INTO provider_windows (provider_id, position, weekday, start_minute, end_minute)"
    " SELECT $1, w.n - 1, w.weekday, w.start_minute, w.end_minute"
    " FROM unnest($2::integer[], $3::integer[], $4::integer[])"
    " WITH ORDINALITY AS w (weekday, start_minute, end_minute, n)"};
constexpr statement insert_exception_sql{
    "insert_exception",
    "INSERT INTO provider_exceptions (provider_id, position, day, available, reason)"
    " VALUES ($1, $2, $3, $4, $5)"};
constexpr statement insert_exception_hours_sql{
    "insert_exception_hours",
    "INSERT INTO provider_exception_hours (provider_id, exception_position, position,"
    " start_minute, end_minute) SELECT $1, $2, h.n - 1, h.start_minute, h.end_minute"
    " FROM unnest($3::integer[], $4::integer[]) WITH ORDINALITY AS h (start_minute, end_minute, "
    "n)"};
// The provider with its windows in one row; the exceptions with their hours in a second query.
constexpr statement find_provider_sql{
    "find_provider",
    "SELECT id, name, active, price_minor, currency, zone, schedule_active, effective_from,"
    " effective_until, slot_minutes, step_minutes, buffer_before_minutes, buffer_after_minutes,"
    " minimum_notice_minutes, maximum_advance_minutes, max_per_day, alignment, requires_intake,"
    " (SELECT coalesce(string_agg(weekday || ' ' || start_minute || ' ' || end_minute, ' '"
    " ORDER BY position), '') FROM provider_windows WHERE provider_id = providers.id)"
    " FROM providers WHERE id = $1"};
constexpr statement find_exceptions_sql{
    "find_exceptions",
    "SELECT e.position, e.day, e.available, e.reason,"
    " (SELECT coalesce(string_agg(h.start_minute || ' ' || h.end_minute, ' '"
    " ORDER BY h.position), '') FROM provider_exception_hours h"
    " WHERE h.provider_id = e.provider_id AND h.exception_position = e.position)"
    " FROM provider_exceptions e WHERE e.provider_id = $1 ORDER BY e.position"};
constexpr statement provider_ids_sql{"provider_ids", "SELECT id FROM providers"};

constexpr statement enqueue_reminders_sql{
    "enqueue_reminders",
    "INSERT INTO reminder_queue (id, session_id, client_id, due_at, channel, before_minutes,"
    " state) SELECT first.id + r.n - 1, r.session_id, $1, r.due_at, r.channel, r.before_minutes,"
    " 'pending' FROM " SLOTBOOK_NEXT_ID("id", "reminder_queue") " AS first (id),"
    " unnest($2::bigint[], $3::bigint[], $4::text[], $5::bigint[])"
    " WITH ORDINALITY AS r (session_id, due_at, channel, before_minutes, n) RETURNING id"};
constexpr statement remove_reminders_sql{
    "remove_reminders",
    "DELETE FROM reminder_queue WHERE session_id = $1 AND state IN ('pending', 'claimed')"};
constexpr statement claim_reminders_sql{
    "claim_reminders",
    "UPDATE reminder_queue SET state = 'claimed', lease_until = $2,"
    " attempts = least(attempts::bigint + 1, 2147483647)::integer"
    " WHERE id IN (SELECT id FROM reminder_queue WHERE " SLOTBOOK_CLAIMABLE
    " ORDER BY due_at, id LIMIT $3) RETURNING " SLOTBOOK_REMINDER_COLUMNS};
constexpr statement update_reminder_sql{
    "update_reminder",
    "UPDATE reminder_queue SET state = $2, attempts = $3, lease_until = $4, next_attempt = $5,"
    " sent_at = $6, last_error = $7 WHERE id = $1"};
constexpr statement find_reminder_sql{
    "find_reminder", "SELECT " SLOTBOOK_REMINDER_COLUMNS " FROM reminder_queue WHERE id = $1"};
constexpr statement session_reminders_sql{
    "session_reminders", "SELECT " SLOTBOOK_REMINDER_COLUMNS
                         " FROM reminder_queue WHERE session_id = $1 ORDER BY due_at, id"};
constexpr statement backlog_sql{
    "backlog", "SELECT count(*) FILTER (WHERE " SLOTBOOK_CLAIMABLE
               "),"
               " min(due_at) FILTER (WHERE " SLOTBOOK_CLAIMABLE
               "),"
               " count(*) FILTER (WHERE state = 'pending'"
               " AND NOT (due_at <= $1 AND (next_attempt IS NULL OR next_attempt <= $1)))"
               " FROM reminder_queue WHERE state IN ('pending', 'claimed')"};

constexpr statement append_audit_sql{
    "append_audit",
    "INSERT INTO audit_log (sequence, at, who_role, who_id, action, session_id, before_status,"
    " after_status, detail, previous_hash, hash) VALUES ((SELECT coalesce(max(sequence), 0) + 1"
    " FROM audit_log), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING sequence"};
constexpr statement last_audit_sql{"last_audit", "SELECT " SLOTBOOK_AUDIT_COLUMNS
                                                 " FROM audit_log ORDER BY sequence DESC LIMIT 1"};
constexpr statement audit_entries_sql{
    "audit_entries", "SELECT " SLOTBOOK_AUDIT_COLUMNS
                     " FROM audit_log WHERE sequence > $1 ORDER BY sequence LIMIT $2"};

#define SLOTBOOK_INTAKE_COLUMNS                                                              \
  "id, client_id, session_id, data_key, key_version, personal_info, mental_health, goals, "  \
  "consent_to_treatment, confidentiality_agreement, data_processing_consent, completed_at, " \
  "created_at, updated_at, deleted_at, deletion_reason"

// The next id is above both the last one handed out and every id stored (put_intake may store a
// form under an id it chose).
constexpr statement next_intake_id_sql{
    "next_intake_id",
    "INSERT INTO id_sequences (name, last_id) VALUES ('intake_forms',"
    " (SELECT coalesce(max(id), 0) + 1 FROM intake_forms)) ON CONFLICT (name) DO UPDATE"
    " SET last_id = greatest(id_sequences.last_id, (SELECT coalesce(max(id), 0) FROM"
    " intake_forms)) + 1 RETURNING last_id"};
constexpr statement put_intake_sql{
    "put_intake", "INSERT INTO intake_forms (" SLOTBOOK_INTAKE_COLUMNS
                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
                  " ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id,"
                  " session_id = excluded.session_id, data_key = excluded.data_key,"
                  " key_version = excluded.key_version, personal_info = excluded.personal_info,"
                  " mental_health = excluded.mental_health, goals = excluded.goals,"
                  " consent_to_treatment = excluded.consent_to_treatment,"
                  " confidentiality_agreement = excluded.confidentiality_agreement,"
                  " data_processing_consent = excluded.data_processing_consent,"
                  " completed_at = excluded.completed_at, created_at = excluded.created_at,"
                  " updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,"
                  " deletion_reason = excluded.deletion_reason"};
constexpr statement find_intake_sql{
    "find_intake", "SELECT " SLOTBOOK_INTAKE_COLUMNS " FROM intake_forms WHERE id = $1"};
constexpr statement client_intakes_sql{"client_intakes",
                                       "SELECT " SLOTBOOK_INTAKE_COLUMNS
                                       " FROM intake_forms WHERE client_id = $1 ORDER BY id"};
constexpr statement intakes_to_rotate_sql{
    "intakes_to_rotate",
    "SELECT " SLOTBOOK_INTAKE_COLUMNS
    " FROM intake_forms WHERE data_key IS NOT NULL AND id > $2 AND key_version <> $1"
    " ORDER BY id LIMIT $3"};
constexpr statement purge_intakes_sql{
    "purge_intakes",
    "DELETE FROM intake_forms WHERE id IN (SELECT id FROM intake_forms"
    " WHERE deleted_at IS NOT NULL AND deleted_at < $1 ORDER BY deleted_at, id LIMIT $2)"
    " RETURNING id"};
constexpr statement mark_deleted_sql{
    "mark_deleted",
    "INSERT INTO session_deletions (session_id, deleted_at, reason) VALUES ($1, $2, $3)"
    " ON CONFLICT (session_id) DO UPDATE SET deleted_at = excluded.deleted_at,"
    " reason = excluded.reason"};
constexpr statement find_deletion_sql{
    "find_deletion",
    "SELECT session_id, deleted_at, reason FROM session_deletions WHERE session_id = $1"};
constexpr statement deleted_sessions_sql{
    "deleted_sessions",
    "SELECT session_id FROM session_deletions WHERE deleted_at < $1"
    " ORDER BY deleted_at, session_id LIMIT $2"};
constexpr statement purge_session_reminders_sql{
    "purge_session_reminders", "DELETE FROM reminder_queue WHERE session_id = ANY ($1::bigint[])"};
// Cascades to session_deletions.
constexpr statement purge_sessions_sql{"purge_sessions",
                                       "DELETE FROM sessions WHERE id = ANY ($1::bigint[])"};

constexpr statement all_statements[] = {find_session_sql,
                                        find_reference_sql,
                                        provider_range_sql,
                                        client_range_sql,
                                        active_provider_range_sql,
                                        active_client_range_sql,
                                        pending_holds_sql,
                                        insert_session_sql,
                                        update_session_sql,
                                        session_exists_sql,
                                        series_sessions_sql,
                                        next_series_id_sql,
                                        insert_series_sql,
                                        find_series_sql,
                                        insert_seat_sql,
                                        update_seat_sql,
                                        find_seat_sql,
                                        group_exists_sql,
                                        active_seat_sql,
                                        session_seats_sql,
                                        unpaid_seats_sql,
                                        client_group_sessions_sql,
                                        insert_waitlist_sql,
                                        update_waitlist_sql,
                                        find_waitlist_sql,
                                        open_waitlist_sql,
                                        due_offers_sql,
                                        client_waitlist_sql,
                                        insert_busy_sql,
                                        remove_busy_sql,
                                        busy_blocks_sql,
                                        reference_owner_sql,
                                        next_sequence_sql,
                                        put_provider_sql,
                                        delete_windows_sql,
                                        delete_exceptions_sql,
                                        insert_windows_sql,
                                        insert_exception_sql,
                                        insert_exception_hours_sql,
                                        find_provider_sql,
                                        find_exceptions_sql,
                                        provider_ids_sql,
                                        enqueue_reminders_sql,
                                        remove_reminders_sql,
                                        claim_reminders_sql,
                                        update_reminder_sql,
                                        find_reminder_sql,
                                        session_reminders_sql,
                                        backlog_sql,
                                        append_audit_sql,
                                        last_audit_sql,
                                        audit_entries_sql,
                                        next_intake_id_sql,
                                        put_intake_sql,
                                        find_intake_sql,
                                        client_intakes_sql,
                                        intakes_to_rotate_sql,
                                        purge_intakes_sql,
                                        mark_deleted_sql,
                                        find_deletion_sql,
                                        deleted_sessions_sql,
                                        purge_session_reminders_sql,
                                        purge_sessions_sql};

#undef SLOTBOOK_INTAKE_COLUMNS
#undef SLOTBOOK_SESSION_COLUMNS
#undef SLOTBOOK_ACTIVE
#undef SLOTBOOK_DURING
#undef SLOTBOOK_REMINDER_COLUMNS
#undef SLOTBOOK_AUDIT_COLUMNS
#undef SLOTBOOK_CLAIMABLE
#undef SLOTBOOK_NEXT_ID

// Migrations of every schema in one database take turns on this advisory lock ("slotbook" in
// ASCII): two processes opening a fresh database at once create the schema and the btree_gist
// extension one after the other, and the second finds the first's work.
constexpr std::int64_t migration_lock_key = 0x736c6f74626f6f6b;

// --- values in and out ---------------------------------------------------------------------------

// Ids are unsigned 64-bit; bigint is signed. Stored bit for bit: an id above 2^63 - 1 reads back
// exactly but sorts before the small ones in SQL, so C++ sorts where order matters.
std::int64_t as_sql(std::uint64_t id) noexcept { return static_cast<std::int64_t>(id); }
std::int64_t as_sql(instant t) noexcept {
  return static_cast<std::int64_t>(t.time_since_epoch().count());
}
std::int64_t sql_limit(std::size_t limit) noexcept {
  return limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::int64_t>::max()
             : static_cast<std::int64_t>(limit);
}

// The instants a stored session can touch lie in the years 1 to 10000 (validate bounds starts to
// 9999 and durations to 24 h); a range query is clamped to a little more than that, which finds
// the same sessions and keeps to_timestamp() within its range.
std::int64_t clamp_for_range(instant t) noexcept {
  constexpr std::int64_t low = -62'135'596'800 - 86'400;
  constexpr std::int64_t high = 253'402'300'799 + 2 * 86'400;
  return std::clamp(as_sql(t), low, high);
}

// PostgreSQL text is UTF-8 without NUL bytes; anything else would fail inside the server with an
// encoding error. Checked before any SQL runs, so the refusal leaves the transaction usable.
bool is_postgres_text(std::string_view s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lower = 0x80;
    unsigned upper = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lower = 0xa0;  // no overlong forms
      if (c == 0xed) upper = 0x9f;  // no UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lower = 0x90;  // no overlong forms
      if (c == 0xf4) upper = 0x8f;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if (d < (k == 1 ? lower : 0x80) || d > (k == 1 ? upper : 0xbf)) return false;
    }
    i += len;
  }
  return true;
}

void check_text(std::string_view field, std::string_view text) {
  if (!is_postgres_text(text)) {
    throw error(errc::invalid_argument,
                fmt::format("{}: {} is not UTF-8 text without NUL bytes, which PostgreSQL "
                            "requires",
                            field, detail::quote(text)));
  }
}

void check_texts(const session& s) {
  check_text("notes", s.notes);
  check_text("special_requests", s.special_requests);
  check_text("payment_method", s.payment_method);
  check_text("transaction_id", s.transaction_id);
  check_text("cancellation_reason", s.cancellation_reason);
}

void check_texts(const provider_profile& p) {
  check_text("name", p.name);
  check_text("zone", p.hours.zone);
  for (const date_exception& x : p.hours.exceptions) check_text("reason", x.reason);
}

void check_texts(const audit_entry& e) {
  check_text("action", e.action);
  check_text("detail", e.detail);
  check_text("previous_hash", e.previous_hash);
  check_text("hash", e.hash);
}

// Statement parameters as text (NULL as nullopt), the way libpq sends them.
class parameters {
 public:
  parameters& add(std::int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
  }
  parameters& add(std::string_view v) {
    values_.emplace_back(std::string(v));
    return *this;
  }
  parameters& add(bool v) {
    values_.emplace_back(v ? "true" : "false");
    return *this;
  }
  parameters& add_null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  parameters& add(const std::optional<instant>& t) { return t ? add(as_sql(*t)) : add_null(); }
  // A zero id is "none": NULL.
  parameters& add_id_or_null(std::uint64_t id) { return id != 0 ? add(as_sql(id)) : add_null(); }
  parameters& add_text_or_null(std::string_view v) { return v.empty() ? add_null() : add(v); }
  // bytea in its hex input form, `\x0a1b...`.
  parameters& add_bytes(const std::vector<std::uint8_t>& bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string text = "\\x";
    text.reserve(2 + 2 * bytes.size());
    for (const std::uint8_t b : bytes) {
      text.push_back(hex[b >> 4]);
      text.push_back(hex[b & 0xf]);
    }
    values_.emplace_back(std::move(text));
    return *this;
  }
  parameters& add(const std::optional<sealed_field>& f) {
    return f ? add_bytes(f->bytes) : add_null();
  }

  const std::vector<std::optional<std::string>>& values() const noexcept { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

// `{1,2,3}`: an integer array literal.
template <class Range, class Project>
std::string int_array(const Range& items, Project project) {
  std::string out = "{";
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    out += std::to_string(project(item));
  }
  out += '}';
  return out;
}

parameters session_parameters(const session& s) {
  parameters p;
  p.add_id_or_null(s.id.value)
      .add(as_sql(s.client.value))
      .add(as_sql(s.provider.value))
      .add(as_sql(s.scheduled_at))
      .add(static_cast<std::int64_t>(s.duration.count()))
      .add(to_string(s.status))
      .add(to_string(s.type))
      .add_text_or_null(s.booking_reference)
      .add(s.notes)
      .add(s.special_requests)
      .add(static_cast<std::int64_t>(s.amount.minor_units()))
      .add(s.amount.currency_code().code())
      .add(to_string(s.payment))
      .add(s.payment_method)
      .add(s.transaction_id)
      .add(static_cast<std::int64_t>(s.refunded_minor))
      .add(s.joined_at)
      .add(s.ended_at);
  if (s.actual_duration) {
    p.add(static_cast<std::int64_t>(s.actual_duration->count()));
  } else {
    p.add_null();
  }
  p.add(as_sql(s.created_at))
      .add(as_sql(s.updated_at))
      .add(s.cancelled_at)
      .add(s.cancellation_reason);
  if (s.cancelled_by) {
    p.add(to_string(*s.cancelled_by));
  } else {
    p.add_null();
  }
  if (s.cancelled_from) {
    p.add(to_string(*s.cancelled_from));
  } else {
    p.add_null();
  }
  p.add_id_or_null(s.rescheduled_from.value)
      .add_id_or_null(s.rescheduled_to.value)
      .add(static_cast<std::int64_t>(s.reschedule_count))
      .add_id_or_null(s.series.value)
      .add(static_cast<std::int64_t>(s.capacity));
  return p;
}

parameters intake_parameters(const stored_intake& f) {
  const sealed_intake& s = f.form;
  parameters p;
  p.add(as_sql(s.id.value)).add(as_sql(s.client.value)).add_id_or_null(s.session.value);
  if (f.deleted()) {
    p.add_null().add_null();
  } else {
    p.add_bytes(s.data_key.bytes).add(static_cast<std::int64_t>(key_version(s.data_key)));
  }
  p.add(s.personal_info)
      .add(s.mental_health)
      .add(s.goals)
      .add(s.consent.consent_to_treatment)
      .add(s.consent.confidentiality_agreement)
      .add(s.consent.data_processing_consent)
      .add(s.completed_at)
      .add(as_sql(f.created_at))
      .add(as_sql(f.updated_at))
      .add(f.deleted_at)
      .add(f.deletion_reason);
  return p;
}

// A value in the database that slotbook cannot read: the CHECK constraints make this a sign of
// SQL that bypassed them (or dropped them).
[[noreturn]] void unreadable(std::string_view column, std::string_view text) {
  throw error(errc::storage, fmt::format("{}: column {} holds {}, which slotbook cannot read",
                                         backend, column, detail::quote(text)));
}

std::uint64_t read_id(const pqxx::field& f) {
  return static_cast<std::uint64_t>(f.as<std::int64_t>());
}
instant read_instant(const pqxx::field& f) {
  return instant{std::chrono::seconds{f.as<std::int64_t>()}};
}
std::optional<instant> read_optional_instant(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return read_instant(f);
}
std::string read_text(const pqxx::field& f) { return std::string(f.c_str(), f.size()); }

template <class Parse>
auto read_enum(const pqxx::field& f, std::string_view column, Parse parse) {
  const std::string text = read_text(f);
  try {
    return parse(text);
  } catch (const error&) {
    unreadable(column, text);
  }
}

std::int32_t read_int32(const pqxx::field& f, std::string_view column) {
  const auto v = f.as<std::int64_t>();
  if (v < std::numeric_limits<std::int32_t>::min() ||
      v > std::numeric_limits<std::int32_t>::max()) {
    unreadable(column, std::to_string(v));
  }
  return static_cast<std::int32_t>(v);
}

std::string_view to_sql(slot_alignment a) {
  return a == slot_alignment::fixed_grid ? "fixed_grid" : "run_start";
}
slot_alignment read_alignment(const pqxx::field& f) {
  const std::string text = read_text(f);
  if (text == "run_start") return slot_alignment::run_start;
  if (text == "fixed_grid") return slot_alignment::fixed_grid;
  unreadable("alignment", text);
}

reminder_state read_reminder_state(const pqxx::field& f) {
  const std::string text = read_text(f);
  for (reminder_state s : {reminder_state::pending, reminder_state::claimed, reminder_state::sent,
                           reminder_state::failed}) {
    if (text == to_string(s)) return s;
  }
  unreadable("state", text);
}

date::year_month_day read_date(const pqxx::field& f, std::string_view column) {
  const std::string text = read_text(f);
  try {
    return parse_date(text);
  } catch (const error&) {
    unreadable(column, text);
  }
}

// "1 540 1020 3 600 720" -> {1, 540, 1020, 3, 600, 720}: what string_agg made of integer rows.
std::vector<std::int64_t> read_numbers(const pqxx::field& f, std::string_view column) {
  std::vector<std::int64_t> out;
  const std::string text = read_text(f);
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t used = 0;
    try {
      out.push_back(std::stoll(text.substr(i), &used));
    } catch (const std::exception&) {
      unreadable(column, text);
    }
    i += used;
    while (i < text.size() && text[i] == ' ') ++i;
  }
  return out;
}

// bytea as the server sends it in text form with bytea_output = hex: `\x0a1b...`.
std::vector<std::uint8_t> read_bytes(const pqxx::field& f, std::string_view column) {
  const std::string_view text(f.c_str(), f.size());
  const auto digit = [&](char c) -> unsigned {
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<unsigned>(c - 'A' + 10);
    unreadable(column, text.substr(0, 16));
  };
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    unreadable(column, text.substr(0, 16));
  }
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 2 - 1);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(digit(text[i]) << 4 | digit(text[i + 1])));
  }
  return out;
}

std::optional<sealed_field> read_sealed(const pqxx::field& f, std::string_view column) {
  if (f.is_null()) return std::nullopt;
  return sealed_field{read_bytes(f, column)};
}

stored_intake read_intake(const pqxx::row& r) {
  stored_intake f;
  sealed_intake& s = f.form;
  s.id = intake_id{read_id(r[0])};
  s.client = client_id{read_id(r[1])};
  if (!r[2].is_null()) s.session = session_id{read_id(r[2])};
  if (!r[3].is_null()) s.data_key.bytes = read_bytes(r[3], "data_key");
  // Column 4 (key_version) repeats the data key's header for SQL; the header is what counts.
  s.personal_info = read_sealed(r[5], "personal_info");
  s.mental_health = read_sealed(r[6], "mental_health");
  s.goals = read_sealed(r[7], "goals");
  s.consent.consent_to_treatment = r[8].as<bool>();
  s.consent.confidentiality_agreement = r[9].as<bool>();
  s.consent.data_processing_consent = r[10].as<bool>();
  s.completed_at = read_optional_instant(r[11]);
  f.created_at = read_instant(r[12]);
  f.updated_at = read_instant(r[13]);
  f.deleted_at = read_optional_instant(r[14]);
  f.deletion_reason = read_text(r[15]);
  return f;
}

session read_session(const pqxx::row& r) {
  session s;
  s.id = session_id{read_id(r[0])};
  s.client = client_id{read_id(r[1])};
  s.provider = provider_id{read_id(r[2])};
  s.scheduled_at = read_instant(r[3]);
  s.duration = std::chrono::minutes{r[4].as<std::int64_t>()};
  s.status = read_enum(r[5], "status", [](std::string_view t) { return parse_session_status(t); });
  s.type =
      read_enum(r[6], "session_type", [](std::string_view t) { return parse_session_type(t); });
  if (!r[7].is_null()) s.booking_reference = read_text(r[7]);
  s.notes = read_text(r[8]);
  s.special_requests = read_text(r[9]);
  const currency code =
      read_enum(r[11], "currency", [](std::string_view t) { return currency::parse(t); });
  s.amount = money{r[10].as<std::int64_t>(), code};
  s.payment = read_enum(r[12], "payment_status",
                        [](std::string_view t) { return parse_payment_status(t); });
  s.payment_method = read_text(r[13]);
  s.transaction_id = read_text(r[14]);
  s.refunded_minor = r[15].as<std::int64_t>();
  s.joined_at = read_optional_instant(r[16]);
  s.ended_at = read_optional_instant(r[17]);
  if (!r[18].is_null()) s.actual_duration = std::chrono::seconds{r[18].as<std::int64_t>()};
  s.created_at = read_instant(r[19]);
  s.updated_at = read_instant(r[20]);
  s.cancelled_at = read_optional_instant(r[21]);
  s.cancellation_reason = read_text(r[22]);
  if (!r[23].is_null()) {
    s.cancelled_by =
        read_enum(r[23], "cancelled_by", [](std::string_view t) { return parse_role(t); });
  }
  if (!r[24].is_null()) {
    s.cancelled_from = read_enum(r[24], "cancelled_from",
                                 [](std::string_view t) { return parse_session_status(t); });
  }
  if (!r[25].is_null()) s.rescheduled_from = session_id{read_id(r[25])};
  if (!r[26].is_null()) s.rescheduled_to = session_id{read_id(r[26])};
  s.reschedule_count = read_int32(r[27], "reschedule_count");
  if (!r[28].is_null()) s.series = series_id{read_id(r[28])};
  s.capacity = read_int32(r[29], "capacity");
  return s;
}

// With the id first (update_seat), or without it (insert_seat: the store assigns one).
parameters seat_parameters(const seat& s, bool with_id) {
  parameters p;
  if (with_id) p.add(static_cast<std::int64_t>(s.id));
  p.add(as_sql(s.session.value))
      .add(as_sql(s.client.value))
      .add(to_string(s.status))
      .add(static_cast<std::int64_t>(s.amount.minor_units()))
      .add(s.amount.currency_code().code())
      .add(to_string(s.payment))
      .add(s.payment_method)
      .add(s.transaction_id)
      .add(static_cast<std::int64_t>(s.refunded_minor))
      .add(as_sql(s.created_at))
      .add(as_sql(s.updated_at))
      .add(s.cancelled_at)
      .add(s.cancellation_reason);
  if (s.cancelled_by) {
    p.add(to_string(*s.cancelled_by));
  } else {
    p.add_null();
  }
  return p;
}

seat read_seat(const pqxx::row& r) {
  seat s;
  s.id = r[0].as<std::int64_t>();
  s.session = session_id{read_id(r[1])};
  s.client = client_id{read_id(r[2])};
  s.status = read_enum(r[3], "status", [](std::string_view t) { return parse_session_status(t); });
  const currency code =
      read_enum(r[5], "currency", [](std::string_view t) { return currency::parse(t); });
  s.amount = money{r[4].as<std::int64_t>(), code};
  s.payment =
      read_enum(r[6], "payment_status", [](std::string_view t) { return parse_payment_status(t); });
  s.payment_method = read_text(r[7]);
  s.transaction_id = read_text(r[8]);
  s.refunded_minor = r[9].as<std::int64_t>();
  s.created_at = read_instant(r[10]);
  s.updated_at = read_instant(r[11]);
  s.cancelled_at = read_optional_instant(r[12]);
  s.cancellation_reason = read_text(r[13]);
  if (!r[14].is_null()) {
    s.cancelled_by =
        read_enum(r[14], "cancelled_by", [](std::string_view t) { return parse_role(t); });
  }
  return s;
}

// With the id first (update), or without it (insert: the store assigns one).
parameters waitlist_parameters(const waitlist_entry& e, bool with_id) {
  parameters p;
  if (with_id) p.add(static_cast<std::int64_t>(e.id));
  p.add(as_sql(e.provider.value))
      .add(as_sql(e.client.value))
      .add(as_sql(e.range.begin))
      .add(as_sql(e.range.end))
      .add(to_string(e.type));
  for (const auto& t : {e.earliest_local, e.latest_local}) {
    if (t) {
      p.add(static_cast<std::int64_t>(t->count()));
    } else {
      p.add_null();
    }
  }
  p.add(to_string(e.state)).add(as_sql(e.joined_at)).add(as_sql(e.updated_at));
  if (e.offer) {
    p.add(as_sql(e.offer->begin)).add(as_sql(e.offer->end));
  } else {
    p.add_null().add_null();
  }
  p.add(e.offer_expires).add_id_or_null(e.booked.value);
  return p;
}

waitlist_entry read_waitlist(const pqxx::row& r) {
  waitlist_entry e;
  e.id = r[0].as<std::int64_t>();
  e.provider = provider_id{read_id(r[1])};
  e.client = client_id{read_id(r[2])};
  e.range = {read_instant(r[3]), read_instant(r[4])};
  e.type =
      read_enum(r[5], "session_type", [](std::string_view t) { return parse_session_type(t); });
  if (!r[6].is_null()) e.earliest_local = std::chrono::minutes{r[6].as<std::int64_t>()};
  if (!r[7].is_null()) e.latest_local = std::chrono::minutes{r[7].as<std::int64_t>()};
  e.state = read_enum(r[8], "state", [](std::string_view t) { return parse_waitlist_state(t); });
  e.joined_at = read_instant(r[9]);
  e.updated_at = read_instant(r[10]);
  if (!r[11].is_null()) e.offer = interval{read_instant(r[11]), read_instant(r[12])};
  e.offer_expires = read_optional_instant(r[13]);
  if (!r[14].is_null()) e.booked = session_id{read_id(r[14])};
  return e;
}

queued_reminder read_reminder(const pqxx::row& r) {
  queued_reminder q;
  q.id = r[0].as<std::int64_t>();
  q.what.session = session_id{read_id(r[1])};
  q.client = client_id{read_id(r[2])};
  q.what.due = read_instant(r[3]);
  q.what.channel =
      read_enum(r[4], "channel", [](std::string_view t) { return parse_reminder_channel(t); });
  q.what.before = std::chrono::minutes{r[5].as<std::int64_t>()};
  q.state = read_reminder_state(r[6]);
  q.attempts = read_int32(r[7], "attempts");
  q.lease_until = read_optional_instant(r[8]);
  q.next_attempt = read_optional_instant(r[9]);
  q.sent_at = read_optional_instant(r[10]);
  q.last_error = read_text(r[11]);
  return q;
}

audit_entry read_audit(const pqxx::row& r) {
  audit_entry e;
  e.sequence = r[0].as<std::int64_t>();
  e.at = read_instant(r[1]);
  e.who_role = read_enum(r[2], "who_role", [](std::string_view t) { return parse_role(t); });
  e.who_id = read_id(r[3]);
  e.action = read_text(r[4]);
  e.session = session_id{read_id(r[5])};
  if (!r[6].is_null()) {
    e.before = read_enum(r[6], "before_status",
                         [](std::string_view t) { return parse_session_status(t); });
  }
  if (!r[7].is_null()) {
    e.after =
        read_enum(r[7], "after_status", [](std::string_view t) { return parse_session_status(t); });
  }
  e.detail = read_text(r[8]);
  e.previous_hash = read_text(r[9]);
  e.hash = read_text(r[10]);
  return e;
}

// The server's message on one line: "ERROR:  ...\nDETAIL:  ..." -> "... (DETAIL: ...)".
std::string one_line(std::string_view message) {
  std::string out;
  bool space = false;
  for (const char c : message) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.rfind("ERROR: ", 0) == 0) out.erase(0, 7);
  return out;
}

// "2026-03-02 10:00:00+00" (the server's output in time zone UTC) -> "2026-03-02T10:00:00Z".
std::string iso_instant(const std::string& text) {
  static const std::regex pattern{R"(^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\+00$)"};
  std::smatch m;
  if (std::regex_match(text, m, pattern)) return m.str(1) + "T" + m.str(2) + "Z";
  return text;
}

// Turns an exclusion-constraint violation (SQLSTATE 23P01) into a message naming the provider or
// client and both intervals, from the server's DETAIL line:
//   Key (provider_id, during)=(1, ["2026-03-02 10:30:00+00","2026-03-02 11:30:00+00"))
//   conflicts with existing key (provider_id, during)=(1, ["2026-03-02 10:00:00+00",...)).
std::string overlap_message(std::string_view server_message) {
  const std::string text = one_line(server_message);
  static const std::regex pattern{
      R"re(Key \((provider|client)_id, during\)=\((-?\d+), \["([^"]+)","([^"]+)"\)\) )re"
      R"re(conflicts with existing key \((?:provider|client)_id, during\)=)re"
      R"re(\((-?\d+), \["([^"]+)","([^"]+)"\)\))re"};
  std::smatch m;
  if (!std::regex_search(text, m, pattern)) {
    return fmt::format(
        "sessions: overlapping sessions refused by the database (SQLSTATE 23P01): {}", text);
  }
  const std::string who = m.str(1);
  const auto id = static_cast<std::uint64_t>(std::stoll(m.str(2)));
  return fmt::format(
      "{0}: {0} {1} is already booked at [{2}, {3}): a session at [{4}, {5}) overlaps it "
      "(exclusion constraint sessions_{0}_no_overlap, SQLSTATE 23P01): {0}_busy",
      who, id, iso_instant(m.str(6)), iso_instant(m.str(7)), iso_instant(m.str(3)),
      iso_instant(m.str(4)));
}

}  // namespace

// --- connections and the pool --------------------------------------------------------------------

struct postgres_store::connection {
  explicit connection(const std::string& conninfo) : db(conninfo) {}

  pqxx::result run_row(const statement& st, const parameters& p) {
    return tx->exec_prepared(st.name, pqxx::prepare::make_dynamic_params(p.values()));
  }
  template <class... Args>
  pqxx::result run(const statement& st, Args&&... args) {
    return tx->exec_prepared(st.name, std::forward<Args>(args)...);
  }

  /// Sessions of one provider or client (`st` decides) overlapping `range`, by start.
  std::vector<session> sessions_in(const statement& st, std::uint64_t who, interval range) {
    std::vector<session> out;
    if (!range.ok()) return out;
    const pqxx::result r =
        run(st, as_sql(who), clamp_for_range(range.begin), clamp_for_range(range.end));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read_session(row));
    return out;
  }

  pqxx::connection db;
  std::unique_ptr<pqxx::transaction_base> tx;  // while a transaction is open
  bool broken = false;                         // lost or in doubt: close, never reuse
  // A statement of the open transaction failed on the server, which has then aborted the whole
  // transaction; a COMMIT would be answered with ROLLBACK, not with an error.
  std::string failed;
};

struct postgres_store::impl {
  impl(std::string c, postgres_store_options o)
      : conninfo(std::move(c)),
        options(std::move(o)),
        capacity(std::max<std::size_t>(options.max_connections, 1)) {
    all.reserve(capacity);
    idle.reserve(capacity);
  }

  std::string conninfo;  // may hold a password: never in a message
  postgres_store_options options;
  std::size_t capacity;
  std::string server;         // "host:port/dbname", once connected
  std::string quoted_schema;  // the schema as an SQL identifier

  // Writers of this process take turns here before they ask the server for the writer lock, as
  // sqlite_store's do before BEGIN IMMEDIATE: a thread waiting in-process is handed the turn
  // faster than a backend waiting on a PostgreSQL lock, and holds no connection meanwhile (so
  // readers find one free). Across processes and machines the server's lock decides.
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
  std::vector<connection*> idle;                 // capacity reserved: push_back never throws
  std::size_t opening = 0;                       // connections being opened right now

  std::string where() const {
    return server.empty()
               ? fmt::format("{} schema {}", backend, detail::quote(options.schema))
               : fmt::format("{} {} schema {}", backend, server, detail::quote(options.schema));
  }

  [[noreturn]] void busy(std::string_view what) const {
    throw error(errc::storage,
                fmt::format("{}: {}: the database is busy: waited the busy_timeout of {} ms for a "
                            "free connection ({} open)",
                            where(), what, options.busy_timeout.count(), capacity));
  }

  [[noreturn]] void busy_writing(std::string_view what) const {
    throw error(errc::storage,
                fmt::format("{}: {}: the database is busy: waited the busy_timeout of {} ms for "
                            "another write transaction of this process",
                            where(), what, options.busy_timeout.count()));
  }

  /// Rethrows the exception being handled as a slotbook::error naming the store and `what`.
  /// `c` (if any) is marked broken when the connection can no longer be trusted.
  [[noreturn]] void fail(std::string_view what, connection* c) const {
    if (c != nullptr && c->tx && c->failed.empty()) {
      try {
        throw;
      } catch (const error&) {
        // slotbook's own refusal, before any SQL failed: the transaction is still usable.
      } catch (...) {
        c->failed = what;
      }
    }
    try {
      throw;
    } catch (const error&) {
      throw;
    } catch (const pqxx::serialization_failure& e) {
      throw postgres_transient_error(
          "40001", fmt::format("{}: {}: serialization failure (SQLSTATE 40001), the transaction "
                               "was rolled back and may be retried: {}",
                               where(), what, one_line(e.what())));
    } catch (const pqxx::deadlock_detected& e) {
      throw postgres_transient_error(
          "40P01", fmt::format("{}: {}: deadlock (SQLSTATE 40P01), the transaction was rolled "
                               "back and may be retried: {}",
                               where(), what, one_line(e.what())));
    } catch (const pqxx::in_doubt_error& e) {
      if (c != nullptr) c->broken = true;
      throw error(errc::storage,
                  fmt::format("{}: {}: the connection was lost during COMMIT; whether the "
                              "transaction committed is unknown: {}",
                              where(), what, one_line(e.what())));
    } catch (const pqxx::broken_connection& e) {
      if (c != nullptr) c->broken = true;
      throw error(errc::storage, fmt::format("{}: {}: the connection to the server is lost: {}",
                                             where(), what, one_line(e.what())));
    } catch (const pqxx::sql_error& e) {
      const std::string& state = e.sqlstate();
      if (state == "23P01") throw error(errc::conflict, overlap_message(e.what()));
      if (state == "23505") {
        throw error(errc::conflict, fmt::format("{}: {}: {}", where(), what, one_line(e.what())));
      }
      if (state == "55P03") {
        throw error(errc::storage,
                    fmt::format("{}: {}: the database is busy: another transaction held a lock "
                                "for more than the busy_timeout of {} ms ({})",
                                where(), what, options.busy_timeout.count(), one_line(e.what())));
      }
      throw error(errc::storage, fmt::format("{}: {}: {}{}", where(), what, one_line(e.what()),
                                             state.empty() ? "" : " (SQLSTATE " + state + ")"));
    } catch (const std::exception& e) {
      if (c != nullptr && !c->db.is_open()) c->broken = true;
      throw error(errc::storage, fmt::format("{}: {}: {}", where(), what, one_line(e.what())));
    }
  }

  /// A new connection with the store's session settings, kept by pqxx so that a connection it
  /// re-opens (only ever between transactions) gets them again.
  std::unique_ptr<connection> open_connection() const {
    auto c = std::make_unique<connection>(conninfo);
    c->db.set_client_encoding("UTF8");
    c->db.set_variable("search_path", c->db.quote_name(options.schema));
    c->db.set_variable("lock_timeout",
                       std::to_string(std::max<std::int64_t>(options.busy_timeout.count(), 1)));
    c->db.set_variable("client_min_messages", "warning");
    c->db.set_variable("TimeZone", "'UTC'");
    c->db.set_variable("DateStyle", "'ISO'");
    c->db.set_variable("bytea_output", "'hex'");
    for (const statement& st : all_statements) c->db.prepare(st.name, st.sql);
    return c;
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
      if (all.size() + opening < capacity) {
        ++opening;
        lock.unlock();  // connecting takes a round trip or more: others may go on meanwhile
        std::unique_ptr<connection> fresh;
        try {
          fresh = open_connection();
        } catch (...) {
          {
            const std::lock_guard relock(pool_mutex);
            --opening;
          }
          pool_changed.notify_one();
          fail(fmt::format("{}: opening a connection", what), nullptr);
        }
        lock.lock();
        --opening;
        all.push_back(std::move(fresh));  // capacity reserved: does not throw
        return all.back().get();
      }
      if (pool_changed.wait_until(lock, deadline) == std::cv_status::timeout && idle.empty() &&
          all.size() + opening >= capacity) {
        busy(what);
      }
    }
  }

  /// Gives a connection back, or closes it when it can no longer be trusted.
  void release(connection* c) noexcept {
    c->tx.reset();
    c->failed.clear();
    {
      const std::lock_guard lock(pool_mutex);
      if (c->broken || !c->db.is_open()) {
        std::erase_if(all, [c](const std::unique_ptr<connection>& p) { return p.get() == c; });
      } else {
        idle.push_back(c);
      }
    }
    pool_changed.notify_one();
  }

  /// Creates or upgrades the schema on `c`, in one transaction, holding the migration lock.
  void migrate(connection& c) const {
    const auto steps = postgres_schema_steps();
    const int latest = static_cast<int>(steps.size());
    const std::string& schema = quoted_schema;
    pqxx::work tx{c.db};
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", migration_lock_key);
    const pqxx::row found = tx.exec_params1(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1),"
        " to_regclass(quote_ident($1) || '.schema_version') IS NOT NULL,"
        " (SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace"
        " WHERE n.nspname = $1)",
        options.schema);
    const bool has_version = found[1].as<bool>();
    const auto objects = found[2].as<std::int64_t>();
    int version = 0;
    if (has_version) {
      const pqxx::result r =
          tx.exec("SELECT application, version FROM " + schema + ".schema_version");
      if (r.size() != 1 || read_text(r[0][0]) != "slotbook") {
        throw error(errc::storage,
                    fmt::format("{}: is not a slotbook schema (its schema_version table names "
                                "another application); slotbook keeps its own schema",
                                where()));
      }
      version = r[0][1].as<int>();
    } else if (objects > 0) {
      throw error(errc::storage,
                  fmt::format("{}: is not a slotbook schema ({} objects and no schema_version "
                              "table); slotbook keeps its own schema",
                              where(), objects));
    }
    if (version > latest) {
      throw error(errc::storage,
                  fmt::format("{}: schema version {} is newer than this slotbook ({})", where(),
                              version, latest));
    }
    if (version == latest) {
      tx.commit();
      return;
    }
    if (!found[0].as<bool>()) tx.exec("CREATE SCHEMA " + schema);
    if (!has_version) {
      tx.exec("CREATE TABLE " + schema +
              ".schema_version (application text NOT NULL CHECK (application = 'slotbook'),"
              " version integer NOT NULL CHECK (version >= 0),"
              " only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row))");
      tx.exec("INSERT INTO " + schema +
              ".schema_version (application, version) VALUES "
              "('slotbook', 0)");
    }
    // The exclusion constraints need GiST operator classes for bigint. An extension belongs to
    // the whole database: it goes to `public` so that dropping one slotbook schema never drops
    // it from under another.
    if (tx.exec("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'").empty()) {
      try {
        tx.exec("CREATE EXTENSION btree_gist WITH SCHEMA public");
      } catch (const pqxx::sql_error& e) {
        throw error(errc::storage,
                    fmt::format("{}: cannot create the extension btree_gist (ask a database "
                                "owner to run CREATE EXTENSION btree_gist once): {}",
                                where(), one_line(e.what())));
      }
    }
    for (int v = version; v < latest; ++v) {
      try {
        tx.exec(std::string(steps[static_cast<std::size_t>(v)]));
      } catch (const pqxx::sql_error& e) {
        throw error(errc::storage, fmt::format("{}: upgrading the schema to version {}: {}",
                                               where(), v + 1, one_line(e.what())));
      }
    }
    tx.exec_params("UPDATE " + schema + ".schema_version SET version = $1", latest);
    tx.commit();
  }
};

postgres_store::postgres_store(std::string connection_string, postgres_store_options options)
    : impl_(std::make_unique<impl>(std::move(connection_string), std::move(options))) {
  if (impl_->options.max_connections == 0) {
    throw error(errc::invalid_argument, "postgres_store_options.max_connections: 0 is not allowed");
  }
  if (impl_->options.schema.empty()) {
    throw error(errc::invalid_argument, "postgres_store_options.schema: \"\" is not a schema");
  }
  check_text("postgres_store_options.schema", impl_->options.schema);
  std::unique_ptr<connection> c;
  try {
    c = impl_->open_connection();
    impl_->quoted_schema = c->db.quote_name(impl_->options.schema);
    impl_->server =
        fmt::format("{}:{}/{}", c->db.hostname() ? c->db.hostname() : "",
                    c->db.port() ? c->db.port() : "", c->db.dbname() ? c->db.dbname() : "");
    impl_->migrate(*c);
  } catch (...) {
    impl_->fail("cannot open", nullptr);
  }
  impl_->all.push_back(std::move(c));
  impl_->idle.push_back(impl_->all.back().get());
}

postgres_store::~postgres_store() = default;

const std::string& postgres_store::schema() const noexcept { return impl_->options.schema; }

// --- transactions --------------------------------------------------------------------------------

void postgres_store::begin(access mode) {
  detail::prepare_open_transaction(this, backend);
  const auto deadline = std::chrono::steady_clock::now() + impl_->options.busy_timeout;
  const bool writer = mode == access::write;
  if (writer && !impl_->take_writer_turn(deadline)) impl_->busy_writing("begin");
  connection* c = nullptr;
  try {
    c = impl_->acquire(deadline, "begin");
  } catch (...) {
    if (writer) impl_->give_back_writer_turn();
    throw;
  }
  try {
    if (mode == access::write) {
      c->tx = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_write>>(c->db);
      // Before the first query, so the snapshot is taken once the previous writer committed.
      c->tx->exec("LOCK TABLE writer_turn IN EXCLUSIVE MODE");
    } else {
      c->tx = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(c->db);
    }
  } catch (...) {
    try {
      if (c->tx) c->tx->abort();
    } catch (...) {
      c->broken = true;
    }
    try {
      impl_->fail(writer ? "BEGIN (write)" : "BEGIN (read)", c);
    } catch (...) {
      impl_->release(c);  // after fail() has marked it broken, if it is
      if (writer) impl_->give_back_writer_turn();
      throw;
    }
  }
  detail::add_open_transaction(this, mode, c);  // the turn is held until commit or rollback
}

void postgres_store::commit() {
  detail::open_transaction* t = detail::find_open_transaction(this);
  if (t == nullptr) {
    throw error(errc::storage,
                fmt::format("{}: commit without an open transaction", impl_->where()));
  }
  auto* c = static_cast<connection*>(t->context);
  const access mode = t->mode;
  if (!c->failed.empty()) {
    throw error(errc::storage,
                fmt::format("{}: COMMIT: {} failed earlier in this transaction, so PostgreSQL "
                            "rolled all of it back; nothing was committed",
                            impl_->where(), c->failed));
  }
  try {
    c->tx->commit();
  } catch (...) {
    impl_->fail("COMMIT", c);  // the caller's rollback() ends the transaction
  }
  detail::remove_open_transaction(this);
  impl_->release(c);
  if (mode == access::write) impl_->give_back_writer_turn();
}

void postgres_store::rollback() noexcept {
  detail::open_transaction* t = detail::find_open_transaction(this);
  if (t == nullptr) return;
  auto* c = static_cast<connection*>(t->context);
  const access mode = t->mode;
  detail::remove_open_transaction(this);
  try {
    if (c->tx) c->tx->abort();
  } catch (...) {
    c->broken = true;  // the server may still be in the transaction: never reuse it
  }
  impl_->release(c);
  if (mode == access::write) impl_->give_back_writer_turn();
}

postgres_store::connection& postgres_store::current(access needed, std::string_view what) {
  auto& t = detail::require_transaction(this, needed, backend, what);
  return *static_cast<connection*>(t.context);
}

// Runs `body` and turns libpqxx's exceptions into slotbook::error naming the store and the call.
#define SLOTBOOK_GUARD(what, ...) \
  try {                           \
    __VA_ARGS__                   \
  } catch (...) {                 \
    impl_->fail(what, &c);        \
  }

int postgres_store::schema_version() {
  const auto read = [this](pqxx::transaction_base& tx) {
    return tx.exec1("SELECT version FROM " + impl_->quoted_schema + ".schema_version")[0].as<int>();
  };
  if (auto* t = detail::find_open_transaction(this)) {
    connection& c = *static_cast<connection*>(t->context);
    SLOTBOOK_GUARD("schema_version", { return read(*c.tx); })
  }
  connection& c = *impl_->acquire(std::chrono::steady_clock::now() + impl_->options.busy_timeout,
                                  "schema_version");
  try {
    pqxx::read_transaction tx{c.db};
    const int version = read(tx);
    tx.commit();
    impl_->release(&c);
    return version;
  } catch (...) {
    try {
      impl_->fail("schema_version", &c);
    } catch (...) {
      impl_->release(&c);
      throw;
    }
  }
}

// --- sessions ------------------------------------------------------------------------------------

std::optional<session> postgres_store::find_session(session_id id) {
  connection& c = current(access::read, "find_session");
  SLOTBOOK_GUARD("find_session", {
    const pqxx::result r = c.run(find_session_sql, as_sql(id.value));
    if (r.empty()) return std::nullopt;
    return read_session(r[0]);
  })
}

std::optional<session> postgres_store::find_session_by_reference(std::string_view reference) {
  connection& c = current(access::read, "find_session_by_reference");
  if (reference.empty() || !is_postgres_text(reference)) return std::nullopt;
  SLOTBOOK_GUARD("find_session_by_reference", {
    const pqxx::result r = c.run(find_reference_sql, std::string(reference));
    if (r.empty()) return std::nullopt;
    return read_session(r[0]);
  })
}

std::vector<session> postgres_store::provider_sessions(provider_id provider, interval range) {
  connection& c = current(access::read, "provider_sessions");
  SLOTBOOK_GUARD("provider_sessions",
                 { return c.sessions_in(provider_range_sql, provider.value, range); })
}

std::vector<session> postgres_store::client_sessions(client_id client, interval range) {
  connection& c = current(access::read, "client_sessions");
  SLOTBOOK_GUARD("client_sessions",
                 { return c.sessions_in(client_range_sql, client.value, range); })
}

std::vector<session> postgres_store::active_provider_sessions(provider_id provider,
                                                              interval range) {
  connection& c = current(access::read, "active_provider_sessions");
  SLOTBOOK_GUARD("active_provider_sessions",
                 { return c.sessions_in(active_provider_range_sql, provider.value, range); })
}

std::vector<session> postgres_store::active_client_sessions(client_id client, interval range) {
  connection& c = current(access::read, "active_client_sessions");
  SLOTBOOK_GUARD("active_client_sessions",
                 { return c.sessions_in(active_client_range_sql, client.value, range); })
}

std::vector<session> postgres_store::pending_holds(instant created_by, std::size_t limit) {
  connection& c = current(access::read, "pending_holds");
  SLOTBOOK_GUARD("pending_holds", {
    std::vector<session> out;
    const pqxx::result r = c.run(pending_holds_sql, as_sql(created_by), sql_limit(limit));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read_session(row));
    return out;
  })
}

session_id postgres_store::insert_session(const session& s) {
  connection& c = current(access::write, "insert_session");
  detail::check_storable(s);
  check_texts(s);
  SLOTBOOK_GUARD("insert_session", {
    // Checked before the INSERT so the error names what collided, and because a failed
    // statement would abort the whole PostgreSQL transaction (the caller may go on after a
    // refusal).
    if (s.id.ok() && !c.run(session_exists_sql, as_sql(s.id.value)).empty()) {
      throw error(errc::conflict, fmt::format("id: session {} already exists", to_string(s.id)));
    }
    if (!s.booking_reference.empty()) {
      const pqxx::result owner = c.run(reference_owner_sql, s.booking_reference);
      if (!owner.empty()) {
        throw error(errc::conflict,
                    fmt::format("booking_reference: {} is already used by session {}",
                                detail::quote(s.booking_reference), read_id(owner[0][0])));
      }
    }
    const pqxx::result r = c.run_row(insert_session_sql, session_parameters(s));
    return session_id{read_id(r[0][0])};
  })
}

void postgres_store::update_session(const session& s) {
  connection& c = current(access::write, "update_session");
  SLOTBOOK_GUARD("update_session", {
    if (c.run(session_exists_sql, as_sql(s.id.value)).empty()) {
      throw error(errc::not_found, fmt::format("session {} does not exist", to_string(s.id)));
    }
    detail::check_storable(s);
    check_texts(s);
    if (!s.booking_reference.empty()) {
      const pqxx::result owner = c.run(reference_owner_sql, s.booking_reference);
      if (!owner.empty() && read_id(owner[0][0]) != s.id.value) {
        throw error(errc::conflict,
                    fmt::format("booking_reference: {} is already used by session {}",
                                detail::quote(s.booking_reference), read_id(owner[0][0])));
      }
    }
    c.run_row(update_session_sql, session_parameters(s));
  })
}

std::uint64_t postgres_store::next_reference_sequence(int year) {
  connection& c = current(access::write, "next_reference_sequence");
  SLOTBOOK_GUARD("next_reference_sequence", {
    const pqxx::result r = c.run(next_sequence_sql, year);
    return static_cast<std::uint64_t>(r[0][0].as<std::int64_t>());
  })
}

// --- providers -----------------------------------------------------------------------------------

void postgres_store::put_provider(const provider_profile& p) {
  connection& c = current(access::write, "put_provider");
  detail::check_storable(p);
  check_texts(p);
  SLOTBOOK_GUARD("put_provider", {
    const std::int64_t id = as_sql(p.id.value);
    parameters row;
    row.add(id)
        .add(p.name)
        .add(p.active)
        .add(static_cast<std::int64_t>(p.price.minor_units()))
        .add(p.price.currency_code().code())
        .add(p.hours.zone)
        .add(p.hours.active);
    if (p.hours.effective_from) {
      row.add(format_date(*p.hours.effective_from));
    } else {
      row.add_null();
    }
    if (p.hours.effective_until) {
      row.add(format_date(*p.hours.effective_until));
    } else {
      row.add_null();
    }
    row.add(static_cast<std::int64_t>(p.rules.duration.count()));
    if (p.rules.step) {
      row.add(static_cast<std::int64_t>(p.rules.step->count()));
    } else {
      row.add_null();
    }
    row.add(static_cast<std::int64_t>(p.rules.buffer_before.count()))
        .add(static_cast<std::int64_t>(p.rules.buffer_after.count()))
        .add(static_cast<std::int64_t>(p.rules.minimum_notice.count()))
        .add(static_cast<std::int64_t>(p.rules.maximum_advance.count()));
    if (p.rules.max_per_day) {
      row.add(static_cast<std::int64_t>(*p.rules.max_per_day));
    } else {
      row.add_null();
    }
    row.add(to_sql(p.rules.alignment)).add(p.requires_intake);
    c.run_row(put_provider_sql, row);
    c.run(delete_windows_sql, id);
    c.run(delete_exceptions_sql, id);
    if (!p.hours.windows.empty()) {
      const auto& w = p.hours.windows;
      c.run(insert_windows_sql, id,
            int_array(w, [](const weekly_window& x) { return x.day.c_encoding(); }),
            int_array(w, [](const weekly_window& x) { return x.start.count(); }),
            int_array(w, [](const weekly_window& x) { return x.end.count(); }));
    }
    for (std::size_t i = 0; i < p.hours.exceptions.size(); ++i) {
      const date_exception& x = p.hours.exceptions[i];
      const auto position = static_cast<std::int64_t>(i);
      c.run(insert_exception_sql, id, position, format_date(x.date), x.available, x.reason);
      if (!x.hours.empty()) {
        c.run(insert_exception_hours_sql, id, position,
              int_array(x.hours, [](const local_window& h) { return h.start.count(); }),
              int_array(x.hours, [](const local_window& h) { return h.end.count(); }));
      }
    }
  })
}

std::optional<provider_profile> postgres_store::find_provider(provider_id id) {
  connection& c = current(access::read, "find_provider");
  SLOTBOOK_GUARD("find_provider", {
    provider_profile p;
    {
      const pqxx::result r = c.run(find_provider_sql, as_sql(id.value));
      if (r.empty()) return std::nullopt;
      const pqxx::row row = r[0];
      p.id = provider_id{read_id(row[0])};
      p.name = read_text(row[1]);
      p.active = row[2].as<bool>();
      const currency code =
          read_enum(row[4], "currency", [](std::string_view t) { return currency::parse(t); });
      p.price = money{row[3].as<std::int64_t>(), code};
      p.hours.zone = read_text(row[5]);
      p.hours.active = row[6].as<bool>();
      if (!row[7].is_null()) p.hours.effective_from = read_date(row[7], "effective_from");
      if (!row[8].is_null()) p.hours.effective_until = read_date(row[8], "effective_until");
      p.rules.duration = std::chrono::minutes{row[9].as<std::int64_t>()};
      if (!row[10].is_null()) p.rules.step = std::chrono::minutes{row[10].as<std::int64_t>()};
      p.rules.buffer_before = std::chrono::minutes{row[11].as<std::int64_t>()};
      p.rules.buffer_after = std::chrono::minutes{row[12].as<std::int64_t>()};
      p.rules.minimum_notice = std::chrono::minutes{row[13].as<std::int64_t>()};
      p.rules.maximum_advance = std::chrono::minutes{row[14].as<std::int64_t>()};
      if (!row[15].is_null()) {
        const auto n = row[15].as<std::int64_t>();
        if (n < 0 || n > std::numeric_limits<unsigned>::max()) {
          unreadable("max_per_day", std::to_string(n));
        }
        p.rules.max_per_day = static_cast<unsigned>(n);
      }
      p.rules.alignment = read_alignment(row[16]);
      p.requires_intake = row[17].as<bool>();
      const std::vector<std::int64_t> windows = read_numbers(row[18], "provider_windows");
      if (windows.size() % 3 != 0) unreadable("provider_windows", read_text(row[18]));
      for (std::size_t i = 0; i < windows.size(); i += 3) {
        if (windows[i] < 0 || windows[i] > 6) unreadable("weekday", std::to_string(windows[i]));
        p.hours.windows.push_back({date::weekday{static_cast<unsigned>(windows[i])},
                                   std::chrono::minutes{windows[i + 1]},
                                   std::chrono::minutes{windows[i + 2]}});
      }
    }
    const pqxx::result exceptions = c.run(find_exceptions_sql, as_sql(id.value));
    for (const auto& row : exceptions) {
      date_exception x;
      x.date = read_date(row[1], "day");
      x.available = row[2].as<bool>();
      x.reason = read_text(row[3]);
      const std::vector<std::int64_t> hours = read_numbers(row[4], "provider_exception_hours");
      if (hours.size() % 2 != 0) unreadable("provider_exception_hours", read_text(row[4]));
      for (std::size_t i = 0; i < hours.size(); i += 2) {
        x.hours.push_back({std::chrono::minutes{hours[i]}, std::chrono::minutes{hours[i + 1]}});
      }
      p.hours.exceptions.push_back(std::move(x));
    }
    return p;
  })
}

std::vector<provider_id> postgres_store::provider_ids() {
  connection& c = current(access::read, "provider_ids");
  SLOTBOOK_GUARD("provider_ids", {
    std::vector<provider_id> out;
    const pqxx::result r = c.run(provider_ids_sql);
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(provider_id{read_id(row[0])});
    std::sort(out.begin(), out.end());  // as unsigned ids, whatever SQL's signed order
    return out;
  })
}

// --- reminder queue ------------------------------------------------------------------------------

std::vector<std::int64_t> postgres_store::enqueue_reminders(std::span<const reminder> reminders,
                                                            client_id client) {
  connection& c = current(access::write, "enqueue_reminders");
  for (const reminder& r : reminders) detail::check_storable(r, client);
  if (reminders.empty()) return {};
  SLOTBOOK_GUARD("enqueue_reminders", {
    std::string channels = "{";
    for (const reminder& r : reminders) {
      if (channels.size() > 1) channels += ',';
      channels += to_string(r.channel);  // "email" or "sms": nothing to escape
    }
    channels += '}';
    const pqxx::result r = c.run(
        enqueue_reminders_sql, as_sql(client.value),
        int_array(reminders, [](const reminder& x) { return as_sql(x.session.value); }),
        int_array(reminders, [](const reminder& x) { return as_sql(x.due); }), channels,
        int_array(reminders, [](const reminder& x) { return std::int64_t{x.before.count()}; }));
    // Ids are consecutive in the order given; RETURNING gives rows in no particular order.
    std::vector<std::int64_t> ids;
    ids.reserve(r.size());
    for (const auto& row : r) ids.push_back(row[0].as<std::int64_t>());
    std::sort(ids.begin(), ids.end());
    return ids;
  })
}

std::size_t postgres_store::remove_reminders(session_id session) {
  connection& c = current(access::write, "remove_reminders");
  SLOTBOOK_GUARD("remove_reminders", {
    return static_cast<std::size_t>(
        c.run(remove_reminders_sql, as_sql(session.value)).affected_rows());
  })
}

std::vector<queued_reminder> postgres_store::claim_due_reminders(instant now, std::size_t limit,
                                                                 instant lease_until) {
  connection& c = current(access::write, "claim_due_reminders");
  SLOTBOOK_GUARD("claim_due_reminders", {
    std::vector<queued_reminder> out;
    const pqxx::result r =
        c.run(claim_reminders_sql, as_sql(now), as_sql(lease_until), sql_limit(limit));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read_reminder(row));
    // RETURNING gives rows in no particular order.
    std::sort(out.begin(), out.end(), [](const queued_reminder& a, const queued_reminder& b) {
      return std::tie(a.what.due, a.id) < std::tie(b.what.due, b.id);
    });
    return out;
  })
}

void postgres_store::update_reminder(const queued_reminder& r) {
  connection& c = current(access::write, "update_reminder");
  check_text("last_error", r.last_error);
  SLOTBOOK_GUARD("update_reminder", {
    parameters row;
    row.add(r.id)
        .add(to_string(r.state))
        .add(static_cast<std::int64_t>(r.attempts))
        .add(r.lease_until)
        .add(r.next_attempt)
        .add(r.sent_at)
        .add(r.last_error);
    if (c.run_row(update_reminder_sql, row).affected_rows() == 0) {
      throw error(errc::not_found, fmt::format("reminder {} does not exist", r.id));
    }
  })
}

std::optional<queued_reminder> postgres_store::find_reminder(std::int64_t id) {
  connection& c = current(access::read, "find_reminder");
  SLOTBOOK_GUARD("find_reminder", {
    const pqxx::result r = c.run(find_reminder_sql, id);
    if (r.empty()) return std::nullopt;
    return read_reminder(r[0]);
  })
}

std::vector<queued_reminder> postgres_store::session_reminders(session_id session) {
  connection& c = current(access::read, "session_reminders");
  SLOTBOOK_GUARD("session_reminders", {
    std::vector<queued_reminder> out;
    const pqxx::result r = c.run(session_reminders_sql, as_sql(session.value));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read_reminder(row));
    return out;
  })
}

reminder_backlog postgres_store::backlog(instant now) {
  connection& c = current(access::read, "backlog");
  SLOTBOOK_GUARD("backlog", {
    const pqxx::result r = c.run(backlog_sql, as_sql(now));
    reminder_backlog out;
    out.due = static_cast<std::size_t>(r[0][0].as<std::int64_t>());
    out.oldest_due = read_optional_instant(r[0][1]);
    out.waiting = static_cast<std::size_t>(r[0][2].as<std::int64_t>());
    return out;
  })
}

// --- audit log -----------------------------------------------------------------------------------

std::int64_t postgres_store::append_audit(const audit_entry& e) {
  connection& c = current(access::write, "append_audit");
  check_texts(e);
  SLOTBOOK_GUARD("append_audit", {
    parameters row;
    row.add(as_sql(e.at))
        .add(to_string(e.who_role))
        .add(as_sql(e.who_id))
        .add(e.action)
        .add(as_sql(e.session.value));
    if (e.before) {
      row.add(to_string(*e.before));
    } else {
      row.add_null();
    }
    if (e.after) {
      row.add(to_string(*e.after));
    } else {
      row.add_null();
    }
    row.add(e.detail).add(e.previous_hash).add(e.hash);
    return c.run_row(append_audit_sql, row)[0][0].as<std::int64_t>();
  })
}

std::optional<audit_entry> postgres_store::last_audit() {
  connection& c = current(access::read, "last_audit");
  SLOTBOOK_GUARD("last_audit", {
    const pqxx::result r = c.run(last_audit_sql);
    if (r.empty()) return std::nullopt;
    return read_audit(r[0]);
  })
}

std::vector<audit_entry> postgres_store::audit_entries(std::int64_t after, std::size_t limit) {
  connection& c = current(access::read, "audit_entries");
  SLOTBOOK_GUARD("audit_entries", {
    std::vector<audit_entry> out;
    const pqxx::result r = c.run(audit_entries_sql, after, sql_limit(limit));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read_audit(row));
    return out;
  })
}

// --- series --------------------------------------------------------------------------------------

series_id postgres_store::next_series_id() {
  connection& c = current(access::write, "next_series_id");
  SLOTBOOK_GUARD("next_series_id", { return series_id{read_id(c.run(next_series_id_sql)[0][0])}; })
}

std::vector<session> postgres_store::series_sessions(series_id series) {
  connection& c = current(access::read, "series_sessions");
  std::vector<session> out;
  if (!series.ok()) return out;
  SLOTBOOK_GUARD("series_sessions", {
    const pqxx::result r = c.run(series_sessions_sql, as_sql(series.value));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read_session(row));
    return out;
  })
}

void postgres_store::put_series(const series_record& r) {
  connection& c = current(access::write, "put_series");
  validate(r);
  // Checked before writing: a failed statement aborts the whole PostgreSQL transaction.
  check_text("series.rule", r.rule);
  check_text("series.start.zone", r.start.zone);
  SLOTBOOK_GUARD("put_series", {
    if (!c.run(find_series_sql, as_sql(r.id.value)).empty()) {
      throw error(errc::conflict, fmt::format("id: series {} already exists", to_string(r.id)));
    }
    c.run(insert_series_sql, as_sql(r.id.value), as_sql(r.provider.value), as_sql(r.client.value),
          r.rule, format_date(r.start.date), static_cast<std::int64_t>(r.start.time_of_day.count()),
          r.start.zone, static_cast<std::int64_t>(r.duration.count()),
          std::string(to_string(r.type)), as_sql(r.created_at));
  })
}

std::optional<series_record> postgres_store::find_series(series_id series) {
  connection& c = current(access::read, "find_series");
  if (!series.ok()) return std::nullopt;
  SLOTBOOK_GUARD("find_series", {
    const pqxx::result found = c.run(find_series_sql, as_sql(series.value));
    if (found.empty()) return std::optional<series_record>{};
    const pqxx::row row = found[0];
    series_record r;
    r.id = series_id{read_id(row[0])};
    r.provider = provider_id{read_id(row[1])};
    r.client = client_id{read_id(row[2])};
    r.rule = row[3].as<std::string>();
    r.start.date = read_date(row[4], "first_date");
    r.start.time_of_day = std::chrono::seconds{row[5].as<std::int64_t>()};
    r.start.zone = row[6].as<std::string>();
    r.duration = std::chrono::minutes{row[7].as<std::int64_t>()};
    r.type =
        read_enum(row[8], "session_type", [](std::string_view t) { return parse_session_type(t); });
    r.created_at = read_instant(row[9]);
    return std::optional<series_record>{std::move(r)};
  })
}

// --- group sessions ------------------------------------------------------------------------------

namespace {

// insert_seat and update_seat: valid, storable text, the group session exists and its client
// holds no other active seat there (`self`: the seat being replaced, 0 for a new one). Checked
// before writing because a failed statement aborts the whole PostgreSQL transaction. A template:
// the connection type is private to postgres_store.
template <class Connection>
void check_seat(Connection& c, const seat& s, std::int64_t self) {
  validate(s);
  check_text("payment_method", s.payment_method);
  check_text("transaction_id", s.transaction_id);
  check_text("cancellation_reason", s.cancellation_reason);
  if (c.run(group_exists_sql, as_sql(s.session.value)).empty()) {
    throw error(errc::not_found,
                fmt::format("session: {} is not a group session", to_string(s.session)));
  }
  if (!is_active(s)) return;
  const pqxx::result r =
      c.run(active_seat_sql, as_sql(s.session.value), as_sql(s.client.value), self);
  if (!r.empty()) {
    throw error(errc::conflict,
                fmt::format("client: client {} already holds seat {} in session {}",
                            to_string(s.client), r[0][0].as<std::int64_t>(), to_string(s.session)));
  }
}

}  // namespace

std::int64_t postgres_store::insert_seat(const seat& s) {
  connection& c = current(access::write, "insert_seat");
  SLOTBOOK_GUARD("insert_seat", {
    check_seat(c, s, 0);
    return c.run_row(insert_seat_sql, seat_parameters(s, false))[0][0].as<std::int64_t>();
  })
}

void postgres_store::update_seat(const seat& s) {
  connection& c = current(access::write, "update_seat");
  SLOTBOOK_GUARD("update_seat", {
    const pqxx::result found = c.run(find_seat_sql, static_cast<std::int64_t>(s.id));
    if (found.empty()) throw error(errc::not_found, fmt::format("seat {} does not exist", s.id));
    const session_id session{read_id(found[0][0])};
    const client_id client{read_id(found[0][1])};
    if (session != s.session || client != s.client) {
      throw error(errc::invalid_argument,
                  fmt::format("seat: seat {} belongs to client {} in session {}; they cannot "
                              "change",
                              s.id, to_string(client), to_string(session)));
    }
    check_seat(c, s, s.id);
    c.run_row(update_seat_sql, seat_parameters(s, true));
  })
}

std::vector<seat> postgres_store::session_seats(session_id session) {
  connection& c = current(access::read, "session_seats");
  std::vector<seat> out;
  SLOTBOOK_GUARD("session_seats", {
    const pqxx::result r = c.run(session_seats_sql, as_sql(session.value));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read_seat(row));
    return out;
  })
}

std::vector<seat> postgres_store::unpaid_seats(instant created_by, std::size_t limit) {
  connection& c = current(access::read, "unpaid_seats");
  std::vector<seat> out;
  SLOTBOOK_GUARD("unpaid_seats", {
    const pqxx::result r = c.run(unpaid_seats_sql, as_sql(created_by), sql_limit(limit));
    for (const auto& row : r) out.push_back(read_seat(row));
    return out;
  })
}

std::vector<session> postgres_store::active_client_group_sessions(client_id client,
                                                                  interval range) {
  connection& c = current(access::read, "active_client_group_sessions");
  SLOTBOOK_GUARD("active_client_group_sessions",
                 { return c.sessions_in(client_group_sessions_sql, client.value, range); })
}

// --- waitlist ------------------------------------------------------------------------------------

std::int64_t postgres_store::insert_waitlist_entry(const waitlist_entry& e) {
  connection& c = current(access::write, "insert_waitlist_entry");
  validate(e);
  SLOTBOOK_GUARD("insert_waitlist_entry", {
    return c.run_row(insert_waitlist_sql, waitlist_parameters(e, false))[0][0].as<std::int64_t>();
  })
}

void postgres_store::update_waitlist_entry(const waitlist_entry& e) {
  connection& c = current(access::write, "update_waitlist_entry");
  SLOTBOOK_GUARD("update_waitlist_entry", {
    const pqxx::result found = c.run(find_waitlist_sql, static_cast<std::int64_t>(e.id));
    if (found.empty()) {
      throw error(errc::not_found, fmt::format("waitlist entry {} does not exist", e.id));
    }
    const waitlist_entry old = read_waitlist(found[0]);
    if (old.provider != e.provider || old.client != e.client) {
      throw error(errc::invalid_argument,
                  fmt::format("waitlist: entry {} belongs to client {} with provider {}; they "
                              "cannot change",
                              e.id, to_string(old.client), to_string(old.provider)));
    }
    validate(e);
    c.run_row(update_waitlist_sql, waitlist_parameters(e, true));
  })
}

std::optional<waitlist_entry> postgres_store::find_waitlist_entry(std::int64_t id) {
  connection& c = current(access::read, "find_waitlist_entry");
  SLOTBOOK_GUARD("find_waitlist_entry", {
    const pqxx::result r = c.run(find_waitlist_sql, id);
    if (r.empty()) return std::optional<waitlist_entry>{};
    return std::optional<waitlist_entry>{read_waitlist(r[0])};
  })
}

std::vector<waitlist_entry> postgres_store::open_waitlist_entries(provider_id provider,
                                                                  interval range) {
  connection& c = current(access::read, "open_waitlist_entries");
  std::vector<waitlist_entry> out;
  if (!range.ok()) return out;
  SLOTBOOK_GUARD("open_waitlist_entries", {
    const pqxx::result r =
        c.run(open_waitlist_sql, as_sql(provider.value), as_sql(range.end), as_sql(range.begin));
    for (const auto& row : r) out.push_back(read_waitlist(row));
    return out;
  })
}

std::vector<waitlist_entry> postgres_store::due_offers(instant now, std::size_t limit) {
  connection& c = current(access::read, "due_offers");
  std::vector<waitlist_entry> out;
  SLOTBOOK_GUARD("due_offers", {
    const pqxx::result r = c.run(due_offers_sql, as_sql(now), sql_limit(limit));
    for (const auto& row : r) out.push_back(read_waitlist(row));
    return out;
  })
}

std::vector<waitlist_entry> postgres_store::client_waitlist(client_id client) {
  connection& c = current(access::read, "client_waitlist");
  std::vector<waitlist_entry> out;
  SLOTBOOK_GUARD("client_waitlist", {
    const pqxx::result r = c.run(client_waitlist_sql, as_sql(client.value));
    for (const auto& row : r) out.push_back(read_waitlist(row));
    return out;
  })
}

// --- external busy time
// --------------------------------------------------------------------------

std::size_t postgres_store::replace_busy_blocks(provider_id provider, std::string_view source,
                                                interval window,
                                                std::span<const busy_block> blocks) {
  connection& c = current(access::write, "replace_busy_blocks");
  detail::check_busy_replacement(provider, source, window, blocks);
  SLOTBOOK_GUARD("replace_busy_blocks", {
    const auto removed =
        static_cast<std::size_t>(c.run(remove_busy_sql, as_sql(provider.value), as_sql(window.end),
                                       as_sql(window.begin), std::string{source})
                                     .affected_rows());
    for (const busy_block& b : blocks) {
      c.run(insert_busy_sql, as_sql(b.provider.value), b.source, b.uid, as_sql(b.time.begin),
            as_sql(b.time.end), b.all_day, as_sql(b.imported_at));
    }
    return removed;
  })
}

std::vector<busy_block> postgres_store::busy_blocks(provider_id provider, interval range) {
  connection& c = current(access::read, "busy_blocks");
  std::vector<busy_block> out;
  if (!range.ok()) return out;
  SLOTBOOK_GUARD("busy_blocks", {
    const pqxx::result r =
        c.run(busy_blocks_sql, as_sql(provider.value), as_sql(range.end), as_sql(range.begin));
    for (const auto& row : r) {
      busy_block b;
      b.provider = provider_id{read_id(row[0])};
      b.source = row[1].as<std::string>();
      b.uid = row[2].as<std::string>();
      b.time = {read_instant(row[3]), read_instant(row[4])};
      b.all_day = row[5].as<bool>();
      b.imported_at = read_instant(row[6]);
      out.push_back(std::move(b));
    }
    return out;
  })
}

// --- intake forms --------------------------------------------------------------------------------

intake_id postgres_store::next_intake_id() {
  connection& c = current(access::write, "next_intake_id");
  SLOTBOOK_GUARD("next_intake_id", { return intake_id{read_id(c.run(next_intake_id_sql)[0][0])}; })
}

void postgres_store::put_intake(const stored_intake& f) {
  connection& c = current(access::write, "put_intake");
  detail::check_storable(f);
  check_text("deletion_reason", f.deletion_reason);
  SLOTBOOK_GUARD("put_intake", { c.run_row(put_intake_sql, intake_parameters(f)); })
}

std::optional<stored_intake> postgres_store::find_intake(intake_id id) {
  connection& c = current(access::read, "find_intake");
  SLOTBOOK_GUARD("find_intake", {
    const pqxx::result r = c.run(find_intake_sql, as_sql(id.value));
    if (r.empty()) return std::nullopt;
    return read_intake(r[0]);
  })
}

std::vector<stored_intake> postgres_store::client_intakes(client_id client) {
  connection& c = current(access::read, "client_intakes");
  SLOTBOOK_GUARD("client_intakes", {
    std::vector<stored_intake> out;
    const pqxx::result r = c.run(client_intakes_sql, as_sql(client.value));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read_intake(row));
    return out;
  })
}

std::vector<stored_intake> postgres_store::intakes_to_rotate(std::uint32_t version, intake_id after,
                                                             std::size_t limit) {
  connection& c = current(access::read, "intakes_to_rotate");
  std::vector<stored_intake> out;
  // Ids are at most 2^63 - 1 (put_intake checks), so nothing comes after a larger cursor.
  if (after.value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return out;
  }
  SLOTBOOK_GUARD("intakes_to_rotate", {
    const pqxx::result r = c.run(intakes_to_rotate_sql, static_cast<std::int64_t>(version),
                                 as_sql(after.value), sql_limit(limit));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read_intake(row));
    return out;
  })
}

std::vector<intake_id> postgres_store::purge_intakes(instant deleted_before, std::size_t limit) {
  connection& c = current(access::write, "purge_intakes");
  SLOTBOOK_GUARD("purge_intakes", {
    std::vector<intake_id> out;
    const pqxx::result r = c.run(purge_intakes_sql, as_sql(deleted_before), sql_limit(limit));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(intake_id{read_id(row[0])});
    std::sort(out.begin(), out.end());  // RETURNING gives rows in no particular order
    return out;
  })
}

// --- secure deletion of sessions -----------------------------------------------------------------

void postgres_store::mark_session_deleted(const session_deletion& d) {
  connection& c = current(access::write, "mark_session_deleted");
  check_text("reason", d.reason);
  SLOTBOOK_GUARD("mark_session_deleted", {
    if (c.run(session_exists_sql, as_sql(d.session.value)).empty()) {
      throw error(errc::not_found, fmt::format("session {} does not exist", to_string(d.session)));
    }
    c.run(mark_deleted_sql, as_sql(d.session.value), as_sql(d.deleted_at), d.reason);
  })
}

std::optional<session_deletion> postgres_store::find_session_deletion(session_id id) {
  connection& c = current(access::read, "find_session_deletion");
  SLOTBOOK_GUARD("find_session_deletion", {
    const pqxx::result r = c.run(find_deletion_sql, as_sql(id.value));
    if (r.empty()) return std::nullopt;
    session_deletion d;
    d.session = session_id{read_id(r[0][0])};
    d.deleted_at = read_instant(r[0][1]);
    d.reason = read_text(r[0][2]);
    return d;
  })
}

std::vector<session_id> postgres_store::purge_sessions(instant deleted_before, std::size_t limit) {
  connection& c = current(access::write, "purge_sessions");
  SLOTBOOK_GUARD("purge_sessions", {
    std::vector<session_id> out;
    const pqxx::result r = c.run(deleted_sessions_sql, as_sql(deleted_before), sql_limit(limit));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(session_id{read_id(row[0])});
    if (!out.empty()) {
      const std::string ids = int_array(out, [](session_id s) { return as_sql(s.value); });
      c.run(purge_session_reminders_sql, ids);
      c.run(purge_sessions_sql, ids);
    }
    return out;
  })
}

// --- health --------------------------------------------------------------------------------------

bool postgres_store::reachable() noexcept {
  try {
    if (auto* t = detail::find_open_transaction(this)) {
      auto* c = static_cast<connection*>(t->context);
      try {
        return c->tx->exec1("SELECT 1")[0].as<int>() == 1;
      } catch (...) {
        if (c->failed.empty()) c->failed = "reachable";
        return false;
      }
    }
    connection* c =
        impl_->acquire(std::chrono::steady_clock::now() + impl_->options.busy_timeout, "reachable");
    bool ok = false;
    try {
      pqxx::nontransaction tx{c->db};
      ok = tx.exec1("SELECT 1")[0].as<int>() == 1;
    } catch (...) {
      c->broken = true;
      ok = false;
    }
    impl_->release(c);
    return ok;
  } catch (...) {
    return false;
  }
}

bool postgres_store::scrub() {
  if (detail::find_open_transaction(this) != nullptr) {
    throw error(errc::storage,
                fmt::format("{}: scrub inside a transaction on this thread", impl_->where()));
  }
  connection& c =
      *impl_->acquire(std::chrono::steady_clock::now() + impl_->options.busy_timeout, "scrub");
  try {
    // VACUUM cannot run inside a transaction block: one statement on its own.
    pqxx::nontransaction tx{c.db};
    tx.exec("VACUUM session_deletions, sessions, reminder_queue, intake_forms");
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == "55P03") {  // a lock was not granted within busy_timeout
      impl_->release(&c);
      return false;
    }
    try {
      impl_->fail("scrub", &c);
    } catch (...) {
      impl_->release(&c);
      throw;
    }
  } catch (...) {
    try {
      impl_->fail("scrub", &c);
    } catch (...) {
      impl_->release(&c);
      throw;
    }
  }
  impl_->release(&c);
  return true;
}

#undef SLOTBOOK_GUARD

}  // namespace slotbook
