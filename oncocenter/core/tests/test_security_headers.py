"""Headers on every page: a strict Content-Security-Policy (and templates that need nothing
inline), Permissions-Policy, and no-store on what signed-in users and API clients receive."""

import re
from pathlib import Path

import pytest
from django.test import Client

from oncocenter.accounts.services import token_issue
from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.patients.tests.factories import PatientFactory

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_patient_page_headers(client_as):
    patient = PatientFactory()
    response = client_as("nurse").get(f"/patients/{patient.mrn}/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_api_answers_are_not_stored():
    _t, raw = token_issue(user=UserFactory(roles=["nurse"]), name="x")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/patients/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_sign_in_page_has_csp_and_may_be_cached_only_when_anonymous(client):
    response = client.get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response.get("Cache-Control", "") != "no-store"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script> block"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on*= event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"<style\b", re.I), "an inline <style> block"),
]


def test_no_template_needs_unsafe_inline():
    """The CSP forbids inline scripts, handlers and style attributes: no template may use them
    (behaviour goes in static JS with data- attributes, looks in CSS classes)."""
    found = []
    templates = sorted((ROOT / "oncocenter").rglob("templates/**/*.html"))
    assert len(templates) > 50
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_htmx_is_configured_for_csp():
    base = (ROOT / "oncocenter/core/templates/core/base.html").read_text()
    assert '"includeIndicatorStyles":false' in base and '"allowEval":false' in base
