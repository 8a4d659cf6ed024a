"""Radiotherapy course records: course -> prescription -> plan -> fractions and deliveries.

Record-and-verify principle (IEC 62274): treatment cannot proceed unless the recorded data match
the approved, signed data, and every session is recorded. The services enforce the interlocks;
the database enforces what it can express (fraction counts, uniqueness, value ranges), so that a
bug or a concurrent request cannot over-deliver.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.machines.models import Technique

USER = settings.AUTH_USER_MODEL

#: Techniques whose plans need a patient-specific QA measurement before the first fraction.
PSQA_TECHNIQUES = frozenset({"IMRT", "VMAT", "SBRT", "SRS"})


class Intent(models.TextChoices):
    CURATIVE = "curative", _("Curative")
    PALLIATIVE = "palliative", _("Palliative")
    PROPHYLACTIC = "prophylactic", _("Prophylactic")


class Pattern(models.TextChoices):
    DAILY = "daily", _("Daily")
    ALTERNATE = "alternate", _("Alternate days")
    BID = "bid", _("Twice daily")


class CourseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("On treatment")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped early")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class PrescriptionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (unsigned)")
    SIGNED = "signed", _("Signed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (not approved)")
    APPROVED = "approved", _("Approved by physician")
    CHECKED = "checked", _("Physics check passed")
    RETIRED = "retired", _("Retired")


class FractionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    TREATED = "treated", _("Treated")
    PARTIAL = "partially-treated", _("Partially treated")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


DELIVERED_STATUSES = (FractionStatus.TREATED, FractionStatus.PARTIAL)


class SignatureMeaning(models.TextChoices):
    PRESCRIPTION = "prescription-signed", _("Prescription signed")
    PLAN_APPROVAL = "plan-approved", _("Plan approved")
    PHYSICS_CHECK = "physics-check", _("Physics plan check")
    PSQA = "psqa-reviewed", _("Patient-specific QA reviewed")
    WEEKLY_CHART = "weekly-chart-check", _("Weekly chart check")
    END_CHECK = "end-of-treatment-check", _("End-of-treatment check")
    WEEKLY_REVIEW = "weekly-review", _("Weekly on-treatment review")
    OVERRIDE = "dose-override", _("Dose-limit override")


class ChecklistKind(models.TextChoices):
    INITIAL = "initial", _("Initial plan check")
    WEEKLY = "weekly", _("Weekly chart check")
    END = "end", _("End-of-treatment check")


# --- editable reference data ----------------------------------------------------------------------


class ConstraintSet(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_ko = models.CharField(_("name (Korean)"), max_length=120, blank=True)
    fractionation = models.CharField(
        _("fractionation"),
        max_length=200,
        blank=True,
        help_text=_("The fractionation the limits are stated for."),
    )
    source = models.TextField(
        _("source"), help_text=_("Where the limits come from; who reviewed them.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrganConstraint(TimeStampedModel):
    constraint_set = models.ForeignKey(
        ConstraintSet, on_delete=models.CASCADE, related_name="constraints"
    )
    organ = models.CharField(
        _("organ"), max_length=60, help_text=_("Organ at risk, e.g. Spinal cord.")
    )
    organ_ko = models.CharField(_("organ (Korean)"), max_length=60, blank=True)
    metric = models.CharField(
        _("metric"), max_length=20, help_text=_("Dmax, Dmean, D0.03cc or Vx (e.g. V20).")
    )
    comparator = models.CharField(
        _("comparator"),
        max_length=2,
        choices=[(c, c) for c in ("<", "<=")],
        help_text=_("The planned value must be below the limit."),
    )
    limit = models.DecimalField(_("limit"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=4, choices=[("Gy", "Gy"), ("%", "%")])
    alpha_beta_gy = models.DecimalField(
        _("alpha/beta (Gy)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(3),
        help_text=_("Used to convert to EQD2 when courses are summed."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["constraint_set", "organ", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["constraint_set", "organ", "metric"], name="rt_constraint_once"
            ),
            models.CheckConstraint(condition=Q(limit__gte=0), name="rt_constraint_limit_positive"),
            models.CheckConstraint(
                condition=Q(alpha_beta_gy__gt=0), name="rt_constraint_ab_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=["Gy", "%"]), name="rt_constraint_unit_known"
            ),
            models.CheckConstraint(
                condition=Q(comparator__in=["<", "<="]), name="rt_constraint_comparator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organ} {self.metric} {self.comparator} {self.limit} {self.unit}"


class ChecklistItem(TimeStampedModel):
    """One item of the physics plan/chart checks (AAPM MPPG 11.a, editable)."""

    kind = models.CharField(_("check"), max_length=10, choices=ChecklistKind.choices)
    code = models.CharField(_("code"), max_length=20, unique=True)
    text = models.CharField(_("item"), max_length=300)
    text_ko = models.CharField(_("item (Korean)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ChecklistKind.values), name="rt_checklist_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class CtcaeTerm(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    term = models.CharField(_("term"), max_length=120)
    term_ko = models.CharField(_("term (Korean)"), max_length=120, blank=True)
    soc = models.CharField(_("system organ class"), max_length=120, blank=True)
    grades = models.JSONField(
        _("grade descriptions"),
        default=dict,
        help_text=_('Grade number (text) to description, e.g. {"1": "..."}.'),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    @property
    def max_grade(self) -> int:
        return max((int(g) for g in self.grades), default=0)


class GapSensitiveSite(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=120)
    label_ko = models.CharField(_("label (Korean)"), max_length=120, blank=True)
    icd10_prefixes = models.JSONField(_("ICD-10 prefixes"), default=list)
    icdo3_morphologies = models.JSONField(
        _("ICD-O-3 morphologies"), default=list, blank=True, help_text=_("Empty: any morphology.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    def as_rule(self) -> dict:
        return {
            "code": self.code,
            "icd10_prefixes": self.icd10_prefixes,
            "icdo3_morphologies": self.icdo3_morphologies,
        }


class DicomMachineName(TimeStampedModel):
    """The name a planning system writes in Treatment Machine Name, mapped to a machine."""

    dicom_name = models.CharField(_("DICOM treatment machine name"), max_length=64, unique=True)
    machine = models.ForeignKey(
        "machines.Machine", on_delete=models.CASCADE, related_name="dicom_names"
    )

    class Meta:
        ordering = ["dicom_name"]

    def __str__(self) -> str:
        return f"{self.dicom_name} -> {self.machine_id}"


# --- the course -------------------------------------------------------------------------------------


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


class Signature(models.Model):
    """An electronic signature: who, when, in which role and credential, meaning what.

    Append-only: a row is never deleted or re-pointed; when the signed data is edited, the row is
    voided (stamped with when and why) and a new signature is needed.
    """

    meaning = models.CharField(_("meaning"), max_length=30, choices=SignatureMeaning.choices)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="signatures")
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    signed_version = models.PositiveIntegerField(_("version signed"), default=1)
    signer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="rt_signatures")
    signer_role = models.CharField(_("role"), max_length=40)
    credential_number = models.CharField(_("credential"), max_length=60, blank=True)
    signed_at = models.DateTimeField(_("signed at"))
    statement = models.CharField(_("statement"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_reason = models.CharField(_("void reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        indexes = [models.Index(fields=["meaning", "voided_at"], name="rt_sig_meaning_active")]
        constraints = [
            models.CheckConstraint(
                condition=Q(meaning__in=SignatureMeaning.values), name="rt_sig_meaning"
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(voided_reason=""),
                name="rt_sig_void_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_meaning_display()} by {self.signer} at {self.signed_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.voided_at is None


class PhysicsCheck(TimeStampedModel):
    """A physics plan or chart check with its checklist answers (MPPG 11.a items)."""

    kind = models.CharField(_("check"), max_length=10, choices=ChecklistKind.choices)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="physics_checks")
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="physics_checks"
    )
    checker = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="rt_physics_checks")
    performed_at = models.DateTimeField(_("performed at"))
    results = models.JSONField(
        _("checklist results"),
        default=dict,
        help_text=_("Item code to {result: pass|fail|na, comment}."),
    )
    passed = models.BooleanField(_("passed"))
    comment = models.TextField(_("comment"), blank=True)
    signature = models.OneToOneField(
        Signature, on_delete=models.PROTECT, related_name="physics_check"
    )

    class Meta:
        ordering = ["-performed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ChecklistKind.values), name="rt_check_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.performed_at:%Y-%m-%d}"


class PatientSpecificQA(TimeStampedModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="psqa")
    performed_at = models.DateTimeField(_("measured at"))
    method = models.CharField(
        _("method"), max_length=120, help_text=_("e.g. ArcCHECK gamma 3%/2 mm")
    )
    passing_rate_pct = models.DecimalField(_("passing rate (%)"), max_digits=5, decimal_places=2)
    action_limit_pct = models.DecimalField(
        _("action limit (%)"), max_digits=5, decimal_places=2, default=Decimal("95.00")
    )
    passed = models.BooleanField(_("passed"))
    comment = models.TextField(_("comment"), blank=True)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="psqa")

    class Meta:
        ordering = ["-performed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(passing_rate_pct__gte=0, passing_rate_pct__lte=100),
                name="rt_psqa_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return f"PSQA {self.passing_rate_pct}% ({'pass' if self.passed else 'fail'})"


class DoseOverride(TimeStampedModel):
    """A physician's documented acceptance of a dose over a constraint limit."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="overrides")
    organ = models.CharField(_("organ"), max_length=60)
    metric = models.CharField(_("metric"), max_length=20)
    cumulative = models.BooleanField(_("cumulative (EQD2)"), default=False)
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2)
    limit = models.DecimalField(_("limit"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=4)
    justification = models.TextField(_("justification"))
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="override")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(justification=""), name="rt_override_justified"),
        ]

    def __str__(self) -> str:
        return f"override {self.organ} {self.metric} {self.value} > {self.limit} {self.unit}"


class Fraction(TimeStampedModel):
    """One treatment session of a prescription, with an explicit status."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="fractions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="fractions")
    sequence = models.PositiveSmallIntegerField(
        _("session"), help_text=_("Order of the session in the course.")
    )
    scheduled_date = models.DateField(_("scheduled date"), null=True, blank=True)
    machine = models.ForeignKey(
        "machines.Machine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rt_fractions",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=FractionStatus.choices, default=FractionStatus.SCHEDULED
    )
    delivered_number = models.PositiveSmallIntegerField(
        _("fraction number"),
        null=True,
        blank=True,
        help_text=_("n-th fraction delivered of the prescription (set when treated)."),
    )
    meterset_delivered = models.DecimalField(
        _("meterset delivered"), max_digits=8, decimal_places=2, default=Decimal(0)
    )
    dose_delivered_gy = models.DecimalField(
        _("dose delivered (Gy)"), max_digits=6, decimal_places=3, default=Decimal(0)
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["prescription", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "sequence"], name="rt_fraction_sequence_once"
            ),
            models.UniqueConstraint(
                fields=["prescription", "delivered_number"],
                condition=Q(delivered_number__isnull=False),
                name="rt_fraction_number_once",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FractionStatus.values), name="rt_fraction_status"
            ),
            models.CheckConstraint(
                condition=Q(delivered_number__isnull=True) | Q(delivered_number__gte=1),
                name="rt_fraction_number_positive",
            ),
            # A fraction counts as delivered exactly when it carries a fraction number.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["treated", "partially-treated"], delivered_number__isnull=False)
                    | (
                        ~Q(status__in=["treated", "partially-treated"])
                        & Q(delivered_number__isnull=True)
                    )
                ),
                name="rt_fraction_number_iff_delivered",
            ),
            models.CheckConstraint(
                condition=Q(meterset_delivered__gte=0, dose_delivered_gy__gte=0),
                name="rt_fraction_delivered_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.sequence} ({self.get_status_display()})"

    @property
    def is_delivered(self) -> bool:
        return self.status in DELIVERED_STATUSES


class Delivery(models.Model):
    """A recorded beam-on session. Append-only: corrections mark it entered-in-error."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")

    fraction = models.ForeignKey(Fraction, on_delete=models.PROTECT, related_name="deliveries")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="rt_deliveries")
    recorded_at = models.DateTimeField(_("recorded at"))
    delivered_at = models.DateTimeField(_("delivered at"))
    machine = models.ForeignKey(
        "machines.Machine", on_delete=models.PROTECT, related_name="rt_deliveries"
    )
    meterset_delivered = models.DecimalField(
        _("meterset delivered"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    dose_delivered_gy = models.DecimalField(
        _("dose delivered (Gy)"), max_digits=6, decimal_places=3
    )
    partial = models.BooleanField(_("partial"), default=False)
    identifiers_confirmed = models.JSONField(
        _("identifiers confirmed"),
        default=list,
        help_text=_("Kinds of patient identifier checked, at least two."),
    )
    plan_version = models.PositiveIntegerField(_("plan version"))
    prescription_version = models.PositiveIntegerField(_("prescription version"))
    authorised_by = models.JSONField(
        _("signatures relied on"),
        default=list,
        help_text=_("Ids of the signatures in force when it was recorded."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECORDED
    )
    error_reason = models.CharField(_("error reason"), max_length=300, blank=True)
    errored_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    errored_at = models.DateTimeField(null=True, blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["delivered_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["recorded", "entered-in-error"]), name="rt_delivery_status"
            ),
            models.CheckConstraint(
                condition=Q(status="recorded", errored_at__isnull=True)
                | (Q(status="entered-in-error", errored_at__isnull=False) & ~Q(error_reason="")),
                name="rt_delivery_error_documented",
            ),
            models.CheckConstraint(
                condition=Q(meterset_delivered__isnull=True) | Q(meterset_delivered__gte=0),
                name="rt_delivery_meterset_positive",
            ),
            models.CheckConstraint(
                condition=Q(dose_delivered_gy__gte=0), name="rt_delivery_dose_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.delivered_at:%Y-%m-%d %H:%M} ({self.status})"


class BrachySession(TimeStampedModel):
    """HDR brachytherapy details of a fraction: applicator, room, afterloader, team present."""

    fraction = models.OneToOneField(Fraction, on_delete=models.PROTECT, related_name="brachy")
    applicator = models.CharField(
        _("applicator"), max_length=120, help_text=_("e.g. tandem and ovoids")
    )
    room = models.CharField(_("room"), max_length=40)
    afterloader = models.ForeignKey("machines.Machine", on_delete=models.PROTECT, related_name="+")
    anesthesia = models.BooleanField(_("under anesthesia"), default=False)
    physician_present = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    physicist_present = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    anesthesiologist = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    def __str__(self) -> str:
        return f"HDR {self.applicator} in {self.room}"


class InterruptionReview(TimeStampedModel):
    """The physician's decision on the days lost so far (gap compensation or not)."""

    class Decision(models.TextChoices):
        COMPENSATE = "compensate", _("Compensate (extra or twice-daily fractions)")
        NO_COMPENSATION = "no-compensation", _("No compensation")

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="interruption_reviews"
    )
    days_lost = models.PositiveSmallIntegerField(_("open days lost at review"))
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    note = models.CharField(
        _("plan or reason"),
        max_length=300,
        help_text=_("e.g. two fractions 6 h apart on Friday; or why none is needed"),
    )
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["prescription", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["compensate", "no-compensation"]), name="rt_gap_decision"
            ),
            models.CheckConstraint(condition=~Q(note=""), name="rt_gap_note_present"),
        ]

    def __str__(self) -> str:
        return f"{self.days_lost} day(s): {self.decision}"


class WeeklyReview(TimeStampedModel):
    """The physician's weekly on-treatment visit, with CTCAE grading."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="weekly_reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    fractions_at_review = models.PositiveSmallIntegerField(
        _("fractions delivered at review"), default=0
    )
    notes = models.TextField(_("notes"), blank=True)
    continue_treatment = models.BooleanField(_("continue treatment"), default=True)
    signature = models.OneToOneField(
        Signature, on_delete=models.PROTECT, related_name="weekly_review"
    )

    class Meta:
        ordering = ["course", "-reviewed_on"]

    def __str__(self) -> str:
        return f"weekly review {self.reviewed_on}"


class ToxicityGrade(models.Model):
    review = models.ForeignKey(WeeklyReview, on_delete=models.CASCADE, related_name="grades")
    term = models.ForeignKey(CtcaeTerm, on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(_("grade"), help_text=_("CTCAE v5 grade, 0 = none."))
    comment = models.CharField(_("comment"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "term"], name="rt_tox_term_once"),
            models.CheckConstraint(
                condition=Q(grade__gte=0, grade__lte=5), name="rt_tox_grade_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} grade {self.grade}"
