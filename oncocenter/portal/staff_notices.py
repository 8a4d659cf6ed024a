"""E-mail to the responsible staff of their alerts: a symptom alert to the patient's lead nurse,
a critical laboratory value to the physician who ordered it and the lead nurse. The worklists
always show the alert; the e-mail follows each person's `StaffNotificationSetting` (language,
and whether they want this kind at all). Queued in the recording transaction, so the message
exists exactly when the alert does, and delivered by the outbox job (no quiet hours for staff).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.models import User
from oncocenter.core.events import subscribe
from oncocenter.labs.events import ResultRecorded
from oncocenter.labs.models import LabResult, ResultStatus
from oncocenter.notifications.models import Category, Channel, StaffNotificationSetting
from oncocenter.notifications.services import notification_queue
from oncocenter.portal import epro
from oncocenter.portal.models import SymptomAlert

KINDS = ("symptom_alerts", "critical_results")


def staff_setting(user: User) -> StaffNotificationSetting:
    """The stored setting, or the default (Korean, both kinds) without a row."""
    row = StaffNotificationSetting.objects.filter(user=user).first()
    return row or StaffNotificationSetting(user=user)


def notify_symptom_alert(alert: SymptomAlert) -> bool:
    """Queue the e-mail of a new symptom alert to its nurse; False when nobody is to be told."""
    nurse = alert.assigned_to
    if nurse is None or not nurse.email:
        return False
    setting = staff_setting(nurse)
    if not setting.symptom_alerts:
        return False
    findings = [
        epro.Finding(
            str(f["item"]),
            str(f["attribute"]),
            int(f["value"]),
            str(f["rule"]),
            int(f["previous"]) if f.get("previous") is not None else None,
        )
        for f in alert.findings
    ]
    patient = alert.patient
    notification_queue(
        channel=Channel.EMAIL,
        to_address=nurse.email,
        category=Category.STAFF_ALERT,
        template_code="epro_alert",
        context={
            "patient": f"{patient.name_ko} ({patient.mrn})",
            "summary": epro.describe(findings, setting.language),
            "url": reverse("portal:staff_alert", args=[alert.pk]),
        },
        language=setting.language,
        patient_id=patient.pk,
        recipient_user=nurse,
        dedupe_key=f"epro-alert:{alert.pk}",
    )
    return True


def critical_result_recipients(result: LabResult) -> list[User]:
    """The ordering physician, then the patient's lead nurse (each once, active, with e-mail)."""
    from oncocenter.portal.services import responsible_nurse

    people: list[User] = []
    if result.order is not None:
        people.append(result.order.ordered_by)
    nurse = responsible_nurse(result.patient, timezone.localdate())
    if nurse is not None:
        people.append(nurse)
    seen: set[int] = set()
    out = []
    for user in people:
        if user.pk in seen or not user.is_active or not user.email:
            continue
        seen.add(user.pk)
        out.append(user)
    return out


def notify_critical_result(result: LabResult) -> int:
    """Queue the critical-value e-mail to each responsible person who wants it; the count."""
    if not result.critical or result.status not in (ResultStatus.FINAL, ResultStatus.CORRECTED):
        return 0
    sent = 0
    value = result.text_value if result.value is None else f"{result.value.normalize():f}"
    for user in critical_result_recipients(result):
        setting = staff_setting(user)
        if not setting.critical_results:
            continue
        name = result.analyte.name_ko if setting.language == "ko" else result.analyte.name
        if notification_queue(
            channel=Channel.EMAIL,
            to_address=user.email,
            category=Category.STAFF_ALERT,
            template_code="critical_result",
            context={
                "patient": f"{result.patient.name_ko} ({result.patient.mrn})",
                "test": name,
                "value": f"{value} {result.analyte.unit}",
                "flag": result.get_flag_display(),
                "collected": timezone.localtime(result.collected_at).strftime("%Y-%m-%d %H:%M"),
                "url": reverse("labs:critical"),
            },
            language=setting.language,
            patient_id=result.patient_id,
            recipient_user=user,
            dedupe_key=f"critical:{result.pk}:{user.pk}",
        ):
            sent += 1
    return sent


def _on_result_recorded(event: ResultRecorded) -> None:
    result = (
        LabResult.objects.select_related("patient", "analyte", "order__ordered_by")
        .filter(pk=event.result_id)
        .first()
    )
    if result is not None and result.critical:
        notify_critical_result(result)


def subscribe_events() -> None:
    subscribe(ResultRecorded, _on_result_recorded)
