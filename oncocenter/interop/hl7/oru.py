"""Reading HL7 v2 ORU^R01 laboratory results (python-hl7) into plain values. No Django.

Read: PID-3 identifiers; per OBR the filler (OBR-3) or placer (OBR-2) order number as the
accession and OBR-7 as the collection time; per OBX the value type (OBX-2), the LOINC code
(OBX-3, coding system LN), the value (OBX-5), the UCUM unit (OBX-6), the laboratory's reference
range (OBX-7), abnormal flags (OBX-8), the result status (OBX-11), the observation time (OBX-14,
else OBR-7) and the analysis time (OBX-19, else OBR-22, the results-reported time).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import hl7

from oncocenter.interop.hl7.adt import Hl7Error, Identifier, _get, _identifiers, normalise

SEOUL = ZoneInfo("Asia/Seoul")
LOINC_SYSTEMS = frozenset({"LN", "LOINC", "HTTP://LOINC.ORG"})
NUMERIC_TYPES = frozenset({"NM", "SN"})
TEXT_TYPES = frozenset({"ST", "TX", "FT", "CWE", "CE"})
# OBX-11 (HL7 table 0085): F final, C corrected, P preliminary, R not verified, S partial,
# I pending, X cannot be obtained, D delete, W wrong (withdrawn).
STATUSES = frozenset({"F", "C", "P", "R", "S", "I", "X", "D", "W", "U", "N", "O"})
# OBX-8 (HL7 table 0078) flags that say "outside the reference range".
ABNORMAL_FLAGS = frozenset({"H", "L", "HH", "LL", "A", "AA", "HU", "LU", "<", ">"})
_TS = re.compile(r"^(\d{8})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")
_RANGE = re.compile(r"^\s*(-?[\d.]+)\s*(?:-|\u2013|\^)\s*(-?[\d.]+)\s*$")


@dataclass(frozen=True)
class Observation:
    set_id: str
    value_type: str
    loinc: str
    name: str
    value: Decimal | None
    text: str
    unit: str
    ref_low: Decimal | None
    ref_high: Decimal | None
    flags: tuple[str, ...]
    status: str
    observed_at: dt.datetime | None
    resulted_at: dt.datetime | None
    accession: str


@dataclass
class OruMessage:
    control_id: str
    sending_facility: str
    identifiers: list[Identifier] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


def timestamp(value: str, what: str) -> dt.datetime | None:
    """An HL7 TS; without an offset it is the center's local time (Asia/Seoul)."""
    value = value.strip().split("^")[0]
    if not value:
        return None
    m = _TS.match(value)
    if not m:
        raise Hl7Error(f"{what} {value!r} is not a time YYYYMMDD[HHMM[SS]][+ZZZZ]", code="AE")
    day, hh, mm, ss, offset = m.groups()
    try:
        naive = dt.datetime.strptime(  # noqa: DTZ007 (the zone is applied below)
            day + (hh or "00") + (mm or "00") + (ss or "00"), "%Y%m%d%H%M%S"
        )
    except ValueError:
        raise Hl7Error(f"{what} {value!r} is not a valid time", code="AE") from None
    if offset:
        sign = 1 if offset[0] == "+" else -1
        tz = dt.timezone(sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
        return naive.replace(tzinfo=tz)
    return naive.replace(tzinfo=SEOUL)


def _number(value: str, what: str) -> Decimal:
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        raise Hl7Error(f"{what} {value!r} is not a number", code="AE") from None


def _range(value: str, what: str) -> tuple[Decimal | None, Decimal | None]:
    value = value.strip()
    if not value:
        return None, None
    m = _RANGE.match(value)
    if m:
        return _number(m.group(1), what), _number(m.group(2), what)
    if value[0] in "<>" and value[1:].strip():
        bound = _number(value[1:].lstrip("="), what)
        return (None, bound) if value[0] == "<" else (bound, None)
    raise Hl7Error(f"{what} {value!r} is not a range like 3.5-5.0, <5 or >1", code="AE")


def _structured_number(value: str, comp: str, what: str) -> Decimal:
    """SN: comparator^number; only a plain or '=' number is a measured value."""
    parts = value.split(comp)
    comparator = parts[0].strip()
    if comparator not in ("", "="):
        raise Hl7Error(
            f"{what} {value!r} is a bound ({comparator}), not a measured value", code="AE"
        )
    return _number(parts[1] if len(parts) > 1 else "", what)


def parse(raw: str) -> OruMessage:
    text = normalise(raw)
    if not text.startswith("MSH"):
        raise Hl7Error("the message does not start with an MSH segment")
    try:
        hl7.parse(text)
    except Exception as exc:  # python-hl7 raises several types for malformed text
        raise Hl7Error(f"not a readable HL7 v2 message: {exc}") from exc
    sep, comp, rep = text[3], text[4], text[5]
    lines = text.split("\r")
    msh = lines[0].split(sep)
    msg_type = _get(msh, 8).split(comp)
    if msg_type[0] != "ORU" or (len(msg_type) > 1 and msg_type[1] != "R01"):
        raise Hl7Error(f"message type {'^'.join(msg_type)!r} is not ORU^R01")
    control_id = _get(msh, 9).strip()
    if not control_id:
        raise Hl7Error("MSH-10 (message control id) is empty")
    out = OruMessage(control_id=control_id, sending_facility=_get(msh, 3).split(comp)[0])
    pids = [line for line in lines if line.startswith("PID")]
    if len(pids) != 1:
        raise Hl7Error(
            f"the message has {len(pids)} PID segments; one patient per message is accepted",
            code="AE",
        )
    out.identifiers = _identifiers(_get(pids[0].split(sep), 3), rep, comp)
    accession = ""
    collected: dt.datetime | None = None
    reported: dt.datetime | None = None
    seen_obr = False
    for line in lines:
        seg = line.split(sep)
        if seg[0] == "OBR":
            seen_obr = True
            filler, placer = _get(seg, 3).split(comp)[0], _get(seg, 2).split(comp)[0]
            accession = (filler or placer).strip()
            collected = timestamp(_get(seg, 7), "OBR-7 collection time")
            reported = timestamp(_get(seg, 22), "OBR-22 results reported time")
        elif seg[0] == "OBX":
            if not seen_obr:
                raise Hl7Error("an OBX segment comes before any OBR", code="AE")
            out.observations.append(_observation(seg, comp, accession, collected, reported))
    if not out.observations:
        raise Hl7Error("the message carries no OBX result", code="AE")
    return out


def _observation(
    seg: list[str],
    comp: str,
    accession: str,
    collected: dt.datetime | None,
    reported: dt.datetime | None,
) -> Observation:
    set_id = _get(seg, 1).strip() or "?"
    where = f"OBX-{set_id}"
    vtype = _get(seg, 2).strip().upper()
    code = _get(seg, 3).split(comp)
    system = (code[2] if len(code) > 2 else "").strip().upper()
    alt_system = (code[5] if len(code) > 5 else "").strip().upper()
    if system in LOINC_SYSTEMS:
        loinc, name = code[0].strip(), (code[1] if len(code) > 1 else "").strip()
    elif alt_system in LOINC_SYSTEMS:
        loinc, name = code[3].strip(), (code[4] if len(code) > 4 else "").strip()
    else:
        raise Hl7Error(f"{where}.3 {'^'.join(code)!r} is not LOINC-coded (LN)", code="AE")
    status = _get(seg, 11).strip().upper()
    if status not in STATUSES:
        raise Hl7Error(f"{where}.11 result status {status or 'missing'!r} is unknown", code="AE")
    raw_value = _get(seg, 5)
    value: Decimal | None = None
    text = ""
    if status in ("F", "C") or raw_value.strip():
        if vtype == "NM":
            value = _number(raw_value, f"{where}.5")
        elif vtype == "SN":
            value = _structured_number(raw_value, comp, f"{where}.5")
        elif vtype in TEXT_TYPES:
            text = raw_value.replace("\\.br\\", "\n").strip()
        else:
            raise Hl7Error(f"{where}.2 value type {vtype!r} is not accepted", code="AE")
    low, high = _range(_get(seg, 7), f"{where}.7 reference range")
    flags = tuple(f.strip().upper() for f in _get(seg, 8).split("~") if f.strip())
    return Observation(
        set_id=set_id,
        value_type=vtype,
        loinc=loinc,
        name=name,
        value=value,
        text=text,
        unit=_get(seg, 6).split(comp)[0].strip(),
        ref_low=low,
        ref_high=high,
        flags=flags,
        status=status,
        observed_at=timestamp(_get(seg, 14), f"{where}.14 observation time") or collected,
        resulted_at=timestamp(_get(seg, 19), f"{where}.19 analysis time") or reported,
        accession=accession,
    )


def message_type(raw: str) -> str:
    """MSH-9.1 read leniently ('ADT', 'ORU', ...)."""
    text = normalise(raw)
    if not text.startswith("MSH") or len(text) < 8:
        return ""
    msh = text.split("\r", 1)[0].split(text[3])
    return _get(msh, 8).split(text[4])[0].strip()
