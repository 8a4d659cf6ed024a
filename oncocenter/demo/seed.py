"""Synthetic cancer center: staff for every role, six LINACs and an afterloader, patients.

Deterministic (fixed seed) and idempotent (a DemoSeed row marks a finished run). Each clinical
app may add its own demo data in `oncocenter/<app>/demo.py` with `seed(ctx: DemoContext)`; they
are called in INSTALLED_APPS order after the foundation data exists.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker
from tqdm import tqdm

from oncocenter.accounts.models import Credential, CredentialKind, RoleAssignment, User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.roles import Role
from oncocenter.demo.models import DemoSeed
from oncocenter.demo.romanize import romanize_name
from oncocenter.machines.models import Machine, MachineKind, MachineTechnique
from oncocenter.patients import crypto
from oncocenter.patients.models import Center, MrnCounter, Patient, PatientCenter
from oncocenter.patients.services import MRN_START, _name_search, luhn_digit

SEED = 20261122
DEMO_PASSWORD = "demo1234"
SIZES = {"small": 120, "full": 2000}

# (username, role, how many more staff of that role to create, credential kind or None)
STAFF_PLAN: list[tuple[str, str, int, str | None]] = [
    ("radonc", Role.RADIATION_ONCOLOGIST, 7, CredentialKind.SPECIALIST_RADIATION_ONCOLOGY),
    ("physicist", Role.MEDICAL_PHYSICIST, 5, CredentialKind.MEDICAL_PHYSICIST),
    ("dosimetrist", Role.DOSIMETRIST, 4, CredentialKind.RADIATION_THERAPIST),
    ("therapist", Role.RADIATION_THERAPIST, 17, CredentialKind.RADIATION_THERAPIST),
    ("nurse", Role.NURSE, 11, CredentialKind.NURSE),
    ("scheduler", Role.SCHEDULER, 3, None),
    ("surgeon", Role.SURGEON, 5, CredentialKind.SPECIALIST_OTHER),
    ("medonc", Role.MEDICAL_ONCOLOGIST, 4, CredentialKind.SPECIALIST_OTHER),
    ("pedonc", Role.PEDIATRIC_ONCOLOGIST, 3, CredentialKind.SPECIALIST_OTHER),
    ("pathologist", Role.PATHOLOGIST, 2, CredentialKind.SPECIALIST_OTHER),
    ("radiologist", Role.RADIOLOGIST, 2, CredentialKind.SPECIALIST_OTHER),
    ("nucmed", Role.NUCLEAR_MEDICINE, 1, CredentialKind.SPECIALIST_OTHER),
    ("anesthesia", Role.ANESTHESIOLOGIST, 2, CredentialKind.SPECIALIST_OTHER),
    ("dietitian", Role.DIETITIAN, 2, CredentialKind.DIETITIAN),
    ("socialworker", Role.SOCIAL_WORKER, 2, CredentialKind.SOCIAL_WORKER),
    ("teacher", Role.TEACHER, 1, CredentialKind.TEACHER),
    ("palliative", Role.PALLIATIVE_CARE, 2, CredentialKind.NURSE),
    ("research", Role.RESEARCH_COORDINATOR, 2, CredentialKind.GCP),
    ("pharmacist", Role.PHARMACIST, 2, CredentialKind.PHARMACIST),
    ("admin", Role.ADMINISTRATOR, 0, None),
]
PHYSICIAN_LICENSED = {
    Role.RADIATION_ONCOLOGIST,
    Role.SURGEON,
    Role.MEDICAL_ONCOLOGIST,
    Role.PEDIATRIC_ONCOLOGIST,
    Role.PATHOLOGIST,
    Role.RADIOLOGIST,
    Role.NUCLEAR_MEDICINE,
    Role.ANESTHESIOLOGIST,
}

# Seed 000: six LINACs, one SBRT-capable (2012), one TrueBeam (2012), two replaced in 2010; HDR.
MACHINES = [
    (
        "LINAC-1",
        "TrueBeam",
        "TrueBeam",
        ["3D", "IMRT", "VMAT", "SBRT", "SRS", "ELECTRON"],
        dt.date(2012, 9, 1),
    ),
    (
        "LINAC-2",
        "SBRT LINAC",
        "Image-guided SBRT LINAC",
        ["3D", "IMRT", "VMAT", "SBRT"],
        dt.date(2012, 8, 1),
    ),
    ("LINAC-3", "IMRT LINAC A", "IMRT/VMAT LINAC", ["3D", "IMRT", "VMAT"], dt.date(2010, 3, 1)),
    ("LINAC-4", "IMRT LINAC B", "IMRT/VMAT LINAC", ["3D", "IMRT", "VMAT"], dt.date(2010, 6, 1)),
    ("LINAC-5", "IMRT LINAC C", "IMRT/VMAT LINAC", ["3D", "IMRT", "VMAT"], dt.date(2008, 5, 1)),
    (
        "LINAC-6",
        "Conventional LINAC",
        "3D-CRT/electron LINAC",
        ["3D", "ELECTRON"],
        dt.date(2006, 2, 1),
    ),
]


@dataclass
class DemoContext:
    """What per-app demo seeders receive."""

    size: str
    rng: random.Random
    faker: Faker
    today: dt.date
    staff: dict[str, list[User]] = field(default_factory=dict)
    patients_by_center: dict[str, list[Patient]] = field(default_factory=dict)
    machines: list[Machine] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)


def _staff(ctx: DemoContext) -> None:
    fake = ctx.faker
    existing = set(User.objects.values_list("username", flat=True))
    users: list[User] = []
    roles: list[tuple[str, str]] = []
    creds: list[tuple[str, str, str, dt.date, dt.date | None]] = []
    serial = 0
    # One hash for every demo account: argon2 is slow by design, and these share a password anyway.
    password_hash = make_password(DEMO_PASSWORD)
    for base, role, extra, kind in STAFF_PLAN:
        for i in range(extra + 1):
            username = base if i == 0 else f"{base}{i + 1}"
            family, given = fake.last_name(), fake.first_name()
            fam_en, given_en = romanize_name(family, given)
            if username not in existing:
                user = User(
                    username=username,
                    display_name_ko=family + given,
                    last_name=fam_en.title(),
                    first_name=given_en,
                    department=str(Role(role).label),
                    is_staff=role == Role.ADMINISTRATOR,
                )
                user.password = password_hash
                users.append(user)
                roles.append((username, role))
                issued = ctx.today - dt.timedelta(days=ctx.rng.randint(400, 5000))
                if role in PHYSICIAN_LICENSED:
                    serial += 1
                    creds.append(
                        (
                            username,
                            CredentialKind.MEDICAL_LICENSE,
                            f"ML-{100000 + serial}",
                            issued,
                            None,
                        )
                    )
                if kind:
                    serial += 1
                    expires = ctx.today + dt.timedelta(days=ctx.rng.randint(200, 1500))
                    creds.append(
                        (username, kind, f"{kind[:3].upper()}-{200000 + serial}", issued, expires)
                    )
    # One radiation oncologist whose board certification has lapsed: signatures must be refused.
    if "radonc_expired" not in existing:
        user = User(
            username="radonc_expired",
            display_name_ko="만료의",
            last_name="Man",
            first_name="Ryoui",
            department=str(Role.RADIATION_ONCOLOGIST.label),
        )
        user.password = password_hash
        users.append(user)
        roles.append(("radonc_expired", Role.RADIATION_ONCOLOGIST))
        creds.append(
            (
                "radonc_expired",
                CredentialKind.SPECIALIST_RADIATION_ONCOLOGY,
                "SPE-999999",
                ctx.today - dt.timedelta(days=2000),
                ctx.today - dt.timedelta(days=10),
            )
        )
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    RoleAssignment.objects.bulk_create([RoleAssignment(user=by_name[n], role=r) for n, r in roles])
    Credential.objects.bulk_create(
        [
            Credential(user=by_name[n], kind=k, number=num, issued_on=i, expires_on=e)
            for n, k, num, i, e in creds
        ]
    )
    for ra in RoleAssignment.objects.select_related("user").order_by("user__username"):
        ctx.staff.setdefault(ra.role, []).append(ra.user)


def _machines(ctx: DemoContext) -> None:
    for code, name, model, techniques, commissioned in MACHINES:
        machine, created = Machine.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": MachineKind.LINAC,
                "model": model,
                "room": f"RT-{code[-1]}",
                "opens_at": dt.time(8),
                "closes_at": dt.time(20),
                "commissioned_on": commissioned,
            },
        )
        if created:
            MachineTechnique.objects.bulk_create(
                [MachineTechnique(machine=machine, technique=t) for t in techniques]
            )
    hdr, created = Machine.objects.get_or_create(
        code="HDR-1",
        defaults={
            "name": "HDR afterloader",
            "kind": MachineKind.AFTERLOADER,
            "model": "Ir-192 afterloader",
            "room": "BT-1",
            "opens_at": dt.time(8),
            "closes_at": dt.time(17),
        },
    )
    if created:
        MachineTechnique.objects.create(machine=hdr, technique="HDR")
    ctx.machines = list(Machine.objects.prefetch_related("techniques").order_by("code"))


def _birth_date(rng: random.Random, today: dt.date, lo: int, hi: int) -> dt.date:
    age_days = rng.randint(lo * 365, hi * 365 + 364)
    return today - dt.timedelta(days=age_days)


def build_patients(
    ctx: DemoContext, start: int
) -> tuple[list[Patient], list[tuple[int, str, dt.date]]]:
    """Unsaved patients and (index, center code, since) memberships; pure given ctx's generators."""
    total = SIZES[ctx.size]
    rng, fake, today = ctx.rng, ctx.faker, ctx.today
    # Mix (of total): RT-only adults 50 %, esophageal 30 % (two thirds also get RT), pediatric 20 %.
    plan = (["radonc"] * 50) + (["esophageal"] * 30) + (["pediatric"] * 20)
    patients: list[Patient] = []
    memberships: list[tuple[int, str, dt.date]] = []
    used_rrn: set[str] = set()
    for i in range(total):
        kind = plan[i % len(plan)]
        if kind == "pediatric":
            born = _birth_date(rng, today, 0, 19)
            sex = rng.choice(["male", "female"])
        elif kind == "esophageal":
            born = _birth_date(rng, today, 45, 85)
            sex = (
                "male" if rng.random() < 0.85 else "female"
            )  # esophageal SCC is mostly male in Korea
        else:
            born = _birth_date(rng, today, 25, 88)
            sex = rng.choice(["male", "female"])
        family = fake.last_name()
        given = fake.first_name_male() if sex == "male" else fake.first_name_female()
        fam_en, given_en = romanize_name(family, given)
        century_digit = {
            (True, "male"): "3",
            (True, "female"): "4",
            (False, "male"): "1",
            (False, "female"): "2",
        }[(born.year >= 2000, sex)]
        while True:
            digits = born.strftime("%y%m%d") + century_digit + f"{rng.randint(0, 999999):06d}"
            if digits not in used_rrn:
                used_rrn.add(digits)
                break
        body = f"{start + i + 1:07d}"
        patients.append(
            Patient(
                mrn=body + luhn_digit(body),
                name_ko=family + given,
                family_name_en=fam_en,
                given_name_en=given_en,
                name_en_search=_name_search(fam_en, given_en),
                birth_date=born,
                sex=sex,
                phone=f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                address=fake.address(),
                postal_code=f"{rng.randint(1000, 63999):05d}",
                rrn_encrypted=crypto.encrypt(digits),
                rrn_digest=crypto.digest(digits),
                rrn_masked=crypto.mask(digits),
            )
        )
        since = today - dt.timedelta(days=rng.randint(0, 5 * 365))
        memberships.append((i, kind, since))
        if kind == "esophageal" and rng.random() < 0.66:
            memberships.append((i, "radonc", since + dt.timedelta(days=rng.randint(14, 90))))
        if kind == "pediatric" and rng.random() < 0.2:
            memberships.append((i, "radonc", since + dt.timedelta(days=rng.randint(30, 200))))
    return patients, memberships


def _patients(ctx: DemoContext) -> None:
    total = SIZES[ctx.size]
    centers = {c.code: c for c in Center.objects.all()}
    counter, _ = MrnCounter.objects.select_for_update().get_or_create(
        id=1, defaults={"last": MRN_START}
    )
    start = max(counter.last, MRN_START)
    patients, memberships = build_patients(ctx, start)
    counter.last = start + total
    counter.save(update_fields=["last"])
    Patient.objects.bulk_create(patients, batch_size=500)
    saved = {p.mrn: p for p in Patient.objects.filter(mrn__in=[p.mrn for p in patients])}
    rows = []
    for index, code, since in memberships:
        patient = saved[patients[index].mrn]
        rows.append(
            PatientCenter(patient=patient, center=centers[code], since=min(since, ctx.today))
        )
        ctx.patients_by_center.setdefault(code, []).append(patient)
    PatientCenter.objects.bulk_create(rows, batch_size=1000)
    ctx.counts["patients"] = total
    ctx.counts["memberships"] = {code: len(v) for code, v in ctx.patients_by_center.items()}


def _app_seeders() -> list[tuple[str, Any]]:
    found = []
    for config in django_apps.get_app_configs():
        if not config.name.startswith("oncocenter.") or config.label == "demo":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        found.append((config.label, module.seed))
    return found


def seed_demo(*, size: str = "small", today: dt.date | None = None) -> tuple[bool, dict[str, Any]]:
    """Seed once. Returns (created, counts); a second call returns (False, counts of the first)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    done = DemoSeed.objects.first()
    if done is not None:
        return False, {"size": done.size, **done.counts}
    fake = Faker("ko_KR")
    fake.seed_instance(SEED)
    ctx = DemoContext(
        size=size, rng=random.Random(SEED), faker=fake, today=today or timezone.localdate()
    )
    steps = [("staff", _staff), ("machines", _machines), ("patients", _patients)]
    apps = list(_app_seeders())
    with transaction.atomic():
        # Progress on a terminal (tqdm disables itself when stderr is not one, e.g. in tests).
        bar = tqdm(total=len(steps) + len(apps), desc="seed", unit="step", disable=None)
        for label, step in steps:
            bar.set_postfix_str(label)
            step(ctx)
            bar.update()
        for label, seeder in apps:
            bar.set_postfix_str(label)
            seeder(ctx)
            ctx.counts.setdefault("apps", []).append(label)
            bar.update()
        bar.close()
        ctx.counts["staff"] = User.objects.count()
        ctx.counts["machines"] = len(ctx.machines)
        DemoSeed.objects.create(size=size, seed=SEED, counts=ctx.counts)
        audit_record(
            action=AuditAction.CREATE,
            object_type="demo.demoseed",
            detail={"size": size, **{k: v for k, v in ctx.counts.items() if k != "apps"}},
        )
    analyze()
    return True, ctx.counts


def running_day_top_up(
    *, target: int, today: dt.date | None = None, pool_size: int = 3000
) -> dict[str, Any]:
    """Bring today to about `target` LINAC sessions on a database seeded before (the load
    benchmark's seed, issue 18: the demo's today is the day it was seeded, and a later run day
    holds only the courses still under way). Uses the demo's own builder,
    `scheduling.demo.running_department`: courses prescribed, planned, checked and booked
    through the services as of the day before each starts, earlier sessions treated. Its
    patients are adults without a radiotherapy course (the demo's radiotherapy and esophageal
    patients first, then the rest). Returns the builder's counts and the sessions today before
    and after; does nothing when today already holds `target`."""
    from django.db.models import Exists, OuterRef

    from oncocenter.radiotherapy.models import Course
    from oncocenter.scheduling import adapter
    from oncocenter.scheduling import demo as scheduling_demo

    day = adapter.open_day_on_or_after(today or timezone.localdate())
    before = linac_sessions_on(day)
    counts: dict[str, Any] = {"day": day.isoformat(), "sessions_before": before}
    if before >= target:
        counts["sessions_after"] = before
        return counts
    fake = Faker("ko_KR")
    fake.seed_instance(SEED + day.toordinal())
    ctx = DemoContext(size="full", rng=random.Random(SEED + day.toordinal()), faker=fake, today=day)
    for ra in RoleAssignment.objects.select_related("user").order_by("user__username"):
        ctx.staff.setdefault(ra.role, []).append(ra.user)
    ctx.machines = list(Machine.objects.prefetch_related("techniques").order_by("code"))
    adult = day - dt.timedelta(days=20 * 366)
    free = Patient.objects.filter(birth_date__lte=adult, deceased_on__isnull=True).exclude(
        Exists(Course.objects.filter(patient=OuterRef("pk")))
    )
    rt_centers = ["radonc", "esophageal"]
    members = list(
        free.filter(center_memberships__center__code__in=rt_centers)
        .distinct()
        .order_by("pk")[:pool_size]
    )
    others = list(
        free.exclude(pk__in=[p.pk for p in members]).order_by("pk")[: pool_size - len(members)]
    )
    ctx.patients_by_center = {"radonc": members + others}
    staff = {role: scheduling_demo._credentialed(users, role) for role, users in ctx.staff.items()}
    with transaction.atomic():
        scheduling_demo.running_department(ctx, staff, counts, today=day, target=target - before)
    counts["sessions_after"] = linac_sessions_on(day)
    return counts


def linac_sessions_on(day: dt.date) -> int:
    """LINAC sessions booked on `day` (the day board's count)."""
    from oncocenter.scheduling.selectors import machine_day_counts

    return sum(r.sessions for r in machine_day_counts(day=day) if r.kind == MachineKind.LINAC)


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL): without them a worklist query
    was planned for empty tables and took seconds (issue 18)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def demo_logins() -> list[tuple[str, str]]:
    return [(base, str(Role(role).label)) for base, role, _extra, _kind in STAFF_PLAN] + [
        ("radonc_expired", "Radiation oncologist (expired credential)")
    ]
