"""Referrals and consults between departments, with a status flow and turnaround stamps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.referrals import flow


class Department(models.TextChoices):
    RADIATION_ONCOLOGY = "radiation_oncology", _("Radiation oncology center")
    MEDICAL_ONCOLOGY = "medical_oncology", _("Medical oncology")
    PEDIATRIC_ONCOLOGY = "pediatric_oncology", _("Pediatric hematology-oncology")
    ESOPHAGEAL_CENTER = "esophageal_center", _("Esophageal cancer center")
    THORACIC_SURGERY = "thoracic_surgery", _("Thoracic surgery")
    SURGERY = "surgery", _("Surgery")
    PEDIATRIC_NEUROSURGERY = "pediatric_neurosurgery", _("Pediatric neurosurgery")
    ORTHOPEDICS = "orthopedics", _("Orthopedics")
    OPHTHALMOLOGY = "ophthalmology", _("Ophthalmology")
    UROLOGY = "urology", _("Urology")
    GASTROENTEROLOGY = "gastroenterology", _("Gastroenterology")
    PATHOLOGY = "pathology", _("Pathology")
    RADIOLOGY = "radiology", _("Radiology")
    LABORATORY_MEDICINE = "laboratory_medicine", _("Laboratory medicine")
    NUCLEAR_MEDICINE = "nuclear_medicine", _("Nuclear medicine")
    ANESTHESIOLOGY = "anesthesiology", _("Anesthesiology")
    NUTRITION = "nutrition", _("Dietitian (nutrition)")
    SOCIAL_WORK = "social_work", _("Social work")
    PALLIATIVE_CARE = "palliative_care", _("Palliative care")
    NURSING = "nursing", _("Nursing")
    CLINICAL_RESEARCH = "clinical_research", _("Clinical research")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class ReferralStatus(models.TextChoices):
    REQUESTED = flow.REQUESTED, _("Requested")
    ACCEPTED = flow.ACCEPTED, _("Accepted")
    SCHEDULED = flow.SCHEDULED, _("Scheduled")
    COMPLETED = flow.COMPLETED, _("Completed")
    DECLINED = flow.DECLINED, _("Declined")
    CANCELLED = flow.CANCELLED, _("Cancelled")


class Referral(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="referrals"
    )
    diagnosis = models.ForeignKey(
        "oncology.Diagnosis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    from_department = models.CharField(_("from"), max_length=30, choices=Department.choices)
    to_department = models.CharField(_("to"), max_length=30, choices=Department.choices)
    reason = models.TextField(
        _("reason"), help_text=_("The question for the consulted department.")
    )
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("declined/cancelled at"), null=True, blank=True)
    decline_reason = models.CharField(_("decline reason"), max_length=300, blank=True)
    response_note = models.TextField(
        _("response"), blank=True, help_text=_("The consulted department's answer.")
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "id"]
        indexes = [
            models.Index(fields=["to_department", "status"], name="referral_worklist"),
            models.Index(fields=["patient", "requested_at"], name="referral_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_department=F("to_department")), name="referral_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="referral_urgency_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="referral_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_department_display()} -> {self.get_to_department_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in flow.OPEN_STATUSES

    @property
    def turnaround_hours(self) -> float | None:
        """Request to completion (consult done) in hours."""
        if self.completed_at is None:
            return None
        return (self.completed_at - self.requested_at).total_seconds() / 3600
