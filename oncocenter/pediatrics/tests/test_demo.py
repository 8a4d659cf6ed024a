import datetime as dt

import pytest

from oncocenter.aid.models import AidApplication
from oncocenter.demo.seed import seed_demo
from oncocenter.palliative.models import PalliativeReferral
from oncocenter.pediatrics import selectors as pediatrics_selectors
from oncocenter.pediatrics.models import HSCTEpisode
from oncocenter.school.models import SchoolEnrollment
from oncocenter.shelter import selectors as shelter_selectors
from oncocenter.shelter.models import ShelterStay, ShelterWaitlistEntry

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_support_part_consistently():
    today = dt.date(2026, 11, 22)
    created, counts = seed_demo(size="small", today=today)
    assert created
    c = {**counts["pediatrics"], **counts["school"], **counts["shelter"]}
    assert c["hsct_episodes"] >= 3 and HSCTEpisode.objects.count() == c["hsct_episodes"]
    assert SchoolEnrollment.objects.count() == c["school_enrollments"] > 0
    assert AidApplication.objects.filter(status="granted").exists()
    assert ShelterStay.objects.filter(status="active").exists()
    assert ShelterWaitlistEntry.objects.count() == c["shelter_waitlist"] > 0
    assert PalliativeReferral.objects.exists()
    assert len(shelter_selectors.waitlist_ranked()) == c["shelter_waitlist"]
    # No two stays of a room share a night.
    for stay in ShelterStay.objects.all():
        others = ShelterStay.objects.filter(room=stay.room).exclude(pk=stay.pk)
        for o in others:
            assert not (
                stay.check_in < (o.check_out or dt.date.max)
                and o.check_in < (stay.check_out or dt.date.max)
            )


def test_pages_render_with_demo_data(client_as):
    from django.urls import reverse

    from oncocenter.aid.models import AidApplication
    from oncocenter.palliative.models import PalliativeReferral
    from oncocenter.pediatrics.models import HSCTEpisode
    from oncocenter.school.models import SchoolEnrollment
    from oncocenter.socialwork.models import SocialCase

    seed_demo(size="small", today=dt.date(2026, 11, 22))
    ep = HSCTEpisode.objects.first()
    pages = {
        "pediatric_oncologist": [
            reverse("pediatrics:pediatric", args=[ep.patient.mrn]),
            reverse("pediatrics:hsct"),
            reverse("pediatrics:hsct-detail", args=[ep.pk]),
            reverse("palliative:detail", args=[PalliativeReferral.objects.first().pk]),
            reverse("pediatrics:reports"),
            "/",
        ],
        "social_worker": [
            reverse("aid:index"),
            reverse("aid:detail", args=[AidApplication.objects.first().pk]),
            reverse("aid:family", args=[AidApplication.objects.first().patient.mrn]),
            reverse("shelter:index"),
            reverse("socialwork:index"),
            reverse("socialwork:case", args=[SocialCase.objects.first().pk]),
            "/",
        ],
        "hospital_school_teacher": [
            reverse("school:index"),
            reverse("school:enrollment", args=[SchoolEnrollment.objects.first().pk]),
            "/",
        ],
    }
    for role, urls in pages.items():
        c = client_as(role)
        for url in urls:
            assert c.get(url).status_code == 200, (role, url)
    body = client_as("administrator").get(reverse("pediatrics:reports")).content.decode()
    assert "<svg" in body
    report = pediatrics_selectors.report_cases_by_iccc(years=10, until=dt.date(2026, 11, 22))
    assert sum(sum(v) for v in report["groups"].values()) > 0
