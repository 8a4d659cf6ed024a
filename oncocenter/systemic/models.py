"""Systemic therapy: the regimen library (templates awaiting clinical review), dosing
measurements, orders with their computed doses, the verification chain, day release against hold
parameters, and the two-person administration record (append-only)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class ReviewStatus(models.TextChoices):
    AWAITING = "awaiting_review", _("Awaiting clinical review")
    APPROVED = "approved", _("Approved for use")
    RETIRED = "retired", _("Retired")


class Regimen(TimeStampedModel):
    """A template: drugs with dose basis, days, cycle, premedication, hydration, hold parameters."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_ko = models.CharField(_("Korean name"), max_length=120)
    protocol = models.CharField(
        _("protocol"),
        max_length=120,
        blank=True,
        help_text=_("Multi-phase protocols group their phases under one name."),
    )
    phase = models.CharField(_("phase"), max_length=60, blank=True)
    center = models.CharField(_("center"), max_length=20, help_text=_("Center code that uses it."))
    indication = models.CharField(_("indication"), max_length=200)
    cycle_length_days = models.PositiveSmallIntegerField(_("cycle length (days)"))
    cycles = models.PositiveSmallIntegerField(_("number of cycles"))
    with_radiotherapy = models.CharField(
        _("with radiotherapy"),
        max_length=120,
        blank=True,
        help_text=_("e.g. 41.4 Gy in 23 fractions."),
    )
    premedication = models.TextField(_("premedication"), blank=True)
    hydration = models.TextField(_("hydration"), blank=True)
    anc_min = models.DecimalField(
        _("hold if ANC below (x10^9/L)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    plt_min = models.DecimalField(
        _("hold if platelets below (x10^9/L)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    creat_max = models.DecimalField(
        _("hold if creatinine above (mg/dL)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    tbil_max = models.DecimalField(
        _("hold if bilirubin above (mg/dL)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    chair_fee_krw = models.DecimalField(
        _("treatment fee per day (KRW)"), max_digits=10, decimal_places=0, default=0
    )
    review_status = models.CharField(
        _("review status"),
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.AWAITING,
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["center", "protocol", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(cycle_length_days__gte=1), name="sys_regimen_cycle"),
            models.CheckConstraint(condition=Q(cycles__gte=1), name="sys_regimen_cycles"),
            models.CheckConstraint(
                condition=Q(review_status__in=ReviewStatus.values), name="sys_regimen_review"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def hold_parameters(self) -> dict[str, object]:
        return {
            "anc_min": self.anc_min,
            "plt_min": self.plt_min,
            "creat_max": self.creat_max,
            "tbil_max": self.tbil_max,
        }


class DoseBasis(models.TextChoices):
    MG_M2 = "mg_m2", _("mg/m²")
    MG_KG = "mg_kg", _("mg/kg")
    FLAT = "flat", _("mg (flat)")
    AUC = "auc", _("AUC (Calvert)")


class Route(models.TextChoices):
    IV = "iv", _("Intravenous")
    PO = "po", _("Oral")
    IT = "it", _("Intrathecal")
    SC = "sc", _("Subcutaneous")
    IM = "im", _("Intramuscular")


class RegimenDrug(models.Model):
    regimen = models.ForeignKey(Regimen, on_delete=models.CASCADE, related_name="drugs")
    drug = models.CharField(_("drug"), max_length=60)
    basis = models.CharField(_("dose basis"), max_length=6, choices=DoseBasis.choices)
    amount = models.DecimalField(
        _("dose per basis"),
        max_digits=8,
        decimal_places=3,
        help_text=_("mg/m², mg/kg, mg, or the target AUC (mg/mL·min)."),
    )
    route = models.CharField(_("route"), max_length=4, choices=Route.choices)
    days = models.JSONField(_("days of the cycle"), help_text=_("e.g. [1, 8, 15]."))
    infusion_minutes = models.PositiveSmallIntegerField(_("infusion time (min)"), default=0)
    cap_mg = models.DecimalField(
        _("cap (mg)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    round_to = models.DecimalField(
        _("round to (mg)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    anthracycline_factor = models.DecimalField(
        _("doxorubicin-equivalent factor"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Set for anthracyclines: counts toward the lifetime limit."),
    )
    price_per_mg_krw = models.DecimalField(
        _("price per mg (KRW)"), max_digits=10, decimal_places=2, default=0
    )
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["regimen", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="sys_drug_amount_positive"),
            models.CheckConstraint(condition=Q(basis__in=DoseBasis.values), name="sys_drug_basis"),
            models.CheckConstraint(
                condition=Q(cap_mg__isnull=True) | Q(cap_mg__gt=0), name="sys_drug_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.amount} {self.basis}"


class DosingMeasurement(TimeStampedModel):
    """Height and weight measured for dosing."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="dosing_measurements"
    )
    measured_on = models.DateField(_("measured on"))
    height_cm = models.DecimalField(_("height (cm)"), max_digits=5, decimal_places=1)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=6, decimal_places=2)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-measured_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(height_cm__gte=30, height_cm__lte=230), name="sys_height_range"
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__gte=1, weight_kg__lte=250), name="sys_weight_range"
            ),
        ]


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed (awaiting pharmacist)")
    VERIFIED = "verified", _("Verified")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class TherapyOrder(TimeStampedModel):
    """One cycle of a regimen for a patient, with the dosing figures it was computed from."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="therapy_orders"
    )
    regimen = models.ForeignKey(Regimen, on_delete=models.PROTECT, related_name="orders")
    diagnosis = models.ForeignKey("oncology.Diagnosis", on_delete=models.PROTECT, related_name="+")
    trial_enrollment = models.ForeignKey(
        "trials.Enrollment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rt_course = models.ForeignKey(
        "radiotherapy.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="therapy_orders",
        help_text=_("Concurrent radiotherapy course."),
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    start_date = models.DateField(_("day 1"))
    measurement = models.ForeignKey(DosingMeasurement, on_delete=models.PROTECT, related_name="+")
    height_cm = models.DecimalField(max_digits=5, decimal_places=1)
    weight_kg = models.DecimalField(max_digits=6, decimal_places=2)
    bsa_m2 = models.DecimalField(_("BSA (m²)"), max_digits=4, decimal_places=2)
    age_years = models.PositiveSmallIntegerField()
    creatinine_mg_dl = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    clearance = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    clearance_formula = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    ordered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="sys_order_status"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"])
                | Q(signed_by__isnull=False, signed_at__isnull=False),
                name="sys_order_signed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["verified", "completed"]) | Q(verified_by__isnull=False),
                name="sys_order_verified",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True)
                | (~Q(verified_by=F("signed_by")) & ~Q(verified_by=F("ordered_by"))),
                name="sys_verifier_is_another_person",
            ),
            models.CheckConstraint(condition=Q(bsa_m2__gt=0), name="sys_order_bsa_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.regimen.code} C{self.cycle}"


class OrderDose(models.Model):
    order = models.ForeignKey(TherapyOrder, on_delete=models.CASCADE, related_name="doses")
    drug = models.ForeignKey(RegimenDrug, on_delete=models.PROTECT, related_name="+")
    day = models.PositiveSmallIntegerField(_("day"))
    on = models.DateField(_("date"))
    computed_mg = models.DecimalField(_("computed (mg)"), max_digits=9, decimal_places=2)
    planned_mg = models.DecimalField(_("ordered dose (mg)"), max_digits=9, decimal_places=2)
    percent = models.DecimalField(
        _("percent of template"), max_digits=5, decimal_places=1, default=100
    )
    modification_reason = models.CharField(
        _("reason for the modification"), max_length=200, blank=True
    )
    capped = models.BooleanField(default=False)
    formula = models.CharField(_("formula"), max_length=300)
    dox_eq_mg_m2 = models.DecimalField(max_digits=7, decimal_places=1, default=0)

    class Meta:
        ordering = ["on", "drug__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "drug", "day"], name="sys_dose_once"),
            models.CheckConstraint(condition=Q(planned_mg__gt=0), name="sys_dose_positive"),
            models.CheckConstraint(
                condition=Q(percent=100) | ~Q(modification_reason=""),
                name="sys_dose_modified_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lte=150), name="sys_dose_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug.drug} D{self.day} {self.planned_mg} mg"


class Decision(models.TextChoices):
    RELEASED = "released", _("Released")
    OVERRIDDEN = "overridden", _("Released by physician override")
    HELD = "held", _("Held")


class DayRelease(models.Model):
    """The decision for one treatment day, with the labs it saw. Append-only; a later row wins."""

    order = models.ForeignKey(TherapyOrder, on_delete=models.PROTECT, related_name="releases")
    day = models.PositiveSmallIntegerField()
    on = models.DateField()
    decision = models.CharField(max_length=12, choices=Decision.choices)
    checks = models.JSONField(default=list)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["order", "day", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="sys_release_decision"
            ),
            models.CheckConstraint(
                condition=Q(decision="released") | ~Q(reason=""),
                name="sys_override_or_hold_has_reason",
            ),
            models.UniqueConstraint(
                fields=["order", "day"],
                condition=Q(decision__in=["released", "overridden"]),
                name="sys_release_once",
            ),
        ]

    def __str__(self) -> str:
        return f"D{self.day} {self.decision}"


class Administration(models.Model):
    """A dose given at the chair after a two-person independent check. Append-only."""

    dose = models.OneToOneField(OrderDose, on_delete=models.PROTECT, related_name="administration")
    release = models.ForeignKey(DayRelease, on_delete=models.PROTECT, related_name="+")
    given_mg = models.DecimalField(_("dose given (mg)"), max_digits=9, decimal_places=2)
    route = models.CharField(_("route"), max_length=4, choices=Route.choices)
    rate_ml_h = models.DecimalField(
        _("rate (mL/h)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    product_expiry = models.DateField(_("product expiry"))
    started_at = models.DateTimeField(_("started at"))
    stopped_at = models.DateTimeField(_("stopped at"))
    nurse = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    checker = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    identifiers_checked = models.JSONField(_("identifiers confirmed"))
    reaction = models.CharField(_("infusion reaction"), max_length=120, blank=True)
    reaction_grade = models.PositiveSmallIntegerField(
        _("reaction grade (CTCAE v5)"), null=True, blank=True
    )
    extravasation = models.BooleanField(_("extravasation"), default=False)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(nurse=F("checker")), name="sys_admin_two_people"),
            models.CheckConstraint(
                condition=Q(stopped_at__gte=F("started_at")), name="sys_admin_stop_after_start"
            ),
            models.CheckConstraint(condition=Q(given_mg__gt=0), name="sys_admin_given_positive"),
            models.CheckConstraint(
                condition=Q(reaction_grade__isnull=True)
                | Q(reaction_grade__gte=1, reaction_grade__lte=5),
                name="sys_admin_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_mg} mg"
