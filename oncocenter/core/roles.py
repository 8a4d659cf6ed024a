"""The staff roles of the hospital (DOMAIN.md, "People and their roles")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RADIATION_ONCOLOGIST = "radiation_oncologist", _("Radiation oncologist")
    MEDICAL_PHYSICIST = "medical_physicist", _("Medical physicist")
    DOSIMETRIST = "dosimetrist", _("Dosimetrist")
    RADIATION_THERAPIST = "radiation_therapist", _("Radiation therapist")
    NURSE = "nurse", _("Nurse")
    SCHEDULER = "scheduler", _("Scheduler")
    SURGEON = "surgeon", _("Surgeon")
    MEDICAL_ONCOLOGIST = "medical_oncologist", _("Medical oncologist")
    PEDIATRIC_ONCOLOGIST = "pediatric_oncologist", _("Pediatric oncologist")
    PATHOLOGIST = "pathologist", _("Pathologist")
    RADIOLOGIST = "radiologist", _("Radiologist")
    NUCLEAR_MEDICINE = "nuclear_medicine_physician", _("Nuclear medicine physician")
    ANESTHESIOLOGIST = "anesthesiologist", _("Anesthesiologist")
    DIETITIAN = "dietitian", _("Dietitian")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    TEACHER = "hospital_school_teacher", _("Hospital-school teacher")
    PALLIATIVE_CARE = "palliative_care", _("Palliative care team member")
    RESEARCH_COORDINATOR = "research_coordinator", _("Clinical research coordinator")
    PHARMACIST = "pharmacist", _("Oncology pharmacist")
    ADMINISTRATOR = "administrator", _("Administrator")


PHYSICIANS = frozenset(
    {
        Role.RADIATION_ONCOLOGIST,
        Role.SURGEON,
        Role.MEDICAL_ONCOLOGIST,
        Role.PEDIATRIC_ONCOLOGIST,
        Role.PATHOLOGIST,
        Role.RADIOLOGIST,
        Role.NUCLEAR_MEDICINE,
        Role.ANESTHESIOLOGIST,
    }
)
# Roles that take part in patient care and so may read the clinical record.
CLINICAL = PHYSICIANS | {
    Role.MEDICAL_PHYSICIST,
    Role.DOSIMETRIST,
    Role.RADIATION_THERAPIST,
    Role.NURSE,
    Role.DIETITIAN,
    Role.PALLIATIVE_CARE,
    Role.RESEARCH_COORDINATOR,
    Role.PHARMACIST,
}
# Everyone who works with patients at all (demographics), including non-clinical support staff.
ALL_STAFF = frozenset(Role)
