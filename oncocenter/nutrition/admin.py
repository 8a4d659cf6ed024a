from django.contrib import admin

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
class AlertSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "loss_1m_percent",
        "loss_6m_percent",
        "bmi_below",
        "nrs_at_least",
        "qol_drop_points",
    )

    def has_add_permission(self, request):
        return not AlertSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "active")


@admin.register(NutritionRecord)
class NutritionRecordAdmin(admin.ModelAdmin):
    list_display = ("patient", "measured_on", "weight_kg", "bmi", "fois_level", "feeding_route")
    raw_id_fields = ("patient",)


admin.site.register(NRSScreening, raw_id_fields=("patient",))
admin.site.register(Milestone, raw_id_fields=("patient",))
admin.site.register(
    NutritionAlert,
    list_display=("patient", "code", "raised_on", "status"),
    raw_id_fields=("patient", "record"),
)
admin.site.register(QoLResponse, raw_id_fields=("patient",))
admin.site.register(QoLAlert, raw_id_fields=("patient", "response"))
