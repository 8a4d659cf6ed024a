"""Demo schedule: a running department on the six LINACs and the afterloader (issue 16).

Runs after the radiotherapy demo (INSTALLED_APPS order) and goes through the services, so the
demo schedule obeys the same rules as real use. Two children under sedation get courses of their
own so the board shows the first-slot rule. `running_department` then fills today and the next
days the way a department gets there: courses are prescribed, planned and checked, booked by the
scheduling services (the optimizer adapter) the day before each one starts, and every session
before today is recorded as treated; so today holds courses that start, continue and finish.
A QA window today and an outage today complete the day.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from oncocenter.accounts.services import credential_is_current
from oncocenter.core.errors import DomainError
from oncocenter.machines import services as machine_services
from oncocenter.radiotherapy import services as rt
from oncocenter.radiotherapy.models import (
    ChecklistKind,
    Course,
    CourseStatus,
    FractionStatus,
    PrescriptionStatus,
)
from oncocenter.radiotherapy.selectors import checklist
from oncocenter.scheduling import adapter, policy, selectors, services
from oncocenter.scheduling.models import Booking, BookingStatus

PEDIATRIC = [
    ("Medulloblastoma, craniospinal", "IMRT", "1.8", 18),
    ("Rhabdomyosarcoma, orbit", "IMRT", "1.8", 14),
]


def _credentialed(users: list, role: str) -> list:
    """Demo staff include people with a lapsed credential; they must not sign."""
    kinds = {
        "radiation_oncologist": rt.RO_CREDENTIALS,
        "medical_physicist": rt.PHYSICIST_CREDENTIALS,
        "radiation_therapist": rt.THERAPIST_CREDENTIALS,
    }.get(role)
    return [u for u in users if kinds is None or credential_is_current(user=u, kinds=kinds)]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=adapter.center_tz())


def _pediatric_course(ctx: Any, patient: Any, template: tuple, staff: dict[str, list]) -> Course:
    site, technique, dose, n = template
    ro, dosimetrist = staff["radiation_oncologist"][0], staff["dosimetrist"][0]
    physicist, qa_physicist = staff["medical_physicist"][0], staff["medical_physicist"][-1]
    course = rt.course_create(patient=patient, label=site, intent="curative", physician=ro, by=ro)
    rx = rt.prescription_create(
        course=course,
        by=ro,
        **{
            "site": site,
            "technique": technique,
            "dose_per_fraction_gy": dose,
            "number_of_fractions": n,
            "pattern": "daily",
            "intent": "curative",
            "energy": "6 MV",
            "no_diagnosis_reason": "diagnosis on file at the referring children's hospital",
        },
    )
    rt.prescription_sign(prescription=rx, by=ro)
    machine = next(m for m in ctx.machines if m.kind == "linac" and m.can_deliver(technique))
    plan = rt.plan_create(
        prescription=rx,
        by=dosimetrist,
        label=f"PED{course.pk}",
        machine=machine,
        fractions_planned=n,
        dose_per_fraction_gy=rx.dose_per_fraction_gy,
        meterset_per_fraction=Decimal("240"),
    )
    rt.plan_approve(plan=plan, by=ro)
    rt.psqa_record(plan=plan, by=qa_physicist, method="ArcCHECK gamma 3%/2 mm", passing_rate_pct=98)
    rt.physics_check_record(
        plan=plan,
        by=physicist,
        results={i.code: "pass" for i in checklist(ChecklistKind.INITIAL)},
    )
    return course


def seed(ctx: Any) -> None:
    staff = {role: _credentialed(users, role) for role, users in ctx.staff.items()}
    if not staff.get("scheduler") or not staff.get("medical_physicist"):
        return
    scheduler, physicist = staff["scheduler"][0], staff["medical_physicist"][0]
    therapist = (staff.get("radiation_therapist") or [scheduler])[0]
    linacs = [m for m in ctx.machines if m.kind == "linac" and m.in_service]
    if not linacs:
        return
    counts: dict[str, Any] = {}
    # The demo's "today": the calendar day, or the next open day when it is closed.
    today = adapter.open_day_on_or_after(timezone.localdate())
    first_day = adapter.open_day_on_or_after(today + dt.timedelta(days=1))

    # Today's QA window: the last LINAC's evening (planned before anything is booked).
    machine_services.qa_window_plan(
        machine=linacs[-1],
        start=_at(today, 18, 30),
        end=_at(today, 20),
        reason="Weekly QA (TG-142)",
        by=physicist,
    )

    # Monthly QA windows in the evening, one machine per open day over the next two weeks.
    day = first_day
    for m in linacs:
        day = adapter.add_open_days(day, 2)
        machine_services.qa_window_plan(
            machine=m,
            start=_at(day, 18),
            end=_at(day, 20),
            reason="Monthly QA (TG-142)",
            by=physicist,
        )
    counts["qa_windows"] = len(linacs) + 1

    # Two children under sedation (first slot of the day).
    children = list(ctx.patients_by_center.get("pediatric", []))[:2]
    requests = []
    if staff.get("radiation_oncologist") and staff.get("dosimetrist"):
        for patient, template in zip(children, PEDIATRIC, strict=False):
            course = _pediatric_course(ctx, patient, template, staff)
            requests.append(services.BookingRequest(course, anesthesia=True))

    # Every open demo course with a signed, physics-checked prescription and unbooked sessions.
    booked = Booking.objects.filter(
        prescription__course=OuterRef("pk"), status=BookingStatus.BOOKED
    )
    courses = (
        Course.objects.filter(
            status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE],
            prescriptions__status=PrescriptionStatus.SIGNED,
            prescriptions__fractions__status=FractionStatus.SCHEDULED,
        )
        .exclude(prescriptions__status=PrescriptionStatus.DRAFT)
        .filter(~Exists(booked))
        .select_related("patient")
        .distinct()
        .order_by("pk")
    )
    for course in courses:
        if all(r.course.pk != course.pk for r in requests):
            rx_ok = all(
                selectors.physics_done_at(rx) is not None
                for rx in course.prescriptions.filter(status=PrescriptionStatus.SIGNED)
            )
            if rx_ok:
                requests.append(services.BookingRequest(course))
    booked_courses = 0
    # One solve per course, as a scheduler books them: the exact model (small instances) places
    # each course at its best steady time; one solve for all would use the decomposed model.
    # A course under treatment (sessions delivered up to yesterday) goes on today: it is booked
    # as of yesterday evening, when the next open day was today.
    yesterday = _open_day_before(today)
    for r in requests:
        started = any(rx.fractions_delivered for rx in r.course.prescriptions.all())
        try:
            with _clock(_at(yesterday, 18) if started else None):
                services.courses_book(requests=[r], by=scheduler, time_limit=2.0)
            booked_courses += 1
        except DomainError as exc:  # a demo course the rules refuse stays unbooked
            counts.setdefault("refused", []).append(f"course {r.course.pk}: {exc.message}")
    counts["courses_booked"] = booked_courses

    running_department(ctx, staff, counts, today=today)
    counts["bookings"] = Booking.objects.filter(status=BookingStatus.BOOKED).count()

    # One unplanned outage today, early afternoon, on the busiest LINAC: its sessions are
    # rebooked by the engine (same day first), and the board shows the moves.
    begin, end = _at(today, 0), _at(today + dt.timedelta(days=1), 0)
    busiest = max(
        linacs,
        key=lambda m: Booking.objects.filter(
            machine=m, status=BookingStatus.BOOKED, start__gte=begin, start__lt=end
        ).count(),
    )
    # The window opens at the half hour of the afternoon session nearest 13:00 on that machine,
    # so that the outage always hits a session whatever the draw put where (the small demo has
    # only a few sessions today); with no session today it stays at 13:00-14:30.
    start = _at(today, 13)
    sessions = list(
        Booking.objects.filter(
            machine=busiest, status=BookingStatus.BOOKED, start__gte=begin, start__lt=end
        ).values_list("start", flat=True)
    )
    if sessions:
        nearest = min(sessions, key=lambda t: abs((t - start).total_seconds()))
        local = timezone.localtime(nearest)
        start = local.replace(minute=0 if local.minute < 30 else 30, second=0, microsecond=0)
    with _clock(start - dt.timedelta(minutes=30)):
        result = services.outage_report(
            machine=busiest,
            start=start,
            end=start + dt.timedelta(minutes=90),
            reason="Magnetron fault: service engineer called",
            by=therapist,
            now=start - dt.timedelta(minutes=30),
        )
    counts["outage"] = {"machine": busiest.code, **result.outage.rebook_summary}
    # Sessions of today that have already ended are treated (after the outage, which is
    # reported as of half an hour before it: its moves are what was treated).
    counts["treated_today"] = treat_finished_today(today, staff)
    counts["today"] = sessions_per_machine(today)
    ctx.counts["scheduling"] = counts


def rt_clock(at: dt.datetime) -> Any:
    """`radiotherapy.demo._clock`: services stamp times with now, so history is written as of
    `at` (a no-op for a time not in the past)."""
    from oncocenter.radiotherapy.demo import _clock as clock

    return clock(at)


def _clock(at: dt.datetime | None) -> Any:
    """`radiotherapy.demo._clock` (services stamp times with now), or nothing when `at` is None."""
    from contextlib import nullcontext

    return rt_clock(at) if at is not None else nullcontext()


def _open_day_before(day: dt.date) -> dt.date:
    d = day - dt.timedelta(days=1)
    while not adapter.is_open_day(d):
        d -= dt.timedelta(days=1)
    return d


def sessions_per_machine(day: dt.date) -> dict[str, int]:
    """Booked sessions on `day` per machine code (every machine, zero included)."""
    return {r.code: r.sessions for r in selectors.machine_day_counts(day=day)}


# --- a running department ----------------------------------------------------------------------

#: Courses of a running department (site, technique, Gy/fraction, fractions, pattern, ICD-10,
#: morphology, organ doses) and how often each starts. A 3D-heavy mix with short palliative
#: courses, as in a large Korean department; SBRT/SRS on the two capable machines.
DAY_MIX: list[tuple[tuple, int]] = [
    (("Left breast (hypofractionated)", "3D", "2.67", 15, "daily", "C50.4", "8500/3", []), 12),
    (("Right breast (hypofractionated)", "3D", "2.67", 15, "daily", "C50.9", "8500/3", []), 10),
    (("Prostate (moderate hypofractionation)", "VMAT", "3", 20, "daily", "C61", "8140/3", []), 7),
    (("Oropharynx and bilateral neck", "VMAT", "2", 35, "daily", "C10.9", "8070/3", []), 5),
    (("Esophagus (chemoradiation)", "IMRT", "1.8", 28, "daily", "C15.4", "8070/3", []), 5),
    (("Rectum (short course)", "3D", "5", 5, "daily", "C20", "8140/3", []), 5),
    (("Rectum (chemoradiation)", "3D", "1.8", 28, "daily", "C20", "8140/3", []), 4),
    (("Cervix (external beam)", "IMRT", "1.8", 25, "daily", "C53.9", "8070/3", []), 4),
    (("Left lung squamous", "3D", "2", 30, "daily", "C34.3", "8071/3", []), 4),
    (("Bone metastasis (single)", "3D", "8", 1, "daily", "C79.5", "8140/6", []), 5),
    (("Bone metastasis", "3D", "4", 5, "daily", "C79.5", "8140/6", []), 8),
    (("Bone metastasis T10", "3D", "3", 10, "daily", "C79.5", "8140/6", []), 6),
    (("Whole brain", "3D", "3", 10, "daily", "C79.3", "8140/6", []), 4),
    (("Brain metastasis (SRS)", "SRS", "20", 1, "daily", "C79.3", "8140/6", []), 2),
    (("Right upper lobe (SBRT)", "SBRT", "12", 4, "alternate", "C34.1", "8140/3", []), 2),
    (("Scalp (electrons)", "ELECTRON", "2.5", 20, "daily", "C44.4", "8070/3", []), 3),
    (("Gastric lymphoma", "3D", "1.5", 20, "daily", "C16.9", "9680/3", []), 2),
]
#: LINAC sessions drawn for today (the seed's 300+ a day on six LINACs). Fewer end up booked
#: today: the engine starts some courses a day later than drawn (a full day, held capacity) and
#: the outage moves sessions. The full size offers about 4,150 machine-minutes today (12.75 min
#: mean session: `today_mix`), as many as the six LINACs have left after today's QA window and
#: outage, so today is full (docs/scheduler.md, "The demo's day").
TODAY_TARGET = {"small": 16, "full": 325}
#: Courses also start on the next open days, so those hold as many sessions as today.
AHEAD_DAYS = 4
#: How far back the department's history goes (open days): a course under way today started
#: at most this long ago. Every earlier session is recorded as a treatment through the
#: record-and-verify service (~0.1-0.4 s each), so this bounds the seed time; long courses are
#: therefore seen in their first three weeks only.
HISTORY_DAYS = 15
HDR_TEMPLATE: tuple = (
    "Cervix (HDR brachytherapy)",
    "HDR",
    "7",
    4,
    "alternate",
    "C53.9",
    "8070/3",
    [],
)


def _span(n: int, pattern: str) -> int:
    """Open days from a course's first to its last session."""
    if pattern == "alternate":
        return 2 * n - 1
    if pattern == "bid":
        return -(-n // 2)
    return n


def _today_sessions(n: int, pattern: str, offset: int) -> int:
    """Sessions today of a course that starts `offset` open days from today (<= 0: started)."""
    k = -offset
    if k < 0 or k >= _span(n, pattern):
        return 0
    if pattern == "alternate":
        return 1 if k % 2 == 0 else 0
    if pattern == "bid":
        return 2 if 2 * (k + 1) <= n else 1
    return 1


def _draw_weights() -> list[float]:
    """Draw weight of each template: its share of the courses that *start* (DAY_MIX) times the
    number of offsets it is drawn over (the days it can run today, at most HISTORY_DAYS, plus the
    AHEAD_DAYS it can start on). Drawing by DAY_MIX alone over-represented short courses among
    today's sessions (each drawn course of n fractions runs today with probability
    n / (n + AHEAD_DAYS)), so today had ~11% first fractions instead of the department's ~7%
    (one start per mean course of ~16 fractions)."""
    return [w * (min(_span(t[3], t[4]), HISTORY_DAYS) + AHEAD_DAYS) for t, w in DAY_MIX]


def _draw(rng: random.Random, target: int) -> list[tuple[int, tuple]]:
    """(start offset in open days, template) until today holds `target` sessions; the offsets
    are uniform over the days a course could run today or start within AHEAD_DAYS, so the next
    days hold about as many sessions as today, and the templates are drawn so that courses of
    each kind start as often as DAY_MIX says (`_draw_weights`). The first two courses start
    and finish today."""
    weights = _draw_weights()
    templates = [t for t, _w in DAY_MIX]
    out: list[tuple[int, tuple]] = []
    today = 0
    first = templates[0]
    out.append((0, first))  # starts today
    out.append((-(_span(first[3], first[4]) - 1), first))  # finishes today
    today += 2
    while today < target:
        t = rng.choices(templates, weights)[0]
        span = min(_span(t[3], t[4]), HISTORY_DAYS)
        offset = rng.randint(-(span - 1), AHEAD_DAYS)
        out.append((offset, t))
        today += _today_sessions(t[3], t[4], offset)
    return out


def today_mix(target: int, seed: int = 0) -> dict[str, float]:
    """What `_draw` puts on today at the policy's session lengths (no database): sessions, first
    fractions, booked minutes and the mean session. The demo's capacity arithmetic, tested."""
    drawn = _draw(random.Random(seed), target)
    sessions = firsts = minutes = 0
    for offset, t in drawn:
        k = _today_sessions(t[3], t[4], offset)
        sessions += k
        firsts += 1 if k and offset == 0 else 0
        minutes += k * policy.session_minutes(t[1], first=False) + (
            policy.FIRST_EXTRA_MIN if k and offset == 0 else 0
        )
    return {
        "courses": len(drawn),
        "sessions": sessions,
        "first_fractions": firsts,
        "minutes": minutes,
        "mean_session_min": minutes / sessions,
    }


def running_department(
    ctx: Any, staff: dict[str, list], counts: dict, *, today: dt.date, target: int | None = None
) -> None:
    """Courses under way today, started on past days and starting on the next ones, each booked
    through `services.courses_book` as of the day before its first session, then treated (every
    session before today recorded through `fraction_record_delivery`). `target` is the LINAC
    sessions drawn for today (default `TODAY_TARGET` of the demo's size; the load benchmark's
    seed passes its own, `demo.seed.running_day_top_up`)."""
    from oncocenter.radiotherapy import demo as rt_demo

    if not staff.get("radiation_oncologist") or not staff.get("dosimetrist"):
        return
    scheduler = staff["scheduler"][0]
    used = set(Course.objects.values_list("patient_id", flat=True))
    pool = [
        p
        for p in list(ctx.patients_by_center.get("radonc", []))
        + list(ctx.patients_by_center.get("esophageal", []))
        if p.pk not in used
    ]
    if len(pool) < 10:
        return
    clock, cpu = time.monotonic(), time.process_time()
    # wall and process CPU seconds per phase: the CPU ones do not depend on the machine's load
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    rng = random.Random(ctx.rng.random())
    drawn = _draw(rng, target or TODAY_TARGET.get(ctx.size, 24))[: len(set(pool))]
    seeder = rt_demo._Seeder(ctx)
    picker = rt_demo._PatientPicker(pool)
    linacs = [m for m in seeder.linacs if m.in_service]
    # open days around today: index 0 is today
    back = seeder.open_days_back(HISTORY_DAYS + 1, today)
    days = {i - (len(back) - 1): d for i, d in enumerate(back)}
    for k in range(1, AHEAD_DAYS + 1):
        days[k] = adapter.add_open_days(today, k)
    # the plan's machine: the capable LINAC with the fewest planned minutes a day so far
    load = {m.pk: 0.0 for m in linacs}
    groups: dict[dt.date, list[services.BookingRequest]] = {}
    made = 0
    for offset, t in sorted(drawn, key=lambda x: x[0]):
        patient = picker.for_site(t[5])
        if patient is None:
            break
        capable = [m for m in linacs if t[1] in m.technique_codes()]
        machine = min(capable, key=lambda m: (load[m.pk], m.code))
        load[machine.pk] += policy.session_minutes(t[1], first=False) * (2 if t[4] == "bid" else 1)
        start = days[offset]
        with rt_demo._clock(_at(_open_day_before(start), 11) - dt.timedelta(days=2)):
            course, rx = seeder.course(patient, t)
            rt.prescription_sign(prescription=rx, by=course.physician)
            plan = seeder.plan(rx, t, machine=machine)
            seeder.approve_and_check(rx, plan)
        groups.setdefault(start, []).append(services.BookingRequest(course, ready_date=start))
        made += 1
    hdr = seeder.hdr
    if hdr is not None and hdr.in_service:
        for k in (0, 0, 1, 2):
            patient = picker.for_site("C53.9")
            if patient is None:
                break
            start = days[k]
            with rt_demo._clock(_at(_open_day_before(start), 11) - dt.timedelta(days=2)):
                course, rx = seeder.course(patient, HDR_TEMPLATE)
                rt.prescription_sign(prescription=rx, by=course.physician)
                plan = rt.plan_create(
                    prescription=rx,
                    by=seeder.pick(seeder.physicists),
                    label=f"HDR-{rx.pk}",
                    machine=hdr,
                    fractions_planned=4,
                    dose_per_fraction_gy="7",
                )
                rt.plan_approve(plan=plan, by=course.physician)
                checker = next(p for p in seeder.physicists if p.pk != plan.planner_id)
                rt.physics_check_record(
                    plan=plan,
                    by=checker,
                    results={i.code: "pass" for i in checklist(ChecklistKind.INITIAL)},
                )
            groups.setdefault(start, []).append(services.BookingRequest(course, ready_date=start))
            made += 1
    seconds["prepare"] = round(time.monotonic() - clock, 1)
    cpu_seconds["prepare"] = round(time.process_time() - cpu, 1)
    # Book each start day's courses together, the evening before, in the order they happened.
    booked = refused = 0
    for start in sorted(groups):
        with _clock(_at(_open_day_before(start), 17)):
            try:
                services.courses_book(requests=groups[start], by=scheduler, time_limit=1.0)
                booked += len(groups[start])
            except DomainError:
                for r in groups[start]:  # one course the rules refuse does not hold the others
                    try:
                        services.courses_book(requests=[r], by=scheduler, time_limit=1.0)
                        booked += 1
                    except DomainError:
                        refused += 1
    seconds["book"] = round(time.monotonic() - clock - seconds["prepare"], 1)
    cpu_seconds["book"] = round(time.process_time() - cpu - cpu_seconds["prepare"], 1)
    # Treat every session booked before today, at its booked time, in order.
    rx_ids = [
        rx.pk for reqs in groups.values() for r in reqs for rx in r.course.prescriptions.all()
    ]
    past = Booking.objects.filter(
        prescription_id__in=rx_ids, status=BookingStatus.BOOKED, start__lt=_at(today, 0)
    )
    delivered, not_delivered = treat_bookings(past, staff)
    counts["running_department"] = {
        "courses": made,
        "booked": booked,
        "refused": refused,
        "delivered_before_today": delivered,
        "delivery_refused": not_delivered[:10],
        "seconds": {**seconds, "total": round(time.monotonic() - clock, 1)},
        "cpu_seconds": {**cpu_seconds, "total": round(time.process_time() - cpu, 1)},
    }


def treat_bookings(bookings: Any, staff: dict[str, list]) -> tuple[int, list[str]]:
    """Record the booked sessions of `bookings` as treated, at their booked time and machine, in
    time order, through the record-and-verify service (every interlock applies); an HDR session
    first gets its team (physician and a physicist other than the planner). Returns how many
    were recorded and why any was refused (a refused session stays booked)."""
    from oncocenter.radiotherapy.models import Fraction

    therapists = staff.get("radiation_therapist") or []
    physicists = staff.get("medical_physicist") or []
    done, refused = 0, []
    rows = bookings.select_related("fraction__plan", "machine", "patient", "prescription__course")
    for b in rows.order_by("start", "pk"):
        fraction = Fraction.objects.get(pk=b.fraction_id)
        with rt_clock(b.end):
            try:
                if b.technique == "HDR":
                    checker = next(p for p in physicists if p.pk != b.fraction.plan.planner_id)
                    rt.brachy_session_set(
                        fraction=fraction,
                        by=checker,
                        applicator="Tandem and ovoids",
                        room=b.machine.room or "BT-1",
                        afterloader=b.machine,
                        anesthesia=False,
                        physician_present=b.prescription.course.physician,
                        physicist_present=checker,
                    )
                rt.fraction_record_delivery(
                    fraction=fraction,
                    by=therapists[done % len(therapists)],
                    delivered_at=b.start + dt.timedelta(minutes=1),
                    machine=b.machine,
                    identifiers={
                        "mrn": b.patient.mrn,
                        "birth_date": b.patient.birth_date.isoformat(),
                    },
                )
                done += 1
            except DomainError as exc:
                refused.append(f"{b.machine.code} {b.start:%H:%M}: {exc.message}")
    return done, refused


def treat_finished_today(today: dt.date, staff: dict[str, list]) -> dict[str, Any]:
    """Record today's sessions that have already ended (the demo may be seeded at any hour) as
    treated, so the board shows the morning done when it is afternoon. Only when `today` is the
    calendar day: on a closed day the demo's today is the next open day, wholly in the future,
    and just after midnight nothing has ended yet (sessions start at opening time)."""
    now = timezone.now()
    if today != timezone.localdate():
        return {"treated": 0, "refused": []}
    finished = Booking.objects.filter(
        status=BookingStatus.BOOKED, start__gte=_at(today, 0), end__lte=now
    )
    done, refused = treat_bookings(finished, staff)
    return {"treated": done, "refused": refused[:10], "refused_count": len(refused)}
