"""Nutrition pages and services: refusals in the user's language, beside their field."""

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.errors import ValidationFailed
from oncocenter.nutrition import services
from oncocenter.nutrition.models import AlertSettings, Questionnaire
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_an_answer_outside_the_scale_names_the_item():
    q = Questionnaire.objects.get(code="esophageal-qol-example")
    with pytest.raises(ValidationFailed) as exc:
        services.qol_response_record(
            by=UserFactory(),
            patient=PatientFactory(),
            questionnaire=q,
            answered_on=timezone.localdate(),
            answers={"eat_solid": 9},
        )
    (problem,) = exc.value.problems
    assert problem.field == "answers.eat_solid"
    assert problem.message == "answer 9 is outside 1-4"


def test_a_range_problem_in_korean(client_as, settings):
    p = PatientFactory()
    c = client_as("dietitian")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    r = c.post(
        f"/nutrition/patients/{p.mrn}/record/",
        {
            "measured_on": timezone.localdate().isoformat(),
            "weight": "700",
            "weight_unit": "kg",
            "height_unit": "cm",
        },
    )
    assert r.status_code == 422
    assert "700 kg은(는) 타당한 범위(0.3-350 kg)를 벗어났습니다" in r.content.decode()


def test_settings_update_keeps_the_thresholds_left_out():
    services.alert_settings_update(by=UserFactory(roles=["administrator"]), bmi_below=18)
    s = AlertSettings.objects.get(id=1)
    assert float(s.bmi_below) == 18 and float(s.loss_1m_percent) == 5


def test_a_refused_htmx_alert_action_shows_why_in_its_row(client_as):
    p = PatientFactory()
    services.nutrition_record_create(
        by=UserFactory(),
        patient=p,
        measured_on=timezone.localdate() - dt.timedelta(days=20),
        weight=70,
        height=170,
    )
    _, alerts = services.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=timezone.localdate(), weight=65
    )
    r = client_as("dietitian").post(
        f"/nutrition/alerts/{alerts[0].pk}/", {"status": "ignored"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert f'id="alert-{alerts[0].pk}"' in body and "must be acknowledged or resolved" in body
