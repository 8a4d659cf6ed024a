import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics import services
from oncocenter.clinics.models import Admission, Appointment
from oncocenter.clinics.tests.factories import make_session, make_ward
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# (method, url, permission)
VIEWS = [
    ("get", "/clinics/sessions/", "clinic.view"),
    ("get", "/clinics/templates/new/", "clinic.manage"),
    ("get", "/clinics/sessions/{session}/", "clinic.view"),
    ("post", "/clinics/sessions/{session}/book/", "clinic.book"),
    ("post", "/clinics/sessions/{session}/close/", "clinic.manage"),
    ("post", "/clinics/appointments/999/cancel/", "clinic.book"),
    ("get", "/clinics/waitlist/", "clinic.view"),
    ("post", "/clinics/waitlist/999/withdraw/", "clinic.book"),
    ("get", "/clinics/policy/", "clinic.policy_edit"),
    ("get", "/clinics/wards/", "admission.view"),
    ("get", "/clinics/wards/{ward}/", "admission.view"),
    ("post", "/clinics/wards/{ward}/admit/", "admission.manage"),
    ("post", "/clinics/wards/{ward}/request/", "admission.manage"),
    ("post", "/clinics/admissions/999/discharge/", "admission.manage"),
]


@pytest.fixture
def objs():
    return {"session": make_session().pk, "ward": make_ward().code}


@pytest.mark.parametrize(("method", "url", "perm"), VIEWS)
def test_view_allowed(client_as, objs, method, url, perm):
    r = getattr(client_as(sorted(roles_with(perm))[0]), method)(url.format(**objs))
    assert r.status_code not in (302, 403), (url, r.status_code)


@pytest.mark.parametrize(("method", "url", "perm"), VIEWS)
def test_view_denied(client_as, objs, method, url, perm):
    role = next(r.value for r in Role if r.value not in roles_with(perm))
    r = getattr(client_as(role), method)(url.format(**objs))
    assert r.status_code == 403
    assert perm in r.content.decode()


def test_anonymous_redirected_to_login(client):
    r = client.get("/clinics/waitlist/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_book_via_form_and_error_names_field(client_as):
    session = make_session(types=("follow-up",))
    p = PatientFactory()
    c = client_as("scheduler")
    slot = session.slots.first()
    r = c.post(
        f"/clinics/sessions/{session.pk}/book/",
        {"slot": slot.pk, "mrn": p.mrn, "appointment_type": "follow-up"},
    )
    assert r.status_code == 302
    assert Appointment.objects.filter(patient=p).count() == 1
    other = PatientFactory()
    r = c.post(
        f"/clinics/sessions/{session.pk}/book/",
        {"slot": slot.pk, "mrn": other.mrn, "appointment_type": "follow-up"},
    )
    assert r.status_code == 409
    assert "already booked" in r.content.decode()
    r = c.post(
        f"/clinics/sessions/{session.pk}/book/",
        {"slot": slot.pk, "mrn": "99999999", "appointment_type": "follow-up"},
    )
    assert r.status_code == 404 and "Patient MRN" in r.content.decode()
    assert Appointment.objects.count() == 1


def test_closed_session_form_message(client_as):
    session = make_session()
    session.status, session.closed_reason = "closed", "Chuseok"
    session.save()
    r = client_as("scheduler").post(
        f"/clinics/sessions/{session.pk}/book/",
        {
            "slot": session.slots.first().pk,
            "mrn": PatientFactory().mrn,
            "appointment_type": "follow-up",
        },
    )
    assert r.status_code == 422
    assert "closed" in r.content.decode() and "Chuseok" in r.content.decode()


def test_waitlist_page_shows_reasons(client_as):
    from oncocenter.patients.models import Center

    services.waitlist_add(
        by=UserFactory(),
        patient=PatientFactory(),
        center=Center.objects.get(code="esophageal"),
        appointment_type="follow-up",
        urgency="urgent",
    )
    body = client_as("scheduler").get("/clinics/waitlist/").content.decode()
    assert "Clinical urgency urgent: +40" in body and "Not previously treated" in body


def test_discharge_before_admission_form_message(client_as):
    ward = make_ward(beds=1)
    p = PatientFactory()
    adm = services.admission_admit(
        by=UserFactory(), patient=p, ward=ward, admitted_at=timezone.now() - dt.timedelta(hours=3)
    )
    before = timezone.localtime(adm.admitted_at - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = client_as("nurse").post(
        f"/clinics/admissions/{adm.pk}/discharge/", {"discharged_at": before}
    )
    assert r.status_code == 422
    assert "discharged_at" in r.content.decode()
    assert Admission.objects.get(pk=adm.pk).status == "admitted"


def test_policy_form_error(client_as):
    data = {
        "prior_treatment_points": 50,
        "urgency_routine_points": 0,
        "urgency_soon_points": 20,
        "urgency_urgent_points": 40,
        "waiting_points_per_day": 0.5,
        "waiting_points_cap": 30,
        "reserved_share_percent": 150,
        "release_days_before": 7,
    }
    r = client_as("administrator").post("/clinics/policy/", data)
    assert r.status_code == 422 and "between 0 and 100" in r.content.decode()


def test_patient_page_and_home_panels_render(client_as):
    p = PatientFactory()
    session = make_session()
    services.appointment_book(
        by=UserFactory(), slot=session.slots.first(), patient=p, appointment_type="follow-up"
    )
    body = client_as("surgeon").get(f"/patients/{p.mrn}/").content.decode()
    assert (
        "Appointments and admission" in body
        and "Follow-up plan" in body
        and "weight-fois-chart" in body
    )
    for role in ("scheduler", "nurse", "dietitian", "surgeon", "administrator"):
        assert client_as(role).get("/").status_code == 200


def test_korean_ui_and_reasons(client_as, settings):
    from oncocenter.patients.models import Center

    services.waitlist_add(
        by=UserFactory(),
        patient=PatientFactory(),
        center=Center.objects.get(code="esophageal"),
        appointment_type="follow-up",
        urgency="urgent",
    )
    c = client_as("scheduler")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    body = c.get("/clinics/waitlist/").content.decode()
    assert "외래 대기자 명단" in body
    assert "임상 긴급도 urgent: +40" in body and "본원 치료력 없음" in body


def test_close_session_needs_reason_and_no_bookings(client_as):
    session = make_session()
    c = client_as("scheduler")
    r = c.post(f"/clinics/sessions/{session.pk}/close/", {"reason": ""})
    assert r.status_code == 422 and "reason" in r.content.decode()
    services.appointment_book(
        by=UserFactory(),
        slot=session.slots.first(),
        patient=PatientFactory(),
        appointment_type="follow-up",
    )
    r = c.post(f"/clinics/sessions/{session.pk}/close/", {"reason": "Physician at a congress"})
    assert r.status_code == 409
    session.refresh_from_db()
    assert session.status == "open"


def test_session_page_explains_reserved_share(client_as):
    from oncocenter.clinics.tests.factories import next_open_day

    session = make_session(slots=10, day=next_open_day(12))
    body = client_as("scheduler").get(f"/clinics/sessions/{session.pk}/").content.decode()
    assert "3 slot(s) still held of 3" in body
