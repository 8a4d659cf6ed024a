"""Cancer diagnoses (ICD-10, ICD-O-3, ICCC-3), TNM staging, performance status, tumor markers,
disease status over time, diagnostic workup orders and treatment episodes.

Codes carry their system (see ``codes.py``) and statuses use FHIR value sets, so that a FHIR/mCODE
export maps field to field (Condition.clinicalStatus, Condition.verificationStatus, ...).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.oncology.codes import ICD10_SYSTEM, ICDO3_SYSTEM


class Laterality(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BILATERAL = "bilateral", _("Bilateral")
    MIDLINE = "midline", _("Midline")
    NOT_APPLICABLE = "not-applicable", _("Not applicable")
    UNKNOWN = "unknown", _("Unknown")


class ClinicalStatus(models.TextChoices):
    """FHIR condition-clinical."""

    ACTIVE = "active", _("Active")
    RECURRENCE = "recurrence", _("Recurrence")
    RELAPSE = "relapse", _("Relapse")
    INACTIVE = "inactive", _("Inactive")
    REMISSION = "remission", _("Remission")
    RESOLVED = "resolved", _("Resolved")


class VerificationStatus(models.TextChoices):
    """FHIR condition-ver-status."""

    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    PROVISIONAL = "provisional", _("Provisional")
    DIFFERENTIAL = "differential", _("Differential")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUTED = "refuted", _("Refuted")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class Diagnosis(TimeStampedModel):
    """A cancer (primary or secondary) or a non-malignant blood disease of a patient."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="diagnoses"
    )
    icd10_code = models.CharField(
        _("ICD-10"), max_length=8, help_text=_("ICD-10 code from the shipped list, e.g. C15.4.")
    )
    icd10_system = models.CharField(max_length=80, default=ICD10_SYSTEM, editable=False)
    icdo3_topography = models.CharField(
        _("ICD-O-3 topography"),
        max_length=6,
        blank=True,
        help_text=_("Primary site, e.g. C15.4. Empty for non-neoplastic blood diseases."),
    )
    icdo3_morphology = models.CharField(
        _("ICD-O-3 morphology"),
        max_length=6,
        blank=True,
        help_text=_("Histology/behaviour, e.g. 8070/3. Empty for non-neoplastic blood diseases."),
    )
    icdo3_system = models.CharField(max_length=80, default=ICDO3_SYSTEM, editable=False)
    laterality = models.CharField(
        _("laterality"),
        max_length=20,
        choices=Laterality.choices,
        default=Laterality.NOT_APPLICABLE,
        help_text=_("Side of a paired organ."),
    )
    diagnosed_on = models.DateField(
        _("diagnosed on"), help_text=_("Date of diagnosis (not in the future).")
    )
    is_primary = models.BooleanField(
        _("primary cancer"),
        default=True,
        help_text=_("False for a secondary (metastatic) condition."),
    )
    histology_text = models.CharField(
        _("histology"), max_length=300, blank=True, help_text=_("Pathology wording, free text.")
    )
    # NULL (not "") marks "not applicable: adult", as the cross-area contract says.
    iccc_group = models.CharField(  # noqa: DJ001
        _("ICCC-3 group"),
        max_length=4,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Derived from ICD-O-3 for patients under 20 at diagnosis; empty for adults."),
    )
    iccc_subgroup = models.CharField(  # noqa: DJ001
        _("ICCC-3 subgroup"), max_length=6, null=True, blank=True, editable=False
    )
    clinical_status = models.CharField(
        _("clinical status"),
        max_length=20,
        choices=ClinicalStatus.choices,
        default=ClinicalStatus.ACTIVE,
        help_text=_("FHIR Condition.clinicalStatus."),
    )
    verification_status = models.CharField(
        _("verification status"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.CONFIRMED,
        help_text=_("FHIR Condition.verificationStatus."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-is_primary", "diagnosed_on", "id"]
        verbose_name_plural = "diagnoses"
        indexes = [models.Index(fields=["patient", "diagnosed_on"], name="diagnosis_patient_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(icd10_code=""), name="diagnosis_icd10_present"),
            models.CheckConstraint(
                condition=Q(laterality__in=Laterality.values), name="diagnosis_laterality_valid"
            ),
            models.CheckConstraint(
                condition=Q(clinical_status__in=ClinicalStatus.values),
                name="diagnosis_clinical_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(verification_status__in=VerificationStatus.values),
                name="diagnosis_verification_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.icd10_code} ({self.diagnosed_on:%Y-%m-%d})"

    @property
    def is_cancer(self) -> bool:
        return self.icd10_code.startswith("C") or bool(self.icdo3_morphology)


class StagingClassification(models.TextChoices):
    CLINICAL = "clinical", _("Clinical (cTNM)")
    PATHOLOGICAL = "pathological", _("Pathological (pTNM)")


class TnmStaging(TimeStampedModel):
    """AJCC TNM staging of a diagnosis at one date (mCODE TNM stage group and categories)."""

    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.PROTECT, related_name="stagings")
    classification = models.CharField(
        _("classification"),
        max_length=20,
        choices=StagingClassification.choices,
        help_text=_("Clinical (before treatment) or pathological (after surgery)."),
    )
    edition = models.CharField(_("AJCC edition"), max_length=4, default="8")
    site = models.CharField(
        _("staging site"), max_length=30, help_text=_("AJCC chapter used (data file key).")
    )
    t_category = models.CharField(
        _("T"), max_length=8, help_text=_("Primary tumor category, e.g. T3.")
    )
    n_category = models.CharField(
        _("N"), max_length=8, help_text=_("Regional nodes category, e.g. N1.")
    )
    m_category = models.CharField(
        _("M"), max_length=8, help_text=_("Distant metastasis category, e.g. M0.")
    )
    stage_group = models.CharField(
        _("stage group"),
        max_length=8,
        blank=True,
        help_text=_("Derived from the AJCC table when one is shipped."),
    )
    staged_on = models.DateField(_("staging date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["staged_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(classification__in=StagingClassification.values),
                name="tnm_classification_valid",
            ),
        ]

    def __str__(self) -> str:
        prefix = "c" if self.classification == StagingClassification.CLINICAL else "p"
        return f"{prefix}{self.t_category} {self.n_category} {self.m_category} {self.stage_group}".strip()


class PerformanceScale(models.TextChoices):
    ECOG = "ecog", _("ECOG")
    LANSKY = "lansky", _("Lansky play-performance")
    KARNOFSKY = "karnofsky", _("Karnofsky")


class PerformanceStatus(TimeStampedModel):
    """Performance status over time: ECOG from 16 years, Lansky under 16."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="performance_statuses"
    )
    scale = models.CharField(_("scale"), max_length=10, choices=PerformanceScale.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), help_text=_("ECOG 0-5; Lansky and Karnofsky 0-100 in steps of 10.")
    )
    observed_on = models.DateField(_("assessed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["observed_on", "id"]
        verbose_name_plural = "performance statuses"
        constraints = [
            models.CheckConstraint(
                condition=(Q(scale="ecog") & Q(score__lte=5))
                | (Q(scale__in=["lansky", "karnofsky"]) & Q(score__lte=100)),
                name="performance_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scale_display()} {self.score}"


class TumorMarkerCode(models.TextChoices):
    AFP = "AFP", _("Alpha-fetoprotein (AFP)")
    BHCG = "bHCG", _("Beta-hCG")
    CEA = "CEA", _("Carcinoembryonic antigen (CEA)")
    SCC_AG = "SCC-Ag", _("Squamous cell carcinoma antigen")
    CA19_9 = "CA19-9", _("CA 19-9")
    CA125 = "CA125", _("CA 125")
    PSA = "PSA", _("Prostate-specific antigen")
    NSE = "NSE", _("Neuron-specific enolase")
    VMA = "VMA", _("Urine vanillylmandelic acid (VMA)")
    HVA = "HVA", _("Urine homovanillic acid (HVA)")
    LDH = "LDH", _("Lactate dehydrogenase")
    FERRITIN = "ferritin", _("Ferritin")


class TumorMarker(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="tumor_markers"
    )
    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.PROTECT, null=True, blank=True, related_name="tumor_markers"
    )
    marker = models.CharField(_("marker"), max_length=12, choices=TumorMarkerCode.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. ng/mL, U/mL, mg/g Cr"))
    observed_on = models.DateField(_("measured on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["observed_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="tumor_marker_non_negative")
        ]


class DiseaseStatusCode(models.TextChoices):
    """Cancer disease status (mCODE CancerDiseaseStatus, simplified)."""

    NO_EVIDENCE = "no-evidence", _("No evidence of disease")
    RESPONDING = "responding", _("Responding")
    STABLE = "stable", _("Stable")
    PROGRESSING = "progressing", _("Progressing")
    REMISSION = "remission", _("Remission")
    RELAPSE = "relapse", _("Relapse")
    UNDETERMINED = "undetermined", _("Undetermined")


class DiseaseStatus(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="disease_statuses"
    )
    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.PROTECT, related_name="disease_statuses"
    )
    status = models.CharField(_("status"), max_length=20, choices=DiseaseStatusCode.choices)
    observed_on = models.DateField(_("assessed on"))
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("Evidence, e.g. imaging result.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["observed_on", "id"]
        verbose_name_plural = "disease statuses"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DiseaseStatusCode.values), name="disease_status_valid"
            )
        ]


class Modality(models.TextChoices):
    SURGERY = "surgery", _("Surgery")
    CHEMOTHERAPY = "chemotherapy", _("Chemotherapy")
    RADIOTHERAPY = "radiotherapy", _("Radiotherapy")
    HSCT = "hsct", _("Stem cell transplantation")
    IMMUNOTHERAPY = "immunotherapy", _("Immunotherapy")
    OTHER = "other", _("Other")


class CurrentEpisodeManager(models.Manager["TreatmentEpisode"]):
    def get_queryset(self) -> models.QuerySet[TreatmentEpisode]:
        return super().get_queryset().filter(entered_in_error_at__isnull=True)


class TreatmentEpisode(TimeStampedModel):
    """A treatment given (here or elsewhere). Other areas add rows: RT courses, surgeries, HSCT."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_episodes"
    )
    diagnosis = models.ForeignKey(
        Diagnosis,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_episodes",
    )
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    at_this_center = models.BooleanField(_("at this hospital"), default=True)
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("Regimen, operation or course, e.g. CRT 50.4 Gy."),
    )
    source = models.CharField(
        max_length=60,
        blank=True,
        help_text="Area that created the row, e.g. radiotherapy.course:12.",
    )
    entered_in_error_at = models.DateTimeField(
        _("entered in error at"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the row was recorded by mistake (e.g. its transplant was cancelled)."
        ),
    )
    entered_in_error_reason = models.CharField(
        _("reason it was entered in error"), max_length=300, blank=True
    )

    # Rows entered in error stay for the record but are not treatments: every reader (chart,
    # "previously treated", exports) sees only the current ones; `all_objects` sees them all.
    objects = CurrentEpisodeManager()
    all_objects = models.Manager()

    class Meta:
        base_manager_name = "all_objects"
        ordering = ["started_on", "id"]
        indexes = [models.Index(fields=["patient", "started_on"], name="treatment_patient_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(modality__in=Modality.values), name="treatment_modality_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="treatment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_modality_display()} {self.started_on:%Y-%m-%d}"


class WorkupDepartment(models.TextChoices):
    PATHOLOGY = "pathology", _("Pathology")
    RADIOLOGY = "radiology", _("Radiology")
    LABORATORY_MEDICINE = "laboratory_medicine", _("Laboratory medicine")
    NUCLEAR_MEDICINE = "nuclear_medicine", _("Nuclear medicine")


class WorkupStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    IN_PROGRESS = "in-progress", _("In progress")
    RESULTED = "resulted", _("Resulted")
    CANCELLED = "cancelled", _("Cancelled")


class WorkupOrder(TimeStampedModel):
    """A diagnostic order to pathology, radiology, laboratory or nuclear medicine."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="workup_orders"
    )
    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.PROTECT, null=True, blank=True, related_name="workup_orders"
    )
    department = models.CharField(_("department"), max_length=30, choices=WorkupDepartment.choices)
    test_name = models.CharField(
        _("test"), max_length=120, help_text=_("e.g. MIBG scan, bone marrow biopsy")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=WorkupStatus.choices, default=WorkupStatus.ORDERED
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    resulted_at = models.DateTimeField(_("resulted at"), null=True, blank=True)
    result_summary = models.TextField(_("result summary"), blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resulted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-ordered_at", "id"]
        indexes = [models.Index(fields=["department", "status"], name="workup_department_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__in=WorkupDepartment.values), name="workup_department_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=WorkupStatus.values), name="workup_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="resulted")
                | (Q(resulted_at__isnull=False) & ~Q(result_summary="")),
                name="workup_resulted_has_result",
            ),
            models.CheckConstraint(
                condition=Q(resulted_at__isnull=True) | Q(resulted_at__gte=F("ordered_at")),
                name="workup_result_after_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_department_display()}: {self.test_name}"

    @property
    def turnaround_hours(self) -> float | None:
        if self.resulted_at is None:
            return None
        return (self.resulted_at - self.ordered_at).total_seconds() / 3600


# National Health Insurance: a registered cancer patient pays a reduced share (5%) for five years.
COPAY_YEARS = 5
COPAY_REMINDER_DAYS = 60


def copay_expiry(registered_on: dt.date) -> dt.date:
    """Last day covered: five years from registration, less a day (29 Feb -> 28 Feb)."""
    try:
        end = registered_on.replace(year=registered_on.year + COPAY_YEARS)
    except ValueError:
        end = dt.date(registered_on.year + COPAY_YEARS, 3, 1)
    return end - dt.timedelta(days=1)


class CopayRegistration(TimeStampedModel):
    """NHIS registration of a cancer patient for the reduced (5%) co-payment, valid five years.

    It is made for a cancer diagnosis, so it lives here; until issue 14 it was in ``patients``
    (the table was renamed from ``patients_copayregistration``, rows kept)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="copay_registrations"
    )
    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    special_code = models.CharField(
        _("special case code"),
        max_length=8,
        default="V193",
        help_text=_("NHIS code, V193 for cancer."),
    )
    registration_number = models.CharField(_("registration number"), max_length=30, blank=True)
    registered_on = models.DateField(_("registered on"))
    expires_on = models.DateField(
        _("valid through"), help_text=_("Registration date + 5 years - 1 day.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["expires_on", "id"]
        indexes = [models.Index(fields=["expires_on"], name="copay_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("registered_on")), name="copay_expiry_after_start"
            ),
            models.UniqueConstraint(
                fields=["patient", "registered_on"], name="copay_once_per_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.special_code} {self.registered_on:%Y-%m-%d}"


class VitalSignsStatus(models.TextChoices):
    """Where a set stands. A set is never edited: a mistaken one is marked entered in error, a
    mistyped one is superseded by a corrected set (status amended) that points to it."""

    FINAL = "final", _("Final")
    AMENDED = "amended", _("Amended (corrects an earlier set)")
    SUPERSEDED = "superseded", _("Superseded by a corrected set")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


# The statuses of a set that stands (shown plain, read by trends and latest values).
VITALS_CURRENT = (VitalSignsStatus.FINAL.value, VitalSignsStatus.AMENDED.value)


class VitalSignsQuerySet(models.QuerySet["VitalSigns"]):
    def current(self) -> VitalSignsQuerySet:
        """The sets that stand (not superseded, not entered in error): what trends and latest
        values read."""
        return self.filter(status__in=VITALS_CURRENT)


class VitalSigns(TimeStampedModel):
    """One set of vital signs taken by a nurse at the bedside or in clinic. Any measurement may be
    left out (a ward round rarely weighs), but a set holds at least one. Served as FHIR vital-signs
    Observations, one per measurement (the FHIR vital signs profiles want them apart).

    Append-only (the database refuses other updates, `migrations/0005`): the only change a row
    takes is its correction, once: `status` (superseded or entered-in-error) with `corrected_at`,
    `corrected_by` and `correction_reason`."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="vital_signs"
    )
    measured_at = models.DateTimeField(_("measured at"), help_text=_("When the signs were taken."))
    time_known = models.BooleanField(
        _("time known"),
        default=True,
        help_text=_(
            "False when only the date is known (a record imported from elsewhere that gave a "
            "date): measured_at is then midnight in the center's timezone and is shown as a date."
        ),
    )
    systolic_mmhg = models.PositiveSmallIntegerField(
        _("systolic (mmHg)"), null=True, blank=True, help_text=_("Systolic blood pressure, 40-300.")
    )
    diastolic_mmhg = models.PositiveSmallIntegerField(
        _("diastolic (mmHg)"),
        null=True,
        blank=True,
        help_text=_("Diastolic blood pressure, 20-200, below the systolic."),
    )
    heart_rate_bpm = models.PositiveSmallIntegerField(
        _("heart rate (/min)"), null=True, blank=True, help_text=_("Beats per minute, 20-300.")
    )
    respiratory_rate = models.PositiveSmallIntegerField(
        _("respiratory rate (/min)"),
        null=True,
        blank=True,
        help_text=_("Breaths per minute, 4-80."),
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Body temperature in degrees Celsius, 30.0-45.0."),
    )
    spo2_percent = models.PositiveSmallIntegerField(
        _("SpO2 (%)"),
        null=True,
        blank=True,
        help_text=_("Oxygen saturation by pulse oximetry, 50-100."),
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Body weight in kilograms, 0.3-350."),
    )
    height_cm = models.DecimalField(
        _("height (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Body height in centimetres, 25-250."),
    )
    bmi = models.DecimalField(
        _("BMI"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Body mass index (kg/m²), computed when weight and height are both taken."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=VitalSignsStatus.choices,
        default=VitalSignsStatus.FINAL,
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
        help_text=_("The set this corrected set replaces (its reason is kept on that set)."),
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    correction_reason = models.CharField(
        _("correction reason"),
        max_length=300,
        blank=True,
        help_text=_("Why the set was entered in error or superseded."),
    )

    objects = VitalSignsQuerySet.as_manager()

    MEASUREMENTS = (
        "systolic_mmhg",
        "heart_rate_bpm",
        "respiratory_rate",
        "temperature_c",
        "spo2_percent",
        "weight_kg",
        "height_cm",
    )

    class Meta:
        ordering = ["measured_at", "id"]
        verbose_name_plural = "vital signs"
        indexes = [models.Index(fields=["patient", "measured_at"], name="vitals_patient_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(systolic_mmhg__isnull=False)
                | Q(heart_rate_bpm__isnull=False)
                | Q(respiratory_rate__isnull=False)
                | Q(temperature_c__isnull=False)
                | Q(spo2_percent__isnull=False)
                | Q(weight_kg__isnull=False)
                | Q(height_cm__isnull=False),
                name="vitals_at_least_one",
            ),
            # A blood pressure is a pair: both values or neither, systolic above diastolic. (The
            # NOT NULL tests are needed: a comparison with NULL would let the CHECK pass.)
            models.CheckConstraint(
                condition=(Q(systolic_mmhg__isnull=True) & Q(diastolic_mmhg__isnull=True))
                | (
                    Q(systolic_mmhg__isnull=False)
                    & Q(diastolic_mmhg__isnull=False)
                    & Q(systolic_mmhg__gte=40)
                    & Q(systolic_mmhg__lte=300)
                    & Q(diastolic_mmhg__gte=20)
                    & Q(diastolic_mmhg__lte=200)
                    & Q(systolic_mmhg__gt=F("diastolic_mmhg"))
                ),
                name="vitals_bp_pair_plausible",
            ),
            models.CheckConstraint(
                condition=Q(heart_rate_bpm__isnull=True)
                | (Q(heart_rate_bpm__gte=20) & Q(heart_rate_bpm__lte=300)),
                name="vitals_heart_rate_plausible",
            ),
            models.CheckConstraint(
                condition=Q(respiratory_rate__isnull=True)
                | (Q(respiratory_rate__gte=4) & Q(respiratory_rate__lte=80)),
                name="vitals_resp_rate_plausible",
            ),
            models.CheckConstraint(
                condition=Q(temperature_c__isnull=True)
                | (Q(temperature_c__gte=30) & Q(temperature_c__lte=45)),
                name="vitals_temperature_plausible",
            ),
            models.CheckConstraint(
                condition=Q(spo2_percent__isnull=True)
                | (Q(spo2_percent__gte=50) & Q(spo2_percent__lte=100)),
                name="vitals_spo2_plausible",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True)
                | (Q(weight_kg__gte=Decimal("0.3")) & Q(weight_kg__lte=350)),
                name="vitals_weight_plausible",
            ),
            models.CheckConstraint(
                condition=Q(height_cm__isnull=True)
                | (Q(height_cm__gte=25) & Q(height_cm__lte=250)),
                name="vitals_height_plausible",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VitalSignsStatus.values), name="vitals_status_valid"
            ),
            # A correction is whole (when, who, why) on a corrected row and absent on a standing
            # one, so no row can be half-corrected whatever writes it.
            models.CheckConstraint(
                condition=(
                    Q(status__in=VITALS_CURRENT)
                    & Q(corrected_at__isnull=True)
                    & Q(corrected_by__isnull=True)
                    & Q(correction_reason="")
                )
                | (
                    Q(status__in=[VitalSignsStatus.SUPERSEDED, VitalSignsStatus.ENTERED_IN_ERROR])
                    & Q(corrected_at__isnull=False)
                    & Q(corrected_by__isnull=False)
                    & ~Q(correction_reason="")
                ),
                name="vitals_correction_whole",
            ),
            # An amended set names the set it corrects; an original (final) set names none.
            models.CheckConstraint(
                condition=(Q(supersedes__isnull=True) & ~Q(status=VitalSignsStatus.AMENDED))
                | (Q(supersedes__isnull=False) & ~Q(status=VitalSignsStatus.FINAL)),
                name="vitals_amended_names_superseded",
            ),
        ]

    def __str__(self) -> str:
        return f"vital signs {self.measured_at:%Y-%m-%d %H:%M}"
