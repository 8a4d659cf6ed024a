from django.urls import path

from oncocenter.patients import views, views_breakglass

app_name = "patients"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("centers/radonc/", views.CENTER_VIEWS["radonc"], name="center-radonc"),
    path("centers/esophageal/", views.CENTER_VIEWS["esophageal"], name="center-esophageal"),
    path("centers/pediatric/", views.CENTER_VIEWS["pediatric"], name="center-pediatric"),
    path("break-glass/", views_breakglass.report, name="break-glass-report"),
    path("<str:mrn>/", views.detail, name="detail"),
    path("<str:mrn>/edit/", views.edit, name="edit"),
    path("<str:mrn>/verify-rrn/", views.verify_rrn, name="verify-rrn"),
    path("<str:mrn>/break-glass/", views_breakglass.open_grant, name="break-glass"),
]
