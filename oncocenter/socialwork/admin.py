"""Admin: social work cases, assessments and interventions are view-only here."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.socialwork import models as m

for model in (m.SocialCase, m.NeedsAssessment, m.SocialIntervention):
    admin.site.register(model, ClinicalRecordAdmin)
