// The SQLite schema of sqlite_store, as migration steps. docs/storage.md explains each table.
//
// Conventions: instants are INTEGER unix seconds (UTC); durations are INTEGER minutes unless the
// column says seconds; enums are their lowercase text with a CHECK listing every value; money is
// an INTEGER amount in minor units plus a three-letter currency; ids are the 64-bit ids stored as
// SQLite's signed INTEGER (bit for bit); "none" is NULL. Tables are STRICT, so a host writing SQL
// by hand cannot store text in an integer column either.
//
// Never edit a released step: add a new one and bump sqlite_schema_version.

#include <array>
#include <span>
#include <string_view>

#include "slotbook/sqlite_store.hpp"

namespace slotbook {

namespace {

// Version 1: sessions, booking-reference sequences and providers with their schedules.
constexpr std::string_view step_1 = R"sql(
PRAGMA application_id = 1397506644;

CREATE TABLE sessions (
  id                      INTEGER PRIMARY KEY,
  client_id               INTEGER NOT NULL,
  provider_id             INTEGER NOT NULL,
  scheduled_at            INTEGER NOT NULL,
  duration_minutes        INTEGER NOT NULL CHECK (duration_minutes > 0),
  status                  TEXT NOT NULL CHECK (status IN ('pending_payment', 'scheduled',
                            'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show')),
  session_type            TEXT NOT NULL CHECK (session_type IN ('initial', 'follow_up',
                            'emergency')),
  booking_reference       TEXT CHECK (booking_reference GLOB 'BK-[0-9][0-9][0-9][0-9]-*'),
  notes                   TEXT NOT NULL DEFAULT '',
  special_requests        TEXT NOT NULL DEFAULT '',
  amount_minor            INTEGER NOT NULL CHECK (amount_minor >= 0),
  currency                TEXT NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
  payment_status          TEXT NOT NULL CHECK (payment_status IN ('pending', 'paid', 'refunded')),
  payment_method          TEXT NOT NULL DEFAULT '',
  transaction_id          TEXT NOT NULL DEFAULT '',
  refunded_minor          INTEGER NOT NULL DEFAULT 0
                            CHECK (refunded_minor BETWEEN 0 AND amount_minor),
  joined_at               INTEGER,
  ended_at                INTEGER,
  actual_duration_seconds INTEGER,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  cancelled_at            INTEGER,
  cancellation_reason     TEXT NOT NULL DEFAULT '',
  cancelled_by            TEXT CHECK (cancelled_by IN ('client', 'provider', 'admin', 'system')),
  cancelled_from          TEXT CHECK (cancelled_from IN ('pending_payment', 'scheduled',
                            'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show')),
  rescheduled_from        INTEGER,
  rescheduled_to          INTEGER,
  reschedule_count        INTEGER NOT NULL DEFAULT 0 CHECK (reschedule_count >= 0)
) STRICT;

-- NULL references (not yet assigned) do not collide.
CREATE UNIQUE INDEX sessions_reference ON sessions (booking_reference);
-- provider_sessions / client_sessions: every status, by start.
CREATE INDEX sessions_provider_start ON sessions (provider_id, scheduled_at);
CREATE INDEX sessions_client_start ON sessions (client_id, scheduled_at);
-- The booking path's conflict checks read only non-terminal sessions.
CREATE INDEX sessions_active_provider_start ON sessions (provider_id, scheduled_at)
  WHERE status IN ('pending_payment', 'scheduled', 'confirmed', 'in_progress');
CREATE INDEX sessions_active_client_start ON sessions (client_id, scheduled_at)
  WHERE status IN ('pending_payment', 'scheduled', 'confirmed', 'in_progress');
-- expire_holds: unpaid holds, oldest first.
CREATE INDEX sessions_holds ON sessions (created_at) WHERE status = 'pending_payment';
-- The longest duration bounds how far before a range an overlapping session can start.
CREATE INDEX sessions_duration ON sessions (duration_minutes);

CREATE TABLE reference_sequences (
  year          INTEGER PRIMARY KEY,
  last_sequence INTEGER NOT NULL CHECK (last_sequence > 0)
) STRICT;

CREATE TABLE providers (
  id                      INTEGER PRIMARY KEY,
  name                    TEXT NOT NULL,
  active                  INTEGER NOT NULL CHECK (active IN (0, 1)),
  price_minor             INTEGER NOT NULL CHECK (price_minor >= 0),
  currency                TEXT NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
  zone                    TEXT NOT NULL,
  schedule_active         INTEGER NOT NULL CHECK (schedule_active IN (0, 1)),
  effective_from          TEXT CHECK (effective_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  effective_until         TEXT CHECK (effective_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  slot_minutes            INTEGER NOT NULL CHECK (slot_minutes BETWEEN 1 AND 10080),
  step_minutes            INTEGER CHECK (step_minutes BETWEEN 1 AND 10080),
  buffer_before_minutes   INTEGER NOT NULL CHECK (buffer_before_minutes BETWEEN 0 AND 1440),
  buffer_after_minutes    INTEGER NOT NULL CHECK (buffer_after_minutes BETWEEN 0 AND 1440),
  minimum_notice_minutes  INTEGER NOT NULL CHECK (minimum_notice_minutes BETWEEN 0 AND 5270400),
  maximum_advance_minutes INTEGER NOT NULL CHECK (maximum_advance_minutes BETWEEN 0 AND 5270400),
  max_per_day             INTEGER CHECK (max_per_day >= 0),
  alignment               TEXT NOT NULL CHECK (alignment IN ('run_start', 'fixed_grid'))
) STRICT;

-- Weekly windows in the provider's zone, in the order the host gave them.
CREATE TABLE provider_windows (
  provider_id  INTEGER NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),  -- 0 = Sunday
  start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute   INTEGER NOT NULL CHECK (end_minute > start_minute AND end_minute <= 1440),
  PRIMARY KEY (provider_id, position)
) STRICT, WITHOUT ROWID;

-- Date exceptions: closed all day (available 0, no hours) or custom hours (available 1).
CREATE TABLE provider_exceptions (
  provider_id INTEGER NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  day         TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  available   INTEGER NOT NULL CHECK (available IN (0, 1)),
  reason      TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (provider_id, position),
  UNIQUE (provider_id, day)
) STRICT, WITHOUT ROWID;

CREATE TABLE provider_exception_hours (
  provider_id        INTEGER NOT NULL,
  exception_position INTEGER NOT NULL,
  position           INTEGER NOT NULL,
  start_minute       INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute         INTEGER NOT NULL CHECK (end_minute > start_minute AND end_minute <= 1440),
  PRIMARY KEY (provider_id, exception_position, position),
  FOREIGN KEY (provider_id, exception_position)
    REFERENCES provider_exceptions (provider_id, position) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
)sql";

// Version 2: the reminder queue and the append-only audit log.
constexpr std::string_view step_2 = R"sql(
CREATE TABLE reminder_queue (
  id             INTEGER PRIMARY KEY,
  session_id     INTEGER NOT NULL,
  client_id      INTEGER NOT NULL,
  due_at         INTEGER NOT NULL,
  channel        TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  before_minutes INTEGER NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'sent', 'failed')),
  attempts       INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  lease_until    INTEGER,
  next_attempt   INTEGER,
  sent_at        INTEGER,
  last_error     TEXT NOT NULL DEFAULT ''
) STRICT;

-- claim_due_reminders and backlog: by state, then due time.
CREATE INDEX reminder_queue_due ON reminder_queue (state, due_at);
CREATE INDEX reminder_queue_session ON reminder_queue (session_id, due_at);

CREATE TABLE audit_log (
  sequence      INTEGER PRIMARY KEY,
  at            INTEGER NOT NULL,
  who_role      TEXT NOT NULL CHECK (who_role IN ('client', 'provider', 'admin', 'system')),
  who_id        INTEGER NOT NULL,
  action        TEXT NOT NULL,
  session_id    INTEGER NOT NULL DEFAULT 0,
  before_status TEXT CHECK (before_status IN ('pending_payment', 'scheduled', 'confirmed',
                  'in_progress', 'completed', 'cancelled', 'no_show')),
  after_status  TEXT CHECK (after_status IN ('pending_payment', 'scheduled', 'confirmed',
                  'in_progress', 'completed', 'cancelled', 'no_show')),
  detail        TEXT NOT NULL DEFAULT '',
  previous_hash TEXT NOT NULL,
  hash          TEXT NOT NULL
) STRICT;

-- Append-only even for SQL that bypasses slotbook. (Dropping the triggers is still possible for
-- someone who owns the file; the SHA-256 chain is what detects that kind of edit.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
END;
)sql";

// Version 3: sealed intake forms, secure deletion of sessions, and the providers' intake
// requirement. Only ciphertext, wrapped data keys and non-sensitive metadata are stored in
// intake_forms: the sealed steps are opaque BLOBs, and what stays readable (ids, which steps are
// saved, the consents, timestamps, the key version) is what docs/security.md lists as plaintext.
constexpr std::string_view step_3 = R"sql(
ALTER TABLE providers ADD COLUMN requires_intake INTEGER NOT NULL DEFAULT 0
  CHECK (requires_intake IN (0, 1));

CREATE TABLE intake_forms (
  id                        INTEGER PRIMARY KEY,
  client_id                 INTEGER NOT NULL,
  session_id                INTEGER,  -- NULL: not filled in for a particular session
  data_key                  BLOB CHECK (length(data_key) = 66),  -- wrapped by the keyring
  key_version               INTEGER CHECK (key_version > 0),  -- from data_key's header
  personal_info             BLOB,  -- sealed step 1, NULL until saved
  mental_health             BLOB,  -- sealed step 2
  goals                     BLOB,  -- sealed step 3
  consent_to_treatment      INTEGER NOT NULL CHECK (consent_to_treatment IN (0, 1)),
  confidentiality_agreement INTEGER NOT NULL CHECK (confidentiality_agreement IN (0, 1)),
  data_processing_consent   INTEGER NOT NULL CHECK (data_processing_consent IN (0, 1)),
  completed_at              INTEGER,
  created_at                INTEGER NOT NULL,
  updated_at                INTEGER NOT NULL,
  deleted_at                INTEGER,  -- crypto-shredded: no key, no steps, no consents left
  deletion_reason           TEXT NOT NULL DEFAULT '',
  CHECK ((data_key IS NULL) = (key_version IS NULL)),
  CHECK ((deleted_at IS NULL) = (data_key IS NOT NULL)),
  CHECK (deleted_at IS NULL OR (personal_info IS NULL AND mental_health IS NULL AND goals IS NULL
    AND consent_to_treatment = 0 AND confidentiality_agreement = 0
    AND data_processing_consent = 0 AND completed_at IS NULL))
) STRICT;

CREATE INDEX intake_forms_client ON intake_forms (client_id, id);
-- purge_intakes: deleted forms, oldest deletion first.
CREATE INDEX intake_forms_deleted ON intake_forms (deleted_at) WHERE deleted_at IS NOT NULL;

-- The highest id next_intake_id handed out, so ids are never reused, not even after a purge.
CREATE TABLE id_sequences (
  name    TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL CHECK (last_id > 0)
) STRICT, WITHOUT ROWID;

-- A secure delete's mark on a session (whose free text was redacted in the same transaction).
CREATE TABLE session_deletions (
  session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  deleted_at INTEGER NOT NULL,
  reason     TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX session_deletions_at ON session_deletions (deleted_at);
)sql";

// Version 4: recurring series. A session may belong to a series (booking_service::book_series);
// sessions written before this version belong to none (NULL). next_series_id counts in
// id_sequences under the name 'series'.
constexpr std::string_view step_4 = R"sql(
ALTER TABLE sessions ADD COLUMN series_id INTEGER;  -- NULL: not an occurrence of a series

-- series_sessions: one series' occurrences by start.
CREATE INDEX sessions_series_start ON sessions (series_id, scheduled_at)
  WHERE series_id IS NOT NULL;
)sql";

// Version 5: group sessions. A session may be of type 'group' with a capacity (how many seats it
// has; 0 for every other session), and its clients hold seats in session_seats. SQLite cannot
// change a CHECK constraint in place, so sessions is rebuilt under the same name with the wider
// session_type CHECK and the capacity column, and its indexes are made again. session_deletions,
// the one table whose foreign key names sessions, is set aside first and put back after: dropping
// sessions with it in place would cascade to (delete) every deletion mark.
constexpr std::string_view step_5 = R"sql(
CREATE TEMP TABLE session_deletions_v4 AS SELECT session_id, deleted_at, reason
  FROM session_deletions;
DROP TABLE session_deletions;

CREATE TABLE sessions_v5 (
  id                      INTEGER PRIMARY KEY,
  client_id               INTEGER NOT NULL,  -- 0 for a group session: its clients hold seats
  provider_id             INTEGER NOT NULL,
  scheduled_at            INTEGER NOT NULL,
  duration_minutes        INTEGER NOT NULL CHECK (duration_minutes > 0),
  status                  TEXT NOT NULL CHECK (status IN ('pending_payment', 'scheduled',
                            'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show')),
  session_type            TEXT NOT NULL CHECK (session_type IN ('initial', 'follow_up',
                            'emergency', 'group')),
  booking_reference       TEXT CHECK (booking_reference GLOB 'BK-[0-9][0-9][0-9][0-9]-*'),
  notes                   TEXT NOT NULL DEFAULT '',
  special_requests        TEXT NOT NULL DEFAULT '',
  amount_minor            INTEGER NOT NULL CHECK (amount_minor >= 0),
  currency                TEXT NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
  payment_status          TEXT NOT NULL CHECK (payment_status IN ('pending', 'paid', 'refunded')),
  payment_method          TEXT NOT NULL DEFAULT '',
  transaction_id          TEXT NOT NULL DEFAULT '',
  refunded_minor          INTEGER NOT NULL DEFAULT 0
                            CHECK (refunded_minor BETWEEN 0 AND amount_minor),
  joined_at               INTEGER,
  ended_at                INTEGER,
  actual_duration_seconds INTEGER,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  cancelled_at            INTEGER,
  cancellation_reason     TEXT NOT NULL DEFAULT '',
  cancelled_by            TEXT CHECK (cancelled_by IN ('client', 'provider', 'admin', 'system')),
  cancelled_from          TEXT CHECK (cancelled_from IN ('pending_payment', 'scheduled',
                            'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show')),
  rescheduled_from        INTEGER,
  rescheduled_to          INTEGER,
  reschedule_count        INTEGER NOT NULL DEFAULT 0 CHECK (reschedule_count >= 0),
  series_id               INTEGER,  -- NULL: not an occurrence of a series
  capacity                INTEGER NOT NULL DEFAULT 0 CHECK (capacity BETWEEN 0 AND 1000),
  CHECK ((session_type = 'group') = (capacity > 0))
) STRICT;
INSERT INTO sessions_v5 (id, client_id, provider_id, scheduled_at, duration_minutes, status,
  session_type, booking_reference, notes, special_requests, amount_minor, currency,
  payment_status, payment_method, transaction_id, refunded_minor, joined_at, ended_at,
  actual_duration_seconds, created_at, updated_at, cancelled_at, cancellation_reason,
  cancelled_by, cancelled_from, rescheduled_from, rescheduled_to, reschedule_count, series_id)
SELECT id, client_id, provider_id, scheduled_at, duration_minutes, status,
  session_type, booking_reference, notes, special_requests, amount_minor, currency,
  payment_status, payment_method, transaction_id, refunded_minor, joined_at, ended_at,
  actual_duration_seconds, created_at, updated_at, cancelled_at, cancellation_reason,
  cancelled_by, cancelled_from, rescheduled_from, rescheduled_to, reschedule_count, series_id
FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v5 RENAME TO sessions;

-- The indexes of versions 1 and 4, as they were.
CREATE UNIQUE INDEX sessions_reference ON sessions (booking_reference);
CREATE INDEX sessions_provider_start ON sessions (provider_id, scheduled_at);
CREATE INDEX sessions_client_start ON sessions (client_id, scheduled_at);
CREATE INDEX sessions_active_provider_start ON sessions (provider_id, scheduled_at)
  WHERE status IN ('pending_payment', 'scheduled', 'confirmed', 'in_progress');
CREATE INDEX sessions_active_client_start ON sessions (client_id, scheduled_at)
  WHERE status IN ('pending_payment', 'scheduled', 'confirmed', 'in_progress');
CREATE INDEX sessions_holds ON sessions (created_at) WHERE status = 'pending_payment';
CREATE INDEX sessions_duration ON sessions (duration_minutes);
CREATE INDEX sessions_series_start ON sessions (series_id, scheduled_at)
  WHERE series_id IS NOT NULL;

-- As in version 3.
CREATE TABLE session_deletions (
  session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  deleted_at INTEGER NOT NULL,
  reason     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX session_deletions_at ON session_deletions (deleted_at);
INSERT INTO session_deletions (session_id, deleted_at, reason)
  SELECT session_id, deleted_at, reason FROM session_deletions_v4;
DROP TABLE session_deletions_v4;

-- A client's seat in a group session: its own money and its own cancellation. A cancelled seat
-- stays (with its refund); at most one active ('scheduled') seat per client and session.
CREATE TABLE session_seats (
  id                  INTEGER PRIMARY KEY,
  session_id          INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  client_id           INTEGER NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
  amount_minor        INTEGER NOT NULL CHECK (amount_minor >= 0),
  currency            TEXT NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
  payment_status      TEXT NOT NULL CHECK (payment_status IN ('pending', 'paid', 'refunded')),
  payment_method      TEXT NOT NULL DEFAULT '',
  transaction_id      TEXT NOT NULL DEFAULT '',
  refunded_minor      INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor BETWEEN 0 AND amount_minor),
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  cancelled_at        INTEGER,
  cancellation_reason TEXT NOT NULL DEFAULT '',
  cancelled_by        TEXT CHECK (cancelled_by IN ('client', 'provider', 'admin', 'system'))
) STRICT;
-- session_seats by session (the capacity count) and the one-active-seat rule.
CREATE INDEX session_seats_session ON session_seats (session_id, id);
CREATE UNIQUE INDEX session_seats_active ON session_seats (session_id, client_id)
  WHERE status = 'scheduled';
-- active_client_group_sessions: a client's active seats.
CREATE INDEX session_seats_client ON session_seats (client_id) WHERE status = 'scheduled';
)sql";

// Version 6: the waitlist. One row per entry (waitlist.hpp): the provider, the client, the range
// and preferences, the state and, while offered, the slot held for it and its deadline.
constexpr std::string_view step_6 = R"sql(
CREATE TABLE waitlist (
  id              INTEGER PRIMARY KEY,
  provider_id     INTEGER NOT NULL,
  client_id       INTEGER NOT NULL,
  range_begin     INTEGER NOT NULL,
  range_end       INTEGER NOT NULL CHECK (range_end > range_begin),
  session_type    TEXT NOT NULL CHECK (session_type IN ('initial', 'follow_up', 'emergency')),
  earliest_minute INTEGER CHECK (earliest_minute BETWEEN 0 AND 1439),  -- NULL: any
  latest_minute   INTEGER CHECK (latest_minute BETWEEN 0 AND 1439),    -- NULL: any
  state           TEXT NOT NULL CHECK (state IN ('waiting', 'offered', 'booked', 'withdrawn',
                    'lapsed')),
  joined_at       INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  offer_begin     INTEGER,
  offer_end       INTEGER,
  offer_expires   INTEGER,
  booked_session  INTEGER,
  CHECK ((offer_begin IS NULL) = (offer_end IS NULL)),
  CHECK (state <> 'offered' OR (offer_begin IS NOT NULL AND offer_expires IS NOT NULL))
) STRICT;
-- open_waitlist_entries: a provider's line, in order.
CREATE INDEX waitlist_open ON waitlist (provider_id, joined_at, id)
  WHERE state IN ('waiting', 'offered');
-- due_offers: offers by deadline.
CREATE INDEX waitlist_offers_due ON waitlist (offer_expires, id) WHERE state = 'offered';
CREATE INDEX waitlist_client ON waitlist (client_id, id);
)sql";

// Version 7: busy time from providers' external calendars (busy_block.hpp; only what blocking
// needs: no event titles or descriptions), an index for expiring unpaid seats, and the records
// of booked series.
constexpr std::string_view step_7 = R"sql(
CREATE TABLE busy_blocks (
  id          INTEGER PRIMARY KEY,
  provider_id INTEGER NOT NULL,
  source      TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  uid         TEXT NOT NULL,
  begin_at    INTEGER NOT NULL,
  end_at      INTEGER NOT NULL CHECK (end_at > begin_at AND end_at - begin_at <= 366 * 86400),
  all_day     INTEGER NOT NULL CHECK (all_day IN (0, 1)),
  imported_at INTEGER NOT NULL
) STRICT;
-- busy_blocks: a provider's blocks by begin (a block lasts at most 366 days, which bounds the
-- scan); replace_busy_blocks: one source's blocks.
CREATE INDEX busy_blocks_provider_begin ON busy_blocks (provider_id, begin_at);
CREATE INDEX busy_blocks_source ON busy_blocks (provider_id, source, begin_at);
-- unpaid_seats: seat holds by age.
CREATE INDEX session_seats_unpaid ON session_seats (created_at, id)
  WHERE status = 'scheduled' AND payment_status = 'pending' AND amount_minor > 0;

-- What book_series expanded (series_record.hpp), written once per series: the canonical rule,
-- the nominal first start as a local date and second of the day in zone, the length. The
-- sessions (sessions.series_id) say what became of each occurrence.
CREATE TABLE series (
  id               INTEGER PRIMARY KEY CHECK (id <> 0),
  provider_id      INTEGER NOT NULL,
  client_id        INTEGER NOT NULL,
  rule             TEXT NOT NULL CHECK (length(rule) > 0),
  first_date       TEXT NOT NULL,
  first_second     INTEGER NOT NULL CHECK (first_second BETWEEN 0 AND 86399),
  zone             TEXT NOT NULL CHECK (length(zone) > 0),
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
  session_type     TEXT NOT NULL CHECK (session_type IN ('initial', 'follow_up', 'emergency')),
  created_at       INTEGER NOT NULL
) STRICT;
)sql";

constexpr std::array<std::string_view, 7> steps{step_1, step_2, step_3, step_4,
                                                step_5, step_6, step_7};
static_assert(steps.size() == static_cast<std::size_t>(sqlite_schema_version));

}  // namespace

std::span<const std::string_view> sqlite_schema_steps() noexcept { return steps; }

}  // namespace slotbook
