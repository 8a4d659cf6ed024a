from django.urls import path

from oncocenter.shelter import views

# Mounted at /support/shelter/ (the pages' addresses from before the split of the support app).
app_name = "shelter"
urlpatterns = [
    path("", views.shelter, name="index"),
    path("check-in/", views.shelter_check_in, name="check-in"),
    path("stays/<int:pk>/check-out/", views.shelter_check_out, name="check-out"),
    path("waitlist/", views.shelter_waitlist_add, name="waitlist-add"),
    path(
        "waitlist/<int:pk>/withdraw/",
        views.shelter_waitlist_withdraw,
        name="waitlist-withdraw",
    ),
    path("houses/", views.shelter_house_create, name="house-create"),
    path("rooms/", views.shelter_room_create, name="room-create"),
]
