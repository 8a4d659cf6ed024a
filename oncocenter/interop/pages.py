"""Staff pages of interop (at /interop/); the FHIR server's routes are in `urls.py`."""

from django.urls import path

from oncocenter.interop import views

app_name = "interop"
urlpatterns = [
    path("hl7/", views.message_list, name="hl7-messages"),
    path("hl7/<int:pk>/", views.message_detail, name="hl7-message"),
    path("hl7/<int:pk>/replay/", views.message_replay, name="hl7-replay"),
]
