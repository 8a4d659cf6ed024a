"""Demo data of the support area: pediatric profiles, HSCT, school, aid, shelter, palliative, social.

Called by ``oncocenter.demo.seed`` with the shared context (fixed seed). Rows are written with the
ORM in bulk for speed; values are chosen to satisfy every rule the services enforce (the
database constraints check them again).
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from oncocenter.oncology.models import Diagnosis, TreatmentEpisode
from oncocenter.support import calc
from oncocenter.support.models import (
    AidApplication,
    AidOrganisation,
    AidStatusChange,
    BereavementFollowUp,
    BodyMeasurement,
    GVHDEntry,
    HSCTComplication,
    HSCTEpisode,
    NeedsAssessment,
    PalliativeReferral,
    PediatricProfile,
    ReturnToSchoolPlan,
    SchoolAttendance,
    SchoolClass,
    SchoolEnrollment,
    ShelterHouse,
    ShelterRoom,
    ShelterStay,
    ShelterWaitlistEntry,
    SocialCase,
    SocialIntervention,
)

ORGANISATIONS = [
    ("한국백혈병소아암협회", "Medical costs, living costs"),
    ("한국소아암재단", "Medical costs, transplant costs"),
    ("어린이재단 (초록우산)", "Living costs, education"),
    ("사랑의열매 사회복지공동모금회", "Medical costs"),
    ("생명보험사회공헌재단", "Transplant costs"),
]
HOUSES = [("한빛 쉼터", "서울 종로구", 6), ("새싹 가족의 집", "서울 혜화동", 4)]
CLASSES = [
    ("햇살반 (유치)", "preschool", "병원학교 1교실", "월-금 10:00-11:00"),
    ("무지개반 (초등 저학년)", "elementary", "병원학교 1교실", "월-금 13:00-14:30"),
    ("별빛반 (초등 고학년)", "elementary", "병원학교 2교실", "월-금 14:30-16:00"),
    ("청소년반 (중·고)", "middle", "병원학교 2교실", "화·목 16:00-17:30"),
]
# (ICD-10 prefix, ICD-O-3 morphology or "") -> indication, donor, HLA, conditioning.
INDICATIONS = [
    (("C91.0", ""), ("ALL, second complete remission", "unrelated", "10/10", "tbi_vp16")),
    (("C92.0", ""), ("AML, first complete remission, high risk", "related", "8/8", "bu_flu")),
    (("C74", "9500/3"), ("High-risk neuroblastoma, consolidation", "autologous", "", "bu_mel")),
    (
        ("C71", "9470/3"),
        ("Medulloblastoma, tandem autologous", "autologous", "", "thio_carbo_etop"),
    ),
    (("D61", ""), ("Severe aplastic anemia", "related_haplo", "5/10", "flu_cy_atg")),
    (("C81", ""), ("Relapsed Hodgkin lymphoma", "autologous", "", "beam")),
]


def _indication(icd10: str, morphology: str) -> tuple[str, str, str, str] | None:
    for (prefix, morph), value in INDICATIONS:
        if icd10.startswith(prefix) and (not morph or morph == morphology):
            return value
    return None


def _bsa_row(patient: Any, on: dt.date, shift_cm: float, bmi: float) -> BodyMeasurement | None:
    age = max(calc.age_in_years(patient.birth_date, on), 0.2)
    # Rough growth curve: height ~ 50 + 6.5 cm/year to 16 (shifted per child), weight from BMI.
    height = min(50 + 6.5 * min(age, 16) + shift_cm, 190)
    weight = max(2.5, (height / 100) ** 2 * bmi)
    try:
        r = calc.bsa_mosteller(height=height, weight=weight)
    except calc.SupportRuleError:
        return None
    return BodyMeasurement(
        patient=patient,
        measured_on=on,
        height_cm=Decimal(str(r.height_cm)),
        weight_kg=Decimal(str(r.weight_kg)),
        bsa_m2=Decimal(str(r.bsa_m2)),
    )


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    children = [p for p in ctx.patients_by_center.get("pediatric", []) if p.birth_date < today]
    staff = ctx.staff
    teachers = staff.get("hospital_school_teacher", [])
    social_workers = staff.get("social_worker", [])
    counts: dict[str, int] = {}

    # Profiles and measurements (three over the last months for every child).
    PediatricProfile.objects.bulk_create(
        [
            PediatricProfile(
                patient=c,
                sedation_required=c.age_on(today) < 6,
                sedation_notes="Propofol by the anesthesia team; fasting from midnight"
                if c.age_on(today) < 6
                else "",
            )
            for c in children
        ]
    )
    rows = []
    for c in children:
        shift_cm, bmi = rng.uniform(-6, 6), rng.uniform(14, 20)
        for months in (6, 3, 0):
            on = max(today - dt.timedelta(days=30 * months), c.birth_date + dt.timedelta(days=30))
            if on <= today:
                m = _bsa_row(c, on, shift_cm, bmi)
                if m:
                    rows.append(m)
    BodyMeasurement.objects.bulk_create(rows)
    counts["measurements"] = len(rows)

    # HSCT episodes for children whose diagnosis is a transplant indication (clinical demo).
    by_child = {c.pk: c for c in children}
    diagnoses = (
        Diagnosis.objects.filter(patient_id__in=by_child, is_primary=True)
        .order_by("patient_id", "diagnosed_on")
        .values_list("patient_id", "icd10_code", "icdo3_morphology", "diagnosed_on")
    )
    candidates: list[tuple[Any, tuple[str, str, str, str], dt.date]] = []
    seen: set[int] = set()
    for pid, icd10, morphology, diagnosed_on in diagnoses:
        found = _indication(icd10, morphology)
        if found and pid not in seen:
            seen.add(pid)
            candidates.append((by_child[pid], found, diagnosed_on))
    statuses = []
    timeline: list[Any] = []
    for i, (c, (indication, donor, hla, regimen), diagnosed_on) in enumerate(candidates):
        offset = [-5, 8, 21, 60, 150, 400][i % 6]
        day0 = today - dt.timedelta(days=offset)
        if day0 - dt.timedelta(days=7) < max(diagnosed_on, c.birth_date + dt.timedelta(days=120)):
            continue
        engraft = day0 + dt.timedelta(days=rng.randint(12, 24)) if offset > 24 else None
        status = (
            "conditioning"
            if offset < 0
            else ("infused" if engraft is None else ("engrafted" if offset < 100 else "completed"))
        )
        ep = HSCTEpisode.objects.create(
            patient=c,
            indication=indication,
            donor_type=donor,
            stem_cell_source="cord_blood"
            if donor == "cord_blood"
            else ("peripheral_blood" if donor == "autologous" else "bone_marrow"),
            hla_match=hla,
            conditioning_regimen=regimen,
            conditioning_start=day0 - dt.timedelta(days=7),
            day0=day0,
            neutrophil_engraftment_on=engraft,
            status=status,
        )
        statuses.append(status)
        timeline.append(
            TreatmentEpisode(
                patient=c,
                modality="hsct",
                started_on=day0 - dt.timedelta(days=7),
                description=f"HSCT ({ep.get_donor_type_display()}): {indication}"[:300],
                source=f"support.hsct:{ep.pk}",
            )
        )
        if engraft and donor not in ("autologous",):
            GVHDEntry.objects.create(
                episode=ep,
                kind="acute",
                organ="skin",
                stage=rng.randint(1, 3),
                observed_on=engraft + dt.timedelta(days=5),
            )
        if offset > 100 and donor != "autologous":
            GVHDEntry.objects.create(
                episode=ep,
                kind="chronic",
                organ="mouth",
                stage=1,
                observed_on=day0 + dt.timedelta(days=100),
            )
        if offset > 10:
            HSCTComplication.objects.create(
                episode=ep,
                kind="mucositis",
                onset_on=day0 + dt.timedelta(days=3),
                grade=rng.randint(1, 3),
                resolved_on=day0 + dt.timedelta(days=10),
            )
    TreatmentEpisode.objects.bulk_create(timeline)
    counts["hsct_episodes"] = len(statuses)

    # Hospital school: classes, enrollments of school-age children, attendance over two weeks.
    classes = [
        SchoolClass.objects.create(
            name=n,
            level=lv,
            room=room,
            schedule=sch,
            teacher=teachers[i % len(teachers)] if teachers else None,
        )
        for i, (n, lv, room, sch) in enumerate(CLASSES)
    ]
    school_age = [c for c in children if 4 <= c.age_on(today) <= 17]
    enrollments = []
    for i, c in enumerate(school_age[: max(len(school_age) * 2 // 3, 1)]):
        age = c.age_on(today)
        cls = (
            classes[0]
            if age < 7
            else classes[1]
            if age < 10
            else classes[2]
            if age < 13
            else classes[3]
        )
        since = max(
            today - dt.timedelta(days=rng.randint(20, 200)),
            c.birth_date + dt.timedelta(days=365 * 4),
        )
        e = SchoolEnrollment.objects.create(
            patient=c,
            school_class=cls,
            enrolled_on=since,
            home_school=f"{ctx.faker.city()} {'초등학교' if age < 13 else '중학교'}",
            home_grade=f"{max(age - 6, 1)}학년",
        )
        enrollments.append(e)
        att = []
        for d in range(14):
            on = today - dt.timedelta(days=d)
            if on < since or on.weekday() >= 5:
                continue
            present = rng.random() < 0.75
            att.append(
                SchoolAttendance(
                    enrollment=e,
                    on=on,
                    status="present" if present else "absent_treatment",
                    setting=rng.choice(["classroom", "bedside", "online"])
                    if present
                    else "classroom",
                    during_admission=rng.random() < 0.5,
                    minutes=rng.choice([30, 45, 60, 90]) if present else 0,
                )
            )
        SchoolAttendance.objects.bulk_create(att)
        if i % 3 == 0:
            ReturnToSchoolPlan.objects.create(
                enrollment=e,
                planned_return_on=today + dt.timedelta(days=rng.randint(30, 120)),
                school_contact="담임 교사",
                accommodations="Half days for the first month; mask; no PE until counts recover.",
                status="shared",
            )
    counts["school_enrollments"] = len(enrollments)

    # Aid: organisations and applications in every status.
    orgs = [AidOrganisation.objects.create(name=n, support_types=t) for n, t in ORGANISATIONS]
    docs = [d["code"] for d in calc.vocab.aid_documents() if d["required"]]
    flows = [
        ["draft"],
        ["draft", "submitted"],
        ["draft", "submitted", "under_review"],
        ["draft", "submitted", "under_review", "granted"],
        ["draft", "submitted", "under_review", "granted", "disbursed"],
        ["draft", "submitted", "under_review", "rejected"],
        ["draft", "submitted", "documents_requested"],
    ]
    n_aid = 0
    for i, c in enumerate(children[1::2]):
        flow = flows[i % len(flows)]
        requested = Decimal(rng.choice([500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000]))
        granted = (
            (requested * Decimal(rng.choice(["0.5", "0.8", "1"]))).quantize(Decimal(1))
            if "granted" in flow
            else None
        )
        decided = (
            today - dt.timedelta(days=rng.randint(0, 700))
            if granted is not None or "rejected" in flow
            else None
        )
        a = AidApplication.objects.create(
            patient=c,
            organisation=orgs[i % len(orgs)],
            need=rng.choice(["medical_costs", "living_costs", "transport", "lodging"]),
            amount_requested=requested,
            amount_granted=granted,
            documents=docs if len(flow) > 1 else docs[:3],
            status=flow[-1],
            submitted_on=decided or (today - dt.timedelta(days=10)) if len(flow) > 1 else None,
            decided_on=decided,
            decision_note="Board decision" if decided else "",
            created_by=social_workers[0] if social_workers else None,
        )
        AidStatusChange.objects.bulk_create(
            [
                AidStatusChange(application=a, from_status=x, to_status=y)
                for x, y in itertools.pairwise(flow)
            ]
        )
        n_aid += 1
    counts["aid_applications"] = n_aid

    # Shelter: houses, rooms (about two thirds occupied tonight), past stays, waitlist.
    rooms = []
    for name, address, n_rooms in HOUSES:
        house = ShelterHouse.objects.create(name=name, address=address)
        rooms += [
            ShelterRoom.objects.create(
                house=house, number=f"{r + 1:02d}", capacity=rng.choice([2, 3, 4])
            )
            for r in range(n_rooms)
        ]
    pool = list(children)
    rng.shuffle(pool)
    waiting, pool = pool[:6], pool[6:]
    stays = []
    for r in rooms:
        # Two past stays, back to back, and a current one in two rooms of three.
        start = today - dt.timedelta(days=rng.randint(200, 500))
        for _ in range(2):
            if not pool:
                break
            nights = rng.randint(7, 60)
            stays.append(
                ShelterStay(
                    room=r,
                    patient=pool.pop(),
                    guests=min(2, r.capacity),
                    room_capacity=r.capacity,
                    check_in=start,
                    check_out=start + dt.timedelta(days=nights),
                    status="checked_out",
                )
            )
            start += dt.timedelta(days=nights + rng.randint(0, 20))
        if pool and rng.random() < 0.67:
            stays.append(
                ShelterStay(
                    room=r,
                    patient=pool.pop(),
                    guests=min(2, r.capacity),
                    room_capacity=r.capacity,
                    check_in=today - dt.timedelta(days=rng.randint(1, 40)),
                    status="active",
                )
            )
    ShelterStay.objects.bulk_create(stays)
    counts["shelter_stays"] = len(stays)
    ShelterWaitlistEntry.objects.bulk_create(
        [
            ShelterWaitlistEntry(
                patient=c,
                requested_on=today - dt.timedelta(days=rng.randint(0, 20)),
                distance_km=rng.choice([45, 120, 180, 250, 320, 410]),
                financial_need=rng.choice(["none", "low", "moderate", "high"]),
                treatment_intensity=rng.choice(
                    ["outpatient_chemo", "radiotherapy", "intensive_chemo", "hsct", "palliative"]
                ),
                guests=2,
            )
            for c in waiting
        ]
    )
    counts["shelter_waitlist"] = len(waiting)

    # Palliative care: a few referrals, one with bereavement follow-up.
    pall = []
    for i, c in enumerate(children[3::9][:5]):
        status = ["requested", "active", "active", "closed", "declined"][i % 5]
        ref = PalliativeReferral.objects.create(
            patient=c,
            referred_on=today - dt.timedelta(days=rng.randint(5, 200)),
            reason="Relapsed or refractory disease",
            status=status,
            goals_of_care="Comfort, time at home with family" if status != "requested" else "",
            symptom_plan="Pain: oral morphine; nausea: ondansetron" if status == "active" else "",
            advance_care_planning="Family meeting held; parents prefer home care"
            if status != "requested"
            else "",
            place_of_care="home" if status == "active" else "undecided",
            decline_reason="Family wishes to continue curative treatment"
            if status == "declined"
            else "",
        )
        pall.append(ref)
        if status == "closed" and c.deceased_on is None:
            c.deceased_on = today - dt.timedelta(days=30)
            c.save(update_fields=["deceased_on"])
            BereavementFollowUp.objects.create(
                referral=ref, planned_on=today + dt.timedelta(days=14), kind="call"
            )
    counts["palliative_referrals"] = len(pall)

    # Social work: a case for about one child in three, spread over the social workers.
    n_cases = 0
    if social_workers:
        levels = ["none", "low", "moderate", "high"]
        for i, c in enumerate(children[::3]):
            case = SocialCase.objects.create(
                patient=c,
                social_worker=social_workers[i % len(social_workers)],
                opened_on=today - dt.timedelta(days=rng.randint(10, 300)),
            )
            NeedsAssessment.objects.create(
                case=case,
                assessed_on=case.opened_on,
                levels={
                    d: rng.choice(levels)
                    for d in ("financial", "housing", "schooling", "psychological")
                },
            )
            SocialIntervention.objects.create(
                case=case,
                domain="financial",
                description="Aid association application",
                started_on=case.opened_on,
                outcome=rng.choice(["pending", "achieved", "partial"]),
                completed_on=None,
            )
            n_cases += 1
        SocialIntervention.objects.exclude(outcome="pending").update(completed_on=today)
    counts["social_cases"] = n_cases
    ctx.counts["support"] = counts
