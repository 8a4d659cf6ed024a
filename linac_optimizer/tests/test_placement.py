"""Course placement: the start-day screen agrees with the course walker, and the walker keeps
its choice when it stops looking at other machines early."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linac_optimizer.model import Instance, Patient
from linac_optimizer.placement import baseline_book, place_course, start_screen
from linac_optimizer.state import Schedule, Session
from linac_optimizer.tests.factories import pat, tiny
from linac_optimizer.tests.test_solver import instances

M1 = {"id": "M1", "techniques": ["3D"], "open": "08:00", "close": "10:00"}
M2 = {"id": "M2", "techniques": ["3D"], "open": "08:00", "close": "10:00"}


def _fill(sched, machine, day):
    """Book the whole opening time of a machine-day with filler sessions."""
    filler = Patient.from_json(
        pat(f"F{machine}{day}", fractions=1, duration_min=120, first_duration_min=120), 0
    )
    sched.patients[filler.id] = filler
    sched.add(Session(filler.id, 1, machine, day, 480, 600))


def test_screen_rejects_start_days_whose_course_meets_a_full_day():
    inst = Instance.from_json(tiny([dict(M1), dict(M2)], [], days=14))
    sched = Schedule(inst)
    _fill(sched, "M1", 3)
    _fill(sched, "M2", 3)  # open day 3 is full on both machines
    _fill(sched, "M1", 5)  # day 5 still has M2
    p = Patient.from_json(pat("N", fractions=3, duration_min=30, first_duration_min=40), 0)
    sched.patients[p.id] = p
    possible = start_screen(sched, p)
    assert [d for d in range(9) if possible(d)] == [0, 4, 5, 6, 7]  # 1-3 run into day 3
    assert not possible(8)  # the course would run past the last open day (10 in 14 days)
    alt = Patient.from_json(pat("A", fractions=2, pattern="alternate"), 0)
    sched.patients[alt.id] = alt
    screen_alt = start_screen(sched, alt)
    assert not screen_alt(1) and screen_alt(2)  # 1 and 3 vs 2 and 4


@settings(
    max_examples=int(os.environ.get("LINAC_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances(), st.integers(0, 600))
def test_screen_is_exactly_when_an_uninterrupted_course_fits(js, target):
    """The screen may only skip days on which every layout fails (else the online optimizer
    would lose candidates), and for daily and alternate courses it skips all of them."""
    inst = Instance.from_json(js)
    *others, p = inst.patients
    sched = Schedule(inst)
    baseline_book(sched, others)
    caps = inst.capable_machines(p)
    if not caps:
        return
    possible = start_screen(sched, p, caps)
    for day in range(sched.ndays):
        fits = False
        for m in caps:
            placed = place_course(sched, p, m, day, target)
            if placed:
                fits = True
                for s in placed:
                    sched.remove(s.patient, s.fraction)
        if fits:
            assert possible(day), day
        elif p.pattern != "bid":
            assert not possible(day), day


def test_course_moves_to_another_machine_only_where_the_main_one_is_full():
    inst = Instance.from_json(tiny([dict(M1), dict(M2)], [], days=7))
    sched = Schedule(inst)
    _fill(sched, "M1", 1)
    p = Patient.from_json(pat("N", fractions=3, duration_min=30, first_duration_min=40), 0)
    sched.patients[p.id] = p
    placed = place_course(sched, p, "M1", 0, 480)
    assert [(s.machine, s.day, s.start) for s in placed] == [
        ("M1", 0, 480),
        ("M2", 1, 480),
        ("M1", 2, 480),
    ]


def test_a_far_slot_on_the_main_machine_loses_to_the_target_slot_on_another():
    """The walker stops looking at other machines only once the main machine's best slot
    costs no more than a machine change: here 8 h 40 min of drift (208) beats it (160)."""
    long_day = [dict(M1, close="20:00"), dict(M2, close="20:00")]
    inst = Instance.from_json(tiny(long_day, [], days=7))
    sched = Schedule(inst)
    busy = Patient.from_json(pat("B", fractions=1, duration_min=520, first_duration_min=520), 0)
    sched.patients[busy.id] = busy
    sched.add(Session("B", 1, "M1", 1, 480, 1000))
    p = Patient.from_json(pat("N", fractions=3, duration_min=30, first_duration_min=40), 0)
    sched.patients[p.id] = p
    placed = place_course(sched, p, "M1", 0, 480)
    assert [(s.machine, s.start) for s in placed] == [("M1", 480), ("M2", 480), ("M1", 480)]


@settings(
    max_examples=int(os.environ.get("LINAC_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances(), st.integers(0, 600))
def test_a_layout_without_adding_is_the_same_course_and_leaves_the_schedule(js, target):
    """`add=False` (candidate layouts) places the same sessions as booking the course, for
    every pattern (twice-daily courses included), and leaves the schedule as it was."""
    inst = Instance.from_json(js)
    *others, p = inst.patients
    sched = Schedule(inst)
    baseline_book(sched, others)
    before = {k: list(v) for k, v in sched.busy.items() if v}
    for m in inst.capable_machines(p):
        for day in range(sched.ndays):
            laid = place_course(sched, p, m, day, target, add=False)
            assert {k: list(v) for k, v in sched.busy.items() if v} == before
            booked = place_course(sched, p, m, day, target)
            assert laid == booked
            for s in booked or []:
                sched.remove(s.patient, s.fraction)
