"""Demo referrals per center, with a realistic mix of statuses and turnaround times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from oncocenter.oncology.models import Diagnosis
from oncocenter.referrals.models import Referral

ROUTES = {
    "pediatric": [
        ("pediatric_oncology", "pediatric_neurosurgery", "Resectability of posterior fossa tumor"),
        ("pediatric_oncology", "ophthalmology", "Fundus examination under anesthesia"),
        ("pediatric_oncology", "orthopedics", "Limb-salvage surgery planning"),
        ("pediatric_oncology", "surgery", "Delayed primary tumor resection"),
        ("pediatric_oncology", "urology", "Testicular mass evaluation"),
        ("pediatric_oncology", "thoracic_surgery", "Pulmonary metastasectomy"),
        ("pediatric_oncology", "radiation_oncology", "Radiotherapy to primary site"),
        ("pediatric_oncology", "social_work", "Family shelter and financial aid"),
        ("pediatric_oncology", "palliative_care", "Symptom control and goals of care"),
    ],
    "esophageal": [
        ("thoracic_surgery", "radiation_oncology", "Neoadjuvant chemoradiotherapy"),
        ("thoracic_surgery", "nutrition", "Weight loss, dysphagia: feeding plan"),
        ("radiation_oncology", "gastroenterology", "Stent for dysphagia"),
        ("medical_oncology", "palliative_care", "Pain management"),
    ],
    "radonc": [
        ("medical_oncology", "radiation_oncology", "Palliative RT for bone metastases"),
        ("radiation_oncology", "nutrition", "Mucositis, poor intake"),
        ("radiation_oncology", "palliative_care", "Advanced disease support"),
        ("surgery", "radiation_oncology", "Adjuvant radiotherapy"),
    ],
}
HOURS = {"emergency": (1, 12), "urgent": (6, 72), "routine": (24, 240)}


def seed(ctx: Any) -> None:
    rng, now = ctx.rng, timezone.now()
    diagnoses = {d.patient_id: d for d in Diagnosis.objects.filter(is_primary=True)}
    referrals: list[Referral] = []
    counts: dict[str, int] = {}
    for center, routes in ROUTES.items():
        patients = ctx.patients_by_center.get(center, [])
        share = 0.6 if center == "pediatric" else 0.25
        for patient in patients:
            if rng.random() > share or patient.pk not in diagnoses:
                continue
            src, dst, reason = rng.choice(routes)
            urgency = rng.choices(["routine", "urgent", "emergency"], weights=[70, 25, 5])[0]
            requested = now - dt.timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
            referral = Referral(
                patient=patient,
                diagnosis=diagnoses[patient.pk],
                from_department=src,
                to_department=dst,
                reason=reason,
                urgency=urgency,
                requested_at=requested,
                requested_by=rng.choice(
                    ctx.staff.get(
                        "pediatric_oncologist" if center == "pediatric" else "radiation_oncologist",
                        [None],
                    )
                ),
            )
            hours = rng.randint(*HOURS[urgency])
            done = requested + dt.timedelta(hours=hours)
            roll = rng.random()
            if done > now or roll < 0.15:
                referral.status = "requested"
            elif roll < 0.25:
                referral.status, referral.accepted_at = (
                    "accepted",
                    requested + dt.timedelta(hours=hours // 3),
                )
            elif roll < 0.33:
                referral.status, referral.accepted_at = (
                    "scheduled",
                    requested + dt.timedelta(hours=hours // 3),
                )
                referral.scheduled_for = now + dt.timedelta(days=rng.randint(1, 10))
            elif roll < 0.38:
                referral.status, referral.closed_at = "declined", done
                referral.decline_reason = "Not indicated at this time"
            else:
                referral.status, referral.accepted_at, referral.completed_at = (
                    "completed",
                    requested,
                    done,
                )
                referral.response_note = "Seen; plan documented in consult note"
            referrals.append(referral)
            counts[center] = counts.get(center, 0) + 1
    Referral.objects.bulk_create(referrals, batch_size=500)
    for center, n in counts.items():
        ctx.counts.setdefault("clinical", {}).setdefault(center, {})["referrals"] = n
