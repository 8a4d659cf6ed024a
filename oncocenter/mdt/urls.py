from django.urls import path

from oncocenter.mdt import views

app_name = "mdt"
urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
]
