"""Capacity held as real slots: the machines' optional `holds` (issue 16, item 4)."""

import datetime as dt

import pytest

from linac_optimizer.check import check
from linac_optimizer.holds import parse_holds, solve_with_holds
from linac_optimizer.model import FormatError, Instance
from linac_optimizer.online import ArrivalStats, Reserve
from linac_optimizer.state import Schedule
from linac_optimizer.tests.factories import pat, tiny


def _machine(**kw):
    m = {"id": "M1", "techniques": ["3D", "IMRT"], "open": "08:00", "close": "09:00"}
    m.update(kw)
    return m


HOLD = {"start": "2027-03-08T08:40", "end": "2027-03-08T09:00", "for": "acute"}


def test_holds_are_kept_as_written_and_validated():
    inst = Instance.from_json(tiny([_machine(holds=[HOLD])], [pat("A", fractions=1)]))
    assert inst.to_json()["machines"][0]["holds"] == [HOLD]  # unknown to the contract: kept
    (h,) = parse_holds(inst)
    assert (h.machine, h.kind, h.end - h.start) == ("M1", "acute", dt.timedelta(minutes=20))
    bad = [
        ({**HOLD, "for": "vip"}, "holds[0].for: must be one of anesthesia, acute"),
        ({**HOLD, "end": "2027-03-08T08:00"}, "holds[0].end: must be after start"),
        ({**HOLD, "start": "08:40"}, "holds[0].start"),
    ]
    for hold, msg in bad:
        with pytest.raises(FormatError) as exc:
            parse_holds(Instance.from_json(tiny([_machine(holds=[hold])], [])))
        assert msg in str(exc.value)


def test_a_radical_course_leaves_the_acute_hold_free_and_the_urgent_one_uses_it():
    # one hour a day, 08:00-08:40 already booked on Monday, 08:40-09:00 held for acute patients:
    # the radical course (due Friday) starts Tuesday, the urgent one (due Monday) takes the hold
    busy = pat(
        "B",
        fractions=1,
        first_duration_min=40,
        booked=[{"fraction": 1, "machine": "M1", "start": "2027-03-08T08:00"}],
    )
    radical = pat("R", fractions=1, first_duration_min=20, due_date="2027-03-12")
    urgent = pat("U", fractions=1, urgency="urgent", first_duration_min=20, due_date="2027-03-08")
    inst = Instance.from_json(tiny([_machine(holds=[HOLD])], [busy, radical, urgent]))
    sol = solve_with_holds(inst, time_limit=2)
    apps = {a.patient: a for a in sol.appointments}
    assert apps["U"].start == dt.datetime(2027, 3, 8, 8, 40)
    assert apps["R"].start == dt.datetime(2027, 3, 9, 8, 0)
    assert check(inst, sol).ok and not sol.unscheduled
    assert sol.metrics["holds"]["held"] == 1
    # the same instance without holds: first come, first served gives R the slot
    plain = Instance.from_json(tiny([_machine()], [busy, radical]))
    assert solve_with_holds(plain, time_limit=2).appointments[-1].start.day == 8


def test_without_the_patients_it_is_for_a_hold_is_released_rather_than_refusing_a_course():
    # a radical course that fits only through the held minutes is still booked (third pass)
    radical = pat("R", fractions=1, first_duration_min=60, due_date="2027-03-08")
    inst = Instance.from_json(tiny([_machine(holds=[HOLD])], [radical], days=1))
    sol = solve_with_holds(inst, time_limit=2)
    assert [a.patient for a in sol.appointments] == ["R"] and not sol.unscheduled
    assert sol.metrics["holds"]["passes"][-1]["released"] is True
    assert check(inst, sol).ok


def test_reserve_held_slots_are_free_time_and_released_as_the_rules_say():
    stats = ArrivalStats()
    for _ in range(10):
        stats.observe_day(
            [
                Instance.from_json(
                    tiny(
                        None,
                        [
                            pat("U", urgency="urgent", fractions=5, first_duration_min=25),
                            pat("K", anesthesia=True, fractions=10),
                        ],
                    )
                ).patients[i]
                for i in (0, 1)
            ]
        )
    inst = Instance.from_json(
        tiny(
            [_machine(close="12:00")],
            [
                pat(
                    "B",
                    fractions=1,
                    ready_date="2027-03-10",
                    booked=[{"fraction": 1, "machine": "M1", "start": "2027-03-10T11:50"}],
                )
            ],
            days=14,
        )
    )
    sched = Schedule(inst)
    sched.load_booked()
    r = Reserve.from_stats(
        stats, ["M1"], today=0, anesthesia_machines=["M1"], q_acute_slots=0.9, acute_days=2
    )
    held = r.held_slots(sched, days_ahead=5)
    acute = [h for h in held if h.kind == "acute"]
    morning = [h for h in held if h.kind == "anesthesia"]
    # acute slots on the next two open days only, never today
    assert {sched.tl.index[h.start.date()] for h in acute} == {1, 2}
    assert all(h.end - h.start == dt.timedelta(minutes=25) for h in acute[:1])
    # on day 2 the booked session at 11:50 is stepped over: the held minutes end before it
    day2 = next(h for h in acute if sched.tl.index[h.start.date()] == 2)
    assert day2.start == dt.datetime(2027, 3, 10, 11, 25)
    # the children's block is released the day before: none tomorrow, from day 2 on at 08:00
    assert {sched.tl.index[h.start.date()] for h in morning} == {2, 3, 4, 5}
    assert all(h.start.time() == dt.time(8, 0) for h in morning)


# ------------------------------------------------------------------ pass 0: emergencies first


def _morning_held(days=("2027-03-08", "2027-03-09"), patients=()):
    """One machine open 08:00-09:00; on each of `days` the first half hour is held for children
    under anesthesia and the second is booked by an adult course (B)."""
    holds = [{"start": f"{d}T08:00", "end": f"{d}T08:30", "for": "anesthesia"} for d in days]
    busy = pat(
        "B",
        fractions=len(days),
        duration_min=30,
        first_duration_min=30,
        booked=[
            {"fraction": k, "machine": "M1", "start": f"{d}T08:30"} for k, d in enumerate(days, 1)
        ],
    )
    return Instance.from_json(tiny([_machine(holds=holds)], [busy, *patients]))


def _one(pid, **kw):
    return pat(pid, fractions=1, duration_min=30, first_duration_min=30, **kw)


def _starts(sol):
    return {a.patient: a.start for a in sol.appointments}


def test_an_emergency_adult_starts_on_time_inside_the_childrens_held_block():
    # due Monday, and on Monday only the children's held half hour is free: the emergency goes
    # before a child who may come (online step 2). Before pass 0 the adult's pass read the
    # block as downtime and started it Wednesday, two open days late.
    inst = _morning_held(patients=[_one("E", urgency="emergency", due_date="2027-03-08")])
    sol = solve_with_holds(inst, time_limit=2)
    assert _starts(sol)["E"] == dt.datetime(2027, 3, 8, 8, 0)
    assert check(inst, sol).ok and not sol.unscheduled
    assert sol.metrics["holds"]["passes"][0] == {
        "pass": 0,
        "booked": {"E": "in the children's block"},
        "to_passes": [],
    }
    assert sol.metrics["on_time"]["emergency"]["share"] == 1.0


def test_an_emergency_adult_keeps_out_of_the_childrens_block_when_it_is_on_time_elsewhere():
    # due Tuesday, and only Monday's first half hour is held: step 1 looks at every day up to
    # the due date with the block kept first, so the emergency starts Tuesday and Monday's
    # block stays the children's
    inst = _morning_held(
        days=("2027-03-08",),
        patients=[_one("E", urgency="emergency", due_date="2027-03-09")],
    )
    sol = solve_with_holds(inst, time_limit=2)
    assert _starts(sol)["E"] == dt.datetime(2027, 3, 9, 8, 0)  # Tuesday, nothing held there
    assert sol.metrics["holds"]["passes"][0]["booked"] == {"E": "earliest"}


def test_an_emergency_child_gets_the_first_slot_and_the_adult_emergency_is_left_to_the_passes():
    # both due Monday, one free half hour (the children's): the child (tightest, then children
    # first, as online) takes the first slot of the day; the adult has no room on time without
    # moving B, which the web application does not do, so the passes book it on Tuesday...
    # except Tuesday's block is held too: Wednesday, as early as the passes can
    child = _one("K", urgency="emergency", anesthesia=True, due_date="2027-03-08")
    adult = _one("A", urgency="emergency", due_date="2027-03-08")
    inst = _morning_held(patients=[adult, child])
    sol = solve_with_holds(inst, time_limit=2)
    starts = _starts(sol)
    assert starts["K"] == dt.datetime(2027, 3, 8, 8, 0)
    assert starts["A"] == dt.datetime(2027, 3, 10, 8, 0)
    assert check(inst, sol).ok and not sol.unscheduled
    first = sol.metrics["holds"]["passes"][0]
    assert first == {"pass": 0, "booked": {"K": "earliest"}, "to_passes": ["A"]}
    assert sol.metrics["holds"]["passes"][1]["patients"] == 1  # A only: K is booked


def test_pass_0_books_only_emergencies_the_others_keep_out_of_the_childrens_block():
    # the emergency takes Monday's block; the urgent adult beside it is not let in (Tuesday's
    # block stays the children's, so Wednesday); the radical child gets Tuesday's block
    emergency = _one("E", urgency="emergency", due_date="2027-03-08")
    urgent = _one("U", urgency="urgent", due_date="2027-03-08")
    child = _one("K", anesthesia=True, due_date="2027-03-12")
    inst = _morning_held(patients=[urgent, emergency, child])
    sol = solve_with_holds(inst, time_limit=2)
    starts = _starts(sol)
    assert starts["E"] == dt.datetime(2027, 3, 8, 8, 0)
    assert starts["K"] == dt.datetime(2027, 3, 9, 8, 0)
    assert starts["U"] == dt.datetime(2027, 3, 10, 8, 0)
    assert check(inst, sol).ok and not sol.unscheduled
    assert sol.metrics["holds"]["passes"][0]["booked"] == {"E": "in the children's block"}
    # without an emergency pass 0 books nobody and the passes are as before
    plain = _morning_held(patients=[urgent, child])
    sol = solve_with_holds(plain, time_limit=2)
    assert sol.metrics["holds"]["passes"][0] == {"pass": 0, "booked": {}, "to_passes": []}
    assert _starts(sol)["K"] == dt.datetime(2027, 3, 8, 8, 0)
    assert _starts(sol)["U"] == dt.datetime(2027, 3, 10, 8, 0)


def test_pass_0_alone_books_every_new_patient_and_the_solution_is_still_whole():
    inst = _morning_held(patients=[_one("E", urgency="emergency", due_date="2027-03-08")])
    sol = solve_with_holds(inst, time_limit=2)
    assert {a.patient for a in sol.appointments} == {"B", "E"}
    assert [p["pass"] for p in sol.metrics["holds"]["passes"]] == [0]
    assert "E" in sol.extra["penalties"]
