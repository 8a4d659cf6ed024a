from django.urls import path

from oncocenter.labs import views

app_name = "labs"
urlpatterns = [
    path("critical/", views.critical_worklist, name="critical"),
    path("import/", views.import_csv, name="import"),
    path("patients/<str:mrn>/", views.patient_labs, name="patient"),
    path("patients/<str:mrn>/results/", views.result_create, name="result-create"),
    path("patients/<str:mrn>/orders/", views.order_create, name="order-create"),
    path("patients/<str:mrn>/transfusions/", views.transfusion_create, name="transfusion-create"),
    path("results/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("transfusions/<int:pk>/given/", views.transfusion_given, name="transfusion-given"),
]
