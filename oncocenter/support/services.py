"""Writes of the support area. Each service checks its rules, then writes and audits atomically.

Rules come from ``calc`` (pure Python) and are turned into the project's typed errors here:
``ValidationFailed`` (422, names the field) for bad input and ``Conflict`` (409) when the current
state forbids the write (a room already taken).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from oncocenter.audit.context import current_context
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.support import calc, vocab
from oncocenter.support.calc import SupportRuleError
from oncocenter.support.models import (
    AidApplication,
    AidNeed,
    AidOrganisation,
    AidStatus,
    AidStatusChange,
    AttendanceSetting,
    AttendanceStatus,
    BereavementFollowUp,
    BodyMeasurement,
    ComplicationKind,
    GuardianBirthDate,
    GVHDEntry,
    GVHDKind,
    HSCTComplication,
    HSCTEpisode,
    HSCTStatus,
    InterventionOutcome,
    NeedsAssessment,
    PalliativeReferral,
    PalliativeStatus,
    PediatricProfile,
    PlaceOfCare,
    ReturnPlanStatus,
    ReturnToSchoolPlan,
    SchoolAttendance,
    SchoolClass,
    SchoolEnrollment,
    SchoolLevel,
    ShelterHouse,
    ShelterRoom,
    ShelterStay,
    ShelterWaitlistEntry,
    SocialCase,
    SocialIntervention,
    StayStatus,
    WaitlistStatus,
)


def _invalid(exc: SupportRuleError) -> ValidationFailed:
    return ValidationFailed.single(exc.field, exc.rule, exc.value)


def _choice(field: str, value: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise ValidationFailed.single(field, f"must be one of {', '.join(allowed)}", value)


def _required(field: str, value: Any) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed.single(field, "is required", value)


def _not_before_birth(field: str, value: dt.date | None, patient: Any) -> None:
    if value is not None and value < patient.birth_date:
        raise ValidationFailed.single(
            field, f"must not be before the birth date ({patient.birth_date.isoformat()})", value
        )


def _not_after(field: str, value: dt.date | None, later: dt.date | None, later_name: str) -> None:
    if value is not None and later is not None and later < value:
        raise ValidationFailed.single(
            later_name, f"must not be before {field.replace('_', ' ')} ({value.isoformat()})", later
        )


def _money(field: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed.single(field, "must be an amount in won", value) from None
    if amount != amount.to_integral_value():
        raise ValidationFailed.single(field, "must be whole won", value)
    return amount


def today() -> dt.date:
    return timezone.localdate()


# ============================================================================ pediatric profile
@transaction.atomic
def profile_set_sedation(
    *, patient: Any, sedation_required: bool, sedation_notes: str = ""
) -> PediatricProfile:
    """Record whether the child needs sedation; RT booking reads it as the anesthesia flag."""
    profile, _ = PediatricProfile.objects.select_for_update().get_or_create(patient=patient)
    before = profile.sedation_required
    profile.sedation_required = bool(sedation_required)
    profile.sedation_notes = (sedation_notes or "").strip()[:300]
    profile.save()
    audit_record(
        action="update",
        obj=profile,
        patient=patient,
        detail={"sedation_required": [before, profile.sedation_required]},
    )
    return profile


@transaction.atomic
def measurement_record(
    *,
    patient: Any,
    measured_on: dt.date,
    height: float,
    weight: float,
    height_unit: str = "cm",
    weight_unit: str = "kg",
    recorded_by: Any = None,
) -> tuple[BodyMeasurement, tuple[str, ...]]:
    """Store height and weight and the Mosteller BSA; returns plausibility warnings too."""
    _required("measured_on", measured_on)
    _not_before_birth("measured_on", measured_on, patient)
    if measured_on > today():
        raise ValidationFailed.single("measured_on", "must not be in the future", measured_on)
    try:
        age = calc.age_in_years(patient.birth_date, measured_on)
        result = calc.bsa_mosteller(
            height=height,
            weight=weight,
            height_unit=height_unit,
            weight_unit=weight_unit,
            age_years=age,
        )
    except SupportRuleError as exc:
        raise _invalid(exc) from None
    m = BodyMeasurement.objects.create(
        patient=patient,
        measured_on=measured_on,
        height_cm=Decimal(str(result.height_cm)),
        weight_kg=Decimal(str(result.weight_kg)),
        bsa_m2=Decimal(str(result.bsa_m2)),
        recorded_by=recorded_by,
    )
    audit_record(action="create", obj=m, patient=patient, detail={"bsa_m2": result.bsa_m2})
    return m, result.warnings


# ============================================================================ HSCT
HSCT_FIELDS = (
    "indication",
    "donor_type",
    "stem_cell_source",
    "hla_match",
    "conditioning_regimen",
    "conditioning_details",
    "conditioning_start",
    "day0",
    "neutrophil_engraftment_on",
    "platelet_engraftment_on",
    "status",
    "notes",
)


def _hsct_check(e: HSCTEpisode) -> None:
    _required("indication", e.indication)
    _choice("donor_type", e.donor_type, [d["code"] for d in vocab.donor_types()])
    if e.stem_cell_source:
        _choice(
            "stem_cell_source",
            e.stem_cell_source,
            [s["code"] for s in vocab.load("donor_types.json")["stem_cell_sources"]],
        )
    if e.conditioning_regimen:
        _choice(
            "conditioning_regimen",
            e.conditioning_regimen,
            [r["code"] for r in vocab.conditioning_regimens()],
        )
    _choice("status", e.status, HSCTStatus.values)
    if e.donor_type == "autologous":
        if e.hla_match:
            raise ValidationFailed.single(
                "hla_match", "does not apply to an autologous transplant", e.hla_match
            )
    elif e.hla_match:
        try:
            calc.parse_hla_match(e.hla_match)
        except SupportRuleError as exc:
            raise _invalid(exc) from None
        e.hla_match = e.hla_match.strip()
    for f in ("conditioning_start", "day0", "neutrophil_engraftment_on", "platelet_engraftment_on"):
        _not_before_birth(f, getattr(e, f), e.patient)
    if e.conditioning_start and e.day0 and e.conditioning_start > e.day0:
        raise ValidationFailed.single(
            "conditioning_start",
            f"must not be after day 0 ({e.day0.isoformat()})",
            e.conditioning_start,
        )
    try:
        calc.check_engraftment(day0=e.day0, engraftment_date=e.neutrophil_engraftment_on)
    except SupportRuleError as exc:
        raise _invalid(exc) from None
    if e.platelet_engraftment_on and (e.day0 is None or e.platelet_engraftment_on < e.day0):
        raise ValidationFailed.single(
            "platelet_engraftment_on", "must not be before day 0", e.platelet_engraftment_on
        )
    if e.status in (HSCTStatus.INFUSED, HSCTStatus.ENGRAFTED) and e.day0 is None:
        raise ValidationFailed.single("day0", f"is required when the status is {e.status}", None)
    if e.status == HSCTStatus.ENGRAFTED and e.neutrophil_engraftment_on is None:
        raise ValidationFailed.single(
            "neutrophil_engraftment_on", "is required when the status is engrafted", None
        )


def _sync_treatment_episode(episode: HSCTEpisode) -> None:
    """Keep the generic treatment timeline (oncology.TreatmentEpisode, modality hsct) in step.

    The row starts with conditioning (or day 0) once that date has come; it is created through
    the oncology service, which refuses future dates, and later kept in step here.
    """
    from oncocenter.oncology.models import TreatmentEpisode
    from oncocenter.oncology.services import treatment_episode_create

    source = f"support.hsct:{episode.pk}"
    start = episode.conditioning_start or episode.day0
    existing = TreatmentEpisode.objects.filter(source=source).first()
    description = f"HSCT ({episode.get_donor_type_display()}): {episode.indication}"[:300]
    if episode.status in (HSCTStatus.CANCELLED, HSCTStatus.ENTERED_IN_ERROR) or start is None:
        if existing is not None:
            existing.delete()
        return
    if existing is not None:
        existing.started_on = start
        existing.description = description
        existing.save(update_fields=["started_on", "description", "updated_at"])
    elif start <= today():
        treatment_episode_create(
            patient=episode.patient,
            by=current_context().user,  # temporary: the HSCT services get a `by` in the split
            modality="hsct",
            started_on=start,
            description=description,
            source=source,
        )


@transaction.atomic
def hsct_episode_create(*, patient: Any, **fields: Any) -> HSCTEpisode:
    """Create an HSCT episode; engraftment not before day 0, HLA only for allogeneic."""
    unknown = set(fields) - set(HSCT_FIELDS)
    if unknown:
        raise ValidationFailed.single(sorted(unknown)[0], "is not a field of an HSCT episode")
    episode = HSCTEpisode(patient=patient, **{k: v for k, v in fields.items() if v is not None})
    for f in (
        "hla_match",
        "stem_cell_source",
        "conditioning_regimen",
        "conditioning_details",
        "notes",
    ):
        if getattr(episode, f) is None:
            setattr(episode, f, "")
    _hsct_check(episode)
    episode.save()
    _sync_treatment_episode(episode)
    audit_record(
        action="create", obj=episode, patient=patient, detail={"donor_type": episode.donor_type}
    )
    return episode


@transaction.atomic
def hsct_episode_update(*, episode: HSCTEpisode, **fields: Any) -> HSCTEpisode:
    unknown = set(fields) - set(HSCT_FIELDS)
    if unknown:
        raise ValidationFailed.single(sorted(unknown)[0], "is not a field of an HSCT episode")
    episode = HSCTEpisode.objects.select_for_update().get(pk=episode.pk)
    changed = {}
    for k, v in fields.items():
        if v is None and k in (
            "hla_match",
            "stem_cell_source",
            "conditioning_regimen",
            "conditioning_details",
            "notes",
        ):
            v = ""
        if getattr(episode, k) != v:
            changed[k] = [getattr(episode, k), v]
            setattr(episode, k, v)
    _hsct_check(episode)
    episode.save()
    _sync_treatment_episode(episode)
    audit_record(action="update", obj=episode, patient=episode.patient, detail={"changed": changed})
    return episode


@transaction.atomic
def gvhd_entry_add(
    *,
    episode: HSCTEpisode,
    kind: str,
    organ: str,
    stage: int,
    observed_on: dt.date,
    notes: str = "",
) -> GVHDEntry:
    """One organ stage (acute, MAGIC) or score (chronic, NIH) on a date after day 0."""
    _choice("kind", kind, GVHDKind.values)
    organs = [o["code"] for o in vocab.gvhd()[kind]["organs"]]
    _choice("organ", organ, organs)
    top = (
        3
        if kind == "chronic"
        else next(o["max_stage"] for o in vocab.gvhd()["acute"]["organs"] if o["code"] == organ)
    )
    if not isinstance(stage, int) or not 0 <= stage <= top:
        raise ValidationFailed.single("stage", f"must be 0-{top} for {kind} {organ}", stage)
    _required("observed_on", observed_on)
    if episode.day0 is None or observed_on < episode.day0:
        raise ValidationFailed.single(
            "observed_on", "GVHD is recorded after day 0 (set day 0 first)", observed_on
        )
    entry = GVHDEntry.objects.create(
        episode=episode, kind=kind, organ=organ, stage=stage, observed_on=observed_on, notes=notes
    )
    audit_record(
        action="create",
        obj=entry,
        patient=episode.patient,
        detail={"kind": kind, "organ": organ, "stage": stage},
    )
    return entry


@transaction.atomic
def hsct_complication_add(
    *,
    episode: HSCTEpisode,
    kind: str,
    onset_on: dt.date,
    grade: int | None = None,
    resolved_on: dt.date | None = None,
    description: str = "",
) -> HSCTComplication:
    _choice("kind", kind, ComplicationKind.values)
    _required("onset_on", onset_on)
    _not_before_birth("onset_on", onset_on, episode.patient)
    if grade is not None and not 1 <= grade <= 5:
        raise ValidationFailed.single("grade", "CTCAE grade must be 1-5", grade)
    _not_after("onset_on", onset_on, resolved_on, "resolved_on")
    c = HSCTComplication.objects.create(
        episode=episode,
        kind=kind,
        onset_on=onset_on,
        grade=grade,
        resolved_on=resolved_on,
        description=description,
    )
    audit_record(action="create", obj=c, patient=episode.patient, detail={"kind": kind})
    return c


# ============================================================================ hospital school
@transaction.atomic
def school_class_create(
    *, name: str, level: str, teacher: Any = None, room: str = "", schedule: str = ""
) -> SchoolClass:
    _required("name", name)
    _choice("level", level, SchoolLevel.values)
    c = SchoolClass.objects.create(
        name=name.strip(), level=level, teacher=teacher, room=room, schedule=schedule
    )
    audit_record(action="create", obj=c)
    return c


@transaction.atomic
def school_enroll(
    *,
    patient: Any,
    school_class: SchoolClass,
    enrolled_on: dt.date,
    home_school: str = "",
    home_grade: str = "",
) -> SchoolEnrollment:
    _required("enrolled_on", enrolled_on)
    _not_before_birth("enrolled_on", enrolled_on, patient)
    if not school_class.active:
        raise ValidationFailed.single("school_class", "the class is closed", school_class.pk)
    if SchoolEnrollment.objects.filter(
        patient=patient, school_class=school_class, ended_on__isnull=True
    ).exists():
        raise Conflict(
            "The child is already enrolled in this class.",
            rule="already_enrolled",
            problems=[FieldProblem("school_class", "already enrolled", school_class.pk)],
        )
    e = SchoolEnrollment.objects.create(
        patient=patient,
        school_class=school_class,
        enrolled_on=enrolled_on,
        home_school=home_school.strip(),
        home_grade=home_grade.strip(),
    )
    audit_record(action="create", obj=e, patient=patient, detail={"class": school_class.name})
    return e


@transaction.atomic
def school_enrollment_end(*, enrollment: SchoolEnrollment, ended_on: dt.date) -> SchoolEnrollment:
    _required("ended_on", ended_on)
    _not_after("enrolled_on", enrollment.enrolled_on, ended_on, "ended_on")
    enrollment.ended_on = ended_on
    enrollment.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        action="update", obj=enrollment, patient=enrollment.patient, detail={"ended_on": ended_on}
    )
    return enrollment


@transaction.atomic
def school_attendance_record(
    *,
    enrollment: SchoolEnrollment,
    on: dt.date,
    status: str,
    setting: str = "classroom",
    during_admission: bool | None = None,
    minutes: int = 0,
    note: str = "",
) -> SchoolAttendance:
    """One row per child, class and day; recording again the same day replaces it.

    ``during_admission`` left empty is taken from the admissions of the clinics area (if that
    area is installed): a lesson on a day the child was an inpatient counts as "during admission".
    """
    from oncocenter.support.selectors import admitted_on

    if during_admission is None:
        during_admission = bool(admitted_on(enrollment.patient, on))
    _required("on", on)
    _choice("status", status, AttendanceStatus.values)
    _choice("setting", setting, AttendanceSetting.values)
    if on < enrollment.enrolled_on or (enrollment.ended_on and on > enrollment.ended_on):
        raise ValidationFailed.single("on", "must be within the enrollment period", on)
    if on > today():
        raise ValidationFailed.single("on", "must not be in the future", on)
    if minutes is None or not 0 <= minutes <= 600:
        raise ValidationFailed.single("minutes", "must be 0-600", minutes)
    if status != AttendanceStatus.PRESENT and minutes:
        raise ValidationFailed.single("minutes", "must be 0 when the child was absent", minutes)
    a, created = SchoolAttendance.objects.update_or_create(
        enrollment=enrollment,
        on=on,
        defaults={
            "status": status,
            "setting": setting,
            "during_admission": during_admission,
            "minutes": minutes,
            "note": note,
        },
    )
    audit_record(
        action="create" if created else "update",
        obj=a,
        patient=enrollment.patient,
        detail={"status": status},
    )
    return a


@transaction.atomic
def return_plan_save(
    *,
    enrollment: SchoolEnrollment,
    planned_return_on: dt.date | None = None,
    school_contact: str = "",
    accommodations: str = "",
    status: str = "draft",
) -> ReturnToSchoolPlan:
    _choice("status", status, ReturnPlanStatus.values)
    if planned_return_on is not None and planned_return_on < enrollment.enrolled_on:
        raise ValidationFailed.single(
            "planned_return_on",
            "must not be before the hospital-school enrollment",
            planned_return_on,
        )
    if status == ReturnPlanStatus.SHARED and not school_contact.strip():
        raise ValidationFailed.single(
            "school_contact", "is required to share the plan with the school"
        )
    plan, _ = ReturnToSchoolPlan.objects.update_or_create(
        enrollment=enrollment,
        defaults={
            "planned_return_on": planned_return_on,
            "school_contact": school_contact.strip(),
            "accommodations": accommodations,
            "status": status,
        },
    )
    audit_record(action="update", obj=plan, patient=enrollment.patient, detail={"status": status})
    return plan


# ============================================================================ aid associations
@transaction.atomic
def aid_organisation_create(
    *, name: str, contact: str = "", support_types: str = ""
) -> AidOrganisation:
    _required("name", name)
    if AidOrganisation.objects.filter(name=name.strip()).exists():
        raise ValidationFailed.single("name", "an organisation with this name exists", name)
    org = AidOrganisation.objects.create(
        name=name.strip(), contact=contact, support_types=support_types
    )
    audit_record(action="create", obj=org)
    return org


def _documents(documents: Iterable[str] | None) -> list[str]:
    codes = [d["code"] for d in vocab.aid_documents()]
    docs = list(dict.fromkeys(documents or []))
    for d in docs:
        _choice("documents", d, codes)
    return docs


@transaction.atomic
def aid_application_create(
    *,
    patient: Any,
    organisation: AidOrganisation,
    need: str,
    amount_requested: Any,
    need_description: str = "",
    documents: Iterable[str] | None = None,
    created_by: Any = None,
) -> AidApplication:
    _choice("need", need, AidNeed.values)
    if not organisation.active:
        raise ValidationFailed.single(
            "organisation", "the organisation is inactive", organisation.pk
        )
    requested = _money("amount_requested", amount_requested)
    if requested is None:
        raise ValidationFailed.single("amount_requested", "is required")
    try:
        calc.check_aid_amounts(requested=requested, granted=None, note=None)
    except SupportRuleError as exc:
        raise _invalid(exc) from None
    app = AidApplication.objects.create(
        patient=patient,
        organisation=organisation,
        need=need,
        need_description=need_description,
        amount_requested=requested,
        documents=_documents(documents),
        created_by=created_by,
    )
    audit_record(action="create", obj=app, patient=patient, detail={"amount_requested": requested})
    return app


@transaction.atomic
def aid_application_set_documents(
    *, application: AidApplication, documents: Iterable[str]
) -> AidApplication:
    app = AidApplication.objects.select_for_update().get(pk=application.pk)
    if app.status in calc.AID_TERMINAL:
        raise Conflict(f"The application is {app.status}.", rule="aid_final")
    app.documents = _documents(documents)
    app.save(update_fields=["documents", "updated_at"])
    audit_record(action="update", obj=app, patient=app.patient, detail={"documents": app.documents})
    return app


@transaction.atomic
def aid_application_transition(
    *,
    application: AidApplication,
    to_status: str,
    amount_granted: Any = None,
    decision_note: str = "",
    on: dt.date | None = None,
    by: Any = None,
) -> AidApplication:
    """Move along the status flow. Granting needs an amount; above the request, a note too."""
    app = AidApplication.objects.select_for_update().get(pk=application.pk)
    _choice("status", to_status, AidStatus.values)
    try:
        calc.check_aid_transition(app.status, to_status)
        if to_status == AidStatus.SUBMITTED:
            calc.check_aid_submission(app.documents)
    except SupportRuleError as exc:
        raise _invalid(exc) from None
    on = on or today()
    note = (decision_note or "").strip()
    if to_status == AidStatus.GRANTED:
        granted = _money("amount_granted", amount_granted)
        if granted is None:
            raise ValidationFailed.single("amount_granted", "is required to grant an application")
        if granted <= 0:
            raise ValidationFailed.single(
                "amount_granted", "must be greater than 0 (reject instead)", granted
            )
        try:
            calc.check_aid_amounts(requested=app.amount_requested, granted=granted, note=note)
        except SupportRuleError as exc:
            raise _invalid(exc) from None
        app.amount_granted = granted
        app.decided_on = on
        app.decision_note = note[:300]
    elif amount_granted not in (None, ""):
        raise ValidationFailed.single(
            "amount_granted", "is only given when granting", amount_granted
        )
    if to_status == AidStatus.REJECTED:
        app.decided_on = on
        app.decision_note = note[:300]
    if to_status == AidStatus.SUBMITTED and app.submitted_on is None:
        app.submitted_on = on
    before = app.status
    app.status = to_status
    app.save()
    AidStatusChange.objects.create(
        application=app, from_status=before, to_status=to_status, by=by, note=note[:300]
    )
    audit_record(
        action="update",
        obj=app,
        patient=app.patient,
        detail={"status": [before, to_status], "amount_granted": app.amount_granted},
    )
    return app


# ============================================================================ family shelter
@transaction.atomic
def shelter_house_create(*, name: str, address: str = "") -> ShelterHouse:
    _required("name", name)
    if ShelterHouse.objects.filter(name=name.strip()).exists():
        raise ValidationFailed.single("name", "a house with this name exists", name)
    h = ShelterHouse.objects.create(name=name.strip(), address=address)
    audit_record(action="create", obj=h)
    return h


@transaction.atomic
def shelter_room_create(*, house: ShelterHouse, number: str, capacity: int) -> ShelterRoom:
    _required("number", number)
    if capacity is None or capacity < 1:
        raise ValidationFailed.single("capacity", "must be at least 1", capacity)
    if ShelterRoom.objects.filter(house=house, number=number.strip()).exists():
        raise ValidationFailed.single("number", "this room number exists in the house", number)
    r = ShelterRoom.objects.create(house=house, number=number.strip(), capacity=capacity)
    audit_record(action="create", obj=r)
    return r


def _room_stays(room: ShelterRoom, exclude_pk: int | None = None) -> list[calc.StaySpan]:
    qs = ShelterStay.objects.filter(room=room).exclude(status=StayStatus.CANCELLED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return [calc.StaySpan(s.pk, s.check_in, s.check_out) for s in qs]


@transaction.atomic
def shelter_check_in(
    *,
    room: ShelterRoom,
    patient: Any,
    guests: int,
    check_in: dt.date,
    check_out: dt.date | None = None,
    waitlist_entry: ShelterWaitlistEntry | None = None,
) -> ShelterStay:
    """Give a room to a family. The room row is locked, so concurrent check-ins queue.

    Rules: check-out after check-in, guests within capacity, no shared night with another stay
    in the room. The database holds the same rules (constraints; on PostgreSQL also an
    exclusion on date ranges), so even a writer that skipped this service cannot break them.
    """
    _required("check_in", check_in)
    try:
        calc.check_stay_dates(check_in=check_in, check_out=check_out)
    except SupportRuleError as exc:
        raise _invalid(exc) from None
    locked = ShelterRoom.objects.select_for_update().get(pk=room.pk)
    if not locked.active:
        raise ValidationFailed.single("room", "the room is out of service", room.pk)
    try:
        calc.check_party_size(guests=guests, capacity=locked.capacity)
    except SupportRuleError as exc:
        raise _invalid(exc) from None
    try:
        calc.check_no_overlap(check_in=check_in, check_out=check_out, existing=_room_stays(locked))
    except SupportRuleError as exc:
        raise Conflict(
            "The room is not free for these nights.",
            rule="room_occupied",
            problems=[FieldProblem(exc.field, exc.rule, exc.value)],
        ) from None
    try:
        with transaction.atomic():
            stay = ShelterStay.objects.create(
                room=locked,
                patient=patient,
                guests=guests,
                room_capacity=locked.capacity,
                check_in=check_in,
                check_out=check_out,
            )
    except IntegrityError:
        raise Conflict(
            "The room is not free for these nights.",
            rule="room_occupied",
            problems=[FieldProblem("check_in", "room is already occupied", check_in)],
        ) from None
    if waitlist_entry is not None:
        entry = ShelterWaitlistEntry.objects.select_for_update().get(pk=waitlist_entry.pk)
        if entry.patient_id != patient.pk:
            raise ValidationFailed.single("waitlist_entry", "belongs to another child", entry.pk)
        entry.status = WaitlistStatus.HOUSED
        entry.stay = stay
        entry.save(update_fields=["status", "stay", "updated_at"])
    audit_record(
        action="create",
        obj=stay,
        patient=patient,
        detail={
            "room": str(locked),
            "check_in": check_in,
            "check_out": check_out,
            "guests": guests,
        },
    )
    return stay


@transaction.atomic
def shelter_check_out(*, stay: ShelterStay, check_out: dt.date) -> ShelterStay:
    _required("check_out", check_out)
    ShelterRoom.objects.select_for_update().get(pk=stay.room_id)
    stay = ShelterStay.objects.select_for_update().get(pk=stay.pk)
    if stay.status != StayStatus.ACTIVE:
        raise Conflict(f"The stay is {stay.status}.", rule="stay_not_active")
    try:
        calc.check_stay_dates(check_in=stay.check_in, check_out=check_out)
        calc.check_no_overlap(
            check_in=stay.check_in, check_out=check_out, existing=_room_stays(stay.room, stay.pk)
        )
    except SupportRuleError as exc:
        raise _invalid(exc) from None
    stay.check_out = check_out
    stay.status = StayStatus.CHECKED_OUT
    stay.save(update_fields=["check_out", "status", "updated_at"])
    audit_record(action="update", obj=stay, patient=stay.patient, detail={"check_out": check_out})
    return stay


@transaction.atomic
def waitlist_add(
    *,
    patient: Any,
    requested_on: dt.date,
    distance_km: int,
    financial_need: str,
    treatment_intensity: str,
    guests: int = 2,
    notes: str = "",
) -> ShelterWaitlistEntry:
    data = vocab.shelter_ranking()
    _required("requested_on", requested_on)
    if distance_km is None or distance_km < 0:
        raise ValidationFailed.single("distance_km", "must be 0 or more", distance_km)
    _choice("financial_need", financial_need, [lv["code"] for lv in data["financial_need_levels"]])
    _choice(
        "treatment_intensity",
        treatment_intensity,
        [lv["code"] for lv in data["treatment_intensity_levels"]],
    )
    if guests is None or guests < 1:
        raise ValidationFailed.single("guests", "must be at least 1", guests)
    if ShelterWaitlistEntry.objects.filter(patient=patient, status=WaitlistStatus.WAITING).exists():
        raise Conflict(
            "The family is already on the waitlist.",
            rule="already_waiting",
            problems=[FieldProblem("patient", "already waiting", patient.pk)],
        )
    entry = ShelterWaitlistEntry.objects.create(
        patient=patient,
        requested_on=requested_on,
        distance_km=distance_km,
        financial_need=financial_need,
        treatment_intensity=treatment_intensity,
        guests=guests,
        notes=notes,
    )
    audit_record(action="create", obj=entry, patient=patient)
    return entry


@transaction.atomic
def waitlist_withdraw(*, entry: ShelterWaitlistEntry) -> ShelterWaitlistEntry:
    if entry.status != WaitlistStatus.WAITING:
        raise Conflict(f"The entry is {entry.status}.", rule="not_waiting")
    entry.status = WaitlistStatus.WITHDRAWN
    entry.save(update_fields=["status", "updated_at"])
    audit_record(action="update", obj=entry, patient=entry.patient, detail={"status": "withdrawn"})
    return entry


# ============================================================================ palliative care
@transaction.atomic
def palliative_refer(
    *, patient: Any, referred_on: dt.date, reason: str, referred_by: Any = None
) -> PalliativeReferral:
    _required("reason", reason)
    _required("referred_on", referred_on)
    _not_before_birth("referred_on", referred_on, patient)
    if PalliativeReferral.objects.filter(
        patient=patient, status__in=[PalliativeStatus.REQUESTED, PalliativeStatus.ACTIVE]
    ).exists():
        raise Conflict(
            "The child already has an open palliative care referral.",
            rule="palliative_open",
            problems=[FieldProblem("patient", "open referral exists", patient.pk)],
        )
    r = PalliativeReferral.objects.create(
        patient=patient, referred_on=referred_on, reason=reason.strip(), referred_by=referred_by
    )
    audit_record(action="create", obj=r, patient=patient)
    return r


PALLIATIVE_FLOW = {
    "requested": {"active", "declined"},
    "active": {"closed"},
    "declined": set(),
    "closed": set(),
}


@transaction.atomic
def palliative_update(
    *,
    referral: PalliativeReferral,
    status: str | None = None,
    goals_of_care: str | None = None,
    symptom_plan: str | None = None,
    advance_care_planning: str | None = None,
    place_of_care: str | None = None,
    decline_reason: str | None = None,
) -> PalliativeReferral:
    r = PalliativeReferral.objects.select_for_update().get(pk=referral.pk)
    changed: dict[str, Any] = {}
    if status is not None and status != r.status:
        _choice("status", status, PalliativeStatus.values)
        if status not in PALLIATIVE_FLOW[r.status]:
            raise ValidationFailed.single(
                "status", f"cannot go from {r.status} to {status}", status
            )
        if status == PalliativeStatus.DECLINED and not (decline_reason or "").strip():
            raise ValidationFailed.single("decline_reason", "is required to decline a referral")
        changed["status"] = [r.status, status]
        r.status = status
    if place_of_care is not None:
        _choice("place_of_care", place_of_care, PlaceOfCare.values)
        r.place_of_care = place_of_care
    for f, v in (
        ("goals_of_care", goals_of_care),
        ("symptom_plan", symptom_plan),
        ("advance_care_planning", advance_care_planning),
        ("decline_reason", decline_reason),
    ):
        if v is not None:
            setattr(r, f, v.strip())
            changed[f] = True
    r.save()
    audit_record(action="update", obj=r, patient=r.patient, detail=changed)
    return r


@transaction.atomic
def bereavement_plan(
    *, referral: PalliativeReferral, planned_on: dt.date, kind: str, notes: str = ""
) -> BereavementFollowUp:
    _choice("kind", kind, ["call", "visit", "letter", "memorial"])
    _required("planned_on", planned_on)
    if referral.patient.deceased_on is None:
        raise ValidationFailed.single(
            "planned_on",
            "bereavement follow-up needs the child's date of death recorded",
            planned_on,
        )
    if planned_on < referral.patient.deceased_on:
        raise ValidationFailed.single(
            "planned_on", "must not be before the date of death", planned_on
        )
    b = BereavementFollowUp.objects.create(
        referral=referral, planned_on=planned_on, kind=kind, notes=notes
    )
    audit_record(action="create", obj=b, patient=referral.patient)
    return b


@transaction.atomic
def bereavement_done(
    *, followup: BereavementFollowUp, done_on: dt.date, notes: str = ""
) -> BereavementFollowUp:
    _required("done_on", done_on)
    followup.done_on = done_on
    if notes:
        followup.notes = notes
    followup.save()
    audit_record(action="update", obj=followup, patient=followup.referral.patient)
    return followup


# ============================================================================ social work
@transaction.atomic
def social_case_open(*, patient: Any, social_worker: Any, opened_on: dt.date) -> SocialCase:
    _required("opened_on", opened_on)
    _required("social_worker", social_worker)
    roles = set(social_worker.role_assignments.values_list("role", flat=True))
    if "social_worker" not in roles:
        raise ValidationFailed.single(
            "social_worker", "must have the social worker role", social_worker.pk
        )
    if SocialCase.objects.filter(patient=patient, closed_on__isnull=True).exists():
        raise Conflict(
            "The family already has an open social work case.",
            rule="case_open",
            problems=[FieldProblem("patient", "open case exists", patient.pk)],
        )
    case = SocialCase.objects.create(
        patient=patient, social_worker=social_worker, opened_on=opened_on
    )
    audit_record(action="create", obj=case, patient=patient)
    return case


@transaction.atomic
def social_case_close(*, case: SocialCase, closed_on: dt.date) -> SocialCase:
    _required("closed_on", closed_on)
    _not_after("opened_on", case.opened_on, closed_on, "closed_on")
    case.closed_on = closed_on
    case.save(update_fields=["closed_on", "updated_at"])
    audit_record(action="update", obj=case, patient=case.patient)
    return case


@transaction.atomic
def needs_assessment_record(
    *, case: SocialCase, assessed_on: dt.date, levels: dict[str, str], summary: str = ""
) -> NeedsAssessment:
    """Rate each need domain (financial, housing, schooling, psychological, ...)."""
    _required("assessed_on", assessed_on)
    domains = [d["code"] for d in vocab.social_work_domains()]
    level_codes = [lv["code"] for lv in vocab.load("social_work_domains.json")["levels"]]
    if not levels:
        raise ValidationFailed.single("levels", "rate at least one need domain")
    for domain, level in levels.items():
        _choice("levels", domain, domains)
        _choice(f"levels.{domain}", level, level_codes)
    if assessed_on < case.opened_on:
        raise ValidationFailed.single(
            "assessed_on", "must not be before the case was opened", assessed_on
        )
    a = NeedsAssessment.objects.create(
        case=case, assessed_on=assessed_on, levels=dict(levels), summary=summary
    )
    audit_record(action="create", obj=a, patient=case.patient)
    return a


@transaction.atomic
def intervention_add(
    *, case: SocialCase, domain: str, description: str, started_on: dt.date
) -> SocialIntervention:
    _choice("domain", domain, [d["code"] for d in vocab.social_work_domains()])
    _required("description", description)
    _required("started_on", started_on)
    i = SocialIntervention.objects.create(
        case=case, domain=domain, description=description.strip(), started_on=started_on
    )
    audit_record(action="create", obj=i, patient=case.patient)
    return i


@transaction.atomic
def intervention_record_outcome(
    *,
    intervention: SocialIntervention,
    outcome: str,
    outcome_note: str = "",
    completed_on: dt.date | None = None,
) -> SocialIntervention:
    _choice("outcome", outcome, InterventionOutcome.values)
    if outcome != InterventionOutcome.PENDING and completed_on is None:
        raise ValidationFailed.single("completed_on", "is required with a final outcome")
    _not_after("started_on", intervention.started_on, completed_on, "completed_on")
    intervention.outcome = outcome
    intervention.outcome_note = outcome_note
    intervention.completed_on = completed_on
    intervention.save()
    audit_record(
        action="update",
        obj=intervention,
        patient=intervention.case.patient,
        detail={"outcome": outcome},
    )
    return intervention


# ============================================================================ guardians
def guardian_check_adult(*, birth_date: dt.date | None, on: dt.date | None = None) -> None:
    """A guardian who consents for a child must be an adult (19 in Korea)."""
    try:
        calc.check_guardian_adult(guardian_birth_date=birth_date, on=on or today())
    except SupportRuleError as exc:
        raise _invalid(exc) from None


def guardian_register(
    *,
    patient: Any,
    name_ko: str,
    relationship: str,
    birth_date: dt.date,
    phone: str = "",
    is_legal_representative: bool = True,
) -> Any:
    """Add a guardian through the patients app, refusing a minor as legal representative.

    The patients app's ``guardian_add`` checks name, relationship and phone; it has no birth date,
    so the adult rule lives here and the date is kept in ``GuardianBirthDate``.
    """
    from oncocenter.patients.services_record import guardian_add

    _required("birth_date", birth_date)
    if birth_date > today():
        raise ValidationFailed.single("birth_date", "must not be in the future", birth_date)
    if is_legal_representative:
        try:
            calc.check_guardian_adult(guardian_birth_date=birth_date, on=today())
        except SupportRuleError as exc:
            raise ValidationFailed.single("birth_date", exc.rule, birth_date) from None
    with transaction.atomic():
        guardian = guardian_add(
            patient=patient,
            name_ko=name_ko,
            relationship=relationship,
            phone=phone,
            birth_date=birth_date,
            is_legal_representative=is_legal_representative,
        )
        GuardianBirthDate.objects.create(guardian=guardian, birth_date=birth_date)
    return guardian
