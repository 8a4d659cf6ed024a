"""Survivorship follow-up: editable protocol templates, generated plans with due items, and
complication / relapse events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class TemplateKind(models.TextChoices):
    PROTOCOL = "protocol", _("Follow-up protocol")
    LATE_EFFECTS = "late-effects", _("Late-effect rules (childhood survivors)")


class ProtocolTemplate(TimeStampedModel):
    """A follow-up protocol or late-effect rule set, stored as reviewed, editable JSON."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TemplateKind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    definition = models.JSONField(
        _("definition"),
        help_text=_(
            "The template in the oncocenter-followup-protocol/1 or oncocenter-late-effects/1 format."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    reviewed_by = models.CharField(
        _("reviewed by"),
        max_length=120,
        blank=True,
        help_text=_("The clinician who reviewed this version; shipped examples are unreviewed."),
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    STOPPED = "stopped", _("Stopped")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class FollowUpPlan(TimeStampedModel):
    """A patient's plan, generated from a template at the end of treatment."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="followup_plans"
    )
    template = models.ForeignKey(ProtocolTemplate, on_delete=models.PROTECT, related_name="plans")
    template_version = models.PositiveIntegerField(default=1)
    treatment_end = models.DateField(
        _("end of treatment"), help_text=_("Due dates count from this date.")
    )
    treated_field = models.CharField(
        _("treated field"),
        max_length=120,
        blank=True,
        help_text=_("RT field to watch for second cancers."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default="active"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stopped_reason = models.CharField(_("stopped because"), max_length=200, blank=True)

    class Meta:
        ordering = ["-treatment_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "template", "treatment_end"],
                condition=Q(status="active"),
                name="followup_plan_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient.mrn} {self.template.code} from {self.treatment_end}"


class DueStatus(models.TextChoices):
    DUE = "due", _("Due")
    BOOKED = "booked", _("Booked")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


class DueItem(TimeStampedModel):
    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, related_name="items")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="followup_items"
    )
    item_code = models.CharField(_("item"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    rationale = models.CharField(_("rationale"), max_length=300, blank=True)
    due_on = models.DateField(_("due on"))
    window_end = models.DateField(
        _("overdue after"), help_text=_("Due date plus the item's window.")
    )
    appointment_type = models.CharField(_("appointment type"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DueStatus.choices, default="due")
    appointment = models.ForeignKey(
        "clinics.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_items",
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "item_code"]
        indexes = [models.Index(fields=["status", "window_end"], name="followup_due_status_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=F("due_on")), name="followup_window_after_due"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="followup_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} due {self.due_on}"


class EventType(models.TextChoices):
    COMPLICATION = "complication", _("Complication")
    RECURRENCE = "recurrence", _("Relapse / recurrence")
    PROGRESSION = "progression", _("Progression")
    SECOND_PRIMARY = "second-primary", _("Second primary cancer")


class FollowUpEvent(TimeStampedModel):
    """A complication or relapse with its date and grade (CTCAE v5 1-5 for complications)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="followup_events"
    )
    plan = models.ForeignKey(
        FollowUpPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    event_type = models.CharField(_("type"), max_length=20, choices=EventType.choices)
    occurred_on = models.DateField(_("date"))
    grade = models.PositiveSmallIntegerField(
        _("grade"), null=True, blank=True, help_text=_("CTCAE v5 grade 1-5.")
    )
    description = models.CharField(
        _("description"), max_length=300, help_text=_("e.g. anastomotic stricture")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    disease_status_id_ref = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The oncology.DiseaseStatus row this event created, if any.",
    )

    class Meta:
        ordering = ["-occurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | (Q(grade__gte=1) & Q(grade__lte=5)),
                name="followup_event_grade_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient.mrn} {self.event_type} {self.occurred_on}"
