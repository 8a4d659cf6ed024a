"""Messages received from other systems, kept as received with the answer given."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class AckCode(models.TextChoices):
    ACCEPTED = "AA", _("Accepted")
    ERROR = "AE", _("Error (not applied)")
    REJECTED = "AR", _("Rejected (unreadable or unsupported)")


class Hl7Message(TimeStampedModel):
    """One HL7 v2 message as received, what it did and the ACK sent back.

    A sender repeats a message it got no ACK for; the pair (sending facility, control id) is
    unique, so a repeat gets the stored ACK again and changes nothing (idempotent). A message
    refused with AE may be replayed once its cause is fixed.
    """

    received_at = models.DateTimeField(_("received at"), db_index=True)
    sending_facility = models.CharField(_("sending facility"), max_length=60, blank=True)
    control_id = models.CharField(
        _("control id"), max_length=60, blank=True, help_text=_("MSH-10.")
    )
    message_type = models.CharField(
        _("type"), max_length=20, blank=True, help_text=_("e.g. ADT^A01")
    )
    raw = models.TextField(_("message"), help_text=_("As received, segments separated by CR."))
    ack_code = models.CharField(_("ACK"), max_length=2, choices=AckCode.choices)
    ack_text = models.CharField(_("ACK reason"), max_length=300, blank=True)
    ack = models.TextField(_("ACK sent"))
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=200, blank=True, help_text=_("What the message changed.")
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sending_facility", "control_id"],
                condition=~Q(control_id=""),
                name="hl7_message_once",
            ),
            models.CheckConstraint(
                condition=Q(ack_code__in=["AA", "AE", "AR"]), name="hl7_ack_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} {self.control_id} {self.ack_code}"


class ResourceVersion(models.Model):
    """One version of a FHIR resource as this server served it, kept when its row was saved.

    The FHIR view of a row changes whenever the row does (`meta.versionId` follows the row's
    `updated_at`); each save stores the resource as it then reads, so `vread` and `_history`
    answer with what a client was really given. Rows saved before history was kept have only
    their current version. Append-only: a version is never changed.
    """

    resource_type = models.CharField(_("resource type"), max_length=40)
    resource_id = models.CharField(_("resource id"), max_length=64)
    version_id = models.CharField(
        _("version"), max_length=32, help_text=_("meta.versionId of this version.")
    )
    last_updated = models.DateTimeField(
        _("last updated"), help_text=_("meta.lastUpdated of this version.")
    )
    resource = models.JSONField(_("resource"), help_text=_("The resource as served."))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["resource_type", "resource_id", "-last_updated", "-pk"]
        indexes = [
            models.Index(
                fields=["resource_type", "resource_id", "last_updated"], name="fhir_version_lookup"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "resource_id", "version_id"], name="fhir_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource_id}/_history/{self.version_id}"
