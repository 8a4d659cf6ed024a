from django.urls import path

from oncocenter.radiotherapy import views

app_name = "radiotherapy"
urlpatterns = [
    path("", views.index, name="index"),
    path("patients/<str:mrn>/", views.patient_courses, name="patient"),
    path("treatment-records/", views.treatment_record_upload, name="treatment-record"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/do/<slug:action>/", views.course_action, name="action"),
    path("courses/<int:pk>/plans/<int:plan_pk>/dvh/", views.plan_dvh, name="dvh"),
    path("courses/<int:pk>/summary/", views.summary, name="summary"),
    path("courses/<int:pk>/summary.pdf", views.summary_pdf, name="summary-pdf"),
]
