"""Demo data for the clinical core, coherent per center: esophageal cancers with AJCC staging,
pediatric cancers spread over the ICCC-3 groups (with guardians, consent and assent), adult RT
cancers; performance status, markers, disease status, treatments, workup, care team and the
reduced co-payment registration. Bulk inserts: the full demo has 2,000 patients."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oncocenter.oncology import iccc, staging
from oncocenter.oncology.models import (
    Diagnosis,
    DiseaseStatus,
    PerformanceStatus,
    TnmStaging,
    TreatmentEpisode,
    TumorMarker,
    WorkupOrder,
)

# (icd10, topography, morphology, laterality, histology)
ESOPHAGEAL = [
    (
        "C15.4",
        "C15.4",
        "8070/3",
        "not-applicable",
        "Squamous cell carcinoma, moderately differentiated",
    ),
    ("C15.5", "C15.5", "8070/3", "not-applicable", "Squamous cell carcinoma"),
    (
        "C15.3",
        "C15.3",
        "8070/3",
        "not-applicable",
        "Squamous cell carcinoma, poorly differentiated",
    ),
    ("C15.5", "C15.5", "8140/3", "not-applicable", "Adenocarcinoma"),
    (
        "C16.0",
        "C16.0",
        "8140/3",
        "not-applicable",
        "Adenocarcinoma of the esophagogastric junction",
    ),
]
PEDIATRIC = [
    ("C91.0", "C42.1", "9836/3", "not-applicable", "B-lymphoblastic leukemia", 6),
    ("C92.0", "C42.1", "9861/3", "not-applicable", "Acute myeloid leukemia", 2),
    (
        "C81.1",
        "C77.9",
        "9663/3",
        "not-applicable",
        "Classical Hodgkin lymphoma, nodular sclerosis",
        2,
    ),
    ("C83.7", "C77.9", "9687/3", "not-applicable", "Burkitt lymphoma", 1),
    ("C71.6", "C71.6", "9470/3", "midline", "Medulloblastoma", 2),
    ("C71.6", "C71.6", "9421/1", "midline", "Pilocytic astrocytoma", 2),
    ("C74.9", "C74.9", "9500/3", "left", "Neuroblastoma, poorly differentiated", 3),
    ("C69.2", "C69.2", "9510/3", "right", "Retinoblastoma", 1),
    ("C64", "C64.9", "8960/3", "right", "Nephroblastoma (Wilms tumor)", 1),
    ("C22.2", "C22.0", "8970/3", "not-applicable", "Hepatoblastoma", 1),
    ("C40.2", "C40.2", "9180/3", "left", "Osteosarcoma, conventional", 2),
    ("C41.4", "C41.4", "9260/3", "right", "Ewing sarcoma", 1),
    ("C49.0", "C49.0", "8910/3", "left", "Embryonal rhabdomyosarcoma", 1),
    ("C49.2", "C49.2", "9040/3", "right", "Synovial sarcoma", 1),
    ("C75.3", "C75.3", "9064/3", "midline", "Germinoma", 1),
    ("C62.9", "C62.9", "9071/3", "left", "Yolk sac tumor", 1),
    ("C11.9", "C11.9", "8072/3", "not-applicable", "Nasopharyngeal carcinoma, non-keratinizing", 1),
    ("C96.6", "C41.0", "9751/3", "not-applicable", "Langerhans cell histiocytosis", 1),
    ("D61.9", "", "", "not-applicable", "Severe aplastic anemia", 1),
    ("D69.3", "", "", "not-applicable", "Immune thrombocytopenia", 1),
    ("D70", "", "", "not-applicable", "Severe chronic neutropenia", 1),
]
ADULT_RT = [
    ("C34.1", "C34.1", "8070/3", "right", "Squamous cell carcinoma of lung", "lung"),
    ("C34.3", "C34.3", "8140/3", "left", "Adenocarcinoma of lung", "lung"),
    ("C50.4", "C50.9", "8500/3", "left", "Invasive ductal carcinoma", "breast"),
    ("C53.9", "C53.9", "8070/3", "not-applicable", "Squamous cell carcinoma of cervix", "cervix"),
    ("C61", "C61.9", "8140/3", "not-applicable", "Acinar adenocarcinoma of prostate", "prostate"),
    ("C20", "C20.9", "8140/3", "not-applicable", "Adenocarcinoma of rectum", "colorectal"),
    ("C32.0", "C32.0", "8070/3", "not-applicable", "Glottic squamous cell carcinoma", "larynx"),
    ("C10.9", "C10.9", "8070/3", "not-applicable", "Oropharyngeal SCC", "generic"),
    ("C71.1", "C71.1", "9440/3", "right", "Glioblastoma", None),
    ("C79.5", "", "", "not-applicable", "Bone metastases", None),
]
# Cancers of organs only one sex has; breast is kept for women (male breast cancer is ~1 %).
SITE_SEX = {
    "C50": "female",
    "C53": "female",
    "C54": "female",
    "C56": "female",
    "C61": "male",
    "C62": "male",
}


def _for_sex(rows: list, sex: str) -> list:
    """The rows a patient of `sex` can have (topography in column 1, else the ICD-10 code)."""
    return [r for r in rows if SITE_SEX.get((r[1] or r[0])[:3], sex) == sex]


MARKERS = {
    "esophageal": ("SCC-Ag", "ng/mL", 0.5, 8.0),
    "C74.9": ("NSE", "ng/mL", 10, 300),
    "C22.2": ("AFP", "ng/mL", 50, 50000),
    "C62.9": ("AFP", "ng/mL", 20, 5000),
    "C20": ("CEA", "ng/mL", 1, 40),
    "C61": ("PSA", "ng/mL", 2, 60),
}
WORKUP = {
    "esophageal": [
        ("pathology", "Endoscopic biopsy"),
        ("radiology", "CT chest/abdomen"),
        ("nuclear_medicine", "PET-CT"),
    ],
    "pediatric": [
        ("pathology", "Tumor biopsy"),
        ("radiology", "MRI primary site"),
        ("laboratory_medicine", "Bone marrow aspirate"),
        ("nuclear_medicine", "Bone scan"),
    ],
    "radonc": [("pathology", "Biopsy review"), ("radiology", "Staging CT")],
}
NB_WORKUP = [("nuclear_medicine", "MIBG scan"), ("laboratory_medicine", "Urine VMA/HVA")]


def _date_between(rng, lo: dt.date, hi: dt.date) -> dt.date:
    if hi <= lo:
        return lo
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def _random_stage(
    rng, site: str, classification: str, morphology: str
) -> tuple[str, str, str, str] | None:
    spec = staging.sites()[site]
    t_values = [t for t in spec["T"] if t not in ("TX", "T0", "Tis")]
    n_values = [n for n in spec["N"] if n != "NX"]
    for _ in range(30):
        t, n = rng.choice(t_values), rng.choice(n_values)
        m = spec["M"][0] if rng.random() < 0.85 else spec["M"][-1]
        group = staging.derive_stage_group(
            site=site, classification=classification, t=t, n=n, m=m, morphology=morphology
        )
        if group:
            return t, n, m, group
    return None


def _aware(ctx, day: dt.date, hour: int):
    from django.utils import timezone

    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, ctx.rng.choice([0, 15, 30, 45])))
    )


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    staff = ctx.staff
    seen: set[int] = set()
    plans: list[tuple[Any, str, tuple]] = []
    for patient in ctx.patients_by_center.get("esophageal", []):
        seen.add(patient.pk)
        plans.append((patient, "esophageal", rng.choice(ESOPHAGEAL)))
    weighted = [row for row in PEDIATRIC for _ in range(row[5])]
    for patient in ctx.patients_by_center.get("pediatric", []):
        if patient.pk not in seen:
            seen.add(patient.pk)
            plans.append((patient, "pediatric", rng.choice(_for_sex(weighted, patient.sex))[:5]))
    for patient in ctx.patients_by_center.get("radonc", []):
        if patient.pk not in seen:
            seen.add(patient.pk)
            plans.append((patient, "radonc", rng.choice(_for_sex(ADULT_RT, patient.sex))))

    diagnoses: list[Diagnosis] = []
    for patient, _center, row in plans:
        icd10, topo, morph, laterality, histology = row[:5]
        earliest = max(
            min(patient.birth_date + dt.timedelta(days=90), today),
            today - dt.timedelta(days=5 * 365 - 10),
        )
        diagnosed = min(today, _date_between(rng, earliest, today - dt.timedelta(days=3)))
        group = subgroup = None
        if topo and morph and iccc.applies_to_age(patient.age_on(diagnosed)):
            derived = iccc.derive(morph, topo)
            if derived:
                group, subgroup = derived.group, derived.subgroup
        diagnoses.append(
            Diagnosis(
                patient=patient,
                icd10_code=icd10,
                icdo3_topography=topo,
                icdo3_morphology=morph,
                laterality=laterality,
                diagnosed_on=diagnosed,
                histology_text=histology,
                iccc_group=group,
                iccc_subgroup=subgroup,
                is_primary=not icd10.startswith("C79"),
                clinical_status="remission"
                if (today - diagnosed).days > 900 and rng.random() < 0.5
                else "active",
            )
        )
    Diagnosis.objects.bulk_create(diagnoses, batch_size=500)
    centers = {patient.pk: center for patient, center, _row in plans}
    rows = list(zip(diagnoses, plans, strict=True))

    stagings, perf, markers, statuses, treatments, orders = [], [], [], [], [], []
    for d, (patient, center, row) in rows:
        site = (
            row[5]
            if center == "radonc" and len(row) > 5
            else ("esophagus" if center == "esophageal" else None)
        )
        if site and site != "generic":
            for classification in ("clinical",):
                tnm = _random_stage(rng, site, classification, d.icdo3_morphology)
                if tnm:
                    t, n, m, group = tnm
                    stagings.append(
                        TnmStaging(
                            diagnosis=d,
                            classification=classification,
                            site=site,
                            t_category=t,
                            n_category=n,
                            m_category=m,
                            stage_group=group,
                            staged_on=min(today, d.diagnosed_on + dt.timedelta(days=7)),
                        )
                    )
        for k in range(rng.randint(1, 3)):
            on = min(today, d.diagnosed_on + dt.timedelta(days=30 * k + rng.randint(0, 20)))
            if patient.age_on(on) < 16:
                perf.append(
                    PerformanceStatus(
                        patient=patient,
                        scale="lansky",
                        score=rng.choice([50, 60, 70, 80, 90, 100]),
                        observed_on=on,
                    )
                )
            else:
                perf.append(
                    PerformanceStatus(
                        patient=patient,
                        scale="ecog",
                        score=rng.choice([0, 0, 1, 1, 1, 2, 3]),
                        observed_on=on,
                    )
                )
        marker = MARKERS.get("esophageal" if center == "esophageal" else d.icd10_code)
        if marker:
            code, unit, lo, hi = marker
            for k in range(rng.randint(1, 4)):
                markers.append(
                    TumorMarker(
                        patient=patient,
                        diagnosis=d,
                        marker=code,
                        unit=unit,
                        value=round(rng.uniform(lo, hi) / (k + 1), 2),
                        observed_on=min(today, d.diagnosed_on + dt.timedelta(days=45 * k)),
                    )
                )
        age_days = (today - d.diagnosed_on).days
        if age_days > 60:
            statuses.append(
                DiseaseStatus(
                    patient=patient,
                    diagnosis=d,
                    observed_on=d.diagnosed_on + dt.timedelta(days=60),
                    status=rng.choice(["responding", "responding", "stable", "progressing"]),
                )
            )
        if age_days > 400:
            statuses.append(
                DiseaseStatus(
                    patient=patient,
                    diagnosis=d,
                    observed_on=d.diagnosed_on + dt.timedelta(days=365),
                    status=rng.choice(["remission", "remission", "no-evidence", "relapse"]),
                )
            )
        if d.icd10_code.startswith("C") and age_days > 20:
            start = min(today, d.diagnosed_on + dt.timedelta(days=rng.randint(14, 35)))
            if center == "esophageal":
                treatments.append(
                    TreatmentEpisode(
                        patient=patient,
                        diagnosis=d,
                        modality="chemotherapy",
                        started_on=start,
                        ended_on=min(today, start + dt.timedelta(days=35)),
                        description="Concurrent weekly paclitaxel/carboplatin",
                        source="demo",
                    )
                )
                if age_days > 120 and rng.random() < 0.6:
                    surgery = start + dt.timedelta(days=rng.randint(60, 80))
                    if surgery <= today:
                        treatments.append(
                            TreatmentEpisode(
                                patient=patient,
                                diagnosis=d,
                                modality="surgery",
                                started_on=surgery,
                                ended_on=surgery,
                                description="Ivor Lewis esophagectomy",
                                source="demo",
                            )
                        )
            elif center == "pediatric":
                treatments.append(
                    TreatmentEpisode(
                        patient=patient,
                        diagnosis=d,
                        modality="chemotherapy",
                        started_on=start,
                        description="Induction chemotherapy per protocol",
                        source="demo",
                    )
                )
                if (
                    d.icd10_code in ("C91.0", "C92.0", "C74.9")
                    and age_days > 200
                    and rng.random() < 0.3
                ):
                    treatments.append(
                        TreatmentEpisode(
                            patient=patient,
                            diagnosis=d,
                            modality="hsct",
                            started_on=start + dt.timedelta(days=150),
                            description="Autologous/allogeneic HSCT",
                            source="demo",
                        )
                    )
            elif rng.random() < 0.3:
                treatments.append(
                    TreatmentEpisode(
                        patient=patient,
                        diagnosis=d,
                        modality="surgery",
                        started_on=d.diagnosed_on + dt.timedelta(days=10),
                        at_this_center=rng.random() < 0.5,
                        description="Resection",
                        source="demo",
                    )
                )
        tests = list(WORKUP[center]) + (NB_WORKUP if d.icd10_code == "C74.9" else [])
        for department, test in tests:
            ordered = _aware(
                ctx,
                max(d.diagnosed_on - dt.timedelta(days=rng.randint(0, 10)), patient.birth_date),
                9,
            )
            hours = {
                "pathology": (48, 140),
                "radiology": (4, 72),
                "laboratory_medicine": (1, 24),
                "nuclear_medicine": (24, 120),
            }[department]
            recent = (today - d.diagnosed_on).days < 10 and rng.random() < 0.5
            resulted = None if recent else ordered + dt.timedelta(hours=rng.randint(*hours))
            orders.append(
                WorkupOrder(
                    patient=patient,
                    diagnosis=d,
                    department=department,
                    test_name=test,
                    ordered_at=ordered,
                    status="ordered" if recent else "resulted",
                    resulted_at=resulted,
                    result_summary=""
                    if recent
                    else f"{test}: consistent with {d.histology_text.lower()}",
                    ordered_by=rng.choice(
                        staff.get(
                            "pediatric_oncologist"
                            if center == "pediatric"
                            else "radiation_oncologist",
                            [None],
                        )
                    ),
                )
            )
    TnmStaging.objects.bulk_create(stagings, batch_size=500)
    PerformanceStatus.objects.bulk_create(perf, batch_size=500)
    TumorMarker.objects.bulk_create(markers, batch_size=500)
    DiseaseStatus.objects.bulk_create(statuses, batch_size=500)
    TreatmentEpisode.objects.bulk_create(treatments, batch_size=500)
    WorkupOrder.objects.bulk_create(orders, batch_size=500)
    record_counts = _seed_record(ctx, rows)

    per_center: dict[str, dict[str, int]] = {}
    for _d, (_patient, center, _row) in rows:
        c = per_center.setdefault(center, {"diagnoses": 0, "pediatric_iccc_groups": 0})
        c["diagnoses"] += 1
    for s in stagings:
        per_center[centers[s.diagnosis.patient_id]].setdefault("stagings", 0)
        per_center[centers[s.diagnosis.patient_id]]["stagings"] += 1
    per_center.setdefault("pediatric", {})["pediatric_iccc_groups"] = len(
        {d.iccc_group for d, (_p, c, _r) in rows if c == "pediatric" and d.iccc_group}
    )
    for kind, items in (
        ("treatments", treatments),
        ("workup_orders", orders),
        ("performance", perf),
    ):
        for item in items:
            center = centers[item.patient_id]
            per_center[center][kind] = per_center[center].get(kind, 0) + 1
    for center, counts in record_counts.items():
        per_center.setdefault(center, {}).update(counts)
    ctx.counts["clinical"] = per_center


def _seed_record(ctx: Any, rows: list) -> dict[str, dict[str, int]]:
    from oncocenter.oncology.models import CopayRegistration, copay_expiry
    from oncocenter.patients.models import Center
    from oncocenter.patients.models_record import CareTeamMember, Consent, Guardian

    rng, today, fake = ctx.rng, ctx.today, ctx.faker
    centers = {c.code: c for c in Center.objects.all()}
    lead_role = {
        "esophageal": "surgeon",
        "pediatric": "pediatric_oncologist",
        "radonc": "radiation_oncologist",
    }
    guardians, team, copays = [], [], []
    minors = []
    counts: dict[str, dict[str, int]] = {}
    for d, (patient, center, _row) in rows:
        c = counts.setdefault(center, {"guardians": 0, "consents": 0, "care_team": 0, "copay": 0})
        users = ctx.staff.get(lead_role[center]) or []
        if users:
            team.append(
                CareTeamMember(
                    patient=patient,
                    user=rng.choice(users),
                    role=lead_role[center],
                    center=centers[center],
                    is_lead=True,
                    since=d.diagnosed_on,
                )
            )
            c["care_team"] += 1
        nurses = ctx.staff.get("nurse") or []
        if nurses:
            team.append(
                CareTeamMember(
                    patient=patient,
                    user=rng.choice(nurses),
                    role="nurse",
                    center=centers[center],
                    since=d.diagnosed_on,
                )
            )
            c["care_team"] += 1
        if d.icd10_code.startswith("C") and d.is_primary:
            registered = min(today, d.diagnosed_on + dt.timedelta(days=rng.randint(0, 14)))
            copays.append(
                CopayRegistration(
                    patient=patient,
                    diagnosis=d,
                    registered_on=registered,
                    expires_on=copay_expiry(registered),
                    registration_number=f"V193-{rng.randint(10**7, 10**8 - 1)}",
                )
            )
            c["copay"] += 1
        if patient.age_on(today) < 19:
            relationship = rng.choice(["mother", "mother", "father", "grandparent"])
            family = patient.name_ko[0]
            name = (fake.last_name() if relationship == "mother" else family) + fake.first_name()
            years_older = (
                rng.randint(45, 65) if relationship == "grandparent" else rng.randint(24, 42)
            )
            guardians.append(
                Guardian(
                    patient=patient,
                    name_ko=name,
                    relationship=relationship,
                    phone=f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                    birth_date=patient.birth_date
                    - dt.timedelta(days=365 * years_older + rng.randint(0, 364)),
                )
            )
            minors.append((patient, d, center))
            c["guardians"] += 1
    Guardian.objects.bulk_create(guardians, batch_size=500)
    CareTeamMember.objects.bulk_create(team, batch_size=500)
    CopayRegistration.objects.bulk_create(copays, batch_size=500)
    consents = []
    for guardian, (patient, d, center) in zip(guardians, minors, strict=True):
        signed = max(d.diagnosed_on, patient.birth_date)
        if patient.age_on(signed) >= 19:
            continue
        consents.append(
            Consent(
                patient=patient,
                kind="treatment",
                given_by="guardian",
                guardian=guardian,
                signed_on=signed,
                scope="Diagnosis and treatment",
            )
        )
        counts[center]["consents"] += 1
        if patient.age_on(signed) >= 7:
            consents.append(
                Consent(
                    patient=patient,
                    kind="treatment",
                    given_by="assent",
                    signed_on=signed,
                    scope="Explained with picture book",
                )
            )
            counts[center]["consents"] += 1
    Consent.objects.bulk_create(consents, batch_size=500)
    return counts
