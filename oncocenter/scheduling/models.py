"""Treatment machines (LINACs, HDR afterloader) and what each can deliver."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class Technique(models.TextChoices):
    """Delivery techniques; the codes are those of the scheduler's file format (linac-schedule/1)."""

    CRT3D = "3D", _("3D-CRT")
    IMRT = "IMRT", _("IMRT")
    VMAT = "VMAT", _("VMAT")
    SBRT = "SBRT", _("SBRT")
    SRS = "SRS", _("SRS")
    ELECTRON = "ELECTRON", _("Electrons")
    HDR = "HDR", _("HDR brachytherapy")


class MachineKind(models.TextChoices):
    LINAC = "linac", _("Linear accelerator")
    AFTERLOADER = "afterloader", _("HDR afterloader")


class Machine(TimeStampedModel):
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short id used in schedules, e.g. LINAC-1."),
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=MachineKind.choices)
    model = models.CharField(
        _("model"), max_length=80, blank=True, help_text=_("Vendor model, e.g. TrueBeam.")
    )
    room = models.CharField(_("room"), max_length=40, blank=True)
    opens_at = models.TimeField(
        _("opens at"), help_text=_("Start of treatment hours (center time).")
    )
    closes_at = models.TimeField(
        _("closes at"), help_text=_("End of treatment hours (center time).")
    )
    in_service = models.BooleanField(
        _("in service"),
        default=True,
        help_text=_("Off: the machine cannot be booked or record deliveries."),
    )
    commissioned_on = models.DateField(_("commissioned on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="machine_hours_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def technique_codes(self) -> list[str]:
        return sorted(t.technique for t in self.techniques.all())

    def can_deliver(self, technique: str) -> bool:
        return any(t.technique == technique for t in self.techniques.all())


class MachineTechnique(models.Model):
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="techniques")
    technique = models.CharField(max_length=10, choices=Technique.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["machine", "technique"], name="machine_technique_once"),
            models.CheckConstraint(
                condition=Q(technique__in=Technique.values), name="machine_technique_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine_id}:{self.technique}"
