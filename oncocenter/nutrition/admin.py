"""Admin: alert thresholds and questionnaires are reference data (editable by `reference.edit`,
audited); records, screenings, milestones, QoL answers and alerts are the clinical record (view
only: alerts are raised and handled through the services)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.nutrition.models import (
    AlertSettings,
    Milestone,
    NRSScreening,
    NutritionAlert,
    NutritionRecord,
    QoLAlert,
    QoLResponse,
    Questionnaire,
)


@admin.register(AlertSettings)
class AlertSettingsAdmin(ReferenceDataAdmin):
    list_display = (
        "loss_1m_percent",
        "loss_6m_percent",
        "bmi_below",
        "nrs_at_least",
        "qol_drop_points",
    )

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # One settings row (id 1): it can be changed, never doubled.
        return super().has_add_permission(request, obj) and not AlertSettings.objects.exists()


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReferenceDataAdmin):
    list_display = ("code", "name_en", "active")


@admin.register(NutritionRecord)
class NutritionRecordAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "measured_on", "weight_kg", "bmi", "fois_level", "feeding_route")
    raw_id_fields = ("patient",)


@admin.register(NRSScreening)
class NRSScreeningAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "screened_on", "total", "at_risk")
    raw_id_fields = ("patient",)


@admin.register(Milestone)
class MilestoneAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "kind", "occurred_on")
    raw_id_fields = ("patient",)


@admin.register(NutritionAlert)
class NutritionAlertAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "code", "raised_on", "status")
    raw_id_fields = ("patient", "record")


@admin.register(QoLResponse)
class QoLResponseAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "questionnaire", "answered_on")
    raw_id_fields = ("patient",)


@admin.register(QoLAlert)
class QoLAlertAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "subscale", "points", "status")
    raw_id_fields = ("patient", "response")
