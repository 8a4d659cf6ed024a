from django.contrib import admin
from django.core.exceptions import ValidationError

from oncocenter.followup import protocols
from oncocenter.followup.models import DueItem, FollowUpEvent, FollowUpPlan, ProtocolTemplate


@admin.register(ProtocolTemplate)
class ProtocolTemplateAdmin(admin.ModelAdmin):
    """Templates are editable data; the definition is validated before it is saved."""

    list_display = ("code", "kind", "name_en", "active", "reviewed_by")

    def save_model(self, request, obj, form, change):
        try:
            if obj.kind == "late-effects":
                protocols.validate_late_effects(obj.definition)
            else:
                protocols.validate_protocol(obj.definition)
        except protocols.TemplateError as exc:
            raise ValidationError(str(exc)) from exc
        super().save_model(request, obj, form, change)


@admin.register(FollowUpPlan)
class FollowUpPlanAdmin(admin.ModelAdmin):
    list_display = ("patient", "template", "treatment_end", "status")
    raw_id_fields = ("patient",)


@admin.register(DueItem)
class DueItemAdmin(admin.ModelAdmin):
    list_display = ("patient", "item_code", "due_on", "window_end", "status")
    list_filter = ("status", "kind")
    raw_id_fields = ("patient", "plan", "appointment")


@admin.register(FollowUpEvent)
class FollowUpEventAdmin(admin.ModelAdmin):
    list_display = ("patient", "event_type", "occurred_on", "grade")
    raw_id_fields = ("patient", "plan")
