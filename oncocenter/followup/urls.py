from django.urls import path

from oncocenter.followup import views

app_name = "followup"
urlpatterns = [
    path("overdue/", views.overdue, name="overdue"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/book/", views.item_book, name="item-book"),
    path("items/<int:pk>/done/", views.item_done, name="item-done"),
    path("patients/<str:mrn>/plans/", views.plan_generate, name="plan-generate"),
    path("patients/<str:mrn>/events/", views.event_record, name="event-record"),
    path("patients/<str:mrn>/late-effects/", views.late_effects_generate, name="late-effects"),
]
