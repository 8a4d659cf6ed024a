from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "oncocenter.clinics"
    label = "clinics"
