"""The de-identified research dataset: a cohort by diagnosis and dates, with RT courses, doses and
fractions, on-treatment toxicity, follow-up events, disease status and death.

De-identification: no name, MRN, resident number, contact or free text leaves; each patient gets
a pseudonym (HMAC of the MRN under a key drawn for this export, so two exports cannot be linked);
every date becomes a number of days from the diagnosis; ages over 89 are written 90. Written as
CSV and Parquet, one file per table, with the data dictionary (`DICTIONARY`) beside them. One
query per table, whatever the cohort size.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django_tasks import task

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.permissions import require
from oncocenter.followup.models import FollowUpEvent
from oncocenter.oncology.models import Diagnosis, DiseaseStatus, TnmStaging
from oncocenter.radiotherapy.models import Prescription, ToxicityGrade


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | integer | number | boolean
    description: str


DICTIONARY: dict[str, list[Column]] = {
    "cohort": [
        Column(
            "pid",
            "string",
            "Pseudonym of the patient in this export (not linkable to other exports)",
        ),
        Column(
            "diagnosis",
            "integer",
            "Number of the diagnosis within the patient (1 = earliest in the cohort)",
        ),
        Column("sex", "string", "Administrative sex: male, female, other, unknown"),
        Column(
            "age_at_diagnosis", "integer", "Age in whole years at diagnosis; 90 means 90 or older"
        ),
        Column("diagnosis_year", "integer", "Calendar year of diagnosis"),
        Column("icd10", "string", "ICD-10 (WHO) code of the diagnosis"),
        Column("icdo3_topography", "string", "ICD-O-3 topography"),
        Column("icdo3_morphology", "string", "ICD-O-3 morphology with behaviour"),
        Column("laterality", "string", "left, right, bilateral, midline, not-applicable, unknown"),
        Column("primary", "boolean", "True for a primary cancer, false for a secondary one"),
        Column(
            "stage_group", "string", "AJCC 8th stage group of the latest staging (empty if none)"
        ),
        Column("stage_classification", "string", "clinical or pathological (latest staging)"),
        Column("vital_status", "string", "dead, or alive (alive or not known to have died)"),
        Column("days_to_death", "integer", "Days from diagnosis to death (empty if alive)"),
    ],
    "courses": [
        Column("pid", "string", "Patient pseudonym"),
        Column("course", "integer", "RT course number of the patient"),
        Column("intent", "string", "curative, palliative, prophylactic"),
        Column("course_status", "string", "planned, active, completed, stopped"),
        Column("technique", "string", "3D, IMRT, VMAT, SBRT, SRS, ELECTRON, HDR"),
        Column("dose_per_fraction_gy", "number", "Prescribed dose per fraction (Gy)"),
        Column("fractions_prescribed", "integer", "Fractions prescribed"),
        Column("total_dose_gy", "number", "Prescribed total dose (Gy)"),
        Column("fractions_delivered", "integer", "Fractions delivered (record and verify count)"),
        Column("dose_delivered_gy", "number", "fractions_delivered x dose_per_fraction_gy"),
        Column(
            "start_day", "integer", "Days from diagnosis to the course start (empty if not started)"
        ),
        Column("end_day", "integer", "Days from diagnosis to the course end (empty if not ended)"),
    ],
    "toxicity": [
        Column("pid", "string", "Patient pseudonym"),
        Column("course", "integer", "RT course number"),
        Column("day", "integer", "Days from diagnosis to the weekly review"),
        Column("term", "string", "CTCAE v5 term code"),
        Column("grade", "integer", "CTCAE v5 grade 0-5"),
    ],
    "events": [
        Column("pid", "string", "Patient pseudonym"),
        Column("event_type", "string", "complication, recurrence, progression, second-primary"),
        Column("day", "integer", "Days from diagnosis to the event"),
        Column("grade", "integer", "CTCAE v5 grade 1-5 for complications (empty otherwise)"),
    ],
    "disease_status": [
        Column("pid", "string", "Patient pseudonym"),
        Column(
            "status",
            "string",
            "no-evidence, responding, stable, progressing, remission, relapse, undetermined",
        ),
        Column("day", "integer", "Days from diagnosis to the assessment"),
    ],
}


def _days(start: dt.date, day: dt.date | None) -> int | None:
    return (day - start).days if day is not None else None


def build(
    *,
    icd10_prefix: str = "",
    diagnosed_from: dt.date | None = None,
    diagnosed_to: dt.date | None = None,
    treated_with: str = "",
    key: bytes | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The tables of the cohort (diagnoses with an ICD-10 code starting `icd10_prefix`,
    diagnosed between the dates, and with an RT course of technique `treated_with` if given)."""
    key = key or secrets.token_bytes(32)
    qs = Diagnosis.objects.select_related("patient").exclude(verification_status="entered-in-error")
    if icd10_prefix:
        qs = qs.filter(icd10_code__startswith=icd10_prefix)
    if diagnosed_from:
        qs = qs.filter(diagnosed_on__gte=diagnosed_from)
    if diagnosed_to:
        qs = qs.filter(diagnosed_on__lte=diagnosed_to)
    if treated_with:
        qs = qs.filter(patient__rt_courses__prescriptions__technique=treated_with).distinct()
    qs = qs.prefetch_related(
        Prefetch("stagings", queryset=TnmStaging.objects.order_by("staged_on", "pk"))
    ).order_by("patient_id", "diagnosed_on", "pk")
    diagnoses = list(qs)
    first: dict[int, dt.date] = {}
    pid: dict[int, str] = {}
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in DICTIONARY}
    counter: dict[int, int] = {}
    for d in diagnoses:
        p = d.patient
        if p.pk not in pid:
            pid[p.pk] = "R" + hmac.new(key, p.mrn.encode(), hashlib.sha256).hexdigest()[:12]
            first[p.pk] = d.diagnosed_on
        counter[p.pk] = counter.get(p.pk, 0) + 1
        stagings = list(d.stagings.all())
        latest = stagings[-1] if stagings else None
        tables["cohort"].append(
            {
                "pid": pid[p.pk],
                "diagnosis": counter[p.pk],
                "sex": p.sex,
                "age_at_diagnosis": min(p.age_on(d.diagnosed_on), 90),
                "diagnosis_year": d.diagnosed_on.year,
                "icd10": d.icd10_code,
                "icdo3_topography": d.icdo3_topography,
                "icdo3_morphology": d.icdo3_morphology,
                "laterality": d.laterality,
                "primary": d.is_primary,
                "stage_group": latest.stage_group if latest else "",
                "stage_classification": latest.classification if latest else "",
                "vital_status": "dead" if p.deceased_on else "alive",
                "days_to_death": _days(d.diagnosed_on, p.deceased_on),
            }
        )
    ids = list(pid)
    for rx in (
        Prescription.objects.filter(course__patient_id__in=ids)
        .exclude(course__status="entered-in-error")
        .select_related("course")
        .order_by("course__patient_id", "course__number", "pk")
    ):
        c = rx.course
        start = first[c.patient_id]
        tables["courses"].append(
            {
                "pid": pid[c.patient_id],
                "course": c.number,
                "intent": rx.intent,
                "course_status": c.status,
                "technique": rx.technique,
                "dose_per_fraction_gy": float(rx.dose_per_fraction_gy),
                "fractions_prescribed": rx.number_of_fractions,
                "total_dose_gy": float(rx.total_dose_gy),
                "fractions_delivered": rx.fractions_delivered,
                "dose_delivered_gy": round(
                    float(rx.dose_per_fraction_gy) * rx.fractions_delivered, 3
                ),
                "start_day": _days(start, c.started_on),
                "end_day": _days(start, c.ended_on),
            }
        )
    for g in (
        ToxicityGrade.objects.filter(review__course__patient_id__in=ids)
        .select_related("review__course", "term")
        .order_by("review__course__patient_id", "review__reviewed_on", "pk")
    ):
        c = g.review.course
        tables["toxicity"].append(
            {
                "pid": pid[c.patient_id],
                "course": c.number,
                "day": _days(first[c.patient_id], g.review.reviewed_on),
                "term": g.term.code,
                "grade": g.grade,
            }
        )
    for e in FollowUpEvent.objects.filter(patient_id__in=ids).order_by(
        "patient_id", "occurred_on", "pk"
    ):
        tables["events"].append(
            {
                "pid": pid[e.patient_id],
                "event_type": e.event_type,
                "day": _days(first[e.patient_id], e.occurred_on),
                "grade": e.grade,
            }
        )
    for s in DiseaseStatus.objects.filter(patient_id__in=ids).order_by(
        "patient_id", "observed_on", "pk"
    ):
        tables["disease_status"].append(
            {
                "pid": pid[s.patient_id],
                "status": s.status,
                "day": _days(first[s.patient_id], s.observed_on),
            }
        )
    return tables


_ARROW = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool_"}


def write(tables: dict[str, list[dict[str, Any]]], out_dir: Path) -> list[Path]:
    """One CSV and one Parquet file per table, and the dictionary in both formats."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    dictionary = [
        {"table": t, "column": c.name, "type": c.type, "description": c.description}
        for t, cols in DICTIONARY.items()
        for c in cols
    ]
    for name, rows in [*tables.items(), ("dictionary", dictionary)]:
        columns = (
            [c.name for c in DICTIONARY[name]]
            if name in DICTIONARY
            else ["table", "column", "type", "description"]
        )
        types = (
            {c.name: _ARROW[c.type] for c in DICTIONARY[name]}
            if name in DICTIONARY
            else dict.fromkeys(columns, "string")
        )
        csv_path = out_dir / f"{name}.csv"
        with csv_path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        schema = pa.schema([(c, getattr(pa, types[c])()) for c in columns])
        table = pa.Table.from_pylist(rows, schema=schema)
        parquet_path = out_dir / f"{name}.parquet"
        pq.write_table(table, parquet_path)
        written += [csv_path, parquet_path]
    return written


def research_export(
    *,
    by: User,
    icd10_prefix: str = "",
    diagnosed_from: dt.date | None = None,
    diagnosed_to: dt.date | None = None,
    treated_with: str = "",
) -> Path:
    """Build and write the dataset under the data directory's `exports/`; audited as an export."""
    require(by, "research.export")
    tables = build(
        icd10_prefix=icd10_prefix,
        diagnosed_from=diagnosed_from,
        diagnosed_to=diagnosed_to,
        treated_with=treated_with,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    out = Path(settings.DATA_DIR) / "exports" / f"research-{stamp}-{secrets.token_hex(3)}"
    write(tables, out)
    audit_record(
        action=AuditAction.EXPORT,
        object_type="interop.research_dataset",
        object_id=out.name,
        actor=by,
        detail={
            "icd10_prefix": icd10_prefix,
            "from": diagnosed_from.isoformat() if diagnosed_from else "",
            "to": diagnosed_to.isoformat() if diagnosed_to else "",
            "treated_with": treated_with,
            "rows": {k: len(v) for k, v in tables.items()},
        },
    )
    return out


@task(queue_name="exports")
def research_export_task(
    user_id: int,
    icd10_prefix: str = "",
    diagnosed_from: str = "",
    diagnosed_to: str = "",
    treated_with: str = "",
) -> str:
    """The export as a background job; returns the folder written."""
    user = User.objects.get(pk=user_id)
    out = research_export(
        by=user,
        icd10_prefix=icd10_prefix,
        diagnosed_from=dt.date.fromisoformat(diagnosed_from) if diagnosed_from else None,
        diagnosed_to=dt.date.fromisoformat(diagnosed_to) if diagnosed_to else None,
        treated_with=treated_with,
    )
    return str(out)
