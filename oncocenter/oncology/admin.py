from django.contrib import admin

from oncocenter.oncology import models


@admin.register(models.Diagnosis)
class DiagnosisAdmin(admin.ModelAdmin):
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
class TreatmentEpisodeAdmin(admin.ModelAdmin):
    list_display = ("patient", "modality", "started_on", "ended_on", "at_this_center")
    list_filter = ("modality", "at_this_center")
    raw_id_fields = ("patient", "diagnosis")


for model in (
    models.TnmStaging,
    models.PerformanceStatus,
    models.TumorMarker,
    models.DiseaseStatus,
    models.WorkupOrder,
):
    admin.site.register(model)

# The record-completion models live in the patients app (patients/models_record.py); registered here
# so that patients/admin.py (foundation) stays untouched.
from oncocenter.patients.models_record import CareTeamMember, Consent, CopayRegistration, Guardian  # noqa: E402

admin.site.register([Guardian, Consent, CareTeamMember, CopayRegistration])
