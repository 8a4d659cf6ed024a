from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "oncocenter.trials"
    label = "trials"
