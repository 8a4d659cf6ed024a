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
