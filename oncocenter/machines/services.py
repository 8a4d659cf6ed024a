"""Writes of the machines area: service state, planned QA windows and recorded outages.

Each service checks the permission, validates, then writes inside `transaction.atomic()` under a
row lock on the machine and audits. What is booked on a machine belongs to the scheduling area
above: the services ask it through the `BOOKED_SESSIONS` hook, so a machine is not taken out of
service, and QA is not planned, over booked sessions. Rebooking the sessions an outage hits is the
scheduling area's outage workflow, which records the outage here first.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.machines.hooks import BOOKED_SESSIONS
from oncocenter.machines.models import DowntimeKind, Machine, MachineDowntime

#: Longer downtime is entered in parts, so that one typing error cannot block weeks of treatment.
MAX_DOWNTIME = dt.timedelta(days=14)


def booked_sessions(*, machine: Machine, start: dt.datetime, end: dt.datetime | None) -> int:
    """Sessions booked on the machine overlapping [start, end) (`end` None: from start on)."""
    return sum(provider(machine, start, end) for provider in BOOKED_SESSIONS.providers())


def downtime_check(*, start: object, end: object, reason: str) -> None:
    """A downtime's interval and reason, checked before anything is locked or written."""
    problems = []
    if not isinstance(start, dt.datetime):
        problems.append(FieldProblem("start", _("must be a date and time"), start))
    if not isinstance(end, dt.datetime):
        problems.append(FieldProblem("end", _("must be a date and time"), end))
    if problems:
        raise ValidationFailed(problems)
    assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationFailed.single("start", _("must carry a timezone"), start)
    if end <= start:
        raise ValidationFailed.single("end", _("must be after start"), end.isoformat())
    if end - start > MAX_DOWNTIME:
        raise ValidationFailed.single(
            "end",
            _("a downtime longer than %(days)d days: enter it in parts")
            % {"days": MAX_DOWNTIME.days},
            end,
        )
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required"))


def _lock(machine: Machine) -> Machine:
    return Machine.objects.select_for_update().get(pk=machine.pk)


def machine_set_in_service(*, machine: Machine, in_service: bool, by: User, reason: str) -> Machine:
    """Take a machine out of service (no new bookings or deliveries) or put it back.

    Refused while sessions are booked on it ahead: an outage report rebooks them first.
    """
    require(by, "machine.manage")
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required"))
    with transaction.atomic():
        machine = _lock(machine)
        if not in_service:
            ahead = booked_sessions(machine=machine, start=timezone.now(), end=None)
            if ahead:
                raise Conflict(
                    _(
                        "%(machine)s has %(n)d booked session(s) ahead; report an outage for the "
                        "period so they are rebooked, then take it out of service."
                    )
                    % {"machine": machine.code, "n": ahead},
                    rule="machine_has_bookings",
                    problems=[
                        FieldProblem(
                            "in_service", _("%(n)d booked session(s) ahead") % {"n": ahead}
                        )
                    ],
                )
        machine.in_service = in_service
        machine.save(update_fields=["in_service", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=machine,
            detail={"in_service": in_service, "reason": reason.strip()[:300]},
        )
    return machine


def qa_window_plan(
    *, machine: Machine, start: dt.datetime, end: dt.datetime, reason: str, by: User
) -> MachineDowntime:
    """A planned QA or maintenance window; refused where sessions are already booked."""
    require(by, "downtime.plan")
    downtime_check(start=start, end=end, reason=reason)
    with transaction.atomic():
        machine = _lock(machine)
        booked = booked_sessions(machine=machine, start=start, end=end)
        if booked:
            raise Conflict(
                _(
                    "%(n)d session(s) are booked on %(machine)s in that window; plan QA in free "
                    "time or report an outage to rebook them."
                )
                % {"n": booked, "machine": machine.code},
                rule="qa_overlaps_bookings",
                problems=[
                    FieldProblem(
                        "start", _("%(n)d booked session(s) in the window") % {"n": booked}
                    )
                ],
            )
        return _downtime_create(
            machine=machine, kind=DowntimeKind.QA, start=start, end=end, reason=reason, by=by
        )


def outage_record(
    *, machine: Machine, start: dt.datetime, end: dt.datetime, reason: str, by: User
) -> MachineDowntime:
    """Record an unplanned outage, whatever is booked in it.

    The scheduling area's outage report calls this inside its own transaction and then rebooks
    the sessions the outage hits (and fills `rebook_summary`).
    """
    require(by, "outage.report")
    downtime_check(start=start, end=end, reason=reason)
    with transaction.atomic():
        return _downtime_create(
            machine=machine, kind=DowntimeKind.OUTAGE, start=start, end=end, reason=reason, by=by
        )


def _downtime_create(
    *,
    machine: Machine,
    kind: str,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    by: User,
) -> MachineDowntime:
    """Save and audit a checked downtime (inside the caller's transaction)."""
    downtime = MachineDowntime.objects.create(
        machine=machine,
        kind=kind,
        start=start,
        end=end,
        reason=reason.strip()[:300],
        reported_by=by,
    )
    audit_record(
        action=AuditAction.CREATE,
        obj=downtime,
        detail={"machine": machine.code, "start": start, "end": end},
    )
    return downtime
