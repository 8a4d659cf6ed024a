from django.urls import path

from oncocenter.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("role/", views.switch_role, name="switch-role"),
    path("healthz", views.healthz, name="healthz"),
]
