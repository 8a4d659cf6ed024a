"""Access generated from the URL conf and the OpenAPI (issue 17).

Every URL pattern and every API operation must declare its access (`oncocenter.core.access`:
a permission of the table, or public / signed-in / portal / FHIR / admin site); a new view or
endpoint without a declaration fails here (and an undeclared endpoint stops the API loading).
Then each one is requested (parameterless, with the fixture patient's MRN, or with an id that
does not exist) and the answer is held to the declaration:

- a permission: a role the table grants it to is let through (anything but 403 and 5xx; a
  missing id gives 404), every other role gets 403, an anonymous visitor the login page (UI)
  or 401 (API);
- signed-in: every role is let through, anonymous visitors go to the login page;
- public: nobody is sent to the login page.

Roles rotate over the surface (each view as one granted and one refused role, every role used);
`ACCESS_ALL_ROLES=1` requests every view as every role (about 12,000 requests).
"""

from __future__ import annotations

import os
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from oncocenter.accounts.services import token_issue
from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.access import (
    ADMIN_SITE,
    FHIR_RESOURCE,
    KINDS,
    PORTAL,
    PREFIXES,
    PUBLIC,
    SIGNED_IN,
    access_of,
)
from oncocenter.core.permissions import PERMISSIONS, roles_with
from oncocenter.core.roles import Role
from oncocenter.patients.tests.factories import PatientFactory

ALL_ROLES = os.environ.get("ACCESS_ALL_ROLES") == "1"
MISSING_ID = 987654


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def ui_surface() -> list[tuple[str, str]]:
    """(route, declared access or '') for every URL pattern outside the API."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/"):
            continue
        prefix = next((p for p in PREFIXES if route.startswith(p)), None)
        access = PREFIXES[prefix] if prefix else access_of(pattern.callback)
        found.append((route, access or ""))
    return found


def api_surface() -> list[tuple[str, str, str]]:
    from config.api import operations

    return [(method, path, access_of(op.view_func) or "") for method, path, op in operations()]


def test_every_url_pattern_declares_its_access():
    undeclared = [route for route, access in ui_surface() if not access]
    unknown = [
        f"{route}: {access}"
        for route, access in ui_surface()
        if access and access not in KINDS and access not in PERMISSIONS
    ]
    assert not undeclared, f"views without a declared access: {undeclared}"
    assert not unknown, f"views declaring an unknown permission: {unknown}"


def test_every_api_operation_declares_its_access_and_is_in_the_openapi():
    from config.api import api

    surface = api_surface()
    undeclared = [f"{m} {p}" for m, p, a in surface if not a]
    unknown = [f"{m} {p}: {a}" for m, p, a in surface if a and a not in KINDS | set(PERMISSIONS)]
    assert not undeclared and not unknown, (undeclared, unknown)
    documented = {
        (method.upper(), path)
        for path, item in api.get_openapi_schema()["paths"].items()
        for method in item
    }
    assert documented == {(m, p) for m, p, _a in surface}


def _fill_route(route: str, mrn: str) -> str | None:
    """A concrete path for a route: the fixture MRN, a missing id, or a plain word."""
    if route.startswith("^") or "(?P<" in route:
        return None  # regex routes (FHIR) are checked on their own below

    def value(match: re.Match) -> str:
        converter, name = (match.group(1) or "str"), match.group(2)
        if name == "mrn":
            return mrn
        if converter == "int":
            return str(MISSING_ID)
        return "x"

    path = re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
    return "/" + path


def _fill_api(path: str, mrn: str, params: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "mrn":
            return mrn
        return str(MISSING_ID) if params.get(name) == "integer" else "x"

    return re.sub(r"\{(\w+)\}", value, path)


def _ui_request(client: Client, path: str):
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path, {})
    return response


def _to_login(response) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


@pytest.fixture
def people(db):
    patient = PatientFactory()
    users = {role: UserFactory(roles=[role]) for role in Role.values}
    return patient, users


def _pairs(access: str, index: int) -> list[tuple[str, bool]]:
    """The (role, allowed) pairs to try for one view."""
    if access == SIGNED_IN:
        granted, refused = set(Role.values), set()
    else:
        granted = set(roles_with(access))
        refused = set(Role.values) - granted
    if ALL_ROLES:
        return [(r, r in granted) for r in Role.values]
    pairs = []
    if granted:
        pairs.append((_pick(granted, index), True))
    if refused:
        pairs.append((_pick(refused, index), False))
    return pairs


def _pick(roles: set[str], index: int) -> str:
    ordered = sorted(roles)
    return ordered[index % len(ordered)]


def test_every_view_answers_each_role_as_declared(people):
    patient, users = people
    clients = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    anonymous = Client()
    failures = []
    tried = 0
    roles_used = set()
    for index, (route, access) in enumerate(ui_surface()):
        if access in (PORTAL, ADMIN_SITE, FHIR_RESOURCE) or route.startswith(tuple(PREFIXES)):
            continue
        path = _fill_route(route, patient.mrn)
        if path is None:
            continue
        if "logout" in path or "sign-out" in path:
            continue  # signing out would end the session the next requests use
        if access == PUBLIC:
            response = _ui_request(anonymous, path)
            tried += 1
            if _to_login(response) or response.status_code >= 500:
                failures.append(f"{path} (public) anonymous: {response.status_code}")
            continue
        response = _ui_request(anonymous, path)
        tried += 1
        if not _to_login(response):
            failures.append(f"{path} ({access}) anonymous: {response.status_code}")
        for role, allowed in _pairs(access, index):
            roles_used.add(role)
            response = _ui_request(clients[role], path)
            tried += 1
            status = response.status_code
            ok = (
                (status != 403 and status < 500 and not _to_login(response))
                if allowed
                else status == 403
            )
            if not ok:
                failures.append(
                    f"{path} ({access}) {role}: {status}, expected {'allow' if allowed else 403}"
                )
    print(f"\nUI: {tried} requests, roles used: {len(roles_used)}")
    assert roles_used == set(Role.values)
    assert not failures, "\n".join(failures)


def test_every_api_operation_answers_each_role_as_declared(people):
    from config.api import api

    patient, users = people
    schema = api.get_openapi_schema()
    tokens = {}
    for role, user in users.items():
        _t, raw = token_issue(user=user, name="access", scopes=["read", "write"])
        tokens[role] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    anonymous = Client()
    failures = []
    tried = 0
    roles_used = set()
    for index, (method, template, access) in enumerate(api_surface()):
        if access == PUBLIC:
            continue
        operation = schema["paths"][template][method.lower()]
        params = {
            p["name"]: p.get("schema", {}).get("type", "string")
            for p in operation.get("parameters", [])
            if p.get("in") == "path"
        }
        path = _fill_api(template, patient.mrn, params)

        def call(client, path=path, method=method):
            if method == "GET":
                return client.get(path)
            return client.generic(method, path, "{}", content_type="application/json")

        response = call(anonymous)
        tried += 1
        if response.status_code != 401:
            failures.append(f"{method} {path} anonymous: {response.status_code}, expected 401")
        for role, allowed in _pairs(access, index):
            roles_used.add(role)
            response = call(tokens[role])
            tried += 1
            status = response.status_code
            ok = (status != 403 and status < 500) if allowed else status == 403
            if not ok:
                failures.append(
                    f"{method} {path} ({access}) {role}: {status}, expected "
                    f"{'allow' if allowed else 403}: {response.content[:160]!r}"
                )
    print(f"\nAPI: {tried} requests, roles used: {len(roles_used)}")
    assert roles_used == set(Role.values)
    assert not failures, "\n".join(failures)


def test_fhir_and_admin_site_answer_each_role_as_declared(people):
    _patient, users = people
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        fhir = client.get("/fhir/Patient?_count=1")
        assert (fhir.status_code == 200) == (role in roles_with("patient.view")), (role, fhir)
        admin = client.get("/admin/", follow=True)
        assert (admin.status_code == 200) == (role in roles_with("admin.view")), (role, admin)
        if role not in roles_with("admin.view"):
            assert admin.status_code == 403
    assert Client().get("/fhir/Patient").status_code == 401
    assert Client().get("/fhir/metadata").status_code == 200
