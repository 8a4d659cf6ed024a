import copy

import pytest

from linac_optimizer.check import check
from linac_optimizer.model import Instance, Solution
from linac_optimizer.tests.factories import pat, tiny

MACHINES = [
    {"id": "M1", "techniques": ["3D", "IMRT"], "open": "08:00", "close": "20:00"},
    {"id": "M2", "techniques": ["3D", "SBRT"], "open": "08:00", "close": "20:00"},
]


def app(pid, fr, m, start, end):
    return {"patient": pid, "fraction": fr, "machine": m, "start": start, "end": end}


GOOD = [
    app("P1", 1, "M1", "2027-03-08T08:00", "2027-03-08T08:20"),
    app("P1", 2, "M1", "2027-03-09T08:00", "2027-03-09T08:10"),
    app("P1", 3, "M1", "2027-03-10T08:00", "2027-03-10T08:10"),
]


def run(apps, patients=None, machines=None, unscheduled=()):
    inst = Instance.from_json(tiny(machines or copy.deepcopy(MACHINES), patients or [pat()]))
    sol = Solution.from_json(
        {
            "format": "linac-schedule-solution/1",
            "appointments": apps,
            "unscheduled": [{"patient": u, "reason": "x"} for u in unscheduled],
        }
    )
    return check(inst, sol)


def with_(i, **kw):
    apps = copy.deepcopy(GOOD)
    apps[i].update(kw)
    return apps


def test_good_solution_passes_with_metrics():
    rep = run(GOOD)
    assert rep.ok, rep.violations
    m = rep.metrics
    assert m["on_time"]["radical"]["share"] == 1.0 and m["wait_days_mean"] == 0
    assert m["main_machine_share"] == 1.0 and m["drift_min_mean"] == 0
    assert m["utilisation"]["M1"] == round(40 / (720 * 5), 4)


@pytest.mark.parametrize(
    "apps,patients,rule",
    [
        (with_(2, start="2027-03-13T08:00", end="2027-03-13T08:10"), None, "open-day"),
        (with_(2, start="2027-03-10T19:55", end="2027-03-10T20:05"), None, "open-hours"),
        (with_(2, start="2027-03-10T07:55", end="2027-03-10T08:05"), None, "open-hours"),
        (
            [*GOOD, app("P2", 1, "M1", "2027-03-09T08:05", "2027-03-09T08:25")],
            [pat(), pat("P2", fractions=1)],
            "overlap",
        ),
        (GOOD, [pat(technique="SBRT")], "technique"),
        (GOOD, [pat(allowed_machines=["M2"])], "allowed-machine"),
        (GOOD, [pat(ready_date="2027-03-09")], "ready-date"),
        (with_(0, end="2027-03-08T08:10"), None, "duration"),
        (with_(1, machine="M2"), [pat(duration_by_machine={"M2": 12})], "duration"),
        (with_(2, start="2027-03-09T09:00", end="2027-03-09T09:10"), None, "spacing"),
        (GOOD, [pat(pattern="alternate")], "spacing"),
        (
            with_(1, start="2027-03-08T09:00", end="2027-03-08T09:10"),
            [pat(pattern="bid")],
            "spacing",
        ),
        (with_(1, start="2027-03-08T08:10", end="2027-03-08T08:20"), [pat(pattern="bid")], "order"),
        (
            [*GOOD, app("P2", 1, "M1", "2027-03-08T08:30", "2027-03-08T08:50")],
            [pat(), pat("P2", fractions=1, anesthesia=True)],
            "anesthesia-first",
        ),
        (
            GOOD,
            [pat(booked=[{"fraction": 1, "machine": "M1", "start": "2027-03-08T08:30"}])],
            "booked-kept",
        ),
        (GOOD[:2], None, "complete"),
        ([*GOOD, GOOD[2]], None, "duplicate-fraction"),
        (
            [*GOOD, app("P1", 4, "M1", "2027-03-11T08:00", "2027-03-11T08:10")],
            None,
            "fraction-range",
        ),
        (
            [*GOOD, app("PX", 1, "M1", "2027-03-11T08:00", "2027-03-11T08:10")],
            None,
            "unknown-patient",
        ),
        (with_(2, machine="M9"), None, "unknown-machine"),
    ],
)
def test_each_broken_rule_is_caught(apps, patients, rule):
    rep = run(apps, patients)
    assert rule in rep.rules(), rep.violations


def test_downtime_caught():
    machines = copy.deepcopy(MACHINES)
    machines[0]["downtime"] = [{"start": "2027-03-09T07:00", "end": "2027-03-09T08:05"}]
    rep = run(GOOD, machines=machines)
    assert rep.rules() == {"downtime"}
    assert rep.metrics["utilisation"]["M1"] == round(40 / (720 * 5 - 5), 4)


def test_holiday_is_not_open():
    # 2027-03-01 (Mon) is Samiljeol, a Korean public holiday
    inst = Instance.from_json(
        tiny(copy.deepcopy(MACHINES), [pat(ready_date="2027-03-01")], start="2027-03-01")
    )
    sol = Solution.from_json(
        {
            "format": "linac-schedule-solution/1",
            "appointments": [
                app("P1", 1, "M1", "2027-03-01T08:00", "2027-03-01T08:20"),
                app("P1", 2, "M1", "2027-03-02T08:00", "2027-03-02T08:10"),
                app("P1", 3, "M1", "2027-03-03T08:00", "2027-03-03T08:10"),
            ],
        }
    )
    assert check(inst, sol).rules() == {"open-day"}


def test_unscheduled_patient_needs_a_valid_reason():
    # the course fits the empty machines: dropping it is not a valid reason
    rep = run([], unscheduled=["P1"])
    assert rep.rules() == {"unscheduled-without-reason"}
    assert "fits the free time" in rep.violations[0].message
    # the instance rules it out (no machine has the technique): valid
    assert run([], [pat(technique="electrons")], unscheduled=["P1"]).ok
    # the machine is full for the whole horizon: valid
    full = copy.deepcopy(MACHINES)
    for m in full:
        m["downtime"] = [{"start": "2027-03-08T08:00", "end": "2027-03-14T20:00"}]
    assert run([], machines=full, unscheduled=["P1"]).ok
    # the free time is taken by another patient's course: valid
    other = [
        app("P2", 1, "M1", "2027-03-08T08:00", "2027-03-08T20:00"),
        app("P2", 2, "M1", "2027-03-09T08:00", "2027-03-09T20:00"),
        app("P2", 3, "M1", "2027-03-10T08:00", "2027-03-10T20:00"),
    ]
    long_p2 = pat("P2", first_duration_min=720, duration_min=720)
    one = copy.deepcopy(MACHINES[:1])
    one[0]["downtime"] = [{"start": "2027-03-11T08:00", "end": "2027-03-12T20:00"}]
    assert run(other, [pat(), long_p2], machines=one, unscheduled=["P1"]).ok
    rep = run(other[:2], [pat(), long_p2], machines=one, unscheduled=["P1", "P2"])
    assert rep.ok  # P2 is partly treated (judged by `complete`); P1 still has no room


def test_unscheduled_patient_may_be_missing_but_booked_still_kept():
    full = copy.deepcopy(MACHINES)
    for m in full:
        m["downtime"] = [{"start": "2027-03-08T08:00", "end": "2027-03-14T20:00"}]
    assert run([], machines=full, unscheduled=["P1"]).ok
    rep = run(
        [],
        [pat(booked=[{"fraction": 1, "machine": "M1", "start": "2027-03-08T08:00"}])],
        unscheduled=["P1"],
    )
    assert rep.rules() == {"booked-kept"}


def test_valid_bid_and_anesthesia_first():
    apps = [
        app("P1", 1, "M1", "2027-03-08T08:00", "2027-03-08T08:20"),
        app("P1", 2, "M1", "2027-03-08T14:00", "2027-03-08T14:10"),
        app("P1", 3, "M1", "2027-03-09T08:00", "2027-03-09T08:10"),
        app("P2", 1, "M1", "2027-03-08T08:20", "2027-03-08T08:40"),
    ]
    rep = run(apps, [pat(pattern="bid", anesthesia=True), pat("P2", fractions=1)])
    assert rep.ok, rep.violations


def test_interruption_and_drift_metrics():
    apps = with_(2, start="2027-03-11T09:00", end="2027-03-11T09:10")
    rep = run(apps)
    assert rep.ok
    assert rep.metrics["interruption_days"] == 1 and rep.metrics["interrupted_patients"] == 1
    assert rep.metrics["drift_min_mean"] == 30.0
    assert rep.metrics["penalties"]["interruption"] > 0


def _under_way(first_booked_day):
    # fractions 3-5 of 5 booked from `first_booked_day` (radical, due before the horizon)
    return pat(
        "P1",
        fractions=5,
        ready_date="2027-03-01",
        due_date="2027-03-02",
        booked=[
            {"fraction": 3, "machine": "M1", "start": f"2027-03-{first_booked_day:02d}T08:00"},
        ],
    )


UNDER_WAY = [
    app("P1", 3, "M1", "2027-03-08T08:00", "2027-03-08T08:10"),
    app("P1", 4, "M1", "2027-03-09T08:00", "2027-03-09T08:10"),
    app("P1", 5, "M1", "2027-03-10T08:00", "2027-03-10T08:10"),
]


def test_fractions_delivered_before_the_instance_are_not_required():
    # fraction 3 on the first open day: 1-2 cannot fit before it, so they were delivered
    # before the horizon; fraction 3 is an ordinary fraction and the course is under way
    rep = run(UNDER_WAY, patients=[_under_way(8)])
    assert rep.ok, rep.violations
    assert rep.metrics["patients"] == 0 and rep.metrics["wait_days_mean"] is None
    assert rep.metrics["penalties"]["late_start"] == 0


def test_a_later_fraction_of_a_course_under_way_is_still_required():
    rep = run(UNDER_WAY[:2], patients=[_under_way(8)])
    assert rep.rules() == {"complete"}
    assert rep.violations[0].fraction == 5


def test_first_fractions_that_fit_before_the_booked_ones_are_required():
    # fraction 3 on the third open day: 1-2 fit on the first two, so they are due
    apps = [
        app("P1", 3, "M1", "2027-03-10T08:00", "2027-03-10T08:10"),
        app("P1", 4, "M1", "2027-03-11T08:00", "2027-03-11T08:10"),
        app("P1", 5, "M1", "2027-03-12T08:00", "2027-03-12T08:10"),
    ]
    rep = run(apps, patients=[_under_way(10)])
    assert rep.rules() == {"complete"} and rep.violations[0].fraction == 1
