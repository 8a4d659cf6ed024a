import pytest

from oncocenter.clinics.models import Admission, Appointment, ClinicSession, WaitlistEntry
from oncocenter.demo.seed import seed_demo
from oncocenter.followup.models import DueItem, FollowUpPlan
from oncocenter.followup.selectors import overdue_count
from oncocenter.nutrition.models import NutritionAlert, NutritionRecord, QoLResponse

pytestmark = pytest.mark.django_db


def test_small_demo_has_an_esophageal_cohort_in_progress():
    created, counts = seed_demo(size="small")
    assert created
    assert FollowUpPlan.objects.filter(template__code__startswith="esophagus").exists()
    assert overdue_count() > 0
    assert DueItem.objects.filter(status="booked", appointment__isnull=False).exists()
    assert (
        NutritionRecord.objects.count() > 100
        and NutritionAlert.objects.filter(status="open").exists()
    )
    assert QoLResponse.objects.exists()
    assert (
        ClinicSession.objects.filter(status="closed").exists() or counts["clinics"]["sessions"] > 0
    )
    assert Appointment.objects.exists() and WaitlistEntry.objects.exists()
    for ward_occupied in Admission.objects.filter(status="admitted").values_list(
        "bed_id", flat=True
    ):
        assert ward_occupied is not None
    assert counts["followup"]["plans"] == FollowUpPlan.objects.count()
