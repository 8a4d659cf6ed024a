"""One row per piece of long work started by a person (booking, rebooking, a PDF): what it is,
who started it, for which patient and object, how far it got, and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(TimeStampedModel):
    kind = models.CharField(
        _("kind"), max_length=60, help_text=_("registered job kind, e.g. scheduling.course_book")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    params = models.JSONField(_("parameters"), default=dict, help_text=_("the job's input"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    role = models.CharField(
        _("role"),
        max_length=40,
        blank=True,
        help_text=_("active role of the person who started it"),
    )
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("patient"),
    )
    subject_type = models.CharField(
        _("object type"), max_length=100, blank=True, help_text=_("e.g. radiotherapy.course")
    )
    subject_id = models.CharField(_("object id"), max_length=64, blank=True)
    progress_done = models.PositiveIntegerField(_("steps done"), default=0)
    progress_total = models.PositiveIntegerField(_("steps in all"), default=0)
    progress_note = models.CharField(_("current step"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    error_rule = models.CharField(_("rule"), max_length=60, blank=True)
    task_id = models.CharField(
        _("queue task"), max_length=64, blank=True, help_text=_("the queue's task result id")
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        help_text=_("written every second while the job runs; a stale one means the worker died"),
    )

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["created_by", "-id"], name="job_by_user"),
            models.Index(
                fields=["status", "heartbeat_at"],
                name="job_running",
                condition=Q(status="running"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="job_status"),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")) | Q(progress_total=0),
                name="job_progress_within_total",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[s.value for s in FINISHED]) | Q(finished_at__isnull=False),
                name="job_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == JobStatus.SUCCEEDED else 0
        return round(100 * self.progress_done / self.progress_total)


class JobFilePurpose(models.TextChoices):
    INPUT = "input", _("Input")
    OUTPUT = "output", _("Result")


class JobFile(models.Model):
    """A file a job read (an upload) or made (a PDF, an export), kept in the database so that
    a worker on another host needs no shared disk. Outputs are downloaded from the job page by
    people allowed to start jobs of its kind; inputs are never served back."""

    job = models.ForeignKey(
        Job, on_delete=models.CASCADE, related_name="files", verbose_name=_("job")
    )
    purpose = models.CharField(_("purpose"), max_length=6, choices=JobFilePurpose.choices)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    data = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["job", "purpose", "name"]
        constraints = [
            models.UniqueConstraint(fields=["job", "purpose", "name"], name="job_file_once"),
            models.CheckConstraint(
                condition=Q(purpose__in=JobFilePurpose.values), name="job_file_purpose"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="job_file_named"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.size} bytes) of job {self.job_id}"


class PeriodicRun(models.Model):
    """A daily task enqueued for one local date. The unique constraint makes the daily trigger
    idempotent: any number of workers may look at the clock, exactly one enqueues the day's run."""

    name = models.CharField(_("periodic task"), max_length=80)
    on = models.DateField(_("day"), help_text=_("Local date in the center's timezone."))
    enqueued_at = models.DateTimeField(_("enqueued at"))

    class Meta:
        ordering = ["-on", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "on"], name="periodic_run_once")]

    def __str__(self) -> str:
        return f"{self.name} on {self.on}"
