"""Every role against every foundation view and endpoint: allowed exactly when the permission
table grants the role the view's permission (and 403 otherwise, never a 500)."""

import pytest
from django.test import Client

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# (kind, path template, permission)
SURFACE = [
    ("ui", "/patients/", "patient.search"),
    ("ui", "/patients/centers/radonc/", "patient.search"),
    ("ui", "/patients/centers/esophageal/", "patient.search"),
    ("ui", "/patients/centers/pediatric/", "patient.search"),
    ("ui", "/patients/new/", "patient.create"),
    ("ui", "/patients/{mrn}/", "patient.view"),
    ("ui", "/patients/{mrn}/edit/", "patient.edit"),
    ("ui", "/audit/", "audit.view"),
    ("ui", "/accounts/staff/", "staff.manage"),
    ("ui", "/accounts/staff/new/", "staff.manage"),
    ("ui", "/accounts/staff/{uid}/", "staff.manage"),
    ("ui", "/scheduling/machines/", "machine.view"),
    ("api", "/api/patients/?q=a", "patient.search"),
    ("api", "/api/patients/{mrn}", "patient.view"),
    ("api", "/api/audit/events", "audit.view"),
    ("api", "/api/scheduling/machines", "machine.view"),
]


@pytest.mark.parametrize("role", Role.values)
def test_every_view_and_endpoint_for_role(role):
    patient = PatientFactory()
    user = UserFactory(roles=[role])
    ui = Client()
    ui.force_login(user)
    from oncocenter.accounts.services import token_issue

    _token, raw = token_issue(user=user, name="matrix")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    failures = []
    for kind, template, perm in SURFACE:
        path = template.format(mrn=patient.mrn, uid=user.pk)
        response = (ui if kind == "ui" else api).get(path)
        expected = 200 if role in roles_with(perm) else 403
        if response.status_code != expected:
            failures.append(f"{path}: {response.status_code} (expected {expected} for {perm})")
    assert not failures, failures


def test_every_ui_view_sends_anonymous_users_to_login():
    patient = PatientFactory()
    staff = UserFactory(roles=["nurse"])
    client = Client()
    for kind, template, _perm in SURFACE:
        path = template.format(mrn=patient.mrn, uid=staff.pk)
        response = client.get(path)
        if kind == "ui":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], path
        else:
            assert response.status_code == 401, path
