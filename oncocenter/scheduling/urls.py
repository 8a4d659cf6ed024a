from django.urls import path

from oncocenter.scheduling import views

app_name = "scheduling"
urlpatterns = [path("machines/", views.machines, name="machines")]
