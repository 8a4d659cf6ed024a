"""Reads of the support area: day counts, ranked waitlist, summaries, reports.

Other areas read the child's sedation need through ``patient_needs_anesthesia`` (RT booking maps
it to the scheduler's ``anesthesia`` flag).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language

from oncocenter.support import calc, vocab
from oncocenter.support.models import (
    AidApplication,
    AidStatus,
    BodyMeasurement,
    HSCTEpisode,
    HSCTStatus,
    PediatricProfile,
    SchoolAttendance,
    SchoolEnrollment,
    ShelterRoom,
    ShelterStay,
    ShelterWaitlistEntry,
    SocialCase,
    StayStatus,
    WaitlistStatus,
)

PEDIATRIC_AGE_LIMIT = 20  # ICCC-3 applies to patients diagnosed before 20.


# ============================================================================ pediatric profile
def patient_needs_anesthesia(patient: Any) -> bool:
    """True when the child's profile says sedation/anesthesia is required (RT booking flag)."""
    return PediatricProfile.objects.filter(patient=patient, sedation_required=True).exists()


def patients_needing_anesthesia(patient_ids: list[int]) -> set[int]:
    """Bulk form for the scheduler adapter: ids of the given patients who need sedation."""
    return set(
        PediatricProfile.objects.filter(
            patient_id__in=patient_ids, sedation_required=True
        ).values_list("patient_id", flat=True)
    )


def latest_measurement(patient: Any) -> BodyMeasurement | None:
    return BodyMeasurement.objects.filter(patient=patient).order_by("-measured_on", "-id").first()


def childhood_diagnoses(patient: Any) -> list[dict[str, Any]]:
    """Diagnoses made before age 20 with their ICCC-3 group (from the clinical app, if present)."""
    try:
        Diagnosis = apps.get_model("oncology", "Diagnosis")
    except LookupError:
        return []
    field_names = {f.name for f in Diagnosis._meta.get_fields()}
    rows = []
    for d in Diagnosis.objects.filter(patient=patient).order_by("-diagnosed_on", "-pk"):
        diagnosed_on = getattr(d, "diagnosed_on", None)
        if diagnosed_on and patient.age_on(diagnosed_on) >= PEDIATRIC_AGE_LIMIT:
            continue
        group = getattr(d, "iccc_group", "") if "iccc_group" in field_names else ""
        rows.append(
            {
                "obj": d,
                "text": str(d),
                "icd10_code": getattr(d, "icd10_code", ""),
                "diagnosed_on": diagnosed_on,
                "iccc_group": group or "",
                "iccc_label": iccc_label(group),
            }
        )
    return rows


def latest_lansky(patient: Any) -> dict[str, Any] | None:
    """Most recent Lansky score from the clinical app's performance status, with its text."""
    try:
        PerformanceStatus = apps.get_model("oncology", "PerformanceStatus")
    except LookupError:
        return None
    names = {f.name for f in PerformanceStatus._meta.get_fields()}
    qs = PerformanceStatus.objects.filter(patient=patient)
    if "scale" in names:
        qs = qs.filter(scale__icontains="lansky")
    date_field = next(
        (n for n in ("observed_on", "assessed_on", "recorded_on") if n in names), None
    )
    if date_field:
        qs = qs.order_by(f"-{date_field}", "-pk")
    ps = qs.first()
    if ps is None:
        return None
    score = next((getattr(ps, n) for n in ("score", "value") if n in names), None)
    try:
        text = calc.lansky_description(int(score))  # type: ignore[arg-type]
    except (TypeError, ValueError, calc.SupportRuleError):
        text = ""
    return {"score": score, "text": text, "on": getattr(ps, date_field) if date_field else None}


ICCC_GROUPS = {
    "I": "Leukemias, myeloproliferative and myelodysplastic diseases",
    "II": "Lymphomas and reticuloendothelial neoplasms",
    "III": "CNS and miscellaneous intracranial and intraspinal neoplasms",
    "IV": "Neuroblastoma and other peripheral nervous cell tumors",
    "V": "Retinoblastoma",
    "VI": "Renal tumors",
    "VII": "Hepatic tumors",
    "VIII": "Malignant bone tumors",
    "IX": "Soft tissue and other extraosseous sarcomas",
    "X": "Germ cell tumors, trophoblastic tumors and neoplasms of gonads",
    "XI": "Other malignant epithelial neoplasms and melanomas",
    "XII": "Other and unspecified malignant neoplasms",
}
ROMAN = list(ICCC_GROUPS)


def iccc_main_group(code: str | None) -> str:
    """'IIIb', 'III(b)', 'III.b' or 'III' -> 'III'; anything else -> ''."""
    if not code:
        return ""
    head = "".join(ch for ch in str(code).split()[0] if ch in "IVX")
    return head if head in ICCC_GROUPS else ""


def iccc_label(code: str | None) -> str:
    main = iccc_main_group(code)
    return f"{main} {ICCC_GROUPS[main]}" if main else ""


def admitted_on(patient: Any, on: dt.date) -> bool | None:
    """Whether the child was an inpatient on that day (clinics admissions); None if unknown."""
    try:
        Admission = apps.get_model("clinics", "Admission")  # type: ignore[misc]
    except LookupError:
        return None
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(on, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    return (
        Admission.objects.filter(patient=patient, admitted_at__lt=end)
        .filter(Q(discharged_at__isnull=True) | Q(discharged_at__gte=start))
        .exclude(status="entered-in-error")
        .exists()
    )


# ============================================================================ HSCT
@dataclass(frozen=True)
class HSCTDayView:
    episode: HSCTEpisode
    day: int | None
    label: str
    engraftment_day: int | None
    acute_grade: int | None
    chronic_severity: str | None


def hsct_day_view(episode: HSCTEpisode, on: dt.date) -> HSCTDayView:
    day = calc.hsct_day(episode.day0, on) if episode.day0 else None
    engraft = (
        calc.hsct_day(episode.day0, episode.neutrophil_engraftment_on)
        if episode.day0 and episode.neutrophil_engraftment_on
        else None
    )
    acute: dict[str, int] = {}
    chronic: dict[str, int] = {}
    for g in episode.gvhd_entries.all():
        if g.observed_on <= on:
            (acute if g.kind == "acute" else chronic)[g.organ] = g.stage
    acute_grade = (
        calc.magic_overall_grade(
            skin=acute.get("skin", 0),
            liver=acute.get("liver", 0),
            upper_gi=acute.get("upper_gi", 0),
            lower_gi=acute.get("lower_gi", 0),
        )
        if acute
        else None
    )
    chronic_sev = calc.nih_global_severity(chronic) if chronic else None
    return HSCTDayView(
        episode=episode,
        day=day,
        label=calc.format_hsct_day(day) if day is not None else "",
        engraftment_day=engraft,
        acute_grade=acute_grade,
        chronic_severity=chronic_sev,
    )


def hsct_active_episodes(on: dt.date) -> list[HSCTDayView]:
    """Episodes in conditioning or awaiting/after engraftment, for the transplant worklist."""
    qs = (
        HSCTEpisode.objects.filter(
            status__in=[HSCTStatus.CONDITIONING, HSCTStatus.INFUSED, HSCTStatus.ENGRAFTED]
        )
        .select_related("patient")
        .prefetch_related("gvhd_entries")
        .order_by("day0")
    )
    return [hsct_day_view(e, on) for e in qs]


# ============================================================================ shelter
def shelter_weights() -> calc.RankingWeights:
    """Weights from the setting ONCOCENTER_SHELTER_WEIGHTS (a dict) or the data file."""
    custom = getattr(settings, "ONCOCENTER_SHELTER_WEIGHTS", None)
    return calc.RankingWeights(**custom) if custom else calc.RankingWeights.from_data()


def waitlist_ranked(weights: calc.RankingWeights | None = None) -> list[dict[str, Any]]:
    entries = {
        e.pk: e
        for e in ShelterWaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).select_related(
            "patient"
        )
    }
    ranked = calc.rank_waitlist(
        [
            calc.WaitlistCandidate(
                key=e.pk,
                distance_km=float(e.distance_km),
                financial_need=e.financial_need,
                treatment_intensity=e.treatment_intensity,
                requested_on=e.requested_on,
            )
            for e in entries.values()
        ],
        weights or shelter_weights(),
        lang=(get_language() or "en")[:2],
    )
    return [
        {"entry": entries[r.key], "rank": r.rank, "score": r.score, "reasons": r.reasons}
        for r in ranked
    ]


def room_occupancy(on: dt.date) -> list[dict[str, Any]]:
    """Every room with the stay covering the night of ``on`` (or None)."""
    stays = {
        s.room_id: s
        for s in ShelterStay.objects.filter(check_in__lte=on)
        .filter(Q(check_out__isnull=True) | Q(check_out__gt=on))
        .exclude(status=StayStatus.CANCELLED)
        .select_related("patient")
    }
    return [
        {"room": r, "stay": stays.get(r.pk)}
        for r in ShelterRoom.objects.filter(active=True).select_related("house")
    ]


# ============================================================================ aid
def family_aid_summary(patient: Any) -> dict[str, Any]:
    """Support received by the child's family: per organisation and in total (won)."""
    apps_qs = AidApplication.objects.filter(patient=patient).select_related("organisation")
    by_org: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"requested": Decimal(0), "granted": Decimal(0), "applications": 0}
    )
    total_req = total_granted = Decimal(0)
    status_counts: Counter[str] = Counter()
    for a in apps_qs:
        row = by_org[a.organisation.name]
        row["applications"] += 1
        row["requested"] += a.amount_requested
        status_counts[a.status] += 1
        total_req += a.amount_requested
        if a.status in (AidStatus.GRANTED, AidStatus.DISBURSED) and a.amount_granted:
            row["granted"] += a.amount_granted
            total_granted += a.amount_granted
    return {
        "by_organisation": dict(by_org),
        "total_requested": total_req,
        "total_granted": total_granted,
        "status_counts": dict(status_counts),
        "applications": list(apps_qs),
    }


# ============================================================================ social work
def caseload() -> list[dict[str, Any]]:
    """Open cases per social worker."""
    rows = (
        SocialCase.objects.filter(closed_on__isnull=True)
        .values("social_worker_id", "social_worker__username")
        .annotate(open_cases=Count("id"))
        .order_by("-open_cases", "social_worker__username")
    )
    return [dict(r) for r in rows]


# ============================================================================ reports
def report_cases_by_iccc(years: int = 5, until: dt.date | None = None) -> dict[str, Any]:
    """New childhood cancer diagnoses per year (diagnosed before 20) by ICCC-3 main group."""
    until = until or dt.date.today()  # noqa: DTZ011 - a calendar year, not an instant
    first = until.year - years + 1
    year_list = list(range(first, until.year + 1))
    table = {g: [0] * len(year_list) for g in ROMAN}
    try:
        Diagnosis = apps.get_model("oncology", "Diagnosis")
    except LookupError:
        return {"years": year_list, "groups": table}
    names = {f.name for f in Diagnosis._meta.get_fields()}
    if "iccc_group" not in names:
        return {"years": year_list, "groups": table}
    qs = Diagnosis.objects.filter(
        diagnosed_on__year__gte=first, diagnosed_on__year__lte=until.year
    ).exclude(Q(iccc_group__isnull=True) | Q(iccc_group=""))
    if "verification_status" in names:
        qs = qs.exclude(verification_status="entered-in-error")
    if "is_primary" in names:
        qs = qs.filter(is_primary=True)
    for group, on in qs.values_list("iccc_group", "diagnosed_on"):
        main = iccc_main_group(group)
        if main:
            table[main][on.year - first] += 1
    return {"years": year_list, "groups": table}


def report_service_use(years: int = 5, until: dt.date | None = None) -> dict[str, Any]:
    """Per year: children enrolled in school, with aid granted (and won), families housed."""
    until = until or dt.date.today()  # noqa: DTZ011 - a calendar year, not an instant
    first = until.year - years + 1
    year_list = list(range(first, until.year + 1))
    school = [
        SchoolEnrollment.objects.filter(enrolled_on__year=y).values("patient").distinct().count()
        for y in year_list
    ]
    attendance_days = [
        SchoolAttendance.objects.filter(on__year=y, status="present").count() for y in year_list
    ]
    granted_qs = AidApplication.objects.filter(status__in=[AidStatus.GRANTED, AidStatus.DISBURSED])
    aid = [
        granted_qs.filter(decided_on__year=y).values("patient").distinct().count()
        for y in year_list
    ]
    aid_amount = [
        granted_qs.filter(decided_on__year=y).aggregate(s=Sum("amount_granted"))["s"] or Decimal(0)
        for y in year_list
    ]
    shelter = [
        ShelterStay.objects.exclude(status=StayStatus.CANCELLED)
        .filter(check_in__year=y)
        .values("patient")
        .distinct()
        .count()
        for y in year_list
    ]
    nights = []
    for y in year_list:
        start, end = dt.date(y, 1, 1), dt.date(y + 1, 1, 1)
        total = 0
        for s in (
            ShelterStay.objects.exclude(status=StayStatus.CANCELLED)
            .filter(check_in__lt=end)
            .filter(Q(check_out__isnull=True) | Q(check_out__gt=start))
        ):
            a = max(s.check_in, start)
            b = min(s.check_out or min(until + dt.timedelta(days=1), end), end)
            total += max((b - a).days, 0)
        nights.append(total)
    return {
        "years": year_list,
        "school_children": school,
        "school_days_present": attendance_days,
        "aid_families": aid,
        "aid_amount": aid_amount,
        "shelter_families": shelter,
        "shelter_nights": nights,
    }


def social_domains() -> list[dict[str, Any]]:
    return vocab.social_work_domains()
