import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.referrals import selectors, services
from oncocenter.referrals.models import Referral

pytestmark = pytest.mark.django_db


def make(**kwargs):
    values = {
        "patient": PatientFactory(),
        "from_department": "pediatric_oncology",
        "to_department": "pediatric_neurosurgery",
        "reason": "Resectability?",
    }
    values.update(kwargs)
    return services.referral_create(by=UserFactory(), **values)


def test_full_flow_and_turnaround():
    r = make(requested_at=timezone.now() - dt.timedelta(hours=30))
    r = services.referral_advance(by=UserFactory(), referral=r, status="accepted")
    r = services.referral_advance(
        by=UserFactory(), referral=r, status="scheduled", scheduled_for=timezone.now()
    )
    r = services.referral_advance(
        by=UserFactory(), referral=r, status="completed", note="Resectable after chemo"
    )
    assert r.response_note and 29 < r.turnaround_hours < 31
    stats = selectors.turnaround_by_department()
    assert stats["pediatric_neurosurgery"].count == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"to_department": "pediatric_oncology"}, "to_department"),
        ({"to_department": "moon"}, "to_department"),
        ({"urgency": "asap"}, "urgency"),
        ({"reason": "  "}, "reason"),
        ({"requested_at": timezone.now() + dt.timedelta(days=1)}, "requested_at"),
    ],
)
def test_bad_referrals_rejected(kwargs, field):
    with pytest.raises(ValidationFailed) as exc:
        make(**kwargs)
    assert field in [p.field for p in exc.value.problems]
    assert Referral.objects.count() == 0


def test_decline_needs_reason_and_final_states_stay_final():
    r = make()
    with pytest.raises(ValidationFailed) as exc:
        services.referral_advance(by=UserFactory(), referral=r, status="declined")
    assert exc.value.problems[0].field == "reason"
    r = services.referral_advance(
        by=UserFactory(), referral=r, status="declined", reason="Not a surgical candidate"
    )
    with pytest.raises(Conflict):
        services.referral_advance(by=UserFactory(), referral=r, status="accepted")
    with pytest.raises(ValidationFailed):
        services.referral_advance(by=UserFactory(), referral=make(), status="scheduled")


def test_worklist_orders_emergencies_first():
    routine = make(to_department="social_work", from_department="nursing")
    urgent = make(to_department="social_work", from_department="nursing", urgency="emergency")
    make(to_department="nutrition", from_department="nursing")
    assert [r.pk for r in selectors.worklist(department="social_work")] == [urgent.pk, routine.pk]
