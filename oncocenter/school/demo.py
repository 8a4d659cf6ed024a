"""Demo data of the hospital school: classes, enrollments, two weeks of attendance, plans.

Called by ``oncocenter.demo.seed`` with the shared context (fixed seed), after the pediatric
record's seeder. Rows are written with the ORM in bulk for speed; values are chosen to satisfy every
rule the services enforce (the database constraints check them again).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oncocenter.pediatrics.demo import children_of
from oncocenter.school.models import (
    ReturnToSchoolPlan,
    SchoolAttendance,
    SchoolClass,
    SchoolEnrollment,
)

CLASSES = [
    ("햇살반 (유치)", "preschool", "병원학교 1교실", "월-금 10:00-11:00"),
    ("무지개반 (초등 저학년)", "elementary", "병원학교 1교실", "월-금 13:00-14:30"),
    ("별빛반 (초등 고학년)", "elementary", "병원학교 2교실", "월-금 14:30-16:00"),
    ("청소년반 (중·고)", "middle", "병원학교 2교실", "화·목 16:00-17:30"),
]


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    children = children_of(ctx)
    teachers = ctx.staff.get("hospital_school_teacher", [])
    counts: dict[str, int] = {}

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
    ctx.counts["school"] = counts
