"""Demo follow-up for the esophageal cohort: plans generated at the end of treatment, past items
mostly done (some missed, hence overdue), upcoming visits booked into esophageal clinics, and a
few complications and relapses."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from oncocenter.clinics.demo_cohort import esophageal_cohort
from oncocenter.clinics.models import HOLDING, Appointment, Slot
from oncocenter.followup import protocols
from oncocenter.followup.models import DueItem, FollowUpEvent, FollowUpPlan, ProtocolTemplate

SEED = 6_2


def seed(ctx: Any) -> None:
    rng = random.Random(SEED)
    today = ctx.today
    templates = {t.code: t for t in ProtocolTemplate.objects.all()}
    cohort = esophageal_cohort(ctx)
    plans: list[FollowUpPlan] = []
    planned: list[tuple[FollowUpPlan, list[protocols.DueItem], bool]] = []
    for member in cohort:
        codes = [
            c
            for c in ("esophagus-esophagectomy", "esophagus-definitive-crt", "after-radiotherapy")
            if c in templates
            and protocols.applies(
                templates[c].definition, icd10_code="C15.5", modalities=member.modalities
            )
        ]
        misses = rng.random() < 0.2  # this patient skipped some visits
        for code in codes:
            t = templates[code]
            context = {"field": "mediastinum"} if code == "after-radiotherapy" else None
            due = protocols.generate_plan(
                t.definition,
                treatment_end=member.treatment_end,
                context=context,
                context_ko={"field": "종격동"} if context else None,
            )
            plan = FollowUpPlan(
                patient=member.patient,
                template=t,
                treatment_end=member.treatment_end,
                treated_field="mediastinum" if context else "",
                created_by=rng.choice(ctx.staff.get("surgeon", [None])),
            )
            plans.append(plan)
            planned.append((plan, due, misses))
    FollowUpPlan.objects.bulk_create(plans, batch_size=500)
    items = []
    for plan, due, misses in planned:
        for d in due:
            window_end = d.due_on + dt.timedelta(days=d.window_days)
            status, done_on = "due", None
            if window_end < today:
                if misses and rng.random() < 0.35:
                    status = "due"  # missed: on the overdue worklist
                else:
                    status, done_on = (
                        "done",
                        min(today, d.due_on + dt.timedelta(days=rng.randint(-5, 10))),
                    )
            items.append(
                DueItem(
                    plan=plan,
                    patient=plan.patient,
                    item_code=d.item_code,
                    kind=d.kind,
                    name_en=d.name_en[:200],
                    name_ko=d.name_ko[:200],
                    due_on=d.due_on,
                    window_end=window_end,
                    appointment_type=d.appointment_type,
                    status=status,
                    done_on=done_on,
                )
            )
    DueItem.objects.bulk_create(items, batch_size=1000)

    # book upcoming follow-up visits into free esophageal clinic slots inside their window
    now = timezone.now()
    free = list(
        Slot.objects.filter(
            session__status="open", session__template__center__code="esophageal", starts_at__gt=now
        )
        .exclude(appointments__status__in=HOLDING)
        .select_related("session__template")
        .order_by("starts_at")
    )
    taken_slots: set[int] = set()
    busy = set(
        Appointment.objects.filter(status__in=HOLDING, starts_at__gt=now).values_list(
            "patient_id", "starts_at"
        )
    )
    upcoming = [
        i
        for i in items
        if i.kind == "visit"
        and i.status == "due"
        and i.due_on >= today
        and i.due_on <= today + dt.timedelta(days=50)
    ]
    booked = []
    for item in upcoming:
        if rng.random() < 0.3:
            continue  # not yet booked: shows up in "due soon"
        lo = item.due_on - dt.timedelta(days=14)
        for slot in free:
            day = timezone.localtime(slot.starts_at).date()
            if slot.pk in taken_slots or not lo <= day <= item.window_end:
                continue
            if "follow-up" not in slot.session.template.appointment_types:
                continue
            if (item.patient_id, slot.starts_at) in busy:
                continue
            taken_slots.add(slot.pk)
            busy.add((item.patient_id, slot.starts_at))
            appt = Appointment(
                slot=slot,
                session=slot.session,
                patient=item.patient,
                starts_at=slot.starts_at,
                appointment_type="follow-up",
                status="booked",
                previously_treated=True,
                reason=item.name_en,
            )
            booked.append((item, appt))
            break
    Appointment.objects.bulk_create([a for _i, a in booked], batch_size=500)
    for item, appt in booked:
        item.status, item.appointment = "booked", appt
    DueItem.objects.bulk_update([i for i, _a in booked], ["status", "appointment"], batch_size=500)

    # complications and relapses
    events = []
    for member in cohort:
        r = rng.random()
        if member.surgery_on and r < 0.15:
            events.append(
                FollowUpEvent(
                    patient=member.patient,
                    event_type="complication",
                    occurred_on=min(
                        today, member.surgery_on + dt.timedelta(days=rng.randint(20, 120))
                    ),
                    grade=rng.choice([2, 2, 3]),
                    description=rng.choice(
                        [
                            "Anastomotic stricture",
                            "Anastomotic leak",
                            "Recurrent laryngeal nerve palsy",
                        ]
                    ),
                )
            )
        elif r > 0.94 and (today - member.treatment_end).days > 200:
            events.append(
                FollowUpEvent(
                    patient=member.patient,
                    event_type="recurrence",
                    occurred_on=member.treatment_end
                    + dt.timedelta(days=rng.randint(150, (today - member.treatment_end).days)),
                    description=rng.choice(
                        ["Mediastinal lymph node recurrence", "Anastomotic recurrence"]
                    ),
                )
            )
    FollowUpEvent.objects.bulk_create(events)
    ctx.counts["followup"] = {
        "plans": len(plans),
        "items": len(items),
        "overdue": sum(1 for i in items if i.status == "due" and i.window_end < today),
        "booked": len(booked),
        "events": len(events),
    }
