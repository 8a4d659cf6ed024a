"""Admin: machines are reference data (audited edits, service state read-only); downtime,
radiotherapy records and bookings are viewable only; the permission table decides."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.machines.models import Machine, MachineDowntime
from oncocenter.machines.tests.factories import machine
from oncocenter.radiotherapy.models import ConstraintSet, Course, Delivery, Signature
from oncocenter.scheduling.models import Booking

pytestmark = pytest.mark.django_db


def _request(role: str):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(roles=[role], is_staff=role == "administrator")
    return request


@pytest.mark.parametrize(
    "model", [MachineDowntime, Course, Delivery, Signature, Booking], ids=lambda m: m.__name__
)
def test_records_are_viewable_and_never_changed_in_the_admin(model):
    model_admin = admin.site._registry[model]
    request = _request("administrator")
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_view_permission(_request("medical_physicist"))


@pytest.mark.parametrize("model", [Machine, ConstraintSet], ids=lambda m: m.__name__)
def test_reference_data_is_edited_by_reference_edit_only(model):
    model_admin = admin.site._registry[model]
    assert model_admin.has_change_permission(_request("administrator"))
    assert not model_admin.has_delete_permission(_request("administrator"))
    assert not model_admin.has_change_permission(_request("medical_physicist"))


def test_machine_admin_edits_are_audited_and_leave_service_state_to_the_service(client):
    linac = machine("LINAC-A1", ("3D",))
    admin_user = UserFactory(roles=["administrator"], is_staff=True)
    client.force_login(admin_user)
    url = f"/admin/machines/machine/{linac.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="in_service"' not in page.content.decode()  # read-only here
    form = {
        "code": "LINAC-A1",
        "name": "Renamed",
        "kind": "linac",
        "model": "",
        "room": "",
        "opens_at": "08:00",
        "closes_at": "20:00",
        "commissioned_on": "",
        "in_service": "",  # ignored: the field is read-only
        "techniques-TOTAL_FORMS": "1",
        "techniques-INITIAL_FORMS": "1",
        "techniques-MIN_NUM_FORMS": "0",
        "techniques-MAX_NUM_FORMS": "1000",
        "techniques-0-id": str(linac.techniques.get().pk),
        "techniques-0-machine": str(linac.pk),
        "techniques-0-technique": "3D",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    linac.refresh_from_db()
    assert linac.name == "Renamed" and linac.in_service
    assert AuditEvent.objects.filter(
        action="update", object_type="machines.machine", object_id=str(linac.pk)
    ).exists()
