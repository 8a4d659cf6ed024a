import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics.services import appointment_complete
from oncocenter.clinics.tests.factories import make_session
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.followup import services as s
from oncocenter.followup.models import DueItem, FollowUpEvent, FollowUpPlan, ProtocolTemplate
from oncocenter.followup.protocols import Exposure
from oncocenter.followup.selectors import overdue_items, slot_suggestions
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def tpl(code):
    return ProtocolTemplate.objects.get(code=code)


def test_shipped_templates_loaded_by_migration():
    assert set(ProtocolTemplate.objects.values_list("code", flat=True)) >= {
        "esophagus-esophagectomy",
        "esophagus-definitive-crt",
        "after-radiotherapy",
        "childhood-late-effects",
    }


def test_plans_at_treatment_end_pick_applicable_templates():
    patient = PatientFactory()
    end = timezone.localdate() - dt.timedelta(days=10)
    plans = s.followup_plans_at_treatment_end(
        by=UserFactory(),
        patient=patient,
        icd10_code="C15.5",
        modalities=["chemotherapy", "radiotherapy"],
        treatment_end=end,
        treated_field="esophagus",
    )
    assert {p.template.code for p in plans} == {"esophagus-definitive-crt", "after-radiotherapy"}
    rt = next(p for p in plans if p.template.code == "after-radiotherapy")
    assert rt.items.filter(
        item_code="second-cancer-in-field", name_en__contains="esophagus"
    ).exists()
    first = (
        DueItem.objects.filter(plan__template__code="esophagus-definitive-crt")
        .order_by("due_on")
        .first()
    )
    assert first.item_code == "response-assessment"
    with pytest.raises(Conflict):
        s.followup_plan_generate(
            by=UserFactory(), patient=patient, template=tpl("after-radiotherapy"), treatment_end=end
        )


def test_plan_bad_input():
    patient = PatientFactory()
    with pytest.raises(ValidationFailed) as exc:
        s.followup_plan_generate(
            by=UserFactory(),
            patient=patient,
            template=tpl("esophagus-esophagectomy"),
            treatment_end=timezone.localdate() + dt.timedelta(days=3),
        )
    assert exc.value.problems[0].field == "treatment_end"
    with pytest.raises(ValidationFailed) as exc:
        s.followup_plans_at_treatment_end(
            by=UserFactory(),
            patient=patient,
            icd10_code="C15.5",
            modalities=["magic"],
            treatment_end=timezone.localdate(),
        )
    assert exc.value.problems[0].field == "modalities"
    assert FollowUpPlan.objects.count() == 0


def test_late_effects_plan_from_exposures():
    child = PatientFactory(birth_date=dt.date(2012, 3, 1), sex="female")
    end = timezone.localdate() - dt.timedelta(days=30)
    plan = s.followup_late_effects_generate(
        by=UserFactory(),
        patient=child,
        template=tpl("childhood-late-effects"),
        therapy_end=end,
        exposures=[
            Exposure("chest_rt", end, 21.0, "mediastinum"),
            Exposure("anthracycline", end, 300.0),
        ],
    )
    codes = set(plan.items.values_list("item_code", flat=True))
    assert {"breast-mri-mammography", "echocardiogram"} <= codes
    assert (
        plan.items.filter(item_code="echocardiogram").first().rationale.startswith("Anthracyclines")
    )
    with pytest.raises(ValidationFailed) as exc:
        s.followup_late_effects_generate(
            by=UserFactory(),
            patient=child,
            template=tpl("childhood-late-effects"),
            therapy_end=end,
            exposures=[
                Exposure("sunlight", end),
                Exposure("chest_rt", end + dt.timedelta(days=5), -1.0),
            ],
        )
    assert {p.field for p in exc.value.problems} == {
        "exposures[0].code",
        "exposures[1].ended_on",
        "exposures[1].dose",
    }


def test_overdue_worklist_and_booking_suggestions():
    patient = PatientFactory()
    end = timezone.localdate() - dt.timedelta(days=200)
    s.followup_plan_generate(
        by=UserFactory(),
        patient=patient,
        template=tpl("esophagus-esophagectomy"),
        treatment_end=end,
    )
    overdue = list(overdue_items())
    assert overdue and all(i.window_end < timezone.localdate() for i in overdue)
    session = make_session(slots=3)
    visit = next(i for i in overdue if i.kind == "visit")
    suggestions = slot_suggestions(item=visit)
    assert suggestions and suggestions[0].session == session
    booked = s.due_item_book(by=UserFactory(), item=visit, slot=suggestions[0])
    assert booked.status == "booked" and booked.appointment.appointment_type == "follow-up"
    assert visit.pk not in {i.pk for i in overdue_items()}
    from oncocenter.clinics.models import ClinicSession

    ClinicSession.objects.filter(pk=session.pk).update(date=timezone.localdate())
    appointment_complete(by=UserFactory(), appointment=booked.appointment)
    booked.refresh_from_db()
    assert booked.status == "done" and booked.done_on is not None


def test_events_validate_grade_and_record_relapse():
    patient = PatientFactory()
    with pytest.raises(ValidationFailed) as exc:
        s.followup_event_record(
            by=UserFactory(),
            patient=patient,
            event_type="complication",
            occurred_on=timezone.localdate(),
            description="stricture",
        )
    assert exc.value.problems[0].field == "grade"
    with pytest.raises(ValidationFailed) as exc:
        s.followup_event_record(
            by=UserFactory(),
            patient=patient,
            event_type="complication",
            occurred_on=timezone.localdate(),
            description="stricture",
            grade=7,
        )
    assert exc.value.problems[0].field == "grade"
    ev = s.followup_event_record(
        by=UserFactory(),
        patient=patient,
        event_type="complication",
        grade=2,
        occurred_on=timezone.localdate(),
        description="anastomotic stricture",
    )
    assert ev.grade == 2
    rel = s.followup_event_record(
        by=UserFactory(),
        patient=patient,
        event_type="recurrence",
        occurred_on=timezone.localdate(),
        description="mediastinal node recurrence",
    )
    assert FollowUpEvent.objects.count() == 2
    assert rel.event_type == "recurrence"


def test_template_update_validates_and_bumps_version():
    t = tpl("esophagus-esophagectomy")
    bad = {**t.definition, "items": []}
    with pytest.raises(ValidationFailed) as exc:
        s.protocol_template_update(by=UserFactory(), template=t, definition=bad)
    assert exc.value.problems[0].field == "definition.items"
    good = dict(t.definition)
    s.protocol_template_update(by=UserFactory(), template=t, definition=good, reviewed_by="Dr Kim")
    t.refresh_from_db()
    assert t.definition["version"] == 2 and t.reviewed_by == "Dr Kim"
