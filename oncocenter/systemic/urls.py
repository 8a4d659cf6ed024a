from django.urls import path

from oncocenter.systemic import views

app_name = "systemic"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("regimens/", views.regimens, name="regimens"),
    path("regimens/<slug:code>/", views.regimen_detail, name="regimen"),
    path("patients/<str:mrn>/", views.patient_orders, name="patient"),
    path("patients/<str:mrn>/measurements/", views.measurement_create, name="measurement-create"),
    path("patients/<str:mrn>/orders/", views.order_create, name="order-create"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/estimate/", views.estimate, name="estimate"),
    path("orders/<int:pk>/<slug:action>/", views.order_action, name="order-action"),
]
