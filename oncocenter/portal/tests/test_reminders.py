"""Daily reminders: the day-before appointment reminder, follow-up due and overdue, and the
weekly questionnaire invitation, each queued once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.clinics.services import appointment_book
from oncocenter.clinics.tests.factories import make_session
from oncocenter.followup.models import DueItem, FollowUpPlan, ProtocolTemplate
from oncocenter.notifications.models import OutboxMessage
from oncocenter.portal.reminders import reminders_queue
from oncocenter.portal.tests.factories import adult_with_account

pytestmark = pytest.mark.django_db


def test_day_before_reminder_and_follow_up_notices_are_queued_once(make_user):
    portal = adult_with_account()
    portal.account.phone = "010-2222-3333"
    portal.account.save()
    session = make_session()
    slot = session.slots.first()
    appointment_book(
        by=make_user("scheduler"), slot=slot, patient=portal.patient, appointment_type="follow-up"
    )
    today = session.date - dt.timedelta(days=1)
    plan = FollowUpPlan.objects.create(
        patient=portal.patient,
        template=ProtocolTemplate.objects.filter(kind="protocol").first(),
        treatment_end=today - dt.timedelta(days=400),
    )
    DueItem.objects.create(
        plan=plan,
        patient=portal.patient,
        item_code="ct",
        kind="imaging",
        name_en="Chest CT",
        name_ko="흉부 CT",
        due_on=today + dt.timedelta(days=7),
        window_end=today + dt.timedelta(days=37),
    )
    DueItem.objects.create(
        plan=plan,
        patient=portal.patient,
        item_code="egd",
        kind="procedure",
        name_en="Endoscopy",
        name_ko="내시경",
        due_on=today - dt.timedelta(days=60),
        window_end=today - dt.timedelta(days=28),
    )
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(10, 0)))
    counts = reminders_queue(today=today, now=now)
    assert counts == {"appointment_reminder": 2, "followup_due": 2, "followup_overdue": 2}
    reminder = OutboxMessage.objects.get(template_code="appointment_reminder", channel="email")
    assert (
        "내일" in reminder.subject
        and slot.starts_at.astimezone(timezone.get_current_timezone()).strftime("%H:%M")
        in reminder.body
    )
    assert (
        OutboxMessage.objects.filter(
            template_code="followup_overdue", body__contains="내시경"
        ).count()
        == 2
    )
    assert reminders_queue(today=today, now=now) == {}


def test_no_contact_means_no_message():
    portal = adult_with_account()
    portal.account.email = ""
    portal.account.save()
    assert reminders_queue() == {}
