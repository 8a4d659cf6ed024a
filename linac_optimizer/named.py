"""The named objective every booking method is compared on, so that an optimizer result
replaces the greedy incumbent only when it is at least as good (issue 16)."""

from __future__ import annotations

from typing import NamedTuple

from .check import patient_penalties
from .model import Appointment
from .state import Schedule

UNSCHEDULED_PENALTY = 1_000_000  # per patient left unscheduled: more patients booked wins


class Objective(NamedTuple):
    """What the static solve compares: patients left unscheduled (or incomplete), the named
    penalty total, and the open days waited (ready to first fraction) of the others."""

    unscheduled: int
    penalty: int
    waiting_days: int

    def scalar(self) -> int:
        return UNSCHEDULED_PENALTY * self.unscheduled + self.penalty

    def improves(self, best: Objective, greedy: Objective) -> bool:
        """Better than `best` on the named objective and never more waiting than greedy: a
        method may trade drift for waiting, never waiting for drift (DOMAIN.md: a day of
        waiting matters more than a start time that moves)."""
        if self.unscheduled != best.unscheduled:
            return self.unscheduled < best.unscheduled
        if self.unscheduled == greedy.unscheduled and self.waiting_days > greedy.waiting_days:
            return False
        return (self.penalty, self.waiting_days) < (best.penalty, best.waiting_days)

    def to_json(self) -> dict[str, int]:
        return self._asdict()


def named_objective(sched: Schedule, pids: list[str]) -> Objective:
    """The objective every method of the static solve is compared on (`Objective`)."""
    missing = total = waited = 0
    for pid in pids:
        pen = patient_penalty(sched, pid)
        if pen is None:
            missing += 1
        else:
            total += pen[0]
            waited += pen[1]
    return Objective(missing, total, waited)


def _appointments(sched: Schedule, pid: str) -> list[Appointment] | None:
    """One patient's course in `sched` as appointments, None when it is incomplete."""
    frs = sched.sessions.get(pid, {})
    if len(frs) < sched.patients[pid].fractions:
        return None
    at = sched.tl.at
    return [
        Appointment(pid, k, s.machine, at(s.day, s.start), at(s.day, s.end))
        for k, s in sorted(frs.items())
    ]


def patient_penalty(sched: Schedule, pid: str) -> tuple[int, int] | None:
    """(named penalty total, open days waited) of one patient's course in `sched`, None when
    it is incomplete."""
    apps = _appointments(sched, pid)
    if apps is None:
        return None
    p = sched.patients[pid]
    wait = sched.tl.open_days_between(p.ready_date, apps[0].start.date())
    return sum(patient_penalties(p, apps, sched.tl).values()), max(0, wait)


def start_day_key(sched: Schedule, pids: list[str]) -> tuple[int, int, int]:
    """What the online booking compares the optimizer's day with greedy's on, in this order
    (issue 16, "waiting is worth more than drift"): patients left unbooked, the start-day
    penalties (late start and waiting), then the whole named penalty. So a day on which the
    optimizer saves drift but starts someone later than greedy keeps greedy's."""
    missing = start = total = 0
    for pid in pids:
        apps = _appointments(sched, pid)
        if apps is None:
            missing += 1
            continue
        pen = patient_penalties(sched.patients[pid], apps, sched.tl)
        start += pen["late_start"] + pen["waiting"]
        total += sum(pen.values())
    return missing, start, total
