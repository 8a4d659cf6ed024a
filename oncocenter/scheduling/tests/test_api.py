import datetime as dt

import pytest

from oncocenter.audit.models import AuditEvent
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.jobs.models import Job
from oncocenter.jobs.services import job_execute
from oncocenter.machines.models import MachineDowntime
from oncocenter.radiotherapy import services as rt_services
from oncocenter.scheduling import services
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.tests.factories import at, next_open_day, world

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _queued(response) -> Job:
    """The 202 answer of an endpoint that queued a booking job; nothing is booked yet."""
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get(pk=body["job_id"])
    assert body["kind"] == job.kind and body["status"] == "queued"
    assert body["status_url"] == f"/api/jobs/{job.pk}"
    assert body["result_url"] == f"/api/jobs/{job.pk}/result"
    assert body["page_url"] == f"/jobs/{job.pk}/"
    return job


def test_course_book_endpoint_queues_a_job_whose_result_is_the_bookings(api_as, w):
    api = api_as("scheduler")
    url = f"/api/scheduling/courses/{w.course.pk}/book"
    job = _queued(api.post(url, {"urgency": "radical", "time_limit": 4}, content_type=JSON))
    assert job.kind == "scheduling.course_book" and job.params["time_limit"] == 4
    assert not Booking.objects.exists()  # nothing is solved inside the request
    waiting = api.get(f"/api/jobs/{job.pk}/result")
    assert waiting.status_code == 409 and waiting.json()["code"] == "job_not_finished"
    assert job_execute(job_id=job.pk) == "succeeded"
    status = api.get(f"/api/jobs/{job.pk}").json()
    assert status["status"] == "succeeded" and status["kind"] == "scheduling.course_book"
    response = api.get(f"/api/jobs/{job.pk}/result")
    assert response.status_code == 200, response.content
    body = response.json()
    # What the endpoint answered when it booked inside the request, plus the job's summary.
    assert body["course_id"] == w.course.pk and "5 session(s) booked" in body["summary"]
    saved = Booking.objects.filter(prescription=w.rx).order_by("start")
    assert [b["id"] for b in body["bookings"]] == [b.pk for b in saved]
    assert body["bookings"][0]["is_first"] and body["bookings"][0]["mrn"] == w.patient.mrn
    assert str(w.rx.pk) in body["penalties"] and body["solve_seconds"] is not None
    again = api.post(url, {}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "course_already_booked"
    assert again.json()["errors"][0]["field"] == "course"
    assert Job.objects.count() == 1  # refused at once, nothing queued
    listed = api_as("nurse").get(f"/api/scheduling/courses/{w.course.pk}/bookings")
    assert listed.status_code == 200 and len(listed.json()) == 5
    denied = api_as("hospital_school_teacher").get(
        f"/api/scheduling/courses/{w.course.pk}/bookings"
    )
    assert denied.status_code == 403


def test_a_course_booked_meanwhile_fails_the_job_with_the_rule(api_as, w):
    """Two requests queued before either ran: the second job finds the course booked, and its
    result answers what the request would have (409 with the rule), booking nothing twice."""
    api = api_as("scheduler")
    url = f"/api/scheduling/courses/{w.course.pk}/book"
    first, second = (_queued(api.post(url, {}, content_type=JSON)) for _ in range(2))
    assert job_execute(job_id=first.pk) == "succeeded"
    assert job_execute(job_id=second.pk) == "failed"
    status = api.get(f"/api/jobs/{second.pk}").json()
    assert status["status"] == "failed" and status["error_rule"] == "course_already_booked"
    refused = api.get(f"/api/jobs/{second.pk}/result")
    assert refused.status_code == 409 and refused.json()["code"] == "course_already_booked"
    assert refused.json()["errors"][0]["field"] == "course"
    assert Booking.objects.filter(prescription=w.rx, status="booked").count() == 5


def test_course_book_endpoint_refuses_at_once_what_needs_no_solve(api_as, machines):
    unsigned = world()
    unsigned.make_rx(technique="3D")
    url = f"/api/scheduling/courses/{unsigned.course.pk}/book"
    assert api_as("radiation_oncologist").post(url, {}, content_type=JSON).status_code == 403
    response = api_as("scheduler").post(url, {}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["code"] == "prescription_not_signed"
    assert response.json()["errors"][0]["field"] == "prescription"
    ko = api_as("scheduler").post(url, {}, content_type=JSON, HTTP_ACCEPT_LANGUAGE="ko")
    assert ko.status_code == 409 and "서명이 없습니다" in ko.json()["detail"]
    no_physics = world()
    no_physics.make_rx(technique="3D")
    rt_services.prescription_sign(prescription=no_physics.rx, by=no_physics.ro)
    response = api_as("scheduler").post(
        f"/api/scheduling/courses/{no_physics.course.pk}/book", {}, content_type=JSON
    )
    assert response.status_code == 409
    assert response.json()["code"] == "physics_check_incomplete"
    assert response.json()["errors"][0]["field"] == "prescription"
    assert (
        api_as("scheduler")
        .post("/api/scheduling/courses/999999/book", {}, content_type=JSON)
        .status_code
        == 404
    )
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"urgency": "asap"}, "urgency"),
        ({"ready_date": "2001-01-01"}, "ready_date"),
        ({"preferred_window": ["x", "y"]}, "preferred_window"),
        ({"preferred_window": ["15:00", "09:00"]}, "preferred_window"),
        ({"time_limit": 999}, "time_limit"),
        ({"anesthesia": "perhaps"}, "anesthesia"),
    ],
)
def test_course_book_endpoint_bad_input_names_field(api_as, w, payload, field):
    response = api_as("scheduler").post(
        f"/api/scheduling/courses/{w.course.pk}/book", payload, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not Job.objects.exists() and not Booking.objects.exists()


def test_bad_input_is_refused_in_korean(api_as, w):
    response = api_as("scheduler").post(
        f"/api/scheduling/courses/{w.course.pk}/book",
        {"time_limit": 999},
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert response.status_code == 422
    assert "0.5초에서 60초 사이여야" in response.json()["errors"][0]["message"]


def test_booking_endpoint_allow_deny_and_rules(api_as, w, sessions):
    day = next_open_day()
    payload = {"fraction_id": sessions[0].pk, "machine": "LINAC-3", "start": at(day, 9).isoformat()}
    assert (
        api_as("nurse").post("/api/scheduling/bookings", payload, content_type=JSON).status_code
        == 403
    )
    ok = api_as("scheduler").post("/api/scheduling/bookings", payload, content_type=JSON)
    assert ok.status_code == 201, ok.content
    clash = {**payload, "fraction_id": sessions[1].pk}
    response = api_as("radiation_therapist").post(
        "/api/scheduling/bookings", clash, content_type=JSON
    )
    assert response.status_code == 409 and response.json()["code"] == "slot_taken"
    bad = api_as("scheduler").post(
        "/api/scheduling/bookings", {**clash, "machine": "NOPE"}, content_type=JSON
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "machine"
    missing = api_as("scheduler").post(
        "/api/scheduling/bookings", {"machine": "LINAC-3"}, content_type=JSON
    )
    assert missing.status_code == 422
    booking_id = ok.json()["id"]
    cancel = f"/api/scheduling/bookings/{booking_id}/cancel"
    assert api_as("nurse").post(cancel, {"reason": "x"}, content_type=JSON).status_code == 403
    empty = api_as("scheduler").post(cancel, {"reason": ""}, content_type=JSON)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"
    done = api_as("scheduler").post(cancel, {"reason": "unwell"}, content_type=JSON)
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert Booking.objects.filter(status="booked").count() == 0


def test_qa_and_service_endpoints(api_as, machines):
    day = next_open_day(skip=4)
    qa = {"start": at(day, 12).isoformat(), "end": at(day, 14).isoformat(), "reason": "monthly QA"}
    url = "/api/scheduling/machines/LINAC-2/qa"
    assert api_as("scheduler").post(url, qa, content_type=JSON).status_code == 403
    assert api_as("medical_physicist").post(url, qa, content_type=JSON).status_code == 201
    bad = api_as("medical_physicist").post(url, {**qa, "end": qa["start"]}, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "end"
    assert MachineDowntime.objects.count() == 1
    listed = api_as("nurse").get("/api/scheduling/machines/LINAC-2/downtime")
    assert listed.status_code == 200 and listed.json()[0]["kind"] == "qa"
    assert (
        api_as("hospital_school_teacher")
        .get("/api/scheduling/machines/LINAC-2/downtime")
        .status_code
        == 403
    )
    svc = "/api/scheduling/machines/LINAC-2/service"
    body = {"in_service": False, "reason": "magnetron"}
    assert api_as("radiation_therapist").post(svc, body, content_type=JSON).status_code == 403
    response = api_as("administrator").post(svc, body, content_type=JSON)
    assert response.status_code == 200 and response.json()["in_service"] is False
    assert api_as("scheduler").get("/api/scheduling/machines/NOPE/downtime").status_code == 404


def test_outage_endpoint_queues_the_rebooking_and_its_result_is_the_changes(api_as, w):
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.filter(prescription=w.rx).order_by("start").first()
    day = first.start.astimezone(at(dt.date.today(), 8).tzinfo).date()
    payload = {
        "machine": first.machine.code,
        "start": at(day, 8).isoformat(),
        "end": at(day, 20).isoformat(),
        "reason": "beam steering fault",
    }
    url = "/api/scheduling/outages"
    assert api_as("radiation_oncologist").post(url, payload, content_type=JSON).status_code == 403
    therapist = api_as("radiation_therapist")
    job = _queued(therapist.post(url, payload, content_type=JSON))
    assert job.kind == "scheduling.outage_report"
    assert not MachineDowntime.objects.filter(kind="outage").exists()
    assert job_execute(job_id=job.pk) == "succeeded"
    response = therapist.get(f"/api/jobs/{job.pk}/result")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["changes"] and body["changes"][0]["changed_from_machine"] == first.machine.code
    assert body["moved"] + body["cancelled"] >= 1 and "rebooked" in body["summary"]
    assert isinstance(body["unresolved"], dict)
    pk = body["outage"]["id"]
    assert MachineDowntime.objects.get(kind="outage").pk == pk
    assert body["outage"]["reported_by"] == therapist.user.username
    # The job is read by whoever may report outages, not by every reader of jobs.
    assert api_as("medical_physicist").get(f"/api/jobs/{job.pk}/result").status_code == 200
    assert api_as("nurse").get(f"/api/jobs/{job.pk}/result").status_code == 403
    read = api_as("nurse").get(f"/api/scheduling/outages/{pk}")
    assert read.status_code == 200
    assert [c["id"] for c in read.json()["changes"]] == [c["id"] for c in body["changes"]]
    assert api_as("social_worker").get(f"/api/scheduling/outages/{pk}").status_code == 403
    assert (
        api_as("radiation_therapist").post(f"/api/scheduling/outages/{pk}/confirm").status_code
        == 403
    )
    confirmed = api_as("scheduler").post(f"/api/scheduling/outages/{pk}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_by"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"machine": "X"}, "machine"),
        ({"end": "2030-01-07T09:00:00+09:00", "start": "2030-01-07T10:00:00+09:00"}, "end"),
        ({"start": "2030-01-07T08:00:00", "end": "2030-01-07T10:00:00"}, "start"),
        ({"reason": "   "}, "reason"),
        ({"start": "soon"}, "start"),
    ],
)
def test_outage_endpoint_bad_input_names_the_field_and_queues_nothing(
    api_as, machines, change, field
):
    payload = {
        "machine": "LINAC-1",
        "start": "2030-01-07T08:00:00+09:00",
        "end": "2030-01-07T12:00:00+09:00",
        "reason": "magnetron",
        **change,
    }
    response = api_as("radiation_therapist").post(
        "/api/scheduling/outages", payload, content_type=JSON
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not Job.objects.exists() and not MachineDowntime.objects.exists()


def test_board_and_appointments_endpoints(api_as, w):
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.filter(prescription=w.rx).order_by("start").first()
    day = first.start.astimezone(at(dt.date.today(), 8).tzinfo).date()
    board = api_as("radiation_therapist").get(f"/api/scheduling/board?date={day.isoformat()}")
    assert board.status_code == 200 and board.json()["sessions"] == 1
    assert api_as("hospital_school_teacher").get("/api/scheduling/board").status_code == 403
    assert api_as("scheduler").get("/api/scheduling/board?date=soon").status_code == 422
    appts = api_as("nurse").get(f"/api/scheduling/patients/{w.patient.mrn}/appointments")
    assert appts.status_code == 200 and len(appts.json()) == 5
    assert (
        api_as("hospital_school_teacher")
        .get(f"/api/scheduling/patients/{w.patient.mrn}/appointments")
        .status_code
        == 403
    )


def test_book_waiting_endpoint_queues_one_solve_whose_result_names_the_skipped(api_as, w, machines):
    other = world()
    other.make_rx(technique="3D")  # no signed prescription: not on the worklist at all
    second = world()
    second.linac = machines["LINAC-1"]
    second.ready(technique="VMAT", number_of_fractions=3)
    waiting = world()  # signed, but its plan has not passed the physics check: skipped
    waiting.make_rx(technique="3D")
    rt_services.prescription_sign(prescription=waiting.rx, by=waiting.ro)
    url = "/api/scheduling/courses/book-waiting"
    assert api_as("nurse").post(url).status_code == 403
    api = api_as("scheduler")
    job = _queued(api.post(url))
    assert job.kind == "scheduling.book_waiting" and not Booking.objects.exists()
    assert job_execute(job_id=job.pk) == "succeeded"
    response = api.get(f"/api/jobs/{job.pk}/result")
    assert response.status_code == 200, response.content
    body = response.json()
    assert sorted(body["booked"]) == sorted([w.course.pk, second.course.pk])
    assert body["bookings"] == 8 and body["solve_seconds"] is not None
    assert body["skipped"] == {str(waiting.course.pk): "physics_check_incomplete"}
    assert "2 course(s) booked; 1 left for later." in body["summary"]
    assert Booking.objects.filter(status="booked").count() == 8


# --- who may start these jobs and read them --------------------------------------------------


def test_booking_jobs_are_started_exactly_by_the_roles_with_the_permission(api_as, w):
    """Every role against the three endpoints that queue a booking job: 202 with the
    permission, 403 and nothing queued without it."""
    day = next_open_day(skip=3)
    outage = {
        "machine": "LINAC-6",
        "start": at(day, 8).isoformat(),
        "end": at(day, 9).isoformat(),
        "reason": "fault",
    }
    requests = [
        ("schedule.book", f"/api/scheduling/courses/{w.course.pk}/book", {}),
        ("schedule.book", "/api/scheduling/courses/book-waiting", None),
        ("outage.report", "/api/scheduling/outages", outage),
    ]
    queued = 0
    for role in Role.values:
        api = api_as(role)
        for perm, url, payload in requests:
            response = (
                api.post(url, payload, content_type=JSON) if payload is not None else api.post(url)
            )
            expected = 202 if role in roles_with(perm) else 403
            assert response.status_code == expected, (role, url, response.content)
            queued += expected == 202
    assert Job.objects.count() == queued > 0
    assert not Booking.objects.exists() and not MachineDowntime.objects.exists()


def test_a_booking_job_is_read_by_its_starter_its_kind_and_the_administrator(api_as, w):
    starter = api_as("scheduler")
    job = _queued(
        starter.post(f"/api/scheduling/courses/{w.course.pk}/book", {}, content_type=JSON)
    )
    job_execute(job_id=job.pk)
    for role in Role.values:
        expected = (
            200
            if role in roles_with("job.view")
            and (role in roles_with("job.view_all") or role in roles_with("schedule.book"))
            else 403
        )
        api = api_as(role)
        assert api.get(f"/api/jobs/{job.pk}").status_code == expected, role
        assert api.get(f"/api/jobs/{job.pk}/result").status_code == expected, role
    assert starter.get(f"/api/jobs/{job.pk}/result").status_code == 200
    assert starter.get("/api/jobs/999999").status_code == 404
    read = AuditEvent.objects.filter(action="read", object_type="jobs.job", object_id=str(job.pk))
    assert read.exists()


def test_openapi_declares_the_booking_endpoints_as_queuing_a_job(api_as):
    paths = api_as("scheduler").get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/scheduling/outages",
        "/api/scheduling/courses/book-waiting",
        "/api/scheduling/courses/{pk}/book",
    ):
        responses = paths[path]["post"]["responses"]
        assert set(responses) == {"202"}, (path, responses)
        ref = responses["202"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/JobQueuedOut")
