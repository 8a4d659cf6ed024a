"""Admin: portal rows are records (view only; accounts are managed on the patient page)."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.portal import models as m

for model in (
    m.PortalAccount,
    m.PortalGrant,
    m.ActivationCode,
    m.Throttle,
    m.ProSubmission,
    m.SymptomAlert,
    m.ChangeRequest,
    m.ResultRelease,
):
    admin.site.register(model, ClinicalRecordAdmin)
