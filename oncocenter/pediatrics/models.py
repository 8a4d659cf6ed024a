"""Pediatric profile (sedation), body measurements with BSA, and HSCT episodes with GVHD.

Invariants that the database can hold are declared here as constraints (the services check the
same rules first, to give a message that names the field). The tables were created by the
former ``support`` app and renamed when it was split (see ``migrations/0001``); constraint names
are unchanged.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.pediatrics import vocab
from oncocenter.pediatrics.labels import vocab_choices


class PediatricProfile(TimeStampedModel):
    """Pediatric-only facts about a child that other areas read (e.g. RT booking)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="pediatric_profile"
    )
    sedation_required = models.BooleanField(
        _("sedation required"),
        default=False,
        help_text=_(
            "The child needs sedation or anesthesia for procedures and radiotherapy; RT booking "
            "reads this as the anesthesia flag (first slot of the day, fasting)."
        ),
    )
    sedation_notes = models.CharField(
        _("sedation notes"),
        max_length=300,
        blank=True,
        help_text=_("e.g. propofol by the anesthesia team; fasting from midnight."),
    )

    def __str__(self) -> str:
        return f"pediatric profile of {self.patient_id}"


class BodyMeasurement(TimeStampedModel):
    """Height and weight on a date, with the Mosteller BSA computed from them."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="body_measurements"
    )
    measured_on = models.DateField(_("measured on"), help_text=_("Date the child was measured."))
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=5, decimal_places=1, help_text=_("Height in centimetres.")
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=6, decimal_places=2, help_text=_("Weight in kilograms.")
    )
    bsa_m2 = models.DecimalField(
        _("BSA (m²)"),
        max_digits=4,
        decimal_places=2,
        editable=False,
        help_text=_("Body surface area by Mosteller: sqrt(height cm x weight kg / 3600)."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-measured_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(height_cm__gte=30) & Q(height_cm__lte=230), name="measure_height_range"
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__gte=Decimal("0.4")) & Q(weight_kg__lte=250),
                name="measure_weight_range",
            ),
            models.CheckConstraint(condition=Q(bsa_m2__gt=0), name="measure_bsa_positive"),
        ]


class HSCTStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONDITIONING = "conditioning", _("Conditioning")
    INFUSED = "infused", _("Infused (awaiting engraftment)")
    ENGRAFTED = "engrafted", _("Engrafted")
    GRAFT_FAILURE = "graft_failure", _("Graft failure")
    COMPLETED = "completed", _("Completed (follow-up)")
    CANCELLED = "cancelled", _("Cancelled")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class HSCTEpisode(TimeStampedModel):
    """One transplant (a tandem autologous programme is two episodes)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="hsct_episodes"
    )
    indication = models.CharField(
        _("indication"),
        max_length=200,
        help_text=_("Disease and state that justify the transplant, e.g. 'ALL, second CR'."),
    )
    donor_type = models.CharField(
        _("donor type"),
        max_length=20,
        choices=vocab_choices(vocab.donor_types()),
        help_text=_("Autologous, related, haploidentical, unrelated or cord blood."),
    )
    stem_cell_source = models.CharField(
        _("stem cell source"),
        max_length=20,
        blank=True,
        choices=vocab_choices(vocab.stem_cell_sources()),
        help_text=_("Bone marrow, peripheral blood or cord blood."),
    )
    hla_match = models.CharField(
        _("HLA match"),
        max_length=5,
        blank=True,
        help_text=_("Matched/tested loci, e.g. 8/8 or 10/10; empty for autologous."),
    )
    conditioning_regimen = models.CharField(
        _("conditioning regimen"),
        max_length=30,
        blank=True,
        choices=vocab_choices(vocab.conditioning_regimens()),
        help_text=_("Pick-list of examples; describe others in the details."),
    )
    conditioning_details = models.CharField(
        _("conditioning details"),
        max_length=300,
        blank=True,
        help_text=_("Doses, TBI, serotherapy."),
    )
    conditioning_start = models.DateField(
        _("conditioning start"), null=True, blank=True, help_text=_("First day of conditioning.")
    )
    day0 = models.DateField(
        _("day 0"), null=True, blank=True, help_text=_("Date of the stem cell infusion.")
    )
    neutrophil_engraftment_on = models.DateField(
        _("neutrophil engraftment"),
        null=True,
        blank=True,
        help_text=_("First of 3 consecutive days with ANC >= 0.5 x10^9/L; not before day 0."),
    )
    platelet_engraftment_on = models.DateField(
        _("platelet engraftment"),
        null=True,
        blank=True,
        help_text=_("First of 7 days with platelets >= 20 x10^9/L without transfusion."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=HSCTStatus.choices, default=HSCTStatus.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-day0", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(neutrophil_engraftment_on__isnull=True)
                | Q(day0__isnull=False, neutrophil_engraftment_on__gte=F("day0")),
                name="hsct_engraftment_after_day0",
            ),
            models.CheckConstraint(
                condition=Q(platelet_engraftment_on__isnull=True)
                | Q(day0__isnull=False, platelet_engraftment_on__gte=F("day0")),
                name="hsct_platelets_after_day0",
            ),
            models.CheckConstraint(
                condition=Q(conditioning_start__isnull=True)
                | Q(day0__isnull=True)
                | Q(conditioning_start__lte=F("day0")),
                name="hsct_conditioning_before_day0",
            ),
            models.CheckConstraint(
                condition=~Q(donor_type="autologous") | Q(hla_match=""),
                name="hsct_no_hla_for_autologous",
            ),
            models.CheckConstraint(
                condition=Q(status__in=HSCTStatus.values), name="hsct_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"HSCT {self.get_donor_type_display()} ({self.day0 or 'planned'})"


class GVHDKind(models.TextChoices):
    ACUTE = "acute", _("Acute (MAGIC stage 0-4)")
    CHRONIC = "chronic", _("Chronic (NIH score 0-3)")


class GVHDEntry(TimeStampedModel):
    """Stage (acute) or score (chronic) of one organ on one date."""

    episode = models.ForeignKey(HSCTEpisode, on_delete=models.CASCADE, related_name="gvhd_entries")
    kind = models.CharField(_("kind"), max_length=10, choices=GVHDKind.choices)
    organ = models.CharField(
        _("organ"), max_length=20, help_text=_("Organ code of the MAGIC or NIH vocabulary.")
    )
    stage = models.PositiveSmallIntegerField(
        _("stage / score"), help_text=_("Acute: MAGIC organ stage 0-4. Chronic: NIH score 0-3.")
    )
    observed_on = models.DateField(_("observed on"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["observed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="acute", stage__lte=4) | Q(kind="chronic", stage__lte=3),
                name="gvhd_stage_range",
            ),
        ]


class ComplicationKind(models.TextChoices):
    SOS_VOD = "sos_vod", _("Sinusoidal obstruction syndrome (VOD)")
    INFECTION = "infection", _("Infection")
    CMV = "cmv", _("CMV reactivation")
    MUCOSITIS = "mucositis", _("Mucositis")
    TMA = "tma", _("Transplant-associated TMA")
    ENGRAFTMENT_SYNDROME = "engraftment_syndrome", _("Engraftment syndrome")
    GRAFT_FAILURE = "graft_failure", _("Graft failure")
    OTHER = "other", _("Other")


class HSCTComplication(TimeStampedModel):
    episode = models.ForeignKey(HSCTEpisode, on_delete=models.CASCADE, related_name="complications")
    kind = models.CharField(_("complication"), max_length=30, choices=ComplicationKind.choices)
    onset_on = models.DateField(_("onset"))
    grade = models.PositiveSmallIntegerField(
        _("CTCAE grade"), null=True, blank=True, help_text=_("CTCAE v5 grade 1-5, if graded.")
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["onset_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | (Q(grade__gte=1) & Q(grade__lte=5)),
                name="hsct_complication_grade",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("onset_on")),
                name="hsct_complication_resolved_after_onset",
            ),
        ]
