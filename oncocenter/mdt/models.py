"""Tumor boards: board types with required disciplines, meetings, cases, attendance,
recommendations that create referrals and orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.referrals.models import Department


class BoardType(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ko = models.CharField(_("name (Korean)"), max_length=120)
    required_disciplines = models.JSONField(
        _("required disciplines"),
        default=list,
        help_text=_("Department codes that must be present for a quorum."),
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        korean = (get_language() or "").startswith("ko")
        return (self.name_ko if korean else "") or self.name_en


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(TimeStampedModel):
    board_type = models.ForeignKey(BoardType, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("date"))
    location = models.CharField(_("room"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.board_type} {self.held_on:%Y-%m-%d}"


class Attendance(TimeStampedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discipline = models.CharField(_("discipline"), max_length=30, choices=Department.choices)

    class Meta:
        ordering = ["discipline", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once")]


class BoardCase(TimeStampedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="cases")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="board_cases"
    )
    diagnosis = models.ForeignKey(
        "oncology.Diagnosis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_cases",
    )
    question = models.CharField(_("question for the board"), max_length=300)
    summary = models.JSONField(
        _("case summary"), default=dict, help_text="Assembled when the case is listed."
    )
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "patient"], name="board_case_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} @ {self.meeting}"


class Intent(models.TextChoices):
    CURATIVE = "curative", _("Curative")
    PALLIATIVE = "palliative", _("Palliative")
    DIAGNOSTIC = "diagnostic", _("Further diagnosis")
    SUPPORTIVE = "supportive", _("Supportive care only")


class Recommendation(TimeStampedModel):
    case = models.OneToOneField(BoardCase, on_delete=models.PROTECT, related_name="recommendation")
    intent = models.CharField(_("intent"), max_length=12, choices=Intent.choices)
    modalities = models.JSONField(
        _("modalities in sequence"), default=list, help_text=_('e.g. ["chemotherapy", "surgery"]')
    )
    sequence_note = models.CharField(_("sequence"), max_length=300, blank=True)
    trial = models.ForeignKey(
        "trials.Study",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_suggestions",
    )
    note = models.TextField(_("discussion"), blank=True)
    quorum_met = models.BooleanField(default=False)
    missing_disciplines = models.JSONField(default=list)
    referrals = models.ManyToManyField(
        "referrals.Referral", blank=True, related_name="board_recommendations"
    )
    orders = models.ManyToManyField(
        "oncology.WorkupOrder", blank=True, related_name="board_recommendations"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(intent__in=Intent.values), name="recommendation_intent_valid"
            )
        ]
