"""The stores through Python: transactions as context managers, the data methods, SQLite's
settings and durability."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from conftest import span, utc

import slotbook
from slotbook import Access

T = utc(2026, 1, 15, 10)


def a_session(**changes) -> slotbook.Session:
    base = slotbook.Session(
        client=7, provider=42, scheduled_at=T, duration=timedelta(hours=1),
        status=slotbook.SessionStatus.SCHEDULED, booking_reference="BK-2026-000001",
        created_at=utc(2026, 1, 1), updated_at=utc(2026, 1, 1),
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    if request.param == "memory":
        return slotbook.MemoryStore(lock_timeout=timedelta(milliseconds=200))
    return slotbook.SqliteStore(tmp_path / "store.db", busy_timeout=timedelta(milliseconds=200))


def test_a_committed_transaction_keeps_its_writes_and_a_failed_one_leaves_none(store):
    with store.transaction(Access.WRITE):
        sid = store.insert_session(a_session())
    assert sid == 1
    with pytest.raises(RuntimeError, match="boom"):
        with store.transaction(Access.WRITE):
            store.insert_session(a_session(booking_reference="BK-2026-000002", scheduled_at=T + timedelta(hours=2)))
            raise RuntimeError("boom")
    with store.transaction(Access.READ) as tx:
        assert tx.open
        assert store.find_session(1) == a_session(id=1)
        assert store.find_session(2) is None
        assert store.find_session_by_reference("BK-2026-000001").id == 1
    assert not tx.open


def test_a_data_method_outside_a_transaction_or_a_nested_transaction_is_a_storage_error(store):
    with pytest.raises(slotbook.StorageError):
        store.find_session(1)
    with store.transaction(Access.READ):
        with pytest.raises(slotbook.StorageError):
            store.transaction(Access.READ)
    with store.transaction(Access.READ):
        with pytest.raises(slotbook.StorageError):
            store.insert_session(a_session())


def test_explicit_commit_and_rollback(store):
    tx = store.transaction(Access.WRITE)
    store.insert_session(a_session())
    tx.rollback()
    tx = store.transaction(Access.WRITE)
    store.put_provider(slotbook.ProviderProfile(id=42, hours=slotbook.Schedule("UTC")))
    tx.commit()
    with pytest.raises(slotbook.StorageError, match="already"):
        tx.commit()
    with store.transaction(Access.READ):
        assert store.find_session(1) is None
        assert store.provider_ids() == [42]
        assert store.find_provider(42).hours.zone == "UTC"


def test_range_queries_reminders_and_the_audit_log(store):
    with store.transaction(Access.WRITE):
        sid = store.insert_session(a_session())
        assert store.next_reference_sequence(2026) == 1
        day = slotbook.make_interval(utc(2026, 1, 15), timedelta(days=1))
        assert [s.id for s in store.provider_sessions(42, day)] == [sid]
        assert [s.id for s in store.client_sessions(7, day)] == [sid]
        assert [s.id for s in store.active_provider_sessions(42, day)] == [sid]
        assert store.active_client_sessions(8, day) == []
        assert store.pending_holds(T, 10) == []
        r = slotbook.Reminder(sid, T - timedelta(hours=2), slotbook.ReminderChannel.EMAIL, timedelta(hours=2))
        (rid,) = store.enqueue_reminders([r], 7)
        claimed = store.claim_due_reminders(T - timedelta(hours=1), 10, T)
        assert [c.id for c in claimed] == [rid] and claimed[0].state is slotbook.ReminderState.CLAIMED
        assert store.find_reminder(rid).what == r
        assert store.backlog(T - timedelta(hours=1)).due == 0
        assert len(store.session_reminders(sid)) == 1
        assert store.remove_reminders(sid) == 1
        e = slotbook.AuditEntry(at=T, action="book", session=sid, previous_hash=slotbook.AUDIT_GENESIS_HASH)
        e = dataclasses.replace(e, hash=slotbook.audit_hash(e))
        assert store.append_audit(e) == 1
        assert store.last_audit().hash == e.hash
        assert [x.sequence for x in store.audit_entries(0, 10)] == [1]
    assert store.reachable()


def test_a_sqlite_store_runs_wal_with_full_sync_and_keeps_data_across_objects(tmp_path):
    path = tmp_path / "durable.db"
    first = slotbook.SqliteStore(path)
    s = first.settings()
    assert (s.journal_mode, s.synchronous, s.foreign_keys) == ("wal", 2, True)
    assert s.schema_version == slotbook.SQLITE_SCHEMA_VERSION == len(slotbook.sqlite_schema_steps())
    assert s.application_id == slotbook.SQLITE_APPLICATION_ID
    assert first.integrity_check() == "ok" and first.path == str(path)
    with first.transaction(Access.WRITE):
        first.insert_session(a_session())
    del first
    second = slotbook.SqliteStore(str(path), read_only=True)
    with second.transaction(Access.READ):
        assert second.find_session(1) == a_session(id=1)
    assert repr(second) == f"SqliteStore('{path}')"


def test_a_file_that_is_not_a_slotbook_database_is_a_storage_error_naming_the_path(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(slotbook.StorageError, match="junk.db"):
        slotbook.SqliteStore(junk)


def test_a_second_writer_waits_its_timeout_then_gets_a_storage_error(store):
    import threading

    entered, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with store.transaction(Access.WRITE):
            entered.set()
            release.wait(5)

    t = threading.Thread(target=hold_the_lock)
    t.start()
    entered.wait(5)
    try:
        with pytest.raises(slotbook.StorageError):
            store.transaction(Access.WRITE)
    finally:
        release.set()
        t.join()
    with store.transaction(Access.WRITE):
        store.insert_session(a_session())
