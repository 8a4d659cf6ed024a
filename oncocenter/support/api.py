"""JSON API of the support area (mounted at /api/support/). Thin: parse, check permission, call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.patients.selectors import patient_get
from oncocenter.support import calc, selectors, services
from oncocenter.support.models import (
    AidApplication,
    AidOrganisation,
    BereavementFollowUp,
    HSCTEpisode,
    PalliativeReferral,
    SchoolClass,
    SchoolEnrollment,
    ShelterHouse,
    ShelterRoom,
    ShelterStay,
    ShelterWaitlistEntry,
    SocialCase,
    SocialIntervention,
)
from oncocenter.support.schemas import (
    AidDocumentsIn,
    AidIn,
    AidOut,
    AidSummaryOut,
    AidTransitionIn,
    AssessmentIn,
    AttendanceIn,
    BereavementIn,
    CaseloadOut,
    CheckOutIn,
    CloseIn,
    ComplicationIn,
    CreatedOut,
    DoneIn,
    EnrollmentIn,
    EnrollmentOut,
    GuardianIn,
    GVHDIn,
    HouseIn,
    HSCTDayOut,
    HSCTDetailOut,
    HSCTIn,
    HSCTOut,
    HSCTPatch,
    IcccReportOut,
    InterventionIn,
    MeasurementIn,
    MeasurementOut,
    OrganisationIn,
    OrganisationOut,
    OutcomeIn,
    PalliativeIn,
    PalliativeOut,
    PalliativePatch,
    PediatricOut,
    ReturnPlanIn,
    RoomIn,
    RoomOut,
    SchoolClassIn,
    SchoolClassOut,
    SedationIn,
    ServiceUseOut,
    SocialCaseIn,
    StayIn,
    StayOut,
    WaitlistIn,
    WaitlistOut,
)

router = Router(tags=["support"])


def _patient(mrn: str, what: str) -> Any:
    """Fetch the child and audit that this part of the record was read."""
    patient = patient_get(mrn=mrn, audit=False)
    audit_record(action="read", patient=patient, object_type=f"support.{what}", object_id=mrn)
    return patient


def _get(model: Any, pk: int) -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"No {model._meta.verbose_name} with id {pk}.")
    return obj


def _measurement_out(m: Any, warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "id": m.pk,
        "measured_on": m.measured_on,
        "height_cm": m.height_cm,
        "weight_kg": m.weight_kg,
        "bsa_m2": m.bsa_m2,
        "warnings": list(warnings),
    }


# ============================================================================ pediatric profile
@router.get("/patients/{mrn}/pediatric", response=PediatricOut)
def pediatric_record(request: HttpRequest, mrn: str):
    """Pediatric summary: sedation, latest height/weight/BSA with date, Lansky, ICCC-3 groups."""
    require(request.user, "support.pediatric.view")
    patient = _patient(mrn, "pediatric")
    profile = getattr(patient, "pediatric_profile", None)
    m = selectors.latest_measurement(patient)
    lansky = selectors.latest_lansky(patient)
    return {
        "mrn": patient.mrn,
        "age_years": patient.age_on(timezone.localdate()),
        "sedation_required": bool(profile and profile.sedation_required),
        "sedation_notes": profile.sedation_notes if profile else "",
        "latest_measurement": _measurement_out(m) if m else None,
        "lansky_score": lansky["score"] if lansky else None,
        "lansky_text": lansky["text"] if lansky else "",
        "diagnoses": [
            {k: d[k] for k in ("text", "icd10_code", "diagnosed_on", "iccc_group", "iccc_label")}
            for d in selectors.childhood_diagnoses(patient)
        ],
    }


@router.put("/patients/{mrn}/sedation", response=PediatricOut)
def set_sedation(request: HttpRequest, mrn: str, payload: SedationIn):
    require(request.user, "support.pediatric.edit")
    patient = patient_get(mrn=mrn, audit=False)
    services.profile_set_sedation(
        patient=patient,
        sedation_required=payload.sedation_required,
        sedation_notes=payload.sedation_notes,
    )
    return pediatric_record(request, mrn)


@router.post("/patients/{mrn}/measurements", response={201: MeasurementOut})
def add_measurement(request: HttpRequest, mrn: str, payload: MeasurementIn):
    require(request.user, "support.pediatric.edit")
    patient = patient_get(mrn=mrn, audit=False)
    m, warnings = services.measurement_record(
        patient=patient, recorded_by=request.user, **payload.dict()
    )
    return Status(201, _measurement_out(m, warnings))


@router.post("/patients/{mrn}/guardians", response={201: CreatedOut})
def guardian_register(request: HttpRequest, mrn: str, payload: GuardianIn):
    """Add a guardian; a legal representative must be an adult (19 or older)."""
    require(request.user, "record.edit")
    patient = patient_get(mrn=mrn, audit=False)
    return Status(201, {"id": services.guardian_register(patient=patient, **payload.dict()).pk})


# ============================================================================ HSCT
@router.get("/patients/{mrn}/hsct", response=list[HSCTOut])
def hsct_list(request: HttpRequest, mrn: str):
    require(request.user, "support.hsct.view")
    patient = _patient(mrn, "hsct")
    return list(HSCTEpisode.objects.filter(patient=patient))


@router.post("/patients/{mrn}/hsct", response={201: HSCTOut})
def hsct_create(request: HttpRequest, mrn: str, payload: HSCTIn):
    require(request.user, "support.hsct.edit")
    patient = patient_get(mrn=mrn, audit=False)
    return Status(201, services.hsct_episode_create(patient=patient, **payload.dict()))


@router.get("/hsct/{episode_id}", response=HSCTDetailOut)
def hsct_read(request: HttpRequest, episode_id: int):
    """One episode with its GVHD entries and complications."""
    require(request.user, "support.hsct.view")
    episode = _get(HSCTEpisode, episode_id)
    audit_record(action="read", obj=episode, patient=episode.patient)
    data = HSCTOut.from_orm(episode).dict()
    data["gvhd"] = list(episode.gvhd_entries.all())
    data["complications"] = list(episode.complications.all())
    return data


@router.patch("/hsct/{episode_id}", response=HSCTOut)
def hsct_update(request: HttpRequest, episode_id: int, payload: HSCTPatch):
    require(request.user, "support.hsct.edit")
    episode = _get(HSCTEpisode, episode_id)
    return services.hsct_episode_update(episode=episode, **payload.dict(exclude_unset=True))


@router.get("/hsct/{episode_id}/day", response=HSCTDayOut)
def hsct_day(request: HttpRequest, episode_id: int, on: str | None = None):
    """Day count ('day +N') of the episode on a date (today by default), with GVHD grade."""
    require(request.user, "support.hsct.view")
    episode = _get(HSCTEpisode, episode_id)
    audit_record(action="read", obj=episode, patient=episode.patient)
    try:
        day = dt.date.fromisoformat(on) if on else timezone.localdate()
    except ValueError:
        raise ValidationFailed.single("on", "must be a date YYYY-MM-DD", on) from None
    v = selectors.hsct_day_view(episode, day)
    return {
        "episode_id": episode.pk,
        "on": day,
        "day": v.day,
        "label": v.label,
        "engraftment_day": v.engraftment_day,
        "acute_gvhd_grade": v.acute_grade,
        "chronic_gvhd_severity": v.chronic_severity,
    }


@router.post("/hsct/{episode_id}/gvhd", response={201: CreatedOut})
def hsct_gvhd(request: HttpRequest, episode_id: int, payload: GVHDIn):
    require(request.user, "support.hsct.edit")
    episode = _get(HSCTEpisode, episode_id)
    return Status(201, {"id": services.gvhd_entry_add(episode=episode, **payload.dict()).pk})


@router.post("/hsct/{episode_id}/complications", response={201: CreatedOut})
def hsct_complication(request: HttpRequest, episode_id: int, payload: ComplicationIn):
    require(request.user, "support.hsct.edit")
    episode = _get(HSCTEpisode, episode_id)
    return Status(201, {"id": services.hsct_complication_add(episode=episode, **payload.dict()).pk})


# ============================================================================ hospital school
@router.get("/school/classes", response=list[SchoolClassOut])
def school_classes(request: HttpRequest):
    require(request.user, "support.school.view")
    return list(SchoolClass.objects.all())


@router.post("/school/classes", response={201: SchoolClassOut})
def school_class_create(request: HttpRequest, payload: SchoolClassIn):
    require(request.user, "support.school.manage")
    return Status(201, services.school_class_create(teacher=request.user, **payload.dict()))


def _enrollment_out(e: SchoolEnrollment) -> dict[str, Any]:
    present = [a for a in e.attendance.all() if a.status == "present"]
    return {
        "id": e.pk,
        "school_class_id": e.school_class_id,
        "class_name": e.school_class.name,
        "enrolled_on": e.enrolled_on,
        "ended_on": e.ended_on,
        "home_school": e.home_school,
        "home_grade": e.home_grade,
        "days_present": len(present),
        "days_present_during_admission": sum(1 for a in present if a.during_admission),
    }


@router.get("/patients/{mrn}/school", response=list[EnrollmentOut])
def school_of_patient(request: HttpRequest, mrn: str):
    require(request.user, "support.school.view")
    patient = _patient(mrn, "school")
    qs = (
        SchoolEnrollment.objects.filter(patient=patient)
        .select_related("school_class")
        .prefetch_related("attendance")
    )
    return [_enrollment_out(e) for e in qs]


@router.post("/patients/{mrn}/school/enrollments", response={201: EnrollmentOut})
def school_enroll(request: HttpRequest, mrn: str, payload: EnrollmentIn):
    require(request.user, "support.school.edit")
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    school_class = _get(SchoolClass, data.pop("school_class_id"))
    e = services.school_enroll(patient=patient, school_class=school_class, **data)
    return Status(201, _enrollment_out(e))


@router.post("/school/enrollments/{enrollment_id}/attendance", response={201: CreatedOut})
def school_attendance(request: HttpRequest, enrollment_id: int, payload: AttendanceIn):
    require(request.user, "support.school.edit")
    e = _get(SchoolEnrollment, enrollment_id)
    return Status(201, {"id": services.school_attendance_record(enrollment=e, **payload.dict()).pk})


@router.put("/school/enrollments/{enrollment_id}/return-plan", response=CreatedOut)
def school_return_plan(request: HttpRequest, enrollment_id: int, payload: ReturnPlanIn):
    require(request.user, "support.school.edit")
    e = _get(SchoolEnrollment, enrollment_id)
    return {"id": services.return_plan_save(enrollment=e, **payload.dict()).pk}


# ============================================================================ aid
@router.get("/aid/organisations", response=list[OrganisationOut])
def aid_organisations(request: HttpRequest):
    require(request.user, "support.aid.view")
    return list(AidOrganisation.objects.all())


@router.post("/aid/organisations", response={201: OrganisationOut})
def aid_organisation_create(request: HttpRequest, payload: OrganisationIn):
    require(request.user, "support.aid.manage")
    return Status(201, services.aid_organisation_create(**payload.dict()))


def _aid_out(a: AidApplication) -> dict[str, Any]:
    return {
        "id": a.pk,
        "organisation": a.organisation.name,
        "need": a.need,
        "amount_requested": a.amount_requested,
        "amount_granted": a.amount_granted,
        "decision_note": a.decision_note,
        "status": a.status,
        "documents": a.documents,
        "missing_documents": calc.missing_documents(a.documents),
    }


@router.get("/patients/{mrn}/aid", response=AidSummaryOut)
def aid_summary(request: HttpRequest, mrn: str):
    """Support received by the family: totals, status counts and the applications."""
    require(request.user, "support.aid.view")
    patient = _patient(mrn, "aid")
    s = selectors.family_aid_summary(patient)
    return {
        "mrn": patient.mrn,
        "total_requested": s["total_requested"],
        "total_granted": s["total_granted"],
        "status_counts": s["status_counts"],
        "applications": [_aid_out(a) for a in s["applications"]],
    }


@router.post("/patients/{mrn}/aid", response={201: AidOut})
def aid_create(request: HttpRequest, mrn: str, payload: AidIn):
    require(request.user, "support.aid.edit")
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    org = _get(AidOrganisation, data.pop("organisation_id"))
    a = services.aid_application_create(
        patient=patient, organisation=org, created_by=request.user, **data
    )
    return Status(201, _aid_out(a))


@router.put("/aid/{application_id}/documents", response=AidOut)
def aid_documents(request: HttpRequest, application_id: int, payload: AidDocumentsIn):
    require(request.user, "support.aid.edit")
    a = _get(AidApplication, application_id)
    return _aid_out(
        services.aid_application_set_documents(application=a, documents=payload.documents)
    )


@router.post("/aid/{application_id}/transition", response=AidOut)
def aid_transition(request: HttpRequest, application_id: int, payload: AidTransitionIn):
    require(request.user, "support.aid.edit")
    a = _get(AidApplication, application_id)
    return _aid_out(
        services.aid_application_transition(application=a, by=request.user, **payload.dict())
    )


# ============================================================================ shelter
@router.post("/shelter/houses", response={201: CreatedOut})
def shelter_house_create(request: HttpRequest, payload: HouseIn):
    require(request.user, "support.shelter.manage")
    return Status(201, {"id": services.shelter_house_create(**payload.dict()).pk})


@router.post("/shelter/houses/{house_id}/rooms", response={201: CreatedOut})
def shelter_room_create(request: HttpRequest, house_id: int, payload: RoomIn):
    require(request.user, "support.shelter.manage")
    house = _get(ShelterHouse, house_id)
    return Status(201, {"id": services.shelter_room_create(house=house, **payload.dict()).pk})


@router.get("/shelter/rooms", response=list[RoomOut])
def shelter_rooms(request: HttpRequest):
    """Rooms with tonight's stay (if any)."""
    require(request.user, "support.shelter.view")
    return [
        {
            "id": r["room"].pk,
            "house": r["room"].house.name,
            "number": r["room"].number,
            "capacity": r["room"].capacity,
            "occupied_by_stay_id": r["stay"].pk if r["stay"] else None,
        }
        for r in selectors.room_occupancy(timezone.localdate())
    ]


@router.post("/shelter/stays", response={201: StayOut})
def shelter_check_in(request: HttpRequest, payload: StayIn):
    require(request.user, "support.shelter.edit")
    room = _get(ShelterRoom, payload.room_id)
    patient = patient_get(mrn=payload.mrn, audit=False)
    entry = (
        _get(ShelterWaitlistEntry, payload.waitlist_entry_id) if payload.waitlist_entry_id else None
    )
    stay = services.shelter_check_in(
        room=room,
        patient=patient,
        guests=payload.guests,
        check_in=payload.check_in,
        check_out=payload.check_out,
        waitlist_entry=entry,
    )
    return Status(201, stay)


@router.post("/shelter/stays/{stay_id}/check-out", response=StayOut)
def shelter_check_out(request: HttpRequest, stay_id: int, payload: CheckOutIn):
    require(request.user, "support.shelter.edit")
    stay = _get(ShelterStay, stay_id)
    return services.shelter_check_out(stay=stay, check_out=payload.check_out)


@router.get("/shelter/waitlist", response=list[WaitlistOut])
def shelter_waitlist(request: HttpRequest):
    """Waiting families, best first, each with the points of every factor."""
    require(request.user, "support.shelter.view")
    rows = selectors.waitlist_ranked()
    audit_record(
        action="read",
        object_type="support.waitlist",
        detail={"count": len(rows), "mrns": [r["entry"].patient.mrn for r in rows]},
    )
    return [
        {
            "id": r["entry"].pk,
            "rank": r["rank"],
            "score": r["score"],
            "mrn": r["entry"].patient.mrn,
            "requested_on": r["entry"].requested_on,
            "reasons": [
                {"factor": x.factor, "points": x.points, "text": x.text} for x in r["reasons"]
            ],
        }
        for r in rows
    ]


@router.post("/shelter/waitlist", response={201: CreatedOut})
def shelter_waitlist_add(request: HttpRequest, payload: WaitlistIn):
    require(request.user, "support.shelter.edit")
    data = payload.dict()
    patient = patient_get(mrn=data.pop("mrn"), audit=False)
    return Status(201, {"id": services.waitlist_add(patient=patient, **data).pk})


@router.post("/shelter/waitlist/{entry_id}/withdraw", response=CreatedOut)
def shelter_waitlist_withdraw(request: HttpRequest, entry_id: int):
    require(request.user, "support.shelter.edit")
    entry = _get(ShelterWaitlistEntry, entry_id)
    return {"id": services.waitlist_withdraw(entry=entry).pk}


# ============================================================================ palliative care
@router.get("/patients/{mrn}/palliative", response=list[PalliativeOut])
def palliative_list(request: HttpRequest, mrn: str):
    require(request.user, "support.palliative.view")
    patient = _patient(mrn, "palliative")
    return list(PalliativeReferral.objects.filter(patient=patient))


@router.post("/patients/{mrn}/palliative", response={201: PalliativeOut})
def palliative_refer(request: HttpRequest, mrn: str, payload: PalliativeIn):
    require(request.user, "support.palliative.refer")
    patient = patient_get(mrn=mrn, audit=False)
    referral = services.palliative_refer(
        patient=patient, referred_by=request.user, **payload.dict()
    )
    return Status(201, referral)


@router.patch("/palliative/{referral_id}", response=PalliativeOut)
def palliative_update(request: HttpRequest, referral_id: int, payload: PalliativePatch):
    require(request.user, "support.palliative.edit")
    r = _get(PalliativeReferral, referral_id)
    return services.palliative_update(referral=r, **payload.dict(exclude_unset=True))


@router.post("/palliative/{referral_id}/bereavement", response={201: CreatedOut})
def palliative_bereavement(request: HttpRequest, referral_id: int, payload: BereavementIn):
    require(request.user, "support.palliative.edit")
    r = _get(PalliativeReferral, referral_id)
    return Status(201, {"id": services.bereavement_plan(referral=r, **payload.dict()).pk})


@router.post("/palliative/bereavement/{followup_id}/done", response=CreatedOut)
def palliative_bereavement_done(request: HttpRequest, followup_id: int, payload: DoneIn):
    require(request.user, "support.palliative.edit")
    f = _get(BereavementFollowUp, followup_id)
    return {"id": services.bereavement_done(followup=f, **payload.dict()).pk}


# ============================================================================ social work
@router.get("/social/caseload", response=list[CaseloadOut])
def social_caseload(request: HttpRequest):
    require(request.user, "support.social.view")
    return [
        {
            "social_worker_id": r["social_worker_id"],
            "username": r["social_worker__username"],
            "open_cases": r["open_cases"],
        }
        for r in selectors.caseload()
    ]


@router.post("/patients/{mrn}/social-cases", response={201: CreatedOut})
def social_case_open(request: HttpRequest, mrn: str, payload: SocialCaseIn):
    require(request.user, "support.social.edit")
    patient = patient_get(mrn=mrn, audit=False)
    worker = (
        get_user_model().objects.filter(pk=payload.social_worker_id).first()
        if payload.social_worker_id
        else request.user
    )
    if worker is None:
        raise ValidationFailed.single("social_worker_id", "no such user", payload.social_worker_id)
    case = services.social_case_open(
        patient=patient, social_worker=worker, opened_on=payload.opened_on
    )
    return Status(201, {"id": case.pk})


@router.post("/social/cases/{case_id}/close", response=CreatedOut)
def social_case_close(request: HttpRequest, case_id: int, payload: CloseIn):
    require(request.user, "support.social.edit")
    case = _get(SocialCase, case_id)
    return {"id": services.social_case_close(case=case, closed_on=payload.closed_on).pk}


@router.post("/social/cases/{case_id}/assessments", response={201: CreatedOut})
def social_assessment(request: HttpRequest, case_id: int, payload: AssessmentIn):
    require(request.user, "support.social.edit")
    case = _get(SocialCase, case_id)
    return Status(201, {"id": services.needs_assessment_record(case=case, **payload.dict()).pk})


@router.post("/social/cases/{case_id}/interventions", response={201: CreatedOut})
def social_intervention(request: HttpRequest, case_id: int, payload: InterventionIn):
    require(request.user, "support.social.edit")
    case = _get(SocialCase, case_id)
    return Status(201, {"id": services.intervention_add(case=case, **payload.dict()).pk})


@router.post("/social/interventions/{intervention_id}/outcome", response=CreatedOut)
def social_outcome(request: HttpRequest, intervention_id: int, payload: OutcomeIn):
    require(request.user, "support.social.edit")
    i = _get(SocialIntervention, intervention_id)
    return {"id": services.intervention_record_outcome(intervention=i, **payload.dict()).pk}


# ============================================================================ reports
@router.get("/reports/cases-by-iccc", response=IcccReportOut)
def report_iccc(request: HttpRequest, years: int = 5):
    require(request.user, "support.reports.view")
    if not 1 <= years <= 30:
        raise ValidationFailed.single("years", "must be 1-30", years)
    return selectors.report_cases_by_iccc(years=years)


@router.get("/reports/service-use", response=ServiceUseOut)
def report_service_use(request: HttpRequest, years: int = 5):
    require(request.user, "support.reports.view")
    if not 1 <= years <= 30:
        raise ValidationFailed.single("years", "must be 1-30", years)
    return selectors.report_service_use(years=years)
