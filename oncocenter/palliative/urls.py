from django.urls import path

from oncocenter.palliative import views

# Mounted at /support/palliative/ (the pages' addresses from before the split of the support app).
app_name = "palliative"
urlpatterns = [
    path("", views.palliative, name="index"),
    path("refer/", views.palliative_refer, name="refer"),
    path("<int:pk>/", views.palliative_detail, name="detail"),
    path("<int:pk>/update/", views.palliative_update, name="update"),
    path("<int:pk>/bereavement/", views.palliative_bereavement, name="bereavement"),
]
