"""Writes of laboratory medicine. Each service checks its rules, then writes and audits inside one
transaction; a refusal names the field and the rule and leaves nothing saved.

``lab_result_record`` is the one door for a result, whatever brought it (a person, the CSV import,
the HL7/FHIR feed of the interop app): a coded value (LOINC, value, UCUM unit, reference range,
collected/resulted times, the laboratory's accession). It is idempotent on the accession.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.events import publish
from oncocenter.labs import calc
from oncocenter.labs.events import ResultRecorded, TransfusionGiven
from oncocenter.labs.models import (
    Analyte,
    BloodProduct,
    CriticalAcknowledgement,
    LabOrder,
    LabOrderStatus,
    LabResult,
    ResultSource,
    ResultStatus,
    Transfusion,
    TransfusionStatus,
    ValueType,
)
from oncocenter.patients.models import Center, Patient

Number = Decimal | int | float | str


def _decimal(field_name: str, value: Number | None, *, required: bool = True) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationFailed.single(field_name, _("is required"))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed.single(field_name, _("must be a number"), value) from None
    if not number.is_finite():
        raise ValidationFailed.single(field_name, _("must be a number"), value)
    return number


def _aware(field_name: str, value: dt.datetime | str | None) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value.strip())
        if parsed is None:
            raise ValidationFailed.single(
                field_name, _("must be a date and time (YYYY-MM-DDTHH:MM)"), value
            )
        value = parsed
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def analyte_by_loinc(loinc: str) -> Analyte:
    analyte = Analyte.objects.filter(loinc=(loinc or "").strip()).first()
    if analyte is None:
        raise ValidationFailed.single("loinc", _("is not a test of the catalogue"), loinc)
    return analyte


def _ranges(analyte: Analyte) -> list[calc.Range]:
    return [
        calc.Range(
            sex=r.sex,
            age_min_days=r.age_min_days,
            age_max_days=r.age_max_days,
            low=r.low,
            high=r.high,
            critical_low=r.critical_low,
            critical_high=r.critical_high,
        )
        for r in analyte.ranges.all()
    ]


@transaction.atomic
def lab_order_create(
    *,
    patient: Patient,
    by: User,
    analyte_codes: Iterable[str],
    center: Center | None = None,
    note: str = "",
    ordered_at: dt.datetime | None = None,
) -> LabOrder:
    """Order tests (by catalogue code) for a patient; the center is the ordering team's."""
    codes = list(dict.fromkeys(c.strip() for c in analyte_codes if c and c.strip()))
    if not codes:
        raise ValidationFailed.single("analytes", _("choose at least one test"))
    analytes = list(Analyte.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {a.code for a in analytes})
    if unknown:
        raise ValidationFailed.single(
            "analytes", _("not in the catalogue: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    order = LabOrder.objects.create(
        patient=patient,
        center=center,
        ordered_by=by,
        ordered_at=ordered_at or timezone.now(),
        note=note[:200],
    )
    order.analytes.set(analytes)
    audit_record(action="create", obj=order, patient=patient, detail={"tests": codes})
    return order


@dataclass
class Recorded:
    result: LabResult
    created: bool


def _same(existing: LabResult, value: Decimal | None, text: str, collected: dt.datetime) -> bool:
    return (
        existing.value == value
        and existing.text_value == text
        and existing.collected_at == collected
    )


@transaction.atomic
def lab_result_record(
    *,
    patient: Patient,
    by: User,
    loinc: str,
    value: Number | None,
    unit: str = "",
    collected_at: dt.datetime | str | None,
    resulted_at: dt.datetime | str | None = None,
    ref_low: Number | None = None,
    ref_high: Number | None = None,
    accession: str = "",
    order: LabOrder | None = None,
    source: str = ResultSource.MANUAL,
    text_value: str = "",
    correction: bool = False,
) -> Recorded:
    """Record one coded result. The unit must be the test's UCUM unit or one it converts from;
    the flag comes from the laboratory's range when sent, else from the catalogue's range for
    the patient's age and sex; critical limits always come from the catalogue.

    The same accession and test again with the same value is a no-op (``created`` False); with a
    different value it is refused unless ``correction`` is set, which supersedes the old row."""
    if source not in ResultSource.values:
        raise ValidationFailed.single("source", _("is not a known source"), source)
    analyte = analyte_by_loinc(loinc)
    collected = _aware("collected_at", collected_at)
    if collected is None:
        raise ValidationFailed.single("collected_at", _("is required"))
    resulted = _aware("resulted_at", resulted_at) or timezone.now()
    if collected > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed.single("collected_at", _("must not be in the future"), collected)
    if resulted < collected:
        raise ValidationFailed.single(
            "resulted_at", _("must not be before the collection time"), resulted
        )
    if collected.date() < patient.birth_date:
        raise ValidationFailed.single(
            "collected_at", _("must not be before the patient's birth"), collected
        )
    if order is not None and order.patient_id != patient.pk:
        raise ValidationFailed.single("order", _("belongs to another patient"), order.pk)

    number: Decimal | None = None
    text = (text_value or "").strip()
    low = high = None
    flag = "normal"
    if analyte.value_type == ValueType.NUMERIC:
        reported = _decimal("value", value)
        assert reported is not None
        unit = (unit or "").strip()
        converted = calc.to_catalogue_unit(
            reported, unit=unit, catalogue_unit=analyte.unit, alternatives=analyte.alt_units
        )
        if converted is None:
            raise ValidationFailed.single(
                "unit",
                _("is not a unit of %(test)s (accepted: %(units)s)")
                % {"test": analyte.name, "units": ", ".join([analyte.unit, *analyte.alt_units])},
                unit,
            )
        if converted < 0:
            raise ValidationFailed.single("value", _("must not be negative"), value)
        number = converted.quantize(Decimal("0.0001"))
        factor = converted / reported if reported else Decimal(1)
        sent_low = _decimal("ref_low", ref_low, required=False)
        sent_high = _decimal("ref_high", ref_high, required=False)
        if sent_low is not None and sent_high is not None and sent_low > sent_high:
            raise ValidationFailed.single(
                "ref_low", _("must not be above the upper reference limit"), ref_low
            )
        chosen = calc.pick_range(
            _ranges(analyte),
            sex=patient.sex,
            age_days=calc.age_in_days(patient.birth_date, collected.date()),
        )
        low = (
            (sent_low * factor).quantize(Decimal("0.0001"))
            if sent_low is not None
            else (chosen.low if chosen else None)
        )
        high = (
            (sent_high * factor).quantize(Decimal("0.0001"))
            if sent_high is not None
            else (chosen.high if chosen else None)
        )
        rng = calc.Range(
            sex="any",
            age_min_days=0,
            age_max_days=None,
            low=low,
            high=high,
            critical_low=chosen.critical_low if chosen else None,
            critical_high=chosen.critical_high if chosen else None,
        )
        flag = calc.flag(number, rng)
        text = ""
    else:
        if not text:
            text = str(value or "").strip()
        if not text:
            raise ValidationFailed.single("value", _("is required"))

    accession = (accession or "").strip()[:60]
    previous: LabResult | None = None
    if accession:
        previous = (
            LabResult.objects.select_for_update()
            .filter(
                accession=accession,
                analyte=analyte,
                status__in=[ResultStatus.FINAL, ResultStatus.CORRECTED],
            )
            .first()
        )
        if previous is not None:
            if previous.patient_id != patient.pk:
                raise Conflict(
                    _("Accession %(acc)s belongs to another patient.") % {"acc": accession},
                    rule="labs_accession_patient",
                    problems=[
                        FieldProblem("accession", _("belongs to another patient"), accession)
                    ],
                )
            if _same(previous, number, text, collected):
                return Recorded(previous, created=False)
            if not correction:
                raise Conflict(
                    _(
                        "Accession %(acc)s already has a different %(test)s result; send it as a correction."
                    )
                    % {"acc": accession, "test": analyte.name},
                    rule="labs_accession_differs",
                    problems=[
                        FieldProblem("accession", _("already has a different result"), accession)
                    ],
                )
            previous.status = ResultStatus.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
    critical = flag in ("critical_low", "critical_high")
    try:
        with transaction.atomic():
            result = LabResult.objects.create(
                patient=patient,
                order=order,
                analyte=analyte,
                value=number,
                text_value=text,
                reported_value=str(value if value is not None else "")[:40],
                reported_unit=(unit or "")[:20],
                ref_low=low,
                ref_high=high,
                flag=flag,
                critical=critical,
                collected_at=collected,
                resulted_at=resulted,
                accession=accession,
                source=source,
                status=ResultStatus.CORRECTED if previous is not None else ResultStatus.FINAL,
                replaces=previous,
                recorded_by=by,
            )
    except IntegrityError:
        # Another writer recorded the same accession between our check and our insert: the
        # unique index waited for it to commit, so it is visible now.
        winner = LabResult.objects.filter(
            accession=accession,
            analyte=analyte,
            status__in=[ResultStatus.FINAL, ResultStatus.CORRECTED],
        ).first()
        if (
            winner is not None
            and winner.patient_id == patient.pk
            and _same(winner, number, text, collected)
        ):
            return Recorded(winner, created=False)
        raise Conflict(
            _("Accession %(acc)s was recorded at the same moment; retry.") % {"acc": accession},
            rule="labs_accession_race",
        ) from None
    if order is not None:
        _order_refresh_status(order)
    audit_record(
        action="create",
        obj=result,
        patient=patient,
        detail={"loinc": analyte.loinc, "flag": flag, "source": source, "accession": accession},
    )
    publish(ResultRecorded(patient_id=patient.pk, analyte_code=analyte.code, result_id=result.pk))
    return Recorded(result, created=True)


def _order_refresh_status(order: LabOrder) -> None:
    wanted = set(order.analytes.values_list("pk", flat=True))
    have = set(order.results.values_list("analyte_id", flat=True))
    status = LabOrderStatus.RESULTED if wanted <= have else LabOrderStatus.PARTIAL
    if order.status != status:
        order.status = status
        order.save(update_fields=["status", "updated_at"])


@transaction.atomic
def lab_result_enter_in_error(*, result: LabResult, by: User, reason: str) -> LabResult:
    if not (reason or "").strip():
        raise ValidationFailed.single("reason", _("is required"))
    row = LabResult.objects.select_for_update().get(pk=result.pk)
    if row.status not in (ResultStatus.FINAL, ResultStatus.CORRECTED):
        raise Conflict(_("Only a current result can be marked in error."), rule="labs_not_current")
    row.status = ResultStatus.ENTERED_IN_ERROR
    row.save(update_fields=["status", "updated_at"])
    audit_record(
        action="update",
        obj=row,
        patient=row.patient,
        detail={"status": row.status, "reason": reason},
    )
    publish(
        ResultRecorded(patient_id=row.patient_id, analyte_code=row.analyte.code, result_id=row.pk)
    )
    return row


# --- CSV import ------------------------------------------------------------------------------------
CSV_COLUMNS = (
    "mrn",
    "loinc",
    "value",
    "unit",
    "ref_low",
    "ref_high",
    "collected_at",
    "resulted_at",
    "accession",
)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    critical: int = 0
    problems: list[FieldProblem] = field(default_factory=list)


# The largest laboratory file one import takes (the upload form and the API).
IMPORT_MAX_BYTES = 20 * 1024 * 1024


def _csv_reader(content: str) -> csv.DictReader[str]:
    """A reader over the file, refused (field "file") when its header lacks a column."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise ValidationFailed.single("file", _("is not a CSV file: %(e)s") % {"e": exc}) from None
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed.single(
            "file", _("missing columns: %(cols)s") % {"cols": ", ".join(missing)}
        )
    return reader


def lab_import_size_check(*, name: str, size: int) -> None:
    """A laboratory file larger than `IMPORT_MAX_BYTES` is refused (field "file")."""
    if size > IMPORT_MAX_BYTES:
        raise ValidationFailed.single(
            "file",
            _("The file is %(size)s MB; at most %(max)s MB per import.")
            % {"size": size // (1024 * 1024), "max": IMPORT_MAX_BYTES // (1024 * 1024)},
            name,
        )


def lab_import_file_check(*, name: str, data: bytes) -> str:
    """Check an uploaded laboratory file before it is queued: at most `IMPORT_MAX_BYTES`, UTF-8
    text, a CSV header with every column of `CSV_COLUMNS`. The rows are checked by the import
    itself (on the worker, all rows or none). Returns the text."""
    lab_import_size_check(name=name, size=len(data))
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed.single(
            "file", _("is not a CSV file (not UTF-8 text)"), name
        ) from None
    if "\x00" in content:
        raise ValidationFailed.single("file", _("is not a CSV file (binary content)"), name)
    _csv_reader(content)
    return content


@transaction.atomic
def lab_results_import_csv(
    *, by: User, content: str, progress: Callable[[int, int, str], None] | None = None
) -> ImportReport:
    """Import a laboratory CSV (columns ``CSV_COLUMNS``; header required). All rows or none:
    every problem is reported as ``row N: column``; rows already imported are counted as
    unchanged, so a file can be sent twice. `progress(done, total, note)` hears every 50 rows
    (the job page's bar)."""
    reader = _csv_reader(content)
    report = ImportReport()
    patients: dict[str, Patient] = {}
    problems: list[FieldProblem] = []
    rows = list(reader)
    for line, raw in enumerate(rows, start=2):
        report.rows += 1
        if progress is not None and report.rows % 50 == 1:
            progress(report.rows - 1, len(rows), _("Row %(n)d") % {"n": line})
        mrn = (raw.get("mrn") or "").strip()
        patient = patients.get(mrn)
        if patient is None:
            patient = Patient.objects.filter(mrn=mrn).first()
            if patient is None:
                problems.append(FieldProblem(f"row {line}.mrn", _("no patient with this MRN"), mrn))
                continue
            patients[mrn] = patient
        try:
            with transaction.atomic():
                outcome = lab_result_record(
                    patient=patient,
                    by=by,
                    loinc=raw.get("loinc") or "",
                    value=raw.get("value"),
                    unit=raw.get("unit") or "",
                    ref_low=raw.get("ref_low") or None,
                    ref_high=raw.get("ref_high") or None,
                    collected_at=raw.get("collected_at") or None,
                    resulted_at=raw.get("resulted_at") or None,
                    accession=raw.get("accession") or "",
                    source=ResultSource.CSV,
                )
        except (ValidationFailed, Conflict) as exc:
            for p in exc.problems or [FieldProblem("", exc.message)]:
                problems.append(
                    FieldProblem(f"row {line}.{p.field}".rstrip("."), p.message, p.value)
                )
            continue
        if outcome.created:
            report.created += 1
            report.critical += int(outcome.result.critical)
        else:
            report.unchanged += 1
    if problems:
        raise ValidationFailed(problems, message=_("The file was not imported."))
    audit_record(
        action="create",
        object_type="labs.import",
        detail={"rows": report.rows, "created": report.created, "unchanged": report.unchanged},
    )
    return report


# --- critical values -----------------------------------------------------------------------------
@transaction.atomic
def lab_critical_acknowledge(
    *, result: LabResult, by: User, communicated_to: str, action: str
) -> CriticalAcknowledgement:
    """The ordering team read the critical value back and says what it did. Once."""
    problems = []
    if not (communicated_to or "").strip():
        problems.append(FieldProblem("communicated_to", _("is required")))
    if not (action or "").strip():
        problems.append(FieldProblem("action", _("is required")))
    if problems:
        raise ValidationFailed(problems)
    row = LabResult.objects.select_for_update().get(pk=result.pk)
    if not row.critical:
        raise Conflict(_("This result is not a critical value."), rule="labs_not_critical")
    if CriticalAcknowledgement.objects.filter(result=row).exists():
        raise Conflict(
            _("This critical value is already acknowledged."), rule="labs_already_acknowledged"
        )
    ack = CriticalAcknowledgement.objects.create(
        result=row,
        by=by,
        at=timezone.now(),
        communicated_to=communicated_to.strip()[:120],
        action=action.strip()[:300],
    )
    audit_record(action="create", obj=ack, patient=row.patient, detail={"result": row.pk})
    return ack


# --- transfusions ----------------------------------------------------------------------------------
# Example triggers (a center edits them; restrictive strategies): red cells below Hb 7 g/dL,
# prophylactic platelets below 10 x10^9/L.
TRANSFUSION_TRIGGERS: dict[str, tuple[str, Decimal]] = {
    BloodProduct.RBC: ("hgb", Decimal("7.0")),
    BloodProduct.PLATELETS: ("plt", Decimal("10")),
}


def latest_value(patient: Patient, code: str) -> LabResult | None:
    return (
        LabResult.objects.filter(
            patient=patient,
            analyte__code=code,
            status__in=[ResultStatus.FINAL, ResultStatus.CORRECTED],
        )
        .order_by("-collected_at", "-id")
        .first()
    )


@transaction.atomic
def transfusion_order(
    *,
    patient: Patient,
    by: User,
    product: str,
    irradiated: bool,
    leukoreduced: bool,
    units: int,
    indication: str,
    above_threshold_reason: str = "",
) -> Transfusion:
    """Order a blood product. The latest count is stored beside the trigger; ordering above the
    trigger needs a reason."""
    if product not in BloodProduct.values:
        raise ValidationFailed.single("product", _("is not a blood product"), product)
    if not (indication or "").strip():
        raise ValidationFailed.single("indication", _("is required"))
    if not 1 <= int(units) <= 4:
        raise ValidationFailed.single("units", _("must be between 1 and 4"), units)
    value = threshold = None
    trigger = TRANSFUSION_TRIGGERS.get(product)
    if trigger is not None:
        code, threshold = trigger
        latest = latest_value(patient, code)
        value = latest.value if latest is not None else None
        if value is not None and value >= threshold and not above_threshold_reason.strip():
            raise ValidationFailed.single(
                "above_threshold_reason",
                _(
                    "is required: the latest count (%(value)s) is not below the trigger (%(threshold)s)"
                )
                % {"value": value.normalize(), "threshold": threshold},
            )
    tx = Transfusion.objects.create(
        patient=patient,
        product=product,
        irradiated=irradiated,
        leukoreduced=leukoreduced,
        units=units,
        indication=indication.strip()[:200],
        trigger_value=value,
        trigger_threshold=threshold,
        above_threshold_reason=above_threshold_reason.strip()[:200],
        ordered_by=by,
        ordered_at=timezone.now(),
    )
    audit_record(action="create", obj=tx, patient=patient, detail={"product": product})
    return tx


@transaction.atomic
def transfusion_record_given(
    *,
    transfusion: Transfusion,
    by: User,
    checked_by: User,
    given_at: dt.datetime | None = None,
    reaction: str = "",
    reaction_grade: int | None = None,
) -> Transfusion:
    """Record the transfusion as given after a two-person bedside check. Once."""
    row = Transfusion.objects.select_for_update().get(pk=transfusion.pk)
    if row.status != TransfusionStatus.ORDERED:
        raise Conflict(_("This transfusion is not open."), rule="labs_tx_not_open")
    if checked_by.pk == by.pk:
        raise ValidationFailed.single(
            "checked_by", _("must be a second person, not the one giving it")
        )
    if reaction and reaction_grade is None:
        raise ValidationFailed.single("reaction_grade", _("is required with a reaction"))
    if reaction_grade is not None and not 1 <= reaction_grade <= 5:
        raise ValidationFailed.single(
            "reaction_grade", _("must be a CTCAE grade 1-5"), reaction_grade
        )
    row.status = TransfusionStatus.GIVEN
    row.given_at = given_at or timezone.now()
    row.given_by = by
    row.checked_by = checked_by
    row.reaction = reaction.strip()[:120]
    row.reaction_grade = reaction_grade
    row.save()
    audit_record(
        action="update",
        obj=row,
        patient=row.patient,
        detail={"status": "given", "reaction_grade": reaction_grade},
    )
    publish(TransfusionGiven(patient_id=row.patient_id, product=row.product, transfusion_id=row.pk))
    return row
