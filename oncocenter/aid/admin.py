"""Admin: organisations are reference data (editable, audited); applications are view-only."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.aid import models as m
from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin


@admin.register(m.AidOrganisation)
class AidOrganisationAdmin(ReferenceDataAdmin):
    list_display = ("name", "support_types", "active")
    list_filter = ("active",)


for model in (m.AidApplication, m.AidStatusChange):
    admin.site.register(model, ClinicalRecordAdmin)
