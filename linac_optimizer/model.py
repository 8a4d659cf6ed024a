"""Typed instance and solution models for the file formats `linac-schedule/1` and
`linac-schedule-solution/1` (DESIGN.md, "Contract of the scheduler").

Parsing is strict about the fields the contract names and tolerant of extra ones: unknown keys
are kept in `extra` and written back unchanged, so a center can annotate its files. Every error
names the JSON path, the patient or machine id, the rule and the offending value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INSTANCE_FORMAT = "linac-schedule/1"
SOLUTION_FORMAT = "linac-schedule-solution/1"
URGENCIES = ("emergency", "urgent", "palliative", "radical")
PATTERNS = ("daily", "alternate", "bid")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class FormatError(ValueError):
    """Malformed instance or solution; the message names the field, the id and the rule."""


# --------------------------------------------------------------------------- helpers


def _where(path: str, ident: str | None) -> str:
    return f"{path} ({ident})" if ident else path


def _req(obj: dict[str, Any], key: str, path: str, ident: str | None = None) -> Any:
    if key not in obj:
        raise FormatError(f"{_where(path, ident)}.{key}: is required")
    return obj[key]


def _str(v: Any, where: str) -> str:
    if not isinstance(v, str) or not v:
        raise FormatError(f"{where}: must be a non-empty string, got {v!r}")
    return v


def _posint(v: Any, where: str, allow_zero: bool = False) -> int:
    ok = isinstance(v, int) and not isinstance(v, bool) and (v >= 0 if allow_zero else v > 0)
    if not ok:
        kind = "a non-negative integer" if allow_zero else "a positive integer"
        raise FormatError(f"{where}: must be {kind}, got {v!r}")
    return v


def _bool(v: Any, where: str) -> bool:
    if not isinstance(v, bool):
        raise FormatError(f"{where}: must be true or false, got {v!r}")
    return v


def _date(v: Any, where: str) -> dt.date:
    if not isinstance(v, str):
        raise FormatError(f"{where}: must be a date YYYY-MM-DD, got {v!r}")
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise FormatError(f"{where}: must be a date YYYY-MM-DD, got {v!r}") from None


def parse_hhmm(v: Any, where: str) -> int:
    """'08:30' -> 510 minutes after midnight; '24:00' is accepted as the end of the day."""
    if v == "24:00":
        return 1440
    if not isinstance(v, str) or not _HHMM.match(v):
        raise FormatError(f"{where}: must be a time HH:MM, got {v!r}")
    h, m = v.split(":")
    return int(h) * 60 + int(m)


def fmt_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _datetime(v: Any, where: str) -> dt.datetime:
    """Local wall-clock time 'YYYY-MM-DDTHH:MM' (seconds allowed, must be zero).

    An explicit UTC offset is rejected on purpose: the contract says times are local to the
    instance's timezone, and silently converting would hide a data-entry mistake.
    """
    if not isinstance(v, str):
        raise FormatError(f"{where}: must be a local time YYYY-MM-DDTHH:MM, got {v!r}")
    try:
        t = dt.datetime.fromisoformat(v)
    except ValueError:
        raise FormatError(f"{where}: must be a local time YYYY-MM-DDTHH:MM, got {v!r}") from None
    if t.tzinfo is not None:
        raise FormatError(f"{where}: must be local to the instance timezone (no offset), got {v!r}")
    if t.second or t.microsecond:
        raise FormatError(f"{where}: must be on a whole minute, got {v!r}")
    return t


def fmt_datetime(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


def _extra(obj: dict[str, Any], known: set[str]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in known}


def _list(v: Any, where: str) -> list[Any]:
    if not isinstance(v, list):
        raise FormatError(f"{where}: must be a list, got {type(v).__name__}")
    return v


def _obj(v: Any, where: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise FormatError(f"{where}: must be an object, got {type(v).__name__}")
    return v


# --------------------------------------------------------------------------- instance


@dataclass
class Downtime:
    start: dt.datetime
    end: dt.datetime
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"start": fmt_datetime(self.start), "end": fmt_datetime(self.end)}
        if self.reason:
            d["reason"] = self.reason
        d.update(self.extra)
        return d


@dataclass
class Machine:
    id: str
    techniques: list[str]
    open: int  # minutes after midnight, local
    close: int
    downtime: list[Downtime] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = {"id", "techniques", "open", "close", "downtime"}

    @classmethod
    def from_json(cls, obj: Any, i: int) -> Machine:
        path = f"machines[{i}]"
        obj = _obj(obj, path)
        mid = _str(_req(obj, "id", path), f"{path}.id")
        w = f"{path} ({mid})"
        techs = _list(_req(obj, "techniques", path, mid), f"{w}.techniques")
        if not techs:
            raise FormatError(f"{w}.techniques: must name at least one technique")
        techs = [_str(t, f"{w}.techniques[{j}]") for j, t in enumerate(techs)]
        op = parse_hhmm(_req(obj, "open", path, mid), f"{w}.open")
        cl = parse_hhmm(_req(obj, "close", path, mid), f"{w}.close")
        if cl <= op:
            raise FormatError(f"{w}.close: must be after open ({fmt_hhmm(op)}), got {fmt_hhmm(cl)}")
        downs = []
        for j, d in enumerate(_list(obj.get("downtime", []), f"{w}.downtime")):
            dw = f"{w}.downtime[{j}]"
            d = _obj(d, dw)
            s = _datetime(_req(d, "start", dw), f"{dw}.start")
            e = _datetime(_req(d, "end", dw), f"{dw}.end")
            if e <= s:
                raise FormatError(
                    f"{dw}.end: must be after start {fmt_datetime(s)}, got {fmt_datetime(e)}"
                )
            reason = d.get("reason", "")
            downs.append(
                Downtime(
                    s,
                    e,
                    reason if isinstance(reason, str) else str(reason),
                    _extra(d, {"start", "end", "reason"}),
                )
            )
        return cls(mid, techs, op, cl, downs, _extra(obj, cls._KNOWN))

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "techniques": list(self.techniques),
            "open": fmt_hhmm(self.open),
            "close": fmt_hhmm(self.close),
            "downtime": [x.to_json() for x in self.downtime],
        }
        d.update(self.extra)
        return d


@dataclass
class Booked:
    fraction: int
    machine: str
    start: dt.datetime
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "fraction": self.fraction,
            "machine": self.machine,
            "start": fmt_datetime(self.start),
        }
        d.update(self.extra)
        return d


@dataclass
class Patient:
    id: str
    ready_date: dt.date
    due_date: dt.date
    urgency: str
    fractions: int
    pattern: str
    technique: str
    duration_min: int
    first_duration_min: int
    allowed_machines: list[str] | None = None
    preferred_window: tuple[int, int] | None = None
    anesthesia: bool = False
    duration_by_machine: dict[str, int] = field(default_factory=dict)
    booked: list[Booked] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = {
        "id",
        "ready_date",
        "due_date",
        "urgency",
        "fractions",
        "pattern",
        "technique",
        "duration_min",
        "first_duration_min",
        "allowed_machines",
        "preferred_window",
        "anesthesia",
        "duration_by_machine",
        "booked",
    }

    def duration(self, fraction: int, machine: str) -> int:
        """Session minutes of `fraction` (1-based) on `machine`."""
        if fraction == 1:
            return self.first_duration_min
        return self.duration_by_machine.get(machine, self.duration_min)

    @property
    def interruption_sensitive(self) -> bool:
        """Courses where a lost day costs tumor control (DOMAIN.md): explicit flag, else radical
        and emergency courses of five fractions or more."""
        flag = self.extra.get("interruption_sensitive")
        if isinstance(flag, bool):
            return flag
        return self.urgency in ("radical", "emergency") and self.fractions >= 5

    @classmethod
    def from_json(cls, obj: Any, i: int) -> Patient:
        path = f"patients[{i}]"
        obj = _obj(obj, path)
        pid = _str(_req(obj, "id", path), f"{path}.id")
        w = f"{path} ({pid})"

        def req(k: str) -> Any:
            return _req(obj, k, path, pid)

        ready = _date(req("ready_date"), f"{w}.ready_date")
        due = _date(req("due_date"), f"{w}.due_date")
        if due < ready:
            raise FormatError(f"{w}.due_date: must not be before ready_date {ready}, got {due}")
        urg = req("urgency")
        if urg not in URGENCIES:
            raise FormatError(f"{w}.urgency: must be one of {', '.join(URGENCIES)}, got {urg!r}")
        pat = req("pattern")
        if pat not in PATTERNS:
            raise FormatError(f"{w}.pattern: must be one of {', '.join(PATTERNS)}, got {pat!r}")
        nfr = _posint(req("fractions"), f"{w}.fractions")
        tech = _str(req("technique"), f"{w}.technique")
        dur = _posint(req("duration_min"), f"{w}.duration_min")
        fdur = _posint(req("first_duration_min"), f"{w}.first_duration_min")
        allowed = None
        if obj.get("allowed_machines") is not None:
            allowed = [
                _str(m, f"{w}.allowed_machines[{j}]")
                for j, m in enumerate(_list(obj["allowed_machines"], f"{w}.allowed_machines"))
            ]
            if not allowed:
                raise FormatError(f"{w}.allowed_machines: must not be empty when given")
        window = None
        if obj.get("preferred_window") is not None:
            pw = _list(obj["preferred_window"], f"{w}.preferred_window")
            if len(pw) != 2:
                raise FormatError(f"{w}.preferred_window: must be [start, end], got {pw!r}")
            w0 = parse_hhmm(pw[0], f"{w}.preferred_window[0]")
            w1 = parse_hhmm(pw[1], f"{w}.preferred_window[1]")
            if w1 <= w0:
                raise FormatError(f"{w}.preferred_window: end must be after start, got {pw!r}")
            window = (w0, w1)
        anest = _bool(obj.get("anesthesia", False), f"{w}.anesthesia")
        dbm: dict[str, int] = {}
        for m, v in _obj(obj.get("duration_by_machine", {}), f"{w}.duration_by_machine").items():
            dbm[m] = _posint(v, f"{w}.duration_by_machine.{m}")
        booked = []
        seen: set[int] = set()
        for j, braw in enumerate(_list(obj.get("booked", []), f"{w}.booked")):
            bw = f"{w}.booked[{j}]"
            b = _obj(braw, bw)
            fr = _posint(_req(b, "fraction", bw), f"{bw}.fraction")
            if fr > nfr:
                raise FormatError(f"{bw}.fraction: must be at most fractions={nfr}, got {fr}")
            if fr in seen:
                raise FormatError(f"{bw}.fraction: fraction {fr} is booked twice")
            seen.add(fr)
            booked.append(
                Booked(
                    fr,
                    _str(_req(b, "machine", bw), f"{bw}.machine"),
                    _datetime(_req(b, "start", bw), f"{bw}.start"),
                    _extra(b, {"fraction", "machine", "start"}),
                )
            )
        return cls(
            pid,
            ready,
            due,
            urg,
            nfr,
            pat,
            tech,
            dur,
            fdur,
            allowed,
            window,
            anest,
            dbm,
            booked,
            _extra(obj, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "ready_date": self.ready_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "urgency": self.urgency,
            "fractions": self.fractions,
            "pattern": self.pattern,
            "technique": self.technique,
            "duration_min": self.duration_min,
            "first_duration_min": self.first_duration_min,
        }
        if self.allowed_machines is not None:
            d["allowed_machines"] = list(self.allowed_machines)
        if self.preferred_window is not None:
            d["preferred_window"] = [
                fmt_hhmm(self.preferred_window[0]),
                fmt_hhmm(self.preferred_window[1]),
            ]
        d["anesthesia"] = self.anesthesia
        if self.duration_by_machine:
            d["duration_by_machine"] = dict(self.duration_by_machine)
        if self.booked:
            d["booked"] = [b.to_json() for b in self.booked]
        d.update(self.extra)
        return d


@dataclass
class Instance:
    start_date: dt.date
    horizon_days: int
    timezone: str
    machines: list[Machine]
    patients: list[Patient]
    holiday_calendar: str | None = None
    closed_dates: list[dt.date] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = {
        "format",
        "start_date",
        "horizon_days",
        "timezone",
        "holiday_calendar",
        "closed_dates",
        "machines",
        "patients",
    }

    def machine(self, mid: str) -> Machine:
        return self._machines_by_id()[mid]

    def _machines_by_id(self) -> dict[str, Machine]:
        return {m.id: m for m in self.machines}

    def capable_machines(self, p: Patient) -> list[str]:
        """Machines that have the technique and are allowed (DESIGN.md default: all capable)."""
        allowed = set(p.allowed_machines) if p.allowed_machines is not None else None
        return [
            m.id
            for m in self.machines
            if p.technique in m.techniques and (allowed is None or m.id in allowed)
        ]

    @property
    def end_date(self) -> dt.date:
        """First date after the horizon."""
        return self.start_date + dt.timedelta(days=self.horizon_days)

    @classmethod
    def from_json(cls, obj: Any) -> Instance:
        obj = _obj(obj, "instance")
        fmt = obj.get("format")
        if fmt != INSTANCE_FORMAT:
            raise FormatError(f"format: must be {INSTANCE_FORMAT!r}, got {fmt!r}")
        start = _date(_req(obj, "start_date", "instance"), "start_date")
        horizon = _posint(_req(obj, "horizon_days", "instance"), "horizon_days")
        tz = _str(_req(obj, "timezone", "instance"), "timezone")
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(tz)
        except Exception:
            raise FormatError(f"timezone: must be an IANA timezone name, got {tz!r}") from None
        cal = obj.get("holiday_calendar")
        if cal is not None:
            cal = _str(cal, "holiday_calendar")
        closed = [
            _date(d, f"closed_dates[{i}]")
            for i, d in enumerate(_list(obj.get("closed_dates", []), "closed_dates"))
        ]
        machines = [
            Machine.from_json(m, i)
            for i, m in enumerate(_list(_req(obj, "machines", "instance"), "machines"))
        ]
        ids = [m.id for m in machines]
        for i, mid in enumerate(ids):
            if mid in ids[:i]:
                raise FormatError(f"machines[{i}] ({mid}).id: duplicate machine id")
        patients = [
            Patient.from_json(p, i)
            for i, p in enumerate(_list(_req(obj, "patients", "instance"), "patients"))
        ]
        pids: set[str] = set()
        known = set(ids)
        for i, p in enumerate(patients):
            w = f"patients[{i}] ({p.id})"
            if p.id in pids:
                raise FormatError(f"{w}.id: duplicate patient id")
            pids.add(p.id)
            for j, m in enumerate(p.allowed_machines or []):
                if m not in known:
                    raise FormatError(f"{w}.allowed_machines[{j}]: unknown machine {m!r}")
            for m in p.duration_by_machine:
                if m not in known:
                    raise FormatError(f"{w}.duration_by_machine: unknown machine {m!r}")
            for j, b in enumerate(p.booked):
                if b.machine not in known:
                    raise FormatError(f"{w}.booked[{j}].machine: unknown machine {b.machine!r}")
        return cls(start, horizon, tz, machines, patients, cal, closed, _extra(obj, cls._KNOWN))

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "format": INSTANCE_FORMAT,
            "start_date": self.start_date.isoformat(),
            "horizon_days": self.horizon_days,
            "timezone": self.timezone,
        }
        if self.holiday_calendar is not None:
            d["holiday_calendar"] = self.holiday_calendar
        d["closed_dates"] = [x.isoformat() for x in self.closed_dates]
        d["machines"] = [m.to_json() for m in self.machines]
        d["patients"] = [p.to_json() for p in self.patients]
        d.update(self.extra)
        return d


# --------------------------------------------------------------------------- solution


@dataclass
class Appointment:
    patient: str
    fraction: int
    machine: str
    start: dt.datetime
    end: dt.datetime
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "patient": self.patient,
            "fraction": self.fraction,
            "machine": self.machine,
            "start": fmt_datetime(self.start),
            "end": fmt_datetime(self.end),
        }
        d.update(self.extra)
        return d


@dataclass
class Unscheduled:
    patient: str
    reason: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"patient": self.patient, "reason": self.reason}
        d.update(self.extra)
        return d


@dataclass
class Solution:
    appointments: list[Appointment] = field(default_factory=list)
    unscheduled: list[Unscheduled] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: Any) -> Solution:
        obj = _obj(obj, "solution")
        fmt = obj.get("format")
        if fmt != SOLUTION_FORMAT:
            raise FormatError(f"format: must be {SOLUTION_FORMAT!r}, got {fmt!r}")
        apps = []
        for i, a in enumerate(_list(_req(obj, "appointments", "solution"), "appointments")):
            w = f"appointments[{i}]"
            a = _obj(a, w)
            pid = _str(_req(a, "patient", w), f"{w}.patient")
            w = f"{w} ({pid})"
            fr = _posint(_req(a, "fraction", w), f"{w}.fraction")
            m = _str(_req(a, "machine", w), f"{w}.machine")
            s = _datetime(_req(a, "start", w), f"{w}.start")
            e = _datetime(_req(a, "end", w), f"{w}.end")
            if e <= s:
                raise FormatError(
                    f"{w}.end: must be after start {fmt_datetime(s)}, got {fmt_datetime(e)}"
                )
            apps.append(
                Appointment(
                    pid, fr, m, s, e, _extra(a, {"patient", "fraction", "machine", "start", "end"})
                )
            )
        uns = []
        for i, u in enumerate(_list(obj.get("unscheduled", []), "unscheduled")):
            w = f"unscheduled[{i}]"
            u = _obj(u, w)
            uns.append(
                Unscheduled(
                    _str(_req(u, "patient", w), f"{w}.patient"),
                    str(u.get("reason", "")),
                    _extra(u, {"patient", "reason"}),
                )
            )
        metrics = _obj(obj.get("metrics", {}), "metrics")
        return cls(
            apps, uns, metrics, _extra(obj, {"format", "appointments", "unscheduled", "metrics"})
        )

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "format": SOLUTION_FORMAT,
            "appointments": [a.to_json() for a in self.appointments],
            "unscheduled": [u.to_json() for u in self.unscheduled],
            "metrics": self.metrics,
        }
        d.update(self.extra)
        return d


# --------------------------------------------------------------------------- files


def load_json(path: str | Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise FormatError(f"{path}: not valid JSON ({e})") from None


def load_instance(path: str | Path) -> Instance:
    return Instance.from_json(load_json(path))


def load_solution(path: str | Path) -> Solution:
    return Solution.from_json(load_json(path))


def dump_json(obj: Any, path: str | Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")
