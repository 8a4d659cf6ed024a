"""The outbox: delivery by SMTP to a local server (aiosmtpd), SMS through the gateway, quiet
hours, opt-out, retries, and the job worker on the "notifications" queue."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from oncocenter.core.errors import ValidationFailed
from oncocenter.notifications import gateways, services
from oncocenter.notifications.models import MessageStatus, OutboxMessage

SEOUL = ZoneInfo("Asia/Seoul")
NOON = dt.datetime(2027, 3, 2, 12, 0, tzinfo=SEOUL)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "oncocenter@example.org"
    yield inbox
    controller.stop()


def queue(**kw):
    args = dict(
        channel="email",
        to_address="minjun@example.org",
        category="reminder",
        template_code="appointment_reminder",
        context={
            "name": "김민준",
            "what": "방사선 치료",
            "when": "2027-03-03 09:00",
            "where": "LINAC 1",
            "prepare": "",
        },
        language="ko",
        now=NOON,
    )
    args.update(kw)
    return services.notification_queue(**args)


@pytest.mark.django_db
def test_email_reaches_a_real_smtp_server_in_korean(smtp):
    message = queue()
    sent = services.notification_deliver(message_id=message.pk, now=NOON)
    assert sent.status == MessageStatus.SENT and sent.attempts == 1
    (mail,) = smtp.messages
    assert mail["To"] == "minjun@example.org"
    assert "내일" in mail["Subject"]
    assert "김민준님" in mail.get_content() and "LINAC 1" in mail.get_content()


@pytest.mark.django_db
def test_english_template_for_an_english_reader(smtp):
    message = queue(language="en")
    services.notification_deliver(message_id=message.pk, now=NOON)
    assert smtp.messages[0]["Subject"].startswith("Reminder:")


@pytest.mark.django_db
def test_sms_goes_through_the_gateway():
    gateways.LoggingSmsGateway.sent.clear()
    message = queue(channel="sms", to_address="010-1234-5678")
    services.notification_deliver(message_id=message.pk, now=NOON)
    ((to, text),) = gateways.LoggingSmsGateway.sent
    assert to == "010-1234-5678" and "방사선 치료" in text


class BrokenGateway:
    def send(self, to: str, text: str) -> str:
        raise ConnectionError("operator down")


@pytest.mark.django_db
def test_failures_are_retried_with_growing_delays_then_failed(settings):
    settings.ONCOCENTER_SMS_GATEWAY = "oncocenter.notifications.tests.test_delivery.BrokenGateway"
    message = queue(channel="sms", to_address="010-1234-5678")
    now = NOON
    delays = []
    for _attempt in range(message.max_attempts):
        message = services.notification_deliver(message_id=message.pk, now=now)
        if message.status == MessageStatus.RETRYING:
            delays.append((message.not_before - now).total_seconds() / 60)
            # Too early: nothing happens.
            assert (
                services.notification_deliver(message_id=message.pk, now=now).attempts
                == message.attempts
            )
            now = message.not_before
    assert message.status == MessageStatus.FAILED and message.attempts == 5
    assert delays == [2, 4, 8, 16]
    assert "operator down" in message.last_error


@pytest.mark.django_db
def test_smtp_server_down_means_retry(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    message = services.notification_deliver(message_id=queue().pk, now=NOON)
    assert message.status == MessageStatus.RETRYING and message.attempts == 1


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((20, 59), (2027, 3, 2, 20, 59)),
        ((21, 0), (2027, 3, 3, 8, 0)),
        ((23, 30), (2027, 3, 3, 8, 0)),
        ((3, 0), (2027, 3, 2, 8, 0)),
        ((8, 0), (2027, 3, 2, 8, 0)),
    ],
)
def test_quiet_hours_push_patient_messages_to_the_morning(local, expected):
    moment = dt.datetime(2027, 3, 2, *local, tzinfo=SEOUL)
    assert services.after_quiet_hours(moment) == dt.datetime(*expected, tzinfo=SEOUL)


@pytest.mark.django_db
def test_staff_alerts_ignore_quiet_hours_and_opt_out(make_user):
    night = dt.datetime(2027, 3, 2, 23, 0, tzinfo=SEOUL)
    patient_msg = queue(now=night)
    assert patient_msg.not_before == dt.datetime(2027, 3, 3, 8, 0, tzinfo=SEOUL)
    assert services.notification_deliver(message_id=patient_msg.pk, now=night).status == "queued"
    staff = queue(
        category="staff_alert",
        template_code="epro_alert",
        context={"patient": "김민준", "summary": "구내염: 심함", "url": "/portal/staff/alerts/1/"},
        to_address="nurse@example.org",
        now=night,
    )
    assert staff.not_before == night
    with pytest.raises(ValidationFailed):
        services.opt_out_add(channel="email", address="nurse@example.org", category="staff_alert")


@pytest.mark.django_db
def test_opt_out_suppresses_that_category_only(smtp):
    services.opt_out_add(channel="email", address="minjun@example.org", category="reminder")
    suppressed = queue()
    assert suppressed.status == MessageStatus.SUPPRESSED
    other = queue(
        category="questionnaire",
        template_code="questionnaire_invite",
        context={"name": "김민준", "questionnaire": "주간 증상 보고"},
    )
    assert services.notification_deliver(message_id=other.pk, now=NOON).status == "sent"
    # Opting out after queuing still stops it at delivery time.
    services.opt_out_add(channel="email", address="minjun@example.org", category="all")
    late = queue(
        category="followup",
        template_code="followup_due",
        context={"name": "김", "item": "CT", "due_on": "2027-03-09"},
    )
    assert late.status == MessageStatus.SUPPRESSED
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_a_dedupe_key_is_queued_once():
    assert queue(dedupe_key="reminder:rt:1") is not None
    assert queue(dedupe_key="reminder:rt:1") is None
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_unknown_template_or_channel_is_refused():
    with pytest.raises(ValidationFailed):
        queue(template_code="nope")
    with pytest.raises(ValidationFailed):
        queue(channel="fax")


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_queued_messages(smtp):
    message = queue(now=None)
    if message.not_before > timezone.now():  # quiet hours now: make it due for the test
        OutboxMessage.objects.filter(pk=message.pk).update(not_before=timezone.now())
        from oncocenter.notifications.tasks import deliver_message

        deliver_message.enqueue(message.pk)
    call_command(
        "db_worker", batch=True, queue_name="notifications", no_startup_delay=True, verbosity=0
    )
    message.refresh_from_db()
    assert message.status == "sent"
    assert len(smtp.messages) == 1
