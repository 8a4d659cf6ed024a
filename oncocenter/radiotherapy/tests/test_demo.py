"""The demo seeds courses in every state through the services (so through every interlock)."""

import pytest

from oncocenter.demo.seed import seed_demo
from oncocenter.radiotherapy.models import Course, Delivery, DoseOverride, Plan, Prescription

pytestmark = pytest.mark.django_db


def test_demo_courses_in_every_state_on_six_linacs():
    created, counts = seed_demo(size="small")
    assert created
    rt = counts["radiotherapy"]
    assert {"rx_draft", "plan_draft", "plan_approved", "ready", "active", "active_gap", "active_partial",
            "completed", "completed_checked", "stopped", "reirradiation", "hdr", "entered_in_error"} <= set(rt["states"])
    assert set(Course.objects.values_list("status", flat=True)) == {"planned", "active", "completed", "stopped"}
    assert set(Prescription.objects.values_list("status", flat=True)) >= {"draft", "signed", "completed"}
    linacs = set(Plan.objects.exclude(machine__code="HDR-1").values_list("machine__code", flat=True))
    assert linacs == {f"LINAC-{i}" for i in range(1, 7)}
    assert Course.objects.filter(is_reirradiation=True).count() == 1
    assert DoseOverride.objects.filter(cumulative=True).exists()
    assert Delivery.objects.filter(status="entered-in-error").exists()
    assert Delivery.objects.filter(machine__code="HDR-1").exists()
