"""Aid associations: organisations, applications and their status history.

The tables were created by the former ``support`` app and renamed when it was split (see
``migrations/0001``); constraint names are unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class AidOrganisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    support_types = models.CharField(
        _("support types"), max_length=200, blank=True, help_text=_("e.g. medical costs, living.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AidNeed(models.TextChoices):
    MEDICAL = "medical_costs", _("Medical costs")
    LIVING = "living_costs", _("Living costs")
    TRANSPORT = "transport", _("Transport")
    LODGING = "lodging", _("Lodging")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class AidStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested")
    UNDER_REVIEW = "under_review", _("Under review")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DISBURSED = "disbursed", _("Disbursed")


class AidApplication(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="aid_applications"
    )
    organisation = models.ForeignKey(
        AidOrganisation, on_delete=models.PROTECT, related_name="applications"
    )
    need = models.CharField(_("need"), max_length=20, choices=AidNeed.choices)
    need_description = models.CharField(_("need description"), max_length=300, blank=True)
    amount_requested = models.DecimalField(
        _("amount requested (KRW)"), max_digits=12, decimal_places=0
    )
    amount_granted = models.DecimalField(
        _("amount granted (KRW)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    decision_note = models.CharField(
        _("decision note"),
        max_length=300,
        blank=True,
        help_text=_("Required when the grant is above the amount requested."),
    )
    documents = models.JSONField(
        _("documents provided"), default=list, blank=True, help_text=_("Checklist codes provided.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AidStatus.choices, default=AidStatus.DRAFT
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gt=0), name="aid_requested_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount_granted__isnull=True) | Q(amount_granted__gte=0),
                name="aid_granted_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_granted__isnull=True)
                | Q(amount_granted__lte=F("amount_requested"))
                | ~Q(decision_note=""),
                name="aid_grant_above_request_needs_note",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["granted", "disbursed"]) | Q(amount_granted__isnull=False),
                name="aid_granted_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AidStatus.values), name="aid_status_valid"
            ),
        ]


class AidStatusChange(models.Model):
    application = models.ForeignKey(
        AidApplication, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"
