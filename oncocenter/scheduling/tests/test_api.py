import datetime as dt

import pytest

from oncocenter.machines.models import MachineDowntime
from oncocenter.scheduling import services
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.tests.factories import at, next_open_day, world

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_course_book_endpoint_books_and_explains(api_as, w):
    response = api_as("scheduler").post(
        f"/api/scheduling/courses/{w.course.pk}/book", {"urgency": "radical"}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["bookings"]) == 5 and body["bookings"][0]["is_first"]
    assert str(w.rx.pk) in body["penalties"]
    again = api_as("scheduler").post(
        f"/api/scheduling/courses/{w.course.pk}/book", {}, content_type=JSON
    )
    assert again.status_code == 409 and again.json()["code"] == "course_already_booked"
    listed = api_as("nurse").get(f"/api/scheduling/courses/{w.course.pk}/bookings")
    assert listed.status_code == 200 and len(listed.json()) == 5
    denied = api_as("hospital_school_teacher").get(
        f"/api/scheduling/courses/{w.course.pk}/bookings"
    )
    assert denied.status_code == 403


def test_course_book_endpoint_refuses_unsigned_and_denies_roles(api_as, machines):
    wld = world()
    wld.make_rx(technique="3D")
    url = f"/api/scheduling/courses/{wld.course.pk}/book"
    assert api_as("radiation_oncologist").post(url, {}, content_type=JSON).status_code == 403
    response = api_as("scheduler").post(url, {}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["code"] == "prescription_not_signed"
    assert response.json()["errors"][0]["field"] == "prescription"
    assert (
        api_as("scheduler")
        .post("/api/scheduling/courses/999999/book", {}, content_type=JSON)
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"urgency": "asap"}, "urgency"),
        ({"ready_date": "2001-01-01"}, "ready_date"),
        ({"preferred_window": ["x", "y"]}, "preferred_window"),
        ({"time_limit": 999}, "time_limit"),
    ],
)
def test_course_book_endpoint_bad_input_names_field(api_as, w, payload, field):
    response = api_as("scheduler").post(
        f"/api/scheduling/courses/{w.course.pk}/book", payload, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not Booking.objects.exists()


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


def test_outage_endpoints(api_as, w):
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.filter(prescription=w.rx).order_by("start").first()
    day = first.start.astimezone(at(dt.date.today(), 8).tzinfo).date()
    payload = {
        "machine": first.machine.code,
        "start": at(day, 8).isoformat(),
        "end": at(day, 20).isoformat(),
        "reason": "beam steering fault",
    }
    assert (
        api_as("radiation_oncologist")
        .post("/api/scheduling/outages", payload, content_type=JSON)
        .status_code
        == 403
    )
    bad = api_as("radiation_therapist").post(
        "/api/scheduling/outages", {**payload, "machine": "X"}, content_type=JSON
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "machine"
    response = api_as("radiation_therapist").post(
        "/api/scheduling/outages", payload, content_type=JSON
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["changes"] and body["changes"][0]["changed_from_machine"] == first.machine.code
    pk = body["outage"]["id"]
    assert api_as("nurse").get(f"/api/scheduling/outages/{pk}").status_code == 200
    assert api_as("social_worker").get(f"/api/scheduling/outages/{pk}").status_code == 403
    assert (
        api_as("radiation_therapist").post(f"/api/scheduling/outages/{pk}/confirm").status_code
        == 403
    )
    confirmed = api_as("scheduler").post(f"/api/scheduling/outages/{pk}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_by"]


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


def test_book_waiting_endpoint_books_ready_courses_in_one_solve(api_as, w, machines):
    other = world()
    other.make_rx(technique="3D")  # unsigned: skipped, stays on the worklist
    second = world()
    second.linac = machines["LINAC-1"]
    second.ready(technique="VMAT", number_of_fractions=3)
    assert api_as("nurse").post("/api/scheduling/courses/book-waiting").status_code == 403
    response = api_as("scheduler").post("/api/scheduling/courses/book-waiting")
    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(body["booked"]) == sorted([w.course.pk, second.course.pk])
    assert body["bookings"] == 8 and body["skipped"] == {}
    assert Booking.objects.filter(status="booked").count() == 8
