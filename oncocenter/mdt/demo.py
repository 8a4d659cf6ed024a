"""Demo tumor boards: weekly esophageal, pediatric and general/RT boards over the past eight weeks
and the next two, with attendance (a few without quorum), cases and recommendations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oncocenter.mdt.models import Attendance, BoardCase, BoardType, Meeting, Recommendation
from oncocenter.mdt.quorum import check_quorum
from oncocenter.mdt.selectors import case_summary
from oncocenter.oncology.models import Diagnosis

CENTER_OF_BOARD = {"esophageal": "esophageal", "pediatric": "pediatric", "general_rt": "radonc"}
ROLE_OF_DISCIPLINE = {
    "thoracic_surgery": "surgeon",
    "surgery": "surgeon",
    "radiation_oncology": "radiation_oncologist",
    "medical_oncology": "medical_oncologist",
    "gastroenterology": "medical_oncologist",
    "radiology": "radiologist",
    "pathology": "pathologist",
    "pediatric_oncology": "pediatric_oncologist",
    "nuclear_medicine": "nuclear_medicine_physician",
}
MODALITIES = {
    "esophageal": [["chemotherapy", "radiotherapy", "surgery"], ["chemotherapy", "radiotherapy"]],
    "pediatric": [
        ["chemotherapy", "surgery", "radiotherapy"],
        ["chemotherapy", "hsct"],
        ["chemotherapy"],
    ],
    "general_rt": [["radiotherapy"], ["surgery", "radiotherapy"], ["chemotherapy", "radiotherapy"]],
}


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    diagnoses = {d.patient_id: d for d in Diagnosis.objects.filter(is_primary=True)}
    counts: dict[str, int] = {}
    for board in BoardType.objects.all():
        center = CENTER_OF_BOARD[board.code]
        pool = [p for p in ctx.patients_by_center.get(center, []) if p.pk in diagnoses]
        rng.shuffle(pool)
        weekday = {"esophageal": 1, "pediatric": 3, "general_rt": 4}[board.code]
        monday = today - dt.timedelta(days=today.weekday())
        for week in range(-8, 3):
            held_on = monday + dt.timedelta(weeks=week, days=weekday)
            past = held_on < today
            meeting = Meeting.objects.create(
                board_type=board,
                held_on=held_on,
                location="MDT room",
                status="held" if past else "planned",
            )
            required = list(board.required_disciplines)
            skip = rng.choice(required) if rng.random() < 0.15 else None
            used = set()
            for discipline in required:
                users = [
                    u
                    for u in ctx.staff.get(ROLE_OF_DISCIPLINE.get(discipline, ""), [])
                    if u.pk not in used
                ]
                if discipline == skip or not users:
                    continue
                user = rng.choice(users)
                used.add(user.pk)
                Attendance.objects.create(meeting=meeting, user=user, discipline=discipline)
            quorum = check_quorum(
                required, meeting.attendances.values_list("discipline", flat=True)
            )
            for _ in range(rng.randint(2, 5)):
                if not pool:
                    break
                patient = pool.pop()
                case = BoardCase.objects.create(
                    meeting=meeting,
                    patient=patient,
                    diagnosis=diagnoses[patient.pk],
                    question="Treatment plan?",
                    summary=case_summary(patient=patient),
                )
                counts[center] = counts.get(center, 0) + 1
                if past and quorum.met:
                    Recommendation.objects.create(
                        case=case,
                        intent=rng.choice(["curative", "curative", "palliative"]),
                        modalities=rng.choice(MODALITIES[board.code]),
                        quorum_met=True,
                    )
    for center, n in counts.items():
        ctx.counts.setdefault("clinical", {}).setdefault(center, {})["board_cases"] = n
