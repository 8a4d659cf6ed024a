"""Admin: the editable reference data (constraint sets, checklist, CTCAE terms, gap-sensitive
sites, DICOM machine names). Clinical records are read-only here: they change through services."""

from django.contrib import admin

from oncocenter.radiotherapy import models as m


class OrganConstraintInline(admin.TabularInline):
    model = m.OrganConstraint
    extra = 0


@admin.register(m.ConstraintSet)
class ConstraintSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    inlines = [OrganConstraintInline]


@admin.register(m.ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "text", "active", "order")
    list_filter = ("kind", "active")


@admin.register(m.CtcaeTerm)
class CtcaeTermAdmin(admin.ModelAdmin):
    list_display = ("code", "term", "term_ko", "soc", "active")


@admin.register(m.GapSensitiveSite)
class GapSensitiveSiteAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "icd10_prefixes", "icdo3_morphologies", "active")


@admin.register(m.DicomMachineName)
class DicomMachineNameAdmin(admin.ModelAdmin):
    list_display = ("dicom_name", "machine")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    m.Course,
    m.Prescription,
    m.Plan,
    m.Fraction,
    m.Delivery,
    m.Signature,
    m.PhysicsCheck,
    m.PatientSpecificQA,
    m.DoseOverride,
    m.WeeklyReview,
):
    admin.site.register(model, ReadOnlyAdmin)
