app_name = "radiotherapy"
urlpatterns: list = []
