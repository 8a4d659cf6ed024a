from django.urls import path

from oncocenter.socialwork import views

# Mounted at /support/social/ (the pages' addresses from before the split of the support app).
app_name = "socialwork"
urlpatterns = [
    path("", views.social, name="index"),
    path("cases/", views.social_case_open, name="case-open"),
    path("cases/<int:pk>/", views.social_case, name="case"),
    path("cases/<int:pk>/close/", views.social_case_close, name="case-close"),
    path("cases/<int:pk>/assessments/", views.social_assessment, name="assessment"),
    path("cases/<int:pk>/interventions/", views.social_intervention, name="intervention"),
    path("interventions/<int:pk>/outcome/", views.social_outcome, name="outcome"),
]
