"""In-memory machine calendar shared by the greedy baseline, the decomposed optimizer, online
booking, outage rebooking and the simulator.

For each (machine, open-day index) it keeps the busy intervals (downtime and sessions) sorted
by start minute, so "is this slot free", "earliest slot" and "slot nearest to 10:40" are a scan
over a few dozen entries. Every placement routine goes through `fits()`, which enforces the same
hard rules as `check` (hours, downtime, overlap, anesthesia first); the final `check` run in the
tests is the safety net that keeps the two in agreement.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Appointment, Instance, Patient, Solution, Unscheduled
from .timeline import Timeline

if TYPE_CHECKING:
    from .candidates import MachinePressure

BID_GAP_MIN = 360


@dataclass(order=True)
class Busy:
    start: int
    end: int
    patient: str = ""  # "" for downtime
    fraction: int = 0
    anesthesia_first: bool = False  # first session of the day of a child under anesthesia


@dataclass
class Session:
    patient: str
    fraction: int
    machine: str
    day: int
    start: int
    end: int


class Schedule:
    def __init__(self, instance: Instance, timeline: Timeline | None = None):
        self.instance = instance
        self.tl = timeline or Timeline(instance)
        self.machines = {m.id: m for m in instance.machines}
        self.patients: dict[str, Patient] = {p.id: p for p in instance.patients}
        self.busy: dict[tuple[str, int], list[Busy]] = defaultdict(list)
        self.sessions: dict[str, dict[int, Session]] = defaultdict(dict)
        self.unscheduled: dict[str, str] = {}
        # `gaps` answers per machine-day (see `gaps`): dropped when that machine-day's busy
        # list changes (add, remove, downtime), all of them on `restore` and on a new hook
        self._gaps: dict[tuple[str, int], dict[tuple, tuple[tuple[int, int], ...]]] = {}
        self._hooks: list[Callable[[str, int], int]] = []  # hooks the cached answers know
        self._morning_hold: Callable[[str, int], int] | None = None
        self._late_limit: Callable[[str, int], int] | None = None
        # optional: how scarce each machine is for the patients known (a
        # candidates.MachinePressure), set while the online optimizer books; None = not used
        self.pressure: MachinePressure | None = None
        for m in instance.machines:
            for d in m.downtime:
                self.add_downtime(m.id, d.start, d.end)

    # ------------------------------------------------------------------ hooks
    @property
    def morning_hold(self) -> Callable[[str, int], int] | None:
        """Optional hook: minutes that patients not under anesthesia leave free after the
        children booked on a machine-day (the morning block held for children still to come,
        see online.Reserve.morning); None = no block."""
        return self._morning_hold

    @morning_hold.setter
    def morning_hold(self, hook: Callable[[str, int], int] | None) -> None:
        self._know(hook)
        self._morning_hold = hook

    @property
    def late_limit(self) -> Callable[[str, int], int] | None:
        """Optional hook: latest end for the patient being placed (the end-of-day block held
        for emergency and urgent patients, see online.Reserve.acute); None = closing time."""
        return self._late_limit

    @late_limit.setter
    def late_limit(self, hook: Callable[[str, int], int] | None) -> None:
        self._know(hook)
        self._late_limit = hook

    def _know(self, hook: Callable[[str, int], int] | None) -> None:
        """Cached gaps are keyed by the hooks' identity (`held_back` sets and unsets the same
        limit once per patient, and those answers stay valid). A hook object not seen before
        may answer differently (a new day's reserve): forget every cached answer. The hooks
        are kept referenced, so an id in a key is never reused by another object."""
        if hook is None or any(hook is h for h in self._hooks):
            return
        self._gaps.clear()
        self._hooks = [h for h in (self._morning_hold, self._late_limit) if h is not None]
        self._hooks.append(hook)

    # ------------------------------------------------------------------ basic operations
    @property
    def ndays(self) -> int:
        return len(self.tl)

    def add_downtime(self, machine: str, start: dt.datetime, end: dt.datetime) -> None:
        for day, s, e in self.tl.day_pieces(start, end):
            bisect.insort(self.busy[(machine, day)], Busy(s, e))
            self._gaps.pop((machine, day), None)

    def duration(self, p: Patient, fraction: int, machine: str) -> int:
        return p.duration(fraction, machine)

    def is_first_of_day(self, pid: str, fraction: int, day: int) -> bool:
        prev = self.sessions[pid].get(fraction - 1)
        return prev is None or prev.day != day

    def add(self, s: Session) -> None:
        p = self.patients[s.patient]
        anest = p.anesthesia and self.is_first_of_day(s.patient, s.fraction, s.day)
        bisect.insort(
            self.busy[(s.machine, s.day)], Busy(s.start, s.end, s.patient, s.fraction, anest)
        )
        self._gaps.pop((s.machine, s.day), None)
        self.sessions[s.patient][s.fraction] = s

    def remove(self, pid: str, fraction: int) -> Session:
        s = self.sessions[pid].pop(fraction)
        lst = self.busy[(s.machine, s.day)]
        self._gaps.pop((s.machine, s.day), None)
        for i, b in enumerate(lst):
            if b.patient == pid and b.fraction == fraction:
                del lst[i]
                break
        return s

    def remove_patient(self, pid: str, from_fraction: int = 1) -> list[Session]:
        return [
            self.remove(pid, k) for k in sorted(self.sessions.get(pid, {})) if k >= from_fraction
        ]

    def snapshot(self) -> tuple[dict, dict, dict]:
        """The booked state, cheap to take (lists and dicts are copied, the immutable-by-use
        Busy/Session records are shared): `restore()` undoes every add/remove since."""
        return (
            {k: list(v) for k, v in self.busy.items()},
            {k: dict(v) for k, v in self.sessions.items()},
            dict(self.unscheduled),
        )

    def restore(self, snap: tuple[dict, dict, dict]) -> None:
        busy, sessions, unscheduled = snap
        self.busy = defaultdict(list, {k: list(v) for k, v in busy.items()})
        self.sessions = defaultdict(dict, {k: dict(v) for k, v in sessions.items()})
        self.unscheduled = dict(unscheduled)
        self._gaps.clear()

    # ------------------------------------------------------------------ slot search
    def window(self, machine: str, day: int, anesthesia_first: bool) -> tuple[int, int]:
        """Start/end bounds on `machine` that day for a session: opening hours, narrowed so that
        children under anesthesia come before every other patient."""
        m = self.machines[machine]
        lo, hi = m.open, m.close
        if self.late_limit is not None:
            hi = min(hi, self.late_limit(machine, day))
        for b in self.busy.get((machine, day), ()):
            if not b.patient:
                continue
            if anesthesia_first and not b.anesthesia_first:
                hi = min(hi, b.start)
            elif not anesthesia_first and b.anesthesia_first:
                lo = max(lo, b.end)  # after the children: the end of the last one
        if not anesthesia_first and self.morning_hold is not None:
            lo += self.morning_hold(machine, day)
        return lo, hi

    def gaps(
        self,
        machine: str,
        day: int,
        dur: int,
        anesthesia_first: bool = False,
        lo: int = 0,
        hi: int = 1440,
    ) -> tuple[tuple[int, int], ...]:
        """Intervals [a, b] of feasible *start* minutes for a session of `dur` minutes.

        Memoised per machine-day until its busy list changes (or `restore`, or a new hook):
        laying out candidate courses asks the same question for every target, machine and
        patient of a day, and the walk over the day's bookings (and the hooks) was most of the
        booking's Python time (benchmarks/README.md, "session 5, engineer speed")."""
        per = self._gaps.get((machine, day))
        if per is None:
            per = self._gaps[(machine, day)] = {}
        key = (dur, anesthesia_first, lo, hi, id(self._late_limit), id(self._morning_hold))
        hit = per.get(key)
        if hit is None:
            hit = per[key] = self._gaps_uncached(machine, day, dur, anesthesia_first, lo, hi)
        return hit

    def _gaps_uncached(
        self, machine: str, day: int, dur: int, anesthesia_first: bool, lo: int, hi: int
    ) -> tuple[tuple[int, int], ...]:
        wlo, whi = self.window(machine, day, anesthesia_first)
        lo, hi = max(lo, wlo), min(hi, whi)
        out = []
        cur = lo
        for b in self.busy.get((machine, day), ()):
            if b.end <= cur:
                continue
            if b.start >= hi:
                break
            if b.start - cur >= dur:
                out.append((cur, b.start - dur))
            cur = max(cur, b.end)
        if hi - cur >= dur:
            out.append((cur, hi - dur))
        return tuple(out)

    def nearest(
        self,
        machine: str,
        day: int,
        dur: int,
        target: int,
        anesthesia_first: bool = False,
        lo: int = 0,
    ) -> int | None:
        """Feasible start closest to `target` (earliest on ties), or None."""
        best = None
        for a, b in self.gaps(machine, day, dur, anesthesia_first, lo=lo):
            s = min(max(target, a), b)
            if best is None or abs(s - target) < abs(best - target):
                best = s
        return best

    def free_minutes(self, machine: str, day: int) -> int:
        m = self.machines[machine]
        used = sum(
            max(0, min(b.end, m.close) - max(b.start, m.open))
            for b in self.busy.get((machine, day), ())
        )
        return (m.close - m.open) - used

    def largest_gap(self, machine: str, day: int) -> int:
        g = self.gaps(machine, day, 1)
        return max((b - a + 1 for a, b in g), default=0)

    # ------------------------------------------------------------------ output
    def to_solution(self, patient_ids: set[str] | None = None) -> Solution:
        apps = []
        for pid, frs in self.sessions.items():
            if patient_ids is not None and pid not in patient_ids:
                continue
            for k in sorted(frs):
                s = frs[k]
                apps.append(
                    Appointment(
                        pid, k, s.machine, self.tl.at(s.day, s.start), self.tl.at(s.day, s.end)
                    )
                )
        apps.sort(key=lambda a: (a.start, a.machine))
        uns = [
            Unscheduled(pid, r)
            for pid, r in self.unscheduled.items()
            if patient_ids is None or pid in patient_ids
        ]
        return Solution(apps, uns)

    def load_booked(self) -> list[str]:
        """Add every `booked` appointment of the instance; returns problems found (a booked
        appointment on a closed day is kept out and reported, it cannot be honoured)."""
        problems = []
        for p in self.instance.patients:
            for b in sorted(p.booked, key=lambda b: b.fraction):
                day, minute = self.tl.locate(b.start)
                if day is None:
                    problems.append(
                        f"{p.id} fraction {b.fraction}: booked on closed day {b.start.date()}"
                    )
                    continue
                self.add(
                    Session(
                        p.id,
                        b.fraction,
                        b.machine,
                        day,
                        minute,
                        minute + p.duration(b.fraction, b.machine),
                    )
                )
        return problems


def course_days_needed(p: Patient) -> int:
    """Open days the course spans when uninterrupted (first day included)."""
    if p.pattern == "bid":
        return (p.fractions + 1) // 2
    if p.pattern == "alternate":
        return 2 * (p.fractions - 1) + 1
    return p.fractions


def course_plan(p: Patient, first_day: int, first_fraction: int = 1) -> list[tuple[int, int]]:
    """(fraction, day) of an uninterrupted course starting on `first_day`."""
    out = []
    day = first_day
    k = first_fraction
    while k <= p.fractions:
        out.append((k, day))
        if p.pattern == "bid" and k + 1 <= p.fractions:
            out.append((k + 1, day))
            k += 1
        k += 1
        day += 2 if p.pattern == "alternate" else 1
    return out


def precheck(instance: Instance, p: Patient, tl: Timeline) -> str | None:
    """A reason why `p` can never be scheduled in this instance, or None."""
    caps = instance.capable_machines(p)
    if not caps:
        allowed = "" if p.allowed_machines is None else f" among allowed {p.allowed_machines}"
        return f"no machine has technique {p.technique}{allowed}"
    longest = max(instance.machine(m).close - instance.machine(m).open for m in caps)
    need = max([p.first_duration_min, p.duration_min, *p.duration_by_machine.values()])
    if need > longest:
        return f"session of {need} min is longer than the opening hours of every capable machine"
    first = tl.first_open_on_or_after(p.ready_date)
    if first >= len(tl):
        return "ready date is after the last open day of the horizon"
    if first + course_days_needed(p) > len(tl) and not p.booked:
        return (
            f"course of {p.fractions} fractions ({p.pattern}) does not fit between the ready "
            "date and the end of the horizon"
        )
    return None
