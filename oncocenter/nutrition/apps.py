from django.apps import AppConfig


class NutritionConfig(AppConfig):
    name = "oncocenter.nutrition"
    label = "nutrition"
