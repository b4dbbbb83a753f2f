"""Keys, sealed fields and intake forms from Python."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from conftest import utc

import slotbook

NOW = utc(2026, 1, 5, 8)
FORM = slotbook.RecordRef("intake_form", 42)


def ring_with(*versions: int) -> slotbook.Keyring:
    ring = slotbook.Keyring()
    for v in versions:
        ring.add(v, slotbook.KeyMaterial.generate())
    return ring


def test_key_material_round_trips_through_base64_and_never_prints_itself():
    k = slotbook.KeyMaterial.generate()
    assert len(k.raw()) == 32
    assert slotbook.KeyMaterial.from_base64(k.to_base64(), "k").raw() == k.raw()
    assert slotbook.KeyMaterial(bytes(32)).raw() == bytes(32)
    assert k.to_base64() not in repr(k)
    with pytest.raises(slotbook.InvalidArgumentError):
        slotbook.KeyMaterial(bytes(31))
    with pytest.raises(slotbook.InvalidArgumentError, match="^my_key: ") as e:
        slotbook.KeyMaterial.from_base64("not base64!", "my_key")
    assert "not base64!" not in str(e.value)


def test_a_keyring_parses_versions_and_wraps_with_the_newest(monkeypatch):
    a, b = (base64.b64encode(bytes([i]) * 32).decode() for i in (1, 2))
    ring = slotbook.Keyring.parse(f"1:{a}, 2:{b}", "SLOTBOOK_KEYS")
    assert ring.versions == [1, 2] and ring.current_version == 2 and 1 in ring
    assert ring.key(1).raw() == bytes([1]) * 32
    monkeypatch.setenv("SLOTBOOK_TEST_KEYS", f"3:{a}")
    assert slotbook.Keyring.from_env("SLOTBOOK_TEST_KEYS").versions == [3]
    monkeypatch.delenv("SLOTBOOK_TEST_KEYS")
    with pytest.raises(slotbook.CryptoError):
        slotbook.Keyring.from_env("SLOTBOOK_TEST_KEYS")
    asked: list[int] = []

    def source(version):
        asked.append(version)
        return slotbook.KeyMaterial(bytes([version]) * 32) if version != 9 else None

    assert slotbook.Keyring.from_source([4, 5], source).versions == [4, 5] and asked == [4, 5]
    with pytest.raises(slotbook.CryptoError, match="9"):
        slotbook.Keyring.from_source([9], source)
    with pytest.raises(slotbook.InvalidArgumentError, match="SLOTBOOK_KEYS"):
        slotbook.Keyring.parse("1:short", "SLOTBOOK_KEYS")
    with pytest.raises(slotbook.CryptoError):
        _ = slotbook.Keyring().current_version
    assert ring.remove(1) and not ring.remove(1) and repr(ring) == "Keyring(versions=[2])"


def test_sealed_fields_open_only_for_their_record_and_field():
    key = slotbook.RecordKey.generate()
    sealed = slotbook.seal(key, FORM, "allergies", "penicillin")
    assert slotbook.open(key, FORM, "allergies", sealed) == b"penicillin"
    with pytest.raises(slotbook.CryptoError):
        slotbook.open(key, FORM, "medications", sealed)
    with pytest.raises(slotbook.CryptoError):
        slotbook.open(key, slotbook.RecordRef("intake_form", 43), "allergies", sealed)
    tampered = slotbook.SealedField(sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    with pytest.raises(slotbook.CryptoError):
        slotbook.open(key, FORM, "allergies", tampered)
    with pytest.raises(slotbook.InvalidArgumentError):
        slotbook.seal(key, FORM, "Bad Field", "x")
    assert "open" not in slotbook.__all__  # `from slotbook import *` keeps the built-in open


def test_a_wrapped_key_unwraps_with_its_version_and_rewraps_after_rotation():
    ring = ring_with(1)
    key = slotbook.RecordKey.generate()
    sealed = slotbook.seal(key, FORM, "notes", b"\x00binary\xff")
    wrapped = slotbook.wrap(ring, FORM, key)
    assert slotbook.key_version(wrapped) == 1 and len(wrapped.data) == 66
    ring.add(2, slotbook.KeyMaterial.generate())
    moved = slotbook.rewrap(ring, FORM, wrapped)
    assert slotbook.key_version(moved) == 2
    assert slotbook.open(slotbook.unwrap(ring, FORM, moved), FORM, "notes", sealed) == b"\x00binary\xff"
    ring.remove(1)
    with pytest.raises(slotbook.CryptoError):
        slotbook.unwrap(ring, FORM, wrapped)


PERSONAL = slotbook.PersonalInfoStep("Amina Odhiambo (sister), +254 700 000 000", allergies="penicillin")
MENTAL = slotbook.MentalHealthStep(True, ("poor sleep",), 6)
GOALS = slotbook.GoalsStep(("sleep through the night",), preferred_approach="CBT")
CONSENT = slotbook.ConsentStep(True, True, True)


def test_the_intake_wizard_saves_steps_and_completes_when_all_are_there():
    form = slotbook.IntakeForm(id=7, client=3)
    assert slotbook.next_step(form) is slotbook.IntakeStep.PERSONAL_INFO
    form = slotbook.save_step(form, PERSONAL, NOW)
    form = slotbook.save_step(form, MENTAL, NOW)
    assert slotbook.missing(form) == ["goals", "consent.consent_to_treatment",
                                      "consent.confidentiality_agreement", "consent.data_processing_consent"]
    form = slotbook.save_step(form, GOALS, NOW)
    assert not slotbook.is_complete(form) and form.completed_at is None
    form = slotbook.save_step(form, CONSENT, NOW)
    assert slotbook.is_complete(form) and form.completed_at == NOW and slotbook.next_step(form) is None
    withdrawn = slotbook.save_step(form, slotbook.ConsentStep(True, True, False), NOW)
    assert withdrawn.completed_at is None and slotbook.next_step(withdrawn) is slotbook.IntakeStep.CONSENT


def test_an_invalid_step_names_the_field_without_repeating_the_clients_words():
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^mental_health\.severity_level: 11 is outside 1-10"):
        slotbook.save_step(slotbook.IntakeForm(id=1), dataclasses.replace(MENTAL, severity_level=11), NOW)
    secret = "my secret\x01history"
    problems = slotbook.problems(slotbook.PersonalInfoStep("x", medical_history=secret))
    assert [p.field for p in problems] == ["personal_info.medical_history"]
    assert secret not in str(problems[0])
    with pytest.raises(slotbook.InvalidArgumentError, match="goals.therapy_goals: at least one goal"):
        slotbook.validate(slotbook.GoalsStep())
    assert slotbook.problems(CONSENT) == []
    assert slotbook.problems(slotbook.IntakeForm(id=1, completed_at=NOW))[0].field == "completed_at"


def test_steps_serialise_to_bytes_and_parse_back():
    for step, parse in ((PERSONAL, slotbook.parse_personal_info), (MENTAL, slotbook.parse_mental_health),
                        (GOALS, slotbook.parse_goals)):
        data = slotbook.serialize(step)
        assert isinstance(data, bytes) and parse(data) == step
    with pytest.raises(slotbook.InvalidArgumentError, match="trailing bytes"):
        slotbook.parse_goals(slotbook.serialize(GOALS) + b"\x00")


def test_a_sealed_intake_opens_to_the_same_form_and_survives_key_rotation():
    ring = ring_with(1)
    form = slotbook.IntakeForm(id=7, client=3, personal_info=PERSONAL, mental_health=MENTAL)
    sealed = slotbook.seal_intake(form, ring)
    assert slotbook.key_version(sealed) == 1 and sealed.goals is None
    assert slotbook.open_intake(sealed, ring) == form
    assert not slotbook.is_complete(sealed) and slotbook.missing(sealed)[0] == "goals"
    sealed = slotbook.save_step(sealed, GOALS, ring, NOW)
    sealed = slotbook.save_step(sealed, CONSENT, NOW)
    assert slotbook.is_complete(sealed) and sealed.completed_at == NOW
    ring.add(2, slotbook.KeyMaterial.generate())
    rotated = slotbook.reseal(sealed, ring)
    assert slotbook.key_version(rotated) == 2 and rotated.personal_info == sealed.personal_info
    ring.remove(1)
    opened = slotbook.open_intake(rotated, ring)
    assert opened.goals == GOALS and opened.consent == CONSENT
    with pytest.raises(slotbook.CryptoError):
        slotbook.open_intake(dataclasses.replace(rotated, id=8), ring)
    assert slotbook.intake_record(7) == slotbook.RecordRef("intake_form", 7)
    with pytest.raises(slotbook.InvalidArgumentError, match="intake_form.id"):
        slotbook.seal_intake(slotbook.IntakeForm(), ring)
