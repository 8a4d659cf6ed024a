"""Staff UI: allow/deny per view, the course page steps through forms (htmx and plain), errors shown
beside the form with nothing saved, worklists on the home page, printable summary and PDF."""

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.jobs.models import Job
from oncocenter.jobs.services import job_execute
from oncocenter.radiotherapy.models import Course, Delivery, Prescription
from oncocenter.radiotherapy.tests.factories import all_pass, make_world, past, signed_days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def as_user(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def act(client, course, action, data, htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("radiotherapy:action", args=[course.pk, action]), data, **headers)


def test_views_allow_clinical_roles_and_deny_others(w, client_as):
    w.ready()
    urls = [
        reverse("radiotherapy:index"),
        reverse("radiotherapy:patient", args=[w.patient.mrn]),
        reverse("radiotherapy:course", args=[w.course.pk]),
        reverse("radiotherapy:summary", args=[w.course.pk]),
    ]
    for url in urls:
        assert client_as("nurse").get(url).status_code == 200, url
        denied = client_as("hospital_school_teacher").get(url)
        assert denied.status_code == 403 and "rt." in denied.content.decode(), url
        assert Client().get(url).status_code == 302  # anonymous -> sign in


def test_course_page_shows_readiness_and_audits_read(w):
    w.ready()
    body = (
        as_user(w.therapist)
        .get(reverse("radiotherapy:course", args=[w.course.pk]))
        .content.decode()
    )
    assert "Independent physics check passed" in body and w.plan.label in body
    assert AuditEvent.objects.filter(action="read", object_type="radiotherapy.course").exists()


def test_open_course_from_patient_page(w):
    r = as_user(w.ro).post(
        reverse("radiotherapy:patient", args=[w.patient.mrn]),
        {"label": "Left breast", "intent": "curative", "physician": w.ro.username},
    )
    course = Course.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(
        "radiotherapy:course", args=[course.pk]
    )
    r = as_user(w.therapist).post(
        reverse("radiotherapy:patient", args=[w.patient.mrn]),
        {"label": "X", "intent": "curative", "physician": w.ro.username},
    )
    assert r.status_code == 403 and Course.objects.count() == 1


def test_prescription_form_error_shown_beside_form_and_nothing_saved(w):
    w.make_course()
    r = act(
        as_user(w.ro),
        w.course,
        "rx-create",
        {
            "site": "Lung",
            "technique": "3D",
            "dose_per_fraction_gy": "2",
            "number_of_fractions": "99",
            "pattern": "daily",
            "intent": "curative",
        },
        htmx=True,
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "number_of_fractions" in body and "between 1 and 60" in body
    assert 'value="Lung"' in body  # what was typed is kept
    assert not Prescription.objects.exists()


def test_steps_through_the_ui_to_first_delivery(w):
    w.make_course()
    ro, dosi, phys, sched, rtt = (
        as_user(u) for u in (w.ro, w.dosimetrist, w.physicist, w.scheduler, w.therapist)
    )
    today = timezone.localdate()
    # Signed yesterday, so that a treatment now comes after the approvals.
    with signed_days_ago(1):
        assert (
            act(
                ro,
                w.course,
                "rx-create",
                {
                    "site": "Larynx",
                    "technique": "3D",
                    "dose_per_fraction_gy": "2",
                    "number_of_fractions": "5",
                    "pattern": "daily",
                    "intent": "curative",
                    "icd10_code": "C32.0",
                    "no_diagnosis_reason": "diagnosis recorded at the referring hospital",
                },
            ).status_code
            == 302
        )
        rx = Prescription.objects.get()
        assert rx.gap_sensitive_site == "head-neck"
        r = act(ro, w.course, "rx-sign", {"target": rx.pk}, htmx=True)
        assert r.status_code == 200 and "Prescription signed." in r.content.decode()
        assert (
            act(
                dosi,
                w.course,
                "plan-create",
                {
                    "target": rx.pk,
                    "label": "LX1",
                    "machine": w.linac.code,
                    "fractions_planned": "5",
                    "dose_per_fraction_gy": "2",
                    "meterset_per_fraction": "220",
                },
            ).status_code
            == 302
        )
        plan = rx.plans.get()
        assert act(ro, w.course, "plan-approve", {"target": plan.pk}).status_code == 302
        data = {"target": plan.pk, **{f"item-{k}": v for k, v in all_pass().items()}}
        assert act(phys, w.course, "physics-check", data).status_code == 302
        assert (
            act(
                sched,
                w.course,
                "schedule",
                {"target": plan.pk, "start_date": today.isoformat()},
            ).status_code
            == 302
        )
    f = rx.fractions.order_by("sequence").first()
    beam_on = (timezone.localtime() - dt.timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M")
    override = "" if f.scheduled_date == today else "the test runs on a closed day"
    # one identifier only: refused, message beside the form, nothing saved
    r = act(
        rtt,
        w.course,
        "deliver",
        {
            "target": f.pk,
            "id_mrn": w.patient.mrn,
            "machine": w.linac.code,
            "delivered_at": beam_on,
        },
        htmx=True,
    )
    assert r.status_code == 422 and "two patient identifiers" in r.content.decode()
    assert not Delivery.objects.exists()
    r = act(
        rtt,
        w.course,
        "deliver",
        {
            "target": f.pk,
            "id_mrn": w.patient.mrn,
            "id_birth_date": w.patient.birth_date.isoformat(),
            "machine": w.linac.code,
            "delivered_at": beam_on,
            "override_reason": override,
        },
        htmx=True,
    )
    assert r.status_code == 200, r.content.decode()[:2000]
    assert Delivery.objects.count() == 1
    rx.refresh_from_db()
    assert rx.fractions_delivered == 1


def test_action_denied_for_wrong_role(w):
    w.make_rx()
    r = act(as_user(w.dosimetrist), w.course, "rx-sign", {"target": w.rx.pk})
    assert r.status_code == 403 and "rt.prescription.sign" in r.content.decode()


def test_interlock_conflict_shown_in_page(w):
    w.make_rx()
    w.make_plan()
    r = act(as_user(w.ro), w.course, "plan-approve", {"target": w.plan.pk}, htmx=True)
    assert r.status_code == 409 and "signed before the plan is approved" in r.content.decode()


def test_home_panels_and_patient_section(w):
    w.make_rx()
    home = as_user(w.ro).get("/").content.decode()
    assert "Prescriptions to sign" in home and w.patient.mrn in home
    page = as_user(w.ro).get(reverse("patients:detail", args=[w.patient.mrn])).content.decode()
    assert "Radiotherapy" in page and reverse("radiotherapy:course", args=[w.course.pk]) in page


def test_summary_html_and_pdf(w):
    w.ready()
    for i, f in enumerate(w.schedule()[:2]):
        w.deliver(f, past(5 - i))
    c = as_user(w.ro)
    html = c.get(reverse("radiotherapy:summary", args=[w.course.pk])).content.decode()
    # The print styles live in a static file (the CSP forbids inline styles).
    assert "radiotherapy/summary.css" in html and "4.000 Gy" in html
    from django.contrib.staticfiles import finders

    assert "@media print" in Path(finders.find("radiotherapy/summary.css")).read_text()
    # The PDF is made by a job: the button queues it and goes to the job page (GET: 405).
    url = reverse("radiotherapy:summary-pdf", args=[w.course.pk])
    assert c.get(url).status_code == 405
    r = c.post(url)
    job = Job.objects.get(kind="radiotherapy.summary_pdf")
    assert r.status_code == 302 and r["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.patient == w.course.patient and job.params == {"course": w.course.pk}
    assert job_execute(job_id=job.pk) == "succeeded"
    (made,) = job.files.filter(purpose="output")
    file_url = reverse("jobs:file", args=[job.pk, made.name])
    assert file_url in c.get(r["Location"]).content.decode()
    got = c.get(file_url)
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert got.content.startswith(b"%PDF") and w.course.patient.mrn in made.name
    # Made (course export) and downloaded (job export), both on the patient's trail.
    assert (
        AuditEvent.objects.filter(action="export", object_type="radiotherapy.course").count() == 2
    )
    assert AuditEvent.objects.filter(
        action="export", object_type="jobs.job", patient_mrn=w.course.patient.mrn
    ).exists()
    # A colleague who may print summaries may download it; an administrator sees the job (all
    # jobs) but may not take the patient's PDF away; a scheduler sees neither.
    assert as_user(w.physicist).get(file_url).status_code == 200
    admin = as_user(UserFactory(roles=["administrator"]))
    assert admin.get(r["Location"]).status_code == 200
    assert admin.get(file_url).status_code == 403
    scheduler = as_user(UserFactory(roles=["scheduler"]))
    assert scheduler.get(file_url).status_code == 403
    assert scheduler.post(url).status_code == 403


def test_course_page_in_korean(w):
    w.make_rx()
    c = as_user(w.ro)
    c.cookies["django_language"] = "ko"
    body = c.get(
        reverse("radiotherapy:course", args=[w.course.pk]), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "처방 서명" in body and "새 처방" in body


def test_dvh_upload_from_the_course_page(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oncocenter.radiotherapy.tests.test_dvh import EXPORT

    w.make_rx()
    w.make_plan()
    c = as_user(w.dosimetrist)
    r = act(
        c,
        w.course,
        "dvh",
        {"target": w.plan.pk, "file": SimpleUploadedFile("d.txt", EXPORT.encode())},
    )
    assert r.status_code == 302 and w.plan.organ_doses.filter(source="dvh").count() >= 5
    r = act(
        c,
        w.course,
        "dvh",
        {"target": w.plan.pk, "file": SimpleUploadedFile("d.txt", b"\xff\xfe junk")},
    )
    assert r.status_code == 422 and "UTF-8" in r.content.decode()


ACTION_ROLES = {
    # action: (allowed role, denied role)
    "rx-create": ("radiation_oncologist", "dosimetrist"),
    "rx-edit": ("radiation_oncologist", "medical_physicist"),
    "rx-sign": ("radiation_oncologist", "radiation_therapist"),
    "plan-create": ("dosimetrist", "radiation_oncologist"),
    "plan-import": ("medical_physicist", "nurse"),
    "plan-dicom": ("dosimetrist", "nurse"),
    "plan-approve": ("radiation_oncologist", "medical_physicist"),
    "organ-doses": ("dosimetrist", "nurse"),
    "dvh": ("dosimetrist", "scheduler"),
    "override": ("radiation_oncologist", "dosimetrist"),
    "physics-check": ("medical_physicist", "dosimetrist"),
    "chart-check": ("medical_physicist", "radiation_therapist"),
    "psqa": ("medical_physicist", "radiation_oncologist"),
    "schedule": ("scheduler", "nurse"),
    "deliver": ("radiation_therapist", "medical_physicist"),
    "missed": ("radiation_therapist", "dosimetrist"),
    "delivery-error": ("radiation_therapist", "scheduler"),
    "brachy": ("medical_physicist", "scheduler"),
    "weekly-review": ("radiation_oncologist", "nurse"),
    "close": ("radiation_oncologist", "radiation_therapist"),
    "gap-review": ("radiation_oncologist", "nurse"),
    "image-review": ("radiation_therapist", "radiation_oncologist"),
    "image-sign": ("radiation_oncologist", "radiation_therapist"),
    "suspend": ("radiation_oncologist", "radiation_therapist"),
    "resume": ("radiation_oncologist", "nurse"),
    "plan-transfer": ("medical_physicist", "dosimetrist"),
}


@pytest.mark.parametrize(("action", "roles"), ACTION_ROLES.items(), ids=list(ACTION_ROLES))
def test_every_course_action_allows_its_role_and_denies_another(w, client_as, action, roles):
    allowed, denied = roles
    w.make_rx()
    counts = (Prescription.objects.count(), Delivery.objects.count())
    r = client_as(denied).post(
        reverse("radiotherapy:action", args=[w.course.pk, action]), {"target": "x"}
    )
    assert r.status_code == 403 and "rt." in r.content.decode()
    assert (Prescription.objects.count(), Delivery.objects.count()) == counts
    r = client_as(allowed).post(
        reverse("radiotherapy:action", args=[w.course.pk, action]), {"target": "x"}
    )
    # Past the permission check: the (empty) input is refused with a 4xx naming it, not a 403 or 500.
    assert r.status_code in (400, 404, 409, 422) or (
        r.status_code == 403 and "credential" in r.content.decode()
    )


def test_interruption_shown_and_decision_recorded_from_course_page(w):
    import datetime as dt

    from oncocenter.radiotherapy import selectors

    w.ready(icd10_code="C10.9", number_of_fractions=10)
    start = timezone.localdate() - dt.timedelta(days=21)
    sessions = w.schedule(start=start)
    days = selectors.treatment_calendar().open_days(
        start, timezone.localdate() - dt.timedelta(days=1)
    )
    for f, day in zip(sessions, [days[0], days[2]], strict=False):
        w.deliver(f, timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
    c = as_user(w.ro)
    body = c.get(reverse("radiotherapy:course", args=[w.course.pk])).content.decode()
    assert "gap compensation needed" in body and "Record the decision on the days lost" in body
    r = act(
        c,
        w.course,
        "gap-review",
        {"target": w.rx.pk, "decision": "compensate", "note": ""},
        htmx=True,
    )
    assert r.status_code == 422 and "describe the compensation" in r.content.decode()
    r = act(
        c,
        w.course,
        "gap-review",
        {"target": w.rx.pk, "decision": "compensate", "note": "bid on Friday"},
    )
    assert r.status_code == 302 and w.rx.interruption_reviews.count() == 1
