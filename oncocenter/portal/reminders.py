"""Reminders for portal users, queued once a day (job `send_daily_reminders`, or the command
`oncocenter portal_reminders`): the day-before appointment reminder, follow-up due in a week,
follow-up overdue (once a week, on the item's weekday), and the weekly symptom questionnaire
invitation while the patient is on radiotherapy or chemotherapy (a day in the coming week). Each message has a dedupe key, so a repeated run
sends nothing twice; quiet hours, opt-outs, delivery and retries are the outbox's business.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils import timezone, translation

from oncocenter.followup.models import DueItem
from oncocenter.notifications.models import Category, Channel
from oncocenter.notifications.services import notification_queue
from oncocenter.portal import appointments, epro
from oncocenter.portal.models import AccountStatus, PortalAccount, PortalGrant
from oncocenter.portal.services import grant_allows
from oncocenter.scheduling.models import Booking
from oncocenter.systemic.models import OrderDose, OrderStatus

FOLLOWUP_NOTICE_DAYS = 7


def _channels(account: PortalAccount) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if account.email:
        out.append((Channel.EMAIL, account.email))
    if account.phone:
        out.append((Channel.SMS, account.phone))
    return out


def reminders_queue(
    *, today: dt.date | None = None, now: dt.datetime | None = None
) -> Counter[str]:
    """Queue the day's reminders for every active account; returns counts per template."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    tomorrow = today + dt.timedelta(days=1)
    counts: Counter[str] = Counter()
    grants = (
        PortalGrant.objects.filter(revoked_at__isnull=True, account__status=AccountStatus.ACTIVE)
        .select_related("account", "patient")
        .order_by("id")
    )
    for grant in grants:
        account, patient = grant.account, grant.patient
        channels = _channels(account)
        if not channels or not grant_allows(grant, today):
            continue
        lang = account.language
        name = account.display_name
        with translation.override(lang):
            upcoming = [u for u in appointments.upcoming(patient, now) if u.on == tomorrow]
        for u in upcoming:
            if u.kind == "followup":  # follow-up items have their own due/overdue reminders
                continue
            when = (
                timezone.localtime(u.starts_at).strftime("%Y-%m-%d %H:%M")
                if u.starts_at
                else u.on.isoformat()
            )
            for channel, address in channels:
                if notification_queue(
                    channel=channel,
                    to_address=address,
                    category=Category.REMINDER,
                    template_code="appointment_reminder",
                    context={
                        "name": name,
                        "what": u.kind_label,
                        "when": when,
                        "where": u.where or u.title,
                        "prepare": u.prepare,
                    },
                    language=lang,
                    patient_id=patient.pk,
                    dedupe_key=f"reminder:{u.key}:{account.pk}:{channel}",
                    now=now,
                ):
                    counts["appointment_reminder"] += 1
        items = DueItem.objects.filter(patient=patient, status="due", appointment__isnull=True)
        for item in items:
            label = item.name_ko if lang == "ko" else item.name_en
            if item.due_on == today + dt.timedelta(days=FOLLOWUP_NOTICE_DAYS):
                code, key = "followup_due", f"followup-due:{item.pk}"
            elif item.window_end < today and item.window_end.weekday() == today.weekday():
                code, key = "followup_overdue", f"followup-overdue:{item.pk}:{today.isoformat()}"
            else:
                continue
            for channel, address in channels:
                if notification_queue(
                    channel=channel,
                    to_address=address,
                    category=Category.FOLLOWUP,
                    template_code=code,
                    context={"name": name, "item": label, "due_on": item.due_on.isoformat()},
                    language=lang,
                    patient_id=patient.pk,
                    dedupe_key=f"{key}:{account.pk}:{channel}",
                    now=now,
                ):
                    counts[code] += 1
        on_rt = (
            Booking.objects.filter(
                patient=patient,
                status="booked",
                start__date__gte=today,
                start__date__lte=today + dt.timedelta(days=7),
            ).exists()
            or OrderDose.objects.filter(
                order__patient=patient,
                order__status__in=[OrderStatus.SIGNED, OrderStatus.VERIFIED],
                on__gte=today,
                on__lte=today + dt.timedelta(days=7),
            ).exists()
        )
        week = today.isocalendar()
        if on_rt and today.weekday() == 0:
            instrument = epro.PROXY if account.kind == "guardian" else epro.ADULT
            for channel, address in channels:
                if notification_queue(
                    channel=channel,
                    to_address=address,
                    category=Category.QUESTIONNAIRE,
                    template_code="questionnaire_invite",
                    context={"name": name, "questionnaire": instrument.name[lang]},
                    language=lang,
                    patient_id=patient.pk,
                    dedupe_key=f"invite:{patient.pk}:{account.pk}:{week[0]}-{week[1]}:{channel}",
                    now=now,
                ):
                    counts["questionnaire_invite"] += 1
    return counts
