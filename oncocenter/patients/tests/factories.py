from __future__ import annotations

import datetime as dt

import factory

from oncocenter.patients.models import Center, Patient, PatientCenter
from oncocenter.patients.services import _name_search, luhn_digit


def _mrn(n: int) -> str:
    body = f"{2_000_000 + n:07d}"
    return body + luhn_digit(body)


class PatientFactory(factory.django.DjangoModelFactory):
    """A patient without RRN; use patients.services.patient_create to test the registration rules."""

    class Meta:
        model = Patient

    mrn = factory.Sequence(_mrn)
    name_ko = factory.Iterator(["김민준", "이서연", "박지후", "최수아", "정하준"])
    family_name_en = factory.Iterator(["KIM", "LEE", "PARK", "CHOI", "JUNG"])
    given_name_en = factory.Iterator(["Minjun", "Seoyeon", "Jihu", "Sua", "Hajun"])
    name_en_search = factory.LazyAttribute(
        lambda o: _name_search(o.family_name_en, o.given_name_en)
    )
    birth_date = dt.date(1960, 5, 17)
    sex = "male"


class PatientCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientCenter

    patient = factory.SubFactory(PatientFactory)
    center = factory.LazyFunction(lambda: Center.objects.get(code="radonc"))
    since = dt.date(2025, 1, 1)
