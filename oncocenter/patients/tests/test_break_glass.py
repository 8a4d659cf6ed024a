"""Issue 17: break the glass — reason required, time-limited, read-only, audited, reported."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import NotPermitted, ValidationFailed
from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.patients.models import BreakGlassAccess
from oncocenter.patients.services_breakglass import break_glass_open

pytestmark = pytest.mark.django_db
REASON = "Family asks about relapse; treating physician unreachable"


def test_social_worker_breaks_the_glass_onto_one_patient(client_as):
    d = DiagnosisFactory()
    other = DiagnosisFactory()
    sw = client_as("social_worker")
    url = f"/oncology/patients/{d.patient.mrn}/"
    denied = sw.get(url)
    assert denied.status_code == 403
    assert f"/patients/{d.patient.mrn}/break-glass/?next=" in denied.content.decode()
    # No reason, too short: refused, nothing opened.
    assert (
        sw.post(f"/patients/{d.patient.mrn}/break-glass/?next={url}", {"reason": ""}).status_code
        == 422
    )
    assert (
        sw.post(f"/patients/{d.patient.mrn}/break-glass/", {"reason": "x" * 501}).status_code == 422
    )
    assert not BreakGlassAccess.objects.exists()
    r = sw.post(f"/patients/{d.patient.mrn}/break-glass/?next={url}", {"reason": REASON})
    assert r.status_code == 302 and r["Location"] == url
    grant = BreakGlassAccess.objects.get()
    assert grant.reason == REASON and grant.user == sw.user
    assert dt.timedelta(minutes=59) < grant.expires_at - grant.opened_at <= dt.timedelta(minutes=60)
    opened = AuditEvent.objects.get(object_type="patients.breakglassaccess", action="create")
    assert opened.detail["reason"] == REASON and opened.patient_mrn == d.patient.mrn
    # Reads this patient's pages now, each use audited.
    assert sw.get(url).status_code == 200
    assert sw.get(f"/oncology/patients/{d.patient.mrn}/chart/").status_code == 200
    uses = AuditEvent.objects.filter(object_type="patients.breakglassaccess", action="read")
    assert uses.count() == 2 and {e.detail["permission"] for e in uses} == {"oncology.view"}
    # Only that patient, only reading.
    assert sw.get(f"/oncology/patients/{other.patient.mrn}/").status_code == 403
    assert sw.post(url, {"form": "diagnosis"}).status_code == 403


def test_grant_expires(client_as):
    d = DiagnosisFactory()
    sw = client_as("social_worker")
    grant = break_glass_open(patient=d.patient, by=sw.user, reason=REASON)
    assert sw.get(f"/oncology/patients/{d.patient.mrn}/").status_code == 200
    BreakGlassAccess.objects.filter(pk=grant.pk).update(
        opened_at=timezone.now() - dt.timedelta(hours=2),
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert sw.get(f"/oncology/patients/{d.patient.mrn}/").status_code == 403


def test_teacher_may_not_break_the_glass_and_the_database_needs_a_reason(client_as):
    d = DiagnosisFactory()
    teacher = client_as("hospital_school_teacher")
    assert teacher.get(f"/patients/{d.patient.mrn}/break-glass/").status_code == 403
    with pytest.raises(NotPermitted):
        break_glass_open(patient=d.patient, by=teacher.user, reason=REASON)
    with pytest.raises(ValidationFailed):
        break_glass_open(patient=d.patient, by=client_as("nurse").user, reason="   short  ")
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        BreakGlassAccess.objects.create(
            user=teacher.user,
            patient=d.patient,
            reason="why",
            opened_at=now,
            expires_at=now + dt.timedelta(minutes=5),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        BreakGlassAccess.objects.create(
            user=teacher.user,
            patient=d.patient,
            reason=REASON,
            opened_at=now,
            expires_at=now,
        )


def test_report_for_the_privacy_officer(client_as):
    d = DiagnosisFactory()
    nurse = client_as("nurse")
    break_glass_open(patient=d.patient, by=nurse.user, reason=REASON)
    for role in ("nurse", "social_worker", "hospital_school_teacher"):
        assert client_as(role).get("/patients/break-glass/").status_code == 403, role
    page = client_as("administrator").get("/patients/break-glass/")
    assert page.status_code == 200
    html = page.content.decode()
    assert REASON in html and d.patient.mrn in html and nurse.user.username in html
    event = AuditEvent.objects.filter(detail__view="break-glass report").get()
    assert event.detail["mrns"] == [d.patient.mrn]


def test_report_query_count_does_not_grow(client_as, django_assert_max_num_queries):
    admin = client_as("administrator")
    nurse = client_as("nurse").user
    break_glass_open(patient=DiagnosisFactory().patient, by=nurse, reason=REASON)
    with django_assert_max_num_queries(30) as small:
        admin.get("/patients/break-glass/")
    for _ in range(9):
        break_glass_open(patient=DiagnosisFactory().patient, by=nurse, reason=REASON)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin.get("/patients/break-glass/")
