import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.nutrition import services
from oncocenter.nutrition.models import NutritionRecord, QoLResponse
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objs():
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
    return {"mrn": p.mrn, "alert": alerts[0].pk}


VIEWS = [
    ("get", "/nutrition/worklist/", "nutrition.alerts"),
    ("post", "/nutrition/alerts/{alert}/", "nutrition.alerts"),
    ("get", "/nutrition/qol-worklist/", "qol.alerts"),
    ("post", "/nutrition/qol-alerts/999/", "qol.alerts"),
    ("get", "/nutrition/settings/", "nutrition.settings"),
    ("post", "/nutrition/patients/{mrn}/record/", "nutrition.record"),
    ("post", "/nutrition/patients/{mrn}/screening/", "nutrition.record"),
    ("post", "/nutrition/patients/{mrn}/milestone/", "nutrition.record"),
    ("post", "/nutrition/patients/{mrn}/qol/", "qol.record"),
]


@pytest.mark.parametrize(("method", "url", "perm"), VIEWS)
def test_view_allowed(client_as, objs, method, url, perm):
    r = getattr(client_as(sorted(roles_with(perm))[0]), method)(url.format(**objs))
    assert r.status_code != 403


@pytest.mark.parametrize(("method", "url", "perm"), VIEWS)
def test_view_denied(client_as, objs, method, url, perm):
    role = next(r.value for r in Role if r.value not in roles_with(perm))
    assert getattr(client_as(role), method)(url.format(**objs)).status_code == 403


def test_worklist_shows_alert(client_as, objs):
    body = client_as("dietitian").get("/nutrition/worklist/").content.decode()
    assert objs["mrn"] in body and "Weight loss" in body


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"weight": "700"}, "700 kg is outside the plausible range 0.3-350 kg"),
        ({"height": "1.7"}, "1.7 cm is outside the plausible range 25-250 cm"),
        ({"fois_level": "8"}, "8 is outside the plausible range 1-7"),
        ({"weight": "-2"}, "-2 kg"),
    ],
)
def test_record_form_errors_with_units(client_as, data, fragment):
    p = PatientFactory()
    base = {
        "measured_on": timezone.localdate().isoformat(),
        "weight_unit": "kg",
        "height_unit": "cm",
    }
    r = client_as("dietitian").post(f"/nutrition/patients/{p.mrn}/record/", {**base, **data})
    assert r.status_code == 422
    assert fragment in r.content.decode()
    assert NutritionRecord.objects.filter(patient=p).count() == 0


def test_record_form_success_and_chart_on_patient_page(client_as):
    p = PatientFactory()
    c = client_as("nurse")
    r = c.post(
        f"/nutrition/patients/{p.mrn}/record/",
        {
            "measured_on": timezone.localdate().isoformat(),
            "weight": "61.5",
            "weight_unit": "kg",
            "height": "165",
            "height_unit": "cm",
            "fois_level": "5",
        },
    )
    assert r.status_code == 302
    body = c.get(f"/patients/{p.mrn}/").content.decode()
    assert "<svg" in body and "61.5" in body


def test_qol_form(client_as):
    p = PatientFactory()
    r = client_as("nurse").post(
        f"/nutrition/patients/{p.mrn}/qol/",
        {
            "questionnaire": "esophageal-qol-example",
            "answered_on": timezone.localdate().isoformat(),
            "q_eat_solid": "4",
            "q_swallow_trouble": "1",
            "q_enjoy_meals": "3",
        },
    )
    assert r.status_code == 302
    assert QoLResponse.objects.filter(patient=p).count() == 1


def test_worklist_in_korean(client_as, objs, settings):
    c = client_as("dietitian")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    body = c.get("/nutrition/worklist/").content.decode()
    assert "영양사 업무 목록" in body and "1개월 체중 감소" in body


def test_alert_handling_with_htmx_swaps_the_row(client_as, objs):
    c = client_as("dietitian")
    r = c.post(
        f"/nutrition/alerts/{objs['alert']}/", {"status": "acknowledged"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and f'id="alert-{objs["alert"]}"' in r.content.decode()
    assert "<html" not in r.content.decode() and "Acknowledged" in r.content.decode()
    r = c.post(
        f"/nutrition/alerts/{objs['alert']}/", {"status": "resolved"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and r.content == b""
    r = c.post(
        f"/nutrition/alerts/{objs['alert']}/", {"status": "resolved"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 409
