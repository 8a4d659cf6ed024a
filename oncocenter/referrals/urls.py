from django.urls import path

from oncocenter.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("patients/<str:mrn>/new/", views.create, name="create"),
]
