"""An HSCT episode appears on the treatment timeline only through the oncology services."""

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.oncology.models import TreatmentEpisode
from oncocenter.pediatrics import services
from oncocenter.pediatrics.tests.factories import ChildFactory, staff

pytestmark = pytest.mark.django_db
D = dt.date


def _episode(**kw):
    fields = {
        "indication": "AML CR1",
        "donor_type": "related",
        "hla_match": "8/8",
        "conditioning_start": D(2026, 3, 3),
        "day0": D(2026, 3, 10),
        "status": "infused",
    }
    return services.hsct_episode_create(by=staff(), patient=ChildFactory(), **{**fields, **kw})


def _rows(episode):
    return list(TreatmentEpisode.all_objects.filter(source=f"support.hsct:{episode.pk}"))


def test_cancelled_or_entered_in_error_hsct_marks_its_episode_entered_in_error():
    for status in ("cancelled", "entered-in-error"):
        ep = _episode()
        services.hsct_episode_update(by=staff(), episode=ep, status=status)
        (row,) = _rows(ep)
        assert row.entered_in_error_at is not None and "HSCT" in row.entered_in_error_reason
        assert not TreatmentEpisode.objects.filter(pk=row.pk).exists()


def test_an_edit_moves_the_dates_of_the_same_episode():
    ep = _episode()
    (before,) = _rows(ep)
    services.hsct_episode_update(by=staff(), episode=ep, conditioning_start=D(2026, 3, 1))
    (after,) = _rows(ep)
    assert after.pk == before.pk and after.started_on == D(2026, 3, 1)
    services.hsct_episode_update(by=staff(), episode=ep, conditioning_start=None)
    (after,) = _rows(ep)
    assert after.started_on == D(2026, 3, 10)  # day 0 when conditioning is not recorded


def test_a_future_start_is_not_a_treatment_yet():
    today = timezone.localdate()
    ep = _episode(
        conditioning_start=today + dt.timedelta(days=3),
        day0=today + dt.timedelta(days=10),
        status="planned",
    )
    assert _rows(ep) == []
    services.hsct_episode_update(by=staff(), episode=ep, conditioning_start=today)
    (row,) = _rows(ep)
    assert row.started_on == today and row.entered_in_error_at is None
    # Moved back into the future: the row leaves the timeline, kept for the record.
    services.hsct_episode_update(
        by=staff(), episode=ep, conditioning_start=today + dt.timedelta(days=1)
    )
    (row,) = _rows(ep)
    assert row.entered_in_error_at is not None
    assert not TreatmentEpisode.objects.filter(source=f"support.hsct:{ep.pk}").exists()
