from django.apps import AppConfig


class RadiotherapyConfig(AppConfig):
    name = "oncocenter.radiotherapy"
    label = "radiotherapy"
