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
