from django.urls import path

from oncocenter.audit import views

app_name = "audit"
urlpatterns = [path("", views.events, name="events")]
