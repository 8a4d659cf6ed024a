"""Issue 4 walk (Playwright, Debian's Chromium): from a new prescription to the first recorded
fraction, each step done by the role that owns it, through the course page's htmx forms."""

import importlib

import pytest

from oncocenter.accounts.tests.factories import PASSWORD
from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import ChecklistItem, Delivery, Prescription
from oncocenter.radiotherapy.tests.factories import make_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _reference_data() -> None:
    """Checklist items, constraint sets, CTCAE terms and gap-sensitive sites come from a data
    migration; a live-server test that ran before may have flushed them without restoring them."""
    from django.apps import apps

    if not ChecklistItem.objects.exists():
        migration = importlib.import_module(
            "oncocenter.radiotherapy.migrations.0002_load_reference_data"
        )
        migration.load(apps, None)


def signed_in(browser, live_server, user):
    page = browser.new_context(locale="en-US", timezone_id="Asia/Seoul").new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    return page


def test_prescription_to_first_recorded_fraction(browser, live_server):
    _reference_data()
    w = make_world()
    # A prescription is tied to its diagnosis (issue 15).
    dx = DiagnosisFactory(patient=w.patient, icd10_code="C32.0", icdo3_topography="C32.0")
    course = s.course_create(
        patient=w.patient, label="Larynx T2N0", intent="curative", physician=w.ro, by=w.ro
    )
    url = f"{live_server.url}/radiotherapy/courses/{course.pk}/"

    ro = signed_in(browser, live_server, w.ro)
    ro.goto(url)
    ro.fill("#rx-site", "Larynx")
    ro.select_option("#rx-tech", "3D")
    ro.fill("#rx-dpf", "2.25")
    ro.fill("#rx-n", "28")
    ro.select_option("#rx-dx", str(dx.pk))
    ro.fill("#rx-icd", "C32.0")
    ro.click("[data-testid=rx-create]")
    ro.wait_for_selector("[data-testid=rx-sign]")
    assert "gaps matter" in ro.content()
    ro.click("[data-testid=rx-sign]")
    ro.wait_for_selector("text=Prescription signed.")
    rx = Prescription.objects.get(course=course)
    assert rx.status == "signed" and str(rx.total_dose_gy) == "63.000"

    dosi = signed_in(browser, live_server, w.dosimetrist)
    dosi.goto(url)
    dosi.fill(f"#pl-label-{rx.pk}", "LARYNX-3D")
    dosi.select_option(f"#pl-m-{rx.pk}", w.linac.code)
    dosi.fill(f"#pl-mu-{rx.pk}", "240")
    dosi.click("[data-testid=plan-create]")
    dosi.wait_for_selector("text=Plan saved.")

    ro.goto(url)
    ro.click("[data-testid=plan-approve]")
    ro.wait_for_selector("text=Plan approved.")

    phys = signed_in(browser, live_server, w.physicist)
    phys.goto(url)
    # The checklist has no default answer: each item is answered on purpose.
    for code in ChecklistItem.objects.filter(kind="initial", active=True).values_list(
        "code", flat=True
    ):
        phys.check(f"input[name='item-{code}'][value=pass]")
    phys.click("[data-testid=physics-check]")
    phys.wait_for_selector("text=Physics check recorded: passed.")

    sched = signed_in(browser, live_server, w.scheduler)
    sched.goto(url)
    sched.click("[data-testid=schedule]")
    sched.wait_for_selector("text=28 sessions scheduled.")

    rtt = signed_in(browser, live_server, w.therapist)
    rtt.goto(url)
    first = rx.fractions.order_by("sequence").first()
    rtt.click(f"#fraction-{first.pk} summary")
    rtt.fill(f"#id-mrn-{first.pk}", w.patient.mrn)
    # one identifier is not enough: refused beside the form, nothing recorded
    rtt.click(f"#fraction-{first.pk} [data-testid=deliver]")
    rtt.wait_for_selector("text=two patient identifiers must be confirmed")
    assert not Delivery.objects.exists()
    rtt.fill(f"#id-mrn-{first.pk}", w.patient.mrn)
    rtt.fill(f"#id-bd-{first.pk}", w.patient.birth_date.isoformat())
    rtt.click(f"#fraction-{first.pk} [data-testid=deliver]")
    rtt.wait_for_selector("text=Fraction 1 recorded.")
    assert rtt.inner_text("[data-testid=rx-delivered]").startswith("1 / 28")
    assert Delivery.objects.get().fraction.delivered_number == 1
