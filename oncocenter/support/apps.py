from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "oncocenter.support"
    label = "support"
