"""Pages: allow and deny per role, refusals beside their field (422), the patient section with
the response timeline, the quality page and CSV with bounded queries."""

import datetime as dt

import pytest

from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.surgery import services
from oncocenter.surgery.models import Complication, Operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def op(world):
    return world.operation()


def _pages(world, op):
    mrn = world.patient.mrn
    return [
        ("/surgery/", "surgery.view"),
        (f"/surgery/operations/{op.pk}/", "surgery.view"),
        (f"/surgery/patients/{mrn}/response/", "surgery.view"),
        (f"/surgery/patients/{mrn}/new/", "surgery.record"),
        ("/surgery/quality/", "surgery.quality"),
        ("/surgery/quality.csv", "surgery.quality"),
    ]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_pages_allow_and_deny_by_role(world, op, client_as, role):
    client = client_as(role)
    for url, perm in _pages(world, op):
        r = client.get(url)
        assert r.status_code == (200 if role in roles_with(perm) else 403), (
            role,
            url,
            r.status_code,
        )
    # A POST by a role without the permission is refused and saves nothing.
    r = client.post(
        f"/surgery/operations/{op.pk}/complications/",
        {
            "kind": "pneumonia",
            "eccg_type": "ATS",
            "clavien_dindo": "II",
            "occurred_on": str(op.operated_on),
        },
    )
    if role in roles_with("surgery.record"):
        assert r.status_code == 302
    else:
        assert r.status_code == 403 and not Complication.objects.exists()


def test_operation_form_refuses_missing_diagnosis_beside_the_field(world, client_as):
    client = client_as(user=world.surgeon)
    r = client.post(
        f"/surgery/patients/{world.patient.mrn}/new/",
        {
            "diagnosis": "",
            "procedure": "ivor_lewis",
            "approach": "mis",
            "anastomosis": "intrathoracic",
            "operated_on": str(world.today - dt.timedelta(days=30)),
            "duration_min": "300",
            "blood_loss_ml": "100",
            "residual_tumor": "R0",
            "neoadjuvant": "none",
        },
    )
    assert r.status_code == 422
    assert b'data-field="diagnosis"' in r.content and not Operation.objects.exists()


def test_complication_form_refuses_a_date_before_the_operation(world, op, client_as):
    r = client_as(user=world.surgeon).post(
        f"/surgery/operations/{op.pk}/complications/",
        {
            "kind": "anastomotic_leak",
            "eccg_type": "II",
            "clavien_dindo": "IIIb",
            "occurred_on": str(op.operated_on - dt.timedelta(days=2)),
        },
    )
    assert r.status_code == 422 and b'data-field="occurred_on"' in r.content


def test_recist_form_parses_lesions_and_shows_the_timeline(world, op, client_as):
    client = client_as(user=world.radiologist)
    url = f"/surgery/patients/{world.patient.mrn}/response/recist11/"
    r = client.post(
        url,
        {
            "diagnosis": world.diagnosis.pk,
            "baseline": "",
            "assessed_on": str(world.today - dt.timedelta(days=100)),
            "lesions": "L1; liver; 40\nN1; mediastinum; 20; yes",
            "non_target": "none",
        },
    )
    assert r.status_code == 302
    base = world.patient.response_assessments.get()
    r = client.post(
        url,
        {
            "diagnosis": world.diagnosis.pk,
            "baseline": base.pk,
            "assessed_on": str(world.today - dt.timedelta(days=20)),
            "lesions": "L1; liver; 20\nN1; mediastinum; 9; yes",
            "non_target": "none",
        },
    )
    assert r.status_code == 302
    page = client.get(f"/patients/{world.patient.mrn}/").content.decode()
    assert "Surgery and tumor response" in page and "<svg" in page and "Ivor Lewis" in page
    page = client.get(f"/surgery/patients/{world.patient.mrn}/response/").content.decode()
    assert "<strong>PR</strong>" in page and "-51.7" in page
    assert "style=" not in page.split("<main", 1)[-1] and "<script>" not in page


def _esophagectomies(world, n):
    for i in range(n):
        op = world.operation(
            operated_on=world.today - dt.timedelta(days=100 - i % 5), feeding_jejunostomy=False
        )
        services.complication_record(
            by=world.surgeon,
            operation=op,
            kind="pneumonia",
            eccg_type="ATS",
            clavien_dindo="II",
            occurred_on=op.operated_on + dt.timedelta(days=3),
        )


def test_quality_page_queries_do_not_grow(world, client_as, django_assert_max_num_queries):
    client = client_as(user=world.surgeon)
    _esophagectomies(world, 2)
    with django_assert_max_num_queries(12) as small:
        assert client.get("/surgery/quality/").status_code == 200
    _esophagectomies(world, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get("/surgery/quality/")
    assert r.status_code == 200
    csv = client.get("/surgery/quality.csv").content.decode()
    assert csv.splitlines()[0].startswith("year,esophagectomies,r0_rate")
    assert f"{(world.today - dt.timedelta(days=100)).year}" in csv


def test_inrc_form_computes_the_response_and_refuses_an_impossible_curie(world, client_as):
    client = client_as(user=world.radiologist)
    url = f"/surgery/patients/{world.patient.mrn}/response/inrc/"
    r = client.post(
        url,
        {
            "diagnosis": world.diagnosis.pk,
            "baseline": "",
            "assessed_on": str(world.today - dt.timedelta(days=60)),
            "primary_mm": "60",
            "curie_score": "12",
            "marrow_pct": "30",
        },
    )
    assert r.status_code == 302
    base = world.patient.response_assessments.get()
    r = client.post(
        url,
        {
            "diagnosis": world.diagnosis.pk,
            "baseline": base.pk,
            "assessed_on": str(world.today),
            "primary_mm": "35",
            "curie_score": "31",
            "marrow_pct": "0",
        },
    )
    assert r.status_code == 422 and b'data-field="curie_score"' in r.content
    r = client.post(
        url,
        {
            "diagnosis": world.diagnosis.pk,
            "baseline": base.pk,
            "assessed_on": str(world.today),
            "primary_mm": "35",
            "curie_score": "4",
            "marrow_pct": "0",
        },
    )
    assert r.status_code == 302
    assert world.patient.response_assessments.latest("assessed_on").overall_response == "PR"


def test_response_page_queries_do_not_grow(world, client_as, django_assert_max_num_queries):
    client = client_as(user=world.radiologist)

    def series(n):
        base = (
            services.response_record(
                by=world.radiologist,
                patient=world.patient,
                diagnosis=world.diagnosis,
                criteria="recist11",
                assessed_on=world.today - dt.timedelta(days=300),
                lesions=[{"label": f"L{i}", "organ": f"o{i}", "diameter_mm": 30} for i in range(3)],
            )
            if not world.patient.response_assessments.exists()
            else world.patient.response_assessments.earliest("id")
        )
        start = world.patient.response_assessments.count()
        for k in range(start, start + n):
            services.response_record(
                by=world.radiologist,
                patient=world.patient,
                diagnosis=world.diagnosis,
                criteria="recist11",
                baseline=base,
                assessed_on=world.today - dt.timedelta(days=290 - 10 * k),
                lesions=[
                    {"label": f"L{i}", "organ": f"o{i}", "diameter_mm": 30 - k} for i in range(3)
                ],
            )

    series(2)
    url = f"/surgery/patients/{world.patient.mrn}/response/"
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    series(18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
