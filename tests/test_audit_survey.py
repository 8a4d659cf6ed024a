"""Audit survey (issue 17): every page and API read that shows a patient writes an audit event
naming that patient.

Every GET page and GET operation is requested as a role the declaration lets in, with the
fixture patient's MRN where the route takes one (and the search pages searching for it). When
the answer is 200 and either the route is about that patient or the answer shows the patient's
MRN or name, an audit event written during that request must name the patient (its
`patient_mrn`, or the MRN in its object id or detail, as the home panels' events list them).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from oncocenter.accounts.services import token_issue
from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.access import ADMIN_SITE, FHIR_RESOURCE, PORTAL, PREFIXES, PUBLIC, SIGNED_IN
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.patients.tests.factories import PatientFactory
from tests.test_access_generated import _fill_api, _fill_route, api_surface, ui_surface

pytestmark = pytest.mark.django_db

# A role for pages every signed-in user may open.
ANY_STAFF = Role.RADIATION_ONCOLOGIST


def _role_for(access: str) -> str | None:
    if access == SIGNED_IN:
        return ANY_STAFF
    granted = sorted(roles_with(access))
    if not granted:
        return None
    # Prefer a clinical reader: the richest pages.
    for preferred in (Role.RADIATION_ONCOLOGIST, Role.NURSE, Role.ADMINISTRATOR):
        if preferred in granted:
            return preferred
    return granted[0]


def _audited(patient, since: int) -> bool:
    for event in AuditEvent.objects.filter(seq__gt=since):
        if event.patient_mrn == patient.mrn or patient.mrn in event.object_id:
            return True
        if patient.mrn in json.dumps(event.detail, ensure_ascii=False):
            return True
    return False


def _last_seq() -> int:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


def _shows(body: bytes, patient) -> bool:
    text = body.decode("utf-8", "replace")
    return patient.mrn in text or (bool(patient.name_ko) and patient.name_ko in text)


@pytest.fixture
def patient():
    return PatientFactory()


def _survey(requests, patient) -> tuple[int, int, list[str]]:
    shown = 0
    tried = 0
    missing = []
    for label, about_patient, do in requests:
        since = _last_seq()
        response = do()
        tried += 1
        if response.status_code != 200:
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if not (about_patient or _shows(body, patient)):
            continue
        shown += 1
        if not _audited(patient, since):
            missing.append(label)
    return tried, shown, missing


def test_every_page_that_shows_a_patient_is_audited(patient):
    clients: dict[str, Client] = {}

    def client_for(role: str) -> Client:
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(UserFactory(roles=[role]))
        return clients[role]

    requests = []
    routes = ui_surface()
    for route, access in routes:
        if access in (PUBLIC, PORTAL, ADMIN_SITE, FHIR_RESOURCE) or route.startswith(
            tuple(PREFIXES)
        ):
            continue
        path = _fill_route(route, patient.mrn)
        role = _role_for(access)
        if path is None or role is None or "logout" in path:
            continue
        if "<int:" in route:
            continue  # a missing id: nothing is shown
        client = client_for(role)
        requests.append(
            (f"{path} as {role}", "<str:mrn>" in route, lambda c=client, p=path: c.get(p))
        )
    for path in (f"/patients/?q={patient.mrn}", f"/patients/?q={patient.name_ko}"):
        client = client_for(Role.NURSE)
        requests.append((path, False, lambda c=client, p=path: c.get(p)))
    tried, shown, missing = _survey(requests, patient)
    print(f"\nUI survey: {tried} GETs, {shown} showed the patient, {len(missing)} unaudited")
    assert not missing, "pages that show a patient without an audit event:\n" + "\n".join(missing)
    assert shown >= 15


def test_every_api_read_that_shows_a_patient_is_audited(patient):
    from config.api import api

    schema = api.get_openapi_schema()
    clients: dict[str, Client] = {}

    def client_for(role: str) -> Client:
        if role not in clients:
            _t, raw = token_issue(user=UserFactory(roles=[role]), name="survey", scopes=["read"])
            clients[role] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return clients[role]

    requests = []
    for method, template, access in api_surface():
        if method != "GET" or access == PUBLIC:
            continue
        role = _role_for(access)
        if role is None:
            continue
        params = {
            p["name"]: p.get("schema", {}).get("type", "string")
            for p in schema["paths"][template]["get"].get("parameters", [])
            if p.get("in") == "path"
        }
        if any(t == "integer" for t in params.values()):
            continue  # a missing id: nothing is shown
        path = _fill_api(template, patient.mrn, params)
        client = client_for(role)
        requests.append(
            (f"GET {path} as {role}", "{mrn}" in template, lambda c=client, p=path: c.get(p))
        )
    client = client_for(Role.NURSE)
    path = f"/api/patients/?q={patient.mrn}"
    requests.append((path, False, lambda c=client, p=path: c.get(p)))
    tried, shown, missing = _survey(requests, patient)
    print(f"\nAPI survey: {tried} GETs, {shown} showed the patient, {len(missing)} unaudited")
    assert shown >= 20
    assert not missing, "API reads that show a patient without an audit event:\n" + "\n".join(
        missing
    )
