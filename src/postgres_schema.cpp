// The PostgreSQL schema of postgres_store, as migration steps. docs/postgres.md explains each
// table; the columns mirror sqlite_schema.cpp so that SQL written against one reads the other.
//
// Conventions: the steps run with search_path set to the store's schema, so names are
// unqualified. Instants are bigint unix seconds (UTC), as in SQLite; `sessions.during` is the
// booked time as a tstzrange derived from them, which the exclusion constraints and the range
// queries use. Durations are integer minutes unless the column says seconds; enums are their
// lowercase text with a CHECK listing every value; money is a bigint amount in minor units plus a
// three-letter currency; ids are the 64-bit ids stored as signed bigint (bit for bit); "none" is
// NULL.
//
// Never edit a released step: add a new one and bump postgres_schema_version.

#include <array>
#include <span>
#include <string_view>

#include "slotbook/postgres_store.hpp"

namespace slotbook {

namespace {

// Version 1: everything sqlite_store has at its version 2, plus the exclusion constraints and the
// table whose lock writers queue on.
constexpr std::string_view step_1 = R"sql(
-- Write transactions lock this table (LOCK TABLE writer_turn IN EXCLUSIVE MODE) before their first
-- query, so they run one after the other and each sees everything committed before it. Readers
-- never touch it. It holds no rows.
CREATE TABLE writer_turn ();

CREATE TABLE sessions (
  id                      bigint PRIMARY KEY,
  client_id               bigint NOT NULL,
  provider_id             bigint NOT NULL,
  -- Years 1 to 9999, as slotbook::validate allows.
  scheduled_at            bigint NOT NULL
                            CHECK (scheduled_at BETWEEN -62135596800 AND 253402300799),
  duration_minutes        integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
  -- The booked time, half-open like slotbook's intervals.
  during                  tstzrange NOT NULL GENERATED ALWAYS AS (tstzrange(
                            to_timestamp(scheduled_at),
                            to_timestamp(scheduled_at + 60 * duration_minutes), '[)')) STORED,
  status                  text NOT NULL CHECK (status IN ('pending_payment', 'scheduled',
                            'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show')),
  session_type            text NOT NULL CHECK (session_type IN ('initial', 'follow_up',
                            'emergency')),
  -- NULL references (not yet assigned) do not collide.
  booking_reference       text UNIQUE CHECK (booking_reference ~ '^BK-[0-9]{4}-'),
  notes                   text NOT NULL DEFAULT '',
  special_requests        text NOT NULL DEFAULT '',
  amount_minor            bigint NOT NULL CHECK (amount_minor >= 0),
  currency                text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  payment_status          text NOT NULL CHECK (payment_status IN ('pending', 'paid', 'refunded')),
  payment_method          text NOT NULL DEFAULT '',
  transaction_id          text NOT NULL DEFAULT '',
  refunded_minor          bigint NOT NULL DEFAULT 0
                            CHECK (refunded_minor BETWEEN 0 AND amount_minor),
  joined_at               bigint,
  ended_at                bigint,
  actual_duration_seconds bigint,
  created_at              bigint NOT NULL,
  updated_at              bigint NOT NULL,
  cancelled_at            bigint,
  cancellation_reason     text NOT NULL DEFAULT '',
  cancelled_by            text CHECK (cancelled_by IN ('client', 'provider', 'admin', 'system')),
  cancelled_from          text CHECK (cancelled_from IN ('pending_payment', 'scheduled',
                            'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show')),
  rescheduled_from        bigint,
  rescheduled_to          bigint,
  reschedule_count        integer NOT NULL DEFAULT 0 CHECK (reschedule_count >= 0),

  -- No provider and no client is ever in two sessions at once, whoever writes the rows. Only the
  -- statuses that occupy time whatever the clock says: an unpaid hold occupies its time only
  -- until it expires, which depends on now() and the host's hold rules (no index predicate can
  -- say that), so the service checks holds itself. Deferred to commit: a reschedule inserts the
  -- replacement before it cancels the original, and both may overlap for that moment.
  CONSTRAINT sessions_provider_no_overlap
    EXCLUDE USING gist (provider_id WITH =, during WITH &&)
    WHERE (status IN ('scheduled', 'confirmed', 'in_progress'))
    DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT sessions_client_no_overlap
    EXCLUDE USING gist (client_id WITH =, during WITH &&)
    WHERE (status IN ('scheduled', 'confirmed', 'in_progress'))
    DEFERRABLE INITIALLY DEFERRED
);

-- provider_sessions / client_sessions and their active_ variants: overlap with a range.
CREATE INDEX sessions_provider_during ON sessions USING gist (provider_id, during);
CREATE INDEX sessions_client_during ON sessions USING gist (client_id, during);
-- expire_holds: unpaid holds, oldest first.
CREATE INDEX sessions_holds ON sessions (created_at, id) WHERE status = 'pending_payment';

CREATE TABLE reference_sequences (
  year          integer PRIMARY KEY,
  last_sequence bigint NOT NULL CHECK (last_sequence > 0)
);

CREATE TABLE providers (
  id                      bigint PRIMARY KEY,
  name                    text NOT NULL,
  active                  boolean NOT NULL,
  price_minor             bigint NOT NULL CHECK (price_minor >= 0),
  currency                text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  zone                    text NOT NULL,
  schedule_active         boolean NOT NULL,
  effective_from          text CHECK (effective_from ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  effective_until         text CHECK (effective_until ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  slot_minutes            integer NOT NULL CHECK (slot_minutes BETWEEN 1 AND 10080),
  step_minutes            integer CHECK (step_minutes BETWEEN 1 AND 10080),
  buffer_before_minutes   integer NOT NULL CHECK (buffer_before_minutes BETWEEN 0 AND 1440),
  buffer_after_minutes    integer NOT NULL CHECK (buffer_after_minutes BETWEEN 0 AND 1440),
  minimum_notice_minutes  integer NOT NULL CHECK (minimum_notice_minutes BETWEEN 0 AND 5270400),
  maximum_advance_minutes integer NOT NULL CHECK (maximum_advance_minutes BETWEEN 0 AND 5270400),
  max_per_day             bigint CHECK (max_per_day BETWEEN 0 AND 4294967295),
  alignment               text NOT NULL CHECK (alignment IN ('run_start', 'fixed_grid'))
);

-- Weekly windows in the provider's zone, in the order the host gave them.
CREATE TABLE provider_windows (
  provider_id  bigint NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  position     integer NOT NULL,
  weekday      integer NOT NULL CHECK (weekday BETWEEN 0 AND 6),  -- 0 = Sunday
  start_minute integer NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute   integer NOT NULL CHECK (end_minute > start_minute AND end_minute <= 1440),
  PRIMARY KEY (provider_id, position)
);

-- Date exceptions: closed all day (available false, no hours) or custom hours (available true).
CREATE TABLE provider_exceptions (
  provider_id bigint NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  position    integer NOT NULL,
  day         text NOT NULL CHECK (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  available   boolean NOT NULL,
  reason      text NOT NULL DEFAULT '',
  PRIMARY KEY (provider_id, position),
  UNIQUE (provider_id, day)
);

CREATE TABLE provider_exception_hours (
  provider_id        bigint NOT NULL,
  exception_position integer NOT NULL,
  position           integer NOT NULL,
  start_minute       integer NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute         integer NOT NULL CHECK (end_minute > start_minute AND end_minute <= 1440),
  PRIMARY KEY (provider_id, exception_position, position),
  FOREIGN KEY (provider_id, exception_position)
    REFERENCES provider_exceptions (provider_id, position) ON DELETE CASCADE
);

CREATE TABLE reminder_queue (
  id             bigint PRIMARY KEY,
  session_id     bigint NOT NULL,
  client_id      bigint NOT NULL,
  due_at         bigint NOT NULL,
  channel        text NOT NULL CHECK (channel IN ('email', 'sms')),
  before_minutes bigint NOT NULL,
  state          text NOT NULL CHECK (state IN ('pending', 'claimed', 'sent', 'failed')),
  attempts       integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  lease_until    bigint,
  next_attempt   bigint,
  sent_at        bigint,
  last_error     text NOT NULL DEFAULT ''
);

-- claim_due_reminders and backlog: by state, then due time.
CREATE INDEX reminder_queue_due ON reminder_queue (state, due_at, id);
CREATE INDEX reminder_queue_session ON reminder_queue (session_id, due_at, id);

CREATE TABLE audit_log (
  sequence      bigint PRIMARY KEY CHECK (sequence > 0),
  at            bigint NOT NULL,
  who_role      text NOT NULL CHECK (who_role IN ('client', 'provider', 'admin', 'system')),
  who_id        bigint NOT NULL,
  action        text NOT NULL,
  session_id    bigint NOT NULL DEFAULT 0,
  before_status text CHECK (before_status IN ('pending_payment', 'scheduled', 'confirmed',
                  'in_progress', 'completed', 'cancelled', 'no_show')),
  after_status  text CHECK (after_status IN ('pending_payment', 'scheduled', 'confirmed',
                  'in_progress', 'completed', 'cancelled', 'no_show')),
  detail        text NOT NULL DEFAULT '',
  previous_hash text NOT NULL,
  hash          text NOT NULL
);

-- Append-only even for SQL that bypasses slotbook: no UPDATE, DELETE or TRUNCATE. (The table's
-- owner can still drop the triggers; the SHA-256 chain is what detects that kind of edit.)
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: entries cannot be %',
    CASE TG_OP WHEN 'UPDATE' THEN 'changed' WHEN 'DELETE' THEN 'deleted' ELSE 'truncated' END
    USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
)sql";

// Version 2: sealed intake forms, secure deletion of sessions, and the providers' intake
// requirement (sqlite_store's version 3). intake_forms holds only ciphertext, wrapped data keys and
// the non-sensitive metadata docs/security.md lists as plaintext.
constexpr std::string_view step_2 = R"sql(
ALTER TABLE providers ADD COLUMN requires_intake boolean NOT NULL DEFAULT false;

CREATE TABLE intake_forms (
  id                        bigint PRIMARY KEY CHECK (id > 0),
  client_id                 bigint NOT NULL,
  session_id                bigint,  -- NULL: not filled in for a particular session
  data_key                  bytea CHECK (length(data_key) = 66),  -- wrapped by the keyring
  key_version               bigint CHECK (key_version > 0),  -- from data_key's header
  personal_info             bytea,  -- sealed step 1, NULL until saved
  mental_health             bytea,  -- sealed step 2
  goals                     bytea,  -- sealed step 3
  consent_to_treatment      boolean NOT NULL,
  confidentiality_agreement boolean NOT NULL,
  data_processing_consent   boolean NOT NULL,
  completed_at              bigint,
  created_at                bigint NOT NULL,
  updated_at                bigint NOT NULL,
  deleted_at                bigint,  -- crypto-shredded: no key, no steps, no consents left
  deletion_reason           text NOT NULL DEFAULT '',
  CHECK ((data_key IS NULL) = (key_version IS NULL)),
  CHECK ((deleted_at IS NULL) = (data_key IS NOT NULL)),
  CHECK (deleted_at IS NULL OR (personal_info IS NULL AND mental_health IS NULL AND goals IS NULL
    AND NOT consent_to_treatment AND NOT confidentiality_agreement
    AND NOT data_processing_consent AND completed_at IS NULL))
);

CREATE INDEX intake_forms_client ON intake_forms (client_id, id);
-- intakes_to_rotate: live forms by id.
CREATE INDEX intake_forms_live ON intake_forms (id) WHERE data_key IS NOT NULL;
-- purge_intakes: deleted forms, oldest deletion first.
CREATE INDEX intake_forms_deleted ON intake_forms (deleted_at, id) WHERE deleted_at IS NOT NULL;

-- The highest id next_intake_id handed out, so ids are never reused, not even after a purge.
CREATE TABLE id_sequences (
  name    text PRIMARY KEY,
  last_id bigint NOT NULL CHECK (last_id > 0)
);

-- A secure delete's mark on a session (whose free text was redacted in the same transaction).
CREATE TABLE session_deletions (
  session_id bigint PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  deleted_at bigint NOT NULL,
  reason     text NOT NULL DEFAULT ''
);

CREATE INDEX session_deletions_at ON session_deletions (deleted_at, session_id);
)sql";

// Version 3: recurring series (sqlite_store's version 4). A session may belong to a series
// (booking_service::book_series); sessions written before this version belong to none (NULL).
// next_series_id counts in id_sequences under the name 'series'.
constexpr std::string_view step_3 = R"sql(
ALTER TABLE sessions ADD COLUMN series_id bigint;  -- NULL: not an occurrence of a series

-- series_sessions: one series' occurrences by start.
CREATE INDEX sessions_series_start ON sessions (series_id, scheduled_at, id)
  WHERE series_id IS NOT NULL;
)sql";

// Version 4: group sessions (sqlite_store's version 5). A session may be of type 'group' with a
// capacity (its seats; 0 for every other session) and no client of its own (client_id 0); its
// clients hold seats in session_seats. The client exclusion constraint leaves group sessions out
// (their client_id 0 is nobody); the provider's constraint covers them as any session: a group
// holds its provider's time once.
constexpr std::string_view step_4 = R"sql(
ALTER TABLE sessions DROP CONSTRAINT sessions_session_type_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_session_type_check
  CHECK (session_type IN ('initial', 'follow_up', 'emergency', 'group'));
ALTER TABLE sessions ADD COLUMN capacity integer NOT NULL DEFAULT 0
  CHECK (capacity BETWEEN 0 AND 1000);
ALTER TABLE sessions ADD CONSTRAINT sessions_group_capacity
  CHECK ((session_type = 'group') = (capacity > 0));
ALTER TABLE sessions DROP CONSTRAINT sessions_client_no_overlap;
ALTER TABLE sessions ADD CONSTRAINT sessions_client_no_overlap
  EXCLUDE USING gist (client_id WITH =, during WITH &&)
  WHERE (status IN ('scheduled', 'confirmed', 'in_progress') AND session_type <> 'group')
  DEFERRABLE INITIALLY DEFERRED;

-- A client's seat in a group session: its own money and its own cancellation. A cancelled seat
-- stays (with its refund); at most one active ('scheduled') seat per client and session.
CREATE TABLE session_seats (
  id                  bigint PRIMARY KEY,
  session_id          bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  client_id           bigint NOT NULL,
  status              text NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
  amount_minor        bigint NOT NULL CHECK (amount_minor >= 0),
  currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  payment_status      text NOT NULL CHECK (payment_status IN ('pending', 'paid', 'refunded')),
  payment_method      text NOT NULL DEFAULT '',
  transaction_id      text NOT NULL DEFAULT '',
  refunded_minor      bigint NOT NULL DEFAULT 0 CHECK (refunded_minor BETWEEN 0 AND amount_minor),
  created_at          bigint NOT NULL,
  updated_at          bigint NOT NULL,
  cancelled_at        bigint,
  cancellation_reason text NOT NULL DEFAULT '',
  cancelled_by        text CHECK (cancelled_by IN ('client', 'provider', 'admin', 'system'))
);
-- session_seats by session (the capacity count) and the one-active-seat rule.
CREATE INDEX session_seats_session ON session_seats (session_id, id);
CREATE UNIQUE INDEX session_seats_active ON session_seats (session_id, client_id)
  WHERE status = 'scheduled';
-- active_client_group_sessions: a client's active seats.
CREATE INDEX session_seats_client ON session_seats (client_id) WHERE status = 'scheduled';
)sql";

// Version 5: the waitlist (sqlite_store's version 6).
constexpr std::string_view step_5 = R"sql(
CREATE TABLE waitlist (
  id              bigint PRIMARY KEY,
  provider_id     bigint NOT NULL,
  client_id       bigint NOT NULL,
  range_begin     bigint NOT NULL,
  range_end       bigint NOT NULL CHECK (range_end > range_begin),
  session_type    text NOT NULL CHECK (session_type IN ('initial', 'follow_up', 'emergency')),
  earliest_minute integer CHECK (earliest_minute BETWEEN 0 AND 1439),  -- NULL: any
  latest_minute   integer CHECK (latest_minute BETWEEN 0 AND 1439),    -- NULL: any
  state           text NOT NULL CHECK (state IN ('waiting', 'offered', 'booked', 'withdrawn',
                    'lapsed')),
  joined_at       bigint NOT NULL,
  updated_at      bigint NOT NULL,
  offer_begin     bigint,
  offer_end       bigint,
  offer_expires   bigint,
  booked_session  bigint,
  CHECK ((offer_begin IS NULL) = (offer_end IS NULL)),
  CHECK (state <> 'offered' OR (offer_begin IS NOT NULL AND offer_expires IS NOT NULL))
);
CREATE INDEX waitlist_open ON waitlist (provider_id, joined_at, id)
  WHERE state IN ('waiting', 'offered');
CREATE INDEX waitlist_offers_due ON waitlist (offer_expires, id) WHERE state = 'offered';
CREATE INDEX waitlist_client ON waitlist (client_id, id);
)sql";

// Version 6: busy time from providers' external calendars, the unpaid-seat index and the records
// of booked series (sqlite_store's version 7).
constexpr std::string_view step_6 = R"sql(
CREATE TABLE busy_blocks (
  id          bigserial PRIMARY KEY,
  provider_id bigint NOT NULL,
  source      text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  uid         text NOT NULL,
  begin_at    bigint NOT NULL,
  end_at      bigint NOT NULL CHECK (end_at > begin_at AND end_at - begin_at <= 366 * 86400),
  all_day     boolean NOT NULL,
  imported_at bigint NOT NULL
);
CREATE INDEX busy_blocks_provider_begin ON busy_blocks (provider_id, begin_at);
CREATE INDEX busy_blocks_source ON busy_blocks (provider_id, source, begin_at);
CREATE INDEX session_seats_unpaid ON session_seats (created_at, id)
  WHERE status = 'scheduled' AND payment_status = 'pending' AND amount_minor > 0;
-- What book_series expanded (series_record.hpp), written once per series; as in SQLite.
CREATE TABLE series (
  id               bigint PRIMARY KEY CHECK (id <> 0),
  provider_id      bigint NOT NULL,
  client_id        bigint NOT NULL,
  rule             text NOT NULL CHECK (length(rule) > 0),
  first_date       text NOT NULL,
  first_second     integer NOT NULL CHECK (first_second BETWEEN 0 AND 86399),
  zone             text NOT NULL CHECK (length(zone) > 0),
  duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
  session_type     text NOT NULL CHECK (session_type IN ('initial', 'follow_up', 'emergency')),
  created_at       bigint NOT NULL
);
)sql";

constexpr std::array<std::string_view, 6> steps{step_1, step_2, step_3, step_4, step_5, step_6};
static_assert(steps.size() == static_cast<std::size_t>(postgres_schema_version));

}  // namespace

std::span<const std::string_view> postgres_schema_steps() noexcept { return steps; }

}  // namespace slotbook
