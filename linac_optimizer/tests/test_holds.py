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
