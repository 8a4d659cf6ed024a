"""Treatment images reviewed (issue 15, item 7): the therapist approves imaging and couch shifts
per delivery; shifts above the tolerance go to the physician's offline review worklist."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from oncocenter.core.errors import Conflict, NotPermitted, ValidationFailed
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import ImageReview
from oncocenter.radiotherapy.tests.factories import make_world, staff
from oncocenter.radiotherapy.worklists import worklist_rows

pytestmark = pytest.mark.django_db
BASE = "/api/radiotherapy"


@pytest.fixture
def w():
    w = make_world()
    w.ready()
    (first, *_) = w.schedule()
    w.delivery = w.deliver(first, timezone.now() - dt.timedelta(minutes=10))
    return w


def _record(w, lat="1.0", long="-2.0", vert="0.5", kind="cbct", by=None):
    return s.image_review_record(
        delivery=w.delivery,
        by=by or w.therapist,
        kind=kind,
        shift_lat_mm=lat,
        shift_long_mm=long,
        shift_vert_mm=vert,
    )


def test_within_tolerance_is_approved_and_needs_no_review(w):
    r = _record(w)
    assert r.kind == "cbct" and r.approved_by == w.therapist and not r.needs_review
    assert r.tolerance_mm == 5
    assert not selectors.worklist_image_reviews().exists()
    with pytest.raises(Conflict) as exc:
        s.image_review_sign(review=r, by=w.ro)
    assert exc.value.rule == "image_review_not_needed"


def test_shift_above_tolerance_goes_to_the_physician_and_is_signed_once(w):
    r = _record(w, lat="-6.5")
    assert r.needs_review
    rows = worklist_rows("image-reviews")
    assert [row["mrn"] for row in rows] == [w.patient.mrn]
    signed = s.image_review_sign(review=r, by=w.ro, note="bony match acceptable")
    assert signed.reviewed_by == w.ro and signed.reviewed_at is not None
    assert worklist_rows("image-reviews") == []
    with pytest.raises(Conflict) as exc:
        s.image_review_sign(review=r, by=w.ro)
    assert exc.value.rule == "image_review_signed"


def test_one_approval_per_delivery_and_bad_input(w):
    with pytest.raises(ValidationFailed) as exc:
        _record(w, kind="mri")
    assert exc.value.problems[0].field == "kind"
    with pytest.raises(ValidationFailed) as exc:
        _record(w, lat="80", vert="abc")
    assert [p.field for p in exc.value.problems] == ["shift_vert_mm"]
    with pytest.raises(ValidationFailed) as exc:
        _record(w, lat="80")
    assert [p.field for p in exc.value.problems] == ["shift_lat_mm"]
    _record(w)
    with pytest.raises(Conflict) as exc:
        _record(w)
    assert exc.value.rule == "image_review_exists"
    assert ImageReview.objects.count() == 1


@pytest.mark.parametrize("role", ["radiation_oncologist", "medical_physicist", "scheduler"])
def test_only_therapists_approve(w, role):
    with pytest.raises(NotPermitted):
        _record(w, by=staff(role))


@pytest.mark.parametrize("role", ["radiation_therapist", "medical_physicist", "dosimetrist"])
def test_only_physicians_sign_the_review(w, role):
    r = _record(w, lat="9")
    with pytest.raises(NotPermitted):
        s.image_review_sign(review=r, by=staff(role))


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_api_record_and_sign(w, api_as):
    body = {"kind": "kv", "shift_lat_mm": "7", "shift_long_mm": "0", "shift_vert_mm": "0"}
    r = _post(api_as(user=w.therapist), f"{BASE}/deliveries/{w.delivery.pk}/image-review", body)
    assert r.status_code == 201, r.content
    assert r.json()["needs_review"] is True
    rid = r.json()["id"]
    r = api_as(user=w.ro).get(f"{BASE}/worklists/image-reviews")
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    r = _post(api_as(user=w.ro), f"{BASE}/image-reviews/{rid}/sign", {"note": "ok"})
    assert r.status_code == 200 and r.json()["reviewed_by"] == w.ro.username
    r = _post(api_as(user=w.ro), f"{BASE}/image-reviews/{rid}/sign", {"note": "again"})
    assert (r.status_code, r.json()["code"]) == (409, "image_review_signed")


def test_api_attacks(w, api_as):
    url = f"{BASE}/deliveries/{w.delivery.pk}/image-review"
    body = {"kind": "cbct", "shift_lat_mm": "1", "shift_long_mm": "0", "shift_vert_mm": "0"}
    for role in ("radiation_oncologist", "nurse", "scheduler"):
        assert _post(api_as(role), url, body).status_code == 403
    assert _post(api_as(user=w.therapist), url, {**body, "kind": "pet"}).status_code == 422
    assert (
        _post(api_as(user=w.therapist), f"{BASE}/deliveries/999999/image-review", body).status_code
        == 404
    )
    assert _post(api_as(user=w.therapist), url, body).status_code == 201
    r = _post(api_as(user=w.therapist), url, body)
    assert (r.status_code, r.json()["code"]) == (409, "image_review_exists")
    rid = ImageReview.objects.get().pk
    for role in ("radiation_therapist", "medical_physicist"):
        assert _post(api_as(role), f"{BASE}/image-reviews/{rid}/sign", {}).status_code == 403
    r = _post(api_as(user=w.ro), f"{BASE}/image-reviews/{rid}/sign", {})
    assert (r.status_code, r.json()["code"]) == (409, "image_review_not_needed")


# --- the web page: the course's "Treatment images" section and the physician's worklist --------


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def _act(user, w, action, data):
    from django.urls import reverse

    return _client(user).post(reverse("radiotherapy:action", args=[w.course.pk, action]), data)


def test_page_therapist_approves_images_and_physician_signs_from_worklist(w):
    from django.urls import reverse

    page = _client(w.therapist).get(reverse("radiotherapy:course", args=[w.course.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="images"' in body
    # No default answer: nothing checked in the imaging kind.
    assert (
        'name="kind"' in body
        and "checked" not in body.split('id="images"')[1].split("</section>")[0]
    )
    r = _act(
        w.therapist,
        w,
        "image-review",
        {
            "target": w.delivery.pk,
            "kind": "cbct",
            "shift_lat_mm": "6.5",
            "shift_long_mm": "0",
            "shift_vert_mm": "-1.0",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    review = ImageReview.objects.get(delivery=w.delivery)
    assert review.needs_review and review.approved_by == w.therapist
    # The physician's worklist links to the row on the course page.
    index = _client(w.ro).get(reverse("radiotherapy:index")).content.decode()
    assert f"#img-{w.delivery.pk}" in index
    course = _client(w.ro).get(reverse("radiotherapy:course", args=[w.course.pk])).content.decode()
    assert "image-review-due" in course and "Sign image review" in course
    r = _act(w.ro, w, "image-sign", {"target": review.pk, "note": "bony match fine"})
    assert r.status_code == 302
    review.refresh_from_db()
    assert review.reviewed_by == w.ro and review.review_note == "bony match fine"
    course = _client(w.ro).get(reverse("radiotherapy:course", args=[w.course.pk])).content.decode()
    assert "image-reviewed" in course
    # Signed twice: the interlock is shown on the page, 409.
    r = _act(w.ro, w, "image-sign", {"target": review.pk})
    assert r.status_code == 409 and "already signed" in r.content.decode()


@pytest.mark.parametrize(
    ("data", "field_status"),
    [
        ({"shift_lat_mm": "1", "shift_long_mm": "1", "shift_vert_mm": "1"}, 422),  # no kind
        ({"kind": "mri", "shift_lat_mm": "1", "shift_long_mm": "1", "shift_vert_mm": "1"}, 422),
        ({"kind": "kv", "shift_lat_mm": "x", "shift_long_mm": "1", "shift_vert_mm": "1"}, 422),
        ({"kind": "kv", "shift_lat_mm": "", "shift_long_mm": "1", "shift_vert_mm": "1"}, 422),
        ({"kind": "kv", "shift_lat_mm": "90", "shift_long_mm": "1", "shift_vert_mm": "1"}, 422),
        ({"kind": "kv", "shift_lat_mm": "1e400", "shift_long_mm": "1", "shift_vert_mm": "1"}, 422),
    ],
)
def test_page_bad_input_is_refused_beside_the_form_and_nothing_saved(w, data, field_status):
    r = _act(w.therapist, w, "image-review", {"target": w.delivery.pk, **data})
    assert r.status_code == field_status
    assert 'role="alert"' in r.content.decode()
    assert not ImageReview.objects.exists()


def test_page_other_course_delivery_is_404_and_roles_denied(w):
    from types import SimpleNamespace

    other = SimpleNamespace(
        course=s.course_create(
            patient=w.patient, label="second", intent=w.course.intent, physician=w.ro, by=w.ro
        )
    )
    r = _act(
        w.therapist,
        other,
        "image-review",
        {
            "target": w.delivery.pk,
            "kind": "kv",
            "shift_lat_mm": "1",
            "shift_long_mm": "1",
            "shift_vert_mm": "1",
        },
    )
    assert r.status_code == 404
    for role in ("nurse", "scheduler", "medical_physicist", "radiation_oncologist"):
        r = _act(
            staff(role),
            w,
            "image-review",
            {
                "target": w.delivery.pk,
                "kind": "kv",
                "shift_lat_mm": "1",
                "shift_long_mm": "1",
                "shift_vert_mm": "1",
            },
        )
        assert r.status_code == 403, role
    review = _record(w, lat="9")
    for role in ("radiation_therapist", "medical_physicist", "nurse"):
        r = _act(staff(role), w, "image-sign", {"target": review.pk})
        assert r.status_code == 403, role
    review.refresh_from_db()
    assert review.reviewed_at is None


def test_database_keeps_image_reviews_append_only_signed_once(w):
    from django.db import DatabaseError, transaction

    review = _record(w, lat="7")
    with pytest.raises(DatabaseError), transaction.atomic():
        ImageReview.objects.filter(pk=review.pk).update(shift_lat_mm="1.0")
    with pytest.raises(DatabaseError), transaction.atomic():
        ImageReview.objects.filter(pk=review.pk).update(needs_review=False)
    s.image_review_sign(review=review, by=w.ro, note="ok")
    with pytest.raises(DatabaseError), transaction.atomic():
        ImageReview.objects.filter(pk=review.pk).update(review_note="changed later")
