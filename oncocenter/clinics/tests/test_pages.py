"""Clinic pages after the move to one form -> one service -> render path (`run_service`)."""

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics import services
from oncocenter.clinics.models import ClinicSession, ClinicTemplate, PriorityPolicy, WaitlistEntry
from oncocenter.clinics.tests.factories import make_session
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _template_form(**changes):
    data = {
        "physician": UserFactory(roles=["surgeon"]).username,
        "center": "esophageal",
        "name": "Thursday esophageal clinic",
        "weekday": "3",
        "start_time": "09:00",
        "end_time": "10:00",
        "slot_minutes": "20",
        "appointment_types": ["follow-up"],
        "generate_weeks": "3",
    }
    return {**data, **changes}


def test_new_template_generates_its_sessions(client_as):
    r = client_as("scheduler").post("/clinics/templates/new/", _template_form())
    assert r.status_code == 302
    template = ClinicTemplate.objects.get(name="Thursday esophageal clinic")
    assert 2 <= ClinicSession.objects.filter(template=template).count() <= 4


def test_new_template_refusals_stand_beside_their_fields(client_as):
    c = client_as("scheduler")
    r = c.post("/clinics/templates/new/", _template_form(physician="nobody"))
    assert r.status_code == 422 and "No staff member with this username." in r.content.decode()
    r = c.post("/clinics/templates/new/", _template_form(end_time="08:00"))
    assert r.status_code == 422
    assert 'id="templateform_end_time-errors"' in r.content.decode()
    assert ClinicTemplate.objects.count() == 0


def test_adding_to_the_waitlist_needs_clinic_book(client_as):
    r = client_as("social_worker").post(
        "/clinics/waitlist/",
        {"mrn": PatientFactory().mrn, "center": "esophageal", "appointment_type": "follow-up"},
    )
    assert r.status_code == 403 and "clinic.book" in r.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_waitlist_with_an_unknown_mrn_is_a_404_beside_the_field(client_as):
    r = client_as("scheduler").post(
        "/clinics/waitlist/",
        {
            "mrn": "99999999",
            "center": "esophageal",
            "appointment_type": "follow-up",
            "urgency": "routine",
        },
    )
    assert r.status_code == 404 and "99999999" in r.content.decode()


def test_a_refused_appointment_action_re_renders_the_session(client_as):
    session = make_session()
    appt = services.appointment_book(
        by=UserFactory(),
        slot=session.slots.first(),
        patient=PatientFactory(),
        appointment_type="follow-up",
    )
    r = client_as("scheduler").post(f"/clinics/appointments/{appt.pk}/check-in/")
    assert r.status_code == 422
    assert 'id="action-errors"' in r.content.decode()
    assert "check-in is on the day of the appointment" in r.content.decode()


def test_messages_in_korean(client_as, settings):
    session = make_session()
    c = client_as("scheduler")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    r = c.post(f"/clinics/sessions/{session.pk}/close/", {"reason": ""})
    assert r.status_code == 422 and "세션을 휴진하려면 입력해야 합니다" in r.content.decode()


def test_policy_update_keeps_the_settings_left_out():
    admin = UserFactory(roles=["administrator"])
    services.policy_update(by=admin, waiting_points_cap=20)
    policy = PriorityPolicy.objects.get(id=1)
    assert policy.waiting_points_cap == 20 and policy.prior_treatment_points == 50
    assert policy.updated_by == admin


def test_template_with_sessions_until_generates_them_in_one_go():
    from oncocenter.patients.models import Center

    today = timezone.localdate()
    template = services.clinic_template_create(
        by=UserFactory(),
        physician=UserFactory(roles=["surgeon"]),
        center=Center.objects.get(code="esophageal"),
        name="Every weekday",
        weekday=today.weekday(),
        start_time=dt.time(9),
        end_time=dt.time(10),
        slot_minutes=30,
        appointment_types=["follow-up"],
        sessions_until=today + dt.timedelta(days=13),
    )
    assert template.sessions.count() == 2
