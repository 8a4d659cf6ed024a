"""Issue 17: rotating SECRET_KEY must not make resident numbers unreadable, and the field key
itself can be rotated (MultiFernet, digests under every key held until the rotation is done)."""

import datetime as dt

import pytest
from django.core.management import call_command

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import ValidationFailed
from oncocenter.patients import crypto
from oncocenter.patients.models import Patient
from oncocenter.patients.services import patient_create, patient_verify_rrn

pytestmark = pytest.mark.django_db
KEY_A = "field-key-A-" + "q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3"
KEY_B = "field-key-B-" + "M1n2B3v4C5x6Z7l8K9j0H1g2F3d4S5a6P7o8I9u0Y1t2R3"
RRN = "150701-3123456"


def _patient():
    return patient_create(
        by=UserFactory(roles=["nurse"]),
        name_ko="박서준",
        family_name_en="PARK",
        given_name_en="Seojun",
        birth_date=dt.date(2015, 7, 1),
        sex="male",
        rrn=RRN,
    )


def test_rotating_secret_key_keeps_numbers_readable_with_a_field_key(settings):
    settings.FIELD_ENCRYPTION_KEY = KEY_A
    patient = _patient()
    settings.SECRET_KEY = "another-secret-key-" + "x9" * 20
    patient.refresh_from_db()
    assert crypto.decrypt(patient.rrn_encrypted) == "1507013123456"
    assert patient_verify_rrn(patient=patient, rrn=RRN)


def test_rotate_field_key(settings, capsys):
    settings.FIELD_ENCRYPTION_KEY = KEY_A
    patients = [_patient()]
    before = Patient.objects.get(pk=patients[0].pk)
    # The new key, the old one retired but still held: reads, checks and duplicates still work.
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = KEY_B, [KEY_A]
    assert crypto.decrypt(before.rrn_encrypted) == "1507013123456"
    assert patient_verify_rrn(patient=before, rrn=RRN)
    with pytest.raises(ValidationFailed, match="already registered"):
        _patient()
    call_command("rotate_field_key")
    assert "1 resident numbers re-encrypted" in capsys.readouterr().out
    after = Patient.objects.get(pk=before.pk)
    assert after.rrn_encrypted != before.rrn_encrypted and after.rrn_digest != before.rrn_digest
    # The old key can go now.
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    assert crypto.decrypt(after.rrn_encrypted) == "1507013123456"
    assert after.rrn_digest == crypto.digest("1507013123456")
    assert patient_verify_rrn(patient=after, rrn=RRN)
    event = AuditEvent.objects.get(object_type="patients.rrn_keys")
    assert event.detail == {"re_encrypted": 1} and event.actor_username == "rotate-field-key"


def test_moving_from_the_derived_key_to_a_field_key(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    patient = _patient()
    settings.FIELD_ENCRYPTION_KEY = KEY_A  # the SECRET_KEY-derived key is read automatically
    assert patient_verify_rrn(patient=Patient.objects.get(pk=patient.pk), rrn=RRN)
    call_command("rotate_field_key")
    assert Patient.objects.get(pk=patient.pk).rrn_digest == crypto.digest("1507013123456")
