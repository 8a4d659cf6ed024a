"""The demo seeds chemotherapy and labs in both centers, through the services."""

import pytest

from oncocenter.demo.seed import seed_demo
from oncocenter.labs.models import LabResult
from oncocenter.systemic.models import Administration, DayRelease, TherapyOrder

pytestmark = pytest.mark.django_db(transaction=False)


def test_demo_counts():
    created, counts = seed_demo(size="small")
    assert created
    s, labs = counts["systemic"], counts["labs"]
    assert (
        s["orders"] >= 15
        and s["administrations"] > 50
        and s["held"] >= 1
        and s["awaiting_verification"] == 2
    )
    assert "refused" not in s
    assert set(TherapyOrder.objects.values_list("regimen__center", flat=True)) == {
        "esophageal",
        "pediatric",
    }
    assert TherapyOrder.objects.filter(rt_course__isnull=False).exists()
    assert DayRelease.objects.filter(decision="held").exists()
    assert Administration.objects.count() == s["administrations"]
    assert (
        labs["critical"] >= 3
        and LabResult.objects.filter(critical=True, acknowledgement__isnull=True).exists()
    )
