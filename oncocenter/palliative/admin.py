"""Admin: palliative care referrals and bereavement follow-up are view-only here."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.palliative import models as m

for model in (m.PalliativeReferral, m.BereavementFollowUp):
    admin.site.register(model, ClinicalRecordAdmin)
