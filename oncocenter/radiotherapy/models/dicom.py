"""DICOM RT objects stored with a plan: its structure set and its dose grid.

The file itself is kept in the database (like a job's files), beside what was read from it, so
the row and its bytes commit or roll back together, the backup that holds the record holds the
file, and any app server or worker can read it without a shared disk (see ARCHITECTURE.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class RTObjectKind(models.TextChoices):
    STRUCTURE_SET = "RTSTRUCT", _("RT Structure Set")
    DOSE = "RTDOSE", _("RT Dose")


class PlanDicomObject(TimeStampedModel):
    """An RT Structure Set or RT Dose imported for a plan (same patient, same frame of
    reference; a dose names the plan's RT Plan)."""

    plan = models.ForeignKey(
        "radiotherapy.Plan", on_delete=models.PROTECT, related_name="dicom_objects"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=RTObjectKind.choices)
    sop_instance_uid = models.CharField(
        _("SOP Instance UID"),
        max_length=64,
        unique=True,
        help_text=_("The object's identity: importing it again returns this row."),
    )
    sop_class_uid = models.CharField(_("SOP Class UID"), max_length=64, blank=True)
    patient_id = models.CharField(
        _("DICOM Patient ID"), max_length=64, help_text=_("Equal to the patient's MRN.")
    )
    frame_of_reference_uid = models.CharField(
        _("frame of reference UID"),
        max_length=64,
        help_text=_("The patient coordinate system the contours or dose grid are in."),
    )
    referenced_plan_uid = models.CharField(
        _("referenced RT Plan UID"),
        max_length=64,
        blank=True,
        help_text=_("For a dose: the SOP Instance UID of the RT Plan it was calculated for."),
    )
    label = models.CharField(_("label"), max_length=64, blank=True)
    summary = models.JSONField(
        _("summary"),
        default=dict,
        help_text=_("Structures (number, name, type, volume) or the dose grid (size, spacing)."),
    )
    max_dose_gy = models.DecimalField(
        _("maximum dose (Gy)"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    dvh_structure_set = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("DVH structure set"),
        help_text=_("For a dose: the structure set its DVHs were computed with."),
    )
    dvhs = models.JSONField(
        _("DVHs"),
        default=list,
        blank=True,
        help_text=_("For a dose: cumulative DVH and figures per structure (Gy, cm³, per cent)."),
    )
    file_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("content"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RTObjectKind.values), name="rt_dicom_kind_known"
            ),
            models.CheckConstraint(condition=~Q(sop_instance_uid=""), name="rt_dicom_uid_given"),
            models.CheckConstraint(
                condition=~Q(frame_of_reference_uid=""), name="rt_dicom_frame_given"
            ),
            # A dose is linked by the RT Plan it names; a structure set by its frame only.
            models.CheckConstraint(
                condition=Q(kind="RTSTRUCT") | ~Q(referenced_plan_uid=""),
                name="rt_dicom_dose_names_plan",
            ),
            models.CheckConstraint(
                condition=Q(max_dose_gy__isnull=True) | Q(max_dose_gy__gte=0),
                name="rt_dicom_max_dose_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.label or self.sop_instance_uid}"
