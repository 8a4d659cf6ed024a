"""Admin: classes are reference data (editable, audited); enrollments are view-only here."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.school import models as m


@admin.register(m.SchoolClass)
class SchoolClassAdmin(ReferenceDataAdmin):
    list_display = ("name", "level", "teacher", "room", "active")
    list_filter = ("level", "active")


for model in (m.SchoolEnrollment, m.SchoolAttendance, m.ReturnToSchoolPlan):
    admin.site.register(model, ClinicalRecordAdmin)
