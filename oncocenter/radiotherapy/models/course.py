"""The course, its prescriptions and plans, and the organ doses planned or received before."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.machines.models import Technique
from oncocenter.radiotherapy.models.reference import ConstraintSet
from oncocenter.radiotherapy.models.vocabularies import (
    PSQA_TECHNIQUES,
    CourseStatus,
    Intent,
    Pattern,
    PlanStatus,
    PrescriptionStatus,
)

USER = settings.AUTH_USER_MODEL


class Course(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="rt_courses"
    )
    number = models.PositiveSmallIntegerField(
        _("course number"), help_text=_("1 for the first course, and so on.")
    )
    label = models.CharField(_("label"), max_length=120, help_text=_("e.g. Left breast adjuvant"))
    intent = models.CharField(_("intent"), max_length=20, choices=Intent.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=CourseStatus.choices, default=CourseStatus.PLANNED
    )
    physician = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="rt_courses",
        help_text=_("Responsible radiation oncologist."),
    )
    is_reirradiation = models.BooleanField(
        _("re-irradiation"),
        default=False,
        help_text=_("Set when the patient had radiotherapy before."),
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    treatment_episode_id = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="oncology.TreatmentEpisode created for this course, when that app is present.",
    )

    class Meta:
        ordering = ["patient", "number"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "number"], name="rt_course_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="rt_course_number_positive"),
            models.CheckConstraint(
                condition=Q(status__in=CourseStatus.values), name="rt_course_status"
            ),
            models.CheckConstraint(condition=Q(intent__in=Intent.values), name="rt_course_intent"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=False, ended_on__gte=F("started_on")),
                name="rt_course_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"RT course {self.number}: {self.label}"


class CourseSuspension(models.Model):
    """A course put on hold by its physician (reason required) and, later, resumed.

    Suspending cancels the course's future bookings; resuming books its remaining sessions again.
    One open suspension per course; a resumed row keeps who resumed it and when (never deleted).
    """

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="suspensions")
    suspended_at = models.DateTimeField(_("suspended at"))
    suspended_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    resumed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resume_note = models.CharField(_("resume note"), max_length=300, blank=True)

    class Meta:
        ordering = ["course", "-suspended_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(resumed_at__isnull=True),
                name="rt_course_one_open_suspension",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="rt_suspension_reason"),
            models.CheckConstraint(
                condition=Q(resumed_at__isnull=True)
                | Q(resumed_by__isnull=False, resumed_at__gte=F("suspended_at")),
                name="rt_suspension_resume_documented",
            ),
        ]

    def __str__(self) -> str:
        return f"course {self.course_id} suspended {self.suspended_at:%Y-%m-%d}"


class Prescription(TimeStampedModel):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="prescriptions")
    site = models.CharField(
        _("treatment site"), max_length=120, help_text=_("e.g. Oropharynx and neck")
    )
    diagnosis = models.ForeignKey(
        "oncology.Diagnosis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rt_prescriptions",
        help_text=_(
            "The diagnosis this prescription treats; its ICD-10 and ICD-O-3 codes are copied."
        ),
    )
    no_diagnosis_reason = models.CharField(
        _("reason for no diagnosis"),
        max_length=300,
        blank=True,
        help_text=_(
            "Required when no diagnosis is linked (e.g. benign disease treated before histology)."
        ),
    )
    icd10_code = models.CharField(
        _("ICD-10"),
        max_length=10,
        blank=True,
        help_text=_("Copied from the diagnosis; decides gap sensitivity."),
    )
    icdo3_morphology = models.CharField(_("ICD-O-3 morphology"), max_length=10, blank=True)
    technique = models.CharField(_("technique"), max_length=10, choices=Technique.choices)
    energy = models.CharField(
        _("energy"), max_length=30, blank=True, help_text=_("e.g. 6 MV, 9 MeV, Ir-192")
    )
    dose_per_fraction_gy = models.DecimalField(
        _("dose per fraction (Gy)"), max_digits=6, decimal_places=3
    )
    number_of_fractions = models.PositiveSmallIntegerField(_("number of fractions"))
    total_dose_gy = models.DecimalField(_("total dose (Gy)"), max_digits=7, decimal_places=3)
    pattern = models.CharField(
        _("pattern"), max_length=10, choices=Pattern.choices, default=Pattern.DAILY
    )
    intent = models.CharField(_("intent"), max_length=20, choices=Intent.choices)
    constraint_set = models.ForeignKey(
        ConstraintSet, on_delete=models.PROTECT, null=True, blank=True, related_name="prescriptions"
    )
    gap_sensitive_site = models.CharField(
        _("gap-sensitive site"),
        max_length=40,
        blank=True,
        help_text=_("Set from the diagnosis: lost days need compensation."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PrescriptionStatus.choices,
        default=PrescriptionStatus.DRAFT,
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Raised by every edit; signatures name the version signed."),
    )
    fractions_delivered = models.PositiveSmallIntegerField(
        _("fractions delivered"),
        default=0,
        editable=False,
        help_text=_(
            "Fractions treated or partially treated; the database refuses more than prescribed."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["course", "pk"]
        constraints = [
            # The record-and-verify invariant: never more fractions than prescribed.
            models.CheckConstraint(
                condition=Q(fractions_delivered__lte=F("number_of_fractions")),
                name="rt_rx_delivered_within_prescribed",
            ),
            models.CheckConstraint(
                condition=Q(number_of_fractions__gte=1, number_of_fractions__lte=60),
                name="rt_rx_fractions_range",
            ),
            models.CheckConstraint(
                condition=Q(dose_per_fraction_gy__gt=0, dose_per_fraction_gy__lte=30),
                name="rt_rx_dose_per_fraction_range",
            ),
            models.CheckConstraint(
                condition=Q(total_dose_gy__gt=0, total_dose_gy__lte=200),
                name="rt_rx_total_dose_range",
            ),
            models.CheckConstraint(
                condition=Q(technique__in=Technique.values), name="rt_rx_technique"
            ),
            models.CheckConstraint(condition=Q(pattern__in=Pattern.values), name="rt_rx_pattern"),
            models.CheckConstraint(
                condition=Q(status__in=PrescriptionStatus.values), name="rt_rx_status"
            ),
            # Tied to the diagnosis it treats, or an explicit reason why not (issue 15).
            models.CheckConstraint(
                condition=Q(diagnosis__isnull=False) | ~Q(no_diagnosis_reason=""),
                name="rt_rx_diagnosis_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.total_dose_gy} Gy / {self.number_of_fractions} fx ({self.technique})"

    @property
    def patient(self):
        return self.course.patient

    @property
    def fractions_remaining(self) -> int:
        return self.number_of_fractions - self.fractions_delivered


class Plan(TimeStampedModel):
    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="plans")
    label = models.CharField(_("plan label"), max_length=64)
    planner = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="rt_plans_planned",
        help_text=_("Dosimetrist or physicist who made the plan."),
    )
    machine = models.ForeignKey(
        "machines.Machine", on_delete=models.PROTECT, related_name="rt_plans"
    )
    technique = models.CharField(_("technique"), max_length=10, choices=Technique.choices)
    fractions_planned = models.PositiveSmallIntegerField(_("fractions planned"))
    dose_per_fraction_gy = models.DecimalField(
        _("dose per fraction (Gy)"), max_digits=6, decimal_places=3
    )
    meterset_per_fraction = models.DecimalField(
        _("meterset per fraction (MU)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Sum of the beams' monitor units (or dwell time for HDR) per fraction."),
    )
    beams = models.JSONField(_("beams"), default=list, blank=True)
    dicom_sop_instance_uid = models.CharField(
        _("DICOM SOP Instance UID"), max_length=64, blank=True
    )
    dicom_summary = models.JSONField(_("imported DICOM summary"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    transferred_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("transferred from"),
        help_text=_("The plan this one replaces on a machine not beam-matched to it."),
    )

    class Meta:
        ordering = ["prescription", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fractions_planned__gte=1), name="rt_plan_fractions_positive"
            ),
            models.CheckConstraint(
                condition=Q(dose_per_fraction_gy__gt=0), name="rt_plan_dose_positive"
            ),
            models.CheckConstraint(
                condition=Q(meterset_per_fraction__isnull=True) | Q(meterset_per_fraction__gt=0),
                name="rt_plan_meterset_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="rt_plan_status"
            ),
            models.UniqueConstraint(
                fields=["dicom_sop_instance_uid"],
                condition=~Q(dicom_sop_instance_uid=""),
                name="rt_plan_sop_uid_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.machine_id}, {self.technique})"

    @property
    def needs_psqa(self) -> bool:
        return self.technique in PSQA_TECHNIQUES


class PlannedOrganDose(TimeStampedModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="organ_doses")
    organ = models.CharField(_("organ"), max_length=60)
    metric = models.CharField(_("metric"), max_length=20)
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=4, choices=[("Gy", "Gy"), ("%", "%")])
    source = models.CharField(
        _("source"),
        max_length=20,
        default="entered",
        help_text=_("entered, or dvh for an imported DVH summary."),
    )

    class Meta:
        ordering = ["plan", "organ", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "organ", "metric"], name="rt_organ_dose_once"),
            models.CheckConstraint(condition=Q(value__gte=0), name="rt_organ_dose_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.organ} {self.metric} {self.value} {self.unit}"


class PriorOrganDose(TimeStampedModel):
    """Dose an organ received in radiotherapy given elsewhere (for re-irradiation sums)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="rt_prior_doses"
    )
    organ = models.CharField(_("organ"), max_length=60)
    total_dose_gy = models.DecimalField(_("total dose (Gy)"), max_digits=7, decimal_places=2)
    fractions = models.PositiveSmallIntegerField(_("fractions"))
    treated_year = models.PositiveSmallIntegerField(_("year treated"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=200, help_text=_("e.g. treatment summary from X hospital")
    )
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["patient", "organ"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_dose_gy__gte=0), name="rt_prior_dose_positive"
            ),
            models.CheckConstraint(
                condition=Q(fractions__gte=1), name="rt_prior_fractions_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organ} {self.total_dose_gy} Gy / {self.fractions} fx"
