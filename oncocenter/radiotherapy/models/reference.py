"""Editable reference data: constraint sets, the physics checklist, CTCAE terms, gap-sensitive
sites, DICOM machine names. Loaded by data migrations, edited in the admin (audited)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.radiotherapy.models.vocabularies import ChecklistKind


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
