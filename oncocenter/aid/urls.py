from django.urls import path

from oncocenter.aid import views

# Mounted at /support/aid/ (the pages' addresses from before the split of the support app).
app_name = "aid"
urlpatterns = [
    path("", views.aid, name="index"),
    path("organisations/", views.aid_organisation_create, name="organisation-create"),
    path("new/", views.aid_create, name="create"),
    path("<int:pk>/", views.aid_detail, name="detail"),
    path("<int:pk>/documents/", views.aid_documents, name="documents"),
    path("<int:pk>/status/", views.aid_transition, name="transition"),
    path("family/<str:mrn>/", views.aid_family, name="family"),
]
