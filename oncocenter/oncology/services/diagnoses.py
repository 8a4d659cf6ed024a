"""Diagnoses (ICD-10, ICD-O-3, derived ICCC-3), their status, and AJCC 8th TNM staging."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import FieldProblem, ValidationFailed
from oncocenter.oncology import codes, iccc, staging
from oncocenter.oncology.labels import staging_site_label
from oncocenter.oncology.models import (
    ClinicalStatus,
    Diagnosis,
    Laterality,
    StagingClassification,
    TnmStaging,
    VerificationStatus,
)
from oncocenter.oncology.services._checks import check_choice, check_code
from oncocenter.patients.checks import check_date
from oncocenter.patients.models import Patient


def diagnosis_create(
    *,
    patient: Patient,
    by: User,
    icd10_code: str,
    diagnosed_on: dt.date | str,
    icdo3_topography: str = "",
    icdo3_morphology: str = "",
    laterality: str = Laterality.NOT_APPLICABLE,
    is_primary: bool = True,
    histology_text: str = "",
    clinical_status: str = ClinicalStatus.ACTIVE,
    verification_status: str = VerificationStatus.CONFIRMED,
) -> Diagnosis:
    """Record a diagnosis; codes must be in the shipped lists. For a patient under 20 at diagnosis
    the ICCC-3 group is derived from the ICD-O-3 codes."""
    problems: list[FieldProblem] = []
    icd10 = check_code(problems, "icd10_code", codes.ICD10, icd10_code)
    if not icd10_code:
        problems.append(FieldProblem("icd10_code", _("is required")))
    topography = check_code(problems, "icdo3_topography", codes.ICDO3_TOPOGRAPHY, icdo3_topography)
    morphology = check_code(problems, "icdo3_morphology", codes.ICDO3_MORPHOLOGY, icdo3_morphology)
    if icd10.startswith("C") and is_primary and not icd10.startswith(("C77", "C78", "C79")):
        if not icdo3_topography:
            problems.append(FieldProblem("icdo3_topography", _("is required for a primary cancer")))
        if not icdo3_morphology:
            problems.append(FieldProblem("icdo3_morphology", _("is required for a primary cancer")))
    check_choice(problems, "laterality", laterality, Laterality)
    check_choice(problems, "clinical_status", clinical_status, ClinicalStatus)
    check_choice(problems, "verification_status", verification_status, VerificationStatus)
    when = check_date(problems, "diagnosed_on", diagnosed_on, patient)
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    group = subgroup = None
    if topography and morphology and iccc.applies_to_age(patient.age_on(when)):
        derived = iccc.derive(morphology, topography)
        if derived is not None:
            group, subgroup = derived.group, derived.subgroup
    diagnosis = Diagnosis(
        patient=patient,
        icd10_code=icd10,
        icdo3_topography=topography,
        icdo3_morphology=morphology,
        laterality=laterality,
        diagnosed_on=when,
        is_primary=is_primary,
        histology_text=histology_text.strip(),
        iccc_group=group,
        iccc_subgroup=subgroup,
        clinical_status=clinical_status,
        verification_status=verification_status,
        recorded_by=by,
    )
    with transaction.atomic():
        diagnosis.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=diagnosis,
            patient=patient,
            detail={"icd10": icd10, "morphology": morphology, "iccc": subgroup},
        )
    return diagnosis


def diagnosis_set_status(
    *,
    diagnosis: Diagnosis,
    by: User,
    clinical_status: str | None = None,
    verification_status: str | None = None,
) -> Diagnosis:
    """Change the clinical or verification status (e.g. entered in error); the row stays."""
    problems: list[FieldProblem] = []
    if clinical_status is not None:
        check_choice(problems, "clinical_status", clinical_status, ClinicalStatus)
    if verification_status is not None:
        check_choice(problems, "verification_status", verification_status, VerificationStatus)
    if problems:
        raise ValidationFailed(problems)
    changed = {}
    if clinical_status is not None:
        changed["clinical_status"] = diagnosis.clinical_status = clinical_status
    if verification_status is not None:
        changed["verification_status"] = diagnosis.verification_status = verification_status
    with transaction.atomic():
        diagnosis.save()
        audit_record(
            action=AuditAction.UPDATE, obj=diagnosis, patient=diagnosis.patient, detail=changed
        )
    return diagnosis


def _classification_word(classification: str) -> str:
    return {"clinical": _("clinical"), "pathological": _("pathological")}.get(
        classification, classification
    )


def _staging_message(problem: staging.StagingProblem) -> str:
    """The rule a staging problem breaks, in the reader's language (the staging module, pure
    Python, words it in English)."""
    p = dict(problem.params)
    if "site" in p:
        p["site"] = staging_site_label(p["site"])
    if "classification" in p:
        p["classification"] = _classification_word(p["classification"])
    templates = {
        "unknown_site": _("is not a staging site of AJCC 8th here"),
        "classification": _("must be clinical or pathological"),
        "required": _("is required"),
        "not_category": _("is not an AJCC 8th %(axis)s category for %(site)s (%(values)s)"),
        "not_stage_group": _("is not an AJCC 8th stage group for %(site)s"),
        "contradicts": _(
            "contradicts AJCC 8th %(site)s %(classification)s: %(tnm)s is stage %(stage)s"
        ),
        "contradicts_any": _(
            "contradicts AJCC 8th %(site)s %(classification)s: %(tnm)s is stage %(stages)s "
            "(depending on grade/location)"
        ),
        "no_stage_group": _(
            "is impossible: AJCC 8th %(site)s %(classification)s defines no stage group for %(tnm)s"
        ),
        "metastatic_stage": _(
            "is impossible with %(m)s: distant metastasis is stage %(stages)s for %(site)s"
        ),
        "needs_metastasis": _(
            "contradicts stage %(stage)s, which requires distant metastasis (M1) for %(site)s"
        ),
        "stage_requires": _(
            "is impossible with stage %(stage)s for %(site)s (requires %(allowed)s)"
        ),
    }
    template = templates.get(problem.code)
    return template % p if template else problem.rule


def staging_record(
    *,
    diagnosis: Diagnosis,
    by: User,
    classification: str,
    t_category: str,
    n_category: str,
    m_category: str,
    staged_on: dt.date | str,
    stage_group: str = "",
) -> TnmStaging:
    """AJCC 8th TNM for a diagnosis; impossible combinations are rejected by the data tables."""
    problems: list[FieldProblem] = []
    check_choice(problems, "classification", classification, StagingClassification)
    when = check_date(problems, "staged_on", staged_on, diagnosis.patient)
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    if when < diagnosis.diagnosed_on - dt.timedelta(days=90):
        problems.append(
            FieldProblem(
                "staged_on",
                _("is more than 90 days before the diagnosis (%(date)s)")
                % {"date": diagnosis.diagnosed_on.isoformat()},
                when.isoformat(),
            )
        )
    site = staging.site_for_icd10(diagnosis.icd10_code)
    result = staging.evaluate(
        site=site,
        classification=classification,
        t=t_category,
        n=n_category,
        m=m_category,
        stage_group=stage_group,
        morphology=diagnosis.icdo3_morphology or None,
    )
    problems += [FieldProblem(p.field, _staging_message(p), p.value) for p in result.problems]
    if problems:
        raise ValidationFailed(problems, message=_("Impossible or unknown TNM staging"))
    record = TnmStaging(
        diagnosis=diagnosis,
        classification=classification,
        edition=staging.EDITION,
        site=site,
        t_category=result.t,
        n_category=result.n,
        m_category=result.m,
        stage_group=result.stage_group,
        staged_on=when,
        recorded_by=by,
    )
    with transaction.atomic():
        record.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=record,
            patient=diagnosis.patient,
            detail={"tnm": str(record), "site": site},
        )
    return record
