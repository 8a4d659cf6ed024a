from django.urls import path

from oncocenter.oncology import views

app_name = "oncology"
urlpatterns = [
    path("codes/", views.code_options, name="codes"),
    path("workup/", views.workup, name="workup"),
    path("copay-expiring/", views.copay_reminders, name="copay"),
    path("patients/<str:mrn>/", views.record, name="record"),
    path("patients/<str:mrn>/record/", views.record_edit, name="record-edit"),
    path("patients/<str:mrn>/chart/", views.chart, name="chart"),
]
