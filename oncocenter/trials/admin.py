"""Studies, screening entries and enrollments are all view-only here.

A study looks like reference data, but its structured eligibility is checked by
`trials.services.study_create` (ICD-10 prefixes, AJCC stage groups, modalities, age and ECOG
ranges) and decides which enrollments need an override: an admin edit would bypass those rules
and the audit of who changed the criteria. Studies are registered on the trials page instead."""

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.trials.models import Enrollment, ScreeningEntry, Study


@admin.register(Study)
class StudyAdmin(ClinicalRecordAdmin):
    list_display = ("code", "title", "phase", "status")
    list_filter = ("phase", "status")


@admin.register(Enrollment)
class EnrollmentAdmin(ClinicalRecordAdmin):
    list_display = ("study", "patient", "arm", "status", "eligibility_overall", "enrolled_on")
    raw_id_fields = ("patient",)


@admin.register(ScreeningEntry)
class ScreeningEntryAdmin(ClinicalRecordAdmin):
    list_display = ("study", "patient", "screened_on", "overall", "outcome")
    raw_id_fields = ("patient",)
