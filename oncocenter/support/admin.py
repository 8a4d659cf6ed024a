"""Admin: reference data (classes, organisations, houses, rooms) is editable; patient rows are
read-only here, because every change of patient data must go through the services (rules and
audit)."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.support import models as m


@admin.register(m.SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "teacher", "room", "active")
    list_filter = ("level", "active")


@admin.register(m.AidOrganisation)
class AidOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "support_types", "active")
    list_filter = ("active",)


class RoomInline(admin.TabularInline):
    model = m.ShelterRoom
    extra = 0


@admin.register(m.ShelterHouse)
class ShelterHouseAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "active")
    inlines = [RoomInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    m.HSCTEpisode,
    m.AidApplication,
    m.ShelterStay,
    m.ShelterWaitlistEntry,
    m.SchoolEnrollment,
    m.PalliativeReferral,
    m.SocialCase,
):
    admin.site.register(model, ReadOnlyAdmin)
