import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse

from oncocenter.scheduling.models import Machine, MachineTechnique

pytestmark = pytest.mark.django_db


@pytest.fixture
def linac():
    machine = Machine.objects.create(
        code="LINAC-1", name="TrueBeam", kind="linac", opens_at=dt.time(8), closes_at=dt.time(20)
    )
    MachineTechnique.objects.bulk_create(
        [MachineTechnique(machine=machine, technique=t) for t in ("IMRT", "SRS")]
    )
    return machine


def test_machine_page_and_api_allow(client_as, api_as, linac):
    assert (
        "LINAC-1"
        in client_as("radiation_therapist").get(reverse("scheduling:machines")).content.decode()
    )
    rows = api_as("medical_physicist").get("/api/scheduling/machines").json()
    assert rows[0]["techniques"] == ["IMRT", "SRS"]
    assert linac.can_deliver("SRS") and not linac.can_deliver("HDR")


def test_machine_page_and_api_deny_teacher(client_as, api_as, linac):
    assert (
        client_as("hospital_school_teacher").get(reverse("scheduling:machines")).status_code == 403
    )
    assert api_as("hospital_school_teacher").get("/api/scheduling/machines").status_code == 403


def test_database_refuses_unknown_technique_and_bad_hours(linac):
    with pytest.raises(IntegrityError):
        MachineTechnique.objects.create(machine=linac, technique="PROTON")


def test_database_refuses_closing_before_opening():
    with pytest.raises(IntegrityError):
        Machine.objects.create(
            code="X", name="x", kind="linac", opens_at=dt.time(20), closes_at=dt.time(8)
        )
