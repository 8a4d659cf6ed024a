"""Chemotherapy days in the portal's upcoming list and in the day-before reminders: only signed
or verified orders, a held day shown as postponed, one query whatever the number of cycles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from oncocenter.accounts.models import CredentialKind
from oncocenter.notifications.models import OutboxMessage
from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.portal.appointments import chemo_days, upcoming
from oncocenter.portal.reminders import reminders_queue
from oncocenter.portal.tests.factories import adult_with_account
from oncocenter.systemic import services as systemic
from oncocenter.systemic.models import Regimen, TherapyOrder
from oncocenter.systemic.tests.conftest import good_labs, person

pytestmark = pytest.mark.django_db


def _order(patient, start: dt.date, *, verify: bool = True) -> TherapyOrder:
    doctor = person("medical_oncologist", credential=CredentialKind.MEDICAL_LICENSE)
    nurse = person("nurse", credential=CredentialKind.NURSE)
    if not patient.dosing_measurements.exists():
        systemic.measurement_record(
            patient=patient, by=nurse, height_cm=Decimal("170"), weight_kg=Decimal("70")
        )
        good_labs(patient, nurse)
    order = systemic.order_create(
        patient=patient,
        by=doctor,
        regimen=Regimen.objects.get(code="cross"),
        diagnosis=DiagnosisFactory(patient=patient),
        start_date=start,
    )
    if verify:
        systemic.order_sign(order=order, by=doctor)
        systemic.order_verify(
            order=order, by=person("pharmacist", credential=CredentialKind.PHARMACIST)
        )
    return order


def test_verified_days_are_listed_draft_orders_are_not(portal_client):
    portal = adult_with_account("chemo1")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    order = _order(portal.patient, tomorrow)
    other = adult_with_account("chemo2")
    _order(other.patient, tomorrow, verify=False)  # a draft: not shown to the patient

    with translation.override("en"):
        days = chemo_days(portal.patient, timezone.now())
    # CROSS: weekly on days 1, 8, 15, 22, 29, two drugs a day -> five days, not ten rows
    assert [(u.on, u.key) for u in days] == [
        (tomorrow + dt.timedelta(days=d - 1), f"chemo:{order.pk}:{d}") for d in (1, 8, 15, 22, 29)
    ]
    assert days[0].title.endswith("· cycle 1, day 1")
    assert not days[0].can_change and days[0].kind_label == "Chemotherapy day"
    assert chemo_days(other.patient, timezone.now()) == []
    assert [u.kind for u in upcoming(portal.patient)].count("chemo") == 5

    page = portal_client("chemo1").get(f"/portal/p/{portal.patient.pk}/").content.decode()
    assert "항암치료일" in page
    assert f"{tomorrow:%Y-%m-%d}" in page


def test_held_day_is_shown_as_postponed():
    portal = adult_with_account("chemo3")
    order = _order(portal.patient, timezone.localdate() + dt.timedelta(days=1))
    systemic.day_hold(order=order, day=8, by=order.ordered_by, reason="ANC low")
    with translation.override("en"):
        days = {u.key: u for u in chemo_days(portal.patient, timezone.now())}
    assert days[f"chemo:{order.pk}:8"].prepare.startswith("Postponed")
    assert days[f"chemo:{order.pk}:1"].prepare.startswith("Blood tests come first")


@pytest.mark.parametrize("cycles", [1, 3])
def test_one_query_whatever_the_number_of_orders(cycles):
    portal = adult_with_account(f"chemoq{cycles}")
    for i in range(cycles):
        _order(portal.patient, timezone.localdate() + dt.timedelta(days=1 + i))
    with CaptureQueriesContext(connection) as ctx:
        days = chemo_days(portal.patient, timezone.now())
    assert len(ctx.captured_queries) == 1
    assert len(days) == min(10, 5 * cycles)


def test_day_before_reminder_and_weekly_invitation_for_a_chemotherapy_day():
    portal = adult_with_account("chemo4")
    monday = timezone.localdate() + dt.timedelta(days=(7 - timezone.localdate().weekday()) % 7)
    _order(portal.patient, monday + dt.timedelta(days=1))
    now = timezone.make_aware(dt.datetime.combine(monday, dt.time(10, 0)))
    counts = reminders_queue(today=monday, now=now)
    assert counts["appointment_reminder"] == 1
    assert counts["questionnaire_invite"] == 1
    msg = OutboxMessage.objects.get(template_code="appointment_reminder")
    assert (monday + dt.timedelta(days=1)).isoformat() in msg.body
    assert reminders_queue(today=monday, now=now) == {}
