"""Admin: the analyte catalogue and ranges are reference data; results and their
acknowledgements, orders and transfusions are view-only clinical records."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.labs import models as m


@admin.register(m.Analyte)
class AnalyteAdmin(ReferenceDataAdmin):
    list_display = ("code", "loinc", "name", "unit", "category")
    list_filter = ("category",)


@admin.register(m.ReferenceRange)
class ReferenceRangeAdmin(ReferenceDataAdmin):
    list_display = ("analyte", "sex", "age_min_days", "age_max_days", "low", "high")


for model in (m.LabOrder, m.LabResult, m.CriticalAcknowledgement, m.Transfusion):
    admin.site.register(model, ClinicalRecordAdmin)
