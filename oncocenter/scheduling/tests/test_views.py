import datetime as dt
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from oncocenter.jobs.models import Job
from oncocenter.machines.models import Machine, MachineDowntime, MachineTechnique
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.radiotherapy.models import Fraction
from oncocenter.scheduling import services
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.tests.factories import at, next_open_day, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def linac():
    machine = Machine.objects.create(
        code="LINAC-1", name="TrueBeam", kind="linac", opens_at=dt.time(8), closes_at=dt.time(20)
    )
    MachineTechnique.objects.bulk_create(
        [MachineTechnique(machine=machine, technique=t) for t in ("IMRT", "SRS")]
    )
    return machine


def test_machine_page_and_api_allow(client_as, api_as, linac):
    assert (
        "LINAC-1"
        in client_as("radiation_therapist").get(reverse("scheduling:machines")).content.decode()
    )
    rows = api_as("medical_physicist").get("/api/scheduling/machines").json()
    assert rows[0]["techniques"] == ["IMRT", "SRS"]
    assert linac.can_deliver("SRS") and not linac.can_deliver("HDR")


def test_machine_page_and_api_deny_teacher(client_as, api_as, linac):
    assert (
        client_as("hospital_school_teacher").get(reverse("scheduling:machines")).status_code == 403
    )
    assert api_as("hospital_school_teacher").get("/api/scheduling/machines").status_code == 403


def test_database_refuses_unknown_technique_and_bad_hours(linac):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MachineTechnique.objects.create(machine=linac, technique="PROTON")


def test_database_refuses_closing_before_opening():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Machine.objects.create(
            code="X", name="x", kind="linac", opens_at=dt.time(20), closes_at=dt.time(8)
        )


# --- every page: allowed role, denied role, anonymous -------------------------------------------


@pytest.fixture
def booked(w):
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.filter(prescription=w.rx).order_by("start").first()
    day = first.start.astimezone(at(dt.date.today(), 8).tzinfo).date()
    result = services.outage_report(
        machine=first.machine,
        start=at(day, 8),
        end=at(day, 12),
        reason="MLC fault",
        by=w.therapist,
        now=at(day, 7),
    )
    return {"w": w, "outage": result.outage, "day": day, "first": first}


PAGES = [
    # name, kwargs key, allowed role, denied role
    ("scheduling:machines", None, "radiation_therapist", "hospital_school_teacher"),
    ("scheduling:machine", "code", "scheduler", "hospital_school_teacher"),
    ("scheduling:board", None, "scheduler", "hospital_school_teacher"),
    ("scheduling:outage-report", None, "radiation_therapist", "radiation_oncologist"),
    ("scheduling:outage", "outage", "nurse", "social_worker"),
    ("scheduling:outage-notices", "outage", "scheduler", "radiation_therapist"),
    ("scheduling:course-book", "course", "scheduler", "radiation_oncologist"),
    ("scheduling:course-bookings", "course", "radiation_oncologist", "social_worker"),
    ("scheduling:appointments", "mrn", "radiation_therapist", "hospital_school_teacher"),
]


def _url(name, key, booked):
    kwargs = {
        None: {},
        "code": {"code": booked["first"].machine.code},
        "outage": {"pk": booked["outage"].pk},
        "course": {"pk": booked["w"].course.pk},
        "mrn": {"mrn": booked["w"].patient.mrn},
    }[key]
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "key", "allowed", "denied"), PAGES)
def test_page_allow_deny_anonymous(client, client_as, booked, name, key, allowed, denied):
    url = _url(name, key, booked)
    assert client_as(allowed).get(url).status_code == 200
    denied_response = client_as(denied).get(url)
    assert denied_response.status_code == 403
    assert client.get(url).status_code == 302


def test_outage_page_lists_changed_patients_and_confirm_and_print(client_as, booked):
    scheduler = client_as("scheduler")
    outage = booked["outage"]
    page = scheduler.get(reverse("scheduling:outage", kwargs={"pk": outage.pk})).content.decode()
    assert booked["w"].patient.mrn in page and "Confirm the changes" in page
    assert (
        client_as("radiation_therapist")
        .post(reverse("scheduling:outage-confirm", kwargs={"pk": outage.pk}))
        .status_code
        == 403
    )
    scheduler.post(reverse("scheduling:outage-confirm", kwargs={"pk": outage.pk}))
    outage.refresh_from_db()
    assert outage.confirmed_at is not None
    notices = scheduler.get(reverse("scheduling:outage-notices", kwargs={"pk": outage.pk}))
    assert booked["w"].patient.name_ko in notices.content.decode()
    # The print styles come from a static file (the CSP forbids inline styles).
    assert "scheduling/scheduling.css" in notices.content.decode()
    assert "@media print" in Path(finders.find("scheduling/scheduling.css")).read_text()


def run_booking_jobs() -> None:
    """What a worker does with the queued jobs (here in the test's transaction)."""
    from oncocenter.jobs.models import Job, JobStatus
    from oncocenter.jobs.services import job_execute

    for pk in Job.objects.filter(status=JobStatus.QUEUED).values_list("pk", flat=True):
        job_execute(job_id=pk)


def test_course_book_page_refuses_unsigned_with_the_rule(client_as, machines):
    wld = world()
    wld.make_rx(technique="IMRT")
    scheduler = client_as("scheduler")
    response = scheduler.post(reverse("scheduling:course-book", kwargs={"pk": wld.course.pk}), {})
    # Refused on the form at once (no solve needed), as the API does: nothing is queued.
    assert response.status_code == 409
    assert "prescription_not_signed" in response.content.decode()
    assert not Job.objects.exists() and not Booking.objects.exists()


def test_course_book_page_books_and_shows_penalties(client_as, w):
    scheduler = client_as("scheduler")
    url = reverse("scheduling:course-book", kwargs={"pk": w.course.pk})
    bad = scheduler.post(url, {"urgency": "urgent", "window_start": "12:00", "window_end": "09:00"})
    assert bad.status_code == 422 and "end must be after start" in bad.content.decode()
    assert not Booking.objects.exists()
    response = scheduler.post(
        url, {"urgency": "urgent", "window_start": "13:00", "window_end": "15:00"}
    )
    assert response.status_code == 302 and "/jobs/" in response.url
    assert not Booking.objects.exists()  # queued, not booked inside the request
    run_booking_jobs()
    job_page = scheduler.get(response.url).content.decode()
    assert 'data-status="succeeded"' in job_page and "5 session(s) booked" in job_page
    result_url = reverse("scheduling:course-bookings", kwargs={"pk": w.course.pk})
    assert result_url in job_page
    page = scheduler.get(result_url).content.decode()
    assert "Why these slots" in page and "First fraction" in page
    assert Booking.objects.filter(prescription=w.rx).count() == 5


def test_outage_form_bad_input_names_the_field(client_as, machines):
    response = client_as("radiation_therapist").post(
        reverse("scheduling:outage-report"),
        {
            "machine": "LINAC-1",
            "start": "2030-01-07T10:00",
            "end": "2030-01-07T09:00",
            "reason": "x",
        },
    )
    assert response.status_code == 422 and "must be after start" in response.content.decode()
    assert not MachineDowntime.objects.exists()


def test_machine_detail_qa_and_service_permissions(client_as, machines):
    url = reverse("scheduling:machine", kwargs={"code": "LINAC-2"})
    day = next_open_day(skip=5).isoformat()
    qa = {"action": "qa", "qa-start": f"{day}T12:00", "qa-end": f"{day}T14:00", "qa-reason": "QA"}
    assert client_as("scheduler").post(url, qa).status_code == 403
    assert client_as("medical_physicist").post(url, qa).status_code == 302
    assert MachineDowntime.objects.filter(kind="qa").count() == 1
    svc = {"action": "service", "svc-reason": ""}
    assert client_as("radiation_therapist").post(url, svc).status_code == 403
    response = client_as("medical_physicist").post(url, svc)
    assert response.status_code == 422 and Machine.objects.get(code="LINAC-2").in_service
    client_as("medical_physicist").post(url, {"action": "service", "svc-reason": "repair"})
    assert not Machine.objects.get(code="LINAC-2").in_service


def test_home_panel_lists_unbooked_signed_courses(client_as, w):
    page = client_as("scheduler").get("/").content.decode()
    assert "LINAC scheduling" in page and w.patient.mrn in page


def test_board_bad_date_is_400(client_as):
    assert (
        client_as("scheduler").get(reverse("scheduling:board") + "?date=tomorrow").status_code
        == 400
    )


# --- the day board at full load -----------------------------------------------------------------


def _fill_day(machines, w, day, per_machine=55):
    """320+ sessions on six machines in one day, 12-minute slots 08:00-20:00."""
    patients = [PatientFactory() for _ in range(40)]
    fractions = Fraction.objects.bulk_create(
        [
            Fraction(prescription=w.rx, plan=w.plan, sequence=i + 1)
            for i in range(per_machine * len(machines))
        ]
    )
    rows = []
    for mi, m in enumerate(machines.values()):
        for k in range(per_machine):
            start = at(day, 8) + dt.timedelta(minutes=13 * k)
            fr = fractions[mi * per_machine + k]
            rows.append(
                Booking(
                    fraction=fr,
                    prescription=w.rx,
                    patient=patients[(mi + k) % 40],
                    machine=m,
                    start=start,
                    end=start + dt.timedelta(minutes=12),
                    technique="3D",
                    is_first=k % 9 == 0,
                    anesthesia=k == 0 and mi < 2,
                    booked_by=w.scheduler,
                )
            )
    Booking.objects.bulk_create(rows)
    return len(rows)


def test_day_board_query_count_is_bounded_for_300_sessions(
    client_as, w, machines, django_assert_max_num_queries
):
    day = next_open_day(skip=2)
    count = _fill_day(machines, w, day)
    assert count >= 300
    client = client_as("scheduler")
    url = reverse("scheduling:board") + f"?date={day.isoformat()}"
    client.get(url)  # warm templates
    with django_assert_max_num_queries(16) as ctx:
        t0 = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - t0
    body = response.content.decode()
    assert response.status_code == 200 and body.count('class="session') >= count
    print(f"day board: {count} sessions, {len(ctx.captured_queries)} queries, {seconds:.3f} s")
    ko = client.get(url, HTTP_ACCEPT_LANGUAGE="ko")
    assert ko.status_code == 200 and "선형가속기 일일 현황판" in ko.content.decode()


def test_patient_page_offers_booking_then_lists_appointments(client_as, w):
    url = reverse("patients:detail", kwargs={"mrn": w.patient.mrn})
    book_url = reverse("scheduling:course-book", kwargs={"pk": w.course.pk})
    assert book_url in client_as("scheduler").get(url).content.decode()
    assert book_url not in client_as("nurse").get(url).content.decode()
    services.course_book(course=w.course, by=w.scheduler)
    assert "Printable appointment list" in client_as("nurse").get(url).content.decode()


def test_book_waiting_button(client_as, w):
    url = reverse("scheduling:book-waiting")
    assert client_as("nurse").post(url).status_code == 403
    scheduler = client_as("scheduler")
    response = scheduler.post(url)
    assert response.status_code == 302 and "/jobs/" in response.url
    run_booking_jobs()
    page = scheduler.get(response.url).content.decode()
    assert "1 course(s) booked; 0 left for later." in page and "/scheduling/board/?date=" in page
    assert Booking.objects.filter(prescription=w.rx, status="booked").count() == 5


def test_outage_page_names_the_patient_of_an_unresolved_session(client_as, booked):
    outage, w = booked["outage"], booked["w"]
    outage.rebook_summary = {**outage.rebook_summary, "unresolved": {str(w.rx.pk): "no room"}}
    outage.save()
    page = client_as("scheduler").get(reverse("scheduling:outage", kwargs={"pk": outage.pk}))
    body = page.content.decode()
    assert "Not rebooked automatically" in body and w.patient.mrn in body and "no room" in body


def test_outage_report_page_rebooks_in_a_job_and_links_the_outage(client_as, w):
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.filter(prescription=w.rx).order_by("start").first()
    local = timezone.localtime(first.start)
    therapist = client_as("radiation_therapist")
    response = therapist.post(
        reverse("scheduling:outage-report"),
        {
            "machine": first.machine.code,
            "start": f"{local:%Y-%m-%d}T{first.machine.opens_at:%H:%M}",
            "end": f"{local:%Y-%m-%d}T{first.machine.closes_at:%H:%M}",
            "reason": "Magnetron fault",
        },
    )
    assert response.status_code == 302 and "/jobs/" in response.url
    assert not MachineDowntime.objects.filter(kind="outage").exists()
    run_booking_jobs()
    outage = MachineDowntime.objects.get(kind="outage")
    page = therapist.get(response.url).content.decode()
    assert 'data-status="succeeded"' in page
    assert reverse("scheduling:outage", kwargs={"pk": outage.pk}) in page
    first.refresh_from_db()
    assert first.status != "booked"


def test_outage_page_names_how_each_session_moved_in_the_users_language(client_as, booked):
    from linac_optimizer.online import KEPT_BEFORE_A_START, NEXT_OPEN_DAYS

    outage = booked["outage"]
    moved = Booking.objects.filter(moved_by_downtime=outage).order_by("start")
    assert moved.exists()
    # the engine's kinds as the outage service stores them (cut to the column's 40 characters)
    moved.update(change_kind=KEPT_BEFORE_A_START[:40])
    url = reverse("scheduling:outage", kwargs={"pk": outage.pk})
    scheduler = client_as("scheduler")
    en = scheduler.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Moved the same day in place of a course&#x27;s first session" in en
    assert KEPT_BEFORE_A_START[:40] + "<" not in en  # not the cut English code
    ko = scheduler.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "다른 과정의 첫 회차 자리로 같은 날 이동" in ko
    moved.update(change_kind=NEXT_OPEN_DAYS)
    assert "다음 진료일로 이동" in scheduler.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    moved.update(change_kind="a kind this version does not know")
    assert "a kind this version does not know" in scheduler.get(url).content.decode()
