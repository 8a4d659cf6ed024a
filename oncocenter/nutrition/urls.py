app_name = "nutrition"
urlpatterns: list = []
