""" "Previously treated" = an ended oncology.TreatmentEpisode at this center that is current (an
episode entered in error earns no priority)."""

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics import selectors, services
from oncocenter.clinics.tests.factories import make_ward
from oncocenter.oncology.services import treatment_episode_mark_entered_in_error
from oncocenter.oncology.tests.factories import TreatmentEpisodeFactory

pytestmark = pytest.mark.django_db


def _ended_here():
    today = timezone.localdate()
    return TreatmentEpisodeFactory(
        modality="surgery",
        started_on=today - dt.timedelta(days=100),
        ended_on=today - dt.timedelta(days=90),
        at_this_center=True,
    )


def test_an_episode_entered_in_error_earns_no_priority():
    kept, withdrawn = _ended_here(), _ended_here()
    treatment_episode_mark_entered_in_error(
        episode=withdrawn, by=UserFactory(), reason="recorded for the wrong patient"
    )
    assert selectors.patient_previously_treated(kept.patient)
    assert not selectors.patient_previously_treated(withdrawn.patient)
    assert selectors.previously_treated_ids([kept.patient_id, withdrawn.patient_id]) == {
        kept.patient_id
    }


def test_an_episode_ending_after_the_day_asked_about_does_not_count():
    episode = _ended_here()
    before_the_end = episode.ended_on - dt.timedelta(days=1)
    assert not selectors.patient_previously_treated(episode.patient, on=before_the_end)
    assert selectors.previously_treated_ids([episode.patient_id], on=before_the_end) == set()


def test_admission_records_the_priority_from_the_clinical_record():
    episode = _ended_here()
    admission = services.admission_admit(
        by=UserFactory(),
        patient=episode.patient,
        ward=make_ward(beds=1),
        admitted_at=timezone.now(),
    )
    assert admission.previously_treated
