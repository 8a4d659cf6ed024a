"""The outbox: every message to a patient, a guardian or a staff member is a row first, then a
job on the "notifications" queue delivers it (email over SMTP, SMS through a gateway)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class Category(models.TextChoices):
    """What a message is about; people opt out per category (staff alerts cannot be refused)."""

    REMINDER = "reminder", _("Appointment reminders")
    FOLLOWUP = "followup", _("Follow-up due and overdue")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire invitations")
    ACCOUNT = "account", _("Account (activation, password)")
    STAFF_ALERT = "staff_alert", _("Staff alerts")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RETRYING = "retrying", _("Waiting to retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent (opted out)")


class OutboxMessage(TimeStampedModel):
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    to_address = models.CharField(
        _("to"), max_length=254, help_text=_("E-mail address or mobile number.")
    )
    language = models.CharField(_("language"), max_length=5, default="ko")
    template_code = models.CharField(_("template"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=5)
    not_before = models.DateTimeField(
        _("not before"), help_text=_("Quiet hours and retries push this later.")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbox_messages",
        help_text=_("The patient the message is about, if any."),
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A staff recipient."),
    )
    # NULL when the message may repeat; set (e.g. "reminder:clinic:12:0") so a daily run that
    # is repeated never sends the same reminder twice.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="outbox_dedupe_once",
            ),
            models.CheckConstraint(
                condition=Q(attempts__lte=F("max_attempts")), name="outbox_attempts_bounded"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="outbox_channel_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "not_before"], name="outbox_status_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.template_code} -> {self.to_address} ({self.status})"


class OptOut(TimeStampedModel):
    """An address that refused a category of messages (or every category)."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    category = models.CharField(
        _("category"),
        max_length=20,
        help_text=_("A category, or 'all'."),
    )

    class Meta:
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "address", "category"], name="optout_once"),
            models.CheckConstraint(
                condition=~Q(category="staff_alert"), name="optout_not_staff_alerts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address} ({self.category})"


class StaffNotificationSetting(TimeStampedModel):
    """How a staff member wants to hear of their alerts by e-mail. Without a row: both kinds, in
    the staff member's interface language default (Korean). The worklists always show the alerts;
    this only decides the e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_setting"
    )
    language = models.CharField(
        _("language"), max_length=5, default="ko", choices=[("ko", "한국어"), ("en", "English")]
    )
    symptom_alerts = models.BooleanField(
        _("symptom alerts"),
        default=True,
        help_text=_("E-mail when a patient's report raises an alert."),
    )
    critical_results = models.BooleanField(
        _("critical results"),
        default=True,
        help_text=_("E-mail when a critical laboratory value of your patient is recorded."),
    )

    def __str__(self) -> str:
        return f"notification setting of user {self.user_id}"
