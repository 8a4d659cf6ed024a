"""Reading HL7 v2 ADT messages (python-hl7) into plain values, and writing ACKs. No Django.

Only what OncoCenter keeps is read: the message header, PID-3 identifiers (id and assigning
authority), PID-5 names (Latin and Hangul repetitions), PID-7 birth date, PID-8 sex, PID-29
death date, and MRG-1 (the prior identifier of an A40 merge).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import hl7

SUPPORTED = frozenset({"A01", "A03", "A04", "A08", "A31", "A40"})
SEX = {"M": "male", "F": "female", "O": "other", "U": "unknown", "A": "other", "N": "unknown"}
HANGUL = re.compile(r"[가-힣]")


class Hl7Error(ValueError):
    """A message that cannot be read; `code` is the ACK code it earns (AR or AE)."""

    def __init__(self, message: str, code: str = "AR") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Identifier:
    value: str
    authority: str
    type_code: str


@dataclass
class AdtMessage:
    control_id: str
    sending_app: str
    sending_facility: str
    event: str  # A01, A03, ...
    structure: str
    version: str
    identifiers: list[Identifier] = field(default_factory=list)
    family_name_en: str = ""
    given_name_en: str = ""
    name_ko: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    deceased_on: dt.date | None = None
    prior_identifiers: list[Identifier] = field(default_factory=list)


def normalise(raw: str) -> str:
    """Segments end in CR; files and sockets often bring LF or CRLF instead."""
    return "\r".join(line for line in re.split(r"\r\n|\n|\r", raw.strip()) if line)


def _fields(segment: str, sep: str) -> list[str]:
    return segment.split(sep)


def _get(fields: list[str], i: int) -> str:
    return fields[i] if len(fields) > i else ""


def _date(value: str, what: str) -> dt.date | None:
    value = value.strip()[:8]
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 (a date, no time)
    except ValueError:
        raise Hl7Error(f"{what} {value!r} is not a date YYYYMMDD", code="AE") from None


def _identifiers(value: str, rep: str, comp: str) -> list[Identifier]:
    out = []
    for item in value.split(rep):
        parts = item.split(comp)
        ident = parts[0].strip()
        authority = (parts[3] if len(parts) > 3 else "").split("&")[0].strip()
        type_code = (parts[4] if len(parts) > 4 else "").strip()
        if ident:
            out.append(Identifier(value=ident, authority=authority, type_code=type_code or "MR"))
    return out


def parse(raw: str) -> AdtMessage:
    text = normalise(raw)
    if not text.startswith("MSH"):
        raise Hl7Error("the message does not start with an MSH segment")
    try:
        msg = hl7.parse(text)
    except Exception as exc:  # python-hl7 raises several types for malformed text
        raise Hl7Error(f"not a readable HL7 v2 message: {exc}") from exc
    sep = text[3]
    comp, rep = text[4], text[5]
    segments: dict[str, str] = {}
    for seg in text.split("\r"):
        segments.setdefault(seg[:3], seg)
    msh = _fields(segments["MSH"], sep)
    # MSH-1 is the separator itself, so MSH-n is at index n-1.
    msg_type = _get(msh, 8).split(comp)
    control_id = _get(msh, 9).strip()
    if not control_id:
        raise Hl7Error("MSH-10 (message control id) is empty")
    if msg_type[0] != "ADT":
        raise Hl7Error(
            f"message type {msg_type[0] or 'missing'!r} is not accepted here (ADT and ORU^R01 only)"
        )
    event = msg_type[1] if len(msg_type) > 1 else ""
    if event not in SUPPORTED:
        raise Hl7Error(
            f"ADT event {event or 'missing'!r} is not accepted (accepted: {', '.join(sorted(SUPPORTED))})"
        )
    out = AdtMessage(
        control_id=control_id,
        sending_app=_get(msh, 2).split(comp)[0],
        sending_facility=_get(msh, 3).split(comp)[0],
        event=event,
        structure=msg_type[2] if len(msg_type) > 2 else "",
        version=_get(msh, 11),
    )
    assert msg is not None
    if "PID" not in segments:
        raise Hl7Error("the message has no PID segment", code="AE")
    pid = _fields(segments["PID"], sep)
    out.identifiers = _identifiers(_get(pid, 3), rep, comp)
    for name in _get(pid, 5).split(rep):
        parts = name.split(comp)
        family = parts[0].strip()
        given = " ".join(p.strip() for p in parts[1:3] if p.strip())
        if not family:
            continue
        if HANGUL.search(family + given):
            out.name_ko = out.name_ko or (family + given).replace(" ", "")
        elif not out.family_name_en:
            out.family_name_en, out.given_name_en = family, given
    out.birth_date = _date(_get(pid, 7), "PID-7 birth date")
    sex = _get(pid, 8).strip().upper()
    if sex and sex not in SEX:
        raise Hl7Error(f"PID-8 sex {sex!r} is not one of M, F, O, U, A, N", code="AE")
    out.sex = SEX.get(sex, "")
    out.deceased_on = _date(_get(pid, 29), "PID-29 death date")
    if "MRG" in segments:
        out.prior_identifiers = _identifiers(_get(_fields(segments["MRG"], sep), 1), rep, comp)
    return out


def header_fields(raw: str) -> tuple[str, str, str]:
    """(sending facility, control id, trigger event) read leniently, to acknowledge even a message
    that `parse` refuses."""
    text = normalise(raw)
    if not text.startswith("MSH") or len(text) < 8:
        return "", "", ""
    sep, comp = text[3], text[4]
    msh = text.split("\r", 1)[0].split(sep)
    msg_type = _get(msh, 8).split(comp)
    return (
        _get(msh, 3).split(comp)[0],
        _get(msh, 9).strip(),
        msg_type[1] if len(msg_type) > 1 else "",
    )


def ack(raw: str, code: str, text: str, *, now: dt.datetime, ack_id: str) -> str:
    """An ACK for `raw`: MSA-1 AA / AE / AR, MSA-2 its control id, MSA-3 the reason."""
    norm = normalise(raw)
    sep, comp = ("|", "^") if len(norm) < 8 or not norm.startswith("MSH") else (norm[3], norm[4])
    msh = norm.split("\r", 1)[0].split(sep) if norm.startswith("MSH") else []
    facility, control_id, event = header_fields(raw)
    clean = text.replace(sep, " ").replace("\r", " ").replace("\n", " ")[:200]
    segments = [
        sep.join(
            [
                "MSH",
                "^~\\&",
                "ONCOCENTER",
                "ONCOCENTER",
                _get(msh, 2),
                facility,
                now.strftime("%Y%m%d%H%M%S"),
                "",
                f"ACK{comp}{event}{comp}ACK" if event else "ACK",
                ack_id,
                "P",
                _get(msh, 11) or "2.5.1",
            ]
        ),
        sep.join(["MSA", code, control_id, clean]),
    ]
    if code != "AA":
        segments.append(
            sep.join(["ERR", "", "", "", "E" if code == "AE" else "F", "", "", "", clean])
        )
    return "\r".join(segments) + "\r"
