"""A dosimetrist uploads a plan's RT Structure Set and RT Dose in the browser: each upload goes to
its job page, the job imports it, and the plan's DVH page shows the curves and the constraints
(the synthetic files of `rt_dicom_files`: the spinal cord over its limit)."""

from pathlib import Path

import pytest

from oncocenter.accounts.tests.factories import PASSWORD
from oncocenter.jobs.models import Job
from oncocenter.jobs.services import job_execute
from oncocenter.radiotherapy.models import PlanDicomObject
from oncocenter.radiotherapy.tests import rt_dicom_files as files
from oncocenter.radiotherapy.tests.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture(autouse=True)
def reference_data():
    import importlib

    from django.apps import apps

    from oncocenter.radiotherapy.models import ConstraintSet

    if not ConstraintSet.objects.exists():
        importlib.import_module("oncocenter.radiotherapy.migrations.0002_load_reference_data").load(
            apps, None
        )


def test_upload_structure_set_and_dose_then_read_the_dvh_page(page, browser_login, tmp_path):
    w = make_world()
    plan = files.import_plan(w)
    # Shared 2-core machine: a page may take longer than the default 15 s under load.
    page.set_default_timeout(90_000)
    page.set_default_navigation_timeout(90_000)
    struct, dose = files.write_files(tmp_path, w.patient.mrn, plan.dicom_sop_instance_uid)
    browser_login(w.dosimetrist.username, password=PASSWORD)
    dvh_url = f"{page.base_url}/radiotherapy/courses/{w.course.pk}/plans/{plan.pk}/dvh/"
    page.goto(dvh_url)
    assert "No DVH yet" in page.content()
    for path in (struct, dose):
        page.set_input_files(f"#rto-{plan.pk}", str(path))
        page.click('[data-testid="dicom-import"]')
        page.wait_for_url("**/jobs/*/")
        assert job_execute(job_id=Job.objects.latest("pk").pk) == "succeeded"
        # The job page polls its status and then offers the DVH page.
        page.wait_for_selector('[data-status="succeeded"]')
        page.click("text=Open the result")
        page.wait_for_url(dvh_url)
    assert PlanDicomObject.objects.count() == 2
    page.wait_for_selector('[data-testid="dvh-chart"] svg polyline')
    assert page.locator("polyline.dvh-curve").count() == 4
    cord = page.locator('tr[data-structure="SpinalCord"]')
    assert "VIOLATED" in cord.inner_text() and "56.00" in cord.inner_text()
    assert "met" in page.locator('tr[data-structure="Heart"]').inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "rt-dvh.png"), full_page=True)
