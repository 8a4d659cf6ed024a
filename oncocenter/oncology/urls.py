app_name = "oncology"
urlpatterns: list = []
