"""Operations, their complications and pathology, and tumor response assessments.

An operation belongs to a diagnosis (never without one); it may name the tumor-board
recommendation it follows and the neoadjuvant treatment episode that preceded it, and it appears
on the shared treatment record as an `oncology.TreatmentEpisode` (modality surgery).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class Procedure(models.TextChoices):
    IVOR_LEWIS = "ivor_lewis", _("Ivor Lewis esophagectomy")
    MCKEOWN = "mckeown", _("McKeown (three-field) esophagectomy")
    TRANSHIATAL = "transhiatal", _("Transhiatal esophagectomy")
    TUMOR_RESECTION = "tumor_resection", _("Pediatric tumor resection")
    LIMB_SALVAGE = "limb_salvage", _("Limb salvage surgery")
    AMPUTATION = "amputation", _("Amputation")
    ENUCLEATION = "enucleation", _("Enucleation")
    NEPHRECTOMY = "nephrectomy", _("Nephrectomy")
    CRANIOTOMY = "craniotomy", _("Craniotomy and tumor resection")
    OTHER = "other", _("Other operation")


ESOPHAGECTOMIES = (Procedure.IVOR_LEWIS, Procedure.MCKEOWN, Procedure.TRANSHIATAL)


class Approach(models.TextChoices):
    OPEN = "open", _("Open")
    MINIMALLY_INVASIVE = "mis", _("Minimally invasive")
    HYBRID = "hybrid", _("Hybrid")
    ROBOTIC = "robotic", _("Robot-assisted")


class Anastomosis(models.TextChoices):
    NONE = "none", _("No anastomosis")
    CERVICAL = "cervical", _("Cervical")
    INTRATHORACIC = "intrathoracic", _("Intrathoracic")
    OTHER = "other", _("Other")


class Residual(models.TextChoices):
    R0 = "R0", _("R0 (no residual tumor)")
    R1 = "R1", _("R1 (microscopic residual)")
    R2 = "R2", _("R2 (macroscopic residual)")
    RX = "RX", _("RX (cannot be assessed)")


class Neoadjuvant(models.TextChoices):
    NONE = "none", _("None")
    CROSS = "cross", _("CROSS chemoradiotherapy (carboplatin/paclitaxel + 41.4 Gy)")
    OTHER_CRT = "other_crt", _("Other chemoradiotherapy")
    CHEMOTHERAPY = "chemotherapy", _("Chemotherapy")


class Operation(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="operations"
    )
    diagnosis = models.ForeignKey(
        "oncology.Diagnosis",
        on_delete=models.PROTECT,
        related_name="operations",
        help_text=_("The cancer operated on; an operation is never recorded without one."),
    )
    recommendation = models.ForeignKey(
        "mdt.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operations",
        help_text=_("The tumor board recommendation this operation follows."),
    )
    neoadjuvant_episode = models.ForeignKey(
        "oncology.TreatmentEpisode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The neoadjuvant treatment that preceded the operation."),
    )
    neoadjuvant = models.CharField(
        _("neoadjuvant treatment"),
        max_length=14,
        choices=Neoadjuvant.choices,
        default=Neoadjuvant.NONE,
        help_text=_("Kind of treatment before surgery (CROSS counts for the pCR rate)."),
    )
    episode = models.OneToOneField(
        "oncology.TreatmentEpisode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operation",
        help_text=_("The row on the shared treatment record."),
    )
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices)
    approach = models.CharField(_("approach"), max_length=10, choices=Approach.choices)
    anastomosis = models.CharField(
        _("anastomosis"), max_length=14, choices=Anastomosis.choices, default=Anastomosis.NONE
    )
    operated_on = models.DateField(_("date of operation"))
    duration_min = models.PositiveIntegerField(
        _("duration (min)"), help_text=_("Skin incision to closure, in minutes.")
    )
    blood_loss_ml = models.PositiveIntegerField(
        _("blood loss (mL)"), help_text=_("Estimated intraoperative blood loss.")
    )
    nodes_harvested = models.PositiveIntegerField(
        _("lymph nodes harvested"), null=True, blank=True, help_text=_("As counted by the surgeon.")
    )
    intraoperative_events = models.CharField(
        _("intraoperative events"),
        max_length=500,
        blank=True,
        help_text=_("e.g. tracheal injury, splenectomy, conversion to open."),
    )
    residual_tumor = models.CharField(
        _("residual tumor"),
        max_length=2,
        choices=Residual.choices,
        help_text=_("R classification of the resection."),
    )
    feeding_jejunostomy = models.BooleanField(
        _("feeding jejunostomy"),
        default=False,
        help_text=_("A feeding jejunostomy was placed (shown to nutrition as the feeding route)."),
    )
    surgeon = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The operating (primary) surgeon."),
    )
    team = models.JSONField(
        _("team"),
        default=list,
        blank=True,
        help_text=_('Others in the team: [{"role": "assistant", "name": "..."}].'),
    )
    # Postoperative course (filled in at discharge and updated up to 90 days).
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    icu_days = models.PositiveSmallIntegerField(_("ICU days"), null=True, blank=True)
    readmitted_30d = models.BooleanField(
        _("readmitted within 30 days"),
        default=False,
        help_text=_("Readmission within 30 days of discharge."),
    )
    oral_intake_on = models.DateField(
        _("return to oral intake"),
        null=True,
        blank=True,
        help_text=_("First oral intake after surgery (recorded as a nutrition milestone)."),
    )
    died_on = models.DateField(
        _("date of death"), null=True, blank=True, help_text=_("For 30- and 90-day mortality.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-operated_on", "-id"]
        indexes = [models.Index(fields=["operated_on"], name="surgery_op_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(procedure__in=Procedure.values), name="surgery_procedure_valid"
            ),
            models.CheckConstraint(
                condition=Q(residual_tumor__in=Residual.values), name="surgery_residual_valid"
            ),
            models.CheckConstraint(
                condition=Q(duration_min__gt=0), name="surgery_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("operated_on")),
                name="surgery_discharge_after_operation",
            ),
            models.CheckConstraint(
                condition=Q(died_on__isnull=True) | Q(died_on__gte=F("operated_on")),
                name="surgery_death_after_operation",
            ),
            models.CheckConstraint(
                condition=Q(oral_intake_on__isnull=True) | Q(oral_intake_on__gte=F("operated_on")),
                name="surgery_oral_after_operation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} {self.operated_on:%Y-%m-%d}"

    @property
    def length_of_stay(self) -> int | None:
        return (self.discharged_on - self.operated_on).days if self.discharged_on else None

    def died_within(self, days: int) -> bool:
        return self.died_on is not None and (self.died_on - self.operated_on).days <= days


class ClavienDindo(models.TextChoices):
    I = "I", "I"  # noqa: E741
    II = "II", "II"
    IIIA = "IIIa", "IIIa"
    IIIB = "IIIb", "IIIb"
    IVA = "IVa", "IVa"
    IVB = "IVb", "IVb"
    V = "V", "V"


CD_AT_LEAST_III = ("IIIa", "IIIb", "IVa", "IVb", "V")


class ComplicationKind(models.TextChoices):
    ANASTOMOTIC_LEAK = "anastomotic_leak", _("Anastomotic leak")
    CONDUIT_NECROSIS = "conduit_necrosis", _("Conduit necrosis")
    CHYLE_LEAK = "chyle_leak", _("Chyle leak")
    RLN_PALSY = "rln_palsy", _("Recurrent laryngeal nerve palsy")
    PNEUMONIA = "pneumonia", _("Pneumonia")
    WOUND_INFECTION = "wound_infection", _("Wound infection")
    ARRHYTHMIA = "arrhythmia", _("Atrial fibrillation / arrhythmia")
    BLEEDING = "bleeding", _("Bleeding")
    OTHER = "other", _("Other")


class Complication(TimeStampedModel):
    """A postoperative complication graded by Clavien-Dindo; the five ECCG-defined kinds carry the
    Esophagectomy Complications Consensus Group type (Low et al., Ann Surg 2015)."""

    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="complications")
    operated_on = models.DateField(
        editable=False, help_text="Copy of the operation's date, so the database checks the order."
    )
    kind = models.CharField(_("complication"), max_length=20, choices=ComplicationKind.choices)
    eccg_type = models.CharField(
        _("ECCG type"),
        max_length=6,
        blank=True,
        help_text=_(
            "Leak and conduit necrosis I-III; chyle leak I-III with A (< 1 L/day) or B (>= 1 L/day); "
            "nerve palsy I-III with U (unilateral) or B (bilateral)."
        ),
    )
    clavien_dindo = models.CharField(
        _("Clavien-Dindo grade"), max_length=4, choices=ClavienDindo.choices
    )
    occurred_on = models.DateField(_("date of onset"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    followup_event_id_ref = models.BigIntegerField(
        null=True, blank=True, help_text="The followup.FollowUpEvent row this complication created."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["occurred_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_on__gte=F("operated_on")),
                name="surgery_complication_after_operation",
            ),
            models.CheckConstraint(
                condition=Q(clavien_dindo__in=ClavienDindo.values), name="surgery_cd_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ComplicationKind.values),
                name="surgery_complication_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} CD {self.clavien_dindo}"


class TrgSystem(models.TextChoices):
    MANDARD = "mandard", _("Mandard (1 complete regression - 5 no regression)")
    CAP = "cap", _("CAP (0 complete response - 3 poor response)")


class Margin(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class PathologyReport(TimeStampedModel):
    """The resection specimen: ypTNM (staged through oncology's AJCC 8 service), regression grade,
    margins and nodes."""

    operation = models.OneToOneField(Operation, on_delete=models.PROTECT, related_name="pathology")
    reported_on = models.DateField(_("report date"))
    after_neoadjuvant = models.BooleanField(
        _("after neoadjuvant therapy (y prefix)"), default=False
    )
    staging = models.OneToOneField(
        "oncology.TnmStaging", on_delete=models.PROTECT, related_name="pathology_report"
    )
    trg_system = models.CharField(
        _("regression grading"), max_length=8, choices=TrgSystem.choices, blank=True
    )
    trg = models.PositiveSmallIntegerField(_("tumor regression grade"), null=True, blank=True)
    proximal_margin = models.CharField(_("proximal margin"), max_length=8, choices=Margin.choices)
    distal_margin = models.CharField(_("distal margin"), max_length=8, choices=Margin.choices)
    circumferential_margin = models.CharField(
        _("circumferential margin"), max_length=8, choices=Margin.choices
    )
    closest_margin_mm = models.DecimalField(
        _("closest margin (mm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    nodes_examined = models.PositiveSmallIntegerField(_("nodes examined"))
    nodes_positive = models.PositiveSmallIntegerField(_("nodes positive"))
    pathologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(nodes_positive__lte=F("nodes_examined")),
                name="surgery_nodes_positive_le_examined",
            ),
            models.CheckConstraint(
                condition=(Q(trg_system="") & Q(trg__isnull=True))
                | (Q(trg_system="mandard") & Q(trg__gte=1) & Q(trg__lte=5))
                | (Q(trg_system="cap") & Q(trg__gte=0) & Q(trg__lte=3)),
                name="surgery_trg_in_range",
            ),
        ]

    @property
    def complete_response(self) -> bool:
        return self.staging.t_category == "T0" and self.staging.n_category == "N0"


class Criteria(models.TextChoices):
    RECIST = "recist11", _("RECIST 1.1")
    INRC = "inrc", _("INRC (neuroblastoma, 2017)")


class ResponseAssessment(TimeStampedModel):
    """One imaging time point. A baseline has no `baseline`; a follow-up points to its baseline
    and its category is computed from the measurements (never typed)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="response_assessments"
    )
    diagnosis = models.ForeignKey(
        "oncology.Diagnosis", on_delete=models.PROTECT, related_name="response_assessments"
    )
    criteria = models.CharField(_("criteria"), max_length=10, choices=Criteria.choices)
    assessed_on = models.DateField(_("imaging date"))
    baseline = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        help_text=_("Empty for a baseline; else the baseline this time point is compared with."),
    )
    # RECIST 1.1
    sum_mm = models.DecimalField(
        _("sum of diameters (mm)"), max_digits=7, decimal_places=1, null=True
    )
    change_from_baseline_pct = models.DecimalField(
        _("change from baseline (%)"), max_digits=7, decimal_places=1, null=True
    )
    change_from_nadir_pct = models.DecimalField(
        _("change from nadir (%)"), max_digits=7, decimal_places=1, null=True
    )
    non_target = models.CharField(_("non-target lesions"), max_length=16, default="none")
    new_lesions = models.BooleanField(_("new lesions"), default=False)
    target_response = models.CharField(_("target response"), max_length=4, blank=True)
    # INRC
    primary_mm = models.DecimalField(
        _("primary tumor longest diameter (mm)"), max_digits=6, decimal_places=1, null=True
    )
    curie_score = models.PositiveSmallIntegerField(
        _("MIBG Curie score"), null=True, help_text=_("0-30: 10 skeletal segments scored 0-3.")
    )
    marrow_pct = models.DecimalField(
        _("bone marrow infiltration (%)"), max_digits=5, decimal_places=1, null=True
    )
    component_responses = models.JSONField(default=dict, blank=True)
    overall_response = models.CharField(_("overall response"), max_length=4, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["assessed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(criteria__in=Criteria.values), name="response_criteria_valid"
            ),
            models.CheckConstraint(
                condition=Q(curie_score__isnull=True) | Q(curie_score__lte=30),
                name="response_curie_0_30",
            ),
            models.CheckConstraint(
                condition=Q(marrow_pct__isnull=True)
                | (Q(marrow_pct__gte=0) & Q(marrow_pct__lte=100)),
                name="response_marrow_0_100",
            ),
            models.CheckConstraint(
                condition=Q(baseline__isnull=True) | ~Q(overall_response=""),
                name="response_followup_has_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_criteria_display()} {self.assessed_on:%Y-%m-%d} {self.overall_response}"


class TargetLesion(models.Model):
    assessment = models.ForeignKey(
        ResponseAssessment, on_delete=models.PROTECT, related_name="lesions"
    )
    label = models.CharField(_("lesion"), max_length=40, help_text=_("e.g. L1 liver segment 7."))
    organ = models.CharField(_("organ"), max_length=40)
    is_node = models.BooleanField(_("lymph node (short axis)"), default=False)
    diameter_mm = models.DecimalField(_("diameter (mm)"), max_digits=6, decimal_places=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "label"], name="response_lesion_unique"),
            models.CheckConstraint(condition=Q(diameter_mm__gte=0), name="response_lesion_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.diameter_mm} mm"
