"""The record of treatment: signatures, checks and QA, sessions, deliveries, reviews.

Append-only where it matters (signatures and deliveries: database triggers allow only voiding
or marking entered-in-error, once; see `db_guards.py`)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.radiotherapy.models.course import Course, Plan, Prescription
from oncocenter.radiotherapy.models.reference import CtcaeTerm
from oncocenter.radiotherapy.models.vocabularies import (
    DELIVERED_STATUSES,
    ChecklistKind,
    FractionStatus,
    SignatureMeaning,
)

USER = settings.AUTH_USER_MODEL


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
    late_entry = models.BooleanField(
        _("late entry"),
        default=False,
        help_text=_("Entered well after the treatment time (console time); needs a reason."),
    )
    late_entry_reason = models.CharField(_("late entry reason"), max_length=300, blank=True)
    off_schedule = models.CharField(
        _("off schedule"),
        max_length=120,
        blank=True,
        help_text=_(
            "What differed from the booking, comma-separated: other-day, other-machine, "
            "closed-day, second-today, unscheduled."
        ),
    )
    override_signature = models.OneToOneField(
        Signature,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery_override",
        help_text=_("The signed override that allowed an off-schedule treatment."),
    )

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
            # The console time is never after the server's entry time (issue 15).
            models.CheckConstraint(
                condition=Q(delivered_at__lte=F("recorded_at")),
                name="rt_delivery_not_after_entry",
            ),
            models.CheckConstraint(
                condition=Q(late_entry=False) | ~Q(late_entry_reason=""),
                name="rt_delivery_late_entry_reason",
            ),
            models.CheckConstraint(
                condition=Q(off_schedule="") | Q(override_signature__isnull=False),
                name="rt_delivery_off_schedule_signed",
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


class TreatmentRecordImport(models.Model):
    """A DICOM RT Beams Treatment Record from which a delivery was recorded (append-only).

    The record's SOP Instance UID is imported once; the summary (beams, delivered meterset,
    console time) is kept beside the delivery it produced, as evidence."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.PROTECT, related_name="treatment_record"
    )
    sop_instance_uid = models.CharField(_("DICOM SOP Instance UID"), max_length=64, unique=True)
    referenced_plan_uid = models.CharField(_("referenced RT Plan UID"), max_length=64)
    machine_name = models.CharField(_("treatment machine name"), max_length=64)
    fraction_number = models.PositiveSmallIntegerField(_("fraction number"))
    summary = models.JSONField(_("record summary"), default=dict)
    source = models.CharField(_("source"), max_length=20)  # upload, api, folder
    imported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sop_instance_uid="") & ~Q(referenced_plan_uid=""),
                name="rt_record_import_uids",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["upload", "api", "folder"]),
                name="rt_record_import_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sop_instance_uid} -> delivery {self.delivery_id}"


class ImagingKind(models.TextChoices):
    KV = "kv", _("kV planar")
    CBCT = "cbct", _("CBCT")
    MV = "mv", _("MV portal")


class ImageReview(models.Model):
    """Treatment imaging of one delivery: the kind, the couch shifts applied (mm), the therapist's
    approval; shifts above the tolerance put it on the physician's offline review worklist until
    the physician signs the review. Append-only: the review is added once, never changed."""

    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="image_review")
    kind = models.CharField(_("imaging"), max_length=4, choices=ImagingKind.choices)
    shift_lat_mm = models.DecimalField(_("lateral shift (mm)"), max_digits=5, decimal_places=1)
    shift_long_mm = models.DecimalField(
        _("longitudinal shift (mm)"), max_digits=5, decimal_places=1
    )
    shift_vert_mm = models.DecimalField(_("vertical shift (mm)"), max_digits=5, decimal_places=1)
    tolerance_mm = models.DecimalField(_("tolerance (mm)"), max_digits=4, decimal_places=1)
    needs_review = models.BooleanField(_("needs offline review"))
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"))
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["kv", "cbct", "mv"]), name="rt_image_review_kind"
            ),
            models.CheckConstraint(
                condition=Q(tolerance_mm__gt=0), name="rt_image_review_tolerance_positive"
            ),
            models.CheckConstraint(
                condition=(Q(reviewed_by__isnull=True) & Q(reviewed_at__isnull=True))
                | (Q(reviewed_by__isnull=False) & Q(reviewed_at__isnull=False)),
                name="rt_image_review_signed_with_time",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | Q(needs_review=True),
                name="rt_image_review_only_when_needed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for delivery {self.delivery_id}"
