from django.urls import path

from oncocenter.interop.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.exports, name="index"),
    path("research/", views.research_export, name="research"),
    path("registry/", views.registry_export, name="registry"),
]
