"""The hooks the pediatric record answers and asks (core.events.Hook)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from oncocenter.pediatrics import selectors, services
from oncocenter.pediatrics.hooks import SERVICE_LINKS, SERVICE_USE
from oncocenter.pediatrics.registrations import _services_section
from oncocenter.pediatrics.tests.factories import ChildFactory, staff
from oncocenter.scheduling.hooks import SEDATION_REQUIRED


@pytest.mark.django_db
def test_the_scheduler_asks_the_pediatric_profile_for_sedation():
    assert selectors.sedation_required in SEDATION_REQUIRED.providers()
    child = ChildFactory()
    assert selectors.sedation_required(child) is None
    services.profile_set_sedation(by=staff(), patient=child, sedation_required=True)
    assert [p(child) for p in SEDATION_REQUIRED.providers()] == [True]


def test_the_support_services_give_the_report_its_columns_in_order():
    assert [m.key for m in selectors.service_use_measures()] == [
        "school_children",
        "school_days_present",
        "aid_families",
        "aid_amount",
        "shelter_families",
        "shelter_nights",
    ]
    assert [m.key for m in SERVICE_USE.providers() if m.chart is not None] == [
        "school_children",
        "aid_families",
        "shelter_families",
    ]


@pytest.mark.django_db
def test_the_support_services_link_the_patient_page(client_as):
    child = ChildFactory()
    links = {link.permission: link.url(child) for link in SERVICE_LINKS.providers()}
    assert links == {
        "school.view": reverse("school:index"),
        "aid.view": reverse("aid:family", args=[child.mrn]),
        "shelter.view": reverse("shelter:index"),
        "palliative.refer": reverse("palliative:refer") + f"?mrn={child.mrn}",
    }
    request = RequestFactory().get("/")
    request.user = client_as("hospital_school_teacher").user
    assert _services_section(request, child) == {
        "links": [(reverse("school:index"), "Hospital school")]
    }
