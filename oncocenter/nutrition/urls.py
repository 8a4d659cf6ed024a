from django.urls import path

from oncocenter.nutrition import views

app_name = "nutrition"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("alerts/<int:pk>/", views.alert_handle, name="alert-handle"),
    path("qol-worklist/", views.qol_worklist, name="qol-worklist"),
    path("qol-alerts/<int:pk>/", views.qol_alert_handle, name="qol-alert-handle"),
    path("settings/", views.settings_view, name="settings"),
    path("patients/<str:mrn>/record/", views.record, name="record"),
    path("patients/<str:mrn>/screening/", views.screening, name="screening"),
    path("patients/<str:mrn>/milestone/", views.milestone, name="milestone"),
    path("patients/<str:mrn>/qol/", views.qol_record, name="qol"),
]
