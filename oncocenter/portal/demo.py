"""Demo portal users: an adult esophageal patient and a guardian of a child, both active (password
DEMO_PORTAL_PASSWORD), one guardian waiting with an activation code (printed in the seed counts),
the demo `nurse` as their lead nurse, and a few weekly symptom reports, one of them severe; a
physician has released the latest laboratory results of both, and the discharge summary of a
finished stay of the adult patient."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from oncocenter.clinics.models import Admission, AdmissionStatus, Bed
from oncocenter.labs.models import LabResult
from oncocenter.patients.models import Patient
from oncocenter.patients.models_record import CareTeamMember, Guardian
from oncocenter.portal import epro, services
from oncocenter.portal.models import PortalAccount
from oncocenter.scheduling.models import Booking

DEMO_PORTAL_PASSWORD = "Demo-portal-2027"


def _answers(level: int, **overrides: int | None) -> dict[str, int | None]:
    out: dict[str, int | None] = {
        epro.answer_key(i.code, a): level for i in epro.ITEMS for a in i.attributes
    }
    out.update({k.replace("__", "."): v for k, v in overrides.items()})
    return out


def _pick(ctx: Any, center: str, minor: bool) -> list[Patient]:
    patients = ctx.patients_by_center.get(center, [])
    chosen = [p for p in patients if (p.age_on(ctx.today) < 19) == minor and p.deceased_on is None]
    if minor:
        with_guardian = set(
            Guardian.objects.filter(patient__in=chosen, is_legal_representative=True).values_list(
                "patient_id", flat=True
            )
        )
        chosen = [p for p in chosen if p.pk in with_guardian]
    on_rt = set(
        Booking.objects.filter(
            patient__in=chosen, status="booked", start__gte=timezone.now()
        ).values_list("patient_id", flat=True)
    )
    return sorted(chosen, key=lambda p: (p.pk not in on_rt, p.pk))


def seed(ctx: Any) -> None:
    if PortalAccount.objects.exists():
        return
    staff = (ctx.staff.get("nurse") or [None])[0]
    nurse = next((u for u in ctx.staff.get("nurse", []) if u.username == "nurse"), staff)
    if nurse is None:
        return
    adults = _pick(ctx, "esophageal", minor=False) or _pick(ctx, "radonc", minor=False)
    children = _pick(ctx, "pediatric", minor=True)
    counts: dict[str, Any] = {"accounts": 0}
    now = timezone.now()

    def lead_nurse(patient: Patient) -> None:
        CareTeamMember.objects.filter(patient=patient, role="nurse", user=nurse).delete()
        CareTeamMember.objects.create(
            patient=patient, user=nurse, role="nurse", is_lead=True, since=ctx.today
        )

    if adults:
        patient = adults[0]
        lead_nurse(patient)
        issued = services.portal_account_create(
            by=nurse, patient=patient, email="patient@example.org", phone="010-0000-1001"
        )
        account = services.portal_activate(
            code=issued.code, username="demo.patient", password=DEMO_PORTAL_PASSWORD, address="demo"
        )
        for weeks_ago, level in ((3, 0), (2, 1), (1, 1)):
            services.pro_submit(
                account=account,
                patient=patient,
                instrument_code="symptoms-weekly",
                answers=_answers(
                    level,
                    nausea__severity=None if level == 0 else level,
                    pain__severity=None if level == 0 else level,
                    pain__interference=None if level == 0 else level,
                ),
                now=now - dt.timedelta(weeks=weeks_ago),
            )
        counts["accounts"] += 1
        counts["patient"] = {"username": "demo.patient", "mrn": patient.mrn}
    if children:
        child = children[0]
        lead_nurse(child)
        guardian = Guardian.objects.filter(patient=child, is_legal_representative=True).first()
        issued = services.portal_account_create(
            by=nurse, patient=child, guardian=guardian, email="guardian@example.org"
        )
        account = services.portal_activate(
            code=issued.code,
            username="demo.guardian",
            password=DEMO_PORTAL_PASSWORD,
            address="demo",
        )
        services.pro_submit(
            account=account,
            patient=child,
            instrument_code="symptoms-weekly-proxy",
            answers=_answers(1, mucositis__severity=3, mucositis__interference=3),
            now=now - dt.timedelta(hours=5),
        )
        counts["accounts"] += 1
        counts["guardian"] = {"username": "demo.guardian", "mrn": child.mrn}
        if len(children) > 1:
            second = children[1]
            guardian = Guardian.objects.filter(patient=second, is_legal_representative=True).first()
            pending = services.portal_account_create(by=nurse, patient=second, guardian=guardian)
            counts["pending_activation_code"] = {"code": pending.code, "mrn": second.mrn}
    released = 0
    doctor = next(
        (
            u
            for role in ("medical_oncologist", "radiation_oncologist")
            for u in ctx.staff.get(role, [])
        ),
        None,
    )
    for key in ("patient", "guardian"):
        if doctor is None or key not in counts:
            continue
        who = Patient.objects.get(mrn=counts[key]["mrn"])
        latest = list(
            LabResult.objects.filter(patient=who, status__in=["final", "corrected"])
            .order_by("-collected_at", "-id")
            .values_list("pk", flat=True)[:6]
        )
        if latest:
            released += len(services.results_release(by=doctor, patient=who, result_ids=latest))
    counts["results_released"] = released
    bed = Bed.objects.filter(in_service=True).order_by("id").first()
    if doctor is not None and bed is not None and "patient" in counts:
        # A finished stay of the demo patient, its summary released with instructions for home.
        who = Patient.objects.get(mrn=counts["patient"]["mrn"])
        stay = Admission.objects.create(
            patient=who,
            bed=bed,
            status=AdmissionStatus.DISCHARGED,
            admitted_at=now - dt.timedelta(days=12),
            discharged_at=now - dt.timedelta(days=7),
            reason="방사선 식도염으로 인한 탈수와 통증 조절",
        )
        services.discharge_summary_release(
            by=doctor,
            admission=stay,
            note="부드러운 음식을 조금씩 자주 드세요.\n하루 물 1.5리터 이상 드세요.",
        )
        counts["discharge_summaries_released"] = 1
    counts["password"] = DEMO_PORTAL_PASSWORD
    ctx.counts["portal"] = counts
