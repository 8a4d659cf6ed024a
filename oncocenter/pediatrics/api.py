"""JSON API of the pediatric record (mounted at /api/support/, its address before the split of
the support app). Thin: check the permission, parse, call one service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import ValidationFailed
from oncocenter.patients.selectors import patient_get
from oncocenter.patients.services_record import guardian_add
from oncocenter.pediatrics import selectors, services
from oncocenter.pediatrics.lookups import child, row
from oncocenter.pediatrics.models import BodyMeasurement, HSCTEpisode
from oncocenter.pediatrics.schemas import (
    BodyMeasurementIn,
    BodyMeasurementOut,
    GVHDIn,
    HSCTComplicationIn,
    HSCTDayOut,
    HSCTDetailOut,
    HSCTIn,
    HSCTOut,
    HSCTPatch,
    IcccReportOut,
    PediatricGuardianIn,
    PediatricIdOut,
    PediatricOut,
    PediatricServiceUseOut,
    SedationIn,
)

router = Router(tags=["pediatrics"])


def _measurement_out(m: BodyMeasurement, warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "id": m.pk,
        "measured_on": m.measured_on,
        "height_cm": m.height_cm,
        "weight_kg": m.weight_kg,
        "bsa_m2": m.bsa_m2,
        "warnings": list(warnings),
    }


def _report_years(years: int) -> None:
    if not 1 <= years <= 30:
        raise ValidationFailed.single("years", _("must be 1-30"), years)


# ============================================================================ pediatric profile
@router.get("/patients/{mrn}/pediatric", response=PediatricOut)
@permission("pediatric.view")
def pediatric_record(request: HttpRequest, mrn: str) -> dict[str, Any]:
    """Pediatric summary: sedation, latest height/weight/BSA with date, Lansky, ICCC-3 groups."""
    patient = child(mrn, "pediatric")
    profile = getattr(patient, "pediatric_profile", None)
    m = selectors.latest_measurement(patient)
    lansky = selectors.latest_lansky(patient)
    return {
        "mrn": patient.mrn,
        "age_years": patient.age_on(timezone.localdate()),
        "sedation_required": bool(profile and profile.sedation_required),
        "sedation_notes": profile.sedation_notes if profile else "",
        "latest_measurement": _measurement_out(m) if m else None,
        "lansky_score": lansky["score"] if lansky else None,
        "lansky_text": lansky["text"] if lansky else "",
        "diagnoses": [
            {k: d[k] for k in ("text", "icd10_code", "diagnosed_on", "iccc_group", "iccc_label")}
            for d in selectors.childhood_diagnoses(patient)
        ],
    }


@router.put("/patients/{mrn}/sedation", response=PediatricOut)
@permission("pediatric.edit")
def set_sedation(request: HttpRequest, mrn: str, payload: SedationIn) -> dict[str, Any]:
    services.profile_set_sedation(
        patient=patient_get(mrn=mrn, audit=False),
        by=current_user(request),
        sedation_required=payload.sedation_required,
        sedation_notes=payload.sedation_notes,
    )
    return pediatric_record(request, mrn)


@router.post("/patients/{mrn}/measurements", response={201: BodyMeasurementOut})
@permission("pediatric.edit")
def add_measurement(request: HttpRequest, mrn: str, payload: BodyMeasurementIn) -> Status:
    m, warnings = services.measurement_record(
        patient=patient_get(mrn=mrn, audit=False), by=current_user(request), **payload.dict()
    )
    return Status(201, _measurement_out(m, warnings))


@router.post("/patients/{mrn}/guardians", response={201: PediatricIdOut})
@permission("record.edit")
def guardian_register(request: HttpRequest, mrn: str, payload: PediatricGuardianIn) -> Status:
    """Add a guardian; a legal representative must be an adult (the patients app's rule)."""
    guardian = guardian_add(
        patient=patient_get(mrn=mrn, audit=False), by=current_user(request), **payload.dict()
    )
    return Status(201, {"id": guardian.pk})


# ============================================================================ HSCT
@router.get("/patients/{mrn}/hsct", response=list[HSCTOut])
@permission("hsct.view")
def hsct_list(request: HttpRequest, mrn: str) -> list[HSCTEpisode]:
    return list(HSCTEpisode.objects.filter(patient=child(mrn, "hsct")))


@router.post("/patients/{mrn}/hsct", response={201: HSCTOut})
@permission("hsct.edit")
def hsct_create(request: HttpRequest, mrn: str, payload: HSCTIn) -> Status:
    episode = services.hsct_episode_create(
        patient=patient_get(mrn=mrn, audit=False), by=current_user(request), **payload.dict()
    )
    return Status(201, episode)


@router.get("/hsct/{episode_id}", response=HSCTDetailOut)
@permission("hsct.view")
def hsct_read(request: HttpRequest, episode_id: int) -> dict[str, Any]:
    """One episode with its GVHD entries and complications."""
    episode = row(HSCTEpisode, episode_id)
    audit_record(action="read", obj=episode, patient=episode.patient)
    data = HSCTOut.from_orm(episode).dict()
    data["gvhd"] = list(episode.gvhd_entries.all())
    data["complications"] = list(episode.complications.all())
    return data


@router.patch("/hsct/{episode_id}", response=HSCTOut)
@permission("hsct.edit")
def hsct_update(request: HttpRequest, episode_id: int, payload: HSCTPatch) -> HSCTEpisode:
    return services.hsct_episode_update(
        episode=row(HSCTEpisode, episode_id),
        by=current_user(request),
        **payload.dict(exclude_unset=True),
    )


@router.get("/hsct/{episode_id}/day", response=HSCTDayOut)
@permission("hsct.view")
def hsct_day(request: HttpRequest, episode_id: int, on: str | None = None) -> dict[str, Any]:
    """Day count ('day +N') of the episode on a date (today by default), with GVHD grade."""
    episode = row(HSCTEpisode, episode_id)
    audit_record(action="read", obj=episode, patient=episode.patient)
    try:
        day = dt.date.fromisoformat(on) if on else timezone.localdate()
    except ValueError:
        raise ValidationFailed.single("on", _("must be a date YYYY-MM-DD"), on) from None
    v = selectors.hsct_day_view(episode, day)
    return {
        "episode_id": episode.pk,
        "on": day,
        "day": v.day,
        "label": v.label,
        "engraftment_day": v.engraftment_day,
        "acute_gvhd_grade": v.acute_grade,
        "chronic_gvhd_severity": v.chronic_severity,
    }


@router.post("/hsct/{episode_id}/gvhd", response={201: PediatricIdOut})
@permission("hsct.edit")
def hsct_gvhd(request: HttpRequest, episode_id: int, payload: GVHDIn) -> Status:
    entry = services.gvhd_entry_add(
        episode=row(HSCTEpisode, episode_id), by=current_user(request), **payload.dict()
    )
    return Status(201, {"id": entry.pk})


@router.post("/hsct/{episode_id}/complications", response={201: PediatricIdOut})
@permission("hsct.edit")
def hsct_complication(request: HttpRequest, episode_id: int, payload: HSCTComplicationIn) -> Status:
    complication = services.hsct_complication_add(
        episode=row(HSCTEpisode, episode_id), by=current_user(request), **payload.dict()
    )
    return Status(201, {"id": complication.pk})


# ============================================================================ reports
@router.get("/reports/cases-by-iccc", response=IcccReportOut)
@permission("pediatric.reports")
def report_iccc(request: HttpRequest, years: int = 5) -> dict[str, Any]:
    _report_years(years)
    return selectors.report_cases_by_iccc(years=years)


@router.get("/reports/service-use", response=PediatricServiceUseOut)
@permission("pediatric.reports")
def report_service_use(request: HttpRequest, years: int = 5) -> dict[str, Any]:
    _report_years(years)
    return selectors.report_service_use(years=years)
