"""Admin: regimens and their drugs are reference data (a reviewed template is edited here, audited);
orders, doses, releases, administrations and measurements are view-only clinical records."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.systemic import models as m


@admin.register(m.Regimen)
class RegimenAdmin(ReferenceDataAdmin):
    list_display = ("code", "name", "center", "review_status")
    list_filter = ("center", "review_status")


@admin.register(m.RegimenDrug)
class RegimenDrugAdmin(ReferenceDataAdmin):
    list_display = ("regimen", "drug", "basis", "amount", "route")


for model in (m.DosingMeasurement, m.TherapyOrder, m.OrderDose, m.DayRelease, m.Administration):
    admin.site.register(model, ClinicalRecordAdmin)
