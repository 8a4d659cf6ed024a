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


def patient_penalty(sched: Schedule, pid: str) -> tuple[int, int] | None:
    """(named penalty total, open days waited) of one patient's course in `sched`, None when
    it is incomplete."""
    p = sched.patients[pid]
    frs = sched.sessions.get(pid, {})
    if len(frs) < p.fractions:
        return None
    at = sched.tl.at
    apps = [
        Appointment(pid, k, s.machine, at(s.day, s.start), at(s.day, s.end))
        for k, s in sorted(frs.items())
    ]
    wait = sched.tl.open_days_between(p.ready_date, apps[0].start.date())
    return sum(patient_penalties(p, apps, sched.tl).values()), max(0, wait)
