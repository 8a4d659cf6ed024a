"""A Korea Central Cancer Registry style abstract: one record per cancer diagnosed in a year.

Fields follow the registry's abstracting items (ICD-O-3 topography, morphology, behaviour,
grade, laterality, diagnosis date, basis of diagnosis, stage, first course of treatment). Each
record is checked against the field rules in `check_record` (pure); a record that breaks a rule is
not written but listed with the rule, so the registrar fixes the source and exports again.
OncoCenter does not record the histologic grade or the basis of diagnosis: they are written as
9 (unknown), as the registry codes an item not known.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.permissions import require
from oncocenter.oncology.models import Diagnosis, TnmStaging, TreatmentEpisode

FIELDS = [
    ("hospital_id", "MRN of the patient at the reporting hospital"),
    ("sex", "1 male, 2 female, 9 other or unknown"),
    ("birth_date", "YYYYMMDD"),
    ("diagnosis_date", "YYYYMMDD, not before birth, not in the future"),
    ("age_at_diagnosis", "whole years, 0-120"),
    ("topography", "ICD-O-3 topography C00.0-C80.9, written without the dot (e.g. C154)"),
    ("morphology", "ICD-O-3 histology, 4 digits (e.g. 8070)"),
    (
        "behaviour",
        "ICD-O-3 behaviour code: 2 in situ, 3 malignant primary (6 metastatic is not registered)",
    ),
    ("grade", "ICD-O-3 grade 1-4, 9 not determined"),
    (
        "laterality",
        "0 not a paired organ, 1 right, 2 left, 3 one side unknown, 4 bilateral, 5 midline, 9 unknown",
    ),
    ("basis_of_diagnosis", "0 death certificate only ... 7 histology of primary, 9 unknown"),
    ("icd10", "ICD-10 code of the cancer"),
    ("stage", "AJCC 8th stage group of the first staging (empty when not staged)"),
    ("first_treatment", "surgery, chemotherapy, radiotherapy, hsct, immunotherapy, other, none"),
    ("first_treatment_date", "YYYYMMDD of the first treatment (empty when none)"),
]
SEX = {"male": "1", "female": "2"}
LATERALITY = {
    "right": "1",
    "left": "2",
    "bilateral": "4",
    "midline": "5",
    "unknown": "9",
    "not-applicable": "0",
}
TOPOGRAPHY = re.compile(r"^C(\d\d)\.(\d)$")
MORPHOLOGY = re.compile(r"^(\d{4})/(\d)$")
# Paired organs (ICD-O-3 topography, SEER list abbreviated): laterality must be 1-4 or 9 there.
PAIRED = (
    "C07",
    "C08.1",
    "C09",
    "C30.0",
    "C30.1",
    "C31.0",
    "C31.2",
    "C34",
    "C38.4",
    "C40.0",
    "C40.1",
    "C40.2",
    "C40.3",
    "C41.3",
    "C41.4",
    "C44.1",
    "C44.2",
    "C44.3",
    "C44.5",
    "C44.6",
    "C44.7",
    "C47.1",
    "C47.2",
    "C49.1",
    "C49.2",
    "C50",
    "C56",
    "C57.0",
    "C62",
    "C63.0",
    "C63.1",
    "C64",
    "C65",
    "C66",
    "C69",
    "C74",
    "C75.4",
)


@dataclass
class Abstract:
    records: list[dict[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # hospital id, field, rule


def _ymd(d: dt.date | None) -> str:
    return d.strftime("%Y%m%d") if d else ""


def check_record(rec: dict[str, str], *, today: dt.date) -> list[tuple[str, str]]:
    """Every broken field rule of one record as (field, rule)."""
    problems: list[tuple[str, str]] = []
    topo = rec["topography"]
    if not re.fullmatch(r"C\d{3}", topo) or int(topo[1:3]) > 80:
        problems.append(("topography", "must be an ICD-O-3 topography C000-C809"))
    if (
        not re.fullmatch(r"\d{4}", rec["morphology"])
        or not 8000 <= int(rec["morphology"] or 0) <= 9993
    ):
        problems.append(("morphology", "must be 4 digits 8000-9993"))
    if rec["behaviour"] not in ("2", "3"):
        problems.append(
            ("behaviour", "only in situ (2) and malignant primary (3) tumours are registered")
        )
    if rec["grade"] not in ("1", "2", "3", "4", "5", "6", "7", "8", "9"):
        problems.append(("grade", "must be 1-9"))
    if rec["laterality"] not in ("0", "1", "2", "3", "4", "5", "9"):
        problems.append(("laterality", "must be 0-5 or 9"))
    dotted = f"{topo[:3]}.{topo[3:]}" if len(topo) == 4 else topo
    paired = any(dotted.startswith(p) for p in PAIRED)
    if paired and rec["laterality"] == "0":
        problems.append(("laterality", f"{dotted} is a paired organ: code the side (1-4) or 9"))
    if not paired and rec["laterality"] in ("1", "2", "3", "4"):
        problems.append(("laterality", f"{dotted} is not a paired organ: laterality must be 0"))
    try:
        born = dt.datetime.strptime(rec["birth_date"], "%Y%m%d").date()  # noqa: DTZ007
        diagnosed = dt.datetime.strptime(rec["diagnosis_date"], "%Y%m%d").date()  # noqa: DTZ007
    except ValueError:
        problems.append(("diagnosis_date", "birth and diagnosis dates must be YYYYMMDD"))
    else:
        if diagnosed < born:
            problems.append(("diagnosis_date", "is before the birth date"))
        if diagnosed > today:
            problems.append(("diagnosis_date", "is in the future"))
        if (
            rec["first_treatment_date"]
            and rec["first_treatment_date"] < rec["diagnosis_date"][:4] + "0000"
        ):
            problems.append(("first_treatment_date", "is in a year before the diagnosis"))
    if not rec["age_at_diagnosis"].isdigit() or int(rec["age_at_diagnosis"]) > 120:
        problems.append(("age_at_diagnosis", "must be 0-120"))
    return problems


def build(*, year: int, today: dt.date | None = None) -> Abstract:
    today = today or timezone.localdate()
    qs = (
        Diagnosis.objects.select_related("patient")
        .filter(diagnosed_on__year=year, is_primary=True)
        .exclude(verification_status__in=["entered-in-error", "refuted"])
        .prefetch_related(
            Prefetch("stagings", queryset=TnmStaging.objects.order_by("staged_on", "pk")),
            Prefetch(
                "patient__treatment_episodes",
                queryset=TreatmentEpisode.objects.order_by("started_on", "pk"),
                to_attr="episodes",
            ),
        )
        .order_by("diagnosed_on", "pk")
    )
    out = Abstract()
    for d in qs:
        p = d.patient
        topo = TOPOGRAPHY.match(d.icdo3_topography or "")
        morph = MORPHOLOGY.match(d.icdo3_morphology or "")
        stagings = list(d.stagings.all())
        episodes = [e for e in getattr(p, "episodes", []) if e.started_on >= d.diagnosed_on]
        first = episodes[0] if episodes else None
        rec = {
            "hospital_id": p.mrn,
            "sex": SEX.get(p.sex, "9"),
            "birth_date": _ymd(p.birth_date),
            "diagnosis_date": _ymd(d.diagnosed_on),
            "age_at_diagnosis": str(p.age_on(d.diagnosed_on)),
            "topography": f"C{topo.group(1)}{topo.group(2)}"
            if topo
            else (d.icdo3_topography or ""),
            "morphology": morph.group(1) if morph else "",
            "behaviour": morph.group(2) if morph else "",
            "grade": "9",
            "laterality": LATERALITY.get(d.laterality, "9"),
            "basis_of_diagnosis": "9",
            "icd10": d.icd10_code,
            "stage": stagings[0].stage_group if stagings else "",
            "first_treatment": first.modality if first else "none",
            "first_treatment_date": _ymd(first.started_on) if first else "",
        }
        problems = check_record(rec, today=today)
        if problems:
            out.refused += [(p.mrn, f, rule) for f, rule in problems]
        else:
            out.records.append(rec)
    return out


def registry_export(*, by: User, year: int) -> Path:
    """Write `abstract.csv` (valid records) and `refused.csv` (rule, field) under exports/."""
    require(by, "registry.export")
    abstract = build(year=year)
    out = Path(settings.DATA_DIR) / "exports" / f"kccr-{year}-{secrets.token_hex(3)}"
    out.mkdir(parents=True, exist_ok=True)
    with (out / "abstract.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[f for f, _ in FIELDS])
        writer.writeheader()
        writer.writerows(abstract.records)
    with (out / "refused.csv").open("w", newline="", encoding="utf-8") as fh:
        writer2 = csv.writer(fh)
        writer2.writerow(["hospital_id", "field", "rule"])
        writer2.writerows(abstract.refused)
    detail: dict[str, Any] = {
        "year": year,
        "records": len(abstract.records),
        "refused": len(abstract.refused),
    }
    audit_record(
        action=AuditAction.EXPORT,
        object_type="interop.registry_abstract",
        object_id=out.name,
        actor=by,
        detail=detail,
    )
    return out
