"""Demo data for clinics: weekly clinics per physician, twelve weeks of sessions (Korean holidays
closed), past and future appointments, a ranked waitlist, wards with beds, current admissions and
a re-admission waitlist."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from oncocenter.clinics import calendar as clinic_calendar
from oncocenter.clinics.demo_cohort import esophageal_cohort
from oncocenter.clinics.models import (
    Admission,
    Appointment,
    Bed,
    ClinicSession,
    ClinicTemplate,
    PriorityPolicy,
    ReadmissionRequest,
    Slot,
    WaitlistEntry,
    Ward,
)
from oncocenter.clinics.selectors import previously_treated_ids
from oncocenter.patients.models import Center

SEED = 6_1
# (staff role, how many of them hold a clinic, center, clinic name, weekdays, start hour, end hour, slot min, types)
CLINICS = [
    (
        "surgeon",
        6,
        "esophageal",
        "Esophageal surgery clinic",
        (0, 2),
        9,
        12,
        15,
        ["new", "follow-up"],
    ),
    (
        "medical_oncologist",
        5,
        "esophageal",
        "Esophageal oncology clinic",
        (1,),
        13,
        17,
        20,
        ["new", "on-treatment", "follow-up"],
    ),
    (
        "radiation_oncologist",
        6,
        "radonc",
        "Radiation oncology clinic",
        (3,),
        9,
        12,
        15,
        ["new", "on-treatment", "follow-up"],
    ),
    (
        "pediatric_oncologist",
        4,
        "pediatric",
        "Pediatric oncology clinic",
        (4,),
        9,
        12,
        20,
        ["new", "on-treatment", "follow-up"],
    ),
]
WARDS = [
    ("E5", "Esophageal surgery ward", "esophageal", 12, 30),
    ("R3", "Radiation oncology ward", "radonc", 8, 20),
    ("P7", "Pediatric oncology ward", "pediatric", 8, 24),
]


def _aware(day: dt.date, t: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t))


def seed(ctx: Any) -> None:
    rng = random.Random(SEED)
    today = ctx.today
    full = ctx.size == "full"
    PriorityPolicy.objects.get_or_create(id=1)
    centers = {c.code: c for c in Center.objects.all()}
    esophageal_cohort(ctx)  # creates treatment episodes first, so "previously treated" is known

    # templates and sessions
    templates = []
    for role, n, center, name, weekdays, h0, h1, minutes, types in CLINICS:
        for doctor in ctx.staff.get(role, [])[:n]:
            for wd in weekdays:
                templates.append(
                    ClinicTemplate(
                        physician=doctor,
                        center=centers[center],
                        name=name,
                        weekday=wd,
                        start_time=dt.time(h0),
                        end_time=dt.time(h1),
                        slot_minutes=minutes,
                        appointment_types=types,
                    )
                )
    ClinicTemplate.objects.bulk_create(templates)
    start, end = today - dt.timedelta(days=28), today + dt.timedelta(days=56)
    sessions, slot_rows = [], []
    for t in templates:
        for status in clinic_calendar.session_dates(weekday=t.weekday, start=start, end=end):
            sessions.append(
                ClinicSession(
                    template=t,
                    physician=t.physician,
                    date=status.day,
                    start_time=t.start_time,
                    end_time=t.end_time,
                    slot_minutes=t.slot_minutes,
                    status="open" if status.is_open else "closed",
                    closed_reason="" if status.is_open else status.reason,
                )
            )
    ClinicSession.objects.bulk_create(sessions, batch_size=500)
    for s in sessions:
        if s.status != "open":
            continue
        step = dt.timedelta(minutes=s.slot_minutes)
        for t0 in clinic_calendar.slot_starts(s.start_time, s.end_time, s.slot_minutes):
            at = _aware(s.date, t0)
            slot_rows.append(Slot(session=s, starts_at=at, ends_at=at + step))
    Slot.objects.bulk_create(slot_rows, batch_size=1000)

    # appointments: past sessions mostly completed, future ones partly booked (room left for follow-up)
    by_center = {c: list(ctx.patients_by_center.get(c, [])) for c in centers}
    prior = previously_treated_ids([p.pk for ps in by_center.values() for p in ps], on=today)
    taken: set[tuple[int, dt.datetime]] = set()
    appts = []
    now = timezone.now()
    for slot in slot_rows:
        session = slot.session
        pool = by_center[session.template.center.code]
        fill = (
            0.65
            if slot.starts_at < now
            else (0.3 if session.template.center.code == "esophageal" else 0.45)
        )
        if not pool or rng.random() > fill:
            continue
        patient = rng.choice(pool)
        if (patient.pk, slot.starts_at) in taken:
            continue
        taken.add((patient.pk, slot.starts_at))
        if slot.starts_at < now:
            appt_status = "completed" if rng.random() < 0.9 else "no-show"
        else:
            appt_status = "booked"
        appts.append(
            Appointment(
                slot=slot,
                session=session,
                patient=patient,
                starts_at=slot.starts_at,
                appointment_type=rng.choice(session.template.appointment_types),
                status=appt_status,
                previously_treated=patient.pk in prior,
                booked_by=rng.choice(ctx.staff.get("scheduler", [None])),
            )
        )
    Appointment.objects.bulk_create(appts, batch_size=1000)

    # waitlist
    entries: list[WaitlistEntry] = []
    n_wait = 40 if full else 12
    seen: set[tuple[int, str]] = set()
    for _ in range(n_wait * 2):
        if len(entries) >= n_wait:
            break
        center = rng.choice(["esophageal", "esophageal", "radonc"])
        if not by_center[center]:
            continue
        patient = rng.choice(by_center[center])
        kind = rng.choice(["follow-up", "follow-up", "new"])
        if (patient.pk, center) in seen:
            continue
        seen.add((patient.pk, center))
        entries.append(
            WaitlistEntry(
                patient=patient,
                center=centers[center],
                appointment_type=kind,
                urgency=rng.choices(["routine", "soon", "urgent"], weights=[6, 3, 1])[0],
                requested_on=today - dt.timedelta(days=rng.randint(0, 60)),
                note="demo",
            )
        )
    WaitlistEntry.objects.bulk_create(entries)

    # wards, beds, admissions, re-admission requests
    beds_by_ward = {}
    for code, name, center, small_n, full_n in WARDS:
        ward = Ward.objects.create(code=code, name=name, center=centers[center])
        beds = [
            Bed(ward=ward, code=f"{i + 1:02d}", in_service=not (i == 0 and code == "R3"))
            for i in range(full_n if full else small_n)
        ]
        Bed.objects.bulk_create(beds)
        beds_by_ward[code] = (ward, center, beds)
    admitted: set[int] = set()
    admissions, requests = [], []
    for _code, (ward, center, beds) in beds_by_ward.items():
        pool = [p for p in by_center[center] if p.pk not in admitted]
        rng.shuffle(pool)
        for bed in beds:
            if not bed.in_service or not pool or rng.random() > 0.75:
                continue
            patient = pool.pop()
            admitted.add(patient.pk)
            admissions.append(
                Admission(
                    patient=patient,
                    bed=bed,
                    admitted_at=now - dt.timedelta(hours=rng.randint(6, 24 * 14)),
                    reason=rng.choice(
                        ["Post-operative care", "Chemoradiation", "Nutrition support", "Fever"]
                    ),
                    previously_treated=patient.pk in prior,
                )
            )
        for patient in pool[: (8 if full else 3)]:
            requests.append(
                ReadmissionRequest(
                    patient=patient,
                    ward=ward,
                    urgency=rng.choices(["routine", "soon", "urgent"], weights=[5, 3, 1])[0],
                    requested_on=today - dt.timedelta(days=rng.randint(0, 30)),
                    reason=rng.choice(
                        [
                            "Stricture dilation",
                            "Feeding tube change",
                            "Chemotherapy cycle",
                            "Aspiration pneumonia",
                            "Weight loss, nutrition support",
                        ]
                    ),
                )
            )
    Admission.objects.bulk_create(admissions)
    ReadmissionRequest.objects.bulk_create(requests)
    ctx.counts["clinics"] = {
        "templates": len(templates),
        "sessions": len(sessions),
        "slots": len(slot_rows),
        "appointments": len(appts),
        "waitlist": len(entries),
        "admissions": len(admissions),
        "readmission_requests": len(requests),
    }
