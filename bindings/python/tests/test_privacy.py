"""Intake forms through the service (sealed with the host's keyring), key rotation, secure
deletion, purging and the subject-access export; and the stores' intake and deletion methods."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import NAIROBI, utc
from test_crypto_intake import CONSENT, GOALS, MENTAL, PERSONAL

import slotbook
from slotbook import Access, Actor

START = utc(2026, 1, 5, 8)
CLIENT, PROVIDER = 7, 42


def make_service(store=None, ring=None):
    ring = ring if ring is not None else slotbook.Keyring()
    if ring.empty:
        ring.add(1, slotbook.KeyMaterial.generate())
    clock = slotbook.SettableClock(START)
    service = slotbook.BookingService(store or slotbook.MemoryStore(), clock, slotbook.ServiceOptions(keys=ring))
    days = [slotbook.Weekday(d) for d in range(1, 6)]
    service.put_provider(Actor.system(), slotbook.ProviderProfile(
        id=PROVIDER, hours=slotbook.Schedule(NAIROBI, [slotbook.WeeklyWindow(d, "09:00", "17:00") for d in days])))
    return service, clock, ring


def test_an_intake_form_is_filled_step_by_step_and_read_back_by_its_client():
    service, _, ring = make_service()
    assert service.options.keys is ring
    form = service.create_intake(Actor.client(CLIENT), CLIENT)
    assert (form.client, form.complete, form.key_version) == (CLIENT, False, 1)
    assert form.missing[0] == "personal_info"
    for step in (PERSONAL, MENTAL, GOALS, CONSENT):
        summary = service.save_intake_step(Actor.client(CLIENT), form.id, step)
    assert summary.complete and summary.missing == () and summary.completed_at == START
    opened = service.read_intake(Actor.client(CLIENT), form.id)
    assert (opened.personal_info, opened.mental_health, opened.goals, opened.consent) == (PERSONAL, MENTAL, GOALS, CONSENT)
    assert [s.id for s in service.client_intakes(Actor.client(CLIENT), CLIENT)] == [form.id]
    with pytest.raises(slotbook.InvalidArgumentError, match="severity_level: 11 is outside 1-10"):
        service.save_intake_step(Actor.client(CLIENT), form.id, slotbook.MentalHealthStep(True, (), 11))
    with pytest.raises(slotbook.ForbiddenError):
        service.read_intake(Actor.provider(PROVIDER), form.id)  # no session with this client yet
    service.book(Actor.client(CLIENT), slotbook.BookingRequest(provider=PROVIDER, client=CLIENT,
                                                               scheduled_at=utc(2026, 1, 12, 6)))
    assert service.read_intake(Actor.provider(PROVIDER), form.id).goals == GOALS


def test_a_provider_may_require_a_complete_intake_form_and_the_flag_is_stored():
    service, _, _ = make_service()
    p = service.provider(PROVIDER)
    assert p.requires_intake is False
    service.put_provider(Actor.system(), slotbook.ProviderProfile(id=PROVIDER, hours=p.hours, requires_intake=True))
    assert service.provider(PROVIDER).requires_intake is True


def test_intake_steps_need_a_keyring():
    service = slotbook.BookingService(slotbook.MemoryStore(), slotbook.SettableClock(START))
    with pytest.raises(slotbook.CryptoError):
        form = service.create_intake(Actor.client(CLIENT), CLIENT)
        service.save_intake_step(Actor.client(CLIENT), form.id, PERSONAL)


def test_a_key_rotation_rewraps_every_form_and_reports_each_batch():
    service, _, ring = make_service()
    ids = [service.create_intake(Actor.client(c), c).id for c in (1, 2, 3)]
    for i, c in zip(ids, (1, 2, 3)):
        service.save_intake_step(Actor.client(c), i, PERSONAL)
    ring.add(2, slotbook.KeyMaterial.generate())
    seen: list[slotbook.RotationProgress] = []
    report = service.rotate_intake_keys(2, seen.append)
    assert report == slotbook.RotationReport(to_version=2, batches=2, rewrapped=3)
    assert [(p.batches, p.rewrapped) for p in seen] == [(1, 2), (2, 3)]
    ring.remove(1)
    assert service.read_intake(Actor.client(2), ids[1]).personal_info == PERSONAL
    assert service.rotate_intake_keys() == slotbook.RotationReport(to_version=2, batches=0, rewrapped=0)


def test_deleted_forms_and_sessions_are_redacted_then_purged_after_the_retention():
    service, clock, _ = make_service()
    form = service.create_intake(Actor.client(CLIENT), CLIENT)
    erased = service.delete_intake(Actor.client(CLIENT), form.id, "client request")
    assert erased.at == START
    with pytest.raises(slotbook.NotFoundError):
        service.read_intake(Actor.client(CLIENT), form.id)
    booked = service.book(Actor.client(CLIENT), slotbook.BookingRequest(
        provider=PROVIDER, client=CLIENT, scheduled_at=utc(2026, 1, 12, 6), notes="private"))
    with pytest.raises(slotbook.ConflictError):
        service.secure_delete_session(Actor.client(CLIENT), booked.session, "client request")
    service.cancel(Actor.client(CLIENT), booked.session)
    service.secure_delete_session(Actor.client(CLIENT), booked.session, "client request")
    assert service.get_session(Actor.client(CLIENT), booked.session).notes == slotbook.REDACTED_TEXT
    export = service.export_client_data(Actor.client(CLIENT), CLIENT)
    assert export.client == CLIENT and [d.session for d in export.deleted_sessions] == [booked.session]
    assert [s.id for s in export.deleted_intakes] == [form.id] and export.intake_forms == ()
    assert json.loads(slotbook.to_json(export))["client"] == CLIENT
    nothing = service.purge_expired()
    assert (nothing.cutoff, nothing.sessions, nothing.intakes) == (START - timedelta(days=30), (), ())
    clock.advance(timedelta(days=31))
    purged = service.purge_expired()
    assert (purged.sessions, purged.intakes) == ((booked.session,), (form.id,))


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    if request.param == "memory":
        return slotbook.MemoryStore()
    return slotbook.SqliteStore(tmp_path / "privacy.db")


def test_stores_keep_sealed_intake_forms_and_deletion_marks(store):
    ring = slotbook.Keyring()
    ring.add(1, slotbook.KeyMaterial.generate())
    with store.transaction(Access.WRITE):
        fid = store.next_intake_id()
        sealed = slotbook.seal_intake(slotbook.IntakeForm(id=fid, client=CLIENT, personal_info=PERSONAL), ring)
        stored = slotbook.StoredIntake(form=sealed, created_at=START, updated_at=START)
        store.put_intake(stored)
    with store.transaction(Access.READ):
        assert store.find_intake(fid) == stored and not stored.deleted
        assert store.client_intakes(CLIENT) == [stored]
        assert [s.form.id for s in store.intakes_to_rotate(2, 0, 10)] == [fid]
        assert store.find_session_deletion(1) is None
    with store.transaction(Access.WRITE):
        with pytest.raises(slotbook.NotFoundError):
            store.mark_session_deleted(slotbook.SessionDeletion(1, START, "client request"))
        assert store.purge_intakes(START, 10) == [] and store.purge_sessions(START, 10) == []
    assert store.scrub() is True
