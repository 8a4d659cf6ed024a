from django.urls import path

from oncocenter.scheduling import qa_views, views

app_name = "scheduling"
urlpatterns = [
    path("machines/", views.machines, name="machines"),
    path("machines/<str:code>/", views.machine_detail, name="machine"),
    path("machines/<str:code>/qa/", qa_views.machine_qa, name="machine-qa"),
    path("machines/<str:code>/qa/<str:test>/", qa_views.machine_qa_chart, name="machine-qa-chart"),
    path("board/", views.board, name="board"),
    path("board/missed-sessions/", views.missed_sessions, name="missed-sessions"),
    path("outages/new/", views.outage_report, name="outage-report"),
    path("outages/<int:pk>/", views.outage_detail, name="outage"),
    path("outages/<int:pk>/confirm/", views.outage_confirm, name="outage-confirm"),
    path("outages/<int:pk>/notices/", views.outage_notices, name="outage-notices"),
    path("courses/book-waiting/", views.book_waiting, name="book-waiting"),
    path("courses/<int:pk>/book/", views.course_book, name="course-book"),
    path("courses/<int:pk>/bookings/", views.course_bookings, name="course-bookings"),
    path("patients/<str:mrn>/appointments/", views.patient_appointments, name="appointments"),
]
