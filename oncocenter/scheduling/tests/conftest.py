import pytest

from oncocenter.scheduling.tests.factories import linacs, ready_course, world


@pytest.fixture
def machines(db):
    return {m.code: m for m in linacs()}


@pytest.fixture
def w(machines):
    """A ready course (signed prescription, approved and physics-checked plan), not yet booked."""
    wld = world()
    ready_course(wld, number_of_fractions=5, technique="IMRT")
    return wld


@pytest.fixture
def sessions(w):
    """The course's sessions as radiotherapy fraction rows, unbooked."""
    return w.schedule(start=w.rx.created_at.date())
