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
same `solve` (so every guarantee of the static solve holds per pass):

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
from dataclasses import dataclass
from typing import Any

from .decomposed import URGENT
from .model import Booked, Downtime, FormatError, Instance, Patient, Solution, fmt_datetime
from .model import _datetime as parse_datetime

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
    groups: dict[frozenset[str], set[str]] = {}
    for p in new:
        groups.setdefault(frozenset(entitled(p)), set()).add(p.id)
    # the patients holds are for first (most entitled first), then everyone else
    order = sorted(groups, key=lambda k: (-len(k), sorted(k)))
    passes: list[tuple[set[str], list[Hold]]] = [
        (groups[k], [h for h in holds if h.kind not in k]) for k in order
    ]
    booked: dict[str, list[Booked]] = {}
    sol: Solution | None = None
    tried: list[dict[str, Any]] = []
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
    assert sol is not None
    final = Instance.from_json(base)
    sol.metrics = metrics(final, sol)
    sol.metrics["holds"] = {"held": len(holds), "passes": tried}
    if penalties:
        sol.extra["penalties"] = penalties
    return sol
