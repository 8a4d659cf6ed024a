"""Labs pages: allow and deny per role, errors beside the field, query counts flat in the data."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oncocenter.labs import services
from oncocenter.labs.models import LabResult

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name,args,allowed,denied",
    [
        ("labs:patient", "mrn", "nurse", "hospital_school_teacher"),
        ("labs:critical", None, "pharmacist", "scheduler"),
        ("labs:import", None, "pathologist", "nurse"),
    ],
)
def test_pages_allow_and_deny(client_as, adult, name, args, allowed, denied):
    url = reverse(name, args=[adult.mrn] if args else [])
    assert client_as(allowed).get(url).status_code == 200
    assert client_as(denied).get(url).status_code == 403


def test_patient_page_shows_trends_and_wrong_unit_beside_the_field(client_as, adult, now):
    c = client_as("nurse")
    url = reverse("labs:result-create", args=[adult.mrn])
    r = c.post(
        url,
        {
            "loinc": "751-8",
            "value": "1.2",
            "unit": "mg/dL",
            "collected_at": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 422 and 'data-field="unit"' in r.content.decode()
    assert LabResult.objects.count() == 0
    r = c.post(
        url,
        {
            "loinc": "751-8",
            "value": "0.4",
            "unit": "10*9/L",
            "collected_at": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 302
    page = c.get(reverse("labs:patient", args=[adult.mrn])).content.decode()
    assert (
        'data-analyte="anc"' in page
        and "<svg" in page
        and "Critical low" in page
        and "style=" not in page.split("<main")[-1]
    )


def test_critical_worklist_acknowledge(client_as, adult, make_user, now):
    services.lab_result_record(
        patient=adult,
        by=make_user("nurse"),
        loinc="777-3",
        value="12",
        unit="10*9/L",
        collected_at=now,
    )
    c = client_as("medical_oncologist")
    page = c.get(reverse("labs:critical")).content.decode()
    assert adult.mrn in page
    r = LabResult.objects.get()
    resp = c.post(
        reverse("labs:acknowledge", args=[r.pk]),
        {"communicated_to": "", "action": "", "next": "worklist"},
    )
    assert resp.status_code == 422
    resp = c.post(
        reverse("labs:acknowledge", args=[r.pk]),
        {"communicated_to": "RN Park", "action": "platelets ordered", "next": "worklist"},
    )
    assert resp.status_code == 302
    assert adult.mrn not in c.get(reverse("labs:critical")).content.decode()


def _fill(patient, by, n):
    start = timezone.now() - dt.timedelta(days=60)
    for i in range(n):
        at = start + dt.timedelta(hours=6 * i)
        for loinc, value, unit in (
            ("751-8", "2", "10*9/L"),
            ("777-3", "150", "10*9/L"),
            ("718-7", "12", "g/dL"),
        ):
            services.lab_result_record(
                patient=patient, by=by, loinc=loinc, value=value, unit=unit, collected_at=at
            )


def test_patient_page_queries_do_not_grow(
    client_as, adult, make_user, django_assert_max_num_queries
):
    c = client_as("nurse")
    by = make_user("nurse")
    _fill(adult, by, 3)
    url = reverse("labs:patient", args=[adult.mrn])
    with django_assert_max_num_queries(40) as small:
        c.get(url)
    _fill(adult, by, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(url)
