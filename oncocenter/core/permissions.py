"""The one permission vocabulary of OncoCenter and its mapping to roles.

Every view and endpoint asks for a permission by name (never for a role), so that who-may-do-what
is read and reviewed here, in one table. Each app owns one section below; keep edits inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from oncocenter.core.errors import NotPermitted
from oncocenter.core.events import Hook
from oncocenter.core.roles import ALL_STAFF, CLINICAL, PHYSICIANS, Role

R = Role

# --- foundation: patients, audit, staff --------------------------------------------------------
FOUNDATION: dict[str, Iterable[str]] = {
    # Find a patient and see demographics (name, MRN, birth date): everyone who works with patients
    # except hospital-school teachers, who see only their enrolled students' names and school
    # information on the school pages (issue 17, least privilege).
    "patient.search": ALL_STAFF - {R.TEACHER},
    "patient.view": ALL_STAFF - {R.TEACHER},
    "patient.create": PHYSICIANS | {R.NURSE, R.SCHEDULER, R.ADMINISTRATOR},
    "patient.edit": PHYSICIANS | {R.NURSE, R.SCHEDULER, R.ADMINISTRATOR},
    # Contacts and address: not for hospital-school teachers.
    "patient.view_contacts": CLINICAL | {R.SCHEDULER, R.SOCIAL_WORKER, R.ADMINISTRATOR},
    # Compare a presented resident registration number with the stored one (never shown in full).
    "patient.verify_rrn": PHYSICIANS | {R.NURSE, R.SCHEDULER, R.RADIATION_THERAPIST, R.ADMINISTRATOR},
    "audit.view": {R.ADMINISTRATOR},
    # Break the glass (issue 17): read one patient's pages outside one's roles, with a reason,
    # for BREAK_GLASS_MINUTES, every use audited; the privacy officer (administrator) reviews.
    "breakglass.use": CLINICAL | {R.SOCIAL_WORKER, R.SCHEDULER},
    "breakglass.report": {R.ADMINISTRATOR},
    "staff.manage": {R.ADMINISTRATOR},
    # The Django admin: administrators look at any row; clinical rows are never edited there.
    "admin.view": {R.ADMINISTRATOR},
    # Reference data in the admin (vocabularies, templates, thresholds, rooms): audited edits.
    "reference.edit": {R.ADMINISTRATOR},
}

# --- clinical core (issue 3): oncology, referrals, mdt, trials -----------------------------------
CLINICAL_CORE: dict[str, Iterable[str]] = {
    # Diagnoses, staging, performance status, tumor markers, disease status, treatments, chart.
    "oncology.view": CLINICAL,
    # The diagnosis summary only (cancer type and date of diagnosis, no staging or disease
    # status): what social work needs to help a family (issue 17, least privilege).
    "diagnosis.summary": CLINICAL | {R.SOCIAL_WORKER},
    "diagnosis.edit": PHYSICIANS,
    "staging.edit": PHYSICIANS,
    "observation.record": PHYSICIANS | {R.NURSE},
    "treatment.record": PHYSICIANS | {R.NURSE},
    # Diagnostic workup: physicians order; the diagnostic departments (and physicians) result.
    "workup.view": CLINICAL,
    "workup.order": PHYSICIANS,
    "workup.result": {R.PATHOLOGIST, R.RADIOLOGIST, R.NUCLEAR_MEDICINE, R.NURSE},
    # Referrals and consults: support services take part (dietitian, social work, palliative care).
    "referral.view": ALL_STAFF - {R.TEACHER},
    "referral.create": PHYSICIANS | {R.NURSE, R.DIETITIAN, R.SOCIAL_WORKER, R.PALLIATIVE_CARE},
    "referral.respond": PHYSICIANS | {R.NURSE, R.DIETITIAN, R.SOCIAL_WORKER, R.PALLIATIVE_CARE, R.SCHEDULER},
    # Tumor boards (clinical cases and recommendations: not social work).
    "mdt.view": CLINICAL,
    "mdt.manage": PHYSICIANS | {R.NURSE, R.RESEARCH_COORDINATOR},
    "mdt.recommend": PHYSICIANS,
    # Clinical trials.
    "trial.view": CLINICAL,
    "trial.manage": {R.RESEARCH_COORDINATOR, R.ADMINISTRATOR},
    "trial.screen": PHYSICIANS | {R.RESEARCH_COORDINATOR},
    "trial.enroll": PHYSICIANS | {R.RESEARCH_COORDINATOR},
    # Patient record completion: guardians, consent/assent, care team, co-payment registration.
    "record.view": CLINICAL | {R.SOCIAL_WORKER, R.SCHEDULER, R.ADMINISTRATOR},
    "record.edit": PHYSICIANS | {R.NURSE, R.SOCIAL_WORKER, R.SCHEDULER, R.ADMINISTRATOR},
    "consent.record": PHYSICIANS | {R.NURSE, R.RESEARCH_COORDINATOR},
    "copay.manage": {R.ADMINISTRATOR, R.SCHEDULER, R.SOCIAL_WORKER, R.NURSE},
}

# --- machines (issue 14): LINACs and afterloaders, their service state ------------------------------
MACHINES: dict[str, Iterable[str]] = {
    "machine.view": ALL_STAFF - {R.TEACHER},
    # Take a machine out of service or put it back (physics owns the machines).
    "machine.manage": {R.MEDICAL_PHYSICIST, R.ADMINISTRATOR},
    # Machine QA (issue 15): therapists run the morning checks, physics owns the program,
    # signs beam-matched groups and releases a machine held by a failed or missing check.
    "machine.qa.record": {R.RADIATION_THERAPIST, R.MEDICAL_PHYSICIST},
    "machine.qa.define": {R.MEDICAL_PHYSICIST},
    "machine.qa.release": {R.MEDICAL_PHYSICIST},
    "machine.match.sign": {R.MEDICAL_PHYSICIST},
}

# --- radiotherapy (issue 4) ------------------------------------------------------------------------
RADIOTHERAPY: dict[str, Iterable[str]] = {
    # Read courses, plans, fractions, dose summaries and worklists: the clinical team.
    "rt.view": CLINICAL | {R.SCHEDULER},
    "rt.course.manage": {R.RADIATION_ONCOLOGIST},
    "rt.prescription.write": {R.RADIATION_ONCOLOGIST},
    "rt.prescription.sign": {R.RADIATION_ONCOLOGIST},
    "rt.plan.write": {R.DOSIMETRIST, R.MEDICAL_PHYSICIST},
    "rt.plan.approve": {R.RADIATION_ONCOLOGIST},
    "rt.override.sign": {R.RADIATION_ONCOLOGIST},
    "rt.physics.check": {R.MEDICAL_PHYSICIST},
    "rt.psqa.record": {R.MEDICAL_PHYSICIST},
    "rt.schedule": {R.SCHEDULER, R.RADIATION_THERAPIST},
    "rt.delivery.record": {R.RADIATION_THERAPIST},
    "rt.delivery.correct": {R.RADIATION_THERAPIST, R.MEDICAL_PHYSICIST},
    "rt.brachy.record": {R.RADIATION_ONCOLOGIST, R.MEDICAL_PHYSICIST, R.RADIATION_THERAPIST},
    "rt.review.record": {R.RADIATION_ONCOLOGIST},
    "rt.summary.print": CLINICAL,
}

# --- scheduling (issue 5) --------------------------------------------------------------------------
SCHEDULING: dict[str, Iterable[str]] = {
    # Day board, a patient's appointment list, booking results: who treats or books patients.
    "schedule.view": CLINICAL | {R.SCHEDULER, R.ADMINISTRATOR},
    # Book a course (in-process solve), book or cancel one session.
    "schedule.book": {R.SCHEDULER, R.RADIATION_THERAPIST},
    # Planned QA / maintenance windows: physics owns machine QA.
    "downtime.plan": {R.MEDICAL_PHYSICIST, R.ADMINISTRATOR},
    # An unplanned breakdown is reported by whoever is at the machine or runs the schedule.
    "outage.report": {
        R.SCHEDULER,
        R.RADIATION_THERAPIST,
        R.MEDICAL_PHYSICIST,
        R.ADMINISTRATOR,
    },
    # Review the automatic rebooking after an outage and print the patient notices.
    "outage.confirm": {R.SCHEDULER},
}

# --- clinics, follow-up, nutrition (issue 6) -------------------------------------------------------
_CARE_TEAM = PHYSICIANS | {R.NURSE, R.DIETITIAN, R.PALLIATIVE_CARE, R.SOCIAL_WORKER}
CLINICS: dict[str, Iterable[str]] = {
    # Clinic sessions, day lists, appointments and the clinic waitlist.
    "clinic.view": CLINICAL | {R.SCHEDULER, R.SOCIAL_WORKER, R.ADMINISTRATOR},
    "clinic.book": PHYSICIANS | {R.NURSE, R.SCHEDULER, R.ADMINISTRATOR},
    "clinic.manage": {R.SCHEDULER, R.ADMINISTRATOR},
    # The priority weights and reserved share for previously treated patients.
    "clinic.policy_edit": {R.ADMINISTRATOR},
    # Wards, beds, admissions and the re-admission bed waitlist.
    "admission.view": CLINICAL | {R.SCHEDULER, R.SOCIAL_WORKER, R.ADMINISTRATOR},
    "admission.manage": PHYSICIANS | {R.NURSE, R.SCHEDULER, R.ADMINISTRATOR},
    "ward.manage": {R.ADMINISTRATOR},
    # Follow-up plans, due visits and tests, complication and relapse events.
    "followup.view": CLINICAL | {R.SCHEDULER},
    "followup.manage": PHYSICIANS | {R.NURSE},
    "followup.template_edit": {R.RADIATION_ONCOLOGIST, R.SURGEON, R.MEDICAL_ONCOLOGIST, R.PEDIATRIC_ONCOLOGIST, R.ADMINISTRATOR},
    # Nutrition records, screening, milestones; the dietitian's alert worklist.
    "nutrition.view": CLINICAL,
    "nutrition.record": PHYSICIANS | {R.NURSE, R.DIETITIAN},
    "nutrition.alerts": {R.DIETITIAN},
    "nutrition.settings": {R.ADMINISTRATOR},
    # Quality-of-life questionnaires and the care team's drop worklist.
    "qol.view": CLINICAL | {R.SOCIAL_WORKER},
    "qol.record": PHYSICIANS | {R.NURSE, R.DIETITIAN},
    "qol.alerts": _CARE_TEAM,
}

# --- laboratory medicine (issue 19): app labs ----------------------------------------------------------
LABS: dict[str, Iterable[str]] = {
    # Results, trends, critical values: the clinical team.
    "lab.view": CLINICAL,
    "lab.order": PHYSICIANS,
    # Enter a result by hand or import the laboratory's file (laboratory medicine, nurses at the
    # point of care).
    "lab.result": {R.PATHOLOGIST, R.NURSE},
    "lab.import": {R.PATHOLOGIST, R.ADMINISTRATOR},
    # Read back and act on a critical value: the ordering team.
    "lab.critical.ack": PHYSICIANS | {R.NURSE},
    "transfusion.order": PHYSICIANS,
    "transfusion.give": {R.NURSE},
}

# --- systemic therapy (issue 19): app systemic -------------------------------------------------------
_PRESCRIBERS = {R.MEDICAL_ONCOLOGIST, R.PEDIATRIC_ONCOLOGIST}
SYSTEMIC: dict[str, Iterable[str]] = {
    # Regimens, orders and doses: the clinical record, not social work (issue 17, least
    # privilege); social workers help families with the cost estimate (systemic.cost) only.
    "systemic.view": CLINICAL,
    # Measure height and weight for dosing.
    "systemic.measure": PHYSICIANS | {R.NURSE},
    # Order, modify and sign a regimen; override a held day with a reason.
    "systemic.order": _PRESCRIBERS,
    "systemic.override": _PRESCRIBERS,
    # Independent verification of a signed order.
    "systemic.verify": {R.PHARMACIST},
    # Release a day whose labs meet the hold parameters.
    "systemic.release": _PRESCRIBERS | {R.NURSE, R.PHARMACIST},
    # Give a released dose after the two-person check.
    "systemic.administer": {R.NURSE},
    # The printable cost estimate (social work helps families with it).
    "systemic.cost": CLINICAL | {R.SOCIAL_WORKER, R.ADMINISTRATOR},
}

# --- pediatric record (issue 7): app pediatrics ------------------------------------------------------
PEDIATRICS: dict[str, Iterable[str]] = {
    # Pediatric clinical record (Lansky, height/weight/BSA, sedation, ICCC-3): the care team only.
    "pediatric.view": CLINICAL,
    "pediatric.edit": PHYSICIANS | {R.NURSE},
    "hsct.view": CLINICAL,
    "hsct.edit": {R.PEDIATRIC_ONCOLOGIST, R.MEDICAL_ONCOLOGIST, R.NURSE},
    # Aggregate reports (counts only, no identifiers).
    "pediatric.reports": {R.ADMINISTRATOR, R.PEDIATRIC_ONCOLOGIST, R.SOCIAL_WORKER},
}

# --- hospital school (issue 7): app school -----------------------------------------------------------
SCHOOL: dict[str, Iterable[str]] = {
    # Teachers run it; the care team and social work may look.
    "school.view": {R.TEACHER, R.SOCIAL_WORKER, R.PEDIATRIC_ONCOLOGIST, R.NURSE, R.ADMINISTRATOR},
    "school.edit": {R.TEACHER},
    "school.manage": {R.TEACHER, R.ADMINISTRATOR},
}

# --- aid associations (issue 7): app aid -------------------------------------------------------------
AID: dict[str, Iterable[str]] = {
    # Social work (the aid staff) and administration.
    "aid.view": {R.SOCIAL_WORKER, R.ADMINISTRATOR},
    "aid.edit": {R.SOCIAL_WORKER},
    "aid.manage": {R.SOCIAL_WORKER, R.ADMINISTRATOR},
}

# --- family shelter (issue 7): app shelter -----------------------------------------------------------
SHELTER: dict[str, Iterable[str]] = {
    "shelter.view": {R.SOCIAL_WORKER, R.ADMINISTRATOR, R.NURSE, R.PEDIATRIC_ONCOLOGIST},
    "shelter.edit": {R.SOCIAL_WORKER, R.ADMINISTRATOR},
    "shelter.manage": {R.SOCIAL_WORKER, R.ADMINISTRATOR},
}

# --- palliative care (issue 7): app palliative -------------------------------------------------------
PALLIATIVE: dict[str, Iterable[str]] = {
    # Goals of care and symptom plans are clinical; anyone caring may refer.
    "palliative.view": {R.PALLIATIVE_CARE, R.PEDIATRIC_ONCOLOGIST, R.NURSE},
    "palliative.refer": PHYSICIANS | {R.NURSE, R.PALLIATIVE_CARE, R.SOCIAL_WORKER},
    "palliative.edit": {R.PALLIATIVE_CARE, R.PEDIATRIC_ONCOLOGIST},
}

# --- background jobs (issue 18): app jobs ------------------------------------------------------
JOBS: dict[str, Iterable[str]] = {
    # See the jobs one started (and those of the kinds one may start: see jobs.selectors).
    "job.view": ALL_STAFF,
    "job.view_all": {R.ADMINISTRATOR},
}

# --- social work (issue 7): app socialwork -----------------------------------------------------------
SOCIALWORK: dict[str, Iterable[str]] = {
    "socialwork.view": {R.SOCIAL_WORKER, R.PALLIATIVE_CARE, R.ADMINISTRATOR},
    "socialwork.edit": {R.SOCIAL_WORKER},
}

# --- surgery and treatment response (issue 22): app surgery ----------------------------------------
SURGERY: dict[str, Iterable[str]] = {
    # Operations, complications, pathology and response assessments: the clinical record.
    "surgery.view": CLINICAL,
    # Operative record, postoperative course and complications: surgeons and ward nurses.
    "surgery.record": {R.SURGEON, R.NURSE},
    # Resection pathology (ypTNM, regression grade, margins, nodes).
    "surgery.pathology": {R.PATHOLOGIST},
    # Imaging response (RECIST 1.1, INRC with MIBG and bone marrow).
    "response.record": {R.RADIOLOGIST, R.NUCLEAR_MEDICINE, R.MEDICAL_ONCOLOGIST, R.PEDIATRIC_ONCOLOGIST, R.RADIATION_ONCOLOGIST},
    # The center's yearly quality figures (aggregate, no identifiers) and their CSV.
    "surgery.quality": {R.SURGEON, R.ADMINISTRATOR, R.MEDICAL_ONCOLOGIST, R.RADIATION_ONCOLOGIST},
}


# --- patient portal (issue 21): apps portal and notifications ---------------------------------------
PORTAL: dict[str, Iterable[str]] = {
    # Open portal access for a patient or a guardian (activation code at the desk).
    "portal.manage": PHYSICIANS | {R.NURSE, R.SCHEDULER, R.ADMINISTRATOR},
    # Symptom reports from the portal and their alerts: the care team reads, nurses and
    # physicians acknowledge and record the outcome.
    "epro.view": PHYSICIANS | {R.NURSE},
    "epro.handle": PHYSICIANS | {R.NURSE},
    # Appointment change requests sent from the portal.
    "portal.requests": {R.SCHEDULER, R.NURSE},
    # Release laboratory results to the patient's portal (the physician decides when).
    "portal.release_results": PHYSICIANS,
}
# --- interoperability (issue 20): app interop ---------------------------------------------------
# The FHIR server reads with the permission of each resource's own app (patient.view,
# oncology.view, rt.view, clinic.view); these are the exports that leave the hospital.
INTEROP: dict[str, Iterable[str]] = {
    # De-identified research dataset (CSV + Parquet) of a cohort.
    "research.export": {R.RESEARCH_COORDINATOR, R.ADMINISTRATOR},
    # Cancer registry abstract (identified: the registry links records by patient).
    "registry.export": {R.RESEARCH_COORDINATOR, R.ADMINISTRATOR},
    # FHIR Bulk Data $export of a center's patients (identified, for the hospital's systems).
    "fhir.bulk_export": {R.ADMINISTRATOR},
    # The HL7 v2 message store (messages as received, with patient identifiers) and replaying
    # a refused message once its cause is fixed: the interface team's work.
    "hl7.view": {R.ADMINISTRATOR},
    "hl7.replay": {R.ADMINISTRATOR},
}


def _build() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for section in (
        FOUNDATION,
        CLINICAL_CORE,
        MACHINES,
        RADIOTHERAPY,
        SCHEDULING,
        CLINICS,
        LABS,
        SYSTEMIC,
        PEDIATRICS,
        SCHOOL,
        AID,
        SHELTER,
        PALLIATIVE,
        SOCIALWORK,
        SURGERY,
        PORTAL,
        INTEROP,
        JOBS,
    ):
        for perm, roles in section.items():
            if perm in table:
                raise RuntimeError(f"permission {perm!r} is defined twice")
            table[perm] = frozenset(str(r) for r in roles)
    return table


PERMISSIONS: dict[str, frozenset[str]] = _build()


def roles_with(perm: str) -> frozenset[str]:
    try:
        return PERMISSIONS[perm]
    except KeyError:
        raise KeyError(f"unknown permission {perm!r}; add it to oncocenter/core/permissions.py") from None


def user_roles(user: Any) -> frozenset[str]:
    """The user's roles, read once per request object and cached on it."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_oncocenter_roles", None)
    if cached is None:
        cached = frozenset(user.role_assignments.values_list("role", flat=True))
        user._oncocenter_roles = cached
    return cached


def breakable(perm: str) -> bool:
    """Permissions an open break-the-glass grant stands in for: reading, never writing."""
    return perm.endswith(".view") or perm == "diagnosis.summary"


# Providers answer "may this user break the glass onto this patient now?" and audit the use
# (the patients app, which holds the grants). core asks; it cannot import the patients app.
BREAK_GLASS: Hook[Callable[[Any, str, str], bool]] = Hook("core.break_glass")


def has_perm(user: Any, perm: str) -> bool:
    allowed = roles_with(perm)
    if user_roles(user) & allowed:
        return True
    # Inside a request that opened a break-the-glass grant (set by `permission_required` on a
    # page about one patient), the read permissions of that page are granted too.
    return bool(getattr(user, "_oncocenter_glass", None)) and breakable(perm)


def require(user: Any, perm: str) -> None:
    """Raise NotPermitted unless one of the user's roles grants `perm`."""
    if not has_perm(user, perm):
        raise NotPermitted(
            _("Your roles do not include the permission '%(permission)s'.") % {"permission": perm},
            permission=perm,
        )


ROLE_SESSION_KEY = "oncocenter_active_role"


def active_role(request: Any) -> str:
    """The role the user works in now: chosen in the header, else their first role."""
    roles = user_roles(getattr(request, "user", None))
    if not roles:
        return ""
    session = getattr(request, "session", None)
    chosen = session.get(ROLE_SESSION_KEY) if session is not None else None
    if chosen in roles:
        return str(chosen)
    order = list(Role.values)
    return sorted(roles, key=order.index)[0]


def permissions_of(roles: Iterable[str]) -> frozenset[str]:
    roles = frozenset(roles)
    return frozenset(p for p, allowed in PERMISSIONS.items() if roles & allowed)
