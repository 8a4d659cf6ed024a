"""Queue a message (rendered now, in the recipient's language) and deliver it later as a job.

Rules: an opted-out address gets nothing in that category (the row is kept as `suppressed`, so
the team sees why nothing arrived); messages to patients and families wait for the end of quiet
hours; a failed delivery is retried with a growing delay up to `max_attempts`, then `failed`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.core.errors import ValidationFailed
from oncocenter.notifications import gateways
from oncocenter.notifications.models import (
    Category,
    Channel,
    MessageStatus,
    OptOut,
    OutboxMessage,
    StaffNotificationSetting,
)

TEMPLATES = (
    "appointment_reminder",
    "followup_due",
    "followup_overdue",
    "questionnaire_invite",
    "epro_alert",
    "critical_result",
)
RETRY_BASE_MINUTES = 2


def quiet_hours() -> tuple[int, int]:
    """(start hour, end hour) in the center's time, e.g. (21, 8): nothing between 21:00 and 08:00."""
    start, end = getattr(settings, "ONCOCENTER_QUIET_HOURS", (21, 8))
    return int(start), int(end)


def after_quiet_hours(moment: dt.datetime) -> dt.datetime:
    """The first time at or after `moment` outside the quiet hours (center's timezone)."""
    start, end = quiet_hours()
    local = timezone.localtime(moment)
    hour = local.hour
    quiet = (hour >= start or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return moment
    day = local.date() if hour < end else local.date() + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(end, 0), tzinfo=tz)


def render_message(template_code: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    if template_code not in TEMPLATES:
        raise ValidationFailed.single(
            "template_code", _("is not a message template"), template_code
        )
    with translation.override(language):
        text = render_to_string(f"notifications/messages/{template_code}.txt", context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    subject, body = lines[0], "\n".join(line for line in lines[1:] if line)
    return subject[:200], body


def is_opted_out(*, channel: str, address: str, category: str) -> bool:
    if category == Category.STAFF_ALERT:
        return False
    return OptOut.objects.filter(
        Q(category=category) | Q(category="all"), channel=channel, address=address
    ).exists()


def notification_queue(
    *,
    channel: str,
    to_address: str,
    category: str,
    template_code: str,
    context: dict[str, Any],
    language: str = "ko",
    patient_id: int | None = None,
    recipient_user: User | None = None,
    dedupe_key: str | None = None,
    now: dt.datetime | None = None,
) -> OutboxMessage | None:
    """Put one message in the outbox and schedule its delivery job. `patient_id` names the
    patient the message is about (an id: this app sits below patients, which may publish to it).

    Returns None when `dedupe_key` was already queued (a repeated daily run sends nothing twice).
    """
    if channel not in Channel.values:
        raise ValidationFailed.single("channel", _("is not a channel"), channel)
    if category not in Category.values:
        raise ValidationFailed.single("category", _("is not a message category"), category)
    if not to_address.strip():
        raise ValidationFailed.single("to_address", _("is required"))
    subject, body = render_message(template_code, context, language)
    now = now or timezone.now()
    not_before = now if category == Category.STAFF_ALERT else after_quiet_hours(now)
    suppressed = is_opted_out(channel=channel, address=to_address, category=category)
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                channel=channel,
                category=category,
                to_address=to_address.strip(),
                language=language,
                template_code=template_code,
                subject=subject,
                body=body,
                status=MessageStatus.SUPPRESSED if suppressed else MessageStatus.QUEUED,
                not_before=not_before,
                patient_id=patient_id,
                recipient_user=recipient_user,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if not suppressed:
        _schedule(message.pk, not_before, now)
    return message


def _schedule(message_id: int, not_before: dt.datetime, now: dt.datetime) -> None:
    from oncocenter.notifications.tasks import deliver_message

    run_after = not_before if not_before > now else None

    def enqueue() -> None:
        task = deliver_message.using(run_after=run_after) if run_after else deliver_message
        task.enqueue(message_id)

    transaction.on_commit(enqueue)


def notification_deliver(*, message_id: int, now: dt.datetime | None = None) -> OutboxMessage:
    """Send one queued message now (the job calls this). Idempotent: a sent message stays sent."""
    now = now or timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status not in (MessageStatus.QUEUED, MessageStatus.RETRYING):
            return message
        if message.not_before > now:
            return message  # an early job (clock skew); the scheduled one will send it
        if is_opted_out(
            channel=message.channel, address=message.to_address, category=message.category
        ):
            message.status = MessageStatus.SUPPRESSED
            message.save(update_fields=["status", "updated_at"])
            return message
        try:
            if message.channel == Channel.EMAIL:
                gateways.send_email(message.to_address, message.subject, message.body)
            else:
                gateways.send_sms(message.to_address, f"{message.subject}\n{message.body}")
        except gateways.DeliveryError as exc:
            message.attempts += 1
            message.last_error = str(exc)[:300]
            if message.attempts >= message.max_attempts:
                message.status = MessageStatus.FAILED
            else:
                message.status = MessageStatus.RETRYING
                delay = dt.timedelta(minutes=RETRY_BASE_MINUTES * 2 ** (message.attempts - 1))
                message.not_before = now + delay
                _schedule(message.pk, message.not_before, now)
        else:
            message.attempts += 1
            message.status = MessageStatus.SENT
            message.sent_at = now
            message.last_error = ""
        message.save()
    return message


def opt_out_add(*, channel: str, address: str, category: str) -> OptOut:
    """Stop a category of messages (or 'all') to one address; staff alerts cannot be refused."""
    if category != "all" and category not in Category.values:
        raise ValidationFailed.single("category", _("is not a message category"), category)
    if category == Category.STAFF_ALERT:
        raise ValidationFailed.single("category", _("staff alerts cannot be refused"), category)
    optout, _created = OptOut.objects.get_or_create(
        channel=channel, address=address.strip(), category=category
    )
    return optout


def opt_out_remove(*, channel: str, address: str, category: str) -> int:
    deleted, _detail = OptOut.objects.filter(
        channel=channel, address=address.strip(), category=category
    ).delete()
    return deleted


def staff_notification_set(
    *, user: User, language: str, symptom_alerts: bool, critical_results: bool
) -> StaffNotificationSetting:
    """A staff member's choice of e-mail language and of which alerts reach them by e-mail."""
    if language not in ("ko", "en"):
        raise ValidationFailed.single("language", _("must be ko or en"), language)
    with transaction.atomic():
        row, _created = StaffNotificationSetting.objects.select_for_update().get_or_create(
            user=user
        )
        row.language = language
        row.symptom_alerts = bool(symptom_alerts)
        row.critical_results = bool(critical_results)
        row.save()
    return row
