from django.apps import AppConfig


class OncologyConfig(AppConfig):
    name = "oncocenter.oncology"
    label = "oncology"
