"""Radiotherapy events: published with the right ids, inside the service's transaction.

A subscriber's writes are saved with the clinical fact or not at all, and a subscriber that
refuses (raises a domain error) rolls the whole write back, delivery record included.
"""

from __future__ import annotations

import pytest

from oncocenter.audit.models import AuditEvent
from oncocenter.core import events as core_events
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.oncology.models import TreatmentEpisode
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.events import (
    CourseClosed,
    DeliveryEnteredInError,
    FractionDelivered,
    FractionMissed,
)
from oncocenter.radiotherapy.models import Course, Delivery, FractionStatus, Prescription
from oncocenter.radiotherapy.tests.factories import make_world, past

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = make_world()
    world.ready()
    return world


@pytest.fixture
def heard(monkeypatch):
    """Every radiotherapy event published during the test, in order (only these subscribers)."""
    received = []
    for event_type in (FractionDelivered, DeliveryEnteredInError, FractionMissed, CourseClosed):
        monkeypatch.setitem(core_events._subscribers, event_type, [received.append])
    return received


def test_delivery_publishes_fraction_delivered_with_its_ids(w, heard):
    first = w.schedule()[0]
    when = past(3)
    delivery = w.deliver(first, when)
    assert heard == [
        FractionDelivered(
            delivery_id=delivery.pk,
            fraction_id=first.pk,
            prescription_id=w.rx.pk,
            course_id=w.course.pk,
            patient_id=w.patient.pk,
            machine_id=w.linac.pk,
            delivered_at=when,
            partial=False,
            completes_partial=False,
        )
    ]


def test_a_refused_delivery_publishes_nothing(w, heard):
    first = w.schedule()[0]
    with pytest.raises(ValidationFailed):
        w.deliver(first, past(3), identifiers={"mrn": w.patient.mrn})
    assert heard == []


def test_a_refusing_subscriber_rolls_the_delivery_back_with_every_reaction(w, monkeypatch):
    first = w.schedule()[0]
    seen = []

    def reacts(event):
        seen.append(event)
        Course.objects.filter(pk=event.course_id).update(notes="reacted to the delivery")

    def refuses(event):
        raise Conflict("the booking area refuses", rule="test_refusal")

    monkeypatch.setitem(core_events._subscribers, FractionDelivered, [reacts, refuses])
    audit_before = AuditEvent.objects.count()
    with pytest.raises(Conflict, match="the booking area refuses"):
        w.deliver(first, past(3))
    assert len(seen) == 1 and seen[0].fraction_id == first.pk
    first.refresh_from_db()
    course = Course.objects.get(pk=w.course.pk)
    assert not Delivery.objects.exists() and first.status == FractionStatus.SCHEDULED
    assert Prescription.objects.get(pk=w.rx.pk).fractions_delivered == 0
    assert course.notes == "" and course.status == "planned"
    assert not TreatmentEpisode.all_objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_entered_in_error_and_correction_publish_the_record_and_its_replacement(w, heard):
    first, second = w.schedule()[:2]
    d1 = w.deliver(first, past(4))
    d2 = w.deliver(second, past(3), meterset_delivered="200")
    heard.clear()
    s.delivery_mark_entered_in_error(delivery=d1, by=w.therapist, reason="wrong patient chart")
    new = s.delivery_correct(
        delivery=d2, by=w.physicist, reason="MU typed wrong", meterset_delivered="199"
    )
    common = {"prescription_id": w.rx.pk, "course_id": w.course.pk, "patient_id": w.patient.pk}
    assert heard == [
        DeliveryEnteredInError(
            delivery_id=d1.pk,
            fraction_id=first.pk,
            replaced_by_id=None,
            fraction_reopened=True,
            **common,
        ),
        DeliveryEnteredInError(
            delivery_id=d2.pk,
            fraction_id=second.pk,
            replaced_by_id=new.pk,
            fraction_reopened=False,
            **common,
        ),
    ]


def test_missed_session_names_its_replacement(w, heard):
    first = w.schedule()[0]
    s.fraction_mark_missed(fraction=first, by=w.scheduler, reason="patient unwell")
    replacement = w.rx.fractions.order_by("-sequence").first()
    assert heard == [
        FractionMissed(
            fraction_id=first.pk,
            prescription_id=w.rx.pk,
            course_id=w.course.pk,
            patient_id=w.patient.pk,
            replacement_fraction_id=replacement.pk,
        )
    ]


def test_course_closed_lists_the_sessions_it_cancelled(w, heard):
    sessions = w.schedule()
    w.deliver(sessions[0], past(5))
    heard.clear()
    s.course_close(course=w.course, by=w.ro, status="stopped", reason="patient's choice")
    assert heard == [
        CourseClosed(
            course_id=w.course.pk,
            patient_id=w.patient.pk,
            status="stopped",
            cancelled_fraction_ids=tuple(f.pk for f in sessions[1:]),
        )
    ]
    assert all(
        f.status == FractionStatus.CANCELLED for f in w.rx.fractions.exclude(pk=sessions[0].pk)
    )


def test_a_course_that_cannot_close_publishes_nothing(w, heard):
    s.course_close(course=w.course, by=w.ro, status="completed")
    with pytest.raises(Conflict):
        s.course_close(course=w.course, by=w.ro, status="completed")
    assert [type(e) for e in heard] == [CourseClosed]


def test_treatment_episode_is_written_through_the_oncology_services(w):
    first = w.schedule()[0]
    w.deliver(first, past(5))
    episode = TreatmentEpisode.objects.get(source=f"radiotherapy.course:{w.course.pk}")
    assert AuditEvent.objects.filter(
        action="create", object_type="oncology.treatmentepisode", object_id=str(episode.pk)
    ).exists()
    s.course_close(course=w.course, by=w.ro, status="completed")
    episode.refresh_from_db()
    assert episode.ended_on == past(5).date()
    assert AuditEvent.objects.filter(
        action="update", object_type="oncology.treatmentepisode", object_id=str(episode.pk)
    ).exists()


def test_closing_a_course_whose_episode_was_withdrawn_leaves_it_alone(w):
    from oncocenter.oncology import services as oncology_services

    w.deliver(w.schedule()[0], past(5))
    episode = TreatmentEpisode.objects.get(source=f"radiotherapy.course:{w.course.pk}")
    oncology_services.treatment_episode_mark_entered_in_error(
        episode=episode, by=w.ro, reason="duplicate"
    )
    s.course_close(course=w.course, by=w.ro, status="completed")
    assert TreatmentEpisode.all_objects.get(pk=episode.pk).ended_on is None
