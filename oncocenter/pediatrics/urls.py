from django.urls import path

from oncocenter.pediatrics import views, views_reports

# Mounted at /support/ (the pages' addresses from before the split of the support app).
app_name = "pediatrics"
urlpatterns = [
    path("", views.hub, name="hub"),
    path("patients/<str:mrn>/", views.pediatric, name="pediatric"),
    path("patients/<str:mrn>/sedation/", views.pediatric_sedation, name="pediatric-sedation"),
    path(
        "patients/<str:mrn>/measurements/",
        views.pediatric_measurement,
        name="pediatric-measurement",
    ),
    path("patients/<str:mrn>/hsct/", views.hsct_create, name="hsct-create"),
    path("patients/<str:mrn>/guardians/", views.pediatric_guardian, name="pediatric-guardian"),
    path("hsct/", views.hsct_worklist, name="hsct"),
    path("hsct/<int:pk>/", views.hsct_detail, name="hsct-detail"),
    path("hsct/<int:pk>/edit/", views.hsct_edit, name="hsct-edit"),
    path("hsct/<int:pk>/gvhd/", views.hsct_gvhd, name="hsct-gvhd"),
    path("hsct/<int:pk>/complications/", views.hsct_complication, name="hsct-complication"),
    path("reports/", views_reports.reports, name="reports"),
    path("reports/<str:kind>.csv", views_reports.reports_csv, name="reports-csv"),
]
