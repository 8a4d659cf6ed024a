"""The schedule's memoised gaps: the same answer as walking the day again, dropped exactly when
the machine-day, the schedule or a hook changes."""

from linac_optimizer.model import Instance, Patient
from linac_optimizer.state import Schedule, Session
from linac_optimizer.tests.factories import pat, tiny


def _sched():
    inst = Instance.from_json(tiny(days=7))
    sched = Schedule(inst)
    for pid, kid in (("A", False), ("K", True)):
        p = Patient.from_json(pat(pid, anesthesia=kid), 0)
        sched.patients[p.id] = p
    return sched


def _fresh(sched, *args):
    return sched._gaps_uncached(*args)


def test_gaps_are_memoised_until_the_machine_day_changes():
    sched = _sched()
    g = sched.gaps("M1", 0, 10)
    assert g == ((480, 590),)
    assert sched.gaps("M1", 0, 10) is g  # memoised: not walked again
    other = sched.gaps("M1", 1, 10)
    sched.add(Session("A", 1, "M1", 0, 500, 520))
    assert sched.gaps("M1", 0, 10) == ((480, 490), (520, 590))
    assert sched.gaps("M1", 1, 10) is other  # another day keeps its answer
    sched.remove("A", 1)
    assert sched.gaps("M1", 0, 10) == ((480, 590),)


def test_gaps_follow_restore_downtime_and_children_first():
    sched = _sched()
    snap = sched.snapshot()
    sched.add(Session("K", 1, "M1", 0, 540, 560))  # a child: adults come after it
    assert sched.gaps("M1", 0, 10) == ((560, 590),)
    assert sched.gaps("M1", 0, 10, True) == ((480, 530), (560, 590))
    sched.restore(snap)
    assert sched.gaps("M1", 0, 10) == ((480, 590),)
    t = sched.tl.at(0, 480)
    sched.add_downtime("M1", t, sched.tl.at(0, 600))
    assert sched.gaps("M1", 0, 10) == ()


def test_gaps_follow_the_hooks():
    sched = _sched()
    assert sched.gaps("M1", 0, 10) == ((480, 590),)

    def limit(machine, day):
        return 540

    sched.late_limit = limit
    assert sched.gaps("M1", 0, 10) == ((480, 530),)
    sched.late_limit = None
    assert sched.gaps("M1", 0, 10) == ((480, 590),)
    sched.late_limit = limit  # the same hook again: its answers were kept
    assert sched.gaps("M1", 0, 10) == ((480, 530),)
    sched.late_limit = lambda machine, day: 560  # a new hook: nothing stale is used
    assert sched.gaps("M1", 0, 10) == ((480, 550),)
    sched.morning_hold = lambda machine, day: 30
    assert sched.gaps("M1", 0, 10) == ((510, 550),)
    assert sched.gaps("M1", 0, 10, True) == ((480, 550),)  # children are not held back
    assert sched.gaps("M1", 0, 10) == _fresh(sched, "M1", 0, 10, False, 0, 1440)
