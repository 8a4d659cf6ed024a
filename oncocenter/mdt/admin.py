from django.contrib import admin

from oncocenter.mdt.models import Attendance, BoardCase, BoardType, Meeting, Recommendation


@admin.register(BoardType)
class BoardTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_ko", "required_disciplines")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("board_type", "held_on", "status", "location")
    list_filter = ("board_type", "status")


for model in (Attendance, BoardCase, Recommendation):
    admin.site.register(model)
