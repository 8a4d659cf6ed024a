"""Staff hear of their alerts by e-mail through the outbox: a symptom alert to the lead nurse, a
critical laboratory value to the ordering physician and the lead nurse, in each person's language
and only if they want it (the worklists keep every alert); delivered to a local SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.roles import Role
from oncocenter.labs.services import lab_order_create, lab_result_record
from oncocenter.notifications.models import OutboxMessage, StaffNotificationSetting
from oncocenter.notifications.services import staff_notification_set
from oncocenter.notifications.tests.test_delivery import smtp  # noqa: F401 (fixture)
from oncocenter.portal import services
from oncocenter.portal.models import SymptomAlert
from oncocenter.portal.tests.factories import adult_with_account, care_nurse
from oncocenter.portal.tests.test_services import answers

pytestmark = pytest.mark.django_db


def _report(portal):
    return services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(mucositis__severity=3),
    )


def _critical(patient, *, doctor, value="0.3"):
    order = lab_order_create(patient=patient, by=doctor, analyte_codes=["anc"])
    at = timezone.now() - dt.timedelta(hours=2)
    return lab_result_record(
        patient=patient,
        by=UserFactory(roles=["nurse"]),
        loinc="751-8",
        value=value,
        unit="10*9/L",
        collected_at=at,
        resulted_at=at + dt.timedelta(minutes=40),
        order=order,
    ).result


def test_symptom_alert_mail_follows_the_nurses_language_and_choice():
    portal = adult_with_account("sn1")
    nurse = care_nurse(portal.patient)
    _s, alert = _report(portal)
    ko = OutboxMessage.objects.get(recipient_user=nurse)
    assert ko.language == "ko" and ko.subject.startswith("증상 알림")
    assert ko.category == "staff_alert" and str(alert.pk) in ko.body

    staff_notification_set(user=nurse, language="en", symptom_alerts=True, critical_results=True)
    _s, second = _report(portal)
    en = OutboxMessage.objects.get(dedupe_key=f"epro-alert:{second.pk}")
    assert en.language == "en" and en.subject.startswith("Symptom alert")

    staff_notification_set(user=nurse, language="en", symptom_alerts=False, critical_results=True)
    _s, third = _report(portal)
    assert not OutboxMessage.objects.filter(dedupe_key=f"epro-alert:{third.pk}").exists()
    # The worklist still has it.
    assert SymptomAlert.objects.get(pk=third.pk).assigned_to == nurse


def test_critical_value_mails_the_ordering_physician_and_the_lead_nurse():
    portal = adult_with_account("sn2")
    nurse = care_nurse(portal.patient)
    doctor = UserFactory(roles=["medical_oncologist"], email="doctor@example.org")
    staff_notification_set(user=doctor, language="en", symptom_alerts=True, critical_results=True)
    result = _critical(portal.patient, doctor=doctor)
    assert result.critical
    rows = {
        m.recipient_user_id: m
        for m in OutboxMessage.objects.filter(template_code="critical_result")
    }
    assert set(rows) == {doctor.pk, nurse.pk}
    assert rows[doctor.pk].language == "en" and "0.3" in rows[doctor.pk].body
    assert rows[doctor.pk].subject.startswith("Critical result")
    assert rows[nurse.pk].language == "ko" and rows[nurse.pk].subject.startswith("검사 위험값")
    assert "/labs/critical/" in rows[nurse.pk].body
    # A normal value mails nobody; a physician who opted out of critical e-mails gets none.
    _critical(portal.patient, doctor=doctor, value="3.1")
    assert OutboxMessage.objects.filter(template_code="critical_result").count() == 2
    staff_notification_set(user=doctor, language="en", symptom_alerts=True, critical_results=False)
    _critical(portal.patient, doctor=doctor, value="0.2")
    latest = OutboxMessage.objects.filter(template_code="critical_result").order_by("-id")[:1]
    assert [m.recipient_user_id for m in latest] == [nurse.pk]
    assert OutboxMessage.objects.filter(template_code="critical_result").count() == 3


@pytest.mark.django_db(transaction=True)
def test_critical_value_mail_reaches_smtp_through_the_worker(smtp):  # noqa: F811
    portal = adult_with_account("sn3")
    doctor = UserFactory(roles=["medical_oncologist"], email="doc3@example.org")
    _critical(portal.patient, doctor=doctor)
    call_command(
        "db_worker", batch=True, queue_name="notifications", no_startup_delay=True, verbosity=0
    )
    (mail,) = smtp.messages
    assert mail["To"] == "doc3@example.org"
    assert "검사 위험값" in mail["Subject"] and portal.patient.mrn in mail["Subject"]
    assert "0.3" in mail.get_content()


def test_staff_setting_refuses_a_bad_language():
    from oncocenter.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        staff_notification_set(
            user=UserFactory(roles=["nurse"]),
            language="fr",
            symptom_alerts=True,
            critical_results=True,
        )
    assert exc.value.problems[0].field == "language"


@pytest.mark.parametrize("role", sorted(Role.values))
def test_staff_notification_page_for_every_staff_role(client_as, role):
    client = client_as(role)
    url = "/portal/staff/notifications/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"language": "en", "critical_results": "on"})
    assert r.status_code == 302
    row = StaffNotificationSetting.objects.get(user=client.user)
    assert row.language == "en" and row.critical_results and not row.symptom_alerts
    assert client.post(url, {"language": "xx"}).status_code == 422


def test_staff_notification_page_refuses_anonymous_and_portal(client, portal_client):
    adult_with_account("sn_portal")
    url = "/portal/staff/notifications/"
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"language": "en"}).status_code in (302, 403)
    assert portal_client("sn_portal").get(url).status_code in (302, 403)
    assert not StaffNotificationSetting.objects.exists()
