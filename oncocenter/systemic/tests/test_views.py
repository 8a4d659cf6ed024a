"""Systemic therapy pages: allow and deny per role, refusals beside the field or above the form
with 409/422, query counts flat in the data."""

import pytest
from django.urls import reverse
from django.utils import timezone

from oncocenter.systemic import services
from oncocenter.systemic.models import TherapyOrder

from .conftest import lab

pytestmark = pytest.mark.django_db


def _order(chain):
    return services.order_create(
        patient=chain.patient,
        by=chain.doctor,
        regimen=chain.cross,
        diagnosis=chain.diagnosis,
        start_date=timezone.localdate(),
        rt_course=chain.course,
    )


@pytest.mark.parametrize(
    "name,arg,allowed,denied",
    [
        ("systemic:worklist", None, "nurse", "hospital_school_teacher"),
        ("systemic:regimens", None, "pharmacist", "scheduler"),
        ("systemic:patient", "mrn", "medical_oncologist", "hospital_school_teacher"),
        ("systemic:order", "order", "nurse", "scheduler"),
        ("systemic:estimate", "order", "social_worker", "hospital_school_teacher"),
    ],
)
def test_pages_allow_and_deny(chain, client_as, name, arg, allowed, denied):
    order = _order(chain)
    args = [] if arg is None else [chain.patient.mrn] if arg == "mrn" else [order.pk]
    url = reverse(name, args=args)
    assert client_as(allowed).get(url).status_code == 200
    assert client_as(denied).get(url).status_code == 403


def test_order_form_and_chain_on_pages(chain, client_as):
    c = client_as(user=chain.doctor)
    url = reverse("systemic:order-create", args=[chain.patient.mrn])
    r = c.post(
        url,
        {"regimen": chain.cross.pk, "diagnosis": chain.diagnosis.pk, "start_date": "", "cycle": 1},
    )
    assert r.status_code == 422
    r = c.post(
        url,
        {
            "regimen": chain.cross.pk,
            "diagnosis": chain.diagnosis.pk,
            "start_date": timezone.localdate().isoformat(),
            "cycle": 9,
        },
    )
    assert r.status_code == 422 and 'data-field="cycle"' in r.content.decode()
    r = c.post(
        url,
        {
            "regimen": chain.cross.pk,
            "diagnosis": chain.diagnosis.pk,
            "start_date": timezone.localdate().isoformat(),
            "cycle": 1,
            "rt_course": chain.course.pk,
        },
    )
    assert r.status_code == 302
    order = TherapyOrder.objects.get()
    page = c.get(reverse("systemic:order", args=[order.pk])).content.decode()
    assert "50 mg/m2 x 1.82 m2" in page and "AUC 2 x (GFR" in page
    assert c.post(reverse("systemic:order-action", args=[order.pk, "sign"])).status_code == 302
    # the prescriber may not verify
    assert c.post(reverse("systemic:order-action", args=[order.pk, "verify"])).status_code == 403
    p = client_as(user=chain.pharmacist)
    assert p.post(reverse("systemic:order-action", args=[order.pk, "verify"])).status_code == 302
    lab(chain.patient, chain.nurse, "751-8", "0.6", "10*9/L")
    n = client_as(user=chain.nurse)
    r = n.post(reverse("systemic:order-action", args=[order.pk, "release"]), {"day": 1})
    assert r.status_code == 409 and "hold parameters" in r.content.decode()
    r = n.post(
        reverse("systemic:order-action", args=[order.pk, "hold"]), {"day": 1, "reason": "ANC 0.6"}
    )
    assert r.status_code == 302
    rt = (
        client_as("radiation_oncologist")
        .get(reverse("radiotherapy:course", args=[chain.course.pk]))
        .content.decode()
    )
    assert 'id="concurrent-chemo"' in rt and "ANC 0.6" in rt
    r = c.post(
        reverse("systemic:order-action", args=[order.pk, "release"]),
        {"day": 1, "override_reason": "clinically well"},
    )
    assert r.status_code == 302
    est = c.get(reverse("systemic:estimate", args=[order.pk])).content.decode()
    assert 'id="patient-share"' in est


def _verified(chain):
    order = _order(chain)
    services.order_sign(order=order, by=chain.doctor)
    return services.order_verify(order=order, by=chain.pharmacist)


def test_worklist_queries_do_not_grow(chain, client_as, django_assert_max_num_queries):
    c = client_as("nurse")
    _verified(chain)
    with django_assert_max_num_queries(60) as small:
        page = c.get(reverse("systemic:worklist")).content.decode()
    assert page.count('class="check-met"') == 4
    for _ in range(9):
        _verified(chain)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = c.get(reverse("systemic:worklist")).content.decode()
    assert page.count('class="check-met"') == 40
