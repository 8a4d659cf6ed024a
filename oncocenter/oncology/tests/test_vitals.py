"""Vital signs: the service's rules (and the same rules in the database), the record page form
with its allow/deny per role, and the audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict, NotPermitted, ValidationFailed
from oncocenter.oncology import services
from oncocenter.oncology.models import VitalSigns
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def fields(exc):
    return sorted(p.field for p in exc.value.problems)


def test_a_full_set_is_stored_with_its_bmi_and_audited():
    patient = PatientFactory()
    v = services.vital_signs_record(
        patient=patient,
        by=UserFactory(roles=["nurse"]),
        measured_at=ago(5),
        systolic_mmhg=128,
        diastolic_mmhg=82,
        heart_rate_bpm="76",
        respiratory_rate=16,
        temperature_c="36.84",
        spo2_percent=97,
        weight_kg="70.0",
        height_cm="175",
    )
    v.refresh_from_db()
    assert (v.systolic_mmhg, v.diastolic_mmhg, v.heart_rate_bpm) == (128, 82, 76)
    assert v.temperature_c == Decimal("36.8") and v.bmi == Decimal("22.9") and v.time_known
    event = AuditEvent.objects.get(object_type="oncology.vitalsigns")
    assert event.patient_mrn == patient.mrn and event.detail["systolic_mmhg"] == "128"


def test_one_measurement_is_enough_and_none_is_refused():
    patient, nurse = PatientFactory(), UserFactory(roles=["nurse"])
    v = services.vital_signs_record(patient=patient, by=nurse, measured_at=ago(1), spo2_percent=93)
    assert v.bmi is None and v.weight_kg is None
    with pytest.raises(ValidationFailed) as exc:
        services.vital_signs_record(patient=patient, by=nurse, measured_at=ago(1))
    assert fields(exc) == ["vital_signs"]


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        ({"systolic_mmhg": 120}, ["diastolic_mmhg"]),
        ({"diastolic_mmhg": 80}, ["systolic_mmhg"]),
        ({"systolic_mmhg": 80, "diastolic_mmhg": 90}, ["diastolic_mmhg"]),
        ({"heart_rate_bpm": 400}, ["heart_rate_bpm"]),
        ({"heart_rate_bpm": "72.5"}, ["heart_rate_bpm"]),
        ({"temperature_c": "98.6"}, ["temperature_c"]),
        ({"spo2_percent": 101}, ["spo2_percent"]),
        ({"respiratory_rate": "fast"}, ["respiratory_rate"]),
        ({"weight_kg": 350, "height_cm": 50}, ["weight_kg"]),  # BMI 1400: a slip
    ],
)
def test_implausible_values_name_the_field_and_save_nothing(values, bad):
    with pytest.raises(ValidationFailed) as exc:
        services.vital_signs_record(
            patient=PatientFactory(), by=UserFactory(), measured_at=ago(1), **values
        )
    assert fields(exc) == bad
    assert all(p.label for p in exc.value.problems)
    assert VitalSigns.objects.count() == 0


def test_future_and_before_birth_are_refused():
    patient = PatientFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.vital_signs_record(
            patient=patient,
            by=UserFactory(),
            measured_at=timezone.now() + dt.timedelta(hours=2),
            heart_rate_bpm=80,
        )
    assert fields(exc) == ["measured_at"]
    with pytest.raises(ValidationFailed):
        services.vital_signs_record(
            patient=patient,
            by=UserFactory(),
            measured_at=patient.birth_date - dt.timedelta(days=3),
            heart_rate_bpm=80,
        )


def test_a_date_alone_is_kept_as_a_date_with_time_unknown():
    v = services.vital_signs_record(
        patient=PatientFactory(),
        by=UserFactory(),
        measured_at=timezone.localdate() - dt.timedelta(days=30),
        weight_kg=Decimal("70.3"),
    )
    assert not v.time_known
    assert timezone.localtime(v.measured_at).time() == dt.time()


@pytest.mark.parametrize(
    "values",
    [
        {"systolic_mmhg": 120},  # a pressure without its pair
        {"systolic_mmhg": 80, "diastolic_mmhg": 90},
        {"heart_rate_bpm": 5},
        {"temperature_c": Decimal("50.0")},
        {"spo2_percent": 20},
        {},
    ],
)
def test_the_database_holds_the_same_rules(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        VitalSigns.objects.create(
            patient=PatientFactory(), measured_at=ago(1), recorded_by=UserFactory(), **values
        )


def _post(client, mrn, **values):
    data = {
        "form": "vitals",
        "vitals-measured_at": timezone.localtime(ago(3)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update({f"vitals-{k}": v for k, v in values.items()})
    return client.post(f"/oncology/patients/{mrn}/", data)


def test_nurse_records_vital_signs_on_the_record_page(client_as):
    patient = PatientFactory()
    client = client_as("nurse")
    page = client.get(f"/oncology/patients/{patient.mrn}/").content.decode()
    assert 'name="vitals-heart_rate_bpm"' in page
    response = _post(client, patient.mrn, systolic_mmhg=132, diastolic_mmhg=84, heart_rate_bpm=90)
    assert response.status_code == 302
    v = VitalSigns.objects.get()
    assert (v.systolic_mmhg, v.heart_rate_bpm, v.patient_id) == (132, 90, patient.pk)
    assert "132/84" in client.get(f"/oncology/patients/{patient.mrn}/").content.decode()


@pytest.mark.parametrize("role", ["radiation_therapist", "dietitian", "pharmacist"])
def test_roles_without_observation_record_cannot_post_vital_signs(client_as, role):
    patient = PatientFactory()
    client = client_as(role)
    assert (
        'name="vitals-heart_rate_bpm"'
        not in client.get(f"/oncology/patients/{patient.mrn}/").content.decode()
    )
    assert _post(client, patient.mrn, heart_rate_bpm=80).status_code == 403
    assert VitalSigns.objects.count() == 0


def test_social_worker_cannot_even_see_the_record(client_as):
    patient = PatientFactory()
    assert _post(client_as("social_worker"), patient.mrn, heart_rate_bpm=80).status_code == 403


def test_bad_input_on_the_page_names_the_field_in_korean(client_as):
    patient = PatientFactory()
    client = client_as("nurse")
    response = _post(client, patient.mrn, systolic_mmhg=120)
    assert response.status_code == 422
    assert "a blood pressure needs both values" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = _post(client, patient.mrn, heart_rate_bpm=999)
    assert response.status_code == 422
    assert "심박수" in response.content.decode()
    assert VitalSigns.objects.count() == 0


# --- corrections: entered in error, or superseded by a corrected set ---------------------------


def _set(patient=None, **values):
    return services.vital_signs_record(
        patient=patient or PatientFactory(),
        by=UserFactory(roles=["nurse"]),
        measured_at=ago(30),
        **(values or {"heart_rate_bpm": 80, "systolic_mmhg": 120, "diastolic_mmhg": 80}),
    )


def test_entered_in_error_keeps_the_row_with_who_when_why_and_is_audited():
    v, nurse = _set(), UserFactory(roles=["nurse"])
    out = services.vital_signs_mark_entered_in_error(
        vital_signs=v, by=nurse, reason="wrong patient's chart"
    )
    out.refresh_from_db()
    assert out.status == "entered-in-error" and out.corrected_by == nurse
    assert out.corrected_at is not None and out.correction_reason == "wrong patient's chart"
    assert out.heart_rate_bpm == 80  # the values stay, readable
    event = AuditEvent.objects.filter(object_type="oncology.vitalsigns").latest("pk")
    assert event.action == "update" and event.detail["status"] == "entered-in-error"
    assert event.detail["reason"] == "wrong patient's chart"
    assert not VitalSigns.objects.current().filter(pk=v.pk).exists()


def test_a_correction_supersedes_with_a_new_amended_set_and_keeps_the_old_one():
    v = _set(heart_rate_bpm=180)
    nurse = UserFactory(roles=["nurse"])
    new = services.vital_signs_correct(
        vital_signs=v, by=nurse, reason="typed 180 for 80", heart_rate_bpm=80
    )
    v.refresh_from_db()
    assert (v.status, v.heart_rate_bpm, v.correction_reason) == (
        "superseded",
        180,
        "typed 180 for 80",
    )
    assert new.status == "amended" and new.supersedes == v and new.heart_rate_bpm == 80
    assert new.measured_at == v.measured_at and new.recorded_by == nurse
    assert list(VitalSigns.objects.current()) == [new]
    details = [e.detail for e in AuditEvent.objects.filter(object_type="oncology.vitalsigns")]
    assert {
        "status": "superseded",
        "reason": "typed 180 for 80",
        "superseded_by": new.pk,
    } in details
    assert any(d.get("supersedes") == v.pk and d.get("heart_rate_bpm") == "80" for d in details)


@pytest.mark.parametrize("first", ["error", "correct"])
@pytest.mark.parametrize("second", ["error", "correct"])
def test_a_corrected_set_is_not_corrected_again(first, second):
    v, nurse = _set(), UserFactory(roles=["nurse"])

    def do(what):
        if what == "error":
            return services.vital_signs_mark_entered_in_error(
                vital_signs=v, by=nurse, reason="not taken"
            )
        return services.vital_signs_correct(
            vital_signs=v, by=nurse, reason="mistyped", heart_rate_bpm=81
        )

    do(first)
    count = VitalSigns.objects.count()
    with pytest.raises(Conflict) as exc:
        do(second)
    assert exc.value.status == 409 and exc.value.rule == "vitals_corrected_once"
    assert VitalSigns.objects.count() == count


@pytest.mark.parametrize("reason", ["", "   ", "abc", "x" * 301])
def test_a_correction_needs_a_reason(reason):
    v, nurse = _set(), UserFactory(roles=["nurse"])
    with pytest.raises(ValidationFailed) as exc:
        services.vital_signs_mark_entered_in_error(vital_signs=v, by=nurse, reason=reason)
    assert fields(exc) == ["reason"] and exc.value.problems[0].label
    with pytest.raises(ValidationFailed):
        services.vital_signs_correct(vital_signs=v, by=nurse, reason=reason, heart_rate_bpm=81)
    v.refresh_from_db()
    assert v.status == "final" and VitalSigns.objects.count() == 1


def test_a_correction_is_checked_as_a_new_set_and_saves_nothing_when_wrong():
    v = _set()
    with pytest.raises(ValidationFailed) as exc:
        services.vital_signs_correct(
            vital_signs=v, by=UserFactory(roles=["nurse"]), reason="mistyped", heart_rate_bpm=900
        )
    assert fields(exc) == ["heart_rate_bpm"]
    v.refresh_from_db()
    assert v.status == "final" and VitalSigns.objects.count() == 1


@pytest.mark.parametrize("role", ["radiation_therapist", "dietitian", "pharmacist"])
def test_only_roles_that_record_vital_signs_correct_them(role):
    v = _set()
    with pytest.raises(NotPermitted):
        services.vital_signs_mark_entered_in_error(
            vital_signs=v, by=UserFactory(roles=[role]), reason="not taken"
        )
    with pytest.raises(NotPermitted):
        services.vital_signs_correct(
            vital_signs=v, by=UserFactory(roles=[role]), reason="mistyped", heart_rate_bpm=81
        )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE oncology_vitalsigns SET heart_rate_bpm = 60",
        "UPDATE oncology_vitalsigns SET measured_at = created_at",
        "UPDATE oncology_vitalsigns SET supersedes_id = id",
    ],
)
def test_the_database_refuses_an_update_in_place(sql):
    v = _set()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    v.refresh_from_db()
    assert v.heart_rate_bpm == 80 and v.supersedes_id is None


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite cannot refuse DELETE: Django's test flush deletes rows there",
)
def test_postgresql_refuses_deleting_a_set():
    v = _set()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM oncology_vitalsigns")
    assert VitalSigns.objects.filter(pk=v.pk).exists()


def test_the_database_refuses_a_second_correction_and_a_half_one():
    v = _set()
    services.vital_signs_mark_entered_in_error(
        vital_signs=v, by=UserFactory(roles=["nurse"]), reason="not taken"
    )
    # Bypassing the service: the correction columns are set once.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE oncology_vitalsigns SET correction_reason = 'rewritten'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE oncology_vitalsigns SET status = 'final'")
    fresh = _set()
    # A status without when/who/why is refused by the CHECK (no half-corrected row).
    with pytest.raises(IntegrityError), transaction.atomic():
        VitalSigns.objects.filter(pk=fresh.pk).update(status="entered-in-error")
    # An amended set names the set it corrects.
    with pytest.raises(IntegrityError), transaction.atomic():
        VitalSigns.objects.create(
            patient=fresh.patient,
            measured_at=ago(1),
            recorded_by=UserFactory(),
            heart_rate_bpm=70,
            status="amended",
        )


def test_the_page_lists_corrected_sets_struck_through_and_latest_values_ignore_them(client_as):
    patient = PatientFactory()
    wrong = _set(patient, heart_rate_bpm=155)
    nurse = UserFactory(roles=["nurse"])
    services.vital_signs_mark_entered_in_error(vital_signs=wrong, by=nurse, reason="other patient")
    old = services.vital_signs_record(
        patient=patient, by=nurse, measured_at=ago(60), heart_rate_bpm=72
    )
    page = client_as("nurse").get(f"/oncology/patients/{patient.mrn}/").content.decode()
    assert "<del>" in page and "other patient" in page and "155/min" in page
    latest = page.split('id="vitals-latest"')[1].split("</p>")[0]
    assert "72/min" in latest and "155" not in latest
    assert f'name="vitals_error-vital_signs" value="{old.pk}"' in page
    assert f'name="vitals_error-vital_signs" value="{wrong.pk}"' not in page


def test_nurse_marks_a_set_entered_in_error_and_corrects_another_on_the_page(client_as):
    patient = PatientFactory()
    a, b = _set(patient, heart_rate_bpm=180), _set(patient, spo2_percent=90)
    client = client_as("nurse")
    url = f"/oncology/patients/{patient.mrn}/"
    response = client.post(
        url,
        {
            "form": "vitals_error",
            "vitals_error-vital_signs": a.pk,
            "vitals_error-reason": "not taken",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "entered-in-error" and a.corrected_by == client.user
    page = client.get(f"{url}?correct={b.pk}").content.decode()
    assert 'name="vitals_correct-spo2_percent" value="90"' in page  # filled from the set
    response = client.post(
        url,
        {
            "form": "vitals_correct",
            "vitals_correct-vital_signs": b.pk,
            "vitals_correct-reason": "probe slipped",
            "vitals_correct-measured_at": timezone.localtime(ago(30)).strftime("%Y-%m-%dT%H:%M"),
            "vitals_correct-spo2_percent": 96,
        },
    )
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.status == "superseded" and b.superseded_by.spo2_percent == 96
    # a corrected set is no longer a choice: posting it again is refused beside the field
    response = client.post(
        url,
        {"form": "vitals_error", "vitals_error-vital_signs": b.pk, "vitals_error-reason": "again"},
    )
    assert response.status_code == 422
    assert 'data-field="vital_signs"' in response.content.decode()


def test_a_correction_without_a_reason_is_refused_beside_the_field_in_korean(client_as):
    patient = PatientFactory()
    v = _set(patient)
    client = client_as("nurse")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = client.post(
        f"/oncology/patients/{patient.mrn}/",
        {"form": "vitals_error", "vitals_error-vital_signs": v.pk, "vitals_error-reason": "no"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-field="reason"' in page and "사유" in page
    v.refresh_from_db()
    assert v.status == "final"


@pytest.mark.parametrize("role", ["radiation_therapist", "dietitian", "pharmacist"])
def test_roles_without_observation_record_cannot_correct_on_the_page(client_as, role):
    patient = PatientFactory()
    v = _set(patient)
    client = client_as(role)
    page = client.get(f"/oncology/patients/{patient.mrn}/").content.decode()
    assert "vitals_error-reason" not in page and "vitals_correct-reason" not in page
    response = client.post(
        f"/oncology/patients/{patient.mrn}/",
        {"form": "vitals_error", "vitals_error-vital_signs": v.pk, "vitals_error-reason": "nope!"},
    )
    assert response.status_code == 403
    v.refresh_from_db()
    assert v.status == "final"
