import pytest

from oncocenter.accounts.models import Credential, User
from oncocenter.audit.services import audit_verify
from oncocenter.core.roles import Role
from oncocenter.demo.romanize import romanize_name
from oncocenter.demo.seed import SIZES, seed_demo
from oncocenter.patients.models import Patient, PatientCenter
from oncocenter.patients.services import mrn_is_valid
from oncocenter.scheduling.models import Machine

pytestmark = pytest.mark.django_db


def test_small_seed_is_complete_and_idempotent():
    created, _counts = seed_demo(size="small")
    assert created
    assert Patient.objects.count() == SIZES["small"]
    for role in Role.values:
        assert User.objects.filter(role_assignments__role=role).exists(), role
    for code in ("radonc", "esophageal", "pediatric"):
        assert PatientCenter.objects.filter(center__code=code).count() > 0
    linacs = Machine.objects.filter(kind="linac").prefetch_related("techniques")
    assert linacs.count() == 6
    assert sum(m.can_deliver("SBRT") for m in linacs) == 2  # the TrueBeam and the SBRT machine
    assert all(mrn_is_valid(p.mrn) for p in Patient.objects.all())
    assert all(p.rrn_masked.endswith("******") for p in Patient.objects.all())
    again, _ = seed_demo(size="small")
    assert not again
    assert Patient.objects.count() == SIZES["small"] and Machine.objects.count() == 7
    assert audit_verify().ok
    _assert_sites_fit_sex()


def _assert_sites_fit_sex():
    """No cervix on a man, no prostate on a woman: across diagnoses and RT prescriptions."""
    from oncocenter.oncology.models import Diagnosis
    from oncocenter.radiotherapy.models import Prescription

    only = {"C53": "female", "C54": "female", "C56": "female", "C61": "male", "C62": "male"}
    for code, sex in Diagnosis.objects.values_list("icd10_code", "patient__sex"):
        assert only.get(code[:3], sex) == sex, (code, sex)
    for code, sex in Prescription.objects.values_list("icd10_code", "course__patient__sex"):
        assert only.get(code[:3], sex) == sex, (code, sex)


def test_patient_generation_is_deterministic():
    import datetime as dt
    import random

    from faker import Faker

    from oncocenter.demo.seed import SEED, DemoContext, build_patients

    def generate():
        faker = Faker("ko_KR")
        faker.seed_instance(SEED)
        ctx = DemoContext(
            size="small", rng=random.Random(SEED), faker=faker, today=dt.date(2026, 11, 22)
        )
        patients, memberships = build_patients(ctx, 1_000_000)
        return [
            (p.mrn, p.name_ko, p.birth_date, p.rrn_masked, p.phone) for p in patients
        ], memberships

    assert generate() == generate()


def test_expired_credential_demo_user():
    seed_demo(size="small")
    cred = Credential.objects.get(user__username="radonc_expired")
    assert cred.expires_on is not None


def test_demo_users_can_sign_in(client):
    seed_demo(size="small")
    response = client.post("/accounts/login/", {"username": "radonc", "password": "demo1234"})
    assert response.status_code == 302


def test_romanization():
    assert romanize_name("김", "민준") == ("KIM", "Minjun")
    assert romanize_name("이", "서연") == ("LEE", "Seoyeon")


def test_small_demo_is_a_running_day(capsys):
    """Issue 16: today holds the running department (scaled: TODAY_TARGET["small"] LINAC
    sessions; the full size draws 325 and books 300+), booked through the booking services, with courses
    that start, continue and finish today, HDR, a QA window and one outage."""
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from oncocenter.machines.models import DowntimeKind, MachineDowntime
    from oncocenter.radiotherapy.models import Fraction
    from oncocenter.scheduling import adapter
    from oncocenter.scheduling.demo import TODAY_TARGET
    from oncocenter.scheduling.models import Booking, BookingStatus
    from oncocenter.scheduling.selectors import day_bounds, machine_day_counts

    _created, counts = seed_demo(size="small")
    today = adapter.open_day_on_or_after(timezone.localdate())
    rows = {r.code: r for r in machine_day_counts(day=today)}
    linac = sum(r.sessions for r in rows.values() if r.kind == "linac")
    assert linac >= TODAY_TARGET["small"], rows
    assert rows["HDR-1"].sessions >= 1
    running = counts["scheduling"]["running_department"]
    assert running["booked"] >= running["courses"] - 2 and running["delivered_before_today"] > 0
    begin, end = day_bounds(today)
    # today's sessions, booked or (seeded in the afternoon) already treated
    today_rows = Booking.objects.filter(
        status__in=[BookingStatus.BOOKED, BookingStatus.TREATED], start__gte=begin, start__lt=end
    )
    # every session today was booked by a scheduler through the services (booked_by set)
    assert not today_rows.filter(booked_by__isnull=True).exists()
    starts = finishes = continues = 0
    for b in today_rows.select_related("fraction"):
        rx = b.fraction.prescription
        last = Fraction.objects.filter(prescription=rx).order_by("-sequence").first()
        if b.fraction.sequence == 1:
            starts += 1
        elif last is not None and b.fraction_id == last.pk:
            finishes += 1
        else:
            continues += 1
    assert starts and finishes and continues, (starts, finishes, continues)
    # sessions before today were treated, not left booked
    assert not Booking.objects.filter(
        status=BookingStatus.BOOKED,
        start__lt=begin,
        fraction__status="scheduled",
        start__gte=begin - dt.timedelta(days=3),
    ).exists()
    kinds = set(
        MachineDowntime.objects.filter(start__lt=end, end__gt=begin).values_list("kind", flat=True)
    )
    assert {DowntimeKind.QA, DowntimeKind.OUTAGE} <= kinds
    call_command("day_sessions", date=today.isoformat())
    out = capsys.readouterr().out
    assert f"LINAC sessions: {linac};" in out
