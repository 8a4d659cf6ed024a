"""Admin: houses and rooms are reference data (editable, audited); stays and the waitlist are
view-only here, because check-in locks the room and checks overlaps (services)."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.shelter import models as m


@admin.register(m.ShelterHouse)
class ShelterHouseAdmin(ReferenceDataAdmin):
    list_display = ("name", "address", "active")


@admin.register(m.ShelterRoom)
class ShelterRoomAdmin(ReferenceDataAdmin):
    list_display = ("house", "number", "capacity", "active")
    list_filter = ("house", "active")


for model in (m.ShelterStay, m.ShelterWaitlistEntry):
    admin.site.register(model, ClinicalRecordAdmin)
