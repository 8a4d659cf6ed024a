"""Clinical vocabularies of the course (FHIR-style statuses, intents, patterns, signature meanings)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Techniques whose plans need a patient-specific QA measurement before the first fraction.
PSQA_TECHNIQUES = frozenset({"IMRT", "VMAT", "SBRT", "SRS"})


class Intent(models.TextChoices):
    CURATIVE = "curative", _("Curative")
    PALLIATIVE = "palliative", _("Palliative")
    PROPHYLACTIC = "prophylactic", _("Prophylactic")


class Pattern(models.TextChoices):
    DAILY = "daily", _("Daily")
    ALTERNATE = "alternate", _("Alternate days")
    BID = "bid", _("Twice daily")


class CourseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("On treatment")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped early")
    SUSPENDED = "suspended", _("Suspended (on hold)")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class PrescriptionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (unsigned)")
    SIGNED = "signed", _("Signed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (not approved)")
    APPROVED = "approved", _("Approved by physician")
    CHECKED = "checked", _("Physics check passed")
    RETIRED = "retired", _("Retired")


class FractionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    TREATED = "treated", _("Treated")
    PARTIAL = "partially-treated", _("Partially treated")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


DELIVERED_STATUSES = (FractionStatus.TREATED, FractionStatus.PARTIAL)


class SignatureMeaning(models.TextChoices):
    PRESCRIPTION = "prescription-signed", _("Prescription signed")
    PLAN_APPROVAL = "plan-approved", _("Plan approved")
    PHYSICS_CHECK = "physics-check", _("Physics plan check")
    PSQA = "psqa-reviewed", _("Patient-specific QA reviewed")
    WEEKLY_CHART = "weekly-chart-check", _("Weekly chart check")
    END_CHECK = "end-of-treatment-check", _("End-of-treatment check")
    WEEKLY_REVIEW = "weekly-review", _("Weekly on-treatment review")
    OVERRIDE = "dose-override", _("Dose-limit override")
    DELIVERY_OVERRIDE = "delivery-override", _("Off-schedule treatment override")
    PLAN_TRANSFER = "plan-transfer", _("Plan transfer to another machine")


class ChecklistKind(models.TextChoices):
    INITIAL = "initial", _("Initial plan check")
    WEEKLY = "weekly", _("Weekly chart check")
    END = "end", _("End-of-treatment check")
