from django.urls import path

from oncocenter.trials import views

app_name = "trials"
urlpatterns = [
    path("", views.studies, name="studies"),
    path("<int:pk>/", views.study, name="study"),
]
