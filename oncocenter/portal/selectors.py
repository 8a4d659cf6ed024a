"""Reads for the portal pages and the staff worklist."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from oncocenter.accounts.models import User
from oncocenter.clinics.models import Admission, AdmissionStatus
from oncocenter.labs.models import LabResult, ResultStatus
from oncocenter.patients.models import Patient
from oncocenter.patients.models_record import CareTeamMember
from oncocenter.portal import epro
from oncocenter.portal.models import (
    DocumentKind,
    DocumentRelease,
    PortalAccount,
    PortalGrant,
    ProSubmission,
    SymptomAlert,
)


def care_team(patient: Patient) -> list[CareTeamMember]:
    return list(
        CareTeamMember.objects.filter(patient=patient, until__isnull=True)
        .select_related("user", "center")
        .order_by("-is_lead", "role", "id")
    )


def recent_reports(patient: Patient, limit: int = 5) -> list[ProSubmission]:
    return list(ProSubmission.objects.filter(patient=patient).order_by("-answered_at")[:limit])


def alerts_for(user: User, *, include_closed: bool = False) -> list[SymptomAlert]:
    """The alerts of the nurse's own patients first, then the unassigned ones."""
    qs: QuerySet[SymptomAlert] = SymptomAlert.objects.filter(
        Q(assigned_to=user) | Q(assigned_to__isnull=True)
    )
    if not include_closed:
        qs = qs.exclude(status="closed")
    return list(qs.select_related("patient", "assigned_to").order_by("status", "-created_at")[:200])


def open_alert_count(user: User) -> int:
    return SymptomAlert.objects.filter(
        Q(assigned_to=user) | Q(assigned_to__isnull=True), status="open"
    ).count()


def alert_lines(alert: SymptomAlert, language: str) -> str:
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
    return epro.describe(findings, language)


def submission_lines(submission: ProSubmission, language: str) -> list[tuple[str, str, str]]:
    lang = language if language in ("en", "ko") else "en"
    rows = []
    for key, value in sorted(submission.answers.items()):
        item, attr = key.split(".", 1)
        if item in epro.ITEM_NAMES and attr in epro.SCALES:
            rows.append(
                (
                    epro.ITEM_NAMES[item][lang],
                    epro.ATTRIBUTE_NAMES[attr][lang],
                    epro.SCALES[attr][lang][int(value)],
                )
            )
    return rows


def holder_choices(patient: Patient) -> list[tuple[str, str]]:
    from django.utils.translation import gettext as _

    choices = [("patient", str(_("The patient")) + f" ({patient.name_ko})")]
    choices += [
        (f"guardian:{g.pk}", f"{g.name_ko} ({g.get_relationship_display()})")
        for g in patient.guardians.all()
    ]
    return choices


def accounts_of(patient: Patient) -> list[dict[str, Any]]:
    accounts = PortalAccount.objects.filter(grants__patient=patient).distinct().order_by("id")
    return [
        {"account": a, "status": a.get_status_display(), "kind": a.get_kind_display()}
        for a in accounts
    ]


LIVE_RESULT = (ResultStatus.FINAL, ResultStatus.CORRECTED)
RESULTS_SHOWN = 200


def released_results(patient: Patient, limit: int = RESULTS_SHOWN) -> list[LabResult]:
    """What the portal shows: results the team released, still current (one query)."""
    return list(
        LabResult.objects.filter(
            patient=patient, status__in=LIVE_RESULT, portal_release__isnull=False
        )
        .select_related("analyte", "portal_release")
        .order_by("-collected_at", "-id")[:limit]
    )


def releasable_results(patient: Patient, limit: int = 100) -> list[LabResult]:
    """For the staff release page: the patient's current results, newest first, each with its
    release if any (one query)."""
    return list(
        LabResult.objects.filter(patient=patient, status__in=LIVE_RESULT)
        .select_related("analyte", "portal_release__released_by")
        .order_by("-collected_at", "-id")[:limit]
    )


def result_range(result: LabResult) -> str:
    """The reference range as printed: "3.5-5.1", "< 5", "> 60", or "" without one."""

    def fmt(v: Any) -> str:
        return f"{v.normalize():f}"

    if result.ref_low is not None and result.ref_high is not None:
        return f"{fmt(result.ref_low)}-{fmt(result.ref_high)}"
    if result.ref_high is not None:
        return f"< {fmt(result.ref_high)}"
    if result.ref_low is not None:
        return f"> {fmt(result.ref_low)}"
    return ""


def result_value(result: LabResult) -> str:
    if result.value is None:
        return result.text_value
    return f"{result.value:.{result.analyte.decimals}f}"


def discharge_releases(patient: Patient) -> list[DocumentRelease]:
    """The patient's released discharge summaries, newest stay first (one query)."""
    return list(
        DocumentRelease.objects.filter(patient=patient, kind=DocumentKind.DISCHARGE)
        .select_related("admission")
        .order_by("-admission__admitted_at", "-id")
    )


def can_set_sharing(account: PortalAccount, patient: Patient) -> bool:
    """The adolescent's own account (14 to 18) may choose what guardians see."""
    from django.utils import timezone

    from oncocenter.portal.services import ADOLESCENT_OWN_ACCESS_AGE, ADULT_AGE

    if account.kind != "patient":
        return False
    age = patient.age_on(timezone.localdate())
    return (
        ADOLESCENT_OWN_ACCESS_AGE <= age < ADULT_AGE
        and PortalGrant.objects.filter(
            account=account, patient=patient, relation="self", revoked_at__isnull=True
        ).exists()
    )


def discharged_admissions(patient: Patient, limit: int = 20) -> list[Admission]:
    """For the staff release page: the patient's finished stays, each with its release if any."""
    return list(
        Admission.objects.filter(patient=patient, status=AdmissionStatus.DISCHARGED)
        .select_related("bed__ward")
        .prefetch_related("portal_releases")
        .order_by("-admitted_at")[:limit]
    )
