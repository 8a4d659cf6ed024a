"""Follow-up pages after the move to one form -> one service -> render path (`run_service`)."""

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.followup import services
from oncocenter.followup.models import FollowUpPlan, ProtocolTemplate
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_booking_without_a_slot_re_renders_the_item_with_the_problem(client_as):
    plan = services.followup_plan_generate(
        by=UserFactory(),
        patient=PatientFactory(),
        template=ProtocolTemplate.objects.get(code="after-radiotherapy"),
        treatment_end=timezone.localdate() - dt.timedelta(days=60),
    )
    item = plan.items.first()
    r = client_as("scheduler").post(f"/followup/items/{item.pk}/book/", {})
    assert r.status_code == 422
    assert 'id="item-errors"' in r.content.decode()
    assert "choose one of the suggested slots" in r.content.decode()


def test_late_effect_problems_name_the_line_the_user_wrote(client_as):
    child = PatientFactory(birth_date=dt.date(2012, 1, 5), sex="female")
    end = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    r = client_as("pediatric_oncologist").post(
        f"/followup/patients/{child.mrn}/late-effects/",
        {"therapy_end": end, "exposures": f"chest_rt, {end}, 21\n\nanthracycline, {end}, -5"},
    )
    assert r.status_code == 422
    assert "line 3: must be zero or positive" in r.content.decode()
    assert FollowUpPlan.objects.filter(patient=child).count() == 0


def test_plan_generated_message_names_the_protocol_in_korean(client_as, settings):
    p = PatientFactory()
    c = client_as("surgeon")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    end = (timezone.localdate() - dt.timedelta(days=100)).isoformat()
    r = c.post(
        f"/followup/patients/{p.mrn}/plans/",
        {"treatment_end": end, "template": "after-radiotherapy"},
        follow=True,
    )
    name_ko = ProtocolTemplate.objects.get(code="after-radiotherapy").name_ko
    assert name_ko in r.content.decode()
