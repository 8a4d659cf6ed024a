app_name = "mdt"
urlpatterns: list = []
