"""A feasible and an infeasible instance per hard constraint, for every method; every returned
solution must pass the independent validator."""

import copy
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linac_optimizer.check import check
from linac_optimizer.model import Instance
from linac_optimizer.solver import solve
from linac_optimizer.tests.factories import pat, tiny

METHODS = ["exact", "decomposed", "greedy"]
M1 = {"id": "M1", "techniques": ["3D", "IMRT"], "open": "08:00", "close": "10:00"}
M2 = {"id": "M2", "techniques": ["3D", "SBRT"], "open": "08:00", "close": "10:00"}


def m(base, **kw):
    d = copy.deepcopy(base)
    d.update(kw)
    return d


def run(method, machines, patients, **kw):
    inst = Instance.from_json(tiny(machines, patients, **kw))
    sol = solve(inst, method=method, time_limit=10)
    rep = check(inst, sol)
    assert rep.ok, rep.violations
    return inst, sol


def scheduled(sol, pid):
    return sorted((a for a in sol.appointments if a.patient == pid), key=lambda a: a.fraction)


def unscheduled(sol, pid):
    return {u.patient: u.reason for u in sol.unscheduled}.get(pid)


CASES = {
    # name: (feasible (machines, patients, kw), infeasible (...), expected reason fragment)
    "open-days": (
        ([M1], [pat(fractions=1, ready_date="2027-03-12")], {}),
        ([M1], [pat(fractions=1, ready_date="2027-03-13", due_date="2027-03-13")], {}),
        "after the last open day",
    ),
    "holiday": (
        ([M1], [pat(fractions=1, ready_date="2027-03-01")], {"start": "2027-03-01", "days": 2}),
        ([M1], [pat(fractions=1, ready_date="2027-03-01")], {"start": "2027-03-01", "days": 1}),
        "after the last open day",
    ),
    "closed-date": (
        ([M1], [pat(fractions=1)], {"days": 2}),
        ([M1], [pat(fractions=1)], {"days": 2, "closed_dates": ["2027-03-08", "2027-03-09"]}),
        "after the last open day",
    ),
    "open-hours": (
        ([M1], [pat(fractions=1, first_duration_min=120)], {}),
        ([M1], [pat(fractions=1, first_duration_min=121)], {}),
        "longer than the opening hours",
    ),
    "downtime": (
        (
            [m(M1, downtime=[{"start": "2027-03-08T08:00", "end": "2027-03-08T09:00"}])],
            [pat(fractions=1, first_duration_min=60)],
            {"days": 1},
        ),
        (
            [m(M1, downtime=[{"start": "2027-03-08T08:00", "end": "2027-03-08T09:30"}])],
            [pat(fractions=1, first_duration_min=60)],
            {"days": 1},
        ),
        "no",
    ),
    "no-overlap": (
        (
            [M1],
            [
                pat("A", fractions=1, first_duration_min=60),
                pat("B", fractions=1, first_duration_min=60),
            ],
            {"days": 1},
        ),
        (
            [M1],
            [
                pat("A", fractions=1, first_duration_min=60),
                pat("B", fractions=1, first_duration_min=61),
            ],
            {"days": 1},
        ),
        "no",
    ),
    "technique": (
        ([M1, M2], [pat(technique="SBRT")], {}),
        ([M1], [pat(technique="SBRT")], {}),
        "no machine has technique SBRT",
    ),
    "allowed-machines": (
        ([M1, M2], [pat(allowed_machines=["M2"])], {}),
        ([M1, M2], [pat(technique="IMRT", allowed_machines=["M2"])], {}),
        "no machine has technique IMRT among allowed",
    ),
    "ready-date-and-daily": (
        ([M1], [pat(fractions=3, ready_date="2027-03-10")], {}),
        ([M1], [pat(fractions=4, ready_date="2027-03-10")], {}),
        "does not fit",
    ),
    "daily": (([M1], [pat(fractions=5)], {}), ([M1], [pat(fractions=6)], {}), "does not fit"),
    "alternate": (
        ([M1], [pat(fractions=3, pattern="alternate")], {}),
        ([M1], [pat(fractions=4, pattern="alternate")], {}),
        "does not fit",
    ),
    "bid": (
        ([m(M1, close="20:00")], [pat(fractions=4, pattern="bid")], {"days": 2}),
        ([m(M1, close="13:00")], [pat(fractions=4, pattern="bid")], {"days": 2}),
        "no",
    ),
    "anesthesia-first": (
        (
            [M1],
            [
                pat("K", fractions=1, anesthesia=True),
                pat(
                    "A",
                    fractions=1,
                    booked=[{"fraction": 1, "machine": "M1", "start": "2027-03-08T08:30"}],
                ),
            ],
            {"days": 1},
        ),
        (
            [M1],
            [
                pat("K", fractions=1, anesthesia=True),
                pat(
                    "A",
                    fractions=1,
                    booked=[{"fraction": 1, "machine": "M1", "start": "2027-03-08T08:10"}],
                ),
            ],
            {"days": 1},
        ),
        "no",
    ),
    "booked-kept": (
        (
            [M1],
            [
                pat("N", fractions=1, first_duration_min=60),
                pat(
                    "A",
                    fractions=1,
                    first_duration_min=60,
                    booked=[{"fraction": 1, "machine": "M1", "start": "2027-03-08T09:00"}],
                ),
            ],
            {"days": 1},
        ),
        (
            [M1],
            [
                pat("N", fractions=1, first_duration_min=60),
                pat(
                    "A",
                    fractions=1,
                    first_duration_min=60,
                    booked=[{"fraction": 1, "machine": "M1", "start": "2027-03-08T08:30"}],
                ),
            ],
            {"days": 1},
        ),
        "no",
    ),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(CASES))
def test_constraint_feasible_and_infeasible(name, method):
    (fm, fp, fkw), (im, ip, ikw), reason = CASES[name]
    _, sol = run(method, fm, fp, **fkw)
    assert not sol.unscheduled, sol.unscheduled
    _, sol = run(method, im, ip, **ikw)
    whys = [u.reason for u in sol.unscheduled]
    assert any(reason in w for w in whys), (whys, [a.to_json() for a in sol.appointments])


@pytest.mark.parametrize("method", METHODS)
def test_first_fraction_longer_and_duration_by_machine(method):
    _, sol = run(method, [M1, M2], [pat(allowed_machines=["M2"], duration_by_machine={"M2": 25})])
    apps = scheduled(sol, "P1")
    lens = [int((a.end - a.start).total_seconds() // 60) for a in apps]
    assert lens == [20, 25, 25]


def test_exact_prefers_window_and_same_time():
    machines = [m(M1, close="20:00")]
    _, sol = run("exact", machines, [pat(fractions=3, preferred_window=["14:00", "16:00"])])
    starts = [a.start.hour * 60 + a.start.minute for a in scheduled(sol, "P1")]
    assert all(840 <= s <= 960 - 10 for s in starts[1:]) and starts[1] == starts[2]
    assert sol.extra["penalties"]["P1"]["outside_preferred_window"] == 0


def test_urgent_patient_gets_the_early_slot_under_exact():
    # one 60-min slot a day; an emergency and a radical patient both ready Monday
    patients = [
        pat("R", fractions=1, first_duration_min=120, urgency="radical", due_date="2027-03-12"),
        pat("E", fractions=1, first_duration_min=120, urgency="emergency", due_date="2027-03-08"),
    ]
    for method in ("exact", "decomposed"):
        _, sol = run(method, [M1], patients)
        assert scheduled(sol, "E")[0].start.day == 8
        assert scheduled(sol, "R")[0].start.day == 9


# ----------------------------------------------------------------------------- hypothesis

TECHS = ["3D", "IMRT", "SBRT"]


@st.composite
def instances(draw):
    machines = []
    for i in range(draw(st.integers(1, 3))):
        techs = draw(st.lists(st.sampled_from(TECHS), min_size=1, max_size=3, unique=True))
        open_h = draw(st.integers(7, 9))
        close_h = draw(st.integers(open_h + 2, 20))
        mach = {
            "id": f"M{i}",
            "techniques": techs,
            "open": f"{open_h:02d}:00",
            "close": f"{close_h:02d}:00",
        }
        if draw(st.booleans()):
            d = draw(st.integers(8, 12))
            h = draw(st.integers(open_h, close_h - 1))
            mach["downtime"] = [
                {"start": f"2027-03-{d:02d}T{h:02d}:00", "end": f"2027-03-{d:02d}T{h + 1:02d}:30"}
            ]
        machines.append(mach)
    patients = []
    for j in range(draw(st.integers(1, 5))):
        n = draw(st.integers(1, 4))
        dur = draw(st.integers(10, 40))
        ready = draw(st.integers(8, 12))
        p = pat(
            f"P{j}",
            fractions=n,
            pattern=draw(st.sampled_from(["daily", "alternate", "bid"])),
            technique=draw(st.sampled_from(TECHS)),
            duration_min=dur,
            first_duration_min=dur + draw(st.integers(0, 15)),
            ready_date=f"2027-03-{ready:02d}",
            due_date=f"2027-03-{ready + 2:02d}",
            urgency=draw(st.sampled_from(["emergency", "urgent", "palliative", "radical"])),
            anesthesia=draw(st.booleans()) and draw(st.booleans()),
        )
        if draw(st.booleans()):
            a = draw(st.integers(8, 16))
            p["preferred_window"] = [f"{a:02d}:00", f"{a + 2:02d}:00"]
        patients.append(p)
    return tiny(machines, patients, days=14)


@settings(
    max_examples=int(os.environ.get("LINAC_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances(), st.sampled_from(METHODS))
def test_every_solution_passes_check(js, method):
    inst = Instance.from_json(js)
    sol = solve(inst, method=method, time_limit=5)
    rep = check(inst, sol)
    assert rep.ok, (method, rep.violations)
    listed = {u.patient for u in sol.unscheduled}
    for p in inst.patients:  # every patient is either complete or reported with a reason
        assert p.id in listed or len(scheduled(sol, p.id)) == p.fractions


def test_fill_books_an_unscheduled_course_that_now_fits():
    """Polish and repair move courses after greedy gave its reasons: a course greedy could not
    place may fit afterwards, and `check` then fails the answer (a 400-patient outside case).
    The last step books it."""
    from linac_optimizer.placement import baseline_book
    from linac_optimizer.solver import fill_unscheduled
    from linac_optimizer.state import Schedule

    inst = Instance.from_json(
        tiny(None, [pat("A", fractions=1, first_duration_min=120), pat("B", fractions=1)], days=1)
    )
    sched = Schedule(inst)
    a, b = inst.patients
    assert not baseline_book(sched, [a])
    sched.unscheduled.update(baseline_book(sched, [b]))  # the day is full: a valid reason
    assert "B" in sched.unscheduled
    # what a polish or a repair may do: A's course moves to a shorter layout, room again
    sched.remove_patient("A")
    a.first_duration_min = 60
    assert not baseline_book(sched, [a])
    assert fill_unscheduled(sched, [a, b]) == 1 and not sched.unscheduled
    assert check(inst, sched.to_solution()).ok


# A course under way written as an outside generator writes it: its later fractions booked,
# the first ones absent (docs/scheduler.md, "Formats").
ALL_METHODS = ["greedy", "exact", "decomposed", "candidates", "auto"]


def _midcourse(booked, fractions=8, **kw):
    return pat(
        "P1",
        fractions=fractions,
        ready_date="2027-03-02",
        due_date="2027-03-03",
        booked=[{"fraction": k, "machine": "M1", "start": f"{d}T08:00"} for k, d in booked.items()],
        **kw,
    )


def _solve_all(patients, method):
    inst = Instance.from_json(tiny([M1], patients, days=14))
    sol = solve(inst, method=method, time_limit=2)
    rep = check(inst, sol)
    assert rep.ok, rep.violations
    return inst, sol, rep


@pytest.mark.parametrize("method", ALL_METHODS)
def test_course_under_way_continues_from_its_lowest_booked_fraction(method):
    # fractions 4-5 booked on the first two open days: 1-3 cannot fit before, so they were
    # delivered before the horizon; 6-8 are booked after, fraction 6 with the normal duration
    p1 = _midcourse({4: "2027-03-08", 5: "2027-03-09"})
    _inst, sol, rep = _solve_all([p1, pat("N1")], method)
    assert unscheduled(sol, "P1") is None
    got = scheduled(sol, "P1")
    assert [a.fraction for a in got] == [4, 5, 6, 7, 8]
    assert (got[2].end - got[2].start).total_seconds() == 600
    # under way: neither late nor waiting, and out of the on-time counts
    assert sol.extra["penalties"]["P1"]["late_start"] == 0
    assert sol.extra["penalties"]["P1"]["waiting"] == 0
    assert rep.metrics["patients"] == 1


@pytest.mark.parametrize("method", ALL_METHODS)
def test_missing_first_fractions_that_fit_before_the_booked_ones_are_booked(method):
    # fractions 3-5 booked from the third open day: 1-2 fit on the first two (not delivered)
    p1 = _midcourse({3: "2027-03-10", 4: "2027-03-11", 5: "2027-03-12"}, fractions=5)
    p1.update(ready_date="2027-03-08", due_date="2027-03-12")
    _inst, sol, _rep = _solve_all([p1, pat("N1")], method)
    got = scheduled(sol, "P1")
    assert [a.fraction for a in got] == [1, 2, 3, 4, 5]
    assert [a.start.day for a in got[:2]] == [8, 9]
    assert (got[0].end - got[0].start).total_seconds() == 1200  # a real first fraction


@pytest.mark.parametrize("method", ALL_METHODS)
def test_a_missing_middle_fraction_is_filled_between_its_neighbours(method):
    p1 = _midcourse({1: "2027-03-08", 2: "2027-03-09", 4: "2027-03-11"}, fractions=5)
    _inst, sol, _rep = _solve_all([p1], method)
    got = scheduled(sol, "P1")
    assert [(a.fraction, a.start.day) for a in got] == [(1, 8), (2, 9), (3, 10), (4, 11), (5, 12)]


@pytest.mark.parametrize("method", ALL_METHODS)
def test_a_middle_fraction_without_room_is_unscheduled_with_the_reason(method):
    # fractions 2 and 4 on consecutive open days: no day for 3 at daily spacing
    p1 = _midcourse({1: "2027-03-08", 2: "2027-03-09", 4: "2027-03-10"}, fractions=5)
    _inst, sol, _rep = _solve_all([p1], method)
    assert unscheduled(sol, "P1") == (
        "fraction 3 is missing between booked fractions 2 and 4 and has no free slot between them"
    )


def test_missing_first_fractions_without_room_are_unscheduled_with_the_reason():
    # fractions 1-2 fit on the open days before fraction 3, but M1 is down on both
    p1 = _midcourse({3: "2027-03-10", 4: "2027-03-11", 5: "2027-03-12"}, fractions=5)
    p1.update(ready_date="2027-03-08", due_date="2027-03-12")
    down = m(M1, downtime=[{"start": "2027-03-08T00:00", "end": "2027-03-10T00:00"}])
    inst = Instance.from_json(tiny([down], [p1], days=14))
    sol = solve(inst, method="greedy", time_limit=2)
    assert check(inst, sol).ok
    assert unscheduled(sol, "P1") == (
        "fractions 1-2 are not booked and fit before booked fraction 3 (so were not delivered "
        "before the horizon), but fraction 1 has no free slot at the pattern's spacing before it"
    )


@pytest.mark.parametrize(
    ("pattern", "booked", "want"),
    [
        # alternate: fraction 2 two open days after 1 and before 3
        ("alternate", {1: "2027-03-08T08:00", 3: "2027-03-12T08:00"}, "2027-03-10"),
        # twice daily: fraction 2 the same day as 1, at least 6 h later
        ("bid", {1: "2027-03-08T08:00", 3: "2027-03-09T08:00"}, "2027-03-08T14"),
    ],
)
def test_a_missing_middle_fraction_follows_the_pattern(pattern, booked, want):
    long_day = m(M1, close="20:00")
    p1 = pat(
        "P1",
        fractions=4,
        pattern=pattern,
        booked=[{"fraction": k, "machine": "M1", "start": t} for k, t in booked.items()],
    )
    inst = Instance.from_json(tiny([long_day], [p1], days=14))
    sol = solve(inst, method="greedy")
    assert check(inst, sol).ok and not sol.unscheduled
    got = scheduled(sol, "P1")
    assert [a.fraction for a in got] == [1, 2, 3, 4]
    assert got[1].start.isoformat().startswith(want)
