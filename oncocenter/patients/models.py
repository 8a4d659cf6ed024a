"""Patients (demographics and identifiers) and their membership in the hospital's centers."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class Sex(models.TextChoices):
    """FHIR AdministrativeGender."""

    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class CenterCode(models.TextChoices):
    RADONC = "radonc", _("Radiation Oncology Center")
    ESOPHAGEAL = "esophageal", _("Esophageal Cancer Center")
    PEDIATRIC = "pediatric", _("Pediatric Hematology-Oncology")


class Center(models.Model):
    code = models.CharField(max_length=20, unique=True, choices=CenterCode.choices)
    name_en = models.CharField(max_length=120)
    name_ko = models.CharField(max_length=120)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_code_display()


class MrnCounter(models.Model):
    """Single-row counter for medical record numbers, locked while a number is issued."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"MRN counter at {self.last}"


class Patient(TimeStampedModel):
    mrn = models.CharField(
        _("MRN"),
        max_length=10,
        unique=True,
        editable=False,
        help_text=_("Medical record number: 7 digits and a check digit, issued by the hospital."),
    )
    name_ko = models.CharField(
        _("name (Hangul)"),
        max_length=40,
        blank=True,
        help_text=_("Full name in Hangul, family name first; empty for a Latin-only name."),
    )
    family_name_en = models.CharField(
        _("family name (Latin)"), max_length=60, help_text=_("As in the passport, e.g. KIM.")
    )
    given_name_en = models.CharField(
        _("given name (Latin)"), max_length=60, help_text=_("As in the passport, e.g. Minjun.")
    )
    # Lower-cased "family given" and "given family" for partial, case-insensitive search.
    name_en_search = models.CharField(max_length=260, editable=False, db_index=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(
        _("sex"), max_length=10, choices=Sex.choices, help_text=_("Administrative sex (FHIR).")
    )
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, help_text=_("e.g. 010-1234-5678")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, help_text=_("5 digits")
    )
    rrn_encrypted = models.TextField(
        blank=True, editable=False, help_text="Fernet token of the RRN; never plain."
    )
    # NULL, not "", for patients without a number: the unique constraint must ignore them.
    rrn_digest = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    rrn_masked = models.CharField(
        _("resident registration no."), max_length=14, blank=True, editable=False
    )
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)

    class Meta:
        ordering = ["mrn"]
        indexes = [
            models.Index(fields=["name_ko"], name="patient_name_ko"),
            models.Index(Lower("family_name_en"), name="patient_family_en_lower"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rrn_digest"],
                condition=Q(rrn_digest__isnull=False),
                name="patient_rrn_unique",
            ),
            models.CheckConstraint(
                condition=Q(sex__in=["male", "female", "other", "unknown"]),
                name="patient_sex_valid",
            ),
            models.CheckConstraint(
                condition=Q(birth_date__gte=dt.date(1900, 1, 1)), name="patient_birth_after_1900"
            ),
            models.CheckConstraint(
                condition=Q(deceased_on__isnull=True) | Q(deceased_on__gte=models.F("birth_date")),
                name="patient_death_after_birth",
            ),
            models.CheckConstraint(condition=~Q(mrn=""), name="patient_mrn_present"),
        ]

    def __str__(self) -> str:
        return f"{self.name_ko or self.name_en} ({self.mrn})"

    @property
    def name_en(self) -> str:
        return f"{self.family_name_en} {self.given_name_en}".strip()

    def age_on(self, on: dt.date) -> int:
        years = on.year - self.birth_date.year
        if (on.month, on.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class PatientCenter(TimeStampedModel):
    """A patient's care at one of the centers (a patient may be in several)."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="center_memberships"
    )
    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="memberships")
    since = models.DateField(_("since"), help_text=_("First contact with this center."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["center_id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "center"], name="patient_center_once")
        ]

    def __str__(self) -> str:
        return f"{self.patient.mrn} @ {self.center.code}"


class PatientIdentifier(TimeStampedModel):
    """An identifier another system gives the patient (the hospital's patient index, an insurer).

    The assigning authority and the value together name one patient here, so that a feed from
    that system (HL7 v2 PID-3) finds the same patient again.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="identifiers")
    authority = models.CharField(
        _("assigning authority"),
        max_length=100,
        help_text=_("Who issued it: an HL7 assigning authority (e.g. HOSP) or a URI."),
    )
    value = models.CharField(_("identifier"), max_length=60)
    type_code = models.CharField(
        _("type"), max_length=10, default="MR", help_text=_("HL7 v2 identifier type, e.g. MR, PI.")
    )

    class Meta:
        ordering = ["authority", "value"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "value"], name="patient_identifier_once"),
            models.CheckConstraint(
                condition=~Q(authority="") & ~Q(value=""), name="patient_identifier_present"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority}|{self.value}"


from oncocenter.patients.models_breakglass import (  # noqa: E402,F401  (issue 17)
    BreakGlassAccess,
)
from oncocenter.patients.models_record import (  # noqa: E402,F401  (issue 3: record completion)
    CareTeamMember,
    Consent,
    Guardian,
)
