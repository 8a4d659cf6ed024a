"""Admin: the pediatric record is view-only here; every change goes through the services."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.pediatrics import models as m


@admin.register(m.HSCTEpisode)
class HSCTEpisodeAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "donor_type", "day0", "status")
    list_filter = ("status", "donor_type")


for model in (m.PediatricProfile, m.BodyMeasurement, m.GVHDEntry, m.HSCTComplication):
    admin.site.register(model, ClinicalRecordAdmin)
