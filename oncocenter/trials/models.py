"""Clinical trials: studies with structured eligibility, screening log, enrollment, withdrawal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.trials import eligibility as el


class Phase(models.TextChoices):
    I = "I", _("Phase I")  # noqa: E741
    I_II = "I/II", _("Phase I/II")
    II = "II", _("Phase II")
    III = "III", _("Phase III")
    IV = "IV", _("Phase IV")


class StudyStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RECRUITING = "recruiting", _("Recruiting")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed to accrual")
    COMPLETED = "completed", _("Completed")


class Study(TimeStampedModel):
    code = models.CharField(_("protocol code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    phase = models.CharField(_("phase"), max_length=6, choices=Phase.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=StudyStatus.choices, default=StudyStatus.RECRUITING
    )
    target_diseases = models.CharField(
        _("target diseases"), max_length=300, help_text=_("Free text for people.")
    )
    principal_investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    min_age_years = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age_years = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    diagnosis_code_prefixes = models.JSONField(
        _("diagnosis codes"),
        default=list,
        blank=True,
        help_text=_('ICD-10 prefixes, e.g. ["C74", "C47"].'),
    )
    stage_groups = models.JSONField(
        _("stage groups"), default=list, blank=True, help_text=_('e.g. ["III", "IV"]')
    )
    max_ecog = models.PositiveSmallIntegerField(
        _("maximum ECOG"),
        null=True,
        blank=True,
        help_text=_("Lansky/Karnofsky are converted to ECOG."),
    )
    performance_max_age_days = models.PositiveSmallIntegerField(
        _("performance status valid for (days)"), null=True, blank=True
    )
    excluded_prior_therapies = models.JSONField(
        _("excluded prior therapies"),
        default=list,
        blank=True,
        help_text=_('Modalities, e.g. ["radiotherapy"].'),
    )
    arms = models.JSONField(
        _("arms"), default=list, blank=True, help_text=_('Arm names, e.g. ["A", "B"].')
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=StudyStatus.values), name="study_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_age_years__isnull=True)
                | Q(max_age_years__isnull=True)
                | Q(max_age_years__gte=F("min_age_years")),
                name="study_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(max_ecog__isnull=True) | Q(max_ecog__lte=5), name="study_ecog_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def criteria(self) -> el.Criteria:
        return el.Criteria(
            min_age_years=self.min_age_years,
            max_age_years=self.max_age_years,
            diagnosis_code_prefixes=tuple(self.diagnosis_code_prefixes or ()),
            stage_groups=tuple(self.stage_groups or ()),
            max_ecog=self.max_ecog,
            performance_max_age_days=self.performance_max_age_days,
            excluded_prior_therapies=tuple(self.excluded_prior_therapies or ()),
        )


class ScreeningOutcome(models.TextChoices):
    PRE_SCREENED = "pre-screened", _("Pre-screened")
    APPROACHED = "approached", _("Approached")
    DECLINED = "declined", _("Patient declined")
    SCREEN_FAILED = "screen-failed", _("Screen failure")
    ENROLLED = "enrolled", _("Enrolled")


class ScreeningEntry(TimeStampedModel):
    """One line of a study's screening log with the per-criterion verdicts at that time."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="screening_log")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="trial_screenings"
    )
    screened_on = models.DateField(_("screened on"))
    overall = models.CharField(_("pre-screening result"), max_length=20)
    verdicts = models.JSONField(_("criteria"), default=list)
    outcome = models.CharField(
        _("outcome"),
        max_length=16,
        choices=ScreeningOutcome.choices,
        default=ScreeningOutcome.PRE_SCREENED,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-screened_on", "-id"]
        verbose_name_plural = "screening entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=ScreeningOutcome.values), name="screening_outcome_valid"
            )
        ]


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("On study")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Enrollment(TimeStampedModel):
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="enrollments")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="trial_enrollments"
    )
    consent_on = models.DateField(_("consent date"))
    enrolled_on = models.DateField(_("enrolled on"))
    arm = models.CharField(_("arm"), max_length=40, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ENROLLED,
    )
    eligibility_overall = models.CharField(_("eligibility at enrollment"), max_length=20)
    eligibility_verdicts = models.JSONField(default=list)
    override_reason = models.CharField(
        _("override reason"),
        max_length=300,
        blank=True,
        help_text=_("Required when the pre-screening did not find the patient eligible."),
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("withdrawal reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-enrolled_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "patient"],
                condition=Q(status="enrolled"),
                name="enrollment_once_active",
            ),
            models.CheckConstraint(
                condition=Q(eligibility_overall="eligible") | ~Q(override_reason=""),
                name="enrollment_override_recorded",
            ),
            models.CheckConstraint(
                condition=Q(enrolled_on__gte=F("consent_on")), name="enrollment_after_consent"
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn")
                | (Q(withdrawn_on__isnull=False) & ~Q(withdrawal_reason="")),
                name="enrollment_withdrawal_recorded",
            ),
        ]
