"""Social work: cases, needs assessments and interventions with their outcomes.

The tables were created by the former ``support`` app and renamed when it was split (see
``migrations/0001``); constraint names are unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.pediatrics.labels import vocab_choices
from oncocenter.socialwork import vocab


class SocialCase(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="social_cases"
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="social_cases"
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="social_case_closed_after_opened",
            ),
            models.UniqueConstraint(
                fields=["patient"], condition=Q(closed_on__isnull=True), name="social_case_one_open"
            ),
        ]


class NeedsAssessment(TimeStampedModel):
    case = models.ForeignKey(SocialCase, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    levels = models.JSONField(
        _("need levels"), default=dict, help_text=_("Domain code -> none/low/moderate/high.")
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]


class InterventionOutcome(models.TextChoices):
    PENDING = "pending", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    PARTIAL = "partial", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class SocialIntervention(TimeStampedModel):
    case = models.ForeignKey(SocialCase, on_delete=models.CASCADE, related_name="interventions")
    domain = models.CharField(
        _("domain"), max_length=20, choices=vocab_choices(vocab.social_work_domains())
    )
    description = models.CharField(_("intervention"), max_length=300)
    started_on = models.DateField(_("started on"))
    outcome = models.CharField(
        _("outcome"), max_length=14, choices=InterventionOutcome.choices, default="pending"
    )
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("started_on")),
                name="intervention_completed_after_start",
            ),
        ]
