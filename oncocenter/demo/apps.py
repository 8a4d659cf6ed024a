from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "oncocenter.demo"
    label = "demo"
