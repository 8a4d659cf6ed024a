"""The NHIS co-payment registration (moved from `patients` to `oncology` in issue 14)."""

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.errors import ValidationFailed
from oncocenter.oncology.models import CopayRegistration, copay_expiry
from oncocenter.oncology.selectors import copay_expiring
from oncocenter.oncology.services import copay_register
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2024, 3, 15), dt.date(2029, 3, 14)),
        (dt.date(2024, 2, 29), dt.date(2029, 2, 28)),
        (dt.date(2025, 1, 1), dt.date(2029, 12, 31)),
    ],
)
def test_copay_expiry(start, end):
    assert copay_expiry(start) == end


def test_copay_reminder_list():
    soon = PatientFactory()
    copay_register(
        by=UserFactory(), patient=soon, registered_on=TODAY - dt.timedelta(days=5 * 365 - 30)
    )
    renewed = PatientFactory()
    copay_register(
        by=UserFactory(), patient=renewed, registered_on=TODAY - dt.timedelta(days=5 * 365 - 30)
    )
    copay_register(by=UserFactory(), patient=renewed, registered_on=TODAY)
    copay_register(
        by=UserFactory(), patient=PatientFactory(), registered_on=TODAY - dt.timedelta(days=365)
    )
    assert [r.patient for r in copay_expiring()] == [soon]
    with pytest.raises(ValidationFailed) as exc:
        copay_register(by=UserFactory(), patient=soon, registered_on=TODAY + dt.timedelta(days=1))
    assert exc.value.problems[0].field == "registered_on"
    assert CopayRegistration.objects.count() == 4


def test_copay_reminders(api_as):
    soon = PatientFactory()
    copay_register(
        by=UserFactory(), patient=soon, registered_on=TODAY - dt.timedelta(days=5 * 365 - 20)
    )
    assert api_as("pediatric_oncologist").get("/api/patients/copay/expiring").status_code == 403
    rows = api_as("scheduler").get("/api/patients/copay/expiring").json()
    assert [r["mrn"] for r in rows] == [soon.mrn]
    assert api_as("scheduler").get("/api/patients/copay/expiring?days=0").status_code == 422
