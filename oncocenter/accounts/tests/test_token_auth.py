"""API authentication as machines and browsers meet it: a bearer token needs no CSRF token, a
session cookie does; scopes, idle expiry and audited use. Checked with CSRF enforced and over
real HTTP against a live server."""

import datetime as dt
import json
import urllib.error
import urllib.request

import pytest
from django.test import Client
from django.utils import timezone

from oncocenter.accounts.models import ApiToken
from oncocenter.accounts.services import token_issue
from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import ValidationFailed

PATIENT = {
    "name_ko": "김하늘",
    "family_name_en": "Kim",
    "given_name_en": "Haneul",
    "birth_date": "1980-03-04",
    "sex": "female",
}


def _patient(**extra):
    return json.dumps({**PATIENT, **extra})


@pytest.mark.django_db
def test_bearer_write_needs_no_csrf_token():
    user = UserFactory(roles=["nurse"])
    _token, raw = token_issue(user=user, name="lab feed")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/patients/",
        _patient(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_session_write_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=["nurse"]))
    response = client.post("/api/patients/", _patient(), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.django_db
def test_session_write_with_csrf_token_is_accepted():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=["nurse"]))
    client.get("/accounts/me/")  # sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/patients/", _patient(), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_invalid_bearer_with_no_cookie_is_401_not_a_csrf_error():
    response = Client(enforce_csrf_checks=True).post(
        "/api/patients/",
        _patient(),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer oc_x",
    )
    assert response.status_code == 401


@pytest.mark.django_db
def test_read_scope_cannot_write_and_names_the_scope():
    user = UserFactory(roles=["nurse"])
    _token, raw = token_issue(user=user, name="reader", scopes=["read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/patients/").status_code == 200
    response = client.post("/api/patients/", _patient(), content_type="application/json")
    assert response.status_code == 403
    assert "do not allow writing in 'patients'" in response.json()["detail"]


@pytest.mark.django_db
def test_area_scopes():
    user = UserFactory(roles=["nurse"])
    _token, raw = token_issue(user=user, name="area", scopes=["write:patients"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/patients/").status_code == 200
    assert (
        client.post("/api/patients/", _patient(), content_type="application/json").status_code
        == 201
    )
    assert client.get("/api/radiotherapy/courses").status_code == 403
    assert client.get("/api/auth/me").status_code == 200


@pytest.mark.django_db
def test_scopes_are_validated():
    with pytest.raises(ValidationFailed) as exc:
        token_issue(user=UserFactory(roles=["nurse"]), name="x", scopes=["admin"])
    assert exc.value.problems[0].field == "scopes"
    with pytest.raises(ValidationFailed):
        token_issue(user=UserFactory(roles=["nurse"]), name="x", scopes=[])


@pytest.mark.django_db
def test_token_endpoint_defaults_to_read_only():
    user = UserFactory(roles=["nurse"])
    response = Client(enforce_csrf_checks=True).post(
        "/api/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["scopes"] == ["read"]


@pytest.mark.django_db
def test_idle_token_lapses(settings):
    settings.API_TOKEN_IDLE_DAYS = 14
    user = UserFactory(roles=["nurse"])
    token, raw = token_issue(user=user, name="idle")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/auth/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - dt.timedelta(days=15))
    assert client.get("/api/auth/me").status_code == 401


@pytest.mark.django_db
def test_token_use_is_audited_and_events_name_the_token():
    user = UserFactory(roles=["nurse"])
    token, raw = token_issue(user=user, name="feed")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post("/api/patients/", _patient(), content_type="application/json")
    assert response.status_code == 201
    used = AuditEvent.objects.filter(action="token", detail__used=token.prefix)
    assert used.count() == 1 and used.get().detail["method"] == "POST"
    created = AuditEvent.objects.get(action="create", object_type="patients.patient")
    assert created.detail["via_token"] == token.prefix and created.actor_username == user.username
    # Within the minute, a second use updates nothing and adds no "used" event.
    client.get("/api/auth/me")
    assert used.count() == 1


def _http(url, *, method="GET", body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.mark.django_db(transaction=True)
def test_over_real_http_token_writes_and_session_needs_csrf(live_server):
    user = UserFactory(roles=["nurse"])
    base = live_server.url
    json_headers = {"Content-Type": "application/json"}
    # A machine: a token from the API, then a write with it, no cookie, no CSRF token.
    status, _h, body = _http(
        f"{base}/api/auth/token",
        method="POST",
        body=json.dumps(
            {"username": user.username, "password": PASSWORD, "scopes": ["read", "write"]}
        ).encode(),
        headers=json_headers,
    )
    assert status == 201, body
    raw = json.loads(body)["token"]
    status, _h, body = _http(
        f"{base}/api/patients/",
        method="POST",
        body=_patient().encode(),
        headers={**json_headers, "Authorization": f"Bearer {raw}"},
    )
    assert status == 201, body
    # A browser: the sign-in form, then the API with the session cookie.
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(f"{base}/accounts/login/", timeout=30) as response:
        response.read()
    jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    csrf = next(c.value for c in jar.cookiejar if c.name == "csrftoken")
    form = f"username={user.username}&password={PASSWORD}&csrfmiddlewaretoken={csrf}".encode()
    with opener.open(
        urllib.request.Request(
            f"{base}/accounts/login/",
            data=form,
            headers={"Referer": f"{base}/accounts/login/"},
        ),
        timeout=30,
    ) as response:
        response.read()
    assert any(c.name == "sessionid" for c in jar.cookiejar)
    csrf = next(c.value for c in jar.cookiejar if c.name == "csrftoken")
    try:
        opener.open(
            urllib.request.Request(
                f"{base}/api/patients/",
                data=_patient(family_name_en="Lee").encode(),
                headers=json_headers,
                method="POST",
            ),
            timeout=30,
        )
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 403
    with opener.open(
        urllib.request.Request(
            f"{base}/api/patients/",
            data=_patient(family_name_en="Park").encode(),
            headers={**json_headers, "X-CSRFToken": csrf, "Referer": f"{base}/"},
            method="POST",
        ),
        timeout=30,
    ) as response:
        assert response.status == 201
