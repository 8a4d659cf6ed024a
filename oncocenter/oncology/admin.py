"""Every oncology row is clinical: viewable by administrators, never changed here (the services
hold the rules and the audit trail)."""

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.oncology import models


@admin.register(models.Diagnosis)
class DiagnosisAdmin(ClinicalRecordAdmin):
    list_display = (
        "patient",
        "icd10_code",
        "icdo3_morphology",
        "diagnosed_on",
        "is_primary",
        "iccc_group",
    )
    list_filter = ("is_primary", "iccc_group", "verification_status")
    raw_id_fields = ("patient", "recorded_by")


@admin.register(models.TreatmentEpisode)
class TreatmentEpisodeAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "modality", "started_on", "ended_on", "at_this_center")
    list_filter = ("modality", "at_this_center")
    raw_id_fields = ("patient", "diagnosis")


@admin.register(models.CopayRegistration)
class CopayRegistrationAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "special_code", "registered_on", "expires_on")
    raw_id_fields = ("patient", "diagnosis", "recorded_by")


@admin.register(models.TnmStaging)
class TnmStagingAdmin(ClinicalRecordAdmin):
    list_display = ("diagnosis", "classification", "stage_group", "staged_on")


@admin.register(models.PerformanceStatus)
class PerformanceStatusAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "scale", "score", "observed_on")


@admin.register(models.TumorMarker)
class TumorMarkerAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "marker", "value", "unit", "observed_on")


@admin.register(models.DiseaseStatus)
class DiseaseStatusAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "diagnosis", "status", "observed_on")


@admin.register(models.WorkupOrder)
class WorkupOrderAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "department", "test_name", "status", "ordered_at")
    list_filter = ("department", "status")
