import copy
import json

import pytest

from linac_optimizer.model import FormatError, Instance, Solution


def test_sample_parses_with_types(sample):
    p = sample.patients[0]
    assert p.fractions == 25 and p.preferred_window == (480, 720)
    assert p.booked[0].start.hour == 8
    assert sample.machines[0].downtime[0].end.hour == 13
    assert sample.capable_machines(p) == ["LINAC-1", "LINAC-2"]
    assert p.duration(1, "LINAC-1") == 25 and p.duration(2, "LINAC-2") == 15


def test_round_trip_instance(sample_json):
    sample_json["site"] = "Seoul"  # extra optional fields are kept
    sample_json["patients"][0]["diagnosis"] = "C15.9"
    sample_json["patients"][0]["duration_by_machine"] = {"LINAC-2": 18}
    inst = Instance.from_json(sample_json)
    out = inst.to_json()
    assert out["site"] == "Seoul" and out["patients"][0]["diagnosis"] == "C15.9"
    again = Instance.from_json(json.loads(json.dumps(out)))
    assert again == inst
    assert out["patients"][0]["duration_by_machine"] == {"LINAC-2": 18}


def test_round_trip_solution():
    js = {
        "format": "linac-schedule-solution/1",
        "appointments": [
            {
                "patient": "P1",
                "fraction": 1,
                "machine": "M1",
                "start": "2027-03-08T08:00",
                "end": "2027-03-08T08:20",
                "note": "x",
            }
        ],
        "unscheduled": [{"patient": "P2", "reason": "no capable machine"}],
        "metrics": {"solve_seconds": 0.1},
    }
    sol = Solution.from_json(js)
    assert sol.to_json() == js
    assert Solution.from_json(sol.to_json()) == sol


@pytest.mark.parametrize(
    "path,value,message",
    [
        (
            ("patients", 0, "fractions"),
            -2,
            "patients[0] (P0001).fractions: must be a positive integer, got -2",
        ),
        (("patients", 0, "urgency"), "soon", "patients[0] (P0001).urgency: must be one of"),
        (("patients", 0, "pattern"), "weekly", "patients[0] (P0001).pattern: must be one of"),
        (
            ("patients", 0, "ready_date"),
            "2027-02-30",
            "patients[0] (P0001).ready_date: must be a date",
        ),
        (
            ("patients", 0, "due_date"),
            "2027-01-01",
            "patients[0] (P0001).due_date: must not be before",
        ),
        (
            ("patients", 0, "allowed_machines"),
            ["LINAC-9"],
            "patients[0] (P0001).allowed_machines[0]: unknown machine 'LINAC-9'",
        ),
        (
            ("patients", 0, "preferred_window"),
            ["12:00", "08:00"],
            "preferred_window: end must be after",
        ),
        (("patients", 0, "anesthesia"), "yes", "anesthesia: must be true or false"),
        (("patients", 0, "booked", 0, "fraction"), 26, "booked[0].fraction: must be at most"),
        (("patients", 0, "booked", 0, "start"), "2027-03-02T08:00+09:00", "no offset"),
        (("machines", 0, "close"), "07:00", "machines[0] (LINAC-1).close: must be after open"),
        (("machines", 1, "open"), "8am", "machines[1] (LINAC-2).open: must be a time HH:MM"),
        (
            ("machines", 0, "downtime", 0, "end"),
            "2027-03-04T07:00",
            "downtime[0].end: must be after",
        ),
        (("horizon_days",), 0, "horizon_days: must be a positive integer"),
        (("timezone",), "Mars/Base", "timezone: must be an IANA"),
        (("format",), "linac-schedule/2", "format: must be 'linac-schedule/1'"),
    ],
)
def test_errors_name_field_and_id(sample_json, path, value, message):
    obj = sample_json
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = value
    with pytest.raises(FormatError) as e:
        Instance.from_json(sample_json)
    assert message in str(e.value)


def test_missing_field_named(sample_json):
    del sample_json["patients"][0]["technique"]
    with pytest.raises(FormatError, match=r"patients\[0\] \(P0001\)\.technique: is required"):
        Instance.from_json(sample_json)


def test_duplicate_patient(sample_json):
    sample_json["patients"].append(copy.deepcopy(sample_json["patients"][0]))
    with pytest.raises(FormatError, match=r"patients\[1\] \(P0001\)\.id: duplicate"):
        Instance.from_json(sample_json)
