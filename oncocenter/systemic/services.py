"""Writes of systemic therapy: measurements, orders with computed doses, modifications, the
verification chain (sign -> pharmacist verification), day release against the hold parameters
(or a physician's override with a reason), and the two-person administration record.

Each service checks, then writes and audits in one transaction; a refusal names the field and the
rule and leaves nothing saved. The arithmetic is in ``dosing`` (pure Python, tested alone).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import CredentialKind, User
from oncocenter.accounts.services import credential_require
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.labs import selectors as lab_selectors
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.models import Patient
from oncocenter.radiotherapy.models import Course
from oncocenter.systemic import dosing
from oncocenter.systemic.models import (
    Administration,
    DayRelease,
    Decision,
    DosingMeasurement,
    OrderDose,
    OrderStatus,
    Regimen,
    ReviewStatus,
    TherapyOrder,
)
from oncocenter.trials.models import Enrollment

# Height and weight older than this are stale for dosing (example; a center sets its own).
MEASUREMENT_MAX_AGE_DAYS = 7
# A creatinine for an AUC dose must be this recent.
CREATININE_MAX_AGE_DAYS = 7
HOLD_CODES = ("anc", "plt", "creat", "tbil")


def _dec(field: str, value: Any, *, required: bool = True) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationFailed.single(field, _("is required"))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed.single(field, _("must be a number"), value) from None
    if not number.is_finite():
        raise ValidationFailed.single(field, _("must be a number"), value)
    return number


@transaction.atomic
def measurement_record(
    *,
    patient: Patient,
    by: User,
    height_cm: Any,
    weight_kg: Any,
    measured_on: dt.date | None = None,
) -> DosingMeasurement:
    """Height and weight measured for dosing; the BSA must be plausible for the age."""
    height = _dec("height_cm", height_cm)
    weight = _dec("weight_kg", weight_kg)
    assert height is not None and weight is not None
    on = measured_on or timezone.localdate()
    problems = []
    if not Decimal(30) <= height <= Decimal(230):
        problems.append(FieldProblem("height_cm", _("must be between 30 and 230 cm"), height))
    if not Decimal(1) <= weight <= Decimal(250):
        problems.append(FieldProblem("weight_kg", _("must be between 1 and 250 kg"), weight))
    if on > timezone.localdate():
        problems.append(FieldProblem("measured_on", _("must not be in the future"), on))
    if on < patient.birth_date:
        problems.append(FieldProblem("measured_on", _("must not be before the birth date"), on))
    if problems:
        raise ValidationFailed(problems)
    bsa = dosing.bsa_mosteller(height, weight)
    low, high = dosing.bsa_plausible(bsa, patient.age_on(on))
    if not low <= bsa <= high:
        raise ValidationFailed.single(
            "weight_kg",
            _(
                "gives a BSA of %(bsa)s m², outside %(low)s-%(high)s m² plausible at age %(age)s: check height and weight"
            )
            % {"bsa": bsa, "low": low, "high": high, "age": patient.age_on(on)},
            weight,
        )
    m = DosingMeasurement.objects.create(
        patient=patient, measured_on=on, height_cm=height, weight_kg=weight, recorded_by=by
    )
    audit_record(action="create", obj=m, patient=patient, detail={"bsa": str(bsa)})
    return m


def _latest_measurement(patient: Patient, on: dt.date) -> DosingMeasurement:
    m = (
        DosingMeasurement.objects.filter(patient=patient, measured_on__lte=on)
        .order_by("-measured_on", "-id")
        .first()
    )
    if m is None:
        raise ValidationFailed.single("measurement", _("no height and weight measured for dosing"))
    if (on - m.measured_on).days > MEASUREMENT_MAX_AGE_DAYS:
        raise ValidationFailed.single(
            "measurement",
            _(
                "height and weight of %(date)s are older than %(days)s days before day 1: measure again"
            )
            % {"date": m.measured_on.isoformat(), "days": MEASUREMENT_MAX_AGE_DAYS},
            m.measured_on,
        )
    return m


def cumulative_anthracycline(
    patient: Patient, *, exclude_order: TherapyOrder | None = None
) -> Decimal:
    """Lifetime doxorubicin-equivalent mg/m² of the patient: doses given, plus doses of live
    orders not yet given (what the patient will have had when they are)."""
    qs = OrderDose.objects.filter(order__patient=patient, dox_eq_mg_m2__gt=0).exclude(
        order__status=OrderStatus.CANCELLED
    )
    if exclude_order is not None:
        qs = qs.exclude(order=exclude_order)
    total = Decimal(0)
    for dose_eq, given, planned in qs.values_list(
        "dox_eq_mg_m2", "administration__given_mg", "planned_mg"
    ):
        total += (given / planned * dose_eq) if given is not None and planned else dose_eq
    return total.quantize(Decimal("0.1"))


def _check_links(
    patient: Patient, diagnosis: Diagnosis, enrollment: Enrollment | None, course: Course | None
) -> None:
    problems = []
    if diagnosis.patient_id != patient.pk:
        problems.append(FieldProblem("diagnosis", _("belongs to another patient"), diagnosis.pk))
    if enrollment is not None and (
        enrollment.patient_id != patient.pk or enrollment.status != "enrolled"
    ):
        problems.append(
            FieldProblem(
                "trial_enrollment", _("is not an active enrollment of this patient"), enrollment.pk
            )
        )
    if course is not None and (
        course.patient_id != patient.pk
        or course.status in ("completed", "stopped", "entered-in-error")
    ):
        problems.append(
            FieldProblem(
                "rt_course", _("is not an open radiotherapy course of this patient"), course.pk
            )
        )
    if problems:
        raise ValidationFailed(problems)


@transaction.atomic
def order_create(
    *,
    patient: Patient,
    by: User,
    regimen: Regimen,
    diagnosis: Diagnosis,
    start_date: dt.date,
    cycle: int = 1,
    creatinine_mg_dl: Any = None,
    trial_enrollment: Enrollment | None = None,
    rt_course: Course | None = None,
    modifications: dict[str, tuple[Any, str]] | None = None,
) -> TherapyOrder:
    """Order one cycle: every dose computed from the recent height and weight (and creatinine
    for AUC dosing), rounded and capped, with its formula. `modifications` maps a drug name to
    (percent, reason). Refused with the field named: stale or missing measurement, implausible
    BSA, modified dose without a reason, above 100 % of the template without a reason, cumulative
    anthracycline above the lifetime limit, a retired template."""
    if regimen.review_status == ReviewStatus.RETIRED:
        raise ValidationFailed.single("regimen", _("is retired"), regimen.code)
    if cycle < 1 or cycle > regimen.cycles:
        raise ValidationFailed.single(
            "cycle", _("must be between 1 and %(n)s") % {"n": regimen.cycles}, cycle
        )
    if start_date < timezone.localdate() - dt.timedelta(days=regimen.cycle_length_days - 1):
        raise ValidationFailed.single(
            "start_date", _("must not be before the current cycle of the regimen"), start_date
        )
    _check_links(patient, diagnosis, trial_enrollment, rt_course)
    m = _latest_measurement(patient, start_date)
    age = patient.age_on(start_date)
    bsa = dosing.bsa_mosteller(m.height_cm, m.weight_kg)
    low, high = dosing.bsa_plausible(bsa, age)
    if not low <= bsa <= high:
        raise ValidationFailed.single(
            "measurement",
            _("BSA %(bsa)s m² is outside %(low)s-%(high)s m² plausible at age %(age)s")
            % {"bsa": bsa, "low": low, "high": high, "age": age},
            bsa,
        )
    drugs = list(regimen.drugs.all())
    scr = _dec("creatinine_mg_dl", creatinine_mg_dl, required=False)
    clearance = None
    if any(d.basis == "auc" for d in drugs):
        if scr is None:
            latest = lab_selectors.latest_by_code(patient, ("creat",)).get("creat")
            if (
                latest is None
                or latest.value is None
                or (start_date - timezone.localtime(latest.collected_at).date()).days
                > CREATININE_MAX_AGE_DAYS
            ):
                raise ValidationFailed.single(
                    "creatinine_mg_dl",
                    _("is required for AUC dosing: no creatinine in the last %(days)s days")
                    % {"days": CREATININE_MAX_AGE_DAYS},
                )
            scr = latest.value
        if not Decimal("0.1") <= scr <= Decimal("15"):
            raise ValidationFailed.single(
                "creatinine_mg_dl", _("must be between 0.1 and 15 mg/dL"), scr
            )
        clearance = dosing.clearance_for(
            age_years=age,
            height_cm=m.height_cm,
            weight_kg=m.weight_kg,
            scr_mg_dl=scr,
            female=patient.sex == "female",
        )
    mods = {k.strip().lower(): v for k, v in (modifications or {}).items()}
    known = {d.drug.lower() for d in drugs}
    for name in mods:
        if name not in known:
            raise ValidationFailed.single(
                "modifications", _("%(drug)s is not in the regimen") % {"drug": name}, name
            )
    order = TherapyOrder.objects.create(
        patient=patient,
        regimen=regimen,
        diagnosis=diagnosis,
        trial_enrollment=trial_enrollment,
        rt_course=rt_course,
        cycle=cycle,
        start_date=start_date,
        measurement=m,
        height_cm=m.height_cm,
        weight_kg=m.weight_kg,
        bsa_m2=bsa,
        age_years=age,
        creatinine_mg_dl=scr,
        clearance=clearance.value if clearance else None,
        clearance_formula=clearance.formula if clearance else "",
        ordered_by=by,
    )
    new_dox = Decimal(0)
    for d in drugs:
        percent, reason = mods.get(d.drug.lower(), (Decimal(100), ""))
        pct = _dec(f"modifications.{d.drug}", percent)
        assert pct is not None
        reason = (reason or "").strip()
        if pct != 100 and not reason:
            raise ValidationFailed.single(
                f"modifications.{d.drug}", _("a dose modification needs a reason"), pct
            )
        if not Decimal(1) <= pct <= Decimal(150):
            raise ValidationFailed.single(
                f"modifications.{d.drug}", _("must be between 1 and 150 %"), pct
            )
        dose = dosing.compute_dose(
            basis=d.basis,
            amount=d.amount,
            bsa=bsa,
            weight_kg=m.weight_kg,
            gfr=clearance.value if clearance else None,
            round_to=d.round_to,
            cap_mg=d.cap_mg,
            percent=pct,
        )
        dox = (
            dosing.dox_equivalent_mg_m2(dose_mg=dose.dose, bsa=bsa, factor=d.anthracycline_factor)
            if d.anthracycline_factor
            else Decimal(0)
        )
        for day in d.days:
            new_dox += dox
            OrderDose.objects.create(
                order=order,
                drug=d,
                day=day,
                on=start_date + dt.timedelta(days=day - 1),
                computed_mg=dose.computed,
                planned_mg=dose.dose,
                percent=pct,
                modification_reason=reason[:200],
                capped=dose.capped,
                formula=dose.formula[:300],
                dox_eq_mg_m2=dox,
            )
    if new_dox:
        prior = cumulative_anthracycline(patient, exclude_order=order)
        limit = dosing.anthracycline_limit(age)
        if prior + new_dox > limit:
            raise ValidationFailed.single(
                "cumulative_anthracycline",
                _(
                    "%(prior)s + %(new)s mg/m² doxorubicin-equivalent exceeds the lifetime limit of %(limit)s mg/m²"
                )
                % {"prior": prior, "new": new_dox, "limit": limit},
                prior + new_dox,
            )
    audit_record(
        action="create",
        obj=order,
        patient=patient,
        detail={
            "regimen": regimen.code,
            "cycle": cycle,
            "bsa": str(bsa),
            "doses": order.doses.count(),
        },
    )
    return order


def _lock(order: TherapyOrder) -> TherapyOrder:
    return (
        TherapyOrder.objects.select_for_update()
        .select_related("patient", "regimen")
        .get(pk=order.pk)
    )


@transaction.atomic
def dose_modify(*, dose: OrderDose, by: User, percent: Any, reason: str) -> OrderDose:
    """Change one drug's percentage (all its days) before signing; a reason is required."""
    order = _lock(dose.order)
    if order.status != OrderStatus.DRAFT:
        raise Conflict(
            _("Only a draft order can be modified; cancel and re-order."),
            rule="sys_order_not_draft",
        )
    pct = _dec("percent", percent)
    assert pct is not None
    if not (reason or "").strip():
        raise ValidationFailed.single("reason", _("a dose modification needs a reason"))
    if not Decimal(1) <= pct <= Decimal(150):
        raise ValidationFailed.single("percent", _("must be between 1 and 150 %"), pct)
    d = dose.drug
    new = dosing.compute_dose(
        basis=d.basis,
        amount=d.amount,
        bsa=order.bsa_m2,
        weight_kg=order.weight_kg,
        gfr=order.clearance,
        round_to=d.round_to,
        cap_mg=d.cap_mg,
        percent=pct,
    )
    dox = (
        dosing.dox_equivalent_mg_m2(
            dose_mg=new.dose, bsa=order.bsa_m2, factor=d.anthracycline_factor
        )
        if d.anthracycline_factor
        else Decimal(0)
    )
    rows = OrderDose.objects.filter(order=order, drug=d)
    if dox:
        others = cumulative_anthracycline(order.patient) - sum(
            (r.dox_eq_mg_m2 for r in rows), Decimal(0)
        )
        limit = dosing.anthracycline_limit(order.age_years)
        if others + dox * rows.count() > limit:
            raise ValidationFailed.single(
                "cumulative_anthracycline",
                _(
                    "%(prior)s + %(new)s mg/m² doxorubicin-equivalent exceeds the lifetime limit of %(limit)s mg/m²"
                )
                % {"prior": others, "new": dox * rows.count(), "limit": limit},
            )
    rows.update(
        planned_mg=new.dose,
        computed_mg=new.computed,
        percent=pct,
        modification_reason=reason.strip()[:200],
        capped=new.capped,
        formula=new.formula[:300],
        dox_eq_mg_m2=dox,
    )
    audit_record(
        action="update",
        obj=order,
        patient=order.patient,
        detail={"drug": d.drug, "percent": str(pct), "reason": reason},
    )
    return OrderDose.objects.get(pk=dose.pk)


@transaction.atomic
def order_sign(*, order: TherapyOrder, by: User) -> TherapyOrder:
    """The prescriber signs: a current physician licence is required."""
    require(by, "systemic.order")
    credential_require(
        user=by, kinds=[CredentialKind.MEDICAL_LICENSE], purpose=_("Signing a chemotherapy order")
    )
    row = _lock(order)
    if row.status != OrderStatus.DRAFT:
        raise Conflict(
            _("The order is %(status)s, not a draft.") % {"status": row.get_status_display()},
            rule="sys_order_not_draft",
        )
    row.status = OrderStatus.SIGNED
    row.signed_by = by
    row.signed_at = timezone.now()
    row.save()
    audit_record(action="sign", obj=row, patient=row.patient, detail={"status": row.status})
    return row


@transaction.atomic
def order_verify(*, order: TherapyOrder, by: User) -> TherapyOrder:
    """Independent pharmacist verification: another person than the orderer and the signer."""
    require(by, "systemic.verify")
    credential_require(
        user=by, kinds=[CredentialKind.PHARMACIST], purpose=_("Verifying a chemotherapy order")
    )
    row = _lock(order)
    if row.status != OrderStatus.SIGNED:
        raise Conflict(
            _("Only a signed order can be verified (it is %(status)s).")
            % {"status": row.get_status_display()},
            rule="sys_order_not_signed",
        )
    if by.pk in (row.signed_by_id, row.ordered_by_id):
        raise Conflict(
            _("The verifier must be another person than the one who ordered and signed."),
            rule="sys_same_person",
            problems=[
                FieldProblem(
                    "verified_by", _("must differ from the orderer and the signer"), by.username
                )
            ],
        )
    row.status = OrderStatus.VERIFIED
    row.verified_by = by
    row.verified_at = timezone.now()
    row.save()
    audit_record(action="sign", obj=row, patient=row.patient, detail={"status": row.status})
    return row


@transaction.atomic
def order_cancel(*, order: TherapyOrder, by: User, reason: str) -> TherapyOrder:
    if not (reason or "").strip():
        raise ValidationFailed.single("reason", _("is required"))
    row = _lock(order)
    if row.status in (OrderStatus.CANCELLED, OrderStatus.COMPLETED):
        raise Conflict(_("The order is closed."), rule="sys_order_closed")
    if Administration.objects.filter(dose__order=row).exists():
        row.status = OrderStatus.COMPLETED
    else:
        row.status = OrderStatus.CANCELLED
    row.cancel_reason = reason.strip()[:200]
    row.save()
    audit_record(
        action="update",
        obj=row,
        patient=row.patient,
        detail={"status": row.status, "reason": reason},
    )
    return row


def day_checks(order: TherapyOrder, day: int) -> list[dosing.HoldCheck]:
    """The hold checks of a day against the labs collected that day (or the day before)."""
    on = order.start_date + dt.timedelta(days=day - 1)
    latest: dict[str, Any] = {}
    for when in (on - dt.timedelta(days=1), on):
        latest.update(lab_selectors.latest_by_code(order.patient, HOLD_CODES, on=when))
    values = {code: (r.value if r is not None else None) for code, r in latest.items()}
    return dosing.hold_checks(order.regimen.hold_parameters(), values)  # type: ignore[arg-type]


def _checks_json(checks: list[dosing.HoldCheck]) -> list[dict[str, Any]]:
    return [
        {
            "parameter": c.parameter,
            "limit": str(c.limit),
            "direction": c.direction,
            "value": str(c.value) if c.value is not None else None,
            "met": c.met,
        }
        for c in checks
    ]


def _day_dates(order: TherapyOrder) -> dict[int, dt.date]:
    return dict(order.doses.values_list("day", "on"))


@transaction.atomic
def day_release(
    *, order: TherapyOrder, day: int, by: User, override_reason: str = ""
) -> DayRelease:
    """Release a day's doses. Only a verified order; only when that day's labs meet every hold
    parameter, or a physician overrides with a reason (their permission is checked here)."""
    row = _lock(order)
    if row.status != OrderStatus.VERIFIED:
        raise Conflict(
            _("Doses are released only from a verified order (it is %(status)s).")
            % {"status": row.get_status_display()},
            rule="sys_order_not_verified",
        )
    dates = _day_dates(row)
    if day not in dates:
        raise ValidationFailed.single("day", _("is not a treatment day of this order"), day)
    if DayRelease.objects.filter(
        order=row, day=day, decision__in=[Decision.RELEASED, Decision.OVERRIDDEN]
    ).exists():
        raise Conflict(
            _("Day %(day)s is already released.") % {"day": day}, rule="sys_day_released"
        )
    checks = day_checks(row, day)
    failed = [c for c in checks if not c.met]
    reason = (override_reason or "").strip()
    if failed and not reason:
        raise Conflict(
            _(
                "Day %(day)s labs do not meet the hold parameters; hold the day or override with a reason."
            )
            % {"day": day},
            rule="sys_hold_parameters",
            problems=[
                FieldProblem(
                    c.parameter,
                    (
                        _("no result on the day")
                        if c.value is None
                        else (
                            _("%(value)s is below %(limit)s")
                            if c.direction == "min"
                            else _("%(value)s is above %(limit)s")
                        )
                        % {"value": c.value, "limit": c.limit}
                    ),
                    str(c.value) if c.value is not None else None,
                )
                for c in failed
            ],
        )
    if failed:
        require(by, "systemic.override")
    decision = Decision.OVERRIDDEN if failed else Decision.RELEASED
    try:
        with transaction.atomic():
            rel = DayRelease.objects.create(
                order=row,
                day=day,
                on=dates[day],
                decision=decision,
                checks=_checks_json(checks),
                reason=reason[:300] if failed else "",
                by=by,
                at=timezone.now(),
            )
    except IntegrityError:
        raise Conflict(
            _("Day %(day)s is already released.") % {"day": day}, rule="sys_day_released"
        ) from None
    audit_record(
        action="sign",
        obj=rel,
        patient=row.patient,
        detail={"day": day, "decision": decision, "reason": reason},
    )
    return rel


@transaction.atomic
def day_hold(*, order: TherapyOrder, day: int, by: User, reason: str) -> DayRelease:
    """Hold a day (labs, toxicity, the patient's state); the radiation oncologist sees it."""
    row = _lock(order)
    if not (reason or "").strip():
        raise ValidationFailed.single("reason", _("is required"))
    dates = _day_dates(row)
    if day not in dates:
        raise ValidationFailed.single("day", _("is not a treatment day of this order"), day)
    if DayRelease.objects.filter(
        order=row, day=day, decision__in=[Decision.RELEASED, Decision.OVERRIDDEN]
    ).exists():
        raise Conflict(
            _("Day %(day)s is already released.") % {"day": day}, rule="sys_day_released"
        )
    rel = DayRelease.objects.create(
        order=row,
        day=day,
        on=dates[day],
        decision=Decision.HELD,
        checks=_checks_json(day_checks(row, day)),
        reason=reason.strip()[:300],
        by=by,
        at=timezone.now(),
    )
    audit_record(
        action="create",
        obj=rel,
        patient=row.patient,
        detail={"day": day, "decision": "held", "reason": reason},
    )
    return rel


@transaction.atomic
def administration_record(
    *,
    dose: OrderDose,
    by: User,
    checker: User,
    given_mg: Any,
    route: str,
    product_expiry: dt.date,
    started_at: dt.datetime,
    stopped_at: dt.datetime,
    identifiers: list[str],
    rate_ml_h: Any = None,
    reaction: str = "",
    reaction_grade: int | None = None,
    extravasation: bool = False,
) -> Administration:
    """Record a dose given after the independent two-person check: two patient identifiers, drug,
    dose, route, rate and expiry. Nothing that was not released; the dose must match."""
    order = _lock(dose.order)
    dose = OrderDose.objects.select_related("drug").get(pk=dose.pk)
    release = DayRelease.objects.filter(
        order=order, day=dose.day, decision__in=[Decision.RELEASED, Decision.OVERRIDDEN]
    ).first()
    if release is None:
        raise Conflict(
            _("Day %(day)s is not released: nothing may be given.") % {"day": dose.day},
            rule="sys_not_released",
        )
    if hasattr(dose, "administration"):
        raise Conflict(_("This dose is already recorded as given."), rule="sys_already_given")
    if checker.pk == by.pk:
        raise ValidationFailed.single(
            "witness_username", _("must be a second person, not yourself")
        )
    problems = []
    given = _dec("given_mg", given_mg)
    assert given is not None
    if given != dose.planned_mg:
        problems.append(
            FieldProblem(
                "given_mg",
                _("must equal the released dose of %(dose)s mg") % {"dose": dose.planned_mg},
                given,
            )
        )
    if route != dose.drug.route:
        problems.append(
            FieldProblem(
                "route",
                _("must be the ordered route (%(route)s)")
                % {"route": dose.drug.get_route_display()},
                route,
            )
        )
    if len(set(identifiers or [])) < 2:
        problems.append(FieldProblem("identifiers", _("confirm two patient identifiers")))
    if product_expiry < timezone.localdate():
        problems.append(FieldProblem("product_expiry", _("the product is expired"), product_expiry))
    if stopped_at < started_at:
        problems.append(FieldProblem("stopped_at", _("must not be before the start"), stopped_at))
    if timezone.localtime(started_at).date() != dose.on:
        problems.append(
            FieldProblem(
                "started_at",
                _("must be on the dose's day (%(date)s)") % {"date": dose.on.isoformat()},
                started_at,
            )
        )
    if reaction and reaction_grade is None:
        problems.append(FieldProblem("reaction_grade", _("is required with a reaction")))
    if reaction_grade is not None and not 1 <= reaction_grade <= 5:
        problems.append(
            FieldProblem("reaction_grade", _("must be a CTCAE grade 1-5"), reaction_grade)
        )
    rate = _dec("rate_ml_h", rate_ml_h, required=False)
    if problems:
        raise ValidationFailed(problems)
    a = Administration.objects.create(
        dose=dose,
        release=release,
        given_mg=given,
        route=route,
        rate_ml_h=rate,
        product_expiry=product_expiry,
        started_at=started_at,
        stopped_at=stopped_at,
        nurse=by,
        checker=checker,
        identifiers_checked=sorted(set(identifiers)),
        reaction=reaction.strip()[:120],
        reaction_grade=reaction_grade,
        extravasation=extravasation,
        recorded_at=timezone.now(),
    )
    audit_record(
        action="create",
        obj=a,
        patient=order.patient,
        detail={"dose": dose.pk, "given_mg": str(given), "checker": checker.username},
    )
    if not OrderDose.objects.filter(order=order, administration__isnull=True).exists():
        order.status = OrderStatus.COMPLETED
        order.save(update_fields=["status", "updated_at"])
    return a
