import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics.tests.factories import make_session
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.followup import services
from oncocenter.followup.models import DueItem, FollowUpEvent, FollowUpPlan, ProtocolTemplate
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objs():
    p = PatientFactory()
    plan = services.followup_plan_generate(
        by=UserFactory(),
        patient=p,
        template=ProtocolTemplate.objects.get(code="after-radiotherapy"),
        treatment_end=timezone.localdate() - dt.timedelta(days=60),
    )
    return {"mrn": p.mrn, "item": plan.items.first().pk}


VIEWS = [
    ("get", "/followup/overdue/", "followup.view"),
    ("get", "/followup/items/{item}/", "followup.view"),
    ("post", "/followup/items/{item}/book/", "clinic.book"),
    ("post", "/followup/items/{item}/done/", "followup.manage"),
    ("post", "/followup/patients/{mrn}/plans/", "followup.manage"),
    ("post", "/followup/patients/{mrn}/events/", "followup.manage"),
    ("post", "/followup/patients/{mrn}/late-effects/", "followup.manage"),
]


@pytest.mark.parametrize(("method", "url", "perm"), VIEWS)
def test_view_allowed(client_as, objs, method, url, perm):
    r = getattr(client_as(sorted(roles_with(perm))[0]), method)(url.format(**objs))
    assert r.status_code not in (302, 403) or (method == "post" and r.status_code == 302)


@pytest.mark.parametrize(("method", "url", "perm"), VIEWS)
def test_view_denied(client_as, objs, method, url, perm):
    role = next(r.value for r in Role if r.value not in roles_with(perm))
    assert getattr(client_as(role), method)(url.format(**objs)).status_code == 403


def test_generate_plan_from_patient_page_then_book_suggestion(client_as):
    p = PatientFactory()
    c = client_as("surgeon")
    end = timezone.localdate() - dt.timedelta(days=100)
    r = c.post(
        f"/followup/patients/{p.mrn}/plans/",
        {
            "treatment_end": end.isoformat(),
            "template": "",
            "icd10_code": "C15.4",
            "modalities": ["surgery"],
        },
    )
    assert r.status_code == 302
    plan = FollowUpPlan.objects.get(patient=p)
    assert plan.template.code == "esophagus-esophagectomy"
    body = c.get(f"/patients/{p.mrn}/").content.decode()
    assert "Post-operative clinic visit" in body and "overdue" in body
    make_session()
    visit = DueItem.objects.filter(
        plan=plan, kind="visit", window_end__lt=timezone.localdate()
    ).first()
    page = c.get(f"/followup/items/{visit.pk}/").content.decode()
    assert "Book this slot" in page
    from oncocenter.followup.selectors import slot_suggestions

    slot = slot_suggestions(item=visit)[0]
    r = client_as("scheduler").post(f"/followup/items/{visit.pk}/book/", {"slot": slot.pk})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "booked"


def test_plan_form_errors_name_field_and_save_nothing(client_as):
    p = PatientFactory()
    c = client_as("surgeon")
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    r = c.post(
        f"/followup/patients/{p.mrn}/plans/",
        {"treatment_end": future, "template": "after-radiotherapy"},
    )
    assert r.status_code == 422
    assert "cannot be in the future" in r.content.decode()
    r = c.post(
        f"/followup/patients/{p.mrn}/plans/",
        {"treatment_end": "", "template": "after-radiotherapy"},
    )
    assert r.status_code == 422 and "This field is required" in r.content.decode()
    assert FollowUpPlan.objects.count() == 0


def test_event_form_grade_error(client_as):
    p = PatientFactory()
    r = client_as("nurse").post(
        f"/followup/patients/{p.mrn}/events/",
        {
            "event_type": "complication",
            "occurred_on": timezone.localdate().isoformat(),
            "description": "leak",
            "grade": 9,
        },
    )
    assert r.status_code == 422 and "CTCAE grade from 1 to 5" in r.content.decode()
    assert FollowUpEvent.objects.count() == 0


def test_late_effects_form(client_as):
    child = PatientFactory(birth_date=dt.date(2012, 1, 5), sex="female")
    c = client_as("pediatric_oncologist")
    end = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    r = c.post(
        f"/followup/patients/{child.mrn}/late-effects/",
        {"therapy_end": end, "exposures": "chest_rt, 2020-13-01"},
    )
    assert r.status_code == 422 and "line 1" in r.content.decode()
    r = c.post(
        f"/followup/patients/{child.mrn}/late-effects/",
        {"therapy_end": end, "exposures": "sunburn, " + end},
    )
    assert r.status_code == 422 and "unknown exposure" in r.content.decode()
    assert FollowUpPlan.objects.filter(patient=child).count() == 0
    r = c.post(
        f"/followup/patients/{child.mrn}/late-effects/",
        {
            "therapy_end": end,
            "exposures": f"chest_rt, {end}, 21, mediastinum\nanthracycline, {end}, 300",
        },
    )
    assert r.status_code == 302
    plan = FollowUpPlan.objects.get(patient=child)
    assert plan.items.filter(item_code="breast-mri-mammography").exists()
    assert plan.items.filter(item_code="echocardiogram").exists()


def test_plan_form_prefilled_from_clinical_record(client_as):
    from oncocenter.oncology.tests.factories import DiagnosisFactory, TreatmentEpisodeFactory

    dx = DiagnosisFactory(
        icd10_code="C15.3", diagnosed_on=timezone.localdate() - dt.timedelta(days=300)
    )
    end = timezone.localdate() - dt.timedelta(days=20)
    TreatmentEpisodeFactory(patient=dx.patient, modality="surgery", started_on=end, ended_on=end)
    body = client_as("surgeon").get(f"/patients/{dx.patient.mrn}/").content.decode()
    assert 'value="C15.3"' in body and f'value="{end.isoformat()}"' in body
    assert 'value="surgery" id="planform_modalities_0" checked' in body
