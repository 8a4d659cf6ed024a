import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.nutrition import services as s
from oncocenter.nutrition.models import NutritionAlert, NutritionRecord, QoLAlert, Questionnaire
from oncocenter.nutrition.selectors import dietitian_worklist, latest_summary, patient_chart_svg
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


def test_six_percent_loss_raises_one_alert_on_worklist():
    p = PatientFactory()
    s.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=days_ago(28), weight=64.0, height=168
    )
    rec, alerts = s.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=days_ago(0), weight=60.1, fois_level=5
    )
    assert [a.code for a in alerts] == ["weight_loss_1m"]
    assert "6.1 % in 1 month" in alerts[0].message
    assert rec.bmi is not None  # height carried from the earlier record
    assert list(dietitian_worklist()) == alerts
    # a further record does not duplicate the open alert
    _, again = s.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=days_ago(0), weight=60.0
    )
    assert again == []


def test_thresholds_editable():
    s.alert_settings_update(loss_1m_percent=8, by=UserFactory())
    p = PatientFactory()
    s.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=days_ago(28), weight=64.0, height=168
    )
    _, alerts = s.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=days_ago(0), weight=60.1
    )
    assert alerts == []
    with pytest.raises(ValidationFailed) as exc:
        s.alert_settings_update(loss_6m_percent=0, bmi_below=-1, by=UserFactory())
    assert {x.field for x in exc.value.problems} == {"loss_6m_percent", "bmi_below"}


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"weight": -3}, "weight", "-3 kg is outside the plausible range 0.3-350 kg"),
        ({"weight": 640}, "weight", "640 kg"),
        ({"weight": 64000, "weight_unit": "lb"}, "weight", "lb ="),
        ({"height": 1.68}, "height", "1.68 cm is outside the plausible range 25-250 cm"),
        ({"height": 1.68, "height_unit": "ft"}, "height_unit", "unknown unit"),
        ({"fois_level": 0}, "fois_level", "outside the plausible range 1-7"),
        ({"fois_level": 8}, "fois_level", "1-7"),
        ({"iddsi_level": 9}, "iddsi_level", "0-7"),
        ({"feeding_route": "iv"}, "feeding_route", "must be one of"),
        ({}, "weight", "at least one"),
    ],
)
def test_bad_input_names_field_and_saves_nothing(kwargs, field, text):
    p = PatientFactory()
    with pytest.raises(ValidationFailed) as exc:
        s.nutrition_record_create(by=UserFactory(), patient=p, measured_on=days_ago(0), **kwargs)
    problem = next(x for x in exc.value.problems if x.field == field)
    assert text in problem.message
    assert NutritionRecord.objects.count() == 0


def test_units_are_converted():
    p = PatientFactory()
    rec, _ = s.nutrition_record_create(
        by=UserFactory(),
        patient=p,
        measured_on=days_ago(0),
        weight=141,
        weight_unit="lb",
        height=1.7,
        height_unit="m",
    )
    assert float(rec.weight_kg) == 64.0 and float(rec.height_cm) == 170.0


def test_future_date_rejected():
    with pytest.raises(ValidationFailed) as exc:
        s.nutrition_record_create(
            by=UserFactory(), patient=PatientFactory(), measured_on=days_ago(-2), weight=60
        )
    assert exc.value.problems[0].field == "measured_on"


def test_nrs_screening_alert_and_milestones():
    p = PatientFactory(birth_date=dt.date(1950, 1, 1))
    row, alerts = s.nrs_screening_record(
        by=UserFactory(),
        patient=p,
        screened_on=days_ago(0),
        nutritional_status=1,
        disease_severity=1,
    )
    assert row.total == 3 and row.at_risk and [a.code for a in alerts] == ["nrs_risk"]
    with pytest.raises(ValidationFailed) as exc:
        s.nrs_screening_record(
            by=UserFactory(),
            patient=p,
            screened_on=days_ago(0),
            nutritional_status=4,
            disease_severity=1,
        )
    assert exc.value.problems[0].field == "nutritional_status"
    s.milestone_record(
        by=UserFactory(), patient=p, kind="first_oral_intake", occurred_on=days_ago(3)
    )
    with pytest.raises(Conflict):
        s.milestone_record(
            by=UserFactory(), patient=p, kind="first_oral_intake", occurred_on=days_ago(2)
        )
    summary = latest_summary(patient=p)
    assert [m.kind for m in summary["milestones"]] == ["first_oral_intake"]


def test_alert_handling():
    p = PatientFactory()
    s.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=days_ago(20), weight=70, height=170
    )
    _, alerts = s.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=days_ago(0), weight=65
    )
    s.nutrition_alert_handle(by=UserFactory(), alert=alerts[0], status="resolved")
    assert NutritionAlert.objects.get(pk=alerts[0].pk).status == "resolved"
    assert list(dietitian_worklist()) == []
    with pytest.raises(ValidationFailed):
        s.nutrition_alert_handle(by=UserFactory(), alert=alerts[0], status="ignored")


def test_chart_svg_has_weight_and_fois():
    p = PatientFactory()
    s.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=days_ago(40), weight=70, height=170, fois_level=1
    )
    s.nutrition_record_create(
        by=UserFactory(), patient=p, measured_on=days_ago(10), weight=66, fois_level=5
    )
    svg = patient_chart_svg(patient=p)
    assert svg.startswith("<svg") and svg.count("<polyline") == 2


def test_qol_drop_goes_to_worklist():
    q = Questionnaire.objects.get(code="esophageal-qol-example")
    p = PatientFactory()
    good = {it["code"]: (1 if it["reverse"] else 4) for it in q.definition["items"]}
    s.qol_response_record(
        by=UserFactory(), patient=p, questionnaire=q, answered_on=days_ago(90), answers=good
    )
    worse = dict(good, eat_solid=1, enjoy_meals=2)
    _resp, alerts = s.qol_response_record(
        by=UserFactory(), patient=p, questionnaire=q, answered_on=days_ago(0), answers=worse
    )
    assert [a.subscale for a in alerts] == ["eating"]
    assert float(alerts[0].points) >= 15
    assert QoLAlert.objects.filter(status="open").count() == 1
    with pytest.raises(ValidationFailed) as exc:
        s.qol_response_record(
            by=UserFactory(),
            patient=p,
            questionnaire=q,
            answered_on=days_ago(0),
            answers={"eat_solid": 9},
        )
    assert exc.value.problems[0].field == "answers.eat_solid"
