app_name = "trials"
urlpatterns: list = []
