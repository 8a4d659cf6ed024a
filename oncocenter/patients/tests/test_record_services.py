import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.oncology.tests.factories import child
from oncocenter.patients.services_record import (
    care_team_add,
    consent_record,
    guardian_add,
)
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_guardian_consent_and_assent_for_a_child():
    kid = PatientFactory(birth_date=TODAY - dt.timedelta(days=9 * 365))
    mother = guardian_add(
        by=UserFactory(),
        patient=kid,
        name_ko="김영희",
        relationship="mother",
        phone="010-1234-5678",
        birth_date=dt.date(1985, 3, 1),
    )
    consent_record(
        by=UserFactory(),
        patient=kid,
        kind="treatment",
        given_by="guardian",
        guardian=mother,
        signed_on=TODAY,
    )
    consent_record(
        by=UserFactory(), patient=kid, kind="treatment", given_by="assent", signed_on=TODAY
    )
    with pytest.raises(ValidationFailed) as exc:
        consent_record(
            by=UserFactory(), patient=kid, kind="treatment", given_by="patient", signed_on=TODAY
        )
    assert exc.value.problems[0].field == "given_by"
    with pytest.raises(ValidationFailed) as exc:
        consent_record(
            by=UserFactory(), patient=kid, kind="research", given_by="guardian", signed_on=TODAY
        )
    assert exc.value.problems[0].field == "guardian"


def test_adult_consents_personally_and_toddler_gives_no_assent():
    adult = PatientFactory()
    consent_record(
        by=UserFactory(), patient=adult, kind="treatment", given_by="patient", signed_on=TODAY
    )
    with pytest.raises(ValidationFailed):
        consent_record(
            by=UserFactory(), patient=adult, kind="treatment", given_by="assent", signed_on=TODAY
        )
    with pytest.raises(ValidationFailed):
        consent_record(
            by=UserFactory(), patient=child(), kind="treatment", given_by="assent", signed_on=TODAY
        )


def test_guardian_bad_input():
    with pytest.raises(ValidationFailed) as exc:
        guardian_add(
            by=UserFactory(), patient=child(), name_ko="Kim", relationship="uncle", phone="12"
        )
    assert {p.field for p in exc.value.problems} == {
        "name_ko",
        "relationship",
        "phone",
        "birth_date",
    }


def test_care_team_role_must_be_held():
    doctor = UserFactory(roles=["pediatric_oncologist"])
    patient = child()
    care_team_add(
        by=UserFactory(),
        patient=patient,
        user=doctor,
        role="pediatric_oncologist",
        center_code="pediatric",
        is_lead=True,
    )
    with pytest.raises(Conflict):
        care_team_add(by=UserFactory(), patient=patient, user=doctor, role="pediatric_oncologist")
    with pytest.raises(ValidationFailed) as exc:
        care_team_add(
            by=UserFactory(), patient=patient, user=doctor, role="surgeon", center_code="mars"
        )
    assert {p.field for p in exc.value.problems} == {"role", "center"}


def test_record_gaps_for_minors():
    from oncocenter.patients.selectors_record import record_gaps

    kid = PatientFactory(birth_date=TODAY - dt.timedelta(days=9 * 365))
    assert record_gaps(patient=kid) == ["guardian", "treatment_consent", "assent"]
    mother = guardian_add(
        by=UserFactory(),
        patient=kid,
        name_ko="김영희",
        relationship="mother",
        birth_date=dt.date(1985, 3, 1),
    )
    consent_record(
        by=UserFactory(),
        patient=kid,
        kind="treatment",
        given_by="guardian",
        guardian=mother,
        signed_on=TODAY,
    )
    assert record_gaps(patient=kid) == ["assent"]
    consent_record(
        by=UserFactory(), patient=kid, kind="treatment", given_by="assent", signed_on=TODAY
    )
    assert record_gaps(patient=kid) == []
    assert record_gaps(patient=child()) == ["guardian", "treatment_consent"]
    assert record_gaps(patient=PatientFactory()) == []


@pytest.mark.django_db
def test_guardian_minor_or_undated_cannot_be_legal_representative():
    from oncocenter.patients.models_record import Guardian

    kid = child()
    minor = timezone.localdate().replace(year=timezone.localdate().year - 17)
    with pytest.raises(ValidationFailed) as exc:
        guardian_add(
            by=UserFactory(),
            patient=kid,
            name_ko="김영희",
            relationship="sibling",
            birth_date=minor,
        )
    assert exc.value.problems[0].field == "birth_date" and "adult" in exc.value.problems[0].message
    with pytest.raises(ValidationFailed) as exc:
        guardian_add(by=UserFactory(), patient=kid, name_ko="김영희", relationship="mother")
    assert exc.value.problems[0].field == "birth_date"
    assert Guardian.objects.count() == 0
    # A minor sibling may be recorded as a contact, not as a legal representative.
    guardian_add(
        by=UserFactory(),
        patient=kid,
        name_ko="김영희",
        relationship="sibling",
        birth_date=minor,
        is_legal_representative=False,
    )
    assert Guardian.objects.count() == 1
