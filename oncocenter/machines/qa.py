"""Machine QA (TG-142 style, after QATrack+) and beam-matched machine groups (issue 15).

Writes are services (keyword-only, `by`, audited, atomic); the reads that gate treatment
(`qa_state`, `qa_gate`, `matched_machine_ids`) are used by radiotherapy's delivery and by
scheduling's booking and day board, both above this app.

The QA gate of one machine at a time `at`:
- an open hold (a test outside its action level) refuses treatment until a physicist releases it;
- where the machine has a daily test list, every active daily test must have a result on that
  day before `at`, none outside its action level; otherwise the machine is "daily QA missing".
A machine with no daily test list is "not configured" and is not gated (a center switches the
gate on by defining its daily tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.accounts.models import CredentialKind, User
from oncocenter.accounts.services import credential_is_current
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, NotPermitted, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.machines.models import (
    BeamMatchGroup,
    BeamMatchMember,
    Machine,
    QAFrequency,
    QAHold,
    QAResult,
    QAResultStatus,
    QATest,
)

MIN_REASON = 5


class QAState:
    OK = "ok"
    HOLD = "hold"
    DAILY_MISSING = "daily-missing"
    NOT_CONFIGURED = "not-configured"


QA_STATE_LABELS = {
    QAState.OK: gettext_lazy("Daily QA passed"),
    QAState.HOLD: gettext_lazy("QA hold"),
    QAState.DAILY_MISSING: gettext_lazy("Daily QA missing"),
    QAState.NOT_CONFIGURED: gettext_lazy("No daily QA list"),
}


def _physicist(by: User, perm: str, what: str) -> None:
    require(by, perm)
    if not credential_is_current(user=by, kinds=[CredentialKind.MEDICAL_PHYSICIST]):
        raise NotPermitted(
            _("%(what)s needs a current medical physicist credential.") % {"what": what}
        )


def _dec(value: object, field: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed.single(field, _("must be a number"), value) from None
    if not d.is_finite():
        raise ValidationFailed.single(field, _("must be a finite number"), value)
    return d.quantize(Decimal("0.001"))


# --- beam-matched groups -----------------------------------------------------------------------


def beam_match_group_create(
    *, name: str, machines: Iterable[Machine], evidence: str, matched_on: dt.date, by: User
) -> BeamMatchGroup:
    """Sign a group of machines as beam-matched (physicist, with the matching evidence)."""
    _physicist(by, "machine.match.sign", _("Signing beam matching"))
    members = list({m.pk: m for m in machines}.values())
    problems = []
    if not name.strip():
        problems.append(FieldProblem("name", _("is required")))
    if len(evidence.strip()) < MIN_REASON:
        problems.append(FieldProblem("evidence", _("describe the matching measurements")))
    if len(members) < 2:
        problems.append(FieldProblem("machines", _("a group needs at least two machines")))
    kinds = {m.kind for m in members}
    if len(kinds) > 1:
        problems.append(FieldProblem("machines", _("machines of one kind only")))
    if not isinstance(matched_on, dt.date) or matched_on > timezone.localdate():
        problems.append(FieldProblem("matched_on", _("a date not in the future"), matched_on))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        group = BeamMatchGroup.objects.create(
            name=name.strip(),
            evidence=evidence.strip(),
            matched_on=matched_on,
            signed_by=by,
            signed_at=timezone.now(),
        )
        BeamMatchMember.objects.bulk_create(
            [BeamMatchMember(group=group, machine=m) for m in members]
        )
        audit_record(
            action=AuditAction.SIGN,
            obj=group,
            detail={"machines": sorted(m.code for m in members), "matched_on": matched_on},
        )
    return group


def beam_match_group_retire(*, group: BeamMatchGroup, by: User, reason: str) -> BeamMatchGroup:
    """The machines are no longer matched (e.g. after a repair): plans stay on their own machine."""
    _physicist(by, "machine.match.sign", _("Retiring beam matching"))
    if len(reason.strip()) < MIN_REASON:
        raise ValidationFailed.single("reason", _("is required"))
    with transaction.atomic():
        group = BeamMatchGroup.objects.select_for_update().get(pk=group.pk)
        if not group.active:
            raise Conflict(_("This group is already retired."), rule="match_group_retired")
        group.active = False
        group.retired_reason = reason.strip()[:300]
        group.save(update_fields=["active", "retired_reason", "updated_at"])
        audit_record(action=AuditAction.UPDATE, obj=group, detail={"retired": group.retired_reason})
    return group


def matched_machine_ids(machine_id: int) -> set[int]:
    """The machine and every machine in an active beam-matched group with it."""
    groups = BeamMatchMember.objects.filter(machine_id=machine_id, group__active=True).values(
        "group_id"
    )
    ids = set(
        BeamMatchMember.objects.filter(group_id__in=groups).values_list("machine_id", flat=True)
    )
    ids.add(machine_id)
    return ids


def machine_allowed_for_plan(
    *, planned: Machine, attempted: Machine, field: str = "machine"
) -> None:
    """Refuse a machine that is neither the plan's machine nor beam-matched to it."""
    if attempted.pk in matched_machine_ids(planned.pk):
        return
    raise Conflict(
        _(
            "The plan is approved for %(planned)s; %(attempted)s is not beam-matched to it "
            "(a plan transfer is needed)."
        )
        % {"planned": planned.code, "attempted": attempted.code},
        rule="machine_not_planned",
        problems=[
            FieldProblem(
                field,
                _("planned %(planned)s, attempted %(attempted)s")
                % {"planned": planned.code, "attempted": attempted.code},
                attempted.code,
            )
        ],
    )


# --- QA tests, results, holds ----------------------------------------------------------------------


def qa_test_define(
    *,
    machine: Machine,
    code: str,
    name: str,
    frequency: str,
    nominal: object,
    tolerance: object,
    action: object,
    unit: str = "",
    by: User,
) -> QATest:
    """Add a test to a machine's QA program (physicist)."""
    _physicist(by, "machine.qa.define", _("Defining machine QA"))
    problems = []
    if not code.strip():
        problems.append(FieldProblem("code", _("is required")))
    if not name.strip():
        problems.append(FieldProblem("name", _("is required")))
    if frequency not in QAFrequency.values:
        problems.append(
            FieldProblem(
                "frequency",
                _("must be one of %(choices)s") % {"choices": ", ".join(QAFrequency.values)},
                frequency,
            )
        )
    if problems:
        raise ValidationFailed(problems)
    nom, tol, act = _dec(nominal, "nominal"), _dec(tolerance, "tolerance"), _dec(action, "action")
    if tol < 0:
        raise ValidationFailed.single("tolerance", _("must be 0 or more"), str(tol))
    if act < tol:
        raise ValidationFailed.single("action", _("must be at least the tolerance"), str(act))
    with transaction.atomic():
        if QATest.objects.filter(machine=machine, code=code.strip()).exists():
            raise Conflict(
                _("%(machine)s already has a test %(code)s.")
                % {"machine": machine.code, "code": code.strip()},
                rule="qa_test_exists",
                problems=[FieldProblem("code", _("already defined"), code)],
            )
        test = QATest.objects.create(
            machine=machine,
            code=code.strip(),
            name=name.strip(),
            frequency=frequency,
            unit=unit.strip(),
            nominal=nom,
            tolerance=tol,
            action=act,
        )
        audit_record(action=AuditAction.CREATE, obj=test, detail={"machine": machine.code})
    return test


def evaluate(test: QATest, value: Decimal) -> str:
    deviation = abs(value - test.nominal)
    if deviation > test.action:
        return QAResultStatus.ACTION
    if deviation > test.tolerance:
        return QAResultStatus.TOLERANCE
    return QAResultStatus.PASS


def qa_result_record(
    *,
    test: QATest,
    value: object,
    by: User,
    performed_at: dt.datetime | None = None,
    comment: str = "",
) -> QAResult:
    """Record a measured value; outside the action level puts the machine on QA hold."""
    require(by, "machine.qa.record")
    val = _dec(value, "value")
    now = timezone.now()
    at = performed_at or now
    if timezone.is_naive(at):
        raise ValidationFailed.single("performed_at", _("must carry a timezone"), at)
    if at > now:
        raise ValidationFailed.single("performed_at", _("cannot be in the future"), at.isoformat())
    if not test.active:
        raise Conflict(_("This test is no longer active."), rule="qa_test_inactive")
    status = evaluate(test, val)
    if status != QAResultStatus.PASS and not comment.strip():
        raise ValidationFailed.single(
            "comment", _("a result outside tolerance needs a comment"), str(val)
        )
    with transaction.atomic():
        machine = Machine.objects.select_for_update().get(pk=test.machine_id)
        result = QAResult.objects.create(
            test=test,
            machine=machine,
            value=val,
            status=status,
            performed_at=at,
            performed_by=by,
            recorded_at=now,
            comment=comment.strip()[:300],
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=result,
            detail={
                "machine": machine.code,
                "test": test.code,
                "value": str(val),
                "status": status,
            },
        )
        if (
            status == QAResultStatus.ACTION
            and not QAHold.objects.filter(machine=machine, released_at__isnull=True).exists()
        ):
            hold = QAHold.objects.create(
                machine=machine,
                started_at=at,
                result=result,
                reason=(
                    f"{test.name}: {val} {test.unit} "
                    f"(nominal {test.nominal}, action ±{test.action})"
                )[:300],
            )
            audit_record(action=AuditAction.CREATE, obj=hold, detail={"machine": machine.code})
    return result


def qa_hold_place(*, machine: Machine, by: User, reason: str) -> QAHold:
    """A physicist holds a machine by hand (e.g. a fault seen outside the test list)."""
    _physicist(by, "machine.qa.release", _("Placing a QA hold"))
    if len(reason.strip()) < MIN_REASON:
        raise ValidationFailed.single("reason", _("is required"))
    with transaction.atomic():
        machine = Machine.objects.select_for_update().get(pk=machine.pk)
        try:
            with transaction.atomic():
                hold = QAHold.objects.create(
                    machine=machine, started_at=timezone.now(), reason=reason.strip()[:300]
                )
        except IntegrityError as exc:
            raise Conflict(
                _("%(machine)s is already on QA hold.") % {"machine": machine.code},
                rule="machine_qa_hold",
            ) from exc
        audit_record(action=AuditAction.CREATE, obj=hold, detail={"machine": machine.code})
    return hold


def qa_hold_release(*, machine: Machine, by: User, reason: str) -> QAHold:
    """A physicist reviewed the failure and releases the machine for treatment."""
    _physicist(by, "machine.qa.release", _("Releasing a QA hold"))
    if len(reason.strip()) < MIN_REASON:
        raise ValidationFailed.single(
            "reason", _("a reason of at least %(n)d characters is required") % {"n": MIN_REASON}
        )
    with transaction.atomic():
        Machine.objects.select_for_update().get(pk=machine.pk)
        hold = (
            QAHold.objects.select_for_update()
            .filter(machine=machine, released_at__isnull=True)
            .first()
        )
        if hold is None:
            raise Conflict(
                _("%(machine)s is not on QA hold.") % {"machine": machine.code},
                rule="machine_not_held",
            )
        hold.released_at = timezone.now()
        hold.released_by = by
        hold.release_reason = reason.strip()[:300]
        hold.save(update_fields=["released_at", "released_by", "release_reason"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=hold,
            detail={"machine": machine.code, "released": hold.release_reason},
        )
    return hold


# --- reads that gate treatment ---------------------------------------------------------------------


@dataclass(frozen=True)
class QAStatus:
    state: str
    hold: QAHold | None = None
    missing: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return str(QA_STATE_LABELS[self.state])

    @property
    def blocks(self) -> bool:
        return self.state in (QAState.HOLD, QAState.DAILY_MISSING)


def _day_bounds(at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localtime(at).date()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def qa_states(machine_ids: Iterable[int], at: dt.datetime | None = None) -> dict[int, QAStatus]:
    """QA state of many machines at a time (three queries whatever the number of machines)."""
    at = at or timezone.now()
    ids = list(machine_ids)
    holds = {
        h.machine_id: h
        for h in QAHold.objects.filter(machine_id__in=ids, started_at__lte=at).filter(
            Q(released_at__isnull=True) | Q(released_at__gt=at)
        )
    }
    daily: dict[int, dict[int, str]] = {}
    for t in QATest.objects.filter(
        machine_id__in=ids, frequency=QAFrequency.DAILY, active=True
    ).order_by("code"):
        daily.setdefault(t.machine_id, {})[t.pk] = t.name
    day_start, _end = _day_bounds(at)
    done: dict[int, set[int]] = {}
    for mid, tid in QAResult.objects.filter(
        machine_id__in=ids,
        test__frequency=QAFrequency.DAILY,
        performed_at__gte=day_start,
        performed_at__lte=at,
    ).values_list("machine_id", "test_id"):
        done.setdefault(mid, set()).add(tid)
    out: dict[int, QAStatus] = {}
    for mid in ids:
        if mid in holds:
            out[mid] = QAStatus(QAState.HOLD, hold=holds[mid])
        elif mid not in daily:
            out[mid] = QAStatus(QAState.NOT_CONFIGURED)
        else:
            missing = tuple(
                name for tid, name in daily[mid].items() if tid not in done.get(mid, set())
            )
            out[mid] = QAStatus(QAState.DAILY_MISSING if missing else QAState.OK, missing=missing)
    return out


def qa_state(machine: Machine, at: dt.datetime | None = None) -> QAStatus:
    return qa_states([machine.pk], at)[machine.pk]


def qa_gate(machine: Machine, at: dt.datetime, *, field: str = "machine") -> None:
    """Refuse treatment on a machine on QA hold, or without today's daily QA, at `at`."""
    status = qa_state(machine, at)
    if status.state == QAState.HOLD:
        assert status.hold is not None
        raise Conflict(
            _("%(machine)s is on QA hold (%(reason)s) until a physicist releases it.")
            % {"machine": machine.code, "reason": status.hold.reason},
            rule="machine_qa_hold",
            problems=[FieldProblem(field, _("machine on QA hold"), machine.code)],
        )
    if status.state == QAState.DAILY_MISSING:
        raise Conflict(
            _("%(machine)s has no daily QA for that day yet (missing: %(tests)s).")
            % {"machine": machine.code, "tests": ", ".join(status.missing)},
            rule="machine_qa_daily_missing",
            problems=[FieldProblem(field, _("daily QA missing"), machine.code)],
        )
