"""Laboratory medicine: the analyte catalogue (LOINC, UCUM, age- and sex-specific ranges), orders,
results with abnormal/critical flags, acknowledgements of critical values, and transfusions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class AnalyteCategory(models.TextChoices):
    HEMATOLOGY = "hematology", _("Hematology")
    CHEMISTRY = "chemistry", _("Chemistry")
    COAGULATION = "coagulation", _("Coagulation")
    TUMOR_MARKER = "tumor_marker", _("Tumor marker")
    BONE_MARROW = "bone_marrow", _("Bone marrow")
    HLA = "hla", _("HLA typing")


class ValueType(models.TextChoices):
    NUMERIC = "numeric", _("Number")
    TEXT = "text", _("Text")


class Analyte(TimeStampedModel):
    """One test of the catalogue. Reference data, reviewed by the laboratory."""

    code = models.SlugField(
        _("code"), max_length=30, unique=True, help_text=_("Short name, e.g. anc.")
    )
    loinc = models.CharField(_("LOINC"), max_length=10, unique=True, help_text=_("LOINC code."))
    name = models.CharField(_("name"), max_length=120)
    name_ko = models.CharField(_("Korean name"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=AnalyteCategory.choices)
    value_type = models.CharField(
        _("value type"), max_length=10, choices=ValueType.choices, default=ValueType.NUMERIC
    )
    unit = models.CharField(
        _("unit (UCUM)"), max_length=20, blank=True, help_text=_("UCUM code results are kept in.")
    )
    alt_units = models.JSONField(
        _("accepted other units"),
        default=dict,
        blank=True,
        help_text=_('UCUM unit -> factor into the catalogue unit, e.g. {"umol/L": "0.01131"}.'),
    )
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=1)
    trend = models.BooleanField(_("trend chart"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=AnalyteCategory.values), name="labs_analyte_category"
            ),
            models.CheckConstraint(
                condition=Q(value_type="text") | ~Q(unit=""), name="labs_numeric_has_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.loinc})"


class RangeSex(models.TextChoices):
    ANY = "any", _("Any")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class ReferenceRange(models.Model):
    """A reference interval for an age band (days, upper bound exclusive) and sex."""

    analyte = models.ForeignKey(Analyte, on_delete=models.CASCADE, related_name="ranges")
    sex = models.CharField(_("sex"), max_length=10, choices=RangeSex.choices, default=RangeSex.ANY)
    age_min_days = models.PositiveIntegerField(_("from age (days)"), default=0)
    age_max_days = models.PositiveIntegerField(_("to age (days, exclusive)"), null=True, blank=True)
    low = models.DecimalField(_("low"), max_digits=12, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(_("high"), max_digits=12, decimal_places=4, null=True, blank=True)
    critical_low = models.DecimalField(
        _("critical low"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    critical_high = models.DecimalField(
        _("critical high"), max_digits=12, decimal_places=4, null=True, blank=True
    )

    class Meta:
        ordering = ["analyte", "sex", "age_min_days"]
        constraints = [
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=F("high")),
                name="labs_range_low_le_high",
            ),
            models.CheckConstraint(
                condition=Q(age_max_days__isnull=True) | Q(age_max_days__gt=F("age_min_days")),
                name="labs_range_age_band",
            ),
            models.UniqueConstraint(
                fields=["analyte", "sex", "age_min_days"], name="labs_range_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.analyte.code} {self.sex} {self.age_min_days}-{self.age_max_days}"


class LabOrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    PARTIAL = "partial", _("Partially resulted")
    RESULTED = "resulted", _("Resulted")
    CANCELLED = "cancelled", _("Cancelled")


class LabOrder(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="lab_orders"
    )
    center = models.ForeignKey(
        "patients.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The ordering team's center: its worklist gets the critical values."),
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lab_orders"
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    analytes = models.ManyToManyField(Analyte, related_name="+", verbose_name=_("tests"))
    accession = models.CharField(
        _("accession"), max_length=40, blank=True, help_text=_("Laboratory accession number.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=LabOrderStatus.choices, default=LabOrderStatus.ORDERED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=LabOrderStatus.values), name="labs_order_status"
            ),
        ]

    def __str__(self) -> str:
        return f"lab order {self.pk}"


class ResultSource(models.TextChoices):
    MANUAL = "manual", _("Entered")
    CSV = "csv", _("CSV import")
    HL7 = "hl7", _("HL7 message")
    FHIR = "fhir", _("FHIR")


class ResultStatus(models.TextChoices):
    FINAL = "final", _("Final")
    CORRECTED = "corrected", _("Corrected")
    SUPERSEDED = "superseded", _("Superseded by a correction")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class Flag(models.TextChoices):
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")
    HIGH = "high", _("High")
    CRITICAL_LOW = "critical_low", _("Critical low")
    CRITICAL_HIGH = "critical_high", _("Critical high")


class LabResult(TimeStampedModel):
    """One value of one analyte. Kept in the catalogue unit; what the laboratory sent is kept
    beside it. A correction is a new row; the old one becomes superseded, never overwritten."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="lab_results"
    )
    order = models.ForeignKey(
        LabOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="results"
    )
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="results")
    value = models.DecimalField(
        _("value"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("In the catalogue's UCUM unit."),
    )
    text_value = models.TextField(_("text value"), blank=True)
    reported_value = models.CharField(_("value as reported"), max_length=40, blank=True)
    reported_unit = models.CharField(_("unit as reported"), max_length=20, blank=True)
    ref_low = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    ref_high = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    flag = models.CharField(_("flag"), max_length=14, choices=Flag.choices, default=Flag.NORMAL)
    critical = models.BooleanField(_("critical"), default=False)
    collected_at = models.DateTimeField(_("collected at"))
    resulted_at = models.DateTimeField(_("resulted at"))
    accession = models.CharField(
        _("external accession"),
        max_length=60,
        blank=True,
        help_text=_("The laboratory's identifier of the result: a repeated message is a no-op."),
    )
    source = models.CharField(_("source"), max_length=10, choices=ResultSource.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ResultStatus.choices, default=ResultStatus.FINAL
    )
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-collected_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "analyte", "collected_at"], name="labs_result_trend"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(flag__in=Flag.values), name="labs_result_flag"),
            models.CheckConstraint(
                condition=Q(status__in=ResultStatus.values), name="labs_result_status"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(text_value=""), name="labs_result_has_value"
            ),
            models.CheckConstraint(
                condition=Q(resulted_at__gte=F("collected_at")), name="labs_result_after_collection"
            ),
            models.CheckConstraint(
                condition=Q(critical=False) | Q(flag__in=["critical_low", "critical_high"]),
                name="labs_critical_has_flag",
            ),
            # One live result per laboratory accession and analyte: the import is idempotent.
            models.UniqueConstraint(
                fields=["accession", "analyte"],
                condition=~Q(accession="") & Q(status__in=["final", "corrected"]),
                name="labs_result_accession_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.analyte.code} {self.value if self.value is not None else self.text_value}"


class CriticalAcknowledgement(models.Model):
    """A critical value read back and acted on by the ordering team. Append-only."""

    result = models.OneToOneField(
        LabResult, on_delete=models.PROTECT, related_name="acknowledgement"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("acknowledged at"))
    communicated_to = models.CharField(
        _("communicated to"), max_length=120, help_text=_("Who was told (read-back).")
    )
    action = models.CharField(_("action taken"), max_length=300)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"ack {self.result_id}"


class BloodProduct(models.TextChoices):
    RBC = "rbc", _("Red cells")
    PLATELETS = "platelets", _("Platelets")
    PLASMA = "plasma", _("Fresh frozen plasma")
    CRYO = "cryo", _("Cryoprecipitate")


class TransfusionStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    GIVEN = "given", _("Given")
    CANCELLED = "cancelled", _("Cancelled")


class Transfusion(TimeStampedModel):
    """A transfusion order and, once given, its administration (append-only after that)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="transfusions"
    )
    product = models.CharField(_("product"), max_length=12, choices=BloodProduct.choices)
    irradiated = models.BooleanField(_("irradiated"))
    leukoreduced = models.BooleanField(_("leukoreduced"))
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    indication = models.CharField(_("indication"), max_length=200)
    trigger_value = models.DecimalField(
        _("latest count when ordered"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    trigger_threshold = models.DecimalField(
        _("threshold"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    above_threshold_reason = models.CharField(
        _("reason to transfuse above the threshold"), max_length=200, blank=True
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TransfusionStatus.choices,
        default=TransfusionStatus.ORDERED,
    )
    given_at = models.DateTimeField(_("started at"), null=True, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reaction = models.CharField(_("reaction"), max_length=120, blank=True)
    reaction_grade = models.PositiveSmallIntegerField(
        _("reaction grade (CTCAE)"), null=True, blank=True
    )

    class Meta:
        ordering = ["-ordered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__in=BloodProduct.values), name="labs_tx_product"
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="labs_tx_units"),
            models.CheckConstraint(
                condition=~Q(status="given")
                | (
                    Q(given_at__isnull=False)
                    & Q(given_by__isnull=False)
                    & Q(checked_by__isnull=False)
                ),
                name="labs_tx_given_complete",
            ),
            models.CheckConstraint(
                condition=Q(checked_by__isnull=True) | ~Q(checked_by=F("given_by")),
                name="labs_tx_two_people",
            ),
            models.CheckConstraint(
                condition=Q(reaction_grade__isnull=True)
                | Q(reaction_grade__gte=1, reaction_grade__lte=5),
                name="labs_tx_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} x{self.units}"
