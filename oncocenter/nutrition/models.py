"""Nutrition: measurements, NRS-2002 screening, milestones, dietitian alerts and QoL."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.nutrition import calc

FEEDING_ROUTE_CHOICES = [(c, _(label)) for c, label in calc.FEEDING_ROUTES]
MILESTONE_CHOICES = [(c, _(label)) for c, label in calc.MILESTONES]


class AlertSettings(TimeStampedModel):
    """Editable alert thresholds (one row, id 1); defaults from DOMAIN.md."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    loss_1m_percent = models.DecimalField(
        _("weight loss in 1 month (%)"), max_digits=4, decimal_places=1, default=5
    )
    loss_6m_percent = models.DecimalField(
        _("weight loss in 6 months (%)"), max_digits=4, decimal_places=1, default=10
    )
    bmi_below = models.DecimalField(_("BMI below"), max_digits=4, decimal_places=1, default=18.5)
    nrs_at_least = models.PositiveSmallIntegerField(_("NRS-2002 at least"), default=3)
    qol_drop_points = models.DecimalField(
        _("QoL drop (points)"),
        max_digits=4,
        decimal_places=1,
        default=15,
        help_text=_(
            "A subscale drop of this many points since the previous answer alerts the care team."
        ),
    )

    class Meta:
        verbose_name = _("nutrition alert settings")
        verbose_name_plural = _("nutrition alert settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="nutrition_settings_single_row"),
            models.CheckConstraint(
                condition=Q(loss_1m_percent__gt=0)
                & Q(loss_6m_percent__gt=0)
                & Q(bmi_below__gt=0)
                & Q(qol_drop_points__gt=0),
                name="nutrition_settings_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Nutrition alert settings"))

    def thresholds(self) -> calc.AlertThresholds:
        return calc.AlertThresholds(
            loss_1m_percent=float(self.loss_1m_percent),
            loss_6m_percent=float(self.loss_6m_percent),
            bmi_below=float(self.bmi_below),
            nrs_at_least=int(self.nrs_at_least),
        )


class NutritionRecord(TimeStampedModel):
    """One assessment at a visit or on the ward; any field may be left empty."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="nutrition_records"
    )
    measured_on = models.DateField(_("date"))
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Kilograms, 0.3-350."),
    )
    height_cm = models.DecimalField(
        _("height (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Centimetres, 25-250."),
    )
    bmi = models.DecimalField(
        _("BMI"), max_digits=4, decimal_places=1, null=True, blank=True, editable=False
    )
    fois_level = models.PositiveSmallIntegerField(
        _("FOIS level"),
        null=True,
        blank=True,
        help_text=_(
            "Functional Oral Intake Scale: 1 nothing by mouth ... 7 total oral diet, no restrictions."
        ),
    )
    iddsi_level = models.PositiveSmallIntegerField(
        _("IDDSI level"),
        null=True,
        blank=True,
        help_text=_("Diet texture level 0 (thin) to 7 (regular)."),
    )
    feeding_route = models.CharField(
        _("feeding route"), max_length=20, blank=True, choices=FEEDING_ROUTE_CHOICES
    )
    intake_percent = models.PositiveSmallIntegerField(
        _("intake (percent of need)"),
        null=True,
        blank=True,
        help_text=_("Share of the estimated requirement eaten."),
    )
    dysphagia_grade = models.PositiveSmallIntegerField(
        _("dysphagia grade"),
        null=True,
        blank=True,
        help_text=_("0 none to 4 complete obstruction."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["measured_on", "id"]
        indexes = [models.Index(fields=["patient", "measured_on"], name="nutrition_patient_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True)
                | (Q(weight_kg__gte=0.3) & Q(weight_kg__lte=350)),
                name="nutrition_weight_plausible",
            ),
            models.CheckConstraint(
                condition=Q(height_cm__isnull=True)
                | (Q(height_cm__gte=25) & Q(height_cm__lte=250)),
                name="nutrition_height_plausible",
            ),
            models.CheckConstraint(
                condition=Q(fois_level__isnull=True)
                | (Q(fois_level__gte=1) & Q(fois_level__lte=7)),
                name="nutrition_fois_1_7",
            ),
            models.CheckConstraint(
                condition=Q(iddsi_level__isnull=True) | Q(iddsi_level__lte=7),
                name="nutrition_iddsi_0_7",
            ),
            models.CheckConstraint(
                condition=Q(intake_percent__isnull=True) | Q(intake_percent__lte=200),
                name="nutrition_intake_le_200",
            ),
            models.CheckConstraint(
                condition=Q(dysphagia_grade__isnull=True) | Q(dysphagia_grade__lte=4),
                name="nutrition_dysphagia_0_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient.mrn} {self.measured_on}"


class NRSScreening(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="nrs_screenings"
    )
    screened_on = models.DateField(_("date"))
    nutritional_status = models.PositiveSmallIntegerField(_("impaired nutritional status (0-3)"))
    disease_severity = models.PositiveSmallIntegerField(_("severity of disease (0-3)"))
    age_points = models.PositiveSmallIntegerField(_("age 70 or over (+1)"))
    total = models.PositiveSmallIntegerField(_("NRS-2002 total"))
    at_risk = models.BooleanField(_("at nutritional risk"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["screened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nutritional_status__lte=3)
                & Q(disease_severity__lte=3)
                & Q(age_points__lte=1)
                & Q(total__lte=7),
                name="nrs_components_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"NRS {self.total} on {self.screened_on}"


class Milestone(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="nutrition_milestones"
    )
    kind = models.CharField(_("milestone"), max_length=30, choices=MILESTONE_CHOICES)
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["occurred_on"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "kind"], name="milestone_once_per_patient")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class NutritionAlert(TimeStampedModel):
    """An alert on the dietitian's worklist (one open alert per patient and rule)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="nutrition_alerts"
    )
    code = models.CharField(_("rule"), max_length=30)
    message = models.CharField(
        _("message"), max_length=300, help_text=_("The alert in English, as raised.")
    )
    params = models.JSONField(
        default=dict, blank=True, help_text="Values of the message, to show it translated."
    )
    value = models.DecimalField(max_digits=6, decimal_places=1)
    threshold = models.DecimalField(max_digits=6, decimal_places=1)
    raised_on = models.DateField(_("raised on"))
    status = models.CharField(
        _("status"), max_length=15, choices=AlertStatus.choices, default="open"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    record = models.ForeignKey(
        NutritionRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )

    class Meta:
        ordering = ["-raised_on", "id"]
        indexes = [models.Index(fields=["status", "raised_on"], name="nutrition_alert_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "code"],
                condition=Q(status="open"),
                name="nutrition_alert_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.raised_on}"

    @property
    def localized_message(self) -> str:
        """The message in the active language (falls back to the stored English text)."""
        from django.utils.translation import gettext

        template = calc.ALERT_TEMPLATES.get(self.code)
        if template and self.params:
            try:
                return gettext(template) % self.params
            except (KeyError, TypeError, ValueError):
                return self.message
        return self.message


class Questionnaire(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    definition = models.JSONField(
        _("definition"), help_text=_("Items and subscales (oncocenter-qol/1).")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class QoLResponse(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="qol_responses"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    answered_on = models.DateField(_("date"))
    answers = models.JSONField(_("answers"))
    scores = models.JSONField(_("subscale scores (0-100)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["answered_on", "id"]
        indexes = [models.Index(fields=["patient", "answered_on"], name="qol_patient_date")]

    def __str__(self) -> str:
        return f"QoL {self.answered_on}"


class QoLAlert(TimeStampedModel):
    """A drop on a subscale, for the care team's worklist."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="qol_alerts"
    )
    response = models.ForeignKey(QoLResponse, on_delete=models.CASCADE, related_name="alerts")
    subscale = models.CharField(_("subscale"), max_length=40)
    previous = models.DecimalField(max_digits=5, decimal_places=1)
    current = models.DecimalField(max_digits=5, decimal_places=1)
    points = models.DecimalField(max_digits=5, decimal_places=1)
    status = models.CharField(
        _("status"), max_length=15, choices=AlertStatus.choices, default="open"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="qol_alert_status")]

    def __str__(self) -> str:
        return f"QoL drop {self.subscale}"
