"""Passkey endpoints: a ceremony needs its challenge from the session and a real browser answer;
garbage is a 422 naming `credential` (never a 500), unknown passkeys count against the address
and end in 429, registration needs a portal sign-in. The full register-then-sign-in ceremony
runs in Chromium with a virtual authenticator (tests/browser/test_portal_passkey.py)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from oncocenter.audit.models import AuditEvent
from oncocenter.portal.models import PasskeyCredential
from oncocenter.portal.tests.factories import adult_with_account

pytestmark = pytest.mark.django_db

FAKE = json.dumps(
    {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA"},
    }
)


def _post(client, url, body="{}"):
    return client.post(url, body, content_type="application/json")


def test_sign_in_options_give_a_challenge_for_this_host():
    client = Client()
    r = _post(client, "/portal/passkeys/sign-in/options/")
    assert r.status_code == 200
    options = r.json()
    assert options["rpId"] == "testserver" and len(options["challenge"]) >= 32
    assert client.get("/portal/passkeys/sign-in/options/").status_code == 405


def test_sign_in_without_challenge_or_with_garbage_is_422():
    client = Client()
    r = _post(client, "/portal/passkeys/sign-in/", FAKE)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credential"
    _post(client, "/portal/passkeys/sign-in/options/")
    r = _post(client, "/portal/passkeys/sign-in/", "not json")
    assert r.status_code == 422
    _post(client, "/portal/passkeys/sign-in/options/")
    r = _post(client, "/portal/passkeys/sign-in/", json.dumps({"rawId": 5}))
    assert r.status_code == 422
    assert "portal_account" not in client.session


def test_unknown_passkeys_are_throttled_and_audited():
    client = Client()
    codes = []
    for _i in range(7):
        _post(client, "/portal/passkeys/sign-in/options/")
        codes.append(_post(client, "/portal/passkeys/sign-in/", FAKE).status_code)
    assert codes[:5] == [422] * 5 and codes[5:] == [429, 429]
    assert (
        AuditEvent.objects.filter(object_type="portal.passkey", action="login_failed").count() == 5
    )


def test_registration_needs_a_portal_sign_in(portal_client, client_as):
    adult_with_account("pk1")
    anonymous = Client()
    assert _post(anonymous, "/portal/passkeys/register/options/").status_code == 302
    assert _post(anonymous, "/portal/passkeys/register/", FAKE).status_code == 302
    staff = client_as("nurse")  # a staff sign-in is not a portal sign-in
    assert _post(staff, "/portal/passkeys/register/options/").status_code == 302
    client = portal_client("pk1")
    r = _post(client, "/portal/passkeys/register/options/")
    assert r.status_code == 200
    options = r.json()
    assert options["rp"]["id"] == "testserver" and options["user"]["name"] == "pk1"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    bad = _post(client, "/portal/passkeys/register/", FAKE)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "credential"
    # The challenge was used up by the failed attempt: a replay has none.
    again = _post(client, "/portal/passkeys/register/", FAKE)
    assert again.status_code == 422
    assert not PasskeyCredential.objects.exists()
    settings_page = client.get("/portal/settings/").content.decode()
    assert 'data-passkey="register"' in settings_page and "onclick" not in settings_page
