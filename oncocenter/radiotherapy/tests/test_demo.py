"""The demo seeds courses in every state through the services (so through every interlock)."""

import datetime as dt
import random

import pytest
from django.utils import timezone
from faker import Faker

from oncocenter.demo import seed as demo_seed
from oncocenter.oncology.demo import seed as oncology_seed
from oncocenter.oncology.models import Diagnosis
from oncocenter.radiotherapy.demo import seed
from oncocenter.radiotherapy.models import Course, Delivery, DoseOverride, Plan, Prescription

pytestmark = pytest.mark.django_db


def test_demo_courses_in_every_state_on_six_linacs():
    # Only the foundation's staff, machines and patients, the diagnoses, then this app's seeder.
    ctx = demo_seed.DemoContext(
        size="small",
        rng=random.Random(7),
        faker=Faker("ko_KR"),
        today=timezone.localdate() - dt.timedelta(days=1),
    )
    demo_seed._staff(ctx)
    demo_seed._machines(ctx)
    demo_seed._patients(ctx)
    oncology_seed(ctx)  # the diagnoses the course picker matches sites against
    seed(ctx)
    rt = ctx.counts["radiotherapy"]
    assert {
        "rx_draft",
        "plan_draft",
        "plan_approved",
        "ready",
        "active",
        "active_gap",
        "active_partial",
        "completed",
        "completed_checked",
        "stopped",
        "reirradiation",
        "hdr",
        "entered_in_error",
    } <= set(rt["states"])
    assert set(Course.objects.values_list("status", flat=True)) == {
        "planned",
        "active",
        "completed",
        "stopped",
    }
    assert set(Prescription.objects.values_list("status", flat=True)) >= {
        "draft",
        "signed",
        "completed",
    }
    linacs = set(
        Plan.objects.exclude(machine__code="HDR-1").values_list("machine__code", flat=True)
    )
    assert linacs == {f"LINAC-{i}" for i in range(1, 7)}
    (reirr,) = Course.objects.filter(is_reirradiation=True)
    # both head-and-neck courses go to a patient with an oropharynx diagnosis on file
    assert Diagnosis.objects.filter(patient=reirr.patient, icd10_code__startswith="C10").exists()
    assert DoseOverride.objects.filter(cumulative=True).exists()
    assert Delivery.objects.filter(status="entered-in-error").exists()
    assert Delivery.objects.filter(machine__code="HDR-1").exists()
