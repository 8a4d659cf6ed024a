"""Hospital school: classes, enrollments, attendance and return-to-school plans.

The tables were created by the former ``support`` app and renamed when it was split (see
``migrations/0001``); constraint names are unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class SchoolLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    ELEMENTARY = "elementary", _("Elementary")
    MIDDLE = "middle", _("Middle school")
    HIGH = "high", _("High school")


class SchoolClass(TimeStampedModel):
    name = models.CharField(_("name"), max_length=80)
    level = models.CharField(_("level"), max_length=12, choices=SchoolLevel.choices)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="school_classes",
        help_text=_("Hospital-school teacher in charge."),
    )
    room = models.CharField(_("room"), max_length=40, blank=True)
    schedule = models.CharField(_("schedule"), max_length=120, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name_plural = "school classes"

    def __str__(self) -> str:
        return self.name


class SchoolEnrollment(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="school_enrollments"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="enrollments"
    )
    enrolled_on = models.DateField(_("enrolled on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    home_school = models.CharField(
        _("home school"), max_length=120, blank=True, help_text=_("The child's own school.")
    )
    home_grade = models.CharField(_("grade at home school"), max_length=20, blank=True)

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("enrolled_on")),
                name="enrollment_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["patient", "school_class"],
                condition=Q(ended_on__isnull=True),
                name="enrollment_one_open_per_class",
            ),
        ]


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT_TREATMENT = "absent_treatment", _("Absent (treatment)")
    ABSENT_OTHER = "absent_other", _("Absent (other)")


class AttendanceSetting(models.TextChoices):
    CLASSROOM = "classroom", _("Hospital classroom")
    BEDSIDE = "bedside", _("Bedside (ward)")
    ONLINE = "online", _("Online")


class SchoolAttendance(TimeStampedModel):
    enrollment = models.ForeignKey(
        SchoolEnrollment, on_delete=models.CASCADE, related_name="attendance"
    )
    on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=AttendanceStatus.choices)
    setting = models.CharField(
        _("setting"), max_length=12, choices=AttendanceSetting.choices, default="classroom"
    )
    during_admission = models.BooleanField(
        _("during admission"), default=False, help_text=_("The child was an inpatient that day.")
    )
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-on"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "on"], name="attendance_once_a_day"),
            models.CheckConstraint(condition=Q(minutes__lte=600), name="attendance_minutes_max"),
        ]


class ReturnPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHARED = "shared", _("Shared with the school")
    COMPLETED = "completed", _("Child returned")


class ReturnToSchoolPlan(TimeStampedModel):
    enrollment = models.OneToOneField(
        SchoolEnrollment, on_delete=models.CASCADE, related_name="return_plan"
    )
    planned_return_on = models.DateField(_("planned return"), null=True, blank=True)
    school_contact = models.CharField(_("school contact"), max_length=120, blank=True)
    accommodations = models.TextField(
        _("accommodations"),
        blank=True,
        help_text=_("e.g. half days, infection precautions, mask, rest breaks, PE exemption."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReturnPlanStatus.choices, default="draft"
    )
