"""Issue 15 walk (Playwright, Debian's Chromium): the morning output check fails and holds the
machine, the day board shows the hold, a physicist reviews and releases it, the therapist records
the last fraction from the console's treatment record file, approves the treatment images (a shift
above tolerance), the physician signs the offline review, and the course completes with no
booking left in the future. Screenshots: docs/screenshots/rv-*.png."""

from __future__ import annotations

import datetime as dt
import importlib
import time
from pathlib import Path

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import PASSWORD
from oncocenter.machines import qa
from oncocenter.machines.models import QAHold
from oncocenter.radiotherapy.models import ChecklistItem, ImageReview, Plan
from oncocenter.radiotherapy.tests.factories import make_world, past
from oncocenter.radiotherapy.tests.rtrecord_files import PLAN_BEAMS, record_bytes
from oncocenter.scheduling import adapter, services
from oncocenter.scheduling.models import Booking, BookingStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PLAN_UID = "1.2.826.0.1.3680043.8.498.1501"


def _reference_data() -> None:
    from django.apps import apps

    if not ChecklistItem.objects.exists():
        migration = importlib.import_module(
            "oncocenter.radiotherapy.migrations.0002_load_reference_data"
        )
        migration.load(apps, None)


def signed_in(browser, live_server, user):
    page = browser.new_context(
        locale="en-US", timezone_id="Asia/Seoul", viewport={"width": 1280, "height": 900}
    ).new_page()
    page.set_default_timeout(20000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    return page


def test_qa_hold_release_record_import_image_review_course_completes(
    browser, live_server, tmp_path
):
    _reference_data()
    w = make_world()
    w.ready(number_of_fractions=2)
    Plan.objects.filter(pk=w.plan.pk).update(dicom_sop_instance_uid=PLAN_UID, beams=PLAN_BEAMS)
    w.plan.refresh_from_db()
    first, second = w.schedule()
    w.deliver(first, past(1, 10))
    # The last session is booked for the next open day; it will be treated today (a signed
    # override), and its future booking must not survive the course.
    tomorrow = adapter.add_open_days(timezone.localdate(), 1)
    booking = services.booking_create(
        fraction=second,
        machine=w.linac,
        start=dt.datetime.combine(tomorrow, dt.time(10), tzinfo=adapter.center_tz()),
        by=w.scheduler,
    )
    # The machine's daily QA list (defined after yesterday's treatment).
    output = qa.qa_test_define(
        machine=w.linac,
        code="output-6x",
        name="Output constancy 6 MV",
        frequency="daily",
        nominal="100",
        tolerance="2",
        action="3",
        unit="%",
        by=w.physicist,
    )
    door = qa.qa_test_define(
        machine=w.linac,
        code="door",
        name="Door interlock",
        frequency="daily",
        nominal="1",
        tolerance="0",
        action="0",
        unit="1 = works",
        by=w.physicist,
    )
    # A week of earlier outputs for the chart.
    for days, value in [(6, "100.4"), (5, "99.6"), (4, "100.9"), (3, "101.4"), (2, "102.3")]:
        qa.qa_result_record(
            test=output,
            value=value,
            by=w.therapist,
            performed_at=timezone.now() - dt.timedelta(days=days),
            comment="" if abs(float(value) - 100) <= 2 else "trend watched",
        )
    qa_url = f"{live_server.url}/scheduling/machines/{w.linac.code}/qa/"

    # 1. Morning QA: the output is 4.1 % high -> QA hold.
    rtt = signed_in(browser, live_server, w.therapist)
    rtt.goto(qa_url)
    rtt.fill(f"#qa-value-{output.pk}", "104.1")
    rtt.fill(f"#qa-comment-{output.pk}", "re-measured twice, same reading")
    rtt.fill(f"#qa-value-{door.pk}", "1")
    rtt.click("button:has-text('Record results')")
    rtt.wait_for_selector("[data-testid=qa-hold]")
    assert rtt.get_attribute("[data-testid=qa-state]", "data-qa-state") == "hold"
    rtt.screenshot(path=str(SHOTS / "rv-1-qa-fails-hold.png"), full_page=True)

    # 2. The day board shows the hold.
    rtt.goto(f"{live_server.url}/scheduling/board/")
    badge = rtt.locator(f"[data-testid=qa-{w.linac.code}]")
    assert badge.get_attribute("data-qa-state") == "hold"
    rtt.screenshot(path=str(SHOTS / "rv-2-board-shows-hold.png"), full_page=True)

    # 3. The physicist reviews and releases it (a reason is required).
    phys = signed_in(browser, live_server, w.physicist)
    phys.goto(qa_url)
    phys.click("button:has-text('Release QA hold')")
    phys.wait_for_selector(".has-error")
    assert QAHold.objects.get().released_at is None
    phys.fill("#qareleaseform_reason", "Second chamber 100.8 %; monitor chamber recalibrated")
    phys.screenshot(path=str(SHOTS / "rv-3-physicist-reviews-hold.png"), full_page=True)
    phys.click("button:has-text('Release QA hold')")
    phys.wait_for_selector("text=QA hold released")
    assert phys.get_attribute("[data-testid=qa-state]", "data-qa-state") == "ok"
    phys.goto(f"{qa_url}{output.code}/")
    phys.wait_for_selector("[data-testid=qa-chart] svg")
    phys.screenshot(path=str(SHOTS / "rv-4-qa-chart.png"), full_page=True)

    # 4. The last fraction, from the console's treatment record file (after the release).
    time.sleep(1.2)
    treated = timezone.now().replace(microsecond=0)
    path = tmp_path / "RT.last.dcm"
    path.write_bytes(
        record_bytes(
            plan_uid=PLAN_UID,
            patient_id=w.patient.mrn,
            birth_date=w.patient.birth_date,
            machine=w.linac.code,
            fraction=2,
            treated_at=treated,
        )
    )
    rtt.goto(f"{live_server.url}/radiotherapy/treatment-records/")
    rtt.set_input_files("#treatmentrecordform_file", str(path))
    rtt.fill(
        "#treatmentrecordform_override_reason", "treated a day early: patient's transport moved"
    )
    rtt.click("button:has-text('Import and record')")
    rtt.wait_for_selector("text=Fraction 2 recorded from the treatment record.")
    delivery = second.deliveries.get()
    assert delivery.delivered_at == treated and "other-day" in delivery.off_schedule

    # 5. Treatment images: CBCT, a 6.5 mm lateral shift (tolerance 5 mm) -> physician's review.
    row = f"#img-{delivery.pk}"
    rtt.check(f"{row} input[name=kind][value=cbct]")
    rtt.fill(f"{row} input[name=shift_lat_mm]", "6.5")
    rtt.fill(f"{row} input[name=shift_long_mm]", "0")
    rtt.fill(f"{row} input[name=shift_vert_mm]", "-1.0")
    rtt.click(f"{row} button:has-text('Approve images')")
    rtt.wait_for_selector(f"{row} [data-testid=image-review-due]")
    rtt.locator("#images").screenshot(path=str(SHOTS / "rv-5-images-approved.png"))

    # 6. The physician's worklist, then the offline review signature.
    ro = signed_in(browser, live_server, w.ro)
    ro.goto(f"{live_server.url}/radiotherapy/")
    ro.wait_for_selector("text=Review treatment images")
    ro.click(f"a[href$='#img-{delivery.pk}']")
    ro.fill(f"{row} input[name=note]", "bony match acceptable; continue")
    ro.click(f"{row} button:has-text('Sign image review')")
    ro.wait_for_selector(f"{row} [data-testid=image-reviewed]")
    assert ImageReview.objects.get().reviewed_by == w.ro
    ro.goto(f"{live_server.url}/radiotherapy/courses/{w.course.pk}/")
    ro.screenshot(path=str(SHOTS / "rv-6-course-completed.png"), full_page=True)

    # 7. The course is complete and nothing of it stays booked in the future.
    w.course.refresh_from_db()
    assert w.course.status == "completed"
    assert w.course.ended_on == timezone.localdate()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.TREATED
    assert not Booking.objects.filter(prescription__course=w.course, status="booked").exists()
    rtt.goto(f"{live_server.url}/scheduling/board/?date={tomorrow.isoformat()}")
    assert w.patient.mrn not in rtt.content()
    rtt.goto(f"{live_server.url}/scheduling/patients/{w.patient.mrn}/appointments/")
    rtt.screenshot(path=str(SHOTS / "rv-7-no-future-bookings.png"), full_page=True)
