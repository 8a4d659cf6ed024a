"""Solver-independent validator (`linac-schedule check`) and the DESIGN.md metrics.

It only reads the instance and the solution files, so it can judge any scheduler (ours, the
greedy baseline, a center's manual plan).

Pattern spacing is split the way the contract splits it: the *hard* rule is the minimum
spacing (daily: at most one fraction per open day; alternate: at least one open day between
fractions; bid: at most two a day, starts at least 6 h apart), while skipping more open days
than the pattern asks is an *interruption*, a soft penalty that is counted and reported. A
course that may never be interrupted is therefore a matter of objective weight, and the check
still accepts the outage-forced extension the issue allows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .model import Appointment, Instance, Patient, Solution
from .objective import DEFAULT_WEIGHTS, TARGET_DAYS, Weights, outside_minutes
from .timeline import Timeline, delivered_before

BID_GAP_MIN = 360


@dataclass
class Violation:
    rule: str
    message: str
    patient: str | None = None
    fraction: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "patient": self.patient,
            "fraction": self.fraction,
            "message": self.message,
        }


@dataclass
class CheckReport:
    violations: list[Violation] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, math.ceil(q * len(s)) - 1)
    return float(s[k])


def check(instance: Instance, solution: Solution) -> CheckReport:
    """Every hard rule of DESIGN.md, then the metrics (computed even when rules are broken)."""
    tl = Timeline(instance)
    rep = CheckReport()
    bad = rep.violations.append
    machines = {m.id: m for m in instance.machines}
    patients = {p.id: p for p in instance.patients}
    unscheduled = {u.patient for u in solution.unscheduled}
    by_patient: dict[str, list[Appointment]] = defaultdict(list)
    by_machine_day: dict[tuple[str, dt.date], list[Appointment]] = defaultdict(list)

    for a in solution.appointments:
        p = patients.get(a.patient)
        if p is None:
            bad(
                Violation(
                    "unknown-patient",
                    f"appointment for unknown patient {a.patient!r}",
                    a.patient,
                    a.fraction,
                )
            )
            continue
        tag = f"{a.patient} fraction {a.fraction}"
        if not 1 <= a.fraction <= p.fractions:
            bad(
                Violation(
                    "fraction-range",
                    f"{tag}: fraction must be 1..{p.fractions}",
                    a.patient,
                    a.fraction,
                )
            )
        by_patient[a.patient].append(a)
        m = machines.get(a.machine)
        if m is None:
            bad(
                Violation(
                    "unknown-machine",
                    f"{tag}: unknown machine {a.machine!r}",
                    a.patient,
                    a.fraction,
                )
            )
            continue
        by_machine_day[(a.machine, a.start.date())].append(a)
        if a.start.date() != a.end.date() and not (a.end.hour == 0 and a.end.minute == 0):
            bad(Violation("open-hours", f"{tag}: crosses midnight", a.patient, a.fraction))
        if not tl.is_open(a.start.date()):
            bad(
                Violation(
                    "open-day",
                    f"{tag}: {a.start.date()} is not an open day of the horizon",
                    a.patient,
                    a.fraction,
                )
            )
        s = a.start.hour * 60 + a.start.minute
        e = s + int((a.end - a.start).total_seconds() // 60)
        if s < m.open or e > m.close:
            bad(
                Violation(
                    "open-hours",
                    f"{tag}: {a.start:%H:%M}-{a.end:%H:%M} outside {a.machine} hours",
                    a.patient,
                    a.fraction,
                )
            )
        for d in m.downtime:
            if a.start < d.end and d.start < a.end:
                bad(
                    Violation(
                        "downtime",
                        f"{tag}: overlaps downtime of {a.machine} "
                        f"{d.start:%Y-%m-%dT%H:%M}-{d.end:%H:%M}",
                        a.patient,
                        a.fraction,
                    )
                )
        if p.technique not in m.techniques:
            bad(
                Violation(
                    "technique",
                    f"{tag}: {a.machine} lacks technique {p.technique}",
                    a.patient,
                    a.fraction,
                )
            )
        elif p.allowed_machines is not None and a.machine not in p.allowed_machines:
            bad(
                Violation(
                    "allowed-machine",
                    f"{tag}: {a.machine} is not in allowed_machines",
                    a.patient,
                    a.fraction,
                )
            )
        want = p.duration(a.fraction, a.machine)
        got = int((a.end - a.start).total_seconds() // 60)
        if got != want:
            bad(
                Violation(
                    "duration",
                    f"{tag}: lasts {got} min, must last {want} min",
                    a.patient,
                    a.fraction,
                )
            )
        if a.start.date() < p.ready_date:
            bad(
                Violation(
                    "ready-date",
                    f"{tag}: on {a.start.date()}, before ready_date {p.ready_date}",
                    a.patient,
                    a.fraction,
                )
            )

    first_of_day: dict[tuple[str, dt.date], dt.datetime] = {}
    for a in solution.appointments:
        k = (a.patient, a.start.date())
        first_of_day[k] = min(first_of_day.get(k, a.start), a.start)
    for (mid, _day), apps in by_machine_day.items():
        apps.sort(key=lambda a: a.start)
        for x, y in itertools.pairwise(apps):
            if y.start < x.end:
                bad(
                    Violation(
                        "overlap",
                        f"{mid}: {x.patient} fraction {x.fraction} "
                        f"{x.start:%Y-%m-%dT%H:%M} overlaps {y.patient} fraction "
                        f"{y.fraction} {y.start:%H:%M}",
                        y.patient,
                        y.fraction,
                    )
                )
        # Only a patient's first session of the day needs the fasting slot: the second session
        # of a twice-daily child course comes 6 h later, necessarily after other patients.
        first_other = next((a.start for a in apps if not patients[a.patient].anesthesia), None)
        if first_other is not None:
            for a in apps:
                if (
                    patients[a.patient].anesthesia
                    and a.start > first_other
                    and a.start == first_of_day[(a.patient, a.start.date())]
                ):
                    bad(
                        Violation(
                            "anesthesia-first",
                            f"{a.patient} fraction {a.fraction}: "
                            f"under anesthesia but not the first slot on {mid} "
                            f"{a.start:%Y-%m-%d} (another session at {first_other:%H:%M})",
                            a.patient,
                            a.fraction,
                        )
                    )

    for p in instance.patients:
        apps = sorted(by_patient.get(p.id, []), key=lambda a: a.fraction)
        counts = Counter(a.fraction for a in apps)
        for fr, c in counts.items():
            if c > 1:
                bad(
                    Violation(
                        "duplicate-fraction", f"{p.id} fraction {fr}: scheduled {c} times", p.id, fr
                    )
                )
        if p.id not in unscheduled:
            # fractions delivered before the instance (a course under way) are not due
            pre = delivered_before(p, tl)
            missing = [k for k in range(pre + 1, p.fractions + 1) if k not in counts]
            if missing:
                bad(
                    Violation(
                        "complete",
                        f"{p.id}: fractions {missing[:5]}"
                        f"{'...' if len(missing) > 5 else ''} not scheduled and patient not "
                        "listed as unscheduled",
                        p.id,
                        missing[0],
                    )
                )
        for b in p.booked:
            if not any(
                a.fraction == b.fraction and a.machine == b.machine and a.start == b.start
                for a in apps
            ):
                bad(
                    Violation(
                        "booked-kept",
                        f"{p.id} fraction {b.fraction}: booked on "
                        f"{b.machine} {b.start:%Y-%m-%dT%H:%M} not kept",
                        p.id,
                        b.fraction,
                    )
                )
        _check_spacing(p, apps, tl, bad)

    if unscheduled and not rep.violations:
        _check_unscheduled(instance, solution, tl, bad)
    rep.metrics = metrics(instance, solution, tl)
    return rep


def _check_unscheduled(instance: Instance, solution: Solution, tl: Timeline, bad: Any) -> None:
    """An unscheduled patient needs a valid reason: either the instance itself rules the course
    out (no capable machine, session longer than the opening hours, ready date or course
    beyond the horizon), or the course really does not fit the free time this solution leaves.
    A course that fits (first-come-first-served, earliest slots, up to 5 skipped days, which
    is what the greedy baseline would have done) was dropped without a reason: a failure.
    Checked only when every other rule holds, since it reads the solution as a schedule."""
    from .placement import book_earliest
    from .state import Schedule, Session, precheck

    sched = Schedule(instance, tl)
    for a in solution.appointments:
        day, minute = tl.locate(a.start)
        if day is not None:
            end = minute + int((a.end - a.start).total_seconds() // 60)
            sched.add(Session(a.patient, a.fraction, a.machine, day, minute, end))
    for u in solution.unscheduled:
        p: Patient | None = sched.patients.get(u.patient)
        if p is None or sched.sessions.get(p.id) or precheck(instance, p, tl):
            continue  # partly treated courses are judged by `complete`; structural reasons hold
        d0 = tl.first_open_on_or_after(p.ready_date)
        placed = book_earliest(sched, p, d0) or book_earliest(sched, p, d0, max_interrupt=5)
        if placed:
            first = placed[0]
            for ses in placed:
                sched.remove(ses.patient, ses.fraction)
            bad(
                Violation(
                    "unscheduled-without-reason",
                    f"{p.id}: listed as unscheduled ({u.reason!r}) but the whole course fits "
                    f"the free time of this solution, from {tl.dates[first.day]} on "
                    f"{first.machine}",
                    p.id,
                )
            )


def _check_spacing(p: Patient, apps: list[Appointment], tl: Timeline, bad: Any) -> None:
    for x, y in itertools.pairwise(apps):
        tag = f"{p.id} fraction {y.fraction}"
        if y.start < x.end:
            bad(
                Violation(
                    "order", f"{tag}: starts before fraction {x.fraction} ends", p.id, y.fraction
                )
            )
            continue
        dx, dy = tl.index.get(x.start.date()), tl.index.get(y.start.date())
        if dx is None or dy is None:
            continue  # already an open-day violation
        gap = dy - dx
        if p.pattern == "daily" and gap < 1:
            bad(
                Violation(
                    "spacing",
                    f"{tag}: daily course, two fractions on {y.start.date()}",
                    p.id,
                    y.fraction,
                )
            )
        elif p.pattern == "alternate" and gap < 2:
            bad(
                Violation(
                    "spacing",
                    f"{tag}: alternate-day course, only {gap} open day(s) after "
                    f"fraction {x.fraction}",
                    p.id,
                    y.fraction,
                )
            )
        elif (
            p.pattern == "bid"
            and gap == 0
            and (y.start - x.start) < dt.timedelta(minutes=BID_GAP_MIN)
        ):
            bad(
                Violation(
                    "spacing", f"{tag}: twice-daily fractions less than 6 h apart", p.id, y.fraction
                )
            )
    if p.pattern == "bid":
        per_day = Counter(a.start.date() for a in apps)
        for d, c in per_day.items():
            if c > 2:
                bad(
                    Violation(
                        "spacing",
                        f"{p.id}: {c} fractions on {d} (twice daily allows 2)",
                        p.id,
                        None,
                    )
                )


def patient_penalties(
    p: Patient, apps: list[Appointment], tl: Timeline, w: Weights = DEFAULT_WEIGHTS
) -> dict[str, int]:
    """Named penalty totals of one patient's appointments (sorted by fraction)."""
    out = {
        "late_start": 0,
        "waiting": 0,
        "interruption": 0,
        "machine_change": 0,
        "start_time_drift": 0,
        "outside_preferred_window": 0,
    }
    if not apps:
        return out
    first = apps[0].start.date()
    wait = max(0, tl.open_days_between(p.ready_date, first))
    one = dt.timedelta(days=1)
    late = max(0, tl.open_days_between(p.due_date + one, first + one))  # open days after due
    if delivered_before(p, tl):
        wait = late = 0  # under way: it started before the instance, its start is not judged
    out["late_start"] = w.late[p.urgency] * late
    out["waiting"] = w.wait * wait
    out["interruption"] = (
        w.interruption
        * interruption_days(p, apps, tl)
        * (w.interruption_sensitive_factor if p.interruption_sensitive else 1)
    )
    main = Counter(a.machine for a in apps).most_common(1)[0][0]
    out["machine_change"] = w.machine_change * sum(1 for a in apps if a.machine != main)
    out["start_time_drift"] = w.drift_per_5min * (drift_minutes(apps) // 5)
    out["outside_preferred_window"] = (
        w.outside_window_per_5min
        * sum(
            outside_minutes(_mod(a.start), _mod(a.start) + _len(a), p.preferred_window)
            for a in apps
        )
        // 5
    )
    return out


def _mod(t: dt.datetime) -> int:
    return t.hour * 60 + t.minute


def _len(a: Appointment) -> int:
    return int((a.end - a.start).total_seconds() // 60)


def interruption_days(p: Patient, apps: list[Appointment], tl: Timeline) -> int:
    """Open days skipped beyond the pattern's spacing between consecutive treatment days."""
    days = sorted({tl.index[a.start.date()] for a in apps if a.start.date() in tl.index})
    step = 2 if p.pattern == "alternate" else 1
    return sum(max(0, b - a - step) for a, b in itertools.pairwise(days))


def drift_minutes(apps: list[Appointment]) -> int:
    """Sum over consecutive treatment days of |change of the day's first start time|."""
    firsts: dict[dt.date, int] = {}
    for a in apps:
        d = a.start.date()
        firsts[d] = min(firsts.get(d, 1440), _mod(a.start))
    vals = [firsts[d] for d in sorted(firsts)]
    return sum(abs(b - a) for a, b in itertools.pairwise(vals))


def metrics(
    instance: Instance,
    solution: Solution,
    tl: Timeline | None = None,
    patient_ids: set[str] | None = None,
) -> dict[str, Any]:
    """DESIGN.md metrics; `patient_ids` restricts patient metrics (e.g. the measured window)."""
    tl = tl or Timeline(instance)
    by_patient: dict[str, list[Appointment]] = defaultdict(list)
    for a in solution.appointments:
        by_patient[a.patient].append(a)
    on_time: dict[str, list[int]] = {u: [0, 0] for u in TARGET_DAYS}
    waits: list[float] = []
    interruptions = interrupted = 0
    on_main = total = 0
    drift_sum = drift_n = 0
    pen_tot: Counter[str] = Counter()
    unscheduled = {u.patient for u in solution.unscheduled}
    n_unsched = 0
    for p in instance.patients:
        if patient_ids is not None and p.id not in patient_ids:
            continue
        apps = sorted(by_patient.get(p.id, []), key=lambda a: a.fraction)
        if p.id in unscheduled and not apps:
            n_unsched += 1
            on_time[p.urgency][1] += 1  # counts as not on time
            continue
        if not apps:
            continue
        first = apps[0].start.date()
        if not delivered_before(p, tl):  # a course under way has no start in the instance
            on_time[p.urgency][1] += 1
            on_time[p.urgency][0] += first <= p.due_date
            waits.append(max(0, tl.open_days_between(p.ready_date, first)))
        k = interruption_days(p, apps, tl)
        interruptions += k
        interrupted += k > 0
        main = Counter(a.machine for a in apps).most_common(1)[0][1]
        on_main += main
        total += len(apps)
        ndays = len({a.start.date() for a in apps})
        drift_sum += drift_minutes(apps)
        drift_n += max(0, ndays - 1)
        pen_tot.update(patient_penalties(p, apps, tl))
    util: dict[str, float] = {}
    booked: Counter[str] = Counter()
    for a in solution.appointments:
        booked[a.machine] += _len(a)
    for m in instance.machines:
        avail = (m.close - m.open) * len(tl)
        for d in m.downtime:
            for _day, s, e in tl.day_pieces(d.start, d.end):
                avail -= max(0, min(e, m.close) - max(s, m.open))
        util[m.id] = round(booked[m.id] / avail, 4) if avail > 0 else 0.0
    n_pat = sum(v[1] for v in on_time.values())
    n_on = sum(v[0] for v in on_time.values())
    return {
        "patients": n_pat,
        "unscheduled": n_unsched,
        "on_time": {
            u: {"patients": v[1], "on_time": v[0], "share": round(v[0] / v[1], 4) if v[1] else None}
            for u, v in on_time.items()
        },
        "on_time_all": round(n_on / n_pat, 4) if n_pat else None,
        "wait_days_mean": round(sum(waits) / len(waits), 3) if waits else None,
        "wait_days_p90": _pct(waits, 0.9),
        "interruption_days": interruptions,
        "interrupted_patients": interrupted,
        "main_machine_share": round(on_main / total, 4) if total else None,
        "drift_min_mean": round(drift_sum / drift_n, 2) if drift_n else 0.0,
        "utilisation": util,
        "penalties": dict(pen_tot),
        "solve_seconds": solution.metrics.get("solve_seconds"),
    }


def explain(instance: Instance, solution: Solution) -> dict[str, dict[str, int]]:
    """Named penalty totals per patient: why a booking is not ideal, for the UI."""
    tl = Timeline(instance)
    by_patient: dict[str, list[Appointment]] = defaultdict(list)
    for a in solution.appointments:
        by_patient[a.patient].append(a)
    return {
        p.id: patient_penalties(p, sorted(by_patient[p.id], key=lambda a: a.fraction), tl)
        for p in instance.patients
        if by_patient.get(p.id)
    }
