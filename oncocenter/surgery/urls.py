from django.urls import path

from oncocenter.surgery import views

app_name = "surgery"
urlpatterns = [
    path("", views.index, name="index"),
    path("quality/", views.quality, name="quality"),
    path("quality.csv", views.quality_csv, name="quality_csv"),
    path("patients/<str:mrn>/new/", views.operation_new, name="operation_new"),
    path("patients/<str:mrn>/response/", views.response, name="response"),
    path("patients/<str:mrn>/response/<str:criteria>/", views.response_new, name="response_new"),
    path("operations/<int:pk>/", views.operation_detail, name="operation"),
    path("operations/<int:pk>/postop/", views.operation_postop, name="postop"),
    path("operations/<int:pk>/complications/", views.complication_new, name="complication"),
    path("operations/<int:pk>/pathology/", views.pathology_new, name="pathology"),
]
