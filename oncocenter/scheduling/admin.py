from django.contrib import admin

from oncocenter.scheduling.models import Machine, MachineTechnique


class TechniqueInline(admin.TabularInline):
    model = MachineTechnique
    extra = 1


@admin.register(Machine)
class MachineAdmin(admin.ModelAdmin):
    inlines = [TechniqueInline]
    list_display = ("code", "name", "kind", "model", "opens_at", "closes_at", "in_service")
