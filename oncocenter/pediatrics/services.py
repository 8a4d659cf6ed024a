"""Writes of the pediatric record: sedation flag, measurements with BSA, HSCT episodes.

Each service checks its rules, then writes and audits atomically. Rules come from ``calc`` (pure
Python) and are turned into the project's typed errors here (``ValidationFailed``, 422, names the
field). An HSCT episode appears on the treatment timeline through the oncology services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import ValidationFailed
from oncocenter.oncology.services import (
    UNCHANGED,
    treatment_episode_create,
    treatment_episode_for_source,
    treatment_episode_mark_entered_in_error,
    treatment_episode_update,
)
from oncocenter.patients.models import Patient
from oncocenter.pediatrics import calc, vocab
from oncocenter.pediatrics.checks import (
    choice,
    invalid,
    not_before,
    not_before_birth,
    not_in_future,
    required,
    today,
    translate,
)
from oncocenter.pediatrics.models import (
    BodyMeasurement,
    ComplicationKind,
    GVHDEntry,
    GVHDKind,
    HSCTComplication,
    HSCTEpisode,
    HSCTStatus,
    PediatricProfile,
)
from oncocenter.pediatrics.rules import SupportRuleError

# The treatment-timeline rows of HSCT episodes are keyed "support.hsct:<id>" since before the
# split of the support app; the key is stored data, so it keeps its name.
HSCT_SOURCE = "support.hsct:%s"


# ============================================================================ pediatric profile
@transaction.atomic
def profile_set_sedation(
    *, patient: Patient, by: User, sedation_required: bool, sedation_notes: str = ""
) -> PediatricProfile:
    """Record whether the child needs sedation; RT booking reads it as the anesthesia flag."""
    profile, _created = PediatricProfile.objects.select_for_update().get_or_create(patient=patient)
    before = profile.sedation_required
    profile.sedation_required = bool(sedation_required)
    profile.sedation_notes = (sedation_notes or "").strip()[:300]
    profile.save()
    audit_record(
        action="update",
        obj=profile,
        patient=patient,
        detail={"sedation_required": [before, profile.sedation_required]},
    )
    return profile


@transaction.atomic
def measurement_record(
    *,
    patient: Patient,
    by: User,
    measured_on: dt.date,
    height: float,
    weight: float,
    height_unit: str = "cm",
    weight_unit: str = "kg",
) -> tuple[BodyMeasurement, tuple[str, ...]]:
    """Store height and weight and the Mosteller BSA; returns plausibility warnings too."""
    required("measured_on", measured_on)
    not_before_birth("measured_on", measured_on, patient)
    not_in_future("measured_on", measured_on)
    try:
        age = calc.age_in_years(patient.birth_date, measured_on)
        result = calc.bsa_mosteller(
            height=height,
            weight=weight,
            height_unit=height_unit,
            weight_unit=weight_unit,
            age_years=age,
        )
    except SupportRuleError as exc:
        raise invalid(exc) from None
    m = BodyMeasurement.objects.create(
        patient=patient,
        measured_on=measured_on,
        height_cm=Decimal(str(result.height_cm)),
        weight_kg=Decimal(str(result.weight_kg)),
        bsa_m2=Decimal(str(result.bsa_m2)),
        recorded_by=by,
    )
    audit_record(action="create", obj=m, patient=patient, detail={"bsa_m2": result.bsa_m2})
    return m, tuple(translate(w) for w in result.warnings)


# ============================================================================ HSCT
HSCT_FIELDS = (
    "indication",
    "donor_type",
    "stem_cell_source",
    "hla_match",
    "conditioning_regimen",
    "conditioning_details",
    "conditioning_start",
    "day0",
    "neutrophil_engraftment_on",
    "platelet_engraftment_on",
    "status",
    "notes",
)
# Text fields an API client may send as null: stored as "" (the columns are not nullable).
_TEXT_FIELDS = ("hla_match", "stem_cell_source", "conditioning_regimen", "conditioning_details")


def _hsct_check_vocabulary(e: HSCTEpisode) -> None:
    required("indication", e.indication)
    choice("donor_type", e.donor_type, [d["code"] for d in vocab.donor_types()])
    if e.stem_cell_source:
        choice(
            "stem_cell_source", e.stem_cell_source, [s["code"] for s in vocab.stem_cell_sources()]
        )
    if e.conditioning_regimen:
        choice(
            "conditioning_regimen",
            e.conditioning_regimen,
            [r["code"] for r in vocab.conditioning_regimens()],
        )
    choice("status", e.status, HSCTStatus.values)
    if e.donor_type == "autologous":
        if e.hla_match:
            raise ValidationFailed.single(
                "hla_match", _("does not apply to an autologous transplant"), e.hla_match
            )
    elif e.hla_match:
        try:
            calc.parse_hla_match(e.hla_match)
        except SupportRuleError as exc:
            raise invalid(exc) from None
        e.hla_match = e.hla_match.strip()


def _hsct_check_dates(e: HSCTEpisode) -> None:
    for f in ("conditioning_start", "day0", "neutrophil_engraftment_on", "platelet_engraftment_on"):
        not_before_birth(f, getattr(e, f), e.patient)
    if e.conditioning_start and e.day0 and e.conditioning_start > e.day0:
        raise ValidationFailed.single(
            "conditioning_start",
            _("must not be after day 0 (%(day0)s)") % {"day0": e.day0.isoformat()},
            e.conditioning_start,
        )
    try:
        calc.check_engraftment(day0=e.day0, engraftment_date=e.neutrophil_engraftment_on)
    except SupportRuleError as exc:
        raise invalid(exc) from None
    if e.platelet_engraftment_on and (e.day0 is None or e.platelet_engraftment_on < e.day0):
        raise ValidationFailed.single(
            "platelet_engraftment_on", _("must not be before day 0"), e.platelet_engraftment_on
        )
    if e.status in (HSCTStatus.INFUSED, HSCTStatus.ENGRAFTED) and e.day0 is None:
        raise ValidationFailed.single(
            "day0",
            _("is required when the status is %(status)s") % {"status": e.get_status_display()},
            None,
        )
    if e.status == HSCTStatus.ENGRAFTED and e.neutrophil_engraftment_on is None:
        raise ValidationFailed.single(
            "neutrophil_engraftment_on", _("is required when the status is engrafted"), None
        )


# Why a timeline row stops counting as a treatment (stored with the row, in English like the row).
_WITHDRAWN: dict[str, str] = {
    HSCTStatus.CANCELLED: "HSCT cancelled",
    HSCTStatus.ENTERED_IN_ERROR: "HSCT entered in error",
}


def _sync_treatment_episode(episode: HSCTEpisode, by: User) -> None:
    """Keep the treatment timeline (oncology.TreatmentEpisode, modality hsct) in step.

    The timeline row starts with conditioning (or day 0) once that date has come: a future start
    is not a treatment yet. An edit moves its dates; a cancelled transplant, one entered in
    error, or one whose start is cleared or moved into the future marks its row entered in error
    (it stays for the record, out of every reader's sight).
    """
    source = HSCT_SOURCE % episode.pk
    start = episode.conditioning_start or episode.day0
    existing = treatment_episode_for_source(source)
    donor = dict(vocab.choices(vocab.donor_types())).get(episode.donor_type, episode.donor_type)
    # Stored text: in English whatever the language of the request that wrote it.
    description = f"HSCT ({donor}): {episode.indication}"[:300]
    if start is None or start > today() or episode.status in _WITHDRAWN:
        if existing is not None:
            reason = _WITHDRAWN.get(episode.status) or (
                "HSCT start date removed" if start is None else "HSCT start moved to a future date"
            )
            treatment_episode_mark_entered_in_error(episode=existing, by=by, reason=reason)
        return
    if existing is not None:
        treatment_episode_update(episode=existing, by=by, started_on=start, description=description)
    else:
        treatment_episode_create(
            patient=episode.patient,
            by=by,
            modality="hsct",
            started_on=start,
            description=description,
            source=source,
        )


@transaction.atomic
def hsct_episode_create(
    *,
    patient: Patient,
    by: User,
    indication: str,
    donor_type: str,
    stem_cell_source: str | None = "",
    hla_match: str | None = "",
    conditioning_regimen: str | None = "",
    conditioning_details: str | None = "",
    conditioning_start: dt.date | None = None,
    day0: dt.date | None = None,
    neutrophil_engraftment_on: dt.date | None = None,
    platelet_engraftment_on: dt.date | None = None,
    status: str | None = HSCTStatus.PLANNED,
    notes: str | None = "",
) -> HSCTEpisode:
    """Create an HSCT episode; engraftment not before day 0, HLA only for allogeneic."""
    episode = HSCTEpisode(
        patient=patient,
        indication=indication,
        donor_type=donor_type,
        stem_cell_source=stem_cell_source or "",
        hla_match=hla_match or "",
        conditioning_regimen=conditioning_regimen or "",
        conditioning_details=conditioning_details or "",
        conditioning_start=conditioning_start,
        day0=day0,
        neutrophil_engraftment_on=neutrophil_engraftment_on,
        platelet_engraftment_on=platelet_engraftment_on,
        status=status or HSCTStatus.PLANNED,
        notes=notes or "",
    )
    _hsct_check_vocabulary(episode)
    _hsct_check_dates(episode)
    episode.save()
    _sync_treatment_episode(episode, by)
    audit_record(
        action="create", obj=episode, patient=patient, detail={"donor_type": episode.donor_type}
    )
    return episode


@transaction.atomic
def hsct_episode_update(
    *,
    episode: HSCTEpisode,
    by: User,
    indication: str = UNCHANGED,
    donor_type: str = UNCHANGED,
    stem_cell_source: str | None = UNCHANGED,
    hla_match: str | None = UNCHANGED,
    conditioning_regimen: str | None = UNCHANGED,
    conditioning_details: str | None = UNCHANGED,
    conditioning_start: dt.date | None = UNCHANGED,
    day0: dt.date | None = UNCHANGED,
    neutrophil_engraftment_on: dt.date | None = UNCHANGED,
    platelet_engraftment_on: dt.date | None = UNCHANGED,
    status: str = UNCHANGED,
    notes: str | None = UNCHANGED,
) -> HSCTEpisode:
    """Change an episode (arguments left out are kept); its timeline row follows."""
    given: dict[str, Any] = {
        "indication": indication,
        "donor_type": donor_type,
        "stem_cell_source": stem_cell_source,
        "hla_match": hla_match,
        "conditioning_regimen": conditioning_regimen,
        "conditioning_details": conditioning_details,
        "conditioning_start": conditioning_start,
        "day0": day0,
        "neutrophil_engraftment_on": neutrophil_engraftment_on,
        "platelet_engraftment_on": platelet_engraftment_on,
        "status": status,
        "notes": notes,
    }
    episode = HSCTEpisode.objects.select_for_update().get(pk=episode.pk)
    changed = {}
    for name, value in given.items():
        if value is UNCHANGED:
            continue
        if value is None and (name in _TEXT_FIELDS or name == "notes"):
            value = ""
        if getattr(episode, name) != value:
            changed[name] = [getattr(episode, name), value]
            setattr(episode, name, value)
    _hsct_check_vocabulary(episode)
    _hsct_check_dates(episode)
    episode.save()
    _sync_treatment_episode(episode, by)
    audit_record(action="update", obj=episode, patient=episode.patient, detail={"changed": changed})
    return episode


@transaction.atomic
def gvhd_entry_add(
    *,
    episode: HSCTEpisode,
    by: User,
    kind: str,
    organ: str,
    stage: int,
    observed_on: dt.date,
    notes: str = "",
) -> GVHDEntry:
    """One organ stage (acute, MAGIC) or score (chronic, NIH) on a date after day 0."""
    choice("kind", kind, GVHDKind.values)
    organs = vocab.gvhd()[kind]["organs"]
    choice("organ", organ, [o["code"] for o in organs])
    top = 3 if kind == "chronic" else next(o["max_stage"] for o in organs if o["code"] == organ)
    if not isinstance(stage, int) or not 0 <= stage <= top:
        raise ValidationFailed.single(
            "stage",
            _("must be 0-%(top)s for %(kind)s %(organ)s")
            % {"top": top, "kind": kind, "organ": organ},
            stage,
        )
    required("observed_on", observed_on)
    if episode.day0 is None or observed_on < episode.day0:
        raise ValidationFailed.single(
            "observed_on", _("GVHD is recorded after day 0 (set day 0 first)"), observed_on
        )
    entry = GVHDEntry.objects.create(
        episode=episode, kind=kind, organ=organ, stage=stage, observed_on=observed_on, notes=notes
    )
    audit_record(
        action="create",
        obj=entry,
        patient=episode.patient,
        detail={"kind": kind, "organ": organ, "stage": stage},
    )
    return entry


@transaction.atomic
def hsct_complication_add(
    *,
    episode: HSCTEpisode,
    by: User,
    kind: str,
    onset_on: dt.date,
    grade: int | None = None,
    resolved_on: dt.date | None = None,
    description: str = "",
) -> HSCTComplication:
    """A complication of the transplant (CTCAE grade 1-5 when graded)."""
    choice("kind", kind, ComplicationKind.values)
    required("onset_on", onset_on)
    not_before_birth("onset_on", onset_on, episode.patient)
    if grade is not None and not 1 <= grade <= 5:
        raise ValidationFailed.single("grade", _("CTCAE grade must be 1-5"), grade)
    not_before("resolved_on", resolved_on, earliest=onset_on, what=_("onset"))
    c = HSCTComplication.objects.create(
        episode=episode,
        kind=kind,
        onset_on=onset_on,
        grade=grade,
        resolved_on=resolved_on,
        description=description,
    )
    audit_record(action="create", obj=c, patient=episode.patient, detail={"kind": kind})
    return c
