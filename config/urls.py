from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from config.api import api
from oncocenter.accounts.views import admin_login
from oncocenter.interop.fhir import views as fhir_views

# One sign-in: the admin site's own login form (unthrottled, unaudited) is replaced by a redirect
# to the throttled, audited sign-in page (before admin.site.urls is read below).
admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("", include("oncocenter.core.urls")),
    path("accounts/", include("oncocenter.accounts.urls")),
    path("audit/", include("oncocenter.audit.urls")),
    path("patients/", include("oncocenter.patients.urls")),
    path("jobs/", include("oncocenter.jobs.urls")),
    path("oncology/", include("oncocenter.oncology.urls")),
    path("labs/", include("oncocenter.labs.urls")),
    path("systemic/", include("oncocenter.systemic.urls")),
    path("referrals/", include("oncocenter.referrals.urls")),
    path("mdt/", include("oncocenter.mdt.urls")),
    path("trials/", include("oncocenter.trials.urls")),
    path("radiotherapy/", include("oncocenter.radiotherapy.urls")),
    path("scheduling/", include("oncocenter.scheduling.urls")),
    path("clinics/", include("oncocenter.clinics.urls")),
    path("followup/", include("oncocenter.followup.urls")),
    path("nutrition/", include("oncocenter.nutrition.urls")),
    path("surgery/", include("oncocenter.surgery.urls")),
    # The pediatric services keep the addresses they had as one app ("support").
    path("support/", include("oncocenter.pediatrics.urls")),
    path("support/school/", include("oncocenter.school.urls")),
    path("support/aid/", include("oncocenter.aid.urls")),
    path("support/shelter/", include("oncocenter.shelter.urls")),
    path("support/palliative/", include("oncocenter.palliative.urls")),
    path("support/social/", include("oncocenter.socialwork.urls")),
    path("portal/", include("oncocenter.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", api.urls),
    # FHIR clients POST transaction Bundles to the base without a slash.
    path("fhir", fhir_views.root, name="fhir-base"),
    path("fhir/", include("oncocenter.interop.urls")),
    path("exports/", include("oncocenter.interop.exports.urls")),
    path("interop/", include("oncocenter.interop.pages")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "OncoCenter"
admin.site.site_title = "OncoCenter admin"
if settings.DEBUG:
    admin.site.index_title = "Administration (demo)"
