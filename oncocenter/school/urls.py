from django.urls import path

from oncocenter.school import views

# Mounted at /support/school/ (the pages' addresses from before the split of the support app).
app_name = "school"
urlpatterns = [
    path("", views.school, name="index"),
    path("classes/", views.school_class_create, name="class-create"),
    path("enroll/", views.school_enroll, name="enroll"),
    path("enrollments/<int:pk>/", views.enrollment, name="enrollment"),
    path(
        "enrollments/<int:pk>/attendance/",
        views.enrollment_attendance,
        name="enrollment-attendance",
    ),
    path("enrollments/<int:pk>/return-plan/", views.enrollment_plan, name="enrollment-plan"),
]
