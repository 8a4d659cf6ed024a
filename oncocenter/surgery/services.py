"""Writes of surgery and response: operations, the postoperative course, complications,
pathology and response assessments.

Each service checks every rule first (collecting all problems, each naming its field), then
writes inside one transaction and audits. Reactions in the apps below (the treatment record,
staging history, follow-up events, nutrition) are written in the same transaction, so an
operation and its treatment episode, or a complication and its follow-up event, are saved
together or not at all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import user_roles
from oncocenter.core.roles import Role
from oncocenter.followup.services import followup_event_record
from oncocenter.mdt.models import Recommendation
from oncocenter.nutrition.models import Milestone
from oncocenter.nutrition.services import milestone_record, nutrition_record_create
from oncocenter.oncology import services as oncology_services
from oncocenter.oncology import staging
from oncocenter.oncology.models import Diagnosis, Modality, TreatmentEpisode
from oncocenter.patients.checks import check_date, check_same_patient
from oncocenter.patients.models import Patient
from oncocenter.surgery import inrc, recist
from oncocenter.surgery.models import (
    Anastomosis,
    Approach,
    ClavienDindo,
    Complication,
    ComplicationKind,
    Criteria,
    Margin,
    Neoadjuvant,
    Operation,
    PathologyReport,
    Procedure,
    Residual,
    ResponseAssessment,
    TargetLesion,
    TrgSystem,
)

TEAM_ROLES = ("assistant", "anesthesiologist", "scrub_nurse", "circulating_nurse", "fellow")

# Clavien-Dindo to the CTCAE grade the follow-up record keeps (I-II as themselves, III, IV, V).
CTCAE_FOR_CD = {"I": 1, "II": 2, "IIIa": 3, "IIIb": 3, "IVa": 4, "IVb": 4, "V": 5}

# ECCG types (Low et al. 2015) per defined complication.
ECCG_TYPES: dict[str, tuple[str, ...]] = {
    ComplicationKind.ANASTOMOTIC_LEAK: ("I", "II", "III"),
    ComplicationKind.CONDUIT_NECROSIS: ("I", "II", "III"),
    ComplicationKind.CHYLE_LEAK: ("IA", "IB", "IIA", "IIB", "IIIA", "IIIB"),
    ComplicationKind.RLN_PALSY: ("IU", "IB", "IIU", "IIB", "IIIU", "IIIB"),
    ComplicationKind.PNEUMONIA: ("ATS",),
}

# Anastomosis each esophagectomy makes by definition.
ANASTOMOSIS_FOR = {
    Procedure.IVOR_LEWIS: Anastomosis.INTRATHORACIC,
    Procedure.MCKEOWN: Anastomosis.CERVICAL,
    Procedure.TRANSHIATAL: Anastomosis.CERVICAL,
}


def _one_of(values: Any) -> str:
    return _("must be one of %(choices)s") % {"choices": ", ".join(str(v) for v in values)}


def _choice(problems: list[FieldProblem], field: str, value: Any, values: Any) -> None:
    if value not in values:
        problems.append(FieldProblem(field, _one_of(values), value))


def _not_before(
    problems: list[FieldProblem], field: str, value: dt.date | None, operation: Operation
) -> None:
    if value is not None and value < operation.operated_on:
        problems.append(
            FieldProblem(
                field,
                _("cannot be before the operation (%(date)s)")
                % {"date": operation.operated_on.isoformat()},
                value.isoformat(),
            )
        )


def _non_negative(problems: list[FieldProblem], field: str, value: int | None) -> None:
    if value is not None and value < 0:
        problems.append(FieldProblem(field, _("cannot be negative"), value))


# --- operations -------------------------------------------------------------------------------


def operation_record(
    *,
    by: User,
    patient: Patient,
    diagnosis: Diagnosis | None,
    procedure: str,
    approach: str,
    operated_on: dt.date | str,
    duration_min: int,
    blood_loss_ml: int,
    residual_tumor: str,
    surgeon: User | None = None,
    anastomosis: str = Anastomosis.NONE,
    nodes_harvested: int | None = None,
    intraoperative_events: str = "",
    feeding_jejunostomy: bool = False,
    team: list[dict[str, str]] | None = None,
    recommendation: Recommendation | None = None,
    neoadjuvant_episode: TreatmentEpisode | None = None,
    neoadjuvant: str = Neoadjuvant.NONE,
) -> Operation:
    """Record an operation on a diagnosed cancer. It appears on the treatment record (modality
    surgery); a feeding jejunostomy becomes the patient's feeding route in nutrition."""
    problems: list[FieldProblem] = []
    surgeon = surgeon or by
    if diagnosis is None:
        problems.append(
            FieldProblem(
                "diagnosis",
                _("is required: an operation is recorded against the patient's cancer diagnosis"),
            )
        )
    check_same_patient(problems, "diagnosis", diagnosis, patient)
    _choice(problems, "procedure", procedure, Procedure.values)
    _choice(problems, "approach", approach, Approach.values)
    _choice(problems, "anastomosis", anastomosis, Anastomosis.values)
    _choice(problems, "residual_tumor", residual_tumor, Residual.values)
    _choice(problems, "neoadjuvant", neoadjuvant, Neoadjuvant.values)
    when = check_date(problems, "operated_on", operated_on, patient)
    if diagnosis is not None and when is not None and when < diagnosis.diagnosed_on:
        problems.append(
            FieldProblem(
                "operated_on",
                _("cannot be before the diagnosis (%(date)s)")
                % {"date": diagnosis.diagnosed_on.isoformat()},
                when.isoformat(),
            )
        )
    if duration_min is None or duration_min <= 0:
        problems.append(
            FieldProblem("duration_min", _("must be more than 0 minutes"), duration_min)
        )
    elif duration_min > 24 * 60:
        problems.append(FieldProblem("duration_min", _("cannot exceed 24 hours"), duration_min))
    _non_negative(problems, "blood_loss_ml", blood_loss_ml)
    _non_negative(problems, "nodes_harvested", nodes_harvested)
    expected = ANASTOMOSIS_FOR.get(procedure)  # type: ignore[call-overload]
    if expected is not None and anastomosis != expected:
        problems.append(
            FieldProblem(
                "anastomosis",
                _("must be %(expected)s for this procedure")
                % {"expected": Anastomosis(expected).label},
                anastomosis,
            )
        )
    if Role.SURGEON not in user_roles(surgeon):
        problems.append(FieldProblem("surgeon", _("must hold the surgeon role"), surgeon.username))
    clean_team: list[dict[str, str]] = []
    for i, member in enumerate(team or []):
        role, name = str(member.get("role", "")), str(member.get("name", "")).strip()
        if role not in TEAM_ROLES:
            problems.append(FieldProblem(f"team[{i}].role", _one_of(TEAM_ROLES), role))
        if not name:
            problems.append(FieldProblem(f"team[{i}].name", _("is required")))
        clean_team.append({"role": role, "name": name[:80]})
    if recommendation is not None:
        case = recommendation.case
        if case.patient_id != patient.pk:
            problems.append(
                FieldProblem("recommendation", _("belongs to another patient"), recommendation.pk)
            )
        elif "surgery" not in (recommendation.modalities or []):
            problems.append(
                FieldProblem("recommendation", _("does not recommend surgery"), recommendation.pk)
            )
        elif when is not None and case.meeting.held_on > when:
            problems.append(
                FieldProblem(
                    "recommendation", _("was made after the operation date"), recommendation.pk
                )
            )
    if neoadjuvant_episode is not None:
        check_same_patient(problems, "neoadjuvant_episode", neoadjuvant_episode, patient)
        if neoadjuvant_episode.modality == Modality.SURGERY:
            problems.append(
                FieldProblem(
                    "neoadjuvant_episode",
                    _("must be a non-surgical treatment"),
                    neoadjuvant_episode.pk,
                )
            )
        elif neoadjuvant_episode.ended_on is None:
            problems.append(
                FieldProblem(
                    "neoadjuvant_episode",
                    _("has not ended: record its end before the operation"),
                    neoadjuvant_episode.pk,
                )
            )
        elif when is not None and neoadjuvant_episode.ended_on > when:
            problems.append(
                FieldProblem(
                    "neoadjuvant_episode",
                    _("ended after the operation date"),
                    neoadjuvant_episode.pk,
                )
            )
        if neoadjuvant == Neoadjuvant.NONE:
            problems.append(
                FieldProblem(
                    "neoadjuvant",
                    _("must name the kind of the neoadjuvant treatment linked"),
                    neoadjuvant,
                )
            )
    elif neoadjuvant != Neoadjuvant.NONE:
        problems.append(
            FieldProblem(
                "neoadjuvant_episode", _("is required when a neoadjuvant treatment is named")
            )
        )
    if problems:
        raise ValidationFailed(problems, message=_("The operation was not recorded"))
    assert when is not None and diagnosis is not None
    with transaction.atomic():
        op = Operation.objects.create(
            patient=patient,
            diagnosis=diagnosis,
            recommendation=recommendation,
            neoadjuvant_episode=neoadjuvant_episode,
            neoadjuvant=neoadjuvant,
            procedure=procedure,
            approach=approach,
            anastomosis=anastomosis,
            operated_on=when,
            duration_min=duration_min,
            blood_loss_ml=blood_loss_ml,
            nodes_harvested=nodes_harvested,
            intraoperative_events=intraoperative_events.strip(),
            residual_tumor=residual_tumor,
            feeding_jejunostomy=feeding_jejunostomy,
            surgeon=surgeon,
            team=clean_team,
            recorded_by=by,
        )
        op.episode = oncology_services.treatment_episode_create(
            patient=patient,
            by=by,
            modality=Modality.SURGERY,
            started_on=when,
            ended_on=when,
            diagnosis=diagnosis,
            description=f"{op.get_procedure_display()} ({op.get_approach_display()}, {residual_tumor})"[
                :300
            ],
            source=f"surgery.operation:{op.pk}",
        )
        op.save(update_fields=["episode"])
        if feeding_jejunostomy:
            nutrition_record_create(
                by=by,
                patient=patient,
                measured_on=when,
                feeding_route="jejunostomy",
                note=str(_("Feeding jejunostomy placed at operation")),
            )
        audit_record(
            action=AuditAction.CREATE,
            obj=op,
            patient=patient,
            detail={"procedure": procedure, "residual": residual_tumor, "on": when.isoformat()},
        )
    return op


def operation_postop_update(
    *,
    by: User,
    operation: Operation,
    discharged_on: dt.date | None = None,
    icu_days: int | None = None,
    readmitted_30d: bool = False,
    oral_intake_on: dt.date | None = None,
    died_on: dt.date | None = None,
) -> Operation:
    """The postoperative course: discharge, ICU days, readmission, return to oral intake (a
    nutrition milestone) and death (30/90-day mortality). Fields left None are kept."""
    problems: list[FieldProblem] = []
    patient = operation.patient
    for field, value in (
        ("discharged_on", discharged_on),
        ("oral_intake_on", oral_intake_on),
        ("died_on", died_on),
    ):
        if value is not None:
            check_date(problems, field, value, patient)
            _not_before(problems, field, value, operation)
    _non_negative(problems, "icu_days", icu_days)
    discharge = discharged_on or operation.discharged_on
    if (
        icu_days is not None
        and discharge is not None
        and icu_days > (discharge - operation.operated_on).days + 1
    ):
        problems.append(FieldProblem("icu_days", _("cannot exceed the length of stay"), icu_days))
    if readmitted_30d and discharge is None:
        problems.append(FieldProblem("readmitted_30d", _("needs the discharge date")))
    if problems:
        raise ValidationFailed(problems, message=_("The postoperative course was not saved"))
    with transaction.atomic():
        op = Operation.objects.select_for_update().get(pk=operation.pk)
        changed: dict[str, Any] = {}
        updates: tuple[tuple[str, Any], ...] = (
            ("discharged_on", discharged_on),
            ("icu_days", icu_days),
            ("oral_intake_on", oral_intake_on),
            ("died_on", died_on),
        )
        for field, value in updates:
            if value is not None and getattr(op, field) != value:
                setattr(op, field, value)
                changed[field] = str(value)
        if readmitted_30d != op.readmitted_30d:
            op.readmitted_30d = readmitted_30d
            changed["readmitted_30d"] = readmitted_30d
        op.save()
        if (
            oral_intake_on is not None
            and not Milestone.objects.filter(patient=patient, kind="first_oral_intake").exists()
        ):
            milestone_record(
                by=by,
                patient=patient,
                kind="first_oral_intake",
                occurred_on=oral_intake_on,
                note=str(op)[:200],
            )
        audit_record(action=AuditAction.UPDATE, obj=op, patient=patient, detail=changed)
    return op


def complication_record(
    *,
    by: User,
    operation: Operation,
    kind: str,
    clavien_dindo: str,
    occurred_on: dt.date | str,
    eccg_type: str = "",
    description: str = "",
) -> Complication:
    """A postoperative complication (Clavien-Dindo; ECCG type for the five defined kinds). It
    is also a follow-up complication event, graded on the CTCAE scale the follow-up record uses."""
    problems: list[FieldProblem] = []
    _choice(problems, "kind", kind, ComplicationKind.values)
    _choice(problems, "clavien_dindo", clavien_dindo, ClavienDindo.values)
    when = check_date(problems, "occurred_on", occurred_on, operation.patient)
    _not_before(problems, "occurred_on", when, operation)
    types = ECCG_TYPES.get(kind)  # type: ignore[call-overload]
    eccg_type = eccg_type.strip().upper() if eccg_type else ""
    if types is not None and eccg_type not in types:
        problems.append(FieldProblem("eccg_type", _one_of(types), eccg_type or None))
    elif types is None and eccg_type:
        problems.append(
            FieldProblem(
                "eccg_type", _("applies only to the ECCG-defined complications"), eccg_type
            )
        )
    if kind == ComplicationKind.OTHER and not description.strip():
        problems.append(FieldProblem("description", _("is required for another complication")))
    if clavien_dindo == ClavienDindo.V and operation.died_on is None:
        problems.append(
            FieldProblem(
                "clavien_dindo",
                _("grade V (death) needs the date of death in the postoperative course"),
                clavien_dindo,
            )
        )
    if problems:
        raise ValidationFailed(problems, message=_("The complication was not recorded"))
    assert when is not None
    with transaction.atomic():
        c = Complication.objects.create(
            operation=operation,
            operated_on=operation.operated_on,
            kind=kind,
            eccg_type=eccg_type,
            clavien_dindo=clavien_dindo,
            occurred_on=when,
            description=description.strip(),
            recorded_by=by,
        )
        label = ComplicationKind(kind).label
        event = followup_event_record(
            by=by,
            patient=operation.patient,
            event_type="complication",
            occurred_on=when,
            grade=CTCAE_FOR_CD[clavien_dindo],
            description=(
                f"{label} (Clavien-Dindo {clavien_dindo}"
                + (f", ECCG {eccg_type}" if eccg_type else "")
                + f") after {operation.get_procedure_display()}"
            )[:300],
        )
        c.followup_event_id_ref = event.pk
        c.save(update_fields=["followup_event_id_ref"])
        audit_record(
            action=AuditAction.CREATE,
            obj=c,
            patient=operation.patient,
            detail={"kind": kind, "cd": clavien_dindo, "eccg": eccg_type},
        )
    return c


# --- pathology --------------------------------------------------------------------------------

# AJCC 8th esophagus pN by the number of positive regional nodes.
ESOPHAGUS_N = ((0, 0, "N0"), (1, 2, "N1"), (3, 6, "N2"), (7, 10_000, "N3"))


def pathology_record(
    *,
    by: User,
    operation: Operation,
    reported_on: dt.date | str,
    t_category: str,
    n_category: str,
    m_category: str,
    nodes_examined: int,
    nodes_positive: int,
    proximal_margin: str,
    distal_margin: str,
    circumferential_margin: str,
    after_neoadjuvant: bool | None = None,
    closest_margin_mm: Decimal | float | None = None,
    trg_system: str = "",
    trg: int | None = None,
) -> PathologyReport:
    """The resection's pathology: the (y)pTNM goes to the staging history through oncology's AJCC
    8 service; the regression grade only after neoadjuvant therapy; nodes positive <= examined."""
    problems: list[FieldProblem] = []
    patient = operation.patient
    if after_neoadjuvant is None:
        after_neoadjuvant = operation.neoadjuvant != Neoadjuvant.NONE
    when = check_date(problems, "reported_on", reported_on, patient)
    _not_before(problems, "reported_on", when, operation)
    for field, value in (("nodes_examined", nodes_examined), ("nodes_positive", nodes_positive)):
        if value is None:
            problems.append(FieldProblem(field, _("is required")))
        else:
            _non_negative(problems, field, value)
    if (
        nodes_examined is not None
        and nodes_positive is not None
        and nodes_positive > nodes_examined
    ):
        problems.append(
            FieldProblem(
                "nodes_positive",
                _("cannot exceed the nodes examined (%(n)s)") % {"n": nodes_examined},
                nodes_positive,
            )
        )
    for margin, side in (
        ("proximal_margin", proximal_margin),
        ("distal_margin", distal_margin),
        ("circumferential_margin", circumferential_margin),
    ):
        _choice(problems, margin, side, Margin.values)
    margins_positive = Margin.POSITIVE in (proximal_margin, distal_margin, circumferential_margin)
    if margins_positive and operation.residual_tumor == Residual.R0:
        problems.append(
            FieldProblem(
                "proximal_margin",
                _("a positive margin contradicts the operation's R0 resection"),
                "positive",
            )
        )
    if trg_system:
        _choice(problems, "trg_system", trg_system, TrgSystem.values)
        low, high = (1, 5) if trg_system == TrgSystem.MANDARD else (0, 3)
        if not after_neoadjuvant:
            problems.append(
                FieldProblem("trg_system", _("applies only after neoadjuvant therapy"), trg_system)
            )
        if trg is None or not low <= trg <= high:
            problems.append(
                FieldProblem(
                    "trg", _("must be from %(low)s to %(high)s") % {"low": low, "high": high}, trg
                )
            )
    elif trg is not None:
        problems.append(FieldProblem("trg_system", _("is required with a regression grade")))
    site = staging.site_for_icd10(operation.diagnosis.icd10_code)
    n_norm = staging.normalize_category("N", n_category or "")
    if site == "esophagus" and nodes_positive is not None and n_norm not in ("", "NX"):
        expected = next(n for lo, hi, n in ESOPHAGUS_N if lo <= nodes_positive <= hi)
        if n_norm != expected:
            problems.append(
                FieldProblem(
                    "n_category",
                    _("contradicts %(count)s positive nodes (AJCC 8th esophagus: %(n)s)")
                    % {"count": nodes_positive, "n": expected},
                    n_category,
                )
            )
    if PathologyReport.objects.filter(operation=operation).exists():
        raise Conflict(
            _("This operation already has a pathology report."),
            rule="pathology_exists",
            problems=[FieldProblem("operation", _("already reported"), operation.pk)],
        )
    if problems:
        raise ValidationFailed(problems, message=_("The pathology report was not saved"))
    assert when is not None
    with transaction.atomic():
        tnm = oncology_services.staging_record(
            diagnosis=operation.diagnosis,
            by=by,
            classification="pathological",
            t_category=t_category,
            n_category=n_category,
            m_category=m_category,
            staged_on=when,
        )
        report = PathologyReport.objects.create(
            operation=operation,
            reported_on=when,
            after_neoadjuvant=after_neoadjuvant,
            staging=tnm,
            trg_system=trg_system,
            trg=trg if trg_system else None,
            proximal_margin=proximal_margin,
            distal_margin=distal_margin,
            circumferential_margin=circumferential_margin,
            closest_margin_mm=closest_margin_mm,
            nodes_examined=nodes_examined,
            nodes_positive=nodes_positive,
            pathologist=by,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=report,
            patient=patient,
            detail={"tnm": ("y" if after_neoadjuvant else "") + f"p{tnm}", "trg": trg},
        )
    return report


# --- response assessments ---------------------------------------------------------------------


def _decimal(problems: list[FieldProblem], field: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        problems.append(FieldProblem(field, _("must be a number"), value))
        return None
    if not d.is_finite() or d < 0:
        problems.append(FieldProblem(field, _("must be a number of 0 or more"), value))
        return None
    return d.quantize(Decimal("0.1"))


def _recist_message(p: recist.Problem) -> str:
    params = dict(p.params)
    words = {
        "required": _("a baseline needs at least one target lesion"),
        "too_many": _("at most %(max)s target lesions"),
        "per_organ": _("at most 2 target lesions per organ (%(organ)s)"),
        "not_measurable": _("%(label)s is below the measurable size at baseline (%(min)s mm)"),
        "negative": _("cannot be negative"),
        "duplicate": _("%(label)s appears twice"),
        "set_changed": _(
            "the target lesions differ from the baseline (missing: %(missing)s; added: "
            "%(added)s); record a new baseline"
        ),
        "choice": _("unknown non-target response"),
    }
    template = words.get(p.code)
    return template % params if template else p.rule


def _lesions(problems: list[FieldProblem], rows: list[dict[str, Any]]) -> list[recist.Lesion]:
    out = []
    for i, row in enumerate(rows):
        d = _decimal(problems, f"lesions[{i}].diameter_mm", row.get("diameter_mm"))
        if d is None and row.get("diameter_mm") in (None, ""):
            problems.append(FieldProblem(f"lesions[{i}].diameter_mm", _("is required")))
        out.append(
            recist.Lesion(
                label=str(row.get("label", "")).strip()[:40],
                organ=str(row.get("organ", "")).strip()[:40],
                diameter_mm=d if d is not None else Decimal(0),
                is_node=bool(row.get("is_node", False)),
            )
        )
        if not str(row.get("organ", "")).strip():
            problems.append(FieldProblem(f"lesions[{i}].organ", _("is required")))
    return out


def _stored_lesions(assessment: ResponseAssessment) -> list[recist.Lesion]:
    return [
        recist.Lesion(x.label, x.organ, x.diameter_mm, x.is_node) for x in assessment.lesions.all()
    ]


def response_record(
    *,
    by: User,
    patient: Patient,
    diagnosis: Diagnosis | None,
    criteria: str,
    assessed_on: dt.date | str,
    baseline: ResponseAssessment | None = None,
    lesions: list[dict[str, Any]] | None = None,
    non_target: str = recist.NT_NONE,
    new_lesions: bool = False,
    primary_mm: Any = None,
    curie_score: int | None = None,
    marrow_pct: Any = None,
    category: str | None = None,
    note: str = "",
) -> ResponseAssessment:
    """One imaging time point. Without `baseline` it is a new baseline; with one, the response
    is computed from the measurements (a `category` given is checked against it, never stored
    as typed)."""
    problems: list[FieldProblem] = []
    if diagnosis is None:
        problems.append(FieldProblem("diagnosis", _("is required")))
    check_same_patient(problems, "diagnosis", diagnosis, patient)
    _choice(problems, "criteria", criteria, Criteria.values)
    when = check_date(problems, "assessed_on", assessed_on, patient)
    if baseline is not None:
        check_same_patient(problems, "baseline", baseline, patient, label=_("Baseline"))
        if baseline.baseline_id is not None:
            problems.append(
                FieldProblem("baseline", _("is not a baseline assessment"), baseline.pk)
            )
        if baseline.criteria != criteria:
            problems.append(FieldProblem("baseline", _("uses other criteria"), baseline.pk))
        last = (
            baseline.followups.order_by("-assessed_on")
            .values_list("assessed_on", flat=True)
            .first()
        )
        latest = max(d for d in (baseline.assessed_on, last) if d is not None)
        if when is not None and when <= latest:
            problems.append(
                FieldProblem(
                    "assessed_on",
                    _("must be after the latest assessment of this baseline (%(date)s)")
                    % {"date": latest.isoformat()},
                    when.isoformat(),
                )
            )
    fields: dict[str, Any] = {}
    lesion_rows: list[recist.Lesion] = []
    if criteria == Criteria.RECIST:
        lesion_rows = _lesions(problems, lesions or [])
        if not problems:
            try:
                prev = []
                base_lesions = None
                if baseline is not None:
                    base_lesions = _stored_lesions(baseline)
                    prev = [
                        s
                        for s in baseline.followups.values_list("sum_mm", flat=True)
                        if s is not None
                    ]
                r = recist.assess(
                    lesions=lesion_rows,
                    baseline=base_lesions,
                    previous_sums=prev,
                    non_target=non_target,
                    new_lesions=new_lesions,
                )
            except recist.RecistError as exc:
                problems += [FieldProblem(p.field, _recist_message(p)) for p in exc.problems]
            else:
                fields = {
                    "sum_mm": r.sum_mm,
                    "change_from_baseline_pct": r.change_from_baseline_pct,
                    "change_from_nadir_pct": r.change_from_nadir_pct,
                    "target_response": r.target_response or "",
                    "overall_response": r.overall_response or "",
                    "non_target": non_target,
                    "new_lesions": new_lesions,
                }
                if category and baseline is not None and category != r.overall_response:
                    problems.append(
                        FieldProblem(
                            "category",
                            _(
                                "contradicts the measurements: sum %(sum)s mm, %(base)s%% from "
                                "baseline, %(nadir)s%% from nadir give %(computed)s"
                            )
                            % {
                                "sum": r.sum_mm,
                                "base": r.change_from_baseline_pct,
                                "nadir": r.change_from_nadir_pct,
                                "computed": r.overall_response,
                            },
                            category,
                        )
                    )
    elif criteria == Criteria.INRC:
        p_mm = _decimal(problems, "primary_mm", primary_mm)
        m_pct = _decimal(problems, "marrow_pct", marrow_pct)
        if m_pct is not None and m_pct > 100:
            problems.append(FieldProblem("marrow_pct", _("must be from 0 to 100"), marrow_pct))
        if curie_score is not None and not 0 <= curie_score <= inrc.CURIE_MAX:
            problems.append(FieldProblem("curie_score", _("must be from 0 to 30"), curie_score))
        if p_mm is None and curie_score is None and m_pct is None:
            problems.append(FieldProblem("primary_mm", _("enter at least one component")))
        fields = {
            "primary_mm": p_mm,
            "curie_score": curie_score,
            "marrow_pct": m_pct,
            "new_lesions": new_lesions,
        }
        if baseline is not None and not problems:
            c = inrc.assess(
                primary_baseline_mm=baseline.primary_mm,
                primary_mm=p_mm,
                curie_baseline=baseline.curie_score,
                curie=curie_score,
                marrow_baseline_pct=baseline.marrow_pct,
                marrow_pct=m_pct,
                new_lesion=new_lesions,
            )
            missing = [
                f
                for f, base, now in (
                    ("primary_mm", baseline.primary_mm, p_mm),
                    ("curie_score", baseline.curie_score, curie_score),
                    ("marrow_pct", baseline.marrow_pct, m_pct),
                )
                if base is not None and now is None
            ]
            problems += [
                FieldProblem(f, _("was measured at baseline and is required")) for f in missing
            ]
            fields["component_responses"] = {
                "primary": c.primary,
                "bone_mibg": c.bone,
                "marrow": c.marrow,
                "relative_curie": str(c.relative_curie) if c.relative_curie is not None else None,
            }
            fields["overall_response"] = c.overall
            if category and category != c.overall:
                problems.append(
                    FieldProblem(
                        "category",
                        _(
                            "contradicts the measurements: INRC components %(parts)s give %(computed)s"
                        )
                        % {"parts": f"{c.primary}/{c.bone}/{c.marrow}", "computed": c.overall},
                        category,
                    )
                )
    if problems:
        raise ValidationFailed(problems, message=_("The response assessment was not saved"))
    assert when is not None and diagnosis is not None
    with transaction.atomic():
        a = ResponseAssessment.objects.create(
            patient=patient,
            diagnosis=diagnosis,
            criteria=criteria,
            assessed_on=when,
            baseline=baseline,
            note=note.strip()[:300],
            recorded_by=by,
            **fields,
        )
        TargetLesion.objects.bulk_create(
            TargetLesion(
                assessment=a,
                label=x.label,
                organ=x.organ,
                is_node=x.is_node,
                diameter_mm=x.diameter_mm,
            )
            for x in lesion_rows
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=a,
            patient=patient,
            detail={
                "criteria": criteria,
                "response": a.overall_response,
                "baseline": baseline.pk if baseline else None,
            },
        )
    return a
