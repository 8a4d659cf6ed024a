from django.apps import AppConfig


class MdtConfig(AppConfig):
    name = "oncocenter.mdt"
    label = "mdt"
