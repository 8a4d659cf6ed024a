from django.contrib import admin

from oncocenter.trials.models import Enrollment, ScreeningEntry, Study


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "phase", "status")
    list_filter = ("phase", "status")


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("study", "patient", "arm", "status", "eligibility_overall", "enrolled_on")
    raw_id_fields = ("patient",)


admin.site.register(ScreeningEntry)
