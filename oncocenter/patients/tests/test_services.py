import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.errors import ValidationFailed
from oncocenter.patients import crypto
from oncocenter.patients.models import Patient
from oncocenter.patients.services import (
    luhn_digit,
    mrn_is_valid,
    patient_create,
    patient_join_center,
    patient_update,
)

BASE = {
    "name_ko": "김하늘",
    "family_name_en": "KIM",
    "given_name_en": "Haneul",
    "birth_date": dt.date(1971, 3, 4),
    "sex": "female",
}


@pytest.mark.django_db
def test_rrn_stored_encrypted_with_digest_and_mask():
    patient = patient_create(by=UserFactory(), **BASE, rrn="7103042123456")
    assert patient.rrn_masked == "710304-2******"
    assert "7103042123456" not in patient.rrn_encrypted
    assert crypto.decrypt(patient.rrn_encrypted) == "7103042123456"
    assert patient.rrn_digest == crypto.digest("7103042123456")


@pytest.mark.django_db
def test_all_problems_reported_at_once():
    with pytest.raises(ValidationFailed) as exc:
        patient_create(
            by=UserFactory(),
            **{**BASE, "family_name_en": "", "birth_date": dt.date(1890, 1, 1), "sex": "x"},
        )
    assert {p.field for p in exc.value.problems} == {"family_name_en", "birth_date", "sex"}
    assert Patient.objects.count() == 0


@pytest.mark.django_db
def test_rrn_sex_digit_must_match():
    with pytest.raises(ValidationFailed, match="7th digit"):
        patient_create(by=UserFactory(), **BASE, rrn="710304-1123456")


@pytest.mark.django_db
def test_update_only_given_fields_and_rrn_replaced():
    patient = patient_create(by=UserFactory(), **BASE)
    patient_update(by=UserFactory(), patient=patient, given_name_en="Sky", rrn="710304-2999999")
    patient.refresh_from_db()
    assert patient.given_name_en == "Sky" and patient.name_ko == "김하늘"
    assert "sky kim" in patient.name_en_search
    assert patient.rrn_masked == "710304-2******"


@pytest.mark.django_db
def test_join_center_idempotent_and_unknown_rejected():
    patient = patient_create(by=UserFactory(), **BASE)
    patient_join_center(by=UserFactory(), patient=patient, center_code="esophageal")
    patient_join_center(by=UserFactory(), patient=patient, center_code="esophageal")
    assert patient.center_memberships.count() == 1
    with pytest.raises(ValidationFailed):
        patient_join_center(by=UserFactory(), patient=patient, center_code="dental")


@pytest.mark.django_db
def test_death_before_birth_refused_by_database():
    from django.db import IntegrityError

    patient = patient_create(by=UserFactory(), **BASE)
    patient.deceased_on = dt.date(1960, 1, 1)
    with pytest.raises(IntegrityError):
        patient.save()


@given(st.integers(min_value=1_000_000, max_value=9_999_999))
def test_luhn_detects_any_single_digit_change(n):
    body = str(n)
    mrn = body + luhn_digit(body)
    assert mrn_is_valid(mrn)
    for i in range(8):
        for d in "0123456789":
            if d != mrn[i]:
                assert not mrn_is_valid(mrn[:i] + d + mrn[i + 1 :])


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.sampled_from(["male", "female"]),
)
def test_rrn_birth_date_and_sex_roundtrip(born, sex):
    digit = {
        (False, "male"): "1",
        (False, "female"): "2",
        (True, "male"): "3",
        (True, "female"): "4",
    }[(born.year >= 2000, sex)]
    digits = born.strftime("%y%m%d") + digit + "000000"
    assert crypto.rrn_birth_date_and_sex(digits) == (born, sex)


@pytest.mark.django_db
def test_latin_only_and_initials_are_accepted():
    """Hospital-index feeds and foreign patients: no Hangul name, initials with a full stop."""
    patient = patient_create(
        by=UserFactory(),
        **{**BASE, "name_ko": "", "family_name_en": "O'NEIL", "given_name_en": "J. R."},
    )
    assert patient.name_ko == "" and patient.given_name_en == "J. R."
    assert str(patient).startswith("O'NEIL J. R.")
    with pytest.raises(ValidationFailed) as exc:
        patient_create(by=UserFactory(), **{**BASE, "given_name_en": "Min;jun"})
    assert [p.field for p in exc.value.problems] == ["given_name_en"]


@pytest.mark.django_db
def test_external_identifier_is_unique_per_authority():
    from oncocenter.core.errors import Conflict
    from oncocenter.patients.selectors import patient_by_identifier
    from oncocenter.patients.services import patient_identifier_add, patient_identifier_move

    by = UserFactory()
    a = patient_create(by=by, **BASE)
    b = patient_create(by=by, **{**BASE, "name_ko": "이하늘"})
    ident = patient_identifier_add(patient=a, by=by, authority="HOSP", value="123")
    assert patient_identifier_add(patient=a, by=by, authority="HOSP", value="123") == ident
    assert patient_identifier_add(patient=b, by=by, authority="OTHER", value="123").patient == b
    with pytest.raises(Conflict) as exc:
        patient_identifier_add(patient=b, by=by, authority="HOSP", value="123")
    assert exc.value.rule == "identifier_taken"
    with pytest.raises(ValidationFailed):
        patient_identifier_add(patient=b, by=by, authority="", value="9")
    patient_identifier_move(identifier=ident, to=b, by=by)
    assert patient_by_identifier(authority="HOSP", value="123") == b
    assert patient_by_identifier(authority="HOSP", value="404") is None
