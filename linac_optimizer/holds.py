"""Capacity held as real slots (issue 16, item 4): the optional `holds` of a machine.

An instance may name, per machine, time that is *held* for patients still to come (an optional
field of `linac-schedule/1`, kept exactly as written by centers that do not use it):

```json
"machines": [{"id": "LINAC-3", ..., "holds": [
    {"start": "2027-03-10T08:00", "end": "2027-03-10T08:40", "for": "anesthesia"},
    {"start": "2027-03-10T19:35", "end": "2027-03-10T20:00", "for": "acute"}]}]
```

`for` is `anesthesia` (the first slots of the day, for children under anesthesia) or `acute`
(emergency and urgent patients). A hold is not a hard rule: `check` ignores it, and a held slot
that is not used is simply free time. `solve_with_holds` books in three passes, each with the
same `solve` (so every guarantee of the static solve holds per pass), after a pass 0:

0. the emergency patients, tightest first, without the solver: steps 1 and 2 of the online
   policy (`candidates.book_emergencies_first` with `make_room=False`): the cheapest whole
   course on the first day in [ready, due] where it fits, the children's (anesthesia) holds
   kept from adults; else, for an adult, the same inside them (a real emergency goes before a
   child who may come). So an emergency's on-time start does not hang on the solver's clock,
   and an adult is not kept out of the only room it has on time. The online policy's steps 3
   and 4 (postponing not-yet-started courses, sliding adults later within a child's day) move
   other patients' booked sessions and are not run here: an emergency they alone would put
   on time is booked by the passes below, as early as they can;
1. the patients a hold is for (children under anesthesia, emergency and urgent patients), with
   the holds that are not for them treated as downtime;
2. everyone else, with every hold that is still free treated as downtime;
3. whoever pass 2 left unscheduled, with the holds released (a course is never refused because
   of capacity held for someone who may not come; the hold only steers).

`online.Reserve.held_slots` turns the reserve sized from the arrival statistics into such holds,
so the web application (or a center's own tool) can write them into the instance it solves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .candidates import ChildrenBlock, book_emergencies_first
from .decomposed import URGENT, continue_course
from .model import Booked, Downtime, FormatError, Instance, Patient, Solution, fmt_datetime
from .model import _datetime as parse_datetime
from .state import Schedule

KINDS = ("anesthesia", "acute")


@dataclass(frozen=True)
class Hold:
    machine: str
    start: dt.datetime
    end: dt.datetime
    kind: str

    def to_json(self) -> dict[str, str]:
        return {"start": fmt_datetime(self.start), "end": fmt_datetime(self.end), "for": self.kind}


def entitled(p: Patient) -> set[str]:
    """The kinds of held capacity `p` may use."""
    out = set()
    if p.anesthesia:
        out.add("anesthesia")
    if p.urgency in URGENT:
        out.add("acute")
    return out


def parse_holds(instance: Instance) -> list[Hold]:
    """The machines' `holds`, validated (FormatError naming the field otherwise)."""
    out = []
    for i, m in enumerate(instance.machines):
        raw = m.extra.get("holds", [])
        if not isinstance(raw, list):
            raise FormatError(f"machines[{i}] ({m.id}).holds: must be a list, got {raw!r}")
        for j, h in enumerate(raw):
            w = f"machines[{i}] ({m.id}).holds[{j}]"
            if not isinstance(h, dict):
                raise FormatError(f"{w}: must be an object, got {h!r}")
            kind = h.get("for")
            if kind not in KINDS:
                raise FormatError(f"{w}.for: must be one of {', '.join(KINDS)}, got {kind!r}")
            start = parse_datetime(h.get("start"), f"{w}.start")
            end = parse_datetime(h.get("end"), f"{w}.end")
            if end <= start:
                raise FormatError(f"{w}.end: must be after start, got {h.get('end')!r}")
            out.append(Hold(m.id, start, end, kind))
    return out


def _free_parts(hold: Hold, busy: list[tuple[dt.datetime, dt.datetime]]) -> list[Hold]:
    """The parts of `hold` not covered by `busy` intervals (sessions already booked there)."""
    parts, cur = [], hold.start
    for s, e in sorted(busy):
        if e <= cur or s >= hold.end:
            continue
        if s > cur:
            parts.append(Hold(hold.machine, cur, s, hold.kind))
        cur = max(cur, e)
    if cur < hold.end:
        parts.append(Hold(hold.machine, cur, hold.end, hold.kind))
    return parts


def _pass_instance(
    base: dict[str, Any],
    booked: dict[str, list[Booked]],
    patients: set[str],
    as_downtime: list[Hold],
) -> Instance:
    """`base` with the earlier passes' appointments booked, only `patients` among the new ones,
    and the free parts of `as_downtime` as downtime."""
    inst = Instance.from_json(base)
    keep = []
    for p in inst.patients:
        if p.booked:
            keep.append(p)
        elif p.id in booked:
            p.booked = list(booked[p.id])
            keep.append(p)
        elif p.id in patients:
            keep.append(p)
    inst.patients = keep
    by_machine: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for p in keep:
        for b in p.booked:
            end = b.start + dt.timedelta(minutes=p.duration(b.fraction, b.machine))
            by_machine.setdefault(b.machine, []).append((b.start, end))
    for h in as_downtime:
        for part in _free_parts(h, by_machine.get(h.machine, [])):
            inst.machine(h.machine).downtime.append(
                Downtime(part.start, part.end, f"held: {h.kind}")
            )
    return inst


def anesthesia_block(holds: list[Hold]) -> ChildrenBlock:
    """`candidates.ChildrenBlock` of the instance's anesthesia `holds`: kept from an adult as
    downtime (the passes' reading of a hold not for the patient), for the duration only;
    never kept from a child under anesthesia, for whom it is held."""
    held = [h for h in holds if h.kind == "anesthesia"]

    @contextmanager
    def block(sched: Schedule, p: Patient, keep: bool) -> Iterator[bool]:
        if not held or p.anesthesia:
            yield False
            return
        if not keep:
            yield True
            return
        snap = sched.snapshot()
        for h in held:
            if h.machine in sched.machines:
                sched.add_downtime(h.machine, h.start, h.end)
        try:
            yield True
        finally:
            sched.restore(snap)  # the holds' downtime out again, nothing else changed

    return block


def emergencies_first(
    base: dict[str, Any], holds: list[Hold]
) -> tuple[dict[str, list[Booked]], dict[str, Any]]:
    """Pass 0 of `solve_with_holds` (module docstring) on `base` (the instance without its
    holds): the emergencies' appointments it booked, and what it did for `metrics.holds`."""
    inst = Instance.from_json(base)
    sched = Schedule(inst)
    sched.load_booked()
    # courses under way are completed first, as `solve` does in each pass, so an emergency
    # does not take the slot a missing fraction of theirs gets there
    for p in inst.patients:
        if p.booked:
            continue_course(sched, p)
    new = [p for p in inst.patients if not p.booked]
    res = book_emergencies_first(sched, new, 0, make_room=False, block=anesthesia_block(holds))
    booked = {
        pid: [
            Booked(s.fraction, s.machine, sched.tl.at(s.day, s.start))
            for _, s in sorted(sched.sessions[pid].items())
        ]
        for pid in res.booked
    }
    # `to_passes`: emergencies for which steps 1-2 found no whole course starting on time (the
    # online policy would try moving other patients' sessions); the passes book them
    info = {"pass": 0, "booked": dict(res.how), "to_passes": list(res.not_on_time)}
    return booked, info


def solve_with_holds(
    instance: Instance, *, time_limit: float = 10.0, method: str = "auto", workers: int = 2
) -> Solution:
    """`solver.solve` honouring the machines' `holds` (module docstring). Without holds, or
    without new patients, this is `solve` itself."""
    from .check import metrics
    from .solver import solve

    holds = parse_holds(instance)
    new = [p for p in instance.patients if not p.booked]
    if not holds or not new:
        return solve(instance, time_limit=time_limit, method=method, workers=workers)
    base = instance.to_json()
    for m in base["machines"]:
        m.pop("holds", None)
    # pass 0: emergencies on time, before and independently of the solver
    booked, first = emergencies_first(base, holds)
    groups: dict[frozenset[str], set[str]] = {}
    for p in new:
        if p.id not in booked:
            groups.setdefault(frozenset(entitled(p)), set()).add(p.id)
    # the patients holds are for first (most entitled first), then everyone else
    order = sorted(groups, key=lambda k: (-len(k), sorted(k)))
    passes: list[tuple[set[str], list[Hold]]] = [
        (groups[k], [h for h in holds if h.kind not in k]) for k in order
    ]
    sol: Solution | None = None
    tried: list[dict[str, Any]] = [first]
    share = time_limit / (len(passes) + 1)
    unscheduled: set[str] = set()
    penalties: dict[str, Any] = {}
    for n, (ids, as_downtime) in enumerate(passes):
        inst = _pass_instance(base, booked, ids, as_downtime)
        sol = solve(inst, time_limit=max(1.0, share), method=method, workers=workers)
        penalties.update(sol.extra.get("penalties", {}))
        tried.append({"pass": n + 1, "patients": len(ids), "held_as_downtime": len(as_downtime)})
        for a in sol.appointments:
            if a.patient in ids:
                booked.setdefault(a.patient, []).append(Booked(a.fraction, a.machine, a.start))
        unscheduled |= {u.patient for u in sol.unscheduled if u.patient in ids}
    if unscheduled:  # released: nobody waits for capacity held for someone else
        inst = _pass_instance(base, booked, unscheduled, [])
        sol = solve(inst, time_limit=max(1.0, share), method=method, workers=workers)
        penalties.update(sol.extra.get("penalties", {}))
        tried.append({"pass": len(passes) + 1, "patients": len(unscheduled), "released": True})
    if sol is None:  # pass 0 booked every new patient: the whole schedule, nothing to choose
        inst = _pass_instance(base, booked, set(), [])
        sol = solve(inst, time_limit=max(1.0, share), method=method, workers=workers)
        penalties.update(sol.extra.get("penalties", {}))
    final = Instance.from_json(base)
    sol.metrics = metrics(final, sol)
    sol.metrics["holds"] = {"held": len(holds), "passes": tried}
    if penalties:
        sol.extra["penalties"] = penalties
    return sol
