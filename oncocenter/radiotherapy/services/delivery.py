"""Recording treatment (record and verify) and correcting delivery records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.events import publish
from oncocenter.core.permissions import require
from oncocenter.machines.models import Machine, Technique
from oncocenter.machines.qa import machine_allowed_for_plan, qa_gate
from oncocenter.patients.models import Patient
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy.events import DeliveryEnteredInError, FractionDelivered
from oncocenter.radiotherapy.models import (
    DELIVERED_STATUSES,
    BrachySession,
    Course,
    CourseStatus,
    CourseSuspension,
    Delivery,
    Fraction,
    FractionStatus,
    Plan,
    PlanStatus,
    Prescription,
    PrescriptionStatus,
    Signature,
    SignatureMeaning,
)
from oncocenter.radiotherapy.rules import check_fraction_spacing
from oncocenter.radiotherapy.services._common import (
    IDENTIFIER_KINDS,
    METERSET_TOLERANCE,
    OPEN_COURSE,
    THERAPIST_CREDENTIALS,
    Number,
    _check_machine,
    _dec,
    _lock_rx,
)
from oncocenter.radiotherapy.services.courses import _close, _episode_start
from oncocenter.radiotherapy.services.signing import _require_signer, _sign

MIN_REASON = 5
#: An entry made this long after the console's treatment time is a late entry (needs a reason).
LATE_ENTRY_AFTER = dt.timedelta(hours=1)


def _check_identifiers(patient: Patient, identifiers: Mapping[str, str]) -> list[str]:
    """Return the identifier kinds that matched; raise unless two distinct ones did."""
    matched, problems = [], []
    for kind, raw in identifiers.items():
        value = str(raw or "").strip()
        if kind not in IDENTIFIER_KINDS:
            problems.append(
                FieldProblem(
                    f"identifiers.{kind}",
                    _("use %(kinds)s") % {"kinds": ", ".join(IDENTIFIER_KINDS)},
                    kind,
                )
            )
            continue
        if not value:
            continue
        ok = False
        if kind == "mrn":
            ok = value == patient.mrn
        elif kind == "birth_date":
            ok = value == patient.birth_date.isoformat()
        elif kind == "name":
            latin = f"{patient.family_name_en} {patient.given_name_en}".casefold()
            ok = (
                value.replace(" ", "") == patient.name_ko.replace(" ", "")
                or " ".join(value.split()).casefold() == latin
            )
        if ok:
            matched.append(kind)
        else:
            problems.append(FieldProblem(f"identifiers.{kind}", _("does not match the patient")))
    if problems or len(set(matched)) < 2:
        if len(set(matched)) < 2:
            problems.append(
                FieldProblem(
                    "identifiers",
                    _("two patient identifiers must be confirmed (mrn, birth_date, name)"),
                    len(set(matched)),
                )
            )
        raise ValidationFailed(problems, message=_("Patient identity not confirmed"))
    return sorted(set(matched))


def _authorisations(rx: Prescription, plan: Plan) -> list[int]:
    """Signatures that allow treatment now, or a Conflict naming the missing one."""
    active = Signature.objects.filter(voided_at__isnull=True)
    rx_sig = active.filter(
        prescription=rx, meaning=SignatureMeaning.PRESCRIPTION, signed_version=rx.version
    ).first()
    if rx.status != PrescriptionStatus.SIGNED or rx_sig is None:
        raise Conflict(
            _("No treatment without a signed prescription."), rule="prescription_not_signed"
        )
    approval = active.filter(
        plan=plan, meaning=SignatureMeaning.PLAN_APPROVAL, signed_version=plan.version
    ).first()
    if approval is None:
        raise Conflict(
            _("No treatment without a physician-approved plan."), rule="plan_not_approved"
        )
    check = active.filter(
        plan=plan,
        meaning=SignatureMeaning.PHYSICS_CHECK,
        signed_version=plan.version,
        physics_check__passed=True,
    ).first()
    if check is None or plan.status != PlanStatus.CHECKED:
        raise Conflict(
            _("No treatment without a passed independent physics plan check."),
            rule="physics_check_missing",
        )
    ids = [rx_sig.pk, approval.pk, check.pk]
    if plan.needs_psqa:
        qa = active.filter(
            plan=plan, meaning=SignatureMeaning.PSQA, signed_version=plan.version, psqa__passed=True
        ).first()
        if qa is None:
            raise Conflict(
                _("%(technique)s needs a passed patient-specific QA before treatment.")
                % {"technique": plan.technique},
                rule="psqa_missing",
            )
        ids.append(qa.pk)
    return ids


def _check_after_approvals(authorised: list[int], delivered_at: dt.datetime) -> None:
    """A treatment cannot have happened before the signatures that allowed it.

    Treatment times are kept to the minute (the console's record and the form), signatures to
    the microsecond: a treatment in the same minute as the last signature counts as after it,
    or a therapist treating right after the physics check would be refused."""
    minute_end = delivered_at.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    latest = (
        Signature.objects.filter(pk__in=authorised, signed_at__gte=minute_end)
        .order_by("-signed_at")
        .first()
    )
    if latest is None:
        return
    when = timezone.localtime(latest.signed_at)
    raise Conflict(
        _("Treatment time %(at)s is before the %(what)s signed %(when)s.")
        % {
            "at": f"{timezone.localtime(delivered_at):%Y-%m-%d %H:%M}",
            "what": latest.get_meaning_display(),
            "when": f"{when:%Y-%m-%d %H:%M}",
        },
        rule="delivered_before_approval",
        problems=[
            FieldProblem(
                "delivered_at",
                _("before the %(what)s (%(when)s)")
                % {"what": latest.get_meaning_display(), "when": f"{when:%Y-%m-%d %H:%M}"},
                delivered_at.isoformat(),
            )
        ],
    )


def _check_in_order(rx: Prescription, delivered_at: dt.datetime) -> None:
    """Treatments are recorded in the order they happened (a later fraction is later in time)."""
    last = (
        Delivery.objects.filter(fraction__prescription=rx, status=Delivery.Status.RECORDED)
        .order_by("-delivered_at")
        .values_list("delivered_at", flat=True)
        .first()
    )
    if last is not None and delivered_at <= last:
        local = timezone.localtime(last)
        raise Conflict(
            _("Treatment time is not after the last recorded treatment (%(last)s).")
            % {"last": f"{local:%Y-%m-%d %H:%M}"},
            rule="delivery_out_of_order",
            problems=[
                FieldProblem(
                    "delivered_at",
                    _("must be after %(last)s") % {"last": f"{local:%Y-%m-%d %H:%M}"},
                    delivered_at.isoformat(),
                )
            ],
        )


def _check_not_suspended_then(rx: Prescription, delivered_at: dt.datetime) -> None:
    """No treatment dated while the course was suspended (a late entry cannot walk around it)."""
    hit = (
        CourseSuspension.objects.filter(course_id=rx.course_id, suspended_at__lte=delivered_at)
        .filter(Q(resumed_at__isnull=True) | Q(resumed_at__gt=delivered_at))
        .first()
    )
    if hit is not None:
        raise Conflict(
            _("The course was suspended at that time (%(reason)s).") % {"reason": hit.reason},
            rule="course_suspended_then",
            problems=[
                FieldProblem(
                    "delivered_at", _("inside a suspension of the course"), delivered_at.isoformat()
                )
            ],
        )


def _off_schedule_text(code: str) -> str:
    texts = {
        "unscheduled": _("the session has no booked day"),
        "other-day": _("not on the booked day"),
        "other-machine": _("not on the booked machine"),
        "closed-day": _("on a closed day (weekend or holiday)"),
        "second-today": _("a second fraction on one day"),
    }
    return texts.get(code, code)


def _off_schedule(
    rx: Prescription, fraction: Fraction, machine: Machine, delivered_at: dt.datetime
) -> list[str]:
    """What about this treatment differs from the session's booking (codes, in a fixed order)."""
    day = timezone.localtime(delivered_at).date()
    codes = []
    if fraction.scheduled_date is None:
        codes.append("unscheduled")
    elif fraction.scheduled_date != day:
        codes.append("other-day")
    if fraction.machine_id is not None and fraction.machine_id != machine.pk:
        codes.append("other-machine")
    if not selectors.treatment_calendar().is_open(day):
        codes.append("closed-day")
    return codes


def _override(
    *,
    codes: list[str],
    override_reason: str,
    rx: Prescription,
    by: User,
    delivered_at: dt.datetime,
) -> Signature | None:
    """No override needed when on schedule; otherwise a reason, signed by the one recording."""
    if not codes:
        return None
    if len(override_reason.strip()) < MIN_REASON:
        problems = [FieldProblem("override_reason", _off_schedule_text(c), c) for c in codes]
        raise Conflict(
            _(
                "This treatment is off schedule (%(what)s): a signed override with a reason is "
                "needed."
            )
            % {"what": "; ".join(_off_schedule_text(c) for c in codes)},
            rule="off_schedule_override_required",
            problems=problems,
        )
    return _sign(
        meaning=SignatureMeaning.DELIVERY_OVERRIDE,
        course=rx.course,
        signer=by,
        role="radiation_therapist",
        kinds=THERAPIST_CREDENTIALS,
        prescription=rx,
        version=rx.version,
        statement=(
            f"off schedule ({', '.join(codes)}) at "
            f"{timezone.localtime(delivered_at):%Y-%m-%d %H:%M}: {override_reason.strip()}"
        ),
    )


def _next_delivered_number(rx: Prescription) -> int:
    used = set(
        rx.fractions.filter(delivered_number__isnull=False).values_list(
            "delivered_number", flat=True
        )
    )
    return next(n for n in range(1, rx.number_of_fractions + 2) if n not in used)


def _dose_for(plan: Plan, rx: Prescription, meterset: Decimal | None, partial: bool) -> Decimal:
    if partial and meterset is not None and plan.meterset_per_fraction:
        return (rx.dose_per_fraction_gy * meterset / plan.meterset_per_fraction).quantize(
            Decimal("0.001")
        )
    return rx.dose_per_fraction_gy


def _meterset(value: Number | None) -> Decimal | None:
    if value in (None, ""):
        return None
    mu = _dec(value, "meterset_delivered", places="0.01")
    if mu <= 0:
        raise ValidationFailed.single("meterset_delivered", _("must be more than 0"), str(mu))
    return mu


def _check_hdr_team(fraction: Fraction, machine: Machine) -> None:
    session = BrachySession.objects.filter(fraction=fraction).first()
    if (
        session is None
        or session.physician_present_id is None
        or session.physicist_present_id is None
    ):
        raise Conflict(
            _("HDR treatment needs the physician and the physicist present (record the session)."),
            rule="hdr_team_absent",
        )
    if session.afterloader_id != machine.pk:
        raise Conflict(
            _("Machine differs from the session's afterloader."), rule="machine_mismatch"
        )


def _check_spacing(
    rx: Prescription, fraction: Fraction, delivered_at: dt.datetime, *, overridden: bool = False
) -> bool:
    """Refuse a spacing violation; with `overridden`, one more fraction on a day is allowed
    (returns True when that override was needed)."""
    others = list(
        Delivery.objects.filter(
            fraction__prescription=rx,
            status=Delivery.Status.RECORDED,
            replaces__isnull=True,
        )
        .exclude(fraction=fraction)
        .values_list("delivered_at", flat=True)
    )
    violation = check_fraction_spacing(
        others, delivered_at, pattern=rx.pattern, tz=timezone.get_default_timezone()
    )
    if violation is None:
        return False
    if violation.code == "fractions_per_day" and overridden:
        return True
    if violation is not None:
        message = _spacing_message(violation.code, violation.params) or violation.message
        raise Conflict(
            message,
            rule=violation.code,
            problems=[FieldProblem("delivered_at", message, delivered_at.isoformat())],
        )
    return False


def _spacing_message(code: str, params: Mapping[str, object]) -> str | None:
    """The spacing rule's message in the user's language (the pure rule speaks English)."""
    if code == "fractions_per_day":
        return (
            _(
                "a %(pattern)s course allows %(per_day)d fraction(s) per day; %(count)d already "
                "delivered on %(day)s"
            )
            % params
        )
    if code == "bid_interval":
        return (
            _(
                "twice-daily fractions must be at least %(min_hours)s h apart; the previous one "
                "was %(hours)s h before"
            )
            % params
        )
    return None


def fraction_record_delivery(
    *,
    fraction: Fraction,
    by: User,
    delivered_at: dt.datetime,
    machine: Machine,
    identifiers: Mapping[str, str],
    meterset_delivered: Number | None = None,
    partial: bool = False,
    notes: str = "",
    late_entry_reason: str = "",
    override_reason: str = "",
) -> Delivery:
    """Record a treated (or partially treated) session after every record-and-verify interlock:
    therapist with a current licence; two patient identifiers; signed prescription, approved plan,
    passed physics check (and PSQA where required) of the current versions; the plan's machine or
    one beam-matched to it, in service, capable and not on QA hold; never more fractions than
    prescribed (row lock + database constraint); twice-daily spacing; meterset within the plan.

    Times: `delivered_at` is the console's treatment time, `recorded_at` the server's entry time;
    the treatment is not in the future, not before the signatures it relies on, and after the
    prescription's last recorded treatment. An entry more than `LATE_ENTRY_AFTER` after the
    treatment is a late entry and needs `late_entry_reason`. Off its booked day or machine, on a
    closed day, or a second fraction on one day of a daily course needs `override_reason`, saved
    as a signature of the one recording.

    A second delivery on a partially treated session completes it. The last fraction of the
    course completes the course. Publishes `FractionDelivered` in the same transaction.
    """
    _require_signer(by, "rt.delivery.record", THERAPIST_CREDENTIALS, _("Recording a treatment"))
    if delivered_at.tzinfo is None:
        raise ValidationFailed.single(
            "delivered_at", _("must include a timezone"), delivered_at.isoformat()
        )
    now = timezone.now()
    if delivered_at > now:
        raise ValidationFailed.single(
            "delivered_at", _("cannot be in the future"), delivered_at.isoformat()
        )
    mu = _meterset(meterset_delivered)
    if partial and mu is None:
        raise ValidationFailed.single(
            "meterset_delivered", _("is required for a partial treatment")
        )
    with transaction.atomic():
        # Lock order everywhere: prescription, then fraction. Serialises concurrent recordings of
        # the same prescription, so the fraction count below cannot be read stale.
        rx = _lock_rx(fraction.prescription)
        fraction = (
            Fraction.objects.select_for_update().select_related("plan__machine").get(pk=fraction.pk)
        )
        plan = fraction.plan
        patient = rx.course.patient
        matched = _check_identifiers(patient, identifiers)
        if rx.course.status not in OPEN_COURSE:
            raise Conflict(
                _("Course is %(status)s.") % {"status": rx.course.get_status_display()},
                rule="course_closed",
            )
        if fraction.status not in (FractionStatus.SCHEDULED, FractionStatus.PARTIAL):
            raise Conflict(
                _("Session %(n)d is %(status)s.")
                % {"n": fraction.sequence, "status": fraction.get_status_display()},
                rule="fraction_not_open",
            )
        authorised = _authorisations(rx, plan)
        _check_machine(machine, rx.technique)
        machine_allowed_for_plan(planned=plan.machine, attempted=machine)
        qa_gate(machine, delivered_at)
        if rx.technique == Technique.HDR:
            _check_hdr_team(fraction, machine)
        _check_after_approvals(authorised, delivered_at)
        _check_in_order(rx, delivered_at)
        _check_not_suspended_then(rx, delivered_at)
        completing = fraction.status == FractionStatus.PARTIAL
        planned_mu = plan.meterset_per_fraction
        if planned_mu is not None and mu is not None:
            total_mu = fraction.meterset_delivered + mu
            if total_mu > planned_mu * (1 + METERSET_TOLERANCE):
                raise Conflict(
                    _("Meterset %(total)s would exceed the planned %(planned)s MU.")
                    % {"total": total_mu, "planned": planned_mu},
                    rule="meterset_exceeds_plan",
                    problems=[
                        FieldProblem(
                            "meterset_delivered",
                            _("planned %(planned)s") % {"planned": planned_mu},
                            str(mu),
                        )
                    ],
                )
            if partial and total_mu >= planned_mu:
                raise ValidationFailed.single(
                    "partial",
                    _("the meterset reaches the plan: not a partial treatment"),
                    str(mu),
                )
        codes = [] if completing else _off_schedule(rx, fraction, machine, delivered_at)
        if not completing:
            if rx.fractions_delivered >= rx.number_of_fractions:
                raise Conflict(
                    _("All %(n)d prescribed fractions are delivered.")
                    % {"n": rx.number_of_fractions},
                    rule="fractions_exhausted",
                )
            overriding = len(override_reason.strip()) >= MIN_REASON
            if _check_spacing(rx, fraction, delivered_at, overridden=overriding):
                codes.append("second-today")
        override = _override(
            codes=codes, override_reason=override_reason, rx=rx, by=by, delivered_at=delivered_at
        )
        late = now - delivered_at > LATE_ENTRY_AFTER
        if late and len(late_entry_reason.strip()) < MIN_REASON:
            raise ValidationFailed.single(
                "late_entry_reason",
                _("entered more than %(minutes)d minutes after the treatment: give a reason")
                % {"minutes": LATE_ENTRY_AFTER.total_seconds() // 60},
                delivered_at.isoformat(),
            )
        dose = _dose_for(plan, rx, mu, partial)
        if completing:
            dose = min(dose, rx.dose_per_fraction_gy - fraction.dose_delivered_gy)
        delivery = Delivery.objects.create(
            fraction=fraction,
            recorded_by=by,
            recorded_at=now,
            delivered_at=delivered_at,
            machine=machine,
            meterset_delivered=mu,
            dose_delivered_gy=dose,
            partial=partial,
            identifiers_confirmed=matched,
            plan_version=plan.version,
            prescription_version=rx.version,
            authorised_by=authorised,
            notes=notes[:300],
            late_entry=late,
            late_entry_reason=late_entry_reason.strip()[:300] if late else "",
            off_schedule=",".join(codes),
            override_signature=override,
        )
        fraction.meterset_delivered += _mu_counted(delivery, planned_mu)
        fraction.dose_delivered_gy += dose
        fraction.status = FractionStatus.PARTIAL if partial else FractionStatus.TREATED
        fraction.machine = machine
        if not completing:
            fraction.delivered_number = _next_delivered_number(rx)
        fraction.save()
        if not completing:
            try:
                with transaction.atomic():
                    Prescription.objects.filter(pk=rx.pk).update(
                        fractions_delivered=F("fractions_delivered") + 1
                    )
            except IntegrityError as exc:  # the database constraint: defence in depth
                raise Conflict(
                    _("All prescribed fractions are delivered."), rule="fractions_exhausted"
                ) from exc
            rx.refresh_from_db()
        course = rx.course
        if course.status == CourseStatus.PLANNED:
            course.status = CourseStatus.ACTIVE
            course.started_on = timezone.localtime(delivered_at).date()
            course.save(update_fields=["status", "started_on", "updated_at"])
            _episode_start(course, by=by)
        audit_record(
            action=AuditAction.CREATE,
            obj=delivery,
            patient=patient,
            detail={
                "fraction": fraction.delivered_number,
                "of": rx.number_of_fractions,
                "partial": partial,
                "machine": machine.code,
                "identifiers": matched,
                "late_entry": late,
                "off_schedule": codes,
            },
        )
        publish(
            FractionDelivered(
                delivery_id=delivery.pk,
                fraction_id=fraction.pk,
                prescription_id=rx.pk,
                course_id=course.pk,
                patient_id=patient.pk,
                machine_id=machine.pk,
                delivered_at=delivered_at,
                partial=partial,
                completes_partial=completing,
            )
        )
        if not partial and _course_fully_delivered(course):
            _close(course, by=by, status=CourseStatus.COMPLETED, reason="")
    return delivery


def _course_fully_delivered(course: Course) -> bool:
    """Every active prescription of the course has all its fractions fully treated."""
    rxs = Prescription.objects.filter(course=course, status=PrescriptionStatus.SIGNED)
    if not rxs.exists():
        return False
    if rxs.filter(fractions_delivered__lt=F("number_of_fractions")).exists():
        return False
    return not Fraction.objects.filter(prescription__in=rxs, status=FractionStatus.PARTIAL).exists()


def _mu_counted(delivery: Delivery, planned_mu: Decimal | None) -> Decimal:
    """The meterset a record adds to its session: as entered, or the plan's for a full treatment
    entered without one (the same rule at recording and at every recomputation)."""
    if delivery.meterset_delivered is not None:
        return delivery.meterset_delivered
    if delivery.partial or planned_mu is None:
        return Decimal(0)
    return planned_mu


def _reapply_fraction(fraction: Fraction, rx: Prescription) -> bool:
    """Recompute a session from its records in force; True when it went back to scheduled."""
    active = list(
        fraction.deliveries.filter(status=Delivery.Status.RECORDED).order_by("delivered_at")
    )
    was_delivered = fraction.status in DELIVERED_STATUSES
    if not active:
        fraction.status = FractionStatus.SCHEDULED
        fraction.delivered_number = None
        fraction.meterset_delivered = Decimal(0)
        fraction.dose_delivered_gy = Decimal(0)
        fraction.save()
        if was_delivered:
            Prescription.objects.filter(pk=rx.pk).update(
                fractions_delivered=F("fractions_delivered") - 1
            )
        return True
    planned_mu = fraction.plan.meterset_per_fraction
    fraction.meterset_delivered = sum((_mu_counted(d, planned_mu) for d in active), Decimal(0))
    fraction.dose_delivered_gy = sum((d.dose_delivered_gy for d in active), Decimal(0))
    fraction.status = FractionStatus.PARTIAL if active[-1].partial else FractionStatus.TREATED
    fraction.save()
    return False


def _check_reason(reason: str) -> None:
    if len((reason or "").strip()) < MIN_REASON:
        raise ValidationFailed.single(
            "reason",
            _("a reason of at least %(n)d characters is required") % {"n": MIN_REASON},
        )


def _entered_in_error(
    delivery: Delivery, rx: Prescription, *, replaced_by: Delivery | None, reopened: bool
) -> DeliveryEnteredInError:
    return DeliveryEnteredInError(
        delivery_id=delivery.pk,
        fraction_id=delivery.fraction_id,
        prescription_id=rx.pk,
        course_id=rx.course_id,
        patient_id=rx.course.patient_id,
        replaced_by_id=replaced_by.pk if replaced_by is not None else None,
        fraction_reopened=reopened,
    )


def delivery_mark_entered_in_error(*, delivery: Delivery, by: User, reason: str) -> Delivery:
    """Mark a delivery record entered-in-error (never deleted); the session reopens if it was
    its only record, and the prescription's delivered count follows. Publishes
    `DeliveryEnteredInError` in the same transaction."""
    require(by, "rt.delivery.correct")
    _check_reason(reason)
    with transaction.atomic():
        rx = _lock_rx(delivery.fraction.prescription)
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != Delivery.Status.RECORDED:
            raise Conflict(_("This record is already entered-in-error."), rule="already_in_error")
        fraction = Fraction.objects.select_for_update().get(pk=delivery.fraction_id)
        delivery.status = Delivery.Status.ENTERED_IN_ERROR
        delivery.error_reason = reason.strip()[:300]
        delivery.errored_by = by
        delivery.errored_at = timezone.now()
        delivery.save(update_fields=["status", "error_reason", "errored_by", "errored_at"])
        reopened = _reapply_fraction(fraction, rx)
        audit_record(
            action=AuditAction.UPDATE,
            obj=delivery,
            patient=rx.course.patient,
            detail={"status": "entered-in-error", "reason": delivery.error_reason},
        )
        publish(_entered_in_error(delivery, rx, replaced_by=None, reopened=reopened))
    return delivery


def delivery_correct(
    *,
    delivery: Delivery,
    by: User,
    reason: str,
    meterset_delivered: Number | None = None,
    delivered_at: dt.datetime | None = None,
    partial: bool | None = None,
) -> Delivery:
    """Correct a delivery record: the old row becomes entered-in-error with the reason, a new row
    (pointing to it) carries the corrected values. Identity and authorisations are carried over.
    Publishes `DeliveryEnteredInError` for the old row (naming the new one)."""
    require(by, "rt.delivery.correct")
    _check_reason(reason)
    with transaction.atomic():
        rx = _lock_rx(delivery.fraction.prescription)
        old = (
            Delivery.objects.select_for_update()
            .select_related("fraction__plan")
            .get(pk=delivery.pk)
        )
        if old.status != Delivery.Status.RECORDED:
            raise Conflict(_("This record is already entered-in-error."), rule="already_in_error")
        fraction = Fraction.objects.select_for_update().get(pk=old.fraction_id)
        plan = fraction.plan
        mu = old.meterset_delivered
        if meterset_delivered not in (None, ""):
            mu = _meterset(meterset_delivered)
        is_partial = old.partial if partial is None else partial
        if is_partial and mu is None:
            raise ValidationFailed.single(
                "meterset_delivered", _("is required for a partial treatment")
            )
        others = fraction.meterset_delivered - _mu_counted(old, plan.meterset_per_fraction)
        if (
            plan.meterset_per_fraction
            and mu is not None
            and others + mu > plan.meterset_per_fraction * (1 + METERSET_TOLERANCE)
        ):
            raise Conflict(
                _("The corrected meterset would exceed the plan."),
                rule="meterset_exceeds_plan",
                problems=[
                    FieldProblem(
                        "meterset_delivered",
                        _("planned %(planned)s") % {"planned": plan.meterset_per_fraction},
                        str(mu),
                    )
                ],
            )
        when = delivered_at or old.delivered_at
        old.status = Delivery.Status.ENTERED_IN_ERROR
        old.error_reason = reason.strip()[:300]
        old.errored_by = by
        old.errored_at = timezone.now()
        old.save(update_fields=["status", "error_reason", "errored_by", "errored_at"])
        new = Delivery.objects.create(
            fraction=fraction,
            recorded_by=by,
            recorded_at=timezone.now(),
            delivered_at=when,
            machine=old.machine,
            meterset_delivered=mu,
            dose_delivered_gy=_dose_for(plan, rx, mu, is_partial),
            partial=is_partial,
            identifiers_confirmed=old.identifiers_confirmed,
            plan_version=old.plan_version,
            prescription_version=old.prescription_version,
            authorised_by=old.authorised_by,
            replaces=old,
            notes=f"correction: {reason.strip()}"[:300],
        )
        reopened = _reapply_fraction(fraction, rx)
        audit_record(
            action=AuditAction.UPDATE,
            obj=new,
            patient=rx.course.patient,
            detail={"corrects": old.pk, "reason": old.error_reason},
        )
        publish(_entered_in_error(old, rx, replaced_by=new, reopened=reopened))
    return new
