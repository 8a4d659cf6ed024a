"""The Toulouse converter (benchmarks/toulouse.py) on a small synthetic fixture written here.

Their repository has no licence, so none of its files are used: the fixture imitates the layout
of their .xlsx (two sheets) and instance CSV with made-up sites and patients.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from benchmarks import toulouse as t
from linac_optimizer.model import Instance

HEAD_PRIO = [
    "Nom des sites",
    "Priorité",
    "Période",
    "HALCYON 8",
    "HALCYON 6",
    "TOMO 2",
    "TOMO 4",
    "TOMO 7",
    "NOVA3",
    "NOVA5",
]
HEAD_TIME = ["Nom des sites", "Priorité", *HEAD_PRIO[3:]]
# site, urgency, period, priorities (H8 H6 T2 T4 T7 N3 N5), minutes
SITES = [
    ("SENO : Sein droit", 2, 1, [2, 2, 0, 0, 0, 1, 1], [12, 12, None, None, None, 12, 12]),
    ("CŒUR : STEC", None, 2, [0, 0, 0, 0, 0, 2, 2], [None, None, None, None, None, 60, 60]),
    ("ORL : Tumeur en place", 1, 1, [0, 0, 2, 2, 1, 0, 0], [None, None, 15, 20, 20, None, None]),
    ("POUMON : Bifrac", 1, 3, [0, 0, 0, 0, 0, 2, 0], [None, None, None, None, None, 12, None]),
]


def _cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _sheet(rows: list[list[object]]) -> str:
    body = []
    for i, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(row))
        body.append(f'<row r="{i}">{cells}</row>')
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )


def _xlsx() -> bytes:
    prio = [HEAD_PRIO] + [[n, u, p, *pr] for n, u, p, pr, _m in SITES]
    times = [HEAD_TIME, ["Temps nominal d'un slot (min)", None, 12, 12, 15, 20, 20, 12, 12]] + [
        [n, u, *m] for n, u, _p, _pr, m in SITES
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Repartition" sheetId="1" r:id="rId1"/>'
            '<sheet name="Temps" sheetId="2" r:id="rId2"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Target="worksheets/sheet2.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", _sheet(prio))
        z.writestr("xl/worksheets/sheet2.xml", _sheet(times))
    return buf.getvalue()


# 2025-04-22 is a Tuesday (Easter Monday 04-21 is a French holiday); 05-01 a holiday; 04-26 Sat.
ARRIVALS = """id_day,scanner_date,validation_date,half_day,patient_id,patient_location,urgency
2,2025-04-22,2025-04-22,1,200,seno : sein droit,2
2,2025-04-22,2025-04-24,2,201,coeur : stec,4
2,2025-04-22,2025-04-23,1,202,orl : tumeur en place,1
2,2025-04-22,2025-04-26,2,203,seno : sein droit,2
3,2025-04-23,2025-05-01,1,300,seno : sein droit,2
3,2025-04-23,2025-04-25,1,301,poumon : bifrac,1
3,2025-04-23,2025-04-25,1,302,dermato : inconnu,3
40,2025-05-30,2025-06-20,1,4000,seno : sein droit,2
"""
RESULTS = """instance_hash,scenarios,kpi_waiting_times,kpi_count_violated
42,0,7,1
42,5,3,0
42,10,9,2
"""


@pytest.fixture
def source(tmp_path: Path) -> t.Source:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / Path(t.LOCATIONS_FILE).name).write_bytes(_xlsx())
    inst = tmp_path / t.INSTANCES_DIR
    inst.mkdir(parents=True)
    (inst / "instance_42.csv").write_text(ARRIVALS)
    (tmp_path / t.RESULTS_FILE).write_text(RESULTS)
    return t.Source(tmp_path)


def test_locations_from_xlsx(source: t.Source) -> None:
    locs = t.read_locations(source.read(t.LOCATIONS_FILE))
    assert sorted(locs) == [
        "coeur : stec",
        "orl : tumeur en place",
        "poumon : bifrac",
        "seno : sein droit",
    ]
    breast = locs["seno : sein droit"]
    assert breast.urgency == 2 and breast.period == 1
    assert breast.allowed == ["HALCYON 8", "HALCYON 6", "NOVA 3", "NOVA 5"]
    heart = locs["coeur : stec"]  # the ligature and accent are folded as their cleaning does
    assert heart.urgency is None and heart.minutes == {"NOVA 3": 60, "NOVA 5": 60}
    ent = locs["orl : tumeur en place"]
    assert ent.minutes == {"TOMO 2": 15, "TOMO 4": 20, "TOMO 7": 20}


def test_convert_follows_their_rules(source: t.Source) -> None:
    locs = t.read_locations(source.read(t.LOCATIONS_FILE))
    arrivals = t.read_arrivals(source.read(f"{t.INSTANCES_DIR}/instance_42.csv"))
    conv = t.convert(locs, arrivals)
    scn = conv.scenario
    assert scn.days[0] == dt.date(2025, 4, 22)  # Easter Monday is closed in France
    assert dt.date(2025, 5, 1) not in scn.days
    booked = {p.id: p for day in scn.arrivals for p in day}
    assert dict(conv.dropped) == {
        "T203": "validated on a weekend or holiday",  # a Saturday
        "T300": "validated on a weekend or holiday",  # 1 May
        "T302": "site 'dermato : inconnu' not in the locations file",
        "T4000": "validated after the simulated days",
    }
    assert sorted(booked) == ["T200", "T201", "T202", "T301"]
    heart, ent, bid = booked["T201"], booked["T202"], booked["T301"]
    # ready = validation + 2 days (+4 over a weekend); due = scanner + 20 days (+22 on a weekend)
    assert heart.ready_date == dt.date(2025, 4, 28) and heart.due_date == dt.date(2025, 5, 12)
    assert ent.ready_date == dt.date(2025, 4, 25) and ent.due_date == dt.date(2025, 5, 12)
    assert heart.pattern == "alternate" and heart.fractions == 4 and heart.urgency == "radical"
    assert ent.pattern == "daily" and ent.fractions == 15 and ent.urgency == "urgent"
    assert bid.pattern == "bid" and bid.fractions == 4
    assert ent.allowed_machines == ["TOMO-2", "TOMO-4", "TOMO-7"]
    assert ent.duration_by_machine == {"TOMO-2": 15, "TOMO-4": 20, "TOMO-7": 20}
    assert ent.first_duration_min == 20  # the longest allowed machine's session
    assert ent.extra["preferred_machines"] == ["TOMO-2", "TOMO-4"]
    # booked on the open day of the validation date, as their simulation does
    assert [p.id for p in scn.arrivals[scn.days.index(dt.date(2025, 4, 24))]] == ["T201"]
    inst = Instance.from_json(conv.instance_json())
    assert inst.holiday_calendar == "FR" and inst.timezone == "Europe/Paris"
    assert [m.id for m in inst.machines][:2] == ["TOMO-2", "NOVA-3"]
    assert inst.machine("TOMO-7").close - inst.machine("TOMO-7").open == 460


def test_published_figures(source: t.Source) -> None:
    pub = t.published(source.read(t.RESULTS_FILE))
    assert pub["42"]["deterministic"] == {"waiting_business_days": 7, "periods_violated": 1}
    assert pub["42"]["stochastic"] == {
        "configs": 2,
        "waiting_min": 3,
        "waiting_max": 9,
        "cv_min": 0,
    }


def test_replay_reports_their_indicators(source: t.Source) -> None:
    locs = t.read_locations(source.read(t.LOCATIONS_FILE))
    conv = t.convert(locs, t.read_arrivals(source.read(f"{t.INSTANCES_DIR}/instance_42.csv")))
    r = t.replay(conv, "baseline", 1.0)
    assert r["patients"] == 4 and r["unscheduled"] == 0
    # an empty department: every course starts on its ready day, nothing waits or breaks
    assert r["waiting_business_days_sum"] == 0 and r["periods_violated"] == 0
    assert r["on_time_share"] == 1.0
    assert r["bid_same_day_pairs"] == 2  # their rule flags twice-daily courses; counted apart
