"""The move of the machine tables from scheduling to machines keeps every row and constraint.

Migrates a database holding machines, techniques, QA windows, an outage, plans, sessions and
bookings back to the state before the move (tables `scheduling_*`, content types of scheduling),
then forward again, and checks the row counts, the foreign keys and the constraint names on the
way (on PostgreSQL these include the `btree_gist` exclusion constraint of the bookings).
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from oncocenter.machines import services as machine_services
from oncocenter.scheduling import services as scheduling_services
from oncocenter.scheduling.tests.factories import at, linacs, next_open_day, ready_course, world

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("scheduling", "0003_booking_no_overlap_postgres"),
    ("radiotherapy", "0005_interruption_review"),
]
# model label -> table, before and after the move
MOVED = {
    "Machine": ("scheduling_machine", "machines_machine"),
    "MachineTechnique": ("scheduling_machinetechnique", "machines_machinetechnique"),
    "MachineDowntime": ("scheduling_machinedowntime", "machines_machinedowntime"),
}
LATER_BOOKING_CONSTRAINTS = {"sched_booking_treated_has_time"}
STAYING = {
    ("scheduling", "Booking"),
    ("radiotherapy", "Plan"),
    ("radiotherapy", "Fraction"),
}


def _migrate(targets=None):
    """Migrate to `targets` (None: every app's latest migration, as the other tests expect)."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    # A fresh executor reads the applied set again; its state is the schema as it now is.
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _counts(apps, app_label: str) -> dict[str, int]:
    counts = {name: apps.get_model(app_label, name).objects.count() for name in MOVED}
    for label, name in STAYING:
        counts[name] = apps.get_model(label, name).objects.count()
    return counts


def _constraints(table: str) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    # Unnamed constraints (SQLite's inline ones) get generated names: compare the named ones.
    return {name for name, info in found.items() if not name.startswith("__")}


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.fixture
def rows():
    """Machines with bookings on them, a QA window and an outage that moved sessions."""
    machines = {m.code: m for m in linacs()}
    w = world()
    ready_course(w, number_of_fractions=5, technique="IMRT")
    scheduling_services.course_book(course=w.course, by=w.scheduler)
    day = next_open_day(skip=20)
    machine_services.qa_window_plan(
        machine=machines["LINAC-6"],
        start=at(day, 8),
        end=at(day, 10),
        reason="monthly QA",
        by=w.physicist,
    )
    first = w.rx.bookings.order_by("start").first()
    booked_day = first.start.astimezone(at(day, 8).tzinfo).date()
    scheduling_services.outage_report(
        machine=first.machine,
        start=at(booked_day, 8),
        end=at(booked_day, 20),
        reason="MLC fault",
        by=w.therapist,
        now=at(booked_day, 7),
    )
    return w


def test_move_round_trip_keeps_rows_constraints_and_content_types(rows):
    from django.apps import apps as current

    before_counts = _counts(current, "machines")
    assert before_counts["MachineDowntime"] == 2 and before_counts["Booking"] > 5
    constraints = {new: _constraints(new) for _old, new in MOVED.values()}
    booking_constraints = _constraints("scheduling_booking")

    old_apps = _migrate(BEFORE)
    tables = _tables()
    assert all(old in tables and new not in tables for old, new in MOVED.values())
    assert _counts(old_apps, "scheduling") == before_counts
    for old, new in MOVED.values():
        assert _constraints(old) == constraints[new]
    # (constraints added to bookings by later migrations, e.g. issue 15's, are not there yet)
    assert _constraints("scheduling_booking") == booking_constraints - LATER_BOOKING_CONSTRAINTS
    Booking = old_apps.get_model("scheduling", "Booking")
    assert (
        Booking.objects.filter(machine__code__startswith="LINAC").count()
        == before_counts["Booking"]
    )
    assert Booking.objects.filter(moved_by_downtime__kind="outage").exists()
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    assert OldContentType.objects.filter(app_label="scheduling", model="machine").exists()
    # (models added to the app later, e.g. machine QA, keep their content types: not moved ones)
    moved_models = [name.lower() for name in MOVED]
    assert not OldContentType.objects.filter(app_label="machines", model__in=moved_models).exists()

    new_apps = _migrate()
    tables = _tables()
    assert all(new in tables and old not in tables for old, new in MOVED.values())
    assert _counts(new_apps, "machines") == before_counts
    for _old, new in MOVED.values():
        assert _constraints(new) == constraints[new]
    assert _constraints("scheduling_booking") == booking_constraints
    ContentType.objects.clear_cache()
    assert {
        ct.model for ct in ContentType.objects.filter(app_label="machines", model__in=moved_models)
    } == {
        "machine",
        "machinetechnique",
        "machinedowntime",
    }
    assert not ContentType.objects.filter(app_label="scheduling", model="machine").exists()


def test_moved_models_answer_in_their_new_app(rows):
    from oncocenter.machines.models import Machine, MachineDowntime

    assert Machine._meta.db_table == "machines_machine"
    assert MachineDowntime._meta.db_table == "machines_machinedowntime"
    assert ContentType.objects.get_for_model(Machine).app_label == "machines"
    assert rows.plan.machine.downtimes.model is MachineDowntime
