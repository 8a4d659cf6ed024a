"""Break the glass (issue 17): a staff member reads one patient's record outside their roles,
for a stated reason and a limited time. Each grant and each use is audited; the privacy officer
(administrator) reviews them on the report page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

BREAK_GLASS_REASON_MIN = 10
BREAK_GLASS_REASON_MAX = 500


class BreakGlassAccess(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    reason = models.CharField(_("reason"), max_length=BREAK_GLASS_REASON_MAX)
    opened_at = models.DateTimeField(_("opened at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        ordering = ("-opened_at", "-id")
        indexes = [models.Index(fields=["user", "patient", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("opened_at")), name="breakglass_expires_after_open"
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("reason"), BREAK_GLASS_REASON_MIN),
                name="breakglass_reason_min_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.patient_id} until {self.expires_at:%Y-%m-%d %H:%M}"
