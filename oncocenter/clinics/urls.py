from django.urls import path
from django.views.generic import RedirectView

from oncocenter.clinics import views
from oncocenter.core.access import PUBLIC, declare

app_name = "clinics"
urlpatterns = [
    path(
        "",
        declare(PUBLIC)(RedirectView.as_view(pattern_name="clinics:sessions", permanent=False)),
    ),
    path("sessions/", views.sessions, name="sessions"),
    path("templates/new/", views.template_new, name="template-new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/book/", views.book, name="book"),
    path("sessions/<int:pk>/close/", views.session_close, name="session-close"),
    path(
        "appointments/<int:pk>/<str:action>/", views.appointment_action, name="appointment-action"
    ),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("waitlist/<int:pk>/<str:action>/", views.waitlist_action, name="waitlist-action"),
    path("policy/", views.policy, name="policy"),
    path("wards/", views.wards, name="wards"),
    path("wards/<str:code>/", views.ward_detail, name="ward"),
    path("wards/<str:code>/admit/", views.admit, name="admit"),
    path("wards/<str:code>/request/", views.readmission_request, name="readmission-request"),
    path("admissions/<int:pk>/<str:action>/", views.admission_action, name="admission-action"),
]
